/* A copy of a hive (RegBack) against the live hive beside it: what differs
 * in the audited keys, with both values and both keys' last-write times.
 * The live hive is opened read-only like any target, without its hash (its
 * own result has it). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scan.h"

static void live_fail(sm_scan_result *r, const char *why) {
  char msg[1200];
  if (strncmp(why, r->live, strlen(r->live)) == 0)
    snprintf(msg, sizeof msg, "%s", why); /* it names the hive already */
  else
    snprintf(msg, sizeof msg, "%s: %s", r->live, why);
  free(r->live_error);
  r->live_error = strdup(msg);
  r->live_ok = false;
}

void sm_scan_against_live(const sm_scan_target *t, const sm_scan_options *o,
                          sm_scan_result *r) {
  if (!t->live || !r->h || !r->baseline || !r->cs_key)
    return;
  if (!(r->live = strdup(t->live)))
    return;
  sm_hive *lh = NULL;
  sm_error err = {0};
  unsigned flags = o->open_flags | SM_OPEN_NO_HASH;
  sm_result rc = t->open_live ? t->open_live(t, flags, &lh, &err)
                              : sm_hive_open(t->live, flags, &lh, &err);
  if (rc != SM_OK) {
    live_fail(r, err.msg[0] ? err.msg : "cannot be opened");
    return;
  }
  unsigned id;
  sm_key cs;
  if (sm_hive_current_control_set(lh, &id, &cs, &err) != SM_OK) {
    live_fail(r, err.msg);
  } else if (sm_diff_control_sets(r->h, r->cs_key, lh, cs, r->baseline,
                                  &r->live_diff, &err) != SM_OK) {
    live_fail(r, err.msg[0] ? err.msg : "cannot be compared");
  } else {
    r->live_ok = true;
  }
  sm_hive_close(lh);
}
