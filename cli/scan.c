#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks/diff.h"
#include "cli/cli.h"
#include "cli/scan.h"

int sm_today_ymd(void) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int sm_baseline_cache_init(sm_baseline_cache *c, const sm_scan_opts *o,
                           sm_error *err) {
  memset(c, 0, sizeof *c);
  pthread_mutex_init(&c->lock, NULL);
  /* Without it (out of memory), each load parses its files itself. */
  c->parsed = sm_baseline_parse_cache_new();
  if (o->n_baselines &&
      sm_baseline_load_many_cached(c->parsed, o->baselines, o->n_baselines,
                                   &c->given, err) != SM_OK)
    return -1;
  return 0;
}

void sm_baseline_cache_destroy(sm_baseline_cache *c) {
  sm_baseline_parse_cache_free(c->parsed);
  sm_baseline_free(c->given);
  for (size_t i = 0; i < c->n_family; i++) {
    free(c->family[i].name);
    sm_baseline_free(c->family[i].b);
    free(c->family[i].error);
  }
  pthread_mutex_destroy(&c->lock);
}

/* A family's shipped baseline, loaded the first time a hive needs it. */
static const sm_baseline *family_baseline(sm_baseline_cache *c,
                                          const char *name, char *errbuf,
                                          size_t size) {
  const sm_baseline *b = NULL;
  pthread_mutex_lock(&c->lock);
  size_t i = 0;
  for (; i < c->n_family; i++)
    if (strcmp(c->family[i].name, name) == 0)
      break;
  if (i == c->n_family && i < sizeof c->family / sizeof c->family[0]) {
    sm_error err = {0};
    c->family[i].name = strdup(name);
    if (sm_baseline_load_cached(c->parsed, name, &c->family[i].b, &err) !=
        SM_OK)
      c->family[i].error = strdup(err.msg);
    c->n_family++;
  }
  if (i < c->n_family) {
    b = c->family[i].b;
    if (!b)
      snprintf(errbuf, size, "%s",
               c->family[i].error ? c->family[i].error : "out of memory");
  } else {
    snprintf(errbuf, size, "too many baselines");
  }
  pthread_mutex_unlock(&c->lock);
  return b;
}

void sm_baseline_cache_preload(sm_baseline_cache *c) {
  /* The families sm_detect_family names. */
  static const char *const families[] = {"windows-xp", "windows-7",
                                         "windows-8.1", "windows-10"};
  char errbuf[600];
  if (c->given)
    return;
  for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
    family_baseline(c, families[i], errbuf, sizeof errbuf);
}

static json_t *str_or_null(const char *s) {
  return s ? sm_json_string(s) : json_null();
}

static json_t *string_array(char *const *v, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, sm_json_string(v[i]));
  return a;
}

static json_t *finding_json(const sm_finding *f) {
  const sm_rule *r = f->rule;
  char ts[32], tbuf[32];
  json_t *o = json_object();
  json_object_set_new(o, "rule", json_string(r->id));
  json_object_set_new(o, "title", sm_json_string(r->title));
  json_object_set_new(o, "severity",
                      json_string(sm_severity_name(f->severity)));
  json_object_set_new(o, "control_set",
                      f->control_set ? json_integer(f->control_set)
                                     : json_null());
  json_object_set_new(o, "key", sm_json_string(f->key));
  json_object_set_new(o, "value", str_or_null(f->value));
  const char *tn =
      f->has_type ? sm_type_label(f->type, tbuf, sizeof tbuf) : NULL;
  json_object_set_new(o, "type", str_or_null(tn));
  json_object_set_new(o, "observed", str_or_null(f->observed));
  json_object_set_new(o, "expected", str_or_null(f->expected));
  json_object_set_new(o, "message", sm_json_string(r->message));
  json_object_set_new(o, "detail", str_or_null(f->detail));
  json_object_set_new(o, "normal", sm_json_string(r->normal));
  json_object_set_new(o, "attack", string_array(r->attack, r->n_attack));
  sm_filetime_iso8601(f->last_write, ts, sizeof ts);
  json_object_set_new(o, "last_write", ts[0] ? json_string(ts) : json_null());
  json_object_set_new(o, "suppressed", json_boolean(f->suppressed));
  json_object_set_new(o, "justification",
                      f->suppressed
                          ? sm_json_string(f->suppression->justification)
                          : json_null());
  if (f->suppression_expired && f->suppression) {
    char d[16];
    snprintf(d, sizeof d, "%04d-%02d-%02d", f->suppression->expires_year,
             f->suppression->expires_month, f->suppression->expires_day);
    json_object_set_new(o, "suppression_expired", json_string(d));
  } else {
    json_object_set_new(o, "suppression_expired", json_null());
  }
  return o;
}

