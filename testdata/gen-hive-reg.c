/* The .reg text gen-hive reads: the whole file as UTF-8 (regedit writes
 * UTF-16LE with a BOM), logical lines, quoted strings with regedit's
 * escapes, and value data (regedit's syntax, plus str(N):"..." and
 * multi:"a","b"; testdata/README.md). */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/le.h"
#include "base/utf8.h"
#include "testdata/gen-hive.h"

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

char *read_text(const char *path) {
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

const char *skip_space(const char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* A quoted string with regedit's escapes (\\ and \"), as UTF-8 in out.
 * *s points at the opening quote; on return just past the closing one. */
char *parse_quoted(const char **s) {
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

/* The quoted string at *s into data as UTF-16LE with its NUL; *s past
 * it.  last: nothing but spaces may follow on the line. */
static void put_quoted(const char **s, bool last, buf *data) {
  char *str = parse_quoted(s);
  if (last)
    expect_end(*s);
  utf8_to_utf16(data, str);
  put_utf16(data, 0);
  free(str);
}

/* Parse the data after '=' into type and bytes; false for "-" (delete). */
bool parse_data(const char *s, uint32_t *type, buf *data) {
  s = skip_space(s);
  if (strcmp(s, "-") == 0 || (s[0] == '-' && *skip_space(s + 1) == '\0'))
    return false;
  if (*s == '"') {
    *type = 1; /* REG_SZ */
    put_quoted(&s, true, data);
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
    put_quoted(&s, true, data);
    return true;
  }
  if (strncasecmp(s, "multi:", 6) == 0) {
    s = skip_space(s + 6);
    *type = 7; /* REG_MULTI_SZ */
    while (*s == '"') {
      /* An empty string is only its NUL: PendingFileRenameOperations
       * stores one for each file to delete. */
      put_quoted(&s, false, data);
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

char *next_logical_line(char **pos, unsigned *line, unsigned *first) {
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
