/* UTF-8: the one decoder, validator and encoder. */
#ifndef SM_BASE_UTF8_H
#define SM_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1..4) of the well-formed UTF-8 sequence at s, of at most len
 * bytes, or 0 when it is not one (overlong, surrogate, above U+10FFFF,
 * cut short); *cp gets the code point.  A NUL-terminated string may be
 * read with len SIZE_MAX: a NUL never continues a sequence. */
size_t sm_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Whether s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool sm_utf8_valid(const char *s, size_t len);

/* Write code point c (at most U+10FFFF) as 1..4 bytes at out; returns the
 * count. */
size_t sm_utf8_put(char *out, uint32_t c);

/* Decode UTF-16LE leniently into a new UTF-8 string: lone surrogates become
 * U+FFFD, and decoding stops at the first NUL unit when stop_at_nul.
 * *bad (when not NULL) is set when a replacement was made.  Caller-frees;
 * NULL when out of memory. */
char *sm_utf16le_decode(const unsigned char *p, size_t len, bool stop_at_nul,
                        bool *bad);
/* The same, with the length of the result in *out_len (when not NULL): a
 * NUL unit is kept as a NUL byte when not stop_at_nul, so the result may
 * hold NULs before its end. */
char *sm_utf16le_decode_n(const unsigned char *p, size_t len, bool stop_at_nul,
                          bool *bad, size_t *out_len);

#endif
