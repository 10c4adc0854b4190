#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cli/cli.h"
#include "cli/outfile.h"

/* The temporary file being written: removed on a signal that ends the
 * process (base/cleanup.h). */
static char tmp_path[PATH_MAX];

bool sm_outfile_create(sm_outfile *o, const char *path, bool replace) {
  struct stat st;
  o->path = path;
  o->fd = -1;
  o->err = 0;
  o->replace = false;
  if (lstat(path, &st) == 0) {
    if (!replace) {
      sm_cli_error("%s: already exists; refusing to overwrite it (scan and "
                   "learn: --force replaces it)",
                   path);
      return false;
    }
    if (!S_ISREG(st.st_mode)) {
      sm_cli_error("%s: not a regular file; not replacing it", path);
      return false;
    }
    o->replace = true;
  } else if (errno != ENOENT) {
    sm_cli_error("%s: %s", path, strerror(errno));
    return false;
  }
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  int dlen = slash ? (int)(slash - path + 1) : 0;
  int n =
      snprintf(tmp_path, sizeof tmp_path, "%.*s.%s.XXXXXX", dlen, path, base);
  if (n < 0 || (size_t)n >= sizeof tmp_path) {
    tmp_path[0] = '\0';
    sm_cli_error("%s: name too long", path);
    return false;
  }
  /* A file too large is a write error (EFBIG) said on stderr. */
  signal(SIGXFSZ, SIG_IGN);
  o->fd = mkostemp(tmp_path, O_CLOEXEC);
  if (o->fd < 0 || !sm_cleanup_hold(tmp_path)) {
    sm_cli_error("%s: cannot create a temporary file beside it: %s", path,
                 o->fd < 0 ? strerror(errno) : "out of memory");
    if (o->fd >= 0) {
      close(o->fd);
      o->fd = -1;
      unlink(tmp_path);
    }
    tmp_path[0] = '\0';
    return false;
  }
  mode_t mask = umask(0);
  umask(mask);
  fchmod(o->fd, 0666 & ~mask);
  return true;
}

/* The stream over the temporary file keeps the first write error, which
 * stdio would not (a later fflush of an empty buffer succeeds). */
static ssize_t stream_write(void *cookie, const char *buf, size_t n) {
  sm_outfile *o = cookie;
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(o->fd, buf + done, n - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      if (!o->err)
        o->err = w < 0 ? errno : EIO;
      errno = o->err;
      return done ? (ssize_t)done : -1;
    }
    done += (size_t)w;
  }
  return (ssize_t)n;
}

static int stream_close(void *cookie) {
  sm_outfile *o = cookie;
  return close(o->fd);
}

FILE *sm_outfile_stream(sm_outfile *o) {
  cookie_io_functions_t io = {.write = stream_write, .close = stream_close};
  FILE *f = fopencookie(o, "w", io);
  if (!f) {
    sm_cli_error("%s: %s", o->path, strerror(errno));
    sm_outfile_finish(o, NULL, false);
  }
  return f;
}

/* Put the complete temporary file at o->path: never over a file that
 * appeared meanwhile, unless replacing (then atomically). */
static bool put_in_place(sm_outfile *o) {
  if (o->replace) {
    if (rename(tmp_path, o->path) == 0)
      return true;
    sm_cli_error("%s: %s", o->path, strerror(errno));
    return false;
  }
  if (link(tmp_path, o->path) == 0)
    return true;
  int e = errno;
  /* File systems without hard links (vfat) can still rename without
   * replacing. */
  if ((e == EPERM || e == ENOTSUP || e == EMLINK) &&
      renameat2(AT_FDCWD, tmp_path, AT_FDCWD, o->path, RENAME_NOREPLACE) == 0)
    return true;
  sm_cli_error("%s: %s", o->path,
               e == EEXIST ? "appeared meanwhile; not replaced" : strerror(e));
  return false;
}

