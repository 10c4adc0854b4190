#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/evidence.h"
#include "base/view.h"

/* Set once openat2 answered ENOSYS: the kernel is older than 5.6. */
static bool no_openat2;

/* "SHOWN: reason", or the reason alone. */
static sm_result fail(sm_error *err, const char *shown, const char *reason) {
  if (shown)
    return sm_error_set(err, SM_ERR_IO, "%s: %s", shown, reason);
  return sm_error_set(err, SM_ERR_IO, "%s", reason);
}

const char *sm_file_kind(mode_t mode) {
  if (S_ISREG(mode))
    return "a regular file";
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  if (S_ISLNK(mode))
    return "a symbolic link";
  return "of an unknown kind";
}

/* One attempt, with the flags given.  Beneath dirfd: openat2, or, where
 * it is missing, one name component opened with O_NOFOLLOW (the same
 * thing). */
static int open_once(int dirfd, const char *name, int oflags, bool beneath) {
  if (!beneath)
    return openat(dirfd, name, oflags);
  if (!no_openat2) {
    struct open_how how = {
        .flags = (unsigned long long)oflags,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
    };
    int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
      return fd;
    no_openat2 = true;
  }
  if (strchr(name, '/') || strcmp(name, "..") == 0) {
    errno = EXDEV;
    return -1;
  }
  return openat(dirfd, name, oflags | O_NOFOLLOW);
}

/* Why an open failed, in words. */
static const char *open_reason(int e, bool beneath, char *buf, size_t size) {
  if (beneath && e == EXDEV)
    return "outside the folder, not followed";
  if (beneath && e == ELOOP)
    return "symbolic link, not followed";
  snprintf(buf, size, "%s", strerror(e));
  return buf;
}

sm_result sm_evidence_open(int dirfd, const char *name, const char *shown,
                           unsigned flags, sm_evidence_file *out,
                           sm_error *err) {
  bool beneath = flags & SM_EVIDENCE_BENEATH;
  bool dir = flags & SM_EVIDENCE_DIR;
  int oflags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
  if (dir)
    oflags |= O_DIRECTORY;
  memset(out, 0, sizeof *out);
  out->fd = -1;
  char buf[128];
  /* What the name is, found without opening it (O_PATH): a device node
   * is refused before its driver sees an open, a FIFO before it blocks. */
  int p = open_once(dirfd, name, O_PATH | O_CLOEXEC, beneath);
  if (p < 0)
    return fail(err, shown, open_reason(errno, beneath, buf, sizeof buf));
  struct stat ps = {0};
  if (fstat(p, &ps) != 0 || !(S_ISREG(ps.st_mode) || S_ISDIR(ps.st_mode))) {
    int why = errno;
    close(p);
    if (!S_ISLNK(ps.st_mode) && ps.st_mode && !S_ISREG(ps.st_mode) &&
        !S_ISDIR(ps.st_mode)) {
      snprintf(buf, sizeof buf, "not a %s (%s)",
               dir ? "directory" : "regular file", sm_file_kind(ps.st_mode));
      return fail(err, shown, buf);
    }
    return fail(err, shown, S_ISLNK(ps.st_mode) ? "symbolic link, not followed"
                                                : strerror(why));
  }
  close(p);
  /* Then opened by name; the same file, or refused (the name was replaced
   * in between). */
  out->fd = open_once(dirfd, name, oflags | O_NOATIME, beneath);
  if (out->fd < 0 && errno == EPERM) {
    /* Not the owner: the access time cannot be kept. */
    out->fd = open_once(dirfd, name, oflags, beneath);
    out->atime_unprotected = out->fd >= 0;
  }
  if (out->fd < 0)
    return fail(err, shown, open_reason(errno, beneath, buf, sizeof buf));
  if (fstat(out->fd, &out->st) != 0) {
    int e = errno;
    close(out->fd);
    out->fd = -1;
    return fail(err, shown, strerror(e));
  }
  if (out->st.st_dev != ps.st_dev || out->st.st_ino != ps.st_ino) {
    close(out->fd);
    out->fd = -1;
    return fail(err, shown, "replaced while being opened");
  }
  bool ok = dir ? S_ISDIR(out->st.st_mode) : S_ISREG(out->st.st_mode);
  struct statvfs v;
  if (ok && out->atime_unprotected && fstatvfs(out->fd, &v) == 0 &&
      (v.f_flag & ST_RDONLY)) {
    out->atime_unprotected = false; /* a read-only mount keeps it */
  } else if (ok && out->atime_unprotected && sm_view_take(&out->fd)) {
    out->atime_unprotected = false; /* so does the view */
    out->via_view = true;
  }
  if (ok)
    return SM_OK;
  close(out->fd);
  out->fd = -1;
  if (!dir && S_ISDIR(out->st.st_mode))
    return fail(err, shown, "is a directory");
  snprintf(buf, sizeof buf, "not a %s (%s)", dir ? "directory" : "regular file",
           sm_file_kind(out->st.st_mode));
  return fail(err, shown, buf);
}

sm_result sm_read_full(int fd, void *buf, size_t len, off_t off,
                       const char *shown, sm_error *err) {
  unsigned char *p = buf;
  size_t done = 0;
  while (done < len) {
    ssize_t r = off < 0 ? read(fd, p + done, len - done)
                        : pread(fd, p + done, len - done, off + (off_t)done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return fail(err, shown, strerror(errno));
    if (r == 0)
      return fail(err, shown, "file shrank while reading");
    done += (size_t)r;
  }
  return SM_OK;
}

sm_result sm_evidence_read_all(int dirfd, const char *name, const char *shown,
                               unsigned flags, size_t max, unsigned char **buf,
                               size_t *len, sm_evidence_file *info,
                               sm_error *err) {
  sm_evidence_file f;
  *buf = NULL;
  *len = 0;
  sm_result r =
      sm_evidence_open(dirfd, name, shown, flags & ~SM_EVIDENCE_DIR, &f, err);
  if (info) {
    *info = f;
    info->fd = -1; /* the facts only: the file is closed on return */
  }
  if (r != SM_OK)
    return r;
  if (f.st.st_size < 0 || (uint64_t)f.st.st_size > max) {
    close(f.fd);
    char why[64];
    snprintf(why, sizeof why, "larger than %zu bytes", max);
    if (shown)
      return sm_error_set(err, SM_ERR_LIMIT, "%s: %s", shown, why);
    return sm_error_set(err, SM_ERR_LIMIT, "%s", why);
  }
  size_t size = (size_t)f.st.st_size;
  unsigned char *data = malloc(size ? size : 1);
  if (!data) {
    close(f.fd);
    return shown ? sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", shown)
                 : sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  }
  r = sm_read_full(f.fd, data, size, -1, shown, err);
  close(f.fd);
  if (r != SM_OK) {
    free(data);
    return r;
  }
  *buf = data;
  *len = size;
  return SM_OK;
}
