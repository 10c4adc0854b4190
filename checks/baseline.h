/* smaudit baselines: the YAML rules a hive is audited against.
 *
 * A baseline is loaded and validated whole (with everything it extends)
 * before any hive is read, and is immutable afterwards: many threads may
 * audit with one baseline at once.  The schema is docs/baselines.md.
 */
#ifndef SM_BASELINE_H
#define SM_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "checks/regex.h"
#include "hive/hive.h"

#define SM_BASELINE_SCHEMA_VERSION 1

typedef enum sm_severity {
  SM_SEV_INFO = 0,
  SM_SEV_LOW,
  SM_SEV_MEDIUM,
  SM_SEV_HIGH,
  SM_SEV_CRITICAL,
} sm_severity;

const char *sm_severity_name(sm_severity s);             /* "info".. */
bool sm_severity_parse(const char *name, sm_severity *out); /* case-insens. */

typedef enum sm_root {
  SM_ROOT_CONTROL_SET = 0, /* key is relative to CurrentControlSet */
  SM_ROOT_HIVE,            /* key is relative to the hive root */
} sm_root;

typedef enum sm_presence {
  SM_PRESENCE_OPTIONAL = 0, /* absent: the rule does not apply */
  SM_PRESENCE_REQUIRED,     /* absent: a finding */
  SM_PRESENCE_FORBIDDEN,    /* present: a finding */
} sm_presence;

/* Structured-value parsers (checks/parse-*.c), one per line of
 * checks/parsers.def; see docs/baselines.md for the fields each one
 * yields. */
typedef enum sm_parser {
  SM_PARSE_NONE = 0,
#define SM_PARSER(id, def) SM_PARSE_##id,
#include "checks/parsers.def"
#undef SM_PARSER
  SM_PARSE_COUNT /* one past the last parser */
} sm_parser;

const char *sm_parser_name(sm_parser p);
bool sm_parser_parse(const char *name, sm_parser *out);

/* A matcher.  Every member set in the YAML must hold ("and"); which members
 * apply depends on whether the target is a scalar (string or number) or a
 * list (REG_MULTI_SZ, or a list field of a parser). */
typedef struct sm_expect {
  /* Scalars. */
  bool has_equals;
  char *equals_str;       /* string comparison, or NULL */
  bool equals_is_num;
  uint64_t equals_num;
  char **one_of;          /* strings or decimal/0x numbers as strings */
  size_t n_one_of;
  char *glob;             /* fnmatch, backslash literal */
  char *regex_src;
  sm_regex *regex;        /* compiled (checks/regex.h): a linear search */
  bool has_regex;
  bool has_min, has_max;
  uint64_t min, max;      /* numeric range, inclusive */
  bool has_bits_set, has_bits_clear;
  uint64_t bits_set;      /* all these bits must be set */
  uint64_t bits_clear;    /* all these bits must be clear */
  /* Lists. */
  char **exact;           /* same items, nothing more or less */
  size_t n_exact;
  bool has_exact;
  char **allowed;         /* every item matches one of these globs */
  size_t n_allowed;
  bool has_allowed;
  char **required;        /* each of these items is present */
  size_t n_required;
  char **forbidden;       /* no item matches any of these globs */
  size_t n_forbidden;
  bool has_max_items;
  size_t max_items;
  bool order_exact;       /* with exact: order matters too */
  /* Both. */
  bool has_empty;
  bool empty;             /* empty string / empty list (or not) */
  bool case_sensitive;    /* default: case-insensitive, as Windows */
} sm_expect;

/* Key-level policy for the values (or subkeys) that no rule names. */
typedef struct sm_unlisted {
  bool report;            /* report each unnamed, un-ignored entry */
  char **allow;           /* further known names (globs) */
  size_t n_allow;
  char **ignore;          /* machine-specific names (globs): never
                             reported, never learned */
  size_t n_ignore;
} sm_unlisted;

typedef struct sm_rule {
  char *id;               /* stable: [A-Z][A-Z0-9-]* */
  char *title;            /* short name */
  char *normal;           /* what is normal */
  char *message;          /* what is unusual and why it matters */
  sm_severity severity;
  char **attack;          /* ATT&CK technique ids (T1547.001) */
  size_t n_attack;
  char **references;      /* URLs or document names */
  size_t n_references;

  sm_root root;
  char *key;              /* backslash path below root */
  char *value;            /* NULL for a key-level rule; "" default value */
  sm_presence presence;

  uint32_t *types;        /* allowed types; n_types 0 = any */
  size_t n_types;
  sm_parser parse;
  char *field;            /* with parse: the field checked */
  bool has_expect;
  sm_expect expect;
  bool tunable;           /* may vary between machines: learn and diff do
                             not pin it */

  /* Key-level rules only. */
  bool has_values_policy;
  sm_unlisted values;     /* values no rule on this key names */
  bool has_subkeys_policy;
  sm_unlisted subkeys;    /* subkeys no rule names */

  /* Where it was defined, for messages: file and line. */
  const char *file;
  unsigned line;
  /* A new owned member is freed in sm_bl_rule_free and copied in
   * sm_bl_rule_copy (checks/baseline.c). */
} sm_rule;

