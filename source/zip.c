/* Velociraptor collections kept as zip files (zip.h). */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/dl.h"
#include "base/evidence.h"
#include "source/discover.h"
#include "source/zip.h"

/* libarchive, loaded when the first zip is met. */
#define SM_ARCHIVE_FUNCTIONS(X)                                                \
  X(archive_read_new)                                                          \
  X(archive_read_support_format_zip)                                           \
  X(archive_read_open_fd)                                                      \
  X(archive_read_next_header)                                                  \
  X(archive_read_data)                                                         \
  X(archive_read_free)                                                         \
  X(archive_error_string)                                                      \
  X(archive_entry_pathname)                                                    \
  X(archive_entry_filetype)

static struct {
#define SM_ARCHIVE_FIELD(f) __typeof__(&f) f;
  SM_ARCHIVE_FUNCTIONS(SM_ARCHIVE_FIELD)
#undef SM_ARCHIVE_FIELD
} la;

static bool load(const char **why) {
  static sm_dl dl;
#define SM_ARCHIVE_NAME(f) #f,
  static const char *const names[] = {SM_ARCHIVE_FUNCTIONS(SM_ARCHIVE_NAME)};
#undef SM_ARCHIVE_NAME
  return sm_dl_load(&dl, SM_ARCHIVE_SONAME, names, (void **)&la,
                    sizeof names / sizeof names[0], why);
}

bool sm_zip_sniff(const char *path) {
  sm_evidence_file ev;
  sm_error err = {0};
  unsigned char b[4];
  if (sm_evidence_open(AT_FDCWD, path, NULL, 0, &ev, &err) != SM_OK)
    return false;
  bool zip = ev.st.st_size >= 22 &&
             sm_read_full(ev.fd, b, sizeof b, 0, NULL, &err) == SM_OK &&
             memcmp(b, "PK\3\4", 4) == 0;
  close(ev.fd);
  return zip;
}

/* The names taken below uploads/<accessor>/<volume>/: a volume's hives. */
static bool wanted(char *const *c, size_t n) {
  static const char *const hives[] = {
      "SYSTEM",   "SYSTEM.LOG",    "SYSTEM.LOG1",  "SYSTEM.LOG2",
      "SOFTWARE", "SOFTWARE.LOG1", "SOFTWARE.LOG2"};
  if (n != 7 && n != 8)
    return false;
  if (strcmp(c[0], "uploads") != 0 || strcasecmp(c[3], "Windows") != 0 ||
      strcasecmp(c[4], "System32") != 0 || strcasecmp(c[5], "config") != 0 ||
      (n == 8 && strcasecmp(c[6], "RegBack") != 0))
    return false;
  for (size_t i = 0; i < sizeof hives / sizeof hives[0]; i++)
    if (strcasecmp(c[n - 1], hives[i]) == 0)
      return true;
  return false;
}

typedef struct job {
  const char *zip;
  char *dir; /* the private folder */
  int dfd;
  struct archive *a;
  char *err;
  size_t err_n;
  char *notes;
  size_t notes_len;
  char **ambiguous; /* volumes (uploads/ACCESSOR/VOLUME) holding a name
                       twice with different contents */
  size_t n_ambiguous;
  unsigned files;
  long long total, limit; /* bytes written, and the most allowed */
} job;

