/* Opening a hive from bytes in memory: the way in for hives that are not
 * files of their own (a disk image read without mounting it).  The audit
 * never knows where the bytes came from. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "hive/hive-internal.h"

/* The basename of a display name, either separator. */
static const char *base_name(const char *name) {
  const char *b = name;
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == '\\')
      b = p + 1;
  return b;
}

/* Replay the logs onto a private copy of data and make that the image. */
static sm_result replay(sm_hive *h, const unsigned char *data, size_t len,
                        const sm_hive_log *logs, size_t nlogs, sm_error *err) {
  sm_logset set = {.n = 0};
  h->recovery.attempted = true;
  for (size_t i = 0; i < nlogs && set.n < 3; i++) {
    if (logs[i].error) {
      sm_recovery_warn(&h->recovery, "%s skipped: %s", logs[i].name,
                       logs[i].error);
      h->recovery.unread++;
      continue;
    }
    if (!logs[i].data)
      continue;
    if (logs[i].warning)
      sm_recovery_warn(&h->recovery, "%s %s", logs[i].name, logs[i].warning);
    set.logs[set.n].name = logs[i].name;
    set.logs[set.n].data = logs[i].data;
    set.logs[set.n].len = logs[i].len;
    set.n++;
  }
  if (set.n == 0 && h->recovery.unread)
    return SM_OK;
  if (set.n == 0) {
    const char *b = base_name(h->path);
    sm_recovery_warn(&h->recovery,
                     "no transaction logs found beside the hive (looked for "
                     "%s.LOG1, %s.LOG2 and %s.LOG, in any case)",
                     b, b, b);
    return SM_OK;
  }
  /* The hash is of the hive as given, before the replay. */
  sm_hive_sha256(h);
  unsigned char *buf = malloc(len);
  if (!buf)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: cannot hold %zu bytes", h->path,
                        len);
  memcpy(buf, data, len);
  size_t n = len;
  sm_result r = sm_recover_replay(h->path, &set,
                                 h->flags & SM_OPEN_LOG_ALTERNATE, &buf, &n,
                                 &h->recovery, err);
  if (r == SM_OK && h->recovery.recovered)
    r = sm_handle_load(h, buf, n, false, err);
  free(buf);
  return r;
}

bool sm_hive_needs_logs(const unsigned char *data, size_t len) {
  sm_base_block b;
  return sm_base_block_parse(data, len, &b) == SM_OK &&
         (b.dirty || !b.checksum_ok);
}

/* data (len bytes) as the hive name, copied into a memfd, or the sealed
 * memory file m (data its mapping) as it is. */
static sm_result open_mem(const char *name, const unsigned char *data,
                          size_t len, const sm_memfile *m,
                          const sm_hive_log *logs, size_t nlogs,
                          unsigned flags, sm_hive **out, sm_error *err) {
  *out = NULL;
  if ((uint64_t)len > SM_HIVE_MAX_SIZE)
    return sm_error_set(err, SM_ERR_LIMIT,
                        "%s: %zu bytes is larger than any hive (2 GiB)", name,
                        len);
  if (len < 4096)
    return sm_error_set(err, SM_ERR_NOT_HIVE,
                        "%s: not a registry hive (%zu bytes, too short for a "
                        "base block)",
                        name, len);
  sm_hive *h = sm_handle_new(name, flags);
  if (!h)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", name);
  sm_result r = SM_OK;
  h->file_size = len;
  if (sm_base_block_parse(data, len, &h->base) != SM_OK) {
    r = sm_error_set(err, SM_ERR_NOT_HIVE,
                     "%s: not a registry hive (no regf signature)", name);
    goto fail;
  }
  if (m) {
    r = sm_image_adopt(h, m, err);
    h->ready = len;
    if (r == SM_OK && !(flags & SM_OPEN_NO_HASH)) {
      sm_image_start_hash(h);
      sm_image_hash_pending(h);
    }
  } else {
    r = sm_handle_load(h, data, len, true, err);
  }
  if (r == SM_OK && (h->base.dirty || !h->base.checksum_ok) &&
      !(flags & SM_OPEN_NO_RECOVER))
    r = replay(h, data, len, logs, nlogs, err);
  if (r == SM_OK)
    r = sm_handle_open_image(h, err);
  if (r != SM_OK)
    goto fail;
  *out = h;
  return SM_OK;
fail:
  sm_hive_close(h);
  return r;
}

sm_result sm_hive_open_mem(const char *name, const unsigned char *data,
                           size_t len, const sm_hive_log *logs, size_t nlogs,
                           unsigned flags, sm_hive **out, sm_error *err) {
  return open_mem(name, data, len, NULL, logs, nlogs, flags, out, err);
}

sm_result sm_hive_open_memfile(const char *name, const sm_memfile *m,
                               const sm_hive_log *logs, size_t nlogs,
                               unsigned flags, sm_hive **out, sm_error *err) {
  return open_mem(name, m->data, m->len, m, logs, nlogs, flags, out, err);
}
