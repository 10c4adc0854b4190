/* The rule engine on generated fixtures with small baselines written by the
 * test: presence, type, expect, key-level policies, parsers, suppressions,
 * and what counts as held, not applicable or an error. */
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

#include "checks/audit.h"

typedef struct run {
  sm_baseline *b;
  sm_hive *h;
  sm_report rep;
} run;

static char yaml_path[256];

static void audit(run *r, const char *fixture, const char *rules, int today) {
  char hive[4096];
  const char *dir = getenv("top_builddir");
  snprintf(hive, sizeof hive, "%s/testdata/%s", dir ? dir : ".", fixture);
  snprintf(yaml_path, sizeof yaml_path, "/tmp/smaudit-test-audit-%d.yaml",
           (int)getpid());
  FILE *f = fopen(yaml_path, "w");
  assert_non_null(f);
  fprintf(f, "smaudit-baseline: 1\nname: t\n%s", rules);
  fclose(f);
  sm_error err = {0};
  sm_result lr = sm_baseline_load(yaml_path, &r->b, &err);
  if (lr != SM_OK)
    fail_msg("%s", err.msg);
  unlink(yaml_path);
  assert_int_equal(sm_hive_open(hive, SM_OPEN_NO_HASH, &r->h, &err), SM_OK);
  unsigned id;
  sm_key cs;
  assert_int_equal(sm_hive_current_control_set(r->h, &id, &cs, &err), SM_OK);
  assert_int_equal(sm_audit(r->h, r->b, id, cs, today, &r->rep, &err), SM_OK);
}

static void done(run *r) {
  sm_report_free(&r->rep);
  sm_hive_close(r->h);
  sm_baseline_free(r->b);
}

static const sm_finding *only(const run *r, const char *rule) {
  const sm_finding *hit = NULL;
  for (size_t i = 0; i < r->rep.n_findings; i++)
    if (strcmp(r->rep.findings[i].rule->id, rule) == 0) {
      assert_null(hit);
      hit = &r->rep.findings[i];
    }
  assert_non_null(hit);
  return hit;
}

#define RULE(id, key, extra)                                                   \
  "  - id: " id "\n    title: t\n    normal: n\n    message: m\n"              \
  "    severity: high\n    key: '" key "'\n" extra

static void test_presence_and_type(void **s) {
  (void)s;
  run r;
  audit(&r, "win-10.hiv",
        "rules:\n" RULE("A-MISSING", "Control\\Session Manager",
                        "    value: NoSuchValue\n    presence: required\n")
            RULE("A-FORBIDDEN", "Control\\Session Manager\\SubSystems",
                 "    value: Kmode\n    presence: forbidden\n")
                RULE("A-TYPE", "Control\\Session Manager\\SubSystems",
                     "    value: Required\n    type: REG_SZ\n")
                    RULE("A-ABSENT", "Control\\Session Manager",
                         "    value: NoSuchValue\n")
                        RULE("A-HOLDS", "Control\\Session Manager\\SubSystems",
                             "    value: Required\n    type: REG_MULTI_SZ\n"
                             "    expect: { exact: [windows, DEBUG] }\n"),
        20260101);
  assert_int_equal(r.rep.n_findings, 3);
  assert_string_equal(only(&r, "A-MISSING")->detail, "the value is missing");
  const sm_finding *f = only(&r, "A-FORBIDDEN");
  assert_string_equal(f->value, "Kmode");
  assert_string_equal(f->key,
                      "ControlSet001\\Control\\Session Manager\\SubSystems");
  assert_non_null(strstr(f->observed, "win32k.sys"));
  assert_true(f->last_write > 0);
  f = only(&r, "A-TYPE");
  assert_true(f->has_type);
  assert_int_equal(f->type, SM_REG_MULTI_SZ);
  assert_int_equal(r.rep.n_not_applicable, 1); /* A-ABSENT */
  assert_int_equal(r.rep.n_pass, 1);           /* A-HOLDS */
  done(&r);
}

static void test_unlisted_values_and_subkeys(void **s) {
  (void)s;
  run r;
  audit(&r, "win-10.hiv",
        "rules:\n" RULE("B-KMODE", "Control\\Session Manager\\SubSystems",
                        "    value: Kmode\n")
            RULE("B-VALUES", "Control\\Session Manager\\SubSystems",
                 "    values: { report: true, allow: [Req*, Optional, ''],\n"
                 "              ignore: [Debug] }\n")
                RULE("B-SUBKEYS", "Control\\Session Manager",
                     "    subkeys: { report: true, allow: ['*Management*',"
                     " Environment, KnownDLLs, kernel] }\n")
                    RULE("B-NAMED", "Control\\Session Manager\\SubSystems",
                         "    value: x\n"),
        20260101);
  /* Windows is neither named, allowed nor ignored. */
  const sm_finding *f = only(&r, "B-VALUES");
  assert_string_equal(f->value, "Windows");
  assert_non_null(strstr(f->observed, "csrss.exe"));
  /* SubSystems is named by the rules below Session Manager. */
  for (size_t i = 0; i < r.rep.n_findings; i++)
    if (strcmp(r.rep.findings[i].rule->id, "B-SUBKEYS") == 0)
      assert_string_not_equal(r.rep.findings[i].observed, "SubSystems");
  done(&r);
}

