/* The control sets that will run besides the current one, and their
 * findings reduced to what differs from the current set's. */
#ifndef SM_CONTROLSETS_H
#define SM_CONTROLSETS_H

#include <stddef.h>

#include "checks/audit.h"

typedef struct sm_named_set {
  unsigned id;
  sm_key key;
  const char *role; /* "Default", "LastKnownGood" or "Failed" */
} sm_named_set;

/* The control sets Select names (Default, LastKnownGood, Failed) other
 * than current, that exist, each once, in that order; out holds 3.
 * Returns how many. */
size_t sm_named_control_sets(sm_hive *h, unsigned current, sm_named_set *out);

/* Keep in rep (the audit of a set Select names as role) only the findings
 * the current set's report cur does not have (the same rule, key below the
 * control set, value and data): the changes, at their rules' severity,
 * each saying which set it is.  Its root-key errors and counts were taken
 * with the current set and are dropped.  SM_ERR_NOMEM only. */
sm_result sm_report_keep_changes(sm_report *rep, const sm_report *cur,
                                 const char *role);

#endif
