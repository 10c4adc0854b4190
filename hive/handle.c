#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "hive/hive-internal.h"

/* Open the evidence read-only; O_NOATIME keeps its access time too, where
 * the kernel allows it (owner or CAP_FOWNER).  O_NONBLOCK: a FIFO planted
 * under a hive's name must not hang the open (it is refused after fstat);
 * it changes nothing for the regular files that are read. */
static int open_evidence(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME | O_NOCTTY | O_NONBLOCK);
  if (fd < 0 && errno == EPERM)
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  return fd;
}

static void put_le32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

/* Chunk for hashing and for the read/write fallback: fits in L2, so each
 * chunk is hashed while it is in cache. */
#define CHUNK ((size_t)256 << 10)
/* The copy is made in steps of this size, each handed to the hash thread
 * as soon as it is in the memfd: the hash follows the copy. */
#define COPY_STEP ((size_t)1 << 20)

/* The hash thread may read the first n bytes of the image. */
static void publish(sm_hive *h, size_t n) {
  pthread_mutex_lock(&h->lock);
  h->ready = n;
  pthread_cond_signal(&h->more);
  pthread_mutex_unlock(&h->lock);
}

/* No more bytes will come (a failed copy, or the handle is closing). */
static void stop_hash(sm_hive *h) {
  pthread_mutex_lock(&h->lock);
  h->stop = true;
  pthread_cond_signal(&h->more);
  pthread_mutex_unlock(&h->lock);
}

/* Copy len bytes of the evidence (from its start) into the memfd.  The
 * kernel copies page cache to memfd pages (sendfile): no user mapping is
 * written, so no page fault per page, and nothing is touched twice.  When
 * sendfile cannot (some file systems), read and write through a buffer.
 * Each step is published to the hash thread. */
static sm_result copy_evidence(sm_hive *h, int fd, size_t len,
                               const char *path, sm_error *err) {
  size_t done = 0;
  while (done < len) {
    size_t want = len - done < COPY_STEP ? len - done : COPY_STEP;
    ssize_t r = sendfile(h->memfd, fd, NULL, want);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0 && done == 0 && (errno == EINVAL || errno == ENOSYS))
      break;
    if (r < 0)
      return sm_error_set(err, SM_ERR_IO, "%s: %s", path, strerror(errno));
    if (r == 0)
      return sm_error_set(err, SM_ERR_IO, "%s: file shrank while reading",
                          path);
    done += (size_t)r;
    publish(h, done);
  }
  if (done == len)
    return SM_OK;
  unsigned char *buf = malloc(CHUNK);
  if (!buf)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", path);
  sm_result rc = SM_OK;
  while (done < len && rc == SM_OK) {
    size_t want = len - done < CHUNK ? len - done : CHUNK;
    ssize_t r = read(fd, buf, want);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      rc = sm_error_set(err, SM_ERR_IO, "%s: %s", path, strerror(errno));
    else if (r == 0)
      rc = sm_error_set(err, SM_ERR_IO, "%s: file shrank while reading",
                        path);
    else if (write(h->memfd, buf, (size_t)r) != r)
      rc = sm_error_set(err, SM_ERR_NOMEM, "%s: cannot hold %zu bytes: %s",
                        path, len, strerror(errno));
    else
      publish(h, done += (size_t)r);
  }
  free(buf);
  return rc;
}

/* pread all of len bytes at off, or fail. */
static bool pread_all(int fd, unsigned char *buf, size_t len, off_t off) {
  size_t done = 0;
  while (done < len) {
    ssize_t r = pread(fd, buf + done, len - done, off + (off_t)done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    done += (size_t)r;
  }
  return true;
}

static void hex_digest(const uint8_t *digest, char *out) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  out[64] = '\0';
}

/* The fd hivex opens: the memfd, or the evidence read in place. */
static int image_fd(const sm_hive *h) {
  return h->in_place ? h->srcfd : h->memfd;
}

