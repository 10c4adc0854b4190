/* The baseline loader: the schema of docs/baselines.md, extends, and the
 * refusal of hostile YAML, with the exact FILE:LINE:COL of each error. */
#include <config.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "checks/baseline.h"
#include "checks/yaml-doc.h"

#define HDR "smaudit-baseline: 1\nname: t\n"
/* A minimal rule; its mapping starts at column 5 of its first line. */
#define RULE(id)                                                               \
  "  - id: " id "\n    title: T\n    key: K\n    severity: low\n"             \
  "    normal: n\n    message: m\n"

static char tmpdir[256];

/* 0 when re matches somewhere in s, as regexec says it. */
static int re_exec(const sm_regex *re, const char *s) {
  return sm_regex_search(re, s, strlen(s)) ? 0 : 1;
}

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
  assert_int_equal(re_exec(e->regex, "123"), 0);
  assert_int_not_equal(re_exec(e->regex, "12a"), 0);
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
  assert_int_equal(sm_baseline_set_search_path(env), SM_OK);
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
  assert_int_equal(sm_baseline_set_search_path(NULL), SM_OK);
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
  assert_int_equal(re_exec(b->rules[0].expect.regex, "A\\1"), 0);
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

/* A search in one linear pass (checks/regex.c): the answers of a POSIX
 * search, and a hostile subject is fast (also in tests/cli/hostile.sh,
 * under timeout). */
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
    int r = re_exec(b->rules[0].expect.regex, cases[i].s);
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
  assert_int_not_equal(re_exec(b->rules[0].expect.regex, s), 0);
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

/* A baseline, or what it extends, that is not a regular file: refused at
 * once, naming it (a FIFO blocked the load for ever, /dev/zero was read
 * for a megabyte). */
static void test_extends_not_regular(void **state) {
  char want[1024];
  sm_baseline *b = NULL;
  sm_error err = {0};
  assert_int_equal(mkfifo(path_of("fifo.yaml"), 0600), 0);
  write_file("ext-fifo.yaml", HDR "extends: [./fifo.yaml]\n");
  load_fails_in("ext-fifo.yaml", "./fifo.yaml", SM_ERR_IO,
                " not a regular file (a FIFO)");
  load_fails_in("fifo.yaml", "fifo.yaml", SM_ERR_IO,
                " not a regular file (a FIFO)");

  write_file("ext-zero.yaml", HDR "extends: /dev/zero\n");
  assert_int_equal(sm_baseline_load(path_of("ext-zero.yaml"), &b, &err),
                   SM_ERR_IO);
  assert_string_equal(err.msg,
                      "/dev/zero: not a regular file (a character device)");

  assert_int_equal(mkdir(path_of("dir.yaml"), 0700), 0);
  write_file("ext-dir.yaml", HDR "extends: dir.yaml\n");
  snprintf(want, sizeof want, " is a directory");
  load_fails_in("ext-dir.yaml", "dir.yaml", SM_ERR_IO, want);
}

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Level I extends level I+1 K times (as the same name, or spelt another
 * way); the last level extends nothing. */
static void write_diamond(const char *prefix, int levels, int k) {
  char name[64], text[1024];
  for (int i = 0; i <= levels; i++) {
    snprintf(name, sizeof name, "%s%d.yaml", prefix, i);
    int n = snprintf(text, sizeof text, "smaudit-baseline: 1\nname: %s%d\n",
                     prefix, i);
    if (i < levels) {
      n += snprintf(text + n, sizeof text - (size_t)n, "extends:\n");
      for (int j = 0; j < k; j++)
        n += snprintf(text + n, sizeof text - (size_t)n, "  - %s%s%d.yaml\n",
                      j % 2 ? "./" : "", prefix, i + 1);
    }
    snprintf(text + n, sizeof text - (size_t)n,
             "rules:\n  - id: SM-%d\n    title: T\n    key: K\n"
             "    severity: low\n    normal: n\n    message: m\n",
             i);
    write_file(name, text);
  }
}

/* Each file is loaded once in a load: a diamond costs its number of files
 * (each level extending the next four times grew x4 a level: 27 s at
 * depth 8). */
