/* The baseline loader: the schema of docs/baselines.md, extends, and the
 * refusal of hostile YAML, with the exact FILE:LINE:COL of each error. */
#include <config.h>

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

#include "checks/baseline.h"

#define HDR "smaudit-baseline: 1\nname: t\n"
/* A minimal rule; its mapping starts at column 5 of its first line. */
#define RULE(id)                                                               \
  "  - id: " id "\n    title: T\n    key: K\n    severity: low\n"             \
  "    normal: n\n    message: m\n"

static char tmpdir[256];

static const char *path_of(const char *name) {
  static char buf[4][512];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof buf[i], "%s/%s", tmpdir, name);
  return buf[i];
}

static void write_bytes(const char *name, const char *data, size_t len) {
  FILE *f = fopen(path_of(name), "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

static void write_file(const char *name, const char *text) {
  write_bytes(name, text, strlen(text));
}

static sm_baseline *load_ok(const char *name) {
  sm_baseline *b = NULL;
  sm_error err = {0};
  sm_result rc = sm_baseline_load(path_of(name), &b, &err);
  if (rc != SM_OK)
    fail_msg("%s", err.msg);
  assert_non_null(b);
  return b;
}

/* Loading NAME fails with code and "TMPDIR/NAME:" + rest. */
static void load_fails_in(const char *name, const char *where,
                          sm_result code, const char *rest) {
  sm_baseline *b = NULL;
  sm_error err = {0};
  char want[1024];
  snprintf(want, sizeof want, "%s:%s", path_of(where), rest);
  assert_int_equal(sm_baseline_load(path_of(name), &b, &err), code);
  assert_null(b);
  assert_string_equal(err.msg, want);
}

static void load_fails(const char *name, const char *rest) {
  load_fails_in(name, name, SM_ERR_USAGE, rest);
}

static int setup_dir(void **state) {
  snprintf(tmpdir, sizeof tmpdir, "%s/smaudit-baseline.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(tmpdir))
    return -1;
  return 0;
}

static int teardown_dir(void **state) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

static void test_severity_names(void **state) {
  sm_severity s;
  assert_true(sm_severity_parse("CRITICAL", &s));
  assert_int_equal(s, SM_SEV_CRITICAL);
  assert_true(sm_severity_parse("info", &s));
  assert_int_equal(s, SM_SEV_INFO);
  assert_false(sm_severity_parse("severe", &s));
  assert_string_equal(sm_severity_name(SM_SEV_MEDIUM), "medium");
  assert_string_equal(sm_severity_name(SM_SEV_HIGH), "high");
}

static void test_valid_full(void **state) {
  write_file("full.yaml",
             "smaudit-baseline: 1\n"
             "name: windows-10\n"
             "description: Windows 10 and 11\n"
             "family: windows-10\n"
             "rules:\n"
             "  - id: SM-SUBSYS-REQUIRED\n"
             "    title: Required subsystems\n"
             "    key: Control\\Session Manager\\SubSystems\n"
             "    root: control-set\n"
             "    value: Required\n"
             "    severity: critical\n"
             "    normal: Debug and Windows\n"
             "    message: started at boot\n"
             "    attack: [T1547, T1547.001]\n"
             "    references: [\"https://example.org/a\"]\n"
             "    presence: required\n"
             "    type: REG_MULTI_SZ\n"
             "    expect:\n"
             "      exact: [Debug, Windows]\n"
             "      order: exact\n"
             "      allowed: [\"D*\", W?ndows]\n"
             "      required: [Windows]\n"
             "      forbidden: [\"*\\\\Temp\\\\*\"]\n"
             "      max-items: 2\n"
             "      empty: false\n"
             "      case: sensitive\n"
             "  - id: SM-MM-FLAGS\n"
             "    title: Flags\n"
             "    key: Control\\Session Manager\\Memory Management\n"
             "    value: \"@\"\n"
             "    severity: Medium\n"
             "    normal: n\n"
             "    message: m\n"
             "    presence: forbidden\n"
             "    type: [REG_DWORD, reg_qword]\n"
             "    tunable: true\n"
             "    expect:\n"
             "      equals: 0x10\n"
             "      one-of: [1, \"0x2\", three]\n"
             "      glob: \"?:\\\\pagefile.sys\"\n"
             "      regex: \"^[0-9]+$\"\n"
             "      range: {min: 0, max: 0xFFFFFFFFFFFFFFFF}\n"
             "      bits-set: 0x1\n"
             "      bits-clear: 3\n"
             "  - id: SM-BOOT\n"
             "    title: Boot programs\n"
             "    key: Control\\Session Manager\n"
             "    value: BootExecute\n"
             "    severity: high\n"
             "    normal: autocheck autochk *\n"
             "    message: m\n"
             "    parse: boot-execute\n"
             "    field: programs\n"
             "    expect: {allowed: [autochk]}\n"
             "  - id: SM-SUBSYS-UNLISTED\n"
             "    title: Unexpected values\n"
             "    key: Control\\Session Manager\\SubSystems\n"
             "    severity: high\n"
             "    normal: n\n"
             "    message: m\n"
             "    values:\n"
             "      report: true\n"
             "      allow: [Posix]\n"
             "      ignore: [\"PROCESSOR_*\", NUMBER_OF_PROCESSORS]\n"
             "    subkeys: {report: false, allow: []}\n"
             "  - id: SM-SELECT\n"
             "    title: Select\n"
             "    key: Select\n"
             "    root: hive\n"
             "    severity: info\n"
             "    normal: n\n"
             "    message: m\n"
             "    parse: select\n"
             "    field: current-vs-default\n"
             "    expect: {equals: same}\n"
             "suppressions: []\n");
  sm_baseline *b = load_ok("full.yaml");
  assert_string_equal(b->name, "windows-10");
  assert_string_equal(b->description, "Windows 10 and 11");
  assert_string_equal(b->family, "windows-10");
  assert_string_equal(b->path, path_of("full.yaml"));
  assert_int_equal(b->n_chain, 0);
  assert_int_equal(b->n_files, 1);
  assert_string_equal(b->files[0], path_of("full.yaml"));
  assert_int_equal(b->n_rules, 5);
  assert_int_equal(b->n_suppressions, 0);

  const sm_rule *r = &b->rules[0];
  assert_string_equal(r->id, "SM-SUBSYS-REQUIRED");
  assert_string_equal(r->title, "Required subsystems");
  assert_string_equal(r->key, "Control\\Session Manager\\SubSystems");
  assert_int_equal(r->root, SM_ROOT_CONTROL_SET);
  assert_string_equal(r->value, "Required");
  assert_int_equal(r->severity, SM_SEV_CRITICAL);
  assert_string_equal(r->normal, "Debug and Windows");
  assert_string_equal(r->message, "started at boot");
  assert_int_equal(r->n_attack, 2);
  assert_string_equal(r->attack[1], "T1547.001");
  assert_int_equal(r->n_references, 1);
  assert_string_equal(r->references[0], "https://example.org/a");
  assert_int_equal(r->presence, SM_PRESENCE_REQUIRED);
  assert_int_equal(r->n_types, 1);
  assert_int_equal(r->types[0], SM_REG_MULTI_SZ);
  assert_int_equal(r->parse, SM_PARSE_NONE);
  assert_null(r->field);
  assert_false(r->tunable);
  assert_true(r->has_expect);
  const sm_expect *e = &r->expect;
  assert_true(e->has_exact);
  assert_int_equal(e->n_exact, 2);
  assert_string_equal(e->exact[0], "Debug");
  assert_true(e->order_exact);
  assert_true(e->has_allowed);
  assert_int_equal(e->n_allowed, 2);
  assert_string_equal(e->allowed[1], "W?ndows");
  assert_int_equal(e->n_required, 1);
  assert_int_equal(e->n_forbidden, 1);
  assert_string_equal(e->forbidden[0], "*\\Temp\\*");
  assert_true(e->has_max_items);
  assert_int_equal(e->max_items, 2);
  assert_true(e->has_empty);
  assert_false(e->empty);
  assert_true(e->case_sensitive);
  assert_false(e->has_equals);
  assert_false(e->has_regex);
  assert_false(r->has_values_policy);
  assert_string_equal(r->file, path_of("full.yaml"));
  assert_ptr_equal(r->file, b->files[0]);
  assert_int_equal(r->line, 6);

  r = &b->rules[1];
  assert_string_equal(r->value, "");
  assert_int_equal(r->severity, SM_SEV_MEDIUM);
  assert_int_equal(r->presence, SM_PRESENCE_FORBIDDEN);
  assert_int_equal(r->n_types, 2);
  assert_int_equal(r->types[0], SM_REG_DWORD);
  assert_int_equal(r->types[1], SM_REG_QWORD);
  assert_true(r->tunable);
  e = &r->expect;
  assert_true(e->has_equals);
  assert_true(e->equals_is_num);
  assert_int_equal(e->equals_num, 16);
  assert_string_equal(e->equals_str, "0x10");
  assert_int_equal(e->n_one_of, 3);
  assert_string_equal(e->one_of[1], "0x2");
  assert_string_equal(e->glob, "?:\\pagefile.sys");
  assert_true(e->has_regex);
  assert_string_equal(e->regex_src, "^[0-9]+$");
  assert_int_equal(regexec(&e->regex, "123", 0, NULL, 0), 0);
  assert_int_not_equal(regexec(&e->regex, "12a", 0, NULL, 0), 0);
  assert_true(e->has_min && e->has_max);
  assert_int_equal(e->min, 0);
  assert_true(e->max == UINT64_MAX);
  assert_true(e->has_bits_set);
  assert_int_equal(e->bits_set, 1);
  assert_true(e->has_bits_clear);
  assert_int_equal(e->bits_clear, 3);
  assert_false(e->case_sensitive);
  assert_false(e->has_exact);

  r = &b->rules[2];
  assert_int_equal(r->parse, SM_PARSE_BOOT_EXECUTE);
  assert_string_equal(r->field, "programs");
  assert_int_equal(r->n_types, 0);

  r = &b->rules[3];
  assert_null(r->value);
  assert_false(r->has_expect);
  assert_true(r->has_values_policy);
  assert_true(r->values.report);
  assert_int_equal(r->values.n_allow, 1);
  assert_string_equal(r->values.allow[0], "Posix");
  assert_int_equal(r->values.n_ignore, 2);
  assert_string_equal(r->values.ignore[0], "PROCESSOR_*");
  assert_true(r->has_subkeys_policy);
  assert_false(r->subkeys.report);
  assert_int_equal(r->subkeys.n_allow, 0);

  r = &b->rules[4];
  assert_int_equal(r->root, SM_ROOT_HIVE);
  assert_int_equal(r->parse, SM_PARSE_SELECT);
  assert_string_equal(r->field, "current-vs-default");
  assert_true(r->expect.has_equals);
  assert_false(r->expect.equals_is_num);
  assert_string_equal(r->expect.equals_str, "same");

  assert_ptr_equal(sm_baseline_find_rule(b, "SM-BOOT"), &b->rules[2]);
  assert_null(sm_baseline_find_rule(b, "SM-NONE"));
  sm_baseline_free(b);
  sm_baseline_free(NULL);
}

static void test_extends_by_name(void **state) {
  char lib[512];
  snprintf(lib, sizeof lib, "%s", path_of("lib"));
  mkdir(lib, 0700);
  write_file("lib/common.yaml", HDR "rules:\n" RULE("SM-COMMON"));
  char env[1024];
  snprintf(env, sizeof env, "%s/nonexistent:%s", tmpdir, lib);
  setenv("SMAUDIT_BASELINE_PATH", env, 1);
  write_file("byname.yaml", "smaudit-baseline: 1\nname: site\n"
                            "extends: common\n"
                            "rules:\n" RULE("SM-SITE"));
  sm_baseline *b = load_ok("byname.yaml");
  assert_int_equal(b->n_rules, 2);
  assert_string_equal(b->rules[0].id, "SM-COMMON");
  assert_string_equal(b->rules[0].file, path_of("lib/common.yaml"));
  assert_string_equal(b->rules[1].id, "SM-SITE");
  assert_int_equal(b->n_chain, 1);
  assert_string_equal(b->chain[0], "common");
  assert_int_equal(b->n_files, 2);
  sm_baseline_free(b);

  /* A name alone loads from the search path too. */
  sm_error err = {0};
  assert_int_equal(sm_baseline_load("common", &b, &err), SM_OK);
  assert_string_equal(b->rules[0].id, "SM-COMMON");
  sm_baseline_free(b);

  char **names = NULL;
  size_t n = 0;
  assert_int_equal(sm_baseline_list(&names, &n, &err), SM_OK);
  assert_true(n >= 1);
  bool found = false;
  for (size_t i = 0; i < n; i++) {
    found |= strcmp(names[i], "common") == 0;
    free(names[i]);
  }
  free(names);
  assert_true(found);

  write_file("noname.yaml", HDR "extends: nosuch\n");
  char want[1024];
  snprintf(want, sizeof want,
           "3:10: extends: no baseline 'nosuch' in SMAUDIT_BASELINE_PATH or "
           "%s/baselines",
           SM_PKGDATADIR);
  load_fails("noname.yaml", want);
  unsetenv("SMAUDIT_BASELINE_PATH");
}

static void test_extends_relative_override_disable(void **state) {
  mkdir(path_of("rel"), 0700);
  mkdir(path_of("rel/sub"), 0700);
  write_file("rel/base.yaml", HDR "rules:\n" RULE("SM-A") RULE("SM-B")
                                  RULE("SM-C")
                              "suppressions:\n"
                              "  - rule: SM-A\n"
                              "    justification: inherited\n"
                              "  - rule: SM-B\n"
                              "    justification: goes with SM-B\n");
  write_file("rel/sub/site.yaml",
             "smaudit-baseline: 1\nname: site\n"
             "extends: [../base.yaml]\n"
             "disable: [SM-B]\n"
             "rules:\n"
             "  - id: SM-A\n"
             "    title: Replaced\n"
             "    key: K2\n"
             "    severity: critical\n"
             "    normal: n\n"
             "    message: m\n" RULE("SM-D")
             "suppressions:\n"
             "  - rule: SM-D\n"
             "    key: \"*\\\\Environment\"\n"
             "    value: Path\n"
             "    observed: \"C:\\\\Tools\\\\*\"\n"
             "    justification: Build agents (TICKET-123)\n"
             "    expires: 2028-02-29\n");
  sm_baseline *b = load_ok("rel/sub/site.yaml");
  assert_string_equal(b->name, "site");
  assert_int_equal(b->n_rules, 3);
  assert_string_equal(b->rules[0].id, "SM-A");
  assert_string_equal(b->rules[0].title, "Replaced");
  assert_string_equal(b->rules[0].key, "K2");
  assert_int_equal(b->rules[0].severity, SM_SEV_CRITICAL);
  assert_string_equal(b->rules[0].file, path_of("rel/sub/site.yaml"));
  assert_string_equal(b->rules[1].id, "SM-C");
  assert_string_equal(b->rules[1].file, path_of("rel/sub/../base.yaml"));
  assert_string_equal(b->rules[2].id, "SM-D");
  assert_null(sm_baseline_find_rule(b, "SM-B"));
  assert_int_equal(b->n_chain, 1);
  assert_string_equal(b->chain[0], "../base.yaml");

  assert_int_equal(b->n_suppressions, 2);
  const sm_suppression *s = &b->suppressions[0];
  assert_string_equal(s->rule, "SM-A");
  assert_string_equal(s->justification, "inherited");
  assert_false(s->has_expires);
  assert_null(s->key);
  assert_null(s->value);
  assert_null(s->observed);
  s = &b->suppressions[1];
  assert_string_equal(s->rule, "SM-D");
  assert_string_equal(s->key, "*\\Environment");
  assert_string_equal(s->value, "Path");
  assert_string_equal(s->observed, "C:\\Tools\\*");
  assert_true(s->has_expires);
  assert_int_equal(s->expires_year, 2028);
  assert_int_equal(s->expires_month, 2);
  assert_int_equal(s->expires_day, 29);
  assert_string_equal(s->file, path_of("rel/sub/site.yaml"));
  assert_int_equal(s->line, 19);
  sm_baseline_free(b);

  write_file("rel/sub/bad-disable.yaml",
             HDR "extends: ../base.yaml\ndisable: [SM-A, SM-NOPE]\n");
  load_fails("rel/sub/bad-disable.yaml",
             "4:17: disable: no inherited rule 'SM-NOPE'");
}

static void test_load_many(void **state) {
  write_file("many1.yaml", HDR "rules:\n" RULE("SM-A") RULE("SM-B"));
  write_file("many2.yaml", "smaudit-baseline: 1\nname: two\nrules:\n"
                           "  - id: SM-B\n    title: Second\n    key: K\n"
                           "    severity: high\n    normal: n\n"
                           "    message: m\n");
  const char *names[] = {path_of("many1.yaml"), path_of("many2.yaml")};
  sm_baseline *b = NULL;
  sm_error err = {0};
  assert_int_equal(sm_baseline_load_many(names, 2, &b, &err), SM_OK);
  assert_string_equal(b->name, "two");
  assert_int_equal(b->n_rules, 2);
  assert_string_equal(b->rules[1].title, "Second");
  assert_string_equal(b->rules[1].file, path_of("many2.yaml"));
  assert_string_equal(b->rules[0].file, path_of("many1.yaml"));
  assert_int_equal(b->n_files, 2);
  sm_baseline_free(b);
}

static void test_err_io(void **state) {
  sm_baseline *b = NULL;
  sm_error err = {0};
  char want[600];
  assert_int_equal(sm_baseline_load(path_of("absent.yaml"), &b, &err),
                   SM_ERR_IO);
  snprintf(want, sizeof want, "%s: No such file or directory",
           path_of("absent.yaml"));
  assert_string_equal(err.msg, want);
}

static void test_err_unknown_field(void **state) {
  write_file("unknown.yaml", HDR "rules:\n" RULE("SM-A") "    severty: low\n");
  load_fails("unknown.yaml", "10:5: unknown field 'severty' in rule");
  write_file("unknown-top.yaml", HDR "rule: []\n");
  load_fails("unknown-top.yaml", "3:1: unknown field 'rule' in baseline");
  write_file("unknown-expect.yaml",
             HDR "rules:\n" RULE("SM-A") "    expect: {equal: 1}\n");
  load_fails("unknown-expect.yaml", "10:14: unknown field 'equal' in expect");
}

static void test_err_wrong_type(void **state) {
  write_file("type1.yaml", HDR "rules:\n" RULE("SM-A") "    tunable: maybe\n");
  load_fails("type1.yaml", "10:14: 'tunable' must be true or false");
  write_file("type2.yaml", HDR "rules:\n" RULE("SM-A") "    attack: T1547\n");
  load_fails("type2.yaml", "10:13: 'attack' must be a list of strings");
  write_file("type3.yaml",
             HDR "rules:\n  - id: SM-A\n    title: [a, b]\n    key: K\n"
                 "    severity: low\n    normal: n\n    message: m\n");
  load_fails("type3.yaml", "5:12: 'title' must be a string");
  write_file("type4.yaml",
             HDR "rules:\n" RULE("SM-A") "    expect: {max-items: -1}\n");
  load_fails("type4.yaml",
             "10:25: 'max-items' must be a number (decimal or 0x hex, 64 "
             "bits)");
  write_file("missing.yaml", HDR "rules:\n  - id: SM-A\n    title: T\n");
  load_fails("missing.yaml", "4:5: missing required field 'key' in rule");
}

static void test_err_bad_severity(void **state) {
  write_file("sev.yaml", HDR "rules:\n  - id: SM-A\n    title: T\n    key: K\n"
                             "    severity: severe\n    normal: n\n"
                             "    message: m\n");
  load_fails("sev.yaml", "7:15: 'severity' must be one of info, low, medium, "
                         "high, critical, not 'severe'");
}

static void test_err_bad_type_name(void **state) {
  write_file("tname.yaml", HDR "rules:\n" RULE("SM-A") "    value: V\n"
                               "    type: [REG_SZ, REG_STRING]\n");
  load_fails("tname.yaml", "11:20: unknown type 'REG_STRING'");
}

static void test_err_duplicate_id(void **state) {
  write_file("dup.yaml", HDR "rules:\n" RULE("SM-A") RULE("SM-A"));
  load_fails("dup.yaml", "10:5: duplicate rule id 'SM-A' (first at line 4)");
  write_file("badid.yaml", HDR "rules:\n" RULE("sm-a"));
  load_fails("badid.yaml",
             "4:9: invalid rule id 'sm-a' (expected [A-Z][A-Z0-9-]*)");
}

static void test_err_field_without_parse(void **state) {
  write_file("field.yaml", HDR "rules:\n" RULE("SM-A") "    value: V\n"
                               "    field: programs\n");
  load_fails("field.yaml", "11:12: 'field' needs 'parse'");
}

static void test_err_unknown_parser_field(void **state) {
  write_file("pfield.yaml", HDR "rules:\n" RULE("SM-A") "    value: V\n"
                                "    parse: csrss\n    field: programs\n");
  load_fails("pfield.yaml", "12:12: parser 'csrss' has no field 'programs'");
  write_file("pname.yaml", HDR "rules:\n" RULE("SM-A") "    value: V\n"
                               "    parse: cssrs\n    field: image\n");
  load_fails("pname.yaml", "11:12: unknown parser 'cssrs'");
}

static void test_err_parser_level(void **state) {
  write_file("plevel.yaml", HDR "rules:\n" RULE("SM-A") "    value: V\n"
                                "    parse: known-dlls\n    field: names\n");
  load_fails("plevel.yaml", "11:12: parser 'known-dlls' reads a whole key: "
                            "not allowed on a rule with a 'value'");
  write_file("plevel2.yaml", HDR "rules:\n" RULE("SM-A")
                                 "    parse: csrss\n    field: image\n");
  load_fails("plevel2.yaml",
             "10:12: parser 'csrss' reads one value: the rule needs a 'value'");
  write_file("policy.yaml", HDR "rules:\n" RULE("SM-A") "    value: V\n"
                                "    values: {report: true}\n");
  load_fails("policy.yaml", "11:13: 'values' is a policy of a key-level "
                            "rule: not allowed with 'value'");
}

static void test_err_regex(void **state) {
  write_file("re1.yaml", HDR "rules:\n" RULE("SM-A") "    expect:\n"
                             "      regex: \"(ab\"\n");
  load_fails("re1.yaml", "11:14: 'regex': Unmatched ( or \\(");
  write_file("re2.yaml", HDR "rules:\n" RULE("SM-A") "    expect:\n"
                             "      regex: \"^(a+)\\\\1$\"\n");
  load_fails("re2.yaml", "11:14: 'regex': back-references are not allowed");
  /* An escaped backslash before a digit is not a back-reference. */
  write_file("re3.yaml", HDR "rules:\n" RULE("SM-A") "    expect:\n"
                             "      regex: \"a\\\\\\\\1\"\n");
  sm_baseline *b = load_ok("re3.yaml");
  assert_int_equal(regexec(&b->rules[0].expect.regex, "A\\1", 0, NULL, 0), 0);
  sm_baseline_free(b);

  char big[4096];
  int n = snprintf(big, sizeof big, HDR "rules:\n" RULE("SM-A")
                                        "    expect:\n      regex: ");
  memset(big + n, 'a', 1025);
  big[n + 1025] = '\n';
  big[n + 1026] = '\0';
  write_file("re4.yaml", big);
  load_fails("re4.yaml", "11:14: 'regex': longer than 1024 bytes");
  n = snprintf(big, sizeof big, HDR "rules:\n" RULE("SM-A")
                                    "    expect:\n      glob: ");
  memset(big + n, '?', 1025);
  big[n + 1025] = '\n';
  big[n + 1026] = '\0';
  write_file("glob.yaml", big);
  load_fails("glob.yaml", "11:13: 'glob': pattern longer than 1024 bytes");
}

/* regexec of a search is quadratic in glibc (each start in turn); patterns
 * are compiled as ^.*(PATTERN), one linear pass.  Same answers, and a
 * hostile subject is fast (timed in tests/cli/hostile.sh, under timeout). */
static void test_regex_search(void **state) {
  static const struct {
    const char *re, *s;
    bool match;
  } cases[] = {
      {"a+$", "xxaaa", true},        {"a+$", "aaax", false},
      {"^ab", "abc", true},          {"^ab", "cab", false},
      {"b|^x", "ab", true},          {"b|^x", "ax", false},
      {"b|^x", "xa", true},          {"(a)(b)", "zab", true},
      {"", "anything", true},        {"exe$", "EVIL.EXE", true},
      {"[)(]", "a)", true},          {"x{2,3}", "axxb", true},
      {"^(a+)+$", "aaaa", true},     {"(a+)+$", "aaab", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             HDR "rules:\n" RULE("SM-A") "    expect:\n      regex: '%s'\n",
             cases[i].re);
    write_file("search.yaml", yaml);
    sm_baseline *b = load_ok("search.yaml");
    int r = regexec(&b->rules[0].expect.regex, cases[i].s, 0, NULL, 0);
    if ((r == 0) != cases[i].match)
      fail_msg("/%s/ on \"%s\": %s", cases[i].re, cases[i].s,
               r == 0 ? "matched" : "did not match");
    sm_baseline_free(b);
  }
  /* A long hostile subject: linear now (this was minutes). */
  size_t n = 1 << 20;
  char *s = malloc(n + 2);
  assert_non_null(s);
  memset(s, 'a', n);
  s[n] = 'b';
  s[n + 1] = '\0';
  write_file("slow.yaml", HDR "rules:\n" RULE("SM-A")
                              "    expect:\n      regex: '(a+)+$'\n");
  sm_baseline *b = load_ok("slow.yaml");
  assert_int_not_equal(regexec(&b->rules[0].expect.regex, s, 0, NULL, 0), 0);
  sm_baseline_free(b);
  free(s);
}

/* Bounded repetitions are expanded at compile time: capped, not nested. */
static void test_regex_repeat(void **state) {
  static const char *const refused[] = {
      "a{256}", "a{1,256}", "a{,99999999999999999999}", "(a{1,2}){1,2}",
      "((a{2})b){3}", "(x(a{2})){3}", "(a)(b{2}){2,}x",
  };
  static const char *const allowed[] = {
      "a{255}", "(a{1,255})+", "(ab){1,10}c{3}", "[{]{2}", "\\{9999}",
      "[a{]{1,3}", "(a)(b{2})*x",
  };
  char yaml[512];
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    snprintf(yaml, sizeof yaml,
             HDR "rules:\n" RULE("SM-A") "    expect:\n      regex: '%s'\n",
             refused[i]);
    write_file("rep.yaml", yaml);
    sm_baseline *b = NULL;
    sm_error err = {0};
    if (sm_baseline_load(path_of("rep.yaml"), &b, &err) == SM_OK)
      fail_msg("/%s/ was accepted", refused[i]);
    assert_non_null(strstr(err.msg, "are not allowed"));
  }
  for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++) {
    snprintf(yaml, sizeof yaml,
             HDR "rules:\n" RULE("SM-A") "    expect:\n      regex: '%s'\n",
             allowed[i]);
    write_file("rep.yaml", yaml);
    sm_baseline *b = NULL;
    sm_error err = {0};
    if (sm_baseline_load(path_of("rep.yaml"), &b, &err) != SM_OK)
      fail_msg("/%s/ was refused: %s", allowed[i], err.msg);
    sm_baseline_free(b);
  }
}

static void test_err_range(void **state) {
  write_file("range.yaml", HDR "rules:\n" RULE("SM-A")
                               "    expect: {range: {min: 5, max: 0x4}}\n");
  load_fails("range.yaml",
             "10:21: 'range': min 5 is greater than max 4");
  write_file("big.yaml", HDR "rules:\n" RULE("SM-A")
                             "    expect: {bits-set: 18446744073709551616}\n");
  load_fails("big.yaml", "10:24: 'bits-set' must be a number (decimal or 0x "
                         "hex, 64 bits)");
}

static void test_err_billion_laughs(void **state) {
  write_file("lol.yaml",
             HDR "lol1: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                 "lol2: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                 "lol3: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                 "lol4: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                 "lol5: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                 "lol6: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                 "lol7: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                 "lol8: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                 "lol9: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n");
  load_fails("lol.yaml", "3:7: YAML anchors are not allowed");
  write_file("alias.yaml", HDR "rules: *x\n");
  load_fails("alias.yaml", "3:8: YAML aliases are not allowed");
}

static void test_err_deep(void **state) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, HDR "rules: ");
  for (int i = 0; i < 100; i++)
    buf[n++] = '[';
  for (int i = 0; i < 100; i++)
    buf[n++] = ']';
  buf[n++] = '\n';
  buf[n] = '\0';
  write_file("deep.yaml", buf);
  load_fails("deep.yaml", "3:39: nesting deeper than 32 levels");
}

