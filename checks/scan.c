/* The scan pipeline's steps on one hive: open it and read its facts, pick
 * the control set, audit the control sets (with a finding per damaged
 * key), and sm_scan, which runs them all (checks/scan.h). */
#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "checks/controlsets.h"
#include "checks/scan.h"

/* The finding of a key whose rules could not be evaluated: it belongs to
 * no baseline and no suppression covers it, so a damaged key can never
 * pass for a clean one (docs/checks.md, docs/json.md). */
static const sm_rule damaged_rule =
    SM_OWN_RULE("SM-AUDIT-DAMAGED-KEY", "Audited key is damaged",
                "Every key and value the baseline audits can "
                "be read.",
                "A key the baseline audits could not be read, so the rules on "
                "it were not evaluated and the audit of this hive is "
                "incomplete. Damage or tampering: one changed field of the "
                "key's cell can hide what the rules would have found. Read "
                "the key with smaudit show, or audit a copy from another "
                "source (RegBack, a backup, a volume shadow copy).");

const sm_rule *sm_scan_damaged_rule(void) { return &damaged_rule; }

/* One finding per key with rule errors in rep, in the order first seen. */
static bool add_damage_findings(sm_report *rep) {
  for (size_t i = 0; i < rep->n_errors; i++) {
    const sm_rule_error *e = &rep->errors[i];
    size_t n = 0;
    bool seen = false;
    for (size_t j = 0; j < rep->n_errors && !seen; j++) {
      seen = j < i && strcmp(rep->errors[j].key, e->key) == 0;
      n += strcmp(rep->errors[j].key, e->key) == 0;
    }
    if (seen)
      continue;
    if (!sm_grow(&rep->findings, rep->n_findings, sizeof *rep->findings))
      return false;
    char detail[1024];
    snprintf(detail, sizeof detail,
             "the audited key is damaged; %zu rule%s could not be evaluated "
             "(%s)",
             n, n == 1 ? "" : "s", e->message);
    sm_finding *f = &rep->findings[rep->n_findings];
    memset(f, 0, sizeof *f);
    f->rule = &damaged_rule;
    f->severity = SM_SEV_HIGH;
    f->control_set = e->rule->root == SM_ROOT_HIVE ? 0 : rep->control_set;
    f->key = strdup(e->key);
    f->detail = strdup(detail);
    if (!f->key || !f->detail) {
      free(f->key);
      free(f->detail);
      return false;
    }
    rep->n_findings++;
  }
  return true;
}

static void read_facts(const sm_scan_target *t, sm_scan_result *r) {
  sm_hive *h = r->h;
  const sm_base_block *b = sm_hive_base(h);
  sm_scan_hive_facts *f = &r->hive;
  r->has_hive = true;
  f->path = strdup(t->path ? t->path : sm_hive_path(h));
  f->size = sm_hive_file_size(h);
  f->dirty = b->dirty;
  f->sequence[0] = b->seq_primary;
  f->sequence[1] = b->seq_secondary;
  f->last_written = b->last_written;
  f->recovery = *sm_hive_recovery(h);
  f->unsafe = sm_hive_unsafe(h);
  f->in_place = sm_hive_in_place(h);
  f->access = sm_hive_access(h);
  if (f->recovery.unread) {
    char msg[700];
    snprintf(msg, sizeof msg,
             "audit incomplete: %u transaction log%s of this dirty hive could "
             "not be read (%s)",
             f->recovery.unread, f->recovery.unread == 1 ? "" : "s",
             f->recovery.warning);
    sm_scan_warn(r, msg);
  }
  const char *const *files;
  size_t n = sm_hive_atime_unprotected(h, &files);
  for (size_t i = 0; i < n; i++) {
    char msg[PATH_MAX + 64];
    snprintf(msg, sizeof msg, "access time of %s not protected (not its owner)",
             files[i]);
    sm_scan_warn(r, msg);
  }
}

/* The control set to audit (o->control_set, or the current one) and the
 * key detection reads (always the current one when there is one, so that
 * every command detects the same family for the same hive). */
