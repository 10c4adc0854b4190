/* gen-hive: build a registry hive from .reg files, for the test fixtures.
 *
 *   gen-hive OUT.hiv FILE.reg [FILE.reg...]
 *
 * hivex cannot create a hive from nothing, so an empty one (base block, one
 * hbin with a root key and its security cell) is written here first; hivex
 * then applies the .reg files.  The syntax is regedit's, plus str(N):"..."
 * and multi:"a","b" (see testdata/README.md).  Errors print as
 * "gen-hive: FILE:LINE: reason" and exit 2; OUT is replaced only on success.
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
#include <sys/stat.h>
#include <unistd.h>

#include "base/le.h"
#include "base/utf8.h"
#include "testdata/regf-raw.h"

#define EXIT_ERROR 2

/* 2020-01-01T00:00:00Z as a FILETIME: fixtures need a fixed, nonzero time. */
#define FIXED_FILETIME 132223104000000000ULL

static const char *cur_file = "";
static unsigned cur_line;
static char *tmp_path;

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "gen-hive: ");
  if (cur_line)
    fprintf(stderr, "%s:%u: ", cur_file, cur_line);
  else if (cur_file[0])
    fprintf(stderr, "%s: ", cur_file);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  if (tmp_path)
    unlink(tmp_path);
  exit(EXIT_ERROR);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p)
    die("out of memory");
  return p;
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p)
    die("out of memory");
  return p;
}

/* A growable byte buffer. */
typedef struct buf {
  unsigned char *p;
  size_t len, cap;
} buf;

