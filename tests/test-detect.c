/* Family detection from the evidence in a SYSTEM hive, and from a SOFTWARE
 * hive beside it. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/audit.h"

static char *fixture(const char *name) {
  const char *dir = getenv("top_builddir");
  char *p = malloc(4096);
  assert_non_null(p);
  snprintf(p, 4096, "%s/testdata/%s", dir ? dir : ".", name);
  return p;
}

static void detect(const char *hive, const char *software, const char *want,
                   const char *reason) {
  char *path = fixture(hive), *swpath = software ? fixture(software) : NULL;
  sm_hive *h = NULL, *sw = NULL;
  sm_error err;
  assert_int_equal(sm_hive_open(path, SM_OPEN_NO_HASH, &h, &err), SM_OK);
  if (swpath)
    assert_int_equal(sm_hive_open(swpath, SM_OPEN_NO_HASH, &sw, &err), SM_OK);
  unsigned id;
  sm_key cs;
  assert_int_equal(sm_hive_current_control_set(h, &id, &cs, &err), SM_OK);
  char name[64], why[1024];
  sm_detect_family(h, cs, sw, name, sizeof name, why, sizeof why);
  assert_string_equal(name, want);
  assert_non_null(strstr(why, reason));
  sm_hive_close(sw);
  sm_hive_close(h);
  free(swpath);
  free(path);
}

static void test_xp(void **s) {
  (void)s;
  detect("win-xp.hiv", NULL, "windows-xp", "Kmode");
}

static void test_7(void **s) {
  (void)s;
  detect("win-7.hiv", NULL, "windows-7", "ConServerDllInitialization");
}

static void test_81(void **s) {
  (void)s;
  detect("win-8.1.hiv", NULL, "windows-8.1", "LPK");
}

static void test_10(void **s) {
  (void)s;
  detect("win-10.hiv", NULL, "windows-10", "Windows 10 values");
}

static void test_current_set_2(void **s) {
  (void)s;
  detect("two-sets.hiv", NULL, "windows-7", "ConServerDllInitialization");
}

/* A SOFTWARE hive beside it settles the family, whatever SYSTEM suggests. */
static void test_software_settles(void **s) {
  (void)s;
  detect("win-10.hiv", "software-7.hiv", "windows-7",
         "SOFTWARE hive: CurrentBuild 7601");
}

/* A "SOFTWARE" hive without CurrentVersion is no evidence. */
static void test_software_without_version(void **s) {
  (void)s;
  detect("win-10.hiv", "win-7.hiv", "windows-10", "Windows 10 values");
}

/* With nothing to go on, the newest family. */
static void test_no_evidence(void **s) {
  (void)s;
  detect("empty-keys.hiv", NULL, "windows-10", "no evidence");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_xp),
      cmocka_unit_test(test_7),
      cmocka_unit_test(test_81),
      cmocka_unit_test(test_10),
      cmocka_unit_test(test_current_set_2),
      cmocka_unit_test(test_software_settles),
      cmocka_unit_test(test_software_without_version),
      cmocka_unit_test(test_no_evidence),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
