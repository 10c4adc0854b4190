/* A sealed anonymous memory file: bytes read out of somewhere else (a file
 * inside a disk image) written once, then sealed against any change and
 * shared read-only.  hive/ opens it as it is, without a copy; a second
 * holder (dup) costs a descriptor and a mapping, not the bytes again. */
#ifndef SM_BASE_MEMFILE_H
#define SM_BASE_MEMFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

typedef struct sm_memfile {
  int fd;                    /* -1: none */
  const unsigned char *data; /* a read-only mapping of fd (len bytes) */
  size_t len;
} sm_memfile;

/* Where the bytes come from: read exactly len bytes at off into buf, or
 * fail with err set (naming where it failed). */
typedef sm_result (*sm_memfile_read_fn)(void *ctx, void *buf, size_t len,
                                        uint64_t off, sm_error *err);

/* Fill a new memory file of len bytes from read (1 MiB at a time, through
 * one small buffer: the file's pages are written by the kernel, never
 * touched here), seal it and map it.  On failure *m is {-1, NULL, 0} and
 * err says why ("cannot hold N bytes: ..." or read's own error). */
sm_result sm_memfile_fill(sm_memfile *m, size_t len, sm_memfile_read_fn read,
                          void *ctx, sm_error *err);

/* A second holder of the same bytes (its own descriptor and mapping). */
sm_result sm_memfile_dup(const sm_memfile *src, sm_memfile *out,
                         sm_error *err);

/* Unmap and close; m may be unset ({-1, NULL, 0}). */
void sm_memfile_close(sm_memfile *m);

#endif
