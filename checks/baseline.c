/* Baselines: severities, freeing and lookup.  The loader is split by
 * concern; checks/baseline-internal.h says which file holds what. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/baseline-internal.h"

static const char *const severity_names[] = {"info", "low", "medium", "high",
                                             "critical"};

const char *sm_severity_name(sm_severity s) {
  if ((unsigned)s < sizeof severity_names / sizeof severity_names[0])
    return severity_names[s];
  return "unknown";
}

bool sm_severity_parse(const char *name, sm_severity *out) {
  for (size_t i = 0; i < sizeof severity_names / sizeof severity_names[0]; i++)
    if (strcasecmp(name, severity_names[i]) == 0) {
      *out = (sm_severity)i;
      return true;
    }
  return false;
}

/* ---- freeing ---- */

void sm_bl_strv_free(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static void expect_free(sm_expect *e) {
  free(e->equals_str);
  sm_bl_strv_free(e->one_of, e->n_one_of);
  free(e->glob);
  free(e->regex_src);
  sm_regex_free(e->regex);
  sm_bl_strv_free(e->exact, e->n_exact);
  sm_bl_strv_free(e->allowed, e->n_allowed);
  sm_bl_strv_free(e->required, e->n_required);
  sm_bl_strv_free(e->forbidden, e->n_forbidden);
  memset(e, 0, sizeof *e);
}

static void unlisted_free(sm_unlisted *u) {
  sm_bl_strv_free(u->allow, u->n_allow);
  sm_bl_strv_free(u->ignore, u->n_ignore);
}

void sm_bl_rule_free(sm_rule *r) {
  free(r->id);
  free(r->title);
  free(r->normal);
  free(r->message);
  sm_bl_strv_free(r->attack, r->n_attack);
  sm_bl_strv_free(r->references, r->n_references);
  free(r->key);
  free(r->value);
  free(r->types);
  free(r->field);
  expect_free(&r->expect);
  unlisted_free(&r->values);
  unlisted_free(&r->subkeys);
  memset(r, 0, sizeof *r);
}

void sm_bl_supp_free(sm_suppression *s) {
  free(s->rule);
  free(s->key);
  free(s->value);
  free(s->observed);
  free(s->justification);
  memset(s, 0, sizeof *s);
}

void sm_baseline_free(sm_baseline *b) {
  if (!b)
    return;
  free(b->name);
  free(b->description);
  free(b->family);
  free(b->path);
  sm_bl_strv_free(b->chain, b->n_chain);
  for (size_t i = 0; i < b->n_rules; i++)
    sm_bl_rule_free(&b->rules[i]);
  free(b->rules);
  for (size_t i = 0; i < b->n_suppressions; i++)
    sm_bl_supp_free(&b->suppressions[i]);
  free(b->suppressions);
  sm_bl_strv_free(b->files, b->n_files);
  free(b);
}

const sm_rule *sm_baseline_find_rule(const sm_baseline *b, const char *id) {
  for (size_t i = 0; b && i < b->n_rules; i++)
    if (strcmp(b->rules[i].id, id) == 0)
      return &b->rules[i];
  return NULL;
}

