/* The files of an NTFS volume inside a disk image (volume.h): looked up
 * through The Sleuth Kit's directory listings in any letter case (8.3
 * short names too, from each file's $FILE_NAME of the DOS namespace), with
 * both sets of NTFS times: TSK's crtime, mtime, ctime
 * and atime are $STANDARD_INFORMATION's, time2.ntfs the first
 * $FILE_NAME's. */
#include <config.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tsk/libtsk.h>

#include "base/le.h"
#include "source/image-walk.h"
#include "source/tsk-dl.h"

#include "source/image-vol.h"

/* The folders looked up lately, kept open: the files a hive names sit in
 * a few folders (System32 holds thousands of entries), and each lookup
 * reading and scanning the folder again was a cost per file in the size
 * of its folder, an 8.3 name's many times more (a file record read per
 * entry).  Each kept folder has its entries sorted by name, and, once an
 * 8.3 name is looked up in it, every entry's short name: a lookup is then
 * a binary search. */
enum { DIR_SLOTS = 8 };

typedef struct short_entry {
  char name[13]; /* lowercase, ASCII */
  size_t at;     /* the entry, in the folder's order */
} short_entry;

typedef struct dir_slot {
  TSK_INUM_T inum;
  TSK_FS_DIR *d; /* NULL: empty */
  const TSK_FS_NAME **sorted; /* allocated, named; by name in any case, then
                                 byte order */
  size_t n_sorted;
  short_entry *shorts; /* by name, then folder order; NULL: not read */
  size_t n_shorts;
  unsigned long used;
} dir_slot;

typedef struct tsk_vol {
  sm_volume v;
  TSK_FS_INFO *fs;
  char name[1200];
  dir_slot slots[DIR_SLOTS];
  unsigned long tick;
} tsk_vol;

static void slot_clear(dir_slot *s) {
  if (s->d)
    tsk_fs_dir_close(s->d);
  free(s->sorted);
  free(s->shorts);
  memset(s, 0, sizeof *s);
}

/* Forget the folders kept (the image's damaged bytes may be in them: the
 * next reader reads them again, and is told). */
static void forget_dirs(sm_volume *sv) {
  tsk_vol *v = (tsk_vol *)sv;
  for (int i = 0; i < DIR_SLOTS; i++)
    slot_clear(&v->slots[i]);
}

static int cmp_name(const void *x, const void *y) {
  const char *a = (*(const TSK_FS_NAME *const *)x)->name,
             *b = (*(const TSK_FS_NAME *const *)y)->name;
  int c = strcasecmp(a, b);
  return c ? c : strcmp(a, b);
}

static int cmp_short(const void *x, const void *y) {
  const short_entry *a = x, *b = y;
  int c = strcmp(a->name, b->name);
  return c ? c : (a->at > b->at) - (a->at < b->at);
}

/* Folder dir, kept: NULL when it cannot be read (why set) or out of
 * memory. */
