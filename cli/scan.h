/* The scan of one hive, as the JSON object of the JSON Lines contract
 * (docs/json.md); every output format is drawn from it. */
#ifndef SM_CLI_SCAN_H
#define SM_CLI_SCAN_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "checks/audit.h"
#include "checks/baseline.h"

typedef struct sm_scan_opts {
  const char *const *baselines; /* --baseline, in order; n 0 = detect */
  size_t n_baselines;
  bool all_control_sets;
  unsigned open_flags;
  int today;                    /* YYYYMMDD */
} sm_scan_opts;

/* Baselines loaded once per run, shared by every hive (and thread). */
typedef struct sm_baseline_cache {
  pthread_mutex_t lock;
  sm_baseline_parse_cache *parsed; /* each file parsed once, however many
                                      baselines extend it (NULL: none) */
  sm_baseline *given;           /* from --baseline, or NULL */
  struct {
    char *name;
    sm_baseline *b;
    char *error;                /* why it could not be loaded */
  } family[8];
  size_t n_family;
} sm_baseline_cache;

int sm_baseline_cache_init(sm_baseline_cache *c, const sm_scan_opts *o,
                           sm_error *err);
void sm_baseline_cache_destroy(sm_baseline_cache *c);

/* Audit one hive file; never NULL.  "error" is set when it could not be
 * audited.  software: a SOFTWARE hive beside it for detection, or NULL. */
json_t *sm_scan_hive(const char *target, const char *path,
                     const char *software, const sm_scan_opts *o,
                     sm_baseline_cache *cache);

/* A result for a hive that could not be audited at all (never NULL): the
 * same fields as sm_scan_hive's, with "error" set to msg. */
json_t *sm_scan_error_result(const char *target, const char *msg);
/* "role" (system, regback) and "volume" (the volume root found by
 * discovery, or null). */
void sm_result_set_origin(json_t *res, const char *role, const char *volume);

/* Load every shipped family baseline now, so that the worker processes of
 * a batch inherit them instead of each parsing its own. */
void sm_baseline_cache_preload(sm_baseline_cache *c);

/* The highest unsuppressed severity in a result (-1 none), and whether it
 * failed. */
int sm_result_max_severity(json_t *result);
bool sm_result_failed(json_t *result);

/* Renderers of one result. */
void sm_render_scan_text(FILE *f, json_t *result, bool color);
void sm_render_scan_json(FILE *f, json_t *result);

/* An output format: results are handed over one at a time, as each hive
 * finishes; a format that needs them all (SARIF) writes at the end. */
typedef enum sm_format {
  SM_FORMAT_TEXT,
  SM_FORMAT_JSON,
  SM_FORMAT_SARIF,
  SM_FORMAT_CSV,
} sm_format;

bool sm_format_parse(const char *name, sm_format *out);
/* For the commands that write text or JSON only (show, diff): false, with
 * the error said, for any other format. */
bool sm_format_text_or_json(const char *cmd, const char *name, bool *json);

typedef struct sm_writer sm_writer;
struct sm_writer {
  sm_format format;
  FILE *f;
  bool color;
  size_t n_results;
  void *state; /* the format's own */
  void (*result)(sm_writer *w, json_t *result);
  void (*finish)(sm_writer *w);
};

/* Returns false when out of memory. */
bool sm_writer_init(sm_writer *w, sm_format format, FILE *f, bool color);
void sm_writer_result(sm_writer *w, json_t *result);
/* Writes what is pending and frees the state; returns false on a write
 * error. */
bool sm_writer_finish(sm_writer *w);

/* Formats other than text and JSON Lines (cli/sarif.c, cli/csv.c). */
bool sm_writer_init_sarif(sm_writer *w);
bool sm_writer_init_csv(sm_writer *w);

int sm_today_ymd(void);

#endif
