/* A disk image that smaudit reads through a library of its own choosing
 * (an E01 through libewf, a shadow copy through libvshadow) handed to The
 * Sleuth Kit as an external image (tsk_img_open_external): TSK reads the
 * partition table and file systems through the read function given here,
 * and what that reader knows (a chunk failing its checksum, a store that
 * ends early) stays with smaudit. */
#ifndef SM_SOURCE_EXT_IMAGE_H
#define SM_SOURCE_EXT_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <tsk/libtsk.h>

#include "base/result.h"

typedef struct sm_ext_image_ops {
  /* Read len bytes at byte off (off < the image's size) into buf: the
   * number read (fewer only at the end of the image), or -1 with why set
   * to one line (TSK's error then says it). */
  ssize_t (*read)(void *ctx, uint64_t off, void *buf, size_t len, char *why,
                  size_t why_size);
  /* Release ctx: called once, by tsk_img_close (or by sm_ext_image_open
   * when it fails).  May be NULL. */
  void (*close)(void *ctx);
} sm_ext_image_ops;

/* A TSK image of size bytes in sectors of sector_size bytes (0: 512; else
 * a multiple of 512) read through ops on ctx; name is what errors call it.
 * Close it with tsk_img_close, which calls ops->close(ctx).  NULL with
 * err set when it cannot be made (ops->close(ctx) already called).  The
 * Sleuth Kit must be loaded (sm_tsk_load). */
TSK_IMG_INFO *sm_ext_image_open(const char *name, uint64_t size,
                                unsigned sector_size,
                                const sm_ext_image_ops *ops, void *ctx,
                                sm_error *err);

/* The ctx of an image made by sm_ext_image_open, or NULL for any other
 * TSK image. */
void *sm_ext_image_ctx(const TSK_IMG_INFO *img);

#endif
