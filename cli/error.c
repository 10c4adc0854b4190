#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include "cli/cli.h"

const char *sm_progname = "smaudit";

void sm_cli_error(const char *fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  fprintf(stderr, "%s: ", sm_progname);
  sm_fputs_escaped(stderr, buf, false);
  fputc('\n', stderr);
}