static json_t *hive_json(sm_hive *h, const char *path) {
  const sm_base_block *b = sm_hive_base(h);
  const sm_recovery_info *r = sm_hive_recovery(h);
  char ts[32];
  json_t *o = json_object();
  json_object_set_new(o, "path", sm_json_string(path));
  json_object_set_new(o, "size",
                      json_integer((json_int_t)sm_hive_file_size(h)));
  /* Set at the end of the scan: the hash is computed meanwhile. */
  json_object_set_new(o, "sha256", json_null());
  json_object_set_new(o, "dirty", json_boolean(b->dirty));
  json_object_set_new(o, "sequence",
                      json_pack("[II]", (json_int_t)b->seq_primary,
                                (json_int_t)b->seq_secondary));
  sm_filetime_iso8601(b->last_written, ts, sizeof ts);
  json_object_set_new(o, "last_written", ts[0] ? json_string(ts) : json_null());
  json_t *rec = json_object();
  json_object_set_new(rec, "recovered", json_boolean(r->recovered));
  json_object_set_new(rec, "entries", json_integer(r->entries));
  json_object_set_new(rec, "pages", json_integer(r->pages));
  json_object_set_new(rec, "logs", sm_json_string(r->logs));
  json_object_set_new(rec, "warning",
                      r->warning[0] ? sm_json_string(r->warning) : json_null());
  json_object_set_new(o, "recovery", rec);
  json_object_set_new(o, "unsafe", json_boolean(sm_hive_unsafe(h)));
  json_object_set_new(o, "in_place", json_boolean(sm_hive_in_place(h)));
  return o;
}

static void add_report(json_t *findings, json_t *errors, json_t *counts,
                       const sm_report *rep, size_t *pass, size_t *na) {
  for (size_t i = 0; i < rep->n_findings; i++) {
    const sm_finding *f = &rep->findings[i];
    json_array_append_new(findings, finding_json(f));
    const char *key =
        f->suppressed ? "suppressed" : sm_severity_name(f->severity);
    json_object_set_new(
        counts, key,
        json_integer(json_integer_value(json_object_get(counts, key)) + 1));
  }
  for (size_t i = 0; i < rep->n_errors; i++) {
    const sm_rule_error *e = &rep->errors[i];
    json_array_append_new(errors,
                          json_pack("{s:s, s:o, s:o, s:o}", "rule", e->rule->id,
                                    "key", sm_json_string(e->key), "value",
                                    str_or_null(e->value), "message",
                                    sm_json_string(e->message)));
  }
  *pass += rep->n_pass;
  *na += rep->n_not_applicable;
}

/* How each other control set differs from the current one, in the keys the
 * baseline audits (with --control-set all). */
