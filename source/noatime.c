/* The Sleuth Kit and the libraries under it (libewf, libvhdi, libvmdk) open
 * the image files themselves, read-only, with open(2): no way to hand them
 * a descriptor of ours.  So that reading an image does not change its
 * access time either, this program's open() adds O_NOATIME to every
 * read-only open made while an image is read (sm_noatime_begin/end),
 * falling back to a plain open where the kernel refuses it (EPERM: not the
 * owner, no CAP_FOWNER), as every other evidence open here does, and
 * refuses any open that could write (EROFS).  Outside that window it is
 * open() as ever.  It cannot be sm_evidence_open (base/evidence.h): it is
 * the open(2) those libraries call, with their own paths and flags. */
#include <config.h>

#undef _FORTIFY_SOURCE /* this file defines open() itself */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

#include "source/noatime.h"

static _Thread_local bool reading_image;

void sm_noatime_begin(void) { reading_image = true; }
void sm_noatime_end(void) { reading_image = false; }

static int open_evidence(const char *path, int flags, mode_t mode) {
  /* Nothing is ever opened for writing while an image is read. */
  if (reading_image &&
      ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))) {
    errno = EROFS;
    return -1;
  }
  if (reading_image) {
    int fd = openat(AT_FDCWD, path, flags | O_NOATIME, mode);
    if (fd >= 0 || errno != EPERM)
      return fd;
  }
  return openat(AT_FDCWD, path, flags, mode);
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
