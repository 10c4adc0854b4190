/* Unit tests of path resolution and places (checks/winpath.c): every
 * spelling Windows treats as one file resolves to one string, and each
 * place gets the class of who can write it. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/resolve.h"
#include "checks/winpath.h"

static sm_value *mk_sz(const char *name, const char *s) {
  sm_value *v = calloc(1, sizeof *v);
  assert_non_null(v);
  v->name = strdup(name);
  v->type = SM_REG_EXPAND_SZ;
  v->str = strdup(s);
  v->data = (uint8_t *)strdup(s);
  v->len = strlen(s);
  return v;
}

static void resolves_to(const sm_env *e, const char *path, const char *want) {
  char *r = sm_path_resolve(e, path);
  assert_non_null(r);
  if (strcmp(r, want) != 0)
    fail_msg("\"%s\" resolved to \"%s\", not \"%s\"", path, r, want);
  free(r);
}

/* The place of path, as a folder or (file) as a file. */
static void place_of_is(const char *path, bool file, sm_place want) {
  char *r = sm_path_resolve(NULL, path);
  assert_non_null(r);
  sm_place p = file ? sm_file_place(r) : sm_path_place(r);
  if (p != want)
    fail_msg("%s\"%s\" (%s) is %s, not %s", file ? "file " : "", path, r,
             sm_place_name(p), sm_place_name(want));
  free(r);
}

static void place_is(const char *path, sm_place want) {
  place_of_is(path, false, want);
}

/* Every spelling of System32 that Windows opens as System32. */
static void spellings(void **state) {
  const char *sys32[] = {
      "%SystemRoot%\\system32",
      "%SYSTEMROOT%\\System32\\",
      "%windir%\\system32",
      "C:\\Windows\\system32",
      "c:/windows/SYSTEM32",
      "C:\\Windows\\\\system32\\\\",
      "C:\\Windows\\system32.",
      "C:\\Windows\\system32. . ",
      "C:\\Windows\\.\\system32",
      "C:\\Windows\\Temp\\..\\system32",
      "C:\\Windows\\system32\\..\\..\\Windows\\system32",
      "\"%SystemRoot%\\system32\"",
      "  %SystemRoot%\\system32  ",
      "\\??\\C:\\Windows\\System32",
      "\\\\?\\C:\\Windows\\System32",
      "\\\\.\\C:\\Windows\\System32",
      "\\DosDevices\\C:\\Windows\\System32",
      "\\GLOBAL??\\C:\\Windows\\System32",
      "\\\\?\\GLOBALROOT\\GLOBAL??\\C:\\Windows\\System32",
      "\\SystemRoot\\System32",
      "\\systemroot\\system32\\",
      "%SystemDrive%\\Windows\\System32",
  };
  for (size_t i = 0; i < sizeof sys32 / sizeof *sys32; i++)
    resolves_to(NULL, sys32[i], "c:\\windows\\system32");
  resolves_to(NULL, "\\\\?\\UNC\\srv\\share\\x", "\\\\srv\\share\\x");
  resolves_to(NULL, "\\Device\\Mup\\srv\\share\\x", "\\\\srv\\share\\x");
  resolves_to(NULL, "//srv/share/x/", "\\\\srv\\share\\x");
  resolves_to(NULL, "\\\\?\\GLOBALROOT\\Device\\HarddiskVolume2\\x",
              "\\device\\harddiskvolume2\\x");
  resolves_to(NULL, "C:\\", "c:\\");
  resolves_to(NULL, "C:\\..\\..", "c:\\");
  resolves_to(NULL, "C:foo", "c:foo");
  resolves_to(NULL, ".", "");
  resolves_to(NULL, "", "");
  resolves_to(NULL, "%UNDEFINED%\\x", "%undefined%\\x");
  resolves_to(NULL, "%%", "%%");
  resolves_to(NULL, "%ProgramFiles(x86)%\\App", "c:\\program files (x86)\\app");
  resolves_to(NULL, "%ALLUSERSPROFILE%", "c:\\programdata");
  resolves_to(NULL, "%PUBLIC%\\x", "c:\\users\\public\\x");
}

/* The hive's own variables, in terms of each other; SystemRoot stays
 * Windows'. */
static void environment(void **state) {
  sm_value *v[] = {mk_sz("TOOLS", "%BASE%\\tools"), mk_sz("BASE", "%PUBLIC%"),
                   mk_sz("SystemRoot", "C:\\Evil"), mk_sz("LOOP", "%LOOP%x"),
                   mk_sz("ProgramFiles", "C:\\ProgramData")};
  sm_env e;
  assert_int_equal(sm_env_init(&e, v, 5), SM_OK);
  resolves_to(&e, "%TOOLS%\\bin", "c:\\users\\public\\tools\\bin");
  resolves_to(&e, "%SystemRoot%\\system32", "c:\\windows\\system32");
  resolves_to(&e, "%tools%", "c:\\users\\public\\tools");
  /* A variable the hive redefines is what Windows will expand. */
  resolves_to(&e, "%ProgramFiles%\\x", "c:\\programdata\\x");
  char *loop = sm_env_expand(&e, "%LOOP%");
  assert_non_null(loop);
  assert_true(strlen(loop) < 100000);
  free(loop);
  sm_env_free(&e);
  sm_env_free(NULL);
  for (size_t i = 0; i < 5; i++)
    sm_value_free(v[i]);
}