static void buf_add(buf *b, const void *data, size_t n) {
  if (n == 0)
    return;
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 64;
    b->p = xrealloc(b->p, b->cap);
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

static void buf_byte(buf *b, unsigned char c) { buf_add(b, &c, 1); }

/* The empty hive.  Offsets of cells are relative to the first hbin. */
enum {
  BLOCK = 4096,
  HBIN_HEADER = 32,
  ROOT_OFF = HBIN_HEADER,
  ROOT_NAME_LEN = 4, /* "ROOT" */
  ROOT_CELL = 88,    /* 4 + 76 + 4, rounded up to 8 */
  SK_OFF = ROOT_OFF + ROOT_CELL,
};

/* A SID as stored: revision 1, count, 48-bit authority, sub-authorities. */
static size_t put_sid(unsigned char *p, uint8_t authority, const uint32_t *sub,
                      uint8_t nsub) {
  p[0] = 1;
  p[1] = nsub;
  memset(p + 2, 0, 5);
  p[7] = authority;
  for (uint8_t i = 0; i < nsub; i++)
    sm_put_le32(p + 8 + 4 * i, sub[i]);
  return 8 + 4 * (size_t)nsub;
}

/* An access-allowed ACE that containers inherit. */
static size_t put_ace(unsigned char *p, uint32_t mask, uint8_t authority,
                      const uint32_t *sub, uint8_t nsub) {
  p[0] = 0;    /* ACCESS_ALLOWED_ACE_TYPE */
  p[1] = 0x02; /* CONTAINER_INHERIT_ACE */
  sm_put_le32(p + 4, mask);
  size_t n = 8 + put_sid(p + 8, authority, sub, nsub);
  sm_put_le16(p + 2, (uint16_t)n);
  return n;
}

/* A self-relative security descriptor: owner Administrators, group SYSTEM,
 * DACL granting full control to SYSTEM and Administrators, read to
 * Everyone.  Returns its length. */
static size_t put_security_descriptor(unsigned char *sd) {
  static const uint32_t system[] = {18}, admins[] = {32, 544}, world[] = {0};
  const uint32_t key_all_access = 0xF003F, key_read = 0x20019;
  size_t acl = 20, n = acl + 8;
  n += put_ace(sd + n, key_all_access, 5, system, 1);
  n += put_ace(sd + n, key_all_access, 5, admins, 2);
  n += put_ace(sd + n, key_read, 1, world, 1);
  sd[acl] = 2; /* ACL_REVISION */
  sm_put_le16(sd + acl + 2, (uint16_t)(n - acl));
  sm_put_le16(sd + acl + 4, 3);
  size_t owner = n;
  n += put_sid(sd + n, 5, admins, 2);
  size_t group = n;
  n += put_sid(sd + n, 5, system, 1);
  sd[0] = 1;                   /* revision */
  sm_put_le16(sd + 2, 0x8004); /* SE_SELF_RELATIVE | SE_DACL_PRESENT */
  sm_put_le32(sd + 4, (uint32_t)owner);
  sm_put_le32(sd + 8, (uint32_t)group);
  sm_put_le32(sd + 12, 0); /* no SACL */
  sm_put_le32(sd + 16, (uint32_t)acl);
  return n;
}

/* XOR-32 of the first 508 bytes of the base block, 0 and ~0 remapped. */
static uint32_t base_checksum(const unsigned char *p) {
  uint32_t sum = 0;
  for (size_t i = 0; i < 508; i += 4)
    sum ^= sm_le32(p + i);
  if (sum == 0)
    return 1;
  if (sum == 0xFFFFFFFFu)
    return 0xFFFFFFFEu;
  return sum;
}

static void write_empty_hive(FILE *f) {
  static unsigned char img[2 * BLOCK];
  unsigned char *base = img, *bin = img + BLOCK;

  memcpy(base, "regf", 4);
  sm_put_le32(base + 4, 1); /* primary sequence number */
  sm_put_le32(base + 8, 1); /* secondary: equal, so the hive is clean */
  sm_put_le64(base + 12, FIXED_FILETIME);
  sm_put_le32(base + 20, 1); /* format 1.5 */
  sm_put_le32(base + 24, 5);
  sm_put_le32(base + 28, 0); /* primary file */
  sm_put_le32(base + 32, 1); /* direct memory load */
  sm_put_le32(base + 36, ROOT_OFF);
  sm_put_le32(base + 40, BLOCK); /* hive bins data size */
  sm_put_le32(base + 44, 1);     /* clustering factor */
  static const char fname[] = "SYSTEM";
  for (size_t i = 0; fname[i]; i++)
    sm_put_le16(base + 48 + 2 * i, (uint16_t)fname[i]);
  sm_put_le32(base + 508, base_checksum(base));

  memcpy(bin, "hbin", 4);
  sm_put_le32(bin + 4, 0);     /* offset of this bin */
  sm_put_le32(bin + 8, BLOCK); /* size of this bin */
  sm_put_le64(bin + 20, FIXED_FILETIME);

  unsigned char *nk = bin + ROOT_OFF;
  sm_put_le32(nk, (uint32_t)-ROOT_CELL); /* negative: allocated */
  unsigned char *k = nk + 4;
  memcpy(k, "nk", 2);
  sm_put_le16(k + 2,
              0x0004 | 0x0008 | 0x0020); /* HIVE_ENTRY|NO_DELETE|COMP_NAME */
  sm_put_le64(k + 4, FIXED_FILETIME);
  sm_put_le32(k + 16, 0xFFFFFFFFu); /* parent: none */
  sm_put_le32(k + 28, 0xFFFFFFFFu); /* subkeys list */
  sm_put_le32(k + 32, 0xFFFFFFFFu); /* volatile subkeys list */
  sm_put_le32(k + 40, 0xFFFFFFFFu); /* values list */
  sm_put_le32(k + 44, SK_OFF);
  sm_put_le32(k + 48, 0xFFFFFFFFu); /* class name */
  sm_put_le16(k + 72, ROOT_NAME_LEN);
  memcpy(k + 76, "ROOT", ROOT_NAME_LEN);

  unsigned char *sk = bin + SK_OFF;
  unsigned char *s = sk + 4;
  memcpy(s, "sk", 2);
  /* The only security cell: the list of them is this cell alone. */
  sm_put_le32(s + 4, SK_OFF);
  sm_put_le32(s + 8, SK_OFF);
  sm_put_le32(s + 12, 1); /* referenced by the root key */
  size_t sdlen = put_security_descriptor(s + 20);
  sm_put_le32(s + 16, (uint32_t)sdlen);
  size_t sk_cell = (4 + 20 + sdlen + 7) & ~(size_t)7;
  sm_put_le32(sk, (uint32_t) - (int32_t)sk_cell);

  size_t free_off = SK_OFF + sk_cell;
  sm_put_le32(bin + free_off,
              (uint32_t)(BLOCK - free_off)); /* positive: free */

  if (fwrite(img, sizeof img, 1, f) != 1)
    die("%s: %s", tmp_path, strerror(errno));
}

/* Text handling: the whole input as UTF-8, then logical lines. */

/* regedit writes UTF-16LE with a BOM; turn that into UTF-8. */
static char *utf16_file_to_utf8(const unsigned char *p, size_t len) {
  if (len % 2)
    die("UTF-16 file with an odd number of bytes");
  for (size_t i = 0; i < len; i += 2)
    if (sm_le16(p + i) == 0)
      die("NUL character in the file at byte %zu", i);
  bool bad;
  char *s = sm_utf16le_decode(p, len, false, &bad);
  if (!s)
    die("out of memory");
  if (bad)
    die("UTF-16 file with a lone surrogate");
  return s;
}

static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    die("%s", strerror(errno));
  buf b = {0};
  unsigned char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    buf_add(&b, chunk, n);
  if (ferror(f))
    die("%s", strerror(errno));
  fclose(f);
  if (b.len >= 2 && b.p[0] == 0xFF && b.p[1] == 0xFE) {
    char *s = utf16_file_to_utf8(b.p + 2, b.len - 2);
    free(b.p);
    return s;
  }
  buf_byte(&b, 0);
  if (memchr(b.p, 0, b.len - 1))
    die("NUL byte in the file (UTF-16 without a BOM?)");
  if (b.len >= 4 && memcmp(b.p, "\xEF\xBB\xBF", 3) == 0)
    memmove(b.p, b.p + 3, b.len - 3);
  return (char *)b.p;
}

