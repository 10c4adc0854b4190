/* The typed result of a scan (checks/scan.h) as the JSON object of the JSON
 * Lines contract (docs/json.md).  Written once per hive, in the process
 * that audited it. */
#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/scan.h"

int sm_today_ymd(void) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
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

json_t *sm_finding_data_json(const sm_finding_data *d) {
  char tbuf[32];
  if (d->kind == SM_DATA_NONE)
    return json_null();
  json_t *o = json_object(), *value = json_null();
  json_object_set_new(o, "type",
                      json_string(sm_type_label(d->type, tbuf, sizeof tbuf)));
  if (d->kind == SM_DATA_STRING)
    value = sm_json_string(d->str);
  else if (d->kind == SM_DATA_LIST)
    value = string_array(d->items, d->n_items);
  else if (d->kind == SM_DATA_NUMBER && d->num <= (uint64_t)INT64_MAX)
    value = json_integer((json_int_t)d->num);
  else if (d->kind == SM_DATA_NUMBER) /* past JSON's exact integers */
    value = json_sprintf("%" PRIu64, d->num);
  json_object_set_new(o, "value", value);
  json_object_set_new(o, "hex", d->kind == SM_DATA_HEX ? json_string(d->str)
                                                       : json_null());
  json_object_set_new(o, "size", json_integer((json_int_t)d->size));
  json_object_set_new(o, "truncated", json_boolean(d->truncated));
  return o;
}

static json_t *seen_json(const struct sm_seen *s) {
  json_t *o = json_pack("{s:s, s:o}", "source", s->source, "time",
                        sm_json_time(s->time));
  if (s->store[0])
    json_object_set_new(o, "store", json_string(s->store));
  return o;
}

/* "shadow": the store a hive was read from. */
static json_t *shadow_json(const sm_scan_shadow *s) {
  json_t *o = json_object();
  json_object_set_new(o, "id", str_or_null(s->id));
  json_object_set_new(o, "created",
                      s->created ? sm_json_time(s->created) : json_null());
  json_object_set_new(o, "volume", str_or_null(s->volume));
  json_object_set_new(o, "store", json_integer((json_int_t)s->store));
  json_object_set_new(o, "path", str_or_null(s->path));
  return o;
}

/* "history": first and last seen, and every state, oldest first. */
static json_t *history_json(const sm_finding *f) {
  json_t *all = json_array();
  for (size_t i = 0; i < f->n_seen; i++)
    json_array_append_new(all, seen_json(&f->seen[i]));
  return json_pack("{s:o, s:o, s:o}", "first_seen", seen_json(&f->seen[0]),
                   "last_seen", seen_json(&f->seen[f->n_seen - 1]), "sources",
                   all);
}

json_t *sm_finding_rules_json(const sm_finding *f) {
  json_t *a = json_array();
  json_array_append_new(a, json_string(f->rule->id));
  for (size_t i = 0; i < f->n_also; i++)
    json_array_append_new(a, json_string(f->also[i].rule->id));
  return a;
}

