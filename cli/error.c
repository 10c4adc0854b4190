#include <config.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char *sm_progname = "smaudit";
bool sm_cli_quiet;

void sm_cli_fault_line(char *buf, size_t size, const char *file,
                       const char *reason) {
  char *e = sm_text_escape(file, false);
  snprintf(buf, size, "%s: %s: %s\n", sm_progname, e ? e : "?", reason);
  free(e);
}

void sm_cli_error(const char *fmt, ...) {
  if (sm_cli_quiet)
    return;
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  /* show and scan's workers run under --max-memory: its errors say so */
  char *named = sm_cli_memory_named(buf, "the");
  fprintf(stderr, "%s: ", sm_progname);
  sm_fputs_escaped(stderr, named ? named : buf, false);
  fputc('\n', stderr);
  free(named);
}

static void hint(const char *cmd) {
  fprintf(stderr, "Try '%s %s%s--help' for more information.\n", sm_progname,
          cmd ? cmd : "", cmd ? " " : "");
}

void sm_cli_note(void *ctx, const char *msg) {
  (void)ctx;
  sm_cli_error("%s", msg);
}

int sm_cli_usage_error(const char *cmd, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  sm_cli_error("%s", buf);
  hint(cmd);
  return SM_EXIT_ERROR;
}

/* The long options that begin with what was typed (up to '='), counting
 * aliases of one option (same val) once. */
static int prefix_matches(const struct option *opts, const char *typed,
                          const char **one) {
  size_t len = strcspn(typed, "=");
  int n = 0, last_val = -1;
  for (const struct option *o = opts; o->name; o++)
    if (strncmp(o->name, typed, len) == 0 && o->val != last_val) {
      if (strlen(o->name) == len) { /* exact: never ambiguous */
        *one = o->name;
        return 1;
      }
      n++;
      last_val = o->val;
      *one = o->name;
    }
  return n;
}

int sm_cli_bad_option(const char *cmd, const struct option *opts, int c,
                      char **argv) {
  /* With opterr = 0 and a leading ':' in the option string, getopt_long
   * leaves what went wrong in c, optopt and argv[optind - 1]. */
  const char *arg = optind > 0 ? argv[optind - 1] : "";
  bool is_long = strncmp(arg, "--", 2) == 0;
  int len = (int)strcspn(arg, "=");
  const char *name = NULL;
  if (c == ':' && is_long)
    sm_cli_error("%s: option '%.*s' requires an argument", cmd, len, arg);
  else if (c == ':')
    sm_cli_error("%s: option '-%c' requires an argument", cmd, optopt);
  else if (is_long && optopt)
    sm_cli_error("%s: option '%.*s' doesn't allow an argument", cmd, len, arg);
  else if (is_long && prefix_matches(opts, arg + 2, &name) > 1)
    sm_cli_error("%s: option '%.*s' is ambiguous", cmd, len, arg);
  else if (is_long)
    sm_cli_error("%s: unrecognized option '%.*s'", cmd, len, arg);
  else
    sm_cli_error("%s: invalid option -- '%c'", cmd, optopt);
  hint(cmd);
  return SM_EXIT_ERROR;
}
