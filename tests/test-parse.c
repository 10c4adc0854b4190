/* Unit tests of the structured-value parsers: real values of each Windows
 * family, planted anomalies, hostile input, and the field adapter. */
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

/* Real values, as hivexget prints them (backslashes unescaped). */
#define CSRSS_XP                                                               \
  "%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows "               \
  "SharedSection=1024,3072,512 Windows=On SubSystemType=Windows "              \
  "ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 "        \
  "ServerDll=winsrv:ConServerDllInitialization,2 ProfileControl=Off "          \
  "MaxRequestThreads=16"
#define CSRSS_7                                                                \
  "%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows "               \
  "SharedSection=1024,12288,512 Windows=On SubSystemType=Windows "             \
  "ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 "        \
  "ServerDll=winsrv:ConServerDllInitialization,2 ServerDll=sxssrv,4 "          \
  "ProfileControl=Off MaxRequestThreads=16"
#define CSRSS_10                                                               \
  "%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows "               \
  "SharedSection=1024,20480,768 Windows=On SubSystemType=Windows "             \
  "ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 "        \
  "ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16"
#define PATH_XP                                                                \
  "%SystemRoot%\\system32;%SystemRoot%;%SystemRoot%\\System32\\Wbem"
#define PATH_7                                                                 \
  "%SystemRoot%\\system32;%SystemRoot%;%SystemRoot%\\System32\\Wbem;"          \
  "%SYSTEMROOT%\\System32\\WindowsPowerShell\\v1.0\\"
#define PATHEXT_7 ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC"

/* ---- helpers ---- */

static sm_value *mk_value(const char *name, uint32_t type) {
  sm_value *v = calloc(1, sizeof *v);
  assert_non_null(v);
  v->name = strdup(name);
  assert_non_null(v->name);
  v->type = type;
  return v;
}

static sm_value *mk_sz(const char *name, const char *s) {
  sm_value *v = mk_value(name, SM_REG_SZ);
  v->str = strdup(s);
  assert_non_null(v->str);
  return v;
}

/* strings up to a NULL */
static sm_value *mk_multi(const char *name, ...) {
  sm_value *v = mk_value(name, SM_REG_MULTI_SZ);
  va_list ap;
  va_start(ap, name);
  v->strv = calloc(1, sizeof *v->strv);
  for (const char *s; (s = va_arg(ap, const char *));) {
    v->strv = realloc(v->strv, (v->nstrv + 2) * sizeof *v->strv);
    assert_non_null(v->strv);
    v->strv[v->nstrv++] = strdup(s);
    v->strv[v->nstrv] = NULL;
  }
  va_end(ap);
  return v;
}

static sm_value *mk_strv(const char *name, char **strv, size_t n) {
  sm_value *v = mk_value(name, SM_REG_MULTI_SZ);
  v->strv = calloc(n + 1, sizeof *v->strv);
  assert_non_null(v->strv);
  for (size_t i = 0; i < n; i++)
    v->strv[i] = strdup(strv[i]);
  v->nstrv = n;
  return v;
}

static sm_value *mk_dword(const char *name, uint32_t d) {
  sm_value *v = mk_value(name, SM_REG_DWORD);
  v->num = d;
  v->has_num = true;
  return v;
}

/* Run a value-level parser on v (which is freed) and return its fields. */
static sm_fields run(sm_parser p, sm_value *v) {
  sm_parse_input in = {.value = v};
  sm_fields f;
  assert_int_equal(sm_parse_fields(p, &in, &f), SM_OK);
  sm_value_free(v);
  return f;
}

static sm_fields run_str(sm_parser p, const char *s) {
  return run(p, mk_sz("v", s));
}

static sm_fields run_key(sm_parser p, sm_value **v, size_t n,
                         const unsigned *cs, size_t n_cs) {
  sm_parse_input in = {
      .values = v, .n_values = n, .control_sets = cs, .n_control_sets = n_cs};
  sm_fields f;
  assert_int_equal(sm_parse_fields(p, &in, &f), SM_OK);
  for (size_t i = 0; i < n; i++)
    sm_value_free(v[i]);
  return f;
}

static const sm_field *field(const sm_fields *f, const char *name) {
  const sm_field *fl = sm_fields_get(f, name);
  if (!fl)
    fail_msg("no field %s", name);
  return fl;
}

static size_t count(const sm_fields *f, const char *name) {
  return field(f, name)->n;
}

/* The field's items joined by '|', for compact assertions. */
static char *joined(const sm_fields *f, const char *name) {
  static char buf[4096];
  const sm_field *fl = field(f, name);
  buf[0] = '\0';
  for (size_t i = 0; i < fl->n; i++) {
    if (i)
      strncat(buf, "|", sizeof buf - strlen(buf) - 1);
    strncat(buf, fl->items[i], sizeof buf - strlen(buf) - 1);
  }
  return buf;
}

