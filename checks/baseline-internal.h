/* The baseline loader's parts, shared between its files; not for other
 * layers.  Where each concern lives:
 *
 *   checks/baseline.c         severities, freeing, lookup of a rule by id
 *   checks/baseline-path.c    the search path (handed down by cli/), finding
 *                             a named baseline, listing the shipped ones
 *   checks/baseline-cache.c   the parse cache: each file's YAML tree, once
 *   checks/baseline-fields.c  loader state, errors FILE:LINE:COL, readers of
 *                             strings, numbers, lists, enums, mapping keys
 *   checks/baseline-regex.c   refusing and compiling the regex of an expect
 *   checks/baseline-rule.c    decoding expect, rules and suppressions
 *   checks/baseline-merge.c   merging rules, suppressions and chains
 *   checks/baseline-load.c    reading files, `extends`, the public loaders
 */
#ifndef SM_BASELINE_INTERNAL_H
#define SM_BASELINE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/grow.h"
#include "base/num.h"
#include "checks/baseline.h"
#include "checks/yaml-doc.h"

#define MAX_RULES 10000
#define MAX_EXTENDS_DEPTH 16
#define MAX_EXTENDS 64 /* extends followed in one load, in all */
#define MAX_PATTERN 1024
#define INSTALLED_DIR SM_PKGDATADIR "/baselines"

/* ---- baseline.c ---- */

void sm_bl_strv_free(char **v, size_t n);
void sm_bl_rule_free(sm_rule *r);
void sm_bl_supp_free(sm_suppression *s);
/* Deep copies; false when out of memory, d to be freed all the same. */
bool sm_bl_rule_copy(sm_rule *d, const sm_rule *s);
bool sm_bl_supp_copy(sm_suppression *d, const sm_suppression *s);

/* ---- baseline-cache.c ---- */

/* One file's YAML tree, as parsed from the file that had this identity. */
typedef struct parsed_file {
  char *real;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime, ctime;
  yd_node *root;
  unsigned busy; /* frames of the load in progress that walk root */
} parsed_file;

struct sm_baseline_parse_cache {
  pthread_mutex_t lock; /* held for the whole of a load */
  parsed_file **files;
  size_t n_files;
  sm_baseline_parse_stats stats;
};

/* The cached tree of REAL if the file is still the one parsed, else NULL. */
parsed_file *sm_bl_cache_find(sm_baseline_parse_cache *c, const char *real,
                              const struct stat *st);
/* Hand root, parsed from REAL whose fstat was st, to the cache: the entry,
 * or NULL when root stays the caller's (out of memory, or the older tree
 * of that file is still being walked). */
parsed_file *sm_bl_cache_put(sm_baseline_parse_cache *c, const char *real,
                             const struct stat *st, yd_node *root);

/* ---- baseline-fields.c ---- */

/* A file loaded (and validated) once in a load, however often extended. */
typedef struct loaded_file {
  char *real;
  sm_baseline *b; /* its rules over those it extends */
  size_t height;  /* files in its longest extends chain, itself too */
} loaded_file;

typedef struct loader {
  char **files; /* interned display paths, rule.file points here */
  size_t n_files;
  loaded_file *loaded; /* every file extended so far in this load */
  size_t n_loaded;
  size_t n_extends;                  /* extends followed, at most MAX_EXTENDS */
  char *real[MAX_EXTENDS_DEPTH + 2]; /* the extends chain being loaded */
  const char *disp[MAX_EXTENDS_DEPTH + 2];
  size_t depth;
  sm_baseline_parse_cache *cache;
  sm_error *err;
  /* extends: detected resolves to this family's baseline (NULL: to
   * windows-10, only validating); saw_detected once it has; from then on
   * a suppression or disable of a rule the family lacks is skipped, its
   * message kept in skipped (a rule of another family). */
  const char *detected;
  bool saw_detected;
  char **skipped;
  size_t n_skipped;
} loader;

