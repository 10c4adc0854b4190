/* PKCS #7 SignedData as Authenticode uses it: the signer's signature over
 * the content (SpcIndirectDataContent or a catalog's certificate trust
 * list), the countersignature of a time-stamping authority (PKCS #9 or
 * RFC 3161), and the signer's chain to an anchor at the countersigned
 * time.  Without a valid countersignature the chain's validity periods are
 * not checked, as Windows Code Integrity does not check them. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "checks/sig-internal.h"

#define OID_RFC3161 "1.3.6.1.4.1.311.3.3.1"

void sm_sig_fail(sm_sig *out, sm_sig_status st, const char *fmt, ...) {
  out->status = st;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out->reason, sizeof out->reason, fmt, ap);
  va_end(ap);
}

/* OpenSSL's first queued error, as words. */
static const char *ossl_reason(char *buf, size_t n) {
  unsigned long e = C(ERR_get_error)();
  if (!e)
    return "no detail";
  C(ERR_error_string_n)(e, buf, n);
  C(ERR_clear_error)();
  return buf;
}

bool sm_sig_content(sm_der der, sm_der *type, sm_der *content) {
  sm_der ci, sd, v, eci, wrap;
  if (!sm_der_expect(&der, SM_DER_SEQ, &ci) ||
      !sm_der_expect(&ci, SM_DER_OID, &v) ||
      !sm_der_oid_is(v, "1.2.840.113549.1.7.2") ||
      !sm_der_expect(&ci, SM_DER_CTX0, &wrap) ||
      !sm_der_expect(&wrap, SM_DER_SEQ, &sd) ||
      !sm_der_expect(&sd, SM_DER_INTEGER, &v) ||
      !sm_der_expect(&sd, SM_DER_SET, &v) ||
      !sm_der_expect(&sd, SM_DER_SEQ, &eci) ||
      !sm_der_expect(&eci, SM_DER_OID, type) ||
      !sm_der_expect(&eci, SM_DER_CTX0, &wrap))
    return false;
  unsigned tag;
  return sm_der_next(&wrap, &tag, content, NULL) && tag == SM_DER_SEQ;
}

bool sm_sig_indirect_digest(sm_der spc, sm_der *alg_oid, sm_der *digest) {
  sm_der data, di, alg;
  return sm_der_expect(&spc, SM_DER_SEQ, &data) &&
         sm_der_expect(&spc, SM_DER_SEQ, &di) &&
         sm_der_expect(&di, SM_DER_SEQ, &alg) &&
         sm_der_expect(&alg, SM_DER_OID, alg_oid) &&
         sm_der_expect(&di, SM_DER_OCTETS, digest);
}

static void common_name(X509 *x, char *out, size_t n) {
  out[0] = '\0';
  if (C(X509_NAME_get_text_by_NID)(C(X509_get_subject_name)(x),
                                   NID_commonName, out, (int)n) < 0)
    out[0] = '\0';
}

