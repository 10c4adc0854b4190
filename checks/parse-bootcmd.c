#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/resolve.h"
#include "checks/winpath.h"

enum {
  F_ENTRIES,
  F_PROGRAMS,
  F_AUTOCHK_ARGS,
  F_IMAGES,
  F_PROTECTED_IMAGES,
  F_UNSAFE_IMAGES,
  F_WINDOWS_IMAGES,
  F_THIRD_PARTY,
  F_MASQUERADING,
  F_SHADOWED,
  F_SHADOWED_UNSAFE,
  F_WINDOWS_ARGS,
  F_UNSAFE_ARGS,
};

static const char *const field_names[] = {
    "entries",        "programs",           "autochk-args",
    "images",         "protected-images",   "unsafe-images",
    "windows-images", "third-party-images", "masquerading",
    "shadowed",       "shadowed-unsafe",    "windows-args",
    "unsafe-args",    NULL};
static const char *const path_fields[] = {
    "images", "protected-images", "unsafe-images", "windows-images",
    "third-party-images", NULL};

void sm_bootcmd_free(sm_bootcmd *b) {
  if (!b)
    return;
  free(b->raw);
  free(b->program);
  for (size_t i = 0; i < b->n_args; i++)
    free(b->args[i]);
  free(b->args);
  memset(b, 0, sizeof *b);
}

/* "autocheck autochk *", "\??\C:\x\y.EXE arg": the name without directory
 * and .exe, lowercased. */
static char *program_name(const char *tok, size_t len) {
  char *name = sm_unquote_dup(tok, len);
  if (!name)
    return NULL;
  char *base = name;
  for (char *c = name; *c; c++)
    if (*c == '\\' || *c == '/')
      base = c + 1;
  size_t n = strlen(base);
  /* Path normalisation drops trailing dots and spaces: "autochk.exe.";
   * "::$DATA" is the file's unnamed stream, the file itself. */
  while (n && (base[n - 1] == '.' || base[n - 1] == ' ' || base[n - 1] == '\t'))
    n--;
  if (sm_ascii_suffix(base, n, "::$data"))
    n -= 7;
  while (n && (base[n - 1] == '.' || base[n - 1] == ' ' || base[n - 1] == '\t'))
    n--;
  if (sm_ascii_suffix(base, n, ".exe"))
    n -= 4;
  memmove(name, base, n);
  name[n] = '\0';
  for (char *c = name; *c; c++)
    if (*c >= 'A' && *c <= 'Z')
      *c += 32;
  return name;
}

sm_result sm_bootcmd_parse(const char *entry, sm_bootcmd *out) {
  const char *p = entry ? entry : "", *tok;
  size_t len;
  memset(out, 0, sizeof *out);
  if (!(out->raw = strdup(p)))
    goto nomem;
  /* smss.exe strips "autocheck", "async" and "debug" before the program
   * (checks/resolve.h). */
  bool have;
  while ((have = sm_cmdline_token(&p, &tok, &len))) {
    if (len == 9 && sm_ascii_prefix(tok, len, "autocheck"))
      out->autocheck = true;
    else if (!(len == 5 && (sm_ascii_prefix(tok, len, "async") ||
                            sm_ascii_prefix(tok, len, "debug"))))
      break;
  }
  if (!(out->program = have ? program_name(tok, len) : strdup("")))
    goto nomem;
  while (sm_cmdline_token(&p, &tok, &len)) {
    if (!sm_grow((void **)&out->args, out->n_args, sizeof *out->args) ||
        !(out->args[out->n_args] = strndup(tok, len)))
      goto nomem;
    out->n_args++;
  }
  return SM_OK;
nomem:
  sm_bootcmd_free(out);
  return SM_ERR_NOMEM;
}

/* The arguments joined by one space. */
static char *join_args(const sm_bootcmd *b) {
  size_t total = 1;
  for (size_t i = 0; i < b->n_args; i++)
    total += strlen(b->args[i]) + 1;
  char *s = malloc(total), *o = s;
  if (!s)
    return NULL;
  for (size_t i = 0; i < b->n_args; i++) {
    size_t n = strlen(b->args[i]);
    if (i)
      *o++ = ' ';
    memcpy(o, b->args[i], n);
    o += n;
  }
  *o = '\0';
  return s;
}

/* Whether image is NAME.exe directly in system32. */
static bool in_system32(const char *image, const char *sys32) {
  size_t n = strlen(sys32);
  return strncmp(image, sys32, n) == 0 && image[n] == '\\' &&
         !strchr(image + n + 1, '\\');
}

/* A candidate tried before the file Windows ships: in `shadowed-unsafe`
 * when users can write one (the first such is named), else in `shadowed`
 * when one is a Windows directory other than system32 (Windows never puts
 * one first; a vendor folder under Program Files first is an installer's
 * habit, left to the Path rules). */
static sm_result push_shadow(sm_fields *out, const sm_program *p,
                             const char *name) {
  if (sm_program_shadow(p) == SIZE_MAX)
    return SM_OK;
  size_t pick = SIZE_MAX;
  for (size_t i = 0; i < p->fallback; i++)
    if (!sm_place_protected(p->places[i])) {
      pick = i;
      break;
    } else if (p->places[i] == SM_PLACE_SYSTEM && pick == SIZE_MAX)
      pick = i;
  if (pick == SIZE_MAX)
    return SM_OK;
  bool unsafe = !sm_place_protected(p->places[pick]);
  return sm_field_pushf(&out->v[unsafe ? F_SHADOWED_UNSAFE : F_SHADOWED],
                        "%s: %s (%s) is tried before %s", name, p->tried[pick],
                        sm_place_name(p->places[pick]), p->tried[p->fallback]);
}

