/* Deleted values and keys, recovered from the hive's free cells.
 *
 * Windows deletes a value by taking its offset out of the key's value list
 * (the entries after it move down, the count drops by one) and freeing its
 * vk cell and its data cell; it deletes a key by taking it out of its
 * parent's subkey list and freeing its nk cell, value list, values and
 * data.  Freed cells keep their bytes until the space is reused, and a
 * freed cell may be merged with free neighbours into a larger free cell.
 * Two traces tie a deleted record to the key it belonged to:
 *
 *   - the value list's slack: the list cell is not shrunk, so the entry
 *     past the count still holds the offset of the value that was last in
 *     the list (the value deleted, when it was the last one);
 *   - a deleted nk names its parent key.
 *
 * What can be read whole (every cell inside a free cell, signatures and
 * sizes consistent, data no larger than one cell) is put back into a copy
 * of the image, made when the first record is put back (most hives have
 * nothing to recover, and pay no copy), which hive/ then opens like any hive: the audit reads the
 * recovered state with the same code as the live one.  Nothing else is
 * guessed: a free vk that no list names is not attributed to any key. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "hive/hive-internal.h"

#define BINS 0x1000u          /* the first hive bin, offsets count from it */
#define MAX_PER_KEY 256u      /* records recovered per audited key */
#define MAX_KEYS_SCANNED 4096 /* deleted nk records looked at */
#define NK_MIN 0x50u          /* cell header + nk up to its name */
#define VK_MIN 0x18u          /* cell header + vk up to its name */

typedef struct img {
  unsigned char *p; /* the hive's image until owned: then our copy */
  size_t len;       /* bytes of p */
  size_t end;       /* end of the hive bins (base block's size, bounded) */
  bool owned;       /* p is the copy, ours to change and free */
  bool nomem;
} img;

/* p made ours before its first change: the image itself is never
 * written. */
static bool own(img *m) {
  if (m->owned)
    return true;
  unsigned char *p = malloc(m->len);
  if (!p) {
    m->nomem = true;
    return false;
  }
  memcpy(p, m->p, m->len);
  m->p = p;
  m->owned = true;
  return true;
}

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

/* The cell holding absolute offset off: its start and signed size (free
 * when positive).  False when off is not inside a well-formed cell. */
static bool cell_at(const img *m, size_t off, size_t *start, int32_t *size) {
  size_t bin = BINS;
  while (bin + 0x20 <= m->end) {
    uint32_t bsize = sm_le32(m->p + bin + 8);
    if (memcmp(m->p + bin, "hbin", 4) != 0 || bsize < 0x1000 ||
        bsize % 0x1000 || bsize > m->end - bin)
      return false;
    if (off < bin + bsize) {
      size_t c = bin + 0x20;
      while (c + 4 <= bin + bsize) {
        int32_t s = (int32_t)sm_le32(m->p + c);
        size_t n = s < 0 ? (size_t) - (int64_t)s : (size_t)s;
        if (n < 8 || n % 8 || n > bin + bsize - c)
          return false;
        if (off < c + n) {
          *start = c;
          *size = s;
          return off >= c;
        }
        c += n;
      }
      return false;
    }
    bin += bsize;
  }
  return false;
}

/* A record of need bytes at off lies inside one free cell: its bounds. */
static bool in_free(const img *m, size_t off, size_t need, size_t *fs,
                    size_t *fn) {
  int32_t s;
  if (off % 8 || off + need > m->end || !cell_at(m, off, fs, &s) || s <= 0)
    return false;
  *fn = (size_t)s;
  return off + need <= *fs + *fn;
}

/* The old cell at off (size n) allocated again: the free cell around it
 * split into what lies before, the cell, and what lies after. */
static bool carve(img *m, size_t off, size_t n) {
  size_t fs, fn;
  if (!in_free(m, off, n, &fs, &fn) || !own(m))
    return false;
  if (off > fs)
    sm_put_le32(m->p + fs, (uint32_t)(off - fs));
  sm_put_le32(m->p + off, (uint32_t) - (int32_t)n);
  if (off + n < fs + fn)
    sm_put_le32(m->p + off + n, (uint32_t)(fs + fn - off - n));
  return true;
}

