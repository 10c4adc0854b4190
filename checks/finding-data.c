/* The stored data of the value a finding is about (checks/audit.h,
 * sm_finding_data): what a report quotes beside the normalised
 * "observed". */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/audit.h"
#include "checks/files.h"

/* The length of s cut to at most max bytes at a UTF-8 character start. */
static size_t cut_utf8(const char *s, size_t max, bool *cut) {
  size_t n = strlen(s);
  *cut = n > max;
  if (n <= max)
    return n;
  n = max;
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
    n--;
  return n;
}

static sm_result set_list(sm_finding_data *d, char *const *strv, size_t n) {
  size_t used = 0;
  d->items = calloc(n ? n : 1, sizeof *d->items);
  if (!d->items)
    return SM_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    bool cut;
    size_t len = cut_utf8(strv[i], SM_DATA_MAX - used, &cut);
    if (cut && len == 0) {
      d->truncated = true;
      break;
    }
    if (!(d->items[i] = strndup(strv[i], len)))
      return SM_ERR_NOMEM;
    d->n_items++;
    used += len;
    if (cut) {
      d->truncated = true;
      break;
    }
  }
  return SM_OK;
}

static sm_result set_data(sm_finding_data *d, const sm_value *v) {
  bool cut = false;
  if (v->status == SM_OK && v->str) {
    d->kind = SM_DATA_STRING;
    d->str = strndup(v->str, cut_utf8(v->str, SM_DATA_MAX, &cut));
    d->truncated = cut;
    return d->str ? SM_OK : SM_ERR_NOMEM;
  }
  if (v->status == SM_OK && v->strv) {
    d->kind = SM_DATA_LIST;
    return set_list(d, v->strv, v->nstrv);
  }
  if (v->status == SM_OK && v->has_num) {
    d->kind = SM_DATA_NUMBER;
    d->num = v->num;
    return SM_OK;
  }
  size_t keep = v->len < SM_DATA_MAX / 2 ? v->len : SM_DATA_MAX / 2;
  d->kind = SM_DATA_HEX;
  d->truncated = v->len > keep;
  d->str = sm_hex(v->data ? v->data : (const unsigned char *)"", keep, keep);
  return d->str ? SM_OK : SM_ERR_NOMEM;
}

sm_result sm_finding_data_set(sm_finding_data *d, const sm_value *v) {
  memset(d, 0, sizeof *d);
  if (!v)
    return SM_OK;
  d->type = v->type;
  d->size = v->len;
  sm_result r = set_data(d, v);
  if (r != SM_OK)
    sm_finding_data_free(d);
  return r;
}

sm_result sm_finding_data_copy(sm_finding_data *d, const sm_finding_data *s) {
  *d = *s;
  d->str = NULL;
  d->items = NULL;
  d->n_items = 0;
  if (s->str && !(d->str = strdup(s->str)))
    goto nomem;
  if (s->items) {
    if (!(d->items = calloc(s->n_items ? s->n_items : 1, sizeof *d->items)))
      goto nomem;
    for (; d->n_items < s->n_items; d->n_items++)
      if (!(d->items[d->n_items] = strdup(s->items[d->n_items])))
        goto nomem;
  }
  return SM_OK;
nomem:
  sm_finding_data_free(d);
  return SM_ERR_NOMEM;
}

void sm_finding_data_free(sm_finding_data *d) {
  free(d->str);
  for (size_t i = 0; i < d->n_items; i++)
    free(d->items[i]);
  free(d->items);
  memset(d, 0, sizeof *d);
}

void sm_finding_free(sm_finding *f) {
  free(f->key);
  free(f->value);
  free(f->observed);
  free(f->expected);
  free(f->detail);
  sm_finding_data_free(&f->data);
  sm_file_facts_free(f->files, f->n_files);
  f->files = NULL;
  f->n_files = 0;
  for (size_t i = 0; i < f->n_also; i++)
    sm_finding_free(&f->also[i]);
  free(f->also);
  f->also = NULL;
  f->n_also = 0;
}
