/* Unit tests of hive/: opening, the base block, Select and the control
 * sets, keys, names and times, on the fixtures that make check generates
 * in $top_builddir/testdata (tests/test-hive-values.c: values). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/le.h"
#include "hive/hive.h"
#include "tests/test-util.h"
#include "tests/test-hive-util.h"

static void test_open_ok(void **state) {
  (void)state;
  sm_hive *h = open_fixture("win-10");
  assert_string_equal(sm_hive_path(h), fixture("win-10"));
  struct stat st;
  assert_int_equal(stat(fixture("win-10"), &st), 0);
  assert_int_equal(sm_hive_file_size(h), (uint64_t)st.st_size);
  assert_int_equal(strlen(sm_hive_sha256(h)), 64);
  assert_int_equal(strspn(sm_hive_sha256(h), "0123456789abcdef"), 64);
  assert_false(sm_hive_unsafe(h));
  assert_false(sm_hive_recovery(h)->recovered);
  assert_int_not_equal(sm_hive_root(h), 0);
  sm_hive_close(h);

  sm_error err = {0};
  assert_int_equal(sm_hive_open(fixture("win-10"),
                                SM_OPEN_NO_HASH | SM_OPEN_UNSAFE, &h, &err),
                   SM_OK);
  assert_string_equal(sm_hive_sha256(h), "");
  assert_true(sm_hive_unsafe(h));
  sm_hive_close(h);
  sm_hive_close(NULL);
}

static void expect_open_error(const char *path, sm_result want,
                              const char *reason) {
  sm_hive *h = (sm_hive *)1;
  sm_error err = {0};
  assert_int_equal(sm_hive_open(path, 0, &h, &err), want);
  assert_null(h);
  assert_int_equal(err.code, want);
  /* "FILE: reason" */
  assert_memory_equal(err.msg, path, strlen(path));
  assert_memory_equal(err.msg + strlen(path), ": ", 2);
  if (!strstr(err.msg, reason))
    fail_msg("'%s' does not say '%s'", err.msg, reason);
}

static void test_open_errors(void **state) {
  (void)state;
  expect_open_error(tmp_path("absent.hiv"), SM_ERR_IO,
                    "No such file or directory");
  expect_open_error(tmpdir, SM_ERR_IO, "is a directory");
  write_file(tmp_path("empty"), "", 0);
  expect_open_error(tmp_path("empty"), SM_ERR_NOT_HIVE, "not a registry hive");
  unsigned char junk[8192];
  memset(junk, 'x', sizeof junk);
  write_file(tmp_path("junk"), junk, sizeof junk);
  expect_open_error(tmp_path("junk"), SM_ERR_NOT_HIVE, "not a registry hive");
  /* A NULL err is allowed. */
  sm_hive *h;
  assert_int_equal(sm_hive_open(tmp_path("junk"), 0, &h, NULL),
                   SM_ERR_NOT_HIVE);
}

static void test_open_corrupt(void **state) {
  (void)state;
  size_t len;
  unsigned char *p = read_file(fixture("win-10"), &len);
  memcpy(p + 4096, "XXXX", 4); /* the first hbin's signature */
  write_file(tmp_path("corrupt"), p, len);
  expect_open_error(tmp_path("corrupt"), SM_ERR_CORRUPT, "corrupt");
  /* A base block that names a root cell past the end of the hive. */
  memcpy(p + 4096, "hbin", 4);
  sm_put_le32(p + 36, 0x7FFFFFF0u);
  sm_put_le32(p + 508, xor32(p));
  write_file(tmp_path("badroot"), p, len);
  sm_hive *h = NULL;
  sm_error err = {0};
  assert_int_not_equal(sm_hive_open(tmp_path("badroot"), 0, &h, &err), SM_OK);
  assert_null(h);
  assert_non_null(strstr(err.msg, tmp_path("badroot")));
  free(p);
}

