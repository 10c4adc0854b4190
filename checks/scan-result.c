/* The scan result's life: made from a target, its errors and warnings, its
 * summary, and freed. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "checks/scan.h"

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void image_free(sm_scan_image *g) {
  if (!g)
    return;
  free(g->file);
  free(g->format);
  free(g->description);
  free(g->path);
  free(g);
}

static sm_scan_image *image_dup(const sm_scan_image *g) {
  sm_scan_image *c = g ? calloc(1, sizeof *c) : NULL;
  if (!c)
    return NULL;
  *c = *g;
  c->file = dup_or_null(g->file);
  c->format = dup_or_null(g->format);
  c->description = dup_or_null(g->description);
  c->path = dup_or_null(g->path);
  if ((g->file && !c->file) || (g->format && !c->format) ||
      (g->description && !c->description) || (g->path && !c->path)) {
    image_free(c);
    return NULL;
  }
  return c;
}

void sm_scan_result_init(const sm_scan_target *t, sm_scan_result *r) {
  memset(r, 0, sizeof *r);
  r->target = strdup(t->name);
  r->role = dup_or_null(t->role);
  r->volume = dup_or_null(t->volume);
  r->volume_name = dup_or_null(t->volume_name);
  r->origin = dup_or_null(t->origin);
  r->image = image_dup(t->image);
  r->shadow = sm_scan_shadow_dup(t->shadow);
  r->summary.max_severity = -1;
  if (!r->target || (t->role && !r->role) || (t->volume && !r->volume) ||
      (t->volume_name && !r->volume_name) || (t->origin && !r->origin) ||
      (t->image && !r->image) || (t->shadow && !r->shadow))
    sm_scan_fail(r, "out of memory");
}

void sm_scan_fail(sm_scan_result *r, const char *msg) {
  if (!r->error)
    r->error = strdup(msg && msg[0] ? msg : "error");
}

void sm_scan_warn(sm_scan_result *r, const char *msg) {
  char *m = strdup(msg);
  if (!m || !sm_grow(&r->warnings, r->n_warnings, sizeof *r->warnings)) {
    free(m);
    return;
  }
  r->warnings[r->n_warnings++] = m;
}

void sm_scan_result_error(const sm_scan_target *t, const char *msg,
                          sm_scan_result *r) {
  sm_scan_result_init(t, r);
  sm_scan_fail(r, msg);
  sm_scan_summarise(r);
}

void sm_scan_summarise(sm_scan_result *r) {
  sm_scan_summary *s = &r->summary;
  memset(s, 0, sizeof *s);
  s->max_severity = -1;
  for (size_t i = 0; i < r->n_reports; i++) {
    const sm_report *rep = &r->reports[i];
    for (size_t j = 0; j < rep->n_findings; j++) {
      const sm_finding *fd = &rep->findings[j];
      if (fd->suppressed) {
        s->suppressed++;
        continue;
      }
      s->by_severity[fd->severity]++;
      if ((int)fd->severity > s->max_severity)
        s->max_severity = (int)fd->severity;
    }
    s->rule_errors += rep->n_errors;
    s->passed += rep->n_pass;
    s->not_applicable += rep->n_not_applicable;
  }
  s->failed = r->error != NULL;
  snprintf(s->computer_name, sizeof s->computer_name, "%s",
           r->host.computer_name ? r->host.computer_name : "");
  if (r->has_hive)
    s->unread_logs = r->hive.recovery.unread;
  s->unchecked_files = r->unchecked_files;
  if (s->rule_errors)
    r->hive.damaged = true;
}

void sm_scan_close_hive(sm_scan_result *r) {
  sm_hive_close(r->h);
  r->h = NULL;
}

void sm_scan_result_free(sm_scan_result *r) {
  if (!r)
    return;
  sm_scan_close_hive(r);
  free(r->target);
  free(r->role);
  free(r->volume);
  free(r->volume_name);
  free(r->origin);
  image_free(r->image);
  sm_scan_shadow_free(r->shadow);
  free(r->hive.path);
  free(r->hive.control_sets);
  sm_host_free(&r->host);
  free(r->baseline_name);
  free(r->baseline_reason);
  for (size_t i = 0; i < r->n_reports; i++)
    sm_report_free(&r->reports[i]);
  free(r->reports);
  for (size_t i = 0; i < r->n_differences; i++) {
    sm_diff_free(&r->differences[i].diff);
    free(r->differences[i].error);
  }
  free(r->differences);
  for (size_t i = 0; i < r->n_deleted; i++) {
    free(r->deleted[i].key);
    free(r->deleted[i].name);
  }
  free(r->deleted);
  sm_report_free(&r->removed);
  free(r->live);
  sm_diff_free(&r->live_diff);
  free(r->live_error);
  sm_boot_plan_free(&r->plan);
  for (size_t i = 0; i < r->n_warnings; i++)
    free(r->warnings[i]);
  free(r->warnings);
  free(r->error);
  memset(r, 0, sizeof *r);
}
