/* The bounds of a command that reads one target in its own process (show),
 * as scan's workers have them: --timeout (wall clock and CPU) and
 * --max-memory (address space). */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/cli.h"

/* gcc says __SANITIZE_ADDRESS__, clang __has_feature(address_sanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#define SM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SM_ASAN 1
#endif
#endif
#ifndef SM_ASAN
#define SM_ASAN 0
#endif

/* Written by the handler, prepared (escaped) before the limit is set. */
static char gave_up[4400];
static size_t gave_up_len;

static void on_limit(int sig) {
  (void)sig;
  ssize_t w = write(STDERR_FILENO, gave_up, gave_up_len);
  (void)w;
  _exit(SM_EXIT_ERROR);
}

/* The address space set by sm_cli_limit_memory, in MiB (0: none). */
static unsigned long memory_limit;

char *sm_cli_memory_named(const char *msg, const char *whose) {
  char *out = NULL;
  /* "failed to map segment": the dynamic loader's words when a library
   * loaded on first use does not fit */
  if (!memory_limit || !msg ||
      (!strstr(msg, strerror(ENOMEM)) && !strstr(msg, "out of memory") &&
       !strstr(msg, "failed to map segment")) ||
      strstr(msg, "--max-memory") ||
      asprintf(&out, "%s (%s address space is limited to %lu MiB: "
                     "--max-memory)",
               msg, whose, memory_limit) < 0)
    return NULL;
  return out;
}

void sm_cli_limit_memory(unsigned long max_memory) {
#if !SM_ASAN
  memory_limit = max_memory;
  /* AddressSanitizer reserves terabytes of shadow address space. */
  if (max_memory) {
    struct rlimit r;
    r.rlim_cur = r.rlim_max = (rlim_t)max_memory << 20;
    setrlimit(RLIMIT_AS, &r);
  }
#else
  (void)max_memory;
#endif
}

bool sm_cli_parse_count(const char *cmd, const char *opt, const char *s,
                        unsigned long max, unsigned long *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (!*s || *end || *s == '-' || errno || v > max) {
    sm_cli_error("%s: %s takes a number from 0 to %lu, not '%s'", cmd, opt, max,
                 s);
    return false;
  }
  *out = v;
  return true;
}

void sm_cli_bound(const char *target, unsigned timeout,
                  unsigned long max_memory) {
  if (timeout) {
    char reason[96];
    snprintf(reason, sizeof reason,
             "gave up after %u seconds (--timeout): the audit is incomplete",
             timeout);
    sm_cli_fault_line(gave_up, sizeof gave_up, target, reason);
    gave_up_len = strlen(gave_up);
    struct sigaction sa = {.sa_handler = on_limit};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGXCPU, &sa, NULL);
    alarm(timeout);
    struct rlimit r;
    if (getrlimit(RLIMIT_CPU, &r) == 0) {
      rlim_t want = (rlim_t)timeout + 1;
      r.rlim_cur =
          r.rlim_max != RLIM_INFINITY && want > r.rlim_max ? r.rlim_max : want;
      setrlimit(RLIMIT_CPU, &r);
    }
  }
  sm_cli_limit_memory(max_memory);
}
