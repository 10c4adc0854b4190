/* How smss.exe finds the program of a native command line (checks/resolve.h):
 * each case states a Path and a line and the files smss.exe tries, in
 * order; metamorphic variants spell one Path differently and must give the
 * same files. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/parse-internal.h"
#include "checks/resolve.h"
#include "checks/winpath.h"

/* The program of line under a machine Path (NULL: no Path value). */
static void resolve(const char *path, const char *line, sm_program *p) {
  sm_value v = {.name = (char *)"Path",
                .type = SM_REG_EXPAND_SZ,
                .str = (char *)path};
  sm_value *vv[] = {&v};
  sm_env e;
  assert_int_equal(sm_env_init(&e, vv, path ? 1 : 0), SM_OK);
  assert_int_equal(sm_program_resolve(&e, line, p), SM_OK);
  sm_env_free(&e);
}

/* The candidates joined by ';', "fallback" marked with '*'. */
static void tried_is(const char *path, const char *line, const char *want) {
  sm_program p;
  resolve(path, line, &p);
  char got[4096] = "";
  for (size_t i = 0; i < p.n; i++) {
    size_t l = strlen(got);
    snprintf(got + l, sizeof got - l, "%s%s%s", i ? ";" : "",
             i == p.fallback ? "*" : "", p.tried[i]);
  }
  if (strcmp(got, want) != 0)
    fail_msg("Path \"%s\", \"%s\": tried \"%s\", not \"%s\"",
             path ? path : "(none)", line, got, want);
  sm_program_free(&p);
}

#define DEFAULT_PATH                                                           \
  "%SystemRoot%\\system32;%SystemRoot%;%SystemRoot%\\System32\\Wbem;"          \
  "%SYSTEMROOT%\\System32\\WindowsPowerShell\\v1.0\\"

/* The shipped Path: system32 first, nothing shadows it; the directories
 * after it are tried only if system32 has no such file. */
static void default_path(void **state) {
  tried_is(DEFAULT_PATH, "autocheck autochk *",
           "*c:\\windows\\system32\\autochk.exe;c:\\windows\\autochk.exe;"
           "c:\\windows\\system32\\wbem\\autochk.exe;"
           "c:\\windows\\system32\\windowspowershell\\v1.0\\autochk.exe");
  sm_program p;
  resolve(DEFAULT_PATH, "autocheck autochk *", &p);
  assert_true(p.autocheck && p.searched);
  assert_string_equal(p.name, "autochk");
  assert_string_equal(p.args, "*");
  assert_int_equal(sm_program_shadow(&p), SIZE_MAX);
  assert_string_equal(sm_program_default(&p),
                      "c:\\windows\\system32\\autochk.exe");
  sm_program_free(&p);
  /* No Path value: system32 alone. */
  tried_is(NULL, "autochk", "*c:\\windows\\system32\\autochk.exe");
  tried_is("", "autochk", "*c:\\windows\\system32\\autochk.exe");
}

/* A directory before system32 decides which autochk runs: every spelling
 * of the Windows directory is one directory. */
