#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/batch-internal.h"
#include "cli/cli.h"

static void write_all(int fd, const char *s, size_t len) {
  while (len) {
    ssize_t r = write(fd, s, len);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      _exit(1);
    s += r;
    len -= (size_t)r;
  }
}

/* An audit that ran out of memory under --max-memory says the limit. */
static void name_memory_limit(sm_scan_result *r) {
  char *msg = sm_cli_memory_named(r->error, "the worker's");
  if (!msg)
    return;
  free(r->error);
  r->error = msg;
}

/* One result on the pipe: its header, error and rendered report.  A disk
 * image writes one per hive found in it. */
struct frame_ctx {
  const batch *b;
  int wfd;
};

static void write_frame(void *ctx, sm_scan_result *res) {
  const struct frame_ctx *c = ctx;
  name_memory_limit(res);
  char *report;
  size_t len;
  if (!sm_writer_render(c->b->w, res, &report, &len))
    _exit(EXIT_WORKER_NOMEM);
  wire h;
  memset(&h, 0, sizeof h); /* no uninitialised padding on the pipe */
  h.magic = WIRE_MAGIC;
  h.summary = res->summary;
  h.error_len = res->error ? (uint32_t)strlen(res->error) : 0;
  h.report_len = len;
  write_all(c->wfd, (const char *)&h, sizeof h);
  write_all(c->wfd, res->error ? res->error : "", h.error_len);
  write_all(c->wfd, report, len);
  free(report);
}

/* The live hive a RegBack copy is compared with: its file. */
static sm_result open_live(const sm_scan_target *t, unsigned flags,
                           sm_hive **out, sm_error *err) {
  const sm_found *it = t->open_data;
  return sm_hive_open(it->live_path, flags, out, err);
}

/* The RegBack copy of a live hive: its file. */
static sm_result open_regback(const sm_scan_target *t, unsigned flags,
                              sm_hive **out, sm_error *err) {
  const sm_found *it = t->open_data;
  return sm_hive_open(it->regback_path, flags, out, err);
}

/* A hive found below a folder: read as discovery found it. */
static sm_result open_found(const sm_scan_target *t, unsigned flags,
                            sm_hive **out, sm_error *err) {
  return sm_found_open(t->open_data, flags, out, err);
}

/* A shadow copy a collection holds as a volume of its own: what is known
 * of its store (its number, the hive's path), for one target at a time. */
static const sm_scan_shadow *collected_shadow(const sm_found *it) {
  static sm_scan_shadow s;
  if (it->role != SM_ROLE_SHADOW || it->image)
    return NULL;
  s = (sm_scan_shadow){
      .volume = it->volume,
      .store = it->shadow_store,
      .path = it->shadow_regback ? "/Windows/System32/config/RegBack/SYSTEM"
                                 : "/Windows/System32/config/SYSTEM"};
  return &s;
}

void sm_batch_item_target(const sm_found *it, sm_scan_target *t) {
  *t = (sm_scan_target){.name = it->target,
                        .path = it->path,
                        .software = it->software,
                        .role = sm_role_name(it->role),
                        .volume = it->volume,
                        .volume_name = it->volume_name,
                        .shadow = collected_shadow(it),
                        .live = it->live,
                        .regback = it->regback,
                        .open = it->held ? open_found : NULL,
                        .open_data = (void *)it,
                        .open_live = it->live_path ? open_live : NULL,
                        .open_regback = it->regback_path ? open_regback : NULL};
}

/* The worker's bounds, set once: its address space, and its death with
 * the parent. */
static void worker_bounds(const sm_batch_opts *bo) {
  /* Whatever ends the parent (a signal, even SIGKILL) ends the workers:
   * nothing keeps running up to --timeout for a result nobody reads. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != sm_batch_parent)
    _exit(1); /* the parent is already gone */
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  signal(SIGXCPU, SIG_DFL);
  sm_cli_limit_memory(bo->max_memory);
}

/* --timeout of CPU for the next item: SIGXCPU (whose default ends the
 * process) when this item has used it, whatever the items before used.
 * Only the soft limit moves: raising a hard one needs privilege. */
static void item_cpu_limit(unsigned timeout) {
  struct rusage ru;
  struct rlimit r;
  if (!timeout || getrusage(RUSAGE_SELF, &ru) != 0 ||
      getrlimit(RLIMIT_CPU, &r) != 0)
    return;
  rlim_t want =
      (rlim_t)ru.ru_utime.tv_sec + (rlim_t)ru.ru_stime.tv_sec + 1 + timeout;
  r.rlim_cur =
      r.rlim_max != RLIM_INFINITY && want > r.rlim_max ? r.rlim_max : want;
  setrlimit(RLIMIT_CPU, &r);
}

static bool read_index(int fd, uint64_t *idx) {
  size_t got = 0;
  while (got < sizeof *idx) {
    ssize_t r = read(fd, (char *)idx + got, sizeof *idx - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    got += (size_t)r;
  }
  return true;
}

/* One item in the worker: its audit, its results rendered with their
 * summaries, and the end frame. */
static void worker_item(const sm_found *it, const batch *b, int wfd) {
  /* For the tests: a worker that hangs or crashes. */
  const char *t = getenv("SMAUDIT_TEST_WORKER");
  if (t && strcmp(t, "hang") == 0)
    for (;;)
      pause();
  if (t && strcmp(t, "crash") == 0)
    raise(SIGSEGV);
  struct frame_ctx ctx = {b, wfd};
  if (it->image) {
    sm_scan_disk_image(it->path, it->inner, b->o, b->set, write_frame, &ctx);
  } else {
    sm_scan_target target;
    sm_scan_result res;
    sm_batch_item_target(it, &target);
    sm_scan(&target, b->o, b->set, &res);
    write_frame(&ctx, &res);
    sm_scan_result_free(&res);
  }
  wire end;
  memset(&end, 0, sizeof end);
  end.magic = WIRE_END;
  write_all(wfd, (const char *)&end, sizeof end);
}

/* The worker: bounds first, then items until the parent closes cmd.  It
 * never returns, and never flushes the parent's stdio buffers. */
void sm_batch_worker(const batch *b, int cmd, int wfd) {
  worker_bounds(b->bo);
  uint64_t idx;
  while (read_index(cmd, &idx) && idx < b->n) {
    item_cpu_limit(b->bo->timeout);
    worker_item(&b->items[idx], b, wfd);
    /* A disk image changes how the process opens files: its worker ends
     * with it. */
    if (b->items[idx].image)
      break;
  }
  _exit(0);
}
