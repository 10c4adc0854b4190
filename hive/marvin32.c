#include <config.h>

#include "hive/hive-internal.h"

static uint32_t rotl32(uint32_t x, unsigned n) {
  return (x << n) | (x >> (32 - n));
}

static void mix(uint32_t *lo, uint32_t *hi) {
  uint32_t a = *lo, b = *hi;
  b ^= a;
  a = rotl32(a, 20) + b;
  b = rotl32(b, 9) ^ a;
  a = rotl32(a, 27) + b;
  b = rotl32(b, 19);
  *lo = a;
  *hi = b;
}

/* Marvin32 as published by Microsoft: the seed's low half and high half
 * are the two 32-bit lanes; the input is consumed as little-endian words,
 * the tail padded with a single 0x80 byte, followed by two extra rounds. */
uint64_t sm_marvin32(uint64_t seed, const unsigned char *p, size_t len) {
  uint32_t lo = (uint32_t)seed, hi = (uint32_t)(seed >> 32);
  size_t i = 0;
  for (; len - i >= 4; i += 4) {
    lo += (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
          (uint32_t)p[i + 3] << 24;
    mix(&lo, &hi);
  }
  uint32_t last = 0x80;
  for (size_t k = 0; i + k < len; k++) {
    last <<= 8;
    last |= p[len - 1 - k];
  }
  lo += last;
  mix(&lo, &hi);
  mix(&lo, &hi);
  return (uint64_t)hi << 32 | lo;
}
