/* Transaction-log replay of two new-format logs (dual logging,
 * msuhanov/regf "New format"): which log goes first, which continues it,
 * and where nothing orders them, the two outcomes. */
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(logs_in_turn),
      cmocka_unit_test(overlapping_logs),
      cmocka_unit_test(order_by_sequence),
      cmocka_unit_test(invalid_base_latest_log),
      cmocka_unit_test(two_outcomes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
