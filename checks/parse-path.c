#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"

static const char *const pathlist_field_names[] = {
    "entries",       "before-system", "relative",   "unc",
    "user-writable", "empty-entries", "has-system", NULL};
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

/* A view of an entry without blanks and surrounding double quotes. */
typedef struct view {
  const char *s;
  size_t n;
} view;

static view unquote(const char *entry) {
  view v = {entry, strlen(entry)};
  while (v.n && is_trim(*v.s))
    v.s++, v.n--;
  while (v.n && is_trim(v.s[v.n - 1]))
    v.n--;
  if (v.n && v.s[0] == '"')
    v.s++, v.n--;
  if (v.n && v.s[v.n - 1] == '"')
    v.n--;
  return v;
}

static bool is_sep(char c) { return c == '\\' || c == '/'; }

static bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_drive_root(view v) {
  return v.n >= 3 && is_letter(v.s[0]) && v.s[1] == ':' && is_sep(v.s[2]);
}

/* Length of a leading %VAR% (at least one character between the %), or 0. */
static size_t var_len(view v) {
  if (!v.n || v.s[0] != '%')
    return 0;
  const char *end = memchr(v.s + 1, '%', v.n - 1);
  return end && end > v.s + 1 ? (size_t)(end - v.s) + 1 : 0;
}

/* Whether v is prefix, or begins with prefix followed by a separator. */
static bool under(view v, const char *prefix) {
  size_t n = strlen(prefix);
  return sm_ascii_prefix(v.s, v.n, prefix) && (v.n == n || is_sep(v.s[n]));
}

/* The rest of v after a drive root "X:\" or "%SystemDrive%\", as a view
 * starting after the separator; .s is NULL when there is none. */
static view after_drive(view v) {
  view r = {NULL, 0};
  size_t skip = 0;
  if (is_drive_root(v))
    skip = 3;
  else if (sm_ascii_prefix(v.s, v.n, "%SystemDrive%") && v.n > 13 &&
           is_sep(v.s[13]))
    skip = 14;
  if (skip) {
    r.s = v.s + skip;
    r.n = v.n - skip;
  }
  return r;
}

static bool equal_dir(view v, const char *dir) {
  size_t n = strlen(dir);
  if (v.n == n + 1 && is_sep(v.s[n]))
    v.n--;
  return v.n == n && sm_ascii_prefix(v.s, v.n, dir);
}

bool sm_path_is_system(const char *entry) {
  view v = unquote(entry);
  view d = after_drive(v);
  return equal_dir(v, "%SystemRoot%\\system32") ||
         equal_dir(v, "%SystemRoot%/system32") ||
         equal_dir(v, "%windir%\\system32") ||
         equal_dir(v, "%windir%/system32") ||
         (d.s && (equal_dir(d, "Windows\\system32") ||
                  equal_dir(d, "Windows/system32")));
}

bool sm_path_is_relative(const char *entry) {
  view v = unquote(entry);
  if (!v.n)
    return false;
  if (is_drive_root(v) || (v.n >= 2 && is_sep(v.s[0]) && is_sep(v.s[1])))
    return false;
  return var_len(v) == 0;
}

bool sm_path_is_unc(const char *entry) {
  view v = unquote(entry);
  if (v.n < 3 || !is_sep(v.s[0]) || !is_sep(v.s[1]))
    return false;
  /* \\?\ and \\.\ are device paths: UNC only through their UNC\ link. */
  if ((v.s[2] == '?' || v.s[2] == '.') && (v.n == 3 || is_sep(v.s[3])))
    return sm_ascii_prefix(v.s + 3, v.n - 3, "\\UNC\\") ||
           sm_ascii_prefix(v.s + 3, v.n - 3, "/UNC/");
  return !is_sep(v.s[2]);
}

