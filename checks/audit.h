/* The audit: a hive's Session Manager configuration against a baseline.
 *
 * checks/ reads the hive only through hive/.  One audit covers one control
 * set; the caller opens the hive, picks the control set and owns both.
 */
#ifndef SM_AUDIT_H
#define SM_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/baseline.h"
#include "hive/hive.h"

/* The data of the value a finding is about, as stored: a string
 * (REG_SZ, REG_EXPAND_SZ, REG_LINK), a list of strings (REG_MULTI_SZ), a
 * number (REG_DWORD either endianness, REG_QWORD), or hex digits for
 * anything else and for data that cannot be decoded as its type.  At most
 * SM_DATA_MAX bytes of text are kept (strings cut at a character boundary,
 * a list cut between its strings, hex at a byte); truncated says more was
 * stored (docs/json.md, "data"). */
typedef enum sm_data_kind {
  SM_DATA_NONE = 0, /* not about a stored value */
  SM_DATA_STRING,
  SM_DATA_LIST,
  SM_DATA_NUMBER,
  SM_DATA_HEX,
} sm_data_kind;

#define SM_DATA_MAX 4096u

typedef struct sm_finding_data {
  sm_data_kind kind;
  uint32_t type;  /* the stored type */
  size_t size;    /* bytes stored */
  char *str;      /* STRING; HEX: lowercase hex digits */
  char **items;   /* LIST */
  size_t n_items;
  uint64_t num;   /* NUMBER */
  bool truncated; /* more was stored than is kept */
} sm_finding_data;

/* d from v (NULL: kind NONE).  SM_ERR_NOMEM only; d is then empty. */
sm_result sm_finding_data_set(sm_finding_data *d, const sm_value *v);
sm_result sm_finding_data_copy(sm_finding_data *d, const sm_finding_data *s);
void sm_finding_data_free(sm_finding_data *d);

typedef struct sm_finding {
  const sm_rule *rule;
  sm_severity severity;
  unsigned control_set; /* the ControlSetNNN audited; 0 for root keys */
  char *key;            /* full path in the hive:
                           ControlSet001\Control\Session Manager\SubSystems */
  char *value;          /* value name, or NULL for a key-level finding */
  bool has_type;
  uint32_t type;       /* the value's stored type */
  char *observed;      /* the offending data or item as text, or NULL */
  char *expected;      /* what the rule wanted, as text, or NULL */
  char *detail;        /* one sentence: what exactly is wrong */
  uint64_t last_write; /* the key's last-write FILETIME, 0 if unknown */
  bool recovered; /* from a value or key deleted and recovered from the
                     hive's free cells (hive/deleted.c) */
  /* The states of the volume it was found in, oldest first
   * (checks/history.c): source "regback", "shadow", "deleted" or "live"
   * and the time (FILETIME) of that state (a shadow copy's: its creation
   * time; store its identifier); n_seen 0 when no other state was
   * compared.  At most 16: beyond, the oldest and the newest are
   * kept.  removed_since: of a finding gone from the live hive, the time
   * of the first state without it. */
  struct sm_seen {
    const char *source; /* a static string */
    uint64_t time;
    char store[40]; /* a shadow copy store's identifier, or "" */
  } seen[16];
  size_t n_seen;
  uint64_t removed_since;
  bool suppressed;
  bool suppression_expired; /* a matching suppression expired */
  const sm_suppression *suppression;
  sm_finding_data data; /* the value as stored (kind NONE: no value) */
  struct sm_file_fact *files; /* the files it names (checks/files.h) */
  size_t n_files;
  /* Findings of other rules about the same change, merged into this one
   * (sm_report_merge): each of a severity no higher than this one's,
   * owned. */
  struct sm_finding *also;
  size_t n_also;
} sm_finding;

/* Frees the contents of f. */
void sm_finding_free(sm_finding *f);

/* A rule that could not be evaluated: a damaged value or key marks only the
 * rules that needed it. */
typedef struct sm_rule_error {
  const sm_rule *rule;
  char *key;
  char *value;
  char *message;
} sm_rule_error;

