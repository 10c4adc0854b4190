/* Which action of the boot plan a finding judges, through an index of the
 * actions by key and value built once with the plan: a finding looks only
 * at the actions of its own key and value, so a key of 4,000 KnownDLLs
 * with a finding each costs 4,000 lookups, not 16 million comparisons. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/grow.h"
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
  /* The strings each action of by_value is named by (its item, arguments
   * and files' paths), lowercased, by run of by_value (one key and
   * value), length and hash: a finding finds the actions its observed
   * text names with one rolling hash per length, not by searching its
   * text for every action's strings (a list of 4,000 entries with a
   * finding each was 16 million searches). */
  struct sm_needle *needles;
  size_t n_needles;
  size_t *run_of; /* by_value position -> its run's first position */
};

typedef struct sm_needle {
  size_t run; /* by_value position of the run's first action */
  size_t len;
  uint64_t hash;
  size_t action; /* index into the plan's actions */
  char *text;    /* lowercased */
} sm_needle;

#define HASH_BASE 1099511628211u

static char lower(char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static uint64_t hash_of(const char *s, size_t n) {
  uint64_t h = 0;
  for (size_t i = 0; i < n; i++)
    h = h * HASH_BASE + (unsigned char)s[i];
  return h;
}

static int cmp_needle(const void *x, const void *y) {
  const sm_needle *a = x, *b = y;
  if (a->run != b->run)
    return a->run < b->run ? -1 : 1;
  if (a->len != b->len)
    return a->len < b->len ? -1 : 1;
  if (a->hash != b->hash)
    return a->hash < b->hash ? -1 : 1;
  return (a->action > b->action) - (a->action < b->action);
}

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

/* One needle of the action at by_value position k, when s names it. */
static bool add_needle(sm_boot_index *x, const sm_boot_plan *p, size_t k,
                       const char *s) {
  if (!s || !*s)
    return true;
  if (!sm_grow(&x->needles, x->n_needles, sizeof *x->needles))
    return false;
  sm_needle *n = &x->needles[x->n_needles];
  n->len = strlen(s);
  if (!(n->text = malloc(n->len + 1)))
    return false;
  for (size_t i = 0; i <= n->len; i++)
    n->text[i] = lower(s[i]);
  n->run = x->run_of[k];
  n->hash = hash_of(n->text, n->len);
  n->action = (size_t)(x->by_value[k] - p->actions);
  x->n_needles++;
  return true;
}

static bool build_needles(sm_boot_index *x, const sm_boot_plan *p) {
  if (!(x->run_of = malloc((x->n_value ? x->n_value : 1) * sizeof *x->run_of)))
    return false;
  for (size_t k = 0; k < x->n_value; k++) {
    const sm_boot_action *a = x->by_value[k], *b = k ? x->by_value[k - 1] : NULL;
    x->run_of[k] = b && strcasecmp(a->key, b->key) == 0 &&
                           cmp_name(a->value, b->value) == 0
                       ? x->run_of[k - 1]
                       : k;
    bool ok = add_needle(x, p, k, a->item) &&
              add_needle(x, p, k, a->args);
    for (size_t i = 0; ok && i < a->n_files; i++)
      ok = add_needle(x, p, k, a->files[i].resolved) &&
           add_needle(x, p, k, a->files[i].written);
    if (!ok)
      return false;
  }
  if (x->n_needles)
    qsort(x->needles, x->n_needles, sizeof *x->needles, cmp_needle);
  return true;
}

void sm_boot_index_free(sm_boot_index *x) {
  if (!x)
    return;
  for (size_t i = 0; i < x->n_needles; i++)
    free(x->needles[i].text);
  free(x->needles);
  free(x->run_of);
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
      !count_same(p, x->same) || !build_needles(x, p)) {
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

/* The actions of the run at by_value position run whose strings observed
 * names, appended to *hits (unsorted, maybe repeated). */
static bool named_by(const sm_boot_index *x, size_t run, const char *observed,
                     size_t **hits, size_t *n_hits) {
  size_t s = 0, e = x->n_needles;
  while (s < e) { /* the first needle of the run */
    size_t m = s + (e - s) / 2;
    if (x->needles[m].run < run)
      s = m + 1;
    else
      e = m;
  }
  size_t len = strlen(observed);
  char *obs = malloc(len + 1);
  if (!obs)
    return false;
  for (size_t i = 0; i <= len; i++)
    obs[i] = lower(observed[i]);
  bool ok = true;
  for (size_t a = s, b; ok && a < x->n_needles && x->needles[a].run == run;
       a = b) {
    size_t l = x->needles[a].len;
    for (b = a; b < x->n_needles && x->needles[b].run == run &&
                x->needles[b].len == l;
         b++)
      ;
    if (l > len)
      break;
    uint64_t top = 1, h = hash_of(obs, l);
    for (size_t i = 1; i < l; i++)
      top *= HASH_BASE;
    for (size_t i = 0; ok && i + l <= len; i++) {
      if (i)
        h = (h - (unsigned char)obs[i - 1] * top) * HASH_BASE +
            (unsigned char)obs[i + l - 1];
      size_t lo = a, hi = b;
      while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (x->needles[m].hash < h)
          lo = m + 1;
        else
          hi = m;
      }
      for (; ok && lo < b && x->needles[lo].hash == h; lo++) {
        if (memcmp(x->needles[lo].text, obs + i, l) != 0)
          continue;
        if (!(ok = sm_grow(hits, *n_hits, sizeof **hits)))
          break;
        (*hits)[(*n_hits)++] = x->needles[lo].action;
      }
    }
  }
  free(obs);
  return ok;
}

/* consider() over the run by_value[lo, hi) of one key and value, without
 * searching observed for each action's strings: the actions it names fit
 * best, then fewest taken, then plan order.  False (b untouched) when out
 * of memory. */
static bool run_best(const sm_boot_index *x, const sm_boot_plan *p,
                     size_t lo, size_t hi, best *b) {
  size_t *hits = NULL, n = 0;
  if (b->f->observed && !named_by(x, x->run_of[lo], b->f->observed, &hits, &n)) {
    free(hits);
    return false;
  }
  long pick = -1;
  unsigned tp = 0;
  for (size_t k = 0; k < n; k++) { /* named: fit 2 */
    long i = (long)hits[k];
    unsigned ti = b->taken ? b->taken[i] : 0;
    if (pick < 0 || ti < tp || (ti == tp && i < pick))
      pick = i, tp = ti;
  }
  free(hits);
  int q = (pick >= 0 ? 2 : 1) + 1;
  if (pick < 0) /* none named: fit 1 */
    for (size_t j = lo; j < hi; j++) {
      long i = (long)(x->by_value[j] - p->actions);
      unsigned ti = b->taken ? b->taken[i] : 0;
      if (pick < 0 || ti < tp || (ti == tp && i < pick))
        pick = i, tp = ti;
    }
  b->fit = q;
  b->i = pick;
  return true;
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
  if (!f->value || lo == hi || !run_best(x, p, lo, hi, &b))
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