static dir_slot *open_dir(tsk_vol *v, TSK_INUM_T dir, char *why,
                          size_t why_size) {
  dir_slot *s = &v->slots[0];
  for (int i = 0; i < DIR_SLOTS; i++) {
    if (v->slots[i].d && v->slots[i].inum == dir) {
      v->slots[i].used = ++v->tick;
      return &v->slots[i];
    }
    if (v->slots[i].used < s->used)
      s = &v->slots[i];
  }
  slot_clear(s);
  if (!(s->d = tsk_fs_dir_open_meta(v->fs, dir))) {
    snprintf(why, why_size, "%s", sm_tsk_why());
    return NULL;
  }
  size_t n = tsk_fs_dir_getsize(s->d);
  if (!(s->sorted = malloc((n ? n : 1) * sizeof *s->sorted))) {
    slot_clear(s);
    snprintf(why, why_size, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    const TSK_FS_NAME *e = tsk_fs_dir_get_name(s->d, i);
    if (e && e->name && (e->flags & TSK_FS_NAME_FLAG_ALLOC))
      s->sorted[s->n_sorted++] = e;
  }
  qsort(s->sorted, s->n_sorted, sizeof *s->sorted, cmp_name);
  s->inum = dir;
  s->used = ++v->tick;
  return s;
}

/* The 8.3 short name of file f in folder dir, lowercase, into out: a
 * $FILE_NAME of the DOS namespace (2) in its record whose parent is dir,
 * of ASCII only.  False when it has none. */
static bool short_name_of(TSK_FS_FILE *f, TSK_INUM_T dir, char out[13]) {
  int n = tsk_fs_file_attr_getsize(f);
  for (int i = 0; i < n && i < 64; i++) {
    const TSK_FS_ATTR *a = tsk_fs_file_attr_get_idx(f, i);
    if (!a || a->type != TSK_FS_ATTR_TYPE_NTFS_FNAME ||
        !(a->flags & TSK_FS_ATTR_RES) || !a->rd.buf || a->rd.buf_size < 0x42)
      continue;
    const unsigned char *b = a->rd.buf;
    size_t len = b[0x40];
    uint64_t parent = sm_le64(b) & 0xffffffffffffull;
    if (b[0x41] != 2 || len == 0 || len > 12 || parent != dir ||
        0x42 + 2 * len > (size_t)a->rd.buf_size)
      continue;
    bool ascii = true;
    for (size_t k = 0; k < len && ascii; k++) {
      unsigned c = sm_le16(b + 0x42 + 2 * k);
      ascii = c != 0 && c < 0x80;
      out[k] = (char)tolower((int)c);
    }
    out[len] = '\0';
    if (ascii)
      return true;
  }
  return false;
}

/* The short names of the entries of s, read once (a record per entry).
 * False on NOMEM. */
static bool read_shorts(TSK_FS_INFO *fs, dir_slot *s) {
  size_t n = tsk_fs_dir_getsize(s->d);
  if (!(s->shorts = malloc((n ? n : 1) * sizeof *s->shorts)))
    return false;
  for (size_t i = 0; i < n; i++) {
    const TSK_FS_NAME *e = tsk_fs_dir_get_name(s->d, i);
    if (!e || !e->name || !(e->flags & TSK_FS_NAME_FLAG_ALLOC))
      continue;
    TSK_FS_FILE *f = tsk_fs_file_open_meta(fs, NULL, e->meta_addr);
    if (f && short_name_of(f, s->inum, s->shorts[s->n_shorts].name))
      s->shorts[s->n_shorts++].at = i;
    if (f)
      tsk_fs_file_close(f);
    tsk_error_reset();
  }
  qsort(s->shorts, s->n_shorts, sizeof *s->shorts, cmp_short);
  return true;
}

/* The entry of dir named want (any case; the first in byte order; or the
 * first in the folder whose short name it is): its address, type and
 * stored name.  1 found, 0 no such entry, -1 the folder cannot be read
 * (why set): that is no proof that the entry is absent. */
static int entry(tsk_vol *v, TSK_INUM_T dir, const char *want,
                 TSK_INUM_T *inum, TSK_FS_NAME_TYPE_ENUM *type, char *name,
                 size_t size, char *why, size_t why_size) {
  dir_slot *s = open_dir(v, dir, why, why_size);
  if (!s)
    return -1;
  const TSK_FS_NAME *hit = NULL;
  size_t lo = 0, hi = s->n_sorted;
  while (lo < hi) { /* the first not below want, in any case */
    size_t mid = lo + (hi - lo) / 2;
    if (strcasecmp(s->sorted[mid]->name, want) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < s->n_sorted && strcasecmp(s->sorted[lo]->name, want) == 0)
    hit = s->sorted[lo];
  size_t wl = strlen(want);
  if (!hit && strchr(want, '~') && wl <= 12) {
    if (!s->shorts && !read_shorts(v->fs, s)) {
      snprintf(why, why_size, "out of memory");
      return -1;
    }
    short_entry key = {.at = 0};
    for (size_t k = 0; k <= wl; k++)
      key.name[k] = (char)tolower((unsigned char)want[k]);
    lo = 0, hi = s->n_shorts;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (cmp_short(&s->shorts[mid], &key) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo < s->n_shorts && strcmp(s->shorts[lo].name, key.name) == 0)
      hit = tsk_fs_dir_get_name(s->d, s->shorts[lo].at);
  }
  if (!hit)
    return 0;
  *inum = hit->meta_addr;
  *type = hit->type;
  snprintf(name, size, "%s", hit->name);
  return 1;
}

static sm_ftime ft(time_t s, uint32_t ns) {
  return (sm_ftime){.set = s != 0 || ns != 0, .sec = (int64_t)s, .nsec = ns};
}

static void times_of(const TSK_FS_META *m, sm_vfile *out) {
  out->si = (sm_ftimes){.known = true,
                        .created = ft(m->crtime, m->crtime_nano),
                        .modified = ft(m->mtime, m->mtime_nano),
                        .changed = ft(m->ctime, m->ctime_nano),
                        .accessed = ft(m->atime, m->atime_nano)};
  out->fn = (sm_ftimes){
      .known = true,
      .created = ft(m->time2.ntfs.fn_crtime, (uint32_t)m->time2.ntfs.fn_crtime_nano),
      .modified = ft(m->time2.ntfs.fn_mtime, (uint32_t)m->time2.ntfs.fn_mtime_nano),
      .changed = ft(m->time2.ntfs.fn_ctime, (uint32_t)m->time2.ntfs.fn_ctime_nano),
      .accessed = ft(m->time2.ntfs.fn_atime, (uint32_t)m->time2.ntfs.fn_atime_nano)};
  out->fn.known = out->fn.created.set || out->fn.modified.set;
  if (!out->fn.known)
    out->times_note = "no $FILE_NAME times in the file record";
}

static void read_whole(TSK_FS_FILE *f, size_t max, sm_vfile *out) {
  if (out->size > max) {
    snprintf(out->why, sizeof out->why, "%llu bytes, more than the %zu read",
             (unsigned long long)out->size, max);
    return;
  }
  out->data = malloc(out->size ? (size_t)out->size : 1);
  if (!out->data) {
    snprintf(out->why, sizeof out->why, "cannot hold %llu bytes",
             (unsigned long long)out->size);
    return;
  }
  for (size_t done = 0; done < out->size;) {
    size_t want = out->size - done < (8u << 20) ? (size_t)out->size - done
                                                : (size_t)8 << 20;
    ssize_t r = tsk_fs_file_read(f, (TSK_OFF_T)done, (char *)out->data + done,
                                 want, TSK_FS_FILE_READ_FLAG_NONE);
    if (r <= 0) {
      snprintf(out->why, sizeof out->why, "read error at byte %zu", done);
      tsk_error_reset();
      free(out->data);
      out->data = NULL;
      return;
    }
    done += (size_t)r;
  }
  out->len = (size_t)out->size;
}

/* Walk path from the root: the address and type of its last component,
 * and (found, when not NULL) its stored spelling.  1 found; 0 when some
 * component is absent, or the path is too long; -1 when a folder on the
 * way cannot be read (err says which, and why). */
static int walk(tsk_vol *v, const char *path, TSK_INUM_T *at,
                TSK_FS_NAME_TYPE_ENUM *type, char *found, size_t size,
                sm_error *err) {
  char comp[256], name[256], dir[1024] = "", why[256];
  size_t used = 0, n;
  *at = v->fs->root_inum;
  *type = TSK_FS_NAME_TYPE_DIR;
  while ((n = sm_path_next(&path, comp, sizeof comp)) != 0) {
    if (n == SIZE_MAX || *type != TSK_FS_NAME_TYPE_DIR)
      return 0;
    int e = entry(v, *at, comp, at, type, name, sizeof name, why,
                  sizeof why);
    if (e < 0) {
      sm_error_set(err, SM_ERR_IO, "%s: folder \\%s cannot be read: %s",
                   v->name, dir, why);
      return -1;
    }
    if (e == 0)
      return 0;
    size_t dl = strlen(dir);
    snprintf(dir + dl, sizeof dir - dl, "%s%s", dl ? "\\" : "", name);
    if (found)
      used += (size_t)snprintf(found + used, used < size ? size - used : 0,
                               "\\%s", name);
  }
  return !found || used < size;
}

static sm_result find(sm_volume *sv, const char *path, size_t max,
                      sm_vfile *out, sm_error *err) {
  tsk_vol *v = (tsk_vol *)sv;
  memset(out, 0, sizeof *out);
  TSK_INUM_T at;
  TSK_FS_NAME_TYPE_ENUM type;
  int w = walk(v, path, &at, &type, out->found, sizeof out->found, err);
  if (w <= 0) {
    out->found[0] = '\0';
    return w < 0 ? SM_ERR_IO : SM_OK; /* unreadable, or no such file */
  }
  if (type != TSK_FS_NAME_TYPE_REG) {
    out->is_dir = type == TSK_FS_NAME_TYPE_DIR;
    return SM_OK;
  }
  TSK_FS_FILE *f = tsk_fs_file_open_meta(v->fs, NULL, at);
  if (!f || !f->meta) {
    snprintf(out->why, sizeof out->why, "cannot open its file record");
    tsk_error_reset();
    out->exists = true;
    if (f)
      tsk_fs_file_close(f);
    return SM_OK;
  }
  out->exists = true;
  out->size = f->meta->size > 0 ? (uint64_t)f->meta->size : 0;
  times_of(f->meta, out);
  read_whole(f, max, out);
  tsk_fs_file_close(f);
  return SM_OK;
}

static bool each(sm_volume *sv, const char *dir, const char *suffix,
                 size_t max,
                 void (*fn)(void *ctx, const char *name,
                            const unsigned char *data, size_t len),
                 void *ctx) {
  tsk_vol *v = (tsk_vol *)sv;
  TSK_INUM_T at;
  TSK_FS_NAME_TYPE_ENUM type;
  sm_error err;
  int w = walk(v, dir, &at, &type, NULL, 0, &err);
  if (w <= 0 || type != TSK_FS_NAME_TYPE_DIR)
    return w == 0 || (w > 0 && type != TSK_FS_NAME_TYPE_DIR); /* absent */
  TSK_FS_DIR *d = tsk_fs_dir_open_meta(v->fs, at);
  if (!d) {
    tsk_error_reset();
    return false;
  }
  size_t sl = strlen(suffix);
  for (size_t i = 0; i < tsk_fs_dir_getsize(d); i++) {
    const TSK_FS_NAME *n = tsk_fs_dir_get_name(d, i);
    size_t nl = n && n->name ? strlen(n->name) : 0;
    if (!n || !(n->flags & TSK_FS_NAME_FLAG_ALLOC) ||
        n->type != TSK_FS_NAME_TYPE_REG || nl < sl ||
        strcasecmp(n->name + nl - sl, suffix) != 0)
      continue;
    TSK_FS_FILE *f = tsk_fs_file_open_meta(v->fs, NULL, n->meta_addr);
    sm_vfile vf = {0};
    if (f && f->meta && f->meta->size >= 0) {
      vf.size = (uint64_t)f->meta->size;
      read_whole(f, max, &vf);
    }
    fn(ctx, n->name, vf.data, vf.len); /* data NULL: unreadable */
    free(vf.data);
    if (f)
      tsk_fs_file_close(f);
    tsk_error_reset();
  }
  tsk_fs_dir_close(d);
  return true;
}

static void destroy(sm_volume *sv) {
  forget_dirs(sv);
  free(sv->impl);
}

sm_volume *sm_image_volume_new(TSK_FS_INFO *fs, const char *name) {
  tsk_vol *v = calloc(1, sizeof *v);
  if (!v)
    return NULL;
  v->fs = fs;
  snprintf(v->name, sizeof v->name, "%s", name);
  v->v = (sm_volume){.name = v->name,
                     .find = find,
                     .each = each,
                     .forget = forget_dirs,
                     .destroy = destroy,
                     .impl = v};
  return &v->v;
}
