/* Authenticode signatures of the files findings name: embedded in the PE,
 * or through a Windows catalog of the same volume (sig-*.c, catalog.c).
 * PKCS #7 and X.509 are OpenSSL's (libcrypto, loaded on first use); the
 * Authenticode digest and the catalog's member list are read here.
 *
 * Trust anchors come in three kinds, never mixed without saying so: the
 * Microsoft roots pinned by smaudit (by SHA-256 fingerprint: a certificate
 * from anywhere, the signature itself or the image, is such a root when
 * its bytes hash to a pinned value), roots the user names (--trust-file),
 * and the image's own root store. */
#ifndef SM_CHECKS_SIG_H
#define SM_CHECKS_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "checks/pe.h"

typedef enum sm_sig_status {
  SM_SIG_VALID,     /* intact and chained to an anchor */
  SM_SIG_INVALID,   /* present but broken: digest, signature, structure */
  SM_SIG_UNSIGNED,  /* no embedded signature and in no catalog */
  SM_SIG_UNTRUSTED, /* intact, but no chain to any anchor */
  SM_SIG_ERROR,     /* could not be checked (reason says why) */
} sm_sig_status;

typedef enum sm_trust {
  SM_TRUST_NONE,
  SM_TRUST_PINNED, /* a Microsoft root pinned by smaudit */
  SM_TRUST_USER,   /* a root of --trust-file */
  SM_TRUST_IMAGE,  /* a root only the image's own store vouches for */
} sm_trust;

#define SM_SIG_NO_TIME INT64_MIN

typedef struct sm_sig {
  sm_sig_status status;
  const char *via;    /* "embedded", "catalog", or NULL */
  char signer[256];   /* the signing certificate's common name */
  char catalog[256];  /* the catalog's file name, via catalog */
  int64_t timestamp;  /* the countersignature's time (Unix), or NO_TIME */
  sm_trust trust;
  char reason[256];   /* why, when not valid; "" otherwise */
} sm_sig;

const char *sm_sig_status_name(sm_sig_status s);
const char *sm_trust_name(sm_trust t); /* "pinned", "user", "image", "none" */

/* Trust anchors. */
typedef struct sm_anchors sm_anchors;
sm_anchors *sm_anchors_new(void);
/* A new set holding base's user roots (base may be NULL). */
sm_anchors *sm_anchors_copy(const sm_anchors *base);
void sm_anchors_free(sm_anchors *a);
/* Certificates (PEM, one or more) the user trusts. */
sm_result sm_anchors_add_pem(sm_anchors *a, const char *text, size_t len,
                             sm_error *err);
/* One DER certificate of the image's root store. */
sm_result sm_anchors_add_image(sm_anchors *a, const unsigned char *der,
                               size_t len, sm_error *err);
/* Whether the SHA-256 of a certificate's DER is a pinned Microsoft root. */
bool sm_anchors_pinned(const unsigned char sha256[32]);

/* The catalogs of one volume: their members' digests, indexed once. */
typedef struct sm_catdb sm_catdb;
sm_catdb *sm_catdb_new(void);
void sm_catdb_free(sm_catdb *db);
/* Add the catalog named name (its bytes are copied).  A malformed catalog
 * is an error for it alone; the others stay. */
sm_result sm_catdb_add(sm_catdb *db, const char *name,
                       const unsigned char *data, size_t len, sm_error *err);
size_t sm_catdb_members(const sm_catdb *db);

/* Check the signature of the PE pe: embedded first, then the catalogs of
 * db (may be NULL).  Fills *out; never fails as a call: a file that cannot
 * be checked gets SM_SIG_ERROR and the reason. */
void sm_sig_check(const sm_pe *pe, const sm_anchors *a, sm_catdb *db,
                  sm_sig *out);

#endif
