/* OpenSSL's libcrypto, loaded when the first file's signature is checked
 * (crypto-dl.c), not at start-up: linking it costs every run, a plain hive
 * scan included, about 2 ms of relocations (docs/performance.md).  Included
 * after the OpenSSL headers by the files that verify signatures: each
 * function they call comes from the table sm_crypto, filled by
 * sm_crypto_load.  The stack macros of <openssl/safestack.h> call the real
 * symbols: use OPENSSL_sk_* through this table instead. */
#ifndef SM_CHECKS_CRYPTO_DL_H
#define SM_CHECKS_CRYPTO_DL_H

#include <stdbool.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#define SM_CRYPTO_FUNCTIONS(X)                                                 \
  X(ASN1_TIME_to_tm)                                                           \
  X(ASN1_item_i2d)                                                             \
  X(BIO_free)                                                                  \
  X(BIO_new_mem_buf)                                                           \
  X(CRYPTO_free)                                                               \
  X(ERR_clear_error)                                                           \
  X(ERR_error_string_n)                                                        \
  X(ERR_get_error)                                                             \
  X(EVP_Digest)                                                                \
  X(EVP_DigestVerify)                                                          \
  X(EVP_DigestVerifyInit)                                                      \
  X(EVP_MD_CTX_free)                                                           \
  X(EVP_MD_CTX_new)                                                            \
  X(EVP_get_digestbyname)                                                      \
  X(OBJ_nid2sn)                                                                \
  X(OBJ_obj2nid)                                                               \
  X(OBJ_obj2txt)                                                               \
  X(OPENSSL_sk_free)                                                           \
  X(OPENSSL_sk_new_null)                                                       \
  X(OPENSSL_sk_num)                                                            \
  X(OPENSSL_sk_push)                                                           \
  X(OPENSSL_sk_value)                                                          \
  X(PEM_read_bio_X509)                                                         \
  X(PKCS7_ATTR_VERIFY_it)                                                      \
  X(PKCS7_SIGNER_INFO_free)                                                    \
  X(PKCS7_digest_from_attributes)                                              \
  X(PKCS7_free)                                                                \
  X(PKCS7_get0_signers)                                                        \
  X(PKCS7_get_signed_attribute)                                                \
  X(PKCS7_get_signer_info)                                                     \
  X(PKCS7_verify)                                                              \
  X(X509_ATTRIBUTE_get0_object)                                                \
  X(X509_ATTRIBUTE_get0_type)                                                  \
  X(X509_NAME_get_text_by_NID)                                                 \
  X(X509_STORE_CTX_free)                                                       \
  X(X509_STORE_CTX_get0_param)                                                 \
  X(X509_STORE_CTX_get_error)                                                  \
  X(X509_STORE_CTX_init)                                                       \
  X(X509_STORE_CTX_new)                                                        \
  X(X509_STORE_add_cert)                                                       \
  X(X509_STORE_free)                                                           \
  X(X509_STORE_new)                                                            \
  X(X509_VERIFY_PARAM_set_flags)                                               \
  X(X509_VERIFY_PARAM_set_purpose)                                             \
  X(X509_VERIFY_PARAM_set_time)                                                \
  X(X509_digest)                                                               \
  X(X509_find_by_issuer_and_serial)                                            \
  X(X509_free)                                                                 \
  X(X509_get0_pubkey)                                                          \
  X(X509_get_subject_name)                                                     \
  X(X509_up_ref)                                                               \
  X(X509_verify_cert)                                                          \
  X(X509_verify_cert_error_string)                                             \
  X(d2i_PKCS7)                                                                 \
  X(d2i_PKCS7_SIGNER_INFO)                                                     \
  X(d2i_X509)                                                                  \
  X(EVP_sha1)                                                                  \
  X(EVP_sha256)

struct sm_crypto_table {
#define SM_CRYPTO_FIELD(f) __typeof__(&f) f;
  SM_CRYPTO_FUNCTIONS(SM_CRYPTO_FIELD)
#undef SM_CRYPTO_FIELD
};
extern struct sm_crypto_table sm_crypto;

/* Load libcrypto once: true when every function is there; else false and
 * *why says why (dlerror's words). */
bool sm_crypto_load(const char **why);

/* Calls through the table (C() keeps the call sites readable). */
#define C(f) (sm_crypto.f)

#endif
