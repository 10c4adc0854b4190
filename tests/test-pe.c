/* Unit tests of the PE reader (checks/pe*.c): headers, the Authenticode
 * digest, the checksum and the version resource, on small images built
 * here (hostile ones included) and on the real files of ../shared/pe
 * (SMAUDIT_PE, else beside the hives of SMAUDIT_CORPUS, else
 * ../shared/pe beside the source), skipped with the reason when absent. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <nettle/nettle-meta.h>

#include "base/le.h"
#include "checks/pe.h"
#include "tests/test-util.h"

/* The folder of the real PE files, or NULL. */
static const char *pe_dir(void) { return shared_pe_dir(); }

static unsigned char *shared_file(const char *name, size_t *len) {
  const char *dir = pe_dir();
  if (!dir)
    return NULL;
  char path[1200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return read_file(path, len);
}

static void hex(const unsigned char *d, size_t n, char *out) {
  for (size_t i = 0; i < n; i++)
    sprintf(out + 2 * i, "%02X", d[i]);
}

/* A PE32+ image in buf (4096 bytes): headers, one section at RVA 0x1000,
 * file offset 0x200, 0xe00 bytes long, holding the resource directory. */
enum { IMG = 4096, SEC_RAW = 0x200, SEC_VA = 0x1000 };
static void build(unsigned char *b, uint16_t subsystem, uint16_t chars) {
  memset(b, 0, IMG);
  b[0] = 'M';
  b[1] = 'Z';
  sm_put_le32(b + 0x3c, 64);
  memcpy(b + 64, "PE\0\0", 4);
  unsigned char *fh = b + 68;
  sm_put_le16(fh, 0x8664);
  sm_put_le16(fh + 2, 1);
  sm_put_le16(fh + 16, 240);
  sm_put_le16(fh + 18, chars);
  unsigned char *opt = fh + 20;
  sm_put_le16(opt, 0x20b);
  sm_put_le32(opt + 60, SEC_RAW);
  sm_put_le16(opt + 68, subsystem);
  sm_put_le32(opt + 108, 16);
  sm_put_le32(opt + 112 + 16, SEC_VA); /* resources */
  sm_put_le32(opt + 112 + 20, IMG - SEC_RAW);
  unsigned char *sec = opt + 240;
  memcpy(sec, ".rsrc", 5);
  sm_put_le32(sec + 8, IMG - SEC_RAW);
  sm_put_le32(sec + 12, SEC_VA);
  sm_put_le32(sec + 16, IMG - SEC_RAW);
  sm_put_le32(sec + 20, SEC_RAW);
}

/* A resource directory with one ID entry at offset at of the section. */
static void res_dir(unsigned char *b, size_t at, uint32_t id, uint32_t to) {
  unsigned char *d = b + SEC_RAW + at;
  sm_put_le16(d + 14, 1);
  sm_put_le32(d + 16, id);
  sm_put_le32(d + 20, to);
}

/* UTF-16LE of ascii at p; returns the bytes written with the NUL. */
static size_t u16(unsigned char *p, const char *s) {
  size_t n = strlen(s) + 1;
  for (size_t i = 0; i < n; i++) {
    p[2 * i] = (unsigned char)s[i];
    p[2 * i + 1] = 0;
  }
  return 2 * n;
}

/* A version node: header, key, padding, value (text), at p. */
static size_t vnode(unsigned char *p, const char *key, const char *text,
                    size_t children) {
  size_t at = 6 + u16(p + 6, key);
  at = (at + 3) & ~(size_t)3;
  size_t vlen = 0;
  if (text) {
    vlen = u16(p + at, text);
    at = (at + vlen + 3) & ~(size_t)3;
  }
  sm_put_le16(p, (uint16_t)(at + children));
  sm_put_le16(p + 2, (uint16_t)(vlen / 2));
  sm_put_le16(p + 4, 1);
  return at;
}

/* A full tree: RT_VERSION -> 1 -> 0x409 -> data at section offset 0x100. */
static void version_tree(unsigned char *b, const char *company,
                         const char *orig) {
  res_dir(b, 0, 16, 0x80000000u | 0x20);
  res_dir(b, 0x20, 1, 0x80000000u | 0x40);
  res_dir(b, 0x40, 0x409, 0x60);
  unsigned char *de = b + SEC_RAW + 0x60;
  sm_put_le32(de, SEC_VA + 0x100);
  unsigned char s1[256], s2[256], tbl[64], sfi[64], root[64];
  size_t n1 = vnode(s1, "CompanyName", company, 0);
  size_t n2 = vnode(s2, "OriginalFilename", orig, 0);
  size_t nt = vnode(tbl, "040904b0", NULL, n1 + n2);
  size_t ns = vnode(sfi, "StringFileInfo", NULL, nt + n1 + n2);
  size_t nr = vnode(root, "VS_VERSION_INFO", NULL, ns + nt + n1 + n2);
  unsigned char *v = b + SEC_RAW + 0x100;
  size_t at = 0;
  memcpy(v + at, root, nr), at += nr;
  memcpy(v + at, sfi, ns), at += ns;
  memcpy(v + at, tbl, nt), at += nt;
  memcpy(v + at, s1, n1), at += n1;
  memcpy(v + at, s2, n2), at += n2;
  sm_put_le32(de + 4, (uint32_t)at);
}

static void test_headers(void **state) {
  (void)state;
  unsigned char b[IMG];
  build(b, 1, 0x2022);
  sm_pe pe;
  sm_error err;
  assert_int_equal(sm_pe_parse(&pe, b, IMG, &err), SM_OK);
  assert_string_equal(sm_pe_machine_name(pe.machine), "x64");
  assert_string_equal(sm_pe_subsystem_name(pe.subsystem), "native");
  assert_true(sm_pe_is_dll(&pe));
  assert_true(pe.pe32plus);
  build(b, 2, 0x22);
  assert_int_equal(sm_pe_parse(&pe, b, IMG, &err), SM_OK);
  assert_false(sm_pe_is_dll(&pe));
  assert_string_equal(sm_pe_subsystem_name(pe.subsystem), "windows-gui");
  assert_null(sm_pe_subsystem_name(999));
}

static void test_version(void **state) {
  (void)state;
  unsigned char b[IMG];
  build(b, 1, 0x22);
  version_tree(b, "Contoso Ltd", "bootprog.exe");
  sm_pe pe;
  sm_pe_version v;
  sm_error err;
  assert_int_equal(sm_pe_parse(&pe, b, IMG, &err), SM_OK);
  assert_int_equal(sm_pe_version_read(&pe, &v, &err), SM_OK);
  assert_string_equal(v.company_name, "Contoso Ltd");
  assert_string_equal(v.original_filename, "bootprog.exe");
  assert_null(v.product_name);
  sm_pe_version_free(&v);
}

/* Hostile trees: a directory naming itself, sizes beyond the file, a block
 * whose length is zero: an error or no version, in bounded time. */
static void test_version_hostile(void **state) {
  (void)state;
  unsigned char b[IMG];
  sm_pe pe;
  sm_pe_version v;
  sm_error err;
  build(b, 1, 0x22);
  res_dir(b, 0, 16, 0x80000000u); /* the type directory is the root */
  assert_int_equal(sm_pe_parse(&pe, b, IMG, &err), SM_OK);
  sm_result r = sm_pe_version_read(&pe, &v, &err);
  assert_true(r == SM_OK || r == SM_ERR_CORRUPT);
  sm_pe_version_free(&v);

  build(b, 1, 0x22);
  version_tree(b, "A", "B");
  sm_put_le32(b + SEC_RAW + 0x60 + 4, 0xfffffff0u); /* block size */
  assert_int_equal(sm_pe_parse(&pe, b, IMG, &err), SM_OK);
  assert_int_equal(sm_pe_version_read(&pe, &v, &err), SM_ERR_CORRUPT);

  build(b, 1, 0x22);
  version_tree(b, "A", "B");
  sm_put_le16(b + SEC_RAW + 0x100, 0); /* wLength 0 */
  assert_int_equal(sm_pe_parse(&pe, b, IMG, &err), SM_OK);
  assert_int_equal(sm_pe_version_read(&pe, &v, &err), SM_ERR_CORRUPT);

  build(b, 1, 0x22);
  res_dir(b, 0, 16, 0x80000000u | 0x20);
  sm_put_le16(b + SEC_RAW + 0x20 + 14, 0xffff); /* 65535 entries */
  assert_int_equal(sm_pe_parse(&pe, b, IMG, &err), SM_OK);
  assert_int_equal(sm_pe_version_read(&pe, &v, &err), SM_ERR_CORRUPT);
}

static void test_hostile_headers(void **state) {
  (void)state;
  unsigned char b[IMG];
  sm_pe pe;
  sm_error err;
  build(b, 1, 0x22);
  sm_put_le32(b + 0x3c, 0xfffffff0u);
  assert_int_equal(sm_pe_parse(&pe, b, IMG, &err), SM_ERR_CORRUPT);
  build(b, 1, 0x22);
  sm_put_le16(b + 68 + 2, 0xffff); /* sections beyond the file */
  assert_int_equal(sm_pe_parse(&pe, b, IMG, &err), SM_ERR_CORRUPT);
  build(b, 1, 0x22);
  sm_put_le32(b + 88 + 112 + 32, 0x800); /* certificate table */
  sm_put_le32(b + 88 + 112 + 36, 0xffffff00u);
  assert_int_equal(sm_pe_parse(&pe, b, IMG, &err), SM_ERR_CORRUPT);
  assert_non_null(strstr(err.msg, "certificate table"));
  /* Every prefix of a valid image: an error or facts, never a read past
   * the end (ASan and valgrind watch). */
  build(b, 1, 0x22);
  version_tree(b, "A", "B");
  for (size_t n = 0; n <= IMG; n += n < 600 ? 1 : 97) {
    unsigned char *p = malloc(n ? n : 1);
    memcpy(p, b, n);
    if (sm_pe_parse(&pe, p, n, &err) == SM_OK) {
      sm_pe_version v;
      unsigned char d[32];
      if (sm_pe_version_read(&pe, &v, &err) == SM_OK)
        sm_pe_version_free(&v);
      sm_pe_digest(&pe, &nettle_sha256, false, d, NULL, &err);
      (void)sm_pe_checksum_compute(&pe);
    }
    free(p);
  }
}

static void digest_is(const char *name, const struct nettle_hash *h,
                      const char *want) {
  size_t len;
  unsigned char *d = shared_file(name, &len);
  if (!d)
    return;
  sm_pe pe;
  sm_error err;
  assert_int_equal(sm_pe_parse(&pe, d, len, &err), SM_OK);
  unsigned char md[64];
  char got[129];
  bool trailing = true;
  assert_int_equal(sm_pe_digest(&pe, h, false, md, &trailing, &err), SM_OK);
  hex(md, h->digest_size, got);
  assert_string_equal(got, want);
  assert_false(trailing);
  free(d);
}

/* The digests osslsigncode 2.5 computes for the same files. */
static void test_shared_digests(void **state) {
  (void)state;
  if (!pe_dir()) {
    printf("# skipped: no ../shared/pe (SMAUDIT_PE)\n");
    return;
  }
  digest_is("pciide.sys", &nettle_sha1,
            "9BD444D58B59CCA832BB5FC911F81F6C66B40FCC");
  digest_is("7z1900-x64_signed.exe", &nettle_sha1,
            "7F0139E4B2016D37A8E151B65268056F00CE4768");
  digest_is("DXCore.dll", &nettle_sha256,
            "06FA542CA0A1626E11E99E79896C9EAA79B5CFC3F9AD0AC8B84D4B2E8C5A292C");
}

static void test_shared_facts(void **state) {
  (void)state;
  size_t len;
  unsigned char *d = shared_file("pciide.sys", &len);
  if (!d) {
    printf("# skipped: no ../shared/pe (SMAUDIT_PE)\n");
    return;
  }
  sm_pe pe;
  sm_pe_version v;
  sm_error err;
  assert_int_equal(sm_pe_parse(&pe, d, len, &err), SM_OK);
  assert_string_equal(sm_pe_subsystem_name(pe.subsystem), "native");
  assert_false(sm_pe_is_dll(&pe));
  assert_int_equal(sm_pe_checksum_compute(&pe), pe.checksum);
  assert_true(pe.cert_size > 0);
  assert_int_equal(sm_pe_version_read(&pe, &v, &err), SM_OK);
  assert_string_equal(v.company_name, "Microsoft Corporation");
  assert_string_equal(v.original_filename, "pciide.sys");
  sm_pe_version_free(&v);
  free(d);
  d = shared_file("DXCore.dll", &len);
  assert_int_equal(sm_pe_parse(&pe, d, len, &err), SM_OK);
  assert_true(sm_pe_is_dll(&pe));
  assert_true(pe.cert_size > 0); /* also signed inside */
  assert_int_equal(sm_pe_version_read(&pe, &v, &err), SM_OK);
  assert_string_equal(v.original_filename, "DXCore.DLL"); /* as stored */
  sm_pe_version_free(&v);
  free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_headers),
      cmocka_unit_test(test_version),
      cmocka_unit_test(test_version_hostile),
      cmocka_unit_test(test_hostile_headers),
      cmocka_unit_test(test_shared_digests),
      cmocka_unit_test(test_shared_facts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
