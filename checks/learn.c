#include <config.h>

#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/audit.h"
#include "checks/learn.h"
#include "checks/parse.h"

/* The loader refuses scalars over 64 KiB: a longer string is pinned by its
 * presence and type only. */
#define MAX_PINNED 60000

typedef struct lctx {
  sm_hive *h;
  sm_key cs_key;
  const sm_baseline *ext;
  FILE *f;
  char **ids;
  size_t n_ids, cap_ids;
  bool nomem;
} lctx;

static bool id_used(const lctx *c, const char *id) {
  if (sm_baseline_find_rule(c->ext, id))
    return true;
  for (size_t i = 0; i < c->n_ids; i++)
    if (strcmp(c->ids[i], id) == 0)
      return true;
  return false;
}

static void slug(char *out, size_t size, const char *s) {
  size_t n = 0;
  bool dash = false;
  for (; *s && n + 1 < size; s++) {
    unsigned char ch = (unsigned char)*s;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
        (ch >= '0' && ch <= '9')) {
      if (dash && n)
        out[n++] = '-';
      if (n + 1 < size)
        out[n++] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
      dash = false;
    } else {
      dash = true;
    }
  }
  out[n] = '\0';
}

/* LEARN-<KEY>-<VALUE>[-<FIELD>]: derived from the names, so learning the
 * same hive twice gives the same ids; a clash gets -2, -3... */
static const char *make_id(lctx *c, const char *key, const char *value,
                           const char *field, char *buf, size_t size) {
  const char *last = strrchr(key, '\\');
  char k[40], v[40], fl[40];
  slug(k, sizeof k, last ? last + 1 : key);
  slug(v, sizeof v, value ? (value[0] ? value : "DEFAULT") : "");
  slug(fl, sizeof fl, field ? field : "");
  char base[160];
  snprintf(base, sizeof base, "LEARN-%s%s%s%s%s", k[0] ? k : "ROOT",
           value ? "-" : "", value ? (v[0] ? v : "X") : "", fl[0] ? "-" : "",
           fl);
  snprintf(buf, size, "%s", base);
  for (unsigned i = 2; id_used(c, buf); i++)
    snprintf(buf, size, "%s-%u", base, i);
  if (c->n_ids == c->cap_ids) {
    size_t cap = c->cap_ids ? c->cap_ids * 2 : 32;
    char **ids = realloc(c->ids, cap * sizeof *ids);
    if (!ids) {
      c->nomem = true;
      return buf;
    }
    c->ids = ids;
    c->cap_ids = cap;
  }
  if (!(c->ids[c->n_ids] = strdup(buf)))
    c->nomem = true;
  else
    c->n_ids++;
  return buf;
}

static bool on_key(const sm_rule *r, sm_root root, const char *key) {
  return r->root == root && strcasecmp(r->key, key) == 0;
}

/* Severity and ATT&CK ids of what the inherited rules say of this value
 * (or, for value NULL or a value no rule names, of the key); at least
 * medium, so that a drift fails the default --fail-on. */
static void rule_meta(lctx *c, sm_root root, const char *key, const char *value,
                      sm_severity *sev) {
  int max = -1;
  for (int pass = 0; pass < 2 && max < 0; pass++)
    for (size_t i = 0; i < c->ext->n_rules; i++) {
      const sm_rule *r = &c->ext->rules[i];
      if (!on_key(r, root, key))
        continue;
      if (pass == 0 &&
          !(value && r->value && sm_value_name_eq(r->value, value)))
        continue;
      if (pass == 1 && r->value)
        continue;
      if ((int)r->severity > max)
        max = (int)r->severity;
    }
  *sev = max < (int)SM_SEV_MEDIUM ? SM_SEV_MEDIUM : (sm_severity)max;
}

static void write_attack(lctx *c, sm_root root, const char *key,
                         const char *value) {
  FILE *f = c->f;
  const char *seen[64];
  size_t n = 0;
  for (size_t i = 0; i < c->ext->n_rules; i++) {
    const sm_rule *r = &c->ext->rules[i];
    if (!on_key(r, root, key))
      continue;
    if (value ? !(r->value && sm_value_name_eq(r->value, value))
              : r->value != NULL)
      continue;
    for (size_t j = 0; j < r->n_attack && n < 64; j++) {
      bool dup = false;
      for (size_t k = 0; k < n && !dup; k++)
        dup = strcmp(seen[k], r->attack[j]) == 0;
      if (!dup)
        seen[n++] = r->attack[j];
    }
  }
  if (!n)
    return;
  fputs("    attack: [", f);
  for (size_t i = 0; i < n; i++) {
    if (i)
      fputs(", ", f);
    sm_yaml_quote(f, seen[i]);
  }
  fputs("]\n", f);
}

