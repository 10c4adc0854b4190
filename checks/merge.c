/* One change, one result: the findings that several rules make about the
 * same change (a learned baseline's rule, a shipped rule, the boot plan's,
 * the files' rules, all about one BootExecute entry or one KnownDLL) are
 * merged into one, at the highest severity any of them gives it, the
 * others kept in its `also` with their own rule, severity and reasons. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/grow.h"
#include "checks/audit.h"
#include "checks/files.h"

static bool same_name(const char *a, const char *b) {
  return a == b || (a && b && strcasecmp(a, b) == 0);
}

/* A finding that judges its value whole: a rule on the value's data as
 * stored (no parser), or a key's policy on a value no rule names (it is
 * there at all).  It is about whatever entry changed, and goes with a
 * finding of one of the value's entries. */
static bool whole_value(const sm_finding *f) {
  const sm_rule *r = f->rule;
  return f->value && (r->value ? r->parse == SM_PARSE_NONE
                               : r->has_values_policy && r->values.report);
}

/* Whether f may be about the change that head (and its also) is about:
 * the same control set, key and value, both suppressed or neither, both
 * recovered or neither, and a rule none of them has.  Then (exact) the
 * same observed item, or (loose, for a value) a rule on one side that
 * judges the value whole. */
static bool same_change(const sm_finding *head, const sm_finding *f,
                        bool loose) {
  if (head->control_set != f->control_set || !same_name(head->key, f->key) ||
      !same_name(head->value, f->value) ||
      head->suppressed != f->suppressed || head->recovered != f->recovered ||
      head->rule == f->rule)
    return false;
  bool observed = same_name(head->observed, f->observed);
  bool whole = whole_value(head) || whole_value(f);
  for (size_t i = 0; i < head->n_also; i++) {
    if (head->also[i].rule == f->rule)
      return false;
    observed = observed || same_name(head->also[i].observed, f->observed);
    whole = whole || whole_value(&head->also[i]);
  }
  return loose ? whole : observed;
}

static bool has_file(const sm_finding *f, const char *path) {
  for (size_t j = 0; j < f->n_files; j++)
    if (same_name(f->files[j].path, path))
      return true;
  return false;
}

/* Room in lead's files for those of other it does not name (by path):
 * false on NOMEM, nothing else changed. */
static bool files_room(sm_finding *lead, const sm_finding *other) {
  size_t n = 0;
  for (size_t i = 0; i < other->n_files; i++)
    n += !has_file(lead, other->files[i].path);
  if (!n)
    return true;
  sm_file_fact *v =
      realloc(lead->files, (lead->n_files + n) * sizeof *lead->files);
  if (!v)
    return false;
  lead->files = v;
  return true;
}

/* The files f names that head does not, moved to head (room made by
 * files_room): the result names every file of the change. */
static void take_files(sm_finding *head, sm_finding *f) {
  size_t kept = 0;
  for (size_t i = 0; i < f->n_files; i++) {
    if (has_file(head, f->files[i].path))
      f->files[kept++] = f->files[i];
    else
      head->files[head->n_files++] = f->files[i];
  }
  f->n_files = kept;
}

/* Move f into head's also, the more severe of the two leading.  Whatever
 * can fail is done first: on NOMEM both are as they were (head keeps its
 * also, f stays a result of its own). */
static bool join(sm_finding *head, sm_finding *f) {
  bool swap = f->severity > head->severity;
  if (!sm_grow(&head->also, head->n_also, sizeof *head->also) ||
      !files_room(swap ? f : head, swap ? head : f))
    return false;
  if (swap) {
    sm_finding t = *head;
    *head = *f;
    *f = t;
    head->also = f->also; /* the list stays with the lead */
    head->n_also = f->n_also;
    f->also = NULL;
    f->n_also = 0;
  }
  take_files(head, f);
  head->also[head->n_also++] = *f;
  return true;
}

