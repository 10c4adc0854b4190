#include <config.h>

#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"

/* SARIF 2.1.0: one run for the whole invocation, written at the end,
 * because rules, artifacts and the invocation's outcome are known only
 * once every hive has been audited. */

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

typedef struct sarif {
  json_t *rules;      /* array, in the order first seen */
  json_t *rule_index; /* id -> index in rules */
  json_t *results;
  json_t *artifacts;
  json_t *notifications;
  bool failed;
} sarif;

static const char *level_of(const char *severity) {
  if (!severity)
    return "warning";
  if (strcmp(severity, "critical") == 0 || strcmp(severity, "high") == 0)
    return "error";
  if (strcmp(severity, "medium") == 0)
    return "warning";
  return "note";
}

/* GitHub code scanning ranks security results by this 0-10 score. */
static const char *security_severity(const char *severity) {
  static const struct {
    const char *name, *score;
  } t[] = {{"critical", "9.5"},
           {"high", "8.0"},
           {"medium", "5.5"},
           {"low", "3.0"},
           {"info", "1.0"}};
  for (size_t i = 0; severity && i < sizeof t / sizeof t[0]; i++)
    if (strcmp(severity, t[i].name) == 0)
      return t[i].score;
  return "5.0";
}

/* A path as a URI reference: relative paths stay relative, absolute ones
 * become file:// URIs; every byte outside the unreserved set and '/' is
 * percent-encoded (so ':' in a first segment cannot read as a scheme). */
static char *path_uri(const char *path) {
  static const char hex[] = "0123456789ABCDEF";
  bool abs = path[0] == '/';
  size_t n = strlen(path);
  char *out = malloc(n * 3 + 8);
  if (!out)
    return NULL;
  char *p = out;
  if (abs)
    p = stpcpy(p, "file://");
  for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
    if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
        (*s >= '0' && *s <= '9') || strchr("-._~/", *s))
      *p++ = (char)*s;
    else {
      *p++ = '%';
      *p++ = hex[*s >> 4];
      *p++ = hex[*s & 15];
    }
  }
  *p = '\0';
  return out;
}

static json_t *text_and_markdown(const char *text, const char *md) {
  return json_pack("{s:o, s:o}", "text", sm_json_string(text), "markdown",
                   sm_json_string(md));
}

/* T1547.001 -> https://attack.mitre.org/techniques/T1547/001/ */
static void attack_url(const char *id, char *buf, size_t size) {
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%s", id);
  for (char *p = tmp; *p; p++)
    if (*p == '.')
      *p = '/';
  snprintf(buf, size, "https://attack.mitre.org/techniques/%s/", tmp);
}

static bool valid_attack_id(const char *id) {
  if (id[0] != 'T' || !id[1])
    return false;
  for (const char *p = id + 1; *p; p++)
    if (!((*p >= '0' && *p <= '9') || *p == '.'))
      return false;
  return strlen(id) < 32;
}

static char *concat(char *s, const char *add) {
  if (!s)
    return NULL;
  size_t a = strlen(s), b = strlen(add);
  char *r = realloc(s, a + b + 1);
  if (!r) {
    free(s);
    return NULL;
  }
  memcpy(r + a, add, b + 1);
  return r;
}

/* The rule's entry in tool.driver.rules, from what a finding says of it. */
static json_t *rule_json(const sm_finding *f) {
  const sm_rule *rl = f->rule;
  const char *id = rl->id, *title = rl->title;
  const char *normal = rl->normal, *message = rl->message;
  const char *sev = sm_severity_name(f->severity);
  json_t *tags = json_array();
  json_array_append_new(tags, json_string("security"));
  char *text = strdup(""), *md = strdup("");
  text = concat(text, "What is normal: ");
  text = concat(text, normal);
  text = concat(text, "\nWhat is unusual: ");
  text = concat(text, message);
  md = concat(md, "**What is normal:** ");
  md = concat(md, normal);
  md = concat(md, "\n\n**What is unusual:** ");
  md = concat(md, message);
  bool first = true;
  for (size_t i = 0; i < rl->n_attack; i++) {
    const char *aid = rl->attack[i];
    json_array_append_new(tags, sm_json_string(aid));
    if (!valid_attack_id(aid))
      continue;
    char url[128], line[256];
    attack_url(aid, url, sizeof url);
    text = concat(text, first ? "\nATT&CK: " : ", ");
    snprintf(line, sizeof line, "%s (%s)", aid, url);
    text = concat(text, line);
    md = concat(md, first ? "\n\n**ATT&CK:** " : ", ");
    snprintf(line, sizeof line, "[%s](%s)", aid, url);
    md = concat(md, line);
    first = false;
  }
  json_t *r = json_object();
  json_object_set_new(r, "id", json_string(id));
  json_object_set_new(r, "name", sm_json_string(title));
  json_object_set_new(r, "shortDescription",
                      json_pack("{s:o}", "text", sm_json_string(title)));
  json_object_set_new(r, "fullDescription",
                      json_pack("{s:o}", "text", sm_json_string(message)));
  json_object_set_new(
      r, "help", text_and_markdown(text ? text : message, md ? md : message));
  json_object_set_new(r, "defaultConfiguration",
                      json_pack("{s:s}", "level", level_of(sev)));
  json_object_set_new(r, "properties",
                      json_pack("{s:o, s:s, s:s}", "tags", tags, "severity",
                                sev, "security-severity",
                                security_severity(sev)));
  free(text);
  free(md);
  return r;
}

