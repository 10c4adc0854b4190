#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

static const char *const pathlist_field_names[] = {
    "entries",       "resolved", "before-system", "relative",   "unc",
    "user-writable", "unsafe",   "empty-entries", "has-system", NULL};
static const char *const pathlist_path_fields[] = {"resolved", NULL};
static const char *const list_field_names[] = {"entries", NULL};

void sm_pathlist_free(sm_pathlist *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n; i++)
    free(p->entries[i]);
  free(p->entries);
  p->entries = NULL;
  p->n = 0;
}

static bool is_trim(char c) { return c == ' ' || c == '\t'; }

sm_result sm_pathlist_parse(const char *s, sm_pathlist *out) {
  out->entries = NULL;
  out->n = 0;
  if (!s)
    s = "";
  const char *t = s;
  while (is_trim(*t))
    t++;
  if (!*t)
    return SM_OK; /* an empty value is no entries, not one empty entry */
  for (;;) {
    size_t len = strcspn(s, ";");
    const char *b = s, *e = s + len;
    while (b < e && is_trim(*b))
      b++;
    while (e > b && is_trim(e[-1]))
      e--;
    if (!sm_grow((void **)&out->entries, out->n, sizeof *out->entries))
      goto nomem;
    if (!(out->entries[out->n] = strndup(b, (size_t)(e - b))))
      goto nomem;
    out->n++;
    if (!s[len])
      break;
    s += len + 1;
  }
  return SM_OK;
nomem:
  sm_pathlist_free(out);
  return SM_ERR_NOMEM;
}

enum {
  F_ENTRIES,
  F_RESOLVED,
  F_BEFORE_SYSTEM,
  F_RELATIVE,
  F_UNC,
  F_USER_WRITABLE,
  F_UNSAFE,
  F_EMPTY,
  F_HAS_SYSTEM,
};

/* Each entry is judged by what Windows resolves it to (checks/winpath.h):
 * the hive's own environment expanded, every prefix and spelling of one
 * directory made one.  The class fields keep the entry as written, for the
 * analyst; `resolved` holds the canonical forms, which rules compare. */
static sm_result pathlist_run(const sm_parse_args *a, sm_fields *out) {
  const sm_env *env = a->in->env;
  sm_pathlist pl;
  sm_result r = sm_pathlist_parse(a->str, &pl);
  if (r != SM_OK)
    return r;
  char *sys = sm_path_resolve(env, "%SystemRoot%\\system32");
  bool seen_sys = false;
  if (!sys || (r = sm_fields_init(out, pathlist_field_names)) != SM_OK)
    goto done;
  sm_field *f = out->v;
  r = SM_ERR_NOMEM;
  for (size_t i = 0; i < pl.n; i++) {
    const char *e = pl.entries[i];
    if (!*e) {
      if (sm_field_pushf(&f[F_EMPTY], "%zu", i + 1) != SM_OK)
        goto done;
      continue;
    }
    char *res = sm_path_resolve(env, e);
    if (!res)
      goto done;
    sm_place place = sm_path_place(res);
    bool is_sys = strcmp(res, sys) == 0;
    int cls = place == SM_PLACE_RELATIVE ? F_RELATIVE
              : place == SM_PLACE_REMOTE ? F_UNC
              : place == SM_PLACE_USER   ? F_USER_WRITABLE
                                         : -1;
    sm_result pr = sm_field_push(&f[F_ENTRIES], e);
    if (pr == SM_OK)
      pr = sm_field_push(&f[F_RESOLVED], res);
    free(res);
    /* An entry another rule reports as unsafe is not repeated as merely
     * placed before system32. */
    if (pr == SM_OK && cls < 0 && !seen_sys && !is_sys)
      pr = sm_field_push(&f[F_BEFORE_SYSTEM], e);
    if (pr == SM_OK && cls >= 0)
      pr = sm_field_push(&f[cls], e);
    if (pr == SM_OK && cls >= 0)
      pr = sm_field_push(&f[F_UNSAFE], e);
    if (pr != SM_OK)
      goto done;
    seen_sys |= is_sys;
  }
  if (sm_field_push(&f[F_HAS_SYSTEM], seen_sys ? "yes" : "no") != SM_OK)
    goto done;
  r = SM_OK;
done:
  if (r != SM_OK)
    sm_fields_free(out);
  free(sys);
  sm_pathlist_free(&pl);
  return r;
}

static sm_result list_run(const sm_parse_args *a, sm_fields *out) {
  const char *s = a->str;
  sm_pathlist pl;
  sm_result r = sm_pathlist_parse(s, &pl);
  if (r != SM_OK)
    return r;
  if ((r = sm_fields_init(out, list_field_names)) != SM_OK)
    goto done;
  for (size_t i = 0; i < pl.n; i++)
    if (*pl.entries[i] &&
        (r = sm_field_push(&out->v[0], pl.entries[i])) != SM_OK)
      goto done;
done:
  if (r != SM_OK)
    sm_fields_free(out);
  sm_pathlist_free(&pl);
  return r;
}

const sm_parser_def sm_parser_path_list = {.name = "path-list",
                                           .fields = pathlist_field_names,
                                           .path_fields = pathlist_path_fields,
                                           .input = SM_INPUT_STRING,
                                           .needs = SM_NEEDS_ENVIRONMENT,
                                           .run = pathlist_run};

const sm_parser_def sm_parser_list = {.name = "list",
                                      .fields = list_field_names,
                                      .input = SM_INPUT_STRING,
                                      .run = list_run};
