#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/evidence.h"
#include "base/fault.h"
#include "base/le.h"
#include "hive/hive-internal.h"

/* In the order the spec replays them. */
static const char *const suffixes[] = {".LOG1", ".LOG2", ".LOG"};
#define NSUFFIXES (sizeof suffixes / sizeof suffixes[0])

typedef struct found_log {
  char *name; /* directory entry, as stored */
  bool exact; /* same case as the hive's name plus the suffix */
} found_log;

#define SECTOR 512u
#define ENTRY_HEADER 40u
/* A log up to this size is read whole. */
#define LOG_SMALL ((uint64_t)1 << 20)

/* A log read through fn (sm_hive_read_log): size bytes in all. */
typedef struct log_src {
  uint64_t size;
  sm_log_read_fn fn;
  void *ctx;
} log_src;

/* How many leading bytes of a new-format log a replay can use: the base
 * block, then its entries while they carry HvLE and a size inside the file
 * (and fit in budget, else *cut), read header by header, so a sparse or
 * zero-filled tail is never read.  A damaged HvLE entry is kept with up to
 * LOG_SMALL bytes after it, for the replay to report it. */
static sm_result new_log_extent(const log_src *src, uint64_t budget,
                                uint64_t *want, bool *cut, sm_error *err) {
  uint64_t off = SECTOR, size = src->size;
  unsigned char h[ENTRY_HEADER];
  while (size - off >= ENTRY_HEADER) {
    sm_result r = src->fn(src->ctx, h, sizeof h, off, err);
    if (r != SM_OK)
      return r;
    if (memcmp(h, "HvLE", 4) != 0)
      break;
    uint32_t esize = sm_le32(h + 4);
    if (esize < ENTRY_HEADER || esize % SECTOR || esize > size - off) {
      uint64_t rest = size - off;
      off += rest < LOG_SMALL ? rest : LOG_SMALL;
      break;
    }
    if (off + esize > budget) {
      *cut = true;
      break;
    }
    off += esize;
  }
  *want = off;
  return SM_OK;
}

/* How many leading bytes of a log to read, from its size and base block.
 * An old-format log is bounded by what its hive bins size can need: the
 * base block (up to 8 sectors), the dirty vector and the pages. */
static sm_result log_extent(const log_src *src, uint64_t budget,
                            uint64_t *want, bool *cut, sm_error *err) {
  unsigned char base[SECTOR];
  uint64_t size = src->size;
  *want = size;
  if (size <= LOG_SMALL)
    return SM_OK;
  sm_result r = src->fn(src->ctx, base, sizeof base, 0, err);
  if (r != SM_OK)
    return r;
  *want = SECTOR; /* no log: the replay says why it is skipped */
  if (memcmp(base, "regf", 4) != 0)
    return SM_OK;
  uint32_t type = sm_le32(base + 28);
  if (type == 6)
    return new_log_extent(src, budget, want, cut, err);
  if (type == 1 || type == 2) {
    uint64_t hbins = sm_le32(base + 40);
    uint64_t need = 9 * SECTOR + 4 + hbins / SECTOR / 8 + hbins;
    *want = need < size ? need : size;
  }
  return SM_OK;
}

/* How many leading bytes of the log to read (sm_hive_read_log), within
 * *budget; cut says when the budget cut it short. */
static sm_result log_want(const log_src *src, uint64_t *budget, uint64_t *want,
                          char *cut, size_t cut_size, sm_error *err) {
  bool was_cut = false;
  *want = 0;
  if (cut_size)
    cut[0] = '\0';
  sm_result r = log_extent(src, *budget, want, &was_cut, err);
  if (r != SM_OK)
    return r;
  if (*want > *budget)
    return sm_error_set(err, SM_ERR_LIMIT,
                        "it needs %llu bytes, more than the %llu MiB read from "
                        "logs in all",
                        (unsigned long long)*want,
                        (unsigned long long)(SM_LOG_READ_MAX >> 20));
  if (was_cut && cut_size)
    snprintf(cut, cut_size,
             "cut at offset %llu: logs are read up to %llu MiB in all",
             (unsigned long long)*want,
             (unsigned long long)(SM_LOG_READ_MAX >> 20));
  *budget -= *want;
  return SM_OK;
}

