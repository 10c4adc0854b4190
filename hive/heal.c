/* Windows' load-time checker, modelled for the keys that are read.
 *
 * When the configuration manager loads a hive it checks every key
 * (CmCheckRegistry: CmpCheckRegistry2, CmpCheckKey, CmpCheckValueList) and,
 * with self-healing on (the default), repairs what it can instead of
 * refusing the hive: a value-list entry that is not an allocated value
 * record, or whose data is not allocated, is removed from the list; a value
 * list that is not allocated, or too small for its count, leaves the key
 * without values; a subkey list that is not allocated or not an index
 * leaves the key without subkeys; a subkey that is not allocated, whose
 * name does not fit its cell, or that is out of order after its prior
 * sibling is removed from its parent's list.  hivex refuses such a key
 * (or skips the entry in its tolerant mode) and says nothing.
 *
 * Nothing is changed: the key lists are read as the checker leaves them,
 * and each repair is noted (sm_hive_notes).  Only keys the audit reads are
 * looked at, when they are read: no pass over the hive.  docs/reading.md,
 * "Self-healing". */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "hive/hive-internal.h"

#define NIL 0xFFFFFFFFu

bool sm_cell_at(const sm_hive *h, uint32_t off, const unsigned char **data,
                uint32_t *size) {
  if (!h->bytes || h->image_len < 4096 + 8)
    return false;
  uint64_t bins = sm_le32(h->bytes + 40);
  if (bins > h->image_len - 4096)
    bins = h->image_len - 4096;
  if (off == NIL || off % 8 != 0 || bins < 8 || off > bins - 8)
    return false;
  const unsigned char *c = h->bytes + 4096 + off;
  int32_t s = (int32_t)sm_le32(c);
  if (s >= 0 || s == INT32_MIN)
    return false;
  uint32_t n = (uint32_t)-s;
  if (n < 8 || n > bins - off)
    return false;
  *data = c + 4;
  *size = n - 4;
  return true;
}

bool sm_big_data(const sm_hive *h, uint32_t len) {
  return !(len & 0x80000000u) && len > SM_BIG_SEGMENT &&
         h->image_len >= 4096 && sm_le32(h->bytes + 24) >= 4;
}

/* Windows' checks of one value-list entry (CmpCheckValueList): NULL when
 * the value is kept, else why the checker removes it. */
static const char *value_dropped(const sm_hive *h, uint32_t off) {
  const unsigned char *c, *d;
  uint32_t n, dn;
  if (off == NIL)
    return "is empty";
  if (!sm_cell_at(h, off, &c, &n))
    return "points to a free cell";
  if (n < 20 || c[0] != 'v' || c[1] != 'k')
    return "points to a cell that is not a value record";
  if (20u + sm_le16(c + 2) > n)
    return "points to a value whose name is longer than its cell";
  uint32_t len = sm_le32(c + 4), data = sm_le32(c + 8);
  if (len & 0x80000000u)
    return NULL; /* resident data */
  if (len == 0)
    return data != NIL ? "points to a value of no data with a data cell"
                       : NULL;
  if (!sm_cell_at(h, data, &d, &dn))
    return "points to a value whose data is in a free cell";
  if (!sm_big_data(h, len))
    return NULL;
  if (dn < 8 || d[0] != 'd' || d[1] != 'b' || sm_le16(d + 2) == 0 ||
      sm_le32(d + 4) == NIL)
    return "points to a value over 16,344 bytes without a valid big-data "
           "record";
  const unsigned char *l, *s;
  uint32_t ln, sn, count = sm_le16(d + 2);
  if (!sm_cell_at(h, sm_le32(d + 4), &l, &ln) || 4u * count > ln)
    return "points to a value whose list of data segments is in a free cell";
  for (uint32_t j = 0; j < count; j++)
    if (!sm_cell_at(h, sm_le32(l + 4 * j), &s, &sn))
      return "points to a value with a data segment in a free cell";
  return NULL;
}

/* The path of the key record at file offset key from the root, by its
 * parents, each name with NULs shown as <NUL>; caller-frees. */
