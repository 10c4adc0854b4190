/* gen-hive's byte-level pass: what no registry API (and so not hivex)
 * writes, made in the committed hive file (testdata/README.md, "Byte-level
 * edits").
 *
 * In a key or value name written through hivex, two marker bytes stand
 * for what hivex cannot store:
 *   0x01  becomes a NUL inside the name;
 *   0x02  ends the name there: the stored length is cut, the rest stays in
 *         the cell as slack (so two values can carry the same name).
 * Names are found by walking the hive bins and their allocated cells, so a
 * marker byte elsewhere (in data, in free cells) is left alone.
 *
 * A key holding a REG_LINK value named SymbolicLinkValue gets the flag
 * KEY_SYM_LINK (0x0010), as RegCreateKeyEx with REG_OPTION_CREATE_LINK
 * makes it: a stored registry symbolic link. */
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

/* Apply the markers of one name; true when it changed. */
static bool edit_name(unsigned char *c, unsigned char *name, size_t len_at,
                      bool narrow) {
  size_t len = sm_le16(c + len_at), unit = narrow ? 1 : 2;
  bool changed = false;
  for (size_t i = 0; i + unit <= len; i += unit) {
    unsigned ch = narrow ? name[i] : sm_le16(name + i);
    if (ch == 0x01) {
      memset(name + i, 0, unit);
      changed = true;
    } else if (ch == 0x02) {
      sm_put_le16(c + len_at, (uint16_t)i);
      return true;
    }
  }
  return changed;
}

/* The allocated cell at hive offset off, or NULL; *size its size. */
static unsigned char *cell_at(unsigned char *p, size_t len, uint32_t off,
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
  unsigned char *list = count ? cell_at(p, len, sm_le32(c + 44), &lsize) : NULL;
  for (uint32_t i = 0; list && i < count && 8 + 4 * (size_t)i <= lsize; i++) {
    unsigned char *vk = cell_at(p, len, sm_le32(list + 4 + 4 * i), &vsize);
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
  unsigned edits = 0;
  for (size_t bin = 4096; bin + 32 <= (size_t)size;) {
    size_t bsize = sm_le32(p + bin + 8);
    if (memcmp(p + bin, "hbin", 4) != 0 || bsize < 4096 ||
        bsize > (size_t)size - bin)
      break;
    for (size_t at = bin + 32; at + 4 <= bin + bsize;) {
      int32_t cs = (int32_t)sm_le32(p + at);
      size_t csize = cs < 0 ? (size_t)-(int64_t)cs : (size_t)cs;
      if (csize < 8 || csize > bin + bsize - at)
        break;
      unsigned char *name;
      size_t len_at;
      bool narrow;
      if (cs < 0 && name_of(p + at, csize, &name, &len_at, &narrow) &&
          edit_name(p + at, name, len_at, narrow))
        edits++;
      if (cs < 0 && csize >= 80 && p[at + 4] == 'n' && p[at + 5] == 'k' &&
          link_flag(p, (size_t)size, p + at))
        edits++;
      at += csize;
    }
    bin += bsize;
  }
  if (edits && (fseek(f, 0, SEEK_SET) != 0 ||
                fwrite(p, 1, size, f) != (size_t)size)) {
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
