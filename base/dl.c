/* Load a library on first use (dl.h). */
#include <config.h>

#include <dlfcn.h>

#include "base/dl.h"

bool sm_dl_load(sm_dl *dl, const char *soname, const char *const *names,
                void **slots, size_t n, const char **why) {
  if (dl->state == 0) {
    /* RTLD_LOCAL: the library's symbols stay its own.  The program's own
     * open() (source/noatime.c) is exported, so that the libraries under
     * libtsk and libewf still open the image files through it. */
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    dl->state = h ? 1 : -1;
    for (size_t i = 0; i < n && dl->state == 1; i++)
      if (!(slots[i] = dlsym(h, names[i])))
        dl->state = -1;
    if (dl->state < 0)
      dl->failure = dlerror();
    if (!dl->failure)
      dl->failure = "the library could not be loaded";
  }
  if (dl->state < 0 && why)
    *why = dl->failure;
  return dl->state == 1;
}
