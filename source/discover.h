/* Targets: from what the user names (a hive, a disk image, a mounted
 * volume, a triage collection, or with -r a folder of many) to the SYSTEM
 * hives to audit.  Discovery only lists and stats; it never opens anything
 * for writing and never follows a symbolic link out of the target it was
 * given.  What it has to say (an entry skipped, a hive found twice) goes
 * to the list's note function: the caller decides where it is printed. */
#ifndef SM_SOURCE_DISCOVER_H
#define SM_SOURCE_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/result.h"

typedef enum sm_role {
  SM_ROLE_SYSTEM,  /* config\SYSTEM, or a hive named on the command line */
  SM_ROLE_REGBACK, /* config\RegBack\SYSTEM, the copy Windows kept */
  SM_ROLE_SHADOW,  /* either, in a volume shadow copy collected as a
                      volume of its own (a Velociraptor collection's
                      \\?\GLOBALROOT\Device\HarddiskVolumeShadowCopyN) */
} sm_role;

const char *sm_role_name(sm_role r);

/* One hive to audit. */
typedef struct sm_found {
  char *target;   /* as named or found: what the result calls "target" */
  char *path;     /* the file to open (resolved when found via a link) */
  char *software; /* a SOFTWARE hive beside it, or NULL */
  char *volume;   /* the volume root it was found in, or NULL */
  char *volume_name; /* a collection's volume: the name Windows gave it,
                        %-decoded from its folder (\\.\C:), or NULL */
  char *error;    /* set when it cannot be audited at all (then path NULL) */
  char *live;      /* role regback: the live SYSTEM's target, or NULL */
  char *live_path; /* and the file to open */
  char *regback;      /* role system: its RegBack copy's target, or NULL */
  char *regback_path; /* and the file to open */
  sm_role role;
  bool image;     /* path is a disk image: every hive in it is audited */
  char *inner;    /* with image: only this hive of it (IMAGE:pN:/PATH as
                     named), or NULL */
  unsigned shadow_store; /* with SM_ROLE_SHADOW: N of its volume's name */
  bool shadow_regback;   /* with SM_ROLE_SHADOW: the RegBack copy */
  bool held;      /* found below a folder target through real folders
                     only: read through descriptors (sm_found_open) */
  dev_t dir_dev;  /* with held: the folder holding it, as found */
  ino_t dir_ino;
  size_t rel;     /* target + rel: its name relative to the folder named
                     on the command line (0 for a file named there) */
} sm_found;

typedef struct sm_found_list {
  sm_found *v;
  size_t n, cap;
  size_t skipped;    /* entries left out, each reported on stderr */
  size_t unreadable; /* of which folders that could not be read */
  /* Directories given as targets and volume roots found (st_dev, st_ino),
   * where -o must not write. */
  struct sm_dir_id {
    dev_t dev;
    ino_t ino;
  } * dirs;
  size_t n_dirs;
  /* The hives listed, by (st_dev, st_ino) and the target that listed them
   * (a hash set): a hive that a later target names or finds again is
   * audited once.  (Within one target, a link inside it is listed.) */
  struct sm_seen_id {
    dev_t dev;
    ino_t ino;
    size_t target;
  } * seen;
  size_t seen_cap, n_seen, n_targets;
  /* Called with each note (one line, no newline); NULL: notes are
   * dropped. */
  void (*note)(void *ctx, const char *msg);
  void *note_ctx;
  /* Private folders the hives of collection zips were written to
   * (source/zip.h), removed with the list. */
  char **tmpdirs;
  size_t n_tmpdirs;
} sm_found_list;

/* Add the hives of one target to l.  A target that does not exist or holds
 * no hive becomes an entry with error set.  Returns false only when out of
 * memory. */
bool sm_discover(const char *target, bool recursive, sm_found_list *l);
void sm_found_list_free(sm_found_list *l);

/* source/found.c: add one entry (target as named or found; path NULL with error
 * set when it cannot be audited).  A hive an earlier target listed (the
 * same path once links are resolved) is not added again: a note says so.
 * Returns false only when out of memory. */
bool sm_found_add(sm_found_list *l, const char *target, const char *path,
                  const char *software, const char *volume, const char *error,
                  sm_role role);
/* A folder given as a target, or a volume root, where -o must not write. */
bool sm_found_add_dir(sm_found_list *l, const struct stat *st);
/* source/found-open.c: open the hive f, found below a folder target
 * (held), as discovery found it: the folders from the target down are
 * opened one by one beneath each other, following no symbolic link, and
 * the last must be the folder discovery saw (device and inode); the hive
 * and its logs are then read through that descriptor, so a folder swapped
 * for a link (or another folder) after discovery is an error naming the
 * change, never a read of something else.  Otherwise as sm_hive_open. */
struct sm_hive;
sm_result sm_found_open(const sm_found *f, unsigned flags,
                        struct sm_hive **out, sm_error *err);

/* Entries from..l->n were found below the folder target: set their rel. */
void sm_found_set_rel(sm_found_list *l, size_t from, const char *target);
/* Keep only shard k (1 to n) of the list: the entries whose name
 * relative to the folder named (sm_found.rel) hashes to k - 1 modulo n
 * (FNV-1a 64 of its bytes, then the splitmix64 finalizer), so that n
 * machines given the same evidence under any mount point split it
 * without coordination, each entry in exactly one shard. */
void sm_found_shard(sm_found_list *l, unsigned k, unsigned n);
/* The shard of one name, from 0 to n - 1. */
unsigned sm_shard_of(const char *name, unsigned n);

/* A note through l->note, printf-style. */
void sm_found_note(const sm_found_list *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
