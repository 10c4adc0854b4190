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

typedef struct tsk_vol {
  sm_volume v;
  TSK_FS_INFO *fs;
  char name[1200];
} tsk_vol;

/* Whether file f has the 8.3 short name want (any case): a $FILE_NAME
 * of the DOS namespace (2) in its record, whose parent is dir. */
static bool has_short_name(TSK_FS_FILE *f, TSK_INUM_T dir, const char *want) {
  size_t wl = strlen(want);
  int n = tsk_fs_file_attr_getsize(f);
  for (int i = 0; i < n && i < 64; i++) {
    const TSK_FS_ATTR *a = tsk_fs_file_attr_get_idx(f, i);
    if (!a || a->type != TSK_FS_ATTR_TYPE_NTFS_FNAME ||
        !(a->flags & TSK_FS_ATTR_RES) || !a->rd.buf || a->rd.buf_size < 0x42)
      continue;
    const unsigned char *b = a->rd.buf;
    size_t len = b[0x40];
    uint64_t parent = sm_le64(b) & 0xffffffffffffull;
    if (b[0x41] != 2 || len != wl || parent != dir ||
        0x42 + 2 * len > a->rd.buf_size)
      continue;
    bool same = true;
    for (size_t k = 0; k < len && same; k++) {
      unsigned c = sm_le16(b + 0x42 + 2 * k);
      same = c < 0x80 && tolower((int)c) == tolower((unsigned char)want[k]);
    }
    if (same)
      return true;
  }
  return false;
}

/* The entry of d whose 8.3 short name is want.  The Sleuth Kit lists the
 * long names only; each entry's record is read for its short one, so only
 * for a name that looks short and matched no entry. */
static bool short_entry(TSK_FS_INFO *fs, TSK_FS_DIR *d, TSK_INUM_T dir,
                        const char *want, TSK_INUM_T *inum,
                        TSK_FS_NAME_TYPE_ENUM *type, char *name, size_t size) {
  for (size_t i = 0; i < tsk_fs_dir_getsize(d); i++) {
    const TSK_FS_NAME *n = tsk_fs_dir_get_name(d, i);
    if (!n || !n->name || !(n->flags & TSK_FS_NAME_FLAG_ALLOC))
      continue;
    TSK_FS_FILE *f = tsk_fs_file_open_meta(fs, NULL, n->meta_addr);
    bool hit = f && has_short_name(f, dir, want);
    if (f)
      tsk_fs_file_close(f);
    tsk_error_reset();
    if (hit) {
      *inum = n->meta_addr;
      *type = n->type;
      snprintf(name, size, "%s", n->name);
      return true;
    }
  }
  return false;
}

/* The entry of dir named want (any case; the first in byte order; or the
 * file whose short name it is): its address, type and stored name.  1
 * found, 0 no such entry, -1 the folder cannot be read (why set): that is
 * no proof that the entry is absent. */
static int entry(TSK_FS_INFO *fs, TSK_INUM_T dir, const char *want,
                 TSK_INUM_T *inum, TSK_FS_NAME_TYPE_ENUM *type, char *name,
                 size_t size, char *why, size_t why_size) {
  TSK_FS_DIR *d = tsk_fs_dir_open_meta(fs, dir);
  if (!d) {
    snprintf(why, why_size, "%s", sm_tsk_why());
    return -1;
  }
  bool found = false;
  for (size_t i = 0; i < tsk_fs_dir_getsize(d); i++) {
    const TSK_FS_NAME *n = tsk_fs_dir_get_name(d, i);
    if (!n || !n->name || !(n->flags & TSK_FS_NAME_FLAG_ALLOC) ||
        strcasecmp(n->name, want) != 0 || (found && strcmp(n->name, name) >= 0))
      continue;
    *inum = n->meta_addr;
    *type = n->type;
    snprintf(name, size, "%s", n->name);
    found = true;
  }
  if (!found && strchr(want, '~'))
    found = short_entry(fs, d, dir, want, inum, type, name, size);
  tsk_fs_dir_close(d);
  return found ? 1 : 0;
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
    int e = entry(v->fs, *at, comp, at, type, name, sizeof name, why,
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

sm_volume *sm_image_volume_new(TSK_FS_INFO *fs, const char *name) {
  tsk_vol *v = calloc(1, sizeof *v);
  if (!v)
    return NULL;
  v->fs = fs;
  snprintf(v->name, sizeof v->name, "%s", name);
  v->v = (sm_volume){.name = v->name, .find = find, .each = each, .impl = v};
  return &v->v;
}
