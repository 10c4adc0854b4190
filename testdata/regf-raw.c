/* gen-hive's byte-level pass: what no registry API (and so not hivex)
 * writes, made in the committed hive file (testdata/README.md, "Byte-level
 * edits").
 *
 * In a key or value name written through hivex, two marker bytes stand
 * for what hivex cannot store:
 *   0x01  becomes a NUL inside the name;
 *   0x02  ends the name there: the stored length is cut, the rest stays in
 *         the cell as slack (so two values can carry the same name);
 *   0x03  ends the name, and the value's big-data record gets a first
 *         segment whose cell is padded (128 bytes past the 16,344 Windows
 *         reads from it);
 *   0x04  ends the name, and the record's cell is freed: the list entry
 *         that names it points to a free cell;
 *   0x05  ends the name, and the key is moved one place earlier in its
 *         parent's subkey list, before the sibling it followed (out of
 *         order when its name sorts after that sibling's).
 * Names are found by walking the hive bins and their allocated cells, so a
 * marker byte elsewhere (in data, in free cells) is left alone.
 *
 * A key holding a REG_LINK value named SymbolicLinkValue gets the flag
 * KEY_SYM_LINK (0x0010), as RegCreateKeyEx with REG_OPTION_CREATE_LINK
 * makes it: a stored registry symbolic link.
 *
 * hivex writes data of any length into one cell; Windows keeps data over
 * 16,344 bytes (hive version 1.4 and later) in a big-data record (db), a
 * list of segments of 16,344 bytes each but the last (msuhanov/regf, "Big
 * data").  Each such value is rewritten so, into a hive bin appended at
 * the end. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "testdata/regf-raw.h"

/* The name of the record at c (cell of size bytes): where it is, how long,
 * whether Latin-1.  False when the cell is not an nk or vk record. */
static bool name_of(unsigned char *c, size_t size, unsigned char **name,
                    size_t *len_at, bool *narrow) {
  size_t hdr, flags_at;
  unsigned flag;
  if (size >= 80 && c[4] == 'n' && c[5] == 'k') {
    hdr = 80, *len_at = 76, flags_at = 6, flag = 0x20;
  } else if (size >= 24 && c[4] == 'v' && c[5] == 'k') {
    hdr = 24, *len_at = 6, flags_at = 20, flag = 0x1;
  } else {
    return false;
  }
  if (sm_le16(c + *len_at) > size - hdr)
    return false;
  *name = c + hdr;
  *narrow = (sm_le16(c + flags_at) & flag) != 0;
  return true;
}

enum { EDITED = 1, PAD = 2, FREE = 4, EARLIER = 8, BULK = 16 };

/* Apply the markers of one name: what was done and is to do (EDITED, PAD,
 * FREE, EARLIER, BULK with *count, the number after its marker), 0 when
 * nothing. */
static unsigned edit_name(unsigned char *c, unsigned char *name,
                          size_t len_at, bool narrow, unsigned long *count) {
  static const unsigned todo[] = {0, 0, EDITED, PAD, FREE, EARLIER, BULK};
  size_t len = sm_le16(c + len_at), unit = narrow ? 1 : 2;
  unsigned changed = 0;
  for (size_t i = 0; i + unit <= len; i += unit) {
    unsigned ch = narrow ? name[i] : sm_le16(name + i);
    if (ch == 0x01) {
      memset(name + i, 0, unit);
      changed = EDITED;
    } else if (ch >= 0x02 && ch <= 0x06) {
      sm_put_le16(c + len_at, (uint16_t)i);
      *count = 0;
      for (size_t j = i + unit; ch == 0x06 && j + unit <= len; j += unit) {
        unsigned d = narrow ? name[j] : sm_le16(name + j);
        if (d < '0' || d > '9' || *count > 100000000ul)
          break;
        *count = *count * 10 + (d - '0');
      }
      return EDITED | todo[ch];
    }
  }
  return changed;
}

unsigned char *regf_raw_cell(unsigned char *p, size_t len, uint32_t off,
                             size_t *size) {
  uint64_t at = 4096 + (uint64_t)off;
  if (at + 4 > len)
    return NULL;
  int32_t cs = (int32_t)sm_le32(p + at);
  if (cs >= 0 || (uint64_t)-(int64_t)cs > len - at)
    return NULL;
  *size = (size_t)-(int64_t)cs;
  return p + at;
}

/* Set KEY_SYM_LINK on the key record c when it holds a REG_LINK value
 * named SymbolicLinkValue; true when it changed. */
static bool link_flag(unsigned char *p, size_t len, unsigned char *c) {
  static const char want[] = "SymbolicLinkValue";
  size_t lsize, vsize;
  uint32_t count = sm_le32(c + 40);
  unsigned char *list = count ? regf_raw_cell(p, len, sm_le32(c + 44), &lsize) : NULL;
  for (uint32_t i = 0; list && i < count && 8 + 4 * (size_t)i <= lsize; i++) {
    unsigned char *vk = regf_raw_cell(p, len, sm_le32(list + 4 + 4 * i), &vsize);
    if (!vk || vsize < 24 + sizeof want - 1 || vk[4] != 'v' || vk[5] != 'k' ||
        sm_le16(vk + 6) != sizeof want - 1 || !(sm_le16(vk + 20) & 1) ||
        sm_le32(vk + 16) != 6 || memcmp(vk + 24, want, sizeof want - 1) != 0)
      continue;
    if (sm_le16(c + 6) & 0x10)
      return false;
    sm_put_le16(c + 6, (uint16_t)(sm_le16(c + 6) | 0x10));
    return true;
  }
  return false;
}

