/* Decoding a baseline's rules: the expect of a rule, the policy for
 * unnamed values and subkeys, the rule itself, and suppressions. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/baseline-internal.h"
#include "checks/parse.h"

/* ---- expect ---- */

enum {
  E_EQUALS,
  E_ONE_OF,
  E_GLOB,
  E_REGEX,
  E_RANGE,
  E_BITS_SET,
  E_BITS_CLEAR,
  E_EMPTY,
  E_EXACT,
  E_ALLOWED,
  E_REQUIRED,
  E_FORBIDDEN,
  E_MAX_ITEMS,
  E_ORDER,
  E_CASE,
  E_N
};
static const char *const expect_fields[E_N] = {
    "equals",   "one-of",     "glob",      "regex", "range",
    "bits-set", "bits-clear", "empty",     "exact", "allowed",
    "required", "forbidden",  "max-items", "order", "case"};

static sm_result parse_range(const fctx *F, const yd_node *n, sm_expect *e) {
  static const char *const names[] = {"min", "max"};
  uint32_t seen = 0;
  sm_result rc;
  if (n->kind != YD_MAP)
    return sm_bl_fail(F, n, "'range' must be a mapping {min: N, max: N}");
  for (size_t i = 0; i < n->n; i++) {
    size_t idx = 0;
    if ((rc = sm_bl_map_key(F, n, i, names, 2, "range", &seen, &idx)) != SM_OK)
      return rc;
    if (idx == 0) {
      if ((rc = sm_bl_get_u64(F, n->items[i], "min", &e->min)) != SM_OK)
        return rc;
      e->has_min = true;
    } else {
      if ((rc = sm_bl_get_u64(F, n->items[i], "max", &e->max)) != SM_OK)
        return rc;
      e->has_max = true;
    }
  }
  if (!e->has_min && !e->has_max)
    return sm_bl_fail(F, n, "'range' needs 'min', 'max' or both");
  if (e->has_min && e->has_max && e->min > e->max)
    return sm_bl_fail(F, n, "'range': min %llu is greater than max %llu",
                      (unsigned long long)e->min, (unsigned long long)e->max);
  return SM_OK;
}

/* Fills e; the caller frees e whatever the result. */
static sm_result parse_expect(const fctx *F, const yd_node *m, sm_expect *e) {
  const yd_node *nodes[E_N] = {0};
  uint32_t seen = 0;
  sm_result rc;
  uint64_t u;
  int k;
  if (m->kind != YD_MAP)
    return sm_bl_fail(F, m, "'expect' must be a mapping");
  for (size_t i = 0; i < m->n; i++) {
    size_t idx = 0;
    if ((rc = sm_bl_map_key(F, m, i, expect_fields, E_N, "expect", &seen,
                            &idx)) != SM_OK)
      return rc;
    nodes[idx] = m->items[i];
  }
  for (size_t f = 0; f < E_N; f++) {
    const yd_node *n = nodes[f];
    const char *what = expect_fields[f];
    if (!n)
      continue;
    switch (f) {
    case E_EQUALS:
      if ((rc = sm_bl_get_str(F, n, what, &e->equals_str)) != SM_OK)
        return rc;
      e->has_equals = true;
      e->equals_is_num = sm_parse_u64(n->str, &e->equals_num);
      break;
    case E_ONE_OF:
      rc = sm_bl_get_strv(F, n, what, 0, &e->one_of, &e->n_one_of);
      break;
    case E_GLOB:
      rc = sm_bl_get_pattern(F, n, what, &e->glob);
      break;
    case E_REGEX:
      rc = sm_bl_get_str(F, n, what, &e->regex_src);
      break;
    case E_RANGE:
      rc = parse_range(F, n, e);
      break;
    case E_BITS_SET:
      rc = sm_bl_get_u64(F, n, what, &e->bits_set);
      e->has_bits_set = true;
      break;
    case E_BITS_CLEAR:
      rc = sm_bl_get_u64(F, n, what, &e->bits_clear);
      e->has_bits_clear = true;
      break;
    case E_EMPTY:
      rc = sm_bl_get_bool(F, n, what, &e->empty);
      e->has_empty = true;
      break;
    case E_EXACT:
      rc = sm_bl_get_strv(F, n, what, 0, &e->exact, &e->n_exact);
      e->has_exact = true;
      break;
    case E_ALLOWED:
      rc = sm_bl_get_strv(F, n, what, MAX_PATTERN, &e->allowed, &e->n_allowed);
      e->has_allowed = true;
      break;
    case E_REQUIRED:
      rc = sm_bl_get_strv(F, n, what, 0, &e->required, &e->n_required);
      break;
    case E_FORBIDDEN:
      rc = sm_bl_get_strv(F, n, what, MAX_PATTERN, &e->forbidden,
                          &e->n_forbidden);
      break;
    case E_MAX_ITEMS:
      rc = sm_bl_get_u64(F, n, what, &u);
      if (rc == SM_OK && u > SIZE_MAX)
        rc = sm_bl_fail(F, n, "'max-items' is too large");
      e->max_items = (size_t)u;
      e->has_max_items = true;
      break;
    case E_ORDER: {
      static const char *const orders[] = {"any", "exact"};
      rc = sm_bl_get_enum(F, n, what, orders, 2, &k);
      e->order_exact = k == 1;
      break;
    }
    case E_CASE: {
      static const char *const cases[] = {"insensitive", "sensitive"};
      rc = sm_bl_get_enum(F, n, what, cases, 2, &k);
      e->case_sensitive = k == 1;
      break;
    }
    }
    if (rc != SM_OK)
      return rc;
  }
  if (e->regex_src)
    return sm_bl_compile_regex(F, nodes[E_REGEX], e);
  return SM_OK;
}