/* The file being decoded, for messages. */
typedef struct fctx {
  loader *L;
  const char *file;
  size_t *height; /* set: files in its longest extends chain, itself too */
} fctx;

sm_result sm_bl_nomem(loader *L);
/* "FILE:LINE:COL: WHAT 'ID'" at node n: under extends: detected kept in
 * L->skipped (SM_OK), else the error. */
sm_result sm_bl_skip_or_fail(const fctx *F, const yd_node *n, const char *what,
                             const char *id);
/* SM_ERR_USAGE "FILE:LINE:COL: message" at node n. */
sm_result sm_bl_fail(const fctx *F, const yd_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The loader's own copy of a display path (rule.file points to it). */
const char *sm_bl_intern(loader *L, const char *path);

bool sm_bl_is_null(const yd_node *n);
sm_result sm_bl_get_str(const fctx *F, const yd_node *n, const char *what,
                        char **out);
sm_result sm_bl_get_bool(const fctx *F, const yd_node *n, const char *what,
                         bool *out);
sm_result sm_bl_get_u64(const fctx *F, const yd_node *n, const char *what,
                        uint64_t *out);
/* A list of strings; with max_len, each is a pattern of at most that many
 * bytes. */
sm_result sm_bl_get_strv(const fctx *F, const yd_node *n, const char *what,
                         size_t max_len, char ***out, size_t *nout);
sm_result sm_bl_get_pattern(const fctx *F, const yd_node *n, const char *what,
                            char **out);
sm_result sm_bl_get_enum(const fctx *F, const yd_node *n, const char *what,
                         const char *const *names, size_t count, int *out);
/* Look up the key of mapping entry i among names; unknown and repeated keys
 * are errors. */
sm_result sm_bl_map_key(const fctx *F, const yd_node *map, size_t i,
                        const char *const *names, size_t count,
                        const char *where, uint32_t *seen, size_t *idx);
bool sm_bl_valid_id(const char *s);   /* [A-Z][A-Z0-9-]* */
bool sm_bl_valid_name(const char *s); /* [a-z0-9][a-z0-9._-]* */
bool sm_bl_valid_date(const char *s, int *y, int *m, int *d);

/* ---- baseline-regex.c ---- */

/* Check and compile e->regex_src (node n, for messages) into e->regex. */
sm_result sm_bl_compile_regex(const fctx *F, const yd_node *n, sm_expect *e);

/* ---- baseline-rule.c ---- */

/* Fill r (or s) from mapping m; the caller frees it whatever the result. */
sm_result sm_bl_parse_rule(const fctx *F, const yd_node *m, sm_rule *r);
sm_result sm_bl_parse_supp(const fctx *F, const yd_node *m, sm_suppression *s,
                           const yd_node **rule_node);

/* ---- baseline-merge.c ---- */

ssize_t sm_bl_rule_index(const sm_baseline *b, const char *id);
bool sm_bl_add_supp(sm_baseline *b, sm_suppression *s);
bool sm_bl_add_chain(sm_baseline *b, const char *name);
/* Move the rules and suppressions of src over those of dst (in time linear
 * in both): a rule with the id of one in dst replaces it whole, in place;
 * sm_bl_merge_copy copies them, src unchanged. */
bool sm_bl_merge_into(sm_baseline *dst, sm_baseline *src);
bool sm_bl_merge_copy(sm_baseline *dst, const sm_baseline *src);
void sm_bl_remove_rule(sm_baseline *b, size_t i);
/* Layer b (named name, loaded after prev_name) over acc, as if it extended
 * it: acc takes b's name and path and keeps the merged rules; b is freed. */
bool sm_bl_layer(sm_baseline *acc, sm_baseline *b, const char *prev_name);

/* ---- baseline-path.c ---- */

/* A name has no '/' and no .yaml/.yml ending; anything else is a path. */
bool sm_bl_is_name(const char *s);
/* *out is the file of baseline NAME, or NULL when there is none. */
sm_result sm_bl_find_named(const char *name, char **out);

#endif
