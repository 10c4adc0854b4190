/* Portable Executable facts, read from a file's bytes in memory: headers,
 * the Authenticode digest, the PE checksum and the version resource
 * (pe.c, pe-hash.c, pe-version.c).  Every read is bounded by the buffer:
 * a truncated or hostile file is an error, never a read past its end. */
#ifndef SM_CHECKS_PE_H
#define SM_CHECKS_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

struct nettle_hash;

typedef struct sm_pe {
  const unsigned char *data;
  size_t len;
  bool pe32plus;                /* optional header magic 0x20b */
  uint16_t machine;             /* IMAGE_FILE_MACHINE_* */
  uint16_t characteristics;     /* IMAGE_FILE_* */
  uint16_t subsystem;           /* IMAGE_SUBSYSTEM_* */
  uint32_t checksum;            /* as stored in the optional header */
  size_t checksum_off;          /* file offset of the CheckSum field */
  size_t secdir_off;            /* file offset of the security directory
                                   entry, 0 when the header has none */
  uint32_t cert_off, cert_size; /* attribute certificate table (a file
                                   offset, not an RVA); 0 when absent */
  uint32_t size_of_headers;
  uint16_t nsections;
  size_t sections_off;          /* file offset of the section table */
  uint32_t res_rva, res_size;   /* resource directory */
} sm_pe;

/* Read the headers of the PE file data[0..len).  The bytes must outlive
 * pe.  SM_ERR_CORRUPT with the reason when they are not a PE image. */
sm_result sm_pe_parse(sm_pe *pe, const unsigned char *data, size_t len,
                      sm_error *err);

/* IMAGE_FILE_DLL in the file header. */
bool sm_pe_is_dll(const sm_pe *pe);
/* "x64", "x86", "arm64", "arm", "ia64", or NULL for another value. */
const char *sm_pe_machine_name(uint16_t machine);
/* "native", "windows-gui", "windows-cui", "efi-application", ... or NULL. */
const char *sm_pe_subsystem_name(uint16_t subsystem);
/* The checksum Windows' CheckSumMappedFile computes for the file. */
uint32_t sm_pe_checksum_compute(const sm_pe *pe);
/* The file offset of RVA rva with at least n bytes behind it in the same
 * section (or in the headers); false when no section maps it. */
bool sm_pe_rva_to_off(const sm_pe *pe, uint32_t rva, uint32_t n, size_t *off);
/* The file offset of RVA rva and how many bytes follow it in its section
 * and in the file. */
bool sm_pe_rva_span(const sm_pe *pe, uint32_t rva, size_t *off, size_t *avail);

/* The Authenticode digest of the image with hash h (nettle_sha1,
 * nettle_sha256, ...): the file without its CheckSum field, its security
 * directory entry and the certificate table, as signtool and
 * WinVerifyTrust compute it.  out holds h->digest_size bytes.  Data after
 * the certificate table is not hashed; *trailing (when not NULL) tells
 * whether there is any.  With pad8, an image without a certificate table
 * whose length is not a multiple of 8 is hashed as if zero-padded to one,
 * as signing tools pad it (and list it in catalogs). */
sm_result sm_pe_digest(const sm_pe *pe, const struct nettle_hash *h,
                       bool pad8, unsigned char *out, bool *trailing,
                       sm_error *err);

/* The version resource's strings (UTF-8, NULL when absent). */
typedef struct sm_pe_version {
  char *company_name;
  char *original_filename;
  char *file_version;
  char *product_name;
  char *file_description;
} sm_pe_version;

/* Read the first RT_VERSION resource's first string table.  SM_OK with
 * every field NULL when the image has no version resource; SM_ERR_CORRUPT
 * when the resource tree or the block is malformed. */
sm_result sm_pe_version_read(const sm_pe *pe, sm_pe_version *v,
                             sm_error *err);
void sm_pe_version_free(sm_pe_version *v);

#endif
