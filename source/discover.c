/* Which hives a target holds: a hive file, a disk image, a collection
 * zip, or a folder tree walked for volumes (Windows/System32/config) and,
 * with -r, every hive named SYSTEM, image and collection zip
 * (source/discover.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/discover-image.h"
#include "source/discover-internal.h"
#include "source/image-pick.h"
#include "source/image.h"
#include "source/zip.h"

/* A triage collection keeps volumes a few levels down (<host>/C/Windows);
 * -r walks deeper, but not without end. */
enum { TREE_DEPTH = 6, RECURSIVE_DEPTH = 32 };

const char *sm_role_name(sm_role r) {
  return r == SM_ROLE_REGBACK  ? "regback"
         : r == SM_ROLE_SHADOW ? "shadow"
                               : "system";
}

/* f was found in the folder dfd through real folders: it is read through
 * them (sm_found_open). */
static void hold(sm_found *f, int dfd) {
  struct stat st;
  if (fstat(dfd, &st) == 0) {
    f->held = true;
    f->dir_dev = st.st_dev;
    f->dir_ino = st.st_ino;
  }
}

/* The hives of a config (or RegBack) folder: SYSTEM, with SOFTWARE beside
 * it for version detection. */
static bool add_from(sm_walker *w, int dfd, const char *dir, const char *volume,
                     sm_role role, bool need_content) {
  char *t = NULL, *p = NULL, *st = NULL, *sp = NULL;
  off_t size = 0, ssize;
  if (!sm_walk_find_file(w, dfd, dir, "system", &t, &p, &size))
    return false;
  bool taken = false;
  if (!need_content || size > 0) {
    sm_walk_find_file(w, dfd, dir, "software", &st, &sp, &ssize);
    size_t n0 = w->l->n;
    if (!sm_found_add(w->l, t, p, sp, volume, NULL, role))
      w->oom = true;
    else if (w->l->n > n0 && strcmp(t, p) == 0)
      hold(&w->l->v[n0], dfd);
    taken = true;
  }
  free(t);
  free(p);
  free(st);
  free(sp);
  return taken;
}

/* The hives of the config folder cfd (path cpath) of the volume vol:
 * SYSTEM, then RegBack's non-empty copy, compared with it. */
static bool probe_config(sm_walker *w, int cfd, const char *cpath,
                         const char *vol, unsigned store) {
  size_t sys = w->l->n;
  if (!add_from(w, cfd, cpath, vol, store ? SM_ROLE_SHADOW : SM_ROLE_SYSTEM,
                false))
    return false;
  char *rp = NULL;
  int rfd = sm_walk_open_subdir(w, cfd, cpath, "regback", true, &rp);
  if (rfd >= 0) {
    /* Windows 10 1803 and later keep an empty RegBack\SYSTEM. */
    size_t rb = w->l->n;
    add_from(w, rfd, rp, vol, store ? SM_ROLE_SHADOW : SM_ROLE_REGBACK, true);
    for (size_t i = rb; i < w->l->n; i++)
      w->l->v[i].shadow_regback = store != 0;
    close(rfd);
    /* The copy is compared with the live hive beside it. */
    if (rb < w->l->n && sys < rb && w->l->v[sys].path &&
        (!(w->l->v[rb].live = strdup(w->l->v[sys].target)) ||
         !(w->l->v[rb].live_path = strdup(w->l->v[sys].path)) ||
         !(w->l->v[sys].regback = strdup(w->l->v[rb].target)) ||
         !(w->l->v[sys].regback_path = strdup(w->l->v[rb].path))))
      w->oom = true;
  }
  free(rp);
  for (size_t i = sys; i < w->l->n; i++)
    w->l->v[i].shadow_store = store;
  return true;
}

/* Windows, System32, config below dfd (path), from level on, in any case.
 * Folders that differ only in case are each followed (never one of them
 * silently): said, and every one with hives audited. */
static bool probe_level(sm_walker *w, int dfd, const char *path, int level,
                        const char *vol, unsigned store) {
  static const char *const comp[] = {"windows", "system32", "config"};
  if (level == 3)
    return probe_config(w, dfd, path, vol, store);
  size_t n;
  char **names = sm_walk_find_names(w, dfd, path, comp[level], &n);
  if (n > 1)
    sm_found_note(w->l,
                  "%s: %zu folders named %s that differ only in case (%s, "
                  "%s%s): each is looked at",
                  path, n, names[0], names[0], names[1], n > 2 ? ", ..." : "");
  bool found = false;
  for (size_t i = 0; i < n && !w->oom; i++) {
    char *sub = NULL;
    int fd = sm_walk_open_named(w, dfd, path, names[i], level > 0, &sub);
    if (fd >= 0) {
      found |= probe_level(w, fd, sub, level + 1, vol, store);
      close(fd);
    }
    free(sub);
  }
  sm_walk_free_names(names, n);
  return found;
}

