/* Output of the scan pipeline (checks/scan.h): each format reads the typed
 * sm_scan_result; nothing is read back from JSON.  A writer renders one
 * result to bytes (in a batch, in the worker that audited the hive) and
 * adds those bytes to its output (in the parent), so that a batch's worker
 * hands over the rendered report and an sm_scan_summary only. */
#ifndef SM_CLI_SCAN_H
#define SM_CLI_SCAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "checks/scan.h"
#include "source/image-pick.h"

/* cli/scan-json.c: the JSON Lines contract (docs/json.md). */
json_t *sm_scan_json(const sm_scan_result *r);
void sm_render_scan_json(FILE *f, const sm_scan_result *r);
/* j as one line of JSON Lines (compact, ASCII), then released. */
void sm_json_line(FILE *f, json_t *j);
/* The "host" object of a result (docs/json.md). */
json_t *sm_host_json(const sm_host *h);
/* Unix time t as "YYYY-MM-DDTHH:MM:SSZ"; "" for 0. */
void sm_unix_iso8601(int64_t t, char *buf, size_t size);
/* The "data" object of a finding: the value as stored (null: none). */
json_t *sm_finding_data_json(const sm_finding_data *d);
/* One change, one result: "rules", the id of every rule that fired about
 * it, the finding's own first; "also", the other rules' findings merged
 * into it (rule, title, severity, observed, expected, detail). */
json_t *sm_finding_rules_json(const sm_finding *f);
json_t *sm_finding_also_json(const sm_finding *f);
/* How the boot plan accounts for the values it reads ("coverage"; json
 * null without a plan). */
json_t *sm_plan_coverage_json(const sm_scan_result *r);
/* The date a matching suppression expired ("" when none): YYYY-MM-DD. */
void sm_finding_expired_date(const sm_finding *f, char *buf, size_t size);
int sm_today_ymd(void);

/* The "image" object of a result read from a disk image (json null for
 * NULL). */
json_t *sm_scan_image_json(const sm_scan_image *g);

/* cli/scan-image.c: audit every SYSTEM hive in the disk image at path
 * (found and read by source/), or only the one named inner
 * (IMAGE:pN:/PATH) when not NULL, each result handed to emit as it is made
 * (emit does not keep r, and may add to its error). */
void sm_scan_disk_image(const char *path, const char *inner,
                        const sm_scan_options *o,
                   sm_baseline_set *set,
                   void (*emit)(void *ctx, sm_scan_result *r),
                   void *ctx);
/* A scan target that opens the hive picked out of a disk image (and its
 * SOFTWARE) from memory. */
void sm_image_pick_target(sm_image_pick *p, sm_scan_target *t);

/* cli/scan-text.c: the report for a person. */
void sm_render_scan_text(FILE *f, const sm_scan_result *r, bool color);
/* cli/scan-earlier.c: the blocks on earlier states (a RegBack copy
 * against the live hive). */
void sm_render_scan_earlier(FILE *f, const sm_scan_result *r);
/* A finding's history on one line ("history: seen in regback T, then live
 * T"), when other states were compared. */
void sm_render_seen(FILE *f, const sm_finding *fd);
/* cli/text-wrap.c: text s[0..len) with each line longer than width
 * columns wrapped at a space, its continuation indented under the line's
 * text. */
void sm_text_wrap(FILE *f, const char *s, size_t len, unsigned width);

/* An output format: results are handed over one at a time, as each hive
 * finishes; a format that needs them all (SARIF) writes at the end. */
typedef enum sm_format {
  SM_FORMAT_TEXT,
  SM_FORMAT_JSON,
  SM_FORMAT_SARIF,
  SM_FORMAT_CSV,
  SM_FORMAT_TIMELINE,
} sm_format;

/* cli/format.c: the one table of formats (names, aliases, one line of
 * help each), from which the following come. */
bool sm_format_parse(const char *name, sm_format *out);
/* The names, "text, json, sarif or csv" (sep NULL) or joined by sep
 * ("text|json"); text_or_json: only those two.  A static buffer. */
const char *sm_format_list(bool text_or_json, const char *sep);
/* One line per format, "INDENT NAME HELP", for a usage text. */
void sm_format_usage(FILE *f, const char *indent);
/* --format NAME of cmd: false, with "cmd: unknown format 'x' (text, json,
 * sarif or csv)" said, when it is none (or not text or json). */
bool sm_format_option(const char *cmd, const char *name, bool text_or_json,
                      sm_format *out);
/* For the commands that write text or JSON only (show, diff): false, with
 * the error said, for any other format. */
bool sm_format_text_or_json(const char *cmd, const char *name, bool *json);

typedef struct sm_writer sm_writer;
struct sm_writer {
  sm_format format;
  FILE *f;
  bool color;
  unsigned width; /* text: wrap lines to this many columns; 0 never */
  int min_severity; /* findings below it are not shown (0: every one) */
  size_t n_results;
  bool failed; /* a result was lost (out of memory): the report is not whole */
  void *state; /* the format's own */
  /* One result as this format's bytes; runs in a batch's worker. */
  void (*render)(const sm_writer *w, const sm_scan_result *r, FILE *out);
  /* Add bytes from render to the output (default: write them). */
  void (*add)(sm_writer *w, const char *bytes, size_t len);
  void (*finish)(sm_writer *w);
};

/* Returns false when out of memory. */
bool sm_writer_init(sm_writer *w, sm_format format, FILE *f, bool color);
/* r rendered by w into a new buffer (*buf caller-frees); false when out of
 * memory. */
bool sm_writer_render(const sm_writer *w, const sm_scan_result *r, char **buf,
                      size_t *len);
void sm_writer_add(sm_writer *w, const char *bytes, size_t len);
/* Render and add, in this process. */
void sm_writer_result(sm_writer *w, const sm_scan_result *r);
/* Writes what is pending and frees the state; returns false on a write
 * error or a lost result. */
bool sm_writer_finish(sm_writer *w);

/* Formats other than text and JSON Lines (cli/sarif.c, cli/csv.c). */
bool sm_writer_init_sarif(sm_writer *w);
bool sm_writer_init_csv(sm_writer *w);
bool sm_writer_init_timeline(sm_writer *w); /* cli/timeline.c */

/* The files a finding names (cli/files-out.c): the JSON array, and one
 * text line each. */
struct sm_file_fact;
json_t *sm_files_json(const struct sm_file_fact *v, size_t n);
json_t *sm_file_json(const struct sm_file_fact *ff);
/* One line (path: what was found), newline-terminated. */
void sm_file_text(FILE *f, const struct sm_file_fact *ff);
void sm_files_text(FILE *f, const sm_finding *fd);

#endif
