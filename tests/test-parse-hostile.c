/* Unit tests of the parsers on hostile input (every parser, small and big
 * values), and of the field adapter against docs/baselines.md. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "checks/parse.h"
#include "checks/winpath.h"
#include "tests/test-parse-util.h"

/* ---- hostile input ---- */

/* The input kind of parser p (every parser of checks/parsers.def has a
 * definition). */
static sm_parse_kind kind(sm_parser p) {
  const sm_parser_def *d = sm_parser_get(p);
  assert_non_null(d);
  return d->input;
}

/* Every value-level parser on s, as a REG_SZ and, for the list parsers,
 * as a list of three. */
static void survive(const char *s) {
  for (sm_parser p = SM_PARSE_NONE + 1; p < SM_PARSE_COUNT; p++) {
    if (kind(p) == SM_INPUT_KEY)
      continue;
    sm_fields f = run_str(p, s);
    sm_fields_free(&f);
    if (kind(p) == SM_INPUT_STRING)
      continue; /* strings only */
    char *one[] = {(char *)s, (char *)s, (char *)s};
    f = run(p, mk_strv("v", one, 3));
    sm_fields_free(&f);
  }
}

static void hostile_small(void **state) {
  const char *cases[] = {
      "", " ", "\t \t", "\"", "\"\"", "\" a", "a\"b c\"d", ";", ";;;", "=",
      "==,", "ServerDll=", "ServerDll=:", "ServerDll=,", "ServerDll=a:,",
      "x ServerDll=a:b:c,1,2", "autocheck", "autocheck   ", "\\", "\\\\", "%",
      "%%%", "!", "a\x01\x1b[31m\x7f b\r\n c",
      /* One string, cut so that \xae ends its escape. */
      ("C:\\Us\xc3\xa9rs\\\xe2\x80\xae"
       "exe.txt;\xff\xfe")};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    survive(cases[i]);

  sm_fields f = run_str(SM_PARSE_CSRSS, "");
  assert_field(f, "image", "");
  assert_int_equal(count(&f, "parameters"), 0);
  sm_fields_free(&f);
  f = run_str(SM_PARSE_CSRSS, "x ServerDll=a:b:c,1,2");
  assert_field(f, "bad-serverdlls", "a:b:c,1,2");
  sm_fields_free(&f);
  f = run_str(SM_PARSE_BOOT_EXECUTE, "a\x01 b");
  assert_field(f, "programs", "a\x01");
  sm_fields_free(&f);
  f = run_str(SM_PARSE_PATH_LIST, "   ");
  assert_int_equal(count(&f, "empty-entries"), 0);
  assert_field(f, "has-system", "no");
  sm_fields_free(&f);
}

static void hostile_big(void **state) {
  size_t mb = 1 << 20;
  char *s = malloc(mb + 1);
  assert_non_null(s);
  memset(s, 'A', mb);
  s[mb] = '\0';
  survive(s);
  /* 100k tokens and separators of every kind. */
  for (size_t i = 0; i + 10 < mb; i += 10)
    memcpy(s + i, i % 20 ? "Srv=x,1; " : "ServerDl; ", 9), s[i + 9] = ' ';
  survive(s);
  sm_fields f = run_str(SM_PARSE_PATH_LIST, s);
  assert_true(count(&f, "entries") > 100000);
  sm_fields_free(&f);
  f = run_str(SM_PARSE_CSRSS, s);
  assert_true(count(&f, "parameters") > 100000);
  assert_int_equal(count(&f, "duplicate-parameters"), 2);
  sm_fields_free(&f);
  /* One open quote swallows the rest. */
  s[0] = '"';
  f = run_str(SM_PARSE_CSRSS, s);
  assert_int_equal(count(&f, "parameters"), 0);
  sm_fields_free(&f);
  /* The paths the classifiers look into, very long. */
  memcpy(s, "C:\\Windows\\System32\\", 20);
  memcpy(s + mb - 4, ".sys", 4);
  char *ops[] = {s, ""};
  f = run(SM_PARSE_PENDING_RENAMES, mk_strv("P", ops, 2));
  assert_int_equal(count(&f, "system-code"), 1);
  sm_fields_free(&f);
  free(s);

  /* 100k strings in a list. */
  size_t n = 100000;
  char **strv = malloc(n * sizeof *strv);
  for (size_t i = 0; i < n; i++)
    strv[i] = i % 3 ? "autocheck autochk *" : "";
  f = run(SM_PARSE_BOOT_EXECUTE, mk_strv("B", strv, n));
  assert_int_equal(count(&f, "autochk-args"), n - (n + 2) / 3);
  sm_fields_free(&f);
  f = run(SM_PARSE_PENDING_RENAMES, mk_strv("P", strv, n));
  assert_int_equal(count(&f, "sources"), n / 2);
  sm_fields_free(&f);
  free(strv);
}

