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
#include "checks/files.h"
#include "cli/batch-internal.h"
#include "cli/cli.h"

pid_t sm_batch_parent;

static void clear_line(batch *b) { sm_progress_clear(&b->prog); }

static void draw(batch *b, bool force) {
  if (b->bo->progress)
    sm_progress_draw(&b->prog, b->done, b->n, b->st, force);
}

/* A hive's result: count it from its summary, say its error, and keep its
 * rendered report (bytes, taken) for its turn. */
/* Why the audit of target is incomplete (sm_scan_incomplete), its first
 * reason: rules not evaluated, logs not read, files not checked. */
static void say_incomplete(const char *target, const sm_scan_summary *sum) {
  if (sum->rule_errors)
    sm_cli_error("%s: audit incomplete: %zu rule%s could not be evaluated "
                 "(a damaged key)",
                 target, sum->rule_errors, sum->rule_errors == 1 ? "" : "s");
  else if (sum->unread_logs)
    sm_cli_error("%s: audit incomplete: %zu transaction log%s could not be "
                 "read",
                 target, sum->unread_logs, sum->unread_logs == 1 ? "" : "s");
  else
    sm_cli_error("%s: audit incomplete: %zu file%s named not checked (more "
                 "than %d in the volume)",
                 target, sum->unchecked_files,
                 sum->unchecked_files == 1 ? "" : "s", SM_FILES_MAX);
}

static void take(batch *b, size_t idx, const sm_scan_summary *sum,
                 const char *error, char *bytes, size_t len) {
  const sm_found *it = &b->items[idx];
  sm_batch_stats *st = b->st;
  st->hives++;
  /* A flood (of partitions, of hives in a tree) is not held without end:
   * past max_results, a result is an error, counted and said once at the
   * end, its report not kept. */
  if (b->bo->max_results && b->kept >= b->bo->max_results) {
    st->errors++;
    b->dropped++;
    free(bytes);
    return;
  }
  b->kept++;
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
  if (!sum->failed && sm_scan_incomplete(sum)) {
    st->incomplete++;
    if (!b->bo->quiet_errors) {
      clear_line(b);
      say_incomplete(it->target, sum);
    }
  }
  sm_batch_count_host(st, it->target, sum, sm_scan_incomplete(sum));
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
  sm_batch_item_target(&b->items[idx], &t);
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
static void worker_fate(const batch *b, int status, bool timed_out, char *msg,
                        size_t size) {
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
    snprintf(msg, size, "audit aborted: killed by signal %d", WTERMSIG(status));
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
    sm_batch_worker(b, c[1], p[1]);
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
  sm_batch_item_target(it, &t);
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
  sm_batch_parent = getpid();
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
  if (b.dropped)
    sm_cli_error("%zu result%s past the first %lu of this run %s not kept "
                 "(--max-results): the report is incomplete",
                 b.dropped, b.dropped == 1 ? "" : "s", bo->max_results,
                 b.dropped == 1 ? "was" : "were");
out:
  st->elapsed = sm_batch_now() - b.prog.start;
  free(b.held);
  free(slots);
  free(pfd);
}