#define assert_field(f, name, want)                                            \
  assert_string_equal(joined(&(f), name), want)

/* ---- csrss ---- */

static void csrss_real_xp(void **state) {
  sm_csrss c;
  assert_int_equal(sm_csrss_parse(CSRSS_XP, &c), SM_OK);
  assert_string_equal(c.image, "%SystemRoot%\\system32\\csrss.exe");
  assert_int_equal(c.n_params, 9);
  assert_int_equal(c.n_serverdlls, 3);
  assert_string_equal(c.serverdlls[1].name, "winsrv");
  assert_string_equal(c.serverdlls[1].init, "UserServerDllInitialization");
  assert_int_equal(c.serverdlls[1].index, 3);
  assert_null(c.serverdlls[0].init);
  assert_int_equal(c.serverdlls[0].index, 1);
  sm_csrss_free(&c);

  sm_fields f = run_str(SM_PARSE_CSRSS, CSRSS_XP);
  /* The image is resolved (checks/winpath.h). */
  assert_field(f, "image", "c:\\windows\\system32\\csrss.exe");
  assert_field(f, "serverdlls",
               "basesrv,1|winsrv:UserServerDllInitialization,3"
               "|winsrv:ConServerDllInitialization,2");
  assert_field(f, "serverdll-names", "basesrv|winsrv|winsrv");
  assert_field(f, "sharedsection", "1024,3072,512");
  assert_field(f, "objectdirectory", "\\Windows");
  assert_field(f, "windows", "On");
  assert_field(f, "maxrequestthreads", "16");
  assert_int_equal(count(&f, "duplicate-indices"), 0);
  assert_int_equal(count(&f, "bad-serverdlls"), 0);
  assert_int_equal(count(&f, "unknown-parameters"), 0);
  assert_int_equal(count(&f, "duplicate-parameters"), 0);
  sm_fields_free(&f);
}

static void csrss_real_7_and_10(void **state) {
  sm_fields f = run_str(SM_PARSE_CSRSS, CSRSS_7);
  assert_field(f, "serverdll-names", "basesrv|winsrv|winsrv|sxssrv");
  assert_field(f, "sharedsection", "1024,12288,512");
  assert_int_equal(count(&f, "duplicate-indices"), 0);
  assert_int_equal(count(&f, "unknown-parameters"), 0);
  sm_fields_free(&f);

  f = run_str(SM_PARSE_CSRSS, CSRSS_10);
  assert_field(f, "serverdlls",
               "basesrv,1|winsrv:UserServerDllInitialization,3|sxssrv,4");
  assert_field(f, "parameters",
               "ObjectDirectory|SharedSection|Windows|SubSystemType|ServerDll|"
               "ServerDll|ServerDll|ProfileControl|MaxRequestThreads");
  assert_field(f, "sharedsection", "1024,20480,768");
  assert_int_equal(count(&f, "bad-serverdlls"), 0);
  sm_fields_free(&f);
}

static void csrss_planted(void **state) {
  sm_fields f =
      run_str(SM_PARSE_CSRSS, CSRSS_10
              " ServerDll=evil:EvilInit,5 ServerDll=other,1 ServerDll=nodll "
              "ServerDll=neg,-1 ServerDll=junk,2x serverdll=BASESRV,1 "
              "Foo=bar Junk sharedsection=1,2,3");
  assert_field(f, "serverdll-names",
               "basesrv|winsrv|sxssrv|evil|other|nodll|neg|junk|BASESRV");
  assert_field(f, "duplicate-indices", "1");
  assert_field(f, "bad-serverdlls", "nodll|neg,-1|junk,2x");
  assert_field(f, "unknown-parameters", "Foo|Junk");
  assert_field(f, "duplicate-parameters", "SharedSection");
  /* csrss applies parameters in turn: the last one counts. */
  assert_field(f, "sharedsection", "1,2,3");
  sm_fields_free(&f);
}

static void csrss_quoting(void **state) {
  sm_fields f = run_str(SM_PARSE_CSRSS,
                        "  \"C:\\Program Files\\x\\csrss.exe\"\tWindows=On "
                        "ServerDll=\"a b\",4 ");
  assert_field(f, "image", "c:\\program files\\x\\csrss.exe");
  assert_field(f, "serverdlls", "\"a b\",4");
  assert_field(f, "windows", "On");
  sm_fields_free(&f);

  f = run_str(SM_PARSE_CSRSS, "\"unbalanced ServerDll=x,1");
  assert_field(f, "image", "unbalanced serverdll=x,1");
  assert_int_equal(count(&f, "serverdlls"), 0);
  sm_fields_free(&f);
}

