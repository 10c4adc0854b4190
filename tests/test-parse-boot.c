/* Unit tests of the parsers of what runs at boot: pending renames,
 * BootExecute, SubSystems, KnownDLLs and Select, real values of each
 * Windows family and planted anomalies. */
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

/* A file moved from where users can write into a folder only
 * administrators write is code planted there; within protected folders,
 * or into a Windows data folder or a user's folder, a rename. */
static void pending_into_protected(void **state) {
  (void)state;
  static const struct {
    const char *src, *dst;
    sm_pending_kind kind;
  } c[] = {
      {"\\??\\C:\\Users\\Public\\x.exe",
       "!\\??\\C:\\Program Files\\Vendor\\svc.exe", SM_PENDING_SYSTEM_CODE},
      {"\\??\\C:\\ProgramData\\v\\x.dll", "\\??\\C:\\Program.exe",
       SM_PENDING_SYSTEM_CODE},
      {"\\??\\C:\\Users\\Public\\x.dll",
       "\\Device\\HarddiskVolume2\\Program Files\\V\\x.dll",
       SM_PENDING_SYSTEM_CODE},
      {"\\Device\\HarddiskVolume2\\Program Files\\V\\new.dll",
       "!\\Device\\HarddiskVolume2\\Program Files\\V\\x.dll",
       SM_PENDING_RENAME},
      {"\\\\server\\share\\x.dll",
       "\\??\\C:\\PROGRA~2\\Vendor\\x.dll", SM_PENDING_SYSTEM_CODE},
      {"\\??\\C:\\Program Files\\Vendor\\is-1.tmp",
       "!\\??\\C:\\Program Files\\Vendor\\x.dll", SM_PENDING_RENAME},
      {"\\??\\C:\\ProgramData\\x.log", "\\??\\C:\\Windows\\Logs\\x.log",
       SM_PENDING_RENAME},
      {"\\??\\C:\\Users\\bob\\a", "\\??\\C:\\Users\\bob\\b",
       SM_PENDING_RENAME},
  };
  for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
    char *ops[] = {(char *)c[i].src, (char *)c[i].dst};
    sm_pending p;
    assert_int_equal(sm_pending_parse(ops, 2, NULL, &p), SM_OK);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.ops[0].kind, c[i].kind);
    sm_pending_free(&p);
  }
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pending_real),
      cmocka_unit_test(pending_planted),
      cmocka_unit_test(pending_into_protected),
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
  };
  /* One group: several groups would print several TAP plans. */
  return cmocka_run_group_tests_name("parse-boot", tests, NULL, NULL);
}