/* Chain x to an anchor of kind k; extra certificates are untrusted. */
static bool chain_to(X509 *x, STACK_OF(X509) *bag, const sm_anchors *a,
                     sm_trust k, int64_t when, char *why, size_t nwhy,
                     bool *any) {
  X509_STORE *store = C(X509_STORE_new)();
  X509_STORE_CTX *ctx = C(X509_STORE_CTX_new)();
  bool ok = false;
  if (!store || !ctx)
    goto done;
  OPENSSL_STACK *lists[3] = {a ? a->user : NULL, a ? a->image : NULL,
                             (OPENSSL_STACK *)bag};
  size_t nanchors = 0;
  for (int l = 0; l < 3; l++) {
    if ((k == SM_TRUST_USER && l != 0) || (k == SM_TRUST_IMAGE && l != 1))
      continue;
    for (int i = 0; lists[l] && i < C(OPENSSL_sk_num)(lists[l]); i++) {
      X509 *c = C(OPENSSL_sk_value)(lists[l], i);
      unsigned char md[32];
      unsigned int mdn = 0;
      if (k == SM_TRUST_PINNED &&
          (!C(X509_digest)(c, C(EVP_sha256)(), md, &mdn) ||
           !sm_anchors_pinned(md)))
        continue;
      if (C(X509_STORE_add_cert)(store, c))
        nanchors++;
    }
  }
  C(ERR_clear_error)();
  if (nanchors == 0) {
    snprintf(why, nwhy, "no %s root at hand", sm_trust_name(k));
    goto done;
  }
  *any = true;
  if (!C(X509_STORE_CTX_init)(ctx, store, x, bag))
    goto done;
  X509_VERIFY_PARAM *p = C(X509_STORE_CTX_get0_param)(ctx);
  C(X509_VERIFY_PARAM_set_purpose)(p, X509_PURPOSE_ANY);
  if (when != SM_SIG_NO_TIME)
    C(X509_VERIFY_PARAM_set_time)(p, (time_t)when);
  else
    C(X509_VERIFY_PARAM_set_flags)(p, X509_V_FLAG_NO_CHECK_TIME);
  ok = C(X509_verify_cert)(ctx) == 1;
  if (!ok)
    snprintf(why, nwhy, "%s", C(X509_verify_cert_error_string)(
                                  C(X509_STORE_CTX_get_error)(ctx)));
done:
  C(ERR_clear_error)();
  if (ctx)
    C(X509_STORE_CTX_free)(ctx);
  if (store)
    C(X509_STORE_free)(store);
  return ok;
}

/* The first anchor kind x chains to, or SM_TRUST_NONE (why says why;
 * *none: there was no anchor of any kind to try). */
static sm_trust chain_any(X509 *x, STACK_OF(X509) *bag, const sm_anchors *a,
                          int64_t when, char *why, size_t nwhy, bool *none) {
  static const sm_trust order[] = {SM_TRUST_PINNED, SM_TRUST_USER,
                                   SM_TRUST_IMAGE};
  char first[160] = "";
  bool any = false;
  *none = false;
  for (size_t i = 0; i < 3; i++) {
    char w[160] = "";
    if (chain_to(x, bag, a, order[i], when, w, sizeof w, &any))
      return order[i];
    if (!first[0] || strncmp(w, "no ", 3) != 0)
      snprintf(first, sizeof first, "%s", w);
  }
  snprintf(why, nwhy, "%s", first);
  *none = !any;
  return SM_TRUST_NONE;
}

static int64_t tm_to_unix(struct tm *t) { return (int64_t)timegm(t); }

/* GeneralizedTime text "YYYYMMDDHHMMSS[.f]Z". */
static bool gentime(sm_der v, int64_t *out) {
  struct tm t = {0};
  char s[16];
  if (v.n < 15 || v.p[v.n - 1] != 'Z')
    return false;
  memcpy(s, v.p, 14);
  s[14] = '\0';
  if (sscanf(s, "%4d%2d%2d%2d%2d%2d", &t.tm_year, &t.tm_mon, &t.tm_mday,
             &t.tm_hour, &t.tm_min, &t.tm_sec) != 6)
    return false;
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  *out = tm_to_unix(&t);
  return true;
}

/* The digest of data with the algorithm named by obj. */
static bool digest_of(const ASN1_OBJECT *obj, const unsigned char *d,
                      size_t n, unsigned char *md, unsigned int *mdn) {
  const EVP_MD *m =
      C(EVP_get_digestbyname)(C(OBJ_nid2sn)(C(OBJ_obj2nid)(obj)));
  return m && C(EVP_Digest)(d, n, md, mdn, m, NULL) == 1;
}