static void csrss_many_serverdlls(void **state) {
  size_t n = 10000, size = n * 32 + 64, len = 0;
  char *s = malloc(size);
  assert_non_null(s);
  len += (size_t)snprintf(s, size, "csrss.exe");
  for (size_t i = 0; i < n; i++)
    len += (size_t)snprintf(s + len, size - len, " ServerDll=d%zu,%zu", i,
                            i % 5000);
  clock_t t0 = clock();
  sm_fields f = run_str(SM_PARSE_CSRSS, s);
  assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
  assert_int_equal(count(&f, "serverdlls"), n);
  assert_int_equal(count(&f, "duplicate-indices"), 5000);
  assert_int_equal(count(&f, "duplicate-parameters"), 0);
  sm_fields_free(&f);
  free(s);
}

/* ---- path-list and list ---- */

static void path_real(void **state) {
  const char *paths[] = {PATH_XP, PATH_7};
  for (size_t i = 0; i < 2; i++) {
    sm_fields f = run(SM_PARSE_PATH_LIST, mk_sz("Path", paths[i]));
    assert_field(f, "has-system", "yes");
    assert_int_equal(count(&f, "entries"), i ? 4 : 3);
    assert_int_equal(count(&f, "before-system"), 0);
    assert_int_equal(count(&f, "relative"), 0);
    assert_int_equal(count(&f, "unc"), 0);
    assert_int_equal(count(&f, "user-writable"), 0);
    assert_int_equal(count(&f, "empty-entries"), 0);
    sm_fields_free(&f);
  }
  sm_fields f = run(SM_PARSE_LIST, mk_sz("PATHEXT", PATHEXT_7));
  assert_field(f, "entries",
               ".COM|.EXE|.BAT|.CMD|.VBS|.VBE|.JS|.JSE|.WSF|.WSH|"
               ".MSC");
  sm_fields_free(&f);
}

static void path_planted(void **state) {
  sm_fields f = run_str(
      SM_PARSE_PATH_LIST,
      "C:\\Users\\x\\bin; . ;\\\\srv\\share\\bin;%SystemRoot%\\system32;;"
      "C:\\Python27\\;\"C:\\Program Files\\Git\\cmd\";"
      "{CF0D821E-299B-5307-A3D8-B283C03916DD};C:foo;%APPDATA%\\x;");
  /* Unsafe entries are reported by their class, not again as placed
   * before system32. */
  assert_field(f, "before-system", "");
  assert_field(f, "relative", ".|{CF0D821E-299B-5307-A3D8-B283C03916DD}|C:foo");
  assert_field(f, "unc", "\\\\srv\\share\\bin");
  assert_field(f, "user-writable",
               "C:\\Users\\x\\bin|C:\\Python27\\|"
               "%APPDATA%\\x");
  assert_int_equal(count(&f, "unsafe"), 7);
  assert_field(f, "empty-entries", "5|11");
  assert_field(f, "has-system", "yes");
  sm_fields_free(&f);

  /* A Program Files directory first is only "before system32". */
  f = run_str(SM_PARSE_PATH_LIST,
              "C:\\Program Files\\Vendor\\bin;C:\\WINDOWS\\System32\\.;"
              "C:\\Tools;D:\\bin");
  assert_field(f, "has-system", "yes");
  assert_field(f, "before-system", "C:\\Program Files\\Vendor\\bin");
  assert_field(f, "user-writable", "C:\\Tools|D:\\bin");
  assert_field(f, "resolved",
               "c:\\program files\\vendor\\bin|"
               "c:\\windows\\system32|c:\\tools|d:\\bin");
  sm_fields_free(&f);
}

/* A variable of the hive's own environment, defined through another. */
static void path_environment(void **state) {
  sm_value *ev[] = {mk_sz("TOOLS", "%BASE%\\tools"),
                    mk_sz("BASE", "C:\\ProgramData"),
                    mk_sz("SystemRoot", "C:\\Evil")};
  sm_env env;
  assert_int_equal(sm_env_init(&env, ev, 3), SM_OK);
  sm_value *v = mk_sz("Path", "%SystemRoot%\\system32;%TOOLS%;%UNDEFINED%\\x");
  sm_parse_input in = {.value = v, .env = &env};
  sm_fields f;
  assert_int_equal(sm_parse_fields(SM_PARSE_PATH_LIST, &in, &f), SM_OK);
  assert_field(f, "has-system", "yes"); /* SystemRoot is not the hive's */
  assert_field(f, "user-writable", "%TOOLS%");
  assert_field(f, "relative", "%UNDEFINED%\\x");
  assert_field(f, "resolved",
               "c:\\windows\\system32|c:\\programdata\\tools|"
               "%undefined%\\x");
  sm_fields_free(&f);
  sm_value_free(v);
  sm_env_free(&env);
  for (size_t i = 0; i < 3; i++)
    sm_value_free(ev[i]);
}

