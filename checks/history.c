/* The history of each finding across the states of a volume the evidence
 * holds: the live hive, its RegBack copy, its volume shadow copies, and
 * values and keys recovered from free cells.  A finding is the same in two states when its rule, its
 * key below the control set, its value and its observed data are; the time
 * of a state is the last write of the finding's key there, or a shadow
 * copy's creation time. */
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

static bool terminal(const struct sm_seen *e) {
  return strcmp(e->source, "live") == 0 || strcmp(e->source, "deleted") == 0;
}

/* Add state e to f's history: the live hive's state (or its free cells')
 * last, the older ones in time order before it, each once.  Full: the
 * oldest and the newest are kept. */
static void seen_add(sm_finding *f, const struct sm_seen *e) {
  enum { MAX = sizeof f->seen / sizeof f->seen[0] };
  size_t pos = f->n_seen;
  for (size_t i = 0; i < f->n_seen; i++) {
    const struct sm_seen *g = &f->seen[i];
    if (strcmp(g->source, e->source) == 0 && g->time == e->time &&
        strcmp(g->store, e->store) == 0)
      return;
    if (pos == f->n_seen && !terminal(e) && (terminal(g) || g->time > e->time))
      pos = i;
  }
  struct sm_seen all[MAX + 1];
  memcpy(all, f->seen, pos * sizeof all[0]);
  all[pos] = *e;
  memcpy(all + pos + 1, f->seen + pos, (f->n_seen - pos) * sizeof all[0]);
  size_t n = f->n_seen + 1;
  if (n > MAX) { /* drop the second oldest */
    memmove(all + 1, all + 2, (n - 2) * sizeof all[0]);
    n--;
  }
  memcpy(f->seen, all, n * sizeof all[0]);
  f->n_seen = n;
}

static struct sm_seen state(const char *source, uint64_t time,
                            const char *store) {
  struct sm_seen e = {.source = source, .time = time};
  snprintf(e.store, sizeof e.store, "%s", store ? store : "");
  return e;
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

/* Gone by the live key's last write, else the live hive's. */
static uint64_t gone_since(const sm_scan_result *live, const sm_finding *o) {
  sm_key k;
  if (live->h &&
      sm_key_lookup(live->h, sm_hive_root(live->h), o->key, &k, NULL) == SM_OK)
    return sm_key_last_write(live->h, k);
  if (live->h && live->cs_key &&
      sm_key_lookup(live->h, live->cs_key, below_cs(o->key), &k, NULL) ==
          SM_OK)
    return sm_key_last_write(live->h, k);
  return key_time(live, o->key, live->hive.last_written);
}

static sm_finding *removed_same(sm_scan_result *live, const sm_finding *o) {
  for (size_t i = 0; i < live->removed.n_findings; i++)
    if (sm_finding_same(&live->removed.findings[i], o))
      return &live->removed.findings[i];
  return NULL;
}

bool sm_scan_history_of(sm_scan_result *live, const sm_scan_result *older,
                        const char *source, uint64_t time, const char *store) {
  for (size_t i = 0; i < live->n_reports; i++)
    for (size_t j = 0; j < live->reports[i].n_findings; j++) {
      sm_finding *f = &live->reports[i].findings[j];
      const sm_finding *o = find_in(older, f, false);
      struct sm_seen now =
          state(f->recovered ? "deleted" : "live", f->last_write, NULL);
      seen_add(f, &now);
      if (o) {
        struct sm_seen then = state(source, time ? time : o->last_write, store);
        seen_add(f, &then);
      }
    }
  /* What the older state had and the live hive has not, even in its free
   * cells (a recovered finding stands for itself, with its history). */
  for (size_t i = 0; i < older->n_reports; i++)
    for (size_t j = 0; j < older->reports[i].n_findings; j++) {
      const sm_finding *o = &older->reports[i].findings[j];
      if (o->recovered || o->rule == sm_scan_damaged_rule() ||
          find_in(live, o, false) || find_in(live, o, true))
        continue;
      struct sm_seen then = state(source, time ? time : o->last_write, store);
      sm_finding *had = removed_same(live, o);
      if (had) {
        seen_add(had, &then);
        continue;
      }
      sm_finding copy = *o;
      copy.n_seen = 0;
      copy.files = NULL; /* owned by the older result */
      copy.n_files = 0;
      seen_add(&copy, &then);
      copy.removed_since = gone_since(live, o);
      if (sm_report_add(&live->removed, live->baseline, 0, &copy) != SM_OK)
        return false;
    }
  return true;
}

bool sm_scan_history(sm_scan_result *live, const sm_scan_result *older,
                     const char *source) {
  return sm_scan_history_of(live, older, source, 0, NULL);
}

void sm_scan_history_gone(sm_scan_result *live, const struct sm_seen *states,
                          size_t n) {
  for (size_t i = 0; i < live->removed.n_findings; i++) {
    sm_finding *f = &live->removed.findings[i];
    uint64_t last = f->n_seen ? f->seen[f->n_seen - 1].time : 0;
    for (size_t k = 0; k < n; k++) {
      bool had = false;
      for (size_t j = 0; j < f->n_seen && !had; j++)
        had = strcmp(f->seen[j].source, states[k].source) == 0 &&
              strcmp(f->seen[j].store, states[k].store) == 0;
      if (!had && states[k].time > last &&
          (!f->removed_since || states[k].time < f->removed_since))
        f->removed_since = states[k].time;
    }
  }
}

sm_scan_shadow *sm_scan_shadow_dup(const sm_scan_shadow *s) {
  sm_scan_shadow *c = s ? calloc(1, sizeof *c) : NULL;
  if (!c)
    return NULL;
  *c = *s;
  c->id = s->id ? strdup(s->id) : NULL;
  c->volume = s->volume ? strdup(s->volume) : NULL;
  c->path = s->path ? strdup(s->path) : NULL;
  if ((s->id && !c->id) || (s->volume && !c->volume) ||
      (s->path && !c->path)) {
    sm_scan_shadow_free(c); /* a field lost is no copy */
    return NULL;
  }
  return c;
}

void sm_scan_shadow_free(sm_scan_shadow *s) {
  if (!s)
    return;
  free(s->id);
  free(s->volume);
  free(s->path);
  free(s);
}

void sm_scan_regback_history(const sm_scan_target *t, const sm_scan_options *o,
                             sm_baseline_set *set, sm_scan_result *r) {
  sm_scan_target rt = {.name = t->regback,
                       .path = t->regback,
                       .role = "regback",
                       .open = t->open_regback,
                       .open_data = t->open_data};
  sm_scan_result rr;
  sm_scan_options oo = *o;
  oo.unmerged = true; /* compared rule by rule, merged with the live hive */
  sm_scan(&rt, &oo, set, &rr);
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
