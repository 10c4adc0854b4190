#include <config.h>

#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"

bool sm_format_parse(const char *name, sm_format *out) {
  static const struct {
    const char *name;
    sm_format format;
  } names[] = {{"text", SM_FORMAT_TEXT},
               {"json", SM_FORMAT_JSON},
               {"jsonl", SM_FORMAT_JSON},
               {"sarif", SM_FORMAT_SARIF},
               {"csv", SM_FORMAT_CSV}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(name, names[i].name) == 0) {
      *out = names[i].format;
      return true;
    }
  return false;
}

bool sm_format_text_or_json(const char *cmd, const char *name, bool *json) {
  sm_format f;
  if (!sm_format_parse(name, &f) ||
      (f != SM_FORMAT_TEXT && f != SM_FORMAT_JSON)) {
    sm_cli_error("%s: unknown format '%s' (text or json)", cmd, name);
    return false;
  }
  *json = f == SM_FORMAT_JSON;
  return true;
}

static void text_result(sm_writer *w, json_t *result) {
  if (w->n_results)
    fputc('\n', w->f);
  sm_render_scan_text(w->f, result, w->color);
}

static void json_result(sm_writer *w, json_t *result) {
  sm_render_scan_json(w->f, result);
}

bool sm_writer_init(sm_writer *w, sm_format format, FILE *f, bool color) {
  memset(w, 0, sizeof *w);
  w->format = format;
  w->f = f;
  w->color = color;
  switch (format) {
  case SM_FORMAT_TEXT:
    w->result = text_result;
    return true;
  case SM_FORMAT_JSON:
    w->result = json_result;
    return true;
  case SM_FORMAT_SARIF:
    return sm_writer_init_sarif(w);
  case SM_FORMAT_CSV:
    return sm_writer_init_csv(w);
  }
  return false;
}

void sm_writer_result(sm_writer *w, json_t *result) {
  w->result(w, result);
  w->n_results++;
  /* Stream: a reader of a batch sees each hive as soon as it is done. */
  fflush(w->f);
}

bool sm_writer_finish(sm_writer *w) {
  if (w->finish)
    w->finish(w);
  return fflush(w->f) == 0 && !ferror(w->f);
}
