#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"

static void text_render(const sm_writer *w, const sm_scan_result *r,
                        FILE *out) {
  sm_render_scan_text(out, r, w->color);
}

static void text_add(sm_writer *w, const char *bytes, size_t len) {
  if (w->n_results)
    fputc('\n', w->f);
  if (w->width)
    sm_text_wrap(w->f, bytes, len, w->width);
  else
    fwrite(bytes, 1, len, w->f);
}

static void json_render(const sm_writer *w, const sm_scan_result *r,
                        FILE *out) {
  (void)w;
  sm_render_scan_json(out, r);
}

static void plain_add(sm_writer *w, const char *bytes, size_t len) {
  fwrite(bytes, 1, len, w->f);
}

bool sm_writer_init(sm_writer *w, sm_format format, FILE *f, bool color) {
  memset(w, 0, sizeof *w);
  w->format = format;
  w->f = f;
  w->color = color;
  w->add = plain_add;
  switch (format) {
  case SM_FORMAT_TEXT:
    w->render = text_render;
    w->add = text_add;
    return true;
  case SM_FORMAT_JSON:
    w->render = json_render;
    return true;
  case SM_FORMAT_SARIF:
    return sm_writer_init_sarif(w);
  case SM_FORMAT_CSV:
    return sm_writer_init_csv(w);
  case SM_FORMAT_TIMELINE:
    return sm_writer_init_timeline(w);
  }
  return false;
}

/* r as shown with --min-severity: its reports with only the findings at
 * or above min (shallow copies into new arrays; *reps to free).  The
 * summary, and so the exit status, stay those of the whole audit. */
static bool filter(const sm_scan_result *r, int min, sm_scan_result *view,
                   sm_report **reps) {
  *view = *r;
  *reps = calloc(r->n_reports ? r->n_reports : 1, sizeof **reps);
  if (!*reps)
    return false;
  for (size_t i = 0; i < r->n_reports; i++) {
    const sm_report *from = &r->reports[i];
    sm_report *to = &(*reps)[i];
    *to = *from;
    to->findings = calloc(from->n_findings ? from->n_findings : 1,
                          sizeof *to->findings);
    if (!to->findings) {
      for (size_t j = 0; j < i; j++)
        free((*reps)[j].findings);
      free(*reps);
      return false;
    }
    to->n_findings = 0;
    for (size_t j = 0; j < from->n_findings; j++)
      if ((int)from->findings[j].severity >= min)
        to->findings[to->n_findings++] = from->findings[j];
  }
  view->reports = *reps;
  return true;
}

bool sm_writer_render(const sm_writer *w, const sm_scan_result *r, char **buf,
                      size_t *len) {
  if (w->min_severity > 0) {
    sm_scan_result view;
    sm_report *reps;
    sm_writer plain = *w;
    plain.min_severity = 0;
    if (!filter(r, w->min_severity, &view, &reps))
      return false;
    bool ok = sm_writer_render(&plain, &view, buf, len);
    for (size_t i = 0; i < r->n_reports; i++)
      free(reps[i].findings);
    free(reps);
    return ok;
  }
  *buf = NULL;
  *len = 0;
  FILE *m = open_memstream(buf, len);
  if (!m)
    return false;
  w->render(w, r, m);
  bool ok = fflush(m) == 0 && !ferror(m);
  if (fclose(m) != 0)
    ok = false;
  if (!ok) {
    free(*buf);
    *buf = NULL;
    *len = 0;
  }
  return ok;
}

void sm_writer_add(sm_writer *w, const char *bytes, size_t len) {
  w->add(w, bytes, len);
  w->n_results++;
  /* Stream: a reader of a batch sees each hive as soon as it is done. */
  fflush(w->f);
}

void sm_writer_result(sm_writer *w, const sm_scan_result *r) {
  char *buf;
  size_t len;
  if (sm_writer_render(w, r, &buf, &len)) {
    sm_writer_add(w, buf, len);
    free(buf);
  } else {
    w->failed = true; /* out of memory: the report is incomplete */
  }
}

bool sm_writer_finish(sm_writer *w) {
  if (w->finish)
    w->finish(w);
  return fflush(w->f) == 0 && !ferror(w->f) && !w->failed;
}
