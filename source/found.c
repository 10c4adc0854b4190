/* The list of hives to audit that discovery fills (source/discover.h): each
 * entry once, however many targets name or find it. */
#include <config.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source/discover.h"
#include "source/zip.h"

void sm_found_note(const sm_found_list *l, const char *fmt, ...) {
  if (!l->note)
    return;
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  l->note(l->note_ctx, msg);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* Where (dev, ino) is in the hash set, or the free slot for it. */
static size_t seen_slot(const sm_found_list *l, dev_t dev, ino_t ino) {
  size_t h = ((size_t)ino * 0x9e3779b97f4a7c15u) ^ (size_t)dev;
  size_t i = h & (l->seen_cap - 1);
  while (l->seen[i].ino && !(l->seen[i].dev == dev && l->seen[i].ino == ino))
    i = (i + 1) & (l->seen_cap - 1);
  return i;
}

/* Whether path (the file st) was listed by an earlier target, as the
 * same path once links are resolved (then said, with where); else it is
 * remembered.  A hard link elsewhere is another name, audited as given.
 * False with *oom when out of memory. */
static bool seen_before(sm_found_list *l, const struct stat *st,
                        const char *path, const char *target, bool *oom) {
  if (!st->st_ino)
    return false;
  if (2 * (l->n_seen + 1) > l->seen_cap) {
    sm_found_list old = *l;
    l->seen_cap = old.seen_cap ? 2 * old.seen_cap : 64;
    if (!(l->seen = calloc(l->seen_cap, sizeof *l->seen))) {
      *l = old;
      *oom = true;
      return false;
    }
    for (size_t i = 0; i < old.seen_cap; i++)
      if (old.seen[i].ino)
        l->seen[seen_slot(l, old.seen[i].dev, old.seen[i].ino)] = old.seen[i];
    free(old.seen);
  }
  size_t i = seen_slot(l, st->st_dev, st->st_ino);
  if (!l->seen[i].ino) {
    l->seen[i] = (struct sm_seen_id){st->st_dev, st->st_ino, l->n_targets};
    l->n_seen++;
    return false;
  }
  char *real = realpath(path, NULL);
  bool dup = false;
  for (size_t k = 0; real && !dup && k < l->n; k++) {
    struct stat o;
    char *other = NULL;
    dup = l->v[k].path && stat(l->v[k].path, &o) == 0 &&
          o.st_dev == st->st_dev && o.st_ino == st->st_ino &&
          l->n_targets != l->seen[i].target &&
          (other = realpath(l->v[k].path, NULL)) && strcmp(other, real) == 0;
    free(other);
    if (dup && strcmp(target, l->v[k].target) == 0)
      sm_found_note(l, "%s: named or found twice; audited once", target);
    else if (dup)
      sm_found_note(l, "%s: the same hive as %s; audited once", target,
                   l->v[k].target);
  }
  free(real);
  return dup;
}

/* The name Windows gave a volume a Velociraptor collection holds, from
 * its folder uploads/<accessor>/<%-encoded name> ("%5C%5C.%5CC%3A" is
 * \\.\C:), or NULL when volume is no such folder. */
static char *collection_volume_name(const char *volume) {
  const char *c[3] = {NULL, NULL, NULL}, *end = volume + strlen(volume);
  while (end > volume && end[-1] == '/')
    end--;
  const char *p = end;
  for (int i = 2; i >= 0; i--) {
    const char *stop = p;
    while (p > volume && p[-1] != '/')
      p--;
    c[i] = p;
    if (i == 0 && (size_t)(stop - p) == 7 && !strncmp(p, "uploads", 7))
      break;
    if (i == 0 || p == volume)
      return NULL;
    p--;
  }
  char *out = malloc((size_t)(end - c[2]) + 1), *o = out;
  for (const char *q = c[2]; out && q < end; q++) {
    unsigned v;
    if (q[0] == '%' && q + 2 < end + 0 && sscanf(q + 1, "%2x", &v) == 1 &&
        v && isxdigit((unsigned char)q[1]) && isxdigit((unsigned char)q[2])) {
      *o++ = (char)v;
      q += 2;
    } else {
      *o++ = *q;
    }
  }
  if (out)
    *o = '\0';
  return out;
}

bool sm_found_add(sm_found_list *l, const char *target, const char *path,
                  const char *software, const char *volume, const char *error,
                  sm_role role) {
  struct stat st;
  bool oom = false;
  if (path && stat(path, &st) == 0 && seen_before(l, &st, path, target, &oom))
    return true;
  if (oom)
    return false;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    sm_found *v = realloc(l->v, cap * sizeof *v);
    if (!v)
      return false;
    l->v = v;
    l->cap = cap;
  }
  sm_found *f = &l->v[l->n];
  f->target = strdup(target);
  f->path = dup_or_null(path);
  f->software = dup_or_null(software);
  f->volume = dup_or_null(volume);
  f->volume_name = volume ? collection_volume_name(volume) : NULL;
  f->error = dup_or_null(error);
  f->role = role;
  f->image = false;
  f->inner = NULL;
  f->shadow_store = 0;
  f->held = false;
  f->shadow_regback = false;
  f->rel = 0;
  f->live = f->live_path = f->regback = f->regback_path = NULL;
  if (!f->target || (path && !f->path) || (software && !f->software) ||
      (volume && !f->volume) || (error && !f->error)) {
    free(f->target);
    free(f->path);
    free(f->software);
    free(f->volume);
    free(f->volume_name);
    free(f->error);
    return false;
  }
  l->n++;
  return true;
}

