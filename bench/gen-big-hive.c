/* gen-big-hive: a large SYSTEM-like hive for the benchmark.
 *
 *   gen-big-hive LAYOUT.hiv SIZE_MB OUT.hiv
 *
 * Copies every key and value of LAYOUT (read with hivex: a fixture made by
 * testdata/gen-hive, such as win-10.hiv) and adds, under
 * ControlSet001\Services, as many service keys (svc000001, ...; nine values
 * each, as a driver or service key holds) as make OUT about SIZE_MB
 * megabytes.  OUT is replaced only on success.
 *
 * The cells are written here rather than through hivex's write API:
 * hivex_node_add_child copies the parent's whole subkey list into a new
 * cell for each child and does not reuse the old one, so adding N children
 * to one key costs O(N^2) time and space (8,000 services made a 277 MB
 * hive in 12 s; 500 MB of real content would take hours).  The output is a
 * plain version 1.5 hive: base block, hbins of 4 KiB, nk/vk/lh/ri/sk cells,
 * subkey lists sorted by upper-case name, no big-data cells.
 */
#include <config.h>

#include <errno.h>
#include <hivex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/le.h"
#include "testdata/regf-sid.h"

#define FIXED_FILETIME 132223104000000000ULL
#define BLOCK 4096
#define HBIN_HEADER 32
#define LEAF_MAX 500 /* entries per lh list; more go under an ri */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "gen-big-hive: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(2);
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p)
    die("out of memory");
  return p;
}

/* The hbins being written: data[0] is the first byte of the first hbin;
 * cell offsets are relative to it, as in the hive format. */
static unsigned char *data;
static size_t data_len, data_cap, bin_start, bin_end;
static uint32_t sk_off;

static void grow(size_t need) {
  if (need > data_cap) {
    data_cap = need * 2 > (size_t)1 << 20 ? need * 2 : (size_t)1 << 20;
    data = xrealloc(data, data_cap);
  }
}

static void new_bin(size_t min) {
  if (bin_end > data_len) /* the rest of the current bin: one free cell */
    sm_put_le32(data + data_len, (uint32_t)(bin_end - data_len));
  size_t size = (min + HBIN_HEADER + BLOCK - 1) / BLOCK * BLOCK;
  bin_start = bin_end;
  bin_end = bin_start + size;
  grow(bin_end);
  memset(data + bin_start, 0, size);
  memcpy(data + bin_start, "hbin", 4);
  sm_put_le32(data + bin_start + 4, (uint32_t)bin_start);
  sm_put_le32(data + bin_start + 8, (uint32_t)size);
  sm_put_le64(data + bin_start + 20, FIXED_FILETIME);
  data_len = bin_start + HBIN_HEADER;
}

/* An allocated cell with room for n bytes; returns its offset. */
static uint32_t cell(size_t n) {
  size_t size = (4 + n + 7) & ~(size_t)7;
  if (data_len + size > bin_end)
    new_bin(size);
  uint32_t off = (uint32_t)data_len;
  sm_put_le32(data + off, (uint32_t) - (int32_t)size);
  data_len += size;
  return off;
}

static unsigned char *at(uint32_t off) { return data + off + 4; }

static bool ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80)
      return false;
  return true;
}

/* lh hash: h = h * 37 + upper(c) over the name's characters. */
static uint32_t lh_hash(const char *s) {
  uint32_t h = 0;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    h = h * 37 + (uint32_t)(c >= 'a' && c <= 'z' ? c - 32 : c);
  }
  return h;
}

typedef struct child {
  char *name;
  uint32_t off;
} child;

static int cmp_child(const void *a, const void *b) {
  return strcasecmp(((const child *)a)->name, ((const child *)b)->name);
}

/* The subkey list of children[n], sorted: one lh, or an ri of lh lists. */
static uint32_t subkey_list(child *c, size_t n) {
  qsort(c, n, sizeof *c, cmp_child);
  size_t nleaves = (n + LEAF_MAX - 1) / LEAF_MAX;
  uint32_t *leaves = xrealloc(NULL, nleaves * sizeof *leaves);
  for (size_t l = 0; l < nleaves; l++) {
    size_t first = l * LEAF_MAX, cnt = n - first < LEAF_MAX ? n - first : LEAF_MAX;
    uint32_t off = cell(4 + 8 * cnt);
    unsigned char *p = at(off);
    memcpy(p, "lh", 2);
    sm_put_le16(p + 2, (uint16_t)cnt);
    for (size_t i = 0; i < cnt; i++) {
      sm_put_le32(p + 4 + 8 * i, c[first + i].off);
      sm_put_le32(p + 8 + 8 * i, lh_hash(c[first + i].name));
    }
    leaves[l] = off;
  }
  uint32_t list = leaves[0];
  if (nleaves > 1) {
    list = cell(4 + 4 * nleaves);
    unsigned char *p = at(list);
    memcpy(p, "ri", 2);
    sm_put_le16(p + 2, (uint16_t)nleaves);
    for (size_t l = 0; l < nleaves; l++)
      sm_put_le32(p + 4 + 4 * l, leaves[l]);
  }
  free(leaves);
  return list;
}