static void rule_head(lctx *c, const char *id, const char *title, sm_root root,
                      const char *key, const char *value, sm_severity sev) {
  FILE *f = c->f;
  fprintf(f, "  - id: %s\n    title: ", id);
  sm_yaml_quote(f, title);
  fputs("\n    key: ", f);
  sm_yaml_quote(f, key);
  if (root == SM_ROOT_HIVE)
    fputs("\n    root: hive", f);
  if (value) {
    fputs("\n    value: ", f);
    sm_yaml_quote(f, value);
  }
  fprintf(f, "\n    severity: %s\n", sm_severity_name(sev));
}

static void value_title(char *buf, size_t size, const char *what,
                        const char *key, const char *value) {
  const char *last = strrchr(key, '\\');
  snprintf(buf, size, "%s %s\\%s", what, last ? last + 1 : key,
           value[0] ? value : "(default)");
}

static void write_items(FILE *f, char *const *items, size_t n) {
  fputs("[", f);
  bool first = true;
  for (size_t i = 0; i < n; i++) {
    /* Empty strings inside a REG_MULTI_SZ are not entries. */
    if (!items[i][0])
      continue;
    if (!first)
      fputs(", ", f);
    sm_yaml_quote(f, items[i]);
    first = false;
  }
  fputs("]", f);
}

static bool any_item(char *const *items, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (items[i][0])
      return true;
  return false;
}

static void write_type(FILE *f, uint32_t type) {
  const char *tn = sm_type_name(type);
  if (tn)
    fprintf(f, "    type: %s\n", tn);
}

/* The expect that holds only for this data, read as the audit reads it:
 * a list for REG_MULTI_SZ, a string, a number, else the hex of the first
 * 256 bytes. */
static void write_pin(FILE *f, const sm_value *v) {
  if (v->status != SM_OK)
    return;
  if (v->strv) {
    if (any_item(v->strv, v->nstrv)) {
      fputs("    expect:\n      exact: ", f);
      write_items(f, v->strv, v->nstrv);
      fputs("\n      order: exact\n      case: sensitive\n", f);
    } else {
      fputs("    expect: {empty: true}\n", f);
    }
    return;
  }
  if (v->str) {
    if (strlen(v->str) > MAX_PINNED) {
      fputs("    # too long to pin: presence and type only\n", f);
      return;
    }
    fputs("    expect:\n      equals: ", f);
    sm_yaml_quote(f, v->str);
    fputs("\n      case: sensitive\n", f);
    return;
  }
  if (v->has_num) {
    fprintf(f, "    expect: {equals: \"%" PRIu64 "\"}\n", v->num);
    return;
  }
  size_t n = v->len < 256 ? v->len : 256;
  fputs("    expect: {regex: \"^", f);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%02x", v->data[i]);
  fputs(v->len > n ? "\"}\n" : "$\"}\n", f);
}

static const char *const NORMAL =
    "As in the reference hive this baseline was learned from.";

/* A value a tunable rule checks through a parser: pin every other field of
 * that parser, so that the tunable part may vary.  Returns false when the
 * value cannot be parsed so (it is then pinned whole). */