static bool select_control_set(const sm_scan_options *o, sm_scan_result *r,
                               sm_key *detect_key) {
  sm_error err = {0};
  sm_key ccs_key = 0;
  unsigned ccs = 0;
  sm_result crc = sm_hive_current_control_set(r->h, &ccs, &ccs_key, &err);
  bool has_ccs = crc == SM_OK;
  if (!o->control_set && !has_ccs) {
    const char *kind = sm_hive_kind(r->h);
    char msg[1024];
    if (kind && strcmp(kind, "SYSTEM") != 0) {
      snprintf(msg, sizeof msg,
               "%s: this is a %s hive, not a SYSTEM hive (smaudit audits "
               "Windows/System32/config/SYSTEM)",
               r->hive.path, kind);
      sm_scan_fail(r, msg);
    } else if (crc == SM_ERR_CORRUPT && !(o->open_flags & SM_OPEN_UNSAFE)) {
      snprintf(msg, sizeof msg,
               "%s; --unsafe opens it in tolerant mode, skipping what is "
               "damaged",
               err.msg);
      sm_scan_fail(r, msg);
    } else {
      sm_scan_fail(r, err.msg);
    }
    return false;
  }
  if (has_ccs) {
    sm_error lerr = {0};
    if (sm_hive_control_sets(r->h, &r->hive.control_sets,
                             &r->hive.n_control_sets, &lerr) == SM_OK) {
      r->hive.has_control_sets = true;
      r->hive.current = ccs;
    } else if (!o->control_set) {
      sm_scan_fail(r, lerr.msg);
      return false;
    }
  }
  if (o->control_set) {
    char msg[600];
    if (sm_hive_control_set(r->h, o->control_set, &r->cs_key, &err) != SM_OK) {
      snprintf(msg, sizeof msg, "%s: no ControlSet%03u", r->hive.path,
               o->control_set);
      sm_scan_fail(r, msg);
      return false;
    }
    r->cs_id = o->control_set;
  } else {
    r->cs_id = ccs;
    r->cs_key = ccs_key;
  }
  *detect_key = has_ccs ? ccs_key : r->cs_key;
  return true;
}

/* The family, and the host identity, from the hive and the SOFTWARE hive
 * beside it (read once for both). */
static void identify(const sm_scan_target *t, sm_key detect_key,
                     sm_scan_result *r) {
  sm_hive *sw = NULL;
  sm_error err = {0};
  sm_result rc = SM_ERR_NOT_FOUND;
  if (t->open_software)
    rc = t->open_software(t, &sw, &err);
  else if (t->software)
    rc = sm_hive_open(t->software, SM_OPEN_NO_HASH | SM_OPEN_BESIDE, &sw,
                      &err);
  if (rc != SM_OK && rc != SM_ERR_NOT_FOUND) {
    /* There but unreadable is not absent: what rests on it is said. */
    char msg[700];
    snprintf(msg, sizeof msg,
             "the SOFTWARE hive beside it cannot be read (%s): the family is "
             "detected, and the host named, from this hive alone",
             err.msg[0] ? err.msg : "error");
    sm_scan_warn(r, msg);
    sw = NULL;
  }
  sm_detect(r->h, detect_key, sw, &r->family);
  sm_host_read(r->h, detect_key, sw, &r->host);
  r->host.software_contradicts = r->family.software_contradicts;
  sm_hive_close(sw);
}

/* Tolerant mode skips what it cannot read without a word: with --unsafe,
 * the hive is called damaged only when a strict open, or the strict
 * reading of its control sets, refuses it as corrupt (or, later, when a
 * rule cannot be evaluated). */
bool sm_scan_strictly_refused(const sm_scan_target *t, unsigned flags) {
  sm_hive *h = NULL;
  sm_error err = {0};
  sm_key key;
  unsigned id, *ids = NULL;
  size_t n;
  flags = (flags & ~(unsigned)SM_OPEN_UNSAFE) | SM_OPEN_NO_HASH;
  sm_result rc = t->open ? t->open(t, flags, &h, &err)
                         : sm_hive_open(t->path, flags, &h, &err);
  if (rc != SM_OK)
    return true;
  rc = sm_hive_current_control_set(h, &id, &key, &err);
  if (rc == SM_OK)
    rc = sm_hive_control_sets(h, &ids, &n, &err);
  free(ids);
  /* Or reads it only as Windows' load-time checker repairs it. */
  const sm_hive_note *notes;
  bool healed = false;
  for (size_t i = 0, k = sm_hive_notes(h, &notes); i < k; i++)
    healed = healed || notes[i].kind == SM_NOTE_HEALED;
  sm_hive_close(h);
  return rc == SM_ERR_CORRUPT || healed;
}