sm_result sm_hive_read_log(uint64_t size, sm_log_read_fn fn, void *ctx,
                           uint64_t *budget, unsigned char **data, size_t *len,
                           char *cut, size_t cut_size, sm_error *err) {
  log_src src = {.size = size, .fn = fn, .ctx = ctx};
  uint64_t want = 0;
  *data = NULL;
  *len = 0;
  sm_result r = log_want(&src, budget, &want, cut, cut_size, err);
  if (r != SM_OK)
    return r;
  unsigned char *p = malloc(want ? (size_t)want : 1);
  if (!p)
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  for (uint64_t done = 0; done < want;) {
    size_t step = want - done < ((uint64_t)8 << 20) ? (size_t)(want - done)
                                                    : (size_t)8 << 20;
    r = fn(ctx, p + done, step, done, err);
    if (r != SM_OK) {
      free(p);
      return r;
    }
    done += step;
  }
  *data = p;
  *len = (size_t)want;
  return SM_OK;
}

static sm_result fd_read(void *ctx, void *buf, size_t len, uint64_t off,
                         sm_error *err) {
  return sm_read_full(*(int *)ctx, buf, len, (off_t)off, NULL, err);
}

/* Read a log through the evidence-safe open, beneath the hive's folder (a
 * link leaving it, a FIFO or a device is refused), as far as a replay can
 * use it (sm_hive_read_log), and at most *budget bytes for all logs
 * (SM_LOG_READ_MAX).  A log that cannot be read, or not within the budget,
 * is skipped with a warning naming it (and counted unread); one cut short
 * is said so.  What is read is mapped, not copied into the heap (on a
 * virtual machine the first touch of a fresh heap page costs several times
 * that of a page of a file's mapping): *mapped then, and a truncation
 * under the mapping is named (base/fault.h: path, the log's own). */
static bool read_log(int dfd, const char *name, const char *path,
                     sm_txlog *log, bool *atime_unprotected, bool *mapped,
                     uint64_t *budget, sm_recovery_info *info) {
  sm_evidence_file f;
  sm_error e;
  if (sm_evidence_open(dfd, name, NULL, SM_EVIDENCE_BENEATH, &f, &e) != SM_OK) {
    sm_recovery_warn(info, "%s skipped: %s", name, e.msg);
    info->unread++;
    return false;
  }
  *atime_unprotected = f.atime_unprotected;
  uint64_t size = f.st.st_size < 0 ? 0 : (uint64_t)f.st.st_size;
  unsigned char *data = NULL;
  size_t len = 0;
  char cut[160];
  log_src src = {.size = size, .fn = fd_read, .ctx = &f.fd};
  uint64_t want = 0, left = *budget;
  sm_result r = log_want(&src, &left, &want, cut, sizeof cut, &e);
  void *map = r == SM_OK && want
                  ? mmap(NULL, (size_t)want, PROT_READ, MAP_PRIVATE, f.fd, 0)
                  : MAP_FAILED;
  if (map != MAP_FAILED) {
    sm_fault_arm(path, "the file changed while it was read (truncated "
                       "under its mapping)");
    *budget = left;
    data = map;
    len = (size_t)want;
    *mapped = true;
  } else if (r == SM_OK) {
    r = sm_hive_read_log(size, fd_read, &f.fd, budget, &data, &len, cut,
                         sizeof cut, &e);
  }
  close(f.fd);
  if (r != SM_OK) {
    sm_recovery_warn(info, "%s skipped: %s", name, e.msg);
    info->unread++;
    return false;
  }
  if (cut[0])
    sm_recovery_warn(info, "%s %s", name, cut);
  log->data = data;
  log->len = len;
  return true;
}

/* Match the directory's entries against the hive's name plus each suffix,
 * ignoring case as Windows does; an exact-case name wins over others. */
static void find_logs(DIR *d, const char *base, found_log *found) {
  size_t blen = strlen(base);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    const char *n = de->d_name;
    if (strncasecmp(n, base, blen) != 0)
      continue;
    for (size_t k = 0; k < NSUFFIXES; k++) {
      if (strcasecmp(n + blen, suffixes[k]) != 0)
        continue;
      bool exact =
          strncmp(n, base, blen) == 0 && strcmp(n + blen, suffixes[k]) == 0;
      if (found[k].name && (found[k].exact || !exact))
        break;
      char *copy = strdup(n);
      if (copy) {
        free(found[k].name);
        found[k].name = copy;
        found[k].exact = exact;
      }
      break;
    }
  }
}

