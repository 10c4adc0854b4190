#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fault.h"
#include "cli/batch.h"
#include "cli/cli.h"

/* gcc says __SANITIZE_ADDRESS__, clang __has_feature(address_sanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#define SM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SM_ASAN 1
#endif
#endif
#ifndef SM_ASAN
#define SM_ASAN 0
#endif

/* The batch's own process: a worker ends with it. */
static pid_t batch_parent;

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
  sm_progress prog; /* the progress line on stderr */
  bool stopping;    /* after a poll failure: start nothing more */
} batch;

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

/* An audit that ran out of memory under --max-memory says the limit. */
static void name_memory_limit(sm_scan_result *r, const sm_batch_opts *bo) {
  char *msg = NULL;
  if (!bo->max_memory || !r->error || !strstr(r->error, strerror(ENOMEM)) ||
      asprintf(&msg,
               "%s (the worker's address space is limited to %lu MiB: "
               "--max-memory)",
               r->error, bo->max_memory) < 0)
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
  name_memory_limit(res, c->b->bo);
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

static void item_target(const sm_found *it, sm_scan_target *t) {
  *t = (sm_scan_target){.name = it->target,
                        .path = it->path,
                        .software = it->software,
                        .role = sm_role_name(it->role),
                        .volume = it->volume,
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
  if (getppid() != batch_parent)
    _exit(1); /* the parent is already gone */
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  signal(SIGXCPU, SIG_DFL);
#if !SM_ASAN
  /* AddressSanitizer reserves terabytes of shadow address space. */
  if (bo->max_memory) {
    struct rlimit r;
    r.rlim_cur = r.rlim_max = (rlim_t)bo->max_memory << 20;
    setrlimit(RLIMIT_AS, &r);
  }
#endif
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
  rlim_t want = (rlim_t)ru.ru_utime.tv_sec + (rlim_t)ru.ru_stime.tv_sec + 1 +
                timeout;
  r.rlim_cur = r.rlim_max != RLIM_INFINITY && want > r.rlim_max ? r.rlim_max
                                                                 : want;
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
    item_target(it, &target);
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
static void worker(const batch *b, int cmd, int wfd) {
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

static void clear_line(batch *b) { sm_progress_clear(&b->prog); }

static void draw(batch *b, bool force) {
  if (b->bo->progress)
    sm_progress_draw(&b->prog, b->done, b->n, b->st, force);
}

/* A hive's result: count it from its summary, say its error, and keep its
 * rendered report (bytes, taken) for its turn. */
static void take(batch *b, size_t idx, const sm_scan_summary *sum,
                 const char *error, char *bytes, size_t len) {
  const sm_found *it = &b->items[idx];
  sm_batch_stats *st = b->st;
  st->hives++;
  if (sum->failed && b->bo->quiet_errors) {
    st->errors++;
  } else if (sum->failed) {
    st->errors++;
    clear_line(b);
    size_t tl = strlen(it->target);
    /* The hive's own errors name it; a worker's fate does not. */
    if (error && strncmp(error, it->target, tl) == 0 && error[tl] == ':')
      sm_cli_error("%s", error);
    else
      sm_cli_error("%s: %s", it->target, error ? error : "error");
  }
  if (sum->rule_errors && !sum->failed && b->bo->quiet_errors) {
    st->incomplete++;
  } else if (sum->rule_errors && !sum->failed) {
    st->incomplete++;
    clear_line(b);
    sm_cli_error("%s: audit incomplete: %zu rule%s could not be evaluated "
                 "(a damaged key)",
                 it->target, sum->rule_errors,
                 sum->rule_errors == 1 ? "" : "s");
  }
  if (sum->unread_logs && !sum->failed && !sum->rule_errors) {
    st->incomplete++;
    if (!b->bo->quiet_errors) {
      clear_line(b);
      sm_cli_error("%s: audit incomplete: %zu transaction log%s could not be "
                   "read",
                   it->target, sum->unread_logs,
                   sum->unread_logs == 1 ? "" : "s");
    }
  }
  sm_batch_count_host(st, it->target, sum,
                      sum->rule_errors || sum->unread_logs);
  st->suppressed += sum->suppressed;
  for (int s = SM_SEV_INFO; s <= SM_SEV_CRITICAL; s++)
    st->by_severity[s] += sum->by_severity[s];
  if (b->bo->fail_on >= 0 && sum->max_severity >= b->bo->fail_on)
    st->any_fail = true;
  struct held *h = &b->held[idx];
  struct piece *v = bytes ? realloc(h->v, (h->n + 1) * sizeof *v) : NULL;
  if (!v) {
    free(bytes);
    b->w->failed = true; /* out of memory: the report is not whole */
    return;
  }
  h->v = v;
  h->v[h->n++] = (struct piece){bytes, len};
}

static void write_held(batch *b, size_t idx) {
  struct held *h = &b->held[idx];
  for (size_t k = 0; k < h->n; k++) {
    sm_writer_add(b->w, h->v[k].bytes, h->v[k].len);
    free(h->v[k].bytes);
  }
  free(h->v);
  h->v = NULL;
  h->n = 0;
}

/* Item idx is done: its results are written in turn. */
static void complete(batch *b, size_t idx) {
  b->done++;
  b->held[idx].set = true;
  /* Results are written in input order, each as soon as those before it
   * are: a batch's output is the same at any -j. */
  if (!b->bo->sort)
    for (; b->next < b->n && b->held[b->next].set; b->next++) {
      clear_line(b);
      write_held(b, b->next);
    }
  draw(b, false);
}

/* A result made here, for a hive that has none of its own. */
static void deliver_error(batch *b, size_t idx, const char *msg) {
  sm_scan_target t;
  sm_scan_result res;
  char *bytes = NULL;
  size_t len = 0;
  item_target(&b->items[idx], &t);
  sm_scan_result_error(&t, msg, &res);
  if (!sm_writer_render(b->w, &res, &bytes, &len))
    b->w->failed = true;
  take(b, idx, &res.summary, res.error, bytes, len);
  complete(b, idx);
  sm_scan_result_free(&res);
}

enum item_state { ITEM_MORE, ITEM_DONE, ITEM_BAD };

/* Whether buf[0..len) holds a whole item: its frames and the end frame
 * (*end: the bytes up to it). */
static enum item_state scan_item(const char *buf, size_t len, size_t *end) {
  size_t at = 0;
  wire h;
  while (len - at >= sizeof h) {
    memcpy(&h, buf + at, sizeof h);
    at += sizeof h;
    if (h.magic == WIRE_END) {
      *end = at;
      return ITEM_DONE;
    }
    if (h.magic != WIRE_MAGIC)
      return ITEM_BAD;
    if (h.error_len > len - at || h.report_len > len - at - h.error_len)
      return ITEM_MORE;
    at += h.error_len + h.report_len;
  }
  return ITEM_MORE;
}

/* The results of item idx as its worker wrote them (one per hive, then
 * the end frame), checked first; false when they are not whole or there
 * is none. */
static bool deliver_wire(batch *b, size_t idx, const char *buf, size_t len) {
  size_t end, at = 0, n = 0;
  wire h;
  if (!buf || scan_item(buf, len, &end) != ITEM_DONE || end != len)
    return false;
  for (; at + sizeof h < end; n++) {
    memcpy(&h, buf + at, sizeof h);
    at += sizeof h + h.error_len + h.report_len;
  }
  if (n == 0)
    return false;
  for (at = 0; n--;) {
    memcpy(&h, buf + at, sizeof h);
    at += sizeof h;
    char *error = h.summary.failed ? strndup(buf + at, h.error_len) : NULL;
    char *bytes = malloc(h.report_len ? h.report_len : 1);
    if (bytes) /* else lost: take() says so */
      memcpy(bytes, buf + at + h.error_len, h.report_len);
    take(b, idx, &h.summary, error, bytes, bytes ? h.report_len : 0);
    free(error);
    at += h.error_len + h.report_len;
  }
  complete(b, idx);
  return true;
}

static bool start(batch *b, slot *s, size_t idx);

/* Start the next hive in the idle slot s, if any is left. */
static void refill(batch *b, slot *s) {
  while (b->queued < b->n) {
    size_t idx = b->queued++;
    if (b->items[idx].error)
      deliver_error(b, idx, b->items[idx].error);
    else if (start(b, s, idx))
      return;
  }
}

/* The slot's worker is gone or told to go: its descriptors closed, its
 * status collected, the slot empty.  Returns the wait status. */
static int reap(slot *s) {
  int status = 0;
  close(s->fd);
  close(s->cmd);
  while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
    ;
  free(s->buf);
  memset(s, 0, sizeof *s);
  return status;
}

/* Why a worker that ended during its item wrote no whole result. */
static void worker_fate(const batch *b, int status, bool timed_out,
                        char *msg, size_t size) {
  if (timed_out) {
    snprintf(msg, size, "audit exceeded the time limit of %u s",
             b->bo->timeout);
  } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU) {
    snprintf(msg, size, "audit exceeded the CPU time limit of %u s",
             b->bo->timeout);
  } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS) {
    snprintf(msg, size,
             "the file changed while it was read in place (truncated under "
             "its mapping)");
  } else if (WIFSIGNALED(status)) {
    snprintf(msg, size, "audit aborted: killed by signal %d",
             WTERMSIG(status));
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_WORKER_NOMEM) {
    snprintf(msg, size,
             "audit aborted: out of memory (limit %lu MiB, --max-memory)",
             b->bo->max_memory);
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    snprintf(msg, size, "audit aborted: exit status %d", WEXITSTATUS(status));
  } else {
    snprintf(msg, size, "audit aborted: unreadable result");
  }
}

/* A whole item in the slot's buffer: the worker is handed the next hive
 * first, so that it works while this result is read and written. */
static void take_item(batch *b, slot *s) {
  size_t end = 0;
  if (!s->busy || !s->buf)
    return;
  enum item_state st = scan_item(s->buf, s->len, &end);
  if (st == ITEM_MORE)
    return;
  size_t idx = s->item;
  char *buf = s->buf;
  size_t len = s->len;
  s->buf = NULL;
  s->len = s->cap = 0;
  s->busy = false;
  /* A worker that wrote more than its item, or garbage, is not trusted
   * with another; a disk image's worker ends after it. */
  if (st == ITEM_BAD || end != len) {
    kill(s->pid, SIGKILL);
    reap(s);
  } else if (b->items[idx].image) {
    reap(s);
  }
  if (!b->stopping)
    refill(b, s);
  if (!deliver_wire(b, idx, buf, len))
    deliver_error(b, idx, "audit aborted: unreadable result");
  free(buf);
}

/* The worker ended (or was killed): the result of its item, or why there
 * is none.  The next hive starts in the slot first. */
static void finish(batch *b, slot *s, bool timed_out) {
  char msg[256];
  take_item(b, s); /* a whole result written just before the end */
  if (!s->pid)
    return;
  bool was_busy = s->busy;
  size_t idx = s->item;
  int status = reap(s);
  if (!b->stopping)
    refill(b, s);
  if (!was_busy)
    return;
  worker_fate(b, status, timed_out, msg, sizeof msg);
  deliver_error(b, idx, msg);
}

/* A new worker for slot s; false with errno set when none can start. */
static bool spawn(batch *b, slot *s) {
  int p[2], c[2];
  if (pipe2(p, O_CLOEXEC) != 0)
    return false;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c) != 0) {
    int e = errno;
    close(p[0]);
    close(p[1]);
    errno = e;
    return false;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    close(c[0]);
    /* The other workers' ends: kept here, their end of input would never
     * come. */
    for (unsigned i = 0; i < (b->bo->jobs ? b->bo->jobs : 1); i++)
      if (b->slots[i].pid) {
        close(b->slots[i].fd);
        close(b->slots[i].cmd);
      }
    sm_fault_quiet(); /* a SIGBUS is said by the parent (finish) */
    worker(b, c[1], p[1]);
  }
  int e = errno;
  close(p[1]);
  close(c[1]);
  if (pid < 0) {
    close(p[0]);
    close(c[0]);
    errno = e;
    return false;
  }
  memset(s, 0, sizeof *s);
  s->pid = pid;
  s->fd = p[0];
  s->cmd = c[0];
  return true;
}

