#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"

bool sm_grow(void *arrp, size_t n, size_t size) {
  void **arr = arrp;
  if (n & (n - 1))
    return true; /* not a power of two: room is left */
  size_t cap = n ? 2 * n : 1;
  if (cap < n || size == 0 || cap > SIZE_MAX / size)
    return false;
  void *p = realloc(*arr, cap * size);
  if (!p)
    return false;
  *arr = p;
  return true;
}

void *sm_memdup(const void *p, size_t n) {
  void *c = malloc(n ? n : 1);
  if (c && n)
    memcpy(c, p, n);
  return c;
}