static sm_result parse_unlisted(const fctx *F, const yd_node *m,
                                const char *where, sm_unlisted *u) {
  static const char *const names[] = {"report", "allow", "ignore"};
  uint32_t seen = 0;
  sm_result rc;
  if (m->kind != YD_MAP)
    return sm_bl_fail(F, m, "'%s' must be a mapping", where);
  for (size_t i = 0; i < m->n; i++) {
    size_t idx = 0;
    const yd_node *n = m->items[i];
    if ((rc = sm_bl_map_key(F, m, i, names, 3, where, &seen, &idx)) != SM_OK)
      return rc;
    if (idx == 0)
      rc = sm_bl_get_bool(F, n, "report", &u->report);
    else if (idx == 1)
      rc = sm_bl_get_strv(F, n, "allow", MAX_PATTERN, &u->allow, &u->n_allow);
    else
      rc =
          sm_bl_get_strv(F, n, "ignore", MAX_PATTERN, &u->ignore, &u->n_ignore);
    if (rc != SM_OK)
      return rc;
  }
  return SM_OK;
}

/* ---- rules ---- */

enum {
  R_ID,
  R_TITLE,
  R_KEY,
  R_ROOT,
  R_VALUE,
  R_SEVERITY,
  R_NORMAL,
  R_MESSAGE,
  R_ATTACK,
  R_REFERENCES,
  R_PRESENCE,
  R_TYPE,
  R_PARSE,
  R_FIELD,
  R_EXPECT,
  R_TUNABLE,
  R_VALUES,
  R_SUBKEYS,
  R_N
};
static const char *const rule_fields[R_N] = {
    "id",     "title",   "key",    "root",       "value",    "severity",
    "normal", "message", "attack", "references", "presence", "type",
    "parse",  "field",   "expect", "tunable",    "values",   "subkeys"};

static sm_result parse_types(const fctx *F, const yd_node *n, sm_rule *r) {
  const yd_node *one = n;
  size_t count = 1;
  if (n->kind == YD_SEQ)
    count = n->n;
  else if (n->kind != YD_SCALAR)
    return sm_bl_fail(F, n, "'type' must be a type name or a list of them");
  if (count == 0)
    return SM_OK;
  r->types = calloc(count, sizeof *r->types);
  if (!r->types)
    return sm_bl_nomem(F->L);
  for (size_t i = 0; i < count; i++) {
    const yd_node *it = n->kind == YD_SEQ ? n->items[i] : one;
    if (it->kind != YD_SCALAR || sm_bl_is_null(it))
      return sm_bl_fail(F, it, "'type' must be a type name or a list of them");
    if (!sm_type_parse(it->str, &r->types[i]))
      return sm_bl_fail(F, it, "unknown type '%.64s'", it->str);
    r->n_types = i + 1;
  }
  return SM_OK;
}

