/* What differs between two control sets (of one hive or of two) in the
 * keys a baseline audits.
 *
 * The keys compared are those the baseline has rules on (below the control
 * set, or at the hive root), plus Select and Setup at the root.  Key and
 * value names compare as Windows compares them: case-insensitively, by
 * their stored length (a name holding a NUL is not the name before it;
 * docs/reading.md).
 */
#ifndef SM_DIFF_H
#define SM_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/baseline.h"
#include "hive/hive.h"

typedef enum sm_change {
  SM_CHANGE_ADDED,   /* in b, not in a */
  SM_CHANGE_REMOVED, /* in a, not in b */
  SM_CHANGE_CHANGED, /* in both, another type or other data */
} sm_change;

const char *sm_change_name(sm_change c); /* "added", "removed", "changed" */

typedef struct sm_difference {
  sm_root root;
  char *key;    /* below the control set or the root, as the baseline
                   names it */
  char *value;  /* the value name ("" default), or NULL when the
                   difference is about a key */
  char *subkey; /* with value NULL: the subkey added or removed, or NULL
                   when the key itself was; value and subkey names are
                   shown with each NUL they hold as <NUL> */
  sm_change change;
  sm_value *a, *b; /* the value on each side, NULL where absent */
  bool tunable;    /* a tunable rule of the baseline names the value */
  uint64_t a_last_write, b_last_write; /* the key's last-write FILETIME on
                                          each side, 0 where absent */
} sm_difference;

typedef struct sm_diff {
  sm_difference *v;
  size_t n;
} sm_diff;

/* Compare control set a_cs of a with b_cs of b (a and b may be the same
 * hive).  Differences are grouped by key, in the order of the baseline's
 * rules, then Select and Setup.  Errors only for out of memory or a damaged
 * key that cannot be listed. */
sm_result sm_diff_control_sets(sm_hive *a, sm_key a_cs, sm_hive *b, sm_key b_cs,
                               const sm_baseline *bl, sm_diff *out,
                               sm_error *err);
void sm_diff_free(sm_diff *d); /* frees the contents; NULL is a no-op */

#endif
