/* Reading the folders of a discovery target, shared between
 * source/discover.c (which hives a tree holds) and source/discover-dir.c
 * (how its folders are read); not for other layers. */
#ifndef SM_SOURCE_DISCOVER_INTERNAL_H
#define SM_SOURCE_DISCOVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "source/discover.h"

typedef struct sm_walker {
  sm_found_list *l;
  char *root; /* realpath of the target folder */
  size_t root_len;
  bool recursive;
  bool oom;
  char **reported; /* paths already reported as skipped */
  size_t n_reported;
  size_t n_unreadable;        /* folders that could not be read */
  char first_unreadable[600]; /* "PATH (reason)" of the first */
} sm_walker;

char *sm_walk_join(const char *dir, const char *name);
/* Report path as skipped (why), once. */
void sm_walk_skip(sm_walker *w, const char *path, const char *why);
/* Where a link met below the root leads, when that stays inside the root;
 * else NULL, and the link is reported. */
char *sm_walk_resolve_inside(sm_walker *w, const char *path);
/* Listing a folder reads it: the evidence-safe open keeps its access
 * time, where the kernel allows it.  nofollow: name is an entry found in
 * dfd, opened beneath it without following a link.  With w, a failure is
 * reported as the folder path that could not be read. */
int sm_walk_open_dir(sm_walker *w, int dfd, const char *name, const char *path,
                     bool nofollow);
/* The entries of dfd (the folder dir) named want in any case, in byte
 * order: NTFS mounts show the case as stored (WINDOWS/system32/CONFIG/
 * system), and a copy on a case-sensitive file system may hold two that
 * differ only in case.  *n their count; caller-frees. */
char **sm_walk_find_names(sm_walker *w, int dfd, const char *dir,
                          const char *want, size_t *n);
void sm_walk_free_names(char **v, size_t n);
/* The real subfolder name of dfd: its fd and path.  A link is never
 * followed; with report, it is reported when it leaves the root. */
int sm_walk_open_named(sm_walker *w, int dfd, const char *dir, const char *name,
                       bool report, char **path);
/* A real subfolder of dfd named want in any case (the first in byte
 * order), as open_named. */
int sm_walk_open_subdir(sm_walker *w, int dfd, const char *dir,
                        const char *want, bool report, char **path);
/* A regular file of dfd named want in any case (or a link to one inside
 * the root): the path as found and the path to open.  FIFOs and devices
 * are never opened. */
bool sm_walk_find_file(sm_walker *w, int dfd, const char *dir, const char *want,
                       char **target, char **open_path, off_t *size);
/* The names in dfd, sorted so that discovery is in a stable order. */
char **sm_walk_list_dir(sm_walker *w, int dfd, const char *path, size_t *n);
/* Pseudo file systems hold no evidence and some never end. */
bool sm_walk_special_fs(int fd);
/* Whether name in dfd (AT_FDCWD: a path) begins with "regf". */
bool sm_walk_begins_regf(int dfd, const char *name);
void sm_walker_free(sm_walker *w);

#endif
