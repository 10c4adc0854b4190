/* Unit tests of hive/: every function of hive/hive.h, on the fixtures that
 * make check generates in $top_builddir/testdata. */
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

static char tmpdir[256];

static sm_hive *open_fixture(const char *name) {
  sm_hive *h = NULL;
  sm_error err = {0};
  sm_result r = sm_hive_open(fixture(name), 0, &h, &err);
  if (r != SM_OK)
    fail_msg("%s: %s", fixture(name), err.msg);
  assert_non_null(h);
  return h;
}

static void write_file(const char *path, const void *p, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  if (len)
    assert_int_equal(fwrite(p, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

static const char *tmp_path(const char *name) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  return path;
}

/* The regf XOR-32 checksum, computed here independently of hive/base.c. */
static uint32_t xor32(const unsigned char *p) {
  uint32_t sum = 0;
  for (int i = 0; i < 508; i += 4)
    sum ^= sm_le32(p + i);
  return sum == 0 ? 1 : sum == 0xFFFFFFFFu ? 0xFFFFFFFEu : sum;
}

static sm_key lookup(sm_hive *h, sm_key parent, const char *path) {
  sm_key k = 0;
  sm_error err = {0};
  if (sm_key_lookup(h, parent, path, &k, &err) != SM_OK)
    fail_msg("lookup %s: %s", path, err.msg);
  assert_int_not_equal(k, 0);
  return k;
}

static sm_value *value(sm_hive *h, sm_key key, const char *name) {
  sm_value *v = NULL;
  sm_error err = {0};
  if (sm_key_value(h, key, name, &v, &err) != SM_OK)
    fail_msg("value %s: %s", name, err.msg);
  assert_non_null(v);
  return v;
}

#define SM "ControlSet001\\Control\\Session Manager"

static int setup_tmpdir(void **state) {
  (void)state;
  const char *t = getenv("TMPDIR");
  snprintf(tmpdir, sizeof tmpdir, "%s/test-hive.XXXXXX", t ? t : "/tmp");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state) {
  (void)state;
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

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

/* Environment of values.hiv: one value of each type. */
static sm_hive *values_hive(sm_key *env) {
  sm_hive *h = open_fixture("values");
  *env = lookup(h, sm_hive_root(h), SM "\\Environment");
  return h;
}

static void test_value_strings(void **state) {
  (void)state;
  sm_key env;
  sm_hive *h = values_hive(&env);
  const char *s;
  uint32_t d;
  char *const *strv;
  size_t n;

  sm_value *v = value(h, env, "@");
  assert_string_equal(v->name, "");
  assert_int_equal(v->type, SM_REG_SZ);
  assert_int_equal(sm_value_string(v, &s), SM_OK);
  assert_string_equal(s, "default value");
  sm_value_free(v);
  v = value(h, env, "");
  assert_string_equal(v->str, "default value");
  sm_value_free(v);

  v = value(h, env, "Sz");
  assert_int_equal(v->status, SM_OK);
  assert_int_equal(v->len, 12);
  assert_string_equal(v->str, "plain");
  assert_false(v->unterminated || v->odd_length || v->invalid_utf16);
  assert_int_equal(sm_value_dword(v, &d), SM_ERR_TYPE);
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_ERR_TYPE);
  sm_value_free(v);

  v = value(h, env, "ExpandSz"); /* never expanded */
  assert_int_equal(v->type, SM_REG_EXPAND_SZ);
  assert_int_equal(sm_value_string(v, &s), SM_OK);
  assert_string_equal(s, "%SystemRoot%\\system32");
  sm_value_free(v);

  v = value(h, env, "Empty");
  assert_string_equal(v->str, "");
  assert_false(v->unterminated);
  sm_value_free(v);

  v = value(h, env, "Accent");
  assert_string_equal(v->str, "caf\xC3\xA9");
  sm_value_free(v);
  v = value(h, env, "Emoji");
  assert_string_equal(v->str, "\xF0\x9F\x98\x80");
  assert_false(v->invalid_utf16);
  sm_value_free(v);

  v = value(h, env, "OddLength");
  assert_int_equal(v->len, 5);
  assert_true(v->odd_length);
  assert_true(v->unterminated);
  assert_string_equal(v->str, "AB");
  sm_value_free(v);

  v = value(h, env, "LoneSurrogate");
  assert_true(v->invalid_utf16);
  assert_string_equal(v->str, "A\xEF\xBF\xBD"
                              "B");
  assert_int_equal(sm_value_string(v, &s), SM_OK);
  sm_value_free(v);
  v = value(h, env, "LoneLow");
  assert_true(v->invalid_utf16);
  assert_string_equal(v->str, "\xEF\xBF\xBD");
  sm_value_free(v);

  v = value(h, env, "NoNul");
  assert_true(v->unterminated);
  assert_false(v->odd_length);
  assert_string_equal(v->str, "AB");
  sm_value_free(v);

  /* Control characters and escapes come through as stored: the caller
   * escapes before printing. */
  v = value(h, env, "Controls");
  assert_string_equal(v->str, "a\tb\r\nc\ad");
  sm_value_free(v);
  v = value(h, env, "Escape");
  assert_string_equal(v->str, "\x1b[31mRED\x1b[0m");
  sm_value_free(v);
  sm_hive_close(h);
}

static void test_value_multi(void **state) {
  (void)state;
  sm_key env;
  sm_hive *h = values_hive(&env);
  char *const *strv;
  size_t n;
  const char *s;

  sm_value *v = value(h, env, "Multi");
  assert_int_equal(v->type, SM_REG_MULTI_SZ);
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 2);
  assert_string_equal(strv[0], "one");
  assert_string_equal(strv[1], "two");
  assert_null(strv[2]);
  assert_false(v->unterminated);
  assert_int_equal(sm_value_string(v, &s), SM_ERR_TYPE);
  sm_value_free(v);

  v = value(h, env, "MultiNoTerm");
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 1);
  assert_string_equal(strv[0], "one");
  assert_true(v->unterminated);
  sm_value_free(v);

  v = value(h, env, "MultiEmpty");
  assert_int_equal(v->len, 2);
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 0);
  assert_null(strv[0]);
  assert_false(v->unterminated);
  sm_value_free(v);

  v = value(h, env, "MultiBad");
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 1);
  assert_string_equal(strv[0], "A\xEF\xBF\xBD");
  assert_true(v->invalid_utf16);
  sm_value_free(v);

  v = value(h, env, "EscapeMulti");
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 1);
  assert_string_equal(strv[0], "\x1b]0;title\a");
  sm_value_free(v);
  sm_hive_close(h);

  /* BootExecute as one real Windows 10 hive stores it. */
  h = open_fixture("unterminated-multi");
  sm_key sm = lookup(h, sm_hive_root(h), SM);
  v = value(h, sm, "BootExecute");
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 1);
  assert_string_equal(strv[0], "autocheck autochk *");
  assert_true(v->unterminated);
  sm_value_free(v);
  v = value(h, sm, "ExcludeFromKnownDlls");
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 2);
  assert_string_equal(strv[1], "b.dll");
  assert_true(v->unterminated);
  sm_value_free(v);
  v = value(h, sm, "SetupExecute"); /* 0 bytes: an empty list */
  assert_int_equal(v->len, 0);
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_OK);
  assert_int_equal(n, 0);
  assert_false(v->unterminated);
  sm_value_free(v);
  sm_hive_close(h);
}

