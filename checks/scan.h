/* The scan pipeline: one hive, from its bytes to a typed result.
 *
 *   sm_scan_open   open the hive (target->open, by default sm_hive_open on
 *                  target->path), read its facts and control sets, pick the
 *                  control set, choose the baseline (given, or detected from
 *                  the current control set with a SOFTWARE hive beside it);
 *   sm_scan_audit  audit the control sets and compare them;
 *   sm_scan        both, then the digest, the check that a hive read in
 *                  place did not change, the summary, and the hive closed:
 *                  what scan and the batch
 *                  worker run.  learn and diff run sm_scan_open only and
 *                  work on the hive it left open, so that all of them choose
 *                  the same baseline for the same hive.
 *
 * Where each concern lives:
 *   checks/scan.c     this pipeline;
 *   checks/scan-baseline.c   the baseline set, and the baseline each hive
 *                     is audited against;
 *   checks/scan-result.c     the result's life: made, failed, warned,
 *                     summarised, freed;
 *   checks/audit.c    one control set against one baseline (sm_report);
 *   checks/detect.c   which family a hive belongs to;
 *   checks/diff.c     what differs between two control sets;
 *   cli/scan-json.c   the result as the JSON Lines contract (docs/json.md);
 *   cli/scan-text.c, cli/csv.c, cli/sarif.c   the other formats, each read
 *                     from this typed result;
 *   cli/writer.c      formats: one result rendered, results combined;
 *   cli/batch.c       one worker process per hive, the result rendered in
 *                     the worker and handed to the parent as bytes with an
 *                     sm_scan_summary.
 *
 * checks/ knows nothing of the command line: targets, roles and volumes are
 * strings given by cli/ (or source/) and carried into the result. */
#ifndef SM_CHECKS_SCAN_H
#define SM_CHECKS_SCAN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/audit.h"
#include "checks/baseline.h"
#include "checks/bootplan.h"
#include "checks/detect.h"
#include "checks/diff.h"
#include "checks/host.h"
#include "hive/hive.h"

/* Where in a disk image a hive was read (source/ says; cli/ renders it). */
typedef struct sm_scan_image {
  char *file;     /* the image as named */
  char *format;   /* "raw", "ewf", "vhd", "vhdx", "vmdk"; NULL unknown */
  long partition; /* as mmls numbers it; -1 no partition table or unknown */
  bool has_offset;
  uint64_t offset;   /* of the volume in the image, bytes */
  char *description; /* partition type or name; NULL unknown */
  char *path;        /* inside the volume, as stored; NULL: no hive */
} sm_scan_image;

/* The volume shadow copy store a hive was read from (source/ says). */
typedef struct sm_scan_shadow {
  char *id;         /* the store's identifier, "{...}"; NULL unknown */
  uint64_t created; /* its creation time (FILETIME); 0 unknown */
  char *volume;     /* the volume it belongs to, as results name it */
  unsigned store;   /* its index on the volume, 1 the oldest */
  char *path;       /* the hive's path inside it */
} sm_scan_shadow;
/* A deep copy; NULL when s is NULL, or out of memory (then nothing is
 * kept: never a copy missing a field). */
sm_scan_shadow *sm_scan_shadow_dup(const sm_scan_shadow *s);
void sm_scan_shadow_free(sm_scan_shadow *s);