static char *key_label(const sm_hive *h, uint64_t key) {
  char path[2048] = "";
  uint64_t root = 4096 + (uint64_t)sm_le32(h->bytes + 36);
  for (unsigned depth = 0; key != root && depth < 64; depth++) {
    size_t len;
    char *raw = sm_nk_name(h, key, &len);
    char *shown = raw ? sm_name_shown(raw, len) : NULL;
    free(raw);
    if (!shown)
      return strdup(path[0] ? path : "?");
    char rest[2048];
    snprintf(rest, sizeof rest, "%s%s%s", shown, path[0] ? "\\" : "", path);
    free(shown);
    memcpy(path, rest, sizeof path);
    key = 4096 + (uint64_t)sm_le32(h->bytes + key + 20); /* parent */
    if (key + 80 > h->image_len)
      break;
  }
  if (!path[0]) { /* the root key: its own name */
    size_t len;
    char *raw = sm_nk_name(h, root, &len);
    char *shown = raw ? sm_name_shown(raw, len) : NULL;
    free(raw);
    return shown ? shown : strdup("?");
  }
  return strdup(path);
}

/* FNV-1a of a note: its kind, key record and text. */
static uint64_t note_hash(sm_note_kind kind, uint64_t key, const char *text) {
  uint64_t x = 0xcbf29ce484222325ull;
  x = (x ^ (unsigned)kind) * 0x100000001b3ull;
  for (int i = 0; i < 8; i++)
    x = (x ^ ((key >> (8 * i)) & 0xff)) * 0x100000001b3ull;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    x = (x ^ *p) * 0x100000001b3ull;
  return x;
}

/* The slot of the table that holds the note (kind, key, text), or the
 * empty one where it goes. */
static uint32_t *note_slot(const sm_hive *h, sm_note_kind kind, uint64_t key,
                           const char *text, uint64_t hash) {
  size_t mask = h->note_slots - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t *s = &h->note_slot[i];
    if (!*s || (h->notes[*s - 1].kind == kind && h->note_at[*s - 1] == key &&
                strcmp(h->notes[*s - 1].text, text) == 0))
      return s;
  }
}

/* Room for one more note: the arrays grown, the table at most half full
 * (rebuilt twice as large when it would be more). */
static bool note_room(sm_hive *h) {
  if (h->n_notes == h->cap_notes) {
    size_t cap = h->cap_notes * 2 + 4;
    sm_hive_note *n = realloc(h->notes, cap * sizeof *n);
    if (!n)
      return false;
    h->notes = n;
    uint64_t *at = realloc(h->note_at, cap * sizeof *at);
    if (!at)
      return false;
    h->note_at = at;
    h->cap_notes = cap;
  }
  if (2 * (h->n_notes + 1) <= h->note_slots)
    return true;
  size_t slots = h->note_slots ? 2 * h->note_slots : 64;
  uint32_t *table = calloc(slots, sizeof *table), *old = h->note_slot;
  if (!table)
    return false;
  h->note_slot = table;
  h->note_slots = slots;
  for (size_t i = 0; i < h->n_notes; i++) {
    const sm_hive_note *n = &h->notes[i];
    *note_slot(h, n->kind, h->note_at[i], n->text,
               note_hash(n->kind, h->note_at[i], n->text)) = (uint32_t)i + 1;
  }
  free(old);
  return true;
}

