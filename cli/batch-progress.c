/* A batch's progress line and summary on standard error. */
#include <config.h>

#include <stdio.h>
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
}
