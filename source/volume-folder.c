/* A volume that is a folder on disk: a mounted Windows volume or a triage
 * tree (volume.h).  Each component is matched in any letter case, as
 * Windows does; symbolic links are not followed.  Times: a folder tells
 * what the mount shows: with ntfs-3g, the "system.ntfs_times" attribute
 * holds $STANDARD_INFORMATION's four times; otherwise statx's birth,
 * modification, change and access times stand for them, and $FILE_NAME's
 * are never visible. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/le.h"
#include "source/volume.h"

typedef struct folder_vol {
  sm_volume v;
  int root;
  char name[1024];
} folder_vol;

/* Open the entry of dirfd named want in any case (exact name first): its
 * descriptor; -1 when there is no such entry; -2 when there is one, or may
 * be, that cannot be opened (the folder unreadable, a symbolic link, not
 * followed, neither a file nor a folder), why set: no proof of absence. */
static int open_ci(int dirfd, const char *want, char *name, size_t size,
                   bool *is_dir, char *why, size_t why_size) {
  int fd = -1;
  struct stat st;
  char best[256] = "";
  int copy = dup(dirfd);
  DIR *d = copy >= 0 ? fdopendir(copy) : NULL;
  if (!d) {
    snprintf(why, why_size, "cannot list its folder: %s", strerror(errno));
    if (copy >= 0)
      close(copy);
    return -2;
  }
  rewinddir(d); /* the copy shares the offset of dirfd */
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcasecmp(e->d_name, want) != 0)
      continue;
    if (!best[0] || strcmp(e->d_name, want) == 0 ||
        (strcmp(best, want) != 0 && strcmp(e->d_name, best) < 0))
      snprintf(best, sizeof best, "%s", e->d_name);
  }
  closedir(d);
  if (!best[0])
    return -1;
  fd = openat(dirfd, best, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0 || fstat(fd, &st) != 0 ||
      (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))) {
    snprintf(why, why_size, "%s: %s", best,
             fd < 0 && errno == ELOOP ? "a symbolic link, not followed"
             : fd < 0                 ? strerror(errno)
                                      : "neither a file nor a folder");
    if (fd >= 0)
      close(fd);
    return -2;
  }
  *is_dir = S_ISDIR(st.st_mode);
  snprintf(name, size, "%s", best);
  return fd;
}

/* NTFS FILETIME (100 ns since 1601) as an sm_ftime. */
static sm_ftime from_filetime(uint64_t t) {
  const uint64_t epoch = 116444736000000000ull;
  if (t < epoch)
    return (sm_ftime){.set = t != 0, .sec = 0, .nsec = 0};
  t -= epoch;
  return (sm_ftime){.set = true, .sec = (int64_t)(t / 10000000u),
                    .nsec = (uint32_t)(t % 10000000u) * 100u};
}

static void times_of(int fd, sm_vfile *out) {
  unsigned char nt[32];
  if (fgetxattr(fd, "system.ntfs_times", nt, sizeof nt) == (ssize_t)sizeof nt) {
    out->si = (sm_ftimes){.known = true,
                          .created = from_filetime(sm_le64(nt)),
                          .modified = from_filetime(sm_le64(nt + 8)),
                          .accessed = from_filetime(sm_le64(nt + 16)),
                          .changed = from_filetime(sm_le64(nt + 24))};
    out->times_note = "a mounted folder (ntfs-3g): $FILE_NAME times not visible";
    return;
  }
  struct statx sx;
  if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &sx) != 0)
    return;
  out->si.known = true;
  out->si.created = (sm_ftime){.set = (sx.stx_mask & STATX_BTIME) != 0,
                               .sec = sx.stx_btime.tv_sec,
                               .nsec = sx.stx_btime.tv_nsec};
  out->si.modified = (sm_ftime){true, sx.stx_mtime.tv_sec, sx.stx_mtime.tv_nsec};
  out->si.changed = (sm_ftime){true, sx.stx_ctime.tv_sec, sx.stx_ctime.tv_nsec};
  out->si.accessed = (sm_ftime){true, sx.stx_atime.tv_sec, sx.stx_atime.tv_nsec};
  out->times_note = "a folder: the host file system's times, not NTFS's; "
                    "$FILE_NAME times not visible";
}