/* A strict open refused t as corrupt: when the tolerant one opens it, say
 * that --unsafe would read it. */
static void unsafe_hint(const sm_scan_target *t, unsigned flags,
                        sm_scan_result *r) {
  sm_hive *h = NULL;
  sm_error err = {0};
  flags |= SM_OPEN_UNSAFE | SM_OPEN_NO_HASH;
  sm_result rc = t->open ? t->open(t, flags, &h, &err)
                         : sm_hive_open(t->path, flags, &h, &err);
  sm_hive_close(h);
  if (rc != SM_OK || !r->error)
    return;
  size_t n = strlen(r->error) + 128;
  char *m = malloc(n);
  if (!m)
    return;
  snprintf(m, n,
           "%s; --unsafe opens it in tolerant mode, skipping what is "
           "damaged",
           r->error);
  free(r->error);
  r->error = m;
}

bool sm_scan_open(const sm_scan_target *t, const sm_scan_options *o,
                  sm_baseline_set *set, sm_scan_result *r) {
  sm_error err = {0};
  sm_scan_result_init(t, r);
  if (r->error)
    return false; /* out of memory copying the target */
  sm_result rc = t->open ? t->open(t, o->open_flags, &r->h, &err)
                         : sm_hive_open(t->path, o->open_flags, &r->h, &err);
  if (rc != SM_OK) {
    r->h = NULL;
    sm_scan_fail(r, err.msg);
    if (rc == SM_ERR_CORRUPT && !(o->open_flags & SM_OPEN_UNSAFE))
      unsafe_hint(t, o->open_flags, r);
    return false;
  }
  read_facts(t, r);
  if (o->open_flags & SM_OPEN_UNSAFE)
    r->hive.damaged = sm_scan_strictly_refused(t, o->open_flags);
  sm_key detect_key;
  if (!select_control_set(o, r, &detect_key))
    return false;
  identify(t, detect_key, r);
  return sm_scan_choose_baseline(set, r);
}

/* How each other control set differs from the current one, in the keys the
 * baseline audits. */
static bool compare_control_sets(sm_scan_result *r) {
  const sm_scan_hive_facts *f = &r->hive;
  for (size_t i = 0; i < f->n_control_sets; i++) {
    sm_key key;
    sm_error err = {0};
    if (f->control_sets[i] == r->cs_id)
      continue;
    if (!sm_grow(&r->differences, r->n_differences, sizeof *r->differences))
      return false;
    sm_scan_difference *d = &r->differences[r->n_differences++];
    memset(d, 0, sizeof *d);
    d->control_set = f->control_sets[i];
    if (sm_hive_control_set(r->h, d->control_set, &key, &err) != SM_OK ||
        sm_diff_control_sets(r->h, r->cs_key, r->h, key, r->baseline, &d->diff,
                             &err) != SM_OK)
      d->error = strdup(err.msg);
    else
      d->ok = true;
  }
  return true;
}

/* Audit control set id (key) into a new report; NULL with r->error set. */
static sm_report *audit_set(const sm_scan_options *o, sm_scan_result *r,
                            unsigned id, sm_key key) {
  sm_error err = {0};
  if (!sm_grow(&r->reports, r->n_reports, sizeof *r->reports)) {
    sm_scan_fail(r, "out of memory");
    return NULL;
  }
  sm_report *rep = &r->reports[r->n_reports];
  if (sm_audit(r->h, r->baseline, id, key, o->today, rep, &err) != SM_OK) {
    sm_scan_fail(r, err.msg);
    return NULL;
  }
  r->n_reports++;
  if (!add_damage_findings(rep)) {
    sm_scan_fail(r, "out of memory");
    return NULL;
  }
  return rep;
}

