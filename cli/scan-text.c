/* The text report of one hive, for a person, from the typed result. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"

static const char *sev_color(sm_severity s) {
  switch (s) {
  case SM_SEV_CRITICAL:
    return "\033[1;31m";
  case SM_SEV_HIGH:
    return "\033[31m";
  case SM_SEV_MEDIUM:
    return "\033[33m";
  case SM_SEV_LOW:
    return "\033[36m";
  default:
    return "\033[2m";
  }
}

/* Every string from the hive or a baseline is escaped on its way out. */
static void put(FILE *f, const char *label, const char *s) {
  if (!s)
    return;
  fprintf(f, "%s", label);
  sm_fputs_escaped(f, s, false);
  fputc('\n', f);
}

/* The findings of every control set audited, as one list. */
typedef struct flat {
  const sm_finding **v;
  size_t n;
  const sm_finding **shown; /* values quoted (stored:), at most n */
  size_t n_shown;
} flat;

static bool flatten(const sm_scan_result *r, flat *fl) {
  size_t n = 0;
  for (size_t i = 0; i < r->n_reports; i++)
    n += r->reports[i].n_findings;
  fl->n = 0;
  fl->v = calloc(n ? n : 1, sizeof *fl->v);
  fl->shown = calloc(n ? n : 1, sizeof *fl->shown);
  fl->n_shown = 0;
  if (!fl->v)
    return false;
  for (size_t i = 0; i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++)
      fl->v[fl->n++] = &r->reports[i].findings[j];
  return true;
}

/* Entries of one list shown under a heading; the rest are counted. */
#define SM_TEXT_GROUP_MAX 10

/* The detail without the quoted text q (and the space before it): what
 * the entries of a group share.  NULL when q is not in the detail. */
static char *without_quoted(const char *detail, const char *q) {
  size_t ql = strlen(q);
  char *pat = malloc(ql + 3);
  if (!pat)
    return NULL;
  snprintf(pat, ql + 3, "\"%s\"", q);
  const char *at = detail ? strstr(detail, pat) : NULL;
  char *out = NULL;
  if (at) {
    size_t head = (size_t)(at - detail);
    const char *rest = at + ql + 2;
    if (head && detail[head - 1] == ' ')
      head--;
    else if (*rest == ' ')
      rest++;
    size_t tail = strlen(rest);
    if ((out = malloc(head + tail + 1))) {
      memcpy(out, detail, head);
      memcpy(out + head, rest, tail + 1);
    }
  }
  free(pat);
  return out;
}

static void put_marks(FILE *f, const sm_finding *fd) {
  char d[16];
  if (fd->recovered)
    fputs(" [recovered: deleted]", f);
  if (fd->suppressed) {
    fputs(" [suppressed: ", f);
    sm_fputs_escaped(f, fd->suppression->justification, false);
    fputc(']', f);
  }
  sm_finding_expired_date(fd, d, sizeof d);
  if (d[0])
    fprintf(f, " [its suppression expired on %s]", d);
}

static void put_value_name(FILE *f, const sm_finding *fd) {
  if (fd->value) {
    sm_fputs_escaped(f, fd->value[0] ? fd->value : "(default)", false);
    fputs(": ", f);
  }
}

/* One finding: what is wrong and the offending data, each once (a value's
 * name is not repeated in the detail; data the detail does not quote is
 * added). */
static void put_finding_line(FILE *f, const sm_finding *fd) {
  const char *detail = fd->detail ? fd->detail : "";
  char *shorter =
      fd->value && fd->value[0] ? without_quoted(detail, fd->value) : NULL;
  fputs("           - ", f);
  put_value_name(f, fd);
  sm_fputs_escaped(f, shorter ? shorter : detail, false);
  if (fd->observed && !strstr(detail, fd->observed)) {
    fputs(": \"", f);
    sm_fputs_escaped(f, fd->observed, true);
    fputc('"', f);
  }
  put_marks(f, fd);
  fputc('\n', f);
  sm_render_seen(f, fd);
  sm_files_text(f, fd);
  free(shorter);
}

