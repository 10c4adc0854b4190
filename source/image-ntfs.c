/* The hives of an NTFS volume inside a disk image, found through The
 * Sleuth Kit's directory listings: Windows/System32/config in any letter
 * case (each of several spellings), SYSTEM with its logs (read only as
 * far as a replay can use them) and SOFTWARE, and RegBack's copy. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tsk/libtsk.h>

#include "source/tsk-dl.h"

#include "source/image-walk.h"
#include "source/noatime.h"

/* Windows refuses hives past 2 GiB; a file inside an image that claims
 * more is not read. */
#define MAX_HIVE ((TSK_OFF_T)2 << 30)

/* The entries of directory dir named want in any case (want_dir: folders,
 * else regular files), distinct files only (a DOS name is the same file),
 * at most max of them, the first in byte order: their addresses and
 * stored names (256 bytes each).  Returns how many (0: none), or -1 with
 * why set when the folder cannot be read (a damaged MFT record). */
static int find_entries(TSK_FS_INFO *fs, TSK_INUM_T dir, const char *want,
                        bool want_dir, TSK_INUM_T *inums, char (*names)[256],
                        int max, char *why, size_t why_size) {
  TSK_FS_DIR *d = tsk_fs_dir_open_meta(fs, dir);
  if (!d) {
    snprintf(why, why_size, "%s", sm_tsk_why());
    return -1;
  }
  int n = 0;
  for (size_t i = 0; i < tsk_fs_dir_getsize(d); i++) {
    const TSK_FS_NAME *e = tsk_fs_dir_get_name(d, i);
    if (!e || !e->name || !(e->flags & TSK_FS_NAME_FLAG_ALLOC) ||
        strcasecmp(e->name, want) != 0)
      continue;
    bool is_dir = e->type == TSK_FS_NAME_TYPE_DIR;
    bool is_reg = e->type == TSK_FS_NAME_TYPE_REG;
    if ((want_dir && !is_dir) || (!want_dir && !is_reg))
      continue;
    int k = 0, same = -1;
    for (int j = 0; j < n; j++)
      if (inums[j] == e->meta_addr)
        same = j;
    if (same >= 0) { /* the same file: keep its first name in byte order */
      if (strcmp(e->name, names[same]) < 0)
        snprintf(names[same], 256, "%s", e->name);
      continue;
    }
    while (k < n && strcmp(names[k], e->name) < 0)
      k++;
    if (k >= max)
      continue;
    int last = n < max ? n : max - 1;
    for (int j = last; j > k; j--) {
      inums[j] = inums[j - 1];
      memcpy(names[j], names[j - 1], 256);
    }
    inums[k] = e->meta_addr;
    snprintf(names[k], 256, "%s", e->name);
    n = n < max ? n + 1 : max;
  }
  tsk_fs_dir_close(d);
  return n;
}

/* The first entry named want in any case, as find_entries. */
static int find_entry(TSK_FS_INFO *fs, TSK_INUM_T dir, const char *want,
                      bool want_dir, TSK_INUM_T *inum, char name[256],
                      char *why, size_t why_size) {
  return find_entries(fs, dir, want, want_dir, inum, (char(*)[256])name, 1, why,
                      why_size);
}

/* sm_log_read_fn over a file of the volume. */
static sm_result tsk_read(void *ctx, void *buf, size_t len, uint64_t off,
                          sm_error *err) {
  TSK_FS_FILE *f = ctx;
  for (size_t done = 0; done < len;) {
    ssize_t r = tsk_fs_file_read(f, (TSK_OFF_T)(off + done), (char *)buf + done,
                                 len - done, TSK_FS_FILE_READ_FLAG_NONE);
    if (r <= 0)
      return sm_error_set(err, SM_ERR_IO, "read error at byte %llu: %s",
                          (unsigned long long)(off + done),
                          r < 0 ? sm_tsk_why() : "unexpected end");
    done += (size_t)r;
  }
  return SM_OK;
}

/* Read a whole file into a sealed memory file (base/memfile.h): the
 * bytes go from TSK to the kernel's pages once, and hive/ opens them
 * there.  false with why set when it cannot be. */
static bool read_file(TSK_FS_INFO *fs, TSK_INUM_T inum, sm_memfile *m,
                      char *why, size_t size) {
  *m = (sm_memfile){.fd = -1};
  TSK_FS_FILE *f = tsk_fs_file_open_meta(fs, NULL, inum);
  bool ok = false;
  if (!f || !f->meta) {
    snprintf(why, size, "cannot open: %s", sm_tsk_why());
    goto out;
  }
  TSK_OFF_T n = f->meta->size;
  if (n < 0 || n > MAX_HIVE) {
    snprintf(why, size, "%lld bytes is larger than any hive (2 GiB)",
             (long long)n);
    goto out;
  }
  sm_error e = {0};
  ok = sm_memfile_fill(m, (size_t)n, tsk_read, f, &e) == SM_OK;
  if (!ok)
    snprintf(why, size, "%.200s", e.msg);
out:
  if (f)
    tsk_fs_file_close(f);
  return ok;
}