/* A PKCS #9 countersignature (a SignerInfo) over si's signature. */
static bool ts_pkcs9(PKCS7 *p7, PKCS7_SIGNER_INFO *si, ASN1_TYPE *t,
                     const sm_anchors *a, int64_t *when) {
  if (t->type != V_ASN1_SEQUENCE)
    return false;
  const unsigned char *q = t->value.sequence->data;
  PKCS7_SIGNER_INFO *cs =
      C(d2i_PKCS7_SIGNER_INFO)(NULL, &q, t->value.sequence->length);
  if (!cs)
    return false;
  bool ok = false;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdn = 0;
  unsigned char *der = NULL;
  EVP_MD_CTX *mctx = NULL;
  X509 *tsa = C(X509_find_by_issuer_and_serial)(
      p7->d.sign->cert, cs->issuer_and_serial->issuer,
      cs->issuer_and_serial->serial);
  ASN1_OCTET_STRING *want = C(PKCS7_digest_from_attributes)(cs->auth_attr);
  ASN1_TYPE *st = C(PKCS7_get_signed_attribute)(cs, NID_pkcs9_signingTime);
  struct tm tm;
  if (!tsa || !want || !st || st->type != V_ASN1_UTCTIME ||
      !C(ASN1_TIME_to_tm)(st->value.utctime, &tm) ||
      !digest_of(cs->digest_alg->algorithm, si->enc_digest->data,
                 (size_t)si->enc_digest->length, md, &mdn) ||
      (unsigned)want->length != mdn || memcmp(want->data, md, mdn) != 0)
    goto done;
  int dn = C(ASN1_item_i2d)((ASN1_VALUE *)cs->auth_attr, &der,
                            C(PKCS7_ATTR_VERIFY_it)());
  const EVP_MD *m = C(EVP_get_digestbyname)(
      C(OBJ_nid2sn)(C(OBJ_obj2nid)(cs->digest_alg->algorithm)));
  mctx = C(EVP_MD_CTX_new)();
  if (dn <= 0 || !m || !mctx ||
      C(EVP_DigestVerifyInit)(mctx, NULL, m, NULL, C(X509_get0_pubkey)(tsa)) != 1 ||
      C(EVP_DigestVerify)(mctx, cs->enc_digest->data,
                          (size_t)cs->enc_digest->length, der, (size_t)dn) != 1)
    goto done;
  *when = tm_to_unix(&tm);
  char why[160];
  bool none;
  ok = chain_any(tsa, p7->d.sign->cert, a, *when, why, sizeof why, &none) !=
       SM_TRUST_NONE;
done:
  C(CRYPTO_free)(der, __FILE__, __LINE__);
  if (mctx)
    C(EVP_MD_CTX_free)(mctx);
  C(PKCS7_SIGNER_INFO_free)(cs);
  C(ERR_clear_error)();
  return ok;
}

/* The OpenSSL digest of an AlgorithmIdentifier's OID value. */
static const EVP_MD *md_by_oid(sm_der oid) {
  static const struct {
    const char *oid, *name;
  } algs[] = {{"1.3.14.3.2.26", "SHA1"},
              {"2.16.840.1.101.3.4.2.1", "SHA256"},
              {"2.16.840.1.101.3.4.2.2", "SHA384"},
              {"2.16.840.1.101.3.4.2.3", "SHA512"}};
  for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
    if (sm_der_oid_is(oid, algs[i].oid))
      return C(EVP_get_digestbyname)(algs[i].name);
  return NULL;
}

/* Whether OpenSSL has a digest for each digestAlgorithm of the SignedData
 * p7, found as PKCS7_verify finds it (by the OID's short name).  Where one
 * is missing, PKCS7_verify of OpenSSL 3.0 fails in PKCS7_dataInit and
 * leaks the memory BIO it made of the content (found by fuzz-pe). */
static bool digests_known(PKCS7 *p7) {
  if (C(OBJ_obj2nid)(p7->type) != NID_pkcs7_signed || !p7->d.sign)
    return true; /* not SignedData: PKCS7_verify says so itself */
  OPENSSL_STACK *algs = (OPENSSL_STACK *)p7->d.sign->md_algs;
  int n = algs ? C(OPENSSL_sk_num)(algs) : 0;
  for (int i = 0; i < n; i++) {
    X509_ALGOR *a = C(OPENSSL_sk_value)(algs, i);
    const char *sn =
        a && a->algorithm ? C(OBJ_nid2sn)(C(OBJ_obj2nid)(a->algorithm)) : NULL;
    if (!sn || !C(EVP_get_digestbyname)(sn))
      return false;
  }
  return true;
}

