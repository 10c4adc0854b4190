/* Findings reports: adding findings, suppressions, freeing. */
#include <config.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/grow.h"
#include "checks/audit.h"

bool sm_glob_ci(const char *pat, const char *s) {
  return fnmatch(pat, s, FNM_NOESCAPE | FNM_CASEFOLD) == 0;
}

static bool date_passed(const sm_suppression *s, int today) {
  int ymd = s->expires_year * 10000 + s->expires_month * 100 + s->expires_day;
  return today > ymd;
}

void sm_finding_suppress(const sm_baseline *b, int today, sm_finding *f) {
  for (size_t i = 0; i < b->n_suppressions; i++) {
    const sm_suppression *s = &b->suppressions[i];
    if (strcmp(s->rule, f->rule->id) != 0)
      continue;
    if (s->key && !sm_glob_ci(s->key, f->key))
      continue;
    if (s->value && !(f->value && sm_glob_ci(s->value, f->value)))
      continue;
    if (s->observed && !(f->observed && sm_glob_ci(s->observed, f->observed)))
      continue;
    if (s->has_expires && date_passed(s, today)) {
      f->suppression_expired = true;
      if (!f->suppression)
        f->suppression = s;
      continue;
    }
    f->suppressed = true;
    f->suppression_expired = false;
    f->suppression = s;
    return;
  }
}

sm_result sm_report_add(sm_report *rep, const sm_baseline *b, int today_ymd,
                        const sm_finding *proto) {
  /* Grown as every appender grows it (base/grow.h), so that the next one
   * finds room where sm_grow expects it. */
  if (!sm_grow(&rep->findings, rep->n_findings, sizeof *rep->findings))
    return SM_ERR_NOMEM;
  sm_finding *f = &rep->findings[rep->n_findings];
  *f = *proto;
  f->suppressed = false;
  f->suppression_expired = false;
  f->suppression = NULL;
  f->files = NULL; /* the file facts stay with the original */
  f->n_files = 0;
  f->also = NULL; /* and so do the findings merged into it */
  f->n_also = 0;
  const char *src[] = {proto->key, proto->value, proto->observed,
                       proto->expected, proto->detail};
  char **dst[] = {&f->key, &f->value, &f->observed, &f->expected, &f->detail};
  bool ok = sm_finding_data_copy(&f->data, &proto->data) == SM_OK;
  for (size_t i = 0; i < sizeof src / sizeof src[0]; i++) {
    *dst[i] = src[i] ? strdup(src[i]) : NULL;
    ok = ok && (!src[i] || *dst[i]);
  }
  if (!ok) {
    sm_finding_free(f);
    return SM_ERR_NOMEM;
  }
  rep->n_findings++;
  if (b)
    sm_finding_suppress(b, today_ymd, f);
  return SM_OK;
}

void sm_report_free(sm_report *r) {
  if (!r)
    return;
  for (size_t i = 0; i < r->n_findings; i++) {
    sm_finding_free(&r->findings[i]);
  }
  free(r->findings);
  for (size_t i = 0; i < r->n_errors; i++) {
    free(r->errors[i].key);
    free(r->errors[i].value);
    free(r->errors[i].message);
  }
  free(r->errors);
  memset(r, 0, sizeof *r);
}

int sm_report_max_severity(const sm_report *r) {
  int max = -1;
  for (size_t i = 0; i < r->n_findings; i++)
    if (!r->findings[i].suppressed && (int)r->findings[i].severity > max)
      max = (int)r->findings[i].severity;
  return max;
}

static const sm_value *named(sm_value *const *values, size_t n, const char *s,
                             size_t len) {
  for (size_t i = 0; i < n; i++)
    if (strlen(values[i]->name) == len &&
        strncasecmp(values[i]->name, s, len) == 0)
      return values[i];
  return NULL;
}

static bool holds(const sm_value *v, const char *item) {
  if (v->str)
    return strcasecmp(v->str, item) == 0;
  for (size_t i = 0; v->strv && i < v->nstrv; i++)
    if (strcasecmp(v->strv[i], item) == 0)
      return true;
  return false;
}

/* The field's name without dashes: "dll-directory" is DllDirectory. */
static const sm_value *field_value(sm_value *const *values, size_t n,
                                   const char *field) {
  char want[64];
  size_t len = 0;
  for (const char *p = field; p && *p && len + 1 < sizeof want; p++)
    if (*p != '-')
      want[len++] = *p;
  const sm_value *v = len ? named(values, n, want, len) : NULL;
  /* A comparison ("current-vs-default") is about its first value. */
  size_t first = field ? strcspn(field, "-") : 0;
  if (!v && first && field[first])
    v = named(values, n, field, first);
  return v;
}

const sm_value *sm_item_value(sm_value *const *values, size_t n,
                              const char *field, const char *observed,
                              const char *expected, char *name, size_t size) {
  const sm_value *v = NULL;
  name[0] = '\0';
  if (observed) {
    const char *eq = strchr(observed, '=');
    if (eq)
      v = named(values, n, observed, (size_t)(eq - observed));
    if (!v)
      v = named(values, n, observed, strlen(observed));
    for (size_t i = 0; !v && i < n; i++)
      if (holds(values[i], observed))
        v = values[i];
    /* "nsi.dll" for a KnownDLLs entry named NSI or _NSI. */
    size_t len = strlen(observed);
    for (size_t i = 0; !v && len > 4 && i < n; i++) {
      const char *nm = values[i]->name + (values[i]->name[0] == '_');
      if (strcasecmp(observed + len - 4, ".dll") == 0 &&
          strlen(nm) == len - 4 && strncasecmp(nm, observed, len - 4) == 0)
        v = values[i];
    }
  }
  if (!v)
    v = field_value(values, n, field);
  if (v) {
    snprintf(name, size, "%s", v->name);
    return v;
  }
  if (!observed && expected) { /* a missing entry: the name it would have */
    size_t len = strlen(expected);
    if (len > 4 && strcasecmp(expected + len - 4, ".dll") == 0)
      len -= 4;
    snprintf(name, size, "%.*s", (int)len, expected);
    return named(values, n, expected, len);
  }
  return NULL;
}