typedef struct sm_report {
  unsigned control_set;
  sm_finding *findings;
  size_t n_findings;
  sm_rule_error *errors;
  size_t n_errors;
  size_t n_pass, n_not_applicable; /* rules that held, rules that did not
                                      apply (key or value absent) */
} sm_report;

void sm_report_free(sm_report *r); /* frees the contents; NULL is a no-op */

/* Audit control set cs_id (key cs_key) of h against b.  Returns an error
 * only when the audit could not run at all (out of memory); everything a
 * damaged hive does is recorded in the report.  today_ymd (YYYYMMDD) is the
 * date suppressions expire against. */
sm_result sm_audit(sm_hive *h, const sm_baseline *b, unsigned cs_id,
                   sm_key cs_key, int today_ymd, sm_report *out, sm_error *err);

/* Append a copy of *proto (its strings are copied) to rep, with the
 * suppressions of b (may be NULL) applied.  For findings made outside
 * sm_audit, such as family detection's.  SM_ERR_NOMEM only. */
sm_result sm_report_add(sm_report *rep, const sm_baseline *b, int today_ymd,
                        const sm_finding *proto);

/* One change, one result: the findings of rep that several rules make
 * about the same change (control set, key, value, and the same observed
 * item, or a value's whole-value rule beside those of its entries), of the
 * same suppressed and recovered state, merged into the first, at the
 * highest severity; the others in its also, in order (checks/merge.c,
 * docs/json.md).  Findings of one rule are never merged together.
 * SM_ERR_NOMEM: what was merged so far stays merged. */
sm_result sm_report_merge(sm_report *rep);

/* Mark f suppressed when a suppression of b covers it (or note that one
 * expired). */
void sm_finding_suppress(const sm_baseline *b, int today_ymd, sm_finding *f);

/* The value of a key that a key-level parser's finding is about: the one
 * named before '=' in the item ("kernel32=kernel33.dll", "LastKnownGood=9"),
 * the one named by the item ("Posix"), the one whose data holds the item
 * ("lz32.dll"; a name in Optional), or the one the field is named after
 * ("debug", "dll-directory").  Writes its name to name (a missing entry:
 * the name it would have, "kernel32" for "kernel32.dll"; "" when none) and
 * returns the value, or NULL when it does not exist. */
const sm_value *sm_item_value(sm_value *const *values, size_t n,
                              const char *field, const char *observed,
                              const char *expected, char *name, size_t size);

/* fnmatch, case-insensitive, backslash literal: the globs of baselines. */
bool sm_glob_ci(const char *pat, const char *s);

/* The highest severity among unsuppressed findings; -1 when none. */
int sm_report_max_severity(const sm_report *r);

/* Which shipped baseline fits this hive, from evidence in the control set
 * (csrss ServerDll set, Kmode form, KnownDLLs, BootShell, Optional, ...).
 * software may be NULL; when given, its CurrentVersion settles the family.
 * Writes the baseline name ("windows-10") and one sentence of reasons. */
void sm_detect_family(sm_hive *h, sm_key cs_key, sm_hive *software, char *name,
                      size_t name_size, char *why, size_t why_size);

/* match.c: the expect of one rule against a scalar or a list. */
typedef struct sm_target {
  bool is_list;
  const char *str; /* scalar as text */
  bool is_num;
  uint64_t num;
  char *const *items; /* list */
  size_t n_items;
} sm_target;

/* One problem found by sm_expect_check. */
typedef struct sm_mismatch {
  char *observed; /* offending item, or the scalar, or NULL */
  char *expected; /* what was wanted, or NULL */
  char *detail;
} sm_mismatch;

/* Evaluate e on t.  Appends one mismatch per offending item to *out
 * (caller frees with sm_mismatches_free).  SM_ERR_NOMEM only. */
sm_result sm_expect_check(const sm_expect *e, const sm_target *t,
                          sm_mismatch **out, size_t *n);
void sm_mismatches_free(sm_mismatch *m, size_t n);
/* "one of: a, b" etc.: the expectation as a short text.  Caller-frees. */
char *sm_expect_describe(const sm_expect *e);

/* audit-util.c: the value's data as one line of text, for "observed"
 * (NULL on NOMEM). */