/* parse and field: the parser a value or key is read with. */
static sm_result rule_parser(const fctx *F, size_t f,
                             const yd_node *const *nodes, sm_rule *r) {
  sm_result rc = SM_OK;
  if (f == R_PARSE) {
    const yd_node *n = nodes[R_PARSE];
    if (n->kind != YD_SCALAR || sm_bl_is_null(n))
      rc = sm_bl_fail(F, n, "'parse' must be a parser name");
    else if (!sm_parser_parse(n->str, &r->parse))
      rc = sm_bl_fail(F, n, "unknown parser '%.64s'", n->str);
    else if (!nodes[R_FIELD])
      rc = sm_bl_fail(F, n, "'parse' needs a 'field' to check");
    else if (sm_parser_is_key_level(r->parse) && nodes[R_VALUE])
      rc = sm_bl_fail(
          F, n,
          "parser '%s' reads a whole key: not allowed on a rule with "
          "a 'value'",
          n->str);
    else if (!sm_parser_is_key_level(r->parse) && !nodes[R_VALUE])
      rc = sm_bl_fail(F, n,
                      "parser '%s' reads one value: the rule needs a 'value'",
                      n->str);
    return rc;
  }
  const yd_node *n = nodes[R_FIELD];
  if ((rc = sm_bl_get_str(F, n, rule_fields[f], &r->field)) != SM_OK)
    return rc;
  if (!nodes[R_PARSE])
    rc = sm_bl_fail(F, n, "'field' needs 'parse'");
  else if (!sm_parser_has_field(r->parse, r->field))
    rc = sm_bl_fail(F, n, "parser '%s' has no field '%.64s'",
                    nodes[R_PARSE]->str, r->field);
  return rc;
}

/* values and subkeys: the policy of a key-level rule. */
static sm_result rule_policy(const fctx *F, size_t f,
                             const yd_node *const *nodes, sm_rule *r) {
  const yd_node *n = nodes[f];
  const char *what = rule_fields[f];
  sm_result rc;
  if (nodes[R_VALUE])
    return sm_bl_fail(F, n,
                      "'%s' is a policy of a key-level rule: not allowed with "
                      "'value'",
                      what);
  if (f == R_VALUES) {
    rc = parse_unlisted(F, n, what, &r->values);
    r->has_values_policy = true;
  } else {
    rc = parse_unlisted(F, n, what, &r->subkeys);
    r->has_subkeys_policy = true;
  }
  return rc;
}

/* Field f of a rule, present as nodes[f]. */
static sm_result rule_field(const fctx *F, size_t f,
                            const yd_node *const *nodes, sm_rule *r) {
  const yd_node *n = nodes[f];
  const char *what = rule_fields[f];
  sm_result rc = SM_OK;
  int k;
  switch (f) {
  case R_ID:
    if ((rc = sm_bl_get_str(F, n, what, &r->id)) == SM_OK &&
        !sm_bl_valid_id(r->id))
      rc = sm_bl_fail(
          F, n, "invalid rule id '%.64s' (expected [A-Z][A-Z0-9-]*)", r->id);
    break;
  case R_TITLE:
    rc = sm_bl_get_str(F, n, what, &r->title);
    break;
  case R_KEY:
    rc = sm_bl_get_str(F, n, what, &r->key);
    break;
  case R_ROOT: {
    static const char *const roots[] = {"control-set", "hive"};
    rc = sm_bl_get_enum(F, n, what, roots, 2, &k);
    r->root = (sm_root)k;
    break;
  }
  case R_VALUE:
    rc = sm_bl_get_str(F, n, what, &r->value);
    /* "@" is regedit's name for the default value. */
    if (rc == SM_OK && strcmp(r->value, "@") == 0)
      r->value[0] = '\0';
    break;
  case R_SEVERITY:
    if (n->kind != YD_SCALAR || !sm_severity_parse(n->str, &r->severity))
      rc = sm_bl_fail(F, n,
                      "'severity' must be one of info, low, medium, high, "
                      "critical%s%.64s%s",
                      n->kind == YD_SCALAR ? ", not '" : "",
                      n->kind == YD_SCALAR ? n->str : "",
                      n->kind == YD_SCALAR ? "'" : "");
    break;
  case R_NORMAL:
    rc = sm_bl_get_str(F, n, what, &r->normal);
    break;
  case R_MESSAGE:
    rc = sm_bl_get_str(F, n, what, &r->message);
    break;
  case R_ATTACK:
    rc = sm_bl_get_strv(F, n, what, 0, &r->attack, &r->n_attack);
    break;
  case R_REFERENCES:
    rc = sm_bl_get_strv(F, n, what, 0, &r->references, &r->n_references);
    break;
  case R_PRESENCE: {
    static const char *const pres[] = {"optional", "required", "forbidden"};
    rc = sm_bl_get_enum(F, n, what, pres, 3, &k);
    r->presence = (sm_presence)k;
    break;
  }
  case R_TYPE:
    rc = parse_types(F, n, r);
    break;
  case R_PARSE:
  case R_FIELD:
    rc = rule_parser(F, f, nodes, r);
    break;
  case R_EXPECT:
    rc = parse_expect(F, n, &r->expect);
    r->has_expect = true;
    break;
  case R_TUNABLE:
    rc = sm_bl_get_bool(F, n, what, &r->tunable);
    break;
  case R_VALUES:
  case R_SUBKEYS:
    rc = rule_policy(F, f, nodes, r);
    break;
  }
  return rc;
}

