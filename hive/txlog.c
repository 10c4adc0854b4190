/* Transaction log replay (hive/txlog-internal.h): the logs beside a dirty
 * hive checked, the bound on what a replay may grow, the old format (a
 * bitmap of dirty pages), and the replay of the logs Windows would use. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "base/le.h"
#include "hive/txlog-internal.h"

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

void sm_txlog_note_used(sm_recovery_info *info, const char *name) {
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

sm_result sm_txlog_grow_image(timg *m, size_t len, const char *log,
                              sm_error *err) {
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
  sm_result r =
      sm_txlog_grow_image(m, BASE_SIZE + (size_t)hbins, log->name, err);
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
  sm_txlog_note_used(info, log->name);
  return SM_OK;
}

static sm_result replay(timg *m, const sm_txlog *logs, size_t nlogs,
                        bool alternate, sm_recovery_info *info, sm_error *err) {
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
    r = sm_txlog_replay_new(m, logs, nlogs, kind, limit, primary_ok, alternate,
                            info, err);
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