static void test_err_huge_file(void **state) {
  size_t len = 2 * 1024 * 1024;
  char *buf = malloc(len);
  assert_non_null(buf);
  memset(buf, '#', len);
  memcpy(buf, HDR, strlen(HDR));
  for (size_t i = 100; i < len; i += 100)
    buf[i] = '\n';
  write_bytes("huge.yaml", buf, len);
  free(buf);
  load_fails("huge.yaml", "1:1: file is larger than 1 MiB");
}

static void test_err_huge_scalar(void **state) {
  size_t len = 100 * 1024;
  char *buf = malloc(len + 64);
  assert_non_null(buf);
  int n = snprintf(buf, len + 64, HDR "description: ");
  memset(buf + n, 'x', len);
  buf[n + len] = '\n';
  write_bytes("scalar.yaml", buf, n + len + 1);
  free(buf);
  load_fails("scalar.yaml", "3:14: scalar longer than 64 KiB");
}

static void test_err_utf8(void **state) {
  write_file("utf8.yaml", HDR "description: \"caf\xc3\xa9 \xff\xfe\"\n");
  load_fails("utf8.yaml", "3:20: invalid leading UTF-8 octet");
  write_file("utf8b.yaml", HDR "description: x\xed\xa0\x80y\n");
  load_fails("utf8b.yaml", "3:15: invalid Unicode character");
}

