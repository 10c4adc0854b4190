#include <config.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/fault.h"

/* Up to this many files mapped at once (a SYSTEM hive and the SOFTWARE
 * hive beside it); each line prepared in advance, for the handler may
 * only write it. */
#define SLOTS 4
#define LINE 1024

typedef struct slot {
  char file[LINE];
  char line[LINE];
  size_t len;
  bool used;
} slot;

static slot slots[SLOTS];
static unsigned order[SLOTS]; /* arming order: the latest is the highest */
static unsigned armed_count;
static sm_fault_format_fn format_fn;
static volatile sig_atomic_t quiet;
static bool installed;

static void default_format(char *buf, size_t size, const char *file,
                           const char *reason) {
  snprintf(buf, size, "%s: %s\n", file, reason);
}

static void on_sigbus(int sig) {
  const slot *latest = NULL;
  unsigned best = 0;
  for (size_t i = 0; i < SLOTS; i++)
    if (slots[i].used && order[i] >= best) {
      best = order[i];
      latest = &slots[i];
    }
  if (latest && !quiet) {
    ssize_t w = write(STDERR_FILENO, latest->line, latest->len);
    (void)w;
    _exit(2);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void sm_fault_set_format(sm_fault_format_fn fn) { format_fn = fn; }

void sm_fault_quiet(void) { quiet = 1; }

void sm_fault_arm(const char *file, const char *reason) {
  if (!installed) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigbus;
    sigfillset(&sa.sa_mask);
    installed = sigaction(SIGBUS, &sa, NULL) == 0;
  }
  slot *s = NULL;
  for (size_t i = 0; i < SLOTS && !s; i++)
    if (!slots[i].used)
      s = &slots[i];
  if (!s) { /* all in use: the oldest gives way */
    s = &slots[0];
    for (size_t i = 1; i < SLOTS; i++)
      if (order[i] < order[s - slots])
        s = &slots[i];
  }
  char line[LINE];
  (format_fn ? format_fn : default_format)(line, sizeof line, file, reason);
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old); /* the handler sees whole slots */
  snprintf(s->file, sizeof s->file, "%s", file);
  memcpy(s->line, line, sizeof line);
  s->len = strnlen(s->line, sizeof s->line);
  s->used = true;
  order[s - slots] = ++armed_count;
  sigprocmask(SIG_SETMASK, &old, NULL);
}

void sm_fault_disarm(const char *file) {
  for (size_t i = SLOTS; i-- > 0;)
    if (slots[i].used && strncmp(slots[i].file, file, LINE - 1) == 0) {
      slots[i].used = false;
      return;
    }
}