static void test_base_block(void **state) {
  (void)state;
  sm_hive *h = open_fixture("win-10");
  const sm_base_block *b = sm_hive_base(h);
  assert_int_not_equal(b->seq_primary, 0);
  assert_int_equal(b->seq_primary, b->seq_secondary);
  assert_false(b->dirty);
  assert_true(b->checksum_ok);
  assert_int_equal(b->major, 1);
  assert_int_equal(b->minor, 5);
  assert_int_equal(b->file_type, 0);
  assert_int_equal(b->file_format, 1);
  assert_int_equal(b->root_offset, 0x20);
  assert_int_equal(b->hbins_size, sm_hive_file_size(h) - 4096);
  assert_int_not_equal(b->last_written, 0);
  assert_string_equal(b->file_name, "SYSTEM");
  size_t len;
  unsigned char *p = read_file(fixture("win-10"), &len);
  assert_int_equal(b->checksum, sm_le32(p + 508));
  assert_int_equal(b->checksum, xor32(p));
  sm_hive_close(h);

  /* Dirty: the primary sequence number moved on, checksum still right. */
  sm_put_le32(p + 4, sm_le32(p + 4) + 1);
  sm_put_le32(p + 508, xor32(p));
  write_file(tmp_path("dirty"), p, len);
  sm_error err = {0};
  assert_int_equal(sm_hive_open(tmp_path("dirty"), 0, &h, &err), SM_OK);
  b = sm_hive_base(h);
  assert_true(b->dirty);
  assert_int_equal(b->seq_primary, b->seq_secondary + 1);
  assert_true(b->checksum_ok);
  sm_hive_close(h);

  /* A flipped byte in the first 508: reported, and the keys still read. */
  p[200] ^= 0x40;
  write_file(tmp_path("badsum"), p, len);
  assert_int_equal(sm_hive_open(tmp_path("badsum"), 0, &h, &err), SM_OK);
  b = sm_hive_base(h);
  assert_false(b->checksum_ok);
  assert_int_equal(b->checksum, sm_le32(p + 508));
  unsigned id;
  sm_key k;
  assert_int_equal(sm_hive_current_control_set(h, &id, &k, &err), SM_OK);
  assert_int_equal(id, 1);
  sm_hive_close(h);
  free(p);
}

static void test_select(void **state) {
  (void)state;
  sm_hive *h = open_fixture("win-xp");
  sm_select s;
  sm_error err = {0};
  assert_int_equal(sm_hive_select(h, &s, &err), SM_OK);
  assert_true(s.has_current && s.has_default_ && s.has_last_known_good &&
              s.has_failed);
  assert_int_equal(s.current, 1);
  assert_int_equal(s.default_, 1);
  assert_int_equal(s.last_known_good, 3);
  assert_int_equal(s.failed, 0);
  sm_hive_close(h);

  h = open_fixture("two-sets");
  assert_int_equal(sm_hive_select(h, &s, &err), SM_OK);
  assert_int_equal(s.current, 2);
  assert_int_equal(s.default_, 2);
  assert_int_equal(s.last_known_good, 1);
  sm_hive_close(h);
}

static void test_select_missing(void **state) {
  (void)state;
  sm_hive *h = open_fixture("no-select");
  sm_select s;
  sm_error err = {0};
  assert_int_equal(sm_hive_select(h, &s, &err), SM_ERR_NO_SELECT);
  assert_non_null(strstr(err.msg, "no Select key"));
  unsigned id;
  sm_key k;
  assert_int_equal(sm_hive_current_control_set(h, &id, &k, &err),
                   SM_ERR_NO_SELECT);
  sm_hive_close(h);
}

static void test_select_current_absent_or_sz(void **state) {
  (void)state;
  const char *names[] = {"no-current", "current-sz"};
  for (size_t i = 0; i < 2; i++) {
    sm_hive *h = open_fixture(names[i]);
    sm_select s;
    sm_error err = {0};
    assert_int_equal(sm_hive_select(h, &s, &err), SM_OK);
    assert_false(s.has_current);
    assert_int_equal(s.current, 0);
    assert_true(s.has_default_);
    unsigned id = 99;
    sm_key k = 0;
    assert_int_equal(sm_hive_current_control_set(h, &id, &k, &err),
                     SM_ERR_NO_SELECT);
    assert_non_null(strstr(err.msg, "Current"));
    assert_int_equal(id, 99);
    sm_hive_close(h);
  }
}

