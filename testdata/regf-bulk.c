/* gen-hive's byte-level pass, the bulk part (testdata/regf-raw.c, marker
 * 0x06 followed by a decimal count N): what the bounds of docs/security.md
 * need and hivex writes too slowly (65,537 keys through hivex take
 * minutes) or not at all (big data shared between values).
 *
 *   a key  NAME<0x06>N  becomes NAME followed by N siblings NAME00000,
 *          NAME00001, ... (the digits as wide as N - 1 needs), each an
 *          empty key, and the parent's subkey list is rewritten, sorted by
 *          upcased name as Windows keeps it, as an index root (ri) of hash
 *          leaves (lh) of at most 1,000 entries;
 *   a value NAME<0x06>N  declares N bytes of data, kept in a big-data
 *          record whose ceil(N / 16,344) segments are all one cell of
 *          16,344 bytes (the value's own data repeated): N bytes to read
 *          from 16 KiB of hive.
 *
 * Everything new goes into one hive bin appended to the hive. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "testdata/regf-raw.h"

#define LEAF_MAX 1000u

typedef struct entry {
  uint32_t off;
  char upper[264]; /* the name upcased (ASCII), NUL-terminated */
} entry;

static int by_name(const void *a, const void *b) {
  const entry *x = a, *y = b;
  return strcmp(x->upper, y->upper);
}

/* The upcased name of the (Latin-1 or ASCII) key record at c, or false. */
static bool upper_name(const unsigned char *c, size_t size, char *out) {
  size_t len = sm_le16(c + 76);
  if (size < 80 || c[4] != 'n' || c[5] != 'k' || len > 255 ||
      len > size - 80 || !(sm_le16(c + 6) & 0x20))
    return false;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = c[80 + i];
    out[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
  }
  out[len] = '\0';
  return true;
}

/* The subkeys of the key record nk (an lf, lh or li leaf, or an ri of
 * them) appended to v (room for cap). */
static bool old_subkeys(unsigned char *p, size_t len, const unsigned char *nk,
                        entry *v, size_t *n, size_t cap) {
  size_t ls, ss, ks;
  uint32_t count = sm_le32(nk + 24);
  unsigned char *l = count ? regf_raw_cell(p, len, sm_le32(nk + 32), &ls) : NULL;
  if (!count)
    return true;
  if (!l || ls < 8)
    return false;
  size_t leaves = l[4] == 'r' && l[5] == 'i' ? sm_le16(l + 6) : 1;
  for (size_t j = 0; j < leaves; j++) {
    unsigned char *s = l;
    ss = ls;
    if (l[4] == 'r' && !(s = regf_raw_cell(p, len, sm_le32(l + 8 + 4 * j), &ss)))
      return false;
    size_t step = s[5] == 'i' ? 4 : 8, m = sm_le16(s + 6);
    for (size_t i = 0; i < m && 8 + step * (i + 1) <= ss && *n < cap; i++) {
      uint32_t off = sm_le32(s + 8 + step * i);
      unsigned char *k = regf_raw_cell(p, len, off, &ks);
      if (!k || !upper_name(k, ks, v[*n].upper))
        return false;
      v[(*n)++].off = off;
    }
  }
  return true;
}

/* The hash of an lh entry: the upcased name, h = h * 37 + unit. */
static uint32_t lh_hash(const char *upper) {
  uint32_t h = 0;
  for (const unsigned char *c = (const unsigned char *)upper; *c; c++)
    h = h * 37 + *c;
  return h;
}

