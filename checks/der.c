/* A bounded DER reader (der.h). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/der.h"

bool sm_der_next(sm_der *cur, unsigned *tag, sm_der *val, sm_der *whole) {
  const unsigned char *p = cur->p;
  size_t n = cur->n;
  if (n < 2 || (p[0] & 0x1f) == 0x1f)
    return false;
  size_t len = p[1], hdr = 2;
  if (len & 0x80) {
    size_t k = len & 0x7f;
    if (k == 0 || k > sizeof(size_t) || n - 2 < k)
      return false; /* indefinite or too long */
    len = 0;
    for (size_t i = 0; i < k; i++)
      len = len << 8 | p[2 + i];
    hdr += k;
  }
  if (len > n - hdr)
    return false;
  *tag = p[0];
  val->p = p + hdr;
  val->n = len;
  if (whole) {
    whole->p = p;
    whole->n = hdr + len;
  }
  cur->p = p + hdr + len;
  cur->n = n - hdr - len;
  return true;
}

bool sm_der_expect(sm_der *cur, unsigned want, sm_der *val) {
  sm_der c = *cur;
  unsigned tag;
  if (!sm_der_next(&c, &tag, val, NULL) || tag != want)
    return false;
  *cur = c;
  return true;
}

bool sm_der_oid_is(sm_der val, const char *dotted) {
  /* Encode the dotted text and compare. */
  unsigned char enc[64];
  size_t n = 0;
  unsigned long arcs[32];
  size_t na = 0;
  const char *s = dotted;
  while (na < 32) {
    char *end;
    arcs[na++] = strtoul(s, &end, 10);
    if (end == s)
      return false;
    if (*end != '.')
      break;
    s = end + 1;
  }
  if (na < 2)
    return false;
  unsigned long first = arcs[0] * 40 + arcs[1];
  for (size_t i = 1; i < na; i++) {
    unsigned long a = i == 1 ? first : arcs[i];
    unsigned char tmp[10];
    size_t k = 0;
    do {
      tmp[k++] = (unsigned char)(a & 0x7f);
      a >>= 7;
    } while (a && k < sizeof tmp);
    while (k > 0 && n < sizeof enc) {
      k--;
      enc[n++] = (unsigned char)(tmp[k] | (k ? 0x80 : 0));
    }
  }
  return val.n == n && memcmp(val.p, enc, n) == 0;
}
