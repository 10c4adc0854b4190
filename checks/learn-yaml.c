/* Writing YAML for learned baselines: double-quoted scalars that are
 * valid UTF-8 and terminal-safe, and literal globs. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "checks/learn.h"

void sm_yaml_quote(FILE *f, const char *str) {
  const unsigned char *s = (const unsigned char *)(str ? str : "");
  fputc('"', f);
  while (*s) {
    uint32_t cp;
    size_t n = sm_utf8_decode(s, SIZE_MAX, &cp);
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
