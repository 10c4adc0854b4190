/* Loading baselines: reading a file (through the parse cache), decoding
 * its top level, following `extends`, and the public loaders. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/baseline-internal.h"

enum {
  T_VERSION,
  T_NAME,
  T_DESCRIPTION,
  T_FAMILY,
  T_EXTENDS,
  T_DISABLE,
  T_RULES,
  T_SUPPRESSIONS,
  T_N
};
static const char *const top_fields[T_N] = {
    "smaudit-baseline", "name",    "description", "family",
    "extends",          "disable", "rules",       "suppressions"};

static sm_result resolve_extends(const fctx *F, const yd_node *e, char **out) {
  *out = NULL;
  if (e->kind != YD_SCALAR || sm_bl_is_null(e))
    return sm_bl_fail(F, e,
                      "'extends' must be a name, a path or a list of them");
  if (sm_bl_is_name(e->str)) {
    const char *name = e->str;
    if (strcmp(name, SM_BASELINE_DETECTED) == 0) {
      /* The family detected for the hive; validating, the newest. */
      F->L->saw_detected = true;
      name = F->L->detected ? F->L->detected : "windows-10";
    }
    if (!sm_bl_valid_name(name))
      return sm_bl_fail(F, e, "extends: invalid baseline name '%.64s'", name);
    if (sm_bl_find_named(name, out) != SM_OK)
      return sm_bl_nomem(F->L);
    if (!*out)
      return sm_bl_fail(
          F, e, "extends: no baseline '%s' in SMAUDIT_BASELINE_PATH or %s",
          name, INSTALLED_DIR);
    return SM_OK;
  }
  const char *slash = strrchr(F->file, '/');
  int r;
  if (e->str[0] == '/' || !slash)
    r = asprintf(out, "%s", e->str);
  else
    r = asprintf(out, "%.*s/%s", (int)(slash - F->file), F->file, e->str);
  if (r < 0) {
    *out = NULL;
    return sm_bl_nomem(F->L);
  }
  return SM_OK;
}

static sm_result load_file(loader *L, const char *path, sm_baseline **out,
                           size_t *height);

/* "extends: cycle: A -> B -> PATH", from frame i of the chain. */
static sm_result cycle_error(const fctx *F, const yd_node *e, const char *path,
                             size_t i) {
  loader *L = F->L;
  size_t len = strlen(path) + 1;
  for (size_t j = i; j < L->depth; j++)
    len += strlen(L->disp[j]) + 4;
  char *cycle = malloc(len);
  if (!cycle)
    return sm_bl_nomem(L);
  cycle[0] = '\0';
  for (size_t j = i; j < L->depth; j++) {
    strcat(cycle, L->disp[j]);
    strcat(cycle, " -> ");
  }
  strcat(cycle, path);
  sm_result rc = sm_bl_fail(F, e, "extends: cycle: %s", cycle);
  free(cycle);
  return rc;
}

/* The file at real path REAL (display path PATH), loaded in this load: it
 * is read, validated and resolved once however many baselines extend it
 * (a diamond of extends costs its number of files). */
static sm_result parent_of(const fctx *F, const yd_node *e, const char *path,
                           const char *real, const loaded_file **out) {
  loader *L = F->L;
  for (size_t i = 0; i < L->n_loaded; i++)
    if (strcmp(L->loaded[i].real, real) == 0) {
      *out = &L->loaded[i];
      break;
    }
  if (*out) {
    /* The chain it was loaded with, from here: no deeper than allowed. */
    if (L->depth + (*out)->height - 1 > MAX_EXTENDS_DEPTH)
      return sm_bl_fail(F, e, "extends: chain deeper than %d",
                        MAX_EXTENDS_DEPTH);
    return SM_OK;
  }
  loaded_file p = {0};
  sm_result rc = load_file(L, path, &p.b, &p.height);
  if (rc != SM_OK)
    return rc;
  /* Appended after its load, which may have appended others. */
  if (!(p.real = strdup(real)) ||
      !sm_grow(&L->loaded, L->n_loaded, sizeof *L->loaded)) {
    free(p.real);
    sm_baseline_free(p.b);
    return sm_bl_nomem(L);
  }
  L->loaded[L->n_loaded] = p;
  *out = &L->loaded[L->n_loaded++];
  return SM_OK;
}

