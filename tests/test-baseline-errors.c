/* The baseline loader's refusals: unknown fields, wrong types, bad
 * regular expressions (and the linear-time search of those it takes),
 * hostile YAML (aliases, depth, size, encoding), dates and schema
 * versions, each with the exact FILE:LINE:COL of the error. */
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

#include "tests/test-baseline-util.h"

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
      cmocka_unit_test(test_err_bad_date),
      cmocka_unit_test(test_err_schema_version),
  };
  return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
