#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/outfile.h"

/* The temporary file being written, for the signal handler. */
static char tmp_path[PATH_MAX];

static void on_signal(int sig) {
  if (tmp_path[0])
    unlink(tmp_path);
  signal(sig, SIG_DFL);
  raise(sig);
}

bool sm_outfile_create(sm_outfile *o, const char *path) {
  struct stat st;
  o->path = path;
  o->fd = -1;
  if (lstat(path, &st) == 0) {
    sm_cli_error("%s: already exists; refusing to overwrite it", path);
    return false;
  }
  if (errno != ENOENT) {
    sm_cli_error("%s: %s", path, strerror(errno));
    return false;
  }
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  int dlen = slash ? (int)(slash - path + 1) : 0;
  int n = snprintf(tmp_path, sizeof tmp_path, "%.*s.%s.XXXXXX", dlen, path,
                   base);
  if (n < 0 || (size_t)n >= sizeof tmp_path) {
    tmp_path[0] = '\0';
    sm_cli_error("%s: name too long", path);
    return false;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGHUP, on_signal);
  o->fd = mkostemp(tmp_path, O_CLOEXEC);
  if (o->fd < 0) {
    sm_cli_error("%s: cannot create a temporary file beside it: %s", path,
                 strerror(errno));
    tmp_path[0] = '\0';
    return false;
  }
  mode_t mask = umask(0);
  umask(mask);
  fchmod(o->fd, 0666 & ~mask);
  return true;
}

bool sm_outfile_finish(sm_outfile *o, FILE *f, bool ok) {
  if (o->fd < 0)
    return false;
  if (f && (fflush(f) != 0 || ferror(f)) && ok) {
    sm_cli_error("%s: write error: %s", o->path, strerror(errno));
    ok = false;
  }
  if (ok && fsync(o->fd) != 0) {
    sm_cli_error("%s: write error: %s", o->path, strerror(errno));
    ok = false;
  }
  if ((f ? fclose(f) : close(o->fd)) != 0 && ok) {
    sm_cli_error("%s: write error: %s", o->path, strerror(errno));
    ok = false;
  }
  o->fd = -1;
  if (ok && link(tmp_path, o->path) != 0) {
    int e = errno;
    /* File systems without hard links (vfat) can still rename without
     * replacing. */
    if (!((e == EPERM || e == ENOTSUP || e == EMLINK) &&
          renameat2(AT_FDCWD, tmp_path, AT_FDCWD, o->path,
                    RENAME_NOREPLACE) == 0)) {
      sm_cli_error("%s: %s", o->path,
                   e == EEXIST ? "appeared meanwhile; not replaced"
                               : strerror(e));
      ok = false;
    }
  }
  unlink(tmp_path); /* after a rename, there is nothing left to remove */
  tmp_path[0] = '\0';
  return ok;
}

bool sm_outfile_write(const char *path, const void *data, size_t len) {
  sm_outfile o;
  if (!sm_outfile_create(&o, path))
    return false;
  const char *p = data;
  bool ok = true;
  while (ok && len) {
    ssize_t w = write(o.fd, p, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      sm_cli_error("%s: write error: %s", path,
                   w < 0 ? strerror(errno) : "no progress");
      ok = false;
      break;
    }
    p += w;
    len -= (size_t)w;
  }
  return sm_outfile_finish(&o, NULL, ok);
}