static void path_typed(void **state) {
  sm_pathlist p;
  assert_int_equal(sm_pathlist_parse(" a ; ;b;", &p), SM_OK);
  assert_int_equal(p.n, 4);
  assert_string_equal(p.entries[0], "a");
  assert_string_equal(p.entries[1], "");
  assert_string_equal(p.entries[3], "");
  sm_pathlist_free(&p);
  assert_int_equal(sm_pathlist_parse("  ", &p), SM_OK);
  assert_int_equal(p.n, 0);
  sm_pathlist_free(&p);
}

/* ---- paging-files ---- */

static void paging_real(void **state) {
  sm_pagingfile pf;
  assert_int_equal(sm_pagingfile_parse("C:\\pagefile.sys 768 1536", &pf),
                   SM_OK);
  assert_string_equal(pf.path, "C:\\pagefile.sys");
  assert_true(pf.has_sizes);
  assert_int_equal(pf.min_mb, 768);
  assert_int_equal(pf.max_mb, 1536);
  sm_pagingfile_free(&pf);
  assert_int_equal(sm_pagingfile_parse("?:\\pagefile.sys", &pf), SM_OK);
  assert_string_equal(pf.path, "?:\\pagefile.sys");
  assert_false(pf.has_sizes);
  sm_pagingfile_free(&pf);

  sm_fields f = run(SM_PARSE_PAGING_FILES,
                    mk_multi("PagingFiles", "C:\\pagefile.sys 768 1536",
                             "?:\\pagefile.sys", (char *)NULL));
  assert_field(f, "entries", "C:\\pagefile.sys 768 1536|?:\\pagefile.sys");
  assert_field(f, "paths", "C:\\pagefile.sys|?:\\pagefile.sys");
  sm_fields_free(&f);
}

static void paging_junk(void **state) {
  const char *junk[] = {"C:\\p.sys 1",
                        "C:\\p.sys x y",
                        "C:\\p.sys 1 2x",
                        "C:\\p.sys 99999999999999999999999 1",
                        "",
                        "  ",
                        "C:\\p.sys -1 5"};
  for (size_t i = 0; i < sizeof junk / sizeof *junk; i++) {
    sm_pagingfile pf;
    assert_int_equal(sm_pagingfile_parse(junk[i], &pf), SM_OK);
    assert_false(pf.has_sizes);
    sm_pagingfile_free(&pf);
  }
  sm_fields f =
      run(SM_PARSE_PAGING_FILES,
          mk_multi("PagingFiles", "", "D:\\evil.sys 0 0", "  ", (char *)NULL));
  assert_field(f, "entries", "D:\\evil.sys 0 0|  ");
  assert_field(f, "paths", "D:\\evil.sys");
  sm_fields_free(&f);
}

/* ---- pending-renames ---- */

static void pending_real(void **state) {
  /* 8.1: an NSIS installer's temporary plug-in, deleted at boot. */
  sm_fields f =
      run(SM_PARSE_PENDING_RENAMES,
          mk_multi(
              "PendingFileRenameOperations",
              "\\??\\C:\\Users\\master\\AppData\\Local\\Temp\\nsp9C0.tmp\\"
              "nsProcess.dll",
              "", "\\??\\C:\\Users\\master\\AppData\\Local\\Temp\\nsp9C0.tmp\\",
              "", (char *)NULL));
  assert_int_equal(count(&f, "sources"), 2);
  assert_int_equal(count(&f, "servicing"), 2);
  assert_int_equal(count(&f, "deletes"), 0);
  assert_int_equal(count(&f, "renames"), 0);
  assert_int_equal(count(&f, "system-code"), 0);
  assert_int_equal(count(&f, "unpaired"), 0);
  sm_fields_free(&f);

  /* 10 1709: driver store clean-up under System32, not binaries. */
  f = run(
      SM_PARSE_PENDING_RENAMES,
      mk_multi("PendingFileRenameOperations",
               "\\??\\C:\\Config.Msi\\a014fa5.rbf", "",
               "\\??\\C:\\Program Files (x86)\\Dropbox\\OldBinaries", "",
               "\\??\\C:\\Windows\\System32\\DriverStore\\Temp\\DEL73F7.tmp",
               "", (char *)NULL));
  assert_field(f, "deletes",
               "pending delete: "
               "\\??\\C:\\Program Files (x86)\\Dropbox\\OldBinaries");
  assert_field(f, "servicing",
               "Windows Installer rollback file (Config.Msi): delete "
               "\\??\\C:\\Config.Msi\\a014fa5.rbf|"
               "driver store temporary file: delete "
               "\\??\\C:\\Windows\\System32\\DriverStore\\Temp\\DEL73F7.tmp");
  assert_int_equal(count(&f, "system-code"), 0);
  sm_fields_free(&f);

  /* 10 1903: the print spooler's driver update, 32 times on a real
   * machine; servicing, never Windows code replaced. */
  f = run(SM_PARSE_PENDING_RENAMES,
          mk_multi("PendingFileRenameOperations",
                   "\\??\\C:\\WINDOWS\\system32\\spool\\DRIVERS\\x64\\3\\New\\"
                   "UNIDRV.DLL",
                   "!\\??\\C:\\WINDOWS\\system32\\spool\\DRIVERS\\x64\\3\\"
                   "UNIDRV.DLL",
                   "\\??\\C:\\Windows\\AppCompat\\Programs\\Amcache.hve.tmp",
                   "", "\\??\\C:\\Windows\\System32\\drivers\\SETA1F.tmp",
                   "!\\??\\C:\\Windows\\System32\\drivers\\vendor.sys",
                   (char *)NULL));
  assert_int_equal(count(&f, "servicing"), 3);
  assert_int_equal(count(&f, "system-code"), 0);
  assert_int_equal(count(&f, "renames"), 0);
  sm_fields_free(&f);
}