/* Decode one UTF-8 sequence at *s, advancing it; die on invalid input. */
static uint32_t next_utf8(const char **s) {
  uint32_t c;
  size_t n = sm_utf8_decode((const unsigned char *)*s, SIZE_MAX, &c);
  if (n == 0)
    die("invalid UTF-8");
  *s += n;
  return c;
}

static void put_utf16(buf *b, uint32_t c) {
  unsigned char u[2];
  if (c >= 0x10000) {
    c -= 0x10000;
    sm_put_le16(u, (uint16_t)(0xD800 + (c >> 10)));
    buf_add(b, u, 2);
    c = 0xDC00 + (c & 0x3FF);
  }
  sm_put_le16(u, (uint16_t)c);
  buf_add(b, u, 2);
}

static const char *skip_space(const char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* A quoted string with regedit's escapes (\\ and \"), as UTF-8 in out.
 * *s points at the opening quote; on return just past the closing one. */
static char *parse_quoted(const char **s) {
  const char *p = *s;
  if (*p != '"')
    die("expected '\"'");
  p++;
  buf b = {0};
  for (;;) {
    if (*p == '\0')
      die("unterminated string");
    if (*p == '"')
      break;
    if (*p == '\\') {
      /* \0, \|, \P, \F, \^ and \# mark a name for the byte-level
       * pass (regf-raw.c). */
      static const char from[] = "\\\"0|PF^#",
                        to[] = "\\\"\x01\x02\x03\x04\x05\x06";
      const char *e = p[1] ? strchr(from, p[1]) : NULL;
      if (!e)
        die("unknown escape '\\%c' in a string (only \\\\, \\\", \\0, \\|, "
            "\\P, \\F, \\^, \\#)",
            p[1] ? p[1] : ' ');
      buf_byte(&b, (unsigned char)to[e - from]);
      p += 2;
      continue;
    }
    if (*p >= 0x01 && *p <= 0x06)
      die("control character 0x%02x in a string (write \\0, \\|, \\P, \\F, "
          "\\^ or \\#)",
          *p);
    buf_byte(&b, (unsigned char)*p++);
  }
  buf_byte(&b, 0);
  *s = p + 1;
  return (char *)b.p;
}

/* UTF-8 text to UTF-16LE, appended to b, without a terminator. */
static void utf8_to_utf16(buf *b, const char *s) {
  while (*s)
    put_utf16(b, next_utf8(&s));
}

static bool parse_hex_type(const char **s, uint32_t *type) {
  const char *p = *s;
  char *end;
  errno = 0;
  unsigned long v = strtoul(p, &end, 16);
  if (end == p || *end != ')' || errno || v > 0xFFFFFFFFul)
    return false;
  *type = (uint32_t)v;
  *s = end + 1;
  return true;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* "61,00,62,00" (possibly empty) into b. */
static void parse_hex_bytes(const char *s, buf *b) {
  s = skip_space(s);
  if (*s == '\0')
    return;
  for (;;) {
    s = skip_space(s);
    int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
    if (hi < 0 || lo < 0)
      die("bad hex byte near '%.10s'", s);
    buf_byte(b, (unsigned char)(hi << 4 | lo));
    s = skip_space(s + 2);
    if (*s == '\0')
      return;
    if (*s != ',')
      die("expected ',' between hex bytes near '%.10s'", s);
    s++;
  }
}

/* Trailing spaces allowed after a value, nothing else. */
static void expect_end(const char *s) {
  s = skip_space(s);
  if (*s != '\0')
    die("unexpected text after the value: '%.20s'", s);
}

/* Parse the data after '=' into type and bytes; false for "-" (delete). */
static bool parse_data(const char *s, uint32_t *type, buf *data) {
  s = skip_space(s);
  if (strcmp(s, "-") == 0 || (s[0] == '-' && *skip_space(s + 1) == '\0'))
    return false;
  if (*s == '"') {
    char *str = parse_quoted(&s);
    expect_end(s);
    *type = 1; /* REG_SZ */
    utf8_to_utf16(data, str);
    put_utf16(data, 0);
    free(str);
    return true;
  }
  if (strncasecmp(s, "dword:", 6) == 0) {
    s += 6;
    size_t n = 0;
    uint32_t v = 0;
    while (hexval(s[n]) >= 0) {
      v = v << 4 | (uint32_t)hexval(s[n]);
      n++;
    }
    if (n == 0 || n > 8)
      die("dword needs 1 to 8 hex digits");
    expect_end(s + n);
    unsigned char le[4];
    sm_put_le32(le, v);
    buf_add(data, le, 4);
    *type = 4; /* REG_DWORD */
    return true;
  }
  if (strncasecmp(s, "hex:", 4) == 0) {
    *type = 3; /* REG_BINARY */
    parse_hex_bytes(s + 4, data);
    return true;
  }
  if (strncasecmp(s, "hex(", 4) == 0) {
    s += 4;
    if (!parse_hex_type(&s, type) || *s != ':')
      die("expected hex(N): with N a hex type number");
    parse_hex_bytes(s + 1, data);
    return true;
  }
  if (strncasecmp(s, "str(", 4) == 0) {
    s += 4;
    if (!parse_hex_type(&s, type) || *s != ':')
      die("expected str(N):\"...\" with N a hex type number");
    s = skip_space(s + 1);
    char *str = parse_quoted(&s);
    expect_end(s);
    utf8_to_utf16(data, str);
    put_utf16(data, 0);
    free(str);
    return true;
  }
  if (strncasecmp(s, "multi:", 6) == 0) {
    s = skip_space(s + 6);
    *type = 7; /* REG_MULTI_SZ */
    while (*s == '"') {
      /* An empty string is only its NUL: PendingFileRenameOperations
       * stores one for each file to delete. */
      char *str = parse_quoted(&s);
      utf8_to_utf16(data, str);
      put_utf16(data, 0);
      free(str);
      s = skip_space(s);
      if (*s != ',')
        break;
      s = skip_space(s + 1);
      if (*s != '"')
        die("expected a string after ',' in multi:");
    }
    expect_end(s);
    put_utf16(data, 0); /* the empty string that ends the list */
    return true;
  }
  die("unknown value data '%.20s'", s);
}

/* Keys. */

static hive_node_h find_child(hive_h *h, hive_node_h node, const char *name) {
  errno = 0;
  hive_node_h child = hivex_node_get_child(h, node, name);
  if (child == 0 && errno != 0)
    die("looking up key '%s': %s", name, strerror(errno));
  return child;
}

/* Strip the hive's mount point from a key path; the rest is below the
 * root.  Returns a pointer into path. */
static const char *relative_path(const char *path) {
  static const char *const prefixes[] = {"HKEY_LOCAL_MACHINE\\SYSTEM",
                                         "HKLM\\SYSTEM"};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t n = strlen(prefixes[i]);
    if (strncasecmp(path, prefixes[i], n) == 0 &&
        (path[n] == '\0' || path[n] == '\\'))
      return path[n] ? path + n + 1 : path + n;
  }
  if (strncasecmp(path, "HKEY_", 5) == 0 || strncasecmp(path, "HKLM\\", 5) == 0)
    die("key '%s' is not in HKEY_LOCAL_MACHINE\\SYSTEM", path);
  return path;
}

/* Walk path below the root; create missing keys when create is set.
 * Returns 0 when absent and not created. */
/* A key name of a .reg path, where the backslash separates keys: %0, %|,
 * %P, %F, %^ and %# mark it for the byte-level pass as \0 ... do in a quoted
 * name (regf-raw.c), %% is a percent sign.  Rewritten in place. */
static void key_part(char *part) {
  static const char from[] = "%0|PF^#",
                    to[] = "%\x01\x02\x03\x04\x05\x06";
  char *o = part;
  for (const char *p = part; *p; p++) {
    const char *e = *p == '%' && p[1] ? strchr(from, p[1]) : NULL;
    if (*p == '%' && !e)
      die("unknown escape '%%%c' in a key name (only %%%%, %%0, %%|, %%P, "
          "%%F, %%^, %%#)",
          p[1] ? p[1] : ' ');
    *o++ = e ? to[e - from] : *p;
    p += e != NULL;
  }
  *o = '\0';
}

static hive_node_h walk(hive_h *h, const char *path, bool create) {
  hive_node_h node = hivex_root(h);
  char *copy = strdup(path), *save = NULL;
  if (!copy)
    die("out of memory");
  for (char *part = strtok_r(copy, "\\", &save); part;
       part = strtok_r(NULL, "\\", &save)) {
    key_part(part);
    hive_node_h child = find_child(h, node, part);
    if (child == 0) {
      if (!create) {
        free(copy);
        return 0;
      }
      errno = 0;
      child = hivex_node_add_child(h, node, part);
      if (child == 0)
        die("cannot create key '%s': %s", part, strerror(errno));
    }
    node = child;
  }
  free(copy);
  return node;
}

/* Values. */

/* Remove one value (case-insensitive name) by rewriting the key's list;
 * hivex has no call to delete a single value. */
/* A value of the key as hivex_node_set_values takes it, named key (which
 * it now owns). */
static hive_set_value copy_value(hive_h *h, hive_value_h val, char *key) {
  hive_type t;
  size_t len;
  char *v = hivex_value_value(h, val, &t, &len);
  if (!v && len != 0)
    die("reading value '%s': %s", key, strerror(errno));
  return (hive_set_value){.key = key, .t = t, .len = len, .value = v};
}

static void delete_value(hive_h *h, hive_node_h node, const char *name) {
  errno = 0;
  hive_value_h *vals = hivex_node_values(h, node);
  if (!vals)
    die("reading values: %s", strerror(errno));
  size_t n = 0;
  while (vals[n])
    n++;
  hive_set_value *set = xmalloc(n * sizeof *set);
  size_t kept = 0;
  bool found = false;
  for (size_t i = 0; i < n; i++) {
    char *key = hivex_value_key(h, vals[i]);
    if (!key)
      die("reading a value name: %s", strerror(errno));
    if (!found && strcasecmp(key, name) == 0) {
      found = true;
      free(key);
      continue;
    }
    set[kept++] = copy_value(h, vals[i], key);
  }
  if (found && hivex_node_set_values(h, node, kept, set, 0) != 0)
    die("deleting value '%s': %s", name, strerror(errno));
  for (size_t i = 0; i < kept; i++) {
    free(set[i].key);
    free(set[i].value);
  }
  free(set);
  free(vals);
}

/* Values set in the current [key] section, written in one
 * hivex_node_set_values when the section ends: hivex_node_set_value
 * rewrites every value of the key each time, which makes a key of 5,000
 * values cost gigabytes. */
typedef struct pending {
  hive_node_h key;
  hive_set_value *v;
  size_t n, cap;
} pending;

static void free_set(hive_set_value *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(v[i].key);
    free(v[i].value);
  }
  free(v);
}

