/* The boot plan as a timeline for a person (docs/plan.md): each phase in
 * the order Windows goes through it, each action with the value it comes
 * from, its files (resolved, with who can write there) and arguments, and
 * under it the findings that judge it. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/plan.h"
#include "cli/scan.h"

static void put_esc(FILE *f, const char *s) {
  sm_fputs_escaped(f, s ? s : "", false);
}

/* "KEY\VALUE" below Session Manager, for the action's source. */
static void put_source(FILE *f, const sm_boot_action *a) {
  static const char sm[] = "Control\\Session Manager";
  if (!a->key) {
    fputs("-", f);
    return;
  }
  const char *k = a->key;
  if (strncmp(k, sm, sizeof sm - 1) == 0)
    k = k[sizeof sm - 1] == '\\' ? k + sizeof sm : "";
  if (*k) {
    put_esc(f, k);
    fputc('\\', f);
  }
  put_esc(f, a->value && a->value[0] ? a->value : "(default)");
  if (a->item) {
    fputs(": ", f);
    put_esc(f, a->item);
  } else if (a->args) {
    fputs(" = ", f);
    put_esc(f, a->args);
  }
}

static void put_finding(FILE *f, const sm_finding *fd, bool color) {
  fputs("        ", f);
  if (color)
    fputs(fd->severity >= SM_SEV_HIGH ? "\033[31m" : "\033[33m", f);
  fprintf(f, "%s%s", sm_severity_name(fd->severity),
          fd->suppressed ? " (suppressed)" : "");
  if (color)
    fputs("\033[0m", f);
  fprintf(f, " %s: ", fd->rule->id);
  put_esc(f, fd->detail);
  fputc('\n', f);
}

static void put_action(FILE *f, const sm_scan_result *r, size_t idx,
                       const long *of, bool color) {
  const sm_boot_action *a = &r->plan.actions[idx];
  fprintf(f, "    %-20s ", a->kind);
  put_source(f, a);
  fputc('\n', f);
  for (size_t i = 0; i < a->n_files; i++) {
    fprintf(f, "%27s%-12s ", "", a->files[i].role);
    put_esc(f, a->files[i].resolved);
    fprintf(f, "  [%s]\n", sm_place_name(a->files[i].place));
    if (a->files[i].fact) {
      fprintf(f, "%27s%-12s ", "", "file");
      sm_file_text(f, a->files[i].fact);
    }
  }
  if (a->args && a->item) {
    fprintf(f, "%27s%-12s ", "", "args");
    put_esc(f, a->args);
    fputc('\n', f);
  }
  fprintf(f, "%27s", "");
  put_esc(f, a->what);
  fputc('\n', f);
  size_t k = 0;
  for (size_t i = 0; i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++, k++)
      if (of[k] == (long)idx)
        put_finding(f, &r->reports[i].findings[j], color);
}

static void put_header(FILE *f, const sm_scan_result *r) {
  fputs("plan: ", f);
  put_esc(f, r->target);
  fputc('\n', f);
  if (r->has_hive) {
    fputs("  hive:        ", f);
    put_esc(f, r->hive.path);
    fputc('\n', f);
  }
  if (r->baseline_name) {
    fputs("  baseline:    ", f);
    put_esc(f, r->baseline_name);
    if (r->overlay)
      fprintf(f, " (given, over %s detected)\n", r->family.baseline);
    else
      fprintf(f, " (%s)\n", r->baseline_given ? "given" : "detected");
  }
  if (r->has_plan) {
    const sm_boot_plan *p = &r->plan;
    fprintf(f,
            "  control set: %u\n  coverage:    %zu values read: %zu consumed "
            "by actions, %zu inert, %zu unmodelled; %zu judged by rules\n",
            p->control_set, p->n_values, p->n_consumed, p->n_inert,
            p->n_unmodelled, p->n_judged);
    for (size_t i = 0; i < p->n_errors; i++) {
      fputs("  ERROR:       ", f);
      put_esc(f, p->errors[i]);
      fputs(" (the plan is incomplete)\n", f);
    }
  }
}

void sm_render_plan_text(FILE *f, const sm_scan_result *r, bool color) {
  put_header(f, r);
  if (r->error || !r->has_plan) {
    fputs("  error:       ", f);
    put_esc(f, r->error ? r->error : "no plan");
    fputc('\n', f);
    return;
  }
  size_t n;
  long *of = sm_plan_finding_actions(r, &n);
  if (!of)
    return;
  const sm_boot_plan *p = &r->plan;
  for (int ph = 0; ph < SM_PHASE_COUNT; ph++) {
    bool any = false;
    for (size_t i = 0; i < p->n_actions; i++) {
      if (p->actions[i].phase != (sm_boot_phase)ph)
        continue;
      if (!any)
        fprintf(f, "\n  %2d %s: %s\n", ph + 1,
                sm_boot_phase_name((sm_boot_phase)ph),
                sm_boot_phase_title((sm_boot_phase)ph));
      any = true;
      put_action(f, r, i, of, color);
    }
  }
  bool header = false;
  size_t k = 0;
  for (size_t i = 0; i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++, k++) {
      if (of[k] >= 0)
        continue;
      if (!header)
        fputs("\n  findings on no action of the plan:\n", f);
      header = true;
      put_finding(f, &r->reports[i].findings[j], color);
    }
  for (size_t i = 0; i < p->n_values; i++)
    if (p->values[i].how == SM_COVER_UNMODELLED) {
      fputs("  unmodelled:  ", f);
      put_esc(f, p->values[i].key);
      fputc('\\', f);
      put_esc(f, p->values[i].name);
      fputc('\n', f);
    }
  free(of);
}

static void plan_text_render(const sm_writer *w, const sm_scan_result *r,
                             FILE *out) {
  sm_render_plan_text(out, r, w->color);
}

static void plan_json_render(const sm_writer *w, const sm_scan_result *r,
                             FILE *out) {
  (void)w;
  sm_render_plan_json(out, r);
}

void sm_writer_plan(sm_writer *w) {
  w->render = w->format == SM_FORMAT_JSON ? plan_json_render : plan_text_render;
}