/* The logs of the hive called base in dir, in replay order, read only
 * when the hive will be replayed, and then as far as the replay can use
 * them, never more than SM_HIVE_LOG_READ_MAX in all (the same reader as
 * for the logs beside a hive file: sm_hive_read_log).  A log found but
 * not read is handed over with its reason, for the replay to name. */
static void read_logs(TSK_FS_INFO *fs, TSK_INUM_T dir, const char *base,
                      sm_image_hive *hv, char names[3][256],
                      char errors[3][520], char cuts[3][160]) {
  static const char *const suffix[] = {".LOG1", ".LOG2", ".LOG"};
  if (!sm_hive_needs_logs(hv->data, hv->len))
    return; /* a clean hive: its logs are not read at all */
  uint64_t budget = SM_HIVE_LOG_READ_MAX;
  for (int k = 0; k < 3; k++) {
    char want[300];
    TSK_INUM_T inum;
    snprintf(want, sizeof want, "%s%s", base, suffix[k]);
    char why[300];
    if (find_entry(fs, dir, want, false, &inum, names[k], why, sizeof why) <= 0)
      continue;
    sm_hive_log *log = &hv->logs[hv->nlogs++];
    *log = (sm_hive_log){.name = names[k]};
    TSK_FS_FILE *f = tsk_fs_file_open_meta(fs, NULL, inum);
    sm_error e = {0};
    unsigned char *data = NULL;
    size_t len = 0;
    if (!f || !f->meta || f->meta->size < 0)
      sm_error_set(&e, SM_ERR_IO, "cannot open: %s", sm_tsk_why());
    else
      sm_hive_read_log((uint64_t)f->meta->size, tsk_read, f, &budget, &data,
                       &len, cuts[k], sizeof cuts[k], &e);
    if (f)
      tsk_fs_file_close(f);
    if (!data) {
      snprintf(errors[k], sizeof errors[k], "%s", e.msg);
      log->error = errors[k];
      continue;
    }
    log->data = data;
    log->len = len;
    log->warning = cuts[k][0] ? cuts[k] : NULL;
  }
}

/* The SYSTEM hive of folder dir (config or RegBack), its logs and
 * SOFTWARE; need_content: an empty SYSTEM is no hive (RegBack of Windows
 * 10 1803 and later).  dir_path: the folder's path as stored. */
static void take_hive(sm_walk *w, const sm_walk_vol *v, TSK_FS_INFO *fs,
                      TSK_INUM_T dir, const char *dir_path, bool regback) {
  char base[256], sw[256], names[3][256], errors[3][520], cuts[3][160],
      path[1024], name[2400], why[256];
  TSK_INUM_T inum, swi;
  int found =
      find_entry(fs, dir, "system", false, &inum, base, why, sizeof why);
  if (found < 0) {
    sm_walk_error(w, v, "%s: folder %s cannot be read: %s", v->where, dir_path,
                  why);
    return;
  }
  if (found == 0)
    return;
  snprintf(path, sizeof path, "%s/%s", dir_path, base);
  sm_image_hive hv = {.regback = regback,
                      .atime_unprotected = sm_noatime_unprotected()};
  sm_memfile file, swfile = {.fd = -1};
  bool read = read_file(fs, inum, &file, why, sizeof why);
  if (read && file.len == 0 && regback) {
    sm_memfile_close(&file);
    return;
  }
  char store[32] = "";
  if (w->shadow)
    snprintf(store, sizeof store, "vss%d:", w->shadow->index);
  if (v->part >= 0)
    snprintf(name, sizeof name, "%s:p%ld:%s%s", w->path, v->part, store, path);
  else
    snprintf(name, sizeof name, "%s:%s%s", w->path, store, path);
  hv.shadow = w->shadow;
  hv.shadow_volume = w->shadow_volume;
  hv.origin = (sm_image_origin){.image = w->path,
                                .format = w->format,
                                .partition = v->part,
                                .offset = v->offset,
                                .description = v->desc,
                                .path = path};
  hv.name = name;
  hv.volume = w->volume;
  if (!read) {
    char msg[2800];
    snprintf(msg, sizeof msg, "%s: %s", name, why);
    hv.error = msg;
    sm_walk_emit(w, &hv);
    return;
  }
  hv.file = &file;
  hv.data = file.data;
  hv.len = file.len;
  read_logs(fs, dir, base, &hv, names, errors, cuts);
  char sw_why[300];
  if (w->want_software &&
      find_entry(fs, dir, "software", false, &swi, sw, why, sizeof why) > 0) {
    if (read_file(fs, swi, &swfile, sw_why, sizeof sw_why)) {
      hv.software = swfile.data;
      hv.software_len = swfile.len;
    } else {
      hv.software_error = sw_why; /* there, not read: said, never absent */
    }
  }
  sm_walk_emit(w, &hv);
  sm_memfile_close(&file);
  sm_memfile_close(&swfile);
  for (size_t k = 0; k < hv.nlogs; k++)
    free((void *)hv.logs[k].data);
}