static void test_control_sets(void **state) {
  (void)state;
  static const struct {
    const char *name;
    unsigned ids[3];
    size_t n;
  } cases[] = {
      {"win-xp", {1, 3}, 2}, {"win-7", {1, 2}, 2},   {"two-sets", {1, 2}, 2},
      {"win-10", {1}, 1},    {"case-names", {1}, 1},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    sm_hive *h = open_fixture(cases[c].name);
    unsigned *ids;
    size_t n;
    sm_error err = {0};
    assert_int_equal(sm_hive_control_sets(h, &ids, &n, &err), SM_OK);
    assert_int_equal(n, cases[c].n);
    for (size_t i = 0; i < n; i++)
      assert_int_equal(ids[i], cases[c].ids[i]);
    free(ids);
    sm_hive_close(h);
  }
}

static void test_current_control_set(void **state) {
  (void)state;
  sm_hive *h = open_fixture("two-sets");
  unsigned id = 0;
  sm_key k = 0, k2 = 0;
  sm_error err = {0};
  assert_int_equal(sm_hive_current_control_set(h, &id, &k, &err), SM_OK);
  assert_int_equal(id, 2);
  assert_int_equal(sm_hive_control_set(h, 2, &k2, &err), SM_OK);
  assert_int_equal(k, k2);
  char *name = sm_key_name(h, k);
  assert_string_equal(name, "ControlSet002");
  free(name);
  /* Values come from ControlSet002, not 001. */
  sm_key sm = lookup(h, k, "Control\\Session Manager");
  sm_value *v = value(h, sm, "BootExecute");
  assert_int_equal(v->nstrv, 1);
  assert_string_equal(v->strv[0], "autocheck autochk /k:C *");
  sm_value_free(v);
  assert_int_equal(sm_hive_control_set(h, 1, &k2, &err), SM_OK);
  assert_int_not_equal(k, k2);
  sm_hive_close(h);
}

static void test_dangling_current(void **state) {
  (void)state;
  sm_hive *h = open_fixture("dangling-current");
  unsigned id = 0;
  sm_key k = 0;
  sm_error err = {0};
  assert_int_equal(sm_hive_current_control_set(h, &id, &k, &err),
                   SM_ERR_NO_CONTROL_SET);
  assert_int_equal(err.code, SM_ERR_NO_CONTROL_SET);
  assert_non_null(strstr(err.msg, "Current is 5"));
  assert_int_equal(sm_hive_control_set(h, 5, &k, &err), SM_ERR_NO_CONTROL_SET);
  assert_non_null(strstr(err.msg, "ControlSet005"));
  assert_int_equal(sm_hive_control_set(h, 1000, &k, &err),
                   SM_ERR_NO_CONTROL_SET);
  assert_int_equal(sm_hive_control_set(h, 1, &k, &err), SM_OK);
  sm_hive_close(h);
}

static void test_lookup_case_insensitive(void **state) {
  (void)state;
  sm_hive *h = open_fixture("win-10");
  sm_key root = sm_hive_root(h);
  sm_key a = lookup(h, root, SM "\\SubSystems");
  sm_key b =
      lookup(h, root, "controlset001\\CONTROL\\session MANAGER\\subsystems");
  assert_int_equal(a, b);
  char *name = sm_key_name(h, b);
  assert_string_equal(name, "SubSystems");
  free(name);
  /* Stored as "kernel"; "Kernel" and "KERNEL" find it. */
  assert_int_equal(lookup(h, root, SM "\\Kernel"),
                   lookup(h, root, SM "\\KERNEL"));
  assert_int_equal(lookup(h, a, ""), a);
  /* Empty components are skipped, as in "a\\\\b". */
  assert_int_equal(lookup(h, root, "ControlSet001\\\\Control"),
                   lookup(h, root, "ControlSet001\\Control"));

  sm_value *v = value(h, lookup(h, root, SM), "setupexecute");
  assert_string_equal(v->name, "SETUPEXECUTE");
  sm_value_free(v);

  sm_key k = 0;
  sm_error err = {0};
  assert_int_equal(sm_key_lookup(h, root, SM "\\NoSuchKey", &k, &err),
                   SM_ERR_NOT_FOUND);
  assert_non_null(strstr(err.msg, "NoSuchKey"));
  assert_int_equal(sm_key_value(h, a, "NoSuchValue", &v, &err),
                   SM_ERR_NOT_FOUND);
  assert_null(v);
  char *longpath = malloc(10000);
  assert_non_null(longpath);
  memset(longpath, 'a', 9999);
  longpath[9999] = '\0';
  assert_int_equal(sm_key_lookup(h, root, longpath, &k, &err), SM_ERR_LIMIT);
  free(longpath);
  sm_hive_close(h);

  h = open_fixture("case-names");
  root = sm_hive_root(h);
  sm_select s;
  assert_int_equal(sm_hive_select(h, &s, &err), SM_OK);
  assert_true(s.has_current && s.has_failed && s.has_last_known_good);
  unsigned id;
  assert_int_equal(sm_hive_current_control_set(h, &id, &k, &err), SM_OK);
  name = sm_key_name(h, k);
  assert_string_equal(name, "controlset001");
  free(name);
  sm_key ker = lookup(h, k, "Control\\Session Manager\\Kernel");
  name = sm_key_name(h, ker);
  assert_string_equal(name, "KERNEL");
  free(name);
  v = value(h, ker, "ObCaseInsensitive");
  assert_string_equal(v->name, "obcaseinsensitive");
  sm_value_free(v);
  v = value(h, lookup(h, root, "Setup"), "CmdLine");
  assert_string_equal(v->name, "cmdline");
  sm_value_free(v);
  sm_hive_close(h);
}