json_t *sm_finding_also_json(const sm_finding *f) {
  json_t *a = json_array();
  for (size_t i = 0; i < f->n_also; i++) {
    const sm_finding *m = &f->also[i];
    json_t *o = json_object();
    json_object_set_new(o, "rule", json_string(m->rule->id));
    json_object_set_new(o, "title", sm_json_string(m->rule->title));
    json_object_set_new(o, "severity",
                        json_string(sm_severity_name(m->severity)));
    json_object_set_new(o, "observed", str_or_null(m->observed));
    json_object_set_new(o, "expected", str_or_null(m->expected));
    json_object_set_new(o, "detail", str_or_null(m->detail));
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *finding_json(const sm_finding *f) {
  const sm_rule *r = f->rule;
  char tbuf[32];
  json_t *o = json_object();
  json_object_set_new(o, "rule", json_string(r->id));
  json_object_set_new(o, "rules", sm_finding_rules_json(f));
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
  json_object_set_new(o, "data", sm_finding_data_json(&f->data));
  json_object_set_new(o, "message", sm_json_string(r->message));
  json_object_set_new(o, "detail", str_or_null(f->detail));
  json_object_set_new(o, "normal", sm_json_string(r->normal));
  json_object_set_new(o, "attack", string_array(r->attack, r->n_attack));
  json_object_set_new(o, "last_write", sm_json_time(f->last_write));
  if (f->recovered)
    json_object_set_new(o, "recovered", json_string("deleted"));
  if (f->n_seen)
    json_object_set_new(o, "history", history_json(f));
  json_object_set_new(o, "suppressed", json_boolean(f->suppressed));
  json_object_set_new(o, "justification",
                      f->suppressed
                          ? sm_json_string(f->suppression->justification)
                          : json_null());
  char d[16];
  sm_finding_expired_date(f, d, sizeof d);
  json_object_set_new(o, "suppression_expired",
                      d[0] ? json_string(d) : json_null());
  if (f->n_files)
    json_object_set_new(o, "files", sm_files_json(f->files, f->n_files));
  json_object_set_new(o, "also", sm_finding_also_json(f));
  return o;
}

static json_t *hive_json(const sm_scan_hive_facts *h) {
  const sm_recovery_info *r = &h->recovery;
  json_t *o = json_object();
  json_object_set_new(o, "path", sm_json_string(h->path));
  json_object_set_new(o, "size", json_integer((json_int_t)h->size));
  json_object_set_new(o, "sha256",
                      h->sha256[0] ? json_string(h->sha256) : json_null());
  json_object_set_new(o, "dirty", json_boolean(h->dirty));
  json_object_set_new(o, "sequence",
                      json_pack("[II]", (json_int_t)h->sequence[0],
                                (json_int_t)h->sequence[1]));
  json_object_set_new(o, "last_written", sm_json_time(h->last_written));
  json_t *rec = json_object();
  json_object_set_new(rec, "recovered", json_boolean(r->recovered));
  json_object_set_new(rec, "entries", json_integer(r->entries));
  json_object_set_new(rec, "pages", json_integer(r->pages));
  json_object_set_new(rec, "logs", sm_json_string(r->logs));
  json_object_set_new(rec, "outcomes", json_integer(r->outcomes));
  json_object_set_new(rec, "warning",
                      r->warning[0] ? sm_json_string(r->warning) : json_null());
  json_object_set_new(o, "recovery", rec);
  json_object_set_new(o, "unsafe", json_boolean(h->unsafe));
  json_object_set_new(o, "in_place", json_boolean(h->in_place));
  json_object_set_new(o, "access", json_string(sm_access_name(h->access)));
  json_object_set_new(o, "damaged", json_boolean(h->damaged));
  if (h->has_control_sets) {
    json_object_set_new(o, "current_control_set", json_integer(h->current));
    json_t *cs = json_array();
    for (size_t i = 0; i < h->n_control_sets; i++)
      json_array_append_new(cs, json_integer(h->control_sets[i]));
    json_object_set_new(o, "control_sets", cs);
  }
  return o;
}

json_t *sm_host_json(const sm_host *h) {
  char ts[32];
  json_t *o = json_object();
  json_object_set_new(o, "computer_name", str_or_null(h->computer_name));
  json_object_set_new(o, "product", str_or_null(h->product));
  json_object_set_new(o, "build", str_or_null(h->build));
  sm_unix_iso8601(h->install_date, ts, sizeof ts);
  json_object_set_new(o, "install_date", ts[0] ? json_string(ts) : json_null());
  json_object_set_new(o, "time_zone", str_or_null(h->time_zone));
  json_object_set_new(o, "shutdown_time", sm_json_time(h->shutdown_time));
  json_object_set_new(o, "software",
                      !h->has_software ? json_null()
                      : h->software_contradicts
                          ? json_string("contradicts")
                          : json_string("read"));
  return o;
}

static json_t *baseline_json(const sm_scan_result *r) {
  if (!r->has_baseline)
    return json_null();
  json_t *o = json_object();
  json_object_set_new(o, "name", sm_json_string(r->baseline_name));
  json_object_set_new(o, "selected",
                      json_string(r->overlay          ? "overlay"
                                  : r->baseline_given ? "given"
                                                      : "detected"));
  json_object_set_new(o, "reason", sm_json_string(r->baseline_reason));
  if (r->detected) {
    json_object_set_new(o, "family", json_string(r->family.name));
    json_object_set_new(o, "supported", json_boolean(r->family.supported));
  } else if (r->has_hive && r->baseline_given) {
    /* The family it was written for, and the hive's. */
    json_object_set_new(o, "family", r->family_of_given
                                         ? sm_json_string(r->family_of_given)
                                         : json_null());
    json_object_set_new(o, "hive_family", r->family.name
                                              ? json_string(r->family.name)
                                              : json_null());
  }
  const sm_baseline *b = r->baseline;
  if (b) {
    json_object_set_new(o, "extends", string_array(b->chain, b->n_chain));
    json_object_set_new(o, "rules", json_integer((json_int_t)b->n_rules));
  }
  return o;
}

static json_t *differences_json(const sm_scan_result *r) {
  json_t *a = json_array();
  for (size_t i = 0; i < r->n_differences; i++) {
    const sm_scan_difference *d = &r->differences[i];
    json_t *o = json_pack("{s:i}", "control_set", (int)d->control_set);
    if (d->ok) {
      json_object_set_new(o, "differences", sm_diff_json(&d->diff));
    } else {
      json_object_set_new(o, "differences", json_null());
      json_object_set_new(o, "error", sm_json_string(d->error));
    }
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *summary_json(const sm_scan_summary *s) {
  json_t *c = json_object();
  for (int v = SM_SEV_CRITICAL; v >= SM_SEV_INFO; v--)
    json_object_set_new(c, sm_severity_name((sm_severity)v),
                        json_integer((json_int_t)s->by_severity[v]));
  json_object_set_new(c, "suppressed", json_integer((json_int_t)s->suppressed));
  json_t *o = json_object();
  json_object_set_new(o, "by_severity", c);
  json_object_set_new(o, "rules_passed", json_integer((json_int_t)s->passed));
  json_object_set_new(o, "not_applicable",
                      json_integer((json_int_t)s->not_applicable));
  json_object_set_new(o, "rule_errors",
                      json_integer((json_int_t)s->rule_errors));
  json_object_set_new(o, "unread_logs",
                      json_integer((json_int_t)s->unread_logs));
  json_object_set_new(o, "unchecked_files",
                      json_integer((json_int_t)s->unchecked_files));
  return o;
}

json_t *sm_plan_coverage_json(const sm_scan_result *r) {
  if (!r->has_plan)
    return json_null();
  const sm_boot_plan *p = &r->plan;
  json_t *o = json_object();
  json_object_set_new(o, "control_set", json_integer(p->control_set));
  json_object_set_new(o, "values_read", json_integer((json_int_t)p->n_values));
  json_object_set_new(o, "consumed", json_integer((json_int_t)p->n_consumed));
  json_object_set_new(o, "inert", json_integer((json_int_t)p->n_inert));
  json_object_set_new(o, "unmodelled",
                      json_integer((json_int_t)p->n_unmodelled));
  json_object_set_new(o, "judged", json_integer((json_int_t)p->n_judged));
  json_object_set_new(o, "errors", string_array(p->errors, p->n_errors));
  return o;
}

json_t *sm_scan_json(const sm_scan_result *r) {
  json_t *res = json_object();
  json_t *audited = json_array(), *findings = json_array(),
         *errors = json_array();
  json_object_set_new(res, "target", sm_json_string(r->target));
  json_object_set_new(res, "hive",
                      r->has_hive ? hive_json(&r->hive) : json_null());
  json_object_set_new(res, "baseline", baseline_json(r));
  json_object_set_new(res, "host", sm_host_json(&r->host));
  for (size_t i = 0; i < r->n_reports; i++) {
    const sm_report *rep = &r->reports[i];
    json_array_append_new(audited, json_integer(rep->control_set));
    for (size_t j = 0; j < rep->n_findings; j++)
      json_array_append_new(findings, finding_json(&rep->findings[j]));
    for (size_t j = 0; j < rep->n_errors; j++) {
      const sm_rule_error *e = &rep->errors[j];
      json_array_append_new(errors, json_pack("{s:s, s:o, s:o, s:o}", "rule",
                                              e->rule->id, "key",
                                              sm_json_string(e->key), "value",
                                              str_or_null(e->value), "message",
                                              sm_json_string(e->message)));
    }
  }
  json_object_set_new(res, "control_sets_audited", audited);
  json_object_set_new(res, "control_set_differences", differences_json(r));
  json_object_set_new(res, "findings", findings);
  json_object_set_new(res, "rule_errors", errors);
  json_object_set_new(res, "summary", summary_json(&r->summary));
  json_object_set_new(res, "coverage", sm_plan_coverage_json(r));
  json_object_set_new(res, "error", str_or_null(r->error));
  json_object_set_new(res, "warnings",
                      string_array(r->warnings, r->n_warnings));
  json_object_set_new(res, "origin", str_or_null(r->origin));
  if (r->role) {
    json_object_set_new(res, "role", json_string(r->role));
    json_object_set_new(res, "volume", str_or_null(r->volume));
    json_object_set_new(res, "volume_name", str_or_null(r->volume_name));
    json_object_set_new(res, "image", sm_scan_image_json(r->image));
    if (r->shadow)
      json_object_set_new(res, "shadow", shadow_json(r->shadow));
  }
  if (r->removed.n_findings) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->removed.n_findings; i++) {
      const sm_finding *f = &r->removed.findings[i];
      json_t *x = finding_json(f);
      json_object_set_new(x, "removed_since", sm_json_time(f->removed_since));
      json_array_append_new(a, x);
    }
    json_object_set_new(res, "removed", a);
  }
  if (r->n_deleted) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_deleted; i++) {
      const struct sm_scan_deleted *d = &r->deleted[i];
      json_t *x = json_pack("{s:o}", "key", sm_json_string(d->key));
      json_object_set_new(x, d->is_key ? "subkey" : "value",
                          sm_json_string(d->name));
      json_object_set_new(x, "cell", json_integer(d->cell));
      if (d->is_key) {
        json_object_set_new(x, "last_write", sm_json_time(d->last_write));
        json_object_set_new(x, "values", json_integer((json_int_t)d->n_values));
      }
      json_array_append_new(a, x);
    }
    json_object_set_new(res, "deleted", a);
  }
  if (r->live) {
    json_t *l = json_pack("{s:o}", "live", sm_json_string(r->live));
    json_object_set_new(l, "differences", r->live_ok
                                              ? sm_diff_json(&r->live_diff)
                                              : json_null());
    if (!r->live_ok)
      json_object_set_new(l, "error", str_or_null(r->live_error));
    json_object_set_new(res, "live_differences", l);
  }
  return res;
}

