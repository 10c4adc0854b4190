/* Helpers of hive/'s unit programs (tests/test-hive.c,
 * tests/test-hive-values.c): fixtures opened, keys and values looked up,
 * files written in a private folder (each helper marked unused: a program
 * may not call them all).  Include after <cmocka.h>. */
#ifndef SM_TEST_HIVE_UTIL_H
#define SM_TEST_HIVE_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hive/hive.h"
#include "tests/test-util.h"

static char tmpdir[256];

__attribute__((unused)) static sm_hive *open_fixture(const char *name) {
  sm_hive *h = NULL;
  sm_error err = {0};
  sm_result r = sm_hive_open(fixture(name), 0, &h, &err);
  if (r != SM_OK)
    fail_msg("%s: %s", fixture(name), err.msg);
  assert_non_null(h);
  return h;
}

__attribute__((unused)) static void write_file(const char *path, const void *p,
                                               size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  if (len)
    assert_int_equal(fwrite(p, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

__attribute__((unused)) static const char *tmp_path(const char *name) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  return path;
}

/* The regf XOR-32 checksum, computed here independently of hive/base.c. */
__attribute__((unused)) static uint32_t xor32(const unsigned char *p) {
  uint32_t sum = 0;
  for (int i = 0; i < 508; i += 4)
    sum ^= sm_le32(p + i);
  return sum == 0 ? 1 : sum == 0xFFFFFFFFu ? 0xFFFFFFFEu : sum;
}

__attribute__((unused)) static sm_key lookup(sm_hive *h, sm_key parent,
                                             const char *path) {
  sm_key k = 0;
  sm_error err = {0};
  if (sm_key_lookup(h, parent, path, &k, &err) != SM_OK)
    fail_msg("lookup %s: %s", path, err.msg);
  assert_int_not_equal(k, 0);
  return k;
}

__attribute__((unused)) static sm_value *value(sm_hive *h, sm_key key,
                                               const char *name) {
  sm_value *v = NULL;
  sm_error err = {0};
  if (sm_key_value(h, key, name, &v, &err) != SM_OK)
    fail_msg("value %s: %s", name, err.msg);
  assert_non_null(v);
  return v;
}

#define SM "ControlSet001\\Control\\Session Manager"

__attribute__((unused)) static int setup_tmpdir(void **state) {
  (void)state;
  const char *t = getenv("TMPDIR");
  snprintf(tmpdir, sizeof tmpdir, "%s/test-hive.XXXXXX", t ? t : "/tmp");
  return mkdtemp(tmpdir) ? 0 : -1;
}

__attribute__((unused)) static int remove_tmpdir(void **state) {
  (void)state;
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

#endif
