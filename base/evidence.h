/* The one evidence-safe open and read.
 *
 * Everything smaudit reads may be evidence, or sit beside it: every file
 * and folder is opened here, read-only, and never for writing:
 *
 * - O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC: a FIFO or a terminal
 *   planted under an evidence name cannot hang the open or become the
 *   controlling terminal; O_NONBLOCK changes nothing for regular files;
 * - O_NOATIME, so that reading keeps the access time.  The kernel allows
 *   it only to the file's owner (or CAP_FOWNER); otherwise the file is
 *   opened without it and, on a writable mount, opened
 *   again through the private read-only view of the file system where
 *   there is one (view.h: no read through a read-only mount changes the
 *   access time; via_view says so); otherwise atime_unprotected says so,
 *   for the caller to report ("access time of FILE not protected (not its
 *   owner)");
 * - then fstat: a file must be a regular file, a folder a folder; FIFOs,
 *   devices, sockets and directories are refused with a reason;
 * - a name smaudit found itself beside the target (SM_EVIDENCE_BENEATH:
 *   transaction logs, a SOFTWARE hive, entries of a volume) is resolved
 *   beneath the folder's descriptor and follows no symbolic link at all
 *   (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so nothing outside
 *   the folder, such as /dev/null or another machine's log, is read in
 *   its place; where openat2 is missing (Linux before 5.6), the same with
 *   openat O_NOFOLLOW, for a name of one component only.  A path the user
 *   named is opened as named (the user chose it).
 */
#ifndef SM_BASE_EVIDENCE_H
#define SM_BASE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/result.h"

enum {
  /* name was found by smaudit in the folder dirfd, not named by the user:
   * resolve it beneath dirfd and follow no symbolic link. */
  SM_EVIDENCE_BENEATH = 1u << 0,
  /* Open a folder (to list it), not a regular file. */
  SM_EVIDENCE_DIR = 1u << 1,
};

typedef struct sm_evidence_file {
  int fd;                 /* read-only; -1 when not open */
  struct stat st;         /* fstat right after the open */
  bool atime_unprotected; /* O_NOATIME refused: reading changes the atime */
  bool via_view;          /* O_NOATIME refused, so fd was opened again
                             through the private read-only view (view.h),
                             where reading keeps the access time */
} sm_evidence_file;

/* Open name (relative to dirfd, or AT_FDCWD) as above.  On failure out->fd
 * is -1 and err says "SHOWN: reason", or only the reason when shown is
 * NULL; code SM_ERR_IO. */
sm_result sm_evidence_open(int dirfd, const char *name, const char *shown,
                           unsigned flags, sm_evidence_file *out,
                           sm_error *err);

/* Read exactly len bytes into buf, at offset off (pread), or from the
 * current position when off is -1 (read).  Retries on EINTR; an early end
 * of file is "file shrank while reading".  err: "SHOWN: reason". */
sm_result sm_read_full(int fd, void *buf, size_t len, off_t off,
                       const char *shown, sm_error *err);

/* Open a regular file as sm_evidence_open does and read it whole: at most
 * max bytes (else SM_ERR_LIMIT, "larger than MAX bytes").  *buf is
 * caller-frees (never NULL on success, even for an empty file).  *info,
 * when not NULL, gets the file's facts (its fd is closed, -1). */
sm_result sm_evidence_read_all(int dirfd, const char *name, const char *shown,
                               unsigned flags, size_t max, unsigned char **buf,
                               size_t *len, sm_evidence_file *info,
                               sm_error *err);

/* What the file is, for "not a regular file (a FIFO)". */
const char *sm_file_kind(mode_t mode);

#endif