/* What to audit.  Only name and (without open) path are required. */
typedef struct sm_scan_target {
  const char *name;     /* what the result calls "target" */
  const char *path;     /* the file to open (what "hive.path" says) */
  const char *software; /* a SOFTWARE hive beside it, for detection, or NULL */
  const char *role;     /* "system", "regback", or NULL (not reported) */
  const char *volume;   /* the volume root it was found in, or NULL */
  const char *volume_name; /* a collection's volume as Windows named it
                              (\\.\C:), or NULL */
  const char *origin;   /* where its bytes came from when not a plain file
                           ("disk.E01, partition 2, Windows/System32/config/
                           SYSTEM"), or NULL */
  /* How to open it; NULL: sm_hive_open(path).  For a hive given as bytes
   * (a disk image), the opener reads it through hive/'s entry point for a
   * buffer; open_data is passed through. */
  sm_result (*open)(const struct sm_scan_target *t, unsigned flags,
                    sm_hive **out, sm_error *err);
  void *open_data;
  /* How to open software; NULL: sm_hive_open(software) when set.
   * SM_ERR_NOT_FOUND: there is none; another error: it is there but
   * cannot be read (said in the result's warnings). */
  sm_result (*open_software)(const struct sm_scan_target *t, sm_hive **out,
                             sm_error *err);
  const sm_scan_image *image; /* from a disk image: where, else NULL */
  const sm_scan_shadow *shadow; /* from a shadow copy store, else NULL */
  /* The live hive: its RegBack copy, audited too for the history of each
   * finding (sm_scan_history), as results name it, or NULL; open_regback
   * opens it (NULL: sm_hive_open(regback)). */
  const char *regback;
  sm_result (*open_regback)(const struct sm_scan_target *t, unsigned flags,
                            sm_hive **out, sm_error *err);
  /* A copy of a hive (RegBack): the live hive it is compared with
   * (sm_scan_against_live), as results name it, or NULL.  open_live opens
   * it (NULL: sm_hive_open(live)); open_data is passed through. */
  const char *live;
  sm_result (*open_live)(const struct sm_scan_target *t, unsigned flags,
                         sm_hive **out, sm_error *err);
  /* The volume the hive lies in, for the files findings name (a disk
   * image's); NULL: the folder above Windows\System32\config when the
   * hive file lies there, else none. */
  struct sm_volume *files_volume;
} sm_scan_target;

typedef struct sm_scan_options {
  bool all_control_sets; /* audit every ControlSetNNN, and compare them */
  bool current_only;     /* audit the current set only, not the others
                            Select names (Default, LastKnownGood, Failed) */
  unsigned control_set;  /* sm_scan_open: the one to select (0: current) */
  unsigned open_flags;   /* SM_OPEN_* */
  int today;             /* YYYYMMDD, for suppression expiry */
  bool no_files;         /* do not check the files findings name */
  const struct sm_anchors *anchors; /* --trust-file roots, or NULL */
  bool unmerged; /* keep every rule's finding apart (sm_report_merge not
                    run): an older state that history compares rule by
                    rule */
} sm_scan_options;

/* Baselines loaded once per run, shared by every hive (and thread): the
 * ones given (--baseline), or each shipped family the first time a hive
 * needs it; given ones that extend detected, over each family the first
 * time a hive of it needs them. */
typedef struct sm_baseline_set {
  pthread_mutex_t lock;
  sm_baseline_parse_cache *parsed; /* each file parsed once (NULL: none) */
  sm_baseline *given;              /* from --baseline, or NULL */
  char **names; /* given->overlay: the --baseline names, loaded again over
                   each family detected, in family[] */
  size_t n_names;
  struct {
    char *name;
    sm_baseline *b;
    char *error; /* why it could not be loaded */
  } family[8];
  size_t n_family;
} sm_baseline_set;

/* names[0..n): the baselines given, merged in order; n 0 = detect per hive.
 * Returns -1 with err set when one cannot be loaded. */
int sm_baseline_set_init(sm_baseline_set *s, const char *const *names, size_t n,
                         sm_error *err);
void sm_baseline_set_destroy(sm_baseline_set *s);
/* Load every shipped family now (a batch's workers inherit them). */
void sm_baseline_set_preload(sm_baseline_set *s);

/* Facts of the hive as read. */
typedef struct sm_scan_hive_facts {
  char *path;
  uint64_t size;
  char sha256[65]; /* "" with SM_OPEN_NO_HASH */
  bool dirty;
  uint32_t sequence[2];
  uint64_t last_written; /* FILETIME */
  sm_recovery_info recovery;
  bool unsafe, in_place;
  sm_access access; /* how it was read: copy, read-only mount or view */
  bool damaged;     /* a strict open refuses it (checked with --unsafe), or a
                       rule could not be evaluated */
  bool has_control_sets; /* the two below were read */
  unsigned current;      /* Select\Current */
  unsigned *control_sets;
  size_t n_control_sets;
} sm_scan_hive_facts;

/* The control sets other than the current one, compared with it. */
typedef struct sm_scan_difference {
  unsigned control_set;
  bool ok; /* diff is valid; else error says why */
  sm_diff diff;
  char *error;
} sm_scan_difference;

/* Unsuppressed findings by severity and the rest: what a batch's parent and
 * the exit status need, computed once (sm_scan_summarise). */
