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
#include "source/image.h"
#include "source/noatime.h"

/* Windows refuses hives past 2 GiB; a file inside an image that claims
 * more is not read. */
#define MAX_HIVE ((TSK_OFF_T)2 << 30)

/* The most volumes read from one image: a GPT holds 128 entries as made
 * by every partitioning tool; a table declaring thousands is hostile. */
#define MAX_VOLUMES 256

typedef struct walk {
  const char *path;
  const char *format; /* sm_image_sniff's name */
  TSK_IMG_INFO *img;
  bool want_software;
  sm_image_fn fn;
  void *ctx;
  unsigned emitted; /* hives and volume errors handed to fn */
  sm_volume *volume; /* the NTFS volume being read, for the files */
  uint64_t starts[MAX_VOLUMES]; /* offsets of the volumes read */
  size_t nstarts;
  unsigned repeated, past_cap; /* partitions not read, and why */
  char notes[1024]; /* what each volume was, for "no Windows volume" */
} walk;

/* Hand a hive (or a volume's error) to the caller, outside the window in
 * which open() is the image files' evidence open: what the caller opens
 * (hivex its memory file, baselines) is no image file. */
static void emit(walk *w, const sm_image_hive *hv) {
  sm_noatime_pause(true);
  w->fn(w->ctx, hv);
  sm_noatime_pause(false);
}