sm_result sm_recover_find_logs(const char *path, sm_logset *set,
                               sm_recovery_info *info, sm_error *err) {
  memset(info, 0, sizeof *info);
  memset(set, 0, sizeof *set);
  info->attempted = true;
  sm_result r = SM_OK;
  found_log found[NSUFFIXES] = {{0}};

  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  char *dir = slash ? strndup(path, (size_t)(slash - path + 1)) : strdup(".");
  if (!dir)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", path);
  /* Listing a folder reads it: the evidence-safe open keeps its access
   * time too, where the kernel allows it. */
  sm_evidence_file folder;
  sm_error e;
  DIR *d = NULL;
  if (sm_evidence_open(AT_FDCWD, dir, NULL, SM_EVIDENCE_DIR, &folder, &e) ==
      SM_OK) {
    set->dir_atime_unprotected = folder.atime_unprotected;
    d = fdopendir(folder.fd);
    if (!d) {
      snprintf(e.msg, sizeof e.msg, "%s", strerror(errno));
      close(folder.fd);
    }
  }
  if (!d) {
    sm_recovery_warn(info, "cannot look for transaction logs in %s: %s", dir,
                     e.msg);
    goto out;
  }
  find_logs(d, base, found);
  uint64_t budget = SM_LOG_READ_MAX;
  for (size_t k = 0; k < NSUFFIXES; k++) {
    if (!found[k].name)
      continue;
    sm_txlog *log = &set->logs[set->n];
    char *full = malloc(strlen(dir) + strlen(found[k].name) + 1);
    if (!full) {
      r = sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", path);
      break;
    }
    strcat(strcpy(full, slash ? dir : ""), found[k].name);
    if (read_log(dirfd(d), found[k].name, full, log,
                 &set->atime_unprotected[set->n], &set->mapped[set->n],
                 &budget, info)) {
      log->name = found[k].name;
      found[k].name = NULL; /* the set owns it now */
      set->path[set->n++] = full;
    } else {
      free(full);
    }
  }
  closedir(d);
  bool any = false; /* found, even if skipped (the warning says why) */
  for (size_t k = 0; k < NSUFFIXES; k++)
    any |= found[k].name != NULL;
  if (set->n == 0 && !any)
    sm_recovery_warn(info,
                     "no transaction logs found beside the hive (looked for "
                     "%s.LOG1, %s.LOG2 and %s.LOG, in any case)",
                     base, base, base);
out:
  for (size_t k = 0; k < NSUFFIXES; k++)
    free(found[k].name);
  free(dir);
  return r;
}

void sm_logset_free(sm_logset *set) {
  for (size_t k = 0; k < set->n; k++) {
    free((void *)set->logs[k].name);
    if (set->mapped[k]) {
      munmap((void *)set->logs[k].data, set->logs[k].len);
      sm_fault_disarm(set->path[k]);
    } else {
      free((void *)set->logs[k].data);
    }
    free(set->path[k]);
  }
  set->n = 0;
}

sm_result sm_recover_replay_grow(const char *path, const sm_logset *set,
                                 bool alternate, unsigned char **image,
                                 size_t *image_len, sm_txlog_grow_fn fn,
                                 void *ctx, sm_recovery_info *info,
                                 sm_error *err) {
  if (set->n == 0)
    return SM_OK;
  sm_result r = sm_txlog_replay_grow(image, image_len, fn, ctx, set->logs,
                                     set->n, alternate, info, err);
  if (r != SM_OK && err) {
    char why[sizeof err->msg];
    memcpy(why, err->msg, sizeof why);
    sm_error_set(err, r, "%s: %s", path, why);
  }
  return r;
}

sm_result sm_recover_replay(const char *path, const sm_logset *set,
                            bool alternate, unsigned char **image,
                            size_t *image_len, sm_recovery_info *info,
                            sm_error *err) {
  return sm_recover_replay_grow(path, set, alternate, image, image_len, NULL,
                                NULL, info, err);
}

sm_result sm_recover_apply(const char *path, unsigned char **image,
                           size_t *image_len, sm_recovery_info *info,
                           sm_error *err) {
  sm_logset set;
  sm_result r = sm_recover_find_logs(path, &set, info, err);
  if (r == SM_OK)
    r = sm_recover_replay(path, &set, false, image, image_len, info, err);
  sm_logset_free(&set);
  return r;
}
