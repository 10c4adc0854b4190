/* A SID as a hive's security cell stores it, for the programs that write
 * hives (testdata/gen-hive, bench/gen-big-hive). */
#ifndef SM_TESTDATA_REGF_SID_H
#define SM_TESTDATA_REGF_SID_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/le.h"

/* The SID at p: revision 1, count, 48-bit authority, sub-authorities.
 * Returns its length. */
static inline size_t regf_put_sid(unsigned char *p, uint8_t authority,
                                  const uint32_t *sub, uint8_t nsub) {
  p[0] = 1;
  p[1] = nsub;
  memset(p + 2, 0, 5);
  p[7] = authority;
  for (uint8_t i = 0; i < nsub; i++)
    sm_put_le32(p + 8 + 4 * i, sub[i]);
  return 8 + 4 * (size_t)nsub;
}

#endif
