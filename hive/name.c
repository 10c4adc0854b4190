/* Names as Windows stores and compares them.
 *
 * A key or value name is counted: the record holds its length, and the
 * name is Latin-1 (a "compressed" name) or UTF-16LE.  Nothing stops it
 * from holding a NUL.  Windows compares names by their stored length,
 * case-insensitively (RtlCompareUnicodeString with upcasing); hivex hands
 * out C strings, so a name holding a NUL reads as its part before the NUL
 * and hivex_node_get_value finds "BootExecute<NUL>x" when asked for
 * "BootExecute".  This file reads the names from the records themselves. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "hive/hive-internal.h"

/* The name bytes of the record at file offset off: hdr is the offset of
 * the name in the cell, len_at of its 16-bit length, flag the bit of
 * flags_at that marks a Latin-1 name.  False when the cell is not an
 * allocated record of sig[0..1] (any when NULL) holding the whole name within the image. */
static bool raw_name(const sm_hive *h, uint64_t off, const char *sig,
                     size_t hdr, size_t len_at, size_t flags_at,
                     unsigned flag, const unsigned char **p, size_t *len,
                     bool *narrow) {
  if (!h->bytes || off > h->image_len || h->image_len - off < hdr)
    return false;
  const unsigned char *c = h->bytes + off;
  int32_t size = -(int32_t)sm_le32(c);
  if (size < (int32_t)hdr || (uint64_t)size > h->image_len - off ||
      (sig && (c[4] != (unsigned char)sig[0] || c[5] != (unsigned char)sig[1])))
    return false;
  size_t n = sm_le16(c + len_at);
  if (n > (size_t)size - hdr)
    return false;
  *p = c + hdr;
  *len = n;
  *narrow = (sm_le16(c + flags_at) & flag) != 0;
  return true;
}

/* Decode a stored name into UTF-8, keeping NULs: *len bytes. */
static char *decode(const unsigned char *p, size_t n, bool narrow,
                    size_t *len) {
  if (!narrow)
    return sm_utf16le_decode_n(p, n, false, NULL, len);
  char *out = malloc(n * 2 + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++)
    o += sm_utf8_put(out + o, p[i]);
  out[o] = '\0';
  *len = o;
  return out;
}

/* value (vk): name length at 6, flags at 20 (bit 0: Latin-1), name at 24;
 * key (nk): flags at 6 (bit 5: Latin-1), name length at 76, name at 80. */
static char *record_name(const sm_hive *h, uint64_t off, bool key,
                         size_t *len) {
  const unsigned char *p;
  size_t n;
  bool narrow;
  if (!(key ? raw_name(h, off, "nk", 80, 76, 6, 0x20, &p, &n, &narrow)
            : raw_name(h, off, "vk", 24, 6, 20, 0x1, &p, &n, &narrow))) {
    errno = EINVAL;
    return NULL;
  }
  char *s = decode(p, n, narrow, len);
  if (!s)
    errno = ENOMEM;
  return s;
}

bool sm_nk_raw(const sm_hive *h, uint64_t off, bool any_sig,
               const unsigned char **p, size_t *len, bool *narrow) {
  return raw_name(h, off, any_sig ? NULL : "nk", 80, 76, 6, 0x20, p, len,
                  narrow);
}

char *sm_vk_name(const sm_hive *h, uint64_t off, size_t *len) {
  return record_name(h, off, false, len);
}

char *sm_nk_name(const sm_hive *h, uint64_t off, size_t *len) {
  return record_name(h, off, true, len);
}

char *sm_name_shown(const char *name, size_t len) {
  size_t nuls = 0;
  for (size_t i = 0; i < len; i++)
    nuls += name[i] == '\0';
  char *out = malloc(len + nuls * 4 + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (name[i] == '\0') {
      memcpy(out + o, "<NUL>", 5);
      o += 5;
    } else {
      out[o++] = name[i];
    }
  }
  out[o] = '\0';
  return out;
}

/* Upcase one character as Windows' table does for the scripts names are
 * written in here: ASCII, Latin-1, Greek and Cyrillic (simple mappings);
 * any other character is compared as it is. */
static uint32_t upcase(uint32_t c) {
  if (c >= 'a' && c <= 'z')
    return c - 32;
  if (c < 0x80)
    return c;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
    return c - 32;
  if (c == 0xFF)
    return 0x178;
  if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2)
    return c - 32;
  if (c >= 0x430 && c <= 0x44F)
    return c - 32;
  if (c >= 0x450 && c <= 0x45F)
    return c - 80;
  return c;
}

