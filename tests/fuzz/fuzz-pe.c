/* The PE reader and the signature readers on arbitrary bytes: headers, the
 * Authenticode digest, the checksum, the version resource (checks/pe*.c),
 * the embedded signature (checks/sig*.c, with libcrypto and no anchors),
 * and the same bytes as a catalog (checks/catalog.c). */
#include <config.h>

#include <nettle/nettle-meta.h>
#include <stdint.h>

#include "checks/pe.h"
#include "checks/sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sm_error err;
  sm_catdb *db = sm_catdb_new();
  if (db)
    (void)sm_catdb_add(db, "fuzz.cat", data, size, &err);
  sm_pe pe;
  if (sm_pe_parse(&pe, data, size, &err) == SM_OK) {
    unsigned char md[64];
    bool trailing;
    sm_pe_digest(&pe, &nettle_sha256, true, md, &trailing, &err);
    (void)sm_pe_checksum_compute(&pe);
    sm_pe_version v;
    if (sm_pe_version_read(&pe, &v, &err) == SM_OK)
      sm_pe_version_free(&v);
    sm_anchors *a = sm_anchors_new();
    sm_sig s;
    sm_sig_check(&pe, a, db, &s);
    sm_anchors_free(a);
  }
  sm_catdb_free(db);
  return 0;
}