static void read_fd(int fd, size_t max, sm_vfile *out) {
  if (out->size > max) {
    snprintf(out->why, sizeof out->why, "%llu bytes, more than the %zu read",
             (unsigned long long)out->size, max);
    return;
  }
  out->data = malloc(out->size ? (size_t)out->size : 1);
  size_t done = 0;
  while (out->data && done < out->size) {
    ssize_t r = pread(fd, out->data + done, (size_t)out->size - done, (off_t)done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    done += (size_t)r;
  }
  if (!out->data || done < out->size) {
    snprintf(out->why, sizeof out->why, "cannot read it: %s",
             out->data ? "cut short or read error" : "out of memory");
    free(out->data);
    out->data = NULL;
    return;
  }
  out->len = done;
}

/* Walk path from the root: an open descriptor of its last component, -1
 * when some component is absent, -2 when one cannot be opened (why says
 * which, and why). */
static int walk(folder_vol *v, const char *path, char *found, size_t size,
                bool *is_dir, char *why, size_t why_size) {
  int at = dup(v->root);
  size_t used = 0;
  *is_dir = true;
  char comp[256], name[256];
  size_t n;
  if (at < 0) {
    snprintf(why, why_size, "%s", strerror(errno));
    return -2;
  }
  while (at >= 0 && (n = sm_path_next(&path, comp, sizeof comp)) != 0) {
    int next = -1;
    if (n != SIZE_MAX && *is_dir)
      next = open_ci(at, comp, name, sizeof name, is_dir, why, why_size);
    close(at);
    at = next;
    if (at >= 0 && found)
      used += (size_t)snprintf(found + used, used < size ? size - used : 0,
                               "\\%s", name);
  }
  return at;
}

static sm_result find(sm_volume *sv, const char *path, size_t max,
                      sm_vfile *out, sm_error *err) {
  folder_vol *v = (folder_vol *)sv;
  memset(out, 0, sizeof *out);
  bool is_dir;
  char why[600];
  int fd = walk(v, path, out->found, sizeof out->found, &is_dir, why,
                sizeof why);
  if (fd == -2) {
    out->found[0] = '\0';
    return sm_error_set(err, SM_ERR_IO, "%s: cannot be looked up: %s", path,
                        why);
  }
  if (fd < 0 || is_dir) {
    if (fd >= 0)
      close(fd);
    out->is_dir = fd >= 0;
    out->found[0] = '\0';
    return SM_OK;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return sm_error_set(err, SM_ERR_IO, "%s: %s", path, strerror(errno));
  }
  out->exists = true;
  out->size = (uint64_t)st.st_size;
  times_of(fd, out);
  read_fd(fd, max, out);
  close(fd);
  return SM_OK;
}

static bool each(sm_volume *sv, const char *dir, const char *suffix,
                 size_t max,
                 void (*fn)(void *ctx, const char *name,
                            const unsigned char *data, size_t len),
                 void *ctx) {
  folder_vol *v = (folder_vol *)sv;
  bool is_dir;
  char why[600];
  int fd = walk(v, dir, NULL, 0, &is_dir, why, sizeof why);
  if (fd == -1 || (fd >= 0 && !is_dir)) { /* no such folder */
    if (fd >= 0)
      close(fd);
    return true;
  }
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d) {
    if (fd >= 0)
      close(fd);
    return false;
  }
  rewinddir(d);
  size_t sl = strlen(suffix);
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t nl = strlen(e->d_name);
    if (nl < sl || strcasecmp(e->d_name + nl - sl, suffix) != 0)
      continue;
    int f = openat(dirfd(d), e->d_name,
                   O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    bool regular = e->d_type == DT_REG || e->d_type == DT_UNKNOWN;
    if (f >= 0 && fstat(f, &st) == 0) {
      sm_vfile vf = {.size = (uint64_t)st.st_size};
      if ((regular = S_ISREG(st.st_mode)))
        read_fd(f, max, &vf);
      if (regular)
        fn(ctx, e->d_name, vf.data, vf.len); /* data NULL: unreadable */
      free(vf.data);
    } else if (regular) {
      fn(ctx, e->d_name, NULL, 0); /* there, but cannot be opened */
    }
    if (f >= 0)
      close(f);
  }
  closedir(d);
  return true;
}

static void destroy(sm_volume *sv) {
  folder_vol *v = (folder_vol *)sv;
  close(v->root);
  free(v);
}

sm_volume *sm_volume_folder_open(const char *root) {
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  folder_vol *v = calloc(1, sizeof *v);
  if (!v) {
    close(fd);
    return NULL;
  }
  v->root = fd;
  snprintf(v->name, sizeof v->name, "%s", root);
  v->v = (sm_volume){.name = v->name,
                     .find = find,
                     .each = each,
                     .destroy = destroy,
                     .impl = v};
  return &v->v;
}

sm_volume *sm_volume_of_hive(const char *path) {
  /* The Windows folder is named at installation ("WINNT" on NT 4 and
   * 2000): any name above System32. */
  static const char *const tail[] = {"config", "system32", NULL};
  char *p = strdup(path);
  if (!p)
    return NULL;
  sm_volume *v = NULL;
  char *slash = strrchr(p, '/');
  for (int i = 0; i < 3; i++) {
    if (!slash)
      goto out; /* fewer folders than WINDIR/System32/config */
    *slash = '\0';
    slash = strrchr(p, '/');
    const char *comp = slash ? slash + 1 : p;
    if (tail[i] ? strcasecmp(comp, tail[i]) != 0 : !*comp)
      goto out;
  }
  if (slash) {
    *slash = '\0';
    v = sm_volume_folder_open(*p ? p : "/");
  } else {
    v = sm_volume_folder_open(".");
  }
out:
  free(p);
  return v;
}

size_t sm_path_next(const char **p, char *comp, size_t size) {
  while (**p == '\\' || **p == '/')
    (*p)++;
  size_t n = strcspn(*p, "\\/");
  if (n == 0)
    return 0;
  const char *at = *p;
  *p += n;
  if (n >= size)
    return SIZE_MAX;
  memcpy(comp, at, n);
  comp[n] = '\0';
  return n;
}

void sm_volume_forget(sm_volume *v) {
  if (v && v->cache_free && v->cache)
    v->cache_free(v->cache);
  if (v)
    v->cache = NULL;
  if (v && v->forget)
    v->forget(v);
}

void sm_volume_close(sm_volume *v) {
  if (!v)
    return;
  sm_volume_forget(v);
  if (v->destroy)
    v->destroy(v);
  else
    free(v->impl);
}