typedef struct sm_scan_summary {
  size_t by_severity[5]; /* unsuppressed, by sm_severity */
  size_t suppressed;
  size_t rule_errors; /* rules not evaluated: the audit is incomplete */
  size_t unread_logs; /* transaction logs of a dirty hive found but not
                         read: the audit is incomplete */
  size_t unchecked_files; /* files named but not checked past the cap of
                             files per volume: the audit is incomplete */
  size_t passed, not_applicable;
  int max_severity; /* highest unsuppressed, -1 none */
  char computer_name[64]; /* host.computer_name, cut; "" unknown */
  bool failed;      /* error set: the hive could not be audited */
} sm_scan_summary;

/* Whether part of the audit could not run (rules not evaluated, logs not
 * read, files not checked): such a result is never "clean" (exit 2 unless
 * --fail-on never; SARIF's run not executionSuccessful). */
static inline bool sm_scan_incomplete(const sm_scan_summary *s) {
  return s->rule_errors || s->unread_logs || s->unchecked_files;
}

/* A rule that cannot be evaluated because its key is damaged is not a
 * quiet gap: sm_scan_audit adds one finding of this rule (high, never
 * suppressed) per damaged key, "the audited key is damaged; N rules could
 * not be evaluated", beside the rule errors themselves. */
const sm_rule *sm_scan_damaged_rule(void);

typedef struct sm_scan_result {
  /* The target, copied. */
  char *target, *role, *volume, *origin;
  char *volume_name; /* t->volume_name, copied */
  sm_scan_image *image; /* NULL: not from a disk image */
  sm_scan_shadow *shadow; /* NULL: not from a shadow copy store */

  bool has_hive; /* the hive opened: hive facts are valid */
  sm_scan_hive_facts hive;
  sm_host host; /* which machine (fields NULL/0 where unknown) */

  /* The baseline: has_baseline when one was given or a family detected
   * (even if it then failed to load: baseline NULL and error set). */
  bool has_baseline;
  char *baseline_name;
  bool baseline_given;         /* --baseline; else detected */
  char *baseline_reason;       /* "--baseline" or the detection evidence */
  const sm_baseline *baseline; /* owned by the sm_baseline_set */
  bool detected;               /* family is valid (not given) */
  bool overlay;   /* given, extends detected: loaded over family.baseline */
  const char *family_of_given; /* given, not overlay: the family it is for
                                  (its own or extended), or NULL */
  sm_family family;            /* the detection: family, support, evidence */

  /* The control set sm_scan_open selected (its key in h). */
  unsigned cs_id;
  sm_key cs_key;

  sm_report *reports; /* one per control set audited, in order */
  size_t n_reports;
  sm_scan_difference *differences;
  size_t n_differences;

  /* A copy compared with the live hive (target.live): live names it;
   * live_ok: live_diff holds the differences (a this copy, b the live
   * hive), else live_error says why they could not be had. */
  char *live;
  bool live_ok;
  sm_diff live_diff;
  char *live_error;
  /* The boot plan of the selected control set (checks/bootplan.h), built
   * once by sm_scan_audit; its unmodelled values are findings of that
   * set's report. */
  bool has_plan;
  sm_boot_plan plan;

  /* Values and keys deleted from the audited keys and recovered from free
   * cells (sm_scan_deleted); their findings are in the reports, marked
   * recovered. */
  struct sm_scan_deleted {
    char *key;    /* the key it was deleted from, full path */
    char *name;   /* the value's or subkey's name */
    bool is_key;
    uint32_t cell;
    uint64_t last_write; /* a subkey's own */
    size_t n_values;     /* a subkey's values recovered with it */
  } *deleted;
  size_t n_deleted;

  /* Findings of an older state gone from this (live) hive, with their
   * history and removed_since (sm_scan_history). */
  sm_report removed;

  char **warnings; /* said about the hive, besides hive.recovery.warning */
  size_t n_warnings;
  size_t unchecked_files; /* named past the cap of files per volume */
  char *error; /* NULL, or why the hive could not be audited */

  sm_scan_summary summary;

  sm_hive *h; /* open between sm_scan_open and sm_scan_close_hive */
} sm_scan_result;

/* Open, read the facts, select the control set and choose the baseline.
 * Returns false with r->error set when it could not (r is valid either
 * way and must be freed). */
bool sm_scan_open(const sm_scan_target *t, const sm_scan_options *o,
                  sm_baseline_set *set, sm_scan_result *r);
/* Audit what sm_scan_open opened.  Returns false with r->error set. */
bool sm_scan_audit(const sm_scan_options *o, sm_scan_result *r);
/* checks/against-live.c: with t->live, what differs in the audited keys
 * between the current control set of this copy (r->h) and that of the
 * live hive.  Sets r->live, and live_diff or live_error. */
