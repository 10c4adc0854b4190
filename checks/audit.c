#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/audit.h"
#include "checks/parse.h"
#include "checks/winpath.h"

/* One key of the hive as the audit sees it: looked up once, its values
 * read once, whatever the number of rules on it. */
typedef struct key_entry {
  sm_root root;
  const char *path; /* rule->key of the first rule naming it */
  char *full_path;  /* as reported: ControlSet001\... */
  sm_result lookup; /* SM_OK, SM_ERR_NOT_FOUND, or damage */
  char lookup_msg[512];
  sm_key key;
  uint64_t last_write;
  bool values_loaded;
  sm_result values_r;
  char values_msg[512];
  sm_value **values;
  size_t n_values;
  sm_read_rule rule; /* how Windows reads the key's values */
  sm_value **view;   /* SM_READ_ENUMERATED: the values smss.exe acts on */
  size_t n_view;
} key_entry;

typedef struct audit_ctx {
  sm_hive *h;
  const sm_baseline *b;
  unsigned cs_id;
  sm_key cs_key;
  int today;
  key_entry *keys;
  size_t n_keys, cap_keys;
  sm_report *rep;
  size_t cap_findings, cap_errors;
  bool nomem;
  unsigned *control_sets;
  size_t n_control_sets;
  bool control_sets_loaded;
  sm_env env; /* the control set's environment, loaded on first use */
  bool env_loaded;
} audit_ctx;

static char *xstrdup(audit_ctx *c, const char *s) {
  if (!s)
    return NULL;
  char *d = strdup(s);
  if (!d)
    c->nomem = true;
  return d;
}