static void shadowing(void **state) {
  const char *windows[] = {"%SystemRoot%", "C:\\Windows\\", "c:/WINDOWS",
                           "\\??\\C:\\Windows", "%windir%\\.",
                           "C:\\Windows\\Temp\\..", "C:\\Windows. "};
  for (size_t i = 0; i < sizeof windows / sizeof *windows; i++) {
    char path[256];
    snprintf(path, sizeof path, "%s;%%SystemRoot%%\\system32", windows[i]);
    tried_is(path, "autocheck autochk *",
             "c:\\windows\\autochk.exe;*c:\\windows\\system32\\autochk.exe");
    sm_program p;
    resolve(path, "autocheck autochk *", &p);
    assert_int_equal(sm_program_shadow(&p), 0);
    assert_int_equal(p.places[0], SM_PLACE_SYSTEM);
    sm_program_free(&p);
  }
  /* A user-writable directory first. */
  sm_program p;
  resolve("C:\\ProgramData\\x;%SystemRoot%\\system32", "autochk *", &p);
  assert_int_equal(sm_program_shadow(&p), 0);
  assert_int_equal(p.places[0], SM_PLACE_USER);
  assert_string_equal(p.tried[0], "c:\\programdata\\x\\autochk.exe");
  sm_program_free(&p);
  /* system32 spelled another way first: the same file, nothing before it. */
  tried_is("%windir%\\System32\\;C:\\Tools", "autochk",
           "*c:\\windows\\system32\\autochk.exe;c:\\tools\\autochk.exe");
  /* A Path without system32: it comes last, from the default path. */
  tried_is("C:\\Tools", "autochk",
           "c:\\tools\\autochk.exe;*c:\\windows\\system32\\autochk.exe");
  /* Empty entries name no directory. */
  tried_is(";;%SystemRoot%\\system32;", "autochk",
           "*c:\\windows\\system32\\autochk.exe");
}

/* Names with a root are not searched; names without an extension get
 * ".exe"; the keywords smss.exe strips are not the program. */
static void names(void **state) {
  tried_is(DEFAULT_PATH, "\\??\\C:\\ProgramData\\autochk *",
           "c:\\programdata\\autochk.exe");
  tried_is("C:\\Tools", "\\SystemRoot\\System32\\autochk.exe *",
           "c:\\windows\\system32\\autochk.exe");
  tried_is("C:\\Tools", "C:/Tools/x.exe", "c:\\tools\\x.exe");
  tried_is("C:\\Tools", "poqexec.exe /display_progress x.xml",
           "c:\\tools\\poqexec.exe;*c:\\windows\\system32\\poqexec.exe");
  tried_is("C:\\Tools", "async debug AUTOCHECK autochk.exe. *",
           "c:\\tools\\autochk.exe;*c:\\windows\\system32\\autochk.exe");
  /* A relative name with a directory is searched too. */
  tried_is("C:\\Tools", "x\\tool",
           "c:\\tools\\x\\tool.exe;*c:\\windows\\system32\\x\\tool.exe");
  sm_program p;
  resolve(NULL, "  async  autochk   /p  \\??\\C: ", &p);
  assert_false(p.autocheck);
  assert_string_equal(p.args, "/p  \\??\\C: ");
  sm_program_free(&p);
  resolve(DEFAULT_PATH, "autocheck", &p);
  assert_int_equal(p.n, 0);
  assert_string_equal(p.name, "");
  assert_null(sm_program_default(&p));
  sm_program_free(&p);
  char *img = sm_cmdline_image(NULL, "");
  assert_string_equal(img, "");
  free(img);
}

/* A Path of many entries: bounded, system32 still listed. */
static void hostile(void **state) {
  size_t n = 20000;
  char *path = malloc(n * 4 + 64);
  assert_non_null(path);
  char *o = path;
  for (size_t i = 0; i < n; i++)
    o += sprintf(o, "a%zu;", i % 10);
  strcpy(o, "%SystemRoot%\\system32");
  sm_program p;
  resolve(path, "autochk", &p);
  assert_true(p.n <= SM_RESOLVE_MAX);
  assert_true(p.fallback < p.n);
  assert_string_equal(p.tried[p.fallback],
                      "c:\\windows\\system32\\autochk.exe");
  assert_int_equal(p.places[0], SM_PLACE_RELATIVE);
  sm_program_free(&p);
  free(path);
}

/* Windows' boot programs: arguments as Windows writes them, others named,
 * files judged by where they lie (checks/boot-programs.c). */