bool sm_outfile_finish(sm_outfile *o, FILE *f, bool ok) {
  if (o->fd < 0)
    return false;
  /* A write error is said whoever saw it first (a full file system: the
   * writer's stream failed, and fflush fails again with the reason). */
  int e = 0;
  errno = 0;
  if (f && (fflush(f) != 0 || ferror(f)))
    e = o->err ? o->err : errno ? errno : EIO;
  else if (ok && fsync(o->fd) != 0)
    e = errno;
  if ((f ? fclose(f) : close(o->fd)) != 0 && !e && ok)
    e = errno;
  o->fd = -1;
  if (e) {
    sm_cli_error("%s: write error: %s; nothing written there", o->path,
                 strerror(e));
    ok = false;
  }
  if (ok)
    ok = put_in_place(o);
  unlink(tmp_path); /* after a rename, there is nothing left to remove */
  sm_cleanup_release(tmp_path);
  tmp_path[0] = '\0';
  return ok;
}

bool sm_outfile_write(const char *path, const void *data, size_t len,
                      bool replace) {
  sm_outfile o;
  if (!sm_outfile_create(&o, path, replace))
    return false;
  const char *p = data;
  int e = 0;
  while (!e && len) {
    ssize_t w = write(o.fd, p, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      e = w < 0 ? errno : EIO;
      break;
    }
    p += w;
    len -= (size_t)w;
  }
  if (e)
    sm_cli_error("%s: write error: %s; nothing written there", path,
                 strerror(e));
  return sm_outfile_finish(&o, NULL, !e);
}

/* The names Windows gives a hive's transaction logs, and the hive's own. */
static bool evidence_name(const char *name, const char *hive) {
  static const char *const logs[] = {"", ".LOG", ".LOG1", ".LOG2"};
  size_t n = strlen(hive);
  for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++)
    if (strncasecmp(name, hive, n) == 0 && strcasecmp(name + n, logs[i]) == 0)
      return true;
  return false;
}

/* The real folder of path (which need not exist), or NULL with the error
 * said. */
static char *real_folder(const char *path) {
  char *copy = strdup(path);
  char *dir = copy ? realpath(dirname(copy), NULL) : NULL;
  if (!dir)
    sm_cli_error("%s: %s", path, copy ? strerror(errno) : "out of memory");
  free(copy);
  return dir;
}

/* Whether the folder (dev, ino) is out_dir or one of its parents, by
 * device and inode: bind mounts and links do not hide it.  out_dir is cut
 * to the folder found. */
static bool under(char *out_dir, dev_t dev, ino_t ino) {
  size_t len = strlen(out_dir);
  struct stat st;
  for (;;) {
    out_dir[len] = '\0';
    if (stat(len ? out_dir : "/", &st) == 0 && st.st_dev == dev &&
        st.st_ino == ino) {
      if (!len)
        strcpy(out_dir, "/");
      return true;
    }
    if (!len)
      return false;
    while (len && out_dir[len - 1] != '/')
      len--;
    if (len)
      len--;
  }
}

bool sm_outfile_check_beside(const char *out, const char *hive, bool force) {
  char *hcopy = strdup(hive), *ocopy = strdup(out);
  char *hdir = real_folder(hive), *odir = real_folder(out);
  struct stat st, hst;
  bool ok = hcopy && ocopy && hdir && odir;
  bool beside = ok && strcmp(odir, hdir) == 0;
  if (ok && stat(out, &st) == 0 && stat(hive, &hst) == 0 &&
      st.st_dev == hst.st_dev && st.st_ino == hst.st_ino) {
    sm_cli_error("%s: is the hive %s; not writing there", out, hive);
    ok = false;
  } else if (ok && stat(hdir, &st) == 0 && under(odir, st.st_dev, st.st_ino)) {
    const char *hname = basename(hcopy), *oname = basename(ocopy);
    if (beside && evidence_name(oname, hname)) {
      sm_cli_error("%s: would be read as the hive %s or one of its logs; "
                   "not writing there",
                   out, hive);
      ok = false;
    } else if (!force) {
      sm_cli_error("%s: in the folder of the hive %s, which is evidence; not "
                   "writing there (--force: it is not evidence)",
                   out, hive);
      ok = false;
    }
  }
  free(hcopy);
  free(ocopy);
  free(hdir);
  free(odir);
  return ok;
}

bool sm_outfile_check_dirs(const char *out, const struct sm_dir_id *dirs,
                           size_t n) {
  char *odir = real_folder(out);
  if (!odir)
    return false;
  bool ok = true;
  for (size_t i = 0; ok && i < n; i++)
    if (under(odir, dirs[i].dev, dirs[i].ino)) {
      sm_cli_error("%s: inside the target %s; not writing the report there",
                   out, odir);
      ok = false;
    }
  free(odir);
  return ok;
}
