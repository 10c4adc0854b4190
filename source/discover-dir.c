/* How discovery reads the folders of a target: with the evidence-safe
 * open, names found in any case, links followed only inside the target,
 * and folders that cannot be read said by name (source/discover-internal.h). */
#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/evidence.h"
#include "source/discover-internal.h"

char *sm_walk_join(const char *dir, const char *name) {
  size_t n = strlen(dir);
  bool slash = n && dir[n - 1] == '/';
  char *s = malloc(n + strlen(name) + 2);
  if (s)
    sprintf(s, "%s%s%s", dir, slash ? "" : "/", name);
  return s;
}

void sm_walk_skip(sm_walker *w, const char *path, const char *why) {
  for (size_t i = 0; i < w->n_reported; i++)
    if (strcmp(w->reported[i], path) == 0)
      return;
  char **r = realloc(w->reported, (w->n_reported + 1) * sizeof *r);
  if (!r || !(r[w->n_reported] = strdup(path))) {
    w->reported = r ? r : w->reported;
    w->oom = true;
    return;
  }
  w->reported = r;
  w->n_reported++;
  w->l->skipped++;
  sm_found_note(w->l, "%s: skipped: %s", path, why);
}

/* Where a link met below the root leads, when that stays inside the root;
 * else NULL, and the link is reported. */
char *sm_walk_resolve_inside(sm_walker *w, const char *path) {
  char *real = realpath(path, NULL);
  if (!real) {
    sm_walk_skip(w, path, "broken symbolic link");
    return NULL;
  }
  if (strcmp(w->root, "/") == 0 ||
      (strncmp(real, w->root, w->root_len) == 0 &&
       (real[w->root_len] == '/' || real[w->root_len] == '\0')))
    return real;
  free(real);
  sm_walk_skip(w, path, "symbolic link leaving the target");
  return NULL;
}

/* A folder that could not be read (as an ordinary user, say): said by
 * name, counted as skipped, and remembered for the target's message when
 * nothing is found. */
static void unreadable(sm_walker *w, const char *path, const char *why) {
  char msg[600];
  size_t before = w->l->skipped;
  snprintf(msg, sizeof msg, "cannot read this folder: %s", why);
  sm_walk_skip(w, path, msg);
  if (w->l->skipped > before)
    w->l->unreadable++;
  if (w->l->skipped > before && !w->n_unreadable++)
    snprintf(w->first_unreadable, sizeof w->first_unreadable, "%s (%s)", path,
             why);
}

/* Listing a folder reads it: the evidence-safe open keeps its access
 * time, where the kernel allows it.  nofollow: name is an entry found in
 * dfd, opened beneath it without following a link.  With w, a failure is
 * reported as the folder path that could not be read. */
int sm_walk_open_dir(sm_walker *w, int dfd, const char *name, const char *path,
                     bool nofollow) {
  sm_evidence_file f;
  sm_error err = {0};
  unsigned flags = SM_EVIDENCE_DIR | (nofollow ? SM_EVIDENCE_BENEATH : 0);
  if (sm_evidence_open(dfd, name, NULL, flags, &f, &err) != SM_OK) {
    if (w && path)
      unreadable(w, path, err.msg);
    return -1;
  }
  return f.fd;
}

/* The folder dfd (path) opened for listing, as sm_walk_open_dir; NULL
 * when it cannot be. */
static DIR *open_listing(sm_walker *w, int dfd, const char *path) {
  int fd = sm_walk_open_dir(w, dfd, ".", path, false);
  if (fd < 0)
    return NULL;
  DIR *d = fdopendir(fd);
  if (!d)
    close(fd);
  return d;
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dfd (the folder dir) named want in any case, in byte
 * order: NTFS mounts show the case as stored (WINDOWS/system32/CONFIG/
 * system), and a copy on a case-sensitive file system may hold two that
 * differ only in case.  *n their count; caller-frees. */
char **sm_walk_find_names(sm_walker *w, int dfd, const char *dir,
                          const char *want, size_t *n) {
  *n = 0;
  DIR *d = open_listing(w, dfd, dir);
  if (!d)
    return NULL;
  char **v = NULL;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcasecmp(e->d_name, want) == 0) {
      char **nv = realloc(v, (*n + 1) * sizeof *v);
      if (!nv || !(nv[*n] = strdup(e->d_name))) {
        v = nv ? nv : v;
        w->oom = true;
        break;
      }
      v = nv;
      (*n)++;
    }
  closedir(d);
  if (*n > 1)
    qsort(v, *n, sizeof *v, cmp_name);
  return v;
}

