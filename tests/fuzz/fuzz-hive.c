/* The whole audit of one arbitrary byte string taken as a SYSTEM hive:
 * open (tolerant and strict), resolve the control set, audit against a
 * baseline loaded once, render the result as JSON Lines and as text.
 *
 * The baseline: the shipped ones found through SMAUDIT_BASELINE_PATH (the
 * family detected from each input, loaded once by the cache), else
 * SMAUDIT_FUZZ_BASELINE, else tests/fuzz/seed.yaml of the source tree. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/scan.h"
#include "tests/fuzz/fuzz-util.h"


static FILE *devnull;
static sm_baseline_set set;
static const char *given[1];
static size_t n_given;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  sm_cli_quiet = true;
  devnull = fopen("/dev/null", "w");
  if (!devnull)
    fuzz_die("cannot open /dev/null");
  if (sm_baseline_set_search_path(getenv("SMAUDIT_BASELINE_PATH")) != SM_OK)
    fuzz_die("out of memory");
  char **names = NULL;
  size_t n = 0;
  sm_error err = {0};
  if (sm_baseline_list(&names, &n, &err) == SM_OK && n > 0) {
    n_given = 0; /* detect the family of each input */
  } else {
    const char *b = getenv("SMAUDIT_FUZZ_BASELINE");
    given[0] = b ? b : SM_FUZZ_SRCDIR "/seed.yaml";
    n_given = 1;
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  if (sm_baseline_set_init(&set, given, n_given, &err) != 0) {
    fprintf(stderr, "fuzz-hive: %s\n", err.msg);
    fuzz_die("cannot load the baseline");
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  int fd = fuzz_memfd(data, size, path, sizeof path);
  if (fd < 0)
    return 0;
  static const unsigned modes[] = {0, SM_OPEN_UNSAFE};
  for (size_t m = 0; m < 2; m++) {
    sm_scan_options o = {.open_flags = modes[m] | SM_OPEN_NO_HASH,
                         .all_control_sets = m == 1,
                         .today = 20260101};
    sm_scan_target t = {.name = path, .path = path};
    sm_scan_result res;
    sm_scan(&t, &o, &set, &res);
    sm_render_scan_json(devnull, &res);
    sm_render_scan_text(devnull, &res, m == 1);
    sm_scan_result_free(&res);
  }
  close(fd);
  return 0;
}
