#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"

/* RFC 4180: CRLF line ends; a field holding a comma or a quote is quoted,
 * with its quotes doubled.  Registry strings are attacker-controlled
 * and spreadsheets run a cell that starts with = + - @ (or TAB or CR, which
 * some strip first) as a formula: such a cell gets a leading apostrophe. */

static const char *const columns[] = {
    "target",   "sha256", "control_set", "key",        "value",
    "type",     "rule",   "severity",    "title",      "observed",
    "expected", "detail", "attack",      "last_write", "suppressed"};
enum { N_COLUMNS = sizeof columns / sizeof columns[0] };

typedef struct csv {
  bool header_written;
} csv;

static void put_field(FILE *f, const char *raw, bool first) {
  if (!first)
    fputc(',', f);
  if (!raw)
    return;
  /* Control characters (and bidirectional overrides) come out as \xNN, as
   * in the text report: a CSV file is safe to print, and each finding is
   * one line.  The JSON output keeps every string exact. */
  char *s = sm_text_escape(raw, false);
  if (!s)
    return;
  bool neutralise = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
  bool quote = neutralise || strpbrk(s, ",\"\r\n") != NULL;
  if (quote)
    fputc('"', f);
  if (neutralise)
    fputc('\'', f);
  for (const char *p = s; *p; p++) {
    if (*p == '"')
      fputc('"', f);
    fputc(*p, f);
  }
  if (quote)
    fputc('"', f);
  free(s);
}

static void end_row(FILE *f) { fputs("\r\n", f); }

static void write_header(sm_writer *w) {
  csv *c = w->state;
  if (c->header_written)
    return;
  for (size_t i = 0; i < N_COLUMNS; i++)
    put_field(w->f, columns[i], i == 0);
  end_row(w->f);
  c->header_written = true;
}

static void put_attack(FILE *f, const sm_rule *r) {
  size_t len = 1;
  for (size_t i = 0; i < r->n_attack; i++)
    len += strlen(r->attack[i]) + 1;
  char *s = calloc(1, len);
  for (size_t i = 0; s && i < r->n_attack; i++) {
    if (i)
      strcat(s, ";");
    strcat(s, r->attack[i]);
  }
  put_field(f, s ? s : "", false);
  free(s);
}

static void put_row(FILE *f, const sm_scan_result *r, const sm_finding *fd) {
  char num[32], tbuf[32], ts[32];
  put_field(f, r->target, true);
  put_field(f, r->has_hive && r->hive.sha256[0] ? r->hive.sha256 : NULL, false);
  snprintf(num, sizeof num, "%u", fd->control_set);
  put_field(f, fd->control_set ? num : NULL, false);
  put_field(f, fd->key, false);
  put_field(f, fd->value, false);
  put_field(f, fd->has_type ? sm_type_label(fd->type, tbuf, sizeof tbuf) : NULL,
            false);
  put_field(f, fd->rule->id, false);
  put_field(f, sm_severity_name(fd->severity), false);
  put_field(f, fd->rule->title, false);
  put_field(f, fd->observed, false);
  put_field(f, fd->expected, false);
  put_field(f, fd->detail, false);
  put_attack(f, fd->rule);
  sm_filetime_iso8601(fd->last_write, ts, sizeof ts);
  put_field(f, ts[0] ? ts : NULL, false);
  put_field(f, fd->suppressed ? "true" : "false", false);
  end_row(f);
}

static void error_row(FILE *f, const sm_scan_result *r) {
  put_field(f, r->target, true);
  put_field(f, r->has_hive && r->hive.sha256[0] ? r->hive.sha256 : NULL, false);
  for (size_t i = 2; i < N_COLUMNS; i++) {
    if (strcmp(columns[i], "rule") == 0)
      put_field(f, "ERROR", false);
    else if (strcmp(columns[i], "severity") == 0)
      put_field(f, "error", false);
    else if (strcmp(columns[i], "detail") == 0)
      put_field(f, r->error, false);
    else if (strcmp(columns[i], "suppressed") == 0)
      put_field(f, "false", false);
    else
      put_field(f, NULL, false);
  }
  end_row(f);
}

static void csv_render(const sm_writer *w, const sm_scan_result *r, FILE *f) {
  (void)w;
  if (r->error) {
    error_row(f, r);
    return;
  }
  for (size_t i = 0; i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++)
      put_row(f, r, &r->reports[i].findings[j]);
}

static void csv_add(sm_writer *w, const char *bytes, size_t len) {
  write_header(w);
  fwrite(bytes, 1, len, w->f);
}

static void csv_finish(sm_writer *w) {
  write_header(w);
  free(w->state);
  w->state = NULL;
}

bool sm_writer_init_csv(sm_writer *w) {
  w->state = calloc(1, sizeof(csv));
  if (!w->state)
    return false;
  w->render = csv_render;
  w->add = csv_add;
  w->finish = csv_finish;
  return true;
}