static bool pin_fields(lctx *c, sm_root root, const char *key,
                       const sm_value *v, sm_parser p) {
  sm_parse_input in = {.value = v};
  sm_fields fields = {0};
  if (v->status != SM_OK || sm_parse_fields(p, &in, &fields) != SM_OK) {
    sm_fields_free(&fields);
    return false;
  }
  sm_severity sev;
  rule_meta(c, root, key, v->name, &sev);
  char id[200], title[300];
  bool first = true;
  for (size_t i = 0; i < fields.n; i++) {
    const sm_field *fl = &fields.v[i];
    bool tunable_field = false;
    for (size_t j = 0; j < c->ext->n_rules && !tunable_field; j++) {
      const sm_rule *r = &c->ext->rules[j];
      tunable_field = r->tunable && on_key(r, root, key) && r->value &&
                      sm_value_name_eq(r->value, v->name) && r->parse == p &&
                      r->field && strcmp(r->field, fl->name) == 0;
    }
    if (tunable_field)
      continue;
    make_id(c, key, v->name, fl->name, id, sizeof id);
    value_title(title, sizeof title, "Learned", key, v->name);
    size_t tl = strlen(title);
    snprintf(title + tl, sizeof title - tl, " (%s)", fl->name);
    rule_head(c, id, title, root, key, v->name, sev);
    fputs("    normal: ", c->f);
    sm_yaml_quote(c->f, NORMAL);
    fputs("\n    message: \"This part of the value differs from the "
          "reference hive.\"\n",
          c->f);
    write_attack(c, root, key, v->name);
    if (first) {
      fputs("    presence: required\n", c->f);
      write_type(c->f, v->type);
      first = false;
    }
    fprintf(c->f, "    parse: %s\n    field: %s\n", sm_parser_name(p),
            fl->name);
    if (any_item(fl->items, fl->n)) {
      fputs("    expect:\n      exact: ", c->f);
      write_items(c->f, fl->items, fl->n);
      fputs("\n      order: exact\n      case: sensitive\n", c->f);
    } else {
      fputs("    expect: {empty: true}\n", c->f);
    }
  }
  sm_fields_free(&fields);
  return true;
}

static void pin_value(lctx *c, sm_root root, const char *key,
                      const sm_value *v) {
  sm_severity sev;
  char id[200], title[300];
  rule_meta(c, root, key, v->name, &sev);
  make_id(c, key, v->name, NULL, id, sizeof id);
  value_title(title, sizeof title, "Learned", key, v->name);
  rule_head(c, id, title, root, key, v->name, sev);
  fputs("    normal: ", c->f);
  sm_yaml_quote(c->f, NORMAL);
  fputs("\n    message: \"The value differs from the reference hive: its "
        "type or data changed, or it was deleted.\"\n",
        c->f);
  write_attack(c, root, key, v->name);
  fputs("    presence: required\n", c->f);
  write_type(c->f, v->type);
  write_pin(c->f, v);
}

/* A rule that the reference hive had no VALUE of KEY (or, value NULL, no
 * KEY). */
static void forbid(lctx *c, sm_root root, const char *key, const char *value,
                   const char *title) {
  sm_severity sev;
  char id[200];
  rule_meta(c, root, key, value, &sev);
  make_id(c, key, value, value ? NULL : "KEY", id, sizeof id);
  rule_head(c, id, title, root, key, value, sev);
  fprintf(c->f,
          "    normal: \"Absent, as in the reference hive this baseline was "
          "learned from.\"\n    message: \"A %s the reference hive did not "
          "have.\"\n",
          value ? "value" : "key");
  write_attack(c, root, key, value);
  fputs("    presence: forbidden\n", c->f);
}

static void forbid_value(lctx *c, sm_root root, const char *key,
                         const char *value) {
  char title[300];
  value_title(title, sizeof title, "Absent from the reference:", key, value);
  forbid(c, root, key, value, title);
}

static bool value_done(char **done, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (sm_value_name_eq(done[i], name))
      return true;
  return false;
}

/* Pin each value of the key, but those the inherited rules leave free. */
static void pin_values(lctx *c, sm_root root, const char *path, sm_value **vals,
                       size_t nv) {
  for (size_t i = 0; i < nv; i++) {
    const sm_value *v = vals[i];
    bool ignored = false, named = false;
    sm_parser tuned_parser = SM_PARSE_NONE;
    bool tuned_whole = false;
    for (size_t j = 0; j < c->ext->n_rules; j++) {
      const sm_rule *r = &c->ext->rules[j];
      if (!on_key(r, root, path))
        continue;
      if (!r->value) {
        if (r->has_values_policy)
          for (size_t g = 0; g < r->values.n_ignore && !ignored; g++)
            ignored = fnmatch(r->values.ignore[g], v->name,
                              FNM_NOESCAPE | FNM_CASEFOLD) == 0;
        continue;
      }
      if (!sm_value_name_eq(r->value, v->name))
        continue;
      named = true;
      if (!r->tunable)
        continue;
      if (r->parse != SM_PARSE_NONE && r->field)
        tuned_parser = r->parse;
      else
        tuned_whole = true;
    }
    if (ignored && !named)
      continue;
    if (tuned_whole)
      continue; /* the whole value may vary between machines */
    if (tuned_parser != SM_PARSE_NONE &&
        pin_fields(c, root, path, v, tuned_parser))
      continue;
    pin_value(c, root, path, v);
  }
}