static void test_value_numbers(void **state) {
  (void)state;
  sm_key env;
  sm_hive *h = values_hive(&env);
  uint32_t d = 0;
  const char *s;

  sm_value *v = value(h, env, "Dword");
  assert_int_equal(v->type, SM_REG_DWORD);
  assert_true(v->has_num);
  assert_int_equal(v->num, 31);
  assert_int_equal(sm_value_dword(v, &d), SM_OK);
  assert_int_equal(d, 31);
  assert_int_equal(sm_value_string(v, &s), SM_ERR_TYPE);
  sm_value_free(v);

  v = value(h, env, "DwordBE");
  assert_int_equal(v->type, SM_REG_DWORD_BIG_ENDIAN);
  assert_int_equal(sm_value_dword(v, &d), SM_OK);
  assert_int_equal(d, 0x102);
  sm_value_free(v);

  v = value(h, env, "Qword");
  assert_int_equal(v->type, SM_REG_QWORD);
  assert_true(v->has_num);
  assert_int_equal(v->num, 0x0102030405060708ULL);
  assert_int_equal(sm_value_dword(v, &d), SM_ERR_TYPE);
  sm_value_free(v);

  /* Too short for their type: the value says so, nothing crashes. */
  const char *shorts[] = {"DwordZero", "DwordShort", "DwordBEZero"};
  for (size_t i = 0; i < 3; i++) {
    v = value(h, env, shorts[i]);
    assert_int_equal(v->status, SM_ERR_TYPE);
    assert_false(v->has_num);
    d = 7;
    assert_int_equal(sm_value_dword(v, &d), SM_ERR_TYPE);
    assert_int_equal(d, 7);
    sm_value_free(v);
  }
  sm_hive_close(h);

  h = open_fixture("wrong-types");
  sm_key sm = lookup(h, sm_hive_root(h), SM);
  v = value(h, sm, "ProtectionMode"); /* a REG_SZ "1" */
  assert_int_equal(v->status, SM_OK);
  assert_int_equal(sm_value_dword(v, &d), SM_ERR_TYPE);
  sm_value_free(v);
  v = value(h, sm, "AutoChkTimeout"); /* a REG_QWORD of 3 bytes */
  assert_int_equal(v->status, SM_ERR_TYPE);
  sm_value_free(v);
  v = value(h, lookup(h, sm, "SubSystems"), "Required");
  char *const *strv;
  size_t n;
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_ERR_TYPE);
  sm_value_free(v);
  sm_hive_close(h);
}