char *sm_value_text(const sm_value *v);
/* The machine environment of the control set at cs_key
 * (Windows' own variables when its Environment key cannot be read), and
 * an expect whose strings are resolved as paths (checks/winpath.h) for
 * rules on a parser's path fields.  SM_ERR_NOMEM only. */
struct sm_env;
sm_result sm_audit_env_load(sm_hive *h, sm_key cs_key, struct sm_env *out);
/* Fill env's volume_letters from the hive's MountedDevices (left empty
 * when the key is absent or cannot be read). */
void sm_audit_volume_letters(sm_hive *h, struct sm_env *env);
sm_result sm_expect_resolve(const sm_expect *in, const struct sm_env *env,
                            sm_expect *out);
/* Frees what sm_expect_resolve made (not the shared regex). */
void sm_expect_resolved_free(sm_expect *e);

/* checks/names.c: how Windows reads the values of an audited key, and the
 * names its readers and other tools read differently (docs/reading.md). */
/* SM_READ_ENUMERATED for the keys smss.exe enumerates (Environment,
 * SubSystems, KnownDLLs, DOS Devices below a control set), else
 * SM_READ_BY_NAME. */
sm_read_rule sm_key_read_rule(sm_root root, const char *path);
/* The values of v[0..n) a consumer reading by rule acts on, in stored
 * order: enumerated, those of sm_values_enumerated (named by their name
 * cut at the NUL); by name, the first of each stored name, leaving out the
 * names holding a NUL, which no lookup by a name without one finds.
 * *out holds *nout pointers into v: free() the array only.  SM_ERR_NOMEM. */
sm_result sm_values_as_read(sm_value *const *v, size_t n, sm_read_rule rule,
                            sm_value ***out, size_t *nout);
/* The rule of the finding (SM-AUDIT-AMBIGUOUS-NAME, high): raised by the
 * audit, in no baseline, never suppressed. */
const sm_rule *sm_audit_name_rule(void);
/* The rule of a stored symbolic link on an audited path
 * (SM-AUDIT-REGISTRY-LINK, high): raised by the audit, never suppressed. */
const sm_rule *sm_audit_link_rule(void);
/* Calls fn for each value of v[0..n) whose name Windows' readers and other
 * tools read differently: a name holding a NUL, a name stored twice (rule
 * SM-AUDIT-AMBIGUOUS-NAME); and whose data hivex reads differently
 * (SM-AUDIT-READING-DIFFERS, high).
 * shown is the name as sm_name_shown gives it.  False when fn returns
 * false or memory runs out. */
typedef bool (*sm_name_issue_fn)(void *ctx, const sm_rule *rule,
                                 const sm_value *v, const char *shown,
                                 const char *detail);
bool sm_name_issues(sm_value *const *v, size_t n, sm_read_rule rule,
                    sm_name_issue_fn fn, void *ctx);
/* Calls fn for each note of h (sm_hive_notes): a repair of Windows'
 * load-time checker (SM-AUDIT-SELF-HEALED, high) or a key name holding a
 * NUL (SM-AUDIT-AMBIGUOUS-NAME); key is the key's path from the root. */
typedef bool (*sm_note_issue_fn)(void *ctx, const sm_rule *rule,
                                 const char *key, const char *detail);
bool sm_note_issues(sm_hive *h, sm_note_issue_fn fn, void *ctx);
/* The rules the audit raises itself (names, links, readings, repairs):
 * in no baseline, never suppressed. */
bool sm_audit_own_rule(const sm_rule *r);
/* The definition of a rule smaudit raises itself, in no baseline (the
 * audit's own rules above, SM-AUDIT-DAMAGED-KEY): high, ATT&CK T1112
 * (Modify Registry).  For a static const sm_rule. */
#define SM_OWN_RULE(ID, TITLE, NORMAL, MESSAGE)                               \
  {                                                                           \
    .id = ID, .title = TITLE, .normal = NORMAL, .message = MESSAGE,           \
    .severity = SM_SEV_HIGH, .attack = (char *[]){"T1112"}, .n_attack = 1     \
  }

#endif
