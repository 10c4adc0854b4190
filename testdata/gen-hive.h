/* gen-hive's parts, shared between its files (testdata/gen-hive.c):
 *
 *   testdata/gen-hive.c        the program: arguments, the temporary
 *                              output, errors; keys and values applied
 *                              with hivex, one .reg file at a time;
 *   testdata/gen-hive-empty.c  the empty hive hivex starts from;
 *   testdata/gen-hive-reg.c    the .reg text: UTF-8 or UTF-16, logical
 *                              lines, quoted names and value data.
 */
#ifndef SM_TESTDATA_GEN_HIVE_H
#define SM_TESTDATA_GEN_HIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_ERROR 2

/* 2020-01-01T00:00:00Z as a FILETIME: fixtures need a fixed, nonzero time. */
#define FIXED_FILETIME 132223104000000000ULL

/* Where an error is: the file and logical line being read (0: none). */
extern const char *cur_file;
extern unsigned cur_line;
/* The temporary output, removed by die. */
extern char *tmp_path;

/* "gen-hive: FILE:LINE: reason" on stderr, the temporary output removed,
 * exit EXIT_ERROR. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);

/* A growable byte buffer. */
typedef struct buf {
  unsigned char *p;
  size_t len, cap;
} buf;

void buf_add(buf *b, const void *data, size_t n);
void buf_byte(buf *b, unsigned char c);

/* testdata/gen-hive-empty.c */
/* XOR-32 of the first 508 bytes of the base block, 0 and ~0 remapped. */
uint32_t base_checksum(const unsigned char *p);
/* Base block, one hbin with a root key and its security cell. */
void write_empty_hive(FILE *f);

/* testdata/gen-hive-reg.c */
/* The whole file as UTF-8 (from UTF-8, with or without a BOM, or
 * UTF-16LE with one); caller-frees. */
char *read_text(const char *path);
/* The next logical line at *pos (a hex list continued with '\' joined),
 * its first line number in *first; NULL at the end.  Caller-frees. */
char *next_logical_line(char **pos, unsigned *line, unsigned *first);
const char *skip_space(const char *s);
/* A quoted string with regedit's escapes (\\ and \"), as UTF-8 in out.
 * *s points at the opening quote; on return just past the closing one. */
char *parse_quoted(const char **s);
/* Parse the data after '=' into type and bytes; false for "-" (delete). */
bool parse_data(const char *s, uint32_t *type, buf *data);

#endif