/* dfd is a volume root when Windows\System32\config\SYSTEM is there, in
 * any case.  Adds its hives (and RegBack's non-empty copy). */
static bool probe_volume(sm_walker *w, int dfd, const char *path) {
  if (!probe_level(w, dfd, path, 0, path, sm_shadow_store(path)))
    return false;
  struct stat st;
  if (fstat(dfd, &st) == 0 && !sm_found_add_dir(w->l, &st))
    w->oom = true;
  return true;
}

/* A disk image: the worker finds its hives. */
static bool add_image(sm_found_list *l, const char *target, const char *path) {
  size_t n0 = l->n;
  if (!sm_found_add(l, target, path, NULL, NULL, NULL, SM_ROLE_SYSTEM))
    return false;
  if (l->n > n0) /* else named twice: audited once */
    l->v[l->n - 1].image = true;
  return true;
}

/* A collection zip is looked for under a .zip name only: the content of
 * every file of a tree is not read for it. */
static bool zip_name(const char *name) {
  size_t n = strlen(name);
  return n > 4 && strcasecmp(name + n - 4, ".zip") == 0;
}

static void walk(sm_walker *w, int dfd, const char *path, int depth) {
  /* A volume's own tree (half a million files) is not walked. */
  if (probe_volume(w, dfd, path))
    return;
  if (depth >= (w->recursive ? RECURSIVE_DEPTH : TREE_DEPTH) || sm_walk_special_fs(dfd))
    return;
  size_t n;
  char **names = sm_walk_list_dir(w, dfd, path, &n);
  /* With -r, disk images (by content) are audited too. */
  unsigned char *images = w->recursive ? sm_folder_images(dfd, names, n) : NULL;
  if (w->recursive && !images && n)
    w->oom = true;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  for (size_t i = 0; i < n && !w->oom; i++) {
    struct stat st;
    char *child = sm_walk_join(path, names[i]);
    if (!child) {
      w->oom = true;
      break;
    }
    if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
      /* gone since listed */
    } else if (S_ISLNK(st.st_mode)) {
      char *real = sm_walk_resolve_inside(w, child);
      /* A link to a hive inside the root may be taken; a linked folder is
       * never walked (it is inside the root, so walked anyway). */
      if (real && w->recursive && strcasecmp(names[i], "system") == 0 &&
          stat(real, &st) == 0 && S_ISREG(st.st_mode) &&
          sm_walk_begins_regf(AT_FDCWD, real)) {
        if (!sm_found_add(w->l, child, real, NULL, NULL, NULL,
                          strcasecmp(base, "regback") == 0 ? SM_ROLE_REGBACK
                                                           : SM_ROLE_SYSTEM))
          w->oom = true;
      }
      free(real);
    } else if (S_ISDIR(st.st_mode)) {
      int fd = sm_walk_open_dir(w, dfd, names[i], child, true);
      if (fd >= 0) {
        walk(w, fd, child, depth + 1);
        close(fd);
      }
    } else if (S_ISREG(st.st_mode) && images && images[i]) {
      if (!add_image(w->l, child, child))
        w->oom = true;
    } else if (S_ISREG(st.st_mode) && w->recursive && zip_name(names[i]) &&
               sm_zip_sniff(child)) {
      if (!sm_discover_zip(child, w->l))
        w->oom = true;
    } else if (S_ISREG(st.st_mode) && w->recursive &&
               strcasecmp(names[i], "system") == 0 &&
               sm_walk_begins_regf(dfd, names[i])) {
      char *t = NULL, *sw = NULL;
      off_t size;
      sm_walk_find_file(w, dfd, path, "software", &t, &sw, &size);
      size_t n0 = w->l->n;
      if (!sm_found_add(w->l, child, child, sw, NULL, NULL,
                        strcasecmp(base, "regback") == 0 ? SM_ROLE_REGBACK
                                                         : SM_ROLE_SYSTEM))
        w->oom = true;
      else if (w->l->n > n0)
        hold(&w->l->v[n0], dfd);
      free(t);
      free(sw);
    }
    free(child);
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  free(images);
}

/* A hive named on the command line: SOFTWARE beside it only when it is
 * itself called SYSTEM, as in a config folder. */