sm_result sm_hive_note_add(sm_hive *h, sm_note_kind kind, uint64_t key,
                           const char *fmt, ...) {
  char text[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  /* A key read again notes the same again: found by its hash, not
   * compared with every note before it. */
  uint64_t hash = note_hash(kind, key, text);
  if (h->note_slots && *note_slot(h, kind, key, text, hash))
    return SM_OK;
  if (!note_room(h))
    return SM_ERR_NOMEM;
  char *label = key_label(h, key), *t = strdup(text);
  if (!label || !t) {
    free(label);
    free(t);
    return SM_ERR_NOMEM;
  }
  uint32_t *slot = note_slot(h, kind, key, text, hash);
  h->note_at[h->n_notes] = key;
  h->notes[h->n_notes++] = (sm_hive_note){kind, label, t};
  *slot = (uint32_t)h->n_notes;
  return SM_OK;
}

size_t sm_hive_notes(const sm_hive *h, const sm_hive_note **notes) {
  *notes = h->notes;
  return h->n_notes;
}

void sm_hive_notes_free(sm_hive *h) {
  for (size_t i = 0; i < h->n_notes; i++) {
    free(h->notes[i].key);
    free(h->notes[i].text);
  }
  free(h->notes);
  free(h->note_at);
  free(h->note_slot);
  h->notes = NULL;
  h->note_at = NULL;
  h->note_slot = NULL;
  h->n_notes = h->cap_notes = h->note_slots = 0;
}

/* The key record at file offset key: its cell data, or NULL. */
static const unsigned char *key_record(const sm_hive *h, sm_key key,
                                       uint32_t *size) {
  const unsigned char *c;
  if (key < 4096 || key - 4096 > NIL ||
      !sm_cell_at(h, (uint32_t)(key - 4096), &c, size) || *size < 76 ||
      c[0] != 'n' || c[1] != 'k')
    return NULL;
  return c;
}

sm_result sm_heal_values(sm_hive *h, sm_key key, size_t **out, size_t *n,
                         sm_error *err) {
  *out = NULL;
  *n = 0;
  uint32_t size, ln;
  const unsigned char *nk = key_record(h, key, &size), *l;
  if (!nk)
    return sm_error_set(err, SM_ERR_CORRUPT, "%s: not a key record at 0x%llx",
                        h->path, (unsigned long long)key);
  uint32_t count = sm_le32(nk + 36), list = sm_le32(nk + 40);
  sm_result r = SM_OK;
  if (count == 0)
    return SM_OK;
  if (!sm_cell_at(h, list, &l, &ln))
    r = sm_hive_note_add(h, SM_NOTE_HEALED, key,
                         "its value list (%u values) is not an allocated "
                         "cell: Windows' load-time checker leaves the key "
                         "without values",
                         count);
  else if ((uint64_t)count * 4 > ln)
    r = sm_hive_note_add(h, SM_NOTE_HEALED, key,
                         "its value list holds %u bytes, too few for its %u "
                         "values: Windows' load-time checker leaves the key "
                         "without values",
                         ln, count);
  else if (!(*out = malloc(((size_t)count + 1) * sizeof **out)))
    r = SM_ERR_NOMEM;
  uint32_t dropped = 0;
  for (uint32_t i = 0; *out && i < count && r == SM_OK; i++) {
    uint32_t off = sm_le32(l + 4 * i);
    const char *why = value_dropped(h, off);
    if (!why)
      (*out)[(*n)++] = 4096 + (size_t)off;
    else if (dropped++ < SM_HEAL_LISTED)
      r = sm_hive_note_add(h, SM_NOTE_HEALED, key,
                           "value-list entry %u (cell 0x%x) %s: Windows' "
                           "load-time checker removes it from the list",
                           i, off, why);
  }
  if (r == SM_OK)
    r = sm_heal_note_rest(h, key, dropped,
                          "value-list entries (not listed) are empty or do "
                          "not point to a value whose cells are allocated");
  if (*out)
    (*out)[*n] = 0;
  if (r != SM_OK) {
    free(*out);
    *out = NULL;
    *n = 0;
    return sm_error_set(err, r, "%s: out of memory", h->path);
  }
  return SM_OK;
}

/* Append the key-node offsets of an index leaf (li, lf, lh) to v. */
static bool leaf_entries(const unsigned char *l, uint32_t ln, sm_key *v,
                         size_t *n, size_t cap) {
  uint32_t cnt = sm_le16(l + 2), step = l[1] == 'i' ? 4 : 8;
  if (4 + (uint64_t)cnt * step > ln || *n + cnt > cap)
    return false;
  for (uint32_t i = 0; i < cnt; i++)
    v[(*n)++] = 4096 + (sm_key)sm_le32(l + 4 + step * i);
  return true;
}

static bool is_leaf(const unsigned char *l, uint32_t ln) {
  return ln >= 4 && (l[0] == 'l' && (l[1] == 'i' || l[1] == 'f' || l[1] == 'h'));
}

/* The entries of the subkey list of nk as Windows' checker reads them;
 * a list it would empty leaves *n 0 with a note.  SM_ERR_CORRUPT for a
 * list not modelled (entries past the end of their cell). */
static sm_result list_entries(sm_hive *h, sm_key key, const unsigned char *nk,
                              sm_key **v, size_t *n, sm_error *err) {
  uint32_t count = sm_le32(nk + 20), list = sm_le32(nk + 28), ln, sn;
  const unsigned char *l, *s;
  *v = NULL;
  *n = 0;
  if (count == 0)
    return SM_OK;
  const char *why = NULL;
  if (!sm_cell_at(h, list, &l, &ln))
    why = "is not an allocated cell";
  else if (!is_leaf(l, ln) && !(ln >= 4 && l[0] == 'r' && l[1] == 'i'))
    why = "is not an index";
  for (uint32_t i = 0; !why && l[0] == 'r' && i < sm_le16(l + 2); i++)
    if (4 + 4 * (uint64_t)i + 4 > ln)
      break;
    else if (!sm_cell_at(h, sm_le32(l + 4 + 4 * i), &s, &sn) ||
             !is_leaf(s, sn))
      why = "holds an entry that is not an index leaf";
  if (why) {
    sm_result r = sm_hive_note_add(h, SM_NOTE_HEALED, key,
                                   "its subkey list (%u subkeys) %s: "
                                   "Windows' load-time checker leaves the "
                                   "key without subkeys",
                                   count, why);
    return r == SM_OK ? SM_OK : sm_error_set(err, r, "%s: out of memory",
                                             h->path);
  }
  size_t total = l[0] == 'r' ? 0 : sm_le16(l + 2);
  for (uint32_t i = 0; l[0] == 'r' && i < sm_le16(l + 2) &&
                       8 + 4 * (uint64_t)i <= ln;
       i++) {
    sm_cell_at(h, sm_le32(l + 4 + 4 * i), &s, &sn);
    total += sm_le16(s + 2);
  }
  if (total > SM_LIST_MAX) /* counted before any is read */
    return sm_key_too_many(h, key, total, err);
  size_t cap = SM_LIST_MAX;
  if (!(*v = malloc(cap * sizeof **v)))
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
  bool ok = true;
  if (l[0] == 'r') {
    for (uint32_t i = 0; ok && i < sm_le16(l + 2) && 8 + 4 * (uint64_t)i <= ln;
         i++) {
      sm_cell_at(h, sm_le32(l + 4 + 4 * i), &s, &sn);
      ok = leaf_entries(s, sn, *v, n, cap);
    }
  } else {
    ok = leaf_entries(l, ln, *v, n, cap);
  }
  if (!ok) {
    free(*v);
    *v = NULL;
    *n = 0;
    char *label = key_label(h, key);
    sm_result r = sm_error_set(err, SM_ERR_CORRUPT,
                               "%s: key '%s': its subkey list runs past its "
                               "cell (a repair not modelled)",
                               h->path, label ? label : "?");
    free(label);
    return r;
  }
  return SM_OK;
}

sm_result sm_heal_subkeys(sm_hive *h, sm_key key, sm_key **out, size_t *n,
                          sm_error *err) {
  uint32_t size;
  *out = NULL;
  *n = 0;
  const unsigned char *nk = key_record(h, key, &size);
  if (!nk)
    return sm_error_set(err, SM_ERR_CORRUPT, "%s: not a key record at 0x%llx",
                        h->path, (unsigned long long)key);
  sm_key *v;
  size_t m;
  sm_result r = list_entries(h, key, nk, &v, &m, err);
  if (r != SM_OK || !v)
    return r;
  size_t k = 0, dropped = 0;
  for (size_t i = 0; i < m && r == SM_OK; i++) {
    const unsigned char *c;
    uint32_t cn;
    uint32_t off = (uint32_t)(v[i] - 4096);
    const char *why = NULL;
    if (!sm_cell_at(h, off, &c, &cn))
      why = "points to a free cell";
    else if (cn < 76 || sm_le16(c + 72) == 0 || 76u + sm_le16(c + 72) > cn)
      why = "points to a key whose name does not fit its cell";
    if (!why)
      v[k++] = v[i];
    else if (dropped++ < SM_HEAL_LISTED)
      r = sm_hive_note_add(h, SM_NOTE_HEALED, key,
                           "subkey-list entry %zu (cell 0x%x) %s: Windows' "
                           "load-time checker removes it from the list",
                           i, off, why);
  }
  if (r == SM_OK)
    r = sm_heal_note_rest(h, key, dropped,
                          "subkey-list entries (not listed) point to free "
                          "cells or to keys whose names do not fit their "
                          "cells");
  if (r != SM_OK) {
    free(v);
    return sm_error_set(err, r, "%s: out of memory", h->path);
  }
  *out = v;
  *n = k;
  return SM_OK;
}

sm_result sm_heal_note_rest(sm_hive *h, sm_key key, size_t dropped,
                            const char *what) {
  if (dropped <= SM_HEAL_LISTED)
    return SM_OK;
  return sm_hive_note_add(h, SM_NOTE_HEALED, key,
                          "%zu more %s: Windows' load-time checker removes "
                          "them from the list",
                          dropped - SM_HEAL_LISTED, what);
}