/* The size a freed record's cell had: the least that holds it, rounded
 * as allocations are (its header may be that of a larger free cell it was
 * merged into). */
static size_t old_size(size_t least) { return round8(least); }

/* A record's name as UTF-8: Latin-1 when compressed, else UTF-16LE. */
static char *record_name(const unsigned char *p, size_t n, bool ascii) {
  if (!ascii)
    return sm_utf16le_decode(p, n, false, NULL);
  char *s = malloc(2 * n + 1), *q = s;
  for (size_t i = 0; s && i < n; i++) {
    if (p[i] < 0x80) {
      *q++ = (char)p[i];
    } else {
      *q++ = (char)(0xc0 | p[i] >> 6);
      *q++ = (char)(0x80 | (p[i] & 0x3f));
    }
  }
  if (s)
    *q = '\0';
  return s;
}

/* The vk at rel, freed with its data: put back (its cells allocated) when
 * whole.  *name is set (caller-frees) when it is. */
static bool take_value(img *m, uint32_t rel, char **name) {
  size_t off = (size_t)BINS + rel, fs, fn;
  if (rel == 0xffffffffu || !in_free(m, off, VK_MIN, &fs, &fn) ||
      memcmp(m->p + off + 4, "vk", 2) != 0)
    return false;
  size_t nlen = sm_le16(m->p + off + 6);
  size_t vsize = old_size(VK_MIN + nlen);
  if (!in_free(m, off, vsize, &fs, &fn))
    return false;
  uint32_t len = sm_le32(m->p + off + 8), doff = sm_le32(m->p + off + 12);
  size_t dsize = 0, data = 0;
  if (!(len & 0x80000000u) && len > 0) {
    if (len > 16344) /* big data: its segments are not followed */
      return false;
    data = (size_t)BINS + doff;
    if (doff == 0xffffffffu || data < BINS ||
        !in_free(m, data, 4 + (size_t)len, &fs, &fn))
      return false; /* the data's cell was reused */
    dsize = old_size(4 + (size_t)len);
  } else if ((len & 0x7fffffffu) > 4 && (len & 0x80000000u)) {
    return false;
  }
  bool ascii = sm_le16(m->p + off + 4 + 0x10) & 1;
  if (!(*name = record_name(m->p + off + VK_MIN, nlen, ascii)))
    return false;
  if (!carve(m, off, vsize) || (dsize && !carve(m, data, dsize))) {
    free(*name);
    *name = NULL;
    return false;
  }
  return true;
}

static bool name_taken(char *const *names, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (sm_value_name_eq(names[i], name))
      return true;
  return false;
}

typedef struct undo {
  sm_hive *h;
  img m;
  sm_undelete *out;
  bool nomem;
} undo;

static void record(undo *u, sm_key parent, bool is_key, char *name,
                   uint32_t cell, uint64_t lw, size_t nvals) {
  sm_undelete *o = u->out;
  sm_undeleted *v = realloc(o->v, (o->n + 1) * sizeof *v);
  if (!v) {
    free(name);
    u->nomem = true;
    return;
  }
  o->v = v;
  o->v[o->n++] = (sm_undeleted){.parent = parent,
                                .is_key = is_key,
                                .name = name,
                                .cell = cell,
                                .last_write = lw,
                                .n_values = nvals};
}

/* The names of the key's live values (or subkeys). */
static char **live_names(sm_hive *h, sm_key k, bool subkeys, size_t *n) {
  *n = 0;
  if (subkeys) {
    sm_key *ks = NULL;
    size_t nk = 0;
    if (sm_key_subkeys(h, k, &ks, &nk, NULL) != SM_OK)
      return NULL;
    char **v = calloc(nk ? nk : 1, sizeof *v);
    for (size_t i = 0; v && i < nk; i++)
      v[(*n)++] = sm_key_name(h, ks[i]);
    free(ks);
    return v;
  }
  sm_value **vals = NULL;
  size_t nv = 0;
  if (sm_key_values(h, k, &vals, &nv, NULL) != SM_OK)
    return NULL;
  char **v = calloc(nv ? nv : 1, sizeof *v);
  for (size_t i = 0; v && i < nv; i++)
    v[(*n)++] = strdup(vals[i]->name);
  sm_values_free(vals, nv);
  return v;
}