/* A key's nk cell, without its lists: those are patched in later. */
static uint32_t nk(const char *name, uint32_t parent, uint64_t ts, bool root) {
  size_t len = strlen(name);
  if (!ascii(name) || len > 255)
    die("key name '%s' is not short ASCII", name);
  uint32_t off = cell(76 + len);
  unsigned char *k = at(off);
  memset(k, 0, 76);
  memcpy(k, "nk", 2);
  sm_put_le16(k + 2, (uint16_t)(0x0020 | (root ? 0x000C : 0)));
  sm_put_le64(k + 4, ts);
  sm_put_le32(k + 16, parent);
  sm_put_le32(k + 28, 0xFFFFFFFFu);
  sm_put_le32(k + 32, 0xFFFFFFFFu);
  sm_put_le32(k + 40, 0xFFFFFFFFu);
  sm_put_le32(k + 44, sk_off);
  sm_put_le32(k + 48, 0xFFFFFFFFu);
  sm_put_le16(k + 72, (uint16_t)len);
  memcpy(k + 76, name, len);
  return off;
}

typedef struct val {
  const char *name;
  uint32_t type;
  const unsigned char *bytes;
  size_t len;
} val;

static uint32_t vk(const val *v) {
  size_t nlen = strlen(v->name);
  if (!ascii(v->name) || nlen > 16383)
    die("value name '%s' is not ASCII", v->name);
  if (v->len > 16344)
    die("value '%s' is too long for a plain cell", v->name);
  uint32_t off = cell(20 + nlen);
  unsigned char *p = at(off);
  memcpy(p, "vk", 2);
  sm_put_le16(p + 2, (uint16_t)nlen);
  sm_put_le32(p + 12, v->type);
  sm_put_le16(p + 16, nlen ? 1 : 0); /* ASCII name */
  sm_put_le16(p + 18, 0);
  memcpy(p + 20, v->name, nlen);
  if (v->len <= 4) {
    sm_put_le32(p + 4, (uint32_t)v->len | 0x80000000u);
    unsigned char in[4] = {0};
    memcpy(in, v->bytes, v->len);
    memcpy(p + 8, in, 4);
  } else {
    uint32_t d = cell(v->len);
    p = at(off); /* data may have moved */
    memcpy(at(d), v->bytes, v->len);
    sm_put_le32(p + 4, (uint32_t)v->len);
    sm_put_le32(p + 8, d);
  }
  return off;
}

static void set_values(uint32_t key, const val *v, size_t n) {
  if (n == 0)
    return;
  uint32_t list = cell(4 * n);
  uint32_t max_name = 0, max_data = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t off = vk(&v[i]);
    sm_put_le32(at(list) + 4 * i, off);
    uint32_t nl = (uint32_t)strlen(v[i].name) * 2;
    if (nl > max_name)
      max_name = nl;
    if (v[i].len > max_data)
      max_data = (uint32_t)v[i].len;
  }
  unsigned char *k = at(key);
  sm_put_le32(k + 36, (uint32_t)n);
  sm_put_le32(k + 40, list);
  sm_put_le32(k + 60, max_name);
  sm_put_le32(k + 64, max_data);
}

static void set_subkeys(uint32_t key, child *c, size_t n) {
  if (n == 0)
    return;
  uint32_t max = 0;
  for (size_t i = 0; i < n; i++)
    if (strlen(c[i].name) * 2 > max)
      max = (uint32_t)strlen(c[i].name) * 2;
  uint32_t list = subkey_list(c, n);
  unsigned char *k = at(key);
  sm_put_le32(k + 20, (uint32_t)n);
  sm_put_le32(k + 28, list);
  sm_put_le32(k + 52, max);
}

/* UTF-16LE of an ASCII string, with its NUL; a second NUL for a list. */
static size_t utf16(unsigned char *out, const char *s, bool list_end) {
  size_t n = 0;
  for (; *s; s++) {
    out[n++] = (unsigned char)*s;
    out[n++] = 0;
  }
  out[n++] = 0;
  out[n++] = 0;
  if (list_end) {
    out[n++] = 0;
    out[n++] = 0;
  }
  return n;
}