/* Stable across runs: the same rule on the same value with the same
 * offending data gives the same fingerprint. */
static json_t *fingerprint(const sm_finding *f) {
  struct sha256_ctx ctx;
  uint8_t d[SHA256_DIGEST_SIZE];
  char hexd[2 * SHA256_DIGEST_SIZE + 1];
  const char *parts[] = {f->rule->id, f->key, f->value ? f->value : "\x01",
                         f->observed ? f->observed : ""};
  sha256_init(&ctx);
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    sha256_update(&ctx, strlen(parts[i]) + 1, (const uint8_t *)parts[i]);
  sha256_digest(&ctx, sizeof d, d);
  for (size_t i = 0; i < sizeof d; i++)
    snprintf(hexd + 2 * i, 3, "%02x", d[i]);
  return json_pack("{s:s}", "smaudit/v1", hexd);
}

static json_t *message_of(const sm_finding *f) {
  const char *detail = f->detail ? f->detail : "";
  const char *obs = f->observed, *exp = f->expected;
  size_t len =
      strlen(detail) + 64 + (obs ? strlen(obs) : 0) + (exp ? strlen(exp) : 0);
  char *m = malloc(len);
  if (!m)
    return json_pack("{s:s}", "text", "(out of memory)");
  int n = snprintf(m, len, "%s", detail);
  if (obs || exp) {
    n += snprintf(m + n, len - (size_t)n, " (");
    if (obs)
      n += snprintf(m + n, len - (size_t)n, "observed: %s%s", obs,
                    exp ? "; " : "");
    if (exp)
      n += snprintf(m + n, len - (size_t)n, "expected: %s", exp);
    snprintf(m + n, len - (size_t)n, ")");
  }
  json_t *j = json_pack("{s:o}", "text", sm_json_string(m));
  free(m);
  return j;
}

static json_t *logical_locations(const sm_finding *f) {
  const char *key = f->key;
  size_t len = strlen(key) + 16;
  char *fq = malloc(len);
  if (!fq)
    return json_array();
  snprintf(fq, len, "HKLM\\SYSTEM\\%s", key);
  const char *last = strrchr(key, '\\');
  json_t *a = json_array();
  json_array_append_new(a, json_pack("{s:o, s:o, s:s}", "name",
                                     sm_json_string(last ? last + 1 : key),
                                     "fullyQualifiedName", sm_json_string(fq),
                                     "kind", "object"));
  if (f->value) {
    const char *v = f->value;
    size_t vl = strlen(fq) + strlen(v) + 16;
    char *vfq = malloc(vl);
    if (vfq) {
      snprintf(vfq, vl, "%s\\%s", fq, v[0] ? v : "(default)");
      json_array_append_new(a, json_pack("{s:o, s:o, s:s}", "name",
                                         sm_json_string(v[0] ? v : "(default)"),
                                         "fullyQualifiedName",
                                         sm_json_string(vfq), "kind", "value"));
      free(vfq);
    }
  }
  free(fq);
  return a;
}

static json_t *null_or(json_t *j) { return j ? j : json_null(); }