typedef struct sm_suppression {
  char *rule;             /* rule id (exact) */
  char *key;              /* glob on the full key path, or NULL */
  char *value;            /* glob on the value name, or NULL */
  char *observed;         /* glob on the observed item, or NULL */
  char *justification;    /* required */
  bool has_expires;
  int expires_year, expires_month, expires_day;
  const char *file;
  unsigned line;
} sm_suppression;

typedef struct sm_baseline {
  char *name;
  char *description;
  char *family;           /* "windows-10" etc., or NULL */
  char *path;             /* the file it was loaded from */
  char **chain;           /* names/paths of the baselines it extends,
                             nearest first */
  size_t n_chain;
  sm_rule *rules;         /* after extends, overrides and disable */
  size_t n_rules;
  sm_suppression *suppressions;
  size_t n_suppressions;
  char **files;           /* every file read, owns the strings that
                             sm_rule.file points to */
  size_t n_files;
  bool overlay;           /* it extends detected (docs/baselines.md): loaded
                             over each hive's family (sm_baseline_load_over);
                             as loaded here, over windows-10 */
} sm_baseline;

/* `extends: detected`: the family detected for each hive. */
#define SM_BASELINE_DETECTED "detected"
/* The shipped baselines of the Windows families, oldest first. */
#define SM_N_FAMILY_BASELINES 4
extern const char *const sm_family_baselines[SM_N_FAMILY_BASELINES];

/* Where baseline names are looked up: the directories of the search path
 * (colon-separated; cli/ hands down SMAUDIT_BASELINE_PATH), then the
 * installed $(pkgdatadir)/baselines.  A NAME that contains '/' or ends in
 * .yaml/.yml is a file path.  Set the search path (NULL: none) before
 * loading, from one thread; the string is copied. */
sm_result sm_baseline_set_search_path(const char *dirs);

/* Load a baseline by name or path (see above). */
sm_result sm_baseline_load(const char *name_or_path, sm_baseline **out,
                           sm_error *err);
void sm_baseline_free(sm_baseline *b); /* NULL is a no-op */

/* Load several and merge them in order (later ones override earlier rules
 * of the same id), as repeated --baseline options do. */
sm_result sm_baseline_load_many(const char *const *names, size_t n,
                                sm_baseline **out, sm_error *err);

/* A parse cache: loads through one cache read and parse each baseline file
 * once, however many baselines extend it.  A file is known by its real
 * path, device, inode, size, modification and status-change times; a file
 * changed since it was parsed (or one that is not a regular file) is read
 * again.  Only the YAML tree is shared: each load validates it and builds
 * its own rules, with its own display paths and errors, exactly as an
 * uncached load.  Loads through one cache are serialised (a lock). */
typedef struct sm_baseline_parse_cache sm_baseline_parse_cache;

typedef struct sm_baseline_parse_stats {
  size_t parsed; /* files read and parsed through the cache */
  size_t reused; /* files whose cached parse was used instead */
} sm_baseline_parse_stats;

sm_baseline_parse_cache *sm_baseline_parse_cache_new(void);    /* NULL: nomem */
void sm_baseline_parse_cache_free(sm_baseline_parse_cache *c); /* NULL ok */
sm_baseline_parse_stats
sm_baseline_parse_cache_stats(sm_baseline_parse_cache *c);

/* sm_baseline_load and sm_baseline_load_many through cache c.  With c
 * NULL, a cache private to the call is used (so that a file several of the
 * loaded baselines extend is still parsed once). */
sm_result sm_baseline_load_cached(sm_baseline_parse_cache *c,
                                  const char *name_or_path, sm_baseline **out,
                                  sm_error *err);
sm_result sm_baseline_load_many_cached(sm_baseline_parse_cache *c,
                                       const char *const *names, size_t n,
                                       sm_baseline **out, sm_error *err);

/* names loaded as sm_baseline_load_many_cached does, with extends:
 * detected standing for family (a shipped family baseline's name): a
 * suppression or disable of a rule that family lacks is skipped.  A load
 * without a family (sm_baseline_load*) validates such a baseline over every
 * family: each rule it suppresses or disables must be in one of them. */
sm_result sm_baseline_load_over(sm_baseline_parse_cache *c,
                                const char *const *names, size_t n,
                                const char *family, sm_baseline **out,
                                sm_error *err);

const sm_rule *sm_baseline_find_rule(const sm_baseline *b, const char *id);

/* Names of the shipped baselines found on the search path (caller-frees
 * the array and the strings). */
sm_result sm_baseline_list(char ***names, size_t *n, sm_error *err);

#endif
