/* Unit tests of hive/'s values: each type decoded (strings, lists,
 * numbers, the rest), and what is refused, on values.hiv. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/le.h"
#include "hive/hive.h"
#include "tests/test-util.h"
#include "tests/test-hive-util.h"

/* Environment of values.hiv: one value of each type. */
static sm_hive *values_hive(sm_key *env) {
  sm_hive *h = open_fixture("values");
  *env = lookup(h, sm_hive_root(h), SM "\\Environment");
  return h;
}

static void test_value_strings(void **state) {
  (void)state;
  sm_key env;
  sm_hive *h = values_hive(&env);
  const char *s;
  uint32_t d;
  char *const *strv;
  size_t n;

  sm_value *v = value(h, env, "@");
  assert_string_equal(v->name, "");
  assert_int_equal(v->type, SM_REG_SZ);
  assert_int_equal(sm_value_string(v, &s), SM_OK);
  assert_string_equal(s, "default value");
  sm_value_free(v);
  v = value(h, env, "");
  assert_string_equal(v->str, "default value");
  sm_value_free(v);

  v = value(h, env, "Sz");
  assert_int_equal(v->status, SM_OK);
  assert_int_equal(v->len, 12);
  assert_string_equal(v->str, "plain");
  assert_false(v->unterminated || v->odd_length || v->invalid_utf16);
  assert_int_equal(sm_value_dword(v, &d), SM_ERR_TYPE);
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_ERR_TYPE);
  sm_value_free(v);

  v = value(h, env, "ExpandSz"); /* never expanded */
  assert_int_equal(v->type, SM_REG_EXPAND_SZ);
  assert_int_equal(sm_value_string(v, &s), SM_OK);
  assert_string_equal(s, "%SystemRoot%\\system32");
  sm_value_free(v);

  v = value(h, env, "Empty");
  assert_string_equal(v->str, "");
  assert_false(v->unterminated);
  sm_value_free(v);

  v = value(h, env, "Accent");
  assert_string_equal(v->str, "caf\xC3\xA9");
  sm_value_free(v);
  v = value(h, env, "Emoji");
  assert_string_equal(v->str, "\xF0\x9F\x98\x80");
  assert_false(v->invalid_utf16);
  sm_value_free(v);

  v = value(h, env, "OddLength");
  assert_int_equal(v->len, 5);
  assert_true(v->odd_length);
  assert_true(v->unterminated);
  assert_string_equal(v->str, "AB");
  sm_value_free(v);

  v = value(h, env, "LoneSurrogate");
  assert_true(v->invalid_utf16);
  assert_string_equal(v->str, "A\xEF\xBF\xBD"
                              "B");
  assert_int_equal(sm_value_string(v, &s), SM_OK);
  sm_value_free(v);
  v = value(h, env, "LoneLow");
  assert_true(v->invalid_utf16);
  assert_string_equal(v->str, "\xEF\xBF\xBD");
  sm_value_free(v);

  v = value(h, env, "NoNul");
  assert_true(v->unterminated);
  assert_false(v->odd_length);
  assert_string_equal(v->str, "AB");
  sm_value_free(v);

  /* Control characters and escapes come through as stored: the caller
   * escapes before printing. */
  v = value(h, env, "Controls");
  assert_string_equal(v->str, "a\tb\r\nc\ad");
  sm_value_free(v);
  v = value(h, env, "Escape");
  assert_string_equal(v->str, "\x1b[31mRED\x1b[0m");
  sm_value_free(v);
  sm_hive_close(h);
}

