/* Helpers of the transaction-log replay's unit programs
 * (tests/test-recover*.c): primary images and logs built in memory, their
 * hashes, and a replay of one or two logs (each helper marked unused: a
 * program may not call them all).  Include after <cmocka.h>. */
#ifndef SM_TEST_RECOVER_UTIL_H
#define SM_TEST_RECOVER_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hive/hive-internal.h"

#define SEED UINT64_C(0x82EF4D887A4E55C5)
#define PAGE 4096u

__attribute__((unused)) static uint32_t rd32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

__attribute__((unused)) static void wr32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

__attribute__((unused)) static void wr64(unsigned char *p, uint64_t v) {
  wr32(p, (uint32_t)v);
  wr32(p + 4, (uint32_t)(v >> 32));
}

__attribute__((unused)) static void base_block(unsigned char *p, uint32_t seq1,
                                               uint32_t seq2, uint32_t type,
                                               uint32_t hbins) {
  memset(p, 0, 512);
  memcpy(p, "regf", 4);
  wr32(p + 4, seq1);
  wr32(p + 8, seq2);
  wr64(p + 12, UINT64_C(0x01D3CDA2B3C4D5E6));
  wr32(p + 20, 1);
  wr32(p + 24, 5);
  wr32(p + 28, type);
  wr32(p + 32, 1);
  wr32(p + 36, 0x20);
  wr32(p + 40, hbins);
  wr32(p + 44, 1);
  wr32(p + 508, sm_base_block_checksum(p));
}

/* A primary image: base block, then hbins pages of 'A' with hbin headers. */
__attribute__((unused)) static unsigned char *
primary(uint32_t seq1, uint32_t seq2, uint32_t hbins, size_t *len) {
  *len = PAGE + hbins;
  unsigned char *p = calloc(1, *len);
  assert_non_null(p);
  base_block(p, seq1, seq2, 0, hbins);
  for (uint32_t off = 0; off < hbins; off += PAGE) {
    memset(p + PAGE + off, 'A', PAGE);
    memcpy(p + PAGE + off, "hbin", 4);
    wr32(p + PAGE + off + 4, off);
    wr32(p + PAGE + off + 8, PAGE);
  }
  return p;
}

typedef struct logbuf {
  unsigned char *p;
  size_t len;
} logbuf;

__attribute__((unused)) static void log_new(logbuf *l, uint32_t seq,
                                            uint32_t type, uint32_t hbins) {
  l->p = calloc(1, 512);
  assert_non_null(l->p);
  l->len = 512;
  base_block(l->p, seq, seq, type, hbins);
}

/* Append an HvLE entry with one 4096-byte page per offset, each filled
 * with fill; returns the entry's offset in the log. */
__attribute__((unused)) static size_t
add_entry(logbuf *l, uint32_t seq, uint32_t hbins, const uint32_t *offs,
          uint32_t n, unsigned char fill) {
  size_t size = 40 + 8 * (size_t)n + (size_t)PAGE * n;
  size = (size + 511) / 512 * 512;
  size_t at = l->len;
  l->p = realloc(l->p, l->len + size);
  assert_non_null(l->p);
  l->len += size;
  unsigned char *e = l->p + at;
  memset(e, 0, size);
  memcpy(e, "HvLE", 4);
  wr32(e + 4, (uint32_t)size);
  wr32(e + 8, 1);
  wr32(e + 12, seq);
  wr32(e + 16, hbins);
  wr32(e + 20, n);
  for (uint32_t k = 0; k < n; k++) {
    wr32(e + 40 + 8 * k, offs[k]);
    wr32(e + 44 + 8 * k, PAGE);
    memset(e + 40 + 8 * n + (size_t)PAGE * k, fill, PAGE);
  }
  wr64(e + 24, sm_marvin32(SEED, e + 40, size - 40));
  wr64(e + 32, sm_marvin32(SEED, e, 32));
  return at;
}

/* Recompute both hashes after a test changed an entry's header. */
__attribute__((unused)) static void rehash(logbuf *l, size_t at) {
  unsigned char *e = l->p + at;
  uint32_t size = rd32(e + 4);
  if (size >= 40 && at + size <= l->len)
    wr64(e + 24, sm_marvin32(SEED, e + 40, size - 40));
  wr64(e + 32, sm_marvin32(SEED, e, 32));
}

__attribute__((unused)) static void assert_clean(const unsigned char *img,
                                                 uint32_t seq) {
  assert_int_equal(rd32(img + 4), seq);
  assert_int_equal(rd32(img + 8), seq);
  assert_int_equal(rd32(img + 508), sm_base_block_checksum(img));
}

__attribute__((unused)) static void assert_contains(const char *s,
                                                    const char *needle) {
  if (!strstr(s, needle))
    fail_msg("\"%s\" does not contain \"%s\"", s, needle);
}

/* replay: the other outcome where the logs allow two. */
static bool alternate;

__attribute__((unused)) static sm_recovery_info
replay(unsigned char **img, size_t *len, logbuf *l1, logbuf *l2) {
  sm_txlog logs[2];
  size_t n = 0;
  if (l1)
    logs[n++] = (sm_txlog){"SYSTEM.LOG1", l1->p, l1->len};
  if (l2)
    logs[n++] = (sm_txlog){"SYSTEM.LOG2", l2->p, l2->len};
  sm_recovery_info info;
  memset(&info, 0, sizeof info);
  sm_error err;
  assert_int_equal(sm_txlog_replay(img, len, logs, n, alternate, &info, &err),
                   SM_OK);
  assert_true(info.attempted);
  return info;
}

#endif