static sm_result load_parent(const fctx *F, const yd_node *e, sm_baseline *b,
                             sm_baseline *parents_chain) {
  loader *L = F->L;
  sm_result rc;
  char *path = NULL, *real = NULL;
  const loaded_file *parent = NULL;
  if ((rc = resolve_extends(F, e, &path)) != SM_OK)
    goto out;
  real = realpath(path, NULL);
  if (!real) {
    rc = sm_bl_fail(F, e, "extends: cannot open '%s': %s", path,
                    strerror(errno));
    goto out;
  }
  for (size_t i = 0; i < L->depth; i++)
    if (strcmp(L->real[i], real) == 0) {
      rc = cycle_error(F, e, path, i);
      goto out;
    }
  if (L->depth > MAX_EXTENDS_DEPTH) {
    rc = sm_bl_fail(F, e, "extends: chain deeper than %d", MAX_EXTENDS_DEPTH);
    goto out;
  }
  if (++L->n_extends > MAX_EXTENDS) {
    rc = sm_bl_fail(F, e, "extends: more than %d baselines extended in all",
                    MAX_EXTENDS);
    goto out;
  }
  if ((rc = parent_of(F, e, path, real, &parent)) != SM_OK)
    goto out;
  if (parent->height + 1 > *F->height)
    *F->height = parent->height + 1;
  /* extends: detected is named by the family it stood for. */
  const char *as = e->str;
  if (L->detected && strcmp(as, SM_BASELINE_DETECTED) == 0)
    as = L->detected;
  if (!sm_bl_merge_copy(b, parent->b) || !sm_bl_add_chain(b, as) ||
      (!b->family && parent->b->family &&
       !(b->family = strdup(parent->b->family)))) {
    rc = sm_bl_nomem(L);
    goto out;
  }
  for (size_t i = 0; i < parent->b->n_chain; i++)
    if (!sm_bl_add_chain(parents_chain, parent->b->chain[i])) {
      rc = sm_bl_nomem(L);
      goto out;
    }
out:
  free(real);
  free(path);
  return rc;
}

/* The top-level fields of root into nodes, checked; name, description and
 * family into b. */
static sm_result load_head(const fctx *F, const yd_node *root,
                           const yd_node **nodes, sm_baseline *b) {
  uint32_t seen = 0;
  sm_result rc = SM_OK;
  uint64_t version;

  if (root->kind != YD_MAP)
    return sm_bl_fail(F, root, "a baseline must be a mapping");
  /* The version first: a newer schema may have fields this one lacks. */
  for (size_t i = 0; i < root->n; i++)
    if (strcmp(root->keys[i]->str, top_fields[T_VERSION]) == 0) {
      const yd_node *n = root->items[i];
      if ((rc = sm_bl_get_u64(F, n, top_fields[T_VERSION], &version)) != SM_OK)
        return rc;
      if (version != SM_BASELINE_SCHEMA_VERSION)
        return sm_bl_fail(F, n,
                          "unsupported schema version %s (this smaudit reads "
                          "version %d)",
                          n->str, SM_BASELINE_SCHEMA_VERSION);
    }
  for (size_t i = 0; i < root->n; i++) {
    size_t idx = 0;
    if ((rc = sm_bl_map_key(F, root, i, top_fields, T_N, "baseline", &seen,
                            &idx)) != SM_OK)
      return rc;
    nodes[idx] = root->items[i];
  }
  if (!nodes[T_VERSION])
    return sm_bl_fail(F, root, "missing required field 'smaudit-baseline'");
  if (!nodes[T_NAME])
    return sm_bl_fail(F, root, "missing required field 'name'");
  if (!nodes[T_RULES] && !nodes[T_EXTENDS])
    return sm_bl_fail(F, root, "missing required field 'rules'");
  if ((rc = sm_bl_get_str(F, nodes[T_NAME], "name", &b->name)) != SM_OK)
    return rc;
  if (!sm_bl_valid_name(b->name))
    return sm_bl_fail(
        F, nodes[T_NAME],
        "invalid baseline name '%.64s' (expected [a-z0-9][a-z0-9._-]*)",
        b->name);
  if (nodes[T_DESCRIPTION] &&
      (rc = sm_bl_get_str(F, nodes[T_DESCRIPTION], "description",
                          &b->description)) != SM_OK)
    return rc;
  if (nodes[T_FAMILY] &&
      (rc = sm_bl_get_str(F, nodes[T_FAMILY], "family", &b->family)) != SM_OK)
    return rc;
  return SM_OK;
}

