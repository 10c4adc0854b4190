/* A bounded reader of DER (X.690): the parts of Authenticode and catalog
 * structures smaudit reads itself.  Definite lengths only, one-byte tags;
 * every value lies within its parent. */
#ifndef SM_CHECKS_DER_H
#define SM_CHECKS_DER_H

#include <stdbool.h>
#include <stddef.h>

#define SM_DER_INTEGER 0x02
#define SM_DER_OCTETS 0x04
#define SM_DER_NULL 0x05
#define SM_DER_OID 0x06
#define SM_DER_UTCTIME 0x17
#define SM_DER_GENTIME 0x18
#define SM_DER_SEQ 0x30
#define SM_DER_SET 0x31
#define SM_DER_CTX0 0xa0

typedef struct sm_der {
  const unsigned char *p;
  size_t n;
} sm_der;

/* The next element of *cur: its tag, its value in *val and (when hdr is
 * not NULL) the whole element, header included.  False at the end or on
 * malformed input; *cur advances past the element. */
bool sm_der_next(sm_der *cur, unsigned *tag, sm_der *val, sm_der *whole);
/* The next element when it has tag want; false otherwise (cur unchanged). */
bool sm_der_expect(sm_der *cur, unsigned want, sm_der *val);
/* Whether val (an OID's value) is the dotted OID text. */
bool sm_der_oid_is(sm_der val, const char *dotted);

#endif
