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
  }
  return false;
}

bool sm_writer_render(const sm_writer *w, const sm_scan_result *r, char **buf,
                      size_t *len) {
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