static void pending_planted(void **state) {
  sm_pending p;
  char *ops[] = {"\\??\\C:\\Users\\x\\AppData\\Local\\Temp\\evil.sys",
                 "!\\??\\C:\\Windows\\System32\\drivers\\evil.sys",
                 "\\??\\C:\\Windows\\Temp\\x.tmp",
                 "",
                 "\\SystemRoot\\System32\\ntdll.dll",
                 "",
                 "\\??\\C:\\a.txt",
                 "\\??\\C:\\b.txt",
                 "\\??\\C:\\Temp\\..\\WINDOWS\\SysWOW64\\x.DLL",
                 "",
                 "\\??\\C:\\Users\\Public\\a.lnk",
                 "\\??\\C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\"
                 "Programs\\Startup\\a.lnk",
                 "\\??\\C:\\x.xml",
                 "!\\??\\C:\\Windows\\System32\\Tasks\\Updater",
                 "\\??\\C:\\Program Files\\Windows Defender\\MsMpEng.exe",
                 "",
                 "\\??\\C:\\Windows\\System32\\drivers\\WdFilter.sys",
                 "\\??\\C:\\x.sys",
                 "\\??\\C:\\Windows\\System32\\spool\\drivers\\x64\\3\\New\\"
                 "evil.dll",
                 "!\\??\\C:\\Windows\\System32\\evil.dll"};
  size_t n = sizeof ops / sizeof *ops;
  assert_int_equal(sm_pending_parse(ops, n, NULL, &p), SM_OK);
  assert_int_equal(p.n, 10);
  assert_false(p.odd);
  assert_true(p.ops[0].replace);
  assert_int_equal(p.ops[0].kind, SM_PENDING_SYSTEM_CODE);
  assert_string_equal(p.ops[0].destination,
                      "\\??\\C:\\Windows\\System32\\drivers\\evil.sys");
  assert_null(p.ops[1].destination);
  assert_int_equal(p.ops[1].kind, SM_PENDING_SERVICING);
  assert_int_equal(p.ops[2].kind, SM_PENDING_SYSTEM_CODE);
  assert_int_equal(p.ops[3].kind, SM_PENDING_RENAME);
  assert_int_equal(p.ops[4].kind, SM_PENDING_SYSTEM_CODE);
  assert_int_equal(p.ops[5].kind, SM_PENDING_AUTOSTART);
  assert_int_equal(p.ops[6].kind, SM_PENDING_AUTOSTART);
  assert_int_equal(p.ops[7].kind, SM_PENDING_SECURITY);
  assert_int_equal(p.ops[8].kind, SM_PENDING_SECURITY);
  /* The spooler's pattern needs the same folder without "New". */
  assert_int_equal(p.ops[9].kind, SM_PENDING_SYSTEM_CODE);
  sm_pending_free(&p);

  sm_fields f = run(SM_PARSE_PENDING_RENAMES,
                    mk_strv("PendingFileRenameOperations", ops, n));
  assert_field(f, "system-code",
               "driver replaced: "
               "\\??\\C:\\Users\\x\\AppData\\Local\\Temp\\evil.sys -> "
               "\\??\\C:\\Windows\\System32\\drivers\\evil.sys|"
               "Windows core image or KnownDLL deleted: delete "
               "\\SystemRoot\\System32\\ntdll.dll|"
               "Windows code deleted: delete "
               "\\??\\C:\\Temp\\..\\WINDOWS\\SysWOW64\\x.DLL|"
               "code replaced in a Windows directory: "
               "\\??\\C:\\Windows\\System32\\spool\\drivers\\x64\\3\\New\\"
               "evil.dll -> \\??\\C:\\Windows\\System32\\evil.dll");
  /* One field per operation: a rename of Windows code is not also a
   * rename. */
  assert_field(f, "renames", "\\??\\C:\\a.txt -> \\??\\C:\\b.txt");
  assert_int_equal(count(&f, "autostart"), 2);
  assert_int_equal(count(&f, "security"), 2);
  assert_int_equal(count(&f, "deletes"), 0);
  assert_int_equal(count(&f, "sources"), 10);
  sm_fields_free(&f);
}