static uint32_t service(unsigned i, uint32_t parent) {
  char name[32], s[5][256];
  unsigned char b[5][600], dw[3][4];
  snprintf(name, sizeof name, "svc%06u", i);
  uint32_t key = nk(name, parent, FIXED_FILETIME, false);
  snprintf(s[0], sizeof s[0], "\\SystemRoot\\System32\\drivers\\%s.sys", name);
  snprintf(s[1], sizeof s[1], "@%%SystemRoot%%\\System32\\drivers\\%s.sys,-%u",
           name, 100 + i % 900);
  snprintf(s[2], sizeof s[2],
           "Generated service %u of the benchmark hive: a driver that "
           "loads at system start and does nothing.", i);
  snprintf(s[3], sizeof s[3], "%s", i % 2 ? "System Bus Extender" : "Base");
  snprintf(s[4], sizeof s[4], "svc%06u", i > 1 ? i - 1 : 1);
  size_t l[5];
  for (int j = 0; j < 5; j++)
    l[j] = utf16(b[j], s[j], j == 4);
  sm_put_le32(dw[0], 1);
  sm_put_le32(dw[1], i % 5);
  sm_put_le32(dw[2], 1);
  val v[] = {
      {"Type", 4, dw[0], 4},          {"Start", 4, dw[1], 4},
      {"ErrorControl", 4, dw[2], 4},  {"ImagePath", 2, b[0], l[0]},
      {"DisplayName", 1, b[1], l[1]}, {"Description", 1, b[2], l[2]},
      {"Group", 1, b[3], l[3]},       {"DependOnService", 7, b[4], l[4]},
      {"ObjectName", 1, (const unsigned char *)"L\0o\0c\0a\0l\0S\0y\0s\0t\0e\0m\0\0\0", 24},
  };
  set_values(key, v, sizeof v / sizeof v[0]);
  return key;
}

static hive_h *layout;
static unsigned n_services;

/* Copy node (and what is below it) from the layout; path is its path
 * below the root, for finding ControlSet001\Services. */
static uint32_t copy(hive_node_h node, uint32_t parent, const char *path) {
  bool root = node == hivex_root(layout);
  char *name = root ? strdup("ROOT") : hivex_node_name(layout, node);
  if (!name)
    die("layout: cannot read a key name: %s", strerror(errno));
  int64_t ts = hivex_node_timestamp(layout, node);
  uint32_t key = nk(name, parent, ts > 0 ? (uint64_t)ts : FIXED_FILETIME, root);

  hive_value_h *hv = hivex_node_values(layout, node);
  if (!hv)
    die("layout: %s: cannot read values", path);
  size_t nv = 0;
  while (hv[nv])
    nv++;
  val *v = xrealloc(NULL, (nv + 1) * sizeof *v);
  for (size_t i = 0; i < nv; i++) {
    hive_type t;
    size_t len;
    v[i].name = hivex_value_key(layout, hv[i]);
    v[i].bytes = (unsigned char *)hivex_value_value(layout, hv[i], &t, &len);
    if (!v[i].name || (!v[i].bytes && len))
      die("layout: %s: cannot read a value", path);
    v[i].type = (uint32_t)t;
    v[i].len = len;
  }
  set_values(key, v, nv);
  for (size_t i = 0; i < nv; i++) {
    free((char *)v[i].name);
    free((unsigned char *)v[i].bytes);
  }
  free(v);
  free(hv);

  hive_node_h *kids = hivex_node_children(layout, node);
  if (!kids)
    die("layout: %s: cannot read subkeys", path);
  size_t nk_ = 0;
  while (kids[nk_])
    nk_++;
  bool services = strcasecmp(path, "ControlSet001\\Services") == 0;
  size_t total = nk_ + (services ? n_services : 0);
  child *c = xrealloc(NULL, (total + 1) * sizeof *c);
  for (size_t i = 0; i < nk_; i++) {
    c[i].name = hivex_node_name(layout, kids[i]);
    char *sub = xrealloc(NULL, strlen(path) + strlen(c[i].name) + 2);
    sprintf(sub, "%s%s%s", path, path[0] ? "\\" : "", c[i].name);
    c[i].off = copy(kids[i], key, sub);
    free(sub);
  }
  for (size_t i = nk_; i < total; i++) {
    unsigned id = (unsigned)(i - nk_ + 1);
    c[i].off = service(id, key);
    c[i].name = xrealloc(NULL, 16);
    snprintf(c[i].name, 16, "svc%06u", id);
  }
  set_subkeys(key, c, total);
  for (size_t i = 0; i < total; i++)
    free(c[i].name);
  free(c);
  free(kids);
  free(name);
  return key;
}