static void names_free(char **v, size_t n) {
  for (size_t i = 0; v && i < n; i++)
    free(v[i]);
  free(v);
}

/* Values deleted from key k whose offsets the slack of its value list
 * keeps: put back at the end of the list. */
static void slack_values(undo *u, sm_key k) {
  img *m = &u->m;
  size_t nk = k;
  if (nk < BINS || nk + NK_MIN > m->end || memcmp(m->p + nk + 4, "nk", 2))
    return;
  uint32_t count = sm_le32(m->p + nk + 4 + 0x24);
  uint32_t list = sm_le32(m->p + nk + 4 + 0x28);
  size_t l = (size_t)BINS + list;
  if (list == 0xffffffffu || l + 4 > m->end || l % 8)
    return;
  int32_t ls = (int32_t)sm_le32(m->p + l);
  if (ls >= 0)
    return;
  size_t cap = ((size_t) - (int64_t)ls - 4) / 4;
  if (count > cap || l + 4 + 4 * cap > m->end)
    return;
  size_t nnames = 0;
  char **names = live_names(u->h, k, false, &nnames);
  if (!names)
    return;
  size_t now = count, taken = 0;
  for (size_t j = count; j < cap && taken < MAX_PER_KEY; j++) {
    uint32_t v = sm_le32(m->p + l + 4 + 4 * j);
    bool live = false;
    for (size_t i = 0; i < now && !live; i++)
      live = sm_le32(m->p + l + 4 + 4 * i) == v;
    char *name = NULL;
    if (live || !take_value(m, v, &name))
      continue;
    if (name_taken(names, nnames, name)) { /* an older copy: not put back */
      free(name);
      continue;
    }
    sm_put_le32(m->p + l + 4 + 4 * now++, v); /* owned: take_value carved */
    taken++;
    record(u, k, false, name, v, 0, 0);
  }
  if (now != count)
    sm_put_le32(m->p + nk + 4 + 0x24, (uint32_t)now);
  names_free(names, nnames);
}

/* The values of a deleted key, through its value list (a free cell too):
 * those that can be read whole are kept, in order.  Returns their count
 * (the nk's count and list are rewritten to match). */
static size_t key_values(img *m, size_t nk) {
  uint32_t count = sm_le32(m->p + nk + 4 + 0x24);
  uint32_t list = sm_le32(m->p + nk + 4 + 0x28);
  size_t l = (size_t)BINS + list, fs, fn, kept = 0;
  if (count && count <= MAX_PER_KEY && list != 0xffffffffu &&
      in_free(m, l, 4 + 4 * (size_t)count, &fs, &fn)) {
    size_t lsize = old_size(4 + 4 * (size_t)count);
    if (carve(m, l, lsize))
      for (size_t i = 0; i < count; i++) {
        uint32_t v = sm_le32(m->p + l + 4 + 4 * i);
        char *name = NULL;
        if (take_value(m, v, &name))
          sm_put_le32(m->p + l + 4 + 4 * kept++, v);
        free(name);
      }
  }
  sm_put_le32(m->p + nk + 4 + 0x24, (uint32_t)kept);
  if (!kept)
    sm_put_le32(m->p + nk + 4 + 0x28, 0xffffffffu);
  return kept;
}

/* A deleted nk at off (inside a free cell) whose parent is k: put back,
 * with the values that can be read, and without subkeys of its own. */
static bool take_key(img *m, size_t off, char **name, size_t *nvals) {
  size_t nlen = sm_le16(m->p + off + 4 + 0x48), fs, fn;
  if (nlen == 0 || !in_free(m, off, NK_MIN + nlen, &fs, &fn))
    return false;
  bool ascii = sm_le16(m->p + off + 4 + 2) & 0x20;
  if (!(*name = record_name(m->p + off + NK_MIN, nlen, ascii)))
    return false;
  size_t size = old_size(NK_MIN + nlen);
  if (!carve(m, off, size)) {
    free(*name);
    *name = NULL;
    return false;
  }
  sm_put_le32(m->p + off + 4 + 0x14, 0);           /* subkeys */
  sm_put_le32(m->p + off + 4 + 0x1c, 0xffffffffu); /* their list */
  sm_put_le32(m->p + off + 4 + 0x18, 0);           /* volatile */
  sm_put_le32(m->p + off + 4 + 0x20, 0xffffffffu);
  *nvals = key_values(m, off);
  return true;
}

