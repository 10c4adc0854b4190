/* Helpers of the audit (checks/audit.c): a value's data as text, the
 * machine environment of the audited control set, and a rule's expected
 * strings resolved like the paths they are compared with
 * (checks/winpath.h). */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit.h"
#include "checks/winpath.h"

/* The value's data as one line of text, for "observed". */
char *sm_value_text(const sm_value *v) {
  if (v->status != SM_OK)
    return strdup("<unreadable>");
  if (v->str)
    return strdup(v->str);
  if (v->strv) {
    size_t len = 1;
    for (size_t i = 0; i < v->nstrv; i++)
      len += strlen(v->strv[i]) + 2;
    char *s = malloc(len);
    if (!s)
      return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < v->nstrv; i++) {
      if (i)
        strcat(s, "; ");
      strcat(s, v->strv[i]);
    }
    return s;
  }
  if (v->has_num) {
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v->num);
    return strdup(buf);
  }
  return sm_hex(v->data, v->len, 256);
}

sm_result sm_audit_env_load(sm_hive *h, sm_key cs_key, sm_env *out) {
  sm_key k;
  sm_value **vals = NULL;
  size_t n = 0;
  /* A missing or damaged Environment key leaves Windows' own variables:
   * the rules on that key report the damage. */
  if (sm_key_lookup(h, cs_key, "Control\\Session Manager\\Environment", &k,
                    NULL) == SM_OK &&
      sm_key_values(h, k, &vals, &n, NULL) != SM_OK) {
    vals = NULL;
    n = 0;
  }
  sm_result r = sm_env_init(out, vals, n);
  sm_values_free(vals, n);
  if (r == SM_OK)
    sm_audit_volume_letters(h, out);
  return r;
}

void sm_audit_volume_letters(sm_hive *h, sm_env *env) {
  sm_key k;
  sm_value **vals = NULL;
  size_t n = 0, o = 0;
  /* MountedDevices, at the root of the SYSTEM hive: the mount manager's
   * letter for each volume it has seen, as "\DosDevices\X:". */
  if (sm_key_lookup(h, sm_hive_root(h), "MountedDevices", &k, NULL) !=
          SM_OK ||
      sm_key_values(h, k, &vals, &n, NULL) != SM_OK)
    return;
  for (size_t i = 0; i < n; i++) {
    const char *nm = vals[i]->name;
    char low[13] = "";
    for (size_t j = 0; nm && j < 12 && nm[j]; j++)
      low[j] = (char)(nm[j] >= 'A' && nm[j] <= 'Z' ? nm[j] + 32 : nm[j]);
    char l = nm && strlen(nm) == 14 ? (char)(nm[12] | 32) : 0;
    if (l >= 'a' && l <= 'z' && nm[13] == ':' &&
        strcmp(low, "\\dosdevices\\") == 0 &&
        !strchr(env->volume_letters, l) && o < sizeof env->volume_letters - 1)
      env->volume_letters[o++] = l;
  }
  env->volume_letters[o] = '\0';
  sm_values_free(vals, n);
}

/* Resolved copies of n strings; NULL on NOMEM (or when n is 0). */
static char **resolve_all(const sm_env *env, char *const *v, size_t n,
                          bool *nomem) {
  if (!n)
    return NULL;
  char **out = calloc(n, sizeof *out);
  for (size_t i = 0; out && i < n; i++)
    if (!(out[i] = sm_path_resolve(env, v[i]))) {
      for (size_t j = 0; j < i; j++)
        free(out[j]);
      free(out);
      out = NULL;
    }
  if (!out)
    *nomem = true;
  return out;
}

static void free_all(char **v, size_t n) {
  for (size_t i = 0; v && i < n; i++)
    free(v[i]);
  free(v);
}

sm_result sm_expect_resolve(const sm_expect *in, const sm_env *env,
                            sm_expect *out) {
  bool nomem = false;
  *out = *in; /* numbers, flags and the compiled regex are shared */
  out->equals_str = NULL;
  out->glob = NULL;
  if (in->equals_str &&
      !(out->equals_str = sm_path_resolve(env, in->equals_str)))
    nomem = true;
  if (in->glob && !(out->glob = sm_path_resolve(env, in->glob)))
    nomem = true;
  out->one_of = resolve_all(env, in->one_of, in->n_one_of, &nomem);
  out->exact = resolve_all(env, in->exact, in->n_exact, &nomem);
  out->allowed = resolve_all(env, in->allowed, in->n_allowed, &nomem);
  out->required = resolve_all(env, in->required, in->n_required, &nomem);
  out->forbidden = resolve_all(env, in->forbidden, in->n_forbidden, &nomem);
  if (nomem) {
    sm_expect_resolved_free(out);
    return SM_ERR_NOMEM;
  }
  return SM_OK;
}

void sm_expect_resolved_free(sm_expect *e) {
  free(e->equals_str);
  free(e->glob);
  free_all(e->one_of, e->n_one_of);
  free_all(e->exact, e->n_exact);
  free_all(e->allowed, e->n_allowed);
  free_all(e->required, e->n_required);
  free_all(e->forbidden, e->n_forbidden);
  memset(e, 0, sizeof *e);
}