bool sm_found_add_dir(sm_found_list *l, const struct stat *st) {
  struct sm_dir_id *d = realloc(l->dirs, (l->n_dirs + 1) * sizeof *d);
  if (!d)
    return false;
  l->dirs = d;
  d[l->n_dirs].dev = st->st_dev;
  d[l->n_dirs].ino = st->st_ino;
  l->n_dirs++;
  return true;
}

/* Entries from..l->n were found below the folder target: their names
 * relative to it, for --shard. */
void sm_found_set_rel(sm_found_list *l, size_t from, const char *target) {
  size_t len = strlen(target);
  for (size_t i = from; i < l->n; i++) {
    const char *t = l->v[i].target;
    if (strncmp(t, target, len) != 0)
      continue;
    size_t p = len;
    while (t[p] == '/')
      p++;
    l->v[i].rel = p;
  }
}

unsigned sm_shard_of(const char *name, unsigned n) {
  uint64_t h = 0xcbf29ce484222325u;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    h = (h ^ *p) * 0x100000001b3u;
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9u;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebu;
  h ^= h >> 31;
  return n ? (unsigned)(h % n) : 0;
}

static void found_free(sm_found *f) {
  free(f->inner);
  free(f->target);
  free(f->path);
  free(f->software);
  free(f->volume);
  free(f->volume_name);
  free(f->error);
  free(f->live);
  free(f->live_path);
  free(f->regback);
  free(f->regback_path);
}

void sm_found_shard(sm_found_list *l, unsigned k, unsigned n) {
  size_t kept = 0;
  for (size_t i = 0; i < l->n; i++) {
    if (sm_shard_of(l->v[i].target + l->v[i].rel, n) == k - 1)
      l->v[kept++] = l->v[i];
    else
      found_free(&l->v[i]);
  }
  l->n = kept;
}

void sm_found_list_free(sm_found_list *l) {
  for (size_t i = 0; i < l->n; i++)
    found_free(&l->v[i]);
  free(l->v);
  free(l->dirs);
  free(l->seen);
  for (size_t i = 0; i < l->n_tmpdirs; i++) {
    sm_zip_remove(l->tmpdirs[i]);
    free(l->tmpdirs[i]);
  }
  free(l->tmpdirs);
  memset(l, 0, sizeof *l);
}
