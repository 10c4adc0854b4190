/* The baseline loader: the schema of docs/baselines.md and extends
 * (tests/test-baseline-errors.c: what it refuses; tests/test-baseline-
 * cache.c: its parse cache). */
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

/* A baseline using every field of the schema (docs/baselines.md). */
static const char full_yaml[] =
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
    "suppressions: []\n";

/* full_yaml's first rule: a list value, with every list expectation. */
static void assert_full_list_rule(const sm_baseline *b) {
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
}

/* Its second: a scalar value, with every scalar expectation. */
static void assert_full_scalar_rule(const sm_rule *r) {
  const sm_expect *e;
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
}

/* The others: a parsed value, a key's values and subkeys policies, a
 * parsed key at the hive's root. */
static void assert_full_other_rules(const sm_baseline *b) {
  const sm_rule *r = &b->rules[2];
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
}

static void test_valid_full(void **state) {
  write_file("full.yaml", full_yaml);
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

  assert_full_list_rule(b);
  assert_full_scalar_rule(&b->rules[1]);
  assert_full_other_rules(b);
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_severity_names),
      cmocka_unit_test(test_valid_full),
      cmocka_unit_test(test_extends_by_name),
      cmocka_unit_test(test_extends_relative_override_disable),
      cmocka_unit_test(test_load_many),
      cmocka_unit_test(test_err_extends_cycle),
      cmocka_unit_test(test_err_extends_depth),
      cmocka_unit_test(test_err_extends_missing),
      cmocka_unit_test(test_extends_not_regular),
      cmocka_unit_test(test_extends_diamond),
  };
  return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