static json_t *control_set_differences(sm_hive *h, unsigned ccs, sm_key ccs_key,
                                       const unsigned *ids, size_t nids,
                                       const sm_baseline *b) {
  json_t *a = json_array();
  for (size_t i = 0; i < nids; i++) {
    sm_key key;
    sm_diff d;
    sm_error err = {0};
    if (ids[i] == ccs)
      continue;
    json_t *o = json_pack("{s:i}", "control_set", (int)ids[i]);
    if (sm_hive_control_set(h, ids[i], &key, &err) != SM_OK ||
        sm_diff_control_sets(h, ccs_key, h, key, b, &d, &err) != SM_OK) {
      json_object_set_new(o, "differences", json_null());
      json_object_set_new(o, "error", sm_json_string(err.msg));
    } else {
      json_object_set_new(o, "differences", sm_diff_json(&d));
      sm_diff_free(&d);
    }
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *zero_counts(void) {
  return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "critical", 0, "high", 0,
                   "medium", 0, "low", 0, "info", 0, "suppressed", 0);
}

static void finish_result(json_t *res, json_t *audited, json_t *csdiff,
                          json_t *findings, json_t *errors, json_t *counts,
                          size_t pass, size_t na, const char *msg) {
  json_object_set_new(res, "control_sets_audited", audited);
  json_object_set_new(res, "control_set_differences", csdiff);
  json_object_set_new(res, "findings", findings);
  json_object_set_new(res, "rule_errors", errors);
  json_t *sum = json_object();
  json_object_set_new(sum, "by_severity", counts);
  json_object_set_new(sum, "rules_passed", json_integer((json_int_t)pass));
  json_object_set_new(sum, "not_applicable", json_integer((json_int_t)na));
  json_object_set_new(res, "summary", sum);
  json_object_set_new(res, "error", msg[0] ? sm_json_string(msg) : json_null());
}

json_t *sm_scan_error_result(const char *target, const char *msg) {
  json_t *res = json_object();
  json_object_set_new(res, "target", sm_json_string(target));
  json_object_set_new(res, "hive", json_null());
  json_object_set_new(res, "baseline", json_null());
  finish_result(res, json_array(), json_array(), json_array(), json_array(),
                zero_counts(), 0, 0, msg);
  return res;
}

void sm_result_set_origin(json_t *res, const char *role, const char *volume) {
  json_object_set_new(res, "role", json_string(role));
  json_object_set_new(res, "volume",
                      volume ? sm_json_string(volume) : json_null());
}

json_t *sm_scan_hive(const char *target, const char *path, const char *software,
                     const sm_scan_opts *o, sm_baseline_cache *cache) {
  json_t *res = json_object();
  json_object_set_new(res, "target", sm_json_string(target));
  json_object_set_new(res, "hive", json_null());
  json_object_set_new(res, "baseline", json_null());
  json_t *findings = json_array(), *errors = json_array();
  json_t *counts = zero_counts();
  json_t *audited = json_array();
  json_t *csdiff = json_array();
  sm_hive *h = NULL, *sw = NULL;
  sm_error err = {0};
  unsigned *ids = NULL;
  size_t nids = 0, pass = 0, na = 0;
  char msg[1024] = "";

  if (sm_hive_open(path, o->open_flags, &h, &err) != SM_OK) {
    snprintf(msg, sizeof msg, "%s", err.msg);
    goto out;
  }
  json_t *hj = hive_json(h, path);
  json_object_set(res, "hive", hj);
  json_decref(hj);
  unsigned ccs;
  sm_key ccs_key;
  if (sm_hive_current_control_set(h, &ccs, &ccs_key, &err) != SM_OK ||
      sm_hive_control_sets(h, &ids, &nids, &err) != SM_OK) {
    snprintf(msg, sizeof msg, "%s", err.msg);
    goto out;
  }
  json_object_set_new(hj, "current_control_set", json_integer(ccs));
  json_t *cs = json_array();
  for (size_t i = 0; i < nids; i++)
    json_array_append_new(cs, json_integer(ids[i]));
  json_object_set_new(hj, "control_sets", cs);

  const sm_baseline *b = cache->given;
  json_t *bj = json_object();
  if (b) {
    json_object_set_new(bj, "name", sm_json_string(b->name));
    json_object_set_new(bj, "selected", json_string("given"));
    json_object_set_new(bj, "reason", json_string("--baseline"));
  } else {
    char fam[64], why[1024], berr[600];
    if (software)
      sm_hive_open(software, SM_OPEN_NO_HASH, &sw, NULL);
    sm_detect_family(h, ccs_key, sw, fam, sizeof fam, why, sizeof why);
    b = family_baseline(cache, fam, berr, sizeof berr);
    json_object_set_new(bj, "name", json_string(fam));
    json_object_set_new(bj, "selected", json_string("detected"));
    json_object_set_new(bj, "reason", sm_json_string(why));
    if (!b) {
      json_object_set_new(res, "baseline", bj);
      snprintf(msg, sizeof msg, "%s", berr);
      goto out;
    }
  }
  json_object_set_new(bj, "extends", string_array(b->chain, b->n_chain));
  json_object_set_new(bj, "rules", json_integer((json_int_t)b->n_rules));
  json_object_set_new(res, "baseline", bj);

  for (size_t i = 0; i < (o->all_control_sets ? nids : 1); i++) {
    unsigned id = o->all_control_sets ? ids[i] : ccs;
    sm_key key = ccs_key;
    if (id != ccs && sm_hive_control_set(h, id, &key, &err) != SM_OK) {
      snprintf(msg, sizeof msg, "%s", err.msg);
      goto out;
    }
    sm_report rep;
    if (sm_audit(h, b, id, key, o->today, &rep, &err) != SM_OK) {
      snprintf(msg, sizeof msg, "%s", err.msg);
      goto out;
    }
    json_array_append_new(audited, json_integer(id));
    add_report(findings, errors, counts, &rep, &pass, &na);
    sm_report_free(&rep);
  }
  if (o->all_control_sets) {
    json_decref(csdiff);
    csdiff = control_set_differences(h, ccs, ccs_key, ids, nids, b);
  }

out:
  if (h) {
    /* The hash thread has been running while the hive was audited. */
    const char *sha = sm_hive_sha256(h);
    json_object_set_new(json_object_get(res, "hive"), "sha256",
                        sha[0] ? json_string(sha) : json_null());
    /* Read in place, the file must not have changed during the audit. */
    if (!msg[0] && sm_hive_check_unchanged(h, &err) != SM_OK)
      snprintf(msg, sizeof msg, "%s", err.msg);
  }
  finish_result(res, audited, csdiff, findings, errors, counts, pass, na, msg);
  free(ids);
  sm_hive_close(sw);
  sm_hive_close(h);
  return res;
}

int sm_result_max_severity(json_t *result) {
  int max = -1;
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(result, "findings"), i, f) {
    sm_severity s;
    if (json_is_true(json_object_get(f, "suppressed")))
      continue;
    if (sm_severity_parse(json_string_value(json_object_get(f, "severity")),
                          &s) &&
        (int)s > max)
      max = (int)s;
  }
  return max;
}

bool sm_result_failed(json_t *result) {
  return !json_is_null(json_object_get(result, "error"));
}

void sm_render_scan_json(FILE *f, json_t *result) {
  json_dumpf(result, f, JSON_COMPACT | JSON_ENSURE_ASCII);
  fputc('\n', f);
}
