/* The version resource of a PE image: the resource tree is walked to a
 * fixed depth (type RT_VERSION, then its first name, then its first
 * language), so that a directory pointing back at itself cannot loop, and
 * the VS_VERSIONINFO block is read node by node within its own length. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/utf8.h"
#include "checks/pe.h"

#define RT_VERSION 16u
#define MAX_VERSION_BLOCK (1u << 20)

static sm_result bad(sm_error *err, const char *why) {
  return sm_error_set(err, SM_ERR_CORRUPT, "version resource: %s", why);
}

/* The entry of the resource directory at offset dir (inside the resource
 * data res[0..n)) whose ID is id (any entry when id is UINT32_MAX): its
 * OffsetToData.  False when the directory has none or is cut short. */
static bool res_entry(const unsigned char *res, size_t n, uint32_t dir,
                      uint32_t id, uint32_t *to) {
  if ((uint64_t)dir + 16 > n)
    return false;
  uint32_t count = (uint32_t)sm_le16(res + dir + 12) + sm_le16(res + dir + 14);
  if ((uint64_t)dir + 16 + 8ull * count > n)
    return false;
  for (uint32_t i = 0; i < count; i++) {
    const unsigned char *e = res + dir + 16 + 8 * i;
    uint32_t name = sm_le32(e);
    if (id == UINT32_MAX || (!(name & 0x80000000u) && name == id)) {
      *to = sm_le32(e + 4);
      return true;
    }
  }
  return false;
}

/* One node of a version block: wLength, wValueLength, wType, a
 * NUL-terminated UTF-16 key, padding to 32 bits, the value, padding, the
 * children.  Offsets are relative to the block. */
typedef struct vnode {
  size_t start, end;       /* the node's bytes */
  size_t key, key_len;     /* key bytes, without the NUL */
  size_t value, children;  /* where the value and the children begin */
} vnode;

static bool vnode_read(const unsigned char *b, size_t limit, size_t at,
                       vnode *v) {
  if (at + 6 > limit)
    return false;
  size_t len = sm_le16(b + at);
  if (len < 6 || at + len > limit)
    return false;
  v->start = at;
  v->end = at + len;
  v->key = at + 6;
  size_t k = v->key;
  while (k + 1 < v->end && (b[k] | b[k + 1]))
    k += 2;
  if (k + 1 >= v->end)
    return false;
  v->key_len = k - v->key;
  v->value = (k + 2 + 3) & ~(size_t)3;
  size_t vlen = sm_le16(b + at + 2);
  if (sm_le16(b + at + 4) == 1)
    vlen *= 2; /* text values count UTF-16 units */
  v->children = (v->value + vlen + 3) & ~(size_t)3;
  if (v->value > v->end)
    v->value = v->end;
  if (v->children > v->end)
    v->children = v->end;
  return true;
}

static bool key_is(const unsigned char *b, const vnode *v, const char *ascii) {
  size_t n = strlen(ascii);
  if (v->key_len != 2 * n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (b[v->key + 2 * i] != (unsigned char)ascii[i] || b[v->key + 2 * i + 1])
      return false;
  return true;
}

/* The String nodes of one StringTable: the fields smaudit reports. */
static sm_result read_strings(const unsigned char *b, const vnode *table,
                              sm_pe_version *out, sm_error *err) {
  static const char *const keys[] = {"CompanyName", "OriginalFilename",
                                     "FileVersion", "ProductName",
                                     "FileDescription"};
  char **fields[] = {&out->company_name, &out->original_filename,
                     &out->file_version, &out->product_name,
                     &out->file_description};
  vnode s;
  for (size_t at = table->children; at < table->end;
       at = (s.end + 3) & ~(size_t)3) {
    if (!vnode_read(b, table->end, at, &s))
      return bad(err, "string entry cut short");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
      if (*fields[i] || !key_is(b, &s, keys[i]))
        continue;
      *fields[i] = sm_utf16le_decode(b + s.value, (s.end - s.value) & ~(size_t)1,
                                     true, NULL);
      if (!*fields[i])
        return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
    }
  }
  return SM_OK;
}

static sm_result read_block(const unsigned char *b, size_t n,
                            sm_pe_version *out, sm_error *err) {
  vnode root, child, table;
  if (!vnode_read(b, n, 0, &root) || !key_is(b, &root, "VS_VERSION_INFO"))
    return bad(err, "no VS_VERSION_INFO block");
  for (size_t at = root.children; at < root.end;
       at = (child.end + 3) & ~(size_t)3) {
    if (!vnode_read(b, root.end, at, &child))
      return bad(err, "block cut short");
    if (!key_is(b, &child, "StringFileInfo"))
      continue;
    if (child.children >= child.end)
      return SM_OK;
    if (!vnode_read(b, child.end, child.children, &table))
      return bad(err, "string table cut short");
    return read_strings(b, &table, out, err);
  }
  return SM_OK;
}

sm_result sm_pe_version_read(const sm_pe *pe, sm_pe_version *out,
                             sm_error *err) {
  memset(out, 0, sizeof *out);
  size_t res_off;
  if (!pe->res_rva || !pe->res_size)
    return SM_OK;
  size_t n;
  if (!sm_pe_rva_span(pe, pe->res_rva, &res_off, &n))
    return bad(err, "resource directory outside every section");
  if (n > pe->res_size)
    n = pe->res_size;
  const unsigned char *res = pe->data + res_off;
  uint32_t to;
  if (!res_entry(res, n, 0, RT_VERSION, &to))
    return SM_OK;
  /* Type, then name: both must be subdirectories; then a data entry. */
  for (int level = 0; level < 2; level++) {
    if (!(to & 0x80000000u))
      return bad(err, "resource tree malformed");
    if (!res_entry(res, n, to & 0x7fffffffu, UINT32_MAX, &to))
      return bad(err, "resource directory cut short");
  }
  if ((to & 0x80000000u) || (uint64_t)to + 16 > n)
    return bad(err, "resource data entry malformed");
  uint32_t rva = sm_le32(res + to), size = sm_le32(res + to + 4);
  if (size > MAX_VERSION_BLOCK)
    return bad(err, "block larger than 1 MiB");
  size_t off;
  if (!sm_pe_rva_to_off(pe, rva, size, &off))
    return bad(err, "block outside every section");
  sm_result r = read_block(pe->data + off, size, out, err);
  if (r != SM_OK)
    sm_pe_version_free(out);
  return r;
}

void sm_pe_version_free(sm_pe_version *v) {
  free(v->company_name);
  free(v->original_filename);
  free(v->file_version);
  free(v->product_name);
  free(v->file_description);
  memset(v, 0, sizeof *v);
}
