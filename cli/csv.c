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

/* A JSON member as cell text: strings as they are, numbers in decimal,
 * booleans true/false, null empty. */
static char *cell(json_t *v) {
  char buf[64];
  if (json_is_string(v))
    return strdup(json_string_value(v));
  if (json_is_integer(v)) {
    snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return strdup(buf);
  }
  if (json_is_boolean(v))
    return strdup(json_is_true(v) ? "true" : "false");
  if (json_is_array(v)) {
    size_t len = 1, i;
    json_t *it;
    json_array_foreach(v, i, it) {
      if (json_is_string(it))
        len += strlen(json_string_value(it)) + 1;
    }
    char *s = calloc(1, len);
    if (!s)
      return NULL;
    json_array_foreach(v, i, it) {
      if (!json_is_string(it))
        continue;
      if (s[0])
        strcat(s, ";");
      strcat(s, json_string_value(it));
    }
    return s;
  }
  return NULL;
}

static void put_json(FILE *f, json_t *v, bool first) {
  char *s = cell(v);
  put_field(f, s, first);
  free(s);
}

static void csv_result(sm_writer *w, json_t *res) {
  write_header(w);
  json_t *hive = json_object_get(res, "hive");
  json_t *target = json_object_get(res, "target");
  json_t *sha = json_is_object(hive) ? json_object_get(hive, "sha256") : NULL;
  json_t *err = json_object_get(res, "error");
  FILE *f = w->f;
  if (json_is_string(err)) {
    put_json(f, target, true);
    put_json(f, sha, false);
    for (size_t i = 2; i < N_COLUMNS; i++) {
      if (strcmp(columns[i], "rule") == 0)
        put_field(f, "ERROR", false);
      else if (strcmp(columns[i], "severity") == 0)
        put_field(f, "error", false);
      else if (strcmp(columns[i], "detail") == 0)
        put_json(f, err, false);
      else if (strcmp(columns[i], "suppressed") == 0)
        put_field(f, "false", false);
      else
        put_field(f, NULL, false);
    }
    end_row(f);
    return;
  }
  size_t i;
  json_t *fd;
  json_array_foreach(json_object_get(res, "findings"), i, fd) {
    put_json(f, target, true);
    put_json(f, sha, false);
    put_json(f, json_object_get(fd, "control_set"), false);
    put_json(f, json_object_get(fd, "key"), false);
    put_json(f, json_object_get(fd, "value"), false);
    put_json(f, json_object_get(fd, "type"), false);
    put_json(f, json_object_get(fd, "rule"), false);
    put_json(f, json_object_get(fd, "severity"), false);
    put_json(f, json_object_get(fd, "title"), false);
    put_json(f, json_object_get(fd, "observed"), false);
    put_json(f, json_object_get(fd, "expected"), false);
    put_json(f, json_object_get(fd, "detail"), false);
    put_json(f, json_object_get(fd, "attack"), false);
    put_json(f, json_object_get(fd, "last_write"), false);
    put_json(f, json_object_get(fd, "suppressed"), false);
    end_row(f);
  }
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
  w->result = csv_result;
  w->finish = csv_finish;
  return true;
}
