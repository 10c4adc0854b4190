/* E01 images read through libewf by smaudit itself and handed to The
 * Sleuth Kit as an external image (ext-image.h): libewf checks each chunk
 * it reads (its Adler-32, or its zlib stream) and keeps the chunks that
 * fail, which TSK's own E01 reader never tells.  A hive read through such
 * a chunk is blamed on the container, never called a corrupt hive. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tsk/libtsk.h>

#include "source/ewf-dl.h"
#include "source/tsk-dl.h"

#include "base/evidence.h"
#include "source/ext-image.h"
#include "source/image-walk.h"
#include "source/noatime.h"
#include "source/volume.h"

/* Damaged chunks met by the reads since the last look, at most this many
 * told apart (past them, counted). */
enum { MAX_HIT = 64 };

typedef struct sm_ewf {
  libewf_handle_t *handle;
  char **names; /* the segment files, as libewf_glob found them */
  int nnames;
  uint32_t bps; /* bytes per sector */
  struct {
    uint64_t start, count;
  } hit[MAX_HIT];
  size_t nhit;
  unsigned more; /* hits past MAX_HIT */
} sm_ewf;

/* libewf's error as one line, freed. */
static void ewf_why(libewf_error_t **e, char *why, size_t size) {
  if (!*e || libewf_error_sprint(*e, why, size) < 0)
    snprintf(why, size, "unknown error");
  for (char *p = why; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  libewf_error_free(e);
}

/* Remember each range of sectors libewf knows to fail its checksum that
 * the read of sectors [first, end) met: whoever asked for those bytes
 * (the walk for a hive, or the audit of a volume's files) is told, however
 * often the chunk is read, not only the first time libewf finds it. */
static void note_hits(sm_ewf *x, uint64_t first, uint64_t end) {
  uint32_t n = 0;
  libewf_error_t *e = NULL;
  if (libewf_handle_get_number_of_checksum_errors(x->handle, &n, &e) != 1) {
    libewf_error_free(&e);
    return;
  }
  for (uint32_t i = 0; i < n; i++) {
    uint64_t start = 0, count = 0;
    if (libewf_handle_get_checksum_error(x->handle, i, &start, &count, &e) !=
        1) {
      libewf_error_free(&e);
      continue;
    }
    if (count == 0 || start >= end || start + count <= first)
      continue;
    size_t k = 0;
    while (k < x->nhit &&
           (x->hit[k].start != start || x->hit[k].count != count))
      k++;
    if (k < x->nhit)
      continue;
    if (x->nhit == MAX_HIT) {
      x->more++;
      continue;
    }
    x->hit[x->nhit].start = start;
    x->hit[x->nhit++].count = count;
  }
}

static ssize_t ewf_read(void *ctx, uint64_t off, void *buf, size_t len,
                        char *why, size_t why_size) {
  sm_ewf *x = ctx;
  libewf_error_t *e = NULL;
  ssize_t r = libewf_handle_read_random(x->handle, buf, len, (off64_t)off, &e);
  if (r < 0)
    ewf_why(&e, why, why_size);
  else if (r > 0 && x->bps)
    note_hits(x, off / x->bps, (off + (uint64_t)r + x->bps - 1) / x->bps);
  return r;
}

static void ewf_close(void *ctx) {
  sm_ewf *x = ctx;
  libewf_error_t *e = NULL;
  if (x->handle) {
    libewf_handle_close(x->handle, &e);
    libewf_error_free(&e);
    libewf_handle_free(&x->handle, &e);
    libewf_error_free(&e);
  }
  if (x->names) {
    libewf_glob_free(x->names, x->nnames, &e);
    libewf_error_free(&e);
  }
  free(x);
}

static const sm_ext_image_ops ewf_ops = {ewf_read, ewf_close};

/* An E01 in segments ends with a "done" section in its last segment file;
 * every other ends with "next" (the final 76-byte section descriptor,
 * whose first 16 bytes name the section).  libewf reads the chunks of a
 * missing or cut segment as zeros without complaint, so each segment is
 * looked at.  Returns 0 when all are whole, else the number of the first
 * bad segment with *why set; *next_missing when it is the last one found
 * and says another follows; minus the number of the first that cannot be
 * opened, with *why its reason. */
static int bad_segment(char *const *names, int n, const char **why,
                       bool *next_missing) {
  for (int i = 0; i < n; i++) {
    bool last = i == n - 1;
    /* open() is the image files' evidence open here (noatime.c): one
     * name in the image's folder, no link followed, regular files only */
    sm_evidence_file f = {.fd = open(names[i], O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0 || fstat(f.fd, &f.st) != 0) {
      *why = sm_noatime_refused() ? sm_noatime_refused() : strerror(errno);
      if (f.fd >= 0)
        close(f.fd);
      return -(i + 1);
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

/* "cannot read the disk image: " and the first open the evidence rules
 * refused, or libewf's reason. */
static sm_result cannot_read(const char *path, libewf_error_t **e,
                             sm_error *err) {
  char why[512];
  ewf_why(e, why, sizeof why);
  const char *refused = sm_noatime_refused();
  return sm_error_set(err, SM_ERR_IO, "%s: cannot read the disk image: %s",
                      path, refused ? refused : why);
}

static sm_result open_handle(sm_walk *w, sm_ewf *x, sm_error *err) {
  libewf_error_t *e = NULL;
  if (libewf_glob(w->path, strlen(w->path), LIBEWF_FORMAT_UNKNOWN, &x->names,
                  &x->nnames, &e) != 1) {
    x->names = NULL;
    return cannot_read(w->path, &e, err);
  }
  const char *bad_why = NULL;
  bool next_missing = false;
  int bad = bad_segment(x->names, x->nnames, &bad_why, &next_missing);
  if (bad < 0)
    return sm_error_set(err, SM_ERR_IO, "%s: cannot read the disk image: %s",
                        w->path, bad_why);
  if (bad && next_missing)
    return sm_error_set(err, SM_ERR_IO,
                        "%s: incomplete E01: segment %d is missing (segment "
                        "%d is not the last one)",
                        w->path, x->nnames + 1, x->nnames);
  if (bad)
    return sm_error_set(err, SM_ERR_IO, "%s: damaged E01: segment %d %s",
                        w->path, bad, bad_why);
  if (libewf_handle_initialize(&x->handle, &e) != 1) {
    x->handle = NULL;
    return cannot_read(w->path, &e, err);
  }
  if (libewf_handle_open(x->handle, x->names, x->nnames, LIBEWF_OPEN_READ,
                         &e) != 1)
    return cannot_read(w->path, &e, err);
  return SM_OK;
}

sm_result sm_walk_open_ewf(sm_walk *w, sm_error *err) {
  const char *why = NULL;
  if (!sm_ewf_load(&why))
    return sm_error_set(err, SM_ERR_IO, "%s: E01 images need libewf: %s",
                        w->path, why);
  sm_ewf *x = calloc(1, sizeof *x);
  if (!x)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", w->path);
  sm_result r = open_handle(w, x, err);
  size64_t size = 0;
  uint32_t sector = 0;
  libewf_error_t *e = NULL;
  if (r == SM_OK &&
      (libewf_handle_get_media_size(x->handle, &size, &e) != 1 ||
       libewf_handle_get_bytes_per_sector(x->handle, &sector, &e) != 1))
    r = cannot_read(w->path, &e, err);
  if (r != SM_OK) {
    ewf_close(x);
    return r;
  }
  x->bps = sector;
  w->img = sm_ext_image_open(w->path, size, sector, &ewf_ops, x, err);
  if (!w->img)
    return SM_ERR_IO;
  w->ewf = x;
  return SM_OK;
}

bool sm_walk_ewf_damage(sm_walk *w, char *why, size_t size) {
  sm_ewf *x = w->ewf;
  if (!x || !x->nhit) /* not an E01 (libewf perhaps not loaded), or whole */
    return false;
  uint32_t bps = x->bps;
  unsigned shown = 0, more = x->more;
  size_t used = 0;
  why[0] = '\0';
  for (size_t i = 0; i < x->nhit; i++) {
    uint64_t start = x->hit[i].start, count = x->hit[i].count;
    if (shown == 3) {
      more++;
      continue;
    }
    shown++;
    int k = snprintf(why + used, size - used,
                     "%ssectors %llu to %llu (bytes %llu to %llu of the disk)",
                     used ? ", " : "", (unsigned long long)start,
                     (unsigned long long)(start + count - 1),
                     (unsigned long long)(start * bps),
                     (unsigned long long)((start + count) * bps - 1));
    if (k > 0 && (size_t)k < size - used)
      used += (size_t)k;
  }
  x->nhit = 0;
  x->more = 0;
  /* TSK's read cache may hold the damaged bytes: dropped, so that the next
   * reader of them comes here again and is told too; */
  for (size_t i = 0; i < TSK_IMG_INFO_CACHE_NUM; i++)
    w->img->cache_len[i] = 0;
  sm_volume_forget(w->volume); /* nor what the audit kept of the files */
  char list[512];
  snprintf(list, sizeof list, "%s", why);
  if (more)
    snprintf(why, size,
             "damaged E01: the chunks at %s and %u more fail their checksums",
             list, more);
  else
    snprintf(why, size, "damaged E01: the chunk%s at %s fail%s %s checksum%s",
             shown > 1 ? "s" : "", list, shown > 1 ? "" : "s",
             shown > 1 ? "their" : "its", shown > 1 ? "s" : "");
  return true;
}