static void test_value_multi(void **state) {
  (void)state;
  sm_key env;
  sm_hive *h = values_hive(&env);
  char *const *strv;
  size_t n;
  const char *s;

  sm_value *v = value(h, env, "Multi");
  assert_int_equal(v->type, SM_REG_MULTI_SZ);
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 2);
  assert_string_equal(strv[0], "one");
  assert_string_equal(strv[1], "two");
  assert_null(strv[2]);
  assert_false(v->unterminated);
  assert_int_equal(sm_value_string(v, &s), SM_ERR_TYPE);
  sm_value_free(v);

  v = value(h, env, "MultiNoTerm");
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 1);
  assert_string_equal(strv[0], "one");
  assert_true(v->unterminated);
  sm_value_free(v);

  v = value(h, env, "MultiEmpty");
  assert_int_equal(v->len, 2);
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 0);
  assert_null(strv[0]);
  assert_false(v->unterminated);
  sm_value_free(v);

  v = value(h, env, "MultiBad");
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 1);
  assert_string_equal(strv[0], "A\xEF\xBF\xBD");
  assert_true(v->invalid_utf16);
  sm_value_free(v);

  v = value(h, env, "EscapeMulti");
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 1);
  assert_string_equal(strv[0], "\x1b]0;title\a");
  sm_value_free(v);
  sm_hive_close(h);

  /* BootExecute as one real Windows 10 hive stores it. */
  h = open_fixture("unterminated-multi");
  sm_key sm = lookup(h, sm_hive_root(h), SM);
  v = value(h, sm, "BootExecute");
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 1);
  assert_string_equal(strv[0], "autocheck autochk *");
  assert_true(v->unterminated);
  sm_value_free(v);
  v = value(h, sm, "ExcludeFromKnownDlls");
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 2);
  assert_string_equal(strv[1], "b.dll");
  assert_true(v->unterminated);
  sm_value_free(v);
  v = value(h, sm, "SetupExecute"); /* 0 bytes: an empty list */
  assert_int_equal(v->len, 0);
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 0);
  assert_false(v->unterminated);
  sm_value_free(v);
  sm_hive_close(h);
}

static void test_value_numbers(void **state) {
  (void)state;
  sm_key env;
  sm_hive *h = values_hive(&env);
  uint32_t d = 0;
  const char *s;

  sm_value *v = value(h, env, "Dword");
  assert_int_equal(v->type, SM_REG_DWORD);
  assert_true(v->has_num);
  assert_int_equal(v->num, 31);
  assert_int_equal(sm_value_dword(v, &d), SM_OK);
  assert_int_equal(d, 31);
  assert_int_equal(sm_value_string(v, &s), SM_ERR_TYPE);
  sm_value_free(v);

  v = value(h, env, "DwordBE");
  assert_int_equal(v->type, SM_REG_DWORD_BIG_ENDIAN);
  assert_int_equal(sm_value_dword(v, &d), SM_OK);
  assert_int_equal(d, 0x102);
  sm_value_free(v);

  v = value(h, env, "Qword");
  assert_int_equal(v->type, SM_REG_QWORD);
  assert_true(v->has_num);
  assert_int_equal(v->num, 0x0102030405060708ULL);
  assert_int_equal(sm_value_dword(v, &d), SM_ERR_TYPE);
  sm_value_free(v);

  /* Too short for their type: the value says so, nothing crashes. */
  const char *shorts[] = {"DwordZero", "DwordShort", "DwordBEZero"};
  for (size_t i = 0; i < 3; i++) {
    v = value(h, env, shorts[i]);
    assert_int_equal(v->status, SM_ERR_TYPE);
    assert_false(v->has_num);
    d = 7;
    assert_int_equal(sm_value_dword(v, &d), SM_ERR_TYPE);
    assert_int_equal(d, 7);
    sm_value_free(v);
  }
  sm_hive_close(h);

  h = open_fixture("wrong-types");
  sm_key sm = lookup(h, sm_hive_root(h), SM);
  v = value(h, sm, "ProtectionMode"); /* a REG_SZ "1" */
  assert_int_equal(v->status, SM_OK);
  assert_int_equal(sm_value_dword(v, &d), SM_ERR_TYPE);
  sm_value_free(v);
  v = value(h, sm, "AutoChkTimeout"); /* a REG_QWORD of 3 bytes */
  assert_int_equal(v->status, SM_ERR_TYPE);
  sm_value_free(v);
  v = value(h, lookup(h, sm, "SubSystems"), "Required");
  char *const *strv;
  size_t n;
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_ERR_TYPE);
  sm_value_free(v);
  sm_hive_close(h);
}

