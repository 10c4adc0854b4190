/* Load The Sleuth Kit on first use (tsk-dl.h). */
#include <config.h>

#include "base/dl.h"

#define SM_TSK_DL_SELF
#include "source/tsk-dl.h"

struct sm_tsk_table sm_tsk;

bool sm_tsk_load(const char **why) {
  static sm_dl dl;
#define SM_TSK_NAME(f) #f,
  static const char *const names[] = {SM_TSK_FUNCTIONS(SM_TSK_NAME)};
#undef SM_TSK_NAME
  return sm_dl_load(&dl, SM_TSK_SONAME, names, (void **)&sm_tsk,
                    sizeof names / sizeof names[0], why);
}