static const char *const writable_vars[] = {"%USERPROFILE%",
                                            "%APPDATA%",
                                            "%LOCALAPPDATA%",
                                            "%TEMP%",
                                            "%TMP%",
                                            "%ProgramData%",
                                            "%PUBLIC%",
                                            "%ALLUSERSPROFILE%",
                                            "%HOMEDRIVE%%HOMEPATH%",
                                            "%SystemRoot%\\Temp",
                                            "%windir%\\Temp"};

static const char *const writable_dirs[] = {"Users", "ProgramData",
                                            "Windows\\Temp", "Temp", "tmp"};

static const char *const protected_roots[] = {"Windows", "Program Files",
                                              "Program Files (x86)"};

bool sm_path_is_user_writable(const char *entry) {
  view v = unquote(entry);
  for (size_t i = 0; i < sizeof writable_vars / sizeof *writable_vars; i++)
    if (under(v, writable_vars[i]))
      return true;
  view d = after_drive(v);
  if (!d.s)
    return false;
  size_t first = 0;
  while (first < d.n && !is_sep(d.s[first]))
    first++;
  if (first == 0)
    return false; /* the drive root itself */
  for (size_t i = 0; i < sizeof writable_dirs / sizeof *writable_dirs; i++)
    if (under(d, writable_dirs[i]) &&
        /* C:\Users holds the profiles but is not writable itself. */
        (i != 0 || first < d.n - 1))
      return true;
  /* Any other folder directly under a drive root counts as writable: the
   * root's ACL lets Authenticated Users create folders and gives them
   * Modify on what is created below, so a folder an installer made there
   * without its own ACL (C:\Python27, C:\Tools) is writable by every user,
   * and a DLL or EXE planted in it is found through the Path. */
  view top = {d.s, first};
  for (size_t i = 0; i < sizeof protected_roots / sizeof *protected_roots; i++)
    if (equal_dir(top, protected_roots[i]))
      return false;
  return !equal_dir(top, "Users");
}

enum {
  F_ENTRIES,
  F_BEFORE_SYSTEM,
  F_RELATIVE,
  F_UNC,
  F_USER_WRITABLE,
  F_EMPTY,
  F_HAS_SYSTEM,
};

static sm_result pathlist_run(const sm_parse_args *a, sm_fields *out) {
  const char *s = a->str;
  sm_pathlist pl;
  sm_result r = sm_pathlist_parse(s, &pl);
  if (r != SM_OK)
    return r;
  if ((r = sm_fields_init(out, pathlist_field_names)) != SM_OK)
    goto done;
  sm_field *f = out->v;
  r = SM_ERR_NOMEM;
  size_t sys = pl.n;
  for (size_t i = 0; i < pl.n && sys == pl.n; i++)
    if (sm_path_is_system(pl.entries[i]))
      sys = i;
  for (size_t i = 0; i < pl.n; i++) {
    const char *e = pl.entries[i];
    if (!*e) {
      if (sm_field_pushf(&f[F_EMPTY], "%zu", i + 1) != SM_OK)
        goto done;
      continue;
    }
    if (sm_field_push(&f[F_ENTRIES], e) != SM_OK ||
        (i < sys && sm_field_push(&f[F_BEFORE_SYSTEM], e) != SM_OK) ||
        (sm_path_is_relative(e) && sm_field_push(&f[F_RELATIVE], e) != SM_OK) ||
        (sm_path_is_unc(e) && sm_field_push(&f[F_UNC], e) != SM_OK) ||
        (sm_path_is_user_writable(e) &&
         sm_field_push(&f[F_USER_WRITABLE], e) != SM_OK))
      goto done;
  }
  if (sm_field_push(&f[F_HAS_SYSTEM], sys < pl.n ? "yes" : "no") != SM_OK)
    goto done;
  r = SM_OK;
done:
  if (r != SM_OK)
    sm_fields_free(out);
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
                                           .input = SM_INPUT_STRING,
                                           .run = pathlist_run};

const sm_parser_def sm_parser_list = {.name = "list",
                                      .fields = list_field_names,
                                      .input = SM_INPUT_STRING,
                                      .run = list_run};
