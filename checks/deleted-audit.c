/* Deleted values and keys of the audited keys: hive/ recovers them from the
 * free cells into a copy of the hive; that copy is audited like the live
 * hive, and each finding the live hive does not have is added to the
 * result, marked recovered.  The audit of a recovered state is the same
 * code as the live one's: nothing here judges a value. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scan.h"

#define MAX_KEYS 1024 /* audited keys looked at per hive */

typedef struct keyset {
  sm_key k[MAX_KEYS];
  char *path[MAX_KEYS];
  size_t n;
} keyset;

/* The key at path below base, or the deepest that exists on the way (a
 * key deleted whole is found below its parent). */
static void add_key(sm_hive *h, sm_key base, const char *prefix,
                    const char *path, keyset *ks) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", path);
  sm_key k = 0;
  while (sm_key_lookup(h, base, buf, &k, NULL) != SM_OK) {
    char *bs = strrchr(buf, '\\');
    if (!bs)
      return;
    *bs = '\0';
  }
  for (size_t i = 0; i < ks->n; i++)
    if (ks->k[i] == k)
      return;
  if (ks->n == MAX_KEYS)
    return;
  char full[1100];
  snprintf(full, sizeof full, "%s%s%s", prefix, *prefix ? "\\" : "", buf);
  if (!(ks->path[ks->n] = strdup(full)))
    return;
  ks->k[ks->n++] = k;
}

/* Every key the baseline audits, in each control set audited. */
static void audited_keys(const sm_scan_result *r, keyset *ks) {
  const sm_baseline *b = r->baseline;
  for (size_t i = 0; i < b->n_rules; i++)
    if (b->rules[i].root == SM_ROOT_HIVE)
      add_key(r->h, sm_hive_root(r->h), "", b->rules[i].key, ks);
  for (size_t c = 0; c < r->n_reports; c++) {
    sm_key cs;
    char prefix[32];
    unsigned id = r->reports[c].control_set;
    if (!id || sm_hive_control_set(r->h, id, &cs, NULL) != SM_OK)
      continue;
    snprintf(prefix, sizeof prefix, "ControlSet%03u", id);
    for (size_t i = 0; i < b->n_rules; i++)
      if (b->rules[i].root != SM_ROOT_HIVE)
        add_key(r->h, cs, prefix, b->rules[i].key, ks);
  }
}

/* Whether the live result has this finding, in any control set. */
static bool live_has(const sm_scan_result *r, const sm_finding *f) {
  for (size_t i = 0; i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++) {
      const sm_finding *g = &r->reports[i].findings[j];
      if (!g->recovered && sm_finding_same(g, f))
        return true;
    }
  return false;
}

/* Audit the recovered copy's control sets and keep what is new. */
static bool audit_recovered(const sm_scan_options *o, sm_scan_result *r,
                            sm_hive *rh) {
  size_t nrep = r->n_reports;
  for (size_t c = 0; c < nrep; c++) {
    unsigned id = r->reports[c].control_set;
    sm_key cs;
    sm_report rep = {0};
    sm_error err = {0};
    if (sm_hive_control_set(rh, id, &cs, &err) != SM_OK ||
        sm_audit(rh, r->baseline, id, cs, o->today, &rep, &err) != SM_OK) {
      sm_report_free(&rep);
      continue;
    }
    bool ok = true;
    for (size_t j = 0; j < rep.n_findings && ok; j++) {
      sm_finding *f = &rep.findings[j];
      if (f->rule == sm_scan_damaged_rule() || live_has(r, f))
        continue;
      f->recovered = true;
      ok = sm_report_add(&r->reports[c], r->baseline, o->today, f) == SM_OK;
    }
    sm_report_free(&rep);
    if (!ok)
      return false;
  }
  return true;
}

static bool list_deleted(sm_scan_result *r, const sm_undelete *u,
                         const keyset *ks) {
  if (!(r->deleted = calloc(u->n, sizeof *r->deleted)))
    return false;
  for (size_t i = 0; i < u->n; i++) {
    const sm_undeleted *d = &u->v[i];
    const char *key = "";
    for (size_t j = 0; j < ks->n; j++)
      if (ks->k[j] == d->parent)
        key = ks->path[j];
    struct sm_scan_deleted *x = &r->deleted[r->n_deleted];
    x->key = strdup(key);
    x->name = strdup(d->name);
    x->is_key = d->is_key;
    x->cell = d->cell;
    x->last_write = d->last_write;
    x->n_values = d->n_values;
    r->n_deleted++;
    if (!x->key || !x->name)
      return false;
  }
  return true;
}

void sm_scan_deleted(const sm_scan_options *o, sm_scan_result *r) {
  if (!r->h || !r->baseline || !r->n_reports)
    return;
  keyset *ks = calloc(1, sizeof *ks);
  sm_undelete u = {0};
  sm_error err = {0};
  if (!ks) {
    sm_scan_fail(r, "out of memory");
    return;
  }
  audited_keys(r, ks);
  if (sm_hive_undelete(r->h, ks->k, ks->n, &u, &err) != SM_OK) {
    sm_scan_fail(r, err.msg);
  } else if (u.n) {
    char name[1200];
    sm_hive *rh = NULL;
    snprintf(name, sizeof name, "%s (deleted cells recovered)",
             sm_hive_path(r->h));
    unsigned flags =
        (o->open_flags & SM_OPEN_UNSAFE) | SM_OPEN_NO_RECOVER | SM_OPEN_NO_HASH;
    if (sm_hive_open_mem(name, u.image, u.len, NULL, 0, flags, &rh, &err) !=
        SM_OK) {
      char msg[1400];
      snprintf(msg, sizeof msg, "deleted values and keys not audited: %s",
               err.msg);
      sm_scan_warn(r, msg);
    } else if (!list_deleted(r, &u, ks) || !audit_recovered(o, r, rh)) {
      sm_scan_fail(r, "out of memory");
    }
    sm_hive_close(rh);
  }
  sm_undelete_free(&u);
  for (size_t i = 0; i < ks->n; i++)
    free(ks->path[i]);
  free(ks);
}