/* One security cell shared by every key: owner Administrators, group
 * SYSTEM, an empty DACL list is enough for readers of offline hives. */
static void security_cell(void) {
  static const uint32_t system[] = {18}, admins[] = {32, 544};
  unsigned char sd[128];
  memset(sd, 0, sizeof sd);
  size_t n = 20;
  size_t owner = n;
  n += regf_put_sid(sd + n, 5, admins, 2);
  size_t group = n;
  n += regf_put_sid(sd + n, 5, system, 1);
  sd[0] = 1;
  sm_put_le16(sd + 2, 0x8000); /* SE_SELF_RELATIVE */
  sm_put_le32(sd + 4, (uint32_t)owner);
  sm_put_le32(sd + 8, (uint32_t)group);
  sk_off = cell(20 + n);
  unsigned char *s = at(sk_off);
  memcpy(s, "sk", 2);
  sm_put_le16(s + 2, 0);
  sm_put_le32(s + 4, sk_off);
  sm_put_le32(s + 8, sk_off);
  sm_put_le32(s + 12, 1);
  sm_put_le32(s + 16, (uint32_t)n);
  memcpy(s + 20, sd, n);
}

/* Build the whole hbin area with n services; returns the root offset. */
static uint32_t build(unsigned n) {
  data_len = bin_start = bin_end = 0;
  n_services = n;
  new_bin(0);
  security_cell();
  uint32_t root = copy(hivex_root(layout), 0xFFFFFFFFu, "");
  if (bin_end > data_len)
    sm_put_le32(data + data_len, (uint32_t)(bin_end - data_len));
  data_len = bin_end;
  return root;
}

static uint32_t checksum(const unsigned char *p) {
  uint32_t sum = 0;
  for (size_t i = 0; i < 508; i += 4)
    sum ^= sm_le32(p + i);
  return sum == 0 ? 1 : sum == 0xFFFFFFFFu ? 0xFFFFFFFEu : sum;
}

int main(int argc, char **argv) {
  if (argc != 4)
    die("usage: gen-big-hive LAYOUT.hiv SIZE_MB OUT.hiv");
  double mb = strtod(argv[2], NULL);
  if (!(mb > 0 && mb < 2000))
    die("%s: size in MB out of range", argv[2]);
  layout = hivex_open(argv[1], 0);
  if (!layout)
    die("%s: %s", argv[1], strerror(errno));

  /* Every service takes the same room (fixed-width names), so two small
   * builds give the size of one service; then build the real one. */
  size_t s0 = (build(1000), data_len), s1 = (build(2000), data_len);
  double per = (double)(s1 - s0) / 1000;
  double want = mb * 1e6 - BLOCK;
  double n = 1000 + (want - (double)s0) / per;
  if (n < 1)
    n = 1;
  if (n > 999999)
    die("%s MB needs more than 999999 services", argv[2]);
  uint32_t root = build((unsigned)n);

  unsigned char base[BLOCK];
  memset(base, 0, sizeof base);
  memcpy(base, "regf", 4);
  sm_put_le32(base + 4, 1);
  sm_put_le32(base + 8, 1);
  sm_put_le64(base + 12, FIXED_FILETIME);
  sm_put_le32(base + 20, 1);
  sm_put_le32(base + 24, 5);
  sm_put_le32(base + 28, 0);
  sm_put_le32(base + 32, 1);
  sm_put_le32(base + 36, root);
  sm_put_le32(base + 40, (uint32_t)data_len);
  sm_put_le32(base + 44, 1);
  static const char fname[] = "SYSTEM";
  for (size_t i = 0; fname[i]; i++)
    sm_put_le16(base + 48 + 2 * i, (uint16_t)fname[i]);
  sm_put_le32(base + 508, checksum(base));

  size_t tl = strlen(argv[3]) + 8;
  char *tmp = xrealloc(NULL, tl);
  snprintf(tmp, tl, "%s.tmp", argv[3]);
  FILE *f = fopen(tmp, "wb");
  if (!f)
    die("%s: %s", tmp, strerror(errno));
  if (fwrite(base, sizeof base, 1, f) != 1 ||
      fwrite(data, data_len, 1, f) != 1 || fclose(f) != 0) {
    unlink(tmp);
    die("%s: %s", tmp, strerror(errno));
  }
  if (rename(tmp, argv[3]) != 0) {
    unlink(tmp);
    die("%s: %s", argv[3], strerror(errno));
  }
  hivex_close(layout);
  printf("%s: %u services, %zu bytes\n", argv[3], (unsigned)n,
         data_len + BLOCK);
  free(tmp);
  free(data);
  return 0;
}
