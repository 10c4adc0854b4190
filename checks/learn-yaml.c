/* Writing YAML for learned baselines: double-quoted scalars that are
 * valid UTF-8 and terminal-safe, and literal globs. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/learn.h"

/* Decode one UTF-8 sequence; returns its length, or 0 when invalid. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp) {
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  size_t n;
  uint32_t c, min;
  if ((s[0] & 0xe0) == 0xc0)
    n = 2, c = s[0] & 0x1f, min = 0x80;
  else if ((s[0] & 0xf0) == 0xe0)
    n = 3, c = s[0] & 0x0f, min = 0x800;
  else if ((s[0] & 0xf8) == 0xf0)
    n = 4, c = s[0] & 0x07, min = 0x10000;
  else
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3f);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *cp = c;
  return n;
}

void sm_yaml_quote(FILE *f, const char *str) {
  const unsigned char *s = (const unsigned char *)(str ? str : "");
  fputc('"', f);
  while (*s) {
    uint32_t cp;
    size_t n = utf8_next(s, &cp);
    if (n == 0) {
      cp = 0xfffd;
      n = 1;
    }
    s += n;
    if (cp == '\\' || cp == '"')
      fprintf(f, "\\%c", (char)cp);
    else if (cp >= 0x20 && cp < 0x7f)
      fputc((int)cp, f);
    else if (cp < 0x100)
      fprintf(f, "\\x%02X", (unsigned)cp);
    else if (cp < 0x10000)
      fprintf(f, "\\u%04X", (unsigned)cp);
    else
      fprintf(f, "\\U%08X", (unsigned)cp);
  }
  fputc('"', f);
}

/* A glob that matches exactly s: the metacharacters in brackets. */
void sm_yaml_literal_glob(FILE *f, const char *s) {
  size_t n = strlen(s);
  char *g = malloc(n * 3 + 1), *p = g;
  if (!g) {
    sm_yaml_quote(f, s);
    return;
  }
  for (; *s; s++) {
    if (*s == '*' || *s == '?' || *s == '[') {
      *p++ = '[';
      *p++ = *s;
      *p++ = ']';
    } else {
      *p++ = *s;
    }
  }
  *p = '\0';
  sm_yaml_quote(f, g);
  free(g);
}
