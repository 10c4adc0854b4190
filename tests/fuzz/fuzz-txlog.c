/* Transaction-log replay on a fuzzed primary image and fuzzed logs.
 * Input: two little-endian 32-bit lengths (primary, LOG1), then the
 * primary's bytes, LOG1's bytes, and LOG2 as the rest (lengths are cut to
 * what is there).  tests/fuzz/run.sh builds seeds in this form from the real
 * Windows 10 hive and its logs. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "hive/hive-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t take(const uint8_t **p, size_t *left, size_t want) {
  size_t n = want < *left ? want : *left;
  *p += n;
  *left -= n;
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 8)
    return 0;
  size_t plen = (size_t)data[0] | (size_t)data[1] << 8 |
                (size_t)data[2] << 16 | (size_t)data[3] << 24;
  size_t l1len = (size_t)data[4] | (size_t)data[5] << 8 |
                 (size_t)data[6] << 16 | (size_t)data[7] << 24;
  const uint8_t *p = data + 8;
  size_t left = size - 8;
  const uint8_t *prim = p;
  plen = take(&p, &left, plen);
  const uint8_t *l1 = p;
  l1len = take(&p, &left, l1len);
  const uint8_t *l2 = p;
  size_t l2len = left;

  /* The replay owns and may realloc the image: give it a private copy. */
  unsigned char *image = malloc(plen ? plen : 1);
  if (!image)
    return 0;
  memcpy(image, prim, plen);
  size_t image_len = plen;
  sm_txlog logs[2] = {{"SYSTEM.LOG1", l1, l1len}, {"SYSTEM.LOG2", l2, l2len}};
  sm_recovery_info info;
  memset(&info, 0, sizeof info);
  sm_error err = {0};
  sm_result r = sm_txlog_replay(&image, &image_len, logs, 2, &info, &err);
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
  return 0;
}
