/* The subkeys of a key as Windows holds them, and a subkey by name.
 *
 * Windows' load-time checker (hive/heal.c) removes a subkey that sorts
 * before or with its prior sibling (CmpCheckLexicographicalOrder: subkey
 * lists are sorted by upcased name, lookups search them so), and Windows
 * compares names by their stored length: a decoy `Session Manager<NUL>x`
 * is another key, which hivex's lookups take for `Session Manager`.  Names
 * are read from the key records themselves (hive/name.c). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "base/le.h"
#include "hive/hive-internal.h"

/* A stored key name: units Latin-1 bytes or UTF-16LE code units. */
typedef struct raw {
  const unsigned char *p;
  size_t units;
  bool narrow;
} raw;

static bool key_raw(const sm_hive *h, sm_key k, bool any_sig, raw *out) {
  size_t len;
  if (!sm_nk_raw(h, k, any_sig, &out->p, &len, &out->narrow) ||
      (!out->narrow && len % 2))
    return false;
  out->units = out->narrow ? len : len / 2;
  return true;
}

static unsigned unit(const raw *n, size_t i) {
  return n->narrow ? n->p[i] : sm_le16(n->p + 2 * i);
}

static unsigned upper_ascii(unsigned c) {
  return c >= 'a' && c <= 'z' ? c - 32 : c;
}

/* Order of two names upcased (negative, 0, positive); 2 when either holds
 * a character past ASCII, whose upcasing (Windows' full table) is not
 * judged here. */
static int order(const raw *a, const raw *b) {
  size_t n = a->units < b->units ? a->units : b->units;
  for (size_t i = 0; i < a->units; i++)
    if (unit(a, i) >= 0x80)
      return 2;
  for (size_t i = 0; i < b->units; i++)
    if (unit(b, i) >= 0x80)
      return 2;
  for (size_t i = 0; i < n; i++) {
    unsigned x = upper_ascii(unit(a, i)), y = upper_ascii(unit(b, i));
    if (x != y)
      return x < y ? -1 : 1;
  }
  return (a->units > n) - (b->units > n);
}

/* Remove, as the checker does, each subkey that does not sort after the
 * last one kept. */
static sm_result drop_unordered(sm_hive *h, sm_key node, sm_key *v,
                                size_t *n) {
  size_t k = 0, dropped = 0;
  raw prior = {0};
  bool have = false;
  for (size_t i = 0; i < *n; i++) {
    raw cur;
    bool ok = key_raw(h, v[i], false, &cur);
    int o = ok && have ? order(&prior, &cur) : 2;
    if (o != 2 && o >= 0 && dropped++ >= SM_HEAL_LISTED)
      continue; /* removed, counted below */
    if (o != 2 && o >= 0) {
      size_t len;
      char *name = sm_nk_name(h, v[i], &len);
      char *shown = name ? sm_name_shown(name, len) : NULL;
      sm_result r = sm_hive_note_add(
          h, SM_NOTE_HEALED, node,
          "subkey \"%s\" (entry %zu) does not sort after the subkey before "
          "it: Windows' load-time checker removes it from the list",
          shown ? shown : "?", i);
      free(name);
      free(shown);
      if (r != SM_OK || !shown)
        return SM_ERR_NOMEM;
      continue;
    }
    if (ok) {
      prior = cur;
      have = true;
    }
    v[k++] = v[i];
  }
  *n = k;
  return sm_heal_note_rest(h, node, dropped,
                           "subkeys (not listed) do not sort after the "
                           "subkey before them") == SM_OK
             ? SM_OK
             : SM_ERR_NOMEM;
}

sm_result sm_key_too_many(sm_hive *h, sm_key key, size_t count,
                          sm_error *err) {
  char *name = sm_key_name(h, key);
  sm_result r = sm_error_set(err, SM_ERR_LIMIT,
                             "%s: key '%s': too many subkeys (%zu; smaudit "
                             "reads at most %u from one key)",
                             h->path, name ? name : "?", count, SM_LIST_MAX);
  free(name);
  return r;
}

static sm_result too_many(sm_hive *h, sm_key key, sm_key **out, size_t *n,
                          size_t count, sm_error *err) {
  free(*out);
  *out = NULL;
  *n = 0;
  return sm_key_too_many(h, key, count, err);
}

/* Every lookup and listing of a key's subkeys comes here: a key with more
 * than SM_LIST_MAX is an error (docs/security.md), whether listed or
 * looked into. */
static sm_result children(sm_hive *h, sm_key node, sm_key **out, size_t *n,
                          sm_error *err);

/* The subkeys of node, the last key's read again from memory: a hive does
 * not change once open, and family detection looks a dozen services up
 * under Services, each a fresh listing of its ~600 subkeys otherwise. */
