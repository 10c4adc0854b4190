/* The output formats: one table, from which parsing, the usage text and
 * the messages come. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"

static const struct {
  const char *name;
  sm_format format;
  const char *help; /* NULL: another name of the one before */
} formats[] = {
    {"text", SM_FORMAT_TEXT, "for a person (default)"},
    {"json", SM_FORMAT_JSON, "JSON Lines, one object per hive"},
    {"jsonl", SM_FORMAT_JSON, NULL},
    {"sarif", SM_FORMAT_SARIF, "SARIF 2.1.0, one run for all the hives"},
    {"csv", SM_FORMAT_CSV, "RFC 4180, one row per finding (one per hive "
                           "without one)"},
    {"timeline", SM_FORMAT_TIMELINE,
     "JSON Lines, one flat event per finding (Timesketch, SIEMs)"},
};
enum { N_FORMATS = sizeof formats / sizeof formats[0] };

static bool is_text_or_json(sm_format f) {
  return f == SM_FORMAT_TEXT || f == SM_FORMAT_JSON;
}

bool sm_format_parse(const char *name, sm_format *out) {
  for (size_t i = 0; i < N_FORMATS; i++)
    if (strcmp(name, formats[i].name) == 0) {
      *out = formats[i].format;
      return true;
    }
  return false;
}

const char *sm_format_list(bool text_or_json, const char *sep) {
  static char buf[2][128];
  char *b = buf[text_or_json];
  size_t used = 0, n = 0, k = 0;
  for (size_t i = 0; i < N_FORMATS; i++)
    n += formats[i].help &&
         (!text_or_json || is_text_or_json(formats[i].format));
  b[0] = '\0';
  for (size_t i = 0; i < N_FORMATS; i++) {
    if (!formats[i].help ||
        (text_or_json && !is_text_or_json(formats[i].format)))
      continue;
    const char *join = k == 0 ? "" : sep ? sep : k + 1 == n ? " or " : ", ";
    used += (size_t)snprintf(b + used, sizeof buf[0] - used, "%s%s", join,
                             formats[i].name);
    k++;
  }
  return b;
}

void sm_format_usage(FILE *f, const char *indent) {
  for (size_t i = 0; i < N_FORMATS; i++)
    if (formats[i].help)
      fprintf(f, "%s%-7s %s\n", indent, formats[i].name, formats[i].help);
}

bool sm_format_option(const char *cmd, const char *name, bool text_or_json,
                      sm_format *out) {
  if (sm_format_parse(name, out) && (!text_or_json || is_text_or_json(*out)))
    return true;
  sm_cli_error("%s: unknown format '%s' (%s)", cmd, name,
               sm_format_list(text_or_json, NULL));
  return false;
}

bool sm_format_text_or_json(const char *cmd, const char *name, bool *json) {
  sm_format f;
  if (!sm_format_option(cmd, name, true, &f))
    return false;
  *json = f == SM_FORMAT_JSON;
  return true;
}