/* Verify the signer of the SignedData p7 over content[0..n) and chain it
 * at when; its certificate in *signer (owned by p7). */
static bool signed_ok(PKCS7 *p7, const unsigned char *content, size_t n,
                      X509 **signer, char *why, size_t nwhy) {
  if (!digests_known(p7)) {
    snprintf(why, nwhy, "a digest algorithm of the signature is unknown");
    *signer = NULL;
    return false;
  }
  BIO *bio = C(BIO_new_mem_buf)(content, (int)n);
  bool ok = bio && C(PKCS7_verify)(p7, NULL, NULL, bio, NULL,
                                   PKCS7_NOVERIFY | PKCS7_NOCHAIN) == 1;
  if (!ok)
    ossl_reason(why, nwhy);
  if (bio)
    C(BIO_free)(bio);
  STACK_OF(X509) *s = ok ? C(PKCS7_get0_signers)(p7, NULL, 0) : NULL;
  *signer = s && C(OPENSSL_sk_num)((OPENSSL_STACK *)s) > 0
                ? C(OPENSSL_sk_value)((OPENSSL_STACK *)s, 0)
                : NULL;
  if (s)
    C(OPENSSL_sk_free)((OPENSSL_STACK *)s);
  C(ERR_clear_error)();
  return ok && *signer;
}

/* An RFC 3161 time-stamp token over si's signature. */
static bool ts_rfc3161(PKCS7_SIGNER_INFO *si, ASN1_TYPE *t,
                       const sm_anchors *a, int64_t *when) {
  if (t->type != V_ASN1_SEQUENCE)
    return false;
  sm_der der = {t->value.sequence->data, (size_t)t->value.sequence->length};
  sm_der ci, sd, eci, wrap, octets, v, content, tst, imprint, alg, oid, hash;
  if (!sm_der_expect(&der, SM_DER_SEQ, &ci) ||
      !sm_der_expect(&ci, SM_DER_OID, &v) ||
      !sm_der_expect(&ci, SM_DER_CTX0, &wrap) ||
      !sm_der_expect(&wrap, SM_DER_SEQ, &sd) ||
      !sm_der_expect(&sd, SM_DER_INTEGER, &v) ||
      !sm_der_expect(&sd, SM_DER_SET, &v) ||
      !sm_der_expect(&sd, SM_DER_SEQ, &eci) ||
      !sm_der_expect(&eci, SM_DER_OID, &v) ||
      !sm_der_oid_is(v, "1.2.840.113549.1.9.16.1.4") ||
      !sm_der_expect(&eci, SM_DER_CTX0, &wrap) ||
      !sm_der_expect(&wrap, SM_DER_OCTETS, &octets))
    return false;
  content = octets;
  if (!sm_der_expect(&content, SM_DER_SEQ, &tst) ||
      !sm_der_expect(&tst, SM_DER_INTEGER, &v) ||
      !sm_der_expect(&tst, SM_DER_OID, &v) ||
      !sm_der_expect(&tst, SM_DER_SEQ, &imprint) ||
      !sm_der_expect(&imprint, SM_DER_SEQ, &alg) ||
      !sm_der_expect(&alg, SM_DER_OID, &oid) ||
      !sm_der_expect(&imprint, SM_DER_OCTETS, &hash) ||
      !sm_der_expect(&tst, SM_DER_INTEGER, &v) ||
      !sm_der_expect(&tst, SM_DER_GENTIME, &v) || !gentime(v, when))
    return false;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdn = 0;
  const EVP_MD *m = md_by_oid(oid);
  if (!m ||
      C(EVP_Digest)(si->enc_digest->data, (size_t)si->enc_digest->length, md,
                    &mdn, m, NULL) != 1 ||
      hash.n != mdn || memcmp(hash.p, md, mdn) != 0)
    return false;
  const unsigned char *q = t->value.sequence->data;
  PKCS7 *tok = C(d2i_PKCS7)(NULL, &q, t->value.sequence->length);
  if (!tok)
    return false;
  X509 *tsa;
  char why[160];
  bool none;
  bool ok = signed_ok(tok, octets.p, octets.n, &tsa, why, sizeof why) &&
            chain_any(tsa, tok->d.sign->cert, a, *when, why, sizeof why,
                      &none) != SM_TRUST_NONE;
  C(PKCS7_free)(tok);
  return ok;
}