json_t *sm_scan_image_json(const sm_scan_image *g) {
  if (!g)
    return json_null();
  json_t *o = json_object();
  json_object_set_new(o, "file", str_or_null(g->file));
  json_object_set_new(o, "format", str_or_null(g->format));
  json_object_set_new(o, "partition", g->partition >= 0
                                          ? json_integer(g->partition)
                                          : json_null());
  json_object_set_new(o, "offset", g->has_offset
                                       ? json_integer((json_int_t)g->offset)
                                       : json_null());
  json_object_set_new(o, "description", str_or_null(g->description));
  json_object_set_new(o, "path", str_or_null(g->path));
  return o;
}

void sm_json_line(FILE *f, json_t *j) {
  json_dumpf(j, f, JSON_COMPACT | JSON_ENSURE_ASCII);
  fputc('\n', f);
  json_decref(j);
}

void sm_render_scan_json(FILE *f, const sm_scan_result *r) {
  sm_json_line(f, sm_scan_json(r));
}

void sm_unix_iso8601(int64_t t, char *buf, size_t size) {
  struct tm tm;
  time_t tt = (time_t)t;
  buf[0] = '\0';
  if (t > 0 && gmtime_r(&tt, &tm))
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void sm_finding_expired_date(const sm_finding *f, char *buf, size_t size) {
  buf[0] = '\0';
  if (f->suppression_expired && f->suppression)
    snprintf(buf, size, "%04d-%02d-%02d", f->suppression->expires_year,
             f->suppression->expires_month, f->suppression->expires_day);
}
