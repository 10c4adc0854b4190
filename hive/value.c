#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/le.h"
#include "hive/hive-internal.h"

void sm_value_free(sm_value *v) {
  if (!v)
    return;
  free(v->name);
  free(v->data);
  free(v->str);
  if (v->strv)
    for (size_t i = 0; i < v->nstrv; i++)
      free(v->strv[i]);
  free(v->strv);
  free(v);
}

bool sm_value_name_eq(const char *a, const char *b) {
  if (strcmp(a, "@") == 0)
    a = "";
  if (strcmp(b, "@") == 0)
    b = "";
  return strcasecmp(a, b) == 0;
}

char *sm_hex(const unsigned char *p, size_t n, size_t max) {
  static const char hex[] = "0123456789abcdef";
  size_t m = n < max ? n : max;
  char *out = malloc(m * 2 + 4);
  if (!out)
    return NULL;
  for (size_t i = 0; i < m; i++) {
    out[2 * i] = hex[p[i] >> 4];
    out[2 * i + 1] = hex[p[i] & 15];
  }
  memcpy(out + 2 * m, n > m ? "..." : "", n > m ? 4 : 1);
  return out;
}

void sm_values_free(sm_value **v, size_t n) {
  if (!v)
    return;
  for (size_t i = 0; i < n; i++)
    sm_value_free(v[i]);
  free(v);
}

static uint16_t unit_at(const unsigned char *p, size_t i) {
  return sm_le16(p + 2 * i);
}

static void decode_string(sm_value *v) {
  size_t units = v->len / 2;
  v->odd_length = v->len % 2 != 0;
  /* Windows stores the NUL; a string without one is unusual but legal. */
  v->unterminated = units == 0 || unit_at(v->data, units - 1) != 0;
  bool bad = false;
  v->str = sm_utf16le_decode(v->data, v->len, true, &bad);
  v->invalid_utf16 = bad;
  if (!v->str)
    v->status = SM_ERR_NOMEM;
}

/* A REG_MULTI_SZ is strings each ended by NUL, then an empty string.  Empty
 * strings inside the list are kept: PendingFileRenameOperations marks a
 * delete with one, and data hidden after an early terminator is evidence
 * too.  Some real hives omit the final terminator. */
static void decode_multi(sm_value *v) {
  size_t units = v->len / 2, start = 0, count = 0;
  v->odd_length = v->len % 2 != 0;
  v->strv = calloc(units + 2, sizeof *v->strv);
  if (!v->strv) {
    v->status = SM_ERR_NOMEM;
    return;
  }
  while (start < units) {
    size_t end = start;
    while (end < units && unit_at(v->data, end) != 0)
      end++;
    bool bad = false;
    char *s =
        sm_utf16le_decode(v->data + 2 * start, 2 * (end - start), false, &bad);
    if (!s) {
      v->status = SM_ERR_NOMEM;
      break;
    }
    v->invalid_utf16 |= bad;
    if (count == SM_LIST_MAX) { /* a list longer than any audit needs */
      free(s);
      v->status = SM_ERR_LIMIT;
      break;
    }
    v->strv[count++] = s;
    if (end == units) { /* last string without its NUL */
      v->unterminated = true;
      break;
    }
    start = end + 1;
  }
  /* The final empty string is the list terminator, not an item. */
  if (!v->unterminated && count > 0 && v->strv[count - 1][0] == '\0')
    free(v->strv[--count]);
  else if (count > 0)
    v->unterminated = true;
  v->strv[count] = NULL;
  v->nstrv = count;
}

