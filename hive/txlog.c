#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "base/le.h"
#include "hive/hive-internal.h"

#define BASE_SIZE 4096u
#define SECTOR 512u
#define ENTRY_HEADER 40u
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

void sm_recovery_warn(sm_recovery_info *info, const char *fmt, ...) {
  size_t used = strnlen(info->warning, sizeof info->warning);
  if (used + 3 >= sizeof info->warning)
    return;
  if (used) {
    memcpy(info->warning + used, "; ", 3);
    used += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(info->warning + used, sizeof info->warning - used, fmt, ap);
  va_end(ap);
}

static void note_log_used(sm_recovery_info *info, const char *name) {
  size_t nlen = strlen(name);
  const char *p = info->logs;
  while (*p) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len == nlen && memcmp(p, name, len) == 0)
      return;
    p += len + (comma != NULL);
  }
  size_t used = strlen(info->logs);
  snprintf(info->logs + used, sizeof info->logs - used, "%s%s", used ? "," : "",
           name);
}

/* The image a replay writes: a heap buffer grown with realloc, or memory
 * grown by the caller's function (a memory file: sm_txlog_grow_fn). */
typedef struct timg {
  unsigned char *p;
  size_t len;
  sm_txlog_grow_fn grow;
  void *ctx;
} timg;

/* Make the image at least len bytes long, zero-filling what is new. */
static sm_result grow(timg *m, size_t len, const char *log, sm_error *err) {
  if (len <= m->len)
    return SM_OK;
  unsigned char *p = NULL;
  if (m->grow ? m->grow(m->ctx, &m->p, len) != SM_OK
              : !(p = realloc(m->p, len)))
    return sm_error_set(err, SM_ERR_NOMEM,
                        "%s: out of memory growing the hive to %zu bytes", log,
                        len);
  if (p) {
    memset(p + m->len, 0, len - m->len);
    m->p = p;
  }
  m->len = len;
  return SM_OK;
}

/* What a log can fill: only data a replay can apply.  A new-format log:
 * the bytes of its leading run of HvLE entries whose sizes lie inside the
 * log; an old-format log: the pages its dirty vector marks, at most the
 * pages it holds.  Zeros, holes and anything else count nothing. */
static uint64_t log_fill(const sm_txlog *log) {
  const unsigned char *d = log->data;
  if (log->len < SECTOR || memcmp(d, "regf", 4) != 0)
    return 0;
  uint32_t type = sm_le32(d + 28);
  uint64_t fill = 0;
  if (type == 6) {
    size_t off = SECTOR;
    while (log->len - off >= ENTRY_HEADER && memcmp(d + off, "HvLE", 4) == 0) {
      uint32_t size = sm_le32(d + off + 4);
      if (size < ENTRY_HEADER || size % SECTOR || size > log->len - off)
        break;
      fill += size;
      off += size;
    }
    return fill;
  }
  if (type != 1 && type != 2)
    return 0;
  size_t vec = SECTOR;
  uint32_t cf = sm_le32(d + 44);
  if ((log->len < vec + 4 || memcmp(d + vec, "DIRT", 4) != 0) && cf > 1 &&
      cf <= 8)
    vec = (size_t)cf * SECTOR;
  if (log->len < vec + 4 || memcmp(d + vec, "DIRT", 4) != 0)
    return 0;
  size_t bytes = sm_le32(d + 40) / SECTOR / 8;
  if (bytes > log->len - vec - 4)
    bytes = log->len - vec - 4;
  for (size_t b = 0; b < bytes; b++)
    for (unsigned char v = d[vec + 4 + b]; v; v &= (unsigned char)(v - 1))
      fill += SECTOR;
  return fill < log->len ? fill : log->len;
}

/* The largest hive bins data size a replay may reach: the whole pages the
 * primary holds, plus what the logs can fill (every page a replay adds
 * comes from a log).  A hostile 16 KiB log declaring 2 GiB of hive bins
 * would otherwise make a 2 GiB image of zeros, and a sparse 2 GiB log of
 * zeros beside it must not raise the bound. */
static uint64_t replay_limit(size_t image_len, const sm_txlog *logs,
                             size_t nlogs) {
  uint64_t room = (uint64_t)(image_len - BASE_SIZE) / BASE_SIZE * BASE_SIZE;
  uint64_t fill = 0;
  for (size_t i = 0; i < nlogs; i++)
    fill += log_fill(&logs[i]);
  fill = (fill + BASE_SIZE - 1) / BASE_SIZE * BASE_SIZE;
  return room + fill;
}

enum log_kind { LOG_SKIP, LOG_OLD, LOG_NEW };

