/* Replay of new-format transaction logs (msuhanov/regf, "New format"):
 * each log's HvLE entries checked (sizes, Marvin32 hashes, dirty page
 * references), then applied in the order Windows applies them. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "base/le.h"
#include "hive/txlog-internal.h"

/* The spec lists the seed as the bytes 82 EF 4D 88 7A 4E 55 C5; Windows
 * uses them as one big-endian number (checked against real logs). */
#define LOG_SEED UINT64_C(0x82EF4D887A4E55C5)

typedef struct entry {
  size_t log; /* index into the logs */
  size_t off; /* of the HvLE signature in that log */
  uint32_t seq, size, flags, hbins, npages;
} entry;

typedef struct entries {
  entry *v;
  size_t n;
} entries;

/* Check the dirty page references of an entry whose size and hashes are
 * already known to be good.  NULL when they are all usable. */
static const char *check_refs(const unsigned char *e, const entry *en,
                              char *buf, size_t size) {
  uint64_t used = ENTRY_HEADER + (uint64_t)en->npages * 8;
  for (uint32_t k = 0; k < en->npages; k++) {
    uint32_t off = sm_le32(e + ENTRY_HEADER + 8 * k);
    uint32_t len = sm_le32(e + ENTRY_HEADER + 8 * k + 4);
    if (len == 0 || off % SECTOR || len % SECTOR) {
      snprintf(buf, size, "dirty page %u (offset %u, size %u) is not aligned",
               k, off, len);
      return buf;
    }
    if ((uint64_t)off + len > en->hbins) {
      snprintf(buf, size,
               "dirty page %u (offset %u, size %u) lies beyond the hive bins "
               "data size %u",
               k, off, len, en->hbins);
      return buf;
    }
    used += len;
    if (used > en->size) {
      snprintf(buf, size, "dirty pages overrun the entry's %u bytes", en->size);
      return buf;
    }
  }
  return NULL;
}

/* Collect the valid entries of a new-format log.  The scan ends quietly at
 * the first sector without HvLE or at an entry older than the one before
 * it (remnants of an earlier round of writes); it ends with a warning at a
 * damaged entry that could still matter (sequence at or after start). */
static sm_result scan_log(const sm_txlog *log, size_t idx, uint32_t start,
                          uint64_t limit, entries *out, sm_recovery_info *info,
                          sm_error *err) {
  const unsigned char *d = log->data;
  size_t off = SECTOR;
  bool have_prev = false;
  uint32_t prev = 0;
  char buf[160];
  while (off <= log->len && log->len - off >= ENTRY_HEADER) {
    const unsigned char *e = d + off;
    if (memcmp(e, "HvLE", 4) != 0)
      break;
    entry en = {.log = idx,
                .off = off,
                .size = sm_le32(e + 4),
                .flags = sm_le32(e + 8),
                .seq = sm_le32(e + 12),
                .hbins = sm_le32(e + 16),
                .npages = sm_le32(e + 20)};
    if (have_prev && en.seq <= prev)
      break;
    const char *why = NULL;
    if (en.size < ENTRY_HEADER || en.size % SECTOR) {
      snprintf(buf, sizeof buf, "size %u is not a multiple of 512", en.size);
      why = buf;
    } else if (en.size > log->len - off) {
      snprintf(buf, sizeof buf,
               "truncated: the entry claims %u bytes, %zu are left", en.size,
               log->len - off);
      why = buf;
    } else if (en.hbins == 0 || en.hbins % BASE_SIZE ||
               en.hbins > SM_HIVE_MAX_SIZE - BASE_SIZE) {
      snprintf(buf, sizeof buf,
               "hive bins data size %u is not a multiple of 4096 below 2 GiB",
               en.hbins);
      why = buf;
    } else if (en.hbins > limit) {
      snprintf(buf, sizeof buf,
               "hive bins data size %u is more than the hive and its logs "
               "can fill (%llu bytes)",
               en.hbins, (unsigned long long)limit);
      why = buf;
    } else if (en.npages > (en.size - ENTRY_HEADER) / 8) {
      snprintf(buf, sizeof buf,
               "%u dirty page references do not fit in %u bytes", en.npages,
               en.size);
      why = buf;
    } else if (sm_marvin32(LOG_SEED, e + ENTRY_HEADER,
                           en.size - ENTRY_HEADER) != sm_le64(e + 24)) {
      why = "hash-1 mismatch";
    } else if (sm_marvin32(LOG_SEED, e, 32) != sm_le64(e + 32)) {
      why = "hash-2 mismatch";
    } else {
      why = check_refs(e, &en, buf, sizeof buf);
    }
    if (why) {
      if (en.seq >= start)
        sm_recovery_warn(info,
                         "%s: bad log entry at offset %zu (sequence %u): %s; "
                         "the rest of this log is ignored",
                         log->name, off, en.seq, why);
      break;
    }
    if (!sm_grow(&out->v, out->n, sizeof *out->v))
      return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
    out->v[out->n++] = en;
    prev = en.seq;
    have_prev = true;
    off += en.size;
  }
  return SM_OK;
}

static sm_result apply_entry(timg *m, const sm_txlog *log, const entry *en,
                             sm_recovery_info *info, sm_error *err) {
  sm_result r =
      sm_txlog_grow_image(m, BASE_SIZE + (size_t)en->hbins, log->name, err);
  if (r != SM_OK)
    return r;
  const unsigned char *e = log->data + en->off;
  const unsigned char *page = e + ENTRY_HEADER + 8 * (size_t)en->npages;
  for (uint32_t k = 0; k < en->npages; k++) {
    uint32_t off = sm_le32(e + ENTRY_HEADER + 8 * k);
    uint32_t len = sm_le32(e + ENTRY_HEADER + 8 * k + 4);
    memcpy(m->p + BASE_SIZE + off, page, len);
    page += len;
    info->pages++;
  }
  unsigned char *img = m->p;
  sm_put_le32(img + 4, en->seq);
  sm_put_le32(img + 8, en->seq);
  sm_put_le32(img + 40, en->hbins);
  sm_put_le32(img + 144, en->flags);
  info->entries++;
  sm_txlog_note_used(info, log->name);
  return SM_OK;
}

