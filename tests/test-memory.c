/* Unit tests of sm_hive_open_mem and sm_hive_open_memfile: a hive handed
 * over as bytes, or as a sealed memory file, is the same hive as the file
 * it came from, and the memory file is never changed. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hive/hive.h"
#include "tests/test-util.h"

static void same_as_file(void **state) {
  (void)state;
  size_t len;
  unsigned char *p = read_file(fixture("win-10"), &len);
  sm_hive *a = NULL, *b = NULL;
  sm_error err = {0};
  assert_int_equal(sm_hive_open(fixture("win-10"), 0, &a, &err), SM_OK);
  assert_int_equal(
      sm_hive_open_mem("img:/Windows/SYSTEM", p, len, NULL, 0, 0, &b, &err),
      SM_OK);
  memset(p, 0, len); /* the handle holds its own copy */
  free(p);
  assert_string_equal(sm_hive_path(b), "img:/Windows/SYSTEM");
  assert_int_equal(sm_hive_file_size(b), sm_hive_file_size(a));
  assert_string_equal(sm_hive_sha256(b), sm_hive_sha256(a));
  assert_memory_equal(sm_hive_base(b), sm_hive_base(a), sizeof(sm_base_block));
  assert_false(sm_hive_in_place(b));
  assert_false(sm_hive_recovery(b)->attempted);
  unsigned ia, ib;
  sm_key ka, kb;
  assert_int_equal(sm_hive_current_control_set(a, &ia, &ka, &err), SM_OK);
  assert_int_equal(sm_hive_current_control_set(b, &ib, &kb, &err), SM_OK);
  assert_int_equal(ia, ib);
  assert_int_equal(sm_hive_check_unchanged(b, &err), SM_OK);
  sm_hive_close(a);
  sm_hive_close(b);
}

static void dirty_without_logs(void **state) {
  (void)state;
  size_t len;
  unsigned char *p = read_file(fixture("win-10"), &len);
  p[4]++; /* primary sequence number: dirty, checksum now wrong too */
  sm_hive *h = NULL;
  sm_error err = {0};
  assert_int_equal(
      sm_hive_open_mem("disk.img:/config/SYSTEM", p, len, NULL, 0, 0, &h, &err),
      SM_OK);
  const sm_recovery_info *r = sm_hive_recovery(h);
  assert_true(r->attempted);
  assert_false(r->recovered);
  assert_non_null(strstr(r->warning, "SYSTEM.LOG1"));
  assert_true(sm_hive_base(h)->dirty);
  assert_false(sm_hive_base(h)->checksum_ok);
  sm_hive_close(h);
  /* With --no-recover nothing is attempted. */
  assert_int_equal(
      sm_hive_open_mem("x", p, len, NULL, 0, SM_OPEN_NO_RECOVER, &h, &err),
      SM_OK);
  assert_false(sm_hive_recovery(h)->attempted);
  sm_hive_close(h);
  free(p);
}

static void not_hives(void **state) {
  (void)state;
  unsigned char junk[8192];
  memset(junk, 'A', sizeof junk);
  sm_hive *h = (sm_hive *)1;
  sm_error err = {0};
  assert_int_equal(sm_hive_open_mem("junk", junk, 100, NULL, 0, 0, &h, &err),
                   SM_ERR_NOT_HIVE);
  assert_null(h);
  assert_non_null(strstr(err.msg, "junk: not a registry hive"));
  assert_int_equal(
      sm_hive_open_mem("junk", junk, sizeof junk, NULL, 0, 0, &h, &err),
      SM_ERR_NOT_HIVE);
  assert_null(h);
}

/* sm_memfile_read_fn over bytes in memory. */
static sm_result from_bytes(void *ctx, void *buf, size_t len, uint64_t off,
                            sm_error *err) {
  (void)err;
  memcpy(buf, (const unsigned char *)ctx + off, len);
  return SM_OK;
}

/* A hive in a sealed memory file opens where it is, as the file would;
 * one whose checksum must be mended (here a dirty one, no logs) is mended
 * in a copy: the memory file keeps the bytes as read. */
static void memfile(void **state) {
  (void)state;
  size_t len;
  unsigned char *p = read_file(fixture("win-10"), &len);
  sm_memfile m;
  sm_error err = {0};
  assert_int_equal(sm_memfile_fill(&m, len, from_bytes, p, &err), SM_OK);
  assert_memory_equal(m.data, p, len);
  /* Sealed: nobody can write it. */
  assert_true(pwrite(m.fd, "x", 1, 0) < 0 && errno == EPERM);
  sm_hive *a = NULL, *b = NULL;
  assert_int_equal(sm_hive_open(fixture("win-10"), 0, &a, &err), SM_OK);
  assert_int_equal(sm_hive_open_memfile("img:/SYSTEM", &m, NULL, 0, 0, &b, &err),
                   SM_OK);
  assert_string_equal(sm_hive_sha256(b), sm_hive_sha256(a));
  unsigned ia, ib;
  sm_key ka, kb;
  assert_int_equal(sm_hive_current_control_set(a, &ia, &ka, &err), SM_OK);
  assert_int_equal(sm_hive_current_control_set(b, &ib, &kb, &err), SM_OK);
  assert_int_equal(ia, ib);
  sm_hive_close(b);
  sm_memfile_close(&m);

  p[4]++; /* dirty, checksum wrong: mended before hivex reads it */
  assert_int_equal(sm_memfile_fill(&m, len, from_bytes, p, &err), SM_OK);
  assert_int_equal(sm_hive_open_memfile("img:/SYSTEM", &m, NULL, 0, 0, &b, &err),
                   SM_OK);
  assert_false(sm_hive_base(b)->checksum_ok);
  assert_int_equal(sm_hive_current_control_set(b, &ib, &kb, &err), SM_OK);
  assert_int_equal(ia, ib);
  assert_memory_equal(m.data, p, len); /* the copy was mended, not m */
  sm_hive_close(b);
  sm_hive_close(a);
  sm_memfile_close(&m);
  free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(same_as_file),
      cmocka_unit_test(dirty_without_logs),
      cmocka_unit_test(not_hives),
      cmocka_unit_test(memfile),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
