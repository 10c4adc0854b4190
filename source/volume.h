/* The files of a Windows volume, wherever it is: inside a disk image (read
 * with The Sleuth Kit, image-vol.c) or a folder on disk, a mounted volume
 * or a triage tree (volume-folder.c).  Paths are volume-relative, with
 * '\' or '/', matched in any letter case as Windows does (short 8.3 names
 * too, where the file system lists them).  Nothing is written. */
#ifndef SM_SOURCE_VOLUME_H
#define SM_SOURCE_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

/* One time stamp: seconds since 1970 and nanoseconds; set false when the
 * source does not have it. */
typedef struct sm_ftime {
  bool set;
  int64_t sec;
  uint32_t nsec;
} sm_ftime;

typedef struct sm_ftimes {
  bool known;
  sm_ftime created, modified, changed, accessed;
} sm_ftimes;

typedef struct sm_vfile {
  bool exists;  /* a regular file of that name */
  bool is_dir;  /* a folder of that name (exists false) */
  char found[1024]; /* the path as stored, '\' separated */
  uint64_t size;
  sm_ftimes si;     /* NTFS $STANDARD_INFORMATION */
  sm_ftimes fn;     /* NTFS $FILE_NAME */
  const char *times_note; /* what the source cannot tell, or NULL */
  unsigned char *data;    /* the contents when read (caller frees) */
  size_t len;
  char why[256]; /* the contents could not be read: why ("" when read) */
} sm_vfile;

typedef struct sm_volume sm_volume;
struct sm_volume {
  const char *name; /* what reports call it */
  /* Look path up; read at most max bytes of it (a larger file: data NULL,
   * why says so).  SM_OK with exists false when there is no such file. */
  sm_result (*find)(sm_volume *v, const char *path, size_t max,
                    sm_vfile *out, sm_error *err);
  /* Each regular file of folder dir whose name ends with suffix (any
   * case), read whole when at most max bytes, handed to fn; one that is
   * there but cannot be read (or is larger) is handed over with data
   * NULL, never left out.  False when the folder, or one on the way to it,
   * is there but cannot be read (none handed over then): no proof that it
   * holds nothing. */
  bool (*each)(sm_volume *v, const char *dir, const char *suffix, size_t max,
               void (*fn)(void *ctx, const char *name,
                          const unsigned char *data, size_t len),
               void *ctx);
  void (*destroy)(sm_volume *v); /* NULL: free(v) */
  /* Drop what the volume keeps of what it read (sm_volume_forget), or
   * NULL. */
  void (*forget)(sm_volume *v);
  void *impl;
  void *cache; /* for the layer above: what it keeps per volume */
  void (*cache_free)(void *cache);
};

/* The volume whose root is the folder root (a mounted volume, a triage
 * tree).  NULL when it cannot be opened. */
sm_volume *sm_volume_folder_open(const char *root);
/* The volume a hive file at path lies in, when path ends in
 * WINDIR/System32/config/<hive> (any case; WINDIR the Windows folder,
 * whatever its name): its root; else NULL. */
sm_volume *sm_volume_of_hive(const char *path);
void sm_volume_close(sm_volume *v);
/* Drop what the layer above keeps of v (cache), and what v keeps itself
 * (forget): what it read may have come through damage the source found
 * since, and is to be read again. */
void sm_volume_forget(sm_volume *v);
/* The next component of the path *p ('\\' or '/' separated) into comp
 * (size bytes), *p moved past it: its length, 0 at the end, SIZE_MAX when
 * it does not fit. */
size_t sm_path_next(const char **p, char *comp, size_t size);

#endif