/* The key's values with the pending ones applied as hivex_node_set_value
 * would, one at a time: the same name (exactly) replaced where it is, one
 * in another case (regedit matches names without case) dropped and the
 * new one added at the end. */
static void flush(hive_h *h, pending *p) {
  if (!p->n)
    return;
  errno = 0;
  hive_value_h *vals = hivex_node_values(h, p->key);
  if (!vals)
    die("reading values: %s", strerror(errno));
  size_t n = 0;
  while (vals[n])
    n++;
  hive_set_value *set = xmalloc((n + p->n) * sizeof *set);
  bool *used = calloc(p->n ? p->n : 1, sizeof *used);
  if (!used)
    die("out of memory");
  size_t kept = 0;
  for (size_t i = 0; i < n; i++) {
    char *key = hivex_value_key(h, vals[i]);
    if (!key)
      die("reading a value name: %s", strerror(errno));
    size_t j = p->n;
    while (j-- > 0 && strcasecmp(p->v[j].key, key) != 0)
      ;
    if (j != (size_t)-1) { /* set again: in place, or dropped */
      if (strcmp(p->v[j].key, key) == 0) {
        set[kept++] = p->v[j];
        used[j] = true;
      }
      free(key);
      continue;
    }
    set[kept++] = copy_value(h, vals[i], key);
  }
  for (size_t j = 0; j < p->n; j++)
    if (!used[j])
      set[kept++] = p->v[j];
  if (hivex_node_set_values(h, p->key, kept, set, 0) != 0)
    die("setting values: %s", strerror(errno));
  free_set(set, kept);
  free(used);
  free(vals);
  free(p->v);
  p->v = NULL;
  p->n = p->cap = 0;
}