/* A log is usable when its base block is whole and complete (both sequence
 * numbers equal) and not older than the primary's last complete write. */
static enum log_kind check_log(const sm_txlog *log, const unsigned char *img,
                               bool primary_ok, sm_recovery_info *info) {
  const unsigned char *d = log->data;
  if (log->len == 0)
    return LOG_SKIP; /* the empty .LOG kept beside .LOG1 and .LOG2 */
  if (log->len < SECTOR) {
    sm_recovery_warn(info, "%s skipped: %zu bytes, too short for a base block",
                     log->name, log->len);
    return LOG_SKIP;
  }
  if (memcmp(d, "regf", 4) != 0) {
    sm_recovery_warn(info, "%s skipped: no regf signature", log->name);
    return LOG_SKIP;
  }
  if (sm_base_block_checksum(d) != sm_le32(d + 508)) {
    sm_recovery_warn(info, "%s skipped: base block checksum is wrong",
                     log->name);
    return LOG_SKIP;
  }
  uint32_t type = sm_le32(d + 28), seq1 = sm_le32(d + 4), seq2 = sm_le32(d + 8);
  if (type != 1 && type != 2 && type != 6) {
    sm_recovery_warn(info, "%s skipped: file type %u is not a log", log->name,
                     type);
    return LOG_SKIP;
  }
  if (seq1 != seq2) {
    sm_recovery_warn(info,
                     "%s skipped: sequence numbers %u/%u differ (the log was "
                     "not completely written)",
                     log->name, seq1, seq2);
    return LOG_SKIP;
  }
  if (primary_ok && seq2 < sm_le32(img + 8)) {
    sm_recovery_warn(info,
                     "%s skipped: its sequence %u is older than the primary's "
                     "%u",
                     log->name, seq2, sm_le32(img + 8));
    return LOG_SKIP;
  }
  return type == 6 ? LOG_NEW : LOG_OLD;
}

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
  sm_result r = grow(m, BASE_SIZE + (size_t)en->hbins, log->name, err);
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
  note_log_used(info, log->name);
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
                           uint32_t start,
                           uint32_t *last, bool *any, sm_recovery_info *info,
                           sm_error *err) {
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
static sm_result replay_new(timg *m, const sm_txlog *logs, size_t nlogs,
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
    r = scan_log(&logs[i], i, primary_ok ? start : 0, limit, &u->e, info,
                 err);
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

/* The old format: a bitmap of dirty 512-byte pages of the hive bins data,
 * then those pages in order.  The whole log is checked before any byte of
 * the image changes. */
static sm_result replay_old(timg *m, const sm_txlog *log, uint64_t limit,
                            sm_recovery_info *info, sm_error *err) {
  const unsigned char *d = log->data;
  uint32_t hbins = sm_le32(d + 40);
  if (hbins == 0 || hbins % BASE_SIZE || hbins > SM_HIVE_MAX_SIZE - BASE_SIZE) {
    sm_recovery_warn(info, "%s skipped: hive bins data size %u is unusable",
                     log->name, hbins);
    return SM_OK;
  }
  if (hbins > limit) {
    sm_recovery_warn(info,
                     "%s skipped: hive bins data size %u is more than the "
                     "hive and its logs can fill (%llu bytes)",
                     log->name, hbins, (unsigned long long)limit);
    return SM_OK;
  }
  /* The dirty vector starts in the second sector; the sector may be the
   * clustering factor times 512. */
  size_t vec = SECTOR;
  uint32_t cf = sm_le32(d + 44);
  if ((log->len < vec + 4 || memcmp(d + vec, "DIRT", 4) != 0) && cf > 1 &&
      cf <= 8)
    vec = (size_t)cf * SECTOR;
  if (log->len < vec + 4 || memcmp(d + vec, "DIRT", 4) != 0) {
    sm_recovery_warn(info, "%s skipped: no DIRT dirty vector", log->name);
    return SM_OK;
  }
  size_t bits = hbins / SECTOR, bytes = bits / 8;
  if (log->len - vec - 4 < bytes) {
    sm_recovery_warn(info, "%s skipped: dirty vector truncated", log->name);
    return SM_OK;
  }
  const unsigned char *bitmap = d + vec + 4;
  size_t first = (vec + 4 + bytes + SECTOR - 1) / SECTOR * SECTOR;
  size_t npages = 0;
  for (size_t b = 0; b < bits; b++)
    npages += (bitmap[b / 8] >> (b % 8)) & 1;
  if (npages == 0) {
    sm_recovery_warn(info, "%s skipped: no dirty pages", log->name);
    return SM_OK;
  }
  if (first > log->len || (log->len - first) / SECTOR < npages) {
    sm_recovery_warn(info,
                     "%s skipped: truncated: %zu dirty pages expected, %zu "
                     "present",
                     log->name, npages,
                     first > log->len ? 0 : (log->len - first) / SECTOR);
    return SM_OK;
  }
  sm_result r = grow(m, BASE_SIZE + (size_t)hbins, log->name, err);
  if (r != SM_OK)
    return r;
  const unsigned char *page = d + first;
  for (size_t b = 0; b < bits; b++) {
    if (!((bitmap[b / 8] >> (b % 8)) & 1))
      continue;
    memcpy(m->p + BASE_SIZE + b * SECTOR, page, SECTOR);
    page += SECTOR;
    info->pages++;
  }
  unsigned char *img = m->p;
  sm_put_le32(img + 8, sm_le32(img + 4));
  sm_put_le32(img + 40, hbins);
  info->entries = 1;
  info->recovered = true;
  note_log_used(info, log->name);
  return SM_OK;
}

static sm_result replay(timg *m, const sm_txlog *logs, size_t nlogs,
                        bool alternate, sm_recovery_info *info,
                        sm_error *err) {
  info->attempted = true;
  info->outcomes = 1;
  if (m->len < BASE_SIZE || memcmp(m->p, "regf", 4) != 0) {
    sm_recovery_warn(info, "the primary file has no base block");
    return SM_OK;
  }
  if (nlogs == 0) {
    sm_recovery_warn(info, "no transaction logs found beside the hive");
    return SM_OK;
  }
  unsigned char *img = m->p;
  bool primary_ok = sm_base_block_checksum(img) == sm_le32(img + 508);
  uint64_t limit = replay_limit(m->len, logs, nlogs);
  enum log_kind kind[8];
  if (nlogs > sizeof kind / sizeof kind[0])
    nlogs = sizeof kind / sizeof kind[0];
  for (size_t i = 0; i < nlogs; i++)
    kind[i] = check_log(&logs[i], img, primary_ok, info);

  bool any_new = false;
  for (size_t i = 0; i < nlogs; i++)
    any_new |= kind[i] == LOG_NEW;
  if (!primary_ok && !any_new) {
    /* A torn base block is taken back from the first usable log (new
     * logs: replay_new takes it from the log it replays). */
    size_t i = 0;
    while (i < nlogs && kind[i] == LOG_SKIP)
      i++;
    if (i == nlogs) {
      sm_recovery_warn(info, "the base block checksum is wrong and no usable "
                             "log holds a copy");
      return SM_OK;
    }
    memcpy(img, logs[i].data, SECTOR);
    sm_put_le32(img + 28, 0);
  }

  sm_result r = SM_OK;
  if (any_new)
    r = replay_new(m, logs, nlogs, kind, limit, primary_ok, alternate, info,
                   err);
  if (r != SM_OK)
    return r;
  uint64_t ts = sm_le64(m->p + 12);
  if (!primary_ok && m->len >= BASE_SIZE + 32 &&
      memcmp(m->p + BASE_SIZE, "hbin", 4) == 0)
    ts = sm_le64(m->p + BASE_SIZE + 20);
  for (size_t i = 0; i < nlogs && !info->recovered; i++) {
    if (kind[i] != LOG_OLD)
      continue;
    /* An old-format log applies only to the write it was made for. */
    if (sm_le64(logs[i].data + 12) != ts) {
      sm_recovery_warn(info,
                       "%s skipped: its last written time differs from the "
                       "primary's",
                       logs[i].name);
      continue;
    }
    r = replay_old(m, &logs[i], limit, info, err);
    if (r != SM_OK)
      return r;
  }
  if (info->recovered)
    sm_put_le32(m->p + 508, sm_base_block_checksum(m->p));
  else if (!any_new && !info->warning[0])
    sm_recovery_warn(info, "no usable transaction log");
  return SM_OK;
}

sm_result sm_txlog_replay_grow(unsigned char **image, size_t *image_len,
                               sm_txlog_grow_fn fn, void *ctx,
                               const sm_txlog *logs, size_t nlogs,
                               bool alternate, sm_recovery_info *info,
                               sm_error *err) {
  timg m = {.p = *image, .len = *image_len, .grow = fn, .ctx = ctx};
  sm_result r = replay(&m, logs, nlogs, alternate, info, err);
  *image = m.p;
  *image_len = m.len;
  return r;
}

sm_result sm_txlog_replay(unsigned char **image, size_t *image_len,
                          const sm_txlog *logs, size_t nlogs, bool alternate,
                          sm_recovery_info *info, sm_error *err) {
  return sm_txlog_replay_grow(image, image_len, NULL, NULL, logs, nlogs,
                              alternate, info, err);
}