/* Order of the key names at rel offsets a and b of p, upcased as Windows
 * sorts a subkey list (ASCII; other characters as stored). */
static int name_order(const unsigned char *p, uint32_t a, uint32_t b) {
  const unsigned char *x = p + BINS + a + 4, *y = p + BINS + b + 4;
  bool nx = sm_le16(x + 2) & 0x20, ny = sm_le16(y + 2) & 0x20;
  size_t lx = sm_le16(x + 72) / (nx ? 1 : 2), ly = sm_le16(y + 72) / (ny ? 1 : 2);
  for (size_t i = 0; i < lx && i < ly; i++) {
    unsigned cx = nx ? x[76 + i] : sm_le16(x + 76 + 2 * i);
    unsigned cy = ny ? y[76 + i] : sm_le16(y + 76 + 2 * i);
    cx = cx >= 'a' && cx <= 'z' ? cx - 32 : cx;
    cy = cy >= 'a' && cy <= 'z' ? cy - 32 : cy;
    if (cx != cy)
      return cx < cy ? -1 : 1;
  }
  return (lx > ly) - (lx < ly);
}

/* A new hive bin at the end of the image holding one li list of k's
 * subkeys: the live ones and those put back (rels[0..n)), sorted by name
 * as Windows keeps a subkey list (its load-time checker drops a key out of
 * order: hive/subkeys.c). */
static bool relink(undo *u, sm_key k, const uint32_t *rels, size_t n) {
  img *m = &u->m;
  sm_key *live = NULL;
  size_t nlive = 0;
  if (sm_key_subkeys(u->h, k, &live, &nlive, NULL) != SM_OK)
    return false;
  size_t total = nlive + n;
  size_t cell = round8(4 + 4 + 4 * total);
  size_t bsize = (0x20 + cell + 8 + 0xfff) & ~(size_t)0xfff;
  size_t at = m->end;
  unsigned char *p =
      total <= 0xffff && own(m) ? realloc(m->p, at + bsize) : NULL;
  if (!p) {
    free(live);
    return false;
  }
  m->p = p;
  memset(p + at, 0, bsize);
  memcpy(p + at, "hbin", 4);
  sm_put_le32(p + at + 4, (uint32_t)(at - BINS));
  sm_put_le32(p + at + 8, (uint32_t)bsize);
  unsigned char *c = p + at + 0x20;
  sm_put_le32(c, (uint32_t) - (int32_t)cell);
  memcpy(c + 4, "li", 2);
  sm_put_le16(c + 6, (uint16_t)total);
  for (size_t i = 0; i < nlive; i++)
    sm_put_le32(c + 8 + 4 * i, (uint32_t)(live[i] - BINS));
  for (size_t i = 0; i < n; i++) { /* each put back in its place */
    size_t j = nlive + i;
    for (; j > 0 && name_order(p, sm_le32(c + 8 + 4 * (j - 1)), rels[i]) > 0;
         j--)
      sm_put_le32(c + 8 + 4 * j, sm_le32(c + 8 + 4 * (j - 1)));
    sm_put_le32(c + 8 + 4 * j, rels[i]);
  }
  sm_put_le32(c + cell, (uint32_t)(bsize - 0x20 - cell)); /* the rest free */
  free(live);
  m->len = m->end = at + bsize;
  sm_put_le32(p + 40, (uint32_t)(m->end - BINS)); /* hive bins size */
  sm_put_le32(p + k + 4 + 0x14, (uint32_t)total);
  sm_put_le32(p + k + 4 + 0x1c, (uint32_t)(at + 0x20 - BINS));
  return true;
}

/* Keys deleted from k: every deleted nk in the free cells naming k as its
 * parent, the latest of each name, unless a live subkey has the name. */