void sm_scan_against_live(const sm_scan_target *t, const sm_scan_options *o,
                          sm_scan_result *r);
/* checks/history.c: whether two findings are the same finding in two
 * states: rule, key below the control set, value and observed data. */
bool sm_finding_same(const sm_finding *a, const sm_finding *b);
/* The history of each finding of live across live and older (its RegBack
 * copy, audited; source "regback"): a finding found in both gets seen[]
 * (older first, each state's time the key's last write there); one found
 * only in older is added to live->removed (or, when an earlier older
 * state had it too, that entry's history grows).  Recovered findings of
 * live get seen[] "deleted".  False when out of memory. */
bool sm_scan_history(sm_scan_result *live, const sm_scan_result *older,
                     const char *source);
/* The same with the older state's time given (time 0: the last write of
 * each finding's key there) and, for a shadow copy, its store's
 * identifier (else NULL); called once per older state. */
bool sm_scan_history_of(sm_scan_result *live, const sm_scan_result *older,
                        const char *source, uint64_t time, const char *store);
/* After every older state: a removed finding's removed_since becomes the
 * time of the first of states (shadow copies that were audited) newer than
 * its last sighting that lacks it, when that is earlier. */
void sm_scan_history_gone(sm_scan_result *live, const struct sm_seen *states,
                          size_t n);
/* With t->regback: audit the RegBack copy (as sm_scan would, with the
 * options given) and take the history of r's findings from it. */
void sm_scan_regback_history(const sm_scan_target *t,
                             const sm_scan_options *o, sm_baseline_set *set,
                             sm_scan_result *r);
/* checks/deleted.c: the values and subkeys deleted from the audited keys
 * that the free cells still hold (hive/'s sm_hive_undelete), put back in
 * a copy of the hive and audited: each finding the live hive does not
 * have is added, marked recovered; r->deleted lists what was recovered. */
void sm_scan_deleted(const sm_scan_options *o, sm_scan_result *r);

/* checks/outcomes.c: where the transaction logs allow two outcomes
 * (hive.recovery.outcomes), open and audit the other too and add to r what
 * only it holds, each finding's detail saying so, with a warning.  Part of
 * sm_scan. */
void sm_scan_other_outcome(const sm_scan_target *t, const sm_scan_options *o,
                           sm_baseline_set *set, sm_scan_result *r);

/* checks/scan-files.c: the files of the findings and of the boot plan,
 * in the volume the hive lies in (t->files_volume, or the folder above
 * its Windows\System32\config), their SM-FILE-* findings added.  Part of
 * sm_scan unless o->no_files. */
void sm_scan_files(const sm_scan_target *t, const sm_scan_options *o,
                   sm_scan_result *r);

/* sm_scan_open, sm_scan_audit, sm_scan_deleted, sm_scan_other_outcome,
 * sm_scan_against_live, the summary, and the hive closed. */
void sm_scan(const sm_scan_target *t, const sm_scan_options *o,
             sm_baseline_set *set, sm_scan_result *r);

/* Part of sm_scan_open: r made from t, nothing read yet; r->error "out of
 * memory" when a part of t could not be copied. */
void sm_scan_result_init(const sm_scan_target *t, sm_scan_result *r);
/* Part of sm_scan_open: the baseline given, or that of the family
 * detected (r->family), from set.  Returns false with r->error set. */
bool sm_scan_choose_baseline(sm_baseline_set *set, sm_scan_result *r);
/* A result for a target that could not be audited at all (msg). */
void sm_scan_result_error(const sm_scan_target *t, const char *msg,
                          sm_scan_result *r);
/* Set r->error (once: the first error is kept). */
void sm_scan_fail(sm_scan_result *r, const char *msg);
/* With --unsafe: whether a strict open of t (flags without SM_OPEN_UNSAFE),
 * or the strict reading of its control sets, refuses it as damaged. */
bool sm_scan_strictly_refused(const sm_scan_target *t, unsigned flags);
/* Add a warning (out of memory: dropped). */
void sm_scan_warn(sm_scan_result *r, const char *msg);
void sm_scan_summarise(sm_scan_result *r);
void sm_scan_close_hive(sm_scan_result *r);
void sm_scan_result_free(sm_scan_result *r); /* closes the hive too */

#endif
