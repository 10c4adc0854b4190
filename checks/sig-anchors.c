/* Trust anchors (sig.h): the pinned Microsoft roots, the user's, the
 * image's.  The pins are SHA-256 fingerprints of the roots that sign
 * Windows' own code and its time stamps (docs/signatures.md says which
 * and why); a certificate is such a root only when its bytes hash to one
 * of them, wherever it was found. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/sig-internal.h"

static const char *const pinned_hex[] = {
    /* Microsoft Root Authority (1997) */
    "F38406E540D7A9D90CB4A9479299640FFB6DF9E224ECC7A01C0D9558D8DAD77D",
    /* Microsoft Root Certificate Authority (2001) */
    "885DE64C340E3EA70658F01E1145F957FCDA27AABEEA1AB9FAA9FDB0102D4077",
    /* Microsoft Root Certificate Authority 2010 */
    "DF545BF919A2439C36983B54CDFC903DFA4F37D3996D8D84B4C31EEC6F3C163E",
    /* Microsoft Root Certificate Authority 2011 */
    "847DF6A78497943F27FC72EB93F9A637320A02B561D0A91B09E87A7807ED7C61",
    /* Microsoft ECC Product Root Certificate Authority 2018 */
    "CACA93B9D23D2B6FA76E8B8471931E0DF3EC6F63AF3CDBB936C41954A1872326",
    /* Microsoft ECC TS Root Certificate Authority 2018 */
    "3FD4BE8BAAD2F26E1BDE06C7584BB720DD1A972D111F5A4999BC44B08FB4960D",
    /* Microsoft Time Stamp Root Certificate Authority 2014 */
    "65AF95F4BE86847344634282F941B2E605063EF0C8542F014CA088D182109E4F",
    /* Microsoft Time Stamping Service Root (1997) */
    "6EF914723F089D2ADAFF98D470A3651CCF1768E559FBDCC0FAAA640AA12E5753",
};

static int hexval(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool sm_anchors_pinned(const unsigned char sha256[32]) {
  for (size_t i = 0; i < sizeof pinned_hex / sizeof pinned_hex[0]; i++) {
    bool same = true;
    for (size_t k = 0; k < 32 && same; k++)
      same = (hexval(pinned_hex[i][2 * k]) << 4 |
              hexval(pinned_hex[i][2 * k + 1])) == sha256[k];
    if (same)
      return true;
  }
  return false;
}

const char *sm_sig_status_name(sm_sig_status s) {
  static const char *const n[] = {"valid", "invalid", "unsigned", "untrusted",
                                  "error"};
  return n[s];
}

const char *sm_trust_name(sm_trust t) {
  static const char *const n[] = {"none", "pinned", "user", "image"};
  return n[t];
}

static sm_result push(OPENSSL_STACK **s, X509 *x, sm_error *err) {
  if (!*s)
    *s = C(OPENSSL_sk_new_null)();
  if (!*s || !C(OPENSSL_sk_push)(*s, x)) {
    C(X509_free)(x);
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  }
  return SM_OK;
}

sm_anchors *sm_anchors_new(void) { return calloc(1, sizeof(sm_anchors)); }

sm_anchors *sm_anchors_copy(const sm_anchors *base) {
  sm_anchors *a = sm_anchors_new();
  if (!a || !base || !base->user)
    return a;
  const char *why;
  if (!sm_crypto_load(&why))
    return a;
  sm_error err;
  for (int i = 0; i < C(OPENSSL_sk_num)(base->user); i++) {
    X509 *x = C(OPENSSL_sk_value)(base->user, i);
    if (C(X509_up_ref)(x) && push(&a->user, x, &err) != SM_OK)
      break;
  }
  return a;
}

static void free_stack(OPENSSL_STACK *s) {
  if (!s)
    return;
  for (int i = 0; i < C(OPENSSL_sk_num)(s); i++)
    C(X509_free)(C(OPENSSL_sk_value)(s, i));
  C(OPENSSL_sk_free)(s);
}

void sm_anchors_free(sm_anchors *a) {
  if (!a)
    return;
  free_stack(a->user);
  free_stack(a->image);
  free(a);
}

static sm_result need_crypto(sm_error *err) {
  const char *why;
  if (!sm_crypto_load(&why))
    return sm_error_set(err, SM_ERR_IO, "libcrypto: %s", why);
  return SM_OK;
}


sm_result sm_anchors_add_pem(sm_anchors *a, const char *text, size_t len,
                             sm_error *err) {
  sm_result r = need_crypto(err);
  if (r != SM_OK)
    return r;
  if (len > INT32_MAX)
    return sm_error_set(err, SM_ERR_LIMIT, "certificate file too large");
  BIO *b = C(BIO_new_mem_buf)(text, (int)len);
  if (!b)
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  size_t n = 0;
  X509 *x;
  while (r == SM_OK && (x = C(PEM_read_bio_X509)(b, NULL, NULL, NULL))) {
    r = push(&a->user, x, err);
    n++;
  }
  C(BIO_free)(b);
  C(ERR_clear_error)();
  if (r == SM_OK && n == 0)
    r = sm_error_set(err, SM_ERR_CORRUPT, "no PEM certificate");
  return r;
}

sm_result sm_anchors_add_image(sm_anchors *a, const unsigned char *der,
                               size_t len, sm_error *err) {
  sm_result r = need_crypto(err);
  if (r != SM_OK)
    return r;
  const unsigned char *q = der;
  X509 *x = len < INT32_MAX ? C(d2i_X509)(NULL, &q, (long)len) : NULL;
  C(ERR_clear_error)();
  if (!x)
    return sm_error_set(err, SM_ERR_CORRUPT, "not a DER certificate");
  return push(&a->image, x, err);
}
