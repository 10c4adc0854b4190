#include <config.h>

#include <stdlib.h>

#include "hive/hive.h"

static size_t put_utf8(char *o, uint32_t c) {
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
char *sm_utf16le_decode(const unsigned char *p, size_t len, bool stop_at_nul,
                        bool *bad) {
  size_t units = len / 2;
  char *out = malloc(units * 3 + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  if (bad)
    *bad = false;
  for (size_t i = 0; i < units; i++) {
    uint32_t u = (uint32_t)p[2 * i] | (uint32_t)p[2 * i + 1] << 8;
    if (u == 0 && stop_at_nul)
      break;
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
      uint32_t lo = (uint32_t)p[2 * i + 2] | (uint32_t)p[2 * i + 3] << 8;
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        o += put_utf8(out + o, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        i++;
        continue;
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF) {
      u = 0xFFFD;
      if (bad)
        *bad = true;
    }
    o += put_utf8(out + o, u);
  }
  out[o] = '\0';
  return out;
}