static void pending_odd(void **state) {
  char *ops[] = {"\\??\\C:\\a", "\\??\\C:\\b", "\\??\\C:\\left"};
  sm_fields f = run(SM_PARSE_PENDING_RENAMES, mk_strv("P", ops, 3));
  assert_field(f, "unpaired", "\\??\\C:\\left");
  assert_field(f, "sources", "\\??\\C:\\a|\\??\\C:\\left");
  sm_fields_free(&f);
  f = run(SM_PARSE_PENDING_RENAMES, mk_strv("P", ops, 0));
  assert_int_equal(count(&f, "sources"), 0);
  sm_fields_free(&f);
  char *bang[] = {"\\??\\C:\\Windows\\System32\\x.exe", "!"};
  f = run(SM_PARSE_PENDING_RENAMES, mk_strv("P", bang, 2));
  assert_field(
      f, "system-code",
      "Windows code deleted: delete \\??\\C:\\Windows\\System32\\x.exe");
  sm_fields_free(&f);
}

/* ---- boot-execute ---- */

static void bootexec_real(void **state) {
  sm_bootcmd b;
  assert_int_equal(sm_bootcmd_parse("autocheck autochk *", &b), SM_OK);
  assert_true(b.autocheck);
  assert_string_equal(b.program, "autochk");
  assert_int_equal(b.n_args, 1);
  assert_string_equal(b.args[0], "*");
  sm_bootcmd_free(&b);

  sm_fields f =
      run(SM_PARSE_BOOT_EXECUTE,
          mk_multi("BootExecute", "autocheck autochk *", (char *)NULL));
  assert_field(f, "entries", "autocheck autochk *");
  assert_field(f, "programs", "autochk");
  assert_field(f, "autochk-args", "*");
  sm_fields_free(&f);

  /* SetupExecute: an empty list on 7 and later. */
  f = run(SM_PARSE_BOOT_EXECUTE, mk_multi("SetupExecute", (char *)NULL));
  assert_int_equal(count(&f, "entries"), 0);
  sm_fields_free(&f);
}

static void bootexec_planted(void **state) {
  sm_fields f = run(SM_PARSE_BOOT_EXECUTE,
                    mk_multi("BootExecute", "AUTOCHECK  autochk  /q  /v *",
                             "autocheck autochk /k:C *", "", "   ",
                             "\\??\\C:\\ProgramData\\EVIL.EXE --quiet",
                             "autocheck \"C:\\x y\\AutoChk.exe\"",
                             "sdelete.exe", (char *)NULL));
  assert_field(f, "entries",
               "AUTOCHECK  autochk  /q  /v *|autocheck autochk /k:C *|"
               "\\??\\C:\\ProgramData\\EVIL.EXE --quiet|"
               "autocheck \"C:\\x y\\AutoChk.exe\"|sdelete.exe");
  assert_field(f, "programs", "autochk|autochk|evil|autochk|sdelete");
  assert_field(f, "autochk-args", "/q /v *|/k:C *|");
  sm_fields_free(&f);

  /* A REG_SZ BootExecute still runs: one entry. */
  f = run(SM_PARSE_BOOT_EXECUTE, mk_sz("BootExecute", "evil"));
  assert_field(f, "programs", "evil");
  sm_fields_free(&f);
}

/* ---- subsystems ---- */

static void subsystems_real(void **state) {
  sm_value *xp[] = {mk_sz("Debug", ""),
                    mk_sz("Kmode", "%SystemRoot%\\system32\\win32k.sys"),
                    mk_multi("Optional", "Posix", (char *)NULL),
                    mk_sz("Posix", "%SystemRoot%\\system32\\psxss.exe"),
                    mk_multi("Required", "Debug", "Windows", (char *)NULL),
                    mk_sz("Windows", CSRSS_XP)};
  sm_fields f = run_key(SM_PARSE_SUBSYSTEMS, xp, 6, NULL, 0);
  assert_field(f, "required", "Debug|Windows");
  assert_field(f, "optional", "Posix");
  assert_field(f, "names", "Debug|Windows|Posix");
  assert_int_equal(count(&f, "undefined"), 0);
  assert_int_equal(count(&f, "unreferenced"), 0);
  assert_field(f, "images",
               "windows=c:\\windows\\system32\\csrss.exe|"
               "posix=c:\\windows\\system32\\psxss.exe");
  assert_int_equal(count(&f, "debug"), 1);
  assert_field(f, "debug", "");
  sm_fields_free(&f);

  sm_value *w10[] = {mk_sz("", "mnmsrvc"),
                     mk_sz("Debug", ""),
                     mk_sz("Kmode", "\\SystemRoot\\System32\\win32k.sys"),
                     mk_multi("Optional", (char *)NULL),
                     mk_multi("Required", "Debug", "Windows", (char *)NULL),
                     mk_sz("Windows", CSRSS_10)};
  f = run_key(SM_PARSE_SUBSYSTEMS, w10, 6, NULL, 0);
  assert_field(f, "names", "Debug|Windows");
  assert_int_equal(count(&f, "optional"), 0);
  assert_int_equal(count(&f, "unreferenced"), 0);
  assert_field(f, "images", "windows=c:\\windows\\system32\\csrss.exe");
  sm_fields_free(&f);
}

