/* An image read by smaudit's own reader, handed to The Sleuth Kit
 * (ext-image.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tsk/libtsk.h>

#include "source/tsk-dl.h"

#include "source/ext-image.h"

/* TSK's image structure first (TSK casts to it and back), then ours. */
typedef struct ext_image {
  TSK_IMG_INFO img;
  const sm_ext_image_ops *ops;
  void *ctx;
  uint32_t magic;
} ext_image;

#define EXT_MAGIC 0x736d6578u /* "smex" */

static ssize_t ext_read(TSK_IMG_INFO *img, TSK_OFF_T off, char *buf,
                        size_t len) {
  ext_image *e = (ext_image *)img;
  char why[512] = "";
  if (off < 0 || off >= img->size) {
    tsk_error_reset();
    tsk_error_set_errno(TSK_ERR_IMG_READ_OFF);
    tsk_error_set_errstr("read at byte %lld: past the end of the image",
                         (long long)off);
    return -1;
  }
  if ((uint64_t)len > (uint64_t)(img->size - off))
    len = (size_t)(img->size - off);
  ssize_t r = e->ops->read(e->ctx, (uint64_t)off, buf, len, why, sizeof why);
  if (r < 0) {
    tsk_error_reset();
    tsk_error_set_errno(TSK_ERR_IMG_READ);
    tsk_error_set_errstr("%s", why[0] ? why : "read error");
  }
  return r;
}

static void ext_close(TSK_IMG_INFO *img) {
  ext_image *e = (ext_image *)img;
  if (e->ops->close)
    e->ops->close(e->ctx);
  e->magic = 0;
  free(e);
}

static void ext_stat(TSK_IMG_INFO *img, FILE *out) {
  (void)img;
  (void)out;
}

TSK_IMG_INFO *sm_ext_image_open(const char *name, uint64_t size,
                                unsigned sector_size,
                                const sm_ext_image_ops *ops, void *ctx,
                                sm_error *err) {
  if (size == 0 || size > (uint64_t)INT64_MAX || sector_size % 512 != 0) {
    if (ops->close)
      ops->close(ctx);
    sm_error_set(err, SM_ERR_IO,
                 "%s: %llu bytes in sectors of %u: not a disk image", name,
                 (unsigned long long)size, sector_size);
    return NULL;
  }
  /* TSK_IMG_INFO holds TSK's read cache (2 MiB): calloc leaves the pages
   * untouched until TSK uses them. */
  ext_image *e = calloc(1, sizeof *e);
  if (!e) {
    if (ops->close)
      ops->close(ctx);
    sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", name);
    return NULL;
  }
  e->ops = ops;
  e->ctx = ctx;
  e->magic = EXT_MAGIC;
  TSK_IMG_INFO *img = tsk_img_open_external(e, (TSK_OFF_T)size, sector_size,
                                            ext_read, ext_close, ext_stat);
  if (!img) {
    const char *why = tsk_error_get();
    sm_error_set(err, SM_ERR_IO, "%s: The Sleuth Kit refused the image: %s",
                 name, why && *why ? why : "unknown error");
    tsk_error_reset();
    ext_close(&e->img);
    return NULL;
  }
  return img;
}

void *sm_ext_image_ctx(const TSK_IMG_INFO *img) {
  if (!img || img->itype != TSK_IMG_TYPE_EXTERNAL)
    return NULL;
  const ext_image *e = (const ext_image *)img;
  return e->magic == EXT_MAGIC ? e->ctx : NULL;
}
