/* The text report's blocks on earlier states of a hive: how a RegBack copy
 * differs from the live hive (docs/json.md, "Earlier states"). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"

/* Lines of text s, each indented by ind. */
static void indented(FILE *f, const char *s, size_t len, const char *ind) {
  const char *end = s + len;
  while (s < end) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
    if (n > 1)
      fputs(ind, f);
    fwrite(s, 1, n, f);
    s += n;
  }
}

/* One key's differences (v[0..n)), with the key's last write each side. */
static void key_block(FILE *f, const sm_difference *v, size_t n,
                      const char *side) {
  sm_diff one = {.v = (sm_difference *)v, .n = n};
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m)
    return;
  sm_diff_text(m, &one);
  if (fclose(m) == 0)
    indented(f, buf, len, "    ");
  free(buf);
  char ta[32], tb[32];
  sm_filetime_iso8601(v[0].a_last_write, ta, sizeof ta);
  sm_filetime_iso8601(v[0].b_last_write, tb, sizeof tb);
  fprintf(f, "    (key last written: %s %s, live %s)\n", side,
          ta[0] ? ta : "absent", tb[0] ? tb : "absent");
}

static void print_live(FILE *f, const sm_scan_result *r) {
  const char *side =
      r->role && strcmp(r->role, "regback") == 0 ? "RegBack" : "this copy";
  fputs("\n  against live: ", f);
  sm_fputs_escaped(f, r->live, false);
  if (!r->live_ok) {
    fputs("\n    could not be compared: ", f);
    sm_fputs_escaped(f, r->live_error ? r->live_error : "?", false);
    fputc('\n', f);
    return;
  }
  const sm_diff *d = &r->live_diff;
  fprintf(f, "\n    %zu difference%s in the audited keys (- %s, + live)\n",
          d->n, d->n == 1 ? "" : "s", side);
  for (size_t i = 0; i < d->n;) {
    size_t j = i + 1;
    while (j < d->n && d->v[j].root == d->v[i].root &&
           strcmp(d->v[j].key, d->v[i].key) == 0)
      j++;
    key_block(f, &d->v[i], j - i, side);
    i = j;
  }
}

static void print_deleted(FILE *f, const sm_scan_result *r) {
  fprintf(f,
          "\n  deleted:   %zu recovered from free cells (values and keys "
          "deleted from the audited keys)\n",
          r->n_deleted);
  for (size_t i = 0; i < r->n_deleted; i++) {
    const struct sm_scan_deleted *d = &r->deleted[i];
    fputs("    ", f);
    sm_fputs_escaped(f, d->key, false);
    fputs(d->is_key ? "  subkey " : "  value ", f);
    sm_fputs_escaped(f, d->is_key || d->name[0] ? d->name : "(default)", false);
    fprintf(f, "  (cell 0x%x", (unsigned)d->cell);
    if (d->is_key) {
      char ts[32];
      sm_filetime_iso8601(d->last_write, ts, sizeof ts);
      fprintf(f, ", %zu value%s, last write %s", d->n_values,
              d->n_values == 1 ? "" : "s", ts[0] ? ts : "unknown");
    }
    fputs(")\n", f);
  }
}

void sm_render_seen(FILE *f, const sm_finding *fd) {
  if (!fd->n_seen)
    return;
  fputs("             history: ", f);
  for (size_t i = 0; i < fd->n_seen; i++) {
    char ts[32];
    sm_filetime_iso8601(fd->seen[i].time, ts, sizeof ts);
    fprintf(f, "%s%s%s%s %s", i ? ", then " : "seen in ", fd->seen[i].source,
            fd->seen[i].store[0] ? " " : "", fd->seen[i].store,
            ts[0] ? ts : "(time unknown)");
  }
  fputc('\n', f);
}

/* Findings of an older state that the live hive no longer has. */
static void print_removed(FILE *f, const sm_scan_result *r) {
  for (size_t i = 0; i < r->removed.n_findings; i++) {
    const sm_finding *fd = &r->removed.findings[i];
    char ts[32];
    sm_filetime_iso8601(fd->removed_since, ts, sizeof ts);
    fprintf(f, "%s  removed since %s: %-8s %s  ", i ? "" : "\n",
            ts[0] ? ts : "(time unknown)", sm_severity_name(fd->severity),
            fd->rule->id);
    sm_fputs_escaped(f, fd->key, false);
    if (fd->value) {
      fputc('\\', f);
      sm_fputs_escaped(f, fd->value[0] ? fd->value : "(default)", false);
    }
    if (fd->observed) {
      fputs(": \"", f);
      sm_fputs_escaped(f, fd->observed, true);
      fputc('"', f);
    }
    for (size_t j = 0; j < fd->n_also; j++)
      fprintf(f, "%s%s (%s)", j ? ", " : " (also: ", fd->also[j].rule->id,
              sm_severity_name(fd->also[j].severity));
    fputs(fd->n_also ? ")\n" : "\n", f);
    sm_render_seen(f, fd);
  }
}

void sm_render_scan_earlier(FILE *f, const sm_scan_result *r) {
  if (r->removed.n_findings)
    print_removed(f, r);
  if (r->n_deleted)
    print_deleted(f, r);
  if (r->live)
    print_live(f, r);
}
