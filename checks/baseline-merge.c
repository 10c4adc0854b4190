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

/* The rules of a baseline by id, for merging in time linear in the rules
 * (an inherited baseline may hold 10,000 of them): open addressing,
 * slots hold an index + 1. */
typedef struct id_index {
  size_t *slot;
  size_t mask;
} id_index;

static size_t hash_id(const char *s) {
  size_t h = 14695981039346656037u & SIZE_MAX;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

/* The slot of id in b: its rule's, or the empty one where it would go. */
static size_t *id_slot(const id_index *x, const sm_baseline *b,
                       const char *id) {
  for (size_t i = hash_id(id) & x->mask;; i = (i + 1) & x->mask)
    if (!x->slot[i] || strcmp(b->rules[x->slot[i] - 1].id, id) == 0)
      return &x->slot[i];
}

/* An index of b's rules with room for extra more. */
static bool id_index_init(id_index *x, const sm_baseline *b, size_t extra) {
  size_t cap = 16;
  while (cap < 2 * (b->n_rules + extra))
    cap *= 2;
  if (!(x->slot = calloc(cap, sizeof *x->slot)))
    return false;
  x->mask = cap - 1;
  for (size_t i = 0; i < b->n_rules; i++)
    *id_slot(x, b, b->rules[i].id) = i + 1;
  return true;
}

/* Move r into b, through the index: a rule of the same id is replaced
 * whole, in place. */
static bool add_indexed(id_index *x, sm_baseline *b, sm_rule *r) {
  size_t *slot = id_slot(x, b, r->id);
  if (*slot) {
    sm_bl_rule_free(&b->rules[*slot - 1]);
    b->rules[*slot - 1] = *r;
  } else {
    if (!sm_grow(&b->rules, b->n_rules, sizeof *b->rules))
      return false;
    b->rules[b->n_rules++] = *r;
    *slot = b->n_rules;
  }
  memset(r, 0, sizeof *r);
  return true;
}

/* Move (or, with copy, copy) the rules and suppressions of src over those
 * of dst. */
static bool merge(sm_baseline *dst, sm_baseline *src, bool copy) {
  id_index x;
  sm_rule r;
  sm_suppression s;
  if (!id_index_init(&x, dst, src->n_rules))
    return false;
  bool ok = true;
  for (size_t i = 0; ok && i < src->n_rules; i++) {
    if (!copy)
      ok = add_indexed(&x, dst, &src->rules[i]);
    else if ((ok = sm_bl_rule_copy(&r, &src->rules[i])))
      ok = add_indexed(&x, dst, &r);
    if (copy && !ok)
      sm_bl_rule_free(&r);
  }
  free(x.slot);
  for (size_t i = 0; ok && i < src->n_suppressions; i++) {
    if (!copy)
      ok = sm_bl_add_supp(dst, &src->suppressions[i]);
    else if ((ok = sm_bl_supp_copy(&s, &src->suppressions[i])))
      ok = sm_bl_add_supp(dst, &s);
    if (copy && !ok)
      sm_bl_supp_free(&s);
  }
  return ok;
}

bool sm_bl_merge_into(sm_baseline *dst, sm_baseline *src) {
  return merge(dst, src, false);
}

bool sm_bl_merge_copy(sm_baseline *dst, const sm_baseline *src) {
  return merge(dst, (sm_baseline *)src, true);
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
  /* The family: the later baseline's, else that of those under it. */
  if (!acc->family) {
    acc->family = tmp.family;
    b->family = NULL;
  } else {
    b->family = tmp.family;
  }
  b->path = tmp.path;
  b->chain = tmp.chain;
  b->n_chain = tmp.n_chain;
  sm_baseline_free(b);
  return true;
}
