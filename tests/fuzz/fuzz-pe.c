/* The PE reader on arbitrary bytes: headers, the Authenticode digest, the
 * checksum and the version resource (checks/pe*.c). */
#include <config.h>

#include <nettle/nettle-meta.h>
#include <stdint.h>

#include "checks/pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sm_pe pe;
  sm_error err;
  if (sm_pe_parse(&pe, data, size, &err) != SM_OK)
    return 0;
  unsigned char md[64];
  bool trailing;
  sm_pe_digest(&pe, &nettle_sha256, md, &trailing, &err);
  (void)sm_pe_checksum_compute(&pe);
  sm_pe_version v;
  if (sm_pe_version_read(&pe, &v, &err) == SM_OK)
    sm_pe_version_free(&v);
  return 0;
}
