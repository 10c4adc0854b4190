/* Volume shadow copies of an NTFS volume inside a disk image, read with
 * libvshadow (loaded on first use, vss-dl.h) over the volume's bytes as
 * The Sleuth Kit reads them, each store handed back to TSK as an image of
 * its own (ext-img.h).  Nothing is written. */
#ifndef SM_SOURCE_VSS_H
#define SM_SOURCE_VSS_H

#include <stdbool.h>
#include <stdint.h>

#include <tsk/libtsk.h>

#include "base/result.h"

/* The most stores read on one volume (Windows keeps at most 64 shadow
 * copies of a volume before Windows 8, 512 since): the newest are read,
 * the others said. */
#define SM_VSS_MAX_STORES 64

/* One store, as libvshadow lists them: 1 the oldest. */
typedef struct sm_vss_store {
  int index;
  char id[40];          /* the store identifier, "{...}" in lowercase */
  uint64_t created;     /* the shadow copy's creation time, FILETIME */
  uint64_t volume_size; /* the volume's size when it was taken */
  bool in_volume;       /* its data lies on this volume */
} sm_vss_store;

/* Whether the volume at offset of img carries a VSS volume header naming a
 * catalog (shadow copies were taken): read without loading libvshadow. */
bool sm_vss_present(TSK_IMG_INFO *img, uint64_t offset);

typedef struct sm_vss sm_vss;

/* Open the shadow copies of the volume of size bytes at offset of img:
 * *n stores.  An error (naming why: libvshadow missing, a damaged
 * catalog) when they cannot be read. */
sm_result sm_vss_open(TSK_IMG_INFO *img, uint64_t offset, uint64_t size,
                      sm_vss **out, int *n, sm_error *err);
/* Store i (0 the oldest) described in *s. */
sm_result sm_vss_store_info(sm_vss *v, int i, sm_vss_store *s, sm_error *err);
/* Store i as a TSK image of the volume as it was (close with
 * tsk_img_close, before sm_vss_close).  NULL with err set. */
TSK_IMG_INFO *sm_vss_store_image(sm_vss *v, int i, sm_error *err);
void sm_vss_close(sm_vss *v);

#endif
