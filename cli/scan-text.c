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
} flat;

static bool flatten(const sm_scan_result *r, flat *fl) {
  size_t n = 0;
  for (size_t i = 0; i < r->n_reports; i++)
    n += r->reports[i].n_findings;
  fl->n = 0;
  fl->v = calloc(n ? n : 1, sizeof *fl->v);
  if (!fl->v)
    return false;
  for (size_t i = 0; i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++)
      fl->v[fl->n++] = &r->reports[i].findings[j];
  return true;
}

static void put_finding_line(FILE *f, const sm_finding *fd) {
  char d[16];
  fputs("           - ", f);
  if (fd->value) {
    sm_fputs_escaped(f, fd->value[0] ? fd->value : "(default)", false);
    fputs(": ", f);
  }
  sm_fputs_escaped(f, fd->detail ? fd->detail : "", false);
  if (fd->suppressed) {
    fputs(" [suppressed: ", f);
    sm_fputs_escaped(f, fd->suppression->justification, false);
    fputc(']', f);
  }
  sm_finding_expired_date(fd, d, sizeof d);
  if (d[0])
    fprintf(f, " [its suppression expired on %s]", d);
  fputc('\n', f);
}

/* One line per finding of a rule, then what the rule says, once. */
static void print_rule(FILE *f, const flat *fl, size_t first, char *done,
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
  for (size_t j = first; j < fl->n; j++) {
    const sm_finding *fj = fl->v[j];
    if (done[j] || strcmp(fj->key, fd->key) != 0 ||
        strcmp(fj->rule->id, rule->id) != 0)
      continue;
    done[j] = 1;
    put_finding_line(f, fj);
  }
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

static void print_header(FILE *f, const sm_scan_result *r, bool color) {
  fputs(color ? "\033[1m" : "", f);
  sm_fputs_escaped(f, r->target, false);
  fputs(color ? "\033[0m\n" : "\n", f);
  put(f, "  origin:    ", r->origin);
  if (r->has_hive)
    print_hive(f, r);
  for (size_t i = 0; i < r->n_warnings; i++)
    put(f, "  warning:   ", r->warnings[i]);
  if (r->has_baseline) {
    fprintf(f, "  baseline:  ");
    sm_fputs_escaped(f, r->baseline_name, false);
    fprintf(f, " (%s", r->baseline_given ? "given" : "detected");
    if (!r->baseline_given) {
      fputs(": ", f);
      sm_fputs_escaped(f, r->baseline_reason, false);
    }
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
  fputc('\n', f);
}

void sm_render_scan_text(FILE *f, const sm_scan_result *r, bool color) {
  print_header(f, r, color);
  if (r->error) {
    put(f, "  error:     ", r->error);
    return;
  }
  print_findings(f, r, color);
  for (size_t k = 0; k < r->n_reports; k++)
    for (size_t j = 0; j < r->reports[k].n_errors; j++) {
      const sm_rule_error *e = &r->reports[k].errors[j];
      fprintf(f, "  ERROR    %s  ", e->rule->id);
      sm_fputs_escaped(f, e->key, false);
      fputs(": ", f);
      sm_fputs_escaped(f, e->message, false);
      fputc('\n', f);
    }
  print_summary(f, &r->summary);
}
