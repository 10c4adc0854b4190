/* Where hive bytes come from when they are not files of their own: disk
 * images (raw, split raw, E01, VHD, VHDX, VMDK) read with The Sleuth Kit,
 * without mounting, extracting or writing anything.  This layer hands
 * hive/ bytes and logs; it knows nothing of audits. */
#ifndef SM_SOURCE_IMAGE_H
#define SM_SOURCE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hive/hive.h"

/* Whether the file at path is a disk image, judged from its content (a
 * partition table, a file system's boot sector, or the signature of an
 * E01, VHD, VHDX or VMDK container), never from its name: its format
 * ("raw", "ewf", "vhd", "vhdx", "vmdk"), or NULL for anything else (a
 * registry hive is not an image) and when it cannot be read. */
const char *sm_image_sniff(const char *path);
/* The same for name beneath dirfd (found there: no link followed), and
 * what kind of file it is: *part when it is a piece of an image opened
 * through another file (an E01 segment after the first, a VMDK extent
 * without its descriptor), *descriptor when it is a VMDK text descriptor
 * (which names its extents). */
const char *sm_image_sniff_at(int dirfd, const char *name, bool *part,
                              bool *descriptor);

/* Where a hive was found in an image. */
typedef struct sm_image_origin {
  const char *image;       /* the image as named */
  const char *format;      /* as sm_image_sniff names it */
  long partition;          /* partition address as mmls shows it, -1
                              when the image has no partition table */
  uint64_t offset;         /* byte offset of the volume in the image */
  const char *description; /* partition type or name ("" without table) */
  const char *path;        /* path inside the volume as stored,
                              "/Windows/System32/config/SYSTEM" */
} sm_image_origin;

/* One SYSTEM hive found in an image (or a volume that could not be read:
 * then error is set and data is NULL). */
typedef struct sm_image_hive {
  sm_image_origin origin;
  bool regback;              /* config/RegBack/SYSTEM */
  /* Read from a volume shadow copy store of the volume (its creation
   * time, identifier, index), or NULL: the volume as it is. */
  const struct sm_vss_store *shadow;
  const char *shadow_volume; /* with shadow: the volume, IMAGE:pN */
  const char *name;          /* IMAGE:pN:/PATH, what results call it */
  const unsigned char *data; /* the hive's bytes */
  size_t len;
  /* The sealed memory file data maps (hive/ opens it without a copy:
   * sm_hive_open_memfile), or NULL. */
  const struct sm_memfile *file;
  sm_hive_log logs[3]; /* LOG1, LOG2, LOG beside it, as found */
  size_t nlogs;
  const unsigned char *software; /* SOFTWARE beside it, or NULL */
  size_t software_len;
  const char *software_error; /* SOFTWARE is there but cannot be read: why
                                 (software NULL), else NULL */
  const char *error; /* why this volume gave no hive */
  /* The image files read so far whose access time could not be kept (not
   * their owner, no read-only view): "; "-separated, or "". */
  const char *atime_unprotected;
  struct sm_volume *volume; /* the volume's files, during the call */
  /* During the call: whether what was read from the image since the hive
   * was handed over (the volume's files, for its audit) went through
   * damaged parts of the container (an E01's chunks failing their
   * checksums), why saying which; false when not, or not known.  Called
   * after the audit, so that the damage lands on this result. */
  bool (*damaged)(const struct sm_image_hive *hv, char *why, size_t size);
  void *walk; /* for damaged */
} sm_image_hive;

/* Called once per hive found and once per volume that cannot be read
 * (BitLocker, damaged NTFS).  What it is handed lives during the call. */
typedef void (*sm_image_fn)(void *ctx, const sm_image_hive *hv);

/* Open the image at path read-only, find every NTFS volume with
 * Windows/System32/config/SYSTEM (any letter case) and hand each hive,
 * then its RegBack copy, to fn; then those of each volume shadow copy store
 * of the volume (source/vss.h), oldest first, each with shadow set.  With want_software, a SOFTWARE hive beside
 * each is read too.  Returns an error (naming the image) when the image
 * cannot be read at all or holds no Windows volume, and fn was never
 * called. */
sm_result sm_image_walk(const char *path, bool want_software, sm_image_fn fn,
                        void *ctx, sm_error *err);

#endif
