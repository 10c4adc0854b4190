/* One walk over a disk image, shared by the files that make it up:
 * image.c (the container and its partitions), image-ntfs.c (the hives of
 * an NTFS volume), image-ewf.c (E01 through libewf).  Not for use outside
 * source/image*.c. */
#ifndef SM_SOURCE_IMAGE_WALK_H
#define SM_SOURCE_IMAGE_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tsk/libtsk.h>

#include "source/image.h"
#include "source/vss.h"
#include "source/volume.h"

/* The most volumes read from one image: a GPT holds 128 entries as made
 * by every partitioning tool; a table declaring thousands is hostile. */
#define SM_IMAGE_MAX_VOLUMES 256

typedef struct sm_walk {
  const char *path;
  const char *format; /* sm_image_sniff's name */
  TSK_IMG_INFO *img;
  struct sm_ewf *ewf; /* an E01 read through libewf, or NULL */
  bool want_software;
  sm_image_fn fn;
  void *ctx;
  unsigned emitted;  /* hives and volume errors handed to fn */
  sm_volume *volume; /* the NTFS volume being read, for the files */
  const sm_vss_store *shadow; /* the shadow copy store being read, or NULL */
  const char *shadow_volume;  /* with shadow: the volume's name, IMAGE:pN */
  uint64_t starts[SM_IMAGE_MAX_VOLUMES]; /* offsets of the volumes read */
  size_t nstarts;
  unsigned repeated, past_cap; /* partitions not read, and why */
  char notes[1024]; /* what each volume was, for "no Windows volume" */
} sm_walk;

/* A volume of the image: partition part (-1: the image is the volume). */
typedef struct sm_walk_vol {
  long part;
  uint64_t offset, size;
  const char *desc;
  char where[400]; /* "partition 2 (NTFS / exFAT (0x07), offset 1048576)" */
} sm_walk_vol;

/* Hand a hive (or a volume's error) to the caller, outside the window in
 * which open() is the image files' evidence open; counted in emitted.  A
 * damaged container chunk read since the last hand-over makes hv an error
 * blaming the container. */
void sm_walk_emit(sm_walk *w, const sm_image_hive *hv);
/* A result with error set for volume v: "IMAGE: " and the message. */
void sm_walk_error(sm_walk *w, const sm_walk_vol *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* What a volume was, for "no Windows volume" when nothing is found. */
void sm_walk_note(sm_walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* TSK's last error as one line (reset). */
const char *sm_tsk_why(void);

/* Open w->path as an E01 through libewf (image-ewf.c), handed to TSK as
 * an external image: w->img and w->ewf set; an error naming the image and
 * the segment when it cannot be read or a segment is missing or cut. */
sm_result sm_walk_open_ewf(sm_walk *w, sm_error *err);
/* For an E01: true when chunks read since the last call fail their
 * checksums, with why saying which ("damaged E01: the chunk at sectors
 * 8128 to 8191 (bytes ... of the disk) fails its checksum"). */
bool sm_walk_ewf_damage(sm_walk *w, char *why, size_t size);

/* The shadow copies of NTFS volume v, called name (image-shadow.c): the
 * hives of each store as sm_walk_ntfs finds them, named IMAGE:pN:vssK:/PATH
 * and handed over with shadow set; a store that cannot be read is an
 * error result of its own. */
void sm_walk_shadows(sm_walk *w, const sm_walk_vol *v, const char *name);

/* The hives of NTFS volume v (image-ntfs.c): Windows/System32/config's
 * SYSTEM, then RegBack's; or, when its root holds no Windows, the volumes
 * a triage container keeps one and two folders down. */
void sm_walk_ntfs(sm_walk *w, const sm_walk_vol *v, TSK_FS_INFO *fs);

#endif
