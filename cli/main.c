#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/baseline.h"
#include "cli/cli.h"

static void usage(FILE *f) {
  fprintf(f,
          "Usage: %s COMMAND [OPTION]... [ARG]...\n"
          "Audit the Windows Session Manager configuration in offline SYSTEM "
          "hives.\n\n"
          "Commands:\n"
          "  scan HIVE...       audit hives against a baseline\n"
          "  show HIVE          print the decoded Session Manager configuration\n"
          "  recover HIVE -o OUT\n"
          "                     write HIVE with its transaction logs replayed\n"
          "  check-baseline FILE...\n"
          "                     validate baselines and print a summary of each\n"
          "  learn HIVE [-o FILE]\n"
          "                     write a baseline that pins HIVE's audited state\n"
          "  diff HIVE_A HIVE_B | diff HIVE --control-set N --control-set M\n"
          "                     what differs in the audited keys\n"
          "\n"
          "Options:\n"
          "  -h, --help         display this help and exit\n"
          "  -V, --version      output version information and exit\n\n"
          "Exit status: 0 nothing to report, 1 findings, 2 error.\n"
          "Run '%s COMMAND --help' for a command's options.\n",
          sm_progname, sm_progname);
}

static void version(void) {
  printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
  printf("License GPL-3.0-or-later: GNU GPL version 3 or later.\n"
         "This is free software: you are free to change and redistribute "
         "it.\nThere is NO WARRANTY, to the extent permitted by law.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return SM_EXIT_ERROR;
  }
  /* checks/ reads no environment: the baseline search path comes from here. */
  if (sm_baseline_set_search_path(getenv("SMAUDIT_BASELINE_PATH")) != SM_OK) {
    sm_cli_error("out of memory");
    return SM_EXIT_ERROR;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
    usage(stdout);
    return SM_EXIT_OK;
  }
  if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
    version();
    return SM_EXIT_OK;
  }
  if (strcmp(cmd, "scan") == 0)
    return sm_cmd_scan(argc - 1, argv + 1);
  if (strcmp(cmd, "show") == 0)
    return sm_cmd_show(argc - 1, argv + 1);
  if (strcmp(cmd, "recover") == 0)
    return sm_cmd_recover(argc - 1, argv + 1);
  if (strcmp(cmd, "check-baseline") == 0)
    return sm_cmd_check_baseline(argc - 1, argv + 1);
  if (strcmp(cmd, "learn") == 0)
    return sm_cmd_learn(argc - 1, argv + 1);
  if (strcmp(cmd, "diff") == 0)
    return sm_cmd_diff(argc - 1, argv + 1);
  sm_cli_error("unknown command '%s'; try '%s --help'", cmd, sm_progname);
  return SM_EXIT_ERROR;
}