static void forbid_missing(lctx *c, sm_root root, const char *path,
                           sm_value *const *vals, size_t nv,
                           sm_read_rule rule) {
  /* Values the inherited rules name that this hive does not have, as the
   * key's consumer reads it: a decoy BootExecute<NUL>x is no BootExecute. */
  char **done = calloc(c->ext->n_rules + 1, sizeof *done);
  size_t ndone = 0;
  if (!done)
    c->nomem = true;
  for (size_t j = 0; done && j < c->ext->n_rules; j++) {
    const sm_rule *r = &c->ext->rules[j];
    if (!on_key(r, root, path) || !r->value || r->tunable)
      continue;
    if (sm_values_pick(vals, nv, r->value, rule) ||
        value_done(done, ndone, r->value))
      continue;
    done[ndone++] = r->value;
    forbid_value(c, root, path, r->value);
  }
  free(done);
}

/* The values of the key no rule can name, said in a comment: a name
 * holding a NUL, or a name stored again after the one Windows reads (the
 * audit reports both, SM-AUDIT-AMBIGUOUS-NAME). */
static void not_learned(lctx *c, sm_value *const *vals, size_t nv,
                        sm_value *const *read, size_t nr) {
  for (size_t i = 0; i < nv; i++) {
    bool is_read = false;
    for (size_t j = 0; j < nr && !is_read; j++)
      is_read = read[j] == vals[i];
    if (is_read)
      continue;
    char *shown = sm_name_shown(vals[i]->name, vals[i]->name_len);
    if (!shown) {
      c->nomem = true;
      return;
    }
    fputs("  # not learned: value ", c->f);
    sm_yaml_quote(c->f, shown);
    fputs(": not the value of its name that Windows reads\n", c->f);
    free(shown);
  }
}

/* Any other value or subkey is new. */
static void key_policy(lctx *c, sm_root root, const char *path,
                       const sm_key *subs, size_t ns) {
  FILE *f = c->f;
  sm_severity sev;
  char id[200], title[300];
  rule_meta(c, root, path, NULL, &sev);
  make_id(c, path, NULL, NULL, id, sizeof id);
  snprintf(title, sizeof title, "Not in the reference: a value or subkey of %s",
           path);
  rule_head(c, id, title, root, path, NULL, sev);
  fputs("    normal: \"The values and subkeys of the reference hive this "
        "baseline was learned from.\"\n    message: \"A value or subkey the "
        "reference hive did not have.\"\n",
        f);
  write_attack(c, root, path, NULL);
  fputs("    values:\n      report: true\n", f);
  bool any_ignore = false;
  for (size_t j = 0; j < c->ext->n_rules; j++) {
    const sm_rule *r = &c->ext->rules[j];
    if (!on_key(r, root, path) || r->value || !r->has_values_policy)
      continue;
    for (size_t g = 0; g < r->values.n_ignore; g++) {
      fputs(any_ignore ? ", " : "      ignore: [", f);
      sm_yaml_quote(f, r->values.ignore[g]);
      any_ignore = true;
    }
  }
  if (any_ignore)
    fputs("]\n", f);
  fputs("    subkeys:\n      report: true\n", f);
  bool any = false;
  for (size_t i = 0; i < ns; i++) {
    size_t len;
    char *name = sm_key_name_counted(c->h, subs[i], &len);
    if (!name) {
      c->nomem = true;
      continue;
    }
    /* A glob cannot hold a NUL: such a subkey stays new. */
    if (strlen(name) == len) {
      fputs(any ? ", " : "      allow: [", f);
      sm_yaml_literal_glob(f, name);
      any = true;
    }
    free(name);
  }
  if (any)
    fputs("]\n", f);
}

