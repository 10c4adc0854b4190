#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/le.h"
#include "hive/hive-internal.h"

/* Longest key path we walk; Windows allows 512 levels of 255 characters. */
#define SM_PATH_MAX 4096

/* Whether the key record at node is flagged KEY_SYM_LINK (0x0010). */
static bool is_link(const sm_hive *h, sm_key node) {
  uint64_t at = (uint64_t)node;
  return at + 8 <= h->image_len && (sm_le16(h->bytes + at + 6) & 0x10);
}

/* Where a stored link leads: its SymbolicLinkValue (REG_LINK), an
 * absolute path \Registry\Machine\System\REST (this hive, mounted there),
 * with CurrentControlSet standing for the set Select\Current names.
 * Writes REST, with that set spelled out, into buf. */
static sm_result link_target(sm_hive *h, sm_key node, char *buf, size_t size,
                             char *shown, size_t shown_size, sm_error *err) {
  static const char mount[] = "\\Registry\\Machine\\System";
  sm_value *v = NULL;
  sm_result r = sm_key_value(h, node, "SymbolicLinkValue", &v, NULL);
  const char *t = r == SM_OK && v->status == SM_OK &&
                          v->type == SM_REG_LINK && v->str
                      ? v->str
                      : NULL;
  snprintf(shown, shown_size, "%s", t ? t : "");
  size_t m = sizeof mount - 1;
  bool here = t && strncasecmp(t, mount, m) == 0 &&
              (t[m] == '\0' || t[m] == '\\');
  if (!here) {
    r = sm_error_set(err, SM_ERR_CORRUPT,
                     "%s: a key on the path is a stored symbolic link %s%s%s",
                     h->path, t ? "to '" : "without a target",
                     t ? t : "", t ? "', outside this hive" : "");
    sm_value_free(v);
    return r;
  }
  const char *rest = t[m] ? t + m + 1 : "";
  int n;
  static const char ccs[] = "CurrentControlSet";
  size_t c = sizeof ccs - 1;
  sm_select sel;
  /* Select read through a link to CurrentControlSet would loop. */
  static __thread bool in_select;
  if (strncasecmp(rest, ccs, c) == 0 && (rest[c] == '\0' || rest[c] == '\\')) {
    r = in_select ? sm_error_set(err, SM_ERR_CORRUPT,
                                 "%s: stored symbolic links loop through "
                                 "CurrentControlSet",
                                 h->path)
                  : SM_OK;
    if (r == SM_OK) {
      in_select = true;
      r = sm_hive_select(h, &sel, err);
      in_select = false;
    }
    if (r != SM_OK) {
      sm_value_free(v);
      return r;
    }
    n = snprintf(buf, size, "ControlSet%03u%s", sel.current, rest + c);
  } else {
    n = snprintf(buf, size, "%s", rest);
  }
  sm_value_free(v);
  /* Cut short, the target could name another key (a padded path ending
   * in a name the cut drops): refused, never followed in part. */
  if (n < 0 || (size_t)n >= size)
    return sm_error_set(err, SM_ERR_LIMIT,
                        "%s: a stored symbolic link's target is too long "
                        "(%d bytes; key paths are followed up to %zu bytes)",
                        h->path, n, size - 1);
  return SM_OK;
}

/* The subkeys looked up so far, by parent and name as spelt: a hive is
 * read only, so a name found (or not found) below a key stays so, and an
 * audit looks the same few keys up hundreds of times (every rule's key,
 * from each control set), each time listing the parent's subkeys through
 * hivex.  Names longer than MEMO_NAME are not remembered. */
#define MEMO_SLOTS 512u /* a power of two */
#define MEMO_NAME 48u
typedef struct memo_entry {
  struct memo_entry *next;
  sm_key node, child;
  char name[MEMO_NAME];
} memo_entry;
struct sm_child_memo {
  memo_entry *slot[MEMO_SLOTS];
};

static size_t memo_hash(sm_key node, const char *name) {
  size_t x = (size_t)node * 0x9e3779b97f4a7c15u;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    x = (x ^ *p) * 0x100000001b3u;
  return (x ^ x >> 29) & (MEMO_SLOTS - 1);
}

static memo_entry *memo_find(const sm_hive *h, sm_key node, const char *name,
                             size_t slot) {
  if (!h->memo)
    return NULL;
  for (memo_entry *e = h->memo->slot[slot]; e; e = e->next)
    if (e->node == node && strcmp(e->name, name) == 0)
      return e;
  return NULL;
}

