/* The Authenticode digest of a PE image ("Windows Authenticode Portable
 * Executable Signature Format"): the whole file but the CheckSum field, the
 * security directory entry and the attribute certificate table.  This is
 * the hash an embedded signature signs and a catalog lists; hashing the
 * file's bytes in order, rather than section by section, gives the same
 * value for every image whose sections follow the headers, as linkers lay
 * them out, and never reads outside the file. */
#include <config.h>

#include <nettle/nettle-meta.h>
#include <stdlib.h>

#include "checks/pe.h"

sm_result sm_pe_digest(const sm_pe *pe, const struct nettle_hash *h,
                       bool pad8, unsigned char *out, bool *trailing,
                       sm_error *err) {
  size_t end = pe->cert_size ? pe->cert_off : pe->len;
  size_t cut[3][2] = {{pe->checksum_off, pe->checksum_off + 4},
                      {pe->secdir_off, pe->secdir_off + 8},
                      {end, end}};
  size_t ncut = pe->secdir_off ? 3 : 2;
  if (!pe->secdir_off) {
    cut[1][0] = cut[1][1] = end;
  }
  if (cut[0][1] > cut[1][0] || cut[1][1] > end)
    return sm_error_set(err, SM_ERR_CORRUPT,
                        "not a valid PE image: certificate table overlaps the headers");
  void *ctx = malloc(h->context_size);
  if (!ctx)
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  h->init(ctx);
  size_t at = 0;
  for (size_t i = 0; i < ncut; i++) {
    h->update(ctx, cut[i][0] - at, pe->data + at);
    at = cut[i][1];
  }
  static const unsigned char zeros[8];
  if (pad8 && !pe->cert_size && pe->len % 8)
    h->update(ctx, 8 - pe->len % 8, zeros);
  h->digest(ctx, h->digest_size, out);
  free(ctx);
  if (trailing)
    *trailing = pe->cert_size && (size_t)pe->cert_off + pe->cert_size < pe->len;
  return SM_OK;
}