/* One new-format log's valid entries, in file order (ascending). */
typedef struct run {
  size_t log;
  uint32_t base_seq; /* the sequence number of the log's base block */
  entries e;
} run;

/* Which log Windows replays first (msuhanov/regf, "New format" of the
 * dual-logging scheme: "the transaction log file with earlier log entries
 * is used first"): the older base block, then the earlier first entry.
 * 0 when nothing tells the two apart. */
static int run_cmp(const run *x, const run *y) {
  if (x->base_seq != y->base_seq)
    return x->base_seq < y->base_seq ? -1 : 1;
  uint32_t fx = x->e.n ? x->e.v[0].seq : 0, fy = y->e.n ? y->e.v[0].seq : 0;
  return fx < fy ? -1 : fx > fy;
}

/* Apply the entries of r from its first at or after start; when *any, the
 * first must continue the replay (sequence *last + 1).  Stops at a gap. */
static sm_result apply_run(timg *m, const sm_txlog *logs, const run *r,
                           uint32_t start, uint32_t *last, bool *any,
                           sm_recovery_info *info, sm_error *err) {
  size_t i = 0;
  while (i < r->e.n && r->e.v[i].seq < start)
    i++;
  if (i == r->e.n)
    return SM_OK;
  const sm_txlog *log = &logs[r->log];
  if (*any && r->e.v[i].seq != *last + 1) {
    sm_recovery_warn(info,
                     "%s not used: its first entry, sequence %u, does not "
                     "continue the replay after sequence %u",
                     log->name, r->e.v[i].seq, *last);
    return SM_OK;
  }
  for (; i < r->e.n; i++) {
    const entry *en = &r->e.v[i];
    if (*any && en->seq != *last + 1) {
      sm_recovery_warn(info,
                       "%s: replay stopped after sequence %u: the next entry "
                       "is %u (offset %zu)",
                       log->name, *last, en->seq, en->off);
      break;
    }
    sm_result rc = apply_entry(m, log, en, info, err);
    if (rc != SM_OK)
      return rc;
    *last = en->seq;
    *any = true;
  }
  return SM_OK;
}

/* The new format (msuhanov/regf, "New format" under the dual-logging
 * scheme): with a valid base block, the log with the earlier entries is
 * replayed first, and the other only where its first entry continues it;
 * with an invalid one, only the log with the latest entries, whose base
 * block replaces the primary's.  Where two logs cannot be told apart, the
 * logs allow more than one outcome: alternate picks the other order (or the
 * other log), and info->outcomes says there are two. */
sm_result sm_txlog_replay_new(timg *m, const sm_txlog *logs, size_t nlogs,
                              const enum log_kind *kind, uint64_t limit,
                              bool primary_ok, bool alternate,
                              sm_recovery_info *info, sm_error *err) {
  run runs[8];
  size_t nruns = 0;
  sm_result r = SM_OK;
  uint32_t start = sm_le32(m->p + 8);
  for (size_t i = 0; i < nlogs && r == SM_OK; i++) {
    if (kind[i] != LOG_NEW)
      continue;
    run *u = &runs[nruns++];
    *u = (run){.log = i, .base_seq = sm_le32(logs[i].data + 4)};
    r = scan_log(&logs[i], i, primary_ok ? start : 0, limit, &u->e, info, err);
  }
  if (r != SM_OK)
    goto out;
  /* Order the runs (at most a few): insertion sort by run_cmp. */
  for (size_t i = 1; i < nruns; i++)
    for (size_t j = i; j > 0 && run_cmp(&runs[j - 1], &runs[j]) > 0; j--) {
      run t = runs[j];
      runs[j] = runs[j - 1];
      runs[j - 1] = t;
    }
  bool tie = nruns >= 2 && runs[0].e.n && runs[1].e.n &&
             run_cmp(&runs[primary_ok ? 0 : nruns - 2],
                     &runs[primary_ok ? 1 : nruns - 1]) == 0;
  if (tie) {
    info->outcomes = 2;
    if (alternate) {
      size_t x = primary_ok ? 0 : nruns - 2;
      run t = runs[x];
      runs[x] = runs[x + 1];
      runs[x + 1] = t;
    }
  }
  size_t first = 0;
  if (!primary_ok) {
    /* Only the log with the latest entries; its base block is the one. */
    first = nruns - 1;
    memcpy(m->p, logs[runs[first].log].data, SECTOR);
    sm_put_le32(m->p + 28, 0);
    start = sm_le32(m->p + 8);
    nruns = first + 1;
    for (size_t i = 0; i < first; i++)
      if (runs[i].e.n)
        sm_recovery_warn(info,
                         "%s not used: the base block is invalid, and Windows "
                         "recovers from the log with the latest entries only",
                         logs[runs[i].log].name);
  }
  bool any = false;
  uint32_t last = 0;
  for (size_t i = first; i < nruns && r == SM_OK; i++)
    r = apply_run(m, logs, &runs[i], start, &last, &any, info, err);
  if (r == SM_OK && !any)
    sm_recovery_warn(info, "no log entry at or after sequence %u", start);
  info->recovered = any;
out:
  for (size_t i = 0; i < nruns; i++)
    free(runs[i].e.v);
  return r;
}