/* Wait until more than off bytes may be hashed; 0 when none will come. */
static size_t wait_ready(sm_hive *h, size_t off) {
  pthread_mutex_lock(&h->lock);
  while (h->ready <= off && !h->stop)
    pthread_cond_wait(&h->more, &h->lock);
  size_t n = h->stop ? 0 : h->ready;
  pthread_mutex_unlock(&h->lock);
  return n;
}

/* SHA-256 of the image as hivex will read it: the memfd as the copy
 * fills it, the evidence read in place, or the heap buffer a hive with
 * logs to replay is read into (hash_mem).  Read back in chunks (pread),
 * hashed while in cache; the image mapping is not touched, so it does not
 * count twice in the resident set. */
static void *hash_image(void *arg) {
  sm_hive *h = arg;
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  unsigned char *buf = malloc(CHUNK);
  h->sha256[0] = '\0'; /* on failure: no digest, reported as unknown */
  if (!buf)
    return NULL;
  sha256_init(&ctx);
  /* Asks before each chunk: a stop (a failed copy, a handle closed
   * without asking for the digest) ends the hash at once. */
  for (size_t off = 0; off < h->image_len;) {
    size_t ready = wait_ready(h, off);
    if (!ready) {
      free(buf);
      return NULL;
    }
    size_t n = ready - off < CHUNK ? ready - off : CHUNK;
    if (h->hash_mem) {
      sha256_update(&ctx, n, h->hash_mem + off);
    } else if (pread_all(image_fd(h), buf, n, (off_t)off)) {
      sha256_update(&ctx, n, buf);
    } else {
      free(buf);
      return NULL;
    }
    off += n;
  }
  free(buf);
  sha256_digest(&ctx, sizeof digest, digest);
  hex_digest(digest, h->sha256);
  return NULL;
}

/* Below this size a hive is hashed on the calling thread: starting a
 * thread costs more than hashing a few hundred KiB (-j1 batch of 400
 * 88-KiB hives: 0.90 s with the thread, 0.75 s without hashing at all). */
#define HASH_THREAD_MIN ((size_t)1 << 20)

/* Hash on a second thread, so that the hash (the largest cost of a big
 * hive) runs while the copy is made and hivex opens it.  When no thread
 * starts, hash_pending() hashes on this one once the image is complete. */
static void start_hash(sm_hive *h) {
  if (h->image_len < HASH_THREAD_MIN)
    return; /* hashed by hash_pending(), on this thread */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old); /* signals go to the main thread */
  h->hashing = pthread_create(&h->hasher, NULL, hash_image, h) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* The image is complete: hash it now if no thread could. */
static void hash_pending(sm_hive *h) {
  if (!(h->flags & SM_OPEN_NO_HASH) && !h->hashing)
    hash_image(h);
}

/* Wait for the hash: before the copy changes, and before it is read. */
static void finish_hash(sm_hive *h) {
  if (h->hashing) {
    pthread_join(h->hasher, NULL);
    h->hashing = false;
  }
}

/* Put the image in an anonymous memory file, the only thing hivex opens:
 * hivex never sees the evidence, and what is audited is what was hashed. */
static sm_result make_memfd(sm_hive *h, const unsigned char *src, size_t len,
                            sm_error *err) {
  if (h->image) {
    munmap(h->image, h->image_len);
    h->image = NULL;
  }
  if (h->memfd >= 0) {
    close(h->memfd);
    h->memfd = -1;
  }
  int fd = memfd_create("smaudit-hive", MFD_CLOEXEC);
  if (fd < 0)
    return sm_error_set(err, SM_ERR_IO, "%s: memfd_create: %s", h->path,
                        strerror(errno));
  if (ftruncate(fd, (off_t)len) != 0) {
    int e = errno;
    close(fd);
    return sm_error_set(err, SM_ERR_NOMEM, "%s: cannot hold %zu bytes: %s",
                        h->path, len, strerror(e));
  }
  /* Written with pwrite, not through the mapping: the mapping is for the
   * rare reader of the whole image (recover), and stays untouched. */
  for (size_t done = 0; src && done < len;) {
    ssize_t w = pwrite(fd, src + done, len - done, (off_t)done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      int e = w < 0 ? errno : ENOSPC;
      close(fd);
      return sm_error_set(err, SM_ERR_NOMEM, "%s: cannot hold %zu bytes: %s",
                          h->path, len, strerror(e));
    }
    done += (size_t)w;
  }
  void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    int e = errno;
    close(fd);
    return sm_error_set(err, SM_ERR_NOMEM, "%s: mmap: %s", h->path,
                        strerror(e));
  }
  h->memfd = fd;
  h->image = map;
  h->image_len = len;
  return SM_OK;
}

