#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/diff.h"

const char *sm_change_name(sm_change c) {
  switch (c) {
  case SM_CHANGE_ADDED:
    return "added";
  case SM_CHANGE_REMOVED:
    return "removed";
  case SM_CHANGE_CHANGED:
    return "changed";
  }
  return "?";
}

typedef struct dctx {
  sm_diff *out;
  size_t cap;
  const sm_baseline *bl;
  sm_error *err;
  bool nomem;
} dctx;

/* Tunable when the rules that name the value are all tunable: a value that
 * a tunable rule reads only in part (csrss SharedSection) is not. */
static bool tunable(const dctx *c, sm_root root, const char *key,
                    const char *value) {
  bool any = false;
  for (size_t i = 0; i < c->bl->n_rules; i++) {
    const sm_rule *r = &c->bl->rules[i];
    if (!r->value || r->root != root || strcasecmp(r->key, key) != 0 ||
        !sm_value_name_eq(r->value, value))
      continue;
    if (!r->tunable)
      return false;
    any = true;
  }
  return any;
}

static sm_difference *add(dctx *c, sm_root root, const char *key,
                          const char *value, const char *subkey,
                          sm_change change) {
  if (c->nomem)
    return NULL;
  if (c->out->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 16;
    sm_difference *v = realloc(c->out->v, cap * sizeof *v);
    if (!v) {
      c->nomem = true;
      return NULL;
    }
    c->out->v = v;
    c->cap = cap;
  }
  sm_difference *d = &c->out->v[c->out->n];
  memset(d, 0, sizeof *d);
  d->root = root;
  d->change = change;
  d->key = strdup(key);
  d->value = value ? strdup(value) : NULL;
  d->subkey = subkey ? strdup(subkey) : NULL;
  if (!d->key || (value && !d->value) || (subkey && !d->subkey)) {
    free(d->key);
    free(d->value);
    free(d->subkey);
    c->nomem = true;
    return NULL;
  }
  if (value)
    d->tunable = tunable(c, root, key, value);
  c->out->n++;
  return d;
}

static bool same_data(const sm_value *x, const sm_value *y) {
  return x->type == y->type && x->len == y->len &&
         (x->len == 0 || memcmp(x->data, y->data, x->len) == 0);
}

/* A value's or subkey's name, counted as Windows counts it: a name
 * holding a NUL is not the name before the NUL (docs/reading.md). */
typedef struct cname {
  char *s;
  size_t len;
} cname;

static bool same_name(const cname *x, const cname *y) {
  return sm_name_eq(x->s, x->len, y->s, y->len);
}

static void free_names(cname *v, size_t n) {
  for (size_t i = 0; v && i < n; i++)
    free(v[i].s);
  free(v);
}

static cname *subkey_names(sm_hive *h, sm_key k, size_t *n, sm_error *err,
                           sm_result *rc) {
  sm_key *subs = NULL;
  *rc = sm_key_subkeys(h, k, &subs, n, err);
  if (*rc != SM_OK)
    return NULL;
  cname *names = calloc(*n ? *n : 1, sizeof *names);
  for (size_t i = 0; names && i < *n; i++)
    if (!(names[i].s = sm_key_name_counted(h, subs[i], &names[i].len))) {
      free_names(names, i);
      names = NULL;
    }
  free(subs);
  if (!names)
    *rc = SM_ERR_NOMEM;
  return names;
}

/* A difference about a value or subkey, named as shown (each NUL as
 * <NUL>): a name holding a NUL is no rule's value, so never tunable. */
static sm_difference *add_named(dctx *c, sm_root root, const char *key,
                                const char *name, size_t len, bool value,
                                sm_change change) {
  char *shown = sm_name_shown(name, len);
  if (!shown) {
    c->nomem = true;
    return NULL;
  }
  sm_difference *d = add(c, root, key, value ? shown : NULL,
                         value ? NULL : shown, change);
  free(shown);
  return d;
}

static sm_difference *add_value(dctx *c, sm_root root, const char *key,
                                const sm_value *v, sm_change change) {
  return add_named(c, root, key, v->name, v->name_len, true, change);
}