static void add_finding(audit_ctx *c, const sm_rule *r, const key_entry *k,
                        const sm_value *v, const char *value_name,
                        const char *observed, const char *expected,
                        const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* A stored link on the path of k, reported once per link target. */
static void link_finding(audit_ctx *c, const key_entry *k,
                         const sm_key_link *link) {
  for (size_t i = 0; i < c->rep->n_findings; i++)
    if (c->rep->findings[i].rule == sm_audit_link_rule() &&
        c->rep->findings[i].observed &&
        strcmp(c->rep->findings[i].observed, link->target) == 0)
      return;
  add_finding(c, sm_audit_link_rule(), k, NULL, NULL, link->target, NULL,
              "key \"%s\" on the path is a stored symbolic link to %s: "
              "Windows reads the key there, and so did the audit",
              link->key, link->target);
}

static key_entry *get_key(audit_ctx *c, const sm_rule *r) {
  for (size_t i = 0; i < c->n_keys; i++)
    if (c->keys[i].root == r->root && strcasecmp(c->keys[i].path, r->key) == 0)
      return &c->keys[i];
  if (c->n_keys == c->cap_keys) {
    size_t cap = c->cap_keys ? c->cap_keys * 2 : 16;
    key_entry *k = realloc(c->keys, cap * sizeof *k);
    if (!k) {
      c->nomem = true;
      return NULL;
    }
    c->keys = k;
    c->cap_keys = cap;
  }
  key_entry *k = &c->keys[c->n_keys];
  memset(k, 0, sizeof *k);
  k->root = r->root;
  k->path = r->key;
  k->rule = sm_key_read_rule(r->root, r->key);
  size_t need = strlen(r->key) + 32;
  k->full_path = malloc(need);
  if (!k->full_path) {
    c->nomem = true;
    return NULL;
  }
  if (r->root == SM_ROOT_HIVE)
    snprintf(k->full_path, need, "%s", r->key);
  else
    snprintf(k->full_path, need, "ControlSet%03u%s%s", c->cs_id,
             r->key[0] ? "\\" : "", r->key);
  sm_error err = {0};
  sm_key base = r->root == SM_ROOT_HIVE ? sm_hive_root(c->h) : c->cs_key;
  sm_key_link link;
  k->lookup = sm_key_lookup_link(c->h, base, r->key, &k->key, &link, &err);
  if (k->lookup == SM_OK)
    k->last_write = sm_key_last_write(c->h, k->key);
  else
    snprintf(k->lookup_msg, sizeof k->lookup_msg, "%s", err.msg);
  c->n_keys++;
  if (k->lookup == SM_OK && link.followed)
    link_finding(c, k, &link);
  return k;
}

static void name_findings(audit_ctx *c, key_entry *k);

static bool load_values(audit_ctx *c, key_entry *k) {
  if (!k->values_loaded) {
    sm_error err = {0};
    k->values_loaded = true;
    k->values_r = sm_key_values(c->h, k->key, &k->values, &k->n_values, &err);
    if (k->values_r == SM_ERR_NOMEM)
      c->nomem = true;
    if (k->values_r != SM_OK)
      snprintf(k->values_msg, sizeof k->values_msg, "%s", err.msg);
    if (k->values_r == SM_OK && k->rule == SM_READ_ENUMERATED &&
        sm_values_enumerated(k->values, k->n_values, &k->view, &k->n_view) !=
            SM_OK)
      c->nomem = true;
    if (k->values_r == SM_OK)
      name_findings(c, k);
  }
  return k->values_r == SM_OK;
}

/* The values as the key's consumer reads them. */
static sm_value *const *read_values(const key_entry *k, size_t *n) {
  *n = k->rule == SM_READ_ENUMERATED ? k->n_view : k->n_values;
  return k->rule == SM_READ_ENUMERATED ? k->view : k->values;
}

static const sm_value *find_value(const key_entry *k, const char *name) {
  size_t n;
  sm_value *const *v = read_values(k, &n);
  return sm_values_pick(v, n, name, k->rule);
}

static void add_finding(audit_ctx *c, const sm_rule *r, const key_entry *k,
                        const sm_value *v, const char *value_name,
                        const char *observed, const char *expected,
                        const char *fmt, ...) {
  sm_report *rep = c->rep;
  if (rep->n_findings == c->cap_findings) {
    size_t cap = c->cap_findings ? c->cap_findings * 2 : 16;
    sm_finding *f = realloc(rep->findings, cap * sizeof *f);
    if (!f) {
      c->nomem = true;
      return;
    }
    rep->findings = f;
    c->cap_findings = cap;
  }
  sm_finding *f = &rep->findings[rep->n_findings];
  memset(f, 0, sizeof *f);
  char detail[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  f->rule = r;
  f->severity = r->severity;
  f->control_set = k->root == SM_ROOT_HIVE ? 0 : c->cs_id;
  f->key = xstrdup(c, k->full_path);
  f->value = xstrdup(c, value_name);
  if (v) {
    f->has_type = true;
    f->type = v->type;
    if (sm_finding_data_set(&f->data, v) != SM_OK)
      c->nomem = true;
  }
  f->observed = xstrdup(c, observed);
  f->expected = xstrdup(c, expected);
  f->detail = xstrdup(c, detail);
  f->last_write = k->last_write;
  rep->n_findings++;
  if (!sm_audit_own_rule(r))
    sm_finding_suppress(c->b, c->today, f);
}

static bool name_issue(void *ctx, const sm_rule *r, const sm_value *v,
                       const char *shown, const char *detail) {
  void **a = ctx;
  audit_ctx *c = a[0];
  char *text = sm_value_text(v);
  add_finding(c, r, a[1], v, shown, text, NULL, "%s", detail);
  free(text);
  return !c->nomem;
}

/* What Windows' reading of the keys read found (hive/heal.c). */
static bool note_issue(void *ctx, const sm_rule *r, const char *key,
                       const char *detail) {
  audit_ctx *c = ctx;
  key_entry k = {.root = SM_ROOT_HIVE, .full_path = (char *)key};
  add_finding(c, r, &k, NULL, NULL, NULL, NULL, "%s", detail);
  return !c->nomem;
}

/* Once per key, when its values are first read. */
static void name_findings(audit_ctx *c, key_entry *k) {
  void *a[2] = {c, k};
  if (!sm_name_issues(k->values, k->n_values, k->rule, name_issue, a))
    c->nomem = true;
}

static void add_error(audit_ctx *c, const sm_rule *r, const key_entry *k,
                      const char *value, const char *msg) {
  sm_report *rep = c->rep;
  if (rep->n_errors == c->cap_errors) {
    size_t cap = c->cap_errors ? c->cap_errors * 2 : 4;
    sm_rule_error *e = realloc(rep->errors, cap * sizeof *e);
    if (!e) {
      c->nomem = true;
      return;
    }
    rep->errors = e;
    c->cap_errors = cap;
  }
  sm_rule_error *e = &rep->errors[rep->n_errors++];
  e->rule = r;
  e->key = xstrdup(c, k->full_path);
  e->value = xstrdup(c, value);
  e->message = xstrdup(c, msg);
}

static bool has_list_members(const sm_expect *e) {
  return e->has_exact || e->has_allowed || e->n_required || e->n_forbidden ||
         e->has_max_items;
}

static const sm_env *get_env(audit_ctx *c) {
  if (!c->env_loaded) {
    c->env_loaded = true;
    if (sm_audit_env_load(c->h, c->cs_key, &c->env) != SM_OK)
      c->nomem = true;
  }
  return &c->env;
}

/* Evaluate e (r->expect, or its resolved copy) on target t; one finding
 * per mismatch.  Returns the number of findings added. */
static size_t expect_findings(audit_ctx *c, const sm_rule *r,
                              const sm_expect *e, const key_entry *k,
                              const sm_value *v, const sm_target *t) {
  sm_mismatch *m = NULL;
  size_t n = 0;
  if (sm_expect_check(e, t, &m, &n) != SM_OK)
    c->nomem = true;
  for (size_t i = 0; i < n; i++) {
    /* A key-level parser's finding is about one of the key's values. */
    const char *name = r->value;
    const sm_value *fv = v;
    char buf[256] = "";
    if (!name && k->values_loaded && k->values_r == SM_OK) {
      size_t nv;
      sm_value *const *vals = read_values(k, &nv);
      fv = sm_item_value(vals, nv, r->field, m[i].observed,
                         m[i].expected, buf, sizeof buf);
      name = buf[0] ? buf : NULL;
    }
    add_finding(c, r, k, fv, name, m[i].observed, m[i].expected, "%s%s%s",
                r->field ? r->field : "", r->field ? ": " : "", m[i].detail);
  }
  sm_mismatches_free(m, n);
  return n;
}

static size_t check_fields(audit_ctx *c, const sm_rule *r, const key_entry *k,
                           const sm_value *v, const sm_fields *fields) {
  const sm_field *f = sm_fields_get(fields, r->field);
  char *const *items = f ? f->items : NULL;
  size_t n = f ? f->n : 0;
  sm_target t = {0};
  if (has_list_members(&r->expect) || n > 1 ||
      (n == 0 && r->expect.has_empty)) {
    t.is_list = true;
    t.items = items;
    t.n_items = n;
  } else if (n == 0) {
    /* A scalar field with no item (an absent parameter) does not apply, as
     * an absent optional value does not; list fields check absence. */
    c->rep->n_not_applicable++;
    return 0;
  } else {
    t.str = items[0];
  }
  if (!sm_parser_path_field(r->parse, r->field))
    return expect_findings(c, r, &r->expect, k, v, &t);
  /* Resolved paths are compared with expected paths resolved alike. */
  sm_expect e;
  if (sm_expect_resolve(&r->expect, get_env(c), &e) != SM_OK) {
    c->nomem = true;
    return 0;
  }
  size_t found = expect_findings(c, r, &e, k, v, &t);
  sm_expect_resolved_free(&e);
  return found;
}

static bool load_control_sets(audit_ctx *c) {
  if (!c->control_sets_loaded) {
    c->control_sets_loaded = true;
    if (sm_hive_control_sets(c->h, &c->control_sets, &c->n_control_sets,
                             NULL) != SM_OK)
      return false;
  }
  return c->control_sets != NULL;
}

/* What parser p needs from the hive besides its input. */
static void parse_needs(audit_ctx *c, sm_parser p, sm_parse_input *in) {
  const sm_parser_def *d = sm_parser_get(p);
  unsigned needs = d ? d->needs : 0;
  if ((needs & SM_NEEDS_CONTROL_SETS) && load_control_sets(c)) {
    in->control_sets = c->control_sets;
    in->n_control_sets = c->n_control_sets;
  }
  if (needs & SM_NEEDS_ENVIRONMENT)
    in->env = get_env(c);
}

/* Whether a rule on kr's key reads v: by the name as its consumer reads
 * it (a name holding a NUL is not the name before it, read by name). */
static bool value_named(const audit_ctx *c, const sm_rule *kr,
                        const key_entry *k, const sm_value *v) {
  for (size_t i = 0; i < c->b->n_rules; i++) {
    const sm_rule *q = &c->b->rules[i];
    if (q->value && q->root == kr->root && strcasecmp(q->key, kr->key) == 0 &&
        (k->rule == SM_READ_ENUMERATED ? sm_value_name_eq(q->value, v->name)
                                       : sm_value_is(v, q->value)))
      return true;
  }
  return false;
}

static bool subkey_named(const audit_ctx *c, const sm_rule *kr,
                         const char *name) {
  size_t kl = strlen(kr->key), nl = strlen(name);
  for (size_t i = 0; i < c->b->n_rules; i++) {
    const sm_rule *q = &c->b->rules[i];
    if (q->root != kr->root)
      continue;
    const char *p = q->key;
    if (kl) {
      if (strncasecmp(p, kr->key, kl) != 0 || p[kl] != '\\')
        continue;
      p += kl + 1;
    }
    if (strncasecmp(p, name, nl) == 0 && (p[nl] == '\0' || p[nl] == '\\'))
      return true;
  }
  return false;
}

static bool listed(char *const *globs, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (sm_glob_ci(globs[i], name))
      return true;
  return false;
}

static size_t key_rule(audit_ctx *c, const sm_rule *r, key_entry *k) {
  size_t found = 0;
  char tbuf[32];
  if (r->presence == SM_PRESENCE_FORBIDDEN) {
    add_finding(c, r, k, NULL, NULL, k->full_path, "key absent",
                "the key is present");
    return 1;
  }
  if (r->parse != SM_PARSE_NONE) {
    if (!load_values(c, k)) {
      add_error(c, r, k, NULL, k->values_msg);
      return 0;
    }
    sm_parse_input in = {0};
    in.values = read_values(k, &in.n_values);
    parse_needs(c, r->parse, &in);
    sm_fields fields = {0};
    sm_result pr = sm_parse_fields(r->parse, &in, &fields);
    if (pr == SM_OK)
      found += check_fields(c, r, k, NULL, &fields);
    else if (pr == SM_ERR_NOMEM)
      c->nomem = true;
    else
      add_error(c, r, k, NULL, sm_result_str(pr));
    sm_fields_free(&fields);
  }
  if (r->has_values_policy && r->values.report) {
    if (!load_values(c, k)) {
      add_error(c, r, k, NULL, k->values_msg);
      return found;
    }
    size_t nv;
    sm_value *const *vals = read_values(k, &nv);
    for (size_t i = 0; i < nv; i++) {
      const sm_value *v = vals[i];
      if (value_named(c, r, k, v) ||
          listed(r->values.allow, r->values.n_allow, v->name) ||
          listed(r->values.ignore, r->values.n_ignore, v->name))
        continue;
      char *text = sm_value_text(v), *shown = sm_name_shown(v->name, v->name_len);
      if (!text || !shown)
        c->nomem = true;
      add_finding(c, r, k, v, shown, text, NULL,
                  "unexpected value \"%s\" (%s)",
                  shown && shown[0] ? shown : "(default)",
                  sm_type_label(v->type, tbuf, sizeof tbuf));
      free(text);
      free(shown);
      found++;
    }
  }
  if (r->has_subkeys_policy && r->subkeys.report) {
    sm_key *subs = NULL;
    size_t n = 0;
    sm_error err = {0};
    if (sm_key_subkeys(c->h, k->key, &subs, &n, &err) != SM_OK) {
      add_error(c, r, k, NULL, err.msg);
      return found;
    }
    for (size_t i = 0; i < n; i++) {
      char *name = sm_key_name(c->h, subs[i]);
      if (!name) {
        c->nomem = true;
        continue;
      }
      if (!subkey_named(c, r, name) &&
          !listed(r->subkeys.allow, r->subkeys.n_allow, name) &&
          !listed(r->subkeys.ignore, r->subkeys.n_ignore, name)) {
        add_finding(c, r, k, NULL, NULL, name, NULL, "unexpected subkey \"%s\"",
                    name);
        found++;
      }
      free(name);
    }
    free(subs);
  }
  return found;
}

static size_t value_rule(audit_ctx *c, const sm_rule *r, key_entry *k) {
  char t1[32], t2[32];
  if (!load_values(c, k)) {
    add_error(c, r, k, r->value, k->values_msg);
    return 0;
  }
  const sm_value *v = find_value(k, r->value);
  if (!v) {
    if (r->presence != SM_PRESENCE_REQUIRED) {
      c->rep->n_not_applicable++;
      return 0;
    }
    char *want = r->has_expect ? sm_expect_describe(&r->expect) : NULL;
    add_finding(c, r, k, NULL, r->value, NULL, want, "the value is missing");
    free(want);
    return 1;
  }
  char *text = sm_value_text(v);
  if (!text) {
    c->nomem = true;
    return 0;
  }
  size_t found = 0;
  if (r->presence == SM_PRESENCE_FORBIDDEN) {
    add_finding(c, r, k, v, r->value, text, "value absent",
                "the value is present");
    found = 1;
    goto out;
  }
  if (r->n_types) {
    bool ok = false;
    for (size_t i = 0; i < r->n_types && !ok; i++)
      ok = r->types[i] == v->type;
    if (!ok) {
      add_finding(
          c, r, k, v, r->value, text, sm_type_label(r->types[0], t2, sizeof t2),
          "the value is %s, expected %s", sm_type_label(v->type, t1, sizeof t1),
          sm_type_label(r->types[0], t2, sizeof t2));
      found = 1;
      goto out;
    }
  }
  /* Presence and type hold; only a rule on the data needs it readable. */
  if (!r->has_expect)
    goto out;
  if (v->status != SM_OK) {
    char msg[600];
    if (v->status == SM_ERR_TYPE)
      snprintf(msg, sizeof msg, "a %s with %zu bytes of data is malformed",
               sm_type_label(v->type, t1, sizeof t1), v->len);
    else
      snprintf(msg, sizeof msg, "value data unreadable: %s",
               sm_result_str(v->status));
    add_error(c, r, k, r->value, msg);
    goto out;
  }
  if (r->parse != SM_PARSE_NONE) {
    sm_parse_input in = {.value = v};
    parse_needs(c, r->parse, &in);
    sm_fields fields = {0};
    sm_result pr = sm_parse_fields(r->parse, &in, &fields);
    if (pr == SM_OK) {
      found = check_fields(c, r, k, v, &fields);
    } else if (pr == SM_ERR_TYPE) {
      add_finding(
          c, r, k, v, r->value, text, NULL, "a %s value cannot be read as %s",
          sm_type_label(v->type, t1, sizeof t1), sm_parser_name(r->parse));
      found = 1;
    } else {
      c->nomem = true;
    }
    sm_fields_free(&fields);
    goto out;
  }
  sm_target t = {0};
  if (v->strv) {
    t.is_list = true;
    t.items = v->strv;
    t.n_items = v->nstrv;
  } else if (v->str) {
    if (has_list_members(&r->expect)) {
      t.is_list = true;
      t.items = (char *const *)&v->str;
      t.n_items = 1;
    } else {
      t.str = v->str;
    }
  } else if (v->has_num) {
    t.is_num = true;
    t.num = v->num;
  } else {
    t.str = text;
  }
  found = expect_findings(c, r, &r->expect, k, v, &t);
out:
  free(text);
  return found;
}

sm_result sm_audit(sm_hive *h, const sm_baseline *b, unsigned cs_id,
                   sm_key cs_key, int today_ymd, sm_report *out,
                   sm_error *err) {
  memset(out, 0, sizeof *out);
  out->control_set = cs_id;
  audit_ctx c = {.h = h,
                 .b = b,
                 .cs_id = cs_id,
                 .cs_key = cs_key,
                 .today = today_ymd,
                 .rep = out};
  for (size_t i = 0; i < b->n_rules && !c.nomem; i++) {
    const sm_rule *r = &b->rules[i];
    key_entry *k = get_key(&c, r);
    if (!k)
      break;
    if (k->lookup != SM_OK && k->lookup != SM_ERR_NOT_FOUND) {
      add_error(&c, r, k, r->value, k->lookup_msg);
      continue;
    }
    size_t found;
    if (k->lookup == SM_ERR_NOT_FOUND) {
      if (r->presence != SM_PRESENCE_REQUIRED) {
        out->n_not_applicable++;
        continue;
      }
      add_finding(&c, r, k, NULL, r->value, NULL, NULL, "the key %s is missing",
                  k->full_path);
      continue;
    }
    size_t before_na = out->n_not_applicable, before_err = out->n_errors;
    found = r->value ? value_rule(&c, r, k) : key_rule(&c, r, k);
    /* A rule holds when it found nothing, applied, and could be read. */
    if (found == 0 && out->n_not_applicable == before_na &&
        out->n_errors == before_err)
      out->n_pass++;
  }
  if (!c.nomem && !sm_note_issues(h, note_issue, &c))
    c.nomem = true;
  for (size_t i = 0; i < c.n_keys; i++) {
    free(c.keys[i].full_path);
    sm_values_free(c.keys[i].values, c.keys[i].n_values);
    free(c.keys[i].view);
  }
  free(c.keys);
  free(c.control_sets);
  sm_env_free(&c.env);
  if (c.nomem) {
    sm_report_free(out);
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory during audit",
                        sm_hive_path(h));
  }
  return SM_OK;
}