/* extends: each parent's rules under b's, then their chains. */
static sm_result load_extends(const fctx *F, const yd_node *ext,
                              sm_baseline *b) {
  sm_baseline far = {0}; /* chains of the extended baselines */
  sm_result rc = SM_OK;
  size_t n = ext->kind == YD_SEQ ? ext->n : 1;
  for (size_t i = 0; i < n && rc == SM_OK; i++) {
    const yd_node *e = ext->kind == YD_SEQ ? ext->items[i] : ext;
    rc = load_parent(F, e, b, &far);
  }
  for (size_t i = 0; rc == SM_OK && i < far.n_chain; i++)
    if (!sm_bl_add_chain(b, far.chain[i]))
      rc = sm_bl_nomem(F->L);
  if (rc == SM_OK && b->n_rules > MAX_RULES)
    rc = sm_bl_fail(F, ext, "more than %d rules in the baselines it extends",
                    MAX_RULES);
  sm_bl_strv_free(far.chain, far.n_chain);
  return rc;
}

/* disable: inherited rules removed, with their suppressions. */
static sm_result apply_disable(const fctx *F, const yd_node *dis,
                               sm_baseline *b) {
  sm_result rc;
  if (dis->kind != YD_SEQ && dis->kind != YD_SCALAR)
    return sm_bl_fail(F, dis, "'disable' must be a rule id or a list of them");
  size_t n = dis->kind == YD_SEQ ? dis->n : 1;
  for (size_t i = 0; i < n; i++) {
    const yd_node *d = dis->kind == YD_SEQ ? dis->items[i] : dis;
    if (d->kind != YD_SCALAR || sm_bl_is_null(d))
      return sm_bl_fail(F, d, "'disable' must be a rule id or a list of them");
    ssize_t k = sm_bl_rule_index(b, d->str);
    if (k >= 0)
      sm_bl_remove_rule(b, (size_t)k);
    else if ((rc = sm_bl_skip_or_fail(F, d, "disable: no inherited rule",
                                      d->str)) != SM_OK)
      return rc;
  }
  return SM_OK;
}

/* rules: this file's own, each id once, over those inherited. */
static sm_result add_own_rules(const fctx *F, const yd_node *rules,
                               sm_baseline *b) {
  loader *L = F->L;
  sm_result rc = SM_OK;
  sm_rule *own = NULL;
  size_t n_own = 0;
  if (rules->kind != YD_SEQ)
    return sm_bl_fail(F, rules, "'rules' must be a list");
  if (rules->n > MAX_RULES)
    return sm_bl_fail(F, rules, "more than %d rules", MAX_RULES);
  if (rules->n && !(own = calloc(rules->n, sizeof *own)))
    return sm_bl_nomem(L);
  for (; n_own < rules->n; n_own++) {
    const yd_node *m = rules->items[n_own];
    if ((rc = sm_bl_parse_rule(F, m, &own[n_own])) != SM_OK) {
      n_own++;
      goto out;
    }
    for (size_t j = 0; j < n_own; j++)
      if (strcmp(own[j].id, own[n_own].id) == 0) {
        rc = sm_bl_fail(F, m, "duplicate rule id '%s' (first at line %u)",
                        own[n_own].id, own[j].line);
        n_own++;
        goto out;
      }
  }
  sm_baseline mine = {.rules = own, .n_rules = n_own};
  if (!sm_bl_merge_into(b, &mine)) { /* moves each rule out of own */
    rc = sm_bl_nomem(L);
    goto out;
  }
  if (b->n_rules > MAX_RULES)
    rc = sm_bl_fail(F, rules, "more than %d rules with those it extends",
                    MAX_RULES);
out:
  for (size_t i = 0; i < n_own; i++)
    sm_bl_rule_free(&own[i]);
  free(own);
  return rc;
}

