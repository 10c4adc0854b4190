/* --format timeline: one JSON line per finding, flat, with the fields
 * Timesketch's JSONL import requires (message, datetime, timestamp_desc)
 * and the host and finding beside them, for Timesketch and SIEMs
 * (docs/json.md, "Timeline"). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/scan.h"

static json_t *str_or_null(const char *s) {
  return s ? sm_json_string(s) : json_null();
}

/* The event's time: the key's last write, else the hive's (the store
 * time in its base block), else the time of the audit. */
static void when(json_t *o, uint64_t key_time, uint64_t hive_time) {
  char ts[32];
  const char *desc = "Registry key last written";
  uint64_t ft = key_time;
  if (!ft) {
    ft = hive_time;
    desc = "Hive last written";
  }
  sm_filetime_iso8601(ft, ts, sizeof ts);
  json_int_t us = 0;
  if (ts[0]) {
    us = (json_int_t)((ft - 116444736000000000ULL) / 10);
  } else {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    us = (json_int_t)now * 1000000;
    desc = "Audit time";
  }
  json_object_set_new(o, "datetime", json_string(ts));
  json_object_set_new(o, "timestamp", json_integer(us));
  json_object_set_new(o, "timestamp_desc", json_string(desc));
}

/* What every line of a hive carries: the hive and the host, flat. */
static void hive_fields(json_t *o, const sm_scan_result *r) {
  json_object_set_new(o, "target", sm_json_string(r->target));
  json_object_set_new(o, "sha256", r->has_hive && r->hive.sha256[0]
                                       ? json_string(r->hive.sha256)
                                       : json_null());
  json_object_set_new(o, "baseline", str_or_null(r->baseline_name));
  json_t *h = sm_host_json(&r->host);
  const char *k;
  json_t *v;
  json_object_foreach(h, k, v) {
    char name[64];
    snprintf(name, sizeof name, "%s%s",
             strcmp(k, "computer_name") == 0 ? "" : "host_", k);
    json_object_set(o, name, v);
  }
  json_decref(h);
}

/* The stored data as flat fields: stored_type, stored (a string: the
 * string, a list as a JSON array, a number in decimal, else hex digits
 * in stored_hex), stored_truncated. */
static void stored_fields(json_t *o, const sm_finding_data *d) {
  if (d->kind == SM_DATA_NONE)
    return;
  json_t *j = sm_finding_data_json(d);
  json_object_set(o, "stored_type", json_object_get(j, "type"));
  json_t *v = json_object_get(j, "value");
  if (json_is_string(v)) {
    json_object_set(o, "stored", v);
  } else if (!json_is_null(v)) {
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    json_object_set_new(o, "stored", str_or_null(s));
    free(s);
  }
  json_object_set(o, "stored_hex", json_object_get(j, "hex"));
  json_object_set(o, "stored_truncated", json_object_get(j, "truncated"));
  json_decref(j);
}

static void put_line(FILE *out, json_t *o) {
  json_dumpf(o, out, JSON_COMPACT | JSON_ENSURE_ASCII);
  fputc('\n', out);
  json_decref(o);
}

static void finding_line(FILE *out, const sm_scan_result *r,
                         const sm_finding *f) {
  char tbuf[32];
  json_t *o = json_object();
  when(o, f->last_write, r->has_hive ? r->hive.last_written : 0);
  size_t n = strlen(f->rule->title) + strlen(f->key) +
             (f->detail ? strlen(f->detail) : 0) +
             (r->host.computer_name ? strlen(r->host.computer_name) : 0) + 96;
  char *msg = malloc(n);
  if (msg)
    snprintf(msg, n, "[%s] %s%s: %s (%s)%s%s", sm_severity_name(f->severity),
             f->rule->title, f->suppressed ? " (suppressed)" : "",
             f->detail ? f->detail : "", f->key,
             r->host.computer_name ? " on " : "",
             r->host.computer_name ? r->host.computer_name : "");
  json_object_set_new(o, "message", str_or_null(msg));
  free(msg);
  json_object_set_new(o, "data_type", json_string("smaudit:finding"));
  hive_fields(o, r);
  json_object_set_new(o, "rule", json_string(f->rule->id));
  json_object_set_new(o, "rules", sm_finding_rules_json(f));
  json_object_set_new(o, "title", sm_json_string(f->rule->title));
  json_object_set_new(o, "severity",
                      json_string(sm_severity_name(f->severity)));
  json_object_set_new(o, "control_set", f->control_set
                                            ? json_integer(f->control_set)
                                            : json_null());
  json_object_set_new(o, "key", sm_json_string(f->key));
  json_object_set_new(o, "value", str_or_null(f->value));
  json_object_set_new(o, "type",
                      f->has_type ? json_string(sm_type_label(
                                        f->type, tbuf, sizeof tbuf))
                                  : json_null());
  json_object_set_new(o, "observed", str_or_null(f->observed));
  json_object_set_new(o, "expected", str_or_null(f->expected));
  json_object_set_new(o, "detail", str_or_null(f->detail));
  stored_fields(o, &f->data);
  json_t *a = json_array();
  for (size_t i = 0; i < f->rule->n_attack; i++)
    json_array_append_new(a, sm_json_string(f->rule->attack[i]));
  json_object_set_new(o, "attack", a);
  json_object_set_new(o, "suppressed", json_boolean(f->suppressed));
  json_object_set_new(o, "justification",
                      f->suppressed
                          ? sm_json_string(f->suppression->justification)
                          : json_null());
  put_line(out, o);
}

/* A hive that could not be audited is an event too, never a silence. */
static void error_line(FILE *out, const sm_scan_result *r) {
  json_t *o = json_object();
  when(o, 0, r->has_hive ? r->hive.last_written : 0);
  size_t n = strlen(r->target) + strlen(r->error) + 32;
  char *msg = malloc(n);
  if (msg)
    snprintf(msg, n, "[error] %s could not be audited: %s", r->target,
             r->error);
  json_object_set_new(o, "message", str_or_null(msg));
  free(msg);
  json_object_set_new(o, "data_type", json_string("smaudit:error"));
  hive_fields(o, r);
  json_object_set_new(o, "severity", json_string("error"));
  json_object_set_new(o, "error", sm_json_string(r->error));
  put_line(out, o);
}

static void timeline_render(const sm_writer *w, const sm_scan_result *r,
                            FILE *out) {
  (void)w;
  if (r->error) {
    error_line(out, r);
    return;
  }
  for (size_t i = 0; i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++)
      finding_line(out, r, &r->reports[i].findings[j]);
}

bool sm_writer_init_timeline(sm_writer *w) {
  w->render = timeline_render;
  return true;
}
