/* The signature of one PE (sig.h): embedded Authenticode first (the
 * WIN_CERTIFICATE's SignedData, its digest compared with the file's),
 * then membership in a catalog of the volume. */
#include <config.h>

#include <nettle/nettle-meta.h>
#include <string.h>

#include "base/le.h"
#include "checks/sig-internal.h"

#define OID_INDIRECT "1.3.6.1.4.1.311.2.1.4"

static const struct nettle_hash *hash_by_oid(sm_der oid) {
  if (sm_der_oid_is(oid, "1.3.14.3.2.26"))
    return &nettle_sha1;
  if (sm_der_oid_is(oid, "2.16.840.1.101.3.4.2.1"))
    return &nettle_sha256;
  if (sm_der_oid_is(oid, "2.16.840.1.101.3.4.2.2"))
    return &nettle_sha384;
  if (sm_der_oid_is(oid, "2.16.840.1.101.3.4.2.3"))
    return &nettle_sha512;
  return NULL;
}

static void embedded(const sm_pe *pe, const sm_anchors *a, sm_sig *out) {
  out->via = "embedded";
  const unsigned char *w = pe->data + pe->cert_off;
  uint32_t len = pe->cert_size >= 8 ? sm_le32(w) : 0;
  if (len < 8 || len > pe->cert_size) {
    sm_sig_fail(out, SM_SIG_INVALID, "certificate table entry malformed");
    return;
  }
  if (sm_le16(w + 6) != 2) {
    sm_sig_fail(out, SM_SIG_INVALID, "certificate of type %u, not PKCS #7",
                sm_le16(w + 6));
    return;
  }
  sm_der der = {w + 8, len - 8}, type, content, alg, want;
  const struct nettle_hash *h;
  if (!sm_sig_content(der, &type, &content) ||
      !sm_der_oid_is(type, OID_INDIRECT) ||
      !sm_sig_indirect_digest(content, &alg, &want)) {
    sm_sig_fail(out, SM_SIG_INVALID, "malformed Authenticode SignedData");
    return;
  }
  if (!(h = hash_by_oid(alg))) {
    sm_sig_fail(out, SM_SIG_INVALID, "unsupported digest algorithm");
    return;
  }
  unsigned char got[64];
  sm_error err;
  if (sm_pe_digest(pe, h, false, got, NULL, &err) != SM_OK) {
    sm_sig_fail(out, SM_SIG_INVALID, "%s", err.msg);
    return;
  }
  if (want.n != h->digest_size || memcmp(want.p, got, want.n) != 0) {
    sm_sig_fail(out, SM_SIG_INVALID,
                "the file's %s digest does not match its signature", h->name);
    return;
  }
  sm_sig_verify_signed((sm_der){w + 8, len - 8}, content, a, out);
}

void sm_sig_check(const sm_pe *pe, const sm_anchors *a, sm_catdb *db,
                  sm_sig *out) {
  memset(out, 0, sizeof *out);
  out->timestamp = SM_SIG_NO_TIME;
  out->status = SM_SIG_UNSIGNED;
  const char *why;
  if (!sm_crypto_load(&why)) {
    sm_sig_fail(out, SM_SIG_ERROR, "libcrypto: %s", why);
    return;
  }
  if (pe->cert_size) {
    embedded(pe, a, out);
    if (out->status == SM_SIG_VALID)
      return;
  }
  if (db && sm_catdb_members(db)) {
    unsigned char d1[20], d256[32];
    sm_error err;
    const sm_sig *c = NULL;
    /* As the file is, then zero-padded to 8 bytes as signing tools hash
     * it; SHA-1 only when no catalog lists the SHA-256 digest (catalogs
     * of Windows 8 and later list SHA-256, Windows 7's SHA-1). */
    for (int pad = 0; pad < 2 && !c; pad++)
      if (sm_pe_digest(pe, &nettle_sha256, pad, d256, NULL, &err) == SM_OK &&
          !(c = sm_catdb_check(db, NULL, d256, a)) &&
          sm_pe_digest(pe, &nettle_sha1, pad, d1, NULL, &err) == SM_OK)
        c = sm_catdb_check(db, d1, d256, a);
    if (c && (c->status == SM_SIG_VALID || !pe->cert_size)) {
      *out = *c;
      return;
    }
  }
}