static void test_value_other_types(void **state) {
  (void)state;
  sm_key env;
  sm_hive *h = values_hive(&env);
  const char *s;
  uint32_t d;
  char *const *strv;
  size_t n;

  sm_value *v = value(h, env, "Binary");
  assert_int_equal(v->type, SM_REG_BINARY);
  assert_int_equal(v->len, 4);
  assert_memory_equal(v->data, "\xde\xad\xbe\xef", 4);
  assert_null(v->str);
  assert_null(v->strv);
  assert_false(v->has_num);
  assert_int_equal(sm_value_string(v, &s), SM_ERR_TYPE);
  assert_int_equal(sm_value_dword(v, &d), SM_ERR_TYPE);
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_ERR_TYPE);
  sm_value_free(v);

  v = value(h, env, "None");
  assert_int_equal(v->type, SM_REG_NONE);
  assert_int_equal(v->status, SM_OK);
  assert_int_equal(v->len, 0);
  sm_value_free(v);
  v = value(h, env, "NoneData");
  assert_int_equal(v->type, SM_REG_NONE);
  assert_int_equal(v->len, 2);
  sm_value_free(v);

  v = value(h, env, "Unknown");
  assert_int_equal(v->type, 0x1234);
  assert_int_equal(v->status, SM_OK);
  assert_int_equal(v->len, 3);
  assert_null(sm_type_name(v->type));
  sm_value_free(v);

  /* All values, in stored order. */
  sm_value **vals;
  sm_error err = {0};
  assert_int_equal(sm_key_values(h, env, &vals, &n, &err), SM_OK);
  assert_int_equal(n, 27);
  assert_string_equal(vals[0]->name, "");
  assert_string_equal(vals[1]->name, "Sz");
  assert_string_equal(vals[n - 1]->name, "EscapeMulti");
  sm_values_free(vals, n);
  sm_values_free(NULL, 0);
  sm_value_free(NULL);

  /* A key without values. */
  sm_hive_close(h);
  h = open_fixture("empty-keys");
  sm_key sub = lookup(h, sm_hive_root(h), SM "\\SubSystems");
  assert_int_equal(sm_key_values(h, sub, &vals, &n, &err), SM_OK);
  assert_int_equal(n, 0);
  sm_values_free(vals, n);
  sm_hive_close(h);

  /* 64 KiB in one value. */
  h = open_fixture("long-value");
  v = value(h, lookup(h, sm_hive_root(h), SM "\\Environment"), "Path");
  assert_int_equal(v->len, 65536);
  assert_int_equal(strlen(v->str), 32767);
  assert_false(v->unterminated);
  sm_value_free(v);
  sm_hive_close(h);
}

static void test_types_and_errors(void **state) {
  (void)state;
  assert_string_equal(sm_type_name(SM_REG_SZ), "REG_SZ");
  assert_string_equal(sm_type_name(SM_REG_QWORD), "REG_QWORD");
  assert_string_equal(sm_type_name(SM_REG_RESOURCE_REQUIREMENTS_LIST),
                      "REG_RESOURCE_REQUIREMENTS_LIST");
  assert_null(sm_type_name(12));
  uint32_t t = 99;
  assert_true(sm_type_parse("reg_multi_sz", &t));
  assert_int_equal(t, SM_REG_MULTI_SZ);
  assert_true(sm_type_parse("REG_NONE", &t));
  assert_int_equal(t, SM_REG_NONE);
  assert_false(sm_type_parse("REG_SZZ", &t));
  assert_false(sm_type_parse("", &t));
  for (int r = SM_OK; r <= SM_ERR_INTERNAL; r++) {
    const char *s = sm_result_str((sm_result)r);
    assert_non_null(s);
    assert_string_not_equal(s, "unknown error");
  }
  assert_string_equal(sm_result_str((sm_result)999), "unknown error");
  sm_error err = {0};
  assert_int_equal(sm_error_set(&err, SM_ERR_LIMIT, "%s %d", "x", 5),
                   SM_ERR_LIMIT);
  assert_int_equal(err.code, SM_ERR_LIMIT);
  assert_string_equal(err.msg, "x 5");
  assert_int_equal(sm_error_set(NULL, SM_ERR_IO, "ignored"), SM_ERR_IO);
  char big[1000];
  memset(big, 'y', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  sm_error_set(&err, SM_ERR_IO, "%s", big); /* truncated, terminated */
  assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_value_strings),
      cmocka_unit_test(test_value_multi),
      cmocka_unit_test(test_value_numbers),
      cmocka_unit_test(test_value_other_types),
      cmocka_unit_test(test_types_and_errors),
  };
  return cmocka_run_group_tests_name("hive-values", tests, setup_tmpdir,
                                     remove_tmpdir);
}