static sm_result learn_key(lctx *c, sm_root root, const char *path,
                           sm_error *err) {
  sm_key base = root == SM_ROOT_HIVE ? sm_hive_root(c->h) : c->cs_key;
  sm_key k;
  char title[300];
  sm_result rc = sm_key_lookup(c->h, base, path, &k, err);
  if (rc == SM_ERR_NOT_FOUND) {
    snprintf(title, sizeof title, "Key absent from the reference: %s", path);
    forbid(c, root, path, NULL, title);
    return SM_OK;
  }
  if (rc != SM_OK)
    return rc;

  sm_value **vals = NULL;
  size_t nv = 0;
  if ((rc = sm_key_values(c->h, k, &vals, &nv, err)) != SM_OK)
    return rc;
  sm_key *subs = NULL;
  size_t ns = 0;
  if ((rc = sm_key_subkeys(c->h, k, &subs, &ns, err)) != SM_OK) {
    sm_values_free(vals, nv);
    return rc;
  }

  /* The values as the key's consumer reads them: one per name. */
  sm_read_rule rule = sm_key_read_rule(root, path);
  sm_value **read = NULL;
  size_t nr = 0;
  if (sm_values_as_read(vals, nv, rule, &read, &nr) != SM_OK) {
    free(subs);
    sm_values_free(vals, nv);
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  }
  not_learned(c, vals, nv, read, nr);
  pin_values(c, root, path, read, nr);
  forbid_missing(c, root, path, vals, nv, rule);
  key_policy(c, root, path, subs, ns);
  free(read);
  free(subs);
  sm_values_free(vals, nv);
  return SM_OK;
}

/* An inherited rule that fires on the reference hive, kept under its id
 * (suppressions may name it) but checking nothing: the pins above say
 * what this hive holds. */
static void relax_rule(lctx *c, const sm_rule *r) {
  FILE *f = c->f;
  fprintf(f, "  # relaxed: %s fired on the reference hive\n", r->id);
  rule_head(c, r->id, r->title, r->root, r->key, r->value, r->severity);
  fputs("    normal: ", f);
  sm_yaml_quote(f, r->normal);
  fputs("\n    message: ", f);
  sm_yaml_quote(f, r->message);
  fputc('\n', f);
  if (r->n_attack) {
    fputs("    attack: [", f);
    for (size_t i = 0; i < r->n_attack; i++) {
      if (i)
        fputs(", ", f);
      sm_yaml_quote(f, r->attack[i]);
    }
    fputs("]\n", f);
  }
  fputs("    presence: optional\n", f);
}

sm_result sm_learn(sm_hive *h, sm_key cs_key, const sm_baseline *ext,
                   const sm_learn_opts *o, FILE *f, sm_error *err) {
  lctx c = {.h = h, .cs_key = cs_key, .ext = ext, .f = f};
  sm_report rep;
  sm_result rc = sm_audit(h, ext, o->cs_id, cs_key, o->today, &rep, err);
  if (rc != SM_OK)
    return rc;

  fprintf(f, "# Learned by smaudit learn: the audited state of one hive.\n"
             "# Scanning that hive with this baseline finds nothing; any "
             "drift from it is a finding.\n");
  fprintf(f, "smaudit-baseline: 1\nname: ");
  sm_yaml_quote(f, o->name);
  char desc[1024];
  snprintf(desc, sizeof desc,
           "Learned from %s, ControlSet%03u, on %04d-%02d-%02d", o->source,
           o->cs_id, o->today / 10000, o->today / 100 % 100, o->today % 100);
  fputs("\ndescription: ", f);
  sm_yaml_quote(f, desc);
  if (ext->family) {
    fputs("\nfamily: ", f);
    sm_yaml_quote(f, ext->family);
  }
  fputs("\nextends: ", f);
  sm_yaml_quote(f, o->extends);
  fputs("\nrules:\n", f);

  for (size_t i = 0; i < ext->n_rules; i++) {
    const sm_rule *r = &ext->rules[i];
    bool fired = false;
    for (size_t j = 0; j < rep.n_findings && !fired; j++)
      fired = rep.findings[j].rule == r;
    if (fired)
      relax_rule(&c, r);
  }
  sm_report_free(&rep);

  for (size_t i = 0; i < ext->n_rules && rc == SM_OK && !c.nomem; i++) {
    const sm_rule *r = &ext->rules[i];
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++)
      seen = on_key(&ext->rules[j], r->root, r->key);
    if (seen)
      continue;
    fputc('\n', f);
    rc = learn_key(&c, r->root, r->key, err);
  }
  for (size_t i = 0; i < c.n_ids; i++)
    free(c.ids[i]);
  free(c.ids);
  if (rc == SM_OK && c.nomem)
    rc = sm_error_set(err, SM_ERR_NOMEM, "out of memory while learning");
  return rc;
}