static uint32_t get_le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

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
  uint64_t declared = get_le32(h->image + 40);
  uint64_t room = hbins_room(h->image_len);
  if (declared <= room)
    return SM_OK;
  if (!(h->flags & SM_OPEN_UNSAFE) && !h->base.dirty && h->base.checksum_ok)
    return sm_error_set(err, SM_ERR_CORRUPT,
                        "%s: truncated: the base block declares %llu bytes "
                        "of hive bins, the file holds %llu",
                        h->path, (unsigned long long)declared,
                        (unsigned long long)(h->image_len - 4096));
  finish_hash(h); /* the hash is of the file as read */
  sm_recovery_warn(&h->recovery,
                   "the base block declares %llu bytes of hive bins, the "
                   "image holds %llu: read as far as it goes",
                   (unsigned long long)declared,
                   (unsigned long long)(h->image_len - 4096));
  put_le32(h->image + 40, (uint32_t)room);
  return SM_OK;
}

static sm_result open_hivex(sm_hive *h, sm_error *err) {
  char fdpath[64];
  snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", image_fd(h));
  int hflags = (h->flags & SM_OPEN_UNSAFE) ? HIVEX_OPEN_UNSAFE : 0;
  errno = 0;
  h->hx = hivex_open(fdpath, hflags);
  if (!h->hx)
    return sm_error_from_errno(err, errno, h->path);
  return SM_OK;
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
 * mounted for analysis), and only for a hive audited exactly as it is:
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

/* The evidence, read in place: mapped for sm_hive_image (the mapping is
 * only touched by a reader of the whole image), hashed from its fd. */
static sm_result open_in_place(sm_hive *h, int fd, sm_error *err) {
  void *map = mmap(NULL, h->image_len, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: mmap: %s", h->path,
                        strerror(errno));
  h->image = map;
  h->srcfd = fd;
  h->in_place = true;
  h->ready = h->image_len;
  if (!(h->flags & SM_OPEN_NO_HASH)) {
    start_hash(h);
    hash_pending(h);
  }
  return open_hivex(h, err);
}

/* Read len bytes of the evidence into buf, publishing each step to the
 * hash thread. */
static sm_result read_evidence(sm_hive *h, int fd, unsigned char *buf,
                               size_t len, sm_error *err) {
  size_t done = 0;
  while (done < len) {
    size_t want = len - done < COPY_STEP ? len - done : COPY_STEP;
    ssize_t r = read(fd, buf + done, want);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return sm_error_set(err, SM_ERR_IO, "%s: %s", h->path, strerror(errno));
    if (r == 0)
      return sm_error_set(err, SM_ERR_IO, "%s: file shrank while reading",
                          h->path);
    done += (size_t)r;
    publish(h, done);
  }
  return SM_OK;
}

/* A hive with logs to replay: read into the heap (hashed there as it
 * comes), replayed there, and only then put in the memfd hivex opens: one
 * copy of the hive besides the file, not three. */
