/* One change, one result: the findings that several rules make about the
 * same change (a learned baseline's rule, a shipped rule, the boot plan's,
 * the files' rules, all about one BootExecute entry or one KnownDLL) are
 * merged into one, at the highest severity any of them gives it, the
 * others kept in its `also` with their own rule, severity and reasons. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/grow.h"
#include "checks/audit.h"
#include "checks/files.h"

static bool same_name(const char *a, const char *b) {
  return a == b || (a && b && strcasecmp(a, b) == 0);
}

/* A finding that judges its value whole: a rule on the value's data as
 * stored (no parser), or a key's policy on a value no rule names (it is
 * there at all).  It is about whatever entry changed, and goes with a
 * finding of one of the value's entries. */
static bool whole_value(const sm_finding *f) {
  const sm_rule *r = f->rule;
  return f->value && (r->value ? r->parse == SM_PARSE_NONE
                               : r->has_values_policy && r->values.report);
}

/* Whether f may be about the change that head (and its also) is about:
 * the same control set, key and value, both suppressed or neither, both
 * recovered or neither, and a rule none of them has.  Then (exact) the
 * same observed item, or (loose, for a value) a rule on one side that
 * judges the value whole. */
static bool same_change(const sm_finding *head, const sm_finding *f,
                        bool loose) {
  if (head->control_set != f->control_set || !same_name(head->key, f->key) ||
      !same_name(head->value, f->value) ||
      head->suppressed != f->suppressed || head->recovered != f->recovered ||
      head->rule == f->rule)
    return false;
  bool observed = same_name(head->observed, f->observed);
  bool whole = whole_value(head) || whole_value(f);
  for (size_t i = 0; i < head->n_also; i++) {
    if (head->also[i].rule == f->rule)
      return false;
    observed = observed || same_name(head->also[i].observed, f->observed);
    whole = whole || whole_value(&head->also[i]);
  }
  return loose ? whole : observed;
}

/* The files f names that head does not (by path), moved to head: the
 * result names every file of the change. */
static bool take_files(sm_finding *head, sm_finding *f) {
  size_t n = 0;
  for (size_t i = 0; i < f->n_files; i++) {
    bool dup = false;
    for (size_t j = 0; j < head->n_files && !dup; j++)
      dup = same_name(head->files[j].path, f->files[i].path);
    if (!dup)
      n++;
  }
  if (!n)
    return true;
  sm_file_fact *v =
      realloc(head->files, (head->n_files + n) * sizeof *head->files);
  if (!v)
    return false;
  head->files = v;
  size_t kept = 0;
  for (size_t i = 0; i < f->n_files; i++) {
    bool dup = false;
    for (size_t j = 0; j < head->n_files && !dup; j++)
      dup = same_name(head->files[j].path, f->files[i].path);
    if (dup)
      f->files[kept++] = f->files[i];
    else
      head->files[head->n_files++] = f->files[i];
  }
  f->n_files = kept;
  return true;
}

/* Move f into head's also, the more severe of the two leading. */
static bool join(sm_finding *head, sm_finding *f) {
  if (!sm_grow(&head->also, head->n_also, sizeof *head->also))
    return false;
  if (f->severity > head->severity) {
    sm_finding t = *head;
    *head = *f;
    *f = t;
    head->also = f->also; /* the list stays with the lead */
    head->n_also = f->n_also;
    f->also = NULL;
    f->n_also = 0;
  }
  if (!take_files(head, f))
    return false;
  head->also[head->n_also++] = *f;
  return true;
}

sm_result sm_report_merge(sm_report *rep) {
  size_t kept = 0;
  sm_result rc = SM_OK;
  for (size_t i = 0; i < rep->n_findings; i++) {
    sm_finding *f = &rep->findings[i];
    /* The same observed item first, else a value judged whole. */
    size_t g = 0;
    while (rc == SM_OK && g < kept &&
           !same_change(&rep->findings[g], f, false))
      g++;
    if (g == kept)
      for (g = 0; rc == SM_OK && g < kept; g++)
        if (same_change(&rep->findings[g], f, true))
          break;
    if (rc == SM_OK && g < kept) {
      if (join(&rep->findings[g], f))
        continue;
      rc = SM_ERR_NOMEM; /* f is kept as it is */
    }
    if (kept != i)
      rep->findings[kept] = *f;
    kept++;
  }
  rep->n_findings = kept;
  return rc;
}