static void test_extends_diamond(void **state) {
  write_diamond("dia", 12, 4);
  sm_baseline_parse_cache *c = sm_baseline_parse_cache_new();
  assert_non_null(c);
  double t0 = cpu_seconds();
  sm_baseline *b = NULL;
  sm_error err = {0};
  assert_int_equal(sm_baseline_load_cached(c, path_of("dia0.yaml"), &b, &err),
                   SM_OK);
  double t = cpu_seconds() - t0;
  print_message("# a diamond of 13 files, 48 extends: %.3f s\n", t);
  assert_true(t < 1.0);
  assert_int_equal(b->n_rules, 13);
  assert_string_equal(b->rules[0].id, "SM-12");
  assert_string_equal(b->rules[12].id, "SM-0");
  assert_int_equal(sm_baseline_parse_cache_stats(c).parsed, 13);
  assert_int_equal(sm_baseline_parse_cache_stats(c).reused, 0);
  sm_baseline_free(b);
  sm_baseline_parse_cache_free(c);

  /* A file loaded once is not reused deeper than a chain may go: s0..s9
   * (10 files) first from top, then again below l0..l7. */
  char name[32], text[256];
  for (int i = 0; i < 10; i++) {
    snprintf(name, sizeof name, "s%d.yaml", i);
    snprintf(text, sizeof text, HDR "%s%d.yaml\nrules: []\n",
             i < 9 ? "extends: s" : "# s", i + 1);
    write_file(name, text);
  }
  for (int i = 0; i < 8; i++) {
    snprintf(name, sizeof name, "l%d.yaml", i);
    snprintf(text, sizeof text, HDR "extends: %s%d.yaml\nrules: []\n",
             i < 7 ? "l" : "s", i < 7 ? i + 1 : 0);
    write_file(name, text);
  }
  write_file("top.yaml", HDR "extends: [s0.yaml, l0.yaml]\nrules: []\n");
  load_fails_in("top.yaml", "l7.yaml", SM_ERR_USAGE,
                "3:10: extends: chain deeper than 16");

  /* At most 64 extends are followed in one load: 14 down the first way,
   * then 4 more at each level back up, the 65th in wide1. */
  write_diamond("wide", 14, 5);
  load_fails_in("wide0.yaml", "wide1.yaml", SM_ERR_USAGE,
                "7:5: extends: more than 64 baselines extended in all");
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

/* ---- the parse cache ---- */

static void assert_same_strv(char *const *x, size_t nx, char *const *y,
                             size_t ny) {
  assert_int_equal(nx, ny);
  for (size_t i = 0; i < nx; i++)
    assert_string_equal(x[i], y[i]);
}

static void assert_same_opt_str(const char *x, const char *y) {
  if (!x || !y)
    assert_ptr_equal(x, y);
  else
    assert_string_equal(x, y);
}

static void assert_same_expect(const sm_expect *x, const sm_expect *y) {
  assert_int_equal(x->has_equals, y->has_equals);
  assert_same_opt_str(x->equals_str, y->equals_str);
  assert_int_equal(x->equals_is_num, y->equals_is_num);
  assert_int_equal(x->equals_num, y->equals_num);
  assert_same_strv(x->one_of, x->n_one_of, y->one_of, y->n_one_of);
  assert_same_opt_str(x->glob, y->glob);
  assert_same_opt_str(x->regex_src, y->regex_src);
  assert_int_equal(x->has_regex, y->has_regex);
  assert_int_equal(x->has_min, y->has_min);
  assert_int_equal(x->has_max, y->has_max);
  assert_int_equal(x->min, y->min);
  assert_int_equal(x->max, y->max);
  assert_int_equal(x->has_bits_set, y->has_bits_set);
  assert_int_equal(x->bits_set, y->bits_set);
  assert_int_equal(x->has_bits_clear, y->has_bits_clear);
  assert_int_equal(x->bits_clear, y->bits_clear);
  assert_int_equal(x->has_exact, y->has_exact);
  assert_same_strv(x->exact, x->n_exact, y->exact, y->n_exact);
  assert_int_equal(x->has_allowed, y->has_allowed);
  assert_same_strv(x->allowed, x->n_allowed, y->allowed, y->n_allowed);
  assert_same_strv(x->required, x->n_required, y->required, y->n_required);
  assert_same_strv(x->forbidden, x->n_forbidden, y->forbidden,
                   y->n_forbidden);
  assert_int_equal(x->has_max_items, y->has_max_items);
  assert_int_equal(x->max_items, y->max_items);
  assert_int_equal(x->order_exact, y->order_exact);
  assert_int_equal(x->has_empty, y->has_empty);
  assert_int_equal(x->empty, y->empty);
  assert_int_equal(x->case_sensitive, y->case_sensitive);
}

static void assert_same_unlisted(const sm_unlisted *x, const sm_unlisted *y) {
  assert_int_equal(x->report, y->report);
  assert_same_strv(x->allow, x->n_allow, y->allow, y->n_allow);
  assert_same_strv(x->ignore, x->n_ignore, y->ignore, y->n_ignore);
}

/* Everything a load yields, field by field: rules and suppressions in the
 * same order, from the same files (display paths) and lines. */
static void assert_same_baseline(const sm_baseline *x, const sm_baseline *y) {
  assert_string_equal(x->name, y->name);
  assert_same_opt_str(x->description, y->description);
  assert_same_opt_str(x->family, y->family);
  assert_string_equal(x->path, y->path);
  assert_same_strv(x->chain, x->n_chain, y->chain, y->n_chain);
  assert_same_strv(x->files, x->n_files, y->files, y->n_files);
  assert_int_equal(x->n_rules, y->n_rules);
  for (size_t i = 0; i < x->n_rules; i++) {
    const sm_rule *a = &x->rules[i], *b = &y->rules[i];
    assert_string_equal(a->id, b->id);
    assert_string_equal(a->title, b->title);
    assert_string_equal(a->normal, b->normal);
    assert_string_equal(a->message, b->message);
    assert_int_equal(a->severity, b->severity);
    assert_same_strv(a->attack, a->n_attack, b->attack, b->n_attack);
    assert_same_strv(a->references, a->n_references, b->references,
                     b->n_references);
    assert_int_equal(a->root, b->root);
    assert_string_equal(a->key, b->key);
    assert_same_opt_str(a->value, b->value);
    assert_int_equal(a->presence, b->presence);
    assert_int_equal(a->n_types, b->n_types);
    if (a->n_types)
      assert_memory_equal(a->types, b->types, a->n_types * sizeof *a->types);
    assert_int_equal(a->parse, b->parse);
    assert_same_opt_str(a->field, b->field);
    assert_int_equal(a->has_expect, b->has_expect);
    assert_same_expect(&a->expect, &b->expect);
    assert_int_equal(a->tunable, b->tunable);
    assert_int_equal(a->has_values_policy, b->has_values_policy);
    assert_same_unlisted(&a->values, &b->values);
    assert_int_equal(a->has_subkeys_policy, b->has_subkeys_policy);
    assert_same_unlisted(&a->subkeys, &b->subkeys);
    assert_string_equal(a->file, b->file);
    assert_int_equal(a->line, b->line);
  }
  assert_int_equal(x->n_suppressions, y->n_suppressions);
  for (size_t i = 0; i < x->n_suppressions; i++) {
    const sm_suppression *a = &x->suppressions[i], *b = &y->suppressions[i];
    assert_string_equal(a->rule, b->rule);
    assert_same_opt_str(a->key, b->key);
    assert_same_opt_str(a->value, b->value);
    assert_same_opt_str(a->observed, b->observed);
    assert_string_equal(a->justification, b->justification);
    assert_int_equal(a->has_expires, b->has_expires);
    assert_int_equal(a->expires_year, b->expires_year);
    assert_int_equal(a->expires_month, b->expires_month);
    assert_int_equal(a->expires_day, b->expires_day);
    assert_string_equal(a->file, b->file);
    assert_int_equal(a->line, b->line);
  }
}

static sm_baseline *load_cached_ok(sm_baseline_parse_cache *c,
                                   const char *name) {
  sm_baseline *b = NULL;
  sm_error err = {0};
  if (sm_baseline_load_cached(c, path_of(name), &b, &err) != SM_OK)
    fail_msg("%s", err.msg);
  assert_non_null(b);
  return b;
}

static void assert_stats(sm_baseline_parse_cache *c, size_t parsed,
                         size_t reused) {
  sm_baseline_parse_stats s = sm_baseline_parse_cache_stats(c);
  assert_int_equal(s.parsed, parsed);
  assert_int_equal(s.reused, reused);
}

#define PC_COMMON                                                              \
  HDR "family: f\nrules:\n" RULE("SM-C1")                                      \
      "    value: V\n"                                                         \
      "    type: [REG_SZ, REG_EXPAND_SZ]\n"                                    \
      "    attack: [T1547]\n"                                                  \
      "    expect: { regex: '^a+b$', case: sensitive }\n" RULE("SM-C2")        \
      "    values: { report: true, allow: [X*], ignore: [Y] }\n" RULE("SM-C3") \
      "suppressions:\n"                                                        \
      "  - rule: SM-C1\n"                                                      \
      "    observed: \"aab\"\n"                                                \
      "    justification: known\n"                                             \
      "    expires: 2030-01-01\n"

/* Two baselines that extend one file, by two different relative paths: the
 * file is parsed once, and each load is the same as an uncached one, with
 * its own display paths. */
static void test_cache_shared_parent(void **state) {
  mkdir(path_of("pc"), 0700);
  mkdir(path_of("pc/sub"), 0700);
  write_file("pc/common.yaml", PC_COMMON);
  write_file("pc/a.yaml", "smaudit-baseline: 1\nname: a\n"
                          "extends: common.yaml\n"
                          "disable: SM-C3\n"
                          "rules:\n" RULE("SM-A") RULE("SM-C2")
                          "    presence: required\n");
  write_file("pc/sub/b.yaml", "smaudit-baseline: 1\nname: b\n"
                              "extends: [../common.yaml]\n"
                              "rules:\n" RULE("SM-B")
                              "suppressions:\n"
                              "  - rule: SM-C3\n"
                              "    justification: site\n");

  sm_baseline_parse_cache *c = sm_baseline_parse_cache_new();
  assert_non_null(c);
  assert_stats(c, 0, 0);
  sm_baseline *a = load_cached_ok(c, "pc/a.yaml");
  assert_stats(c, 2, 0);
  sm_baseline *b = load_cached_ok(c, "pc/sub/b.yaml");
  assert_stats(c, 3, 1); /* common.yaml: parsed once, used twice */

  sm_baseline *ua = load_ok("pc/a.yaml"), *ub = load_ok("pc/sub/b.yaml");
  assert_same_baseline(a, ua);
  assert_same_baseline(b, ub);
  assert_int_equal(b->n_rules, 4);
  assert_string_equal(b->rules[0].id, "SM-C1");
  assert_string_equal(b->rules[0].file, path_of("pc/sub/../common.yaml"));
  assert_string_equal(b->suppressions[0].file,
                      path_of("pc/sub/../common.yaml"));
  assert_string_equal(a->rules[0].file, path_of("pc/common.yaml"));
  assert_int_equal(a->n_rules, 3);
  assert_string_equal(a->rules[1].id, "SM-C2");
  assert_int_equal(a->rules[1].presence, SM_PRESENCE_REQUIRED);
  assert_string_equal(a->rules[1].file, path_of("pc/a.yaml"));
  assert_true(a->rules[0].expect.has_regex);
  assert_int_equal(re_exec(a->rules[0].expect.regex, "aaab"),
                   0);
  assert_int_not_equal(
      re_exec(b->rules[0].expect.regex, "AAB"), 0);

  /* Again, and merged as repeated --baseline options: nothing is read. */
  sm_baseline *a2 = load_cached_ok(c, "pc/a.yaml");
  assert_stats(c, 3, 3);
  assert_same_baseline(a2, ua);
  const char *names[] = {path_of("pc/a.yaml"), path_of("pc/sub/b.yaml")};
  sm_baseline *m = NULL, *um = NULL;
  sm_error err = {0};
  assert_int_equal(sm_baseline_load_many_cached(c, names, 2, &m, &err),
                   SM_OK);
  assert_stats(c, 3, 6); /* common.yaml, which both extend: loaded once */
  assert_int_equal(sm_baseline_load_many(names, 2, &um, &err), SM_OK);
  assert_same_baseline(m, um);

  sm_baseline_free(a);
  sm_baseline_free(b);
  sm_baseline_free(ua);
  sm_baseline_free(ub);
  sm_baseline_free(a2);
  sm_baseline_free(m);
  sm_baseline_free(um);
  sm_baseline_parse_cache_free(c);
  sm_baseline_parse_cache_free(NULL);
}

/* Two trees are the same: kinds, positions, scalars, children. */
static void assert_same_tree(const yd_node *a, const yd_node *b) {
  assert_int_equal(a->kind, b->kind);
  assert_int_equal(a->line, b->line);
  assert_int_equal(a->col, b->col);
  assert_int_equal(a->plain, b->plain);
  assert_int_equal(a->n, b->n);
  assert_int_equal(a->str != NULL, b->str != NULL);
  if (a->str) {
    assert_int_equal(a->len, b->len);
    assert_memory_equal(a->str, b->str, a->len + 1);
  }
  assert_int_equal(a->keys != NULL, b->keys != NULL);
  for (size_t i = 0; i < a->n; i++) {
    assert_same_tree(a->items[i], b->items[i]);
    if (a->keys)
      assert_same_tree(a->keys[i], b->keys[i]);
  }
}

/* Every shipped baseline is built in, as parsing its bytes gives it; the
 * same file changed by one byte is parsed. */
static void test_builtin_trees(void **state) {
  (void)state;
  static const char *const shipped[] = {
      "windows-common", "windows-xp",  "windows-7",
      "windows-8.1",    "windows-10", "cis-overlay"};
  const char *src = getenv("top_srcdir");
  assert_int_equal(sm_yaml_n_builtins, 6);
  for (size_t k = 0; k < 6; k++) {
    char path[1024];
    char *buf = NULL;
    size_t len = 0;
    sm_error err = {0};
    yd_node *built = NULL, *parsed = NULL, *changed = NULL;
    snprintf(path, sizeof path, "%s/baselines/%s.yaml", src ? src : ".",
             shipped[k]);
    assert_int_equal(sm_yaml_read_file(path, &buf, &len, NULL, &err), SM_OK);
    assert_int_equal(sm_yaml_parse(path, buf, len, &built, &err), SM_OK);
    assert_non_null(built);
    assert_true(built->builtin);
    assert_int_equal(sm_yaml_parse_source(path, buf, len, &parsed, &err),
                     SM_OK);
    assert_false(parsed->builtin);
    assert_same_tree(built, parsed);
    sm_yaml_free(built); /* a no-op: still usable */
    assert_same_tree(built, parsed);
    char *more = malloc(len + 2);
    assert_non_null(more);
    memcpy(more, buf, len);
    memcpy(more + len, "\n", 2);
    assert_int_equal(sm_yaml_parse(path, more, len + 1, &changed, &err),
                     SM_OK);
    assert_false(changed->builtin);
    assert_same_tree(changed, parsed);
    sm_yaml_free(changed);
    sm_yaml_free(parsed);
    free(more);
    free(buf);
  }
}

static void set_mtime(const char *name, time_t sec) {
  struct timespec ts[2] = {{.tv_sec = sec}, {.tv_sec = sec}};
  assert_int_equal(utimensat(AT_FDCWD, path_of(name), ts, 0), 0);
}

static const char *title_of_c1(sm_baseline_parse_cache *c) {
  static char title[64];
  sm_baseline *b = load_cached_ok(c, "pcx/site.yaml");
  assert_string_equal(b->rules[0].id, "SM-C1");
  snprintf(title, sizeof title, "%s", b->rules[0].title);
  sm_baseline_free(b);
  return title;
}

/* A file changed between two loads is read again: a new size, a new
 * modification time with the same size, a new inode with the same size
 * and time.  An unchanged one is not. */
static void test_cache_changed_file(void **state) {
  mkdir(path_of("pcx"), 0700);
  write_file("pcx/site.yaml", "smaudit-baseline: 1\nname: site\n"
                              "extends: parent.yaml\n");
#define PARENT(title)                                                          \
  HDR "rules:\n  - id: SM-C1\n    title: " title "\n    key: K\n"             \
      "    severity: low\n    normal: n\n    message: m\n"
  write_file("pcx/parent.yaml", PARENT("one"));
  set_mtime("pcx/parent.yaml", 1000000000);
  sm_baseline_parse_cache *c = sm_baseline_parse_cache_new();
  assert_non_null(c);
  assert_string_equal(title_of_c1(c), "one");
  assert_stats(c, 2, 0);
  assert_string_equal(title_of_c1(c), "one");
  assert_stats(c, 2, 2);

  /* Another size. */
  write_file("pcx/parent.yaml", PARENT("three"));
  set_mtime("pcx/parent.yaml", 1000000000);
  assert_string_equal(title_of_c1(c), "three");
  assert_stats(c, 3, 3);

  /* The same size, rewritten in place, another modification time. */
  write_file("pcx/parent.yaml", PARENT("thr3e"));
  set_mtime("pcx/parent.yaml", 1000000100);
  assert_string_equal(title_of_c1(c), "thr3e");
  assert_stats(c, 4, 4);
  assert_string_equal(title_of_c1(c), "thr3e");
  assert_stats(c, 4, 6);

  /* The same size and time, but another file renamed over it. */
  write_file("pcx/new.yaml", PARENT("thre3"));
  set_mtime("pcx/new.yaml", 1000000100);
  assert_int_equal(rename(path_of("pcx/new.yaml"), path_of("pcx/parent.yaml")),
                   0);
  assert_string_equal(title_of_c1(c), "thre3");
  assert_stats(c, 5, 7);

  /* An invalid parent fails each time with the same message; a parse
   * error is not kept, a tree that does not validate is. */
  write_file("pcx/parent.yaml", HDR "rules: [\n");
  char want[1024];
  snprintf(want, sizeof want,
           "%s:4:1: did not find expected node content while parsing a "
           "flow node",
           path_of("pcx/parent.yaml"));
  for (int i = 0; i < 2; i++) {
    sm_baseline *b = NULL;
    sm_error err = {0};
    assert_int_equal(
        sm_baseline_load_cached(c, path_of("pcx/site.yaml"), &b, &err),
        SM_ERR_USAGE);
    assert_null(b);
    assert_string_equal(err.msg, want);
  }
  assert_stats(c, 7, 9);
  write_file("pcx/parent.yaml", HDR "rules:\n  - id: bad\n");
  snprintf(want, sizeof want,
           "%s:4:5: missing required field 'title' in rule",
           path_of("pcx/parent.yaml"));
  for (int i = 0; i < 2; i++) {
    sm_baseline *b = NULL;
    sm_error err = {0};
    assert_int_equal(
        sm_baseline_load_cached(c, path_of("pcx/site.yaml"), &b, &err),
        SM_ERR_USAGE);
    assert_string_equal(err.msg, want);
  }
  assert_stats(c, 8, 12);
  sm_baseline_parse_cache_free(c);
#undef PARENT
}

/* Cycles and the depth limit are found as without a cache, whatever it
 * already holds. */
static void test_cache_extends_errors(void **state) {
  mkdir(path_of("pce"), 0700);
  char name[64], text[256];
  for (int i = 0; i <= 17; i++) {
    snprintf(name, sizeof name, "pce/chain%d.yaml", i);
    if (i < 17)
      snprintf(text, sizeof text, HDR "extends: chain%d.yaml\n", i + 1);
    else
      snprintf(text, sizeof text, HDR "rules: []\n");
    write_file(name, text);
  }
  write_file("pce/cyc-a.yaml", HDR "extends: cyc-b.yaml\n");
  write_file("pce/cyc-b.yaml", HDR "extends: [cyc-a.yaml]\n");
  const char *bad[] = {"pce/chain0.yaml", "pce/cyc-a.yaml", "pce/cyc-b.yaml"};

  sm_baseline_parse_cache *c = sm_baseline_parse_cache_new();
  assert_non_null(c);
  sm_baseline *b = load_cached_ok(c, "pce/chain1.yaml");
  assert_int_equal(b->n_chain, 16);
  sm_baseline *u = load_ok("pce/chain1.yaml");
  assert_same_baseline(b, u);
  sm_baseline_free(b);
  sm_baseline_free(u);
  assert_stats(c, 17, 0);
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
      sm_error err = {0}, uerr = {0};
      b = u = NULL;
      assert_int_equal(sm_baseline_load_cached(c, path_of(bad[i]), &b, &err),
                       SM_ERR_USAGE);
      assert_int_equal(sm_baseline_load(path_of(bad[i]), &u, &uerr),
                       SM_ERR_USAGE);
      assert_null(b);
      assert_string_equal(err.msg, uerr.msg);
    }
  /* chain0, cyc-a and cyc-b are read once each.  Reused: chain1..16 for
   * chain0, both cyc files for cyc-b; then everything again. */
  assert_stats(c, 20, 16 + 2 + (17 + 2 + 2));
  sm_baseline_parse_cache_free(c);
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
      cmocka_unit_test(test_extends_not_regular),
      cmocka_unit_test(test_extends_diamond),
      cmocka_unit_test(test_err_bad_date),
      cmocka_unit_test(test_err_schema_version),
      cmocka_unit_test(test_cache_shared_parent),
      cmocka_unit_test(test_cache_changed_file),
      cmocka_unit_test(test_cache_extends_errors),
      cmocka_unit_test(test_builtin_trees),
  };
  return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
