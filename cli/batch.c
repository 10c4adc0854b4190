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

typedef struct slot {
  pid_t pid; /* 0: free */
  int fd;
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
  return sm_hive_open(t->open_data, flags, out, err);
}

static void item_target(const sm_found *it, sm_scan_target *t) {
  *t = (sm_scan_target){.name = it->target,
                        .path = it->path,
                        .software = it->software,
                        .role = sm_role_name(it->role),
                        .volume = it->volume,
                        .live = it->live,
                        .open_data = it->live_path,
                        .open_live = it->live_path ? open_live : NULL};
}

/* The worker: bounds first, then one audit, then its result rendered, with
 * its summary.  It never returns, and never flushes the parent's stdio
 * buffers. */
static void worker(const sm_found *it, const batch *b, int wfd) {
  const sm_batch_opts *bo = b->bo;
  struct rlimit r;
  /* Whatever ends the parent (a signal, even SIGKILL) ends the workers:
   * nothing keeps running up to --timeout for a result nobody reads. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != batch_parent)
    _exit(1); /* the parent is already gone */
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  if (bo->timeout) {
    /* SIGXCPU at the limit, SIGKILL a second later. */
    r.rlim_cur = bo->timeout;
    r.rlim_max = (rlim_t)bo->timeout + 1;
    setrlimit(RLIMIT_CPU, &r);
  }
#if !SM_ASAN
  /* AddressSanitizer reserves terabytes of shadow address space. */
  if (bo->max_memory) {
    r.rlim_cur = r.rlim_max = (rlim_t)bo->max_memory << 20;
    setrlimit(RLIMIT_AS, &r);
  }
#endif
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
    _exit(0);
  }
  sm_scan_target target;
  sm_scan_result res;
  item_target(it, &target);
  sm_scan(&target, b->o, b->set, &res);
  write_frame(&ctx, &res);
  sm_scan_result_free(&res);
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

/* The frame at *at of what a worker wrote: its header, and where its
 * error and report start; false when it is not whole. */
static bool next_frame(const slot *s, size_t *at, wire *h) {
  if (s->len - *at < sizeof *h)
    return false;
  memcpy(h, s->buf + *at, sizeof *h);
  size_t left = s->len - *at - sizeof *h;
  if (h->magic != WIRE_MAGIC || h->error_len > left ||
      h->report_len > left - h->error_len)
    return false;
  *at += sizeof *h;
  return true;
}

/* The results a worker wrote (one per hive), checked first; false when
 * they are not whole or there is none. */
static bool deliver_wire(batch *b, slot *s) {
  wire h;
  size_t at = 0, n = 0;
  if (!s->buf)
    return false;
  for (; at < s->len; n++, at += h.error_len + h.report_len)
    if (!next_frame(s, &at, &h))
      return false;
  if (n == 0)
    return false;
  for (at = 0; at < s->len;) {
    next_frame(s, &at, &h);
    char *error = h.summary.failed ? strndup(s->buf + at, h.error_len) : NULL;
    char *bytes = malloc(h.report_len ? h.report_len : 1);
    if (bytes) /* else lost: take() says so */
      memcpy(bytes, s->buf + at + h.error_len, h.report_len);
    take(b, s->item, &h.summary, error, bytes, bytes ? h.report_len : 0);
    free(error);
    at += h.error_len + h.report_len;
  }
  complete(b, s->item);
  return true;
}

static bool start(batch *b, slot *s, size_t idx);

/* Start the next hive in the free slot s, if any is left. */
static void refill(batch *b, slot *s) {
  while (b->queued < b->n) {
    size_t idx = b->queued++;
    if (b->items[idx].error)
      deliver_error(b, idx, b->items[idx].error);
    else if (start(b, s, idx))
      return;
  }
}

/* The worker is done (or was killed): its result, or why there is none.
 * The next hive starts in the slot first, so that its worker runs while
 * this result is read and written. */
static void finish(batch *b, slot *slot_, bool timed_out) {
  int status = 0;
  char msg[256] = "";
  slot done = *slot_, *s = &done;
  close(s->fd);
  while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
    ;
  memset(slot_, 0, sizeof *slot_);
  if (!b->stopping)
    refill(b, slot_);
  bool delivered = false;
  if (timed_out) {
    snprintf(msg, sizeof msg, "audit exceeded the time limit of %u s",
             b->bo->timeout);
  } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU) {
    snprintf(msg, sizeof msg, "audit exceeded the CPU time limit of %u s",
             b->bo->timeout);
  } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS) {
    snprintf(msg, sizeof msg,
             "the file changed while it was read in place (truncated under "
             "its mapping)");
  } else if (WIFSIGNALED(status)) {
    snprintf(msg, sizeof msg, "audit aborted: killed by signal %d",
             WTERMSIG(status));
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_WORKER_NOMEM) {
    snprintf(msg, sizeof msg,
             "audit aborted: out of memory (limit %lu MiB, --max-memory)",
             b->bo->max_memory);
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    snprintf(msg, sizeof msg, "audit aborted: exit status %d",
             WEXITSTATUS(status));
  } else if (!(delivered = deliver_wire(b, s))) {
    snprintf(msg, sizeof msg, "audit aborted: unreadable result");
  }
  if (!delivered)
    deliver_error(b, s->item, msg);
  free(s->buf);
}

static bool start(batch *b, slot *s, size_t idx) {
  int p[2];
  char msg[256];
  if (pipe2(p, O_CLOEXEC) != 0) {
    snprintf(msg, sizeof msg, "audit not started: pipe: %s", strerror(errno));
    deliver_error(b, idx, msg);
    return false;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    sm_fault_quiet(); /* a SIGBUS is said by the parent (finish) */
    worker(&b->items[idx], b, p[1]);
  }
  close(p[1]);
  if (pid < 0) {
    snprintf(msg, sizeof msg, "audit not started: fork: %s", strerror(errno));
    close(p[0]);
    deliver_error(b, idx, msg);
    return false;
  }
  memset(s, 0, sizeof *s);
  s->pid = pid;
  s->fd = p[0];
  s->item = idx;
  s->deadline = b->bo->timeout ? sm_batch_now() + b->bo->timeout : 0;
  return true;
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
      if (!slots[i].pid)
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
      if (slots[i].deadline) {
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
      } else if (slots[i].deadline && now >= slots[i].deadline) {
        kill(slots[i].pid, SIGKILL);
        finish(&b, &slots[i], true);
      }
    }
    draw(&b, false);
  }
  /* Only after a poll failure: stop what still runs. */
  b.stopping = true;
  for (unsigned i = 0; slots && i < jobs; i++)
    if (slots[i].pid) {
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
