/* The keys and values the audit reads, each looked up and read once
 * whatever the number of rules on it, and the findings and rule errors the
 * audit records (checks/audit-internal.h). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/grow.h"
#include "checks/audit-internal.h"

static char *xstrdup(sm_au_ctx *c, const char *s) {
  if (!s)
    return NULL;
  char *d = strdup(s);
  if (!d)
    c->nomem = true;
  return d;
}

/* A stored link on the path of k, reported once per link target. */
static void link_finding(sm_au_ctx *c, const sm_au_key *k,
                         const sm_key_link *link) {
  for (size_t i = 0; i < c->rep->n_findings; i++)
    if (c->rep->findings[i].rule == sm_audit_link_rule() &&
        c->rep->findings[i].observed &&
        strcmp(c->rep->findings[i].observed, link->target) == 0)
      return;
  sm_au_finding(c, sm_audit_link_rule(), k, NULL, NULL, link->target, NULL,
                "key \"%s\" on the path is a stored symbolic link to %s: "
                "Windows reads the key there, and so did the audit",
                link->key, link->target);
}

sm_au_key *sm_au_get_key(sm_au_ctx *c, const sm_rule *r) {
  for (size_t i = 0; i < c->n_keys; i++)
    if (c->keys[i].root == r->root && strcasecmp(c->keys[i].path, r->key) == 0)
      return &c->keys[i];
  if (!sm_grow(&c->keys, c->n_keys, sizeof *c->keys)) {
    c->nomem = true;
    return NULL;
  }
  sm_au_key *k = &c->keys[c->n_keys];
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

static void name_findings(sm_au_ctx *c, sm_au_key *k);

bool sm_au_load_values(sm_au_ctx *c, sm_au_key *k) {
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

sm_value *const *sm_au_read_values(const sm_au_key *k, size_t *n) {
  *n = k->rule == SM_READ_ENUMERATED ? k->n_view : k->n_values;
  return k->rule == SM_READ_ENUMERATED ? k->view : k->values;
}

const sm_value *sm_au_find_value(const sm_au_key *k, const char *name) {
  size_t n;
  sm_value *const *v = sm_au_read_values(k, &n);
  return sm_values_pick(v, n, name, k->rule);
}

void sm_au_finding(sm_au_ctx *c, const sm_rule *r, const sm_au_key *k,
                   const sm_value *v, const char *value_name,
                   const char *observed, const char *expected, const char *fmt,
                   ...) {
  sm_report *rep = c->rep;
  if (!sm_grow(&rep->findings, rep->n_findings, sizeof *rep->findings)) {
    c->nomem = true;
    return;
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
  sm_au_ctx *c = a[0];
  char *text = sm_value_text(v);
  sm_au_finding(c, r, a[1], v, shown, text, NULL, "%s", detail);
  free(text);
  return !c->nomem;
}

/* What Windows' reading of the keys read found (hive/heal.c). */
bool sm_au_note_issue(void *ctx, const sm_rule *r, const char *key,
                      const char *detail) {
  sm_au_ctx *c = ctx;
  sm_au_key k = {.root = SM_ROOT_HIVE, .full_path = (char *)key};
  sm_au_finding(c, r, &k, NULL, NULL, NULL, NULL, "%s", detail);
  return !c->nomem;
}

/* Once per key, when its values are first read. */
static void name_findings(sm_au_ctx *c, sm_au_key *k) {
  void *a[2] = {c, k};
  if (!sm_name_issues(k->values, k->n_values, k->rule, name_issue, a))
    c->nomem = true;
}

void sm_au_error(sm_au_ctx *c, const sm_rule *r, const sm_au_key *k,
                 const char *value, const char *msg) {
  sm_report *rep = c->rep;
  if (!sm_grow(&rep->errors, rep->n_errors, sizeof *rep->errors)) {
    c->nomem = true;
    return;
  }
  sm_rule_error *e = &rep->errors[rep->n_errors++];
  e->rule = r;
  e->key = xstrdup(c, k->full_path);
  e->value = xstrdup(c, value);
  e->message = xstrdup(c, msg);
}

const sm_env *sm_au_env(sm_au_ctx *c) {
  if (!c->env_loaded) {
    c->env_loaded = true;
    if (sm_audit_env_load(c->h, c->cs_key, &c->env) != SM_OK)
      c->nomem = true;
  }
  return &c->env;
}

static bool load_control_sets(sm_au_ctx *c) {
  if (!c->control_sets_loaded) {
    c->control_sets_loaded = true;
    if (sm_hive_control_sets(c->h, &c->control_sets, &c->n_control_sets,
                             NULL) != SM_OK)
      return false;
  }
  return c->control_sets != NULL;
}

void sm_au_parse_needs(sm_au_ctx *c, sm_parser p, sm_parse_input *in) {
  const sm_parser_def *d = sm_parser_get(p);
  unsigned needs = d ? d->needs : 0;
  if ((needs & SM_NEEDS_CONTROL_SETS) && load_control_sets(c)) {
    in->control_sets = c->control_sets;
    in->n_control_sets = c->n_control_sets;
  }
  if (needs & SM_NEEDS_ENVIRONMENT)
    in->env = sm_au_env(c);
}

void sm_au_free(sm_au_ctx *c) {
  for (size_t i = 0; i < c->n_keys; i++) {
    free(c->keys[i].full_path);
    sm_values_free(c->keys[i].values, c->keys[i].n_values);
    free(c->keys[i].view);
  }
  free(c->keys);
  free(c->control_sets);
  sm_env_free(&c->env);
}
