/* Load libcrypto on first use (crypto-dl.h). */
#include <config.h>

#include "base/dl.h"

#include "checks/crypto-dl.h"

struct sm_crypto_table sm_crypto;

bool sm_crypto_load(const char **why) {
  static sm_dl dl;
#define SM_CRYPTO_NAME(f) #f,
  static const char *const names[] = {SM_CRYPTO_FUNCTIONS(SM_CRYPTO_NAME)};
#undef SM_CRYPTO_NAME
  return sm_dl_load(&dl, SM_CRYPTO_SONAME, names, (void **)&sm_crypto,
                    sizeof names / sizeof names[0], why);
}