static bool add_file(sm_found_list *l, const char *target) {
  char *copy = strdup(target), *copy2 = strdup(target);
  char *t = NULL, *sw = NULL;
  sm_walker w = {.l = l};
  bool ok = false;
  if (!copy || !copy2)
    goto out;
  const char *dir = dirname(copy);
  if (strcasecmp(basename(copy2), "system") == 0 &&
      (w.root = realpath(dir, NULL))) {
    int dfd = sm_walk_open_dir(NULL, AT_FDCWD, w.root, NULL, false);
    off_t size;
    w.root_len = strlen(w.root);
    if (dfd >= 0) {
      sm_walk_find_file(&w, dfd, dir, "software", &t, &sw, &size);
      close(dfd);
    }
  }
  ok =
      sm_found_add(l, target, target, sw, NULL, NULL, SM_ROLE_SYSTEM) && !w.oom;
out:
  free(t);
  free(sw);
  sm_walker_free(&w);
  free(copy);
  free(copy2);
  return ok;
}

/* IMAGE:pN:/PATH, a hive inside a disk image as results name it: that
 * hive alone (never taken for the image named again, so not checked
 * against the hives seen). */
static bool add_inner(sm_found_list *l, const char *target, size_t len) {
  if (!sm_found_add(l, target, NULL, NULL, NULL, NULL, SM_ROLE_SYSTEM))
    return false;
  sm_found *f = &l->v[l->n - 1];
  f->image = true;
  return (f->path = strndup(target, len)) && (f->inner = strdup(target));
}

bool sm_discover(const char *target, bool recursive, sm_found_list *l) {
  struct stat st;
  char msg[1024];
  l->n_targets++;
  if (stat(target, &st) != 0) {
    size_t len = sm_image_name_split(target);
    if (len)
      return add_inner(l, target, len);
    snprintf(msg, sizeof msg, "%s: %s", target, strerror(errno));
    return sm_found_add(l, target, NULL, NULL, NULL, msg, SM_ROLE_SYSTEM);
  }
  /* A disk image, known by its content: the worker finds its hives. */
  if (S_ISREG(st.st_mode) && sm_image_sniff(target) != NULL)
    return add_image(l, target, target);
  /* A Velociraptor collection kept as a zip file. */
  if (S_ISREG(st.st_mode) && sm_zip_sniff(target))
    return sm_discover_zip(target, l);
  if (S_ISREG(st.st_mode))
    return add_file(l, target);
  if (!S_ISDIR(st.st_mode)) {
    snprintf(msg, sizeof msg, "%s: not a regular file or a folder", target);
    return sm_found_add(l, target, NULL, NULL, NULL, msg, SM_ROLE_SYSTEM);
  }
  sm_walker w = {.l = l, .recursive = recursive};
  if (!(w.root = realpath(target, NULL))) {
    snprintf(msg, sizeof msg, "%s: %s", target, strerror(errno));
    return sm_found_add(l, target, NULL, NULL, NULL, msg, SM_ROLE_SYSTEM);
  }
  w.root_len = strlen(w.root);
  int fd = sm_walk_open_dir(NULL, AT_FDCWD, w.root, NULL, false);
  if (fd < 0) {
    snprintf(msg, sizeof msg, "%s: %s", target, strerror(errno));
    sm_walker_free(&w);
    return sm_found_add(l, target, NULL, NULL, NULL, msg, SM_ROLE_SYSTEM);
  }
  if (!sm_found_add_dir(l, &st))
    w.oom = true;
  size_t before = l->n;
  walk(&w, fd, target, 0);
  close(fd);
  sm_found_set_rel(l, before, target);
  if (l->n == before && !w.oom && w.n_unreadable) {
    /* Not "none here": some of it could not be looked at. */
    snprintf(msg, sizeof msg,
             "%s: no SYSTEM hive found, but %zu folder%s could not be read: "
             "%s%s",
             target, w.n_unreadable, w.n_unreadable == 1 ? "" : "s",
             w.first_unreadable, w.n_unreadable > 1 ? " and others" : "");
    if (!sm_found_add(l, target, NULL, NULL, NULL, msg, SM_ROLE_SYSTEM))
      w.oom = true;
  } else if (l->n == before && !w.oom) {
    snprintf(msg, sizeof msg,
             recursive ? "%s: no SYSTEM hive found in this folder or below"
                       : "%s: no Windows/System32/config/SYSTEM found in this "
                         "folder or below (-r takes every hive named SYSTEM)",
             target);
    if (!sm_found_add(l, target, NULL, NULL, NULL, msg, SM_ROLE_SYSTEM))
      w.oom = true;
  }
  bool ok = !w.oom;
  sm_walker_free(&w);
  return ok;
}