/* The countersigned time of si, when a countersignature verifies. */
static int64_t timestamp_of(PKCS7 *p7, PKCS7_SIGNER_INFO *si,
                            const sm_anchors *a) {
  int64_t when = SM_SIG_NO_TIME;
  STACK_OF(X509_ATTRIBUTE) *attrs = si->unauth_attr;
  int n = attrs ? C(OPENSSL_sk_num)((OPENSSL_STACK *)attrs) : 0;
  for (int i = 0; i < n && i < 64; i++) {
    X509_ATTRIBUTE *at = C(OPENSSL_sk_value)((OPENSSL_STACK *)attrs, i);
    ASN1_OBJECT *o = C(X509_ATTRIBUTE_get0_object)(at);
    ASN1_TYPE *t = C(X509_ATTRIBUTE_get0_type)(at, 0);
    char txt[64];
    if (!t || C(OBJ_obj2txt)(txt, sizeof txt, o, 1) <= 0)
      continue;
    int64_t w;
    if ((C(OBJ_obj2nid)(o) == NID_pkcs9_countersignature &&
         ts_pkcs9(p7, si, t, a, &w)) ||
        (strcmp(txt, OID_RFC3161) == 0 && ts_rfc3161(si, t, a, &w)))
      return w;
  }
  C(ERR_clear_error)();
  return when;
}

void sm_sig_verify_signed(sm_der der, sm_der content, const sm_anchors *a,
                          sm_sig *out) {
  const unsigned char *q = der.p;
  if (der.n > INT32_MAX) {
    sm_sig_fail(out, SM_SIG_ERROR, "signature larger than 2 GiB");
    return;
  }
  PKCS7 *p7 = C(d2i_PKCS7)(NULL, &q, (long)der.n);
  char why[160];
  if (!p7 || C(OBJ_obj2nid)(p7->type) != NID_pkcs7_signed || !p7->d.sign) {
    sm_sig_fail(out, SM_SIG_INVALID, "malformed PKCS #7 SignedData (%s)",
                ossl_reason(why, sizeof why));
    if (p7)
      C(PKCS7_free)(p7);
    return;
  }
  X509 *signer;
  if (!signed_ok(p7, content.p, content.n, &signer, why, sizeof why)) {
    sm_sig_fail(out, SM_SIG_INVALID, "signature does not verify (%s)", why);
    C(PKCS7_free)(p7);
    return;
  }
  common_name(signer, out->signer, sizeof out->signer);
  STACK_OF(PKCS7_SIGNER_INFO) *sis = C(PKCS7_get_signer_info)(p7);
  PKCS7_SIGNER_INFO *si =
      sis ? C(OPENSSL_sk_value)((OPENSSL_STACK *)sis, 0) : NULL;
  out->timestamp = si ? timestamp_of(p7, si, a) : SM_SIG_NO_TIME;
  bool none;
  out->trust = chain_any(signer, p7->d.sign->cert, a, out->timestamp, why,
                         sizeof why, &none);
  if (out->trust == SM_TRUST_NONE && none)
    sm_sig_fail(out, SM_SIG_ERROR,
                "intact, but no root certificate to chain it to (none in the "
                "signature, the image's store or --trust-file)");
  else if (out->trust == SM_TRUST_NONE)
    sm_sig_fail(out, SM_SIG_UNTRUSTED, "no chain to a trusted root (%s)", why);
  else
    out->status = SM_SIG_VALID;
  C(PKCS7_free)(p7);
  C(ERR_clear_error)();
}
