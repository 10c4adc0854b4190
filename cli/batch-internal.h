/* The batch's parts shared by the parent (cli/batch.c) and the worker
 * processes (cli/batch-worker.c): the slots, the batch, the wire. */
#ifndef SM_CLI_BATCH_INTERNAL_H
#define SM_CLI_BATCH_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "cli/batch.h"

/* The batch's own process: a worker ends with it. */
extern pid_t sm_batch_parent;

/* A worker that ran out of memory before it could write its result. */
enum { EXIT_WORKER_NOMEM = 3 };

/* A worker process, kept for one hive after another: fork and its
 * copy-on-write are paid once per worker, not once per hive.  It reads
 * item indexes on cmd and writes each item's results on fd, closed by an
 * end frame; a disk image's worker ends after it. */
typedef struct slot {
  pid_t pid; /* 0: no worker */
  int fd;    /* results, from the worker */
  int cmd;   /* items, to the worker (a socket: no SIGPIPE) */
  bool busy; /* auditing item */
  size_t item;
  char *buf;
  size_t len, cap;
  double deadline; /* 0: none */
} slot;

typedef struct batch {
  const sm_found *items;
  size_t n, done;
  const sm_batch_opts *bo;
  sm_writer *w;
  sm_batch_stats *st;
  struct held { /* rendered results by item index, until written: one
                  per hive (a disk image may hold several) */
    struct piece {
      char *bytes;
      size_t len;
    } * v;
    size_t n;
    bool set;
  } * held;
  /* Kept here, in memory a worker can see: a worker exits without freeing
   * what it inherited, and memcheck must not take that for a leak. */
  struct slot *slots;
  struct pollfd *pfd;
  size_t next;   /* the next index to write, in input order */
  size_t queued; /* the next index to start */
  const sm_scan_options *o;
  sm_baseline_set *set;
  sm_progress prog;     /* the progress line on stderr */
  bool stopping;        /* after a poll failure: start nothing more */
  size_t kept, dropped; /* results kept, and those past max_results */
} batch;

/* What a worker writes on its pipe: this header, the error (error_len
 * bytes, no NUL), then the result as the writer rendered it. */
typedef struct wire {
  uint32_t magic;
  sm_scan_summary summary;
  uint32_t error_len;
  uint64_t report_len;
} wire;
#define WIRE_MAGIC 0x534d5231u /* "SMR1" */
#define WIRE_END 0x534d5245u   /* "SMRE": the item's last frame */

/* The scan target of item it (its hive opened as discovery found it). */
void sm_batch_item_target(const sm_found *it, sm_scan_target *t);
/* The worker: bounds first, then items read on cmd until it is closed,
 * results written on wfd.  Never returns. */
void sm_batch_worker(const batch *b, int cmd, int wfd)
    __attribute__((noreturn));

#endif