/* Hand item idx to the slot's worker, started first when there is none
 * or when the idle one has gone. */
static bool start(batch *b, slot *s, size_t idx) {
  char msg[256];
  uint64_t v = idx;
  for (int tries = 0; tries < 2; tries++) {
    if (!s->pid && !spawn(b, s)) {
      snprintf(msg, sizeof msg, "audit not started: %s", strerror(errno));
      deliver_error(b, idx, msg);
      return false;
    }
    if (send(s->cmd, &v, sizeof v, MSG_NOSIGNAL) == (ssize_t)sizeof v) {
      s->busy = true;
      s->item = idx;
      s->deadline = b->bo->timeout ? sm_batch_now() + b->bo->timeout : 0;
      return true;
    }
    reap(s);
  }
  deliver_error(b, idx, "audit not started: no worker took it");
  return false;
}

static void read_some(slot *s, bool *eof) {
  if (s->cap - s->len < 4096) {
    size_t cap = s->cap ? 2 * s->cap : 16384;
    char *nb = realloc(s->buf, cap);
    if (!nb) {
      *eof = true; /* the result is lost: reported as unreadable */
      s->len = 0;
      return;
    }
    s->buf = nb;
    s->cap = cap;
  }
  ssize_t r = read(s->fd, s->buf + s->len, s->cap - s->len);
  if (r < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (r <= 0)
    *eof = true;
  else
    s->len += (size_t)r;
}

/* One hive and no bound asked for: audited in this process, no fork and
 * no pipe (docs/performance.md). */
static void audit_here(batch *b) {
  const sm_found *it = &b->items[0];
  sm_scan_target t;
  sm_scan_result res;
  char *bytes = NULL;
  size_t len = 0;
  b->queued = 1;
  if (it->error) {
    deliver_error(b, 0, it->error);
    return;
  }
  item_target(it, &t);
  sm_scan(&t, b->o, b->set, &res);
  if (!sm_writer_render(b->w, &res, &bytes, &len))
    b->w->failed = true;
  take(b, 0, &res.summary, res.error, bytes, len);
  complete(b, 0);
  sm_scan_result_free(&res);
}

typedef struct sorted_ref {
  const char *target;
  size_t idx;
} sorted_ref;

static int cmp_target(const void *a, const void *b) {
  const sorted_ref *x = a, *y = b;
  int c = strcmp(x->target, y->target);
  if (c)
    return c;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void emit_sorted(batch *b) {
  sorted_ref *v = malloc(b->n * sizeof *v);
  size_t m = 0;
  for (size_t i = 0; i < b->n; i++)
    if (b->held[i].set) {
      if (v)
        v[m++] = (sorted_ref){b->items[i].target, i};
      else
        write_held(b, i);
    }
  if (v) {
    qsort(v, m, sizeof *v, cmp_target);
    for (size_t i = 0; i < m; i++)
      write_held(b, v[i].idx);
  }
  free(v);
}

void sm_batch_run(const sm_found *items, size_t n, const sm_scan_options *o,
                  sm_baseline_set *set, const sm_batch_opts *bo, sm_writer *w,
                  sm_batch_stats *st) {
  memset(st, 0, sizeof *st);
  batch_parent = getpid();
  batch b = {
      .items = items, .n = n, .bo = bo, .w = w, .st = st, .o = o, .set = set};
  b.prog.start = sm_batch_now();
  /* Made once here, inherited by every worker. */
  sm_hive_prepare_view();
  unsigned jobs = bo->jobs ? bo->jobs : 1;
  slot *slots = b.slots = calloc(jobs, sizeof *slots);
  struct pollfd *pfd = b.pfd = calloc(jobs, sizeof *pfd);
  b.held = calloc(n ? n : 1, sizeof *b.held);
  if (!slots || !pfd || !b.held) {
    sm_cli_error("out of memory");
    st->errors = n;
    goto out;
  }
  draw(&b, true);
  /* A disk image keeps its worker: reading one changes how the process
   * opens files. */
  if (n == 1 && bo->in_process && !items[0].image)
    audit_here(&b);
  while (b.done < n) {
    for (unsigned i = 0; i < jobs && b.queued < n; i++)
      if (!slots[i].busy)
        refill(&b, &slots[i]);
    nfds_t np = 0;
    double now = sm_batch_now(), wait = bo->progress ? 0.25 : -1;
    for (unsigned i = 0; i < jobs; i++) {
      if (!slots[i].pid)
        continue;
      pfd[np].fd = slots[i].fd;
      pfd[np].events = POLLIN;
      pfd[np].revents = 0;
      np++;
      if (slots[i].busy && slots[i].deadline) {
        double left = slots[i].deadline - now;
        if (wait < 0 || left < wait)
          wait = left > 0 ? left : 0;
      }
    }
    if (!np)
      continue;
    int ms = wait < 0 ? -1 : (int)(wait * 1000) + 1;
    if (poll(pfd, np, ms) < 0 && errno != EINTR) {
      sm_cli_error("poll: %s", strerror(errno));
      break;
    }
    now = sm_batch_now();
    for (unsigned i = 0, k = 0; i < jobs; i++) {
      if (!slots[i].pid)
        continue;
      bool eof = false;
      if (pfd[k++].revents)
        read_some(&slots[i], &eof);
      if (eof) {
        finish(&b, &slots[i], false);
      } else {
        take_item(&b, &slots[i]);
        if (slots[i].busy && slots[i].deadline && now >= slots[i].deadline) {
          kill(slots[i].pid, SIGKILL);
          finish(&b, &slots[i], true);
        }
      }
    }
    draw(&b, false);
  }
  /* Idle workers end when their input does; busy ones only after a poll
   * failure, and are stopped. */
  b.stopping = true;
  for (unsigned i = 0; slots && i < jobs; i++)
    if (slots[i].pid && !slots[i].busy) {
      close(slots[i].cmd);
      slots[i].cmd = -1;
    }
  for (unsigned i = 0; slots && i < jobs; i++)
    if (slots[i].pid && !slots[i].busy)
      reap(&slots[i]);
    else if (slots[i].pid) {
      kill(slots[i].pid, SIGKILL);
      finish(&b, &slots[i], false);
    }
  clear_line(&b);
  if (bo->sort)
    emit_sorted(&b);
out:
  st->elapsed = sm_batch_now() - b.prog.start;
  free(b.held);
  free(slots);
  free(pfd);
}
