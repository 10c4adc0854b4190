/* The audit's state, shared between its files; not for other layers.
 *
 *   checks/audit-keys.c  the keys and values the audit reads (each looked
 *                        up and read once, whatever the number of rules on
 *                        it), and the findings and rule errors it records;
 *   checks/audit.c       each rule evaluated on them, and sm_audit.
 */
#ifndef SM_CHECKS_AUDIT_INTERNAL_H
#define SM_CHECKS_AUDIT_INTERNAL_H

#include "checks/audit.h"
#include "checks/parse.h"
#include "checks/winpath.h"

/* One key of the hive as the audit sees it: looked up once, its values
 * read once, whatever the number of rules on it. */
typedef struct sm_au_key {
  sm_root root;
  const char *path; /* rule->key of the first rule naming it */
  char *full_path;  /* as reported: ControlSet001\... */
  sm_result lookup; /* SM_OK, SM_ERR_NOT_FOUND, or damage */
  char lookup_msg[512];
  sm_key key;
  uint64_t last_write;
  bool values_loaded;
  sm_result values_r;
  char values_msg[512];
  sm_value **values;
  size_t n_values;
  sm_read_rule rule; /* how Windows reads the key's values */
  sm_value **view;   /* SM_READ_ENUMERATED: the values smss.exe acts on */
  size_t n_view;
} sm_au_key;

typedef struct sm_au_ctx {
  sm_hive *h;
  const sm_baseline *b;
  unsigned cs_id;
  sm_key cs_key;
  int today;
  sm_au_key *keys;
  size_t n_keys;
  sm_report *rep;
  bool nomem;
  unsigned *control_sets;
  size_t n_control_sets;
  bool control_sets_loaded;
  sm_env env; /* the control set's environment, loaded on first use */
  bool env_loaded;
} sm_au_ctx;

/* The entry of r's key (looked up the first time); NULL out of memory. */
sm_au_key *sm_au_get_key(sm_au_ctx *c, const sm_rule *r);
/* Read k's values (once); false with k->values_msg set when they cannot
 * be. */
bool sm_au_load_values(sm_au_ctx *c, sm_au_key *k);
/* The values as the key's consumer reads them. */
sm_value *const *sm_au_read_values(const sm_au_key *k, size_t *n);
const sm_value *sm_au_find_value(const sm_au_key *k, const char *name);
void sm_au_finding(sm_au_ctx *c, const sm_rule *r, const sm_au_key *k,
                   const sm_value *v, const char *value_name,
                   const char *observed, const char *expected, const char *fmt,
                   ...) __attribute__((format(printf, 8, 9)));
void sm_au_error(sm_au_ctx *c, const sm_rule *r, const sm_au_key *k,
                 const char *value, const char *msg);
/* The control set's environment, loaded on first use. */
const sm_env *sm_au_env(sm_au_ctx *c);
/* What parser p needs from the hive besides its input. */
void sm_au_parse_needs(sm_au_ctx *c, sm_parser p, sm_parse_input *in);
/* sm_note_issues' callback: what Windows' reading of the keys read found
 * (hive/heal.c). */
bool sm_au_note_issue(void *ctx, const sm_rule *r, const char *key,
                      const char *detail);
/* Free what c holds (not c->rep). */
void sm_au_free(sm_au_ctx *c);

#endif
