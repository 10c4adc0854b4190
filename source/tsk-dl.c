/* Load The Sleuth Kit on first use (tsk-dl.h). */
#include <config.h>

#include <dlfcn.h>
#include <stddef.h>

#define SM_TSK_DL_SELF
#include "source/tsk-dl.h"

struct sm_tsk_table sm_tsk;

bool sm_tsk_load(const char **why) {
  static int state; /* 0: not tried, 1: loaded, -1: failed */
  static const char *failure;
  if (state == 0) {
    /* RTLD_GLOBAL is not needed; the program's own open() (noatime.c) is
     * exported, so that the libraries under TSK still open through it. */
    void *h = dlopen(SM_TSK_SONAME, RTLD_NOW | RTLD_LOCAL);
    state = h ? 1 : -1;
#define SM_TSK_SYM(f)                                                          \
  if (state == 1 && !(*(void **)&sm_tsk.f = dlsym(h, #f)))                     \
    state = -1;
    SM_TSK_FUNCTIONS(SM_TSK_SYM)
#undef SM_TSK_SYM
    if (state < 0)
      failure = dlerror();
    if (!failure)
      failure = "The Sleuth Kit could not be loaded";
  }
  if (state < 0 && why)
    *why = failure;
  return state == 1;
}