static void subsystems_planted(void **state) {
  sm_value *v[] = {
      mk_dword("Debug", 1),
      mk_multi("required", "Debug", "Windows", "", "Ghost", (char *)NULL),
      mk_multi("OPTIONAL", "evil", (char *)NULL),
      mk_sz("windows", "\"C:\\x y\\csrss.exe\" a=b"),
      mk_sz("Evil", "C:\\ProgramData\\e.exe"),
      mk_sz("Stray", "x"),
      mk_sz("Kmode", "x")};
  sm_fields f = run_key(SM_PARSE_SUBSYSTEMS, v, 7, NULL, 0);
  assert_field(f, "names", "Debug|Windows|Ghost|evil");
  assert_field(f, "undefined", "Ghost");
  assert_field(f, "unreferenced", "Stray");
  assert_field(f, "images",
               "windows=c:\\x y\\csrss.exe|evil=c:\\programdata\\e.exe");
  assert_int_equal(count(&f, "debug"), 0);
  sm_fields_free(&f);

  /* A string is a list of one, as smss.exe reads it; a number is no list;
   * nothing at all is no error. */
  sm_value *w[] = {mk_sz("Required", "Debug Windows"), mk_dword("Optional", 1)};
  f = run_key(SM_PARSE_SUBSYSTEMS, w, 2, NULL, 0);
  assert_field(f, "required", "Debug Windows");
  assert_int_equal(count(&f, "optional"), 0);
  sm_fields_free(&f);
  f = run_key(SM_PARSE_SUBSYSTEMS, NULL, 0, NULL, 0);
  assert_int_equal(count(&f, "names"), 0);
  sm_fields_free(&f);
}

static void subsystems_many(void **state) {
  size_t n = 5000;
  char **names = calloc(n, sizeof *names);
  sm_value **v = calloc(n + 1, sizeof *v);
  char buf[32];
  for (size_t i = 0; i < n; i++) {
    snprintf(buf, sizeof buf, "s%zu", i);
    names[i] = strdup(buf);
    v[i + 1] = mk_sz(buf, "x.exe");
  }
  v[0] = mk_strv("Optional", names, n);
  clock_t t0 = clock();
  sm_fields f = run_key(SM_PARSE_SUBSYSTEMS, v, n + 1, NULL, 0);
  assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
  assert_int_equal(count(&f, "images"), n);
  assert_int_equal(count(&f, "unreferenced"), 0);
  sm_fields_free(&f);
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  free(v);
}

/* Found by fuzz-parse: no Required or Optional name, so the sorted name
 * table is empty (NULL), and bsearch must not be handed it. */
static void subsystems_no_names(void **state) {
  (void)state;
  sm_value *v[] = {mk_sz("Windows", "csrss.exe"), mk_multi("Required", NULL)};
  sm_fields f = run_key(SM_PARSE_SUBSYSTEMS, v, 2, NULL, 0);
  assert_field(f, "names", "");
  assert_field(f, "unreferenced", "Windows");
  sm_fields_free(&f);
  sm_value *w[] = {mk_sz("Windows", "csrss.exe")};
  f = run_key(SM_PARSE_SUBSYSTEMS, w, 1, NULL, 0);
  assert_field(f, "unreferenced", "Windows");
  sm_fields_free(&f);
}

/* ---- known-dlls ---- */

static void knowndlls_real(void **state) {
  sm_value *v[] = {mk_sz("_wow64", "wow64.dll"),
                   mk_sz("advapi32", "advapi32.dll"),
                   mk_sz("DllDirectory", "%SystemRoot%\\system32"),
                   mk_sz("DllDirectory32", "%SystemRoot%\\SysWOW64"),
                   mk_sz("DifxApi", "difxapi.dll"),
                   mk_sz("PSAPI", "PSAPI.DLL")};
  v[2]->type = SM_REG_EXPAND_SZ;
  sm_fields f = run_key(SM_PARSE_KNOWN_DLLS, v, 6, NULL, 0);
  assert_field(f, "names", "_wow64|advapi32|DifxApi|PSAPI");
  assert_field(f, "dlls", "wow64.dll|advapi32.dll|difxapi.dll|PSAPI.DLL");
  assert_int_equal(count(&f, "mismatched"), 0);
  /* The directories are resolved (checks/winpath.h). */
  assert_field(f, "dll-directory", "c:\\windows\\system32");
  assert_field(f, "dll-directory32", "c:\\windows\\syswow64");
  sm_fields_free(&f);
}

