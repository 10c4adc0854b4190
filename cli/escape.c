#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "cli/cli.h"

/* Characters that move or restyle text without showing themselves. */
static bool invisible(uint32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) ||
         (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

/* The output has three escapes: \xNN (a byte, or an ASCII control),
 * \u{NNNN} (an invisible character) and, when quoting, \".  Only what is
 * unsafe on a terminal is escaped: a backslash of the text is written as
 * one backslash, Windows paths being full of them (spool\drivers\x64).
 * The text is for people; the JSON output is exact (docs/security.md). */
char *sm_text_escape(const char *s, bool quote) {
  size_t len = strlen(s);
  /* Worst case: every byte becomes \u{NNNNNN} (10 bytes). */
  char *out = malloc(len * 10 + 1);
  if (!out)
    return NULL;
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0;
  while (*p) {
    uint32_t c;
    size_t n = sm_utf8_decode(p, SIZE_MAX, &c);
    if (n == 0) {
      o += (size_t)sprintf(out + o, "\\x%02X", *p);
      p++;
      continue;
    }
    if (invisible(c)) {
      if (c < 0x80)
        o += (size_t)sprintf(out + o, "\\x%02X", (unsigned)c);
      else
        o += (size_t)sprintf(out + o, "\\u{%04X}", (unsigned)c);
    } else if (quote && c == '"') {
      out[o++] = '\\';
      out[o++] = '"';
    } else {
      memcpy(out + o, p, n);
      o += n;
    }
    p += n;
  }
  out[o] = '\0';
  return out;
}

void sm_fputs_escaped(FILE *f, const char *s, bool quote) {
  char *e = sm_text_escape(s, quote);
  if (e) {
    fputs(e, f);
    free(e);
  }
}
