/* vss-read IMAGE [FILE]: what source/vss.c reads of the shadow copies of
 * the volume IMAGE (a raw image of one volume), for tests/cli/shadow.sh to
 * hold against vshadowinfo and the corpus' stated facts.  One line per
 * store, "store N ID CREATED VOLUME_SIZE", then, with FILE (a name in the
 * volume's root), "file live|N SIZE SHA256" or "file live|N absent" for the
 * live volume and each store. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>
#include <tsk/libtsk.h>

#include "hive/hive.h"
#include "source/image-vol.h"
#include "source/tsk-dl.h"
#include "source/vss.h"

static void file_line(TSK_FS_INFO *fs, const char *which, const char *name) {
  sm_volume *v = sm_image_volume_new(fs, which);
  sm_vfile f;
  sm_error err = {0};
  if (!v || v->find(v, name, (size_t)64 << 20, &f, &err) != SM_OK ||
      !f.exists || !f.data) {
    printf("file %s absent\n", which);
  } else {
    uint8_t d[32];
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, f.len, f.data);
    sha256_digest(&c, sizeof d, d);
    printf("file %s %zu ", which, f.len);
    for (int i = 0; i < 32; i++)
      printf("%02x", d[i]);
    printf("\n");
  }
  if (v)
    free(f.data);
  sm_volume_close(v);
}

int main(int argc, char **argv) {
  const char *why;
  if (argc < 2 || !sm_tsk_load(&why)) {
    fprintf(stderr, "usage: vss-read IMAGE [FILE] (libtsk needed)\n");
    return 2;
  }
  TSK_IMG_INFO *img = tsk_img_open_utf8_sing(argv[1], TSK_IMG_TYPE_RAW, 0);
  if (!img) {
    fprintf(stderr, "vss-read: %s: cannot open\n", argv[1]);
    return 2;
  }
  int rc = 0;
  if (argc > 2) {
    TSK_FS_INFO *fs = tsk_fs_open_img(img, 0, TSK_FS_TYPE_NTFS);
    if (fs) {
      file_line(fs, "live", argv[2]);
      tsk_fs_close(fs);
    }
  }
  sm_vss *v;
  int n = 0;
  sm_error err = {0};
  if (!sm_vss_present(img, 0))
    printf("stores 0\n");
  else if (sm_vss_open(img, 0, (uint64_t)img->size, &v, &n, &err) != SM_OK) {
    printf("error %s\n", err.msg);
    rc = 1;
  } else {
    printf("stores %d\n", n);
    for (int i = 0; i < n; i++) {
      sm_vss_store s;
      char ts[40], which[16];
      if (sm_vss_store_info(v, i, &s, &err) != SM_OK) {
        printf("store %d error %s\n", i + 1, err.msg);
        continue;
      }
      sm_filetime_iso8601(s.created, ts, sizeof ts);
      printf("store %d %s %s %llu\n", s.index, s.id, ts,
             (unsigned long long)s.volume_size);
      if (argc < 3)
        continue;
      TSK_IMG_INFO *si = sm_vss_store_image(v, i, &err);
      TSK_FS_INFO *fs = si ? tsk_fs_open_img(si, 0, TSK_FS_TYPE_NTFS) : NULL;
      snprintf(which, sizeof which, "%d", s.index);
      if (fs) {
        file_line(fs, which, argv[2]);
        tsk_fs_close(fs);
      } else
        printf("file %s error\n", which);
      tsk_error_reset();
      if (si)
        tsk_img_close(si);
    }
    sm_vss_close(v);
  }
  tsk_img_close(img);
  return rc;
}
