/* Names as Windows compares them, and each consumer's reading rule
 * (hive/name.c, checks/names.c). */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/audit.h"
#include "hive/hive.h"

static void test_name_eq(void **state) {
  (void)state;
  assert_true(sm_name_eq("BootExecute", 11, "bootexecute", 11));
  /* Counted: a NUL is a character like any other. */
  assert_false(sm_name_eq("BootExecute\0x", 13, "BootExecute", 11));
  assert_true(sm_name_eq("A\0b", 3, "a\0B", 3));
  assert_false(sm_name_eq("Path", 4, "Path ", 5));
  /* Upcased beyond ASCII: Latin-1 and Cyrillic. */
  assert_true(sm_name_eq("\xc3\xa9", 2, "\xc3\x89", 2));
  assert_true(sm_name_eq("\xd0\xb0", 2, "\xd0\x90", 2));
  assert_false(sm_name_eq("\xc3\xa9", 2, "e", 1));
  assert_true(sm_name_cmp("a", 1, "B", 1) < 0);
  assert_true(sm_name_cmp("ab", 2, "A", 1) > 0);
}

static sm_value *mk(const char *name, size_t len) {
  sm_value *v = calloc(1, sizeof *v);
  assert_non_null(v);
  v->name = malloc(len + 1);
  assert_non_null(v->name);
  memcpy(v->name, name, len);
  v->name[len] = '\0';
  v->name_len = len;
  v->name_nul = strlen(v->name) != len;
  return v;
}

static void test_pick(void **state) {
  (void)state;
  sm_value *v[5] = {mk("Path\0x", 6), mk("PATH", 4), mk("Temp", 4),
                    mk("path", 4), mk("Path\0y", 6)};
  assert_ptr_equal(sm_values_pick(v, 5, "Path", SM_READ_BY_NAME), v[1]);
  assert_ptr_equal(sm_values_pick(v, 5, "Path", SM_READ_ENUMERATED), v[4]);
  assert_null(sm_values_pick(v, 5, "Tmp", SM_READ_BY_NAME));
  assert_true(sm_value_is(v[3], "PATH"));
  assert_false(sm_value_is(v[0], "Path"));
  sm_value **e;
  size_t n;
  assert_int_equal(sm_values_enumerated(v, 5, &e, &n), SM_OK);
  /* Path at the place of its first value, with the last one's data. */
  assert_int_equal(n, 2);
  assert_ptr_equal(e[0], v[4]);
  assert_ptr_equal(e[1], v[2]);
  free(e);
  for (size_t i = 0; i < 5; i++)
    sm_value_free(v[i]);
}

/* The values a consumer acts on, one per name (checks/names.c): by name
 * the first of each stored name, never one holding a NUL; enumerated as
 * sm_values_enumerated. */
static void test_as_read(void **state) {
  (void)state;
  sm_value *v[6] = {mk("BootExecute\0x", 13), mk("BootExecute", 11),
                    mk("Temp", 4),           mk("bootexecute", 11),
                    mk("Temp\0", 5),         mk("", 0)};
  sm_value **r;
  size_t n;
  assert_int_equal(sm_values_as_read(v, 6, SM_READ_BY_NAME, &r, &n), SM_OK);
  assert_int_equal(n, 3);
  assert_ptr_equal(r[0], v[1]);
  assert_ptr_equal(r[1], v[2]);
  assert_ptr_equal(r[2], v[5]);
  free(r);
  assert_int_equal(sm_values_as_read(v, 6, SM_READ_ENUMERATED, &r, &n), SM_OK);
  assert_int_equal(n, 3);
  assert_ptr_equal(r[0], v[3]); /* the last BootExecute cut at its NUL */
  assert_ptr_equal(r[1], v[4]);
  assert_ptr_equal(r[2], v[5]);
  free(r);
  assert_int_equal(sm_values_as_read(v, 0, SM_READ_BY_NAME, &r, &n), SM_OK);
  assert_int_equal(n, 0);
  free(r);
  for (size_t i = 0; i < 6; i++)
    sm_value_free(v[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_name_eq),
      cmocka_unit_test(test_pick),
      cmocka_unit_test(test_as_read),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