static void test_value_other_types(void **state) {
  (void)state;
  sm_key env;
  sm_hive *h = values_hive(&env);
  const char *s;
  uint32_t d;
  char *const *strv;
  size_t n;

  sm_value *v = value(h, env, "Binary");
  assert_int_equal(v->type, SM_REG_BINARY);
  assert_int_equal(v->len, 4);
  assert_memory_equal(v->data, "\xde\xad\xbe\xef", 4);
  assert_null(v->str);
  assert_null(v->strv);
  assert_false(v->has_num);
  assert_int_equal(sm_value_string(v, &s), SM_ERR_TYPE);
  assert_int_equal(sm_value_dword(v, &d), SM_ERR_TYPE);
  assert_int_equal(sm_value_multi(v, &strv, &n), SM_ERR_TYPE);
  sm_value_free(v);

  v = value(h, env, "None");
  assert_int_equal(v->type, SM_REG_NONE);
  assert_int_equal(v->status, SM_OK);
  assert_int_equal(v->len, 0);
  sm_value_free(v);
  v = value(h, env, "NoneData");
  assert_int_equal(v->type, SM_REG_NONE);
  assert_int_equal(v->len, 2);
  sm_value_free(v);

  v = value(h, env, "Unknown");
  assert_int_equal(v->type, 0x1234);
  assert_int_equal(v->status, SM_OK);
  assert_int_equal(v->len, 3);
  assert_null(sm_type_name(v->type));
  sm_value_free(v);

  /* All values, in stored order. */
  sm_value **vals;
  sm_error err = {0};
  assert_int_equal(sm_key_values(h, env, &vals, &n, &err), SM_OK);
  assert_int_equal(n, 27);
  assert_string_equal(vals[0]->name, "");
  assert_string_equal(vals[1]->name, "Sz");
  assert_string_equal(vals[n - 1]->name, "EscapeMulti");
  sm_values_free(vals, n);
  sm_values_free(NULL, 0);
  sm_value_free(NULL);

  /* A key without values. */
  sm_hive_close(h);
  h = open_fixture("empty-keys");
  sm_key sub = lookup(h, sm_hive_root(h), SM "\\SubSystems");
  assert_int_equal(sm_key_values(h, sub, &vals, &n, &err), SM_OK);
  assert_int_equal(n, 0);
  sm_values_free(vals, n);
  sm_hive_close(h);

  /* 64 KiB in one value. */
  h = open_fixture("long-value");
  v = value(h, lookup(h, sm_hive_root(h), SM "\\Environment"), "Path");
  assert_int_equal(v->len, 65536);
  assert_int_equal(strlen(v->str), 32767);
  assert_false(v->unterminated);
  sm_value_free(v);
  sm_hive_close(h);
}

static void test_types_and_errors(void **state) {
  (void)state;
  assert_string_equal(sm_type_name(SM_REG_SZ), "REG_SZ");
  assert_string_equal(sm_type_name(SM_REG_QWORD), "REG_QWORD");
  assert_string_equal(sm_type_name(SM_REG_RESOURCE_REQUIREMENTS_LIST),
                      "REG_RESOURCE_REQUIREMENTS_LIST");
  assert_null(sm_type_name(12));
  uint32_t t = 99;
  assert_true(sm_type_parse("reg_multi_sz", &t));
  assert_int_equal(t, SM_REG_MULTI_SZ);
  assert_true(sm_type_parse("REG_NONE", &t));
  assert_int_equal(t, SM_REG_NONE);
  assert_false(sm_type_parse("REG_SZZ", &t));
  assert_false(sm_type_parse("", &t));
  for (int r = SM_OK; r <= SM_ERR_INTERNAL; r++) {
    const char *s = sm_result_str((sm_result)r);
    assert_non_null(s);
    assert_string_not_equal(s, "unknown error");
  }
  assert_string_equal(sm_result_str((sm_result)999), "unknown error");
  sm_error err = {0};
  assert_int_equal(sm_error_set(&err, SM_ERR_LIMIT, "%s %d", "x", 5),
                   SM_ERR_LIMIT);
  assert_int_equal(err.code, SM_ERR_LIMIT);
  assert_string_equal(err.msg, "x 5");
  assert_int_equal(sm_error_set(NULL, SM_ERR_IO, "ignored"), SM_ERR_IO);
  char big[1000];
  memset(big, 'y', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  sm_error_set(&err, SM_ERR_IO, "%s", big); /* truncated, terminated */
  assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
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
      cmocka_unit_test(test_value_strings),
      cmocka_unit_test(test_value_multi),
      cmocka_unit_test(test_value_numbers),
      cmocka_unit_test(test_value_other_types),
      cmocka_unit_test(test_types_and_errors),
      cmocka_unit_test(test_file_unchanged),
  };
  return cmocka_run_group_tests_name("hive", tests, setup_tmpdir,
                                     remove_tmpdir);
}