/* One audited key on both sides. */
static sm_result diff_key(dctx *c, sm_root root, const char *path, sm_hive *ha,
                          sm_key base_a, sm_hive *hb, sm_key base_b) {
  sm_key ka = 0, kb = 0;
  sm_result ra = sm_key_lookup(ha, base_a, path, &ka, c->err);
  if (ra != SM_OK && ra != SM_ERR_NOT_FOUND)
    return ra;
  sm_result rb = sm_key_lookup(hb, base_b, path, &kb, c->err);
  if (rb != SM_OK && rb != SM_ERR_NOT_FOUND)
    return rb;
  if (ra != SM_OK && rb != SM_OK)
    return SM_OK;
  size_t first = c->out->n;
  if ((ra == SM_OK) != (rb == SM_OK))
    add(c, root, path, NULL, NULL,
        ra == SM_OK ? SM_CHANGE_REMOVED : SM_CHANGE_ADDED);

  sm_value **va = NULL, **vb = NULL;
  size_t na = 0, nb = 0;
  sm_result rc = SM_OK;
  if (ra == SM_OK && (rc = sm_key_values(ha, ka, &va, &na, c->err)) != SM_OK)
    goto out;
  if (rb == SM_OK && (rc = sm_key_values(hb, kb, &vb, &nb, c->err)) != SM_OK)
    goto out;
  bool *matched = calloc(nb ? nb : 1, sizeof *matched);
  if (!matched) {
    rc = SM_ERR_NOMEM;
    goto out;
  }
  for (size_t i = 0; i < na; i++) {
    size_t j = 0;
    for (; j < nb; j++)
      if (!matched[j] && sm_name_eq(va[i]->name, va[i]->name_len,
                                    vb[j]->name, vb[j]->name_len))
        break;
    if (j == nb) {
      sm_difference *d = add_value(c, root, path, va[i], SM_CHANGE_REMOVED);
      if (d) {
        d->a = va[i];
        va[i] = NULL;
      }
      continue;
    }
    matched[j] = true;
    if (same_data(va[i], vb[j]))
      continue;
    sm_difference *d = add_value(c, root, path, va[i], SM_CHANGE_CHANGED);
    if (d) {
      d->a = va[i];
      d->b = vb[j];
      va[i] = vb[j] = NULL;
    }
  }
  for (size_t j = 0; j < nb; j++) {
    if (matched[j])
      continue;
    sm_difference *d = add_value(c, root, path, vb[j], SM_CHANGE_ADDED);
    if (d) {
      d->b = vb[j];
      vb[j] = NULL;
    }
  }
  free(matched);

  /* Subkeys by name: what appeared or went below an audited key. */
  size_t nsa = 0, nsb = 0;
  cname *sa = NULL, *sb = NULL;
  if (ra == SM_OK && !(sa = subkey_names(ha, ka, &nsa, c->err, &rc)))
    goto out;
  if (rb == SM_OK && !(sb = subkey_names(hb, kb, &nsb, c->err, &rc))) {
    free_names(sa, nsa);
    goto out;
  }
  for (size_t i = 0; i < nsa; i++) {
    bool found = false;
    for (size_t j = 0; j < nsb && !found; j++)
      found = same_name(&sa[i], &sb[j]);
    if (!found && rb == SM_OK)
      add_named(c, root, path, sa[i].s, sa[i].len, false, SM_CHANGE_REMOVED);
  }
  for (size_t j = 0; j < nsb; j++) {
    bool found = false;
    for (size_t i = 0; i < nsa && !found; i++)
      found = same_name(&sa[i], &sb[j]);
    if (!found && ra == SM_OK)
      add_named(c, root, path, sb[j].s, sb[j].len, false, SM_CHANGE_ADDED);
  }
  free_names(sa, nsa);
  free_names(sb, nsb);
out:
  /* When the key changed on each side: a hint of when it was written. */
  for (size_t i = first; i < c->out->n; i++) {
    c->out->v[i].a_last_write = ra == SM_OK ? sm_key_last_write(ha, ka) : 0;
    c->out->v[i].b_last_write = rb == SM_OK ? sm_key_last_write(hb, kb) : 0;
  }
  sm_values_free(va, na);
  sm_values_free(vb, nb);
  if (c->nomem)
    rc = SM_ERR_NOMEM;
  return rc;
}

sm_result sm_diff_control_sets(sm_hive *a, sm_key a_cs, sm_hive *b, sm_key b_cs,
                               const sm_baseline *bl, sm_diff *out,
                               sm_error *err) {
  memset(out, 0, sizeof *out);
  dctx c = {.out = out, .bl = bl, .err = err};
  sm_result rc = SM_OK;
  static const char *const root_keys[] = {"Select", "Setup"};
  size_t total = bl->n_rules + 2;
  for (size_t i = 0; i < total && rc == SM_OK; i++) {
    sm_root root;
    const char *path;
    if (i < bl->n_rules) {
      root = bl->rules[i].root;
      path = bl->rules[i].key;
    } else {
      root = SM_ROOT_HIVE;
      path = root_keys[i - bl->n_rules];
    }
    /* Each key once, at the first rule that names it. */
    bool seen = false;
    for (size_t j = 0; j < i && j < bl->n_rules && !seen; j++)
      seen =
          bl->rules[j].root == root && strcasecmp(bl->rules[j].key, path) == 0;
    if (seen)
      continue;
    sm_key base_a = root == SM_ROOT_HIVE ? sm_hive_root(a) : a_cs;
    sm_key base_b = root == SM_ROOT_HIVE ? sm_hive_root(b) : b_cs;
    rc = diff_key(&c, root, path, a, base_a, b, base_b);
  }
  if (rc != SM_OK) {
    if (rc == SM_ERR_NOMEM)
      sm_error_set(err, rc, "out of memory comparing control sets");
    sm_diff_free(out);
  }
  return rc;
}

void sm_diff_free(sm_diff *d) {
  if (!d)
    return;
  for (size_t i = 0; i < d->n; i++) {
    free(d->v[i].key);
    free(d->v[i].value);
    free(d->v[i].subkey);
    sm_value_free(d->v[i].a);
    sm_value_free(d->v[i].b);
  }
  free(d->v);
  memset(d, 0, sizeof *d);
}
