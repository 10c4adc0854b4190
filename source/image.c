/* Disk images through The Sleuth Kit: the partition table, each NTFS
 * volume, and Windows/System32/config read into memory.  Nothing is
 * mounted, extracted or written: TSK opens the image files read-only. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tsk/libtsk.h>

#include "source/tsk-dl.h"

#include "base/evidence.h"
#include "source/image-vol.h"
#include "source/image-walk.h"
#include "source/noatime.h"

static bool read_damaged(const sm_image_hive *hv, char *why, size_t size) {
  return sm_walk_ewf_damage(hv->walk, why, size);
}

/* What the caller opens (hivex its memory file, baselines) is no image
 * file: open() is as ever while it has the hive. */
void sm_walk_emit(sm_walk *w, const sm_image_hive *hv) {
  char why[1024], msg[4096];
  sm_image_hive damaged, with = *hv;
  with.damaged = read_damaged;
  with.walk = w;
  hv = &with;
  if (sm_walk_ewf_damage(w, why, sizeof why)) {
    /* what was read for hv went through a damaged chunk: the container
     * is to blame, and nothing read through it is audited */
    if (hv->error)
      snprintf(msg, sizeof msg, "%s: %s; and then: %s", w->path, why,
               hv->error);
    else
      snprintf(msg, sizeof msg,
               "%s: %s: %s was read through %s and is not "
               "audited",
               w->path, why, hv->name,
               strstr(why, "chunks at") ? "them" : "it");
    damaged = (sm_image_hive){.origin = hv->origin,
                              .regback = hv->regback,
                              .shadow = hv->shadow,
                              .shadow_volume = hv->shadow_volume,
                              .name = hv->name,
                              .error = msg,
                              .atime_unprotected = hv->atime_unprotected};
    hv = &damaged;
  }
  sm_noatime_pause(true);
  w->fn(w->ctx, hv);
  sm_noatime_pause(false);
  w->emitted++;
}

void sm_walk_note(sm_walk *w, const char *fmt, ...) {
  size_t used = strlen(w->notes);
  if (used + 8 >= sizeof w->notes)
    return;
  if (used)
    used += (size_t)snprintf(w->notes + used, sizeof w->notes - used, "; ");
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->notes + used, sizeof w->notes - used, fmt, ap);
  va_end(ap);
}

