/* The expect matcher: scalars, numbers, lists, and the text it reports. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/audit.h"

static size_t run(const sm_expect *e, const sm_target *t, sm_mismatch **m) {
  size_t n = 0;
  *m = NULL;
  assert_int_equal(sm_expect_check(e, t, m, &n), SM_OK);
  return n;
}

static sm_target scalar(const char *s) {
  sm_target t = {.str = s};
  return t;
}

static sm_target number(uint64_t v) {
  sm_target t = {.is_num = true, .num = v};
  return t;
}

static sm_target list(char **items, size_t n) {
  sm_target t = {.is_list = true, .items = items, .n_items = n};
  return t;
}

static void test_equals_string_case_insensitive(void **state) {
  (void)state;
  sm_expect e = {.has_equals = true, .equals_str = "%SystemRoot%\\system32\\cmd.exe"};
  sm_mismatch *m;
  sm_target t = scalar("%SYSTEMROOT%\\System32\\CMD.EXE");
  assert_int_equal(run(&e, &t, &m), 0);
  free(m);
  t = scalar("C:\\evil\\cmd.exe");
  assert_int_equal(run(&e, &t, &m), 1);
  assert_string_equal(m[0].observed, "C:\\evil\\cmd.exe");
  assert_non_null(strstr(m[0].expected, "equals"));
  sm_mismatches_free(m, 1);
  e.case_sensitive = true;
  t = scalar("%SYSTEMROOT%\\System32\\CMD.EXE");
  assert_int_equal(run(&e, &t, &m), 1);
  sm_mismatches_free(m, 1);
}

static void test_equals_number(void **state) {
  (void)state;
  sm_expect e = {.has_equals = true, .equals_is_num = true, .equals_num = 1};
  sm_mismatch *m;
  sm_target t = number(1);
  assert_int_equal(run(&e, &t, &m), 0);
  free(m);
  t = number(0);
  assert_int_equal(run(&e, &t, &m), 1);
  assert_string_equal(m[0].observed, "0");
  sm_mismatches_free(m, 1);
  /* A string that is not a number never equals a number. */
  t = scalar("one");
  assert_int_equal(run(&e, &t, &m), 1);
  sm_mismatches_free(m, 1);
}

static void test_one_of_numbers_and_strings(void **state) {
  (void)state;
  char *vals[] = {"0x3", "4", "On"};
  sm_expect e = {.one_of = vals, .n_one_of = 3};
  sm_mismatch *m;
  sm_target t = number(3);
  assert_int_equal(run(&e, &t, &m), 0);
  free(m);
  t = scalar("on");
  assert_int_equal(run(&e, &t, &m), 0);
  free(m);
  t = number(5);
  assert_int_equal(run(&e, &t, &m), 1);
  sm_mismatches_free(m, 1);
}

static void test_glob_backslash_literal(void **state) {
  (void)state;
  sm_expect e = {.glob = "?:\\pagefile.sys"};
  sm_mismatch *m;
  sm_target t = scalar("C:\\PAGEFILE.SYS");
  assert_int_equal(run(&e, &t, &m), 0);
  free(m);
  t = scalar("C:\\Users\\x\\pagefile.sys");
  assert_int_equal(run(&e, &t, &m), 1);
  sm_mismatches_free(m, 1);
}

static void test_regex(void **state) {
  (void)state;
  sm_expect e = {.has_regex = true, .regex_src = "^[0-9]+,[0-9]+(,[0-9]+)?$"};
  char why[160];
  assert_int_equal(
      sm_regex_compile(e.regex_src, false, &e.regex, why, sizeof why), SM_OK);
  sm_mismatch *m;
  sm_target t = scalar("1024,20480,768");
  assert_int_equal(run(&e, &t, &m), 0);
  free(m);
  t = scalar("1024;evil");
  assert_int_equal(run(&e, &t, &m), 1);
  sm_mismatches_free(m, 1);
  sm_regex_free(e.regex);
}