static void knowndlls_planted(void **state) {
  sm_value *v[] = {mk_sz("kernel32", "evil.dll"), mk_sz("ole32", "ole32"),
                   mk_sz("user32", "C:\\x\\user32.dll"),
                   mk_sz("gdi32", "gdi32.dll.bak"), mk_dword("odd", 1)};
  sm_fields f = run_key(SM_PARSE_KNOWN_DLLS, v, 5, NULL, 0);
  /* A directory in the data is a mismatch whatever the base name. */
  assert_field(f, "mismatched",
               "kernel32=evil.dll|ole32=ole32|"
               "user32=C:\\x\\user32.dll|gdi32=gdi32.dll.bak");
  assert_field(f, "names", "kernel32|ole32|user32|gdi32|odd");
  /* Each mismatched entry counts as the DLL its name stands for, so it is
   * reported once (as mismatched), not also as an extra or missing DLL. */
  assert_field(f, "dlls", "kernel32.dll|ole32.dll|user32.dll|gdi32.dll");
  assert_int_equal(count(&f, "dll-directory"), 0);
  sm_fields_free(&f);
}

/* ---- select ---- */

static void select_real(void **state) {
  sm_value *v[] = {mk_dword("Current", 1), mk_dword("Default", 1),
                   mk_dword("Failed", 0), mk_dword("LastKnownGood", 3)};
  unsigned cs[] = {1, 3};
  sm_fields f = run_key(SM_PARSE_SELECT, v, 4, cs, 2);
  assert_field(f, "current", "1");
  assert_field(f, "default", "1");
  assert_field(f, "last-known-good", "3");
  assert_field(f, "failed", "0");
  assert_field(f, "current-vs-default", "same");
  assert_field(f, "control-sets", "ControlSet001|ControlSet003");
  assert_int_equal(count(&f, "dangling"), 0);
  sm_fields_free(&f);
}

static void select_planted(void **state) {
  sm_value *v[] = {mk_dword("current", 5), mk_dword("Default", 0),
                   mk_dword("LastKnownGood", 0), mk_dword("Failed", 0)};
  unsigned cs[] = {1};
  sm_fields f = run_key(SM_PARSE_SELECT, v, 4, cs, 1);
  assert_field(f, "dangling", "Current=5");
  assert_field(f, "current-vs-default", "different");
  sm_fields_free(&f);

  sm_value *w[] = {mk_sz("Current", "1"), mk_dword("Default", 4294967295u),
                   mk_dword("LastKnownGood", 2)};
  f = run_key(SM_PARSE_SELECT, w, 3, cs, 1);
  assert_int_equal(count(&f, "current"), 0);
  assert_int_equal(count(&f, "current-vs-default"), 0);
  assert_field(f, "dangling", "Default=4294967295|LastKnownGood=2");
  sm_fields_free(&f);
}

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
      "drives-unsafe", "drives-folder", "drives-device"}},
    {SM_PARSE_ENVIRONMENT,
     "environment",
     {"code-loading", "search-paths-unsafe", "search-paths", "relocated",
      "temp-unsafe", "weakened", "runtime-settings",
      "pathext-before-programs", "runs-command", "runs-command-unsafe"}},
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
      cmocka_unit_test(csrss_real_xp),
      cmocka_unit_test(csrss_real_7_and_10),
      cmocka_unit_test(csrss_planted),
      cmocka_unit_test(csrss_quoting),
      cmocka_unit_test(csrss_many_serverdlls),
      cmocka_unit_test(path_real),
      cmocka_unit_test(path_planted),
      cmocka_unit_test(path_environment),
      cmocka_unit_test(path_typed),
      cmocka_unit_test(paging_real),
      cmocka_unit_test(paging_junk),
      cmocka_unit_test(pending_real),
      cmocka_unit_test(pending_planted),
      cmocka_unit_test(pending_odd),
      cmocka_unit_test(bootexec_real),
      cmocka_unit_test(bootexec_planted),
      cmocka_unit_test(subsystems_real),
      cmocka_unit_test(subsystems_planted),
      cmocka_unit_test(subsystems_many),
      cmocka_unit_test(subsystems_no_names),
      cmocka_unit_test(knowndlls_real),
      cmocka_unit_test(knowndlls_planted),
      cmocka_unit_test(select_real),
      cmocka_unit_test(select_planted),
      cmocka_unit_test(hostile_small),
      cmocka_unit_test(hostile_big),
      cmocka_unit_test(adapter_fields),
      cmocka_unit_test(adapter_names),
      cmocka_unit_test(adapter_types),
  };
  /* One group: several groups would print several TAP plans. */
  return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
