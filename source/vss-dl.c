/* Load libvshadow and libbfio on first use (vss-dl.h). */
#include <config.h>

#include "base/dl.h"

#define SM_VSS_DL_SELF
#include "source/vss-dl.h"

struct sm_vss_table sm_vss_dl;

bool sm_vss_load(const char **why) {
  /* libvshadow needs libbfio itself (the same soname, loaded once); the
   * handle smaudit makes is libbfio's. */
  static sm_dl bfio, vshadow;
#define SM_VSS_NAME(f) #f,
  static const char *const bnames[] = {SM_BFIO_FUNCTIONS(SM_VSS_NAME)};
  static const char *const vnames[] = {SM_VSHADOW_FUNCTIONS(SM_VSS_NAME)};
#undef SM_VSS_NAME
  enum { NB = sizeof bnames / sizeof bnames[0] };
  return sm_dl_load(&bfio, SM_BFIO_SONAME, bnames, (void **)&sm_vss_dl, NB,
                    why) &&
         sm_dl_load(&vshadow, SM_VSHADOW_SONAME, vnames,
                    (void **)&sm_vss_dl + NB,
                    sizeof vnames / sizeof vnames[0], why);
}
