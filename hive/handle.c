/* Opening a hive: the evidence opened once, read in place or copied into
 * the private image (hive/image.c), its logs replayed there, then handed to
 * hivex. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/evidence.h"
#include "base/fault.h"
#include "base/le.h"
#include "base/view.h"
#include "hive/hive-internal.h"

/* The hive-bins size an image of len bytes can hold: its whole pages
 * after the base block. */
static uint64_t hbins_room(size_t len) {
  return (uint64_t)(len - 4096) / 4096 * 4096;
}

/* hivex bounds its walk of the hive bins by the base block's "hive bins
 * data size" and, in tolerant mode, reads past the end of an image that
 * declares more than it holds (found by fuzz-hive: a SEGV in hivex_open).
 * A clean hive that declares more is truncated: refused.  A dirty or
 * damaged one (the primary of a dirty hive may lag behind its base block)
 * is read as far as it goes, with a warning.  Only the private copy is
 * changed. */
static sm_result bound_hive_bins(sm_hive *h, sm_error *err) {
  uint64_t declared = sm_le32(h->image + 40);
  uint64_t room = hbins_room(h->image_len);
  if (declared <= room)
    return SM_OK;
  if (!(h->flags & SM_OPEN_UNSAFE) && !h->base.dirty && h->base.checksum_ok)
    return sm_error_set(err, SM_ERR_CORRUPT,
                        "%s: truncated: the base block declares %llu bytes "
                        "of hive bins, the file holds %llu",
                        h->path, (unsigned long long)declared,
                        (unsigned long long)(h->image_len - 4096));
  sm_image_finish_hash(h); /* the hash is of the file as read */
  sm_result r = sm_image_own(h, err);
  if (r != SM_OK)
    return r;
  sm_recovery_warn(&h->recovery,
                   "the base block declares %llu bytes of hive bins, the "
                   "image holds %llu: read as far as it goes",
                   (unsigned long long)declared,
                   (unsigned long long)(h->image_len - 4096));
  sm_put_le32(h->image + 40, (uint32_t)room);
  return SM_OK;
}

static sm_result open_hivex(sm_hive *h, sm_error *err) {
  char fdpath[64];
  snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", sm_image_fd(h));
  int hflags = (h->flags & SM_OPEN_UNSAFE) ? HIVEX_OPEN_UNSAFE : 0;
  errno = 0;
  h->hx = hivex_open(fdpath, hflags);
  if (!h->hx)
    return sm_error_from_errno(err, errno, h->path);
  return sm_image_share(h, err);
}