/* Fills r; the caller frees r whatever the result. */
sm_result sm_bl_parse_rule(const fctx *F, const yd_node *m, sm_rule *r) {
  const yd_node *nodes[R_N] = {0};
  uint32_t seen = 0;
  sm_result rc;
  if (m->kind != YD_MAP)
    return sm_bl_fail(F, m, "a rule must be a mapping");
  r->file = F->file;
  r->line = m->line;
  for (size_t i = 0; i < m->n; i++) {
    size_t idx = 0;
    if ((rc = sm_bl_map_key(F, m, i, rule_fields, R_N, "rule", &seen, &idx)) !=
        SM_OK)
      return rc;
    nodes[idx] = m->items[i];
  }
  static const int required[] = {R_ID,       R_TITLE,  R_KEY,
                                 R_SEVERITY, R_NORMAL, R_MESSAGE};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (!nodes[required[i]])
      return sm_bl_fail(F, m, "missing required field '%s' in rule",
                        rule_fields[required[i]]);

  for (size_t f = 0; f < R_N; f++)
    if (nodes[f] && (rc = rule_field(F, f, nodes, r)) != SM_OK)
      return rc;
  return SM_OK;
}

/* ---- suppressions ---- */

enum { S_RULE, S_KEY, S_VALUE, S_OBSERVED, S_JUSTIFICATION, S_EXPIRES, S_N };
static const char *const supp_fields[S_N] = {
    "rule", "key", "value", "observed", "justification", "expires"};

sm_result sm_bl_parse_supp(const fctx *F, const yd_node *m, sm_suppression *s,
                           const yd_node **rule_node) {
  const yd_node *nodes[S_N] = {0};
  uint32_t seen = 0;
  sm_result rc = SM_OK;
  if (m->kind != YD_MAP)
    return sm_bl_fail(F, m, "a suppression must be a mapping");
  s->file = F->file;
  s->line = m->line;
  for (size_t i = 0; i < m->n; i++) {
    size_t idx = 0;
    if ((rc = sm_bl_map_key(F, m, i, supp_fields, S_N, "suppression", &seen,
                            &idx)) != SM_OK)
      return rc;
    nodes[idx] = m->items[i];
  }
  if (!nodes[S_RULE])
    return sm_bl_fail(F, m, "missing required field 'rule' in suppression");
  if (!nodes[S_JUSTIFICATION])
    return sm_bl_fail(F, m,
                      "missing required field 'justification' in suppression");
  *rule_node = nodes[S_RULE];
  for (size_t f = 0; f < S_N; f++) {
    const yd_node *n = nodes[f];
    const char *what = supp_fields[f];
    if (!n)
      continue;
    switch (f) {
    case S_RULE:
      rc = sm_bl_get_str(F, n, what, &s->rule);
      break;
    case S_KEY:
      rc = sm_bl_get_pattern(F, n, what, &s->key);
      break;
    case S_VALUE:
      rc = sm_bl_get_pattern(F, n, what, &s->value);
      break;
    case S_OBSERVED:
      rc = sm_bl_get_pattern(F, n, what, &s->observed);
      break;
    case S_JUSTIFICATION:
      rc = sm_bl_get_str(F, n, what, &s->justification);
      break;
    case S_EXPIRES:
      if (n->kind != YD_SCALAR ||
          !sm_bl_valid_date(n->str, &s->expires_year, &s->expires_month,
                            &s->expires_day))
        rc = sm_bl_fail(F, n, "'expires' must be a date YYYY-MM-DD%s%.64s%s",
                        n->kind == YD_SCALAR ? ", not '" : "",
                        n->kind == YD_SCALAR ? n->str : "",
                        n->kind == YD_SCALAR ? "'" : "");
      s->has_expires = true;
      break;
    }
    if (rc != SM_OK)
      return rc;
  }
  return SM_OK;
}
