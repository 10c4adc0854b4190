#include <config.h>

#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"

static const char *sev_color(const char *sev) {
  if (strcmp(sev, "critical") == 0)
    return "\033[1;31m";
  if (strcmp(sev, "high") == 0)
    return "\033[31m";
  if (strcmp(sev, "medium") == 0)
    return "\033[33m";
  if (strcmp(sev, "low") == 0)
    return "\033[36m";
  return "\033[2m";
}

static const char *sget(json_t *o, const char *k) {
  return json_string_value(json_object_get(o, k));
}

/* Every string from the hive or a baseline is escaped on its way out. */
static void put(FILE *f, const char *label, const char *s) {
  if (!s)
    return;
  fprintf(f, "%s", label);
  sm_fputs_escaped(f, s, false);
  fputc('\n', f);
}

static void upper_of(const char *s, char *out, size_t size) {
  size_t i = 0;
  for (; s[i] && i < size - 1; i++)
    out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
  out[i] = '\0';
}

/* One line per finding of a rule, then what the rule says, once. */
static void print_rule(FILE *f, json_t *findings, size_t first, char *done,
                       const char *key, bool color) {
  json_t *fd = json_array_get(findings, first);
  const char *rule = sget(fd, "rule"), *sev = sget(fd, "severity");
  char upper[16];
  upper_of(sev, upper, sizeof upper);
  fprintf(f, "  %s%-8s%s %s  ", color ? sev_color(sev) : "", upper,
          color ? "\033[0m" : "", rule);
  sm_fputs_escaped(f, sget(fd, "title"), false);
  fputc('\n', f);
  for (size_t j = first; j < json_array_size(findings); j++) {
    json_t *fj = json_array_get(findings, j);
    if (done[j] || strcmp(sget(fj, "key"), key) != 0 ||
        strcmp(sget(fj, "rule"), rule) != 0)
      continue;
    done[j] = 1;
    fputs("           - ", f);
    const char *value = sget(fj, "value");
    if (value) {
      sm_fputs_escaped(f, value[0] ? value : "(default)", false);
      fputs(": ", f);
    }
    sm_fputs_escaped(f, sget(fj, "detail"), false);
    if (json_is_true(json_object_get(fj, "suppressed"))) {
      fputs(" [suppressed: ", f);
      sm_fputs_escaped(f, sget(fj, "justification"), false);
      fputc(']', f);
    }
    if (sget(fj, "suppression_expired"))
      fprintf(f, " [its suppression expired on %s]",
              sget(fj, "suppression_expired"));
    fputc('\n', f);
  }
  put(f, "           expected: ", sget(fd, "expected"));
  put(f, "           normal:   ", sget(fd, "normal"));
  put(f, "           why:      ", sget(fd, "message"));
  json_t *att = json_object_get(fd, "attack");
  if (json_array_size(att)) {
    fprintf(f, "           ATT&CK:   ");
    size_t j;
    json_t *a;
    json_array_foreach(att, j, a) {
      fputs(j ? ", " : "", f);
      sm_fputs_escaped(f, json_string_value(a), false);
    }
    fputc('\n', f);
  }
}