/* ---- the field adapter ---- */

/* docs/baselines.md, "Parsers and their fields" (scalars marked '='). */
static const struct {
  sm_parser p;
  const char *name;
  const char *fields[16];
} documented[] = {
    {SM_PARSE_CSRSS,
     "csrss",
     {"=image", "serverdlls", "serverdll-names", "duplicate-indices",
      "bad-serverdlls", "parameters", "unknown-parameters",
      "duplicate-parameters", "=objectdirectory", "=sharedsection", "=windows",
      "=subsystemtype", "=profilecontrol", "=maxrequestthreads"}},
    {SM_PARSE_PATH_LIST,
     "path-list",
     {"entries", "resolved", "before-system", "relative", "unc",
      "user-writable", "unsafe", "empty-entries", "=has-system"}},
    {SM_PARSE_LIST, "list", {"entries"}},
    {SM_PARSE_PAGING_FILES,
     "paging-files",
     {"entries", "paths", "over-boot-files", "over-evidence", "other-paths"}},
    {SM_PARSE_PENDING_RENAMES,
     "pending-renames",
     {"sources", "destinations", "deletes", "renames", "system-code",
      "autostart", "security", "servicing", "unpaired", "evidence",
      "shared-code"}},
    {SM_PARSE_BOOT_EXECUTE,
     "boot-execute",
     {"entries", "programs", "autochk-args", "images", "protected-images",
      "unsafe-images", "windows-images", "third-party-images", "masquerading",
      "shadowed", "shadowed-unsafe", "windows-args", "unsafe-args"}},
    {SM_PARSE_SUBSYSTEMS,
     "subsystems",
     {"required", "optional", "names", "undefined", "unreferenced", "images",
      "=debug"}},
    {SM_PARSE_KNOWN_DLLS,
     "known-dlls",
     {"names", "dlls", "mismatched", "=dll-directory", "=dll-directory32",
      "wow64"}},
    {SM_PARSE_SELECT,
     "select",
     {"=current", "=default", "=last-known-good", "=failed",
      "=current-vs-default", "control-sets", "dangling"}},
    {SM_PARSE_PATH, "path", {"=resolved", "=place"}},
    {SM_PARSE_DOS_DEVICES,
     "dos-devices",
     {"names", "drives", "shadowing", "redirects", "device-links",
      "drives-unsafe", "drives-folder", "drives-device", "device-squats"}},
    {SM_PARSE_ENVIRONMENT,
     "environment",
     {"code-loading", "search-paths-unsafe", "search-paths", "relocated",
      "temp-unsafe", "weakened", "runtime-settings",
      "pathext-before-programs", "runs-command", "runs-command-unsafe",
      "tls-weakened"}},
    {SM_PARSE_KERNEL_MITIGATIONS, "kernel-mitigations", {"forced-off", "forced-on"}},
};
#define N_DOCUMENTED (sizeof documented / sizeof *documented)

static void check_adapter(size_t d, const sm_fields *f) {
  size_t n = 0;
  for (; documented[d].fields[n]; n++) {
    const char *name = documented[d].fields[n];
    bool scalar = name[0] == '=';
    name += scalar;
    assert_true(sm_parser_has_field(documented[d].p, name));
    const sm_field *fl = field(f, name);
    if (scalar && fl->n > 1)
      fail_msg("%s: scalar %s has %zu items", documented[d].name, name, fl->n);
  }
  assert_int_equal(f->n, n);
  assert_false(sm_parser_has_field(documented[d].p, "no-such-field"));
  assert_false(sm_parser_has_field(documented[d].p, NULL));
}

