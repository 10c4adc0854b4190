/* Which file smss.exe runs for a native command line (resolve.h). */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/resolve.h"

void sm_program_free(sm_program *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n; i++)
    free(p->tried[i]);
  free(p->tried);
  free(p->places);
  free(p->name);
  free(p->args);
  memset(p, 0, sizeof *p);
}

const char *sm_program_default(const sm_program *p) {
  if (!p->n)
    return NULL;
  return p->tried[p->fallback < p->n ? p->fallback : 0];
}

size_t sm_program_shadow(const sm_program *p) {
  return p->fallback < p->n && p->fallback > 0 ? 0 : SIZE_MAX;
}

/* The keywords smss.exe strips before the program (SmpParseCommandLine). */
static bool keyword(const char *tok, size_t len, bool *autocheck) {
  static const char *const kw[] = {"autocheck", "async", "debug"};
  for (size_t i = 0; i < sizeof kw / sizeof *kw; i++)
    if (strlen(kw[i]) == len && sm_ascii_prefix(tok, len, kw[i])) {
      if (i == 0)
        *autocheck = true;
      return true;
    }
  return false;
}

/* Whether RtlDetermineDosPathNameType_U calls the name relative: no
 * leading separator and no drive letter, so the search path applies. */
static bool relative_name(const char *x) {
  if (x[0] == '\\' || x[0] == '/')
    return false;
  bool letter = (x[0] >= 'a' && x[0] <= 'z') || (x[0] >= 'A' && x[0] <= 'Z');
  return !(letter && x[1] == ':');
}

/* ".exe" unless the last component has an extension (RtlDosSearchPath_U
 * appends the default extension only then). */
static const char *exe_suffix(const char *name) {
  const char *base = name;
  for (const char *c = name; *c; c++)
    if (*c == '\\' || *c == '/')
      base = c + 1;
  const char *dot = strrchr(base, '.');
  return dot && dot[1] ? "" : ".exe";
}

/* Append the candidate dir\file (file alone when dir is NULL), resolved;
 * a candidate already listed is the same file and is not repeated. */
static sm_result add(const sm_env *e, sm_program *p, const char *dir,
                     const char *file) {
  char *joined = NULL;
  if (asprintf(&joined, "%s%s%s", dir ? dir : "", dir ? "\\" : "", file) < 0)
    return SM_ERR_NOMEM;
  char *r = sm_path_resolve(e, joined);
  free(joined);
  if (!r)
    return SM_ERR_NOMEM;
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->tried[i], r) == 0) {
      free(r);
      return SM_OK;
    }
  p->tried[p->n] = r;
  p->places[p->n++] = sm_file_place(r);
  return SM_OK;
}

/* The machine Path as smss.exe set it, or NULL when the hive has none. */
static char *machine_path(const sm_env *e) {
  for (size_t i = 0; e && i < e->n; i++)
    if (sm_ascii_casecmp(e->names[i], "Path") == 0)
      return sm_env_expand(e, e->values[i]);
  return strdup("");
}

/* Every directory of the Path, then system32: the candidates in order. */
static sm_result search(const sm_env *e, sm_program *p, const char *file) {
  char *path = machine_path(e);
  sm_pathlist pl = {0};
  sm_result r = path ? sm_pathlist_parse(path, &pl) : SM_ERR_NOMEM;
  free(path);
  for (size_t i = 0; r == SM_OK && i < pl.n && p->n < SM_RESOLVE_MAX - 1;
       i++)
    if (*pl.entries[i]) /* an empty entry names no directory */
      r = add(e, p, pl.entries[i], file);
  sm_pathlist_free(&pl);
  if (r != SM_OK)
    return r;
  /* The default library path: "\SystemRoot\system32;" then the Path,
   * whose entries are already listed. */
  char *sys = NULL;
  if (asprintf(&sys, "\\SystemRoot\\system32\\%s", file) < 0)
    return SM_ERR_NOMEM;
  char *want = sm_path_resolve(e, sys);
  free(sys);
  if (!want)
    return SM_ERR_NOMEM;
  p->fallback = p->n;
  for (size_t i = 0; i < p->n && p->fallback == p->n; i++)
    if (strcmp(p->tried[i], want) == 0)
      p->fallback = i;
  free(want);
  if (p->fallback == p->n)
    r = add(e, p, "\\SystemRoot\\system32", file);
  return r;
}

sm_result sm_program_resolve(const sm_env *e, const char *line,
                             sm_program *out) {
  memset(out, 0, sizeof *out);
  const char *p = line ? line : "", *tok = NULL;
  size_t len = 0;
  bool have;
  while ((have = sm_cmdline_token(&p, &tok, &len)) &&
         keyword(tok, len, &out->autocheck))
    ;
  /* Trailing dots and spaces go before the extension is looked for, as
   * path normalisation drops them: "autochk.exe." runs autochk.exe. */
  while (have && len && (tok[len - 1] == '.' || tok[len - 1] == ' ' ||
                         tok[len - 1] == '\t'))
    len--;
  while (*p == ' ' || *p == '\t')
    p++;
  out->name = have ? sm_unquote_dup(tok, len) : strdup("");
  out->args = strdup(have ? p : "");
  out->tried = calloc(SM_RESOLVE_MAX, sizeof *out->tried);
  out->places = calloc(SM_RESOLVE_MAX, sizeof *out->places);
  char *x = out->name ? sm_env_expand(e, out->name) : NULL;
  char *file = NULL;
  sm_result r = SM_ERR_NOMEM;
  if (!x || !out->args || !out->tried || !out->places)
    goto done;
  r = SM_OK;
  if (!*x)
    goto done;
  if (asprintf(&file, "%s%s", x, exe_suffix(x)) < 0) {
    file = NULL;
    r = SM_ERR_NOMEM;
    goto done;
  }
  out->searched = relative_name(x);
  if (out->searched)
    r = search(e, out, file);
  else if ((r = add(e, out, NULL, file)) == SM_OK)
    out->fallback = out->n;
done:
  free(x);
  free(file);
  if (r != SM_OK)
    sm_program_free(out);
  return r;
}

char *sm_cmdline_image(const sm_env *e, const char *line) {
  sm_program p;
  if (sm_program_resolve(e, line, &p) != SM_OK)
    return NULL;
  const char *d = sm_program_default(&p);
  char *r = strdup(d ? d : "");
  sm_program_free(&p);
  return r;
}
