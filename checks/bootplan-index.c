/* Which action of the boot plan a finding judges, through an index of the
 * actions by key and value built once with the plan: a finding looks only
 * at the actions of its own key and value, so a key of 4,000 KnownDLLs
 * with a finding each costs 4,000 lookups, not 16 million comparisons. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/bootplan-build.h"

struct sm_boot_index {
  /* The actions with a key, by key, then value (NULL first), both as
   * Windows compares names (sm_value_name_eq), then in plan order. */
  const sm_boot_action **by_value;
  size_t n_value;
  /* The actions with a key and a second value (also), likewise. */
  const sm_boot_action **by_also;
  size_t n_also;
  /* For each action with a key and a value: how many actions have that
   * key and value spelled exactly so (a list's entries share them). */
  size_t *same;
};

/* A value name as Windows compares it: "@" is the default value, "". */
static const char *canon(const char *name) {
  return strcmp(name, "@") == 0 ? "" : name;
}

/* NULL before any name, else as sm_value_name_eq compares. */
static int cmp_name(const char *a, const char *b) {
  if (!a || !b)
    return (a != NULL) - (b != NULL);
  return strcasecmp(canon(a), canon(b));
}

static int cmp_key_value(const void *x, const void *y) {
  const sm_boot_action *a = *(const sm_boot_action *const *)x,
                       *b = *(const sm_boot_action *const *)y;
  int c = strcasecmp(a->key, b->key);
  c = c ? c : cmp_name(a->value, b->value);
  return c ? c : (a > b) - (a < b);
}

static int cmp_key_also(const void *x, const void *y) {
  const sm_boot_action *a = *(const sm_boot_action *const *)x,
                       *b = *(const sm_boot_action *const *)y;
  int c = strcasecmp(a->key, b->key);
  c = c ? c : cmp_name(a->also, b->also);
  return c ? c : (a > b) - (a < b);
}

/* Exact spelling, for the count of a list's entries. */
static int cmp_exact(const void *x, const void *y) {
  const sm_boot_action *a = *(const sm_boot_action *const *)x,
                       *b = *(const sm_boot_action *const *)y;
  int c = strcmp(a->key, b->key);
  c = c ? c : strcmp(a->value, b->value);
  return c ? c : (a > b) - (a < b);
}

static bool same_exact(const sm_boot_action *a, const sm_boot_action *b) {
  return strcmp(a->key, b->key) == 0 && strcmp(a->value, b->value) == 0;
}

/* The actions of p that want (has a key, and also when also), sorted by
 * cmp; NULL with *n 0 when there are none. */
static bool collect(const sm_boot_plan *p, bool also, bool value,
                    int (*cmp)(const void *, const void *),
                    const sm_boot_action ***out, size_t *n) {
  *n = 0;
  *out = NULL;
  if (!p->n_actions)
    return true;
  if (!(*out = malloc(p->n_actions * sizeof **out)))
    return false;
  for (size_t i = 0; i < p->n_actions; i++) {
    const sm_boot_action *a = &p->actions[i];
    if (a->key && (!also || a->also) && (!value || a->value))
      (*out)[(*n)++] = a;
  }
  qsort(*out, *n, sizeof **out, cmp);
  return true;
}

/* The counts of exact key and value, through a sort by them. */
static bool count_same(const sm_boot_plan *p, size_t *same) {
  const sm_boot_action **v;
  size_t n;
  if (!collect(p, false, true, cmp_exact, &v, &n))
    return false;
  for (size_t i = 0, j; i < n; i = j) {
    for (j = i + 1; j < n && same_exact(v[i], v[j]); j++)
      ;
    for (size_t k = i; k < j; k++)
      same[v[k] - p->actions] = j - i;
  }
  free(v);
  return true;
}

void sm_boot_index_free(sm_boot_index *x) {
  if (!x)
    return;
  free(x->by_value);
  free(x->by_also);
  free(x->same);
  free(x);
}

sm_result sm_boot_index_build(sm_boot_plan *p) {
  sm_boot_index *x = calloc(1, sizeof *x);
  if (!x || !(x->same = calloc(p->n_actions + 1, sizeof *x->same)) ||
      !collect(p, false, false, cmp_key_value, &x->by_value, &x->n_value) ||
      !collect(p, true, false, cmp_key_also, &x->by_also, &x->n_also) ||
      !count_same(p, x->same)) {
    sm_boot_index_free(x);
    return SM_ERR_NOMEM;
  }
  p->index = x;
  return SM_OK;
}

