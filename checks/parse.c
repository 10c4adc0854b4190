#include <config.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"

void sm_fields_free(sm_fields *f) {
  if (!f)
    return;
  for (size_t i = 0; i < f->n; i++) {
    for (size_t j = 0; j < f->v[i].n; j++)
      free(f->v[i].items[j]);
    free(f->v[i].items);
    free(f->v[i].name);
  }
  free(f->v);
  f->v = NULL;
  f->n = 0;
}

const sm_field *sm_fields_get(const sm_fields *f, const char *name) {
  if (!f || !name)
    return NULL;
  for (size_t i = 0; i < f->n; i++)
    if (strcmp(f->v[i].name, name) == 0)
      return &f->v[i];
  return NULL;
}

sm_result sm_fields_init(sm_fields *f, const char *const *names) {
  f->v = NULL;
  f->n = 0;
  for (size_t i = 0; names[i]; i++) {
    if (!sm_grow((void **)&f->v, f->n, sizeof *f->v))
      goto nomem;
    sm_field *fl = &f->v[f->n];
    fl->items = NULL;
    fl->n = 0;
    fl->name = strdup(names[i]);
    if (!fl->name)
      goto nomem;
    f->n++;
  }
  return SM_OK;
nomem:
  sm_fields_free(f);
  return SM_ERR_NOMEM;
}

static sm_result push_owned(sm_field *fl, char *s) {
  if (!s)
    return SM_ERR_NOMEM;
  if (!sm_grow((void **)&fl->items, fl->n, sizeof *fl->items)) {
    free(s);
    return SM_ERR_NOMEM;
  }
  fl->items[fl->n++] = s;
  return SM_OK;
}

sm_result sm_field_push(sm_field *fl, const char *s) {
  return push_owned(fl, strdup(s));
}

