/* One arbitrary byte string taken as a disk image: the format recognised
 * from its content, its partition table and every volume read with The
 * Sleuth Kit, each SYSTEM hive found (with its logs and SOFTWARE) read into
 * memory and opened from there, its control set resolved.  Partition
 * tables and NTFS metadata that loop, overlap or point past the end are
 * what this feeds; an E01 (its chunks, tables and sections) too. */
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

/* An E01 is found by libewf from its name (disk.E01, and disk.E02 ...
 * beside it), which a memory file has not: such an input is written as
 * disk.E01 into a private folder, made once. */
static char ewf_dir[256];

static void ewf_dir_remove(void) { rmdir(ewf_dir); }

static bool ewf_input(const uint8_t *data, size_t size, char *path,
                      size_t path_size) {
  if (size < 8 || (memcmp(data, "EVF\x09\x0d\x0a\xff\x00", 8) != 0 &&
                   memcmp(data, "EVF2\x0d\x0a\x81\x00", 8) != 0))
    return false;
  if (!ewf_dir[0]) {
    const char *t = getenv("TMPDIR");
    snprintf(ewf_dir, sizeof ewf_dir, "%s/fuzz-image.XXXXXX",
             t && t[0] && strlen(t) < 200 ? t : "/tmp");
    if (!mkdtemp(ewf_dir))
      fuzz_die("cannot make a folder for E01 inputs");
    atexit(ewf_dir_remove);
  }
  snprintf(path, path_size, "%s/disk.%s", ewf_dir, data[3] == '2' ? "Ex01" : "E01");
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
    fuzz_die("cannot write an E01 input");
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[300];
  sm_error err = {0};
  if (ewf_input(data, size, path, sizeof path)) {
    sm_image_walk(path, true, one_hive, NULL, &err);
    unlink(path);
    return 0;
  }
  int fd = fuzz_memfd(data, size, path, sizeof path);
  if (fd < 0)
    return 0;
  sm_image_walk(path, true, one_hive, NULL, &err);
  close(fd);
  return 0;
}