/* By default the sets that will run: the current one, then each other set
 * Select names, with only what differs from the current one. */
static bool audit_named_sets(const sm_scan_options *o, sm_scan_result *r) {
  if (!audit_set(o, r, r->cs_id, r->cs_key))
    return false;
  if (o->control_set || o->current_only)
    return true; /* one set asked for */
  sm_named_set named[3];
  size_t n = sm_named_control_sets(r->h, r->cs_id, named);
  for (size_t i = 0; i < n; i++) {
    sm_report *rep = audit_set(o, r, named[i].id, named[i].key);
    if (!rep)
      return false;
    if (sm_report_keep_changes(rep, &r->reports[0], named[i].role) != SM_OK) {
      sm_scan_fail(r, "out of memory");
      return false;
    }
  }
  return true;
}

/* The boot plan of the selected control set, judged against the baseline,
 * its unmodelled values findings of that set's report. */
static bool build_plan(const sm_scan_options *o, sm_scan_result *r) {
  if (sm_boot_plan_build(r->h, r->cs_id, r->cs_key, &r->plan) != SM_OK)
    return false;
  r->has_plan = true;
  sm_boot_plan_judge(&r->plan, r->baseline);
  for (size_t i = 0; i < r->n_reports; i++)
    if (r->reports[i].control_set == r->cs_id)
      return sm_boot_plan_findings(&r->plan, r->baseline, o->today,
                                   &r->reports[i]) == SM_OK;
  return true;
}

bool sm_scan_audit(const sm_scan_options *o, sm_scan_result *r) {
  const sm_scan_hive_facts *f = &r->hive;
  if (!o->all_control_sets && !audit_named_sets(o, r))
    return false;
  for (size_t i = 0; o->all_control_sets && i < f->n_control_sets; i++) {
    unsigned id = f->control_sets[i];
    sm_key key = r->cs_key;
    sm_error err = {0};
    if (id != r->cs_id && sm_hive_control_set(r->h, id, &key, &err) != SM_OK) {
      sm_scan_fail(r, err.msg);
      return false;
    }
    if (!audit_set(o, r, id, key))
      return false;
  }
  /* What detection itself found goes with the first report. */
  if (r->detected && r->n_reports &&
      sm_family_findings(&r->family, r->baseline, o->today, &r->reports[0]) !=
          SM_OK) {
    sm_scan_fail(r, "out of memory");
    return false;
  }
  if (!build_plan(o, r)) {
    sm_scan_fail(r, "out of memory");
    return false;
  }
  if (o->all_control_sets && !compare_control_sets(r)) {
    sm_scan_fail(r, "out of memory");
    return false;
  }
  return true;
}

void sm_scan(const sm_scan_target *t, const sm_scan_options *o,
             sm_baseline_set *set, sm_scan_result *r) {
  if (sm_scan_open(t, o, set, r) && sm_scan_audit(o, r)) {
    sm_scan_deleted(o, r);
    sm_scan_other_outcome(t, o, set, r);
    if (t->live)
      sm_scan_against_live(t, o, r);
  }
  if (r->h && !r->error && t->regback)
    sm_scan_regback_history(t, o, set, r);
  if (r->h && !r->error && !o->no_files)
    sm_scan_files(t, o, r);
  /* One change, one result, once every rule has spoken. */
  for (size_t i = 0; !o->unmerged && i < r->n_reports; i++)
    if (sm_report_merge(&r->reports[i]) != SM_OK)
      sm_scan_fail(r, "out of memory");
  if (!o->unmerged && sm_report_merge(&r->removed) != SM_OK)
    sm_scan_fail(r, "out of memory");
  if (r->h) {
    /* The hash thread has been running while the hive was audited. */
    snprintf(r->hive.sha256, sizeof r->hive.sha256, "%s", sm_hive_sha256(r->h));
    /* Read in place, the file must not have changed during the audit. */
    sm_error err = {0};
    if (!r->error && sm_hive_check_unchanged(r->h, &err) != SM_OK)
      sm_scan_fail(r, err.msg);
  }
  sm_scan_close_hive(r);
  sm_scan_summarise(r);
}