static void decode_number(sm_value *v) {
  const unsigned char *p = v->data;
  switch (v->type) {
  case SM_REG_DWORD:
    if (v->len < 4)
      goto short_data;
    v->num = sm_le32(p);
    break;
  case SM_REG_DWORD_BIG_ENDIAN:
    if (v->len < 4)
      goto short_data;
    v->num = (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
             (uint32_t)p[0] << 24;
    break;
  case SM_REG_QWORD:
    if (v->len < 8)
      goto short_data;
    v->num = sm_le64(p);
    break;
  }
  v->has_num = true;
  return;
short_data:
  v->status = SM_ERR_TYPE;
}

/* The stored name, counted (hive/name.c); where the record cannot be read
 * so, hivex's C string. */
static sm_result read_name(sm_hive *h, hive_value_h hv, sm_value *v) {
  errno = 0;
  v->name = sm_vk_name(h, hv, &v->name_len);
  if (!v->name && errno == ENOMEM)
    return SM_ERR_NOMEM;
  if (!v->name) {
    errno = 0;
    v->name = hivex_value_key(h->hx, hv);
    if (!v->name && errno == ENOMEM)
      return SM_ERR_NOMEM;
    if (!v->name)
      v->name = strdup("\xEF\xBF\xBD");
    if (!v->name)
      return SM_ERR_NOMEM;
    v->name_len = strlen(v->name);
  }
  v->name_nul = strlen(v->name) != v->name_len;
  return SM_OK;
}

/* Windows' reading of a value kept in a big-data record (db): the data
 * size's bytes taken SM_BIG_SEGMENT at a time from the cells of its
 * segments in turn, the last one the rest (msuhanov/regf, "Big data" and
 * "Data segment": every segment but the last has the maximum size).  hivex
 * takes each segment's cell size less 8 instead, which is the same for a
 * cell of the usual size and not for a padded one.  NULL when the value is
 * not big data; NULL with *bad when Windows could not read it so (too few
 * segments, a segment smaller than what is taken from it). */
static unsigned char *big_data(const sm_hive *h, uint64_t vk, size_t *len,
                               bool *bad) {
  const unsigned char *c, *d, *l, *s;
  uint32_t n, dn, ln, sn;
  *bad = false;
  if (vk < 4096 || vk - 4096 > UINT32_MAX ||
      !sm_cell_at(h, (uint32_t)(vk - 4096), &c, &n) || n < 20 ||
      !sm_big_data(h, sm_le32(c + 4)))
    return NULL;
  uint32_t want = sm_le32(c + 4);
  *bad = true;
  if (want > SM_KEY_MAX_DATA || !sm_cell_at(h, sm_le32(c + 8), &d, &dn) ||
      dn < 8 || d[0] != 'd' || d[1] != 'b')
    return NULL;
  uint32_t count = sm_le16(d + 2);
  if (!sm_cell_at(h, sm_le32(d + 4), &l, &ln) || 4ull * count > ln ||
      (uint64_t)count * SM_BIG_SEGMENT < want)
    return NULL;
  unsigned char *out = malloc(want);
  if (!out) {
    *bad = false;
    errno = ENOMEM;
    return NULL;
  }
  for (size_t o = 0, j = 0; o < want; j++) {
    size_t take = want - o < SM_BIG_SEGMENT ? want - o : SM_BIG_SEGMENT;
    if (!sm_cell_at(h, sm_le32(l + 4 * j), &s, &sn) || sn < take) {
      free(out);
      return NULL;
    }
    memcpy(out + o, s, take);
    o += take;
  }
  *bad = false;
  *len = want;
  return out;
}

/* The value's data as Windows reads it: hivex's, or for big data our own
 * reading, with hivex_differs where the two differ. */
static sm_result windows_data(sm_hive *h, hive_value_h hv, sm_value *v,
                              char **data, size_t *len) {
  bool bad;
  size_t blen = 0;
  errno = 0;
  unsigned char *w = big_data(h, hv, &blen, &bad);
  if (!w && errno == ENOMEM)
    return SM_ERR_NOMEM;
  if (w) {
    if (!*data || *len != blen || memcmp(*data, w, blen) != 0) {
      v->hivex_differs = true;
      v->hivex_len = *data ? *len : 0;
    }
    free(*data);
    *data = (char *)w;
    *len = blen;
    v->status = SM_OK;
  } else if (bad) {
    free(*data);
    *data = NULL;
    *len = 0;
    v->status = SM_ERR_CORRUPT;
  }
  return SM_OK;
}

/* hivex's string decoders refuse invalid UTF-16 and drop trailing data
 * after a missing terminator, so strings are decoded from the raw bytes
 * that hivex returns. */
static sm_result read_value(sm_hive *h, hive_value_h hv, sm_value **out) {
  sm_value *v = calloc(1, sizeof *v);
  if (!v)
    return SM_ERR_NOMEM;
  if (read_name(h, hv, v) != SM_OK) {
    free(v);
    return SM_ERR_NOMEM;
  }
  hive_type t = 0;
  size_t len = 0;
  errno = 0;
  char *data = hivex_value_value(h->hx, hv, &t, &len);
  v->type = (uint32_t)t;
  if (!data) {
    if (errno == ENOMEM) {
      sm_value_free(v);
      return SM_ERR_NOMEM;
    }
    /* One unreadable value marks that value, not the hive. */
    v->status = len == 0 && errno == 0 ? SM_OK : SM_ERR_CORRUPT;
    len = 0;
  }
  if (windows_data(h, hv, v, &data, &len) != SM_OK) {
    free(data);
    sm_value_free(v);
    return SM_ERR_NOMEM;
  }
  v->data = (unsigned char *)data;
  v->len = len;
  if (v->status == SM_OK) {
    switch (v->type) {
    case SM_REG_SZ:
    case SM_REG_EXPAND_SZ:
    case SM_REG_LINK:
      decode_string(v);
      break;
    case SM_REG_MULTI_SZ:
      decode_multi(v);
      break;
    case SM_REG_DWORD:
    case SM_REG_DWORD_BIG_ENDIAN:
    case SM_REG_QWORD:
      decode_number(v);
      break;
    default:
      break;
    }
  }
  *out = v;
  return SM_OK;
}

/* A record hive/name.c cannot read, named as hivex reads it. */
static bool value_key_is(sm_hive *h, hive_value_h hv, const char *name) {
  char *vn = hivex_value_key(h->hx, hv);
  bool same = vn && sm_name_eq(vn, strlen(vn), name, strlen(name));
  free(vn);
  return same;
}

sm_result sm_key_value(sm_hive *h, sm_key key, const char *name, sm_value **out,
                       sm_error *err) {
  *out = NULL;
  if (strcmp(name, "@") == 0)
    name = "";
  size_t *hvs, nh;
  sm_result lr = sm_heal_values(h, key, &hvs, &nh, err);
  if (lr != SM_OK)
    return lr;
  if (!hvs)
    return sm_error_set(err, SM_ERR_NOT_FOUND, "%s: value '%s' not found",
                        h->path, name);
  /* The first whose stored name is name: hivex_node_get_value compares C
   * strings, so a name holding a NUL would pass for its part before it. */
  size_t len = strlen(name);
  sm_result r = SM_ERR_NOT_FOUND;
  for (size_t i = 0; hvs[i] && r == SM_ERR_NOT_FOUND; i++) {
    size_t n = 0;
    errno = 0;
    char *vn = sm_vk_name(h, hvs[i], &n);
    if (!vn && errno == ENOMEM)
      r = SM_ERR_NOMEM;
    else if (vn ? sm_name_eq(vn, n, name, len) : value_key_is(h, hvs[i], name))
      r = read_value(h, hvs[i], out);
    free(vn);
  }
  free(hvs);
  if (r == SM_ERR_NOMEM)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
  if (r == SM_ERR_NOT_FOUND)
    return sm_error_set(err, SM_ERR_NOT_FOUND, "%s: value '%s' not found",
                        h->path, name);
  return SM_OK;
}

/* A key over SM_KEY_MAX_VALUES values, or whose values hold over
 * SM_KEY_MAX_DATA bytes of data (values may share one data cell), is
 * refused before any value is read. */
static sm_result check_bounds(sm_hive *h, sm_key key, const size_t *hvs,
                              size_t count, sm_error *err) {
  const char *why = NULL;
  size_t total = 0;
  if (count > SM_KEY_MAX_VALUES)
    why = "too many values";
  for (size_t i = 0; !why && i < count; i++) {
    hive_type t;
    size_t len = 0;
    if (hivex_value_type(h->hx, hvs[i], &t, &len) == 0 &&
        (total += len) > SM_KEY_MAX_DATA)
      why = "too much value data";
  }
  if (!why)
    return SM_OK;
  char *name = sm_key_name(h, key);
  sm_result r = sm_error_set(
      err, SM_ERR_LIMIT,
      "%s: key '%s': %s (%zu values%s; smaudit reads at most %u values "
      "and %zu MiB of their data from one key)",
      h->path, name ? name : "?", why, count,
      count > SM_KEY_MAX_VALUES ? "" : ", more data than the bound",
      SM_KEY_MAX_VALUES, SM_KEY_MAX_DATA >> 20);
  free(name);
  return r;
}

sm_result sm_key_values(sm_hive *h, sm_key key, sm_value ***vals, size_t *n,
                        sm_error *err) {
  *vals = NULL;
  *n = 0;
  size_t *hvs, count;
  sm_result r = sm_heal_values(h, key, &hvs, &count, err);
  if (r != SM_OK)
    return r;
  r = check_bounds(h, key, hvs, count, err);
  if (r != SM_OK) {
    free(hvs);
    return r;
  }
  sm_value **out = calloc(count + 1, sizeof *out);
  if (!out) {
    free(hvs);
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
  }
  for (size_t i = 0; i < count; i++)
    if (read_value(h, hvs[i], &out[i]) != SM_OK) {
      sm_values_free(out, i);
      free(hvs);
      return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", h->path);
    }
  free(hvs);
  *vals = out;
  *n = count;
  return SM_OK;
}

sm_result sm_value_string(const sm_value *v, const char **s) {
  if (v->status != SM_OK)
    return v->status;
  if (v->type != SM_REG_SZ && v->type != SM_REG_EXPAND_SZ)
    return SM_ERR_TYPE;
  *s = v->str;
  return SM_OK;
}

sm_result sm_value_dword(const sm_value *v, uint32_t *d) {
  if (v->status != SM_OK)
    return v->status;
  if ((v->type != SM_REG_DWORD && v->type != SM_REG_DWORD_BIG_ENDIAN) ||
      !v->has_num)
    return SM_ERR_TYPE;
  *d = (uint32_t)v->num;
  return SM_OK;
}

sm_result sm_value_multi(const sm_value *v, char *const **strv, size_t *n) {
  if (v->status != SM_OK)
    return v->status;
  if (v->type != SM_REG_MULTI_SZ || !v->strv)
    return SM_ERR_TYPE;
  *strv = v->strv;
  *n = v->nstrv;
  return SM_OK;
}
