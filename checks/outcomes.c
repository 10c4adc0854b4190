/* The other outcome of the transaction logs (docs/recovery.md): where two
 * logs nothing orders allow two replays, Windows may boot either, so both
 * are audited and what only the other holds is reported with the first. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scan.h"

static bool same_str(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

static bool has_finding(const sm_report *rep, const sm_finding *f) {
  for (size_t i = 0; rep && i < rep->n_findings; i++) {
    const sm_finding *g = &rep->findings[i];
    if (strcmp(g->rule->id, f->rule->id) == 0 && same_str(g->key, f->key) &&
        same_str(g->value, f->value) && same_str(g->observed, f->observed))
      return true;
  }
  return false;
}

static sm_report *report_of(sm_scan_result *r, unsigned control_set) {
  for (size_t i = 0; i < r->n_reports; i++)
    if (r->reports[i].control_set == control_set)
      return &r->reports[i];
  return r->n_reports ? &r->reports[0] : NULL;
}

/* Add to r what alt found and r did not; the count, or -1 on NOMEM. */
static long merge(sm_scan_result *r, const sm_scan_result *alt, int today) {
  long added = 0;
  for (size_t i = 0; i < alt->n_reports; i++) {
    const sm_report *ar = &alt->reports[i];
    sm_report *rr = report_of(r, ar->control_set);
    for (size_t j = 0; rr && j < ar->n_findings; j++) {
      const sm_finding *f = &ar->findings[j];
      if (has_finding(rr, f))
        continue;
      sm_finding proto = *f;
      size_t n = strlen(f->detail ? f->detail : "") + 80;
      char *detail = malloc(n);
      if (!detail)
        return -1;
      snprintf(detail, n, "in the other outcome of the transaction logs: %s",
               f->detail ? f->detail : "");
      proto.detail = detail;
      sm_result rc = sm_report_add(rr, r->baseline, today, &proto);
      free(detail);
      if (rc != SM_OK)
        return -1;
      added++;
    }
  }
  return added;
}

void sm_scan_other_outcome(const sm_scan_target *t, const sm_scan_options *o,
                           sm_baseline_set *set, sm_scan_result *r) {
  if (!r->has_hive || r->error || r->hive.recovery.outcomes < 2 ||
      (o->open_flags & SM_OPEN_LOG_ALTERNATE))
    return;
  sm_scan_options o2 = *o;
  o2.open_flags |= SM_OPEN_LOG_ALTERNATE | SM_OPEN_NO_HASH;
  sm_scan_result alt;
  char msg[700];
  if (!sm_scan_open(t, &o2, set, &alt) || !sm_scan_audit(&o2, &alt)) {
    snprintf(msg, sizeof msg,
             "the transaction logs allow two outcomes and the other could "
             "not be audited: %s",
             alt.error ? alt.error : "error");
    sm_scan_fail(r, msg);
    sm_scan_result_free(&alt);
    return;
  }
  long added = merge(r, &alt, o->today);
  if (added < 0) {
    sm_scan_fail(r, "out of memory");
  } else {
    snprintf(msg, sizeof msg,
             "the transaction logs allow two outcomes (two logs nothing "
             "orders); both were audited: %ld finding%s only in the other "
             "(replayed from %s)",
             added, added == 1 ? "" : "s", alt.hive.recovery.logs);
    sm_scan_warn(r, msg);
  }
  sm_scan_result_free(&alt);
}
