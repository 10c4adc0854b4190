/* Transaction-log replay from files: logs found beside the hive in any
 * case, nothing written; the growth a hostile log may ask for and the
 * bytes read from all logs, bounded. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hive/hive-internal.h"
#include "tests/test-recover-util.h"

static void write_file(const char *dir, const char *name,
                       const unsigned char *p, size_t len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(p, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

/* A small log whose one valid entry declares 2 GiB of hive bins: the image
 * never grows beyond what the hive and its logs can fill, and the warning
 * names the log (a 2 GiB image of zeros before). */
static void hostile_growth(void **state) {
  (void)state;
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  logbuf l;
  log_new(&l, 4, 6, 2 * PAGE);
  uint32_t o = 0;
  add_entry(&l, 5, 0x7FFFF000u, &o, 1, 'B');
  while (l.len < 16384) /* 16 KiB, as found: later entries do not matter */
    add_entry(&l, 6 + (uint32_t)(l.len / PAGE), 2 * PAGE, &o, 1, 'C');
  sm_recovery_info info = replay(&img, &len, &l, NULL);
  assert_false(info.recovered);
  assert_int_equal(len, PAGE + 2 * PAGE);
  assert_contains(info.warning, "SYSTEM.LOG1: bad log entry at offset 512");
  assert_contains(info.warning, "hive bins data size 2147479552 is more than "
                                "the hive and its logs can fill");
  assert_int_equal(img[PAGE + 100], 'A');
  free(img);

  /* Growth by what the logs hold is kept: two pages more from 8 KiB+. */
  img = primary(5, 4, 2 * PAGE, &len);
  free(l.p);
  log_new(&l, 4, 6, 2 * PAGE);
  uint32_t offs[] = {2 * PAGE, 3 * PAGE};
  add_entry(&l, 5, 4 * PAGE, offs, 2, 'D');
  info = replay(&img, &len, &l, NULL);
  assert_true(info.recovered);
  assert_int_equal(len, PAGE + 4 * PAGE);
  assert_int_equal(img[PAGE + 3 * PAGE + 9], 'D');
  free(img);
  free(l.p);

  /* The old format: a bitmap for 2 GiB with one dirty page. */
  img = primary(5, 4, 2 * PAGE, &len);
  size_t bytes = 0x7FFFF000u / 512 / 8;
  l.len = 512 + 512 + (4 + bytes + 511) / 512 * 512 + 512;
  l.p = calloc(1, l.len);
  assert_non_null(l.p);
  base_block(l.p, 5, 5, 1, 0x7FFFF000u);
  memcpy(l.p + 512, "DIRT", 4);
  l.p[516] = 0x01;
  info = replay(&img, &len, &l, NULL);
  assert_false(info.recovered);
  assert_int_equal(len, PAGE + 2 * PAGE);
  assert_contains(info.warning, "SYSTEM.LOG1 skipped: hive bins data size "
                                "2147479552 is more than the hive and its "
                                "logs can fill");
  free(img);
  free(l.p);
}

/* Logs are found beside the hive whatever their case; nothing is written. */
static void logs_found_on_disk(void **state) {
  (void)state;
  char dir[] = "/tmp/smaudit-test-recover.XXXXXX";
  assert_non_null(mkdtemp(dir));
  size_t len;
  unsigned char *img = primary(5, 4, 2 * PAGE, &len);
  write_file(dir, "system", img, len);
  logbuf l;
  log_new(&l, 4, 6, 2 * PAGE);
  uint32_t o = 0;
  add_entry(&l, 4, 2 * PAGE, &o, 1, 'B');
  write_file(dir, "SYSTEM.log1", l.p, l.len);
  write_file(dir, "system.LOG", (const unsigned char *)"", 0);
  write_file(dir, "systemx.LOG2", l.p, l.len); /* another hive's log */

  char path[512];
  snprintf(path, sizeof path, "%s/system", dir);
  sm_recovery_info info;
  sm_error err;
  assert_int_equal(sm_recover_apply(path, &img, &len, &info, &err), SM_OK);
  assert_true(info.attempted);
  assert_true(info.recovered);
  assert_string_equal(info.logs, "SYSTEM.log1");
  assert_string_equal(info.warning, "");
  assert_int_equal(img[PAGE + 100], 'B');

  snprintf(path, sizeof path, "%s/SYSTEM.log1", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/system", dir);
  free(img);
  img = primary(5, 4, 2 * PAGE, &len);
  assert_int_equal(sm_recover_apply(path, &img, &len, &info, &err), SM_OK);
  assert_true(info.attempted);
  assert_false(info.recovered);
  assert_contains(info.warning, "no usable transaction log");

  snprintf(path, sizeof path, "%s/system.LOG", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/system", dir);
  assert_int_equal(sm_recover_apply(path, &img, &len, &info, &err), SM_OK);
  assert_true(info.attempted);
  assert_false(info.recovered);
  assert_contains(info.warning, "no transaction logs found");

  const char *names[] = {"system", "systemx.LOG2"};
  for (size_t i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    unlink(path);
  }
  assert_int_equal(rmdir(dir), 0);
  free(img);
  free(l.p);
}

/* A new-format log of 300 MiB of 1 MiB HvLE entries, made as it is read
 * (sm_log_read_fn): the base block, then each entry's header. */
#define CAP_ENTRY ((uint64_t)1 << 20)
static sm_result cap_read(void *ctx, void *buf, size_t len, uint64_t off,
                          sm_error *err) {
  (void)ctx;
  (void)err;
  unsigned char *b = buf;
  memset(b, 0, len);
  if (off == 0 && len >= 32) {
    memcpy(b, "regf", 4);
    b[28] = 6; /* a new-format log */
  }
  for (uint64_t at = 512; at < off + len; at += CAP_ENTRY)
    if (at >= off && at + 8 <= off + len) {
      memcpy(b + (at - off), "HvLE", 4);
      uint32_t e = (uint32_t)CAP_ENTRY;
      memcpy(b + (at - off) + 4, &e, 4); /* little-endian here */
    }
  return SM_OK;
}

/* The 256 MiB read from all of a hive's logs (SM_HIVE_LOG_READ_MAX): a
 * 300 MiB log of valid entries is read up to the last whole entry within
 * it, and said cut; the next log finds the budget spent. */
static void logs_capped_at_256_mib(void **state) {
  (void)state;
  assert_int_equal(SM_HIVE_LOG_READ_MAX, (uint64_t)256 << 20);
  uint64_t budget = SM_HIVE_LOG_READ_MAX;
  unsigned char *data = NULL;
  size_t len = 0;
  char cut[160];
  sm_error err = {0};
  assert_int_equal(sm_hive_read_log((uint64_t)300 << 20, cap_read, NULL,
                                    &budget, &data, &len, cut, sizeof cut,
                                    &err),
                   SM_OK);
  assert_int_equal(len, 512 + 255 * CAP_ENTRY);
  assert_true(len <= SM_HIVE_LOG_READ_MAX);
  assert_non_null(strstr(cut, "logs are read up to 256 MiB in all"));
  assert_int_equal(budget, SM_HIVE_LOG_READ_MAX - len);
  free(data);
  /* a second log of the same hive: nothing of it fits any more */
  data = NULL;
  sm_result r = sm_hive_read_log((uint64_t)300 << 20, cap_read, NULL, &budget,
                                 &data, &len, cut, sizeof cut, &err);
  assert_true(r == SM_ERR_LIMIT || (r == SM_OK && len < CAP_ENTRY));
  free(data);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(logs_capped_at_256_mib),
      cmocka_unit_test(logs_found_on_disk),
      cmocka_unit_test(hostile_growth),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
