/* Which baseline each hive is audited against: the set of baselines a run
 * was given (or the shipped family baselines, each loaded the first time a
 * hive of that family needs it) and the choice for one hive. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scan.h"

int sm_baseline_set_init(sm_baseline_set *s, const char *const *names, size_t n,
                         sm_error *err) {
  memset(s, 0, sizeof *s);
  pthread_mutex_init(&s->lock, NULL);
  /* Without it (out of memory), each load parses its files itself. */
  s->parsed = sm_baseline_parse_cache_new();
  if (n && sm_baseline_load_many_cached(s->parsed, names, n, &s->given, err) !=
               SM_OK)
    return -1;
  /* Over each hive's family: loaded again for each family met. */
  if (s->given && s->given->overlay) {
    if (!(s->names = calloc(n, sizeof *s->names)))
      return sm_error_set(err, SM_ERR_NOMEM, "out of memory"), -1;
    for (; s->n_names < n; s->n_names++)
      if (!(s->names[s->n_names] = strdup(names[s->n_names])))
        return sm_error_set(err, SM_ERR_NOMEM, "out of memory"), -1;
  }
  return 0;
}

void sm_baseline_set_destroy(sm_baseline_set *s) {
  sm_baseline_parse_cache_free(s->parsed);
  sm_baseline_free(s->given);
  for (size_t i = 0; i < s->n_names; i++)
    free(s->names[i]);
  free(s->names);
  for (size_t i = 0; i < s->n_family; i++) {
    free(s->family[i].name);
    sm_baseline_free(s->family[i].b);
    free(s->family[i].error);
  }
  pthread_mutex_destroy(&s->lock);
}

/* A family's shipped baseline, loaded the first time a hive needs it. */
static const sm_baseline *family_baseline(sm_baseline_set *s, const char *name,
                                          char *errbuf, size_t size) {
  const sm_baseline *b = NULL;
  pthread_mutex_lock(&s->lock);
  size_t i = 0;
  for (; i < s->n_family; i++)
    if (strcmp(s->family[i].name, name) == 0)
      break;
  if (i == s->n_family && i < sizeof s->family / sizeof s->family[0]) {
    sm_error err = {0};
    s->family[i].name = strdup(name);
    sm_result rc =
        s->given && s->given->overlay
            ? sm_baseline_load_over(s->parsed, (const char *const *)s->names,
                                    s->n_names, name, &s->family[i].b, &err)
            : sm_baseline_load_cached(s->parsed, name, &s->family[i].b, &err);
    if (rc != SM_OK)
      s->family[i].error = strdup(err.msg);
    s->n_family++;
  }
  if (i < s->n_family) {
    b = s->family[i].b;
    if (!b)
      snprintf(errbuf, size, "%s",
               s->family[i].error ? s->family[i].error : "out of memory");
  } else {
    snprintf(errbuf, size, "too many baselines");
  }
  pthread_mutex_unlock(&s->lock);
  return b;
}

void sm_baseline_set_preload(sm_baseline_set *s) {
  char errbuf[600];
  if (s->given && !s->given->overlay)
    return;
  for (size_t i = 0; i < SM_N_FAMILY_BASELINES; i++)
    family_baseline(s, sm_family_baselines[i], errbuf, sizeof errbuf);
}

/* A given baseline written for one family, used on a hive of another: its
 * rules and suppressions were not written for what that hive holds. */
static void warn_other_family(const sm_baseline *b, sm_scan_result *r) {
  if (!b->family || strcmp(b->family, r->family.baseline) == 0)
    return;
  char msg[1400];
  snprintf(msg, sizeof msg,
           "the baseline %s is for %s, but the hive is %s (%s); its rules "
           "may not hold there (extends: detected applies a baseline over "
           "each hive's own family)",
           b->name, b->family, sm_family_label(r->family.rank),
           r->family.why);
  sm_scan_warn(r, msg);
}

bool sm_scan_choose_baseline(sm_baseline_set *set, sm_scan_result *r) {
  r->has_baseline = true;
  if (set->given && !set->given->overlay) {
    r->baseline = set->given;
    r->baseline_given = true;
    r->baseline_name = strdup(set->given->name);
    r->baseline_reason = strdup("--baseline");
    r->family_of_given = set->given->family;
    warn_other_family(set->given, r);
    return true;
  }
  char berr[600];
  r->detected = true;
  r->baseline_reason = strdup(r->family.why);
  r->baseline = family_baseline(set, r->family.baseline, berr, sizeof berr);
  if (set->given) { /* an overlay, on the family detected */
    r->baseline_given = true;
    r->overlay = true;
    r->baseline_name = strdup(set->given->name);
  } else {
    r->baseline_name = strdup(r->family.baseline);
  }
  if (!r->baseline) {
    sm_scan_fail(r, berr);
    return false;
  }
  return true;
}
