/* One arbitrary byte string taken as a disk image: the format recognised
 * from its content, its partition table and every volume read with The
 * Sleuth Kit, each SYSTEM hive found (with its logs and SOFTWARE) read into
 * memory and opened from there, its control set resolved.  Partition
 * tables and NTFS metadata that loop, overlap or point past the end are
 * what this feeds. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hive/hive.h"
#include "source/image.h"
#include "tests/fuzz/fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_hive(void *ctx, const sm_image_hive *hv) {
  (void)ctx;
  if (hv->error)
    return;
  sm_hive *h = NULL, *sw = NULL;
  sm_error err = {0};
  if (sm_hive_open_mem(hv->name, hv->data, hv->len, hv->logs, hv->nlogs,
                       SM_OPEN_NO_HASH, &h, &err) == SM_OK) {
    unsigned id;
    sm_key key;
    sm_hive_current_control_set(h, &id, &key, &err);
    sm_hive_close(h);
  }
  if (hv->software &&
      sm_hive_open_mem("SOFTWARE", hv->software, hv->software_len, NULL, 0,
                       SM_OPEN_NO_HASH, &sw, NULL) == SM_OK)
    sm_hive_close(sw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  int fd = fuzz_memfd(data, size, path, sizeof path);
  if (fd < 0)
    return 0;
  sm_error err = {0};
  sm_image_walk(path, true, one_hive, NULL, &err);
  close(fd);
  return 0;
}
