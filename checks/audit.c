/* One control set audited against one baseline (sm_audit): each rule
 * evaluated on the keys and values it names, its findings, rule errors,
 * passes and rules that do not apply counted in an sm_report. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/audit-internal.h"

static bool has_list_members(const sm_expect *e) {
  return e->has_exact || e->has_allowed || e->n_required || e->n_forbidden ||
         e->has_max_items;
}

/* Evaluate e (r->expect, or its resolved copy) on target t; one finding
 * per mismatch.  Returns the number of findings added. */
static size_t expect_findings(sm_au_ctx *c, const sm_rule *r,
                              const sm_expect *e, const sm_au_key *k,
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
      sm_value *const *vals = sm_au_read_values(k, &nv);
      fv = sm_item_value(vals, nv, r->field, m[i].observed, m[i].expected, buf,
                         sizeof buf);
      name = buf[0] ? buf : NULL;
    }
    sm_au_finding(c, r, k, fv, name, m[i].observed, m[i].expected, "%s%s%s",
                  r->field ? r->field : "", r->field ? ": " : "", m[i].detail);
  }
  sm_mismatches_free(m, n);
  return n;
}

static size_t check_fields(sm_au_ctx *c, const sm_rule *r, const sm_au_key *k,
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
  if (sm_expect_resolve(&r->expect, sm_au_env(c), &e) != SM_OK) {
    c->nomem = true;
    return 0;
  }
  size_t found = expect_findings(c, r, &e, k, v, &t);
  sm_expect_resolved_free(&e);
  return found;
}

/* Whether a rule on kr's key reads v: by the name as its consumer reads
 * it (a name holding a NUL is not the name before it, read by name). */
static bool value_named(const sm_au_ctx *c, const sm_rule *kr,
                        const sm_au_key *k, const sm_value *v) {
  for (size_t i = 0; i < c->b->n_rules; i++) {
    const sm_rule *q = &c->b->rules[i];
    if (q->value && q->root == kr->root && strcasecmp(q->key, kr->key) == 0 &&
        (k->rule == SM_READ_ENUMERATED ? sm_value_name_eq(q->value, v->name)
                                       : sm_value_is(v, q->value)))
      return true;
  }
  return false;
}

