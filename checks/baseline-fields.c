/* Loader state and the readers of baseline fields: strings, booleans,
 * numbers, lists, enums and mapping keys, each failing with
 * "FILE:LINE:COL: reason". */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "checks/baseline-internal.h"

sm_result sm_bl_nomem(loader *L) {
  return sm_error_set(L->err, SM_ERR_NOMEM, "out of memory");
}

sm_result sm_bl_fail(const fctx *F, const yd_node *n, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return sm_error_set(F->L->err, SM_ERR_USAGE, "%s:%u:%u: %s", F->file, n->line,
                      n->col, msg);
}

sm_result sm_bl_skip_or_fail(const fctx *F, const yd_node *n, const char *what,
                             const char *id) {
  loader *L = F->L;
  if (!L->saw_detected)
    return sm_bl_fail(F, n, "%s '%.64s'", what, id);
  char *m = NULL;
  if (asprintf(&m, "%s:%u:%u: %s '%.64s'", F->file, n->line, n->col, what,
               id) < 0)
    return sm_bl_nomem(L);
  if (!sm_grow(&L->skipped, L->n_skipped, sizeof *L->skipped)) {
    free(m);
    return sm_bl_nomem(L);
  }
  L->skipped[L->n_skipped++] = m;
  return SM_OK;
}

const char *sm_bl_intern(loader *L, const char *path) {
  for (size_t i = 0; i < L->n_files; i++)
    if (strcmp(L->files[i], path) == 0)
      return L->files[i];
  if (!sm_grow(&L->files, L->n_files, sizeof *L->files))
    return NULL;
  char *s = strdup(path);
  if (!s)
    return NULL;
  L->files[L->n_files++] = s;
  return s;
}

bool sm_bl_is_null(const yd_node *n) {
  return n->kind == YD_SCALAR && n->plain &&
         (n->len == 0 || strcmp(n->str, "~") == 0 ||
          strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
          strcmp(n->str, "NULL") == 0);
}

sm_result sm_bl_get_str(const fctx *F, const yd_node *n, const char *what,
                        char **out) {
  if (n->kind != YD_SCALAR || sm_bl_is_null(n))
    return sm_bl_fail(F, n, "'%s' must be a string", what);
  *out = strdup(n->str);
  return *out ? SM_OK : sm_bl_nomem(F->L);
}

sm_result sm_bl_get_bool(const fctx *F, const yd_node *n, const char *what,
                         bool *out) {
  if (n->kind == YD_SCALAR && n->plain) {
    if (!strcmp(n->str, "true") || !strcmp(n->str, "True") ||
        !strcmp(n->str, "TRUE")) {
      *out = true;
      return SM_OK;
    }
    if (!strcmp(n->str, "false") || !strcmp(n->str, "False") ||
        !strcmp(n->str, "FALSE")) {
      *out = false;
      return SM_OK;
    }
  }
  return sm_bl_fail(F, n, "'%s' must be true or false", what);
}

sm_result sm_bl_get_u64(const fctx *F, const yd_node *n, const char *what,
                        uint64_t *out) {
  if (n->kind != YD_SCALAR || !sm_parse_u64(n->str, out))
    return sm_bl_fail(
        F, n, "'%s' must be a number (decimal or 0x hex, 64 bits)", what);
  return SM_OK;
}

sm_result sm_bl_get_strv(const fctx *F, const yd_node *n, const char *what,
                         size_t max_len, char ***out, size_t *nout) {
  if (n->kind != YD_SEQ)
    return sm_bl_fail(F, n, "'%s' must be a list of strings", what);
  if (n->n == 0)
    return SM_OK;
  char **v = calloc(n->n, sizeof *v);
  if (!v)
    return sm_bl_nomem(F->L);
  sm_result rc = SM_OK;
  size_t i;
  for (i = 0; i < n->n; i++) {
    const yd_node *it = n->items[i];
    if (it->kind != YD_SCALAR || sm_bl_is_null(it)) {
      rc = sm_bl_fail(F, it, "'%s' must be a list of strings", what);
      goto out;
    }
    if (max_len && it->len > max_len) {
      rc = sm_bl_fail(F, it, "'%s': pattern longer than %zu bytes", what,
                      max_len);
      goto out;
    }
    v[i] = strdup(it->str);
    if (!v[i]) {
      rc = sm_bl_nomem(F->L);
      goto out;
    }
  }
  *out = v;
  *nout = n->n;
  v = NULL;
out:
  if (v)
    sm_bl_strv_free(v, i);
  return rc;
}

sm_result sm_bl_get_pattern(const fctx *F, const yd_node *n, const char *what,
                            char **out) {
  if (n->kind == YD_SCALAR && n->len > MAX_PATTERN)
    return sm_bl_fail(F, n, "'%s': pattern longer than %d bytes", what,
                      MAX_PATTERN);
  return sm_bl_get_str(F, n, what, out);
}

sm_result sm_bl_get_enum(const fctx *F, const yd_node *n, const char *what,
                         const char *const *names, size_t count, int *out) {
  if (n->kind == YD_SCALAR && !sm_bl_is_null(n))
    for (size_t i = 0; i < count; i++)
      if (strcmp(n->str, names[i]) == 0) {
        *out = (int)i;
        return SM_OK;
      }
  char list[200] = "";
  for (size_t i = 0; i < count; i++) {
    strncat(list, names[i], sizeof list - strlen(list) - 1);
    if (i + 1 < count)
      strncat(list, ", ", sizeof list - strlen(list) - 1);
  }
  if (n->kind == YD_SCALAR)
    return sm_bl_fail(F, n, "'%s' must be one of %s, not '%.64s'", what, list,
                      n->str);
  return sm_bl_fail(F, n, "'%s' must be one of %s", what, list);
}

sm_result sm_bl_map_key(const fctx *F, const yd_node *map, size_t i,
                        const char *const *names, size_t count,
                        const char *where, uint32_t *seen, size_t *idx) {
  const yd_node *k = map->keys[i];
  for (size_t j = 0; j < count; j++)
    if (strcmp(k->str, names[j]) == 0) {
      if (*seen & (UINT32_C(1) << j))
        return sm_bl_fail(F, k, "duplicate field '%s' in %s", names[j], where);
      *seen |= UINT32_C(1) << j;
      *idx = j;
      return SM_OK;
    }
  return sm_bl_fail(F, k, "unknown field '%.64s' in %s", k->str, where);
}

bool sm_bl_valid_id(const char *s) {
  if (!(*s >= 'A' && *s <= 'Z'))
    return false;
  for (s++; *s; s++)
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-'))
      return false;
  return true;
}

bool sm_bl_valid_name(const char *s) {
  if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
    return false;
  for (s++; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' ||
          *s == '_' || *s == '-'))
      return false;
  return true;
}

bool sm_bl_valid_date(const char *s, int *y, int *m, int *d) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int i = 0; i < 10; i++) {
    if (i == 4 || i == 7) {
      if (s[i] != '-')
        return false;
    } else if (s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  if (s[10])
    return false;
  *y = atoi(s);
  *m = atoi(s + 5);
  *d = atoi(s + 8);
  if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
    return false;
  bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  return !(*m == 2 && *d == 29 && !leap);
}
