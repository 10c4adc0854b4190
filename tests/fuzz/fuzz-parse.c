/* The structured-value parsers on arbitrary strings.  The first byte picks
 * the target; the rest is the input:
 *   - a typed parser (csrss, path list with every entry resolved and
 *     placed, paging file, pending renames, boot command) on the text, or
 *     on its NUL-separated strings;
 *   - sm_parse_fields of each parser of checks/parsers.def: a value-level
 *     one on a value built from the text (its type from the second byte),
 *     a key-level one on values built from NUL-separated records
 *     "TNAME=DATA", T a type letter (s SZ, e EXPAND_SZ, m MULTI_SZ with
 *     '|' between strings, d DWORD, anything else BINARY);
 *   - the lenient UTF-16LE decoder on the raw bytes. */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse.h"
#include "checks/resolve.h"
#include "checks/winpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The NUL-separated strings of p (n bytes), as a MULTI_SZ value holds them
 * (a final empty string dropped). */
static char **split(const char *p, size_t n, char sep, size_t *count) {
  size_t cap = 1;
  for (size_t i = 0; i < n; i++)
    cap += p[i] == sep;
  char **v = calloc(cap + 1, sizeof *v);
  if (!v)
    return NULL;
  size_t k = 0, start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || p[i] == sep) {
      if (i == n && i == start && k > 0)
        break;
      v[k] = strndup(p + start, i - start);
      if (!v[k])
        break;
      k++;
      start = i + 1;
    }
  }
  *count = k;
  return v;
}

static void free_strv(char **v, size_t n) {
  if (!v)
    return;
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static void touch_fields(sm_parser p, const sm_fields *f) {
  size_t total = 0;
  for (size_t i = 0; i < f->n; i++) {
    if (!sm_parser_has_field(p, f->v[i].name))
      abort(); /* a field the loader would refuse */
    for (size_t j = 0; j < f->v[i].n; j++)
      total += strlen(f->v[i].items[j]);
  }
  (void)total;
}

static sm_value *make_value(char type, const char *name, const char *p,
                            size_t n) {
  sm_value *v = calloc(1, sizeof *v);
  if (!v)
    return NULL;
  v->name = strdup(name);
  v->len = n;
  v->data = malloc(n ? n : 1);
  if (v->data)
    memcpy(v->data, p, n);
  switch (type) {
  case 's':
  case 'e':
    v->type = type == 's' ? SM_REG_SZ : SM_REG_EXPAND_SZ;
    v->str = strndup(p, n);
    break;
  case 'm':
    v->type = SM_REG_MULTI_SZ;
    v->strv = split(p, n, '|', &v->nstrv);
    break;
  case 'd':
    v->type = SM_REG_DWORD;
    if (n) {
      char buf[32];
      size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
      memcpy(buf, p, k);
      buf[k] = '\0';
      v->num = (uint32_t)strtoul(buf, NULL, 0);
    }
    v->has_num = true;
    break;
  default:
    v->type = SM_REG_BINARY;
    break;
  }
  if (!v->name || !v->data) {
    sm_value_free(v);
    return NULL;
  }
  return v;
}

static void key_level(sm_parser p, const char *text, size_t n) {
  size_t nrec = 0;
  char **rec = split(text, n, '\0', &nrec);
  sm_value **vals = calloc(nrec ? nrec : 1, sizeof *vals);
  size_t nv = 0;
  for (size_t i = 0; rec && vals && i < nrec; i++) {
    if (!rec[i][0])
      continue;
    char *eq = strchr(rec[i] + 1, '=');
    if (eq)
      *eq = '\0';
    const char *d = eq ? eq + 1 : "";
    sm_value *v = make_value(rec[i][0], rec[i] + 1, d, strlen(d));
    if (v)
      vals[nv++] = v;
  }
  unsigned sets[3] = {1, 2, (unsigned)(n & 0xff)};
  sm_parse_input in = {.values = vals,
                       .n_values = nv,
                       .control_sets = sets,
                       .n_control_sets = n % 4};
  sm_fields f = {0};
  if (sm_parse_fields(p, &in, &f) == SM_OK)
    touch_fields(p, &f);
  sm_fields_free(&f);
  sm_values_free(vals, nv);
  free_strv(rec, nrec);
}

static void value_level(sm_parser p, char type, const char *text, size_t n) {
  sm_value *v = make_value(type, "v", text, n);
  if (!v)
    return;
  sm_parse_input in = {.value = v};
  sm_fields f = {0};
  if (sm_parse_fields(p, &in, &f) == SM_OK)
    touch_fields(p, &f);
  sm_fields_free(&f);
  sm_value_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  /* Six typed targets, then one per parser of checks/parsers.def. */
  unsigned sel = data[0] % (6 + (SM_PARSE_COUNT - 1));
  char type = (char)data[1];
  /* The text, NUL-terminated, embedded NULs kept for the splitters. */
  size_t n = size - 1;
  char *text = malloc(n + 1);
  if (!text)
    return 0;
  memcpy(text, data + 1, n);
  text[n] = '\0';

  switch (sel) {
  case 0: {
    sm_csrss c;
    if (sm_csrss_parse(text, &c) == SM_OK)
      sm_csrss_free(&c);
    break;
  }
  case 1: {
    sm_pathlist pl;
    if (sm_pathlist_parse(text, &pl) == SM_OK) {
      for (size_t i = 0; i < pl.n; i++) {
        char *r = sm_path_resolve(NULL, pl.entries[i]);
        if (r)
          (void)sm_path_place(r);
        free(r);
        free(sm_cmdline_image(NULL, pl.entries[i]));
      }
      sm_pathlist_free(&pl);
    }
    break;
  }
  case 2: {
    sm_pagingfile pf;
    if (sm_pagingfile_parse(text, &pf) == SM_OK)
      sm_pagingfile_free(&pf);
    break;
  }
  case 3: {
    size_t k = 0;
    char **v = split(text, n, '\0', &k);
    sm_pending pd;
    if (v && sm_pending_parse(v, k, NULL, &pd) == SM_OK)
      sm_pending_free(&pd);
    free_strv(v, k);
    break;
  }
  case 4: {
    sm_bootcmd b;
    if (sm_bootcmd_parse(text, &b) == SM_OK)
      sm_bootcmd_free(&b);
    break;
  }
  case 5: {
    bool bad = false;
    free(sm_utf16le_decode(data + 1, n, data[0] & 0x10, &bad));
    break;
  }
  default: {
    sm_parser p = (sm_parser)(SM_PARSE_NONE + 1 + (sel - 6));
    const sm_parser_def *d = sm_parser_get(p);
    if (d && d->input == SM_INPUT_KEY)
      key_level(p, text, n);
    else if (d) /* the type letter is the text's first byte too: harmless */
      value_level(p, type, text + 1, n - 1);
    break;
  }
  }
  free(text);
  return 0;
}