static void places(void **state) {
  static const struct {
    const char *path;
    sm_place place;
  } cases[] = {
      {"C:\\Windows", SM_PLACE_SYSTEM},
      {"%SystemRoot%\\System32\\drivers\\x.sys", SM_PLACE_SYSTEM},
      {"C:\\Windows\\SysWOW64", SM_PLACE_SYSTEM},
      {"\\SystemRoot\\win.ini", SM_PLACE_SYSTEM},
      {"C:\\WINNT\\system32", SM_PLACE_SYSTEM},
      {"C:\\Program Files\\Vendor", SM_PLACE_ADMIN},
      {"%ProgramFiles(x86)%\\x", SM_PLACE_ADMIN},
      {"%ProgramFiles%\\WindowsPowerShell\\Modules", SM_PLACE_ADMIN},
      {"C:\\ProgramData\\Microsoft\\Windows Defender\\x", SM_PLACE_ADMIN},
      {"%ProgramData%\\chocolatey\\bin", SM_PLACE_ADMIN},
      {"C:\\", SM_PLACE_ADMIN},
      {"C:\\Users", SM_PLACE_ADMIN},
      {"C:\\ProgramData", SM_PLACE_USER},
      {"%ProgramData%\\Vendor\\bin", SM_PLACE_USER},
      {"C:\\Users\\Public", SM_PLACE_USER},
      {"%USERPROFILE%\\bin", SM_PLACE_USER},
      {"%LOCALAPPDATA%\\Programs", SM_PLACE_USER},
      {"%TEMP%", SM_PLACE_USER},
      {"C:\\Windows\\Temp\\x.dll", SM_PLACE_USER},
      {"C:\\Windows\\Tasks", SM_PLACE_USER},
      {"C:\\Windows\\tracing", SM_PLACE_USER},
      {"%SystemRoot%\\System32\\Tasks\\x", SM_PLACE_USER},
      {"C:\\Windows\\System32\\spool\\drivers\\color", SM_PLACE_USER},
      {"C:\\Temp", SM_PLACE_USER},
      {"C:\\Python27", SM_PLACE_USER},
      {"D:\\Program Files\\x", SM_PLACE_USER},
      {"\\Device\\HarddiskVolume3\\Windows\\System32", SM_PLACE_USER},
      {"\\\\?\\Volume{01234567-89ab-cdef-0123-456789abcdef}\\x", SM_PLACE_USER},
      {"\\\\srv\\share", SM_PLACE_REMOTE},
      {"\\\\?\\UNC\\srv\\s\\x", SM_PLACE_REMOTE},
      {"\\\\srv@SSL\\DavWWWRoot\\x", SM_PLACE_REMOTE},
      {"A:\\x", SM_PLACE_REMOTE},
      {"\\Device\\CdRom0\\x", SM_PLACE_REMOTE},
      {".", SM_PLACE_RELATIVE},
      {"bin", SM_PLACE_RELATIVE},
      {"C:foo", SM_PLACE_RELATIVE},
      {"\\Windows", SM_PLACE_RELATIVE},
      {"%NOPE%\\x", SM_PLACE_RELATIVE},
      {"", SM_PLACE_RELATIVE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    place_is(cases[i].path, cases[i].place);
  assert_true(sm_place_protected(SM_PLACE_SYSTEM));
  assert_true(sm_place_protected(SM_PLACE_ADMIN));
  assert_false(sm_place_protected(SM_PLACE_USER));
  assert_string_equal(sm_place_name(SM_PLACE_USER), "user-writable");
}

static void file_place_is(const char *path, sm_place want) {
  place_of_is(path, true, want);
}

/* A file's place is its folder's: users may create folders at a drive
 * root and in C:\Users, not files (so an unquoted "C:\Program Files\x"
 * command line runs C:\Program.exe, which only administrators can make). */
static void file_places(void **state) {
  (void)state;
  file_place_is("C:\\Program.exe", SM_PLACE_ADMIN);
  file_place_is("\\??\\C:\\x.exe", SM_PLACE_ADMIN);
  file_place_is("D:\\x.exe", SM_PLACE_ADMIN);
  file_place_is("C:\\Users\\x.exe", SM_PLACE_ADMIN);
  file_place_is("C:\\Users\\Public\\x.exe", SM_PLACE_USER);
  file_place_is("C:\\Tools\\x.exe", SM_PLACE_USER);
  file_place_is("D:\\dir\\x.exe", SM_PLACE_USER);
  file_place_is("C:\\Windows\\System32\\x.exe", SM_PLACE_SYSTEM);
  file_place_is("C:\\Windows\\Temp\\x.exe", SM_PLACE_USER);
  file_place_is("\\\\srv\\share\\x.exe", SM_PLACE_REMOTE);
  file_place_is("A:\\x.exe", SM_PLACE_REMOTE);
  file_place_is("x.exe", SM_PLACE_RELATIVE);
  file_place_is("C:x.exe", SM_PLACE_RELATIVE);
  file_place_is("C:\\PROGRA~3\\x.exe", SM_PLACE_USER);
}

/* 8.3 short names: a short component gets the least trusted place of the
 * long names it may stand for. */
static void short_names(void **state) {
  place_is("\\??\\C:\\PROGRA~1\\x.exe", SM_PLACE_USER); /* ProgramData */
  place_is("C:\\PROGRA~1\\MICROS~1\\WINDOW~1\\x.exe", SM_PLACE_USER);
  place_is("C:\\WINDOWS\\SYSTEM32\\x.dll", SM_PLACE_SYSTEM);
  place_is("C:\\ABCDEF~1\\x.exe", SM_PLACE_USER);
  place_is("C:\\WINDOW~1\\System32\\x.dll", SM_PLACE_USER);
  size_t n;
  char **v = sm_path_long_forms("c:\\progra~1\\micros~1\\x.exe", &n);
  assert_non_null(v);
  bool pf = false, pd = false;
  for (size_t i = 0; i < n; i++) {
    pf |= strcmp(v[i], "c:\\program files\\microsoft\\x.exe") == 0;
    pd |= strcmp(v[i], "c:\\programdata\\microsoft\\x.exe") == 0;
  }
  assert_true(pf && pd);
  sm_path_long_forms_free(v, n);
  v = sm_path_long_forms("c:\\windows\\x~y.dll", &n);
  assert_non_null(v);
  assert_int_equal(n, 1);
  assert_string_equal(v[0], "c:\\windows\\x~y.dll");
  sm_path_long_forms_free(v, n);
  /* Many short components: bounded. */
  size_t len = 1 << 20;
  char *s = malloc(len + 1);
  assert_non_null(s);
  for (size_t i = 0; i < len; i++)
    s[i] = "a~1\\"[i % 4];
  s[len] = '\0';
  v = sm_path_long_forms(s, &n);
  assert_non_null(v);
  assert_true(n >= 1 && n <= SM_LONG_FORMS_MAX);
  sm_path_long_forms_free(v, n);
  (void)sm_path_place(s);
  free(s);
}

static void image_is(const char *line, const char *want) {
  char *r = sm_cmdline_image(NULL, line);
  assert_non_null(r);
  if (strcmp(r, want) != 0)
    fail_msg("\"%s\" runs \"%s\", not \"%s\"", line, r, want);
  free(r);
}

/* The program of a native command line, as smss.exe finds it. */
static void images(void **state) {
  image_is("autocheck autochk *", "c:\\windows\\system32\\autochk.exe");
  image_is("AUTOCHECK  AutoChk.EXE  /q *",
           "c:\\windows\\system32\\autochk.exe");
  image_is("autocheck \\SystemRoot\\System32\\autochk *",
           "c:\\windows\\system32\\autochk.exe");
  image_is("autocheck %SystemRoot%\\system32\\autochk.exe *",
           "c:\\windows\\system32\\autochk.exe");
  image_is("autocheck \\??\\C:\\ProgramData\\autochk *",
           "c:\\programdata\\autochk.exe");
  image_is("\"\\??\\C:\\Program Files\\A V\\scan\" /boot",
           "c:\\program files\\a v\\scan.exe");
  image_is("poqexec.exe /display_progress \\SystemRoot\\WinSxS\\pending.xml",
           "c:\\windows\\system32\\poqexec.exe");
  image_is("C:/ProgramData/x/AutoChk.exe.", "c:\\programdata\\x\\autochk.exe");
  image_is("autocheck autochk. *", "c:\\windows\\system32\\autochk.exe");
  image_is("autocheck \"x\\autochk.exe . \" *",
           "c:\\windows\\system32\\x\\autochk.exe");
  image_is("", "");
  image_is("   ", "");
  image_is("autocheck", "");
}

/* Hostile input: long, deep and odd strings stay bounded. */
static void hostile(void **state) {
  size_t n = 1 << 20;
  char *s = malloc(n + 1);
  assert_non_null(s);
  for (size_t i = 0; i < n; i++)
    s[i] = "\\.%/:?"[i % 6];
  s[n] = '\0';
  char *r = sm_path_resolve(NULL, s);
  assert_non_null(r);
  (void)sm_path_place(r);
  free(r);
  free(sm_cmdline_image(NULL, s));
  memset(s, '.', n);
  r = sm_path_resolve(NULL, s);
  assert_non_null(r);
  free(r);
  free(s);
  place_is("\\\\", SM_PLACE_REMOTE);
  place_is("\\\\?\\", SM_PLACE_RELATIVE);
  resolves_to(NULL, "\\??\\", "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(spellings), cmocka_unit_test(environment),
      cmocka_unit_test(places), cmocka_unit_test(file_places),    cmocka_unit_test(images),
      cmocka_unit_test(hostile),   cmocka_unit_test(short_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
