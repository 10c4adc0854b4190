/* Transaction-log replay on a fuzzed primary image and fuzzed logs.
 * Input: two little-endian 32-bit lengths (primary, LOG1), then the
 * primary's bytes, LOG1's bytes, and LOG2 as the rest (lengths are cut to
 * what is there).  tests/fuzz/run.sh builds seeds in this form from the real
 * Windows 10 hive and its logs.
 *
 * A log whose base block checksum is wrong is skipped at once, and an
 * entry whose hashes are wrong ends the replay, so almost every mutation of
 * a log would stop there: the harness gives each log a correct checksum and
 * each entry correct hashes, unless the top bit of the primary's length is
 * set (which keeps them as they are, to fuzz those checks too). */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "hive/hive-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* As Windows writes them: the base block checksum, and the two Marvin32
 * hashes of each HvLE entry that fits (seed and layout of hive/txlog.c). */
static void fix_log(unsigned char *d, size_t len) {
  if (len < 512)
    return;
  uint32_t sum = sm_base_block_checksum(d);
  for (int k = 0; k < 4; k++)
    d[508 + k] = (unsigned char)(sum >> (8 * k));
  size_t off = 512;
  while (off <= len && len - off >= 40 && memcmp(d + off, "HvLE", 4) == 0) {
    unsigned char *e = d + off;
    uint32_t esize = sm_le32(e + 4);
    if (esize < 40 || esize % 512 || esize > len - off)
      break;
    sm_put_le64(e + 24,
          sm_marvin32(UINT64_C(0x82EF4D887A4E55C5), e + 40, esize - 40));
    sm_put_le64(e + 32, sm_marvin32(UINT64_C(0x82EF4D887A4E55C5), e, 32));
    off += esize;
  }
}

static size_t take(const uint8_t **p, size_t *left, size_t want) {
  size_t n = want < *left ? want : *left;
  *p += n;
  *left -= n;
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 8)
    return 0;
  size_t plen = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 |
                (size_t)data[3] << 24;
  size_t l1len = (size_t)data[4] | (size_t)data[5] << 8 |
                 (size_t)data[6] << 16 | (size_t)data[7] << 24;
  bool keep_checksums = plen & 0x80000000u;
  plen &= 0x7fffffffu;
  const uint8_t *p = data + 8;
  size_t left = size - 8;
  const uint8_t *prim = p;
  plen = take(&p, &left, plen);
  const uint8_t *l1 = p;
  l1len = take(&p, &left, l1len);
  const uint8_t *l2 = p;
  size_t l2len = left;

  /* Private copies of the logs, with a fresh base block checksum. */
  unsigned char *l1c = malloc(l1len ? l1len : 1),
                *l2c = malloc(l2len ? l2len : 1);
  if (!l1c || !l2c) {
    free(l1c);
    free(l2c);
    return 0;
  }
  memcpy(l1c, l1, l1len);
  memcpy(l2c, l2, l2len);
  if (!keep_checksums) {
    fix_log(l1c, l1len);
    fix_log(l2c, l2len);
  }
  l1 = l1c;
  l2 = l2c;

  /* The replay owns and may realloc the image: give it a private copy. */
  unsigned char *image = malloc(plen ? plen : 1);
  if (!image) {
    free(l1c);
    free(l2c);
    return 0;
  }
  memcpy(image, prim, plen);
  size_t image_len = plen;
  sm_txlog logs[2] = {{"SYSTEM.LOG1", l1, l1len}, {"SYSTEM.LOG2", l2, l2len}};
  sm_recovery_info info;
  memset(&info, 0, sizeof info);
  sm_error err = {0};
  sm_result r = sm_txlog_replay(&image, &image_len, logs, 2, size % 2, &info, &err);
  if (r != SM_OK && r != SM_ERR_NOMEM)
    abort(); /* documented: an error only when memory runs out */
  if (!memchr(info.warning, '\0', sizeof info.warning) ||
      !memchr(info.logs, '\0', sizeof info.logs))
    abort();
  if (r == SM_OK && info.recovered && image_len >= 4096) {
    sm_base_block bb;
    if (sm_base_block_parse(image, image_len, &bb) == SM_OK &&
        (bb.dirty || !bb.checksum_ok))
      abort(); /* a recovered image has a clean base block */
  }
  free(image);
  free(l1c);
  free(l2c);
  return 0;
}
