/* What must not outlive the process (cleanup.h). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"

/* The paths held, each with the process that held it.  Changed only with
 * every signal blocked: the handler sees whole entries. */
typedef struct held {
  char *path;
  pid_t owner;
} held;

static held *v;
static size_t n, cap;

/* Below this depth a folder is not walked (smaudit makes none so deep);
 * what is left stays. */
#define MAX_DEPTH 32

/* Remove name in dfd: unlinked, or, a folder, emptied and removed; true
 * when it is gone.  Only system calls, no allocation: safe in a signal
 * handler. */
static bool remove_at(int dfd, const char *name, int depth) {
  if (unlinkat(dfd, name, 0) == 0)
    return true;
  if (errno != EISDIR || depth > MAX_DEPTH)
    return false;
  int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return false;
  /* Entries removed while the folder is read may be skipped: read it
   * again while a pass removes something. */
  for (bool again = true; again;) {
    again = false;
    if (lseek(fd, 0, SEEK_SET) != 0)
      break;
    char buf[2048] __attribute__((aligned(8)));
    long got;
    while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
      for (long off = 0; off < got;) {
        /* struct linux_dirent64: d_ino, d_off, d_reclen, d_type, d_name */
        const char *d = buf + off;
        unsigned short reclen;
        memcpy(&reclen, d + 16, sizeof reclen);
        const char *e = d + 19;
        if (!reclen)
          break;
        off += reclen;
        if (strcmp(e, ".") != 0 && strcmp(e, "..") != 0 &&
            remove_at(fd, e, depth + 1))
          again = true;
      }
  }
  close(fd);
  return unlinkat(dfd, name, AT_REMOVEDIR) == 0;
}

void sm_cleanup_remove(const char *path) {
  if (path && *path)
    remove_at(AT_FDCWD, path, 0);
}

static void on_signal(int sig) {
  int saved = errno;
  pid_t self = getpid();
  for (size_t i = 0; i < n; i++)
    if (v[i].owner == self)
      sm_cleanup_remove(v[i].path);
  signal(sig, SIG_DFL);
  raise(sig);
  errno = saved;
}

static bool own_handler(const struct sigaction *sa) {
  return (sa->sa_flags & SA_SIGINFO) ||
         (sa->sa_handler != SIG_DFL && sa->sa_handler != SIG_IGN);
}

/* Every signal whose default action ends the process, but the faults
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL), left to the sanitizers' and
 * base/fault.c's handlers.  A signal with a handler of its own (show's
 * --timeout) keeps it.  SIGKILL cannot be caught: nothing can clean up
 * after it. */
static void install(void) {
  static bool done;
  static const int sigs[] = {SIGHUP,  SIGINT,    SIGQUIT, SIGTRAP, SIGABRT,
                             SIGUSR1, SIGUSR2,   SIGPIPE, SIGALRM, SIGTERM,
                             SIGXCPU, SIGVTALRM, SIGPROF, SIGIO,   SIGPWR,
                             SIGSYS,  SIGSTKFLT};
  if (done)
    return;
  done = true;
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigfillset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    if (sigaction(sigs[i], NULL, &old) == 0 && !own_handler(&old))
      sigaction(sigs[i], &sa, NULL);
  for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
    if (sigaction(s, NULL, &old) == 0 && !own_handler(&old))
      sigaction(s, &sa, NULL);
}

bool sm_cleanup_hold(const char *path) {
  install();
  char *copy = strdup(path);
  held *grown = NULL;
  if (!copy || (n == cap && !(grown = malloc((cap * 2 + 4) * sizeof *v)))) {
    free(copy);
    return false;
  }
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  if (grown) {
    if (n)
      memcpy(grown, v, n * sizeof *v);
    free(v);
    v = grown;
    cap = cap * 2 + 4;
  }
  v[n++] = (held){copy, getpid()};
  sigprocmask(SIG_SETMASK, &old, NULL);
  return true;
}

void sm_cleanup_release(const char *path) {
  if (!path)
    return;
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  char *gone = NULL;
  for (size_t i = n; i-- > 0;)
    if (strcmp(v[i].path, path) == 0) {
      gone = v[i].path;
      v[i] = v[--n];
      break;
    }
  if (!n) {
    free(v);
    v = NULL;
    cap = 0;
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  free(gone);
}
