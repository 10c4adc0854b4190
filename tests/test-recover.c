/* Transaction-log replay on synthetic hives and logs built in memory. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hive/hive-internal.h"

#define SEED UINT64_C(0x82EF4D887A4E55C5)
#define PAGE 4096u

static uint32_t rd32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static void wr32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static void wr64(unsigned char *p, uint64_t v) {
  wr32(p, (uint32_t)v);
  wr32(p + 4, (uint32_t)(v >> 32));
}

static void base_block(unsigned char *p, uint32_t seq1, uint32_t seq2,
                       uint32_t type, uint32_t hbins) {
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
static unsigned char *primary(uint32_t seq1, uint32_t seq2, uint32_t hbins,
                              size_t *len) {
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

static void log_new(logbuf *l, uint32_t seq, uint32_t type, uint32_t hbins) {
  l->p = calloc(1, 512);
  assert_non_null(l->p);
  l->len = 512;
  base_block(l->p, seq, seq, type, hbins);
}

/* Append an HvLE entry with one 4096-byte page per offset, each filled
 * with fill; returns the entry's offset in the log. */
static size_t add_entry(logbuf *l, uint32_t seq, uint32_t hbins,
                        const uint32_t *offs, uint32_t n, unsigned char fill) {
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
static void rehash(logbuf *l, size_t at) {
  unsigned char *e = l->p + at;
  uint32_t size = rd32(e + 4);
  if (size >= 40 && at + size <= l->len)
    wr64(e + 24, sm_marvin32(SEED, e + 40, size - 40));
  wr64(e + 32, sm_marvin32(SEED, e, 32));
}

static void assert_clean(const unsigned char *img, uint32_t seq) {
  assert_int_equal(rd32(img + 4), seq);
  assert_int_equal(rd32(img + 8), seq);
  assert_int_equal(rd32(img + 508), sm_base_block_checksum(img));
}

static void assert_contains(const char *s, const char *needle) {
  if (!strstr(s, needle))
    fail_msg("\"%s\" does not contain \"%s\"", s, needle);
}

/* replay: the other outcome where the logs allow two. */
static bool alternate;

static sm_recovery_info replay(unsigned char **img, size_t *len, logbuf *l1,
                               logbuf *l2) {
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

static void marvin32_vectors(void **state) {
  (void)state;
  /* Published test vector of Marvin32. */
  assert_true(sm_marvin32(UINT64_C(0x004FB61A001BDBCC), NULL, 0) ==
              UINT64_C(0x30ED35C100CD3C7D));
}

static void new_format_replay(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  logbuf l;
  log_new(&l, 4, 6, 2 * PAGE);
  uint32_t o0 = 0, o1 = PAGE, o2[] = {0, 2 * PAGE};
  add_entry(&l, 2, 2 * PAGE, &o0, 1, 'x'); /* already in the primary */
  add_entry(&l, 4, 2 * PAGE, &o0, 1, 'B');
  add_entry(&l, 5, 2 * PAGE, &o1, 1, 'C');
  add_entry(&l, 6, 3 * PAGE, o2, 2, 'D'); /* the hive grows */
  sm_recovery_info info = replay(&img, &len, &l, NULL);
  assert_true(info.recovered);
  assert_int_equal(info.entries, 3);
  assert_int_equal(info.pages, 4);
  assert_string_equal(info.logs, "SYSTEM.LOG1");
  assert_string_equal(info.warning, "");
  assert_int_equal(len, PAGE + 3 * PAGE);
  assert_int_equal(img[PAGE], 'D');
  assert_int_equal(img[2 * PAGE + 7], 'C');
  assert_int_equal(img[3 * PAGE + 100], 'D');
  assert_int_equal(rd32(img + 40), 3 * PAGE);
  assert_clean(img, 6);
  free(img);
  free(l.p);
}

static void bad_log_checksum(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  logbuf l;
  log_new(&l, 4, 6, 2 * PAGE);
  uint32_t o = 0;
  add_entry(&l, 4, 2 * PAGE, &o, 1, 'B');
  l.p[100] ^= 1;
  sm_recovery_info info = replay(&img, &len, &l, NULL);
  assert_false(info.recovered);
  assert_contains(info.warning, "SYSTEM.LOG1 skipped: base block checksum");
  assert_int_equal(img[PAGE + 100], 'A');
  free(img);
  free(l.p);
}

static void bad_entry_hash(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  logbuf l;
  log_new(&l, 4, 6, 2 * PAGE);
  uint32_t o = 0;
  add_entry(&l, 4, 2 * PAGE, &o, 1, 'B');
  size_t at = add_entry(&l, 5, 2 * PAGE, &o, 1, 'C');
  add_entry(&l, 6, 2 * PAGE, &o, 1, 'D');
  l.p[at + 1000] ^= 0x40; /* page data: hash-1 no longer matches */
  sm_recovery_info info = replay(&img, &len, &l, NULL);
  assert_true(info.recovered);
  assert_int_equal(info.entries, 1);
  assert_int_equal(img[PAGE + 100], 'B');
  char want[64];
  snprintf(want, sizeof want, "offset %zu (sequence 5): hash-1", at);
  assert_contains(info.warning, want);
  assert_clean(img, 4);

  /* The header's own hash. */
  free(img);
  img = primary(5, 4, 2 * PAGE, &len);
  rehash(&l, at);
  l.p[at + 8] ^= 1; /* flags: covered by hash-2 only */
  info = replay(&img, &len, &l, NULL);
  assert_int_equal(info.entries, 1);
  assert_contains(info.warning, "hash-2 mismatch");
  free(img);
  free(l.p);
}

static void truncated_entry(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  logbuf l;
  log_new(&l, 4, 6, 2 * PAGE);
  uint32_t o = 0;
  add_entry(&l, 4, 2 * PAGE, &o, 1, 'B');
  size_t at = add_entry(&l, 5, 2 * PAGE, &o, 1, 'C');
  l.len = at + 1024; /* the file ends inside the entry */
  sm_recovery_info info = replay(&img, &len, &l, NULL);
  assert_int_equal(info.entries, 1);
  assert_contains(info.warning, "truncated");
  assert_contains(info.warning, "SYSTEM.LOG1");
  assert_clean(img, 4);
  free(img);
  free(l.p);
}

static void sequence_gap(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  logbuf l;
  log_new(&l, 4, 6, 2 * PAGE);
  uint32_t o = 0;
  add_entry(&l, 4, 2 * PAGE, &o, 1, 'B');
  add_entry(&l, 6, 2 * PAGE, &o, 1, 'D');
  sm_recovery_info info = replay(&img, &len, &l, NULL);
  assert_int_equal(info.entries, 1);
  assert_contains(info.warning, "replay stopped after sequence 4");
  assert_int_equal(img[PAGE + 100], 'B');
  assert_clean(img, 4);
  free(img);
  free(l.p);
}

static void log_older_than_primary(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(9, 8, 2 * PAGE, &len);
  logbuf l;
  log_new(&l, 3, 6, 2 * PAGE);
  uint32_t o = 0;
  add_entry(&l, 8, 2 * PAGE, &o, 1, 'B');
  sm_recovery_info info = replay(&img, &len, &l, NULL);
  assert_false(info.recovered);
  assert_contains(info.warning, "older than the primary");
  free(img);
  free(l.p);
}

static void no_entries_after_primary(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(9, 8, 2 * PAGE, &len);
  logbuf l;
  log_new(&l, 8, 6, 2 * PAGE);
  uint32_t o = 0;
  add_entry(&l, 2, 2 * PAGE, &o, 1, 'B');
  sm_recovery_info info = replay(&img, &len, &l, NULL);
  assert_false(info.recovered);
  assert_contains(info.warning, "no log entry at or after sequence 8");
  free(img);
  free(l.p);
}

/* Each field of an entry set to nonsense, with hashes made to match so
 * that the bound itself is what stops the replay. */
static void absurd_fields(void **state) {
  (void)state;
  static const struct {
    size_t field;
    uint32_t value;
    const char *why;
  } cases[] = {
      {4, 0xFFFFFE00u, "truncated"},
      {4, 0, "not a multiple of 512"},
      {4, 1000, "not a multiple of 512"},
      {16, 0xFFFFF000u, "hive bins data size"},
      {16, 1000, "hive bins data size"},
      {20, 0xFFFFFFFFu, "do not fit"},
      {40, 0x7FFFF000u, "beyond the hive bins"}, /* page offset */
      {44, 0xFFFFF000u, "beyond the hive bins"}, /* page size */
      {44, 8 * PAGE, "beyond the hive bins"},
      {44, 100, "not aligned"},
      {20, 2, "not aligned"}, /* page data read as a second reference */
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    size_t len;
    unsigned char *img = primary(5, 4, 2 * PAGE, &len);
    logbuf l;
    log_new(&l, 4, 6, 2 * PAGE);
    uint32_t o = 0;
    add_entry(&l, 4, 2 * PAGE, &o, 1, 'B');
    size_t at = add_entry(&l, 5, 2 * PAGE, &o, 1, 'C');
    wr32(l.p + at + cases[c].field, cases[c].value);
    rehash(&l, at);
    sm_recovery_info info = replay(&img, &len, &l, NULL);
    if (info.entries != 1 || !strstr(info.warning, cases[c].why))
      fail_msg("case %zu: %u entries, warning \"%s\", wanted \"%s\"", c,
               info.entries, info.warning, cases[c].why);
    assert_int_equal(len, PAGE + 2 * PAGE);
    assert_clean(img, 4);
    free(img);
    free(l.p);
  }
}

/* Two new-format logs with base-block sequences b1 and b2. */
static void two_logs(logbuf *l1, uint32_t b1, logbuf *l2, uint32_t b2) {
  log_new(l1, b1, 6, 2 * PAGE);
  log_new(l2, b2, 6, 2 * PAGE);
}

static void free3(unsigned char *img, logbuf *l1, logbuf *l2) {
  free(img);
  free(l1->p);
  free(l2->p);
}

/* Two new-format logs (msuhanov/regf, "New format"): the one with the
 * earlier entries (older base block) first, then the other only from an
 * entry that continues it; each stops at its first gap. */
static void logs_in_turn(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  logbuf l1, l2;
  two_logs(&l1, 4, &l2, 5);
  uint32_t o0 = 0, o1 = PAGE;
  add_entry(&l1, 4, 2 * PAGE, &o0, 1, '4');
  add_entry(&l2, 5, 2 * PAGE, &o1, 1, '5');
  add_entry(&l1, 6, 2 * PAGE, &o0, 1, '6');
  add_entry(&l2, 7, 2 * PAGE, &o1, 1, '7');
  sm_recovery_info info = replay(&img, &len, &l1, &l2);
  assert_int_equal(info.entries, 2);
  assert_string_equal(info.logs, "SYSTEM.LOG1,SYSTEM.LOG2");
  assert_contains(info.warning, "SYSTEM.LOG1: replay stopped after sequence 4");
  assert_contains(info.warning, "SYSTEM.LOG2: replay stopped after sequence 5");
  assert_int_equal(img[PAGE + 100], '4');
  assert_int_equal(img[2 * PAGE + 100], '5');
  assert_int_equal(info.outcomes, 1);
  assert_clean(img, 5);
  free3(img, &l1, &l2);
}

/* The second log overlaps the first: it does not continue it, and is not
 * used (smaudit once let the first log win each shared sequence). */
static void overlapping_logs(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  logbuf l1, l2;
  two_logs(&l1, 4, &l2, 5);
  uint32_t o0 = 0, o1 = PAGE;
  add_entry(&l1, 4, 2 * PAGE, &o0, 1, '1');
  add_entry(&l1, 5, 2 * PAGE, &o0, 1, '1');
  add_entry(&l2, 5, 2 * PAGE, &o1, 1, '2');
  add_entry(&l2, 6, 2 * PAGE, &o1, 1, '2');
  sm_recovery_info info = replay(&img, &len, &l1, &l2);
  assert_int_equal(info.entries, 2);
  assert_string_equal(info.logs, "SYSTEM.LOG1");
  assert_contains(info.warning, "SYSTEM.LOG2 not used: its first entry, "
                                "sequence 5, does not continue");
  assert_int_equal(img[2 * PAGE + 100], 'A');
  assert_clean(img, 5);
  free3(img, &l1, &l2);
}

/* LOG2 holds the earlier entries: it goes first, LOG1 continues it. */
static void order_by_sequence(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  logbuf l1, l2;
  two_logs(&l1, 6, &l2, 4);
  uint32_t o0 = 0, o1 = PAGE;
  add_entry(&l2, 4, 2 * PAGE, &o0, 1, '4');
  add_entry(&l2, 5, 2 * PAGE, &o0, 1, '5');
  add_entry(&l1, 6, 2 * PAGE, &o1, 1, '6');
  add_entry(&l1, 7, 2 * PAGE, &o1, 1, '7');
  sm_recovery_info info = replay(&img, &len, &l1, &l2);
  assert_int_equal(info.entries, 4);
  assert_string_equal(info.logs, "SYSTEM.LOG2,SYSTEM.LOG1");
  assert_string_equal(info.warning, "");
  assert_int_equal(img[PAGE + 100], '5');
  assert_int_equal(img[2 * PAGE + 100], '7');
  assert_clean(img, 7);
  free3(img, &l1, &l2);
}

/* A wrong base-block checksum: only the log with the latest entries, and
 * its base block. */
static void invalid_base_latest_log(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  img[508] ^= 1;
  logbuf l1, l2;
  two_logs(&l1, 4, &l2, 6);
  uint32_t o0 = 0, o1 = PAGE;
  add_entry(&l1, 4, 2 * PAGE, &o0, 1, '1');
  add_entry(&l1, 5, 2 * PAGE, &o0, 1, '1');
  add_entry(&l2, 6, 2 * PAGE, &o1, 1, '2');
  add_entry(&l2, 7, 2 * PAGE, &o1, 1, '2');
  sm_recovery_info info = replay(&img, &len, &l1, &l2);
  assert_int_equal(info.entries, 2);
  assert_string_equal(info.logs, "SYSTEM.LOG2");
  assert_contains(info.warning, "SYSTEM.LOG1 not used: the base block is "
                                "invalid");
  assert_int_equal(img[PAGE + 100], 'A');
  assert_int_equal(img[2 * PAGE + 100], '2');
  assert_clean(img, 7);
  free3(img, &l1, &l2);
}

/* Two logs nothing orders (same base block sequence, same first entry):
 * two outcomes, each replayed on request. */
static void two_outcomes(void **state) {
  (void)state;
  for (int alt = 0; alt < 2; alt++) {
    size_t len;
    unsigned char *img = primary(5, 4, 2 * PAGE, &len);
    logbuf l1, l2;
    two_logs(&l1, 4, &l2, 4);
    uint32_t o0 = 0;
    add_entry(&l1, 4, 2 * PAGE, &o0, 1, '1');
    add_entry(&l1, 5, 2 * PAGE, &o0, 1, '1');
    add_entry(&l2, 4, 2 * PAGE, &o0, 1, '2');
    add_entry(&l2, 5, 2 * PAGE, &o0, 1, '2');
    add_entry(&l2, 6, 2 * PAGE, &o0, 1, '2');
    alternate = alt;
    sm_recovery_info info = replay(&img, &len, &l1, &l2);
    alternate = false;
    assert_int_equal(info.outcomes, 2);
    assert_int_equal(img[PAGE + 100], alt ? '2' : '1');
    assert_clean(img, alt ? 6 : 5);
    free3(img, &l1, &l2);
  }
}

static void old_format_replay(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  /* Base block, DIRT with a 2-byte bitmap (16 pages of 512), 2 pages. */
  logbuf l;
  log_new(&l, 5, 1, 3 * PAGE);
  l.p = realloc(l.p, 512 + 512 + 2 * 512);
  l.len = 512 + 512 + 2 * 512;
  memset(l.p + 512, 0, l.len - 512);
  memcpy(l.p + 512, "DIRT", 4);
  l.p[516] = 0x01;     /* page 0 */
  l.p[516 + 2] = 0x80; /* page 23: in the third 4096-byte block */
  memset(l.p + 1024, 'P', 512);
  memset(l.p + 1536, 'Q', 512);
  sm_recovery_info info = replay(&img, &len, &l, NULL);
  assert_true(info.recovered);
  assert_int_equal(info.entries, 1);
  assert_int_equal(info.pages, 2);
  assert_string_equal(info.warning, "");
  assert_int_equal(len, PAGE + 3 * PAGE);
  assert_int_equal(img[PAGE], 'P');
  assert_int_equal(img[PAGE + 512], 'A');
  assert_int_equal(img[PAGE + 23 * 512 + 5], 'Q');
  assert_int_equal(rd32(img + 40), 3 * PAGE);
  assert_clean(img, 5);
  free(img);

  /* The same log cut short: skipped whole, the image untouched. */
  img = primary(5, 4, 2 * PAGE, &len);
  l.len -= 512;
  info = replay(&img, &len, &l, NULL);
  assert_false(info.recovered);
  assert_contains(info.warning, "truncated: 2 dirty pages expected, 1");
  assert_int_equal(img[PAGE + 100], 'A');
  assert_int_equal(len, PAGE + 2 * PAGE);
  free(img);

  /* A bitmap claiming every page of a huge hive bins data size. */
  img = primary(5, 4, 2 * PAGE, &len);
  base_block(l.p, 5, 5, 1, 0x7FFFF000u);
  info = replay(&img, &len, &l, NULL);
  assert_false(info.recovered);
  assert_contains(info.warning, "more than the hive and its logs can fill");
  free(img);
  free(l.p);
}

static void no_logs(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  sm_recovery_info info = replay(&img, &len, NULL, NULL);
  assert_false(info.recovered);
  assert_contains(info.warning, "no transaction logs");
  free(img);
}

/* Flipped bytes anywhere in two logs: never a crash, never an image whose
 * base block is left dirty after a reported recovery. */
static void mutated_logs(void **state) {
  (void)state;
  uint32_t rng = 12345;
  for (int iter = 0; iter < 300; iter++) {
    size_t len;
    unsigned char *img = primary(5, 4, 2 * PAGE, &len);
    logbuf l1, l2;
    log_new(&l1, 4, 6, 2 * PAGE);
    log_new(&l2, 5, 6, 2 * PAGE);
    uint32_t o = PAGE;
    add_entry(&l1, 4, 2 * PAGE, &o, 1, 'B');
    add_entry(&l2, 5, 3 * PAGE, &o, 1, 'C');
    add_entry(&l1, 6, 3 * PAGE, &o, 1, 'D');
    for (int k = 0; k < 1 + iter % 5; k++) {
      rng = rng * 1103515245u + 12345u;
      logbuf *l = (rng >> 16) & 1 ? &l1 : &l2;
      rng = rng * 1103515245u + 12345u;
      /* Mostly headers, where the bounds live. */
      size_t span = (rng >> 8) % 4 ? 64 : l->len;
      size_t at = (rng >> 12) % 3 == 0 ? 0 : 512;
      rng = rng * 1103515245u + 12345u;
      at = (at + (rng >> 8) % span) % l->len;
      rng = rng * 1103515245u + 12345u;
      l->p[at] ^= (unsigned char)(1u << ((rng >> 16) % 8));
    }
    if (iter % 7 == 0)
      l2.len -= (rng >> 4) % l2.len;
    sm_recovery_info info = replay(&img, &len, &l1, &l2);
    if (info.recovered)
      assert_clean(img, rd32(img + 4));
    assert_true(len >= PAGE + 2 * PAGE && len <= PAGE + 3 * PAGE);
    free(img);
    free(l1.p);
    free(l2.p);
  }
}

static void write_file(const char *dir, const char *name,
                       const unsigned char *p, size_t len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(p, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

/* A small log whose one valid entry declares 2 GiB of hive bins: the image
 * never grows beyond what the hive and its logs can fill, and the warning
 * names the log (a 2 GiB image of zeros before). */
static void hostile_growth(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  logbuf l;
  log_new(&l, 4, 6, 2 * PAGE);
  uint32_t o = 0;
  add_entry(&l, 5, 0x7FFFF000u, &o, 1, 'B');
  while (l.len < 16384) /* 16 KiB, as found: later entries do not matter */
    add_entry(&l, 6 + (uint32_t)(l.len / PAGE), 2 * PAGE, &o, 1, 'C');
  sm_recovery_info info = replay(&img, &len, &l, NULL);
  assert_false(info.recovered);
  assert_int_equal(len, PAGE + 2 * PAGE);
  assert_contains(info.warning, "SYSTEM.LOG1: bad log entry at offset 512");
  assert_contains(info.warning, "hive bins data size 2147479552 is more than "
                                "the hive and its logs can fill");
  assert_int_equal(img[PAGE + 100], 'A');
  free(img);

  /* Growth by what the logs hold is kept: two pages more from 8 KiB+. */
  img = primary(5, 4, 2 * PAGE, &len);
  free(l.p);
  log_new(&l, 4, 6, 2 * PAGE);
  uint32_t offs[] = {2 * PAGE, 3 * PAGE};
  add_entry(&l, 5, 4 * PAGE, offs, 2, 'D');
  info = replay(&img, &len, &l, NULL);
  assert_true(info.recovered);
  assert_int_equal(len, PAGE + 4 * PAGE);
  assert_int_equal(img[PAGE + 3 * PAGE + 9], 'D');
  free(img);
  free(l.p);

  /* The old format: a bitmap for 2 GiB with one dirty page. */
  img = primary(5, 4, 2 * PAGE, &len);
  size_t bytes = 0x7FFFF000u / 512 / 8;
  l.len = 512 + 512 + (4 + bytes + 511) / 512 * 512 + 512;
  l.p = calloc(1, l.len);
  assert_non_null(l.p);
  base_block(l.p, 5, 5, 1, 0x7FFFF000u);
  memcpy(l.p + 512, "DIRT", 4);
  l.p[516] = 0x01;
  info = replay(&img, &len, &l, NULL);
  assert_false(info.recovered);
  assert_int_equal(len, PAGE + 2 * PAGE);
  assert_contains(info.warning, "SYSTEM.LOG1 skipped: hive bins data size "
                                "2147479552 is more than the hive and its "
                                "logs can fill");
  free(img);
  free(l.p);
}

/* Logs are found beside the hive whatever their case; nothing is written. */
static void logs_found_on_disk(void **state) {
  (void)state;
  char dir[] = "/tmp/smaudit-test-recover.XXXXXX";
  assert_non_null(mkdtemp(dir));
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  write_file(dir, "system", img, len);
  logbuf l;
  log_new(&l, 4, 6, 2 * PAGE);
  uint32_t o = 0;
  add_entry(&l, 4, 2 * PAGE, &o, 1, 'B');
  write_file(dir, "SYSTEM.log1", l.p, l.len);
  write_file(dir, "system.LOG", (const unsigned char *)"", 0);
  write_file(dir, "systemx.LOG2", l.p, l.len); /* another hive's log */

  char path[512];
  snprintf(path, sizeof path, "%s/system", dir);
  sm_recovery_info info;
  sm_error err;
  assert_int_equal(sm_recover_apply(path, &img, &len, &info, &err), SM_OK);
  assert_true(info.attempted);
  assert_true(info.recovered);
  assert_string_equal(info.logs, "SYSTEM.log1");
  assert_string_equal(info.warning, "");
  assert_int_equal(img[PAGE + 100], 'B');

  snprintf(path, sizeof path, "%s/SYSTEM.log1", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/system", dir);
  free(img);
  img = primary(5, 4, 2 * PAGE, &len);
  assert_int_equal(sm_recover_apply(path, &img, &len, &info, &err), SM_OK);
  assert_true(info.attempted);
  assert_false(info.recovered);
  assert_contains(info.warning, "no usable transaction log");

  snprintf(path, sizeof path, "%s/system.LOG", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/system", dir);
  assert_int_equal(sm_recover_apply(path, &img, &len, &info, &err), SM_OK);
  assert_true(info.attempted);
  assert_false(info.recovered);
  assert_contains(info.warning, "no transaction logs found");

  const char *names[] = {"system", "systemx.LOG2"};
  for (size_t i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    unlink(path);
  }
  assert_int_equal(rmdir(dir), 0);
  free(img);
  free(l.p);
}

/* A new-format log of 300 MiB of 1 MiB HvLE entries, made as it is read
 * (sm_log_read_fn): the base block, then each entry's header. */
#define CAP_ENTRY ((uint64_t)1 << 20)
static sm_result cap_read(void *ctx, void *buf, size_t len, uint64_t off,
                          sm_error *err) {
  (void)ctx;
  (void)err;
  unsigned char *b = buf;
  memset(b, 0, len);
  if (off == 0 && len >= 32) {
    memcpy(b, "regf", 4);
    b[28] = 6; /* a new-format log */
  }
  for (uint64_t at = 512; at < off + len; at += CAP_ENTRY)
    if (at >= off && at + 8 <= off + len) {
      memcpy(b + (at - off), "HvLE", 4);
      uint32_t e = (uint32_t)CAP_ENTRY;
      memcpy(b + (at - off) + 4, &e, 4); /* little-endian here */
    }
  return SM_OK;
}

/* The 256 MiB read from all of a hive's logs (SM_HIVE_LOG_READ_MAX): a
 * 300 MiB log of valid entries is read up to the last whole entry within
 * it, and said cut; the next log finds the budget spent. */
static void logs_capped_at_256_mib(void **state) {
  (void)state;
  assert_int_equal(SM_HIVE_LOG_READ_MAX, (uint64_t)256 << 20);
  uint64_t budget = SM_HIVE_LOG_READ_MAX;
  unsigned char *data = NULL;
  size_t len = 0;
  char cut[160];
  sm_error err = {0};
  assert_int_equal(sm_hive_read_log((uint64_t)300 << 20, cap_read, NULL,
                                    &budget, &data, &len, cut, sizeof cut,
                                    &err),
                   SM_OK);
  assert_int_equal(len, 512 + 255 * CAP_ENTRY);
  assert_true(len <= SM_HIVE_LOG_READ_MAX);
  assert_non_null(strstr(cut, "logs are read up to 256 MiB in all"));
  assert_int_equal(budget, SM_HIVE_LOG_READ_MAX - len);
  free(data);
  /* a second log of the same hive: nothing of it fits any more */
  data = NULL;
  sm_result r = sm_hive_read_log((uint64_t)300 << 20, cap_read, NULL, &budget,
                                 &data, &len, cut, sizeof cut, &err);
  assert_true(r == SM_ERR_LIMIT || (r == SM_OK && len < CAP_ENTRY));
  free(data);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(logs_capped_at_256_mib),
      cmocka_unit_test(marvin32_vectors),
      cmocka_unit_test(new_format_replay),
      cmocka_unit_test(bad_log_checksum),
      cmocka_unit_test(bad_entry_hash),
      cmocka_unit_test(truncated_entry),
      cmocka_unit_test(sequence_gap),
      cmocka_unit_test(log_older_than_primary),
      cmocka_unit_test(no_entries_after_primary),
      cmocka_unit_test(absurd_fields),
      cmocka_unit_test(logs_in_turn),
      cmocka_unit_test(overlapping_logs),
      cmocka_unit_test(order_by_sequence),
      cmocka_unit_test(invalid_base_latest_log),
      cmocka_unit_test(two_outcomes),
      cmocka_unit_test(old_format_replay),
      cmocka_unit_test(no_logs),
      cmocka_unit_test(mutated_logs),
      cmocka_unit_test(logs_found_on_disk),
      cmocka_unit_test(hostile_growth),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
