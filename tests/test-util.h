/* Helpers shared by the cmocka unit programs: where the fixtures are, and
 * reading a whole file.  Include after <cmocka.h> (read_file asserts). */
#ifndef SM_TEST_UTIL_H
#define SM_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* testdata/NAME.hiv of the build tree (top_builddir, set by make check). */
static inline const char *fixture(const char *name) {
  static char path[1024];
  const char *top = getenv("top_builddir");
  snprintf(path, sizeof path, "%s/testdata/%s.hiv", top ? top : ".", name);
  return path;
}

/* The real PE files (../shared/pe): SMAUDIT_PE, else pe beside the hives
 * of SMAUDIT_CORPUS, else ../shared/pe beside the source; NULL when
 * absent. */
static inline const char *shared_pe_dir(void) {
  static char dir[1024];
  const char *e = getenv("SMAUDIT_PE");
  const char *corpus = getenv("SMAUDIT_CORPUS");
  const char *top = getenv("top_srcdir");
  if (e && *e)
    snprintf(dir, sizeof dir, "%s", e);
  else if (corpus && *corpus)
    snprintf(dir, sizeof dir, "%s/../pe", corpus);
  else
    snprintf(dir, sizeof dir, "%s/../shared/pe", top ? top : ".");
  struct stat st;
  return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? dir : NULL;
}

#ifdef cmocka_unit_test
/* The whole file, caller-frees (one byte more, for a terminator). */
static inline unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  struct stat st;
  assert_int_equal(fstat(fileno(f), &st), 0);
  unsigned char *p = malloc((size_t)st.st_size + 1);
  assert_non_null(p);
  assert_int_equal(fread(p, 1, (size_t)st.st_size, f), (size_t)st.st_size);
  fclose(f);
  *len = (size_t)st.st_size;
  return p;
}
#endif

#endif