bool regf_bulk_siblings(unsigned char **pp, size_t *len, uint32_t key,
                        unsigned long n) {
  size_t ks, ps;
  unsigned char *nk = regf_raw_cell(*pp, *len, key, &ks);
  uint32_t parent_off = nk ? sm_le32(nk + 20) : 0;
  unsigned char *parent =
      nk ? regf_raw_cell(*pp, *len, parent_off, &ps) : NULL;
  char base[264];
  if (!parent || ps < 80 || n == 0 || n > 1000000 ||
      !upper_name(nk, ks, base))
    return false;
  size_t cap = sm_le32(parent + 24) + n, have = 0;
  entry *v = malloc(cap * sizeof *v);
  if (!v || !old_subkeys(*pp, *len, parent, v, &have, cap)) {
    free(v);
    return false;
  }
  int width = snprintf(NULL, 0, "%lu", n - 1);
  size_t namelen = ks >= 80 ? sm_le16(nk + 76) + (size_t)width : 0;
  size_t nk_size = (80 + namelen + 7) & ~(size_t)7;
  size_t leaves = (have + n + LEAF_MAX - 1) / LEAF_MAX;
  size_t need = n * nk_size + leaves * ((8 + 8 * LEAF_MAX + 7) & ~(size_t)7) +
                ((8 + 4 * leaves + 7) & ~(size_t)7);
  size_t at;
  if (namelen > 255 || !regf_raw_bin(pp, len, need, &at)) {
    free(v);
    return false;
  }
  nk = *pp + 4096 + key;
  parent = *pp + 4096 + parent_off;
  for (unsigned long i = 0; i < n; i++) {
    v[have].off = (uint32_t)(at - 4096);
    unsigned char *c = regf_raw_new_cell(*pp, &at, nk_size);
    memcpy(c, nk + 4, 76); /* time, parent, security as the key's */
    memset(c + 52, 0, 20); /* no maximum lengths, no work variable */
    sm_put_le16(c + 2, 0x20);         /* KEY_COMP_NAME: a Latin-1 name */
    sm_put_le32(c + 20, 0);           /* no subkeys */
    sm_put_le32(c + 24, 0);
    sm_put_le32(c + 28, 0xFFFFFFFFu);
    sm_put_le32(c + 32, 0xFFFFFFFFu);
    sm_put_le32(c + 36, 0);           /* no values */
    sm_put_le32(c + 40, 0xFFFFFFFFu);
    sm_put_le32(c + 48, 0xFFFFFFFFu); /* no class */
    sm_put_le16(c + 74, 0);
    sm_put_le16(c + 72, (uint16_t)namelen);
    memcpy(c + 76, nk + 80, namelen - (size_t)width);
    char digits[24];
    snprintf(digits, sizeof digits, "%0*lu", width, i);
    memcpy(c + 76 + namelen - (size_t)width, digits, (size_t)width);
    size_t bl = strlen(base);
    memcpy(v[have].upper, base, bl);
    memcpy(v[have].upper + bl, digits, (size_t)width + 1);
    have++;
  }
  qsort(v, have, sizeof *v, by_name);
  uint32_t ri_off = (uint32_t)(at - 4096);
  unsigned char *ri =
      regf_raw_new_cell(*pp, &at, (8 + 4 * leaves + 7) & ~(size_t)7);
  memcpy(ri, "ri", 2);
  sm_put_le16(ri + 2, (uint16_t)leaves);
  for (size_t j = 0, done = 0; j < leaves; j++) {
    size_t m = have - done < LEAF_MAX ? have - done : LEAF_MAX;
    sm_put_le32(ri + 4 + 4 * j, (uint32_t)(at - 4096));
    unsigned char *lh =
        regf_raw_new_cell(*pp, &at, (8 + 8 * LEAF_MAX + 7) & ~(size_t)7);
    memcpy(lh, "lh", 2);
    sm_put_le16(lh + 2, (uint16_t)m);
    for (size_t i = 0; i < m; i++, done++) {
      sm_put_le32(lh + 4 + 8 * i, v[done].off);
      sm_put_le32(lh + 8 + 8 * i, lh_hash(v[done].upper));
    }
  }
  sm_put_le32(parent + 24, (uint32_t)have);
  sm_put_le32(parent + 32, ri_off);
  regf_raw_bin_done(*pp, *len, at);
  free(v);
  return true;
}

bool regf_bulk_data(unsigned char **pp, size_t *len, uint32_t vk,
                    unsigned long n) {
  size_t vs, ds;
  unsigned char *c = regf_raw_cell(*pp, *len, vk, &vs);
  if (!c || vs < 24 || n <= REGF_SEGMENT ||
      n > 65535ul * REGF_SEGMENT)
    return false;
  uint32_t dlen = sm_le32(c + 8) & 0x7fffffffu;
  unsigned char *d = dlen && !(sm_le32(c + 8) & 0x80000000u)
                         ? regf_raw_cell(*pp, *len, sm_le32(c + 12), &ds)
                         : NULL;
  if (!d || ds < 4 + (size_t)dlen || (d[4] == 'd' && d[5] == 'b'))
    return false;
  size_t nseg = (n + REGF_SEGMENT - 1) / REGF_SEGMENT;
  size_t need = 16 + ((4 + 4 * nseg + 7) & ~(size_t)7) +
                ((4 + REGF_SEGMENT + 7) & ~(size_t)7);
  size_t at;
  if (!regf_raw_bin(pp, len, need, &at))
    return false;
  c = *pp + 4096 + vk;
  d = *pp + 4096 + sm_le32(c + 12) + 4;
  uint32_t db_off = (uint32_t)(at - 4096);
  unsigned char *db = regf_raw_new_cell(*pp, &at, 16);
  uint32_t list_off = (uint32_t)(at - 4096);
  unsigned char *list =
      regf_raw_new_cell(*pp, &at, (4 + 4 * nseg + 7) & ~(size_t)7);
  uint32_t seg_off = (uint32_t)(at - 4096);
  unsigned char *seg =
      regf_raw_new_cell(*pp, &at, (4 + REGF_SEGMENT + 7) & ~(size_t)7);
  for (size_t i = 0; i < REGF_SEGMENT; i++)
    seg[i] = d[i % dlen];
  for (size_t i = 0; i < nseg; i++)
    sm_put_le32(list + 4 * i, seg_off);
  memcpy(db, "db", 2);
  sm_put_le16(db + 2, (uint16_t)nseg);
  sm_put_le32(db + 4, list_off);
  sm_put_le32(c + 8, (uint32_t)n);
  sm_put_le32(c + 12, db_off);
  regf_raw_bin_done(*pp, *len, at);
  return true;
}