/* Findings v[0..n) of one rule, key and value that differ only in the
 * entry they quote: one heading with the count, an entry a line. */
static void put_group(FILE *f, const sm_finding *const *v, size_t n,
                      const char *shared) {
  fputs("           - ", f);
  put_value_name(f, v[0]);
  sm_fputs_escaped(f, shared, false);
  fprintf(f, " (%zu entries):\n", n);
  for (size_t i = 0; i < n && i < SM_TEXT_GROUP_MAX; i++) {
    fputs("               \"", f);
    sm_fputs_escaped(f, v[i]->observed, true);
    fputc('"', f);
    put_marks(f, v[i]);
    fputc('\n', f);
    sm_files_text(f, v[i]);
  }
  if (n > SM_TEXT_GROUP_MAX)
    fprintf(f,
            "               ... and %zu more (--format json lists every "
            "one)\n",
            n - SM_TEXT_GROUP_MAX);
}

static bool same_str(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

/* The findings v[0..n) of one rule on one key: entries of one list value
 * that share what is wrong with them are grouped. */
static void put_findings(FILE *f, const sm_finding **v, size_t n) {
  char *done = calloc(n ? n : 1, 1);
  const sm_finding **grp = calloc(n ? n : 1, sizeof *grp);
  for (size_t i = 0; done && grp && i < n; i++) {
    if (done[i])
      continue;
    char *shared =
        v[i]->observed ? without_quoted(v[i]->detail, v[i]->observed) : NULL;
    size_t m = 0;
    for (size_t j = i; shared && j < n; j++) {
      char *sj =
          done[j] || !same_str(v[j]->value, v[i]->value) || !v[j]->observed
              ? NULL
              : without_quoted(v[j]->detail, v[j]->observed);
      if (sj && strcmp(sj, shared) == 0) {
        grp[m++] = v[j];
        done[j] = 1;
      }
      free(sj);
    }
    if (m >= 2) {
      put_group(f, grp, m, shared);
    } else {
      put_finding_line(f, v[i]);
      done[i] = 1;
    }
    free(shared);
  }
  if (!done || !grp)
    for (size_t i = 0; i < n; i++)
      put_finding_line(f, v[i]);
  free(done);
  free(grp);
}

/* The stored data of one value, quoted: a string, a list (the first
 * SM_TEXT_GROUP_MAX strings), a number, or hex. */
static void put_data(FILE *f, const sm_finding_data *d) {
  char tbuf[32];
  fprintf(f, "%s ", sm_type_label(d->type, tbuf, sizeof tbuf));
  if (d->kind == SM_DATA_STRING) {
    fputc('"', f);
    sm_fputs_escaped(f, d->str, true);
    fputc('"', f);
  } else if (d->kind == SM_DATA_LIST) {
    fputc('[', f);
    for (size_t i = 0; i < d->n_items && i < SM_TEXT_GROUP_MAX; i++) {
      fputs(i ? ", \"" : "\"", f);
      sm_fputs_escaped(f, d->items[i], true);
      fputc('"', f);
    }
    if (d->n_items > SM_TEXT_GROUP_MAX)
      fprintf(f, ", ... %zu more", d->n_items - SM_TEXT_GROUP_MAX);
    fputc(']', f);
  } else if (d->kind == SM_DATA_NUMBER) {
    fprintf(f, "%llu (0x%llx)", (unsigned long long)d->num,
            (unsigned long long)d->num);
  } else {
    fprintf(f, "hex:%.128s%s (%zu bytes)", d->str,
            strlen(d->str) > 128 ? "..." : "", d->size);
  }
  if (d->truncated)
    fprintf(f, " [cut: --format json keeps the first %u bytes]", SM_DATA_MAX);
}

/* What each value the findings v[0..n) are about stores, once a value in
 * the report: shown holds the values already quoted. */
static void put_stored(FILE *f, const sm_finding *const *v, size_t n,
                       const sm_finding **shown, size_t *n_shown) {
  for (size_t i = 0; i < n; i++) {
    bool seen = v[i]->data.kind == SM_DATA_NONE;
    for (size_t j = 0; j < *n_shown && !seen; j++)
      seen = same_str(shown[j]->value, v[i]->value) &&
             strcmp(shown[j]->key, v[i]->key) == 0 &&
             shown[j]->control_set == v[i]->control_set;
    if (seen)
      continue;
    shown[(*n_shown)++] = v[i];
    fputs("           stored:   ", f);
    put_value_name(f, v[i]);
    put_data(f, &v[i]->data);
    fputc('\n', f);
  }
}

/* The other rules' findings merged into fd (one change, one result):
 * "also:     RULE (severity): detail [observed]". */
static void put_also(FILE *f, const sm_finding *fd) {
  for (size_t i = 0; i < fd->n_also; i++) {
    const sm_finding *m = &fd->also[i];
    fprintf(f, "           also:     %s (%s): ", m->rule->id,
            sm_severity_name(m->severity));
    sm_fputs_escaped(f, m->detail ? m->detail : m->rule->title, false);
    if (m->observed) {
      fputs(" [", f);
      sm_fputs_escaped(f, m->observed, false);
      fputc(']', f);
    }
    fputc('\n', f);
  }
}

/* The findings of a rule on a key, then what the rule says, once. */
static void print_rule(FILE *f, flat *fl, size_t first, char *done,
                       bool color) {
  const sm_finding *fd = fl->v[first];
  const sm_rule *rule = fd->rule;
  char upper[16];
  const char *sev = sm_severity_name(fd->severity);
  size_t i = 0;
  for (; sev[i] && i < sizeof upper - 1; i++)
    upper[i] = (char)(sev[i] - 32 * (sev[i] >= 'a' && sev[i] <= 'z'));
  upper[i] = '\0';
  fprintf(f, "  %s%-8s%s %s  ", color ? sev_color(fd->severity) : "", upper,
          color ? "\033[0m" : "", rule->id);
  sm_fputs_escaped(f, rule->title, false);
  fputc('\n', f);
  const sm_finding **mine = calloc(fl->n, sizeof *mine);
  size_t n = 0;
  for (size_t j = first; mine && j < fl->n; j++) {
    const sm_finding *fj = fl->v[j];
    if (done[j] || strcmp(fj->key, fd->key) != 0 ||
        strcmp(fj->rule->id, rule->id) != 0)
      continue;
    done[j] = 1;
    mine[n++] = fj;
  }
  put_findings(f, mine, n);
  if (mine && fl->shown)
    put_stored(f, mine, n, fl->shown, &fl->n_shown);
  for (size_t j = 0; j < n; j++)
    put_also(f, mine[j]);
  free(mine);
  put(f, "           expected: ", fd->expected);
  put(f, "           normal:   ", rule->normal);
  put(f, "           why:      ", rule->message);
  if (rule->n_attack) {
    fprintf(f, "           ATT&CK:   ");
    for (size_t j = 0; j < rule->n_attack; j++) {
      fputs(j ? ", " : "", f);
      sm_fputs_escaped(f, rule->attack[j], false);
    }
    fputc('\n', f);
  }
}

static void print_hive(FILE *f, const sm_scan_result *r) {
  const sm_scan_hive_facts *h = &r->hive;
  if (strcmp(h->path, r->target) != 0)
    put(f, "  hive:      ", h->path);
  if (h->dirty) {
    fprintf(f, "  dirty:     sequence numbers %lu/%lu; ",
            (unsigned long)h->sequence[0], (unsigned long)h->sequence[1]);
    if (h->recovery.recovered) {
      fprintf(f, "recovered %u entries, %u pages from ", h->recovery.entries,
              h->recovery.pages);
      sm_fputs_escaped(f, h->recovery.logs, false);
      fputc('\n', f);
    } else {
      fprintf(f, "audited as it is on disk, without its transaction logs\n");
    }
  }
  /* A warning may come without a dirty hive (a truncated image). */
  if (h->recovery.warning[0])
    put(f, "  warning:   ", h->recovery.warning);
  if (h->damaged)
    fprintf(f, "  damaged:   %s\n",
            h->unsafe ? "opened in tolerant mode; results come from a "
                        "damaged hive"
                      : "some rules could not be evaluated (below)");
  else if (h->unsafe)
    fprintf(f, "  tolerant:  opened in tolerant mode (--unsafe); it also "
               "opens strictly\n");
  if (h->has_control_sets)
    fprintf(f, "  current:   ControlSet%03u\n", h->current);
}

/* Which machine: each part only when known. */
static void print_host(FILE *f, const sm_host *h) {
  char ts[32];
  if (h->computer_name || h->product || h->build) {
    fputs("  host:      ", f);
    sm_fputs_escaped(f, h->computer_name ? h->computer_name : "(no name)",
                     false);
    if (h->product) {
      fputs(", ", f);
      sm_fputs_escaped(f, h->product, false);
    }
    if (h->build) {
      fputs(", build ", f);
      sm_fputs_escaped(f, h->build, false);
    }
    if (h->software_contradicts)
      fputs(" (product and build from a SOFTWARE hive the SYSTEM hive "
            "contradicts)",
            f);
    fputc('\n', f);
  }
  put(f, "  time zone: ", h->time_zone);
  sm_filetime_iso8601(h->shutdown_time, ts, sizeof ts);
  put(f, "  shutdown:  ", ts[0] ? ts : NULL);
  sm_unix_iso8601(h->install_date, ts, sizeof ts);
  put(f, "  installed: ", ts[0] ? ts : NULL);
}

static void print_header(FILE *f, const sm_scan_result *r, bool color) {
  fputs(color ? "\033[1m" : "", f);
  sm_fputs_escaped(f, r->target, false);
  fputs(color ? "\033[0m\n" : "\n", f);
  put(f, "  origin:    ", r->origin);
  print_host(f, &r->host);
  if (r->has_hive)
    print_hive(f, r);
  for (size_t i = 0; i < r->n_warnings; i++)
    put(f, "  warning:   ", r->warnings[i]);
  if (r->has_baseline) {
    fprintf(f, "  baseline:  ");
    sm_fputs_escaped(f, r->baseline_name, false);
    if (r->overlay)
      fprintf(f, " (given, over %s detected: ", r->family.baseline);
    else
      fprintf(f, " (%s", r->baseline_given ? "given" : "detected: ");
    if (r->detected)
      sm_fputs_escaped(f, r->baseline_reason, false);
    fputs(")\n", f);
  }
  if (r->detected && !r->family.supported)
    fprintf(f,
            "  family:    %s is NOT SUPPORTED: no baseline fits this family; "
            "the findings below are against %s and may be normal here\n",
            r->family.name, r->family.baseline);
}

/* Grouped by key, in the order keys first appear. */
static void print_findings(FILE *f, const sm_scan_result *r, bool color) {
  flat fl;
  if (!flatten(r, &fl))
    return;
  char *done = calloc(fl.n ? fl.n : 1, 1);
  for (size_t i = 0; done && i < fl.n; i++) {
    if (done[i])
      continue;
    const char *key = fl.v[i]->key;
    char ts[32];
    fputs("\n  [", f);
    sm_fputs_escaped(f, key, false);
    fputs("]", f);
    sm_filetime_iso8601(fl.v[i]->last_write, ts, sizeof ts);
    put(f, "  last write ", ts[0] ? ts : NULL);
    if (!ts[0])
      fputc('\n', f);
    for (size_t j = i; j < fl.n; j++)
      if (!done[j] && strcmp(fl.v[j]->key, key) == 0)
        print_rule(f, &fl, j, done, color);
  }
  free(done);
  free(fl.v);
  free(fl.shown);
}

static void print_summary(FILE *f, const sm_scan_summary *s) {
  size_t total = 0;
  for (int k = SM_SEV_CRITICAL; k >= SM_SEV_INFO; k--)
    total += s->by_severity[k];
  fprintf(f, "\n  summary:   %zu finding%s", total, total == 1 ? "" : "s");
  const char *sep = " (";
  for (int k = SM_SEV_CRITICAL; k >= SM_SEV_INFO; k--)
    if (s->by_severity[k]) {
      fprintf(f, "%s%zu %s", sep, s->by_severity[k],
              sm_severity_name((sm_severity)k));
      sep = ", ";
    }
  fprintf(f, "%s; %zu suppressed; %zu rules held, %zu did not apply",
          total ? ")" : "", s->suppressed, s->passed, s->not_applicable);
  if (s->rule_errors)
    fprintf(f, "; %zu could not be evaluated: the audit is incomplete",
            s->rule_errors);
  if (s->unchecked_files)
    fprintf(f, "; %zu file%s named not checked: the audit is incomplete",
            s->unchecked_files, s->unchecked_files == 1 ? "" : "s");
  fputc('\n', f);
}

/* How the values the boot plan reads are accounted for (docs/plan.md). */
static void print_coverage(FILE *f, const sm_scan_result *r) {
  if (!r->has_plan)
    return;
  const sm_boot_plan *p = &r->plan;
  fprintf(f,
          "  coverage:  %zu values read at boot: %zu consumed by actions, "
          "%zu inert, %zu unmodelled; %zu judged by rules",
          p->n_values, p->n_consumed, p->n_inert, p->n_unmodelled, p->n_judged);
  if (p->n_errors)
    fprintf(f, "; %zu key%s could not be read", p->n_errors,
            p->n_errors == 1 ? "" : "s");
  fputc('\n', f);
}

/* Rules that could not be evaluated, once per key and reason: the rule
 * ids on one line. */
static void print_rule_errors(FILE *f, const sm_report *rep) {
  char *done = calloc(rep->n_errors ? rep->n_errors : 1, 1);
  for (size_t i = 0; done && i < rep->n_errors; i++) {
    const sm_rule_error *e = &rep->errors[i];
    if (done[i])
      continue;
    fputs("  ERROR    ", f);
    sm_fputs_escaped(f, e->key, false);
    fputs(": ", f);
    sm_fputs_escaped(f, e->message, false);
    fputs("\n           rules:    ", f);
    for (size_t j = i, n = 0; j < rep->n_errors; j++) {
      const sm_rule_error *x = &rep->errors[j];
      if (done[j] || strcmp(x->key, e->key) != 0 ||
          strcmp(x->message, e->message) != 0)
        continue;
      done[j] = 1;
      fprintf(f, "%s%s", n++ ? ", " : "", x->rule->id);
    }
    fputc('\n', f);
  }
  free(done);
}

/* What to do next, when there is something to look at: the finding to
 * read first, how to accept a known-good one, how to get every field. */
static void print_next(FILE *f, const sm_scan_result *r) {
  const sm_finding *first = NULL;
  for (size_t i = 0; i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++) {
      const sm_finding *fd = &r->reports[i].findings[j];
      if (!fd->suppressed && (!first || fd->severity > first->severity))
        first = fd;
    }
  if (!first)
    return;
  fprintf(f, "  next:      read %s (%s) first, on ", first->rule->id,
          sm_severity_name(first->severity));
  sm_fputs_escaped(f, first->key, false);
  if (first->value) {
    fputc('\\', f);
    sm_fputs_escaped(f, first->value[0] ? first->value : "(default)", false);
  }
  fputs(";\n             accept a known-good finding with a suppression (its "
        "rule id and a\n             justification) in a baseline that "
        "extends ",
        f);
  sm_fputs_escaped(f, r->baseline_name ? r->baseline_name : "this one", false);
  fputs(" (docs/baselines.md);\n             --format json gives every field "
        "of every finding\n",
        f);
}

void sm_render_scan_text(FILE *f, const sm_scan_result *r, bool color) {
  print_header(f, r, color);
  if (r->error) {
    put(f, "  error:     ", r->error);
    return;
  }
  print_findings(f, r, color);
  for (size_t k = 0; k < r->n_reports; k++)
    print_rule_errors(f, &r->reports[k]);
  print_summary(f, &r->summary);
  sm_render_scan_earlier(f, r);
  print_coverage(f, r);
  print_next(f, r);
}