static json_t *result_json(const sm_finding *f, json_t *phys,
                           const sm_scan_image *image, const sm_host *host) {
  char tbuf[32], ts[32], d[16];
  json_t *r = json_object();
  json_object_set_new(r, "ruleId", json_string(f->rule->id));
  json_object_set_new(r, "ruleIndex", json_integer(0)); /* set by add */
  json_object_set_new(r, "level",
                      json_string(level_of(sm_severity_name(f->severity))));
  json_object_set_new(r, "message", message_of(f));
  json_object_set_new(r, "locations",
                      json_pack("[{s:O, s:o}]", "physicalLocation", phys,
                                "logicalLocations", logical_locations(f)));
  json_object_set_new(r, "partialFingerprints", fingerprint(f));
  sm_filetime_iso8601(f->last_write, ts, sizeof ts);
  json_t *props = json_pack(
      "{s:s, s:o, s:o, s:o, s:o}", "severity", sm_severity_name(f->severity),
      "control_set",
      f->control_set ? json_integer(f->control_set) : json_null(), "type",
      f->has_type ? json_string(sm_type_label(f->type, tbuf, sizeof tbuf))
                  : json_null(),
      "observed",
      f->observed ? null_or(sm_json_string(f->observed)) : json_null(),
      "last_write", ts[0] ? json_string(ts) : json_null());
  sm_finding_expired_date(f, d, sizeof d);
  if (d[0])
    json_object_set_new(props, "suppression_expired", json_string(d));
  if (image)
    json_object_set_new(props, "image", sm_scan_image_json(image));
  json_object_set_new(props, "data", sm_finding_data_json(&f->data));
  json_object_set_new(props, "host", sm_host_json(host));
  json_object_set_new(props, "rules", sm_finding_rules_json(f));
  json_object_set_new(props, "also", sm_finding_also_json(f));
  json_object_set_new(r, "properties", props);
  if (f->suppressed)
    json_object_set_new(
        r, "suppressions",
        json_pack("[{s:s, s:s, s:o}]", "kind", "external", "status", "accepted",
                  "justification",
                  sm_json_string(f->suppression->justification)));
  return r;
}

static json_t *notification(const char *level, const char *msg, json_t *phys) {
  return json_pack("{s:s, s:{s:o}, s:[{s:O}]}", "level", level, "message",
                   "text", sm_json_string(msg), "locations", "physicalLocation",
                   phys);
}

/* One hive as a fragment of the run: its artifact, notifications, results
 * and the rules they name, as one line of JSON that sarif_add merges (the
 * artifact and rule indexes are known only there). */
static void sarif_render(const sm_writer *w, const sm_scan_result *res,
                         FILE *out) {
  (void)w;
  const char *path = res->has_hive ? res->hive.path : res->target;
  /* A hive inside a disk image: located in the image file (what a reader
   * can open), the hive an artifact nested in it at its path inside. */
  const sm_scan_image *image = res->image;
  char *uri = path_uri(image && image->file ? image->file
                       : path[0]            ? path
                                            : res->target);
  json_t *artifact =
      json_pack("{s:{s:o}}", "location", "uri", sm_json_string(uri ? uri : ""));
  json_t *container = NULL;
  if (image && image->path) {
    container = artifact;
    char *in = path_uri(image->path[0] == '/' ? image->path + 1 : image->path);
    artifact = json_pack("{s:{s:o}}", "location", "uri",
                         sm_json_string(in ? in : ""));
    free(in);
  }
  if (res->has_hive) {
    if (res->hive.sha256[0])
      json_object_set_new(artifact, "hashes",
                          json_pack("{s:s}", "sha-256", res->hive.sha256));
    json_object_set_new(artifact, "length",
                        json_integer((json_int_t)res->hive.size));
    json_object_set_new(artifact, "properties",
                        json_pack("{s:o}", "host", sm_host_json(&res->host)));
  }
  json_t *phys =
      json_pack("{s:{s:o, s:I}}", "artifactLocation", "uri",
                sm_json_string(uri ? uri : ""), "index", (json_int_t)0);
  json_t *notes = json_array(), *results = json_array(), *rules = json_array();
  if (res->error)
    json_array_append_new(notes, notification("error", res->error, phys));
  for (size_t i = 0; i < res->n_warnings; i++)
    json_array_append_new(notes,
                          notification("warning", res->warnings[i], phys));
  for (size_t k = 0; k < res->n_reports; k++)
    for (size_t i = 0; i < res->reports[k].n_errors; i++) {
      const sm_rule_error *e = &res->reports[k].errors[i];
      char buf[1024];
      snprintf(buf, sizeof buf, "%s: rule %s could not be evaluated on %s: %s",
               path, e->rule->id, e->key, e->message);
      json_array_append_new(notes, notification("error", buf, phys));
    }
  for (size_t k = 0; k < res->n_reports; k++)
    for (size_t i = 0; i < res->reports[k].n_findings; i++) {
      const sm_finding *f = &res->reports[k].findings[i];
      json_array_append_new(results, result_json(f, phys, image, &res->host));
      json_array_append_new(rules, rule_json(f));
    }
  json_t *frag =
      json_pack("{s:o, s:o, s:o, s:o, s:b}", "artifact", artifact,
                "notifications", notes, "results", results, "rules", rules,
                "failed",
                res->error != NULL || sm_scan_incomplete(&res->summary));
  if (frag && container)
    json_object_set_new(frag, "container", container);
  else
    json_decref(container);
  if (frag)
    json_dumpf(frag, out, JSON_COMPACT);
  json_decref(frag);
  json_decref(phys);
  free(uri);
}