static void test_parser_fields(void **s) {
  (void)s;
  run r;
  audit(&r, "sample.hiv",
        "rules:\n" RULE("C-DLLS", "Control\\Session Manager\\SubSystems",
                        "    value: Windows\n    parse: csrss\n"
                        "    field: serverdlls\n"
                        "    expect: { allowed: ['basesrv,1', 'winsrv:*', "
                        "'sxssrv,4'] }\n")
            RULE("C-ABSENT-SCALAR", "Control\\Session Manager\\KnownDLLs",
                 "    parse: known-dlls\n    field: dll-directory32\n"
                 "    expect: { equals: 'nowhere' }\n"),
        20260101);
  const sm_finding *f = only(&r, "C-DLLS");
  assert_string_equal(f->observed, "evil,5");
  assert_non_null(strstr(f->detail, "serverdlls"));
  done(&r);
}

static void test_suppression_expiry(void **s) {
  (void)s;
  const char *rules = "rules:\n" RULE(
      "D-KMODE", "Control\\Session Manager\\SubSystems",
      "    value: Kmode\n    presence: forbidden\n") "suppressions:\n  - rule: "
                                                     "D-KMODE\n    value: "
                                                     "kmode\n"
                                                     "    justification: j\n   "
                                                     " expires: 2026-06-30\n";
  run r;
  audit(&r, "win-10.hiv", rules, 20260630); /* the last day it holds */
  const sm_finding *f = only(&r, "D-KMODE");
  assert_true(f->suppressed);
  assert_false(f->suppression_expired);
  assert_int_equal(sm_report_max_severity(&r.rep), -1);
  done(&r);
  audit(&r, "win-10.hiv", rules, 20260701);
  f = only(&r, "D-KMODE");
  assert_false(f->suppressed);
  assert_true(f->suppression_expired);
  assert_int_equal(sm_report_max_severity(&r.rep), SM_SEV_HIGH);
  done(&r);
}

static void test_malformed_value_is_a_rule_error(void **s) {
  (void)s;
  run r;
  audit(&r, "wrong-types.hiv",
        "rules:\n" RULE("E-GLOBALFLAG", "Control\\Session Manager",
                        "    value: GlobalFlag\n    type: REG_DWORD\n"
                        "    expect: { equals: 0 }\n")
            RULE("E-OTHER", "Control\\Session Manager\\SubSystems",
                 "    value: Kmode\n"),
        20260101);
  assert_int_equal(r.rep.n_errors, 1);
  assert_string_equal(r.rep.errors[0].rule->id, "E-GLOBALFLAG");
  assert_non_null(strstr(r.rep.errors[0].message, "0 bytes"));
  assert_int_equal(r.rep.n_pass, 1); /* the damaged value marks only its rule */
  done(&r);
}

static void test_root_keys_and_control_set_2(void **s) {
  (void)s;
  run r;
  audit(&r, "two-sets.hiv",
        "rules:\n" RULE("F-SELECT", "Select",
                        "    root: hive\n    parse: select\n"
                        "    field: current\n    expect: { equals: 1 }\n")
            RULE("F-BOOT", "Control\\Session Manager",
                 "    value: BootExecute\n"
                 "    expect: { one-of: ['autocheck autochk *'] }\n"),
        20260101);
  const sm_finding *f = only(&r, "F-SELECT");
  assert_int_equal(f->control_set, 0);
  assert_string_equal(f->key, "Select");
  assert_string_equal(f->observed, "2");
  f = only(&r, "F-BOOT");
  assert_int_equal(f->control_set, 2);
  assert_string_equal(f->key, "ControlSet002\\Control\\Session Manager");
  done(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_presence_and_type),
      cmocka_unit_test(test_unlisted_values_and_subkeys),
      cmocka_unit_test(test_parser_fields),
      cmocka_unit_test(test_suppression_expiry),
      cmocka_unit_test(test_malformed_value_is_a_rule_error),
      cmocka_unit_test(test_root_keys_and_control_set_2),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
