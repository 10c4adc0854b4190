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

static const char *str_of(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
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
static json_t *rule_json(json_t *f) {
  const char *id = str_of(f, "rule"), *title = str_of(f, "title");
  const char *normal = str_of(f, "normal"), *message = str_of(f, "message");
  const char *sev = str_of(f, "severity");
  json_t *attack = json_object_get(f, "attack");
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
  size_t i;
  json_t *a;
  bool first = true;
  json_array_foreach(attack, i, a) {
    const char *aid = json_string_value(a);
    if (!aid)
      continue;
    json_array_append_new(tags, json_string(aid));
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

static size_t rule_index(sarif *s, json_t *f) {
  const char *id = str_of(f, "rule");
  json_t *idx = json_object_get(s->rule_index, id);
  if (idx)
    return (size_t)json_integer_value(idx);
  size_t n = json_array_size(s->rules);
  json_array_append_new(s->rules, rule_json(f));
  json_object_set_new(s->rule_index, id, json_integer((json_int_t)n));
  return n;
}

/* Stable across runs: the same rule on the same value with the same
 * offending data gives the same fingerprint. */
static json_t *fingerprint(json_t *f) {
  struct sha256_ctx ctx;
  uint8_t d[SHA256_DIGEST_SIZE];
  char hexd[2 * SHA256_DIGEST_SIZE + 1];
  const char *parts[] = {
      str_of(f, "rule"), str_of(f, "key"),
      json_is_string(json_object_get(f, "value")) ? str_of(f, "value") : "\x01",
      str_of(f, "observed")};
  sha256_init(&ctx);
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    sha256_update(&ctx, strlen(parts[i]) + 1, (const uint8_t *)parts[i]);
  sha256_digest(&ctx, sizeof d, d);
  for (size_t i = 0; i < sizeof d; i++)
    snprintf(hexd + 2 * i, 3, "%02x", d[i]);
  return json_pack("{s:s}", "smaudit/v1", hexd);
}

static json_t *message_of(json_t *f) {
  const char *detail = str_of(f, "detail");
  json_t *obs = json_object_get(f, "observed"),
         *exp = json_object_get(f, "expected");
  size_t len = strlen(detail) + 64;
  if (json_is_string(obs))
    len += strlen(json_string_value(obs));
  if (json_is_string(exp))
    len += strlen(json_string_value(exp));
  char *m = malloc(len);
  if (!m)
    return json_pack("{s:s}", "text", "(out of memory)");
  int n = snprintf(m, len, "%s", detail);
  if (json_is_string(obs) || json_is_string(exp)) {
    n += snprintf(m + n, len - (size_t)n, " (");
    if (json_is_string(obs))
      n += snprintf(m + n, len - (size_t)n, "observed: %s%s",
                    json_string_value(obs), json_is_string(exp) ? "; " : "");
    if (json_is_string(exp))
      n += snprintf(m + n, len - (size_t)n, "expected: %s",
                    json_string_value(exp));
    snprintf(m + n, len - (size_t)n, ")");
  }
  json_t *j = json_pack("{s:o}", "text", sm_json_string(m));
  free(m);
  return j;
}

static json_t *logical_locations(json_t *f) {
  const char *key = str_of(f, "key");
  json_t *value = json_object_get(f, "value");
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
  if (json_is_string(value)) {
    const char *v = json_string_value(value);
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

static void sarif_result(sm_writer *w, json_t *res) {
  sarif *s = w->state;
  json_t *hive = json_object_get(res, "hive");
  const char *path =
      json_is_object(hive) ? str_of(hive, "path") : str_of(res, "target");
  char *uri = path_uri(path[0] ? path : str_of(res, "target"));
  size_t art = json_array_size(s->artifacts);
  json_t *artifact =
      json_pack("{s:{s:o}}", "location", "uri", sm_json_string(uri ? uri : ""));
  if (json_is_object(hive)) {
    json_t *sha = json_object_get(hive, "sha256");
    if (json_is_string(sha))
      json_object_set_new(artifact, "hashes",
                          json_pack("{s:O}", "sha-256", sha));
    json_object_set(artifact, "length", json_object_get(hive, "size"));
  }
  json_array_append_new(s->artifacts, artifact);

  json_t *phys =
      json_pack("{s:{s:o, s:I}}", "artifactLocation", "uri",
                sm_json_string(uri ? uri : ""), "index", (json_int_t)art);
  json_t *err = json_object_get(res, "error");
  if (json_is_string(err)) {
    s->failed = true;
    json_array_append_new(s->notifications,
                          json_pack("{s:s, s:{s:o}, s:[{s:O}]}", "level",
                                    "error", "message", "text",
                                    sm_json_string(json_string_value(err)),
                                    "locations", "physicalLocation", phys));
  }
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(res, "rule_errors"), i, e) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s: rule %s could not be evaluated on %s: %s",
             path, str_of(e, "rule"), str_of(e, "key"), str_of(e, "message"));
    json_array_append_new(s->notifications,
                          json_pack("{s:s, s:{s:o}, s:[{s:O}]}", "level",
                                    "warning", "message", "text",
                                    sm_json_string(buf), "locations",
                                    "physicalLocation", phys));
  }
  json_t *f;
  json_array_foreach(json_object_get(res, "findings"), i, f) {
    size_t ri = rule_index(s, f);
    json_t *r = json_object();
    json_object_set_new(r, "ruleId", json_string(str_of(f, "rule")));
    json_object_set_new(r, "ruleIndex", json_integer((json_int_t)ri));
    json_object_set_new(r, "level",
                        json_string(level_of(str_of(f, "severity"))));
    json_object_set_new(r, "message", message_of(f));
    json_object_set_new(r, "locations",
                        json_pack("[{s:O, s:o}]", "physicalLocation", phys,
                                  "logicalLocations", logical_locations(f)));
    json_object_set_new(r, "partialFingerprints", fingerprint(f));
    json_t *props = json_pack(
        "{s:O, s:O, s:O, s:O, s:O}", "severity", json_object_get(f, "severity"),
        "control_set", json_object_get(f, "control_set"), "type",
        json_object_get(f, "type"), "observed", json_object_get(f, "observed"),
        "last_write", json_object_get(f, "last_write"));
    if (json_is_string(json_object_get(f, "suppression_expired")))
      json_object_set(props, "suppression_expired",
                      json_object_get(f, "suppression_expired"));
    json_object_set_new(r, "properties", props);
    if (json_is_true(json_object_get(f, "suppressed")))
      json_object_set_new(
          r, "suppressions",
          json_pack("[{s:s, s:s, s:o}]", "kind", "external", "status",
                    "accepted", "justification",
                    sm_json_string(str_of(f, "justification"))));
    json_array_append_new(s->results, r);
  }
  json_decref(phys);
  free(uri);
}

static void sarif_finish(sm_writer *w) {
  sarif *s = w->state;
  json_t *invocation =
      json_pack("{s:b, s:O}", "executionSuccessful", !s->failed,
                "toolExecutionNotifications", s->notifications);
  json_t *driver =
      json_pack("{s:s, s:s, s:s, s:O}", "name", PACKAGE_NAME, "version",
                PACKAGE_VERSION, "semanticVersion", PACKAGE_VERSION, "rules",
                s->rules);
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
  w->result = sarif_result;
  w->finish = sarif_finish;
  return true;
}
