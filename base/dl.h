/* Libraries needed only for some inputs (libtsk, libewf, libcrypto),
 * loaded with dlopen when first needed, into a table of function
 * pointers. */
#ifndef SM_BASE_DL_H
#define SM_BASE_DL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sm_dl {
  int state; /* 0: not tried, 1: loaded, -1: failed */
  const char *failure;
} sm_dl;

/* Load soname once per dl and set slots[i] to its function names[i], for
 * i < n: true when every one is there; else false and *why says why
 * (dlerror's words).  slots is the table, a struct of n function
 * pointers in the order of names. */
bool sm_dl_load(sm_dl *dl, const char *soname, const char *const *names,
                void **slots, size_t n, const char **why);

#endif
