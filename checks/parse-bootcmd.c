#include <config.h>

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
  F_UNSAFE_IMAGES
};

static const char *const field_names[] = {
    "entries",       "programs", "autochk-args", "images", "protected-images",
    "unsafe-images", NULL};
static const char *const path_fields[] = {"images", "protected-images",
                                          "unsafe-images", NULL};

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
  bool have = sm_cmdline_token(&p, &tok, &len);
  if (have && len == 9 && sm_ascii_prefix(tok, len, "autocheck")) {
    out->autocheck = true;
    have = sm_cmdline_token(&p, &tok, &len);
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

/* The program smss.exe runs for this line, resolved, in `images` and in
 * `protected-images` or `unsafe-images` by who can write its place. */
static sm_result push_image(sm_fields *out, const sm_env *env,
                            const char *line) {
  char *image = sm_cmdline_image(env, line);
  if (!image)
    return SM_ERR_NOMEM;
  sm_result r = sm_field_push(&out->v[F_IMAGES], image);
  if (r == SM_OK)
    r = sm_field_push(
        &out->v[sm_place_protected(sm_path_place(image)) ? F_PROTECTED_IMAGES
                                                         : F_UNSAFE_IMAGES],
        image);
  free(image);
  return r;
}

static sm_result run(const sm_parse_args *a, sm_fields *out) {
  char *const *strv = a->strv;
  size_t n = a->n;
  sm_result r = sm_fields_init(out, field_names);
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
      r = push_image(out, a->in->env, strv[i]);
    if (r == SM_OK && strcmp(b.program, "autochk") == 0) {
      char *args = join_args(&b);
      r = args ? sm_field_push(&out->v[F_AUTOCHK_ARGS], args) : SM_ERR_NOMEM;
      free(args);
    }
    sm_bootcmd_free(&b);
  }
  if (r != SM_OK)
    sm_fields_free(out);
  return r;
}

const sm_parser_def sm_parser_boot_execute = {.name = "boot-execute",
                                              .fields = field_names,
                                              .path_fields = path_fields,
                                              .input = SM_INPUT_LIST,
                                              .needs = SM_NEEDS_ENVIRONMENT,
                                              .run = run};
