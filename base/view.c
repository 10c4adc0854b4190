/* A private read-only view of the file tree, so that hivex can read a
 * hive in place on a writable file system without any open of the
 * evidence being able to write it or change its access time.
 *
 * The view is a detached, recursive clone of the process's root mount
 * tree (open_tree(OPEN_TREE_CLONE)), made read-only and private
 * (mount_setattr).  It is attached nowhere: no other process, and no path
 * of this one, sees it; only files opened through its descriptor are on
 * its mounts, and a reopen through /proc/self/fd of such a file stays on
 * them.  The kernel neither writes through a read-only mount nor updates
 * an access time through one.
 *
 * Cloning mounts needs CAP_SYS_ADMIN over the mount namespace: root has
 * it; anyone else gets it in a user and mount namespace.  Either way the
 * clone is made by a short-lived helper process (a vfork child), which
 * hands the descriptor back: a seccomp filter that kills on open_tree kills the
 * helper, and smaudit goes on without a view.  smaudit itself never changes namespace, so nothing
 * else it does (output files, the paths it reports) is affected.  Where
 * neither works (no user namespaces, a chroot, seccomp, an old kernel) the
 * hive is copied, as before.
 *
 * The view is made once per process, before workers are forked (they
 * inherit it): sm_view_prepare.  base/evidence.c reads through it what it
 * cannot open with O_NOATIME. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/view.h"

static int view_fd = -1;
static bool view_tried;
static char view_why[160] = "not tried";

/* Clone the root mount tree, read-only and private: the descriptor, or
 * -errno. */
static int clone_root(void) {
  int t = open_tree(AT_FDCWD, "/",
                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (t < 0)
    return -errno;
  struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY,
                         .propagation = MS_PRIVATE};
  if (mount_setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) != 0) {
    int e = errno;
    close(t);
    return -e;
  }
  return t;
}

/* In the helper: the clone (for root), else a user and mount namespace of
 * its own and the clone there, and the descriptor (or the errno, as one
 * byte) sent back on sock.  A seccomp filter that kills on open_tree or
 * mount_setattr (systemd's SystemCallFilter= kills by default) kills the
 * helper, never smaudit. */
static void helper(int sock) {
  unsigned char code = 0;
  int t = clone_root();
  if (t == -EPERM)
    t = unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0 ? clone_root() : -errno;
  struct iovec iov = {&code, 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } cm;
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
  memset(&cm, 0, sizeof cm);
  if (t >= 0) {
    m.msg_control = cm.buf;
    m.msg_controllen = sizeof cm.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &t, sizeof t);
  } else {
    code = (unsigned char)(-t < 255 ? -t : 255);
  }
  _exit(sendmsg(sock, &m, MSG_NOSIGNAL) == 1 ? 0 : 1);
}

/* The clone made by a helper: the descriptor, or -errno; *killed is the
 * signal that ended the helper, or 0.  The helper is a vfork child: it
 * shares this process's memory and runs while this one waits, so no page
 * table is copied and no page of ours is made copy-on-write for the rest
 * of the run, as a fork did (on a virtual machine a fork and the faults
 * after it cost as much as the audit of a small hive).  The memory being
 * shared, the process is not dumpable while the helper runs: a filter's
 * kill leaves no core file (and takes nothing else with it). */
static int clone_in_helper(int *killed) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return -errno;
  int dumpable = prctl(PR_GET_DUMPABLE);
  prctl(PR_SET_DUMPABLE, 0);
  pid_t pid = vfork();
  if (pid == 0) {
    close(sv[0]);
    helper(sv[1]);
  }
  int e = errno;
  if (dumpable > 0)
    prctl(PR_SET_DUMPABLE, dumpable);
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    return -e;
  }
  unsigned char code = EIO;
  struct iovec iov = {&code, 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } cm;
  struct msghdr m = {.msg_iov = &iov,
                     .msg_iovlen = 1,
                     .msg_control = cm.buf,
                     .msg_controllen = sizeof cm.buf};
  int fd = -1;
  ssize_t r;
  while ((r = recvmsg(sv[0], &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
    ;
  struct cmsghdr *c = r == 1 ? CMSG_FIRSTHDR(&m) : NULL;
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
      c->cmsg_len == CMSG_LEN(sizeof(int)))
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
  close(sv[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  *killed = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return fd >= 0 ? fd : -(code ? code : EIO);
}

void sm_view_prepare(void) {
  if (view_tried)
    return;
  view_tried = true;
  if (getenv("SMAUDIT_NO_VIEW")) {
    snprintf(view_why, sizeof view_why, "SMAUDIT_NO_VIEW is set");
    return;
  }
  /* Never in this process: anything a filter can kill on runs in the
   * helper first. */
  int killed = 0;
  int t = clone_in_helper(&killed);
  if (t < 0 && killed) {
    snprintf(view_why, sizeof view_why,
             "no private read-only view of the file system: the helper "
             "making it was killed by signal %d (%s: a seccomp filter?)",
             killed, strsignal(killed));
    return;
  }
  if (t < 0) {
    snprintf(view_why, sizeof view_why,
             "no private read-only view of the file system: %s", strerror(-t));
    return;
  }
  view_fd = t;
  snprintf(view_why, sizeof view_why, "private read-only view");
}

const char *sm_view_status(void) { return view_why; }

/* The regular file or folder open at fd, opened again through the view:
 * a read-only descriptor of the same inode on a read-only mount, or -1. */
static int view_reopen(int fd) {
  struct stat a, b;
  if (fstat(fd, &a) != 0 || !(S_ISREG(a.st_mode) || S_ISDIR(a.st_mode)))
    return -1;
  char link[64], path[4096];
  sm_view_prepare();
  if (view_fd < 0)
    return -1;
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path);
  if (n <= 0 || (size_t)n >= sizeof path || path[0] != '/')
    return -1; /* no /proc, or a file outside the process's root */
  path[n] = '\0';
  /* The kernel's own path of the open file: no symlink and no magic link
   * to follow, nothing outside the view to reach. */
  struct open_how how = {
      .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW |
               (S_ISDIR(a.st_mode) ? O_DIRECTORY : 0),
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS};
  int v = (int)syscall(SYS_openat2, view_fd, path + 1, &how, sizeof how);
  if (v < 0)
    return -1;
  struct statvfs s;
  /* The same file (a file renamed or replaced meanwhile is not), through
   * a read-only mount (a mount made since the view was is not in it). */
  if (fstat(v, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino ||
      (a.st_mode & S_IFMT) != (b.st_mode & S_IFMT) || fstatvfs(v, &s) != 0 ||
      !(s.f_flag & ST_RDONLY)) {
    close(v);
    return -1;
  }
  return v;
}

bool sm_view_take(int *fd) {
  struct statvfs s;
  if (fstatvfs(*fd, &s) != 0 || (s.f_flag & ST_RDONLY))
    return false; /* its own mount is read-only already */
  int v = view_reopen(*fd);
  if (v < 0)
    return false;
  close(*fd);
  *fd = v;
  return true;
}