/* Remember child (0: none) below node; out of memory, forget it. */
static void memo_add(sm_hive *h, sm_key node, const char *name, size_t slot,
                     sm_key child) {
  size_t len = strlen(name);
  if (len >= MEMO_NAME || (!h->memo && !(h->memo = calloc(1, sizeof *h->memo))))
    return;
  memo_entry *e = malloc(offsetof(memo_entry, name) + len + 1);
  if (!e)
    return;
  e->node = node;
  e->child = child;
  memcpy(e->name, name, len + 1);
  e->next = h->memo->slot[slot];
  h->memo->slot[slot] = e;
}

void sm_child_memo_free(sm_hive *h) {
  if (!h->memo)
    return;
  for (size_t i = 0; i < MEMO_SLOTS; i++)
    for (memo_entry *e = h->memo->slot[i], *next; e; e = next) {
      next = e->next;
      free(e);
    }
  free(h->memo);
  h->memo = NULL;
}

/* One path component below node (hive/subkeys.c), *child 0 when there is
 * none; only answers, found or not, are remembered (an error is asked
 * again). */
static sm_result child_of(sm_hive *h, sm_key node, const char *part,
                          sm_key *child, sm_error *err) {
  size_t slot = memo_hash(node, part);
  memo_entry *e = memo_find(h, node, part, slot);
  if (e) {
    *child = e->child;
    return SM_OK;
  }
  sm_result r = sm_key_child(h, node, part, child, err);
  if (r == SM_OK)
    memo_add(h, node, part, slot, *child);
  return r;
}

/* Stored links followed on one lookup, at most: Windows bounds the depth
 * of symbolic link reparsing too. */
#define SM_LINK_MAX 16

static sm_result lookup(sm_hive *h, sm_key parent, const char *path,
                        sm_key *out, sm_key_link *link, unsigned depth,
                        sm_error *err) {
  char buf[SM_PATH_MAX];
  size_t n = strlen(path);
  if (n >= sizeof buf)
    return sm_error_set(err, SM_ERR_LIMIT, "%s: key path too long", h->path);
  memcpy(buf, path, n + 1);

  sm_key node = parent;
  char *save = NULL;
  for (char *part = strtok_r(buf, "\\", &save); part;
       part = strtok_r(NULL, "\\", &save)) {
    sm_key child;
    sm_result cr = child_of(h, node, part, &child, err);
    if (cr != SM_OK)
      return cr;
    if (child == 0)
      return sm_error_set(err, SM_ERR_NOT_FOUND, "%s: key '%s' not found",
                          h->path, path);
    if (is_link(h, child)) {
      /* Windows opens what the link names; the rest of the path goes on
       * from there. */
      char target[SM_PATH_MAX], shown[512];
      if (depth >= SM_LINK_MAX)
        return sm_error_set(err, SM_ERR_LIMIT,
                            "%s: more than %d stored symbolic links on the "
                            "path '%s'",
                            h->path, SM_LINK_MAX, path);
      sm_result r = link_target(h, child, target, sizeof target, shown,
                                sizeof shown, err);
      if (r != SM_OK)
        return r;
      if (link && !link->followed) {
        link->followed = true;
        snprintf(link->key, sizeof link->key, "%s", part);
        snprintf(link->target, sizeof link->target, "%s", shown);
      }
      r = lookup(h, sm_hive_root(h), target, &child, link, depth + 1, err);
      if (r == SM_ERR_NOT_FOUND)
        return sm_error_set(err, SM_ERR_CORRUPT,
                            "%s: key '%s' is a stored symbolic link to '%s', "
                            "which does not exist",
                            h->path, part, shown);
      if (r != SM_OK)
        return r;
    }
    node = child;
  }
  *out = node;
  return SM_OK;
}

sm_result sm_key_lookup_link(sm_hive *h, sm_key parent, const char *path,
                             sm_key *out, sm_key_link *link, sm_error *err) {
  if (link)
    memset(link, 0, sizeof *link);
  return lookup(h, parent, path, out, link, 0, err);
}

sm_result sm_key_lookup(sm_hive *h, sm_key parent, const char *path,
                        sm_key *out, sm_error *err) {
  return lookup(h, parent, path, out, NULL, 0, err);
}

char *sm_key_name(sm_hive *h, sm_key key) {
  errno = 0;
  char *name = hivex_node_name(h->hx, key);
  if (!name)
    name = strdup("\xEF\xBF\xBD"); /* U+FFFD: a name hivex cannot decode */
  return name;
}

char *sm_key_name_counted(sm_hive *h, sm_key key, size_t *len) {
  errno = 0;
  char *name = sm_nk_name(h, key, len);
  if (name || errno == ENOMEM)
    return name;
  if ((name = sm_key_name(h, key)))
    *len = strlen(name);
  return name;
}