static void test_range_and_bits(void **state) {
  (void)state;
  sm_expect e = {.has_min = true, .min = 1, .has_max = true, .max = 3};
  sm_mismatch *m;
  sm_target t = number(2);
  assert_int_equal(run(&e, &t, &m), 0);
  free(m);
  t = number(4);
  assert_int_equal(run(&e, &t, &m), 1);
  sm_mismatches_free(m, 1);
  sm_expect b = {.has_bits_clear = true, .bits_clear = 3};
  t = number(0x8);
  assert_int_equal(run(&b, &t, &m), 0);
  free(m);
  t = number(0x3); /* Spectre/Meltdown mitigations off */
  assert_int_equal(run(&b, &t, &m), 1);
  sm_mismatches_free(m, 1);
  sm_expect s = {.has_bits_set = true, .bits_set = 1};
  t = number(0);
  assert_int_equal(run(&s, &t, &m), 1);
  sm_mismatches_free(m, 1);
}

static void test_scalar_empty(void **state) {
  (void)state;
  sm_expect e = {.has_empty = true, .empty = true};
  sm_mismatch *m;
  sm_target t = scalar("");
  assert_int_equal(run(&e, &t, &m), 0);
  free(m);
  t = scalar("ntsd -d");
  assert_int_equal(run(&e, &t, &m), 1);
  sm_mismatches_free(m, 1);
}

static void test_exact_order_insensitive_and_duplicates(void **state) {
  (void)state;
  char *want[] = {"Debug", "Windows"};
  sm_expect e = {.has_exact = true, .exact = want, .n_exact = 2};
  sm_mismatch *m;
  char *a[] = {"windows", "DEBUG"};
  sm_target t = list(a, 2);
  assert_int_equal(run(&e, &t, &m), 0);
  free(m);
  char *b[] = {"Debug", "Windows", "Evil"};
  t = list(b, 3);
  assert_int_equal(run(&e, &t, &m), 1);
  assert_string_equal(m[0].observed, "Evil");
  sm_mismatches_free(m, 1);
  char *c[] = {"Debug", "Windows", "Windows"};
  t = list(c, 3);
  assert_int_equal(run(&e, &t, &m), 1);
  sm_mismatches_free(m, 1);
  char *d[] = {"Debug"};
  t = list(d, 1);
  assert_int_equal(run(&e, &t, &m), 1);
  assert_null(m[0].observed);
  assert_string_equal(m[0].expected, "Windows");
  sm_mismatches_free(m, 1);
  /* Empty strings inside a REG_MULTI_SZ are not entries. */
  char *f[] = {"Debug", "", "Windows"};
  t = list(f, 3);
  assert_int_equal(run(&e, &t, &m), 0);
  free(m);
}

static void test_exact_order(void **state) {
  (void)state;
  char *want[] = {"WinInit", "ServiceControlManager"};
  sm_expect e = {.has_exact = true, .exact = want, .n_exact = 2,
                 .order_exact = true};
  sm_mismatch *m;
  char *a[] = {"ServiceControlManager", "WinInit"};
  sm_target t = list(a, 2);
  assert_int_equal(run(&e, &t, &m), 1);
  assert_non_null(strstr(m[0].detail, "order"));
  sm_mismatches_free(m, 1);
}

