#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "hive/hive-internal.h"

/* XOR-32 of the first 508 bytes; 0 and -1 are remapped (regf spec). */
uint32_t sm_base_block_checksum(const unsigned char *p) {
  uint32_t sum = 0;
  for (size_t i = 0; i < 508; i += 4)
    sum ^= sm_le32(p + i);
  if (sum == 0xFFFFFFFFu)
    sum = 0xFFFFFFFEu;
  else if (sum == 0)
    sum = 1;
  return sum;
}

sm_result sm_base_block_parse(const unsigned char *p, size_t len,
                              sm_base_block *out) {
  memset(out, 0, sizeof *out);
  if (len < 4096 || memcmp(p, "regf", 4) != 0)
    return SM_ERR_NOT_HIVE;
  out->seq_primary = sm_le32(p + 4);
  out->seq_secondary = sm_le32(p + 8);
  out->last_written = (uint64_t)sm_le32(p + 12) | (uint64_t)sm_le32(p + 16)
                                                      << 32;
  out->major = sm_le32(p + 20);
  out->minor = sm_le32(p + 24);
  out->file_type = sm_le32(p + 28);
  out->file_format = sm_le32(p + 32);
  out->root_offset = sm_le32(p + 36);
  out->hbins_size = sm_le32(p + 40);
  out->checksum = sm_le32(p + 508);
  out->checksum_ok = sm_base_block_checksum(p) == out->checksum;
  out->dirty = out->seq_primary != out->seq_secondary;
  /* The embedded name is the last 32 UTF-16 units of the path, often
   * without its NUL when the path is long. */
  char *name = sm_utf16le_decode(p + 48, 64, true, NULL);
  if (name) {
    size_t n = strlen(name);
    if (n >= sizeof out->file_name)
      n = sizeof out->file_name - 1;
    memcpy(out->file_name, name, n);
    out->file_name[n] = '\0';
    free(name);
  }
  return SM_OK;
}
