#include <config.h>

#include <stdlib.h>

#include "base/le.h"
#include "base/utf8.h"

size_t sm_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp) {
  if (len == 0)
    return 0;
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  size_t n;
  uint32_t c, min;
  if ((s[0] & 0xE0) == 0xC0)
    n = 2, c = s[0] & 0x1F, min = 0x80;
  else if ((s[0] & 0xF0) == 0xE0)
    n = 3, c = s[0] & 0x0F, min = 0x800;
  else if ((s[0] & 0xF8) == 0xF0)
    n = 4, c = s[0] & 0x07, min = 0x10000;
  else
    return 0;
  for (size_t i = 1; i < n; i++) {
    if (i >= len || (s[i] & 0xC0) != 0x80)
      return 0;
    c = c << 6 | (s[i] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    return 0;
  *cp = c;
  return n;
}

bool sm_utf8_valid(const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    size_t n = sm_utf8_decode(s + i, len - i, &cp);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

size_t sm_utf8_put(char *o, uint32_t c) {
  if (c < 0x80) {
    o[0] = (char)c;
    return 1;
  }
  if (c < 0x800) {
    o[0] = (char)(0xC0 | c >> 6);
    o[1] = (char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    o[0] = (char)(0xE0 | c >> 12);
    o[1] = (char)(0x80 | (c >> 6 & 0x3F));
    o[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | c >> 18);
  o[1] = (char)(0x80 | (c >> 12 & 0x3F));
  o[2] = (char)(0x80 | (c >> 6 & 0x3F));
  o[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

/* hivex's iconv-based decoding refuses lone surrogates outright; evidence
 * must still be shown, so such units become U+FFFD here. */
char *sm_utf16le_decode_n(const unsigned char *p, size_t len, bool stop_at_nul,
                          bool *bad, size_t *out_len) {
  size_t units = len / 2;
  char *out = malloc(units * 3 + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  if (bad)
    *bad = false;
  for (size_t i = 0; i < units; i++) {
    uint32_t u = sm_le16(p + 2 * i);
    if (u == 0 && stop_at_nul)
      break;
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
      uint32_t lo = sm_le16(p + 2 * i + 2);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        o += sm_utf8_put(out + o,
                         0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        i++;
        continue;
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF) {
      u = 0xFFFD;
      if (bad)
        *bad = true;
    }
    o += sm_utf8_put(out + o, u);
  }
  out[o] = '\0';
  if (out_len)
    *out_len = o;
  return out;
}

char *sm_utf16le_decode(const unsigned char *p, size_t len, bool stop_at_nul,
                        bool *bad) {
  return sm_utf16le_decode_n(p, len, stop_at_nul, bad, NULL);
}