static void set_value(hive_h *h, pending *p, hive_node_h node, const char *name,
                      uint32_t type, const buf *data) {
  if (p->key != node)
    flush(h, p);
  p->key = node;
  char *value = xmalloc(data->len ? data->len : 1);
  if (data->len)
    memcpy(value, data->p, data->len);
  hive_set_value v = {
      .key = strdup(name), .t = type, .len = data->len, .value = value};
  if (!v.key)
    die("out of memory");
  /* A name set twice in the section: the later wins, in the earlier's
   * place when spelled the same, else at the end. */
  for (size_t j = 0; j < p->n; j++) {
    if (strcasecmp(p->v[j].key, name) != 0)
      continue;
    bool same = strcmp(p->v[j].key, name) == 0;
    free(p->v[j].key);
    free(p->v[j].value);
    if (same) {
      p->v[j] = v;
      return;
    }
    memmove(&p->v[j], &p->v[j + 1], (p->n - j - 1) * sizeof *p->v);
    p->n--;
    break;
  }
  if (p->n == p->cap) {
    p->cap = p->cap ? 2 * p->cap : 16;
    p->v = xrealloc(p->v, p->cap * sizeof *p->v);
  }
  p->v[p->n++] = v;
}

/* One .reg file. */

static char *next_logical_line(char **pos, unsigned *line, unsigned *first) {
  char *p = *pos;
  if (*p == '\0')
    return NULL;
  buf b = {0};
  *first = *line;
  for (;;) {
    char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    char *next = nl ? nl + 1 : p + n;
    (*line)++;
    if (n && p[n - 1] == '\r')
      n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
      n--;
    bool more = n && p[n - 1] == '\\' && *next != '\0';
    /* Only a hex list is ever continued; a key or string line never ends
     * with a bare backslash. */
    if (more && (b.len || (n && p[0] != '[' && p[0] != ';')))
      n--;
    else
      more = false;
    const char *start = b.len ? skip_space(p) : p;
    buf_add(&b, start, n - (size_t)(start - p));
    p = next;
    if (!more)
      break;
  }
  buf_byte(&b, 0);
  *pos = p;
  return (char *)b.p;
}