static void test_err_yaml_misc(void **state) {
  write_file("docs.yaml", HDR "rules: []\n---\n" HDR);
  load_fails("docs.yaml", "4:1: a baseline is one YAML document, not several");
  write_file("tag.yaml", HDR "rules: !!python/object []\n");
  load_fails("tag.yaml", "3:8: YAML tag 'tag:yaml.org,2002:python/object' is "
                         "not allowed");
  write_file("syntax.yaml", HDR "rules: [a, b\n");
  load_fails("syntax.yaml",
             "4:1: did not find expected ',' or ']' while parsing a flow "
             "sequence");
  write_file("empty.yaml", "");
  load_fails("empty.yaml", "1:1: empty file: not a baseline");
}

static void test_err_extends_cycle(void **state) {
  write_file("cyc-a.yaml", HDR "extends: cyc-b.yaml\n");
  write_file("cyc-b.yaml", HDR "extends: [cyc-a.yaml]\n");
  char want[1024];
  snprintf(want, sizeof want, "3:11: extends: cycle: %s -> %s -> %s",
           path_of("cyc-a.yaml"), path_of("cyc-b.yaml"),
           path_of("cyc-a.yaml"));
  load_fails_in("cyc-a.yaml", "cyc-b.yaml", SM_ERR_USAGE, want);

  write_file("self.yaml", HDR "extends: ./self.yaml\n");
  snprintf(want, sizeof want, "3:10: extends: cycle: %s -> %s",
           path_of("self.yaml"), path_of("./self.yaml"));
  load_fails("self.yaml", want);
}