void sm_walk_free_names(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

/* The first of find_names, or NULL. */
static char *find_name(sm_walker *w, int dfd, const char *dir,
                       const char *want) {
  size_t n;
  char **v = sm_walk_find_names(w, dfd, dir, want, &n);
  char *first = n ? v[0] : NULL;
  if (n)
    v[0] = NULL;
  sm_walk_free_names(v, n);
  return first;
}

/* The real subfolder name of dfd: its fd and path.  A link is never
 * followed; with report, it is reported when it leaves the root. */
int sm_walk_open_named(sm_walker *w, int dfd, const char *dir, const char *name,
                       bool report, char **path) {
  int fd = -1;
  struct stat st;
  *path = sm_walk_join(dir, name);
  if (!*path)
    w->oom = true;
  else if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISDIR(st.st_mode))
      fd = sm_walk_open_dir(w, dfd, name, *path, true);
    else if (S_ISLNK(st.st_mode) && report)
      free(sm_walk_resolve_inside(w, *path));
  }
  if (fd < 0) {
    free(*path);
    *path = NULL;
  }
  return fd;
}

/* A real subfolder of dfd named want in any case (the first in byte
 * order), as open_named. */
int sm_walk_open_subdir(sm_walker *w, int dfd, const char *dir,
                        const char *want, bool report, char **path) {
  char *name = find_name(w, dfd, dir, want);
  if (!name)
    return -1;
  int fd = sm_walk_open_named(w, dfd, dir, name, report, path);
  free(name);
  return fd;
}

/* A regular file of dfd named want in any case (or a link to one inside
 * the root): the path as found and the path to open.  FIFOs and devices
 * are never opened. */
bool sm_walk_find_file(sm_walker *w, int dfd, const char *dir, const char *want,
                       char **target, char **open_path, off_t *size) {
  char *name = find_name(w, dfd, dir, want);
  struct stat st;
  bool ok = false;
  *target = *open_path = NULL;
  if (!name)
    return false;
  if (!(*target = sm_walk_join(dir, name))) {
    w->oom = true;
    goto out;
  }
  if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    goto out;
  if (S_ISREG(st.st_mode)) {
    ok = (*open_path = strdup(*target)) != NULL;
  } else if (S_ISLNK(st.st_mode)) {
    char *real = sm_walk_resolve_inside(w, *target);
    if (real && stat(real, &st) == 0 && S_ISREG(st.st_mode)) {
      *open_path = real;
      ok = true;
    } else {
      free(real);
    }
  } else if (!S_ISDIR(st.st_mode)) {
    sm_walk_skip(w, *target, "not a regular file");
  }
  if (ok)
    *size = st.st_size;
out:
  if (!ok) {
    free(*target);
    *target = NULL;
  }
  free(name);
  return ok;
}

/* Pseudo file systems hold no evidence and some never end. */
bool sm_walk_special_fs(int fd) {
  struct statfs s;
  if (fstatfs(fd, &s) != 0)
    return true;
  switch ((unsigned long)s.f_type) {
  case PROC_SUPER_MAGIC:
  case SYSFS_MAGIC:
  case DEBUGFS_MAGIC:
  case TRACEFS_MAGIC:
  case CGROUP_SUPER_MAGIC:
  case CGROUP2_SUPER_MAGIC:
  case DEVPTS_SUPER_MAGIC:
  case SECURITYFS_MAGIC:
  case BPF_FS_MAGIC:
    return true;
  }
  return false;
}

bool sm_walk_begins_regf(int dfd, const char *name) {
  sm_evidence_file f;
  unsigned flags = dfd == AT_FDCWD ? 0 : SM_EVIDENCE_BENEATH;
  if (sm_evidence_open(dfd, name, NULL, flags, &f, NULL) != SM_OK)
    return false;
  char sig[4];
  bool ok = sm_read_full(f.fd, sig, 4, 0, NULL, NULL) == SM_OK &&
            memcmp(sig, "regf", 4) == 0;
  close(f.fd);
  return ok;
}

/* The names in dfd, sorted so that discovery is in a stable order. */
char **sm_walk_list_dir(sm_walker *w, int dfd, const char *path, size_t *n) {
  *n = 0;
  DIR *d = open_listing(w, dfd, path);
  if (!d)
    return NULL;
  char **v = NULL;
  size_t cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (*n == cap) {
      cap = cap ? 2 * cap : 32;
      char **nv = realloc(v, cap * sizeof *nv);
      if (!nv)
        break;
      v = nv;
    }
    if (!(v[*n] = strdup(e->d_name)))
      break;
    (*n)++;
  }
  closedir(d);
  if (*n)
    qsort(v, *n, sizeof *v, cmp_name);
  return v;
}

void sm_walker_free(sm_walker *w) {
  free(w->root);
  for (size_t i = 0; i < w->n_reported; i++)
    free(w->reported[i]);
  free(w->reported);
}
