/* Windows catalogs (.cat): a PKCS #7 SignedData whose content is a
 * certificate trust list (szOID_CTL), each member carrying the
 * Authenticode digest of a file in a SpcIndirectDataContent attribute.
 * The members of every catalog of a volume go into one sorted index, read
 * once; a catalog's own signature is checked when a file first matches
 * it, and remembered. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "checks/sig-internal.h"

#define MAX_MEMBERS (8u << 20) /* per volume */
#define OID_CTL "1.3.6.1.4.1.311.10.1"
#define OID_INDIRECT "1.3.6.1.4.1.311.2.1.4"

typedef struct member {
  unsigned char digest[32];
  unsigned char len; /* 20 (SHA-1) or 32 (SHA-256) */
  uint32_t cat;
} member;

typedef struct catalog {
  char *name;
  unsigned char *data;
  size_t len;
  const sm_anchors *checked; /* the anchors sig was checked with */
  sm_sig sig;
} catalog;

struct sm_catdb {
  catalog *cats;
  size_t ncats;
  member *members;
  size_t nmembers;
  bool sorted;
};

sm_catdb *sm_catdb_new(void) { return calloc(1, sizeof(sm_catdb)); }

void sm_catdb_free(sm_catdb *db) {
  if (!db)
    return;
  for (size_t i = 0; i < db->ncats; i++) {
    free(db->cats[i].name);
    free(db->cats[i].data);
  }
  free(db->cats);
  free(db->members);
  free(db);
}

size_t sm_catdb_members(const sm_catdb *db) { return db->nmembers; }

/* The SpcIndirectDataContent digests among one member's attributes. */
static sm_result add_member(sm_catdb *db, sm_der subject, uint32_t cat,
                            sm_error *err) {
  sm_der id, attrs, attr, oid, values, spc;
  if (!sm_der_expect(&subject, SM_DER_OCTETS, &id) ||
      !sm_der_expect(&subject, SM_DER_SET, &attrs))
    return SM_OK; /* a member without attributes names no digest */
  while (sm_der_expect(&attrs, SM_DER_SEQ, &attr)) {
    if (!sm_der_expect(&attr, SM_DER_OID, &oid) ||
        !sm_der_oid_is(oid, OID_INDIRECT) ||
        !sm_der_expect(&attr, SM_DER_SET, &values) ||
        !sm_der_expect(&values, SM_DER_SEQ, &spc))
      continue;
    sm_der alg, digest;
    if (!sm_sig_indirect_digest(spc, &alg, &digest) ||
        (digest.n != 20 && digest.n != 32))
      continue;
    if (db->nmembers >= MAX_MEMBERS)
      return sm_error_set(err, SM_ERR_LIMIT, "more than %u catalog members",
                          MAX_MEMBERS);
    if (!sm_grow(&db->members, db->nmembers, sizeof *db->members))
      return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
    member *m = &db->members[db->nmembers++];
    memset(m, 0, sizeof *m);
    memcpy(m->digest, digest.p, digest.n);
    m->len = (unsigned char)digest.n;
    m->cat = cat;
    db->sorted = false;
  }
  return SM_OK;
}

sm_result sm_catdb_add(sm_catdb *db, const char *name,
                       const unsigned char *data, size_t len, sm_error *err) {
  sm_der type, ctl, v, entries, subject;
  if (!sm_sig_content((sm_der){data, len}, &type, &ctl) ||
      !sm_der_oid_is(type, OID_CTL))
    return sm_error_set(err, SM_ERR_CORRUPT, "not a catalog (no signed trust list)");
  /* subjectUsage, then optional fields, the subject algorithm, and the
   * members: the third SEQUENCE at the top. */
  int seqs = 0;
  unsigned tag;
  while (seqs < 3 && sm_der_next(&ctl, &tag, &v, NULL))
    if (tag == SM_DER_SEQ && ++seqs == 3)
      entries = v;
  if (seqs < 3)
    return SM_OK; /* an empty catalog */
  if (db->ncats >= UINT32_MAX ||
      !sm_grow(&db->cats, db->ncats, sizeof *db->cats))
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  catalog *c = &db->cats[db->ncats];
  memset(c, 0, sizeof *c);
  c->name = strdup(name);
  c->data = malloc(len ? len : 1);
  if (!c->name || !c->data) {
    free(c->name);
    free(c->data);
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  }
  memcpy(c->data, data, len);
  c->len = len;
  uint32_t cat = (uint32_t)db->ncats++;
  size_t before = db->nmembers;
  while (sm_der_expect(&entries, SM_DER_SEQ, &subject)) {
    sm_result r = add_member(db, subject, cat, err);
    if (r != SM_OK) {
      db->nmembers = before;
      return r;
    }
  }
  return SM_OK;
}

static int member_cmp(const void *a, const void *b) {
  const member *x = a, *y = b;
  if (x->len != y->len)
    return x->len < y->len ? -1 : 1;
  return memcmp(x->digest, y->digest, x->len);
}

/* The catalog listing digest d (20 or 32 bytes), or -1. */
static long lookup(sm_catdb *db, const unsigned char *d, size_t n) {
  if (!db->sorted) {
    qsort(db->members, db->nmembers, sizeof *db->members, member_cmp);
    db->sorted = true;
  }
  member key = {.len = (unsigned char)n};
  memcpy(key.digest, d, n);
  member *m = bsearch(&key, db->members, db->nmembers, sizeof *db->members,
                      member_cmp);
  return m ? (long)m->cat : -1;
}

/* The result of the catalog listing the PE's digest, or NULL. */
const sm_sig *sm_catdb_check(sm_catdb *db, const unsigned char *sha1,
                             const unsigned char *sha256,
                             const sm_anchors *a) {
  long cat = lookup(db, sha256, 32);
  if (cat < 0 && sha1)
    cat = lookup(db, sha1, 20);
  if (cat < 0)
    return NULL;
  catalog *c = &db->cats[cat];
  if (c->checked != a) {
    sm_der type, content;
    c->checked = a;
    memset(&c->sig, 0, sizeof c->sig);
    c->sig.timestamp = SM_SIG_NO_TIME;
    c->sig.via = "catalog";
    if (!sm_sig_content((sm_der){c->data, c->len}, &type, &content))
      sm_sig_fail(&c->sig, SM_SIG_INVALID, "malformed catalog");
    else
      sm_sig_verify_signed((sm_der){c->data, c->len}, content, a, &c->sig);
    const char *base = strrchr(c->name, '/');
    snprintf(c->sig.catalog, sizeof c->sig.catalog, "%s",
             base ? base + 1 : c->name);
  }
  return &c->sig;
}
