#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"

static const char *const field_names[] = {"entries", "paths", NULL};

void sm_pagingfile_free(sm_pagingfile *p) {
  if (!p)
    return;
  free(p->path);
  memset(p, 0, sizeof *p);
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* A decimal number of megabytes, whole token; false on junk or overflow. */
static bool parse_mb(const char **p, uint64_t *out) {
  const char *s = *p;
  uint64_t v = 0;
  while (is_blank(*s))
    s++;
  if (*s < '0' || *s > '9')
    return false;
  for (; *s >= '0' && *s <= '9'; s++) {
    if (v > (UINT64_MAX - 9) / 10)
      return false;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  if (*s && !is_blank(*s))
    return false;
  *p = s;
  *out = v;
  return true;
}

/* "C:\pagefile.sys 768 1536": the path, then optionally the initial and
 * maximum sizes.  "?:\pagefile.sys" is smss's spelling of "on the system
 * drive" and is kept as written.  Anything that is not two numbers after
 * the path leaves has_sizes false. */
sm_result sm_pagingfile_parse(const char *entry, sm_pagingfile *out) {
  const char *s = entry ? entry : "";
  memset(out, 0, sizeof *out);
  while (is_blank(*s))
    s++;
  size_t len = 0;
  while (s[len] && !is_blank(s[len]))
    len++;
  if (!(out->path = strndup(s, len)))
    return SM_ERR_NOMEM;
  const char *p = s + len;
  uint64_t min, max;
  if (parse_mb(&p, &min) && parse_mb(&p, &max)) {
    out->has_sizes = true;
    out->min_mb = min;
    out->max_mb = max;
  }
  return SM_OK;
}

static sm_result run(const sm_parse_args *a, sm_fields *out) {
  char *const *strv = a->strv;
  size_t n = a->n;
  sm_result r = sm_fields_init(out, field_names);
  for (size_t i = 0; r == SM_OK && i < n; i++) {
    if (!*strv[i])
      continue;
    sm_pagingfile pf;
    if ((r = sm_field_push(&out->v[0], strv[i])) != SM_OK ||
        (r = sm_pagingfile_parse(strv[i], &pf)) != SM_OK)
      break;
    if (*pf.path)
      r = sm_field_push(&out->v[1], pf.path);
    sm_pagingfile_free(&pf);
  }
  if (r != SM_OK)
    sm_fields_free(out);
  return r;
}

const sm_parser_def sm_parser_paging_files = {.name = "paging-files",
                                              .fields = field_names,
                                              .input = SM_INPUT_LIST,
                                              .run = run};
