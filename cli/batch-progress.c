/* A batch's progress line and summary on standard error. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/batch.h"
#include "cli/cli.h"

double sm_batch_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void sm_progress_clear(sm_progress *p) {
  if (p->shown) {
    fputs("\r\033[K", stderr);
    p->shown = false;
  }
}

static void findings_text(const sm_batch_stats *st, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int s = SM_SEV_CRITICAL; s >= SM_SEV_INFO; s--)
    if (st->by_severity[s] && used < size)
      used += (size_t)snprintf(buf + used, size - used, "%s%zu %s",
                               used ? ", " : "", st->by_severity[s],
                               sm_severity_name((sm_severity)s));
  if (!used)
    snprintf(buf, size, "none");
}

static void duration(double s, char *buf, size_t size) {
  unsigned long t = (unsigned long)(s + 0.5);
  if (t >= 3600)
    snprintf(buf, size, "%luh%02lum", t / 3600, t / 60 % 60);
  else if (t >= 60)
    snprintf(buf, size, "%lum%02lus", t / 60, t % 60);
  else
    snprintf(buf, size, "%lus", t);
}

void sm_progress_draw(sm_progress *p, size_t done, size_t n,
                      const sm_batch_stats *st, bool force) {
  double now = sm_batch_now();
  if (!force && now - p->drawn < 0.2)
    return;
  p->drawn = now;
  double el = now - p->start;
  double rate = el > 0 ? (double)done / el : 0;
  char eta[32] = "?", f[160];
  if (rate > 0)
    duration((double)(n - done) / rate, eta, sizeof eta);
  findings_text(st, f, sizeof f);
  int width = snprintf(NULL, 0, "%zu", n);
  fprintf(stderr, "\r[%*zu/%zu] %.1f hives/s  ETA %s  findings: %s", width,
          done, n, rate, eta, f);
  if (st->errors)
    fprintf(stderr, "  errors: %zu", st->errors);
  fputs("\033[K", stderr);
  fflush(stderr);
  p->shown = true;
}

void sm_batch_summary(const sm_batch_stats *st, size_t skipped,
                      size_t unreadable) {
  char f[160], inc[64] = "", u[64] = "";
  if (st->incomplete)
    snprintf(inc, sizeof inc, "incomplete: %zu, ", st->incomplete);
  if (unreadable)
    snprintf(u, sizeof u, ", unreadable folders: %zu", unreadable);
  findings_text(st, f, sizeof f);
  fprintf(stderr,
          "%s: %zu %s in %.1f s, findings: %s (%zu suppressed), errors: %zu, "
          "%sskipped: %zu%s\n",
          sm_progname, st->hives, st->hives == 1 ? "hive" : "hives",
          st->elapsed, f, st->suppressed, st->errors, inc, skipped, u);
  sm_batch_hosts_summary(st);
}

void sm_batch_count_host(sm_batch_stats *st, const char *target,
                         const sm_scan_summary *sum, bool incomplete) {
  const char *name = sum->computer_name[0] ? sum->computer_name : NULL;
  size_t i = 0;
  for (; name && i < st->n_hosts; i++)
    if (st->hosts[i].name && strcmp(st->hosts[i].name, name) == 0)
      break;
  if (!name || i == st->n_hosts) {
    sm_batch_host *v =
        realloc(st->hosts, (st->n_hosts + 1) * sizeof *st->hosts);
    if (!v)
      return; /* out of memory: the summary by host misses it */
    st->hosts = v;
    i = st->n_hosts++;
    memset(&v[i], 0, sizeof v[i]);
    v[i].name = name ? strdup(name) : NULL;
    v[i].target = strdup(target);
    v[i].max_severity = -1;
  }
  sm_batch_host *h = &st->hosts[i];
  h->hives++;
  h->errors += sum->failed;
  h->incomplete += incomplete && !sum->failed;
  for (int s = SM_SEV_INFO; s <= SM_SEV_CRITICAL; s++)
    h->by_severity[s] += sum->by_severity[s];
  if (sum->max_severity > h->max_severity)
    h->max_severity = sum->max_severity;
}

void sm_batch_stats_free(sm_batch_stats *st) {
  for (size_t i = 0; i < st->n_hosts; i++) {
    free(st->hosts[i].name);
    free(st->hosts[i].target);
  }
  free(st->hosts);
  st->hosts = NULL;
  st->n_hosts = 0;
}

/* Worst first: errors, incomplete audits, then by severity counts from
 * critical down; ties in the order first seen. */
static int worse(const void *pa, const void *pb) {
  const sm_batch_host *a = *(const sm_batch_host *const *)pa,
                      *b = *(const sm_batch_host *const *)pb;
  if ((a->errors > 0) != (b->errors > 0))
    return a->errors ? -1 : 1;
  if ((a->incomplete > 0) != (b->incomplete > 0))
    return a->incomplete ? -1 : 1;
  for (int s = SM_SEV_CRITICAL; s >= SM_SEV_INFO; s--)
    if (a->by_severity[s] != b->by_severity[s])
      return a->by_severity[s] > b->by_severity[s] ? -1 : 1;
  return a < b ? -1 : a > b;
}

static bool notable(const sm_batch_host *h) {
  return h->errors || h->incomplete || h->max_severity > SM_SEV_INFO;
}

static void host_line(const sm_batch_host *h) {
  char f[160];
  sm_batch_stats one = {0};
  memcpy(one.by_severity, h->by_severity, sizeof one.by_severity);
  findings_text(&one, f, sizeof f);
  fputs("  ", stderr);
  sm_fputs_escaped(stderr, h->name ? h->name : "(no computer name)", false);
  fprintf(stderr, ": %s%s%s; ", h->errors ? "ERROR, " : "",
          h->incomplete ? "INCOMPLETE, " : "", f);
  sm_fputs_escaped(stderr, h->target, false);
  if (h->hives > 1)
    fprintf(stderr, " and %zu more hive%s", h->hives - 1,
            h->hives == 2 ? "" : "s");
  fputc('\n', stderr);
}

void sm_batch_hosts_summary(const sm_batch_stats *st) {
  if (st->n_hosts < 2)
    return;
  const sm_batch_host **v = calloc(st->n_hosts, sizeof *v);
  if (!v)
    return;
  size_t n = 0, shown = 0;
  for (size_t i = 0; i < st->n_hosts; i++)
    if (notable(&st->hosts[i]))
      v[n++] = &st->hosts[i];
  qsort(v, n, sizeof *v, worse);
  fprintf(stderr, "%s: by host, worst first (%zu host%s):\n", sm_progname,
          st->n_hosts, st->n_hosts == 1 ? "" : "s");
  for (; shown < n && shown < SM_BATCH_HOSTS_MAX; shown++)
    host_line(v[shown]);
  if (n > shown)
    fprintf(stderr, "  ... and %zu more with findings above info "
                    "(--format csv has a row for every hive)\n",
            n - shown);
  size_t rest = st->n_hosts - n;
  if (rest)
    fprintf(stderr, "  %zu host%s with no finding above info\n", rest,
            rest == 1 ? "" : "s");
  free(v);
}