static void set_artifact_index(json_t *located, size_t art) {
  json_t *loc = json_array_get(json_object_get(located, "locations"), 0);
  json_object_set_new(json_object_get(json_object_get(loc, "physicalLocation"),
                                      "artifactLocation"),
                      "index", json_integer((json_int_t)art));
}

/* The index of a disk image's artifact, added the first time. */
static size_t image_artifact(sarif *s, json_t *container) {
  const char *uri =
      json_string_value(json_object_get(json_object_get(container, "location"),
                                        "uri"));
  size_t i;
  json_t *a;
  json_array_foreach(s->artifacts, i, a) {
    const char *u = json_string_value(
        json_object_get(json_object_get(a, "location"), "uri"));
    if (!json_object_get(a, "parentIndex") && u && uri && strcmp(u, uri) == 0)
      return i;
  }
  json_array_append(s->artifacts, container);
  return json_array_size(s->artifacts) - 1;
}

static void sarif_add(sm_writer *w, const char *bytes, size_t len) {
  sarif *s = w->state;
  json_t *frag = json_loadb(bytes, len, 0, NULL);
  if (!json_is_object(frag)) {
    json_decref(frag);
    w->failed = true;
    return;
  }
  size_t art = json_array_size(s->artifacts), i;
  json_t *container = json_object_get(frag, "container");
  if (container) {
    /* The disk image, once; the hive nested in it; locations in it. */
    art = image_artifact(s, container);
    json_object_set_new(json_object_get(frag, "artifact"), "parentIndex",
                        json_integer((json_int_t)art));
  }
  json_array_append(s->artifacts, json_object_get(frag, "artifact"));
  if (json_is_true(json_object_get(frag, "failed")))
    s->failed = true;
  json_t *x, *rules = json_object_get(frag, "rules");
  json_array_foreach(json_object_get(frag, "notifications"), i, x) {
    set_artifact_index(x, art);
    json_array_append(s->notifications, x);
  }
  json_array_foreach(json_object_get(frag, "results"), i, x) {
    const char *id = json_string_value(json_object_get(x, "ruleId"));
    json_t *idx = json_object_get(s->rule_index, id ? id : "");
    size_t ri =
        idx ? (size_t)json_integer_value(idx) : json_array_size(s->rules);
    if (!idx) {
      json_array_append(s->rules, json_array_get(rules, i));
      json_object_set_new(s->rule_index, id ? id : "",
                          json_integer((json_int_t)ri));
    }
    json_object_set_new(x, "ruleIndex", json_integer((json_int_t)ri));
    set_artifact_index(x, art);
    json_array_append(s->results, x);
  }
  json_decref(frag);
}

static void sarif_finish(sm_writer *w) {
  sarif *s = w->state;
  json_t *invocation =
      json_pack("{s:b, s:O}", "executionSuccessful", !s->failed,
                "toolExecutionNotifications", s->notifications);
  json_t *driver = json_pack("{s:s, s:s, s:s, s:O}", "name", PACKAGE_NAME,
                             "version", PACKAGE_VERSION, "semanticVersion",
                             PACKAGE_VERSION, "rules", s->rules);
  json_t *run =
      json_pack("{s:{s:o}, s:[o], s:O, s:O, s:s}", "tool", "driver", driver,
                "invocations", invocation, "artifacts", s->artifacts, "results",
                s->results, "columnKind", "unicodeCodePoints");
  json_t *doc = json_pack("{s:s, s:s, s:[o]}", "$schema", SARIF_SCHEMA,
                          "version", "2.1.0", "runs", run);
  /* ASCII: every other character as \uXXXX, so the file is valid UTF-8
   * whatever the hive held. */
  if (doc) {
    json_dumpf(doc, w->f, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    fputc('\n', w->f);
  }
  json_decref(doc);
  json_decref(s->rules);
  json_decref(s->rule_index);
  json_decref(s->results);
  json_decref(s->artifacts);
  json_decref(s->notifications);
  free(s);
  w->state = NULL;
}

bool sm_writer_init_sarif(sm_writer *w) {
  sarif *s = calloc(1, sizeof *s);
  if (!s)
    return false;
  s->rules = json_array();
  s->rule_index = json_object();
  s->results = json_array();
  s->artifacts = json_array();
  s->notifications = json_array();
  if (!s->rules || !s->rule_index || !s->results || !s->artifacts ||
      !s->notifications) {
    json_decref(s->rules);
    json_decref(s->rule_index);
    json_decref(s->results);
    json_decref(s->artifacts);
    json_decref(s->notifications);
    free(s);
    return false;
  }
  w->state = s;
  w->render = sarif_render;
  w->add = sarif_add;
  w->finish = sarif_finish;
  return true;
}
