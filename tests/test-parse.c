/* Unit tests of the structured-value parsers: real values of each Windows
 * family and planted anomalies, for csrss (SubSystems\\Windows), path
 * lists and paging files (tests/test-parse-boot.c: what runs at boot;
 * tests/test-parse-hostile.c: hostile input and the field adapter). */
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
  };
  /* One group: several groups would print several TAP plans. */
  return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
