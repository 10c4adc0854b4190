/* Merging baselines: a rule replaces the rule of the same id it
 * inherits, whole and in place; suppressions add up; a chain names each
 * extended baseline once. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/baseline-internal.h"

ssize_t sm_bl_rule_index(const sm_baseline *b, const char *id) {
  for (size_t i = 0; i < b->n_rules; i++)
    if (strcmp(b->rules[i].id, id) == 0)
      return (ssize_t)i;
  return -1;
}

bool sm_bl_add_rule(sm_baseline *b, sm_rule *r) {
  ssize_t i = sm_bl_rule_index(b, r->id);
  if (i >= 0) {
    sm_bl_rule_free(&b->rules[i]);
    b->rules[i] = *r;
  } else {
    if (!sm_grow(&b->rules, b->n_rules, sizeof *b->rules))
      return false;
    b->rules[b->n_rules++] = *r;
  }
  memset(r, 0, sizeof *r);
  return true;
}

bool sm_bl_add_supp(sm_baseline *b, sm_suppression *s) {
  if (!sm_grow(&b->suppressions, b->n_suppressions, sizeof *b->suppressions))
    return false;
  b->suppressions[b->n_suppressions++] = *s;
  memset(s, 0, sizeof *s);
  return true;
}

bool sm_bl_add_chain(sm_baseline *b, const char *name) {
  for (size_t i = 0; i < b->n_chain; i++)
    if (strcmp(b->chain[i], name) == 0)
      return true;
  if (!sm_grow(&b->chain, b->n_chain, sizeof *b->chain))
    return false;
  if (!(b->chain[b->n_chain] = strdup(name)))
    return false;
  b->n_chain++;
  return true;
}

bool sm_bl_merge_into(sm_baseline *dst, sm_baseline *src) {
  for (size_t i = 0; i < src->n_rules; i++)
    if (!sm_bl_add_rule(dst, &src->rules[i]))
      return false;
  for (size_t i = 0; i < src->n_suppressions; i++)
    if (!sm_bl_add_supp(dst, &src->suppressions[i]))
      return false;
  return true;
}

void sm_bl_remove_rule(sm_baseline *b, size_t i) {
  const char *id = b->rules[i].id;
  for (size_t j = 0; j < b->n_suppressions;) {
    if (strcmp(b->suppressions[j].rule, id) == 0) {
      sm_bl_supp_free(&b->suppressions[j]);
      memmove(&b->suppressions[j], &b->suppressions[j + 1],
              (b->n_suppressions - j - 1) * sizeof *b->suppressions);
      b->n_suppressions--;
    } else {
      j++;
    }
  }
  sm_bl_rule_free(&b->rules[i]);
  memmove(&b->rules[i], &b->rules[i + 1],
          (b->n_rules - i - 1) * sizeof *b->rules);
  b->n_rules--;
}

bool sm_bl_layer(sm_baseline *acc, sm_baseline *b, const char *prev_name) {
  if (!sm_bl_merge_into(acc, b) || !sm_bl_add_chain(b, prev_name))
    return false;
  for (size_t j = 0; j < acc->n_chain; j++)
    if (!sm_bl_add_chain(b, acc->chain[j]))
      return false;
  sm_baseline tmp = *acc;
  *acc = *b;
  acc->rules = tmp.rules;
  acc->n_rules = tmp.n_rules;
  acc->suppressions = tmp.suppressions;
  acc->n_suppressions = tmp.n_suppressions;
  free(b->rules); /* its rules were moved out */
  b->rules = NULL;
  b->n_rules = 0;
  free(b->suppressions);
  b->suppressions = NULL;
  b->n_suppressions = 0;
  b->name = tmp.name;
  b->description = tmp.description;
  b->family = tmp.family;
  b->path = tmp.path;
  b->chain = tmp.chain;
  b->n_chain = tmp.n_chain;
  sm_baseline_free(b);
  return true;
}
