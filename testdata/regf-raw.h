/* gen-hive's byte-level pass over a committed hive (testdata/regf-raw.c). */
#ifndef SM_TESTDATA_REGF_RAW_H
#define SM_TESTDATA_REGF_RAW_H

#include <stdbool.h>
#include <stddef.h>

/* Apply the name markers (0x01: a NUL, 0x02: the name ends here) of every
 * key and value name in the hive file at path, in place, and flag
 * KEY_SYM_LINK each key holding a REG_LINK SymbolicLinkValue.  Returns the
 * number of records changed, or (unsigned)-1 with err set. */
unsigned regf_raw_names(const char *path, char *err, size_t errsize);

#endif
