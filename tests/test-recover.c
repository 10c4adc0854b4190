/* Transaction-log replay on synthetic hives and logs built in memory: the
 * new format's entries and the old format's pages, each damage refused
 * (tests/test-recover-dual.c: two logs; tests/test-recover-files.c: logs
 * on disk and the bounds). */
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
#include "tests/test-recover-util.h"

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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(marvin32_vectors),
      cmocka_unit_test(new_format_replay),
      cmocka_unit_test(bad_log_checksum),
      cmocka_unit_test(bad_entry_hash),
      cmocka_unit_test(truncated_entry),
      cmocka_unit_test(sequence_gap),
      cmocka_unit_test(log_older_than_primary),
      cmocka_unit_test(no_entries_after_primary),
      cmocka_unit_test(absurd_fields),
      cmocka_unit_test(old_format_replay),
      cmocka_unit_test(no_logs),
      cmocka_unit_test(mutated_logs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