static void test_subkeys_and_times(void **state) {
  (void)state;
  sm_hive *h = open_fixture("win-10");
  sm_key sm = lookup(h, sm_hive_root(h), SM);
  sm_key *keys;
  size_t n;
  sm_error err = {0};
  assert_int_equal(sm_key_subkeys(h, sm, &keys, &n, &err), SM_OK);
  const char *want[] = {"DOS Devices", "Environment",       "kernel",
                        "KnownDLLs",   "Memory Management", "SubSystems"};
  assert_int_equal(n, 6);
  for (size_t w = 0; w < 6; w++) {
    bool found = false;
    for (size_t i = 0; i < n; i++) {
      char *name = sm_key_name(h, keys[i]);
      found |= strcmp(name, want[w]) == 0;
      free(name);
    }
    if (!found)
      fail_msg("subkey %s missing", want[w]);
  }
  free(keys);
  sm_key sub = lookup(h, sm, "SubSystems");
  assert_int_equal(sm_key_subkeys(h, sub, &keys, &n, &err), SM_OK);
  assert_int_equal(n, 0);
  free(keys);

  uint64_t t = sm_key_last_write(h, sub);
  assert_int_not_equal(t, 0);
  assert_int_not_equal(sm_key_last_write(h, sm_hive_root(h)), 0);
  char buf[32];
  sm_filetime_iso8601(t, buf, sizeof buf);
  assert_int_equal(strlen(buf), 20);
  assert_int_equal(buf[10], 'T');
  assert_int_equal(buf[19], 'Z');
  sm_hive_close(h);
}

static void test_filetime_iso8601(void **state) {
  (void)state;
  char buf[32];
  sm_filetime_iso8601(0, buf, sizeof buf);
  assert_string_equal(buf, "");
  sm_filetime_iso8601(116444736000000000ULL, buf, sizeof buf);
  assert_string_equal(buf, "1970-01-01T00:00:00Z");
  sm_filetime_iso8601(132223104000000000ULL, buf, sizeof buf);
  assert_string_equal(buf, "2020-01-01T00:00:00Z");
  /* 2017-11-23T12:34:56.7Z: fractions are dropped. */
  sm_filetime_iso8601(131559140967000000ULL, buf, sizeof buf);
  assert_string_equal(buf, "2017-11-23T12:34:56Z");
  sm_filetime_iso8601(1, buf, sizeof buf); /* before 1970: unknown */
  assert_string_equal(buf, "");
  sm_filetime_iso8601(116444736000000000ULL, buf, 0); /* no room: no-op */
}