sm_result sm_field_pushf(sm_field *fl, const char *fmt, ...) {
  va_list ap;
  char *s = NULL;
  va_start(ap, fmt);
  int r = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (r < 0)
    return SM_ERR_NOMEM;
  return push_owned(fl, s);
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool sm_cmdline_token(const char **p, const char **tok, size_t *len) {
  const char *s = *p;
  while (is_blank(*s))
    s++;
  if (!*s) {
    *p = s;
    return false;
  }
  const char *start = s;
  bool quoted = false;
  for (; *s && (quoted || !is_blank(*s)); s++)
    if (*s == '"')
      quoted = !quoted;
  *tok = start;
  *len = (size_t)(s - start);
  *p = s;
  return true;
}

char *sm_unquote_dup(const char *tok, size_t len) {
  char *out = malloc(len + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < len; i++)
    if (tok[i] != '"')
      *o++ = tok[i];
  *o = '\0';
  return out;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

int sm_ascii_casecmp(const char *a, const char *b) {
  const unsigned char *x = (const unsigned char *)a;
  const unsigned char *y = (const unsigned char *)b;
  while (*x && lower(*x) == lower(*y))
    x++, y++;
  return lower(*x) - lower(*y);
}

bool sm_ascii_prefix(const char *s, size_t len, const char *prefix) {
  size_t n = strlen(prefix);
  if (n > len)
    return false;
  for (size_t i = 0; i < n; i++)
    if (lower((unsigned char)s[i]) != lower((unsigned char)prefix[i]))
      return false;
  return true;
}

bool sm_ascii_suffix(const char *s, size_t len, const char *suffix) {
  size_t n = strlen(suffix);
  return n <= len && sm_ascii_prefix(s + len - n, n, suffix);
}

/* Indexed by sm_parser; [SM_PARSE_NONE] is NULL. */
static const sm_parser_def *const parsers[SM_PARSE_COUNT] = {
#define SM_PARSER(id, def) [SM_PARSE_##id] = &def,
#include "checks/parsers.def"
#undef SM_PARSER
};

const sm_parser_def *sm_parser_get(sm_parser p) {
  return (unsigned)p < SM_PARSE_COUNT ? parsers[p] : NULL;
}

const char *sm_parser_name(sm_parser p) {
  if (p == SM_PARSE_NONE)
    return "none";
  const sm_parser_def *d = sm_parser_get(p);
  return d ? d->name : NULL;
}

bool sm_parser_parse(const char *name, sm_parser *out) {
  for (unsigned p = SM_PARSE_NONE + 1; name && p < SM_PARSE_COUNT; p++)
    if (strcmp(parsers[p]->name, name) == 0) {
      *out = (sm_parser)p;
      return true;
    }
  return false;
}

bool sm_parser_has_field(sm_parser p, const char *name) {
  const sm_parser_def *d = sm_parser_get(p);
  for (const char *const *f = d ? d->fields : NULL; name && f && *f; f++)
    if (strcmp(*f, name) == 0)
      return true;
  return false;
}

bool sm_parser_path_field(sm_parser p, const char *name) {
  const sm_parser_def *d = sm_parser_get(p);
  for (const char *const *f = d ? d->path_fields : NULL; name && f && *f; f++)
    if (strcmp(*f, name) == 0)
      return true;
  return false;
}

bool sm_parser_is_key_level(sm_parser p) {
  const sm_parser_def *d = sm_parser_get(p);
  return d && d->input == SM_INPUT_KEY;
}

char *const *sm_value_list(const sm_value *v, size_t *n) {
  *n = 0;
  if (!v || v->status != SM_OK)
    return NULL;
  if (v->type == SM_REG_MULTI_SZ && v->strv) {
    *n = v->nstrv;
    return v->strv;
  }
  if ((v->type == SM_REG_SZ || v->type == SM_REG_EXPAND_SZ) && v->str) {
    *n = 1;
    return (char *const *)&v->str;
  }
  return NULL;
}

const char *sm_smss_string(const sm_value *v) {
  if (!v || v->status != SM_OK)
    return NULL;
  if ((v->type == SM_REG_SZ || v->type == SM_REG_EXPAND_SZ) && v->str)
    return v->str;
  if (v->type == SM_REG_MULTI_SZ && v->strv && v->nstrv)
    return v->strv[v->nstrv - 1];
  return NULL;
}

static bool is_string(const sm_value *v) {
  return (v->type == SM_REG_SZ || v->type == SM_REG_EXPAND_SZ) && v->str;
}

/* The value as the parser's input kind reads it; SM_ERR_TYPE when it does
 * not fit. */
static sm_result value_args(const sm_parser_def *d, const sm_value *v,
                            char **one, sm_parse_args *a) {
  if (v->status != SM_OK)
    return v->status;
  if (d->input == SM_INPUT_LIST && v->type == SM_REG_MULTI_SZ && v->strv) {
    a->strv = v->strv;
    a->n = v->nstrv;
    return SM_OK;
  }
  if (!is_string(v))
    return SM_ERR_TYPE;
  a->str = v->str;
  one[0] = v->str;
  a->strv = one;
  a->n = 1;
  return SM_OK;
}

sm_result sm_parse_fields(sm_parser p, const sm_parse_input *in,
                          sm_fields *out) {
  out->v = NULL;
  out->n = 0;
  const sm_parser_def *d = sm_parser_get(p);
  if (!in || !d)
    return SM_ERR_USAGE;
  if ((d->needs & SM_NEEDS_CONTROL_SETS) && !in->control_sets &&
      in->n_control_sets)
    return SM_ERR_USAGE;
  sm_parse_args a = {.in = in};
  char *one[1];
  if (d->input == SM_INPUT_KEY) {
    if (!in->values && in->n_values)
      return SM_ERR_USAGE;
    a.values = in->values;
    a.n_values = in->n_values;
  } else {
    if (!in->value)
      return SM_ERR_USAGE;
    sm_result r = value_args(d, in->value, one, &a);
    if (r != SM_OK)
      return r;
  }
  return d->run(&a, out);
}