/* suppressions: each of a rule b has. */
static sm_result add_suppressions(const fctx *F, const yd_node *supps,
                                  sm_baseline *b) {
  sm_suppression s = {0};
  sm_result rc = SM_OK;
  if (supps->kind != YD_SEQ)
    return sm_bl_fail(F, supps, "'suppressions' must be a list");
  for (size_t i = 0; i < supps->n && rc == SM_OK; i++) {
    const yd_node *rn = NULL;
    if ((rc = sm_bl_parse_supp(F, supps->items[i], &s, &rn)) != SM_OK)
      break;
    if (sm_bl_rule_index(b, s.rule) < 0) {
      rc = sm_bl_skip_or_fail(F, rn, "suppression of an unknown rule", s.rule);
      sm_bl_supp_free(&s); /* skipped: a rule of another family */
    } else if (!sm_bl_add_supp(b, &s))
      rc = sm_bl_nomem(F->L);
  }
  sm_bl_supp_free(&s);
  return rc;
}

static sm_result load_body(const fctx *F, const yd_node *root, sm_baseline *b) {
  const yd_node *nodes[T_N] = {0};
  sm_result rc;
  if ((rc = load_head(F, root, nodes, b)) != SM_OK)
    return rc;
  if (nodes[T_EXTENDS] && (rc = load_extends(F, nodes[T_EXTENDS], b)) != SM_OK)
    return rc;
  if (nodes[T_DISABLE] && (rc = apply_disable(F, nodes[T_DISABLE], b)) != SM_OK)
    return rc;
  if (nodes[T_RULES] && (rc = add_own_rules(F, nodes[T_RULES], b)) != SM_OK)
    return rc;
  if (nodes[T_SUPPRESSIONS])
    return add_suppressions(F, nodes[T_SUPPRESSIONS], b);
  return SM_OK;
}

static sm_result load_file(loader *L, const char *path, sm_baseline **out,
                           size_t *height) {
  sm_result rc;
  char *buf = NULL;
  size_t len = 0;
  yd_node *root = NULL;
  parsed_file *cached = NULL; /* the cache's entry root belongs to */
  sm_baseline *b = NULL;
  bool pushed = false;
  size_t h = 1;
  fctx F = {L, NULL, &h};
  struct stat st;
  *out = NULL;

  char *real = realpath(path, NULL);
  bool resolved = real != NULL;
  if (!real && !(real = strdup(path)))
    return sm_bl_nomem(L);
  if (resolved && stat(real, &st) == 0 && S_ISREG(st.st_mode) &&
      (cached = sm_bl_cache_find(L->cache, real, &st))) {
    root = cached->root;
    cached->busy++;
    L->cache->stats.reused++;
  } else {
    if ((rc = sm_yaml_read_file(path, &buf, &len, &st, L->err)) != SM_OK)
      goto out;
  }
  if (!(F.file = sm_bl_intern(L, path))) {
    rc = sm_bl_nomem(L);
    goto out;
  }
  L->real[L->depth] = real;
  L->disp[L->depth] = F.file;
  L->depth++;
  pushed = true;
  if (!cached) {
    L->cache->stats.parsed++;
    if ((rc = sm_yaml_parse(F.file, buf, len, &root, L->err)) != SM_OK)
      goto out;
    /* A pipe or a file whose real path is unknown is read each time. */
    if (root && resolved && S_ISREG(st.st_mode) &&
        (cached = sm_bl_cache_put(L->cache, real, &st, root)))
      cached->busy++;
  }
  if (!root) {
    static const yd_node start = {.line = 1, .col = 1};
    rc = sm_bl_fail(&F, &start, "empty file: not a baseline");
    goto out;
  }
  if (!(b = calloc(1, sizeof *b)) || !(b->path = strdup(path))) {
    rc = sm_bl_nomem(L);
    goto out;
  }
  if ((rc = load_body(&F, root, b)) != SM_OK)
    goto out;
  *height = h;
  *out = b;
  b = NULL;
out:
  if (pushed)
    L->depth--;
  free(real);
  sm_baseline_free(b);
  if (cached)
    cached->busy--;
  else
    sm_yaml_free(root);
  free(buf);
  return rc;
}

