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

/* The highest unsuppressed severity in a result (-1 none), and whether it
 * failed. */
int sm_result_max_severity(json_t *result);
bool sm_result_failed(json_t *result);

/* Renderers. */
void sm_render_scan_text(FILE *f, json_t *result, bool color);
void sm_render_scan_json(FILE *f, json_t *result);

int sm_today_ymd(void);

#endif
