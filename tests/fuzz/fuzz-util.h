/* Shared by the libFuzzer harnesses: inputs handed to the library as files
 * without touching the disk (memfd), and a file-backed baseline. */
#ifndef SM_FUZZ_UTIL_H
#define SM_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* A memfd holding data; path gets "/proc/self/fd/N".  -1 on failure. */
static inline int fuzz_memfd(const uint8_t *data, size_t size, char *path,
                             size_t path_size) {
  int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t off = 0;
  while (off < size) {
    ssize_t w = write(fd, data + off, size - off);
    if (w <= 0) {
      close(fd);
      return -1;
    }
    off += (size_t)w;
  }
  snprintf(path, path_size, "/proc/self/fd/%d", fd);
  return fd;
}

/* Exit loudly when the harness itself cannot set up: not a finding. */
static inline void fuzz_die(const char *what) {
  fprintf(stderr, "fuzz harness: %s\n", what);
  abort();
}

#endif