uint64_t sm_key_last_write(sm_hive *h, sm_key key) {
  errno = 0;
  int64_t t = hivex_node_timestamp(h->hx, key);
  return t < 0 ? 0 : (uint64_t)t;
}

static sm_result dword_of(sm_hive *h, sm_key key, const char *name,
                          uint32_t *out, bool *has) {
  sm_value *v = NULL;
  *has = false;
  sm_result r = sm_key_value(h, key, name, &v, NULL);
  if (r == SM_OK) {
    uint32_t d;
    if (sm_value_dword(v, &d) == SM_OK) {
      *out = d;
      *has = true;
    }
  }
  sm_value_free(v);
  return r == SM_ERR_NOT_FOUND ? SM_OK : r;
}

sm_result sm_hive_select(sm_hive *h, sm_select *out, sm_error *err) {
  memset(out, 0, sizeof *out);
  sm_key sel;
  sm_result r = sm_key_lookup(h, sm_hive_root(h), "Select", &sel, err);
  if (r == SM_ERR_NOT_FOUND)
    return sm_error_set(err, SM_ERR_NO_SELECT,
                        "%s: no Select key at the hive root (not a SYSTEM "
                        "hive?)",
                        h->path);
  if (r != SM_OK)
    return r;
  if ((r = dword_of(h, sel, "Current", &out->current, &out->has_current)) ||
      (r = dword_of(h, sel, "Default", &out->default_, &out->has_default_)) ||
      (r = dword_of(h, sel, "LastKnownGood", &out->last_known_good,
                    &out->has_last_known_good)) ||
      (r = dword_of(h, sel, "Failed", &out->failed, &out->has_failed)))
    return sm_error_set(err, r, "%s: Select: %s", h->path, sm_result_str(r));
  return SM_OK;
}

/* "ControlSet" followed by exactly three digits. */
static bool control_set_number(const char *name, unsigned *id) {
  if (strncasecmp(name, "ControlSet", 10) != 0 || strlen(name) != 13)
    return false;
  unsigned v = 0;
  for (int i = 10; i < 13; i++) {
    if (name[i] < '0' || name[i] > '9')
      return false;
    v = v * 10 + (unsigned)(name[i] - '0');
  }
  *id = v;
  return true;
}

static int cmp_unsigned(const void *a, const void *b) {
  unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
  return x < y ? -1 : x > y;
}

sm_result sm_hive_control_sets(sm_hive *h, unsigned **ids, size_t *n,
                               sm_error *err) {
  sm_key *keys;
  size_t nkeys;
  *ids = NULL;
  *n = 0;
  sm_result r = sm_key_subkeys(h, sm_hive_root(h), &keys, &nkeys, err);
  if (r != SM_OK)
    return r;
  unsigned *out = malloc((nkeys ? nkeys : 1) * sizeof *out);
  if (!out) {
    free(keys);
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
  }
  size_t count = 0;
  for (size_t i = 0; i < nkeys; i++) {
    char *name = sm_key_name(h, keys[i]);
    unsigned id;
    if (name && control_set_number(name, &id))
      out[count++] = id;
    free(name);
  }
  free(keys);
  qsort(out, count, sizeof *out, cmp_unsigned);
  *ids = out;
  *n = count;
  return SM_OK;
}

sm_result sm_hive_control_set(sm_hive *h, unsigned id, sm_key *key,
                              sm_error *err) {
  char name[32];
  if (id > 999)
    return sm_error_set(err, SM_ERR_NO_CONTROL_SET,
                        "%s: control set %u cannot exist (more than three "
                        "digits)",
                        h->path, id);
  snprintf(name, sizeof name, "ControlSet%03u", id);
  sm_result r = sm_key_lookup(h, sm_hive_root(h), name, key, err);
  if (r == SM_ERR_NOT_FOUND)
    return sm_error_set(err, SM_ERR_NO_CONTROL_SET, "%s: %s not found", h->path,
                        name);
  return r;
}

sm_result sm_hive_current_control_set(sm_hive *h, unsigned *id, sm_key *key,
                                      sm_error *err) {
  sm_select sel;
  sm_result r = sm_hive_select(h, &sel, err);
  if (r != SM_OK)
    return r;
  if (!sel.has_current)
    return sm_error_set(err, SM_ERR_NO_SELECT,
                        "%s: Select has no Current value (REG_DWORD)", h->path);
  r = sm_hive_control_set(h, sel.current, key, err);
  if (r == SM_ERR_NO_CONTROL_SET)
    return sm_error_set(err, r,
                        "%s: Select\\Current is %u but no such control set "
                        "exists",
                        h->path, sel.current);
  if (r == SM_OK)
    *id = sel.current;
  return r;
}