static bool same_time(struct timespec a, struct timespec b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* The file is still what fstat said when it was opened: same size, same
 * modification and change times. */
static sm_result check_unchanged(int fd, const struct stat *before,
                                 const char *path, sm_error *err) {
  struct stat now;
  if (fstat(fd, &now) != 0)
    return sm_error_set(err, SM_ERR_IO, "%s: %s", path, strerror(errno));
  if (now.st_size != before->st_size ||
      !same_time(now.st_mtim, before->st_mtim) ||
      !same_time(now.st_ctim, before->st_ctim))
    return sm_error_set(err, SM_ERR_IO,
                        "%s: the file changed while it was read", path);
  return SM_OK;
}

/* Local file systems: no other machine can change a file under a
 * read-only mount of one of these. */
static bool local_fs(unsigned long type) {
  switch (type) {
  case EXT4_SUPER_MAGIC: /* also ext2 and ext3 */
  case XFS_SUPER_MAGIC:
  case BTRFS_SUPER_MAGIC:
  case F2FS_SUPER_MAGIC:
  case 0x7366746eUL: /* ntfs3 */
  case 0x5346544eUL: /* ntfs */
  case MSDOS_SUPER_MAGIC:
  case EXFAT_SUPER_MAGIC:
  case ISOFS_SUPER_MAGIC:
  case UDF_SUPER_MAGIC:
  case SQUASHFS_MAGIC:
  case EROFS_SUPER_MAGIC_V1:
  case TMPFS_MAGIC:
    return true;
  default:
    return false;
  }
}

/* Can hivex read the evidence itself instead of a private copy?  Only
 * where the kernel can neither change the file nor its access time, a
 * read-only mount of a local file system (how images and volumes are
 * mounted for analysis, or the private read-only view of a writable
 * one: view.c), and only for a hive audited exactly as it is:
 * no logs to replay (the caller's part), no checksum or size to mend. */
static bool read_in_place(int fd, const sm_base_block *base, size_t len) {
  struct statvfs v;
  struct statfs f;
  if (!base->checksum_ok || base->hbins_size > hbins_room(len))
    return false;
  if (fstatvfs(fd, &v) != 0 || !(v.f_flag & ST_RDONLY))
    return false;
  return fstatfs(fd, &f) == 0 && local_fs((unsigned long)f.f_type);
}

/* The evidence, read in place by hivex (and through its mapping by
 * hive/: sm_image_share), hashed from its fd. */
static sm_result open_in_place(sm_hive *h, int fd, sm_error *err) {
  h->srcfd = fd;
  h->in_place = true;
  /* Truncated by someone else meanwhile, the mapping faults: a clear error
   * naming the file, in every command (base/fault.h). */
  sm_fault_arm(h->path, "the file changed while it was read in place "
                        "(truncated under its mapping)");
  h->access = h->via_view ? SM_ACCESS_RO_VIEW : SM_ACCESS_RO_MOUNT;
  h->ready = h->image_len;
  if (!(h->flags & SM_OPEN_NO_HASH)) {
    sm_image_start_hash(h);
    sm_image_hash_pending(h);
  }
  return open_hivex(h, err);
}

sm_hive *sm_handle_new(const char *path, unsigned flags) {
  sm_hive *h = calloc(1, sizeof *h);
  if (!h)
    return NULL;
  h->memfd = -1;
  h->srcfd = -1;
  h->hashfd = -1;
  pthread_mutex_init(&h->lock, NULL);
  pthread_cond_init(&h->more, NULL);
  h->flags = flags;
  h->path = strdup(path);
  if (!h->path) {
    sm_hive_close(h);
    return NULL;
  }
  return h;
}

/* Remember that file was read without O_NOATIME.  dir: the folder part
 * of a path ("" or ending in '/'), name appended. */
static void note_atime(sm_hive *h, const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 1;
  char *s = malloc(n);
  char **v =
      s ? realloc(h->atime_files, (h->n_atime_files + 1) * sizeof *v) : NULL;
  if (!v) {
    free(s);
    return; /* out of memory: the warning is lost, not the audit */
  }
  snprintf(s, n, "%s%s", dir, name);
  h->atime_files = v;
  h->atime_files[h->n_atime_files++] = s;
}

/* The evidence-safe open of the hive.  A hive found beside the target
 * (SM_OPEN_BESIDE) is resolved in its folder, following no symbolic link
 * that leaves it. */
static sm_result open_file(sm_hive *h, sm_evidence_file *f, sm_error *err) {
  if (!(h->flags & SM_OPEN_BESIDE))
    return sm_evidence_open(AT_FDCWD, h->path, h->path, 0, f, err);
  const char *slash = strrchr(h->path, '/');
  char *dir =
      slash ? strndup(h->path, (size_t)(slash - h->path + 1)) : strdup(".");
  if (!dir)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
  sm_evidence_file d;
  sm_result r = sm_evidence_open(AT_FDCWD, dir, dir, SM_EVIDENCE_DIR, &d, err);
  if (r == SM_OK) {
    r = sm_evidence_open(d.fd, slash ? slash + 1 : h->path, h->path,
                         SM_EVIDENCE_BENEATH, f, err);
    close(d.fd);
  }
  free(dir);
  return r;
}

/* Open the file, check its size and read its base block. */
static sm_result open_and_check(sm_hive *h, int *fd, unsigned char *block,
                                sm_error *err) {
  sm_evidence_file f;
  sm_result r = open_file(h, &f, err);
  if (r != SM_OK)
    return r;
  *fd = f.fd;
  h->atime_unprotected = f.atime_unprotected;
  h->via_view = f.via_view; /* not its owner: read through the view */
  /* On a writable mount, read through the private read-only view when
   * there is one: nothing read through it changes the access time, with
   * O_NOATIME or without, and hivex may then read it in place. */
  if (!h->via_view && !(h->flags & SM_OPEN_COPY) && sm_view_take(fd)) {
    f.fd = *fd;
    h->via_view = true;
    h->atime_unprotected = false;
  }
  if (h->atime_unprotected)
    note_atime(h, "", h->path);
  if ((uint64_t)f.st.st_size > SM_HIVE_MAX_SIZE)
    return sm_error_set(err, SM_ERR_LIMIT,
                        "%s: %lld bytes is larger than any hive (2 GiB)",
                        h->path, (long long)f.st.st_size);
  h->file_size = (uint64_t)f.st.st_size;
  if (h->file_size < 4096)
    return sm_error_set(err, SM_ERR_NOT_HIVE,
                        "%s: not a registry hive (%llu bytes, too short for a "
                        "base block)",
                        h->path, (unsigned long long)h->file_size);
  h->image_len = (size_t)h->file_size;
  h->file_stat = f.st;
  r = sm_read_full(f.fd, block, 4096, 0, h->path, err);
  if (r != SM_OK)
    return r;
  if (sm_base_block_parse(block, h->image_len, &h->base) != SM_OK)
    return sm_error_set(err, SM_ERR_NOT_HIVE,
                        "%s: not a registry hive (no regf signature)", h->path);
  return SM_OK;
}

/* A hive without logs to replay, not read in place: copied into the memfd
 * with the hash following the copy. */
static sm_result copy_whole(sm_hive *h, int fd, const unsigned char *block,
                            sm_error *err) {
  sm_result r = sm_image_memfd(h, NULL, h->image_len, err);
  if (r == SM_OK && !(h->flags & SM_OPEN_NO_HASH))
    sm_image_start_hash(h); /* it follows the copy */
  /* Readahead for a cold file; no effect on the evidence. */
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  if (r == SM_OK)
    r = sm_image_copy(h, fd, h->image_len, h->path, err);
  if (r == SM_OK)
    r = check_unchanged(fd, &h->file_stat, h->path, err);
  /* What is audited is the copy: its base block must be the one read. */
  unsigned char again[4096];
  if (r == SM_OK &&
      (sm_read_full(h->memfd, again, sizeof again, 0, NULL, NULL) != SM_OK ||
       memcmp(again, block, sizeof again) != 0))
    r = sm_error_set(err, SM_ERR_IO, "%s: the file changed while it was read",
                     h->path);
  if (r == SM_OK)
    sm_image_hash_pending(h);
  return r;
}

/* A hive with logs to replay: copied into the memfd (by the kernel, no
 * page of ours touched), replayed there (only the pages the logs change
 * are touched), and opened by hivex.  The hash reads the evidence itself,
 * before any replay, while the replay and the audit go on. */
static sm_result read_and_replay(sm_hive *h, int *fd, const unsigned char *block,
                                 const sm_logset *logs, sm_error *err) {
  h->hashfd = *fd;
  sm_result r = copy_whole(h, *fd, block, err);
  h->srcfd = *fd; /* the hash's, closed with the handle */
  *fd = -1;
  if (r != SM_OK)
    return r;
  unsigned char *p = h->image;
  size_t len = h->image_len;
  r = sm_recover_replay_grow(h->path, logs, h->flags & SM_OPEN_LOG_ALTERNATE,
                             &p, &len, sm_image_grow, h, &h->recovery, err);
  h->image = p;
  h->image_len = len;
  return r;
}

sm_result sm_handle_load(sm_hive *h, const unsigned char *src, size_t len,
                         bool hash, sm_error *err) {
  sm_result r = sm_image_memfd(h, src, len, err);
  if (r != SM_OK)
    return r;
  h->ready = len;
  if (hash && !(h->flags & SM_OPEN_NO_HASH)) {
    sm_image_start_hash(h);
    sm_image_hash_pending(h);
  }
  return SM_OK;
}

sm_result sm_handle_open_image(sm_hive *h, sm_error *err) {
  sm_result r = bound_hive_bins(h, err);
  if (r != SM_OK)
    return r;
  /* hivex refuses a base block whose checksum is wrong, where Windows would
   * recover it from a log and go on.  hivex reads a private copy: give that
   * copy a correct checksum so the keys stay readable; base.checksum_ok
   * still says what the file holds. */
  if (sm_le32(h->image + 508) != sm_base_block_checksum(h->image)) {
    sm_image_finish_hash(h); /* the hash is of the file as read */
    r = sm_image_own(h, err);
    if (r != SM_OK)
      return r;
    sm_put_le32(h->image + 508, sm_base_block_checksum(h->image));
  }
  return open_hivex(h, err);
}

/* The folder and logs read without O_NOATIME. */
static void note_logs_atime(sm_hive *h, const sm_logset *logs) {
  const char *slash = strrchr(h->path, '/');
  char *dir =
      slash ? strndup(h->path, (size_t)(slash - h->path + 1)) : strdup("");
  if (!dir)
    return;
  if (logs->dir_atime_unprotected)
    note_atime(h, slash ? dir : ".", "");
  for (size_t k = 0; k < logs->n; k++)
    if (logs->atime_unprotected[k])
      note_atime(h, dir, logs->logs[k].name);
  free(dir);
}

/* Read the hive whose evidence is open on fd, one of three ways. */
static sm_result read_hive(sm_hive *h, int *fd, const unsigned char *block,
                           sm_error *err) {
  sm_logset logs = {0};
  sm_result r = SM_OK;
  /* A wrong checksum makes a hive dirty too: its base block may be torn.
   * Its logs are looked for first: without any, nothing is replayed. */
  if ((h->base.dirty || !h->base.checksum_ok) &&
      !(h->flags & SM_OPEN_NO_RECOVER)) {
    r = sm_recover_find_logs(h->path, &logs, &h->recovery, err);
    if (r != SM_OK)
      return r;
    note_logs_atime(h, &logs);
  }
  bool copy = h->via_view && (h->flags & SM_OPEN_COPY);
  if (logs.n == 0 && !copy && read_in_place(*fd, &h->base, h->image_len)) {
    r = open_in_place(h, *fd, err);
    *fd = -1; /* the handle holds it now */
    return r;
  }
  if (logs.n)
    r = read_and_replay(h, fd, block, &logs, err);
  else
    r = copy_whole(h, *fd, block, err);
  sm_logset_free(&logs);
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
  return r == SM_OK ? sm_handle_open_image(h, err) : r;
}

sm_result sm_hive_open(const char *path, unsigned flags, sm_hive **out,
                       sm_error *err) {
  *out = NULL;
  sm_hive *h = sm_handle_new(path, flags);
  if (!h)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", path);
  int fd = -1;
  unsigned char block[4096];
  sm_result r = open_and_check(h, &fd, block, err);
  if (r == SM_OK)
    r = read_hive(h, &fd, block, err);
  if (fd >= 0)
    close(fd);
  if (r != SM_OK) {
    sm_hive_close(h);
    return r;
  }
  *out = h;
  return SM_OK;
}

void sm_hive_close(sm_hive *h) {
  if (!h)
    return;
  sm_image_stop_hash(h); /* a digest not yet asked for is not needed */
  sm_image_finish_hash(h);
  sm_child_memo_free(h);
  free(h->kids);
  if (h->hx)
    hivex_close(h->hx);
  sm_hive_notes_free(h);
  if (h->image)
    munmap(h->image, h->image_len);
  if (h->memfd >= 0)
    close(h->memfd);
  if (h->in_place)
    sm_fault_disarm(h->path);
  if (h->srcfd >= 0)
    close(h->srcfd);
  for (size_t i = 0; i < h->n_atime_files; i++)
    free(h->atime_files[i]);
  free(h->atime_files);
  pthread_cond_destroy(&h->more);
  pthread_mutex_destroy(&h->lock);
  free(h->path);
  free(h);
}

const char *sm_hive_path(const sm_hive *h) { return h->path; }
const sm_base_block *sm_hive_base(const sm_hive *h) { return &h->base; }
uint64_t sm_hive_file_size(const sm_hive *h) { return h->file_size; }
const char *sm_hive_sha256(const sm_hive *h) {
  sm_image_finish_hash((sm_hive *)h); /* the handle is used by one thread */
  return h->sha256;
}
const sm_recovery_info *sm_hive_recovery(const sm_hive *h) {
  return &h->recovery;
}
sm_result sm_hive_image(const sm_hive *h, const unsigned char **data,
                        size_t *len) {
  *data = h->bytes;
  *len = h->image_len;
  return SM_OK;
}
bool sm_hive_unsafe(const sm_hive *h) { return h->flags & SM_OPEN_UNSAFE; }
bool sm_hive_in_place(const sm_hive *h) { return h->in_place; }
void sm_hive_prepare_view(void) { sm_view_prepare(); }
const char *sm_hive_view_status(void) { return sm_view_status(); }
sm_access sm_hive_access(const sm_hive *h) { return h->access; }
const char *sm_access_name(sm_access a) {
  switch (a) {
  case SM_ACCESS_RO_MOUNT:
    return "read-only-mount";
  case SM_ACCESS_RO_VIEW:
    return "read-only-view";
  default:
    return "copy";
  }
}
size_t sm_hive_atime_unprotected(const sm_hive *h, const char *const **files) {
  *files = (const char *const *)h->atime_files;
  return h->n_atime_files;
}
sm_result sm_hive_check_unchanged(const sm_hive *h, sm_error *err) {
  if (!h->in_place)
    return SM_OK; /* the copy was checked when it was made */
  return check_unchanged(h->srcfd, &h->file_stat, h->path, err);
}
sm_key sm_hive_root(const sm_hive *h) { return hivex_root(h->hx); }
