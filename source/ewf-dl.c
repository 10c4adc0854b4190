/* Load libewf on first use (ewf-dl.h). */
#include <config.h>

#include "base/dl.h"

#define SM_EWF_DL_SELF
#include "source/ewf-dl.h"

struct sm_ewf_table sm_ewf_fn;

bool sm_ewf_load(const char **why) {
  static sm_dl dl;
#define SM_EWF_NAME(f) #f,
  static const char *const names[] = {SM_EWF_FUNCTIONS(SM_EWF_NAME)};
#undef SM_EWF_NAME
  return sm_dl_load(&dl, SM_EWF_SONAME, names, (void **)&sm_ewf_fn,
                    sizeof names / sizeof names[0], why);
}
