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

static bool ascii(const raw *n) {
  if (n->narrow) { /* most names: a byte each */
    for (size_t i = 0; i < n->units; i++)
      if (n->p[i] >= 0x80)
        return false;
    return true;
  }
  for (size_t i = 0; i < n->units; i++)
    if (unit(n, i) >= 0x80)
      return false;
  return true;
}

/* Order of two ASCII names upcased (negative, 0, positive).  Units alike
 * as stored are alike upcased: only those that differ are upcased. */
static int order(const raw *a, const raw *b) {
  size_t n = a->units < b->units ? a->units : b->units;
  for (size_t i = 0; i < n; i++) {
    unsigned x = unit(a, i), y = unit(b, i);
    if (x == y)
      continue;
    x = upper_ascii(x);
    y = upper_ascii(y);
    if (x != y)
      return x < y ? -1 : 1;
  }
  return (a->units > n) - (b->units > n);
}

/* Remove, as the checker does, each subkey that does not sort after the
 * last one kept.  *sorted: every subkey kept has a readable record and an
 * ASCII name, each after the one before it (so upcased names are unique
 * and a lookup may search the list by halves). */
static sm_result drop_unordered(sm_hive *h, sm_key node, sm_key *v,
                                size_t *n, bool *sorted) {
  size_t k = 0, dropped = 0;
  raw prior = {0};
  bool have = false, prior_ascii = false;
  *sorted = true;
  for (size_t i = 0; i < *n; i++) {
    raw cur;
    bool ok = key_raw(h, v[i], false, &cur), cur_ascii = ok && ascii(&cur);
    /* 2: a character past ASCII in either name, whose upcasing (Windows'
     * full table) is not judged here. */
    int o = have && prior_ascii && cur_ascii ? order(&prior, &cur) : 2;
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
    if (!cur_ascii || (have && o != -1))
      *sorted = false;
    if (ok) {
      prior = cur;
      prior_ascii = cur_ascii;
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
 * looked into.  *sorted as drop_unordered says. */
static sm_result children(sm_hive *h, sm_key node, sm_key **out, size_t *n,
                          bool *sorted, sm_error *err) {
  *out = NULL;
  *n = 0;
  *sorted = false;
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
  if (*out && drop_unordered(h, node, *out, n, sorted) != SM_OK) {
    free(*out);
    *out = NULL;
    *n = 0;
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
  }
  return SM_OK;
}

/* The subkeys of node into h->kids, unless they are there: a hive does not
 * change once open, and family detection looks a dozen services up under
 * Services, each a fresh listing of its subkeys otherwise.  h->kids stays
 * NULL when node's list could not be had. */
static sm_result kids(sm_hive *h, sm_key node, sm_error *err) {
  if (h->kids && h->kids_of == node)
    return SM_OK;
  free(h->kids);
  h->kids = NULL;
  h->n_kids = 0;
  h->kids_of = node;
  sm_result r = children(h, node, &h->kids, &h->n_kids, &h->kids_sorted, err);
  if (r != SM_OK) {
    free(h->kids);
    h->kids = NULL;
    h->n_kids = 0;
  }
  return r;
}

sm_result sm_key_children(sm_hive *h, sm_key node, sm_key **out, size_t *n,
                          sm_error *err) {
  *out = NULL;
  *n = 0;
  sm_result r = kids(h, node, err);
  if (r != SM_OK || !h->kids)
    return r;
  if (!(*out = sm_memdup(h->kids, h->n_kids * sizeof *h->kids)))
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
  *n = h->n_kids;
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

/* Order of the stored ASCII name n and name, both upcased. */
static int order_ascii(const raw *n, const char *name, size_t len) {
  size_t m = n->units < len ? n->units : len;
  for (size_t k = 0; k < m; k++) {
    unsigned x = upper_ascii(unit(n, k)),
             y = upper_ascii((unsigned char)name[k]);
    if (x != y)
      return x < y ? -1 : 1;
  }
  return (n->units > m) - (len > m);
}

/* Where to start looking for the ASCII name in v[0..n), a list as
 * drop_unordered found sorted: the first subkey not before name.  What
 * matches it follows there: the subkey of that name, then those reading
 * as it up to a NUL (NUL sorts before every other character). */
static size_t lower_bound(const sm_hive *h, const sm_key *v, size_t n,
                          const char *name, size_t len) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    raw rn;
    if (key_raw(h, v[mid], false, &rn) && order_ascii(&rn, name, len) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static sm_result lacks_signature(sm_hive *h, const char *name, sm_error *err) {
  return sm_error_set(err, SM_ERR_CORRUPT,
                      "%s: key '%s': its record lacks the key signature: "
                      "Windows' load-time checker would rewrite the "
                      "signature and read it as a key (a repair not "
                      "modelled)",
                      h->path, name);
}

sm_result sm_key_child(sm_hive *h, sm_key node, const char *name,
                       sm_key *found, sm_error *err) {
  *found = 0;
  sm_result r = kids(h, node, err);
  if (r != SM_OK || !h->kids)
    return r;
  const sm_key *v = h->kids;
  size_t n = h->n_kids, len = strlen(name), from = 0;
  bool ascii = true, nomem = false;
  for (size_t i = 0; i < len; i++)
    ascii = ascii && (unsigned char)name[i] < 0x80;
  /* A sorted list is searched by halves; any other from end to end. */
  bool halves = ascii && h->kids_sorted;
  if (halves)
    from = lower_bound(h, v, n, name, len);
  for (size_t i = from; i < n && !nomem && r == SM_OK; i++) {
    raw rn;
    bool cut, same = ascii && key_raw(h, v[i], false, &rn)
                         ? same_ascii(&rn, name, len, &cut)
                         : same_decoded(h, v[i], name, len, &cut, &nomem);
    if (!same && !nomem && ascii && !key_raw(h, v[i], false, &rn) &&
        key_raw(h, v[i], true, &rn) && same_ascii(&rn, name, len, &cut))
      return lacks_signature(h, name, err);
    if (halves && !same && !cut)
      break; /* past name and the names cut to it */
    if (same && !*found)
      *found = v[i];
    if (cut)
      r = sm_hive_note_add(h, SM_NOTE_KEY_NAME, v[i],
                           "holds a NUL: hivex and other tools read it as "
                           "\"%s\" (and may take it for that key), Windows' "
                           "lookup by name does not",
                           name);
  }
  if (nomem || r != SM_OK)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
  return SM_OK;
}

sm_result sm_key_subkeys(sm_hive *h, sm_key key, sm_key **keys, size_t *n,
                         sm_error *err) {
  return sm_key_children(h, key, keys, n, err);
}
