/* The history of each finding across the states of a volume the evidence
 * holds: the live hive, its RegBack copy, and values and keys recovered
 * from free cells.  A finding is the same in two states when its rule, its
 * key below the control set, its value and its observed data are; the time
 * of a state is the last write of the finding's key there. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/scan.h"

/* "Control\\Session Manager" of "ControlSet001\\Control\\Session Manager";
 * a root key as it is. */
static const char *below_cs(const char *key) {
  if (strncasecmp(key, "ControlSet", 10) == 0) {
    const char *bs = strchr(key, '\\');
    if (bs)
      return bs + 1;
  }
  return key;
}

static bool same_str(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

bool sm_finding_same(const sm_finding *a, const sm_finding *b) {
  return a->rule == b->rule &&
         strcasecmp(below_cs(a->key), below_cs(b->key)) == 0 &&
         same_str(a->value, b->value) && same_str(a->observed, b->observed);
}

static void seen_add(sm_finding *f, const char *source, uint64_t time) {
  if (f->n_seen < sizeof f->seen / sizeof f->seen[0])
    f->seen[f->n_seen++] = (struct sm_seen){source, time};
}

static const sm_finding *find_in(const sm_scan_result *r, const sm_finding *f,
                                 bool recovered) {
  for (size_t i = 0; i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++) {
      const sm_finding *g = &r->reports[i].findings[j];
      if (g->recovered == recovered && sm_finding_same(g, f))
        return g;
    }
  return NULL;
}

/* The last write of key as a finding of r gives it (the hive closed). */
static uint64_t key_time(const sm_scan_result *r, const char *key,
                         uint64_t dflt) {
  for (size_t i = 0; i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++) {
      const sm_finding *g = &r->reports[i].findings[j];
      if (!g->recovered && g->last_write &&
          strcasecmp(below_cs(g->key), below_cs(key)) == 0)
        return g->last_write;
    }
  return dflt;
}

bool sm_scan_history(sm_scan_result *live, const sm_scan_result *older,
                     const char *source) {
  for (size_t i = 0; i < live->n_reports; i++)
    for (size_t j = 0; j < live->reports[i].n_findings; j++) {
      sm_finding *f = &live->reports[i].findings[j];
      const sm_finding *o = find_in(older, f, false);
      f->n_seen = 0;
      if (o)
        seen_add(f, source, o->last_write);
      seen_add(f, f->recovered ? "deleted" : "live", f->last_write);
    }
  /* What the older state had and the live hive has not, even in its free
   * cells (a recovered finding stands for itself, with its history). */
  for (size_t i = 0; i < older->n_reports; i++)
    for (size_t j = 0; j < older->reports[i].n_findings; j++) {
      const sm_finding *o = &older->reports[i].findings[j];
      if (o->recovered || o->rule == sm_scan_damaged_rule() ||
          find_in(live, o, false) || find_in(live, o, true))
        continue;
      sm_finding copy = *o;
      copy.n_seen = 0;
      copy.files = NULL; /* owned by the older result */
      copy.n_files = 0;
      seen_add(&copy, source, o->last_write);
      /* Gone by the live key's last write, else the live hive's. */
      sm_key k;
      copy.removed_since = live->hive.last_written;
      if (live->h && sm_key_lookup(live->h, sm_hive_root(live->h), o->key, &k,
                                   NULL) == SM_OK)
        copy.removed_since = sm_key_last_write(live->h, k);
      else if (live->h && live->cs_key &&
               sm_key_lookup(live->h, live->cs_key, below_cs(o->key), &k,
                             NULL) == SM_OK)
        copy.removed_since = sm_key_last_write(live->h, k);
      else
        copy.removed_since = key_time(live, o->key, copy.removed_since);
      if (sm_report_add(&live->removed, live->baseline, 0, &copy) != SM_OK)
        return false;
    }
  return true;
}

void sm_scan_regback_history(const sm_scan_target *t, const sm_scan_options *o,
                             sm_baseline_set *set, sm_scan_result *r) {
  sm_scan_target rt = {.name = t->regback,
                       .path = t->regback,
                       .role = "regback",
                       .open = t->open_regback,
                       .open_data = t->open_data};
  sm_scan_result rr;
  sm_scan(&rt, o, set, &rr);
  if (rr.error) {
    char msg[1200];
    snprintf(msg, sizeof msg, "history: RegBack copy not compared: %s",
             rr.error);
    sm_scan_warn(r, msg);
  } else if (!sm_scan_history(r, &rr, "regback")) {
    sm_scan_fail(r, "out of memory");
  }
  sm_scan_result_free(&rr);
}
