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
    "expected", "detail", "attack",      "last_write", "suppressed",
    "data",     "computer_name", "product", "build", "time_zone",
    "shutdown_time", "rules"};
enum { N_COLUMNS = sizeof columns / sizeof columns[0] };
/* The columns before the host's: data is the last of them. */
enum { N_HIVE_COLUMNS = N_COLUMNS - 6 };

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

/* The stored data as one cell: a string as it is, a list as a JSON array,
 * a number in decimal, other bytes as hex:... */
static void put_data(FILE *f, const sm_finding_data *d) {
  char num[32];
  if (d->kind == SM_DATA_STRING) {
    put_field(f, d->str, false);
  } else if (d->kind == SM_DATA_LIST) {
    json_t *a = json_array();
    for (size_t i = 0; i < d->n_items; i++)
      json_array_append_new(a, sm_json_string(d->items[i]));
    char *s = json_dumps(a, JSON_COMPACT);
    put_field(f, s ? s : "", false);
    free(s);
    json_decref(a);
  } else if (d->kind == SM_DATA_NUMBER) {
    snprintf(num, sizeof num, "%llu", (unsigned long long)d->num);
    put_field(f, num, false);
  } else if (d->kind == SM_DATA_HEX) {
    char *s = malloc(strlen(d->str) + 5);
    if (s)
      sprintf(s, "hex:%s", d->str);
    put_field(f, s ? s : "", false);
    free(s);
  } else {
    put_field(f, NULL, false);
  }
}

/* The host columns, the same on every row of a hive. */
static void put_host(FILE *f, const sm_host *h) {
  char ts[32];
  put_field(f, h->computer_name, false);
  put_field(f, h->product, false);
  put_field(f, h->build, false);
  put_field(f, h->time_zone, false);
  sm_filetime_iso8601(h->shutdown_time, ts, sizeof ts);
  put_field(f, ts[0] ? ts : NULL, false);
}

/* Every rule that fired about the change, the row's own first, by ";". */
static void put_rules(FILE *f, const sm_finding *fd) {
  size_t len = strlen(fd->rule->id) + 1;
  for (size_t i = 0; i < fd->n_also; i++)
    len += strlen(fd->also[i].rule->id) + 1;
  char *s = malloc(len);
  if (s) {
    strcpy(s, fd->rule->id);
    for (size_t i = 0; i < fd->n_also; i++) {
      strcat(s, ";");
      strcat(s, fd->also[i].rule->id);
    }
  }
  put_field(f, s ? s : fd->rule->id, false);
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
  put_data(f, &fd->data);
  put_host(f, &r->host);
  put_rules(f, fd);
  end_row(f);
}

/* One row for a hive without a finding row: rule ERROR with the reason,
 * or rule NONE (severity none) for a hive audited with no finding. */
static void hive_row(FILE *f, const sm_scan_result *r) {
  char detail[160];
  if (!r->error)
    snprintf(detail, sizeof detail,
             "audited: no finding (%zu rules held, %zu did not apply)",
             r->summary.passed, r->summary.not_applicable);
  put_field(f, r->target, true);
  put_field(f, r->has_hive && r->hive.sha256[0] ? r->hive.sha256 : NULL, false);
  for (size_t i = 2; i < N_HIVE_COLUMNS; i++) {
    if (strcmp(columns[i], "rule") == 0)
      put_field(f, r->error ? "ERROR" : "NONE", false);
    else if (strcmp(columns[i], "severity") == 0)
      put_field(f, r->error ? "error" : "none", false);
    else if (strcmp(columns[i], "detail") == 0)
      put_field(f, r->error ? r->error : detail, false);
    else if (strcmp(columns[i], "suppressed") == 0)
      put_field(f, "false", false);
    else
      put_field(f, NULL, false);
  }
  put_host(f, &r->host);
  put_field(f, NULL, false); /* rules */
  end_row(f);
}

static void csv_render(const sm_writer *w, const sm_scan_result *r, FILE *f) {
  (void)w;
  size_t rows = 0;
  for (size_t i = 0; !r->error && i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++, rows++)
      put_row(f, r, &r->reports[i].findings[j]);
  if (!rows)
    hive_row(f, r);
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
