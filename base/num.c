#include <config.h>

#include "base/num.h"

static int digit(char c, unsigned base) {
  unsigned d;
  if (c >= '0' && c <= '9')
    d = (unsigned)(c - '0');
  else if (base == 16 && c >= 'a' && c <= 'f')
    d = (unsigned)(c - 'a' + 10);
  else if (base == 16 && c >= 'A' && c <= 'F')
    d = (unsigned)(c - 'A' + 10);
  else
    return -1;
  return (int)d;
}

bool sm_parse_u64(const char *s, uint64_t *out) {
  unsigned base = 10;
  if (!s)
    return false;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  if (!*s)
    return false;
  uint64_t v = 0;
  for (; *s; s++) {
    int d = digit(*s, base);
    if (d < 0 || v > (UINT64_MAX - (unsigned)d) / base)
      return false;
    v = v * base + (unsigned)d;
  }
  *out = v;
  return true;
}
