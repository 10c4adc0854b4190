#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

enum {
  F_SOURCES,
  F_DESTINATIONS,
  F_DELETES,
  F_RENAMES,
  F_SYSTEM_CODE,
  F_AUTOSTART,
  F_SECURITY,
  F_SERVICING,
  F_UNPAIRED,
  F_EVIDENCE,
  F_SHARED_CODE
};

static const char *const field_names[] = {
    "sources",   "destinations", "deletes",   "renames",  "system-code",
    "autostart", "security",     "servicing", "unpaired",
    "evidence",  "shared-code",  NULL};

/* The field each kind of operation goes to: one field per operation, so
 * one rule reports it. */
static const int kind_field[] = {
    [SM_PENDING_SECURITY] = F_SECURITY,
    [SM_PENDING_AUTOSTART] = F_AUTOSTART,
    [SM_PENDING_SERVICING] = F_SERVICING,
    [SM_PENDING_SYSTEM_CODE] = F_SYSTEM_CODE,
    [SM_PENDING_RENAME] = F_RENAMES,
    [SM_PENDING_DELETE] = F_DELETES,
    [SM_PENDING_EVIDENCE] = F_EVIDENCE,
    [SM_PENDING_SHARED_CODE] = F_SHARED_CODE,
};

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

/* How bad a kind is, worst first (security and autostart are both high):
 * a spelling with short names gets the worst kind of the long spellings it
 * may stand for, the first of them on a tie. */
static int kind_rank(sm_pending_kind k) {
  static const int rank[] = {
      [SM_PENDING_SECURITY] = 0,    [SM_PENDING_AUTOSTART] = 0,
      [SM_PENDING_SYSTEM_CODE] = 2, [SM_PENDING_EVIDENCE] = 3,
      [SM_PENDING_SHARED_CODE] = 3, [SM_PENDING_RENAME] = 4,
      [SM_PENDING_DELETE] = 5,      [SM_PENDING_SERVICING] = 6,
  };
  return rank[k];
}

/* Classify an operation on the paths as smss.exe will resolve them. */
static sm_result classify(const sm_env *env, sm_pending_op *op) {
  char *src = sm_path_resolve(env, op->source);
  char *dst = op->destination ? sm_path_resolve(env, op->destination) : NULL;
  size_t ns = 0, nd = 0;
  char **sv = src ? sm_path_long_forms(src, &ns) : NULL;
  char **dv = dst ? sm_path_long_forms(dst, &nd) : NULL;
  sm_result r = SM_ERR_NOMEM;
  if (!sv || (op->destination && !dv))
    goto done;
  for (size_t i = 0; i < ns; i++)
    for (size_t j = 0; j < (dv ? nd : 1); j++) {
      const char *why;
      sm_pending_kind k = sm_pending_classify(sv[i], dv ? dv[j] : NULL, &why);
      if ((i == 0 && j == 0) || kind_rank(k) < kind_rank(op->kind)) {
        op->kind = k;
        op->why = why;
      }
    }
  r = SM_OK;
done:
  sm_path_long_forms_free(sv, ns);
  sm_path_long_forms_free(dv, nd);
  free(src);
  free(dst);
  return r;
}

/* strv holds source, destination, source, destination...; an empty
 * destination deletes the source. */
sm_result sm_pending_parse(char *const *strv, size_t n, const sm_env *env,
                           sm_pending *out) {
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
    if (classify(env, op) != SM_OK)
      goto nomem;
  }
  return SM_OK;
nomem:
  sm_pending_free(out);
  return SM_ERR_NOMEM;
}

/* "delete SRC" or "SRC -> DST", after "WHY: " when the kind has a reason
 * worth reading; plain deletes and renames keep their old form. */
static sm_result push_op(sm_field *fl, const sm_pending_op *op) {
  bool plain = op->kind == SM_PENDING_DELETE || op->kind == SM_PENDING_RENAME;
  const char *why = plain || !op->why ? "" : op->why;
  const char *colon = *why ? ": " : "";
  if (op->kind == SM_PENDING_DELETE)
    return sm_field_pushf(fl, "pending delete: %s", op->source);
  if (!op->destination)
    return sm_field_pushf(fl, "%s%sdelete %s", why, colon, op->source);
  return sm_field_pushf(fl, "%s%s%s -> %s", why, colon, op->source,
                        op->destination);
}

static sm_result run(const sm_parse_args *a, sm_fields *out) {
  char *const *strv = a->strv;
  size_t n = a->n;
  sm_pending pe;
  sm_result r = sm_pending_parse(strv, n, a->in->env, &pe);
  if (r != SM_OK)
    return r;
  if ((r = sm_fields_init(out, field_names)) != SM_OK)
    goto done;
  sm_field *f = out->v;
  for (size_t i = 0; r == SM_OK && i < pe.n; i++) {
    const sm_pending_op *op = &pe.ops[i];
    r = sm_field_push(&f[F_SOURCES], op->source);
    if (r == SM_OK && op->destination)
      r = sm_field_push(&f[F_DESTINATIONS], op->destination);
    if (r == SM_OK)
      r = push_op(&f[kind_field[op->kind]], op);
  }
  if (r == SM_OK && pe.odd &&
      (r = sm_field_push(&f[F_SOURCES], strv[n - 1])) == SM_OK)
    r = sm_field_push(&f[F_UNPAIRED], strv[n - 1]);
done:
  if (r != SM_OK)
    sm_fields_free(out);
  sm_pending_free(&pe);
  return r;
}

const sm_parser_def sm_parser_pending_renames = {.name = "pending-renames",
                                                 .fields = field_names,
                                                 .input = SM_INPUT_LIST,
                                                 .needs = SM_NEEDS_ENVIRONMENT,
                                                 .run = run};
