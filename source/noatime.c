/* The Sleuth Kit and the libraries under it (libewf, libvhdi, libvmdk, its
 * split raw reader) open the image files themselves, read-only, with
 * open(2): no way to hand them a descriptor of ours.  So this program's
 * open() is the evidence open while an image is read (sm_noatime_begin/
 * end): the image as the user named it, and the segments and extents the
 * libraries derive from it (disk.E02, disk.raw.002, a VMDK's flat extent),
 * which must be one name in the image's folder, opened beneath it without
 * following any symbolic link, through sm_evidence_open: regular files
 * only (a FIFO would hang the library for ever, a device be read as image
 * data), O_NONBLOCK, the access time kept (O_NOATIME, or the read-only
 * view) or the file named for a warning.  A path anywhere else (a VMDK
 * descriptor naming /dev/sda or ../../elsewhere) and any open that could
 * write are refused.  Outside that window it is open() as ever. */
#include <config.h>

#undef _FORTIFY_SOURCE /* this file defines open() itself */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/evidence.h"
#include "source/noatime.h"

static _Thread_local bool reading_image;
static _Thread_local const char *named; /* the image as the user named it */
static _Thread_local int folder = -1;   /* its folder */
static _Thread_local size_t folder_len; /* bytes of named before the name */
static _Thread_local char refused[600];
static _Thread_local char unprotected[1024];

void sm_noatime_begin(const char *image) {
  reading_image = true;
  named = image;
  refused[0] = unprotected[0] = '\0';
  const char *slash = strrchr(image, '/');
  folder_len = slash ? (size_t)(slash - image + 1) : 0;
  char dir[4096];
  snprintf(dir, sizeof dir, "%.*s", (int)folder_len, image);
  sm_evidence_file f;
  sm_error err;
  folder = sm_evidence_open(AT_FDCWD, folder_len ? dir : ".", NULL,
                            SM_EVIDENCE_DIR, &f, &err) == SM_OK
               ? f.fd
               : -1;
}

void sm_noatime_end(void) {
  reading_image = false;
  named = NULL;
  if (folder >= 0)
    close(folder);
  folder = -1;
}

void sm_noatime_pause(bool pause) { reading_image = !pause && named; }

const char *sm_noatime_refused(void) { return refused[0] ? refused : NULL; }
const char *sm_noatime_unprotected(void) { return unprotected; }

static int refuse(const char *path, const char *why, int e) {
  if (!refused[0])
    snprintf(refused, sizeof refused, "%s: %s", path, why);
  errno = e;
  return -1;
}

static void note_unprotected(const char *path) {
  size_t used = strlen(unprotected);
  if (strstr(unprotected, path) ||
      used + strlen(path) + 3 >= sizeof unprotected)
    return;
  snprintf(unprotected + used, sizeof unprotected - used, "%s%s",
           used ? "; " : "", path);
}

/* Whether path is one name in the image's folder reached another way
 * (libewf opens the first segment again by its absolute path): its folder
 * is the same (device and inode) as the one opened at begin. */
static bool in_folder(const char *path) {
  const char *slash = strrchr(path, '/');
  if (folder < 0 || !slash || !slash[1])
    return false;
  char dir[4096];
  int n = slash == path ? 1 : (int)(slash - path);
  if (snprintf(dir, sizeof dir, "%.*s", n, path) >= (int)sizeof dir)
    return false;
  struct stat a, b;
  return stat(dir, &a) == 0 && fstat(folder, &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

static int open_evidence(const char *path, int flags, mode_t mode) {
  if (!reading_image)
    return openat(AT_FDCWD, path, flags, mode);
  /* Nothing is ever opened for writing while an image is read. */
  if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
    return refuse(path, "opened for writing: refused", EROFS);
  sm_evidence_file f;
  sm_error err;
  sm_result r;
  if (named && strcmp(path, named) == 0) {
    r = sm_evidence_open(AT_FDCWD, path, NULL, 0, &f, &err);
  } else if (folder >= 0 && strncmp(path, named, folder_len) == 0 &&
             path[folder_len] && !strchr(path + folder_len, '/')) {
    r = sm_evidence_open(folder, path + folder_len, NULL, SM_EVIDENCE_BENEATH,
                         &f, &err);
  } else if (in_folder(path)) {
    r = sm_evidence_open(folder, strrchr(path, '/') + 1, NULL,
                         SM_EVIDENCE_BENEATH, &f, &err);
  } else {
    return refuse(path, "outside the image's folder, not opened", EACCES);
  }
  if (r != SM_OK)
    return refuse(path, err.msg, EACCES);
  if (f.atime_unprotected)
    note_unprotected(path);
  return f.fd;
}

static mode_t mode_arg(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
             ? (mode_t)va_arg(ap, int)
             : 0;
}

int open(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return open_evidence(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  return open_evidence(path, flags, mode);
}
