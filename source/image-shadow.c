/* The shadow copies of an NTFS volume of a disk image (image-walk.h):
 * each store, oldest first, opened as NTFS and walked as the volume is.
 * A store that cannot be read is that store's error; the volume and the
 * other stores are read on. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "source/image-vol.h"
#include "source/image-walk.h"
#include "source/tsk-dl.h"

/* Store s of volume v could not be read: its error result. */
static void store_error(sm_walk *w, const sm_walk_vol *v, const char *name,
                        const sm_vss_store *s, const char *msg) {
  w->shadow = s;
  w->shadow_volume = s ? name : NULL;
  sm_walk_error(w, v, "%s: %s", v->where, msg);
  w->shadow = NULL;
  w->shadow_volume = NULL;
}

/* The hives of store s, opened as fs, as those of the volume. */
static void store_hives(sm_walk *w, const sm_walk_vol *v, const char *name,
                        const sm_vss_store *s, TSK_FS_INFO *fs) {
  char vname[1300];
  snprintf(vname, sizeof vname, "%s:vss%d", name, s->index);
  sm_walk_vol sv = *v;
  int keep = (int)strnlen(v->where, sizeof sv.where - 40);
  snprintf(sv.where, sizeof sv.where, "%.*s, shadow copy store %d", keep,
           v->where, s->index);
  w->volume = sm_image_volume_new(fs, vname);
  w->shadow = s;
  w->shadow_volume = name;
  sm_walk_ntfs(w, &sv, fs);
  w->shadow = NULL;
  w->shadow_volume = NULL;
  sm_volume_close(w->volume);
  w->volume = NULL;
}

static void one_store(sm_walk *w, const sm_walk_vol *v, const char *name,
                      sm_vss *vss, int i) {
  sm_vss_store s;
  sm_error err = {0};
  char msg[1200];
  if (sm_vss_store_info(vss, i, &s, &err) != SM_OK) {
    s = (sm_vss_store){.index = i + 1};
    snprintf(msg, sizeof msg, "shadow copy store %d %s", i + 1, err.msg);
    store_error(w, v, name, &s, msg);
    return;
  }
  if (!s.in_volume) {
    snprintf(msg, sizeof msg,
             "shadow copy store %d (%s): its data lies on another volume, "
             "not in this image's: not read",
             s.index, s.id);
    store_error(w, v, name, &s, msg);
    return;
  }
  TSK_IMG_INFO *img = sm_vss_store_image(vss, i, &err);
  if (!img) {
    snprintf(msg, sizeof msg, "shadow copy store %d (%s) %s", s.index, s.id,
             err.msg);
    store_error(w, v, name, &s, msg);
    return;
  }
  TSK_FS_INFO *fs = tsk_fs_open_img(img, 0, TSK_FS_TYPE_NTFS);
  if (!fs) {
    snprintf(msg, sizeof msg,
             "shadow copy store %d (%s): no NTFS volume can be read in it "
             "(a torn or damaged store): %s",
             s.index, s.id, sm_tsk_why());
    store_error(w, v, name, &s, msg);
  } else {
    store_hives(w, v, name, &s, fs);
    tsk_fs_close(fs);
  }
  tsk_img_close(img);
}

void sm_walk_shadows(sm_walk *w, const sm_walk_vol *v, const char *name) {
  if (!sm_vss_present(w->img, v->offset))
    return;
  sm_vss *vss;
  int n;
  sm_error err = {0};
  if (sm_vss_open(w->img, v->offset, v->size, &vss, &n, &err) != SM_OK) {
    store_error(w, v, name, NULL, err.msg);
    return;
  }
  int first = 0;
  if (n > SM_VSS_MAX_STORES) {
    char msg[300];
    first = n - SM_VSS_MAX_STORES;
    snprintf(msg, sizeof msg,
             "%d shadow copy stores, more than the %d read: the %d oldest "
             "were not read",
             n, SM_VSS_MAX_STORES, first);
    store_error(w, v, name, NULL, msg);
  }
  for (int i = first; i < n; i++)
    one_store(w, v, name, vss, i);
  sm_vss_close(vss);
}
