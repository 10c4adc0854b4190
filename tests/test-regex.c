/* checks/regex.c: the answers of glibc's regexec, in linear time. */
#include <config.h>

#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "checks/regex.h"

static sm_regex *compile_ok(const char *src, bool icase) {
  sm_regex *re = NULL;
  char why[160];
  if (sm_regex_compile(src, icase, &re, why, sizeof why) != SM_OK)
    fail_msg("/%s/ refused: %s", src, why);
  return re;
}

static bool search(const sm_regex *re, const char *s) {
  return sm_regex_search(re, s, strlen(s));
}

/* Random patterns from pieces of every construct, on random strings,
 * against glibc's own search.  No newline in the strings: glibc lets a
 * '^' or '$' inside a pattern match beside one even without REG_NEWLINE
 * (".^" matches "\nb"), which POSIX does not, and this matcher does not. */
static void test_same_answers_as_glibc(void **state) {
  (void)state;
  static const char *const pieces[] = {
      "a",           "b",           "A",
      "B",           "_",           " ",
      ".",           "*",           "+",
      "?",           "|",           "(",
      ")",           "(",           "[ab]",
      "[^a]",        "[a-c]",       "[[:alpha:]]",
      "[[:upper:]]", "[]a]",        "[^]b]",
      "^",           "$",           "\\b",
      "\\B",         "\\<",         "\\>",
      "\\w",         "\\W",         "\\s",
      "{2}",         "{1,2}",       "{,2}",
      "{0}",         "{2,}",        "\\.",
      "x",           "-",           "{",
      "}",           "[.a.]",       "[=b=]",
      "[a-]",        "\\`",         "\\'",
      "]",           "\\*",         "[[:space:]]",
      "[B-b]",       "[[:lower:]]", "[^[:digit:]x]",
  };
  static const char alphabet[] = "abAB_ x-.]*{}09";
  unsigned seed = 20261130;
  size_t compared = 0, patterns = 0;
  for (int it = 0; it < 30000; it++) {
    char pat[256] = "";
    int n = 1 + rand_r(&seed) % 8;
    for (int i = 0; i < n; i++)
      strcat(pat, pieces[rand_r(&seed) % (sizeof pieces / sizeof *pieces)]);
    bool icase = rand_r(&seed) % 2;
    regex_t g;
    if (regcomp(&g, pat, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0))) {
      regfree(&g);
      continue;
    }
    sm_regex *re = compile_ok(pat, icase);
    patterns++;
    for (int k = 0; k < 12; k++) {
      char s[16];
      int len = rand_r(&seed) % 12;
      for (int i = 0; i < len; i++)
        s[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
      s[len] = '\0';
      bool want = regexec(&g, s, 0, NULL, 0) == 0;
      if (search(re, s) != want)
        fail_msg("/%s/%s on \"%s\": glibc %s", pat, icase ? "i" : "", s,
                 want ? "matches" : "does not match");
      compared++;
    }
    sm_regex_free(re);
    regfree(&g);
  }
  assert_true(patterns > 10000);
  assert_true(compared > 100000);
}

static void test_cases(void **state) {
  (void)state;
  static const struct {
    const char *re;
    bool icase;
    const char *s;
    bool match;
  } cases[] = {
      {"a+$", false, "xxaaa", true},
      {"a+$", false, "aaax", false},
      {"^ab", false, "cab", false},
      {"b|^x", false, "xa", true},
      {"", false, "", true},
      {"exe$", true, "EVIL.EXE", true},
      {"exe$", false, "EVIL.EXE", false},
      {"a)", false, "xa)", true},  /* an unmatched ')' is an ordinary byte */
      {"[B-b]", true, "x", false}, /* glibc folds the range ends: [b-b] */
      {"[[:upper:]]", true, "q", true},
      {"^(%SystemRoot%\\\\)?x$", true, "%systemroot%\\X", true},
      {"\\bis\\b", false, "this is", true},
      {"\\<is", false, "this", false},
      {"x{0}y", false, "y", true},
      {"(a|ab)(c|bcd)(d*)$", false, "abcd", true},
      {"\xc3\xa9", false, "caf\xc3\xa9", true}, /* bytes: UTF-8 as is */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    sm_regex *re = compile_ok(cases[i].re, cases[i].icase);
    if (search(re, cases[i].s) != cases[i].match)
      fail_msg("/%s/ on \"%s\": wrong answer", cases[i].re, cases[i].s);
    sm_regex_free(re);
  }
}

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* a[ab]{20}$ made glibc build 2^20 DFA states: 21 s and 210 MB on 64 KB,
 * minutes on 1 MB.  Here: a few steps per byte. */
static void test_linear(void **state) {
  (void)state;
  static const char *const pats[] = {"a[ab]{20}$", "(a+)+$", "(.*a){20}$",
                                     "(a|aa)*c"};
  size_t sizes[] = {64000, 1 << 20};
  for (size_t p = 0; p < sizeof pats / sizeof *pats; p++) {
    sm_regex *re = compile_ok(pats[p], false);
    for (size_t k = 0; k < 2; k++) {
      char *s = malloc(sizes[k] + 1);
      assert_non_null(s);
      unsigned seed = 7;
      for (size_t i = 0; i < sizes[k]; i++)
        s[i] = p == 0 ? "ab"[rand_r(&seed) % 2] : 'a';
      s[sizes[k]] = '\0';
      if (p == 0)
        s[sizes[k] - 21] = 'b'; /* no match: the 21st byte from the end */
      double t0 = cpu_seconds();
      bool m = sm_regex_search(re, s, sizes[k]);
      double t = cpu_seconds() - t0;
      print_message("# /%s/ on %zu bytes: %.3f s\n", pats[p], sizes[k], t);
      assert_true(m == (p == 1 || p == 2));
      /* Well under a second here; generous for sanitizers. */
      assert_true(t < 3.0);
      free(s);
    }
    sm_regex_free(re);
  }
}

static void test_bounded(void **state) {
  (void)state;
  sm_regex *re = NULL;
  char why[160];
  assert_int_equal(
      sm_regex_compile("[ab]{1,255}[ab]{1,255}", false, &re, why, sizeof why),
      SM_ERR_USAGE);
  assert_null(re);
  assert_non_null(strstr(why, "more than 512 states"));
  assert_int_equal(sm_regex_compile("(((a{1,99}){1,99}){1,99}){1,99}", false,
                                    &re, why, sizeof why),
                   SM_ERR_USAGE);
  assert_int_equal(sm_regex_compile("a[.space.]", false, &re, why, sizeof why),
                   SM_OK);
  sm_regex_free(re);
  assert_int_equal(sm_regex_compile("[[.space.]]", false, &re, why, sizeof why),
                   SM_ERR_USAGE);
  assert_non_null(strstr(why, "collating"));
  re = compile_ok("(a{1,255})+", false);
  assert_true(sm_regex_states(re) <= SM_REGEX_MAX_STATES);
  sm_regex_free(re);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_same_answers_as_glibc),
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_linear),
      cmocka_unit_test(test_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
