/* gen-hive's byte-level pass over a committed hive (testdata/regf-raw.c). */
#ifndef SM_TESTDATA_REGF_RAW_H
#define SM_TESTDATA_REGF_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Apply the name markers (0x01: a NUL, 0x02: the name ends here) of every
 * key and value name in the hive file at path, in place, and flag
 * KEY_SYM_LINK each key holding a REG_LINK SymbolicLinkValue.  Returns the
 * number of records changed, or (unsigned)-1 with err set. */
unsigned regf_raw_names(const char *path, char *err, size_t errsize);

/* What Windows reads from one big-data segment (hive version 1.4 on). */
#define REGF_SEGMENT 16344u

/* The allocated cell at hive offset off (from the first hive bin) of the
 * hive p (len bytes), from its size field, or NULL; *size its size. */
unsigned char *regf_raw_cell(unsigned char *p, size_t len, uint32_t off,
                             size_t *size);
/* A hive bin with room for need bytes of cells appended to *p (*len
 * grown, the base block's hive-bins size too): its start, *at (a file
 * offset) where its first cell goes; NULL when it cannot. */
unsigned char *regf_raw_bin(unsigned char **p, size_t *len, size_t need,
                            size_t *at);
/* An allocated cell of size bytes (8-aligned) at *at, *at moved past it:
 * its data (past the size field). */
unsigned char *regf_raw_new_cell(unsigned char *p, size_t *at, size_t size);
/* The last bin filled up to at: the rest a free cell, the base block's
 * checksum made again. */
void regf_raw_bin_done(unsigned char *p, size_t len, size_t at);

/* The bulk records (regf-bulk.c, marker 0x06 and a count n): the key at
 * hive offset key given n siblings named as it with a number; the value
 * at vk declaring n bytes of big data, every segment one shared cell. */
bool regf_bulk_siblings(unsigned char **p, size_t *len, uint32_t key,
                        unsigned long n);
bool regf_bulk_data(unsigned char **p, size_t *len, uint32_t vk,
                    unsigned long n);

#endif
