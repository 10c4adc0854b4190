#include <config.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"

bool sm_grow(void **v, size_t n, size_t size) {
  if (n & (n - 1))
    return true;
  size_t cap = n ? 2 * n : 1;
  if (cap < n || cap > SIZE_MAX / size)
    return false;
  void *p = realloc(*v, cap * size);
  if (!p)
    return false;
  *v = p;
  return true;
}

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

sm_result sm_field_push_n(sm_field *fl, const char *s, size_t n) {
  return push_owned(fl, strndup(s, n));
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

static const struct {
  sm_parser p;
  const char *name;
  const char *const *fields;
} parsers[] = {
    {SM_PARSE_CSRSS, "csrss", sm_csrss_field_names},
    {SM_PARSE_PATH_LIST, "path-list", sm_pathlist_field_names},
    {SM_PARSE_LIST, "list", sm_list_field_names},
    {SM_PARSE_PAGING_FILES, "paging-files", sm_pagingfiles_field_names},
    {SM_PARSE_PENDING_RENAMES, "pending-renames", sm_pending_field_names},
    {SM_PARSE_BOOT_EXECUTE, "boot-execute", sm_bootexec_field_names},
    {SM_PARSE_SUBSYSTEMS, "subsystems", sm_subsystems_field_names},
    {SM_PARSE_KNOWN_DLLS, "known-dlls", sm_knowndlls_field_names},
    {SM_PARSE_SELECT, "select", sm_select_field_names},
};
#define N_PARSERS (sizeof parsers / sizeof parsers[0])

const char *sm_parser_name(sm_parser p) {
  if (p == SM_PARSE_NONE)
    return "none";
  for (size_t i = 0; i < N_PARSERS; i++)
    if (parsers[i].p == p)
      return parsers[i].name;
  return NULL;
}

bool sm_parser_parse(const char *name, sm_parser *out) {
  for (size_t i = 0; name && i < N_PARSERS; i++)
    if (strcmp(parsers[i].name, name) == 0) {
      *out = parsers[i].p;
      return true;
    }
  return false;
}

bool sm_parser_has_field(sm_parser p, const char *name) {
  for (size_t i = 0; name && i < N_PARSERS; i++)
    if (parsers[i].p == p)
      for (const char *const *f = parsers[i].fields; *f; f++)
        if (strcmp(*f, name) == 0)
          return true;
  return false;
}

bool sm_parser_is_key_level(sm_parser p) {
  return p == SM_PARSE_SUBSYSTEMS || p == SM_PARSE_KNOWN_DLLS ||
         p == SM_PARSE_SELECT;
}

static bool is_string(const sm_value *v) {
  return (v->type == SM_REG_SZ || v->type == SM_REG_EXPAND_SZ) && v->str;
}

/* The list parsers also take a REG_SZ as a list of one string: smss reads
 * these values through RtlQueryRegistryValues, which hands a REG_SZ to the
 * same callback as each string of a REG_MULTI_SZ, so such a value still
 * acts. */
static sm_result as_list(const sm_value *v, char *const **strv, size_t *n,
                         char **one) {
  if (v->type == SM_REG_MULTI_SZ && v->strv) {
    *strv = v->strv;
    *n = v->nstrv;
    return SM_OK;
  }
  if (is_string(v)) {
    one[0] = v->str;
    *strv = one;
    *n = 1;
    return SM_OK;
  }
  return SM_ERR_TYPE;
}

sm_result sm_parse_fields(sm_parser p, const sm_parse_input *in,
                          sm_fields *out) {
  out->v = NULL;
  out->n = 0;
  if (!in)
    return SM_ERR_USAGE;
  if (sm_parser_is_key_level(p)) {
    if (!in->values && in->n_values)
      return SM_ERR_USAGE;
    switch (p) {
    case SM_PARSE_SUBSYSTEMS:
      return sm_subsystems_fields(in->values, in->n_values, out);
    case SM_PARSE_KNOWN_DLLS:
      return sm_knowndlls_fields(in->values, in->n_values, out);
    default:
      if (!in->control_sets && in->n_control_sets)
        return SM_ERR_USAGE;
      return sm_select_fields(in->values, in->n_values, in->control_sets,
                              in->n_control_sets, out);
    }
  }
  const sm_value *v = in->value;
  if (!v)
    return SM_ERR_USAGE;
  if (v->status != SM_OK)
    return v->status;
  char *const *strv;
  char *one[1];
  size_t n;
  switch (p) {
  case SM_PARSE_CSRSS:
  case SM_PARSE_PATH_LIST:
  case SM_PARSE_LIST:
    if (!is_string(v))
      return SM_ERR_TYPE;
    if (p == SM_PARSE_CSRSS)
      return sm_csrss_fields(v->str, out);
    if (p == SM_PARSE_PATH_LIST)
      return sm_pathlist_fields(v->str, out);
    return sm_list_fields(v->str, out);
  case SM_PARSE_PAGING_FILES:
  case SM_PARSE_PENDING_RENAMES:
  case SM_PARSE_BOOT_EXECUTE:
    if (as_list(v, &strv, &n, one) != SM_OK)
      return SM_ERR_TYPE;
    if (p == SM_PARSE_PAGING_FILES)
      return sm_pagingfiles_fields(strv, n, out);
    if (p == SM_PARSE_PENDING_RENAMES)
      return sm_pending_fields(strv, n, out);
    return sm_bootexec_fields(strv, n, out);
  default:
    return SM_ERR_USAGE;
  }
}