static sm_result load_top(loader *L, const char *name, sm_baseline **out) {
  char *path = NULL;
  sm_result rc;
  *out = NULL;
  if (sm_bl_is_name(name)) {
    if (!sm_bl_valid_name(name))
      return sm_error_set(L->err, SM_ERR_USAGE,
                          "%s: invalid baseline name (expected a file path "
                          "or [a-z0-9][a-z0-9._-]*)",
                          name);
    if (sm_bl_find_named(name, &path) != SM_OK)
      return sm_bl_nomem(L);
    if (!path)
      return sm_error_set(L->err, SM_ERR_IO,
                          "%s: no such baseline in SMAUDIT_BASELINE_PATH or %s",
                          name, INSTALLED_DIR);
  }
  size_t height;
  rc = load_file(L, path ? path : name, out, &height);
  free(path);
  return rc;
}

static sm_result load_many(loader *L, const char *const *names, size_t n,
                           sm_baseline **out) {
  sm_error *err = L->err;
  sm_baseline *acc = NULL, *b = NULL;
  sm_result rc = SM_OK;
  *out = NULL;
  if (n == 0)
    return sm_error_set(err, SM_ERR_USAGE, "no baseline given");
  for (size_t i = 0; i < n; i++) {
    if ((rc = load_top(L, names[i], &b)) != SM_OK)
      goto out;
    if (!acc) {
      acc = b;
      b = NULL;
      continue;
    }
    /* The later baseline layers on the earlier ones, as if it extended
     * them: it keeps its own name and path. */
    if (!sm_bl_layer(acc, b, names[i - 1])) {
      rc = sm_bl_nomem(L);
      goto out;
    }
    b = NULL;
    if (acc->n_rules > MAX_RULES) {
      rc = sm_error_set(err, SM_ERR_USAGE, "%s: more than %d rules in all",
                        names[i], MAX_RULES);
      goto out;
    }
  }
  acc->overlay = L->saw_detected;
  acc->files = L->files;
  acc->n_files = L->n_files;
  L->files = NULL;
  L->n_files = 0;
  *out = acc;
  acc = NULL;
out:
  sm_baseline_free(b);
  sm_baseline_free(acc);
  sm_bl_strv_free(L->files, L->n_files);
  for (size_t i = 0; i < L->n_loaded; i++) {
    free(L->loaded[i].real);
    sm_baseline_free(L->loaded[i].b);
  }
  free(L->loaded);
  return rc;
}

/* names over family (NULL: validating extends: detected); *skipped the
 * suppressions and disables skipped for it. */
static sm_result load_over(sm_baseline_parse_cache *c, const char *const *names,
                           size_t n, const char *family, sm_baseline **out,
                           char ***skipped, size_t *n_skipped, sm_error *err) {
  sm_baseline_parse_cache *own = NULL;
  *out = NULL;
  if (!c && !(c = own = sm_baseline_parse_cache_new()))
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  loader L = {.cache = c, .err = err, .detected = family};
  pthread_mutex_lock(&c->lock);
  sm_result rc = load_many(&L, names, n, out);
  pthread_mutex_unlock(&c->lock);
  sm_baseline_parse_cache_free(own);
  *skipped = L.skipped;
  *n_skipped = L.n_skipped;
  return rc;
}