sm_result sm_key_children(sm_hive *h, sm_key node, sm_key **out, size_t *n,
                          sm_error *err) {
  if (h->kids && h->kids_of == node) {
    *n = h->n_kids;
    if (!(*out = sm_memdup(h->kids, h->n_kids * sizeof *h->kids)))
      return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
    return SM_OK;
  }
  sm_result r = children(h, node, out, n, err);
  if (r == SM_OK && *out) {
    sm_key *keep = sm_memdup(*out, *n * sizeof **out);
    if (keep) { /* else only the memory is not kept */
      free(h->kids);
      h->kids = keep;
      h->n_kids = *n;
      h->kids_of = node;
    }
  }
  return r;
}

static sm_result children(sm_hive *h, sm_key node, sm_key **out, size_t *n,
                          sm_error *err) {
  *out = NULL;
  *n = 0;
  /* In its tolerant mode hivex skips what it cannot read, silently:
   * there the list is read as the checker leaves it, always. */
  errno = 0;
  hive_node_h *c = h->flags & SM_OPEN_UNSAFE
                       ? NULL
                       : hivex_node_children(h->hx, node);
  sm_result r = SM_OK;
  if (c) {
    while (c[*n])
      (*n)++;
    *out = (sm_key *)c; /* hive_node_h is size_t, as sm_key */
  } else if (errno == ENOMEM) {
    return sm_error_from_errno(err, errno, h->path);
  } else if ((r = sm_heal_subkeys(h, node, out, n, err)) != SM_OK) {
    return r;
  }
  if (*n > SM_LIST_MAX)
    return too_many(h, node, out, n, *n, err);
  if (*out && drop_unordered(h, node, *out, n) != SM_OK) {
    free(*out);
    *out = NULL;
    *n = 0;
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
  }
  return SM_OK;
}

/* Whether the stored name n is name (ASCII), case-insensitively; *cut set
 * when n holds a NUL and reads as name up to it. */
static bool same_ascii(const raw *n, const char *name, size_t len, bool *cut) {
  *cut = false;
  if (n->units < len)
    return false;
  for (size_t k = 0; k < len; k++) {
    unsigned c = unit(n, k);
    if (c >= 0x80 || upper_ascii(c) != upper_ascii((unsigned char)name[k]))
      return false;
  }
  if (n->units == len)
    return true;
  *cut = unit(n, len) == 0;
  return false;
}

/* The same for any name, decoded (hive/name.c's comparison). */
static bool same_decoded(sm_hive *h, sm_key k, const char *name, size_t len,
                         bool *cut, bool *nomem) {
  size_t n = 0;
  errno = 0;
  char *s = sm_nk_name(h, k, &n);
  *cut = false;
  if (!s && errno == ENOMEM)
    *nomem = true;
  if (!s && !*nomem && (s = hivex_node_name(h->hx, k)))
    n = strlen(s);
  bool same = s && sm_name_eq(s, n, name, len);
  *cut = s && !same && strlen(s) < n && sm_name_eq(s, strlen(s), name, len);
  free(s);
  return same;
}

sm_result sm_key_child(sm_hive *h, sm_key node, const char *name,
                       sm_key *found, sm_error *err) {
  *found = 0;
  sm_key *v;
  size_t n;
  sm_result r = sm_key_children(h, node, &v, &n, err);
  if (r != SM_OK)
    return r;
  size_t len = strlen(name);
  bool ascii = true, nomem = false;
  for (size_t i = 0; i < len; i++)
    ascii = ascii && (unsigned char)name[i] < 0x80;
  for (size_t i = 0; i < n && !nomem && r == SM_OK; i++) {
    raw rn;
    bool cut, same = ascii && key_raw(h, v[i], false, &rn)
                         ? same_ascii(&rn, name, len, &cut)
                         : same_decoded(h, v[i], name, len, &cut, &nomem);
    if (!same && !nomem && ascii && !key_raw(h, v[i], false, &rn) &&
        key_raw(h, v[i], true, &rn) && same_ascii(&rn, name, len, &cut)) {
      free(v);
      return sm_error_set(err, SM_ERR_CORRUPT,
                          "%s: key '%s': its record lacks the key signature: "
                          "Windows' load-time checker would rewrite the "
                          "signature and read it as a key (a repair not "
                          "modelled)",
                          h->path, name);
    }
    if (same && !*found)
      *found = v[i];
    if (cut)
      r = sm_hive_note_add(h, SM_NOTE_KEY_NAME, v[i],
                           "holds a NUL: hivex and other tools read it as "
                           "\"%s\" (and may take it for that key), Windows' "
                           "lookup by name does not",
                           name);
  }
  free(v);
  if (nomem || r != SM_OK)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
  return SM_OK;
}

sm_result sm_key_subkeys(sm_hive *h, sm_key key, sm_key **keys, size_t *n,
                         sm_error *err) {
  return sm_key_children(h, key, keys, n, err);
}
