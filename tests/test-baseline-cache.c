/* The baseline loader's parse cache (checks/baseline-cache.c): each file
 * parsed once however many baselines extend it, a changed file read again,
 * errors as without a cache; and the built-in baselines, each the tree its
 * shipped file parses to. */
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

/* Every shipped baseline is built in, as parsing its bytes gives it (made
 * from the relocation-free tables of checks/gen-builtin once); the same
 * file changed by one byte is parsed. */
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
    yd_node *again = NULL; /* made into yd_nodes once, kept for the run */
    assert_int_equal(sm_yaml_parse(path, buf, len, &again, &err), SM_OK);
    assert_ptr_equal(again, built);
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
      cmocka_unit_test(test_cache_shared_parent),
      cmocka_unit_test(test_cache_changed_file),
      cmocka_unit_test(test_cache_extends_errors),
      cmocka_unit_test(test_builtin_trees),
  };
  return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