static bool fail(job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool fail(job *j, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(j->err, j->err_n, "%s: %s", j->zip, msg);
  return false;
}

static void note(job *j, const char *name, const char *why) {
  char *m = NULL;
  int len = asprintf(&m, "%s: entry %s %s\n", j->zip, name, why);
  if (len < 0)
    return;
  char *v = realloc(j->notes, j->notes_len + (size_t)len + 1);
  if (v) {
    memcpy(v + j->notes_len, m, (size_t)len + 1);
    j->notes = v;
    j->notes_len += (size_t)len;
  }
  free(m);
}

/* The folders of c[0..n-1) below the private folder, made as needed: the
 * fd of the last, or -1. */
static int make_dirs(job *j, char *const *c, size_t n) {
  int fd = dup(j->dfd);
  for (size_t i = 0; fd >= 0 && i + 1 < n; i++) {
    if (mkdirat(fd, c[i], 0700) != 0 && errno != EEXIST) {
      close(fd);
      return -1;
    }
    int next = openat(fd, c[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(fd);
    fd = next;
  }
  return fd;
}

/* Copy the current entry's data to fd, bounded as it is written. */
static bool copy_data(job *j, int fd, const char *name) {
  static char buf[1 << 16];
  long long size = 0;
  for (;;) {
    la_ssize_t r = la.archive_read_data(j->a, buf, sizeof buf);
    if (r == 0)
      return true;
    if (r < 0)
      return fail(j, "entry %s: %s", name, la.archive_error_string(j->a));
    size += r;
    j->total += r;
    if (size > SM_ZIP_MAX_FILE)
      return fail(j, "entry %s: more than %lld bytes once decompressed (a "
                     "zip bomb?); not read",
                  name, SM_ZIP_MAX_FILE);
    if (j->total > j->limit)
      return fail(j, "more than %lld bytes of hives once decompressed (a zip "
                     "bomb?); not read",
                  j->limit);
    for (la_ssize_t done = 0; done < r;) {
      ssize_t w = write(fd, buf + done, (size_t)(r - done));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return fail(j, "writing its hives to %s: %s", j->dir,
                    w < 0 ? strerror(errno) : "no space");
      done += w;
    }
  }
}

/* The current entry's data against the file fd, bounded as copy_data:
 * 1 the same bytes, 0 not, -1 failed (j->err set). */
static int same_data(job *j, int fd, const char *name) {
  static char buf[1 << 16], had[1 << 16];
  long long size = 0;
  int same = 1;
  for (;;) {
    la_ssize_t r = la.archive_read_data(j->a, buf, sizeof buf);
    if (r < 0) {
      fail(j, "entry %s: %s", name, la.archive_error_string(j->a));
      return -1;
    }
    if (r == 0)
      return same && pread(fd, had, 1, size) == 0;
    j->total += r;
    if (j->total > j->limit) {
      fail(j, "more than %lld bytes of hives once decompressed (a zip "
              "bomb?); not read",
           j->limit);
      return -1;
    }
    if (same) {
      ssize_t got = pread(fd, had, (size_t)r, size);
      same = got == r && memcmp(buf, had, (size_t)r) == 0;
    }
    size += r;
    if (size > SM_ZIP_MAX_FILE)
      return 0; /* longer than any copy taken: not the same */
  }
}

/* The entry c[0..n) appears twice: the same bytes are one file; different
 * ones make its volume's hives ambiguous evidence (sm_discover_zip). */
static bool twice(job *j, int dfd, char *const *c, size_t n,
                  const char *name) {
  int fd = openat(dfd, c[n - 1], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return fail(j, "reading its hives in %s: %s", j->dir, strerror(errno));
  int same = same_data(j, fd, name);
  close(fd);
  if (same < 0)
    return false;
  if (same) {
    note(j, name, "appears twice, with the same bytes: taken once");
    return true;
  }
  note(j, name, "appears twice, with different contents: which is the "
                "evidence cannot be told; the hives of its volume are not "
                "audited");
  char *v = NULL;
  if (asprintf(&v, "%s/%s/%s/", c[0], c[1], c[2]) < 0)
    return fail(j, "out of memory");
  char **a = realloc(j->ambiguous, (j->n_ambiguous + 1) * sizeof *a);
  if (!a) {
    free(v);
    return fail(j, "out of memory");
  }
  j->ambiguous = a;
  j->ambiguous[j->n_ambiguous++] = v;
  return true;
}

/* Take the entry named name when it is a hive of a volume. */
static bool take(job *j, const char *name) {
  char *copy = strdup(name), *c[9];
  size_t n = 0;
  bool ok = true, bad = name[0] == '/';
  if (!copy)
    return fail(j, "out of memory");
  for (char *p = copy, *s; !bad && p; p = s) {
    s = strchr(p, '/');
    if (s)
      *s++ = '\0';
    if (!s && !*p)
      break; /* a folder's trailing slash */
    bad = !*p || !strcmp(p, ".") || !strcmp(p, "..");
    if (n < 9)
      c[n] = p;
    n++;
  }
  if (bad) {
    note(j, name, "refused: its name would leave its place");
  } else if (n <= 8 && wanted(c, n)) {
    int dfd = make_dirs(j, c, n), fd = -1;
    if (dfd >= 0)
      fd = openat(dfd, c[n - 1],
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
      ok = twice(j, dfd, c, n, name);
    } else if (fd < 0) {
      ok = fail(j, "writing its hives to %s: %s", j->dir, strerror(errno));
    } else if (++j->files > SM_ZIP_MAX_FILES) {
      ok = fail(j, "more than %u hives; not read", SM_ZIP_MAX_FILES);
    } else {
      ok = copy_data(j, fd, name);
    }
    if (fd >= 0 && close(fd) != 0 && ok)
      ok = fail(j, "writing its hives to %s: %s", j->dir, strerror(errno));
    if (dfd >= 0)
      close(dfd);
  }
  free(copy);
  return ok;
}

static bool read_zip(job *j, int fd) {
  const char *why = NULL;
  if (!load(&why))
    return fail(j, "a zip file, but libarchive cannot be loaded (%s); "
                   "install libarchive13",
                why);
  if (!(j->a = la.archive_read_new()))
    return fail(j, "out of memory");
  la.archive_read_support_format_zip(j->a);
  if (la.archive_read_open_fd(j->a, fd, 1 << 16) != ARCHIVE_OK)
    return fail(j, "not a readable zip: %s", la.archive_error_string(j->a));
  struct archive_entry *e;
  for (unsigned n = 0;; n++) {
    int r = la.archive_read_next_header(j->a, &e);
    if (r == ARCHIVE_EOF)
      return true;
    if (r < ARCHIVE_WARN)
      return fail(j, "not a readable zip: %s",
                  la.archive_error_string(j->a));
    if (n >= SM_ZIP_MAX_ENTRIES)
      return fail(j, "more than %u entries; not read", SM_ZIP_MAX_ENTRIES);
    const char *name = la.archive_entry_pathname(e);
    if (name && la.archive_entry_filetype(e) == AE_IFREG && !take(j, name))
      return false;
  }
}

void sm_zip_remove(const char *dir) {
  if (!dir)
    return;
  sm_cleanup_remove(dir);
  sm_cleanup_release(dir);
}

static void free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

char *sm_zip_extract(const char *path, char *err, size_t n, char **notes,
                     char ***ambiguous, size_t *n_ambiguous) {
  job j = {.zip = path, .dfd = -1, .err = err, .err_n = n};
  sm_evidence_file ev = {.fd = -1};
  sm_error e = {0};
  const char *tmp = getenv("TMPDIR");
  bool ok = false;
  *notes = NULL;
  *ambiguous = NULL;
  *n_ambiguous = 0;
  if (sm_evidence_open(AT_FDCWD, path, NULL, 0, &ev, &e) != SM_OK) {
    snprintf(err, n, "%s", e.msg);
    return NULL;
  }
  if (asprintf(&j.dir, "%s/smaudit-zip.XXXXXX", tmp && *tmp ? tmp : "/tmp") <
      0) {
    j.dir = NULL;
    fail(&j, "out of memory");
  } else if (!mkdtemp(j.dir)) {
    fail(&j, "cannot make a private folder for its hives: %s",
         strerror(errno));
    free(j.dir);
    j.dir = NULL;
  } else if (!sm_cleanup_hold(j.dir)) {
    /* held until removed: a signal that ends the run removes it too */
    fail(&j, "out of memory");
    rmdir(j.dir);
    free(j.dir);
    j.dir = NULL;
  } else if ((j.dfd = open(j.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
    fail(&j, "%s: %s", j.dir, strerror(errno));
  } else {
    /* Hives compress well, but not without end: a zip bomb's ratio is
     * stopped long before the total bound. */
    j.limit = (long long)ev.st.st_size * SM_ZIP_MAX_RATIO;
    if (j.limit < SM_ZIP_MIN_LIMIT)
      j.limit = SM_ZIP_MIN_LIMIT;
    if (j.limit > SM_ZIP_MAX_TOTAL)
      j.limit = SM_ZIP_MAX_TOTAL;
    ok = read_zip(&j, ev.fd);
  }
  if (j.a)
    la.archive_read_free(j.a);
  if (j.dfd >= 0)
    close(j.dfd);
  close(ev.fd);
  if (!ok) {
    sm_zip_remove(j.dir);
    free(j.dir);
    free(j.notes);
    free_list(j.ambiguous, j.n_ambiguous);
    return NULL;
  }
  *notes = j.notes;
  *ambiguous = j.ambiguous;
  *n_ambiguous = j.n_ambiguous;
  return j.dir;
}

/* "ZIP:rest" for a name below dir (the private folder), in place. */
static bool rename_below(char **s, const char *dir, const char *zip) {
  size_t len = strlen(dir);
  if (!*s || strncmp(*s, dir, len) != 0)
    return true;
  const char *rest = *s + len;
  while (*rest == '/')
    rest++;
  char *v = NULL;
  if (asprintf(&v, "%s:%s", zip, rest) < 0)
    return false;
  free(*s);
  *s = v;
  return true;
}

/* The entries from..l->n, found in dir, named as in the zip; read by
 * path (the private folder is smaudit's own). */
static bool rename_found(sm_found_list *l, size_t from, const char *dir,
                         const char *zip) {
  bool ok = true;
  for (size_t i = from; i < l->n; i++) {
    sm_found *f = &l->v[i];
    f->held = false;
    ok = ok && rename_below(&f->target, dir, zip) &&
         rename_below(&f->volume, dir, zip) &&
         rename_below(&f->live, dir, zip) &&
         rename_below(&f->regback, dir, zip);
    f->rel = strlen(zip) + 1;
  }
  return ok;
}

/* The hives of entries from..l->n found in the volume folder vol of dir
 * (a name of the zip appears there twice with different contents): errors,
 * not audited. */
static bool refuse_volume(sm_found_list *l, size_t from, const char *dir,
                          const char *zip, const char *vol) {
  size_t dl = strlen(dir), vl = strlen(vol);
  for (size_t i = from; i < l->n; i++) {
    sm_found *f = &l->v[i];
    const char *p = f->path ? f->path : f->target;
    if (f->error || !p || strncmp(p, dir, dl) != 0 || p[dl] != '/' ||
        strncmp(p + dl + 1, vol, vl) != 0)
      continue;
    if (asprintf(&f->error,
                 "%s:%s: a name of this volume appears twice in the zip with "
                 "different contents: which is the evidence cannot be told; "
                 "not audited",
                 zip, p + dl + 1) < 0) {
      f->error = NULL;
      return false;
    }
  }
  return true;
}

bool sm_discover_zip(const char *target, sm_found_list *l) {
  char err[1024], *notes = NULL, **amb;
  size_t n_amb;
  char *dir =
      sm_zip_extract(target, err, sizeof err, &notes, &amb, &n_amb);
  for (char *p = notes, *nl; p && *p; p = nl + 1) {
    if (!(nl = strchr(p, '\n')))
      break;
    *nl = '\0';
    sm_found_note(l, "%s", p);
  }
  free(notes);
  if (!dir)
    return sm_found_add(l, target, NULL, NULL, NULL, err, SM_ROLE_SYSTEM);
  char **v = realloc(l->tmpdirs, (l->n_tmpdirs + 1) * sizeof *v);
  if (!v) {
    sm_zip_remove(dir);
    free(dir);
    return false;
  }
  l->tmpdirs = v;
  l->tmpdirs[l->n_tmpdirs++] = dir;
  size_t before = l->n;
  bool ok = sm_discover(dir, false, l);
  for (size_t i = 0; ok && i < n_amb; i++)
    ok = refuse_volume(l, before, dir, target, amb[i]);
  free_list(amb, n_amb);
  if (ok && l->n == before + 1 && l->v[before].error) {
    /* Nothing of a collection in it: said of the zip. */
    snprintf(err, sizeof err,
             "%s: a zip file, but no collection's SYSTEM hive in it "
             "(uploads/ACCESSOR/VOLUME/Windows/System32/config/SYSTEM)",
             target);
    free(l->v[before].error);
    l->v[before].error = strdup(err);
    ok = l->v[before].error != NULL;
  }
  return ok && rename_found(l, before, dir, target);
}
