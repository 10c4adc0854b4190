/* Shared by the signature files (sig-anchors.c, sig-verify.c, catalog.c,
 * sig.c): what needs libcrypto's types. */
#ifndef SM_CHECKS_SIG_INTERNAL_H
#define SM_CHECKS_SIG_INTERNAL_H

#include "checks/crypto-dl.h"
#include "checks/der.h"
#include "checks/sig.h"

struct sm_anchors {
  OPENSSL_STACK *user;  /* X509 *, owned */
  OPENSSL_STACK *image; /* X509 *, owned */
};

/* The content of the PKCS #7 SignedData der (a ContentInfo): its type
 * OID's value and the content element's value (the bytes its
 * messageDigest covers).  False when the structure is not that. */
bool sm_sig_content(sm_der der, sm_der *type, sm_der *content);

/* Verify the SignedData der: the signer's signature over content, the
 * countersignature (its time in out->timestamp), and the chain to an
 * anchor at that time.  Fills out's status, signer, timestamp, trust and
 * reason. */
void sm_sig_verify_signed(sm_der der, sm_der content, const sm_anchors *a,
                          sm_sig *out);

/* The digest algorithm and value of a SpcIndirectDataContent's value. */
bool sm_sig_indirect_digest(sm_der spc, sm_der *alg_oid, sm_der *digest);

/* The result of the catalog of db listing the digests (SHA-256, then
 * SHA-1 unless it is NULL), its signature checked on first use; NULL when
 * none lists them. */
const sm_sig *sm_catdb_check(sm_catdb *db, const unsigned char *sha1,
                             const unsigned char *sha256,
                             const sm_anchors *a);

/* Set out's status and a formatted reason. */
void sm_sig_fail(sm_sig *out, sm_sig_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