void sm_render_scan_text(FILE *f, json_t *res, bool color) {
  json_t *hive = json_object_get(res, "hive");
  json_t *bl = json_object_get(res, "baseline");
  fputs(color ? "\033[1m" : "", f);
  sm_fputs_escaped(f, sget(res, "target"), false);
  fputs(color ? "\033[0m\n" : "\n", f);
  if (json_is_object(hive)) {
    if (strcmp(sget(hive, "path"), sget(res, "target")) != 0)
      put(f, "  hive:      ", sget(hive, "path"));
    json_t *seq = json_object_get(hive, "sequence");
    if (json_is_true(json_object_get(hive, "dirty"))) {
      json_t *rec = json_object_get(hive, "recovery");
      fprintf(f, "  dirty:     sequence numbers %lld/%lld; ",
              (long long)json_integer_value(json_array_get(seq, 0)),
              (long long)json_integer_value(json_array_get(seq, 1)));
      if (json_is_true(json_object_get(rec, "recovered"))) {
        fprintf(f, "recovered %lld entries, %lld pages from ",
                (long long)json_integer_value(json_object_get(rec, "entries")),
                (long long)json_integer_value(json_object_get(rec, "pages")));
        sm_fputs_escaped(f, sget(rec, "logs"), false);
        fputc('\n', f);
      } else {
        fprintf(f, "audited as it is on disk, without its transaction logs\n");
      }
    }
    /* A warning may come without a dirty hive (a truncated image). */
    put(f, "  warning:   ", sget(json_object_get(hive, "recovery"), "warning"));
    if (json_is_true(json_object_get(hive, "unsafe")))
      fprintf(f, "  damaged:   opened in tolerant mode; results come from a "
                 "damaged hive\n");
    json_t *ccs = json_object_get(hive, "current_control_set");
    if (json_is_integer(ccs))
      fprintf(f, "  current:   ControlSet%03lld\n",
              (long long)json_integer_value(ccs));
  }
  if (json_is_object(bl)) {
    fprintf(f, "  baseline:  ");
    sm_fputs_escaped(f, sget(bl, "name"), false);
    fprintf(f, " (%s", sget(bl, "selected"));
    if (strcmp(sget(bl, "selected"), "detected") == 0) {
      fputs(": ", f);
      sm_fputs_escaped(f, sget(bl, "reason"), false);
    }
    fputs(")\n", f);
  }
  const char *error = sget(res, "error");
  if (error) {
    put(f, "  error:     ", error);
    return;
  }

  json_t *findings = json_object_get(res, "findings");
  /* Group by key, in the order keys first appear. */
  size_t n = json_array_size(findings);
  char *done = calloc(n ? n : 1, 1);
  for (size_t i = 0; done && i < n; i++) {
    if (done[i])
      continue;
    json_t *fi = json_array_get(findings, i);
    const char *key = sget(fi, "key");
    fputs("\n  [", f);
    sm_fputs_escaped(f, key, false);
    fputs("]", f);
    put(f, "  last write ", sget(fi, "last_write"));
    if (!sget(fi, "last_write"))
      fputc('\n', f);
    for (size_t j = i; j < n; j++) {
      json_t *fj = json_array_get(findings, j);
      if (!done[j] && strcmp(sget(fj, "key"), key) == 0)
        print_rule(f, findings, j, done, key, color);
    }
  }
  free(done);

  size_t j;
  json_t *e;
  json_array_foreach(json_object_get(res, "rule_errors"), j, e) {
    fprintf(f, "  ERROR    %s  ", sget(e, "rule"));
    sm_fputs_escaped(f, sget(e, "key"), false);
    fputs(": ", f);
    sm_fputs_escaped(f, sget(e, "message"), false);
    fputc('\n', f);
  }

  json_t *sum = json_object_get(res, "summary");
  json_t *c = json_object_get(sum, "by_severity");
  static const char *const sevs[] = {"critical", "high", "medium", "low",
                                     "info"};
  long long total = 0;
  for (size_t k = 0; k < 5; k++)
    total += json_integer_value(json_object_get(c, sevs[k]));
  fprintf(f, "\n  summary:   %lld finding%s", total, total == 1 ? "" : "s");
  const char *sep = " (";
  for (size_t k = 0; k < 5; k++) {
    long long v = json_integer_value(json_object_get(c, sevs[k]));
    if (v) {
      fprintf(f, "%s%lld %s", sep, v, sevs[k]);
      sep = ", ";
    }
  }
  fprintf(f, "%s; %lld suppressed; %lld rules held, %lld did not apply\n",
          total ? ")" : "",
          (long long)json_integer_value(json_object_get(c, "suppressed")),
          (long long)json_integer_value(json_object_get(sum, "rules_passed")),
          (long long)json_integer_value(json_object_get(sum, "not_applicable")));
}
