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

/* The files f names that head does not (by path), moved to head: the
 * result names every file of the change. */
static bool take_files(sm_finding *head, sm_finding *f) {
  size_t n = 0;
  for (size_t i = 0; i < f->n_files; i++) {
    bool dup = false;
    for (size_t j = 0; j < head->n_files && !dup; j++)
      dup = same_name(head->files[j].path, f->files[i].path);
    if (!dup)
      n++;
  }
  if (!n)
    return true;
  sm_file_fact *v =
      realloc(head->files, (head->n_files + n) * sizeof *head->files);
  if (!v)
    return false;
  head->files = v;
  size_t kept = 0;
  for (size_t i = 0; i < f->n_files; i++) {
    bool dup = false;
    for (size_t j = 0; j < head->n_files && !dup; j++)
      dup = same_name(head->files[j].path, f->files[i].path);
    if (dup)
      f->files[kept++] = f->files[i];
    else
      head->files[head->n_files++] = f->files[i];
  }
  f->n_files = kept;
  return true;
}

/* Move f into head's also, the more severe of the two leading. */
static bool join(sm_finding *head, sm_finding *f) {
  if (!sm_grow(&head->also, head->n_also, sizeof *head->also))
    return false;
  if (f->severity > head->severity) {
    sm_finding t = *head;
    *head = *f;
    *f = t;
    head->also = f->also; /* the list stays with the lead */
    head->n_also = f->n_also;
    f->also = NULL;
    f->n_also = 0;
  }
  if (!take_files(head, f))
    return false;
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

/* Each finding is compared only with the results of its group (a key of
 * 4,000 KnownDLLs does not compare each with every other), in the order
 * they were kept: heads[g] the first of group g, next[k] the one after
 * result k. */
sm_result sm_report_merge(sm_report *rep) {
  size_t n = rep->n_findings, *group = groups(rep);
  size_t *head = malloc((n ? n : 1) * sizeof *head),
         *tail = malloc((n ? n : 1) * sizeof *tail),
         *next = malloc((n ? n : 1) * sizeof *next);
  sm_result rc = group && head && tail && next ? SM_OK : SM_ERR_NOMEM;
  size_t kept = 0;
  for (size_t i = 0; rc == SM_OK && i < n; i++)
    head[i] = SIZE_MAX;
  for (size_t i = 0; group && head && tail && next && i < n; i++) {
    sm_finding *f = &rep->findings[i];
    size_t id = group[i], g = rc == SM_OK ? head[id] : SIZE_MAX;
    /* The same observed item first, else a value judged whole. */
    while (g != SIZE_MAX && !same_change(&rep->findings[g], f, false))
      g = next[g];
    for (size_t h = rc == SM_OK && g == SIZE_MAX ? head[id] : SIZE_MAX;
         h != SIZE_MAX && g == SIZE_MAX; h = next[h])
      if (same_change(&rep->findings[h], f, true))
        g = h;
    if (g != SIZE_MAX) {
      if (join(&rep->findings[g], f))
        continue;
      rc = SM_ERR_NOMEM; /* f and those after it are kept as they are */
    }
    if (kept != i)
      rep->findings[kept] = *f;
    next[kept] = SIZE_MAX;
    if (head[id] == SIZE_MAX)
      head[id] = kept;
    else
      next[tail[id]] = kept;
    tail[id] = kept++;
  }
  if (group && head && tail && next)
    rep->n_findings = kept;
  free(group);
  free(head);
  free(tail);
  free(next);
  return rc;
}
