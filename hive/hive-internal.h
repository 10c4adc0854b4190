/* Internal to hive/: structures and cross-file helpers. */
#ifndef SM_HIVE_INTERNAL_H
#define SM_HIVE_INTERNAL_H

#include <hivex.h>

#include "hive/hive.h"

struct sm_hive {
  char *path;
  hive_h *hx;
  int memfd;              /* private copy of the file that hivex reads */
  unsigned char *image;   /* mapping of memfd, image_len bytes */
  size_t image_len;
  uint64_t file_size;
  unsigned flags;
  sm_base_block base;     /* as read from the file, before any replay */
  sm_recovery_info recovery;
  char sha256[65];
};

/* error.c */
sm_result sm_error_from_errno(sm_error *err, int errnum, const char *what);

/* base.c: parse the 4096-byte base block. */
sm_result sm_base_block_parse(const unsigned char *p, size_t len,
                              sm_base_block *out);
uint32_t sm_base_block_checksum(const unsigned char *p);

/* recover.c: replay the transaction logs found beside path onto image
 * (image_len bytes, a private copy of the primary file).  May grow the image:
 * on return *image and *image_len describe the result (realloc'd).  Never
 * writes any file.  Fills info; returns an error only for a failure that
 * leaves the image unusable. */
sm_result sm_recover_apply(const char *path, unsigned char **image,
                           size_t *image_len, sm_recovery_info *info,
                           sm_error *err);

#endif