static void test_allowed_required_forbidden(void **state) {
  (void)state;
  char *allowed[] = {"basesrv,1", "winsrv:*,3", "sxssrv,4"};
  char *required[] = {"basesrv,1"};
  char *forbidden[] = {"*\\Temp\\*"};
  sm_expect e = {.has_allowed = true, .allowed = allowed, .n_allowed = 3,
                 .required = required, .n_required = 1,
                 .forbidden = forbidden, .n_forbidden = 1};
  sm_mismatch *m;
  char *ok[] = {"basesrv,1", "winsrv:UserServerDllInitialization,3"};
  sm_target t = list(ok, 2);
  assert_int_equal(run(&e, &t, &m), 0);
  free(m);
  char *bad[] = {"winsrv:UserServerDllInitialization,3", "evil,5",
                 "C:\\Temp\\x"};
  t = list(bad, 3);
  /* evil,5 and the Temp path are not allowed, basesrv,1 is missing, and the
   * Temp path is also forbidden. */
  size_t n = run(&e, &t, &m);
  assert_int_equal(n, 4);
  sm_mismatches_free(m, n);
}

static void test_list_empty_and_max(void **state) {
  (void)state;
  sm_expect e = {.has_empty = true, .empty = true};
  sm_mismatch *m;
  char *a[] = {"x", "y"};
  sm_target t = list(a, 2);
  size_t n = run(&e, &t, &m);
  assert_int_equal(n, 2); /* one finding per entry */
  sm_mismatches_free(m, n);
  sm_expect mx = {.has_max_items = true, .max_items = 1};
  assert_int_equal(run(&mx, &t, &m), 1);
  sm_mismatches_free(m, 1);
  sm_expect ne = {.has_empty = true, .empty = false};
  t = list(NULL, 0);
  assert_int_equal(run(&ne, &t, &m), 1);
  sm_mismatches_free(m, 1);
}

static void test_scalar_member_on_list_applies_to_each(void **state) {
  (void)state;
  sm_expect e = {.glob = "?:\\pagefile.sys"};
  sm_mismatch *m;
  char *a[] = {"C:\\pagefile.sys", "D:\\x\\evil.sys"};
  sm_target t = list(a, 2);
  assert_int_equal(run(&e, &t, &m), 1);
  assert_string_equal(m[0].observed, "D:\\x\\evil.sys");
  sm_mismatches_free(m, 1);
}

static void test_describe(void **state) {
  (void)state;
  char *want[] = {"Debug", "Windows"};
  sm_expect e = {.has_exact = true, .exact = want, .n_exact = 2};
  char *d = sm_expect_describe(&e);
  assert_string_equal(d, "exactly: Debug, Windows");
  free(d);
  sm_expect r = {.has_min = true, .min = 0, .has_max = true, .max = 3};
  d = sm_expect_describe(&r);
  assert_string_equal(d, "between 0 and 3");
  free(d);
}

static void test_long_hostile_item(void **state) {
  (void)state;
  size_t len = 1 << 20;
  char *big = malloc(len + 1);
  assert_non_null(big);
  memset(big, 'A', len);
  big[len] = '\0';
  char *allowed[] = {"autochk"};
  sm_expect e = {.has_allowed = true, .allowed = allowed, .n_allowed = 1};
  sm_mismatch *m;
  char *a[] = {big};
  sm_target t = list(a, 1);
  assert_int_equal(run(&e, &t, &m), 1);
  assert_int_equal(strlen(m[0].observed), len); /* observed keeps it all */
  assert_true(strlen(m[0].detail) < 1024);      /* the sentence is cut */
  sm_mismatches_free(m, 1);
  free(big);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_equals_string_case_insensitive),
      cmocka_unit_test(test_equals_number),
      cmocka_unit_test(test_one_of_numbers_and_strings),
      cmocka_unit_test(test_glob_backslash_literal),
      cmocka_unit_test(test_regex),
      cmocka_unit_test(test_range_and_bits),
      cmocka_unit_test(test_scalar_empty),
      cmocka_unit_test(test_exact_order_insensitive_and_duplicates),
      cmocka_unit_test(test_exact_order),
      cmocka_unit_test(test_allowed_required_forbidden),
      cmocka_unit_test(test_list_empty_and_max),
      cmocka_unit_test(test_scalar_member_on_list_applies_to_each),
      cmocka_unit_test(test_describe),
      cmocka_unit_test(test_long_hostile_item),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