static void test_err_extends_depth(void **state) {
  char name[64], text[256];
  for (int i = 0; i <= 17; i++) {
    snprintf(name, sizeof name, "chain%d.yaml", i);
    if (i < 17)
      snprintf(text, sizeof text, HDR "extends: chain%d.yaml\n", i + 1);
    else
      snprintf(text, sizeof text, HDR "rules: []\n");
    write_file(name, text);
  }
  load_fails_in("chain0.yaml", "chain16.yaml", SM_ERR_USAGE,
                "3:10: extends: chain deeper than 16");
  sm_baseline *b = load_ok("chain1.yaml");
  assert_int_equal(b->n_chain, 16);
  sm_baseline_free(b);
}

static void test_err_extends_missing(void **state) {
  write_file("miss.yaml", HDR "extends: [nowhere.yaml]\n");
  char want[1024];
  snprintf(want, sizeof want,
           "3:11: extends: cannot open '%s': No such file or directory",
           path_of("nowhere.yaml"));
  load_fails("miss.yaml", want);
}

static void test_err_bad_date(void **state) {
  write_file("date.yaml", HDR "rules:\n" RULE("SM-A")
                              "suppressions:\n"
                              "  - rule: SM-A\n"
                              "    justification: j\n"
                              "    expires: 2027-02-30\n");
  load_fails("date.yaml",
             "13:14: 'expires' must be a date YYYY-MM-DD, not '2027-02-30'");
  write_file("supp.yaml", HDR "rules:\n" RULE("SM-A")
                              "suppressions:\n"
                              "  - rule: SM-Z\n"
                              "    justification: j\n");
  load_fails("supp.yaml", "11:11: suppression of an unknown rule 'SM-Z'");
  write_file("supp2.yaml", HDR "rules:\n" RULE("SM-A")
                               "suppressions:\n"
                               "  - rule: SM-A\n");
  load_fails("supp2.yaml",
             "11:5: missing required field 'justification' in suppression");
}

