/* Numbers written as text. */
#ifndef SM_BASE_NUM_H
#define SM_BASE_NUM_H

#include <stdbool.h>
#include <stdint.h>

/* Decimal digits, or 0x and hexadecimal digits, and nothing else (no sign,
 * no space); false on overflow or anything else. */
bool sm_parse_u64(const char *s, uint64_t *out);

#endif