static void deleted_keys(undo *u, sm_key k, const size_t *cands, size_t nc) {
  img *m = &u->m;
  size_t nnames = 0;
  char **names = live_names(u->h, k, true, &nnames);
  uint32_t rels[MAX_PER_KEY];
  size_t n = 0, first = u->out->n;
  if (!names)
    return;
  for (size_t i = 0; i < nc && n < MAX_PER_KEY; i++) {
    size_t off = cands[i];
    if (sm_le32(m->p + off + 4 + 0x10) != (uint32_t)(k - BINS))
      continue;
    char *name = NULL;
    size_t nvals = 0;
    uint64_t lw = sm_le64(m->p + off + 4 + 4);
    if (!take_key(m, off, &name, &nvals))
      continue;
    bool dup = name_taken(names, nnames, name);
    for (size_t j = first; j < u->out->n && !dup; j++)
      dup = sm_value_name_eq(u->out->v[j].name, name);
    if (dup) {
      /* Allocated but not linked: harmless, and not read. */
      free(name);
      continue;
    }
    rels[n++] = (uint32_t)(off - BINS);
    record(u, k, true, name, (uint32_t)(off - BINS), lw, nvals);
  }
  names_free(names, nnames);
  if (n && !relink(u, k, rels, n)) {
    u->nomem = true;
    while (u->out->n > first)
      free(u->out->v[--u->out->n].name);
  }
}

/* Every nk signature at a cell boundary inside a free cell. */
static size_t *free_nks(const img *m, size_t *n) {
  size_t cap = 64, *v = malloc(cap * sizeof *v);
  *n = 0;
  size_t bin = BINS;
  while (v && bin + 0x20 <= m->end && *n < MAX_KEYS_SCANNED) {
    uint32_t bsize = sm_le32(m->p + bin + 8);
    if (memcmp(m->p + bin, "hbin", 4) != 0 || bsize < 0x1000 ||
        bsize % 0x1000 || bsize > m->end - bin)
      break;
    for (size_t c = bin + 0x20; c + 4 <= bin + bsize;) {
      int32_t s = (int32_t)sm_le32(m->p + c);
      size_t cn = s < 0 ? (size_t) - (int64_t)s : (size_t)s;
      if (cn < 8 || cn % 8 || cn > bin + bsize - c)
        break;
      for (size_t o = c; s > 0 && o + NK_MIN <= c + cn; o += 8)
        if (memcmp(m->p + o + 4, "nk", 2) == 0 && *n < MAX_KEYS_SCANNED) {
          if (*n == cap) {
            size_t *w = realloc(v, 2 * cap * sizeof *v);
            if (!w)
              break;
            v = w;
            cap *= 2;
          }
          v[(*n)++] = o;
        }
      c += cn;
    }
    bin += bsize;
  }
  return v;
}

sm_result sm_hive_undelete(sm_hive *h, const sm_key *keys, size_t nkeys,
                           sm_undelete *out, sm_error *err) {
  memset(out, 0, sizeof *out);
  const unsigned char *data;
  size_t len;
  if (sm_hive_image(h, &data, &len) != SM_OK || len < BINS + 0x20)
    return SM_OK;
  undo u = {.h = h, .out = out};
  size_t bins = sm_le32(data + 40);
  u.m.len = len;
  u.m.end = bins <= len - BINS ? BINS + bins : len;
  u.m.p = (unsigned char *)data; /* read only until own() */
  size_t nc = 0, *cands = free_nks(&u.m, &nc);
  for (size_t i = 0; i < nkeys && !u.nomem && !u.m.nomem; i++) {
    slack_values(&u, keys[i]);
    if (cands)
      deleted_keys(&u, keys[i], cands, nc);
  }
  free(cands);
  u.nomem |= u.m.nomem;
  if (u.nomem || !out->n || !u.m.owned) {
    if (u.m.owned)
      free(u.m.p);
    sm_undelete_free(out);
    return u.nomem
               ? sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path)
               : SM_OK;
  }
  out->image = u.m.p;
  out->len = u.m.len;
  return SM_OK;
}

void sm_undelete_free(sm_undelete *u) {
  if (!u)
    return;
  for (size_t i = 0; i < u->n; i++)
    free(u->v[i].name);
  free(u->v);
  free(u->image);
  memset(u, 0, sizeof *u);
}
