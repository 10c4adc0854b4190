#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"

enum {
  F_SOURCES,
  F_DESTINATIONS,
  F_DELETES,
  F_RENAMES,
  F_CRITICAL,
  F_UNPAIRED
};

static const char *const field_names[] = {"sources", "destinations", "deletes",
                                          "renames", "critical",     "unpaired",
                                          NULL};

void sm_pending_free(sm_pending *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n; i++) {
    free(p->ops[i].source);
    free(p->ops[i].destination);
  }
  free(p->ops);
  memset(p, 0, sizeof *p);
}

static bool is_sep(char c) { return c == '\\' || c == '/'; }

static bool find_ci(const char *s, size_t n, const char *needle, size_t *at) {
  size_t m = strlen(needle);
  for (size_t i = 0; i + m <= n; i++)
    if (sm_ascii_prefix(s + i, n - i, needle)) {
      *at = i + m;
      return true;
    }
  return false;
}

/* Whether an NT path names an .exe/.dll/.sys under System32 or SysWOW64.
 * The Windows directory is reached as \??\C:\Windows, \SystemRoot,
 * %SystemRoot% or %windir%; "\Windows\System32\" anywhere in the path is
 * taken as reaching it too (\??\C:\Temp\..\Windows\System32\x.dll does). */
static bool is_critical(const char *path) {
  size_t n = strlen(path);
  if (!sm_ascii_suffix(path, n, ".exe") && !sm_ascii_suffix(path, n, ".dll") &&
      !sm_ascii_suffix(path, n, ".sys"))
    return false;
  static const char *const roots[] = {"\\Windows\\", "\\SystemRoot\\",
                                      "%SystemRoot%\\", "%windir%\\"};
  for (size_t r = 0; r < sizeof roots / sizeof *roots; r++) {
    size_t at = 0, start = 0;
    while (start < n && find_ci(path + start, n - start, roots[r], &at)) {
      const char *rest = path + start + at;
      size_t left = n - start - at;
      if ((sm_ascii_prefix(rest, left, "System32") ||
           sm_ascii_prefix(rest, left, "SysWOW64")) &&
          left > 9 && is_sep(rest[8]))
        return true;
      start += at;
    }
  }
  return false;
}

/* strv holds source, destination, source, destination...; an empty
 * destination deletes the source. */
sm_result sm_pending_parse(char *const *strv, size_t n, sm_pending *out) {
  memset(out, 0, sizeof *out);
  size_t pairs = n / 2;
  out->odd = n % 2 != 0;
  if (pairs && !(out->ops = calloc(pairs, sizeof *out->ops)))
    return SM_ERR_NOMEM;
  for (size_t i = 0; i < pairs; i++) {
    sm_pending_op *op = &out->ops[out->n++];
    const char *src = strv[2 * i], *dst = strv[2 * i + 1];
    op->replace = dst[0] == '!';
    if (op->replace)
      dst++;
    if (!(op->source = strdup(src)))
      goto nomem;
    if (*dst && !(op->destination = strdup(dst)))
      goto nomem;
    /* A rename out of System32 disables the binary as a delete does. */
    op->critical = is_critical(src) || (*dst && is_critical(dst));
  }
  return SM_OK;
nomem:
  sm_pending_free(out);
  return SM_ERR_NOMEM;
}

static sm_result run(const sm_parse_args *a, sm_fields *out) {
  char *const *strv = a->strv;
  size_t n = a->n;
  sm_pending pe;
  sm_result r = sm_pending_parse(strv, n, &pe);
  if (r != SM_OK)
    return r;
  if ((r = sm_fields_init(out, field_names)) != SM_OK)
    goto done;
  sm_field *f = out->v;
  r = SM_ERR_NOMEM;
  for (size_t i = 0; i < pe.n; i++) {
    const sm_pending_op *op = &pe.ops[i];
    if (sm_field_push(&f[F_SOURCES], op->source) != SM_OK)
      goto done;
    if (op->destination) {
      if (sm_field_push(&f[F_DESTINATIONS], op->destination) != SM_OK ||
          sm_field_pushf(&f[F_RENAMES], "%s -> %s", op->source,
                         op->destination) != SM_OK ||
          (op->critical &&
           sm_field_pushf(&f[F_CRITICAL], "%s -> %s", op->source,
                          op->destination) != SM_OK))
        goto done;
    } else if (sm_field_push(&f[F_DELETES], op->source) != SM_OK ||
               (op->critical && sm_field_pushf(&f[F_CRITICAL], "delete %s",
                                               op->source) != SM_OK)) {
      goto done;
    }
  }
  if (pe.odd && (sm_field_push(&f[F_SOURCES], strv[n - 1]) != SM_OK ||
                 sm_field_push(&f[F_UNPAIRED], strv[n - 1]) != SM_OK))
    goto done;
  r = SM_OK;
done:
  if (r != SM_OK)
    sm_fields_free(out);
  sm_pending_free(&pe);
  return r;
}

const sm_parser_def sm_parser_pending_renames = {.name = "pending-renames",
                                                 .fields = field_names,
                                                 .input = SM_INPUT_LIST,
                                                 .run = run};