/* Where action a lies from key and name (NULL: the key alone), by its
 * value or its also: below (<0), on (0) or above (>0). */
static int probe(const sm_boot_action *a, bool also, const char *key,
                 const char *name) {
  int c = strcasecmp(a->key, key);
  if (c || !name)
    return c;
  const char *an = also ? a->also : a->value;
  return an ? strcasecmp(canon(an), canon(name)) : -1;
}

/* The run [*lo, *hi) of v[0..n) on key and name: two binary searches. */
static void range(const sm_boot_action *const *v, size_t n, bool also,
                  const char *key, const char *name, size_t *lo, size_t *hi) {
  size_t a = 0, b = n;
  while (a < b) {
    size_t m = a + (b - a) / 2;
    if (probe(v[m], also, key, name) < 0)
      a = m + 1;
    else
      b = m;
  }
  *lo = a;
  for (b = n; a < b;) {
    size_t m = a + (b - a) / 2;
    if (probe(v[m], also, key, name) <= 0)
      a = m + 1;
    else
      b = m;
  }
  *hi = a;
}

static bool contains_ci(const char *hay, const char *needle) {
  if (!hay || !needle || !*needle)
    return false;
  size_t n = strlen(needle);
  for (; *hay; hay++)
    if (strncasecmp(hay, needle, n) == 0)
      return true;
  return false;
}

/* How well action a fits observed: 2 an item, file or argument named, 1
 * from the value only. */
static int fit(const sm_boot_action *a, const char *observed) {
  if (!observed)
    return 1;
  if (contains_ci(observed, a->item) || contains_ci(observed, a->args))
    return 2;
  for (size_t i = 0; i < a->n_files; i++)
    if (contains_ci(observed, a->files[i].resolved) ||
        contains_ci(observed, a->files[i].written))
      return 2;
  return 1;
}

/* The best action so far: the best fit, then the one fewest findings went
 * to, then the first in plan order. */
typedef struct best {
  const sm_boot_plan *p;
  const sm_finding *f;
  const unsigned *taken;
  long i;
  int fit;
} best;

static void consider(best *b, const sm_boot_action *a, bool by_value) {
  long i = (long)(a - b->p->actions);
  int q = fit(a, b->f->observed) + (by_value ? 1 : 0);
  unsigned ti = b->taken ? b->taken[i] : 0,
           tb = b->taken && b->i >= 0 ? b->taken[b->i] : 0;
  if (q > b->fit || (q == b->fit && (ti < tb || (ti == tb && i < b->i)))) {
    b->fit = q;
    b->i = i;
  }
}

long sm_boot_plan_action_of(const sm_boot_plan *p, const sm_finding *f,
                            const unsigned *taken) {
  if (!p || !p->index || !f->key)
    return -1;
  const sm_boot_index *x = p->index;
  /* ControlSet001\Control\...: the key below the control set. */
  const char *key = f->key;
  if (strncasecmp(key, "ControlSet", 10) == 0 && strchr(key, '\\'))
    key = strchr(key, '\\') + 1;
  best b = {.p = p, .f = f, .taken = taken, .i = -1, .fit = 0};
  size_t lo, hi;
  /* Without a value: every action of the key. */
  range(x->by_value, x->n_value, false, key, f->value, &lo, &hi);
  for (size_t k = lo; k < hi; k++)
    consider(&b, x->by_value[k], f->value != NULL);
  if (!f->value)
    return b.i;
  /* The actions that read the value as their second (DllDirectory). */
  range(x->by_also, x->n_also, true, key, f->value, &lo, &hi);
  for (size_t k = lo; k < hi; k++) {
    const sm_boot_action *a = x->by_also[k];
    if (!a->value || !sm_value_name_eq(a->value, f->value))
      consider(&b, a, false);
  }
  return b.i;
}

size_t sm_boot_plan_same(const sm_boot_plan *p, size_t i) {
  return p->index && i < p->n_actions ? p->index->same[i] : 0;
}