static void apply_reg(hive_h *h, const char *path) {
  cur_file = path;
  cur_line = 0;
  char *text = read_text(path);
  char *pos = text;
  unsigned line = 1, first;
  bool header = false;
  hive_node_h key = 0;
  pending p = {0};
  char *l;
  while ((l = next_logical_line(&pos, &line, &first))) {
    cur_line = first;
    const char *s = skip_space(l);
    if (*s == '\0' || *s == ';') {
      free(l);
      continue;
    }
    if (!header) {
      if (strcmp(s, "Windows Registry Editor Version 5.00") != 0 &&
          strcmp(s, "REGEDIT4") != 0)
        die("expected the header 'Windows Registry Editor Version 5.00' or "
            "'REGEDIT4'");
      header = true;
      free(l);
      continue;
    }
    if (*s == '[') {
      flush(h, &p);
      size_t n = strlen(s);
      if (s[n - 1] != ']')
        die("key line without its closing ']'");
      bool del = s[1] == '-';
      char *name = strndup(s + 1 + del, n - 2 - del);
      if (!name)
        die("out of memory");
      const char *rel = relative_path(name);
      if (del) {
        if (*rel == '\0')
          die("cannot delete the root key");
        hive_node_h victim = walk(h, rel, false);
        if (victim && hivex_node_delete_child(h, victim) != 0)
          die("deleting key '%s': %s", rel, strerror(errno));
        key = 0;
      } else {
        key = walk(h, rel, true);
      }
      free(name);
      free(l);
      continue;
    }
    char *name;
    if (*s == '@') {
      name = strdup("");
      if (!name)
        die("out of memory");
      s++;
    } else if (*s == '"') {
      name = parse_quoted(&s);
    } else {
      die("expected a [key], a \"name\"=value or @=value");
    }
    s = skip_space(s);
    if (*s != '=')
      die("expected '=' after the value name");
    if (!key)
      die("value outside a key (no [key] line before it, or the key was "
          "deleted)");
    uint32_t type = 0;
    buf data = {0};
    if (parse_data(s + 1, &type, &data)) {
      set_value(h, &p, key, name, type, &data);
    } else {
      flush(h, &p);
      delete_value(h, key, name);
    }
    free(data.p);
    free(name);
    free(l);
  }
  flush(h, &p);
  if (!header) {
    cur_line = 0;
    die("empty file: no 'Windows Registry Editor Version 5.00' header");
  }
  free(text);
}