static void adapter_fields(void **state) {
  /* Every parser of checks/parsers.def is documented, in that order. */
  assert_int_equal(N_DOCUMENTED, SM_PARSE_COUNT - 1);
  /* Planted values that fill every field, and the empty case. */
  for (size_t d = 0; d < N_DOCUMENTED; d++) {
    sm_parser p = documented[d].p;
    assert_int_equal(p, (sm_parser)(d + 1));
    sm_fields f;
    if (kind(p) == SM_INPUT_KEY) {
      /* One key holding what every key-level parser reads. */
      sm_value *v[] = {mk_sz("Debug", ""),
                       mk_multi("Required", "Debug", "Windows", (char *)NULL),
                       mk_sz("Windows", CSRSS_10),
                       mk_sz("x", ""),
                       mk_sz("a", "b.dll"),
                       mk_sz("DllDirectory", "x"),
                       mk_sz("DllDirectory32", "y"),
                       mk_dword("Current", 1),
                       mk_dword("Default", 2),
                       mk_dword("LastKnownGood", 3),
                       mk_dword("Failed", 0)};
      unsigned cs[] = {1};
      f = run_key(p, v, sizeof v / sizeof *v, cs, 1);
    } else if (kind(p) == SM_INPUT_LIST) {
      char *strv[] = {CSRSS_7 " Foo=1 Windows=Off", ";C:\\x;;",
                      "autocheck autochk *",
                      "!\\??\\C:\\Windows\\System32\\a.dll", "odd"};
      f = run(p, mk_strv("v", strv, 5));
    } else {
      f = run_str(p, CSRSS_7 " ServerDll=x,1 Foo=1 Windows=Off;C:\\x;;");
    }
    check_adapter(d, &f);
    sm_fields_free(&f);
    if (sm_parser_is_key_level(p))
      f = run_key(p, NULL, 0, NULL, 0);
    else
      f = run_str(p, "");
    check_adapter(d, &f);
    sm_fields_free(&f);
    sm_fields_free(NULL);
  }
}

static void adapter_names(void **state) {
  for (size_t d = 0; d < N_DOCUMENTED; d++) {
    sm_parser p;
    assert_string_equal(sm_parser_name(documented[d].p), documented[d].name);
    assert_true(sm_parser_parse(documented[d].name, &p));
    assert_int_equal(p, documented[d].p);
    assert_int_equal(sm_parser_is_key_level(p), kind(p) == SM_INPUT_KEY);
  }
  sm_parser p;
  assert_false(sm_parser_parse("csv", &p));
  assert_false(sm_parser_parse("none", &p));
  assert_false(sm_parser_has_field(SM_PARSE_NONE, "entries"));
  assert_null(sm_parser_get(SM_PARSE_NONE));
  assert_null(sm_parser_get(SM_PARSE_COUNT));
  assert_null(sm_parser_name(SM_PARSE_COUNT));
}

static void adapter_types(void **state) {
  sm_fields f;
  sm_value *d = mk_dword("Windows", 1);
  sm_parse_input in = {.value = d};
  for (sm_parser p = SM_PARSE_NONE + 1; p < SM_PARSE_COUNT; p++) {
    if (kind(p) == SM_INPUT_KEY)
      continue;
    assert_int_equal(sm_parse_fields(p, &in, &f), SM_ERR_TYPE);
    assert_null(sm_fields_get(&f, "entries"));
  }
  sm_value_free(d);
  /* A list is not a command line or a Path. */
  sm_value *m = mk_multi("Path", "C:\\x", (char *)NULL);
  in.value = m;
  assert_int_equal(sm_parse_fields(SM_PARSE_CSRSS, &in, &f), SM_ERR_TYPE);
  assert_int_equal(sm_parse_fields(SM_PARSE_PATH_LIST, &in, &f), SM_ERR_TYPE);
  /* Unreadable data is an error of the check that needed it. */
  m->status = SM_ERR_CORRUPT;
  assert_int_equal(sm_parse_fields(SM_PARSE_BOOT_EXECUTE, &in, &f),
                   SM_ERR_CORRUPT);
  sm_value_free(m);
  in.value = NULL;
  assert_int_equal(sm_parse_fields(SM_PARSE_CSRSS, &in, &f), SM_ERR_USAGE);
  assert_int_equal(sm_parse_fields(SM_PARSE_NONE, &in, &f), SM_ERR_USAGE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hostile_small),
      cmocka_unit_test(hostile_big),
      cmocka_unit_test(adapter_fields),
      cmocka_unit_test(adapter_names),
      cmocka_unit_test(adapter_types),
  };
  /* One group: several groups would print several TAP plans. */
  return cmocka_run_group_tests_name("parse-hostile", tests, NULL, NULL);
}
