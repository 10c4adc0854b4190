/* A text report wrapped to the terminal's width: each line longer than the
 * width broken at a space, its continuation indented under the line's
 * text (cli/writer.c, for the text formats on a terminal). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cli/scan.h"

/* Columns a terminal gives the bytes s[0..n): escape sequences (the
 * report's own colours) take none, nor do UTF-8 continuation bytes. */
static size_t columns_of(const char *s, size_t n, size_t *cut, size_t width) {
  size_t cols = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\033') {
      while (i < n && !(s[i] >= '@' && s[i] <= '~' && s[i] != '['))
        i++;
      continue;
    }
    if (((unsigned char)s[i] & 0xC0) == 0x80)
      continue;
    if (cut && cols == width) {
      *cut = i;
      return cols + 1; /* more than fits */
    }
    cols++;
  }
  if (cut)
    *cut = n;
  return cols;
}

/* Where the continuation of a line starts: under the text after its
 * leading spaces and a "- " or "label:   " lead. */
static size_t hanging_indent(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && s[i] == ' ')
    i++;
  if (i + 1 < n && s[i] == '-' && s[i + 1] == ' ')
    return i + 2;
  size_t j = i;
  while (j < n && s[j] != ' ' && s[j] != ':')
    j++;
  if (j + 1 < n && s[j] == ':' && s[j + 1] == ' ') {
    j++;
    while (j < n && s[j] == ' ')
      j++;
    return j;
  }
  /* A line that continues the one above keeps its indent. */
  return i >= 8 ? i : i + 2;
}

void sm_text_wrap(FILE *f, const char *s, size_t len, unsigned width) {
  while (len) {
    const char *nl = memchr(s, '\n', len);
    size_t n = nl ? (size_t)(nl - s) : len;
    size_t indent = hanging_indent(s, n), pad = 0;
    if (indent > width / 2)
      indent = width / 2;
    const char *line = s;
    size_t left = n;
    for (;;) {
      size_t cut;
      if (columns_of(line, left, &cut, width - pad) <= width - pad) {
        fprintf(f, "%*s", (int)pad, "");
        fwrite(line, 1, left, f);
        break;
      }
      /* Break at the last space that leaves something on the line. */
      size_t brk = cut;
      while (brk > 0 && line[brk] != ' ')
        brk--;
      if (brk == 0 || (pad == 0 && brk <= indent))
        brk = cut;
      fprintf(f, "%*s", (int)pad, "");
      fwrite(line, 1, brk, f);
      fputc('\n', f);
      while (brk < left && line[brk] == ' ')
        brk++;
      line += brk;
      left -= brk;
      pad = indent;
    }
    if (nl)
      fputc('\n', f);
    s += n + (nl ? 1 : 0);
    len -= n + (nl ? 1 : 0);
  }
}
