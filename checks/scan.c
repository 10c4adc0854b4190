#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "checks/controlsets.h"
#include "checks/scan.h"

int sm_baseline_set_init(sm_baseline_set *s, const char *const *names, size_t n,
                         sm_error *err) {
  memset(s, 0, sizeof *s);
  pthread_mutex_init(&s->lock, NULL);
  /* Without it (out of memory), each load parses its files itself. */
  s->parsed = sm_baseline_parse_cache_new();
  if (n && sm_baseline_load_many_cached(s->parsed, names, n, &s->given, err) !=
               SM_OK)
    return -1;
  /* Over each hive's family: loaded again for each family met. */
  if (s->given && s->given->overlay) {
    if (!(s->names = calloc(n, sizeof *s->names)))
      return sm_error_set(err, SM_ERR_NOMEM, "out of memory"), -1;
    for (; s->n_names < n; s->n_names++)
      if (!(s->names[s->n_names] = strdup(names[s->n_names])))
        return sm_error_set(err, SM_ERR_NOMEM, "out of memory"), -1;
  }
  return 0;
}

void sm_baseline_set_destroy(sm_baseline_set *s) {
  sm_baseline_parse_cache_free(s->parsed);
  sm_baseline_free(s->given);
  for (size_t i = 0; i < s->n_names; i++)
    free(s->names[i]);
  free(s->names);
  for (size_t i = 0; i < s->n_family; i++) {
    free(s->family[i].name);
    sm_baseline_free(s->family[i].b);
    free(s->family[i].error);
  }
  pthread_mutex_destroy(&s->lock);
}

/* A family's shipped baseline, loaded the first time a hive needs it. */
static const sm_baseline *family_baseline(sm_baseline_set *s, const char *name,
                                          char *errbuf, size_t size) {
  const sm_baseline *b = NULL;
  pthread_mutex_lock(&s->lock);
  size_t i = 0;
  for (; i < s->n_family; i++)
    if (strcmp(s->family[i].name, name) == 0)
      break;
  if (i == s->n_family && i < sizeof s->family / sizeof s->family[0]) {
    sm_error err = {0};
    s->family[i].name = strdup(name);
    sm_result rc =
        s->given && s->given->overlay
            ? sm_baseline_load_over(s->parsed, (const char *const *)s->names,
                                    s->n_names, name, &s->family[i].b, &err)
            : sm_baseline_load_cached(s->parsed, name, &s->family[i].b, &err);
    if (rc != SM_OK)
      s->family[i].error = strdup(err.msg);
    s->n_family++;
  }
  if (i < s->n_family) {
    b = s->family[i].b;
    if (!b)
      snprintf(errbuf, size, "%s",
               s->family[i].error ? s->family[i].error : "out of memory");
  } else {
    snprintf(errbuf, size, "too many baselines");
  }
  pthread_mutex_unlock(&s->lock);
  return b;
}

