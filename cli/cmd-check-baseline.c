#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/baseline.h"
#include "cli/cli.h"

static void usage_check_baseline(FILE *f) {
  fprintf(f,
          "Usage: %s check-baseline FILE...\n"
          "Load and validate each baseline with everything it extends; print "
          "a summary\nof each, or the first error as FILE:LINE:COLUMN: "
          "message.\n"
          "Exit status: 0 all are valid, 2 otherwise.\n",
          sm_progname);
}

int sm_cmd_check_baseline(int argc, char **argv) {
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    if (c == 'h') {
      usage_check_baseline(stdout);
      return SM_EXIT_OK;
    }
    return sm_cli_bad_option("check-baseline", opts, c, argv);
  }
  if (optind >= argc)
    return sm_cli_usage_error("check-baseline",
                              "check-baseline needs at least one FILE");
  int rc = SM_EXIT_OK;
  /* The files the baselines share (windows-common) are parsed once; NULL
   * (out of memory): each load parses its own. */
  sm_baseline_parse_cache *parsed = sm_baseline_parse_cache_new();
  for (int i = optind; i < argc; i++) {
    sm_baseline *b = NULL;
    sm_error err = {0};
    if (sm_baseline_load_cached(parsed, argv[i], &b, &err) != SM_OK) {
      sm_cli_error("%s", err.msg);
      rc = SM_EXIT_ERROR;
      continue;
    }
    sm_fputs_escaped(stdout, argv[i], false);
    printf(": ok: %zu rule%s", b->n_rules, b->n_rules == 1 ? "" : "s");
    if (b->n_chain) {
      fputs(" (extends: ", stdout);
      for (size_t k = 0; k < b->n_chain; k++) {
        if (k)
          fputs(", ", stdout);
        sm_fputs_escaped(stdout, b->chain[k], false);
      }
      fputc(')', stdout);
    }
    printf(", %zu suppression%s\n", b->n_suppressions,
           b->n_suppressions == 1 ? "" : "s");
    sm_baseline_free(b);
  }
  sm_baseline_parse_cache_free(parsed);
  return rc;
}