/* NULL before any name, else case-insensitive (as same_name). */
static int cmp_name(const char *a, const char *b) {
  if (!a || !b)
    return (a != NULL) - (b != NULL);
  return strcasecmp(a, b);
}

/* The order of findings that may be about one change (same_change's first
 * conditions): control set, key, value, suppressed, recovered. */
static int cmp_change(const void *x, const void *y) {
  const sm_finding *a = *(const sm_finding *const *)x,
                   *b = *(const sm_finding *const *)y;
  int c = (a->control_set > b->control_set) - (a->control_set < b->control_set);
  c = c ? c : cmp_name(a->key, b->key);
  c = c ? c : cmp_name(a->value, b->value);
  c = c ? c : (int)a->suppressed - (int)b->suppressed;
  c = c ? c : (int)a->recovered - (int)b->recovered;
  return c ? c : (a > b) - (a < b);
}

/* The group of each finding of rep: findings of one group have the same
 * control set, key, value, suppressed and recovered state; NULL when out
 * of memory. */
static size_t *groups(const sm_report *rep) {
  size_t n = rep->n_findings;
  size_t *g = malloc((n ? n : 1) * sizeof *g);
  const sm_finding **v = malloc((n ? n : 1) * sizeof *v);
  if (!g || !v) {
    free(g);
    free(v);
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    v[i] = &rep->findings[i];
  qsort(v, n, sizeof *v, cmp_change);
  for (size_t i = 0, id = 0; i < n; i++) {
    const sm_finding *a = v[i];
    if (i && (a->control_set != v[i - 1]->control_set ||
              cmp_name(a->key, v[i - 1]->key) ||
              cmp_name(a->value, v[i - 1]->value) ||
              a->suppressed != v[i - 1]->suppressed ||
              a->recovered != v[i - 1]->recovered))
      id++;
    g[a - rep->findings] = id;
  }
  free(v);
  return g;
}

/* The kept results that hold an observed text (their own or one in their
 * also), by group and text: the exact pass looks only at those, not at
 * every result of the group (a Path of 1,500 entries, each with its own
 * finding, was a million comparisons). */
typedef struct obs_entry {
  size_t group, kept, next;
  uint64_t hash;
  const char *observed; /* NULL is a text of its own */
} obs_entry;

typedef struct obs_index {
  size_t *bucket, mask;
  obs_entry *v;
  size_t n, cap;
} obs_index;

static uint64_t obs_hash(size_t group, const char *s) {
  uint64_t h = 1469598103934665603u ^ group;
  for (; s && *s; s++)
    h = (h ^ (unsigned char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s)) *
        1099511628211u;
  return s ? h : h ^ 0x9e3779b97f4a7c15u;
}

static bool obs_add(obs_index *x, size_t group, const char *observed,
                    size_t kept) {
  uint64_t h = obs_hash(group, observed);
  for (size_t e = x->bucket[h & x->mask]; e != SIZE_MAX; e = x->v[e].next)
    if (x->v[e].kept == kept && x->v[e].group == group &&
        same_name(x->v[e].observed, observed))
      return true;
  if (!sm_grow(&x->v, x->n, sizeof *x->v))
    return false;
  x->v[x->n] = (obs_entry){.group = group, .kept = kept, .hash = h,
                           .observed = observed,
                           .next = x->bucket[h & x->mask]};
  x->bucket[h & x->mask] = x->n++;
  return true;
}

/* The first kept result (in kept order) of group that holds f's observed
 * text and may take f; SIZE_MAX when none. */
static size_t obs_find(const obs_index *x, const sm_report *rep, size_t group,
                       const sm_finding *f) {
  uint64_t h = obs_hash(group, f->observed);
  size_t best = SIZE_MAX;
  for (size_t e = x->bucket[h & x->mask]; e != SIZE_MAX; e = x->v[e].next)
    if (x->v[e].hash == h && x->v[e].group == group &&
        x->v[e].kept < best && same_name(x->v[e].observed, f->observed) &&
        same_change(&rep->findings[x->v[e].kept], f, false))
      best = x->v[e].kept;
  return best;
}

/* Result k of group g holds a finding that judges its value whole: put it
 * in g's chain of such results, in kept order (once). */
static void whole_add(size_t *wnext, size_t *whead, size_t g, size_t k) {
  size_t *at = &whead[g];
  while (*at != SIZE_MAX && *at < k)
    at = &wnext[*at];
  if (*at != k) {
    wnext[k] = *at;
    *at = k;
  }
}

/* Each finding is compared only with the results of its group that hold
 * its observed text, then (loose) with those of its group, in the order
 * they were kept: heads[g] the first of group g, next[k] the one after
 * result k. */
sm_result sm_report_merge(sm_report *rep) {
  size_t n = rep->n_findings, *group = groups(rep), nb = 16;
  while (nb < 2 * n)
    nb *= 2;
  size_t *head = malloc((n ? n : 1) * sizeof *head),
         *tail = malloc((n ? n : 1) * sizeof *tail),
         *next = malloc((n ? n : 1) * sizeof *next),
         *whead = malloc((n ? n : 1) * sizeof *whead),
         *wnext = malloc((n ? n : 1) * sizeof *wnext);
  obs_index ox = {.bucket = malloc(nb * sizeof *ox.bucket), .mask = nb - 1};
  bool ready = group && head && tail && next && whead && wnext && ox.bucket;
  sm_result rc = ready ? SM_OK : SM_ERR_NOMEM;
  size_t kept = 0;
  for (size_t i = 0; rc == SM_OK && i < n; i++)
    head[i] = whead[i] = wnext[i] = SIZE_MAX;
  for (size_t i = 0; ready && i < nb; i++)
    ox.bucket[i] = SIZE_MAX;
  for (size_t i = 0; ready && i < n; i++) {
    sm_finding *f = &rep->findings[i];
    size_t id = group[i], g = SIZE_MAX;
    /* The same observed item first, else a value judged whole. */
    if (rc == SM_OK)
      g = obs_find(&ox, rep, id, f);
    /* Loose: a value judged whole on one side (a result holds such a
     * finding: whead's chain; or f is one: any result). */
    bool fw = whole_value(f);
    size_t *chain = fw ? next : wnext;
    for (size_t h = rc == SM_OK && g == SIZE_MAX ? (fw ? head : whead)[id]
                                                 : SIZE_MAX;
         h != SIZE_MAX && g == SIZE_MAX; h = chain[h])
      if (same_change(&rep->findings[h], f, true))
        g = h;
    if (g != SIZE_MAX) {
      const char *obs = f->observed;
      bool whole = whole_value(f);
      if (join(&rep->findings[g], f)) {
        if (whole)
          whole_add(wnext, whead, id, g);
        if (!obs_add(&ox, id, obs, g))
          rc = SM_ERR_NOMEM; /* f joined; what follows is kept apart */
        continue;
      }
      rc = SM_ERR_NOMEM; /* f and those after it are kept as they are */
    }
    if (kept != i)
      rep->findings[kept] = *f;
    if (whole_value(&rep->findings[kept]))
      whole_add(wnext, whead, id, kept);
    if (rc == SM_OK && !obs_add(&ox, id, rep->findings[kept].observed, kept))
      rc = SM_ERR_NOMEM;
    next[kept] = SIZE_MAX;
    if (head[id] == SIZE_MAX)
      head[id] = kept;
    else
      next[tail[id]] = kept;
    tail[id] = kept++;
  }
  if (ready)
    rep->n_findings = kept;
  free(group);
  free(head);
  free(tail);
  free(next);
  free(whead);
  free(wnext);
  free(ox.bucket);
  free(ox.v);
  return rc;
}