static void note(walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(walk *w, const char *fmt, ...) {
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
static const char *tsk_why(void) {
  static char buf[256];
  const char *e = tsk_error_get();
  snprintf(buf, sizeof buf, "%s", e && *e ? e : "unknown error");
  for (char *p = buf; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  tsk_error_reset();
  return buf;
}

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
    snprintf(why, why_size, "%s", tsk_why());
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
  return find_entries(fs, dir, want, want_dir, inum, (char(*)[256])name, 1,
                      why, why_size);
}

/* Read a whole file into memory.  NULL with why set when it cannot be. */
static unsigned char *read_file(TSK_FS_INFO *fs, TSK_INUM_T inum, size_t *len,
                                char *why, size_t size) {
  TSK_FS_FILE *f = tsk_fs_file_open_meta(fs, NULL, inum);
  unsigned char *buf = NULL;
  if (!f || !f->meta) {
    snprintf(why, size, "cannot open: %s", tsk_why());
    goto out;
  }
  TSK_OFF_T n = f->meta->size;
  if (n < 0 || n > MAX_HIVE) {
    snprintf(why, size, "%lld bytes is larger than any hive (2 GiB)",
             (long long)n);
    goto out;
  }
  buf = malloc(n ? (size_t)n : 1);
  if (!buf) {
    snprintf(why, size, "cannot hold %lld bytes", (long long)n);
    goto out;
  }
  for (TSK_OFF_T done = 0; done < n;) {
    size_t want =
        n - done < ((TSK_OFF_T)8 << 20) ? (size_t)(n - done) : (size_t)8 << 20;
    ssize_t r = tsk_fs_file_read(f, done, (char *)buf + done, want,
                                 TSK_FS_FILE_READ_FLAG_NONE);
    if (r <= 0) {
      snprintf(why, size, "read error at byte %lld: %s", (long long)done,
               r < 0 ? tsk_why() : "unexpected end");
      free(buf);
      buf = NULL;
      goto out;
    }
    done += r;
  }
  *len = (size_t)n;
out:
  if (f)
    tsk_fs_file_close(f);
  return buf;
}

typedef struct volume {
  long part;
  uint64_t offset;
  const char *desc;
  char where[400]; /* "partition 2 (NTFS / exFAT (0x07), offset 1048576)" */
} volume;

static void emit_error(walk *w, const volume *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void emit_error(walk *w, const volume *v, const char *fmt, ...) {
  char name[1200], msg[2048];
  va_list ap;
  va_start(ap, fmt);
  int n = snprintf(msg, sizeof msg, "%s: ", w->path);
  if (n > 0 && (size_t)n < sizeof msg)
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
  va_end(ap);
  if (v->part >= 0)
    snprintf(name, sizeof name, "%s:p%ld", w->path, v->part);
  else
    snprintf(name, sizeof name, "%s", w->path);
  sm_image_hive hv = {.origin = {.image = w->path,
                                 .format = w->format,
                                 .partition = v->part,
                                 .offset = v->offset,
                                 .description = v->desc,
                                 .path = NULL},
                      .name = name,
                      .error = msg,
                      .atime_unprotected = sm_noatime_unprotected()};
  emit(w, &hv);
  w->emitted++;
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
                          r < 0 ? tsk_why() : "unexpected end");
    done += (size_t)r;
  }
  return SM_OK;
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
      sm_error_set(&e, SM_ERR_IO, "cannot open: %s", tsk_why());
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
static void take_hive(walk *w, const volume *v, TSK_FS_INFO *fs, TSK_INUM_T dir,
                      const char *dir_path, bool regback) {
  char base[256], sw[256], names[3][256], errors[3][520], cuts[3][160],
      path[1024], name[2400], why[256];
  TSK_INUM_T inum, swi;
  int found = find_entry(fs, dir, "system", false, &inum, base, why, sizeof why);
  if (found < 0) {
    emit_error(w, v, "%s: folder %s cannot be read: %s", v->where, dir_path,
               why);
    return;
  }
  if (found == 0)
    return;
  snprintf(path, sizeof path, "%s/%s", dir_path, base);
  sm_image_hive hv = {.regback = regback,
                      .atime_unprotected = sm_noatime_unprotected()};
  size_t len = 0;
  unsigned char *data = read_file(fs, inum, &len, why, sizeof why);
  if (data && len == 0 && regback) {
    free(data);
    return;
  }
  if (v->part >= 0)
    snprintf(name, sizeof name, "%s:p%ld:%s", w->path, v->part, path);
  else
    snprintf(name, sizeof name, "%s:%s", w->path, path);
  hv.origin = (sm_image_origin){.image = w->path,
                                .format = w->format,
                                .partition = v->part,
                                .offset = v->offset,
                                .description = v->desc,
                                .path = path};
  hv.name = name;
  hv.volume = w->volume;
  if (!data) {
    char msg[2800];
    snprintf(msg, sizeof msg, "%s: %s", name, why);
    hv.error = msg;
    emit(w, &hv);
    w->emitted++;
    return;
  }
  hv.data = data;
  hv.len = len;
  read_logs(fs, dir, base, &hv, names, errors, cuts);
  unsigned char *swdata = NULL;
  if (w->want_software &&
      find_entry(fs, dir, "software", false, &swi, sw, why, sizeof why) > 0 &&
      (swdata = read_file(fs, swi, &hv.software_len, why, sizeof why)))
    hv.software = swdata;
  emit(w, &hv);
  w->emitted++;
  free(data);
  free(swdata);
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
static int config_level(walk *w, const volume *v, TSK_FS_INFO *fs,
                        TSK_INUM_T dir, const char *prefix, int level) {
  static const char *const comp[] = {"windows", "system32", "config"};
  char name[256], why[300];
  if (level == 3) {
    unsigned before = w->emitted;
    take_hive(w, v, fs, dir, prefix, false);
    if (w->emitted == before)
      return 1;
    TSK_INUM_T rb;
    int found = find_entry(fs, dir, "regback", true, &rb, name, why, sizeof why);
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
    emit_error(w, v, "%s: folder %s cannot be read: %s", v->where,
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

static int config_below(walk *w, const volume *v, TSK_FS_INFO *fs,
                        TSK_INUM_T dir, const char *prefix) {
  return config_level(w, v, fs, dir, prefix, 0);
}

/* A triage container (KAPE's VHDX) keeps each volume's files a folder or
 * two below its root (C/Windows/..., or a collection folder and then
 * C/Windows/...): every such volume, at most MAX_KEPT folders looked at
 * per level, in the order stored.  The best of config_below's answers. */
enum { MAX_KEPT = 64 };
static int kept_volumes(walk *w, const volume *v, TSK_FS_INFO *fs,
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
static void ntfs_volume(walk *w, const volume *v, TSK_FS_INFO *fs) {
  int got = config_below(w, v, fs, fs->root_inum, "");
  if (got == 0)
    got = kept_volumes(w, v, fs, fs->root_inum, "", 2);
  if (got == 0)
    note(w, "%s: NTFS without Windows\\System32\\config", v->where);
  else if (got == 1)
    note(w, "%s: NTFS without Windows\\System32\\config\\SYSTEM", v->where);
}

static void one_volume(walk *w, const volume *v) {
  char sig[8];
  bool have_sig = tsk_img_read(w->img, (TSK_OFF_T)v->offset + 3, sig,
                               sizeof sig) == (ssize_t)sizeof sig;
  tsk_error_reset();
  if (have_sig && memcmp(sig, "-FVE-FS-", 8) == 0) {
    emit_error(w, v,
               "%s: BitLocker-encrypted volume (-FVE-FS- signature): "
               "decrypt it first and scan the decrypted image",
               v->where);
    return;
  }
  TSK_FS_INFO *fs =
      tsk_fs_open_img(w->img, (TSK_OFF_T)v->offset, TSK_FS_TYPE_DETECT);
  if (!fs) {
    const char *why = tsk_why();
    if (have_sig && memcmp(sig, "NTFS    ", 8) == 0)
      emit_error(w, v, "%s: damaged NTFS volume: %s", v->where, why);
    else
      note(w, "%s: no file system found", v->where);
    return;
  }
  if (TSK_FS_TYPE_ISNTFS(fs->ftype)) {
    char name[1200];
    if (v->part >= 0)
      snprintf(name, sizeof name, "%s:p%ld", w->path, v->part);
    else
      snprintf(name, sizeof name, "%s", w->path);
    w->volume = sm_image_volume_new(fs, name);
    ntfs_volume(w, v, fs);
    sm_volume_close(w->volume);
    w->volume = NULL;
  } else
    note(w, "%s: %s, not NTFS", v->where, tsk_fs_type_toname(fs->ftype));
  tsk_fs_close(fs);
}

/* An E01 in segments ends with a "done" section in its last segment file;
 * every other ends with "next" (the final 76-byte section descriptor,
 * whose first 16 bytes name the section).  libewf reads the chunks of a
 * missing or cut segment as zeros without complaint, so each segment TSK
 * opened is looked at.  Returns 0 when all are whole, else the number of
 * the first bad segment with *why set; *next_missing when it is the last
 * one TSK found and says another follows. */
static int ewf_bad_segment(const TSK_IMG_INFO *img, const char **why,
                           bool *next_missing) {
  if (img->itype != TSK_IMG_TYPE_EWF_EWF || img->num_img < 1 || !img->images)
    return 0;
  for (int i = 0; i < img->num_img; i++) {
    bool last = i == img->num_img - 1;
    sm_evidence_file f;
    sm_error err;
    if (sm_evidence_open(AT_FDCWD, (const char *)img->images[i], NULL, 0, &f,
                         &err) != SM_OK) {
      *why = "cannot be opened";
      return i + 1;
    }
    char head[8], tag[16] = {0};
    bool v1 = f.st.st_size > 76 &&
              pread(f.fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
              memcmp(head, "EVF\x09\x0d\x0a\xff\x00", 8) == 0;
    bool read = v1 && pread(f.fd, tag, sizeof tag, f.st.st_size - 76) ==
                          (ssize_t)sizeof tag;
    close(f.fd);
    if (!v1)
      continue; /* Ex01 and others: libewf's word is taken */
    if (last && read && strncmp(tag, "next", sizeof tag) == 0) {
      *next_missing = true;
      return i + 1;
    }
    if (!read || strncmp(tag, last ? "done" : "next", sizeof tag) != 0) {
      *why = "is truncated or damaged: it does not end with its closing "
             "section";
      return i + 1;
    }
  }
  return 0;
}

static void set_where(volume *v) {
  if (v->part >= 0)
    snprintf(v->where, sizeof v->where, "partition %ld (%s, offset %llu)",
             v->part, v->desc, (unsigned long long)v->offset);
  else
    snprintf(v->where, sizeof v->where, "the volume");
}

/* Every allocated partition of the table, or the image as one volume. */
static void walk_volumes(walk *w) {
  /* GPT first (its protective MBR also reads as a DOS table), then DOS;
   * not TSK's own detection, which leaks the DOS table it drops. */
  TSK_VS_INFO *vs = tsk_vs_open(w->img, 0, TSK_VS_TYPE_GPT);
  if (!vs) {
    tsk_error_reset();
    vs = tsk_vs_open(w->img, 0, TSK_VS_TYPE_DOS);
  }
  if (!vs) {
    tsk_error_reset();
    volume v = {.part = -1, .offset = 0, .desc = ""};
    set_where(&v);
    one_volume(w, &v);
    return;
  }
  for (TSK_PNUM_T i = 0; i < vs->part_count; i++) {
    const TSK_VS_PART_INFO *p = tsk_vs_part_get(vs, i);
    if (!p || !(p->flags & TSK_VS_PART_FLAG_ALLOC))
      continue;
    volume v = {.part = (long)p->addr,
                .offset = (uint64_t)p->start * vs->block_size,
                .desc = p->desc ? p->desc : ""};
    set_where(&v);
    uint64_t end = (uint64_t)(p->start + p->len) * vs->block_size;
    if (v.offset / vs->block_size != p->start ||
        end / vs->block_size != p->start + p->len ||
        end > (uint64_t)w->img->size) {
      emit_error(w, &v,
                 "%s: runs past the end of the image (%llu bytes): a "
                 "truncated image",
                 v.where, (unsigned long long)w->img->size);
      continue;
    }
    /* A flood of entries naming one volume (or more volumes than any
     * disk holds): each volume read once, at most MAX_VOLUMES read, and
     * what was left said as a result, never dropped. */
    bool seen = false;
    for (size_t k = 0; k < w->nstarts && !seen; k++)
      seen = w->starts[k] == v.offset;
    if (seen) {
      w->repeated++;
      continue;
    }
    if (w->nstarts == MAX_VOLUMES) {
      w->past_cap++;
      continue;
    }
    w->starts[w->nstarts++] = v.offset;
    one_volume(w, &v);
  }
  tsk_vs_close(vs);
  volume all = {.part = -1, .desc = ""};
  set_where(&all);
  if (w->repeated)
    emit_error(w, &all,
               "%u partition entries name a volume another entry names "
               "(the same start): each volume was read once",
               w->repeated);
  if (w->past_cap)
    emit_error(w, &all,
               "%u partitions past the first %d volumes were not read",
               w->past_cap, MAX_VOLUMES);
}

static sm_result walk_image(walk *w, sm_error *err);

sm_result sm_image_walk(const char *path, bool want_software, sm_image_fn fn,
                        void *ctx, sm_error *err) {
  walk w = {.path = path, .want_software = want_software, .fn = fn, .ctx = ctx};
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

static sm_result walk_image(walk *w, sm_error *err) {
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
  w->img = tsk_img_open_utf8_sing(path, type, 0);
  if (!w->img && sm_noatime_refused())
    return sm_error_set(err, SM_ERR_IO, "%s: cannot read the disk image: %s",
                        path, sm_noatime_refused());
  if (!w->img)
    return sm_error_set(err, SM_ERR_IO, "%s: cannot read the disk image: %s",
                        path, tsk_why());
  const char *bad_why = NULL;
  bool next_missing = false;
  int bad = ewf_bad_segment(w->img, &bad_why, &next_missing);
  if (bad) {
    int n = w->img->num_img;
    tsk_img_close(w->img);
    if (next_missing)
      return sm_error_set(err, SM_ERR_IO,
                          "%s: incomplete E01: segment %d is missing (segment "
                          "%d is not the last one)",
                          path, n + 1, n);
    return sm_error_set(err, SM_ERR_IO, "%s: damaged E01: segment %d %s", path,
                        bad, bad_why);
  }
  /* A segment missing from a split image: the image opens, but its end
   * cannot be read.  (libewf reads a missing E01 segment as zeros, and
   * leaks: that case is told apart first.) */
  char last[512];
  if (w->img->size < (TSK_OFF_T)sizeof last ||
      tsk_img_read(w->img, w->img->size - (TSK_OFF_T)sizeof last, last,
                   sizeof last) != (ssize_t)sizeof last) {
    const char *why = sm_noatime_refused() ? sm_noatime_refused() : tsk_why();
    tsk_img_close(w->img);
    return sm_error_set(err, SM_ERR_IO,
                        "%s: cannot read the disk image to its end "
                        "(truncated, or a segment missing?): %s",
                        path, why);
  }
  walk_volumes(w);
  tsk_img_close(w->img);
  if (w->emitted)
    return SM_OK;
  return sm_error_set(err, SM_ERR_NOT_FOUND,
                      "%s: no Windows volume in this disk image (%s)", path,
                      w->notes[0] ? w->notes : "no volume found");
}