static void test_utf16le_decode(void **state) {
  (void)state;
  bool bad = true;
  char *s =
      sm_utf16le_decode((const unsigned char *)"A\0B\0\0\0C\0", 8, true, &bad);
  assert_string_equal(s, "AB");
  assert_false(bad);
  free(s);
  /* Without stop_at_nul the NUL is kept: the C string ends there. */
  s = sm_utf16le_decode((const unsigned char *)"A\0\0\0C\0", 6, false, &bad);
  assert_memory_equal(s, "A\0C", 4);
  free(s);
  static const unsigned char pair[] = {0x3D, 0xD8, 0x00, 0xDE}; /* U+1F600 */
  s = sm_utf16le_decode(pair, 4, true, &bad);
  assert_string_equal(s, "\xF0\x9F\x98\x80");
  assert_false(bad);
  free(s);
  static const unsigned char lone_hi_end[] = {'x', 0, 0x3D, 0xD8};
  s = sm_utf16le_decode(lone_hi_end, 4, true, &bad);
  assert_string_equal(s, "x\xEF\xBF\xBD");
  assert_true(bad);
  free(s);
  static const unsigned char hi_hi[] = {0x3D, 0xD8, 0x3D, 0xD8, 'y', 0};
  s = sm_utf16le_decode(hi_hi, 6, true, &bad);
  assert_string_equal(s, "\xEF\xBF\xBD\xEF\xBF\xBDy");
  free(s);
  static const unsigned char lone_lo[] = {0x00, 0xDE};
  s = sm_utf16le_decode(lone_lo, 2, true, NULL); /* bad may be NULL */
  assert_string_equal(s, "\xEF\xBF\xBD");
  free(s);
  static const unsigned char bmp[] = {0xE9, 0x00, 0xAC, 0x20, 'z'}; /* odd */
  s = sm_utf16le_decode(bmp, sizeof bmp, true, &bad);
  assert_string_equal(s, "\xC3\xA9\xE2\x82\xAC");
  assert_false(bad);
  free(s);
  s = sm_utf16le_decode(bmp, 0, true, &bad);
  assert_string_equal(s, "");
  free(s);
}

/* Opening and reading never changes the file: bytes, size, mtime. */
static void test_file_unchanged(void **state) {
  (void)state;
  const char *path = tmp_path("evidence.hiv");
  size_t len;
  unsigned char *orig = read_file(fixture("win-10"), &len);
  write_file(path, orig, len);
  /* An mtime in the past, so that any write would show. */
  struct timespec times[2] = {{1000000000, 0}, {1000000000, 123456789}};
  assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
  struct stat before, after;
  assert_int_equal(stat(path, &before), 0);

  for (int pass = 0; pass < 2; pass++) {
    sm_hive *h;
    sm_error err = {0};
    assert_int_equal(sm_hive_open(path, pass ? SM_OPEN_UNSAFE : 0, &h, &err),
                     SM_OK);
    unsigned id;
    sm_key k;
    assert_int_equal(sm_hive_current_control_set(h, &id, &k, &err), SM_OK);
    sm_value **vals;
    size_t n;
    assert_int_equal(sm_key_values(h, lookup(h, k, "Control\\Session Manager"),
                                   &vals, &n, &err),
                     SM_OK);
    sm_values_free(vals, n);
    sm_hive_close(h);
  }

  assert_int_equal(stat(path, &after), 0);
  assert_int_equal(after.st_size, before.st_size);
  assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  assert_int_equal(after.st_ino, before.st_ino);
  size_t len2;
  unsigned char *now = read_file(path, &len2);
  assert_int_equal(len2, len);
  assert_memory_equal(now, orig, len);
  free(now);
  free(orig);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_open_ok),
      cmocka_unit_test(test_open_errors),
      cmocka_unit_test(test_open_corrupt),
      cmocka_unit_test(test_base_block),
      cmocka_unit_test(test_select),
      cmocka_unit_test(test_select_missing),
      cmocka_unit_test(test_select_current_absent_or_sz),
      cmocka_unit_test(test_control_sets),
      cmocka_unit_test(test_current_control_set),
      cmocka_unit_test(test_dangling_current),
      cmocka_unit_test(test_lookup_case_insensitive),
      cmocka_unit_test(test_subkeys_and_times),
      cmocka_unit_test(test_filetime_iso8601),
      cmocka_unit_test(test_utf16le_decode),
      cmocka_unit_test(test_file_unchanged),
  };
  return cmocka_run_group_tests_name("hive", tests, setup_tmpdir,
                                     remove_tmpdir);
}
