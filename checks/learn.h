/* smaudit learn: a baseline that pins a hive's audited state.
 *
 * The learned baseline extends the one it was learned against, pins every
 * value of every key that baseline has rules on (except machine-specific
 * values its policies ignore and values only tunable rules check), forbids
 * the values and keys those rules name that are absent, reports any new
 * value or subkey, and relaxes each inherited rule that fired on the hive,
 * so that the hive it was learned from scans clean.
 */
#ifndef SM_LEARN_H
#define SM_LEARN_H

#include <stdio.h>

#include "checks/baseline.h"
#include "hive/hive.h"

typedef struct sm_learn_opts {
  const char *name;    /* name: of the learned baseline ([a-z0-9._-]) */
  const char *extends; /* as written in extends: a name or an absolute path */
  const char *source;  /* the hive's path, for the description */
  unsigned cs_id;      /* the control set learned */
  int today;           /* YYYYMMDD */
} sm_learn_opts;

/* Write the learned baseline (YAML, schema 1) to out.  Errors: out of
 * memory, or a key that cannot be read. */
sm_result sm_learn(sm_hive *h, sm_key cs_key, const sm_baseline *ext,
                   const sm_learn_opts *o, FILE *out, sm_error *err);

/* s as a YAML double-quoted scalar: only printable ASCII is written as is;
 * \\ and \" are escaped, other characters are \xNN, \uNNNN or \UNNNNNNNN,
 * invalid UTF-8 becomes U+FFFD. */
void sm_yaml_quote(FILE *f, const char *s);
/* sm_yaml_quote of a glob that matches exactly s (checks/learn-yaml.c). */
void sm_yaml_literal_glob(FILE *f, const char *s);

#endif
