/* Batch scanning: hives audited in a few worker processes, each reused
 * from hive to hive, each hive within bounds of time and memory, and the
 * results handed to the writer as they come (or sorted at the end). */
#ifndef SM_CLI_BATCH_H
#define SM_CLI_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/scan.h"
#include "source/discover.h"

typedef struct sm_batch_opts {
  unsigned jobs;             /* worker processes at a time, >= 1 */
  unsigned timeout;          /* seconds per hive, wall clock and CPU; 0 none */
  unsigned long max_memory;  /* MiB of address space per worker; 0 none */
  unsigned long max_results; /* results one run keeps; past them each is
                                counted as an error, not kept; 0 none */
  bool sort;                 /* emit by target at the end, not as they come */
  bool in_process;           /* one item: audit it here, without a worker
                                (and so without timeout and max_memory) */
  bool progress;             /* redraw a progress line on stderr */
  bool quiet_errors;         /* the report on the same terminal says each
                                hive's error: not said again on stderr */
  int fail_on;               /* severity that fails the run, -1 never */
} sm_batch_opts;

/* One host of a batch: the hives with its computer name (or, unnamed, one
 * target), for the summary by host. */
typedef struct sm_batch_host {
  char *name;   /* computer name, or NULL (unknown) */
  char *target; /* its first hive's target */
  size_t hives;
  size_t by_severity[5];
  size_t errors, incomplete;
  int max_severity; /* -1 none */
} sm_batch_host;

typedef struct sm_batch_stats {
  size_t hives;
  size_t by_severity[5]; /* unsuppressed findings, by sm_severity */
  size_t suppressed;
  size_t errors;     /* hives that could not be audited */
  size_t incomplete; /* hives audited with rules that could not be
                        evaluated (a damaged key) */
  bool any_fail;     /* a hive reached fail_on, or (unless --fail-on never)
                        was audited incompletely */
  double elapsed;
  sm_batch_host *hosts; /* by host, in the order first seen */
  size_t n_hosts;
} sm_batch_stats;

/* Count one hive's result in its host (cli/batch-progress.c). */
void sm_batch_count_host(sm_batch_stats *st, const char *target,
                         const sm_scan_summary *sum, bool incomplete);
void sm_batch_stats_free(sm_batch_stats *st);

/* Audit items[0..n), each with sm_scan in a worker process that renders
 * the result with w and hands over the bytes and an sm_scan_summary.  An
 * item that fails (or whose worker dies) becomes a result with its error
 * set; the others go on. */
void sm_batch_run(const sm_found *items, size_t n, const sm_scan_options *o,
                  sm_baseline_set *set, const sm_batch_opts *bo, sm_writer *w,
                  sm_batch_stats *st);

/* cli/batch-progress.c: the progress line, redrawn on stderr. */
typedef struct sm_progress {
  double start, drawn; /* sm_batch_now() at the start, at the last draw */
  bool shown;
} sm_progress;
double sm_batch_now(void); /* monotonic seconds */
void sm_progress_draw(sm_progress *p, size_t done, size_t n,
                      const sm_batch_stats *st, bool force);
void sm_progress_clear(sm_progress *p);

/* "smaudit: 3 hives, findings: ..., 2.1 s" on stderr; the folders that
 * could not be read counted apart when there are any.  Then, for more than
 * one host, the hosts worst first: each with an error, an incomplete audit
 * or a finding above info, one line each (the first SM_BATCH_HOSTS_MAX),
 * and how many others. */
#define SM_BATCH_HOSTS_MAX 50
void sm_batch_hosts_summary(const sm_batch_stats *st);
void sm_batch_summary(const sm_batch_stats *st, size_t skipped,
                      size_t unreadable);

#endif