/* One character of a name: a byte that is not well-formed UTF-8 stands
 * for itself (names decoded here are well-formed). */
static size_t next(const char *s, size_t len, uint32_t *c) {
  size_t k = sm_utf8_decode((const unsigned char *)s, len, c);
  if (k == 0) {
    *c = 0xDC00u | (unsigned char)s[0];
    k = 1;
  }
  return k;
}

bool sm_name_eq(const char *a, size_t alen, const char *b, size_t blen) {
  size_t i = 0, j = 0;
  while (i < alen && j < blen) {
    uint32_t x, y;
    i += next(a + i, alen - i, &x);
    j += next(b + j, blen - j, &y);
    if (x != y && upcase(x) != upcase(y))
      return false;
  }
  return i == alen && j == blen;
}

bool sm_value_is(const sm_value *v, const char *name) {
  if (strcmp(name, "@") == 0)
    name = "";
  return sm_name_eq(v->name, v->name_len, name, strlen(name));
}

const sm_value *sm_values_pick(sm_value *const *v, size_t n, const char *name,
                               sm_read_rule rule) {
  if (strcmp(name, "@") == 0)
    name = "";
  size_t len = strlen(name);
  const sm_value *found = NULL;
  for (size_t i = 0; i < n && !(found && rule == SM_READ_BY_NAME); i++) {
    if (!v[i] || !v[i]->name)
      continue;
    /* Enumerated: the name as a C string, cut at its first NUL. */
    size_t vl = rule == SM_READ_BY_NAME ? v[i]->name_len : strlen(v[i]->name);
    if (sm_name_eq(v[i]->name, vl, name, len))
      found = v[i];
  }
  return found;
}

int sm_name_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  size_t i = 0, j = 0;
  while (i < alen && j < blen) {
    uint32_t x, y;
    i += next(a + i, alen - i, &x);
    j += next(b + j, blen - j, &y);
    x = upcase(x);
    y = upcase(y);
    if (x != y)
      return x < y ? -1 : 1;
  }
  return (i < alen) - (j < blen);
}

/* Slots of a value array, ordered by name (counted, or cut at the first
 * NUL), then by position: a slot's address is its position. */
static int cmp_slots(const void *pa, const void *pb, bool cut) {
  const sm_value *const *a = *(const sm_value *const *const *)pa;
  const sm_value *const *b = *(const sm_value *const *const *)pb;
  size_t al = cut ? strlen((*a)->name) : (*a)->name_len;
  size_t bl = cut ? strlen((*b)->name) : (*b)->name_len;
  int c = sm_name_cmp((*a)->name, al, (*b)->name, bl);
  return c ? c : (a > b) - (a < b);
}
static int cmp_counted(const void *a, const void *b) {
  return cmp_slots(a, b, false);
}
static int cmp_cut(const void *a, const void *b) {
  return cmp_slots(a, b, true);
}

sm_result sm_values_by_name(sm_value *const *v, size_t n, bool cut,
                            sm_value *const ***slots, size_t *nslots) {
  sm_value *const **s = malloc((n ? n : 1) * sizeof *s);
  *slots = NULL;
  *nslots = 0;
  if (!s)
    return SM_ERR_NOMEM;
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (v[i] && v[i]->name)
      s[m++] = &v[i];
  qsort(s, m, sizeof *s, cut ? cmp_cut : cmp_counted);
  *slots = s;
  *nslots = m;
  return SM_OK;
}

sm_result sm_values_enumerated(sm_value *const *v, size_t n, sm_value ***out,
                               size_t *nout) {
  sm_value *const **s;
  size_t m;
  *out = NULL;
  *nout = 0;
  if (sm_values_by_name(v, n, true, &s, &m) != SM_OK)
    return SM_ERR_NOMEM;
  sm_value **pick = calloc(n ? n : 1, sizeof *pick);
  if (!pick) {
    free(s);
    return SM_ERR_NOMEM;
  }
  /* Each run of one name: the last value, at the place of the first. */
  for (size_t i = 0; i < m;) {
    size_t j = i + 1;
    while (j < m && sm_name_cmp((*s[i])->name, strlen((*s[i])->name),
                                (*s[j])->name, strlen((*s[j])->name)) == 0)
      j++;
    pick[s[i] - v] = *s[j - 1];
    i = j;
  }
  free(s);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (pick[i])
      pick[k++] = pick[i];
  *out = pick;
  *nout = k;
  return SM_OK;
}
