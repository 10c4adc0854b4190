/* Helpers of the baseline loader's unit programs (tests/test-baseline.c,
 * tests/test-baseline-cache.c): baselines written in a private folder,
 * loaded, and their errors compared (each helper marked unused: a program
 * may not call them all).  Include after <cmocka.h>. */
#ifndef SM_TEST_BASELINE_UTIL_H
#define SM_TEST_BASELINE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/baseline.h"

#define HDR "smaudit-baseline: 1\nname: t\n"
/* A minimal rule; its mapping starts at column 5 of its first line. */
#define RULE(id)                                                               \
  "  - id: " id "\n    title: T\n    key: K\n    severity: low\n"             \
  "    normal: n\n    message: m\n"

static char tmpdir[256];

/* 0 when re matches somewhere in s, as regexec says it. */
__attribute__((unused)) static int re_exec(const sm_regex *re, const char *s) {
  return sm_regex_search(re, s, strlen(s)) ? 0 : 1;
}

__attribute__((unused)) static const char *path_of(const char *name) {
  static char buf[4][512];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof buf[i], "%s/%s", tmpdir, name);
  return buf[i];
}

__attribute__((unused)) static void write_bytes(const char *name, const char *data, size_t len) {
  FILE *f = fopen(path_of(name), "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

__attribute__((unused)) static void write_file(const char *name, const char *text) {
  write_bytes(name, text, strlen(text));
}

__attribute__((unused)) static sm_baseline *load_ok(const char *name) {
  sm_baseline *b = NULL;
  sm_error err = {0};
  sm_result rc = sm_baseline_load(path_of(name), &b, &err);
  if (rc != SM_OK)
    fail_msg("%s", err.msg);
  assert_non_null(b);
  return b;
}

/* Loading NAME fails with code and "TMPDIR/NAME:" + rest. */
__attribute__((unused)) static void load_fails_in(const char *name, const char *where,
                          sm_result code, const char *rest) {
  sm_baseline *b = NULL;
  sm_error err = {0};
  char want[1024];
  snprintf(want, sizeof want, "%s:%s", path_of(where), rest);
  assert_int_equal(sm_baseline_load(path_of(name), &b, &err), code);
  assert_null(b);
  assert_string_equal(err.msg, want);
}

__attribute__((unused)) static void load_fails(const char *name, const char *rest) {
  load_fails_in(name, name, SM_ERR_USAGE, rest);
}

__attribute__((unused)) static int setup_dir(void **state) {
  snprintf(tmpdir, sizeof tmpdir, "%s/smaudit-baseline.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(tmpdir))
    return -1;
  return 0;
}

__attribute__((unused)) static int teardown_dir(void **state) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

#endif
