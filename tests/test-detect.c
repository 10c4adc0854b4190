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
#include "checks/detect.h"

static char *fixture(const char *name) {
  const char *dir = getenv("top_builddir");
  char *p = malloc(4096);
  assert_non_null(p);
  snprintf(p, 4096, "%s/testdata/%s", dir ? dir : ".", name);
  return p;
}

/* The family and its evidence, for the tests that look further. */
static void detect_full(const char *hive, const char *software,
                        sm_family *out) {
  char *path = fixture(hive), *swpath = software ? fixture(software) : NULL;
  sm_hive *h = NULL, *sw = NULL;
  sm_error err;
  assert_int_equal(sm_hive_open(path, SM_OPEN_NO_HASH, &h, &err), SM_OK);
  if (swpath)
    assert_int_equal(sm_hive_open(swpath, SM_OPEN_NO_HASH, &sw, &err), SM_OK);
  unsigned id;
  sm_key cs;
  assert_int_equal(sm_hive_current_control_set(h, &id, &cs, &err), SM_OK);
  sm_detect(h, cs, sw, out);
  sm_hive_close(sw);
  sm_hive_close(h);
  free(swpath);
  free(path);
}

static void detect(const char *hive, const char *software, const char *want,
                   const char *reason) {
  sm_family f;
  detect_full(hive, software, &f);
  assert_string_equal(f.baseline, want);
  assert_non_null(strstr(f.why, reason));
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

/* A SOFTWARE hive that claims an older build than the SYSTEM hive's
 * services show does not lower the family, and is a finding. */
static void test_software_older(void **s) {
  (void)s;
  detect("win-10.hiv", "software-7.hiv", "windows-10",
         "SOFTWARE hive: CurrentBuild 7601");
  sm_family f;
  detect_full("win-10.hiv", "software-7.hiv", &f);
  assert_int_equal(f.structure, SM_FAMILY_10);
  assert_int_equal(f.software, SM_FAMILY_7);
  sm_report rep = {0};
  assert_int_equal(sm_family_findings(&f, NULL, 20260101, &rep), SM_OK);
  assert_int_equal(rep.n_findings, 1);
  assert_string_equal(rep.findings[0].rule->id, "SM-FAMILY-SOFTWARE-OLDER");
  assert_string_equal(rep.findings[0].value, "CurrentBuildNumber");
  assert_string_equal(rep.findings[0].observed, "7601");
  assert_int_equal(rep.findings[0].severity, SM_SEV_HIGH);
  sm_report_free(&rep);
}

/* A SOFTWARE hive of a newer build raises the family (services only give a
 * floor), and is no finding. */
static void test_software_raises(void **s) {
  (void)s;
  detect("win-7.hiv", "software-10.hiv", "windows-10",
         "SOFTWARE hive: CurrentBuild 16299");
  sm_family f;
  detect_full("win-7.hiv", "software-10.hiv", &f);
  sm_report rep = {0};
  assert_int_equal(sm_family_findings(&f, NULL, 20260101, &rep), SM_OK);
  assert_int_equal(rep.n_findings, 0);
  sm_report_free(&rep);
}

/* The Session Manager values of an older family, planted on Windows 10, do
 * not lower the family: the services decide. */
static void test_values_cannot_lower(void **s) {
  (void)s;
  detect("steer-posix.hiv", NULL, "windows-10",
         "Session Manager values "
         "look older");
  sm_family f;
  detect_full("steer-os2.hiv", NULL, &f);
  assert_string_equal(f.baseline, "windows-10");
  assert_true(f.supported);
  assert_int_equal(f.values, SM_FAMILY_PRE_XP);
}

/* A hive of format 1.3 whose whole Services key has none of XP's services
 * is older than any shipped family, and says so. */
static void test_nt4_unsupported(void **s) {
  (void)s;
  sm_family f;
  detect_full("nt4.hiv", NULL, &f);
  assert_int_equal(f.rank, SM_FAMILY_PRE_XP);
  assert_false(f.supported);
  assert_string_equal(f.name, "windows-nt4-2000");
  assert_string_equal(f.baseline, "windows-xp");
  assert_non_null(strstr(f.why, "hive format 1.3"));
  assert_non_null(strstr(f.why, "not supported"));
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
      cmocka_unit_test(test_software_older),
      cmocka_unit_test(test_software_raises),
      cmocka_unit_test(test_values_cannot_lower),
      cmocka_unit_test(test_nt4_unsupported),
      cmocka_unit_test(test_software_without_version),
      cmocka_unit_test(test_no_evidence),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