/* Folders that differ only in letter case, followed at each level of
 * Windows\System32\config (Windows sees one; an image may hold several,
 * each audited). */
enum { MAX_CASES = 4 };

/* Level level of Windows/System32/config below dir (at path prefix), then
 * SYSTEM and RegBack's: 0 no such config folder, 1 one without SYSTEM, 2
 * something handed over (a hive, or the error of a folder that cannot be
 * read: a result, never a quiet gap). */
static int config_level(sm_walk *w, const sm_walk_vol *v, TSK_FS_INFO *fs,
                        TSK_INUM_T dir, const char *prefix, int level) {
  static const char *const comp[] = {"windows", "system32", "config"};
  char name[256], why[300];
  if (level == 3) {
    unsigned before = w->emitted;
    take_hive(w, v, fs, dir, prefix, false);
    if (w->emitted == before)
      return 1;
    TSK_INUM_T rb;
    int found =
        find_entry(fs, dir, "regback", true, &rb, name, why, sizeof why);
    if (found > 0) {
      char rb_path[1300];
      snprintf(rb_path, sizeof rb_path, "%s/%s", prefix, name);
      take_hive(w, v, fs, rb, rb_path, true);
    }
    return 2;
  }
  TSK_INUM_T sub[MAX_CASES];
  char names[MAX_CASES][256];
  int n = find_entries(fs, dir, comp[level], true, sub, names, MAX_CASES, why,
                       sizeof why);
  if (n < 0 && (level > 0 || !prefix[0])) {
    sm_walk_error(w, v, "%s: folder %s cannot be read: %s", v->where,
                  prefix[0] ? prefix : "/", why);
    return 2;
  }
  int best = 0;
  for (int i = 0; i < n; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", prefix, names[i]);
    int got = config_level(w, v, fs, sub[i], path, level + 1);
    best = got > best ? got : best;
  }
  return best;
}

static int config_below(sm_walk *w, const sm_walk_vol *v, TSK_FS_INFO *fs,
                        TSK_INUM_T dir, const char *prefix) {
  return config_level(w, v, fs, dir, prefix, 0);
}

/* A triage container (KAPE's VHDX) keeps each volume's files a folder or
 * two below its root (C/Windows/..., or a collection folder and then
 * C/Windows/...): every such volume, at most MAX_KEPT folders looked at
 * per level, in the order stored.  The best of config_below's answers. */
enum { MAX_KEPT = 64 };
static int kept_volumes(sm_walk *w, const sm_walk_vol *v, TSK_FS_INFO *fs,
                        TSK_INUM_T dir, const char *prefix, int depth) {
  TSK_FS_DIR *d = tsk_fs_dir_open_meta(fs, dir);
  if (!d) {
    tsk_error_reset();
    return 0;
  }
  struct {
    TSK_INUM_T inum;
    char name[256];
  } sub[MAX_KEPT];
  size_t n = 0;
  for (size_t i = 0; i < tsk_fs_dir_getsize(d) && n < MAX_KEPT; i++) {
    const TSK_FS_NAME *e = tsk_fs_dir_get_name(d, i);
    if (e && e->name && (e->flags & TSK_FS_NAME_FLAG_ALLOC) &&
        e->type == TSK_FS_NAME_TYPE_DIR && e->name[0] != '.' &&
        e->name[0] != '$' && strlen(e->name) < sizeof sub[n].name) {
      sub[n].inum = e->meta_addr;
      snprintf(sub[n].name, sizeof sub[n].name, "%s", e->name);
      n++;
    }
  }
  tsk_fs_dir_close(d);
  int best = 0;
  for (size_t i = 0; i < n; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", prefix, sub[i].name);
    int got = config_below(w, v, fs, sub[i].inum, path);
    if (got == 0 && depth > 1)
      got = kept_volumes(w, v, fs, sub[i].inum, path, depth - 1);
    best = got > best ? got : best;
  }
  return best;
}

/* An NTFS volume: Windows/System32/config/SYSTEM, then RegBack's; or,
 * when its root holds no Windows, the volumes a triage container keeps. */
void sm_walk_ntfs(sm_walk *w, const sm_walk_vol *v, TSK_FS_INFO *fs) {
  int got = config_below(w, v, fs, fs->root_inum, "");
  if (got == 0)
    got = kept_volumes(w, v, fs, fs->root_inum, "", 2);
  if (got == 0)
    sm_walk_note(w, "%s: NTFS without Windows\\System32\\config", v->where);
  else if (got == 1)
    sm_walk_note(w, "%s: NTFS without Windows\\System32\\config\\SYSTEM",
                 v->where);
}
