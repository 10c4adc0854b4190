/* Arbitrary text as a baseline file.  The search path points at a
 * folder with one small valid baseline, "base", so that `extends: base`
 * and relative paths reach the merge code (and the copy of a baseline
 * extended more than once).  The regexes of a valid baseline are searched
 * in the input's own text. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/baseline.h"
#include "tests/fuzz/fuzz-util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base_yaml[] =
    "smaudit-baseline: 1\nname: base\nrules:\n"
    "  - id: SM-BASE-A\n    title: A\n    key: K\n    value: V\n"
    "    severity: low\n    normal: n\n    message: m\n"
    "    expect: { one-of: [a, b] }\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  static char dir[] = "/tmp/smaudit-fuzz-baseline.XXXXXX";
  if (!mkdtemp(dir))
    fuzz_die("mkdtemp");
  char path[sizeof dir + 16];
  snprintf(path, sizeof path, "%s/base.yaml", dir);
  FILE *f = fopen(path, "w");
  if (!f || fputs(base_yaml, f) < 0 || fclose(f) != 0)
    fuzz_die("cannot write base.yaml");
  if (sm_baseline_set_search_path(dir) != SM_OK)
    fuzz_die("out of memory");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  int fd = fuzz_memfd(data, size, path, sizeof path);
  if (fd < 0)
    return 0;
  sm_baseline *b = NULL;
  sm_error err = {0};
  if (sm_baseline_load(path, &b, &err) == SM_OK) {
    for (size_t i = 0; i < b->n_rules; i++) {
      const sm_rule *r = &b->rules[i];
      (void)sm_baseline_find_rule(b, r->id);
      /* Each regex searched in the input itself (checks/regex.c). */
      if (r->expect.has_regex)
        (void)sm_regex_search(r->expect.regex, (const char *)data,
                              strnlen((const char *)data, size));
    }
  } else if (err.msg[0] == '\0' || !memchr(err.msg, '\0', sizeof err.msg)) {
    abort(); /* every refusal says why */
  }
  sm_baseline_free(b);
  /* The same text twice, merged, as repeated --baseline options are. */
  const char *two[2] = {path, path};
  if (sm_baseline_load_many(two, 2, &b, &err) == SM_OK)
    sm_baseline_free(b);
  close(fd);
  return 0;
}
