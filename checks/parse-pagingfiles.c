#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

enum { F_ENTRIES, F_PATHS, F_OVER_BOOT, F_OVER_EVIDENCE, F_OTHER };

/* Each path is in "paths", and in one of the three others. */
static const char *const field_names[] = {
    "entries", "paths", "over-boot-files", "over-evidence", "other-paths",
    NULL};

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

char *sm_pagingfile_resolve(const struct sm_env *env, const char *path) {
  /* "?:" is smss.exe's spelling of the system drive. */
  bool any = path[0] == '?' && path[1] == ':';
  char *p = NULL;
  if (asprintf(&p, "%s%s", any ? "%SystemDrive%" : "", path + (any ? 2 : 0)) <
      0)
    return NULL;
  char *r = sm_path_resolve(env, p);
  free(p);
  return r;
}

/* The memory manager creates each paging file over whatever file has its
 * name (NtCreatePagingFile supersedes it): a paging file named after a
 * hive, the kernel or an event log destroys it at boot. */
static sm_result judge(const sm_parse_args *a, sm_fields *out,
                       const char *path) {
  char *r = sm_pagingfile_resolve(a->in->env, path);
  if (!r)
    return SM_ERR_NOMEM;
  /* Each long name an 8.3 component may stand for (C:\PROGRA~1\WINDOW~1
   * may be Windows Defender's folder): the gravest reading counts. */
  size_t n = 0;
  char **forms = sm_path_long_forms(r, &n);
  free(r);
  if (!forms)
    return SM_ERR_NOMEM;
  const char *boot = NULL, *evid = NULL;
  for (size_t i = 0; i < n; i++) {
    const char *w = sm_file_boot_trusted(forms[i]);
    if (!w)
      w = sm_file_security(forms[i]);
    if (w && !boot)
      boot = w;
    if (!evid)
      evid = sm_file_evidence(forms[i]);
  }
  sm_result res;
  if (boot)
    res = sm_field_pushf(&out->v[F_OVER_BOOT], "%s: %s", boot, path);
  else if (evid)
    res = sm_field_pushf(&out->v[F_OVER_EVIDENCE], "%s: %s", evid, path);
  else
    res = sm_field_push(&out->v[F_OTHER], path);
  sm_path_long_forms_free(forms, n);
  return res;
}

static sm_result run(const sm_parse_args *a, sm_fields *out) {
  char *const *strv = a->strv;
  size_t n = a->n;
  sm_result r = sm_fields_init(out, field_names);
  for (size_t i = 0; r == SM_OK && i < n; i++) {
    if (!*strv[i])
      continue;
    sm_pagingfile pf;
    if ((r = sm_field_push(&out->v[F_ENTRIES], strv[i])) != SM_OK ||
        (r = sm_pagingfile_parse(strv[i], &pf)) != SM_OK)
      break;
    if (*pf.path && (r = sm_field_push(&out->v[F_PATHS], pf.path)) == SM_OK)
      r = judge(a, out, pf.path);
    sm_pagingfile_free(&pf);
  }
  if (r != SM_OK)
    sm_fields_free(out);
  return r;
}

const sm_parser_def sm_parser_paging_files = {.name = "paging-files",
                                              .fields = field_names,
                                              .input = SM_INPUT_LIST,
                                              .needs = SM_NEEDS_ENVIRONMENT,
                                              .run = run};
