/* The empty hive gen-hive starts from (hivex cannot create a hive from
 * nothing): base block, one hbin with a root key and its security cell. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/le.h"
#include "testdata/gen-hive.h"
#include "testdata/regf-sid.h"

/* The empty hive.  Offsets of cells are relative to the first hbin. */
enum {
  BLOCK = 4096,
  HBIN_HEADER = 32,
  ROOT_OFF = HBIN_HEADER,
  ROOT_NAME_LEN = 4, /* "ROOT" */
  ROOT_CELL = 88,    /* 4 + 76 + 4, rounded up to 8 */
  SK_OFF = ROOT_OFF + ROOT_CELL,
};

/* An access-allowed ACE that containers inherit. */
static size_t put_ace(unsigned char *p, uint32_t mask, uint8_t authority,
                      const uint32_t *sub, uint8_t nsub) {
  p[0] = 0;    /* ACCESS_ALLOWED_ACE_TYPE */
  p[1] = 0x02; /* CONTAINER_INHERIT_ACE */
  sm_put_le32(p + 4, mask);
  size_t n = 8 + regf_put_sid(p + 8, authority, sub, nsub);
  sm_put_le16(p + 2, (uint16_t)n);
  return n;
}

/* A self-relative security descriptor: owner Administrators, group SYSTEM,
 * DACL granting full control to SYSTEM and Administrators, read to
 * Everyone.  Returns its length. */
static size_t put_security_descriptor(unsigned char *sd) {
  static const uint32_t system[] = {18}, admins[] = {32, 544}, world[] = {0};
  const uint32_t key_all_access = 0xF003F, key_read = 0x20019;
  size_t acl = 20, n = acl + 8;
  n += put_ace(sd + n, key_all_access, 5, system, 1);
  n += put_ace(sd + n, key_all_access, 5, admins, 2);
  n += put_ace(sd + n, key_read, 1, world, 1);
  sd[acl] = 2; /* ACL_REVISION */
  sm_put_le16(sd + acl + 2, (uint16_t)(n - acl));
  sm_put_le16(sd + acl + 4, 3);
  size_t owner = n;
  n += regf_put_sid(sd + n, 5, admins, 2);
  size_t group = n;
  n += regf_put_sid(sd + n, 5, system, 1);
  sd[0] = 1;                   /* revision */
  sm_put_le16(sd + 2, 0x8004); /* SE_SELF_RELATIVE | SE_DACL_PRESENT */
  sm_put_le32(sd + 4, (uint32_t)owner);
  sm_put_le32(sd + 8, (uint32_t)group);
  sm_put_le32(sd + 12, 0); /* no SACL */
  sm_put_le32(sd + 16, (uint32_t)acl);
  return n;
}

/* XOR-32 of the first 508 bytes of the base block, 0 and ~0 remapped. */
uint32_t base_checksum(const unsigned char *p) {
  uint32_t sum = 0;
  for (size_t i = 0; i < 508; i += 4)
    sum ^= sm_le32(p + i);
  if (sum == 0)
    return 1;
  if (sum == 0xFFFFFFFFu)
    return 0xFFFFFFFEu;
  return sum;
}

void write_empty_hive(FILE *f) {
  static unsigned char img[2 * BLOCK];
  unsigned char *base = img, *bin = img + BLOCK;

  memcpy(base, "regf", 4);
  sm_put_le32(base + 4, 1); /* primary sequence number */
  sm_put_le32(base + 8, 1); /* secondary: equal, so the hive is clean */
  sm_put_le64(base + 12, FIXED_FILETIME);
  sm_put_le32(base + 20, 1); /* format 1.5 */
  sm_put_le32(base + 24, 5);
  sm_put_le32(base + 28, 0); /* primary file */
  sm_put_le32(base + 32, 1); /* direct memory load */
  sm_put_le32(base + 36, ROOT_OFF);
  sm_put_le32(base + 40, BLOCK); /* hive bins data size */
  sm_put_le32(base + 44, 1);     /* clustering factor */
  static const char fname[] = "SYSTEM";
  for (size_t i = 0; fname[i]; i++)
    sm_put_le16(base + 48 + 2 * i, (uint16_t)fname[i]);
  sm_put_le32(base + 508, base_checksum(base));

  memcpy(bin, "hbin", 4);
  sm_put_le32(bin + 4, 0);     /* offset of this bin */
  sm_put_le32(bin + 8, BLOCK); /* size of this bin */
  sm_put_le64(bin + 20, FIXED_FILETIME);

  unsigned char *nk = bin + ROOT_OFF;
  sm_put_le32(nk, (uint32_t)-ROOT_CELL); /* negative: allocated */
  unsigned char *k = nk + 4;
  memcpy(k, "nk", 2);
  sm_put_le16(k + 2,
              0x0004 | 0x0008 | 0x0020); /* HIVE_ENTRY|NO_DELETE|COMP_NAME */
  sm_put_le64(k + 4, FIXED_FILETIME);
  sm_put_le32(k + 16, 0xFFFFFFFFu); /* parent: none */
  sm_put_le32(k + 28, 0xFFFFFFFFu); /* subkeys list */
  sm_put_le32(k + 32, 0xFFFFFFFFu); /* volatile subkeys list */
  sm_put_le32(k + 40, 0xFFFFFFFFu); /* values list */
  sm_put_le32(k + 44, SK_OFF);
  sm_put_le32(k + 48, 0xFFFFFFFFu); /* class name */
  sm_put_le16(k + 72, ROOT_NAME_LEN);
  memcpy(k + 76, "ROOT", ROOT_NAME_LEN);

  unsigned char *sk = bin + SK_OFF;
  unsigned char *s = sk + 4;
  memcpy(s, "sk", 2);
  /* The only security cell: the list of them is this cell alone. */
  sm_put_le32(s + 4, SK_OFF);
  sm_put_le32(s + 8, SK_OFF);
  sm_put_le32(s + 12, 1); /* referenced by the root key */
  size_t sdlen = put_security_descriptor(s + 20);
  sm_put_le32(s + 16, (uint32_t)sdlen);
  size_t sk_cell = (4 + 20 + sdlen + 7) & ~(size_t)7;
  sm_put_le32(sk, (uint32_t) - (int32_t)sk_cell);

  size_t free_off = SK_OFF + sk_cell;
  sm_put_le32(bin + free_off,
              (uint32_t)(BLOCK - free_off)); /* positive: free */

  if (fwrite(img, sizeof img, 1, f) != 1)
    die("%s: %s", tmp_path, strerror(errno));
}