static bool subkey_named(const sm_au_ctx *c, const sm_rule *kr,
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

static size_t key_rule(sm_au_ctx *c, const sm_rule *r, sm_au_key *k) {
  size_t found = 0;
  char tbuf[32];
  if (r->presence == SM_PRESENCE_FORBIDDEN) {
    sm_au_finding(c, r, k, NULL, NULL, k->full_path, "key absent",
                  "the key is present");
    return 1;
  }
  if (r->parse != SM_PARSE_NONE) {
    if (!sm_au_load_values(c, k)) {
      sm_au_error(c, r, k, NULL, k->values_msg);
      return 0;
    }
    sm_parse_input in = {0};
    in.values = sm_au_read_values(k, &in.n_values);
    sm_au_parse_needs(c, r->parse, &in);
    sm_fields fields = {0};
    sm_result pr = sm_parse_fields(r->parse, &in, &fields);
    if (pr == SM_OK)
      found += check_fields(c, r, k, NULL, &fields);
    else if (pr == SM_ERR_NOMEM)
      c->nomem = true;
    else
      sm_au_error(c, r, k, NULL, sm_result_str(pr));
    sm_fields_free(&fields);
  }
  if (r->has_values_policy && r->values.report) {
    if (!sm_au_load_values(c, k)) {
      sm_au_error(c, r, k, NULL, k->values_msg);
      return found;
    }
    size_t nv;
    sm_value *const *vals = sm_au_read_values(k, &nv);
    for (size_t i = 0; i < nv; i++) {
      const sm_value *v = vals[i];
      if (value_named(c, r, k, v) ||
          listed(r->values.allow, r->values.n_allow, v->name) ||
          listed(r->values.ignore, r->values.n_ignore, v->name))
        continue;
      char *text = sm_value_text(v),
           *shown = sm_name_shown(v->name, v->name_len);
      if (!text || !shown)
        c->nomem = true;
      sm_au_finding(c, r, k, v, shown, text, NULL,
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
      sm_au_error(c, r, k, NULL, err.msg);
      return found;
    }
    for (size_t i = 0; i < n; i++) {
      /* Counted: a name holding a NUL is named by no rule or glob. */
      size_t len;
      char *name = sm_key_name_counted(c->h, subs[i], &len);
      char *shown = name ? sm_name_shown(name, len) : NULL;
      if (!shown) {
        c->nomem = true;
      } else if (strlen(name) < len ||
                 (!subkey_named(c, r, name) &&
                  !listed(r->subkeys.allow, r->subkeys.n_allow, name) &&
                  !listed(r->subkeys.ignore, r->subkeys.n_ignore, name))) {
        sm_au_finding(c, r, k, NULL, NULL, shown, NULL,
                      "unexpected subkey \"%s\"", shown);
        found++;
      }
      free(name);
      free(shown);
    }
    free(subs);
  }
  return found;
}

static size_t value_rule(sm_au_ctx *c, const sm_rule *r, sm_au_key *k) {
  char t1[32], t2[32];
  if (!sm_au_load_values(c, k)) {
    sm_au_error(c, r, k, r->value, k->values_msg);
    return 0;
  }
  const sm_value *v = sm_au_find_value(k, r->value);
  if (!v) {
    if (r->presence != SM_PRESENCE_REQUIRED) {
      c->rep->n_not_applicable++;
      return 0;
    }
    char *want = r->has_expect ? sm_expect_describe(&r->expect) : NULL;
    sm_au_finding(c, r, k, NULL, r->value, NULL, want, "the value is missing");
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
    sm_au_finding(c, r, k, v, r->value, text, "value absent",
                  "the value is present");
    found = 1;
    goto out;
  }
  if (r->n_types) {
    bool ok = false;
    for (size_t i = 0; i < r->n_types && !ok; i++)
      ok = r->types[i] == v->type;
    if (!ok) {
      sm_au_finding(
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
    sm_au_error(c, r, k, r->value, msg);
    goto out;
  }
  if (r->parse != SM_PARSE_NONE) {
    sm_parse_input in = {.value = v};
    sm_au_parse_needs(c, r->parse, &in);
    sm_fields fields = {0};
    sm_result pr = sm_parse_fields(r->parse, &in, &fields);
    if (pr == SM_OK) {
      found = check_fields(c, r, k, v, &fields);
    } else if (pr == SM_ERR_TYPE) {
      sm_au_finding(
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
  sm_au_ctx c = {.h = h,
                 .b = b,
                 .cs_id = cs_id,
                 .cs_key = cs_key,
                 .today = today_ymd,
                 .rep = out};
  for (size_t i = 0; i < b->n_rules && !c.nomem; i++) {
    const sm_rule *r = &b->rules[i];
    sm_au_key *k = sm_au_get_key(&c, r);
    if (!k)
      break;
    if (k->lookup != SM_OK && k->lookup != SM_ERR_NOT_FOUND) {
      sm_au_error(&c, r, k, r->value, k->lookup_msg);
      continue;
    }
    size_t found;
    if (k->lookup == SM_ERR_NOT_FOUND) {
      if (r->presence != SM_PRESENCE_REQUIRED) {
        out->n_not_applicable++;
        continue;
      }
      sm_au_finding(&c, r, k, NULL, r->value, NULL, NULL,
                    "the key %s is missing", k->full_path);
      continue;
    }
    size_t before_na = out->n_not_applicable, before_err = out->n_errors;
    found = r->value ? value_rule(&c, r, k) : key_rule(&c, r, k);
    /* A rule holds when it found nothing, applied, and could be read. */
    if (found == 0 && out->n_not_applicable == before_na &&
        out->n_errors == before_err)
      out->n_pass++;
  }
  if (!c.nomem && !sm_note_issues(h, sm_au_note_issue, &c))
    c.nomem = true;
  sm_au_free(&c);
  if (c.nomem) {
    sm_report_free(out);
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory during audit",
                        sm_hive_path(h));
  }
  return SM_OK;
}
