/* Load libcrypto on first use (crypto-dl.h). */
#include <config.h>

#include <dlfcn.h>
#include <stddef.h>

#include "checks/crypto-dl.h"

struct sm_crypto_table sm_crypto;

bool sm_crypto_load(const char **why) {
  static int state; /* 0: not tried, 1: loaded, -1: failed */
  static const char *failure;
  if (state == 0) {
    void *h = dlopen(SM_CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);
    state = h ? 1 : -1;
#define SM_CRYPTO_SYM(f)                                                       \
  if (state == 1 && !(*(void **)&sm_crypto.f = dlsym(h, #f)))                  \
    state = -1;
    SM_CRYPTO_FUNCTIONS(SM_CRYPTO_SYM)
#undef SM_CRYPTO_SYM
    if (state < 0)
      failure = dlerror();
    if (!failure)
      failure = "libcrypto could not be loaded";
  }
  if (state < 0 && why)
    *why = failure;
  return state == 1;
}
