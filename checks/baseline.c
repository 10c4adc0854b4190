/* Baselines: severities, freeing, copying and lookup.  The loader is split by
 * concern; checks/baseline-internal.h says which file holds what. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/baseline-internal.h"

/* The families checks/detect.c detects (baseline_of). */
const char *const sm_family_baselines[SM_N_FAMILY_BASELINES] = {
    "windows-xp", "windows-7", "windows-8.1", "windows-10"};

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

/* ---- copying (a baseline extended more than once is loaded once) ---- */

static bool dup_str(char **dst, const char *src) {
  *dst = NULL;
  return !src || (*dst = strdup(src)) != NULL;
}

/* On failure *n counts the strings copied, for sm_bl_strv_free. */
static bool dup_strv(char ***dst, size_t *n, char *const *src, size_t count) {
  *dst = NULL;
  *n = 0;
  if (!src || !count)
    return true;
  if (!(*dst = calloc(count, sizeof **dst)))
    return false;
  for (size_t i = 0; i < count; i++, (*n)++)
    if (!((*dst)[i] = strdup(src[i])))
      return false;
  return true;
}

static bool expect_copy(sm_expect *d, const sm_expect *s) {
  *d = *s;
  d->equals_str = d->glob = d->regex_src = NULL;
  d->regex = NULL;
  d->one_of = d->exact = d->allowed = d->required = d->forbidden = NULL;
  d->n_one_of = d->n_exact = d->n_allowed = d->n_required = 0;
  d->n_forbidden = 0;
  if (!dup_str(&d->equals_str, s->equals_str) ||
      !dup_strv(&d->one_of, &d->n_one_of, s->one_of, s->n_one_of) ||
      !dup_str(&d->glob, s->glob) || !dup_str(&d->regex_src, s->regex_src) ||
      !dup_strv(&d->exact, &d->n_exact, s->exact, s->n_exact) ||
      !dup_strv(&d->allowed, &d->n_allowed, s->allowed, s->n_allowed) ||
      !dup_strv(&d->required, &d->n_required, s->required, s->n_required) ||
      !dup_strv(&d->forbidden, &d->n_forbidden, s->forbidden, s->n_forbidden))
    return false;
  /* The automaton is compiled again: its source was accepted once. */
  char why[160];
  return !s->has_regex || sm_regex_compile(s->regex_src, !s->case_sensitive,
                                           &d->regex, why, sizeof why) == SM_OK;
}

static bool unlisted_copy(sm_unlisted *d, const sm_unlisted *s) {
  *d = *s;
  d->allow = d->ignore = NULL;
  d->n_allow = d->n_ignore = 0;
  return dup_strv(&d->allow, &d->n_allow, s->allow, s->n_allow) &&
         dup_strv(&d->ignore, &d->n_ignore, s->ignore, s->n_ignore);
}

bool sm_bl_rule_copy(sm_rule *d, const sm_rule *s) {
  /* Every pointer d owns is NULL (or copied) before anything can fail, so
   * that sm_bl_rule_free(d) is always right. */
  *d = *s;
  d->id = d->title = d->normal = d->message = d->key = d->value = NULL;
  d->field = NULL;
  d->attack = d->references = NULL;
  d->n_attack = d->n_references = d->n_types = 0;
  d->types = NULL;
  memset(&d->expect, 0, sizeof d->expect);
  memset(&d->values, 0, sizeof d->values);
  memset(&d->subkeys, 0, sizeof d->subkeys);
  /* (expect_copy and unlisted_copy clear theirs first likewise.) */
  if (s->n_types) {
    if (!(d->types = malloc(s->n_types * sizeof *d->types)))
      return false;
    memcpy(d->types, s->types, s->n_types * sizeof *d->types);
    d->n_types = s->n_types;
  }
  return dup_str(&d->id, s->id) && dup_str(&d->title, s->title) &&
         dup_str(&d->normal, s->normal) && dup_str(&d->message, s->message) &&
         dup_str(&d->key, s->key) && dup_str(&d->value, s->value) &&
         dup_str(&d->field, s->field) &&
         dup_strv(&d->attack, &d->n_attack, s->attack, s->n_attack) &&
         dup_strv(&d->references, &d->n_references, s->references,
                  s->n_references) &&
         expect_copy(&d->expect, &s->expect) &&
         unlisted_copy(&d->values, &s->values) &&
         unlisted_copy(&d->subkeys, &s->subkeys);
}

bool sm_bl_supp_copy(sm_suppression *d, const sm_suppression *s) {
  *d = *s;
  d->rule = d->key = d->value = d->observed = d->justification = NULL;
  return dup_str(&d->rule, s->rule) && dup_str(&d->key, s->key) &&
         dup_str(&d->value, s->value) && dup_str(&d->observed, s->observed) &&
         dup_str(&d->justification, s->justification);
}