static void boot_args(void **state) {
  static const struct {
    const char *program, *tok;
    sm_boot_arg want;
  } cases[] = {
      {"poqexec", "/display_progress", SM_BOOT_ARG_OK},
      {"poqexec", "/DISPLAY_PROGRESS", SM_BOOT_ARG_OK},
      {"poqexec", "\\SystemRoot\\WinSxS\\pending.xml", SM_BOOT_ARG_OK},
      {"poqexec", "C:\\Windows\\winsxs\\Pending.xml", SM_BOOT_ARG_OK},
      {"poqexec", "\\SystemRoot\\System32\\pending.xml",
       SM_BOOT_ARG_UNDOCUMENTED},
      {"poqexec", "/quiet", SM_BOOT_ARG_UNDOCUMENTED},
      {"poqexec", "\\??\\C:\\Users\\Public\\pending.xml",
       SM_BOOT_ARG_UNSAFE},
      {"poqexec", "C:/ProgramData/p.xml", SM_BOOT_ARG_UNSAFE},
      {"poqexec", "\\\\srv\\share\\p.xml", SM_BOOT_ARG_UNSAFE},
      {"poqexec", "pending.xml", SM_BOOT_ARG_UNSAFE},
      {"autoconv", "\\??\\E:", SM_BOOT_ARG_OK},
      {"autoconv", "/FS:NTFS", SM_BOOT_ARG_OK},
      {"autoconv", "/FS:", SM_BOOT_ARG_UNDOCUMENTED},
      {"autochk", "*", SM_BOOT_ARG_OK},
      {"autochk", "/k:CD", SM_BOOT_ARG_OK},
      {"autochk", "\\??\\Volume{0a1b2c3d-0000-0000-0000-100000000000}",
       SM_BOOT_ARG_OK},
      {"setupcl", "-x", SM_BOOT_ARG_UNDOCUMENTED},
      {"notwindows", "anything", SM_BOOT_ARG_OK},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    sm_boot_arg v = sm_boot_program_arg(NULL, cases[i].program, cases[i].tok);
    if (v != cases[i].want)
      fail_msg("%s %s: %d, not %d", cases[i].program, cases[i].tok, v,
               cases[i].want);
  }
  assert_true(sm_boot_program_windows("autochk"));
  assert_false(sm_boot_program_windows("autochk.exe"));
  /* Names that read as a Windows boot program's: Cyrillic a, fullwidth c,
   * a zero-width space, Greek omicron with a fullwidth ".exe"; not the
   * program itself, other words, or letters that read as nothing Latin. */
  assert_string_equal(sm_boot_program_lookalike("\xd0\xb0utochk"), "autochk");
  assert_string_equal(sm_boot_program_lookalike("auto\xef\xbd\x83hk"),
                      "autochk");
  assert_string_equal(sm_boot_program_lookalike("auto\xe2\x80\x8b" "conv"),
                      "autoconv");
  assert_string_equal(
      sm_boot_program_lookalike("p\xce\xbfqexec\xef\xbc\x8e" "exe"),
      "poqexec");
  assert_null(sm_boot_program_lookalike("autochk"));
  assert_null(sm_boot_program_lookalike("aswboot"));
  assert_null(sm_boot_program_lookalike("\xd0\xb0\xd0\xb2\xd1\x82ochk"));
  assert_null(sm_boot_program_lookalike("\xff\xfe"));
  /* Other programs: only their files, by place. */
  assert_int_equal(sm_boot_other_arg(NULL, "/boot"), SM_BOOT_ARG_OK);
  assert_int_equal(sm_boot_other_arg(NULL, "\\??\\C:"), SM_BOOT_ARG_OK);
  assert_int_equal(sm_boot_other_arg(NULL, "C:\\Program Files\\AV\\a.cfg"),
                   SM_BOOT_ARG_OK);
  assert_int_equal(sm_boot_other_arg(NULL, "%PUBLIC%\\x.exe"),
                   SM_BOOT_ARG_UNSAFE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(default_path),
      cmocka_unit_test(shadowing),
      cmocka_unit_test(names),
      cmocka_unit_test(hostile),
      cmocka_unit_test(boot_args),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
