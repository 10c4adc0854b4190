/* The parse cache: each baseline file's YAML tree, parsed once per cache
 * and known by its real path and identity (see checks/baseline.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/baseline-internal.h"

sm_baseline_parse_cache *sm_baseline_parse_cache_new(void) {
  sm_baseline_parse_cache *c = calloc(1, sizeof *c);
  if (c && pthread_mutex_init(&c->lock, NULL) != 0) {
    free(c);
    c = NULL;
  }
  return c;
}

void sm_baseline_parse_cache_free(sm_baseline_parse_cache *c) {
  if (!c)
    return;
  for (size_t i = 0; i < c->n_files; i++) {
    sm_yaml_free(c->files[i]->root);
    free(c->files[i]->real);
    free(c->files[i]);
  }
  free(c->files);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

sm_baseline_parse_stats
sm_baseline_parse_cache_stats(sm_baseline_parse_cache *c) {
  pthread_mutex_lock(&c->lock);
  sm_baseline_parse_stats s = c->stats;
  pthread_mutex_unlock(&c->lock);
  return s;
}

static bool same_time(const struct timespec *a, const struct timespec *b) {
  return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool same_file(const parsed_file *p, const struct stat *st) {
  return p->dev == st->st_dev && p->ino == st->st_ino &&
         p->size == st->st_size && same_time(&p->mtime, &st->st_mtim) &&
         same_time(&p->ctime, &st->st_ctim);
}

static parsed_file *cache_slot(sm_baseline_parse_cache *c, const char *real) {
  for (size_t i = 0; i < c->n_files; i++)
    if (strcmp(c->files[i]->real, real) == 0)
      return c->files[i];
  return NULL;
}

parsed_file *sm_bl_cache_find(sm_baseline_parse_cache *c, const char *real,
                              const struct stat *st) {
  parsed_file *p = cache_slot(c, real);
  return p && same_file(p, st) ? p : NULL;
}

parsed_file *sm_bl_cache_put(sm_baseline_parse_cache *c, const char *real,
                             const struct stat *st, yd_node *root) {
  parsed_file *p = cache_slot(c, real);
  if (p) {
    if (p->busy)
      return NULL;
    sm_yaml_free(p->root);
  } else {
    if (!sm_grow(&c->files, c->n_files, sizeof *c->files))
      return NULL;
    if (!(p = calloc(1, sizeof *p)))
      return NULL;
    if (!(p->real = strdup(real))) {
      free(p);
      return NULL;
    }
    c->files[c->n_files++] = p;
  }
  p->dev = st->st_dev;
  p->ino = st->st_ino;
  p->size = st->st_size;
  p->mtime = st->st_mtim;
  p->ctime = st->st_ctim;
  p->root = root;
  return p;
}