/* The arguments of a boot program: a Windows one's against what Windows
 * writes (boot-programs.c; autochk's own grammar is SM-BOOT-AUTOCHK-ARGS,
 * so only its unsafe files are named here), another's files by where they
 * lie.  A program from an unsafe place is reported as such already. */
static sm_result push_args(sm_fields *out, const sm_env *env,
                           const sm_bootcmd *b, bool windows) {
  sm_result r = SM_OK;
  for (size_t i = 0; r == SM_OK && i < b->n_args; i++) {
    char *tok = sm_unquote_dup(b->args[i], strlen(b->args[i]));
    if (!tok)
      return SM_ERR_NOMEM;
    sm_boot_arg v = windows ? sm_boot_program_arg(env, b->program, tok)
                            : sm_boot_other_arg(env, tok);
    if (v == SM_BOOT_ARG_UNSAFE)
      r = sm_field_pushf(&out->v[F_UNSAFE_ARGS], "%s: %s", b->program, tok);
    else if (v == SM_BOOT_ARG_UNDOCUMENTED && strcmp(b->program, "autochk"))
      r = sm_field_pushf(&out->v[F_WINDOWS_ARGS], "%s: %s", b->program, tok);
    free(tok);
  }
  return r;
}

/* The program smss.exe runs for this line (checks/resolve.h), by who can
 * write it and whether it is Windows' own; what can shadow it; and the
 * arguments of Windows' own programs. */
static sm_result judge(sm_fields *out, const sm_env *env, const char *line,
                       const sm_bootcmd *b, const char *sys32) {
  sm_program p;
  sm_result r = sm_program_resolve(env, line, &p);
  if (r != SM_OK)
    return r;
  const char *image = sm_program_default(&p);
  if (!image)
    goto done;
  bool safe = sm_place_protected(sm_file_place(image));
  bool windows = sm_boot_program_windows(b->program);
  /* A program in a stream of another file is hidden, whoever ships it; a
   * name that reads as a Windows boot program's is a look-alike. */
  const char *looks = windows ? NULL : sm_boot_program_lookalike(b->program);
  int cls = !safe                             ? F_UNSAFE_IMAGES
            : sm_path_stream(image) || looks  ? F_MASQUERADING
            : !windows                        ? F_THIRD_PARTY
            : in_system32(image, sys32) ? F_WINDOWS_IMAGES
                                              : F_MASQUERADING;
  if ((r = sm_field_push(&out->v[F_IMAGES], image)) != SM_OK ||
      (r = sm_field_push(
           &out->v[safe ? F_PROTECTED_IMAGES : F_UNSAFE_IMAGES], image)) !=
          SM_OK)
    goto done;
  if (cls == F_MASQUERADING && looks)
    r = sm_field_pushf(&out->v[cls], "%s (reads as %s): %s", b->program,
                       looks, image);
  else if (cls == F_MASQUERADING)
    r = sm_field_pushf(&out->v[cls], "%s: %s", b->program, image);
  else if (cls != F_UNSAFE_IMAGES)
    r = sm_field_push(&out->v[cls], image);
  if (r == SM_OK)
    r = push_shadow(out, &p, b->program);
  if (r == SM_OK && cls != F_UNSAFE_IMAGES)
    r = push_args(out, env, b, cls == F_WINDOWS_IMAGES);
done:
  sm_program_free(&p);
  return r;
}

static sm_result run(const sm_parse_args *a, sm_fields *out) {
  char *const *strv = a->strv;
  size_t n = a->n;
  char *sys32 = sm_path_resolve(a->in->env, "%SystemRoot%\\system32");
  sm_result r = sys32 ? sm_fields_init(out, field_names) : SM_ERR_NOMEM;
  for (size_t i = 0; r == SM_OK && i < n; i++) {
    if (strspn(strv[i], " \t") == strlen(strv[i]))
      continue; /* smss skips empty and blank entries */
    sm_bootcmd b;
    if ((r = sm_field_push(&out->v[F_ENTRIES], strv[i])) != SM_OK ||
        (r = sm_bootcmd_parse(strv[i], &b)) != SM_OK)
      break;
    if (*b.program)
      r = sm_field_push(&out->v[F_PROGRAMS], b.program);
    if (r == SM_OK && *b.program)
      r = judge(out, a->in->env, strv[i], &b, sys32);
    if (r == SM_OK && strcmp(b.program, "autochk") == 0) {
      char *args = join_args(&b);
      r = args ? sm_field_push(&out->v[F_AUTOCHK_ARGS], args) : SM_ERR_NOMEM;
      free(args);
    }
    sm_bootcmd_free(&b);
  }
  if (r != SM_OK && sys32)
    sm_fields_free(out);
  free(sys32);
  return r;
}

const sm_parser_def sm_parser_boot_execute = {.name = "boot-execute",
                                              .fields = field_names,
                                              .path_fields = path_fields,
                                              .input = SM_INPUT_LIST,
                                              .needs = SM_NEEDS_ENVIRONMENT,
                                              .run = run};
