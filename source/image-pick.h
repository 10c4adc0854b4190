/* The one SYSTEM hive of a disk image, for the commands that take one hive
 * (show, learn, diff, recover): read out of the image into memory (with
 * its logs and SOFTWARE), to be opened from there. */
#ifndef SM_SOURCE_IMAGE_PICK_H
#define SM_SOURCE_IMAGE_PICK_H

#include <stdbool.h>
#include <stddef.h>

#include "hive/hive.h"

typedef struct sm_image_pick {
  char *name;   /* IMAGE:pN:PATH */
  char *origin; /* the origin said in one line */
  unsigned char *data; /* a copy, or file's mapping (held) */
  size_t len;
  sm_memfile file; /* with held: the walk's memory file, held again */
  bool held;
  sm_hive_log logs[3];
  char lognames[3][256];
  size_t nlogs;
  unsigned char *software;
  size_t software_len;
  char *software_error; /* SOFTWARE there but not read: why, else NULL */
  const char *only; /* IMAGE:pN:/PATH named: that hive alone, or NULL */
  unsigned n_found; /* Windows volumes (SYSTEM hives, not RegBack) */
  char others[512]; /* their names, when more than one */
  unsigned n_errors; /* volumes or hives that could not be read */
  char error[1024];  /* the first one's error */
} sm_image_pick;

/* When name is what results call a hive inside a disk image,
 * IMAGE:pN:/PATH (partition N) or IMAGE:/PATH (no partition table), and
 * IMAGE is a disk image: the length of IMAGE; else 0. */
size_t sm_image_name_split(const char *name);

/* When path is a disk image, or names a hive inside one (as above, any
 * letter case in PATH; then that hive, RegBack's too): *is_image true, and its one Windows volume's
 * SYSTEM hive in p, or an error in err naming the image (none, several,
 * an unreadable image).  When it is not: *is_image false and SM_OK.
 * p is to be freed either way. */
sm_result sm_image_pick_one(const char *path, bool *is_image,
                            sm_image_pick *p, sm_error *err);
void sm_image_pick_free(sm_image_pick *p);

/* Open the picked hive from memory, as sm_hive_open would the file. */
sm_result sm_image_pick_open(const sm_image_pick *p, unsigned flags,
                             sm_hive **out, sm_error *err);

/* A SOFTWARE hive read from an image, for detection: SM_ERR_NOT_FOUND
 * when there is none (data and error NULL), the error when it is there but
 * could not be read (error: why) or opened. */
sm_result sm_image_open_software(const unsigned char *data, size_t len,
                                 const char *error, sm_hive **out,
                                 sm_error *err);

/* sm_hive_open, or for a disk image its one SYSTEM hive. */
sm_result sm_source_open_hive(const char *path, unsigned flags, sm_hive **h,
                              sm_error *err);

#endif
