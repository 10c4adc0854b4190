/* Which Windows family a SYSTEM hive belongs to, from evidence an attacker
 * has no reason (or no way) to change.
 *
 * The family is read first from the hive's structure: the hive format
 * version (1.5 from Windows XP on) and the services and drivers that only
 * exist from a given release on, in every control set.  A whole Services
 * key gives the family exactly; a partial one only a floor.  A SOFTWARE
 * hive beside it (its CurrentBuildNumber) may raise the family above a
 * floor, never above an exact family nor below the floor: a SOFTWARE hive
 * that claims an older build than the SYSTEM hive shows, or another
 * family than an exact one, contradicts it (another machine's, or edited)
 * and is a finding, and is not used (docs/checks.md).  The audited
 * Session Manager values are read last: they decide only when the hive
 * holds no structural evidence (a partial extract), and never lower the
 * family the structure shows.
 */
#ifndef SM_DETECT_H
#define SM_DETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "checks/audit.h"

typedef enum sm_family_rank {
  SM_FAMILY_NONE = 0, /* no evidence */
  SM_FAMILY_PRE_XP,   /* NT 4.0 or 2000: no shipped baseline */
  SM_FAMILY_XP,       /* XP and Server 2003 */
  SM_FAMILY_7,        /* Vista, 7, Server 2008 (R2) */
  SM_FAMILY_8_1,      /* 8, 8.1, Server 2012 (R2) */
  SM_FAMILY_10,       /* 10, 11, Server 2016 and later */
} sm_family_rank;

typedef struct sm_family {
  sm_family_rank rank;      /* the family detected */
  const char *baseline;     /* the shipped baseline audited against */
  const char *name;         /* the family: a baseline name, or
                               "windows-nt4-2000" when not supported */
  bool supported;           /* false: no shipped baseline fits */
  sm_family_rank structure; /* what services and format show (floor) */
  sm_family_rank values;    /* what the Session Manager values suggest */
  sm_family_rank software;  /* what a SOFTWARE hive claims, or NONE */
  long software_build;      /* its CurrentBuildNumber, 0 when none */
  char software_key[64];    /* where the build was read in SOFTWARE */
  char software_value[32];
  bool structure_exact;     /* a whole Services key: structure is the
                               family, not only a floor */
  bool software_contradicts; /* software claims another family than an
                                exact structure (or one older than the
                                floor): not this machine's, or edited; it
                                was not used */
  char why[1024]; /* the evidence, one sentence per source */
} sm_family;

/* Detect the family of h, whose current control set is cs_key; software
 * (a SOFTWARE hive beside it) may be NULL. */
void sm_detect(sm_hive *h, sm_key cs_key, sm_hive *software, sm_family *out);

/* "Windows 10 or later", "NT 4.0 or 2000", ... */
const char *sm_family_label(sm_family_rank r);

/* The findings detection itself makes (a SOFTWARE hive that claims an
 * older build than the SYSTEM hive shows), appended to rep with the
 * suppressions of b applied.  SM_ERR_NOMEM only. */
sm_result sm_family_findings(const sm_family *f, const sm_baseline *b,
                             int today_ymd, sm_report *rep);

/* The rules of those findings, for documentation and SARIF. */
extern const sm_rule sm_rule_family_software_older;
extern const sm_rule sm_rule_family_software_newer;

#endif