/* Move the key at hive offset key one place earlier in its parent's
 * subkey list (an lf, lh or li leaf), before the sibling it followed; true
 * when it moved. */
static bool move_earlier(unsigned char *p, size_t len, uint32_t key) {
  size_t ks, ps, ls;
  unsigned char *nk = regf_raw_cell(p, len, key, &ks);
  unsigned char *parent = nk ? regf_raw_cell(p, len, sm_le32(nk + 20), &ps) : NULL;
  unsigned char *l =
      parent && ps >= 80 ? regf_raw_cell(p, len, sm_le32(parent + 32), &ls) : NULL;
  if (!l || ls < 8 || l[4] != 'l')
    return false;
  size_t step = l[5] == 'i' ? 4 : 8, n = sm_le16(l + 6);
  for (size_t i = 1; i < n && 8 + step * (i + 1) <= ls; i++)
    if (sm_le32(l + 8 + step * i) == key) {
      unsigned char e[8];
      memcpy(e, l + 8 + step * i, step);
      memcpy(l + 8 + step * i, l + 8 + step * (i - 1), step);
      memcpy(l + 8 + step * (i - 1), e, step);
      return true;
    }
  return false;
}

unsigned char *regf_raw_new_cell(unsigned char *p, size_t *at, size_t size) {
  unsigned char *c = p + *at;
  sm_put_le32(c, (uint32_t)-(int32_t)size);
  *at += size;
  return c + 4;
}

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

unsigned char *regf_raw_bin(unsigned char **p, size_t *len, size_t need,
                            size_t *at) {
  size_t bin = sm_le32(*p + 40), bsize = (32 + need + 8 + 4095) / 4096 * 4096;
  if (4096 + bin > *len || bsize > UINT32_MAX - bin)
    return NULL;
  unsigned char *q = realloc(*p, 4096 + bin + bsize);
  if (!q)
    return NULL;
  memset(q + 4096 + bin, 0, bsize);
  *p = q;
  *len = 4096 + bin + bsize;
  unsigned char *h = q + 4096 + bin;
  memcpy(h, "hbin", 4);
  sm_put_le32(h + 4, (uint32_t)bin);
  sm_put_le32(h + 8, (uint32_t)bsize);
  sm_put_le32(q + 40, (uint32_t)(bin + bsize));
  *at = 4096 + bin + 32;
  return h;
}

void regf_raw_bin_done(unsigned char *p, size_t len, size_t at) {
  if (at + 4 <= len)
    sm_put_le32(p + at, (uint32_t)(len - at)); /* the rest: a free cell */
  uint32_t sum = 0;
  for (size_t i = 0; i < 508; i += 4)
    sum ^= sm_le32(p + i);
  sm_put_le32(p + 508, sum);
}

/* Rewrite the data of the value at hive offset vk (one cell, as hivex
 * writes it) as a big-data record in a hive bin appended to *p; pad bytes
 * of zeros after the first segment's 16,344.  False when it cannot. */
static bool to_big_data(unsigned char **p, size_t *len, uint32_t vk,
                        size_t pad) {
  size_t vs, ds;
  unsigned char *v = regf_raw_cell(*p, *len, vk, &vs);
  uint32_t dlen = v ? sm_le32(v + 8) : 0, doff = v ? sm_le32(v + 12) : 0;
  unsigned char *d = v ? regf_raw_cell(*p, *len, doff, &ds) : NULL;
  if (!d || ds < 4 + (size_t)dlen || (d[4] == 'd' && d[5] == 'b'))
    return false;
  size_t nseg = (dlen + REGF_SEGMENT - 1) / REGF_SEGMENT;
  size_t need = ALIGN8(4 + 8) + ALIGN8(4 + 4 * nseg) + pad;
  need += nseg * ALIGN8(4 + REGF_SEGMENT);
  size_t at;
  if (!regf_raw_bin(p, len, need, &at))
    return false;
  unsigned char *q = *p;
  uint32_t db_off = (uint32_t)(at - 4096);
  unsigned char *db = regf_raw_new_cell(q, &at, ALIGN8(4 + 8));
  uint32_t list_off = (uint32_t)(at - 4096);
  unsigned char *list = regf_raw_new_cell(q, &at, ALIGN8(4 + 4 * nseg));
  memcpy(db, "db", 2);
  sm_put_le16(db + 2, (uint16_t)nseg);
  sm_put_le32(db + 4, list_off);
  const unsigned char *src = q + 4096 + doff + 4;
  for (size_t i = 0, o = 0; i < nseg; i++) {
    size_t take = i + 1 < nseg ? REGF_SEGMENT : dlen - o;
    size_t extra = i == 0 ? pad : 0;
    sm_put_le32(list + 4 * i, (uint32_t)(at - 4096));
    /* Each cell with room for a whole segment, the last one too, as
     * Windows' offline writer makes them. */
    unsigned char *seg = regf_raw_new_cell(q, &at, ALIGN8(4 + REGF_SEGMENT + extra));
    memcpy(seg, src + o, take); /* the padding stays zeros */
    o += take;
  }
  sm_put_le32(q + 4096 + vk + 12, db_off);
  int32_t was = (int32_t)sm_le32(q + 4096 + doff);
  sm_put_le32(q + 4096 + doff, (uint32_t)(was < 0 ? -was : was));
  regf_raw_bin_done(q, *len, at);
  return true;
}