void sm_baseline_set_preload(sm_baseline_set *s) {
  char errbuf[600];
  if (s->given && !s->given->overlay)
    return;
  for (size_t i = 0; i < SM_N_FAMILY_BASELINES; i++)
    family_baseline(s, sm_family_baselines[i], errbuf, sizeof errbuf);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* The finding of a key whose rules could not be evaluated: it belongs to
 * no baseline and no suppression covers it, so a damaged key can never
 * pass for a clean one (docs/checks.md, docs/json.md). */
static char damaged_attack_id[] = "T1112";
static char *damaged_attack[] = {damaged_attack_id};
static char damaged_id[] = "SM-AUDIT-DAMAGED-KEY",
            damaged_title[] = "Audited key is damaged",
            damaged_normal[] = "Every key and value the baseline audits can "
                               "be read.",
            damaged_message[] =
                "A key the baseline audits could not be read, so the rules on "
                "it were not evaluated and the audit of this hive is "
                "incomplete. Damage or tampering: one changed field of the "
                "key's cell can hide what the rules would have found. Read "
                "the key with smaudit show, or audit a copy from another "
                "source (RegBack, a backup, a volume shadow copy).";
static const sm_rule damaged_rule = {
    .id = damaged_id,
    .title = damaged_title,
    .normal = damaged_normal,
    .message = damaged_message,
    .severity = SM_SEV_HIGH,
    .attack = damaged_attack,
    .n_attack = 1,
};

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

static sm_scan_image *image_dup(const sm_scan_image *g) {
  sm_scan_image *c = g ? calloc(1, sizeof *c) : NULL;
  if (!c)
    return NULL;
  *c = *g;
  c->file = dup_or_null(g->file);
  c->format = dup_or_null(g->format);
  c->description = dup_or_null(g->description);
  c->path = dup_or_null(g->path);
  return c;
}

static void image_free(sm_scan_image *g) {
  if (!g)
    return;
  free(g->file);
  free(g->format);
  free(g->description);
  free(g->path);
  free(g);
}

static void result_init(const sm_scan_target *t, sm_scan_result *r) {
  memset(r, 0, sizeof *r);
  r->target = strdup(t->name);
  r->role = dup_or_null(t->role);
  r->volume = dup_or_null(t->volume);
  r->volume_name = dup_or_null(t->volume_name);
  r->origin = dup_or_null(t->origin);
  r->image = image_dup(t->image);
  r->shadow = sm_scan_shadow_dup(t->shadow);
  r->summary.max_severity = -1;
}

void sm_scan_fail(sm_scan_result *r, const char *msg) {
  if (!r->error)
    r->error = strdup(msg && msg[0] ? msg : "error");
}

void sm_scan_warn(sm_scan_result *r, const char *msg) {
  char *m = strdup(msg);
  if (!m || !sm_grow(&r->warnings, r->n_warnings, sizeof *r->warnings)) {
    free(m);
    return;
  }
  r->warnings[r->n_warnings++] = m;
}

void sm_scan_result_error(const sm_scan_target *t, const char *msg,
                          sm_scan_result *r) {
  result_init(t, r);
  sm_scan_fail(r, msg);
  sm_scan_summarise(r);
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
  if (t->open_software)
    t->open_software(t, &sw);
  else if (t->software)
    sm_hive_open(t->software, SM_OPEN_NO_HASH | SM_OPEN_BESIDE, &sw, NULL);
  sm_detect(r->h, detect_key, sw, &r->family);
  sm_host_read(r->h, detect_key, sw, &r->host);
  r->host.software_contradicts = r->family.software_contradicts;
  sm_hive_close(sw);
}

/* A given baseline written for one family, used on a hive of another: its
 * rules and suppressions were not written for what that hive holds. */
static void warn_other_family(const sm_baseline *b, sm_scan_result *r) {
  if (!b->family || strcmp(b->family, r->family.baseline) == 0)
    return;
  char msg[1400];
  snprintf(msg, sizeof msg,
           "the baseline %s is for %s, but the hive is %s (%s); its rules "
           "may not hold there (extends: detected applies a baseline over "
           "each hive's own family)",
           b->name, b->family, sm_family_label(r->family.rank),
           r->family.why);
  sm_scan_warn(r, msg);
}

static bool choose_baseline(sm_baseline_set *set, sm_scan_result *r) {
  r->has_baseline = true;
  if (set->given && !set->given->overlay) {
    r->baseline = set->given;
    r->baseline_given = true;
    r->baseline_name = strdup(set->given->name);
    r->baseline_reason = strdup("--baseline");
    r->family_of_given = set->given->family;
    warn_other_family(set->given, r);
    return true;
  }
  char berr[600];
  r->detected = true;
  r->baseline_reason = strdup(r->family.why);
  r->baseline = family_baseline(set, r->family.baseline, berr, sizeof berr);
  if (set->given) { /* an overlay, on the family detected */
    r->baseline_given = true;
    r->overlay = true;
    r->baseline_name = strdup(set->given->name);
  } else {
    r->baseline_name = strdup(r->family.baseline);
  }
  if (!r->baseline) {
    sm_scan_fail(r, berr);
    return false;
  }
  return true;
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
  result_init(t, r);
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
  return choose_baseline(set, r);
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

void sm_scan_summarise(sm_scan_result *r) {
  sm_scan_summary *s = &r->summary;
  memset(s, 0, sizeof *s);
  s->max_severity = -1;
  for (size_t i = 0; i < r->n_reports; i++) {
    const sm_report *rep = &r->reports[i];
    for (size_t j = 0; j < rep->n_findings; j++) {
      const sm_finding *fd = &rep->findings[j];
      if (fd->suppressed) {
        s->suppressed++;
        continue;
      }
      s->by_severity[fd->severity]++;
      if ((int)fd->severity > s->max_severity)
        s->max_severity = (int)fd->severity;
    }
    s->rule_errors += rep->n_errors;
    s->passed += rep->n_pass;
    s->not_applicable += rep->n_not_applicable;
  }
  s->failed = r->error != NULL;
  snprintf(s->computer_name, sizeof s->computer_name, "%s",
           r->host.computer_name ? r->host.computer_name : "");
  if (r->has_hive)
    s->unread_logs = r->hive.recovery.unread;
  if (s->rule_errors)
    r->hive.damaged = true;
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

void sm_scan_close_hive(sm_scan_result *r) {
  sm_hive_close(r->h);
  r->h = NULL;
}

void sm_scan_result_free(sm_scan_result *r) {
  if (!r)
    return;
  sm_scan_close_hive(r);
  free(r->target);
  free(r->role);
  free(r->volume);
  free(r->volume_name);
  free(r->origin);
  image_free(r->image);
  sm_scan_shadow_free(r->shadow);
  free(r->hive.path);
  free(r->hive.control_sets);
  sm_host_free(&r->host);
  free(r->baseline_name);
  free(r->baseline_reason);
  for (size_t i = 0; i < r->n_reports; i++)
    sm_report_free(&r->reports[i]);
  free(r->reports);
  for (size_t i = 0; i < r->n_differences; i++) {
    sm_diff_free(&r->differences[i].diff);
    free(r->differences[i].error);
  }
  free(r->differences);
  for (size_t i = 0; i < r->n_deleted; i++) {
    free(r->deleted[i].key);
    free(r->deleted[i].name);
  }
  free(r->deleted);
  sm_report_free(&r->removed);
  free(r->live);
  sm_diff_free(&r->live_diff);
  free(r->live_error);
  sm_boot_plan_free(&r->plan);
  for (size_t i = 0; i < r->n_warnings; i++)
    free(r->warnings[i]);
  free(r->warnings);
  free(r->error);
  memset(r, 0, sizeof *r);
}
