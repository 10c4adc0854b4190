#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fault.h"
#include "checks/baseline.h"
#include "cli/cli.h"

static void usage(FILE *f) {
  fprintf(
      f,
      "Usage: %s COMMAND [OPTION]... [ARG]...\n"
      "Audit the Windows Session Manager configuration in offline SYSTEM "
      "hives.\n\n"
      "Commands:\n"
      "  scan HIVE...       audit hives against a baseline\n"
      "  plan HIVE...       what Windows will do at the next boot, in order,\n"
      "                     each finding under the action it judges\n"
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
      "  help [COMMAND]     display this help, or COMMAND's\n"
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

typedef int (*command_fn)(int argc, char **argv);

static const struct {
  const char *name;
  command_fn run;
} commands[] = {
    {"scan", sm_cmd_scan},       {"plan", sm_cmd_plan},
    {"show", sm_cmd_show},
    {"recover", sm_cmd_recover}, {"check-baseline", sm_cmd_check_baseline},
    {"learn", sm_cmd_learn},     {"diff", sm_cmd_diff},
};

static command_fn find_command(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(name, commands[i].name) == 0)
      return commands[i].run;
  return NULL;
}

/* smaudit help [COMMAND]: the same text as --help. */
static int help(int argc, char **argv) {
  if (argc == 1) {
    usage(stdout);
    return SM_EXIT_OK;
  }
  command_fn run = argc == 2 ? find_command(argv[1]) : NULL;
  if (argc > 2)
    return sm_cli_usage_error(NULL, "help takes one command, %d given",
                              argc - 1);
  if (!run)
    return sm_cli_usage_error(NULL, "help: unknown command '%s'", argv[1]);
  char *args[] = {argv[1], "--help", NULL};
  return run(2, args);
}

int main(int argc, char **argv) {
  /* The commands report bad options themselves (sm_cli_bad_option). */
  opterr = 0;
  /* A hive read in place and truncated meanwhile: one line, status 2. */
  sm_fault_set_format(sm_cli_fault_line);
  if (argc < 2)
    return sm_cli_usage_error(NULL, "no command given");
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
  if (strcmp(cmd, "help") == 0)
    return help(argc - 1, argv + 1);
  command_fn run = find_command(cmd);
  if (run)
    return run(argc - 1, argv + 1);
  if (cmd[0] == '-')
    return sm_cli_usage_error(NULL,
                              "unrecognized option '%s' (a command "
                              "comes first)",
                              cmd);
  return sm_cli_usage_error(NULL, "unknown command '%s'", cmd);
}