static sm_result read_and_replay(sm_hive *h, int fd, const struct stat *st,
                                 const unsigned char *block,
                                 const sm_logset *logs, sm_error *err) {
  size_t len = h->image_len;
  unsigned char *buf = malloc(len);
  if (!buf)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: cannot hold %zu bytes",
                        h->path, len);
  h->hash_mem = buf;
  if (!(h->flags & SM_OPEN_NO_HASH))
    start_hash(h);
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  sm_result r = read_evidence(h, fd, buf, len, err);
  if (r == SM_OK)
    r = check_unchanged(fd, st, h->path, err);
  if (r == SM_OK && memcmp(buf, block, 4096) != 0)
    r = sm_error_set(err, SM_ERR_IO, "%s: the file changed while it was read",
                     h->path);
  if (r == SM_OK)
    hash_pending(h);
  else
    stop_hash(h);
  finish_hash(h); /* the hash is of the file, before any replay */
  h->hash_mem = NULL;
  if (r == SM_OK)
    r = sm_recover_replay(h->path, logs, &buf, &len, &h->recovery, err);
  if (r == SM_OK)
    r = make_memfd(h, buf, len, err);
  free(buf);
  return r;
}

sm_hive *sm_handle_new(const char *path, unsigned flags) {
  sm_hive *h = calloc(1, sizeof *h);
  if (!h)
    return NULL;
  h->memfd = -1;
  h->srcfd = -1;
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

sm_result sm_handle_load(sm_hive *h, const unsigned char *src, size_t len,
                         bool hash, sm_error *err) {
  sm_result r = make_memfd(h, src, len, err);
  if (r != SM_OK)
    return r;
  h->ready = len;
  if (hash && !(h->flags & SM_OPEN_NO_HASH)) {
    start_hash(h);
    hash_pending(h);
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
  if (get_le32(h->image + 508) != sm_base_block_checksum(h->image)) {
    finish_hash(h); /* the hash is of the file as read */
    put_le32(h->image + 508, sm_base_block_checksum(h->image));
  }
  return open_hivex(h, err);
}

sm_result sm_hive_open(const char *path, unsigned flags, sm_hive **out,
                       sm_error *err) {
  sm_result r = SM_OK;
  int fd = -1;
  sm_logset logs = {0};
  *out = NULL;
  sm_hive *h = sm_handle_new(path, flags);
  if (!h)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", path);

  fd = open_evidence(path);
  if (fd < 0) {
    r = sm_error_set(err, SM_ERR_IO, "%s: %s", path, strerror(errno));
    goto fail;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    r = sm_error_set(err, SM_ERR_IO, "%s: %s", path, strerror(errno));
    goto fail;
  }
  if (S_ISDIR(st.st_mode)) {
    r = sm_error_set(err, SM_ERR_IO, "%s: is a directory", path);
    goto fail;
  }
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
    r = sm_error_set(err, SM_ERR_IO, "%s: not a regular file", path);
    goto fail;
  }
  if ((uint64_t)st.st_size > SM_HIVE_MAX_SIZE) {
    r = sm_error_set(err, SM_ERR_LIMIT,
                     "%s: %lld bytes is larger than any hive (2 GiB)", path,
                     (long long)st.st_size);
    goto fail;
  }
  h->file_size = (uint64_t)st.st_size;
  if (h->file_size < 4096) {
    r = sm_error_set(err, SM_ERR_NOT_HIVE,
                     "%s: not a registry hive (%llu bytes, too short for a "
                     "base block)",
                     path, (unsigned long long)h->file_size);
    goto fail;
  }

  h->image_len = (size_t)h->file_size;
  h->file_stat = st;
  unsigned char block[4096];
  errno = 0;
  if (!pread_all(fd, block, sizeof block, 0)) {
    r = sm_error_set(err, SM_ERR_IO, "%s: %s", path,
                     errno ? strerror(errno) : "file shrank while reading");
    goto fail;
  }
  if (sm_base_block_parse(block, h->image_len, &h->base) != SM_OK) {
    r = sm_error_set(err, SM_ERR_NOT_HIVE,
                     "%s: not a registry hive (no regf signature)", path);
    goto fail;
  }
  /* A wrong checksum makes a hive dirty too: its base block may be torn.
   * Its logs are looked for first: without any, nothing is replayed. */
  if ((h->base.dirty || !h->base.checksum_ok) &&
      !(flags & SM_OPEN_NO_RECOVER)) {
    r = sm_recover_find_logs(path, &logs, &h->recovery, err);
    if (r != SM_OK)
      goto fail;
  }
  if (logs.n == 0 && read_in_place(fd, &h->base, h->image_len)) {
    r = open_in_place(h, fd, err);
    fd = -1; /* the handle holds it now */
    if (r != SM_OK)
      goto fail;
    *out = h;
    return SM_OK;
  }

  if (logs.n) {
    r = read_and_replay(h, fd, &st, block, &logs, err);
    if (r != SM_OK)
      goto fail;
    sm_logset_free(&logs);
    close(fd);
    fd = -1;
    goto opened;
  }

  r = make_memfd(h, NULL, h->image_len, err);
  if (r == SM_OK && !(flags & SM_OPEN_NO_HASH))
    start_hash(h); /* it follows the copy */
  /* Readahead for a cold file; no effect on the evidence. */
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  if (r == SM_OK)
    r = copy_evidence(h, fd, h->image_len, path, err);
  if (r == SM_OK)
    r = check_unchanged(fd, &st, path, err);
  /* What is audited is the copy: its base block must be the one read. */
  unsigned char again[4096];
  if (r == SM_OK && (!pread_all(h->memfd, again, sizeof again, 0) ||
                     memcmp(again, block, sizeof block) != 0))
    r = sm_error_set(err, SM_ERR_IO, "%s: the file changed while it was read",
                     path);
  if (r == SM_OK)
    hash_pending(h);
  if (r != SM_OK)
    goto fail;
  close(fd);
  fd = -1;

opened:
  r = sm_handle_open_image(h, err);
  if (r != SM_OK)
    goto fail;
  *out = h;
  return SM_OK;

fail:
  if (fd >= 0)
    close(fd);
  sm_logset_free(&logs);
  sm_hive_close(h);
  return r;
}

void sm_hive_close(sm_hive *h) {
  if (!h)
    return;
  stop_hash(h); /* a digest not yet asked for is not needed */
  finish_hash(h);
  if (h->hx)
    hivex_close(h->hx);
  if (h->image)
    munmap(h->image, h->image_len);
  if (h->memfd >= 0)
    close(h->memfd);
  if (h->srcfd >= 0)
    close(h->srcfd);
  pthread_cond_destroy(&h->more);
  pthread_mutex_destroy(&h->lock);
  free(h->path);
  free(h);
}

const char *sm_hive_path(const sm_hive *h) { return h->path; }
const sm_base_block *sm_hive_base(const sm_hive *h) { return &h->base; }
uint64_t sm_hive_file_size(const sm_hive *h) { return h->file_size; }
const char *sm_hive_sha256(const sm_hive *h) {
  finish_hash((sm_hive *)h); /* the handle is used by one thread */
  return h->sha256;
}
const sm_recovery_info *sm_hive_recovery(const sm_hive *h) {
  return &h->recovery;
}
sm_result sm_hive_image(const sm_hive *h, const unsigned char **data,
                        size_t *len) {
  *data = h->image;
  *len = h->image_len;
  return SM_OK;
}
bool sm_hive_unsafe(const sm_hive *h) { return h->flags & SM_OPEN_UNSAFE; }
bool sm_hive_in_place(const sm_hive *h) { return h->in_place; }
sm_result sm_hive_check_unchanged(const sm_hive *h, sm_error *err) {
  if (!h->in_place)
    return SM_OK; /* the copy was checked when it was made */
  return check_unchanged(h->srcfd, &h->file_stat, h->path, err);
}
sm_key sm_hive_root(const sm_hive *h) { return hivex_root(h->hx); }