/* Offsets (from the first hive bin) of records with work left. */
typedef struct todo_list {
  uint32_t at[256];
  unsigned what[256];
  unsigned long count[256]; /* BULK's */
  size_t n;
} todo_list;

/* The markers of every name in the hive bins; the rest in *todo. */
static unsigned walk(unsigned char *p, size_t size, todo_list *todo) {
  unsigned edits = 0;
  for (size_t bin = 4096; bin + 32 <= size;) {
    size_t bsize = sm_le32(p + bin + 8);
    if (memcmp(p + bin, "hbin", 4) != 0 || bsize < 4096 || bsize > size - bin)
      break;
    for (size_t at = bin + 32; at + 4 <= bin + bsize;) {
      int32_t cs = (int32_t)sm_le32(p + at);
      size_t csize = cs < 0 ? (size_t)-(int64_t)cs : (size_t)cs;
      if (csize < 8 || csize > bin + bsize - at)
        break;
      unsigned char *name;
      size_t len_at;
      bool narrow;
      unsigned long count = 0;
      unsigned what = cs < 0 && name_of(p + at, csize, &name, &len_at, &narrow)
                          ? edit_name(p + at, name, len_at, narrow, &count)
                          : 0;
      edits += what != 0;
      if (cs < 0 && csize >= 80 && p[at + 4] == 'n' && p[at + 5] == 'k' &&
          link_flag(p, size, p + at))
        edits++;
      bool big = cs < 0 && csize >= 24 && p[at + 4] == 'v' &&
                 p[at + 5] == 'k' && !(sm_le32(p + at + 8) & 0x80000000u) &&
                 sm_le32(p + at + 8) > REGF_SEGMENT && sm_le32(p + 24) >= 4;
      if ((what & ~(unsigned)EDITED || big) && todo->n < 256) {
        todo->count[todo->n] = count;
        todo->at[todo->n] = (uint32_t)(at - 4096);
        todo->what[todo->n++] = what | (big ? PAD << 8 : 0);
      }
      at += csize;
    }
    bin += bsize;
  }
  return edits;
}

unsigned regf_raw_names(const char *path, char *err, size_t errsize) {
  FILE *f = fopen(path, "r+b");
  unsigned char *p = NULL;
  long size = -1;
  if (f && fseek(f, 0, SEEK_END) == 0)
    size = ftell(f);
  if (size < 4096 || fseek(f, 0, SEEK_SET) != 0 || !(p = malloc(size)) ||
      fread(p, 1, size, f) != (size_t)size) {
    snprintf(err, errsize, "%s: %s", path,
             errno ? strerror(errno) : "cannot read");
    free(p);
    if (f)
      fclose(f);
    return (unsigned)-1;
  }
  todo_list todo = {.n = 0};
  size_t len = (size_t)size;
  unsigned edits = walk(p, len, &todo);
  for (size_t i = 0; i < todo.n; i++) {
    uint32_t at = todo.at[i];
    unsigned what = todo.what[i];
    if ((what & EARLIER) && move_earlier(p, len, at))
      edits++;
    if ((what & (PAD << 8)) &&
        to_big_data(&p, &len, at, (what & PAD) ? 128 : 0))
      edits++;
    if ((what & BULK) &&
        (p[4096 + at + 4] == 'n'
             ? regf_bulk_siblings(&p, &len, at, todo.count[i])
             : regf_bulk_data(&p, &len, at, todo.count[i])))
      edits++;
  }
  for (size_t i = 0; i < todo.n; i++) /* last: a freed cell is not read */
    if (todo.what[i] & FREE) {
      int32_t cs = (int32_t)sm_le32(p + 4096 + todo.at[i]);
      sm_put_le32(p + 4096 + todo.at[i], (uint32_t)(cs < 0 ? -cs : cs));
    }
  if (edits && (fseek(f, 0, SEEK_SET) != 0 ||
                fwrite(p, 1, len, f) != len)) {
    snprintf(err, errsize, "%s: %s", path, strerror(errno));
    edits = (unsigned)-1;
  }
  free(p);
  if (fclose(f) != 0 && edits != (unsigned)-1) {
    snprintf(err, errsize, "%s: %s", path, strerror(errno));
    edits = (unsigned)-1;
  }
  return edits;
}