/* Whether every family skipped msg (kept: counts[i] families so far). */
static void count_skips(char **msgs, size_t n, char **first, size_t n_first,
                        size_t *counts) {
  for (size_t i = 0; i < n_first; i++)
    for (size_t j = 0; j < n; j++)
      if (strcmp(first[i], msgs[j]) == 0) {
        counts[i]++;
        break;
      }
}

/* A baseline that extends detected validates over every family: a rule
 * it suppresses or disables must be a rule of one of them at least. */
static sm_result validate_families(sm_baseline_parse_cache *c,
                                   const char *const *names, size_t n,
                                   char **first, size_t n_first,
                                   sm_error *err) {
  size_t *counts = calloc(n_first ? n_first : 1, sizeof *counts);
  sm_result rc = counts ? SM_OK : sm_error_set(err, SM_ERR_NOMEM,
                                              "out of memory");
  for (size_t f = 0; rc == SM_OK && f < SM_N_FAMILY_BASELINES; f++) {
    sm_baseline *b = NULL;
    char **sk = NULL;
    size_t n_sk = 0;
    rc = load_over(c, names, n, sm_family_baselines[f], &b, &sk, &n_sk, err);
    if (rc == SM_OK) {
      count_skips(sk, n_sk, first, n_first, counts);
    } else if (err) {
      char msg[sizeof err->msg];
      snprintf(msg, sizeof msg, "%s", err->msg);
      sm_error_set(err, rc, "with extends: detected as %s: %s",
                   sm_family_baselines[f], msg);
    }
    sm_baseline_free(b);
    sm_bl_strv_free(sk, n_sk);
  }
  for (size_t i = 0; rc == SM_OK && i < n_first; i++)
    if (counts[i] == SM_N_FAMILY_BASELINES)
      rc = sm_error_set(err, SM_ERR_USAGE, "%s (in no family)", first[i]);
  free(counts);
  return rc;
}

sm_result sm_baseline_load_many_cached(sm_baseline_parse_cache *c,
                                       const char *const *names, size_t n,
                                       sm_baseline **out, sm_error *err) {
  char **sk = NULL;
  size_t n_sk = 0;
  sm_result rc = load_over(c, names, n, NULL, out, &sk, &n_sk, err);
  if (rc == SM_OK && (*out)->overlay &&
      (rc = validate_families(c, names, n, sk, n_sk, err)) != SM_OK) {
    sm_baseline_free(*out);
    *out = NULL;
  }
  sm_bl_strv_free(sk, n_sk);
  return rc;
}

sm_result sm_baseline_load_over(sm_baseline_parse_cache *c,
                                const char *const *names, size_t n,
                                const char *family, sm_baseline **out,
                                sm_error *err) {
  char **sk = NULL;
  size_t n_sk = 0;
  sm_result rc = load_over(c, names, n, family, out, &sk, &n_sk, err);
  sm_bl_strv_free(sk, n_sk);
  return rc;
}

sm_result sm_baseline_load_many(const char *const *names, size_t n,
                                sm_baseline **out, sm_error *err) {
  return sm_baseline_load_many_cached(NULL, names, n, out, err);
}

sm_result sm_baseline_load_cached(sm_baseline_parse_cache *c,
                                  const char *name_or_path, sm_baseline **out,
                                  sm_error *err) {
  return sm_baseline_load_many_cached(c, &name_or_path, 1, out, err);
}

sm_result sm_baseline_load(const char *name_or_path, sm_baseline **out,
                           sm_error *err) {
  return sm_baseline_load_many_cached(NULL, &name_or_path, 1, out, err);
}
