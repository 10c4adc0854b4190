/* The private image of a hive: the memory file hivex opens, the copy of
 * the evidence into it, and the SHA-256 that follows the copy on a second
 * thread. */
#include <config.h>

#include <errno.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/evidence.h"
#include "hive/hive-internal.h"

/* Chunk for hashing and for the read/write fallback: fits in L2, so each
 * chunk is hashed while it is in cache. */
#define CHUNK ((size_t)256 << 10)
/* The copy is made in steps of this size, each handed to the hash thread
 * as soon as it is in the memfd: the hash follows the copy. */
#define COPY_STEP ((size_t)1 << 20)

/* The hash thread may read the first n bytes of the image. */
void sm_image_publish(sm_hive *h, size_t n) {
  pthread_mutex_lock(&h->lock);
  h->ready = n;
  pthread_cond_signal(&h->more);
  pthread_mutex_unlock(&h->lock);
}

/* No more bytes will come (a failed copy, or the handle is closing). */
void sm_image_stop_hash(sm_hive *h) {
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
sm_result sm_image_copy(sm_hive *h, int fd, size_t len, const char *path,
                        sm_error *err) {
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
    sm_image_publish(h, done);
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
      rc = sm_error_set(err, SM_ERR_IO, "%s: file shrank while reading", path);
    else if (write(h->memfd, buf, (size_t)r) != r)
      rc = sm_error_set(err, SM_ERR_NOMEM, "%s: cannot hold %zu bytes: %s",
                        path, len, strerror(errno));
    else
      sm_image_publish(h, done += (size_t)r);
  }
  free(buf);
  return rc;
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
int sm_image_fd(const sm_hive *h) { return h->in_place ? h->srcfd : h->memfd; }

/* hivex's own mapping of the image (hivex 1.3 maps the whole file
 * read-only and shared when it is not opened for writing): the line of
 * /proc/self/maps for that file, from offset 0, at least len bytes long,
 * that is not ours, and holding the image's first page.  NULL when there
 * is none (another hivex, another kernel). */
static const unsigned char *hivex_map(const sm_hive *h, int fd, size_t len) {
  struct stat st;
  unsigned char first[512];
  if (fstat(fd, &st) != 0 ||
      sm_read_full(fd, first, sizeof first, 0, NULL, NULL) != SM_OK)
    return NULL;
  FILE *f = fopen("/proc/self/maps", "re");
  if (!f)
    return NULL;
  const unsigned char *found = NULL;
  char line[512];
  while (!found && fgets(line, sizeof line, f)) {
    unsigned long lo, hi, maj, min;
    unsigned long long off, ino;
    char perms[8];
    if (sscanf(line, "%lx-%lx %7s %llx %lx:%lx %llu", &lo, &hi, perms, &off,
               &maj, &min, &ino) != 7 ||
        perms[0] != 'r' || perms[3] != 's' || off != 0 || hi - lo < len ||
        ino != (unsigned long long)st.st_ino ||
        makedev(maj, min) != st.st_dev ||
        (const unsigned char *)lo == h->image)
      continue;
    if (memcmp((const void *)lo, first, sizeof first) == 0)
      found = (const unsigned char *)lo;
  }
  fclose(f);
  return found;
}

/* hive/ reads key and value records, and the free cells, straight from
 * the image.  It reads them through hivex's mapping, which hivex_open has
 * just walked whole: on a virtual machine the first touch of each page of
 * a mapping is dear (a second mapping of an 11.8 MB hive walked once cost
 * as much as hivex's whole open here, under shadow paging), and a page
 * read through two mappings counts twice in the resident set.  Where
 * hivex's is not found, through a mapping of our own. */
sm_result sm_image_share(sm_hive *h, sm_error *err) {
  int fd = sm_image_fd(h);
  /* A borrowed image's file is mapped by others too (the walk that read
   * it): only ours is sure to live as long as h. */
  h->bytes = h->borrowed ? NULL : hivex_map(h, fd, h->image_len);
  if (h->bytes)
    return SM_OK;
  if (!h->image) {
    void *map = mmap(NULL, h->image_len, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
      return sm_error_set(err, SM_ERR_NOMEM, "%s: mmap: %s", h->path,
                          strerror(errno));
    h->image = map;
  }
  h->bytes = h->image;
  return SM_OK;
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

/* Hash the n bytes at off of the image's file, read with pread into buf
 * (CHUNK bytes, reused: it stays in cache, and its pages are touched
 * once).  Not through mappings of the file: on a virtual machine with
 * shadow paging the first touch of each page of a fresh mapping costs
 * more than copying it (win7's 11.8 MB: 21 ms of CPU through 2 MiB
 * mapped windows, 11.5 ms through pread, on the bench machine). */
static bool hash_range(sm_hive *h, struct sha256_ctx *ctx, unsigned char *buf,
                       size_t off, size_t n) {
  for (size_t done = 0; done < n;) {
    size_t k = n - done < CHUNK ? n - done : CHUNK;
    int fd = h->hashfd >= 0 ? h->hashfd : sm_image_fd(h);
    if (sm_read_full(fd, buf, k, (off_t)(off + done), NULL, NULL) != SM_OK)
      return false;
    sha256_update(ctx, k, buf);
    done += k;
  }
  return true;
}

/* SHA-256 of the hive as read: the memfd as the copy fills it, or the
 * evidence (read in place, or replayed meanwhile in the memfd: hashfd),
 * hash_len bytes, in steps of at most HASH_WINDOW bytes as they are
 * published; no mapping of it is touched, so the hive does not count
 * twice in the resident set. */
#define HASH_WINDOW ((size_t)2 << 20)
static void hash_with(sm_hive *h, unsigned char *buf) {
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  h->sha256[0] = '\0'; /* on failure: no digest, reported as unknown */
  sha256_init(&ctx);
  /* Asks before each window: a stop (a failed copy, a handle closed
   * without asking for the digest) ends the hash at once. */
  for (size_t off = 0; off < h->hash_len;) {
    size_t ready = wait_ready(h, off);
    size_t n = ready - off < HASH_WINDOW ? ready - off : HASH_WINDOW;
    if (!ready || !hash_range(h, &ctx, buf, off, n))
      return;
    off += n;
  }
  sha256_digest(&ctx, sizeof digest, digest);
  hex_digest(digest, h->sha256);
}

/* The hashing thread: no allocation of its own (h->hashbuf). */
static void *hash_image(void *arg) {
  sm_hive *h = arg;
  hash_with(h, h->hashbuf);
  return NULL;
}

/* Below this size a hive is hashed on the calling thread: starting a
 * thread costs more than hashing a few hundred KiB (-j1 batch of 400
 * 88-KiB hives: 0.90 s with the thread, 0.75 s without hashing at all). */
#define HASH_THREAD_MIN ((size_t)1 << 20)

/* Hash on a second thread, so that the hash (the largest cost of a big
 * hive) runs while the copy is made and hivex opens it.  When no thread
 * starts, sm_image_hash_pending() hashes on this one once the image is
 * complete. */
void sm_image_start_hash(sm_hive *h) {
  h->hash_len = h->image_len; /* a replay may grow the image meanwhile */
  if (h->image_len < HASH_THREAD_MIN || (h->flags & SM_OPEN_HASH_INLINE))
    return; /* hashed by sm_image_hash_pending(), on this thread */
  if (!(h->hashbuf = malloc(CHUNK)))
    return; /* sm_image_hash_pending() tries on this thread */
  sigset_t all, old;
  sigfillset(&all);
  pthread_attr_t attr;
  bool small = pthread_attr_init(&attr) == 0;
  /* hash_with needs a few KiB of stack: not glibc's 8 MiB default. */
  if (small && pthread_attr_setstacksize(&attr, (size_t)256 << 10) != 0) {
    pthread_attr_destroy(&attr);
    small = false;
  }
  pthread_sigmask(SIG_BLOCK, &all, &old); /* signals go to the main thread */
  h->hashing =
      pthread_create(&h->hasher, small ? &attr : NULL, hash_image, h) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (small)
    pthread_attr_destroy(&attr);
  if (!h->hashing) {
    free(h->hashbuf);
    h->hashbuf = NULL;
  }
}

/* The image is complete: hash it now if no thread could. */
void sm_image_hash_pending(sm_hive *h) {
  if (!(h->flags & SM_OPEN_NO_HASH) && !h->hashing) {
    h->hash_len = h->image_len;
    unsigned char *buf = malloc(CHUNK);
    h->sha256[0] = '\0'; /* out of memory: no digest, reported unknown */
    if (buf)
      hash_with(h, buf);
    free(buf);
  }
}

/* Wait for the hash: before the copy changes, and before it is read. */
void sm_image_finish_hash(sm_hive *h) {
  if (h->hashing) {
    pthread_join(h->hasher, NULL);
    h->hashing = false;
    free(h->hashbuf);
    h->hashbuf = NULL;
  }
}

/* Put the image in an anonymous memory file, the only thing hivex opens:
 * hivex never sees the evidence, and what is audited is what was hashed. */
sm_result sm_image_memfd(sm_hive *h, const unsigned char *src, size_t len,
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
  h->borrowed = false;
  return SM_OK;
}

sm_result sm_image_adopt(sm_hive *h, const sm_memfile *m, sm_error *err) {
  sm_memfile c;
  sm_error e = {0};
  if (sm_memfile_dup(m, &c, &e) != SM_OK)
    return sm_error_set(err, e.code, "%s: %s", h->path, e.msg);
  h->memfd = c.fd;
  h->image = (unsigned char *)c.data; /* PROT_READ: a write would fault */
  h->image_len = c.len;
  h->borrowed = true;
  return SM_OK;
}

sm_result sm_image_own(sm_hive *h, sm_error *err) {
  if (!h->borrowed)
    return SM_OK;
  unsigned char *old = h->image;
  size_t len = h->image_len;
  int fd = h->memfd;
  h->image = NULL;
  h->memfd = -1;
  h->borrowed = false;
  sm_result r = sm_image_memfd(h, old, len, err);
  munmap(old, len);
  close(fd);
  return r;
}

sm_result sm_image_grow(void *arg, unsigned char **image, size_t len) {
  sm_hive *h = arg;
  if (ftruncate(h->memfd, (off_t)len) != 0)
    return SM_ERR_NOMEM;
  void *p = mremap(h->image, h->image_len, len, MREMAP_MAYMOVE);
  if (p == MAP_FAILED) {
    if (ftruncate(h->memfd, (off_t)h->image_len) != 0)
      return SM_ERR_IO;
    return SM_ERR_NOMEM;
  }
  *image = h->image = p;
  h->image_len = len;
  return SM_OK;
}