/* TSK's last error as one line. */
const char *sm_tsk_why(void) {
  static char buf[256];
  const char *e = tsk_error_get();
  snprintf(buf, sizeof buf, "%s", e && *e ? e : "unknown error");
  for (char *p = buf; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  tsk_error_reset();
  return buf;
}

void sm_walk_error(sm_walk *w, const sm_walk_vol *v, const char *fmt, ...) {
  char name[1200], msg[2048];
  va_list ap;
  va_start(ap, fmt);
  int n = snprintf(msg, sizeof msg, "%s: ", w->path);
  if (n > 0 && (size_t)n < sizeof msg)
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
  va_end(ap);
  int n2 = v->part >= 0
               ? snprintf(name, sizeof name, "%s:p%ld", w->path, v->part)
               : snprintf(name, sizeof name, "%s", w->path);
  if (w->shadow && n2 > 0 && (size_t)n2 < sizeof name)
    snprintf(name + n2, sizeof name - (size_t)n2, ":vss%d", w->shadow->index);
  sm_image_hive hv = {.origin = {.image = w->path,
                                 .format = w->format,
                                 .partition = v->part,
                                 .offset = v->offset,
                                 .description = v->desc,
                                 .path = NULL},
                      .name = name,
                      .shadow = w->shadow,
                      .shadow_volume = w->shadow_volume,
                      .error = msg,
                      .atime_unprotected = sm_noatime_unprotected()};
  sm_walk_emit(w, &hv);
}

static void one_volume(sm_walk *w, const sm_walk_vol *v) {
  char sig[8];
  bool have_sig = tsk_img_read(w->img, (TSK_OFF_T)v->offset + 3, sig,
                               sizeof sig) == (ssize_t)sizeof sig;
  tsk_error_reset();
  if (have_sig && memcmp(sig, "-FVE-FS-", 8) == 0) {
    sm_walk_error(w, v,
                  "%s: BitLocker-encrypted volume (-FVE-FS- signature): "
                  "decrypt it first and scan the decrypted image",
                  v->where);
    return;
  }
  TSK_FS_INFO *fs =
      tsk_fs_open_img(w->img, (TSK_OFF_T)v->offset, TSK_FS_TYPE_DETECT);
  if (!fs) {
    const char *why = sm_tsk_why();
    if (have_sig && memcmp(sig, "NTFS    ", 8) == 0)
      sm_walk_error(w, v, "%s: damaged NTFS volume: %s", v->where, why);
    else
      sm_walk_note(w, "%s: no file system found", v->where);
    return;
  }
  char why[1024];
  if (sm_walk_ewf_damage(w, why, sizeof why))
    /* met by The Sleuth Kit's open of the volume, which reads parts of
     * it: the volume's own result, not its first hive's (whose reads, if
     * they go through the chunk too, are told again) */
    sm_walk_error(w, v, "%s: %s (read while opening the volume)", v->where,
                  why);
  if (TSK_FS_TYPE_ISNTFS(fs->ftype)) {
    char name[1200];
    if (v->part >= 0)
      snprintf(name, sizeof name, "%s:p%ld", w->path, v->part);
    else
      snprintf(name, sizeof name, "%s", w->path);
    w->volume = sm_image_volume_new(fs, name);
    sm_walk_ntfs(w, v, fs);
    sm_volume_close(w->volume);
    w->volume = NULL;
    sm_walk_shadows(w, v, name);
  } else
    sm_walk_note(w, "%s: %s, not NTFS", v->where,
                 tsk_fs_type_toname(fs->ftype));
  tsk_fs_close(fs);
}

static void set_where(sm_walk_vol *v) {
  if (v->part >= 0)
    snprintf(v->where, sizeof v->where, "partition %ld (%s, offset %llu)",
             v->part, v->desc, (unsigned long long)v->offset);
  else
    snprintf(v->where, sizeof v->where, "the volume");
}

/* Every allocated partition of the table, or the image as one volume. */
static void walk_volumes(sm_walk *w) {
  /* GPT first (its protective MBR also reads as a DOS table), then DOS;
   * not TSK's own detection, which leaks the DOS table it drops. */
  TSK_VS_INFO *vs = tsk_vs_open(w->img, 0, TSK_VS_TYPE_GPT);
  if (!vs) {
    tsk_error_reset();
    vs = tsk_vs_open(w->img, 0, TSK_VS_TYPE_DOS);
  }
  if (!vs) {
    tsk_error_reset();
    sm_walk_vol v = {
        .part = -1, .offset = 0, .size = (uint64_t)w->img->size, .desc = ""};
    set_where(&v);
    one_volume(w, &v);
    return;
  }
  for (TSK_PNUM_T i = 0; i < vs->part_count; i++) {
    const TSK_VS_PART_INFO *p = tsk_vs_part_get(vs, i);
    if (!p || !(p->flags & TSK_VS_PART_FLAG_ALLOC))
      continue;
    sm_walk_vol v = {.part = (long)p->addr,
                     .offset = (uint64_t)p->start * vs->block_size,
                     .size = (uint64_t)p->len * vs->block_size,
                     .desc = p->desc ? p->desc : ""};
    set_where(&v);
    uint64_t end = (uint64_t)(p->start + p->len) * vs->block_size;
    if (v.offset / vs->block_size != p->start ||
        end / vs->block_size != p->start + p->len ||
        end > (uint64_t)w->img->size) {
      sm_walk_error(w, &v,
                    "%s: runs past the end of the image (%llu bytes): a "
                    "truncated image",
                    v.where, (unsigned long long)w->img->size);
      continue;
    }
    /* A flood of entries naming one volume (or more volumes than any
     * disk holds): each volume read once, at most SM_IMAGE_MAX_VOLUMES read,
     * and what was left said as a result, never dropped. */
    bool seen = false;
    for (size_t k = 0; k < w->nstarts && !seen; k++)
      seen = w->starts[k] == v.offset;
    if (seen) {
      w->repeated++;
      continue;
    }
    if (w->nstarts == SM_IMAGE_MAX_VOLUMES) {
      w->past_cap++;
      continue;
    }
    w->starts[w->nstarts++] = v.offset;
    one_volume(w, &v);
  }
  tsk_vs_close(vs);
  sm_walk_vol all = {.part = -1, .desc = ""};
  set_where(&all);
  if (w->repeated)
    sm_walk_error(w, &all,
                  "%u partition entries name a volume another entry names "
                  "(the same start): each volume was read once",
                  w->repeated);
  if (w->past_cap)
    sm_walk_error(w, &all,
                  "%u partitions past the first %d volumes were not read",
                  w->past_cap, SM_IMAGE_MAX_VOLUMES);
}

static sm_result walk_image(sm_walk *w, sm_error *err);

sm_result sm_image_walk(const char *path, bool want_software, sm_image_fn fn,
                        void *ctx, sm_error *err) {
  sm_walk w = {
      .path = path, .want_software = want_software, .fn = fn, .ctx = ctx};
  const char *why = NULL;
  if (!sm_tsk_load(&why))
    return sm_error_set(err, SM_ERR_IO,
                        "%s: disk images need The Sleuth "
                        "Kit (libtsk): %s",
                        path, why);
  tsk_error_reset();
  /* TSK opens the image files as it reads them, to the end of the walk. */
  sm_noatime_begin(path);
  sm_result r = walk_image(&w, err);
  sm_noatime_end();
  return r;
}

static sm_result walk_image(sm_walk *w, sm_error *err) {
  const char *path = w->path;
  /* The format is told, never left to TSK's detection: that tries AFF,
   * whose library opens the file for writing. */
  static const struct {
    const char *name;
    TSK_IMG_TYPE_ENUM type;
  } types[] = {{"raw", TSK_IMG_TYPE_RAW},
               {"ewf", TSK_IMG_TYPE_EWF_EWF},
               {"vhd", TSK_IMG_TYPE_VHD_VHD},
               {"vhdx", TSK_IMG_TYPE_VHD_VHD}, /* libvhdi reads both */
               {"vmdk", TSK_IMG_TYPE_VMDK_VMDK}};
  w->format = sm_image_sniff(path);
  TSK_IMG_TYPE_ENUM type = TSK_IMG_TYPE_UNSUPP;
  for (size_t i = 0; w->format && i < sizeof types / sizeof types[0]; i++)
    if (strcmp(types[i].name, w->format) == 0)
      type = types[i].type;
  if (type == TSK_IMG_TYPE_UNSUPP)
    return sm_error_set(err, SM_ERR_IO, "%s: not a disk image", path);
  if (!tsk_img_type_supported() || !(tsk_img_type_supported() & type))
    return sm_error_set(err, SM_ERR_IO,
                        "%s: %s images are not supported by this build of "
                        "The Sleuth Kit",
                        path, w->format);
  if (type == TSK_IMG_TYPE_EWF_EWF) {
    /* libewf read by smaudit, which then knows the damaged chunks */
    sm_result r = sm_walk_open_ewf(w, err);
    if (r != SM_OK)
      return r;
  } else {
    w->img = tsk_img_open_utf8_sing(path, type, 0);
    if (!w->img)
      return sm_error_set(
          err, SM_ERR_IO, "%s: cannot read the disk image: %s", path,
          sm_noatime_refused() ? sm_noatime_refused() : sm_tsk_why());
  }
  /* A segment missing from a split image: the image opens, but its end
   * cannot be read.  (libewf reads a missing E01 segment as zeros, and
   * leaks: that case is told apart first.) */
  char last[512];
  if (w->img->size < (TSK_OFF_T)sizeof last ||
      tsk_img_read(w->img, w->img->size - (TSK_OFF_T)sizeof last, last,
                   sizeof last) != (ssize_t)sizeof last) {
    const char *why =
        sm_noatime_refused() ? sm_noatime_refused() : sm_tsk_why();
    tsk_img_close(w->img);
    return sm_error_set(err, SM_ERR_IO,
                        "%s: cannot read the disk image to its end "
                        "(truncated, or a segment missing?): %s",
                        path, why);
  }
  walk_volumes(w);
  char why[1024];
  if (sm_walk_ewf_damage(w, why, sizeof why)) {
    sm_walk_vol all = {.part = -1, .desc = ""};
    set_where(&all);
    sm_walk_error(w, &all, "%s (read while looking for the hives)", why);
  }
  tsk_img_close(w->img);
  if (w->emitted)
    return SM_OK;
  return sm_error_set(err, SM_ERR_NOT_FOUND,
                      "%s: no Windows volume in this disk image (%s)", path,
                      w->notes[0] ? w->notes : "no volume found");
}