static void test_err_schema_version(void **state) {
  write_file("v2.yaml", "name: t\nsmaudit-baseline: 2\nnewfield: x\n");
  load_fails("v2.yaml",
             "2:19: unsupported schema version 2 (this smaudit reads "
             "version 1)");
  write_file("v0.yaml", "name: t\nrules: []\n");
  load_fails("v0.yaml", "1:1: missing required field 'smaudit-baseline'");
  write_file("badname.yaml", "smaudit-baseline: 1\nname: Site\nrules: []\n");
  load_fails("badname.yaml", "2:7: invalid baseline name 'Site' (expected "
                             "[a-z0-9][a-z0-9._-]*)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_severity_names),
      cmocka_unit_test(test_valid_full),
      cmocka_unit_test(test_extends_by_name),
      cmocka_unit_test(test_extends_relative_override_disable),
      cmocka_unit_test(test_load_many),
      cmocka_unit_test(test_err_io),
      cmocka_unit_test(test_err_unknown_field),
      cmocka_unit_test(test_err_wrong_type),
      cmocka_unit_test(test_err_bad_severity),
      cmocka_unit_test(test_err_bad_type_name),
      cmocka_unit_test(test_err_duplicate_id),
      cmocka_unit_test(test_err_field_without_parse),
      cmocka_unit_test(test_err_unknown_parser_field),
      cmocka_unit_test(test_err_parser_level),
      cmocka_unit_test(test_err_regex),
      cmocka_unit_test(test_regex_search),
      cmocka_unit_test(test_regex_repeat),
      cmocka_unit_test(test_err_range),
      cmocka_unit_test(test_err_billion_laughs),
      cmocka_unit_test(test_err_deep),
      cmocka_unit_test(test_err_huge_file),
      cmocka_unit_test(test_err_huge_scalar),
      cmocka_unit_test(test_err_utf8),
      cmocka_unit_test(test_err_yaml_misc),
      cmocka_unit_test(test_err_extends_cycle),
      cmocka_unit_test(test_err_extends_depth),
      cmocka_unit_test(test_err_extends_missing),
      cmocka_unit_test(test_err_bad_date),
      cmocka_unit_test(test_err_schema_version),
  };
  return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