/* Copy the hive to start from; it is only read. */
static void copy_base(FILE *f, const char *base) {
  FILE *in = fopen(base, "rb");
  if (!in) {
    cur_file = base;
    die("%s", strerror(errno));
  }
  char b[65536];
  size_t n;
  while ((n = fread(b, 1, sizeof b, in)) > 0)
    if (fwrite(b, 1, n, f) != n)
      die("%s: %s", tmp_path, strerror(errno));
  if (ferror(in)) {
    cur_file = base;
    die("%s", strerror(errno));
  }
  fclose(in);
}

/* Rewrite the format's minor version (a hive of an older Windows), with
 * the base block's checksum. */
static void set_minor(const char *path, unsigned minor) {
  unsigned char base[512];
  FILE *f = fopen(path, "r+b");
  if (!f || fread(base, 1, sizeof base, f) != sizeof base)
    die("%s: cannot read the base block", path);
  sm_put_le32(base + 24, minor);
  sm_put_le32(base + 508, base_checksum(base));
  if (fseek(f, 0, SEEK_SET) != 0 ||
      fwrite(base, 1, sizeof base, f) != sizeof base || fclose(f) != 0)
    die("%s: %s", path, strerror(errno));
}

int main(int argc, char **argv) {
  const char *base = NULL;
  long minor = -1;
  for (;;) {
    if (argc > 2 && strcmp(argv[1], "--base") == 0)
      base = argv[2];
    else if (argc > 2 && strcmp(argv[1], "--minor") == 0)
      minor = strtol(argv[2], NULL, 10);
    else
      break;
    argc -= 2;
    argv += 2;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: gen-hive [--base HIVE] [--minor N] OUT.hiv "
                    "FILE.reg [FILE.reg...]\n");
    return EXIT_ERROR;
  }
  const char *out = argv[1];
  size_t n = strlen(out);
  tmp_path = xmalloc(n + 16);
  snprintf(tmp_path, n + 16, "%s.tmpXXXXXX", out);
  int fd = mkstemp(tmp_path);
  if (fd < 0) {
    free(tmp_path);
    tmp_path = NULL;
    cur_file = out;
    die("%s", strerror(errno));
  }
  /* mkstemp makes the file 0600; give it the usual mode. */
  mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0)
    die("%s: %s", tmp_path, strerror(errno));
  FILE *f = fdopen(fd, "wb");
  if (!f)
    die("%s: %s", tmp_path, strerror(errno));
  if (base)
    copy_base(f, base);
  else
    write_empty_hive(f);
  if (fclose(f) != 0)
    die("%s: %s", tmp_path, strerror(errno));

  errno = 0;
  hive_h *h = hivex_open(tmp_path, HIVEX_OPEN_WRITE);
  if (!h)
    die("hivex cannot open the empty hive: %s", strerror(errno));
  for (int i = 2; i < argc; i++)
    apply_reg(h, argv[i]);
  cur_file = out;
  cur_line = 0;
  if (hivex_commit(h, NULL, 0) != 0)
    die("writing the hive: %s", strerror(errno));
  if (hivex_close(h) != 0)
    die("closing the hive: %s", strerror(errno));
  char rawerr[512];
  if (regf_raw_names(tmp_path, rawerr, sizeof rawerr) == (unsigned)-1)
    die("%s", rawerr);
  if (minor >= 0)
    set_minor(tmp_path, (unsigned)minor);
  if (rename(tmp_path, out) != 0)
    die("%s", strerror(errno));
  free(tmp_path);
  return 0;
}
