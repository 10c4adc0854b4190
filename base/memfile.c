/* Sealed anonymous memory files (memfile.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/memfile.h"

/* What an empty file maps to: a length-0 mmap fails. */
static const unsigned char empty[1];

static sm_result map(sm_memfile *m, int fd, size_t len, sm_error *err) {
  const unsigned char *p = empty;
  if (len) {
    void *q = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    if (q == MAP_FAILED) {
      int e = errno;
      close(fd);
      return sm_error_set(err, SM_ERR_NOMEM, "cannot hold %zu bytes: mmap: %s",
                          len, strerror(e));
    }
    p = q;
  }
  *m = (sm_memfile){.fd = fd, .data = p, .len = len};
  return SM_OK;
}

static sm_result fail(int fd, unsigned char *buf, size_t len, int e,
                      sm_error *err) {
  close(fd);
  free(buf);
  return sm_error_set(err, SM_ERR_NOMEM, "cannot hold %zu bytes: %s", len,
                      strerror(e));
}

sm_result sm_memfile_fill(sm_memfile *m, size_t len, sm_memfile_read_fn read,
                          void *ctx, sm_error *err) {
  *m = (sm_memfile){.fd = -1};
  enum { STEP = 1 << 20 };
  int fd = memfd_create("smaudit-file", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return sm_error_set(err, SM_ERR_IO, "memfd_create: %s", strerror(errno));
  unsigned char *buf = malloc(len < STEP ? (len ? len : 1) : STEP);
  if (!buf)
    return fail(fd, NULL, len, ENOMEM, err);
  if (ftruncate(fd, (off_t)len) != 0)
    return fail(fd, buf, len, errno, err);
  for (size_t done = 0; done < len;) {
    size_t n = len - done < STEP ? len - done : STEP;
    sm_result r = read(ctx, buf, n, done, err);
    if (r != SM_OK) {
      close(fd);
      free(buf);
      return r;
    }
    for (size_t w = 0; w < n;) {
      ssize_t k = pwrite(fd, buf + w, n - w, (off_t)(done + w));
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        return fail(fd, buf, len, k < 0 ? errno : ENOSPC, err);
      w += (size_t)k;
    }
    done += n;
  }
  free(buf);
  /* From here on nobody can change, grow or shrink it. */
  if (fcntl(fd, F_ADD_SEALS,
            F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0)
    return fail(fd, NULL, len, errno, err);
  return map(m, fd, len, err);
}

sm_result sm_memfile_dup(const sm_memfile *src, sm_memfile *out,
                         sm_error *err) {
  *out = (sm_memfile){.fd = -1};
  int fd = fcntl(src->fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0)
    return sm_error_set(err, SM_ERR_IO, "dup: %s", strerror(errno));
  return map(out, fd, src->len, err);
}

void sm_memfile_close(sm_memfile *m) {
  if (m->data && m->data != empty)
    munmap((void *)m->data, m->len);
  if (m->fd >= 0)
    close(m->fd);
  *m = (sm_memfile){.fd = -1};
}
