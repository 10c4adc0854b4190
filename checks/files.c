/* The files behind the findings and the boot plan (files.h): each found in
 * the volume and described once, kept with the volume by its path there;
 * the catalogs of a volume are indexed once, when its first signature is
 * checked, and kept with it too. */
#include <config.h>

#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "checks/files.h"

#define MAX_FILE ((size_t)256 << 20) /* read and hashed; larger: size only */
#define MAX_CATALOG ((size_t)64 << 20)
#define CATROOT "Windows\\System32\\CatRoot\\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}"

const char *sm_file_role_name(sm_file_role r) {
  static const char *const n[] = {
      "boot-program",  "subsystem",          "server-dll", "known-dll",
      "appcert-dll",   "rename-source",      "rename-destination",
      "program",       "other"};
  return n[r];
}

/* What is kept with a volume: the files described (by their path in the
 * volume), and, made when its first signature is checked, its catalogs
 * and its anchors (the user's and the image's own roots). */
typedef struct vol_cache {
  int whole; /* holds System32\smss.exe: 1 yes, 0 no, -1 not yet known */
  bool sig_ready;
  bool catalogs_unread; /* CatRoot is there but cannot be read */
  bool roots_unread;    /* SOFTWARE (the image's root store) likewise */
  size_t bad_catalogs;  /* catalogs there that cannot be read or parsed */
  char bad_catalog[104]; /* the first of them, and why */
  sm_catdb *db;
  sm_anchors *anchors;
  char **paths;
  sm_file_fact *facts;
  size_t n;
} vol_cache;

/* A catalog that is there but cannot be read or parsed may be the one
 * that signs a file: it is counted, and the first named. */
static void add_catalog(void *ctx, const char *name, const unsigned char *d,
                        size_t len) {
  vol_cache *c = ctx;
  sm_error err = {0};
  if (d && sm_catdb_add(c->db, name, d, len, &err) == SM_OK)
    return;
  if (!c->bad_catalogs++)
    snprintf(c->bad_catalog, sizeof c->bad_catalog, "%.48s (%.48s)", name,
             d ? err.msg : "cannot be read");
}

static void cache_free(void *p) {
  vol_cache *c = p;
  sm_catdb_free(c->db);
  sm_anchors_free(c->anchors);
  for (size_t i = 0; i < c->n; i++) {
    free(c->paths[i]);
    sm_file_fact_clear(&c->facts[i]);
  }
  free(c->paths);
  free(c->facts);
  free(c);
}

static vol_cache *cache_of(sm_volume *vol) {
  if (!vol->cache) {
    vol_cache *c = calloc(1, sizeof *c);
    if (!c)
      return NULL;
    c->whole = -1;
    vol->cache = c;
    vol->cache_free = cache_free;
  }
  return vol->cache;
}

/* The catalogs and anchors of the volume, made once; false on NOMEM. */
static bool sig_ready(sm_volume *vol, vol_cache *c, const sm_anchors *user) {
  if (c->sig_ready)
    return true;
  if (!(c->db = sm_catdb_new()) || !(c->anchors = sm_anchors_copy(user))) {
    sm_catdb_free(c->db);
    c->db = NULL;
    return false;
  }
  c->catalogs_unread =
      !vol->each(vol, CATROOT, ".cat", MAX_CATALOG, add_catalog, c);
  c->roots_unread = !sm_files_image_roots(vol, c->anchors);
  c->sig_ready = true;
  return true;
}

static int ftime_cmp(sm_ftime a, sm_ftime b) {
  if (a.sec != b.sec)
    return a.sec < b.sec ? -1 : 1;
  return a.nsec < b.nsec ? -1 : a.nsec > b.nsec;
}

/* Timestomping tools set $STANDARD_INFORMATION only: its creation time
 * then predates $FILE_NAME's, which Windows sets when the name is made and
 * user-mode code cannot change, and tools that take whole seconds leave
 * the sub-second parts zero. */
static void timestomp_signs(sm_file_fact *ff) {
  if (!ff->si.known || !ff->fn.known)
    return;
  ff->si_before_fn = ff->si.created.set && ff->fn.created.set &&
                     ftime_cmp(ff->si.created, ff->fn.created) < 0;
  const sm_ftime *si[] = {&ff->si.created, &ff->si.modified};
  const sm_ftime *fn[] = {&ff->fn.created, &ff->fn.modified};
  bool si_zero = true, fn_zero = true;
  for (int i = 0; i < 2; i++) {
    si_zero = si_zero && si[i]->set && si[i]->nsec == 0;
    fn_zero = fn_zero && (!fn[i]->set || fn[i]->nsec == 0);
  }
  ff->si_whole_secs = si_zero && !fn_zero;
}

static void pe_facts(sm_file_fact *ff, const unsigned char *d, size_t n,
                     sm_volume *vol, const sm_anchors *a) {
  sm_pe pe;
  sm_error err;
  if (sm_pe_parse(&pe, d, n, &err) != SM_OK) {
    ff->pe_error = strdup(err.msg);
    return;
  }
  ff->is_pe = true;
  ff->machine = pe.machine;
  ff->subsystem = pe.subsystem;
  ff->dll = sm_pe_is_dll(&pe);
  ff->checksum = pe.checksum;
  ff->checksum_computed = sm_pe_checksum_compute(&pe);
  if (sm_pe_version_read(&pe, &ff->version, &err) != SM_OK)
    ff->pe_error = strdup(err.msg);
  ff->has_sig = true;
  vol_cache *c = vol ? cache_of(vol) : NULL;
  bool ready = c && sig_ready(vol, c, a);
  sm_sig_check(&pe, ready ? c->anchors : a, ready ? c->db : NULL, &ff->sig);
  /* Windows signs most of its files in catalogs only: without them, a
   * file with no signature of its own is not known to be unsigned. */
  if (ff->sig.status == SM_SIG_UNSIGNED && vol &&
      (!ready || c->catalogs_unread || c->bad_catalogs)) {
    ff->sig.status = SM_SIG_ERROR;
    if (ready && !c->catalogs_unread)
      snprintf(ff->sig.reason, sizeof ff->sig.reason,
               "%zu of the volume's catalogs (System32\\CatRoot) cannot be "
               "read, the first %s: whether one signs it is not known",
               c->bad_catalogs, c->bad_catalog);
    else
      snprintf(ff->sig.reason, sizeof ff->sig.reason, "%s",
               ready ? "the volume's catalogs (System32\\CatRoot) cannot be "
                       "read: whether one signs it is not known"
                     : "out of memory indexing the volume's catalogs");
  }
  /* A root the volume's own store would vouch for is not known either. */
  if ((ff->sig.status == SM_SIG_ERROR || ff->sig.status == SM_SIG_UNTRUSTED) &&
      ready && c->roots_unread) {
    size_t used = strlen(ff->sig.reason);
    snprintf(ff->sig.reason + used, sizeof ff->sig.reason - used,
             "%sthe volume's own root store (SOFTWARE) cannot be read",
             used ? "; " : "");
  }
}

/* The volume path of a resolved path on the system drive: the Windows
 * folder as the volume stores it. */
static void volume_path(const sm_files_ctx *c, const char *path, char *out,
                        size_t size) {
  const char *rest = path + 3;
  if (c->windir && strncmp(rest, "windows", 7) == 0 &&
      (rest[7] == '\\' || !rest[7]))
    snprintf(out, size, "%s%s", c->windir, rest + 7);
  else
    snprintf(out, size, "%s", rest);
}

/* Look the file up in the volume and describe it.  False on NOMEM. */
static bool describe(sm_file_fact *ff, const char *vpath, sm_volume *vol,
                     const sm_anchors *a) {
  sm_vfile vf;
  sm_error err;
  if (vol->find(vol, vpath, MAX_FILE, &vf, &err) != SM_OK) {
    ff->exists = -1;
    ff->reason = strdup(err.msg);
    return ff->reason != NULL;
  }
  ff->exists = vf.exists || vf.is_dir;
  if (vf.is_dir) {
    ff->reason = strdup("a folder, not a file");
    return ff->reason != NULL;
  }
  if (!vf.exists)
    return true;
  ff->found = strdup(vf.found);
  ff->size = vf.size;
  ff->si = vf.si;
  ff->fn = vf.fn;
  ff->times_note = vf.times_note;
  timestomp_signs(ff);
  if (!vf.data) {
    ff->reason = strdup(vf.why);
    return ff->found && ff->reason;
  }
  struct sha256_ctx h;
  unsigned char md[SHA256_DIGEST_SIZE];
  sha256_init(&h);
  sha256_update(&h, vf.len, vf.data);
  sha256_digest(&h, sizeof md, md);
  for (size_t i = 0; i < sizeof md; i++)
    snprintf(ff->sha256 + 2 * i, 3, "%02x", md[i]);
  ff->has_sha256 = true;
  pe_facts(ff, vf.data, vf.len, vol, a);
  free(vf.data);
  return ff->found != NULL;
}

static bool set_reason(sm_file_fact *ff, const char *why) {
  ff->exists = -1;
  ff->reason = strdup(why);
  return ff->reason != NULL;
}

/* Whether the volume is a whole Windows volume rather than a partial
 * copy: Windows cannot start without System32\smss.exe, the very program
 * that reads the Session Manager's configuration. */
static bool whole_volume(const sm_files_ctx *c, vol_cache *vc) {
  if (vc->whole < 0) {
    char p[300];
    snprintf(p, sizeof p, "%s\\System32\\smss.exe",
             c->windir ? c->windir : "Windows");
    sm_vfile vf;
    sm_error err;
    bool found = c->vol->find(c->vol, p, 0, &vf, &err) == SM_OK;
    vc->whole = found && vf.exists;
    if (found)
      free(vf.data);
  }
  return vc->whole == 1;
}

bool sm_file_describe(const sm_files_ctx *c, const char *path,
                      sm_file_role role, sm_file_fact *out) {
  memset(out, 0, sizeof *out);
  if (!c->vol) {
    out->role = role;
    return (out->path = strdup(path)) &&
           set_reason(out, "no volume at hand: a hive file alone");
  }
  if (strncmp(path, "c:\\", 3) != 0) {
    char buf[160];
    if (path[0] >= 'a' && path[0] <= 'z' && path[1] == ':')
      snprintf(buf, sizeof buf,
               "on drive %c:, not the system drive (the volume holding the "
               "Windows folder): which volume that is cannot be told from "
               "this one",
               path[0] - 32);
    else
      snprintf(buf, sizeof buf, "not a path on a drive");
    out->role = role;
    return (out->path = strdup(path)) && set_reason(out, buf);
  }
  char vpath[1100];
  volume_path(c, path, vpath, sizeof vpath);
  vol_cache *vc = cache_of(c->vol);
  if (!vc)
    return false;
  for (size_t i = 0; i < vc->n; i++)
    if (strcmp(vc->paths[i], vpath) == 0) {
      if (!sm_file_fact_copy(out, &vc->facts[i]))
        return false;
      free(out->path);
      out->role = role;
      return (out->path = strdup(path)) != NULL;
    }
  if (vc->n >= SM_FILES_MAX) {
    /* Files described per volume: a hive naming more (thousands of
     * pending renames) gets the rest unchecked, in bounded time, and the
     * audit said incomplete (sm_scan_files). */
    out->role = role;
    if (c->left) {
      char *p = strdup(path);
      if (!p || !sm_grow(&c->left->paths, c->left->n, sizeof *c->left->paths)) {
        free(p);
        return false;
      }
      c->left->paths[c->left->n++] = p;
    }
    return (out->path = strdup(path)) &&
           set_reason(out, "more than 4096 files named in this volume: the "
                           "audit is incomplete");
  }
  sm_file_fact ff = {.role = role, .path = strdup(path)};
  if (!ff.path || !describe(&ff, vpath, c->vol, c->anchors) ||
      (ff.exists == 0 && !whole_volume(c, vc) &&
       !set_reason(&ff, "not in this copy of the volume, which lacks "
                        "System32\\smss.exe (a triage collection, or the "
                        "hives alone): an absence proves nothing"))) {
    sm_file_fact_clear(&ff);
    return false;
  }
  char *key = strdup(vpath);
  if (!key || !sm_grow(&vc->paths, vc->n, sizeof *vc->paths) ||
      !sm_grow(&vc->facts, vc->n, sizeof *vc->facts) ||
      !sm_file_fact_copy(out, &ff)) {
    free(key);
    sm_file_fact_clear(&ff);
    return false;
  }
  vc->paths[vc->n] = key;
  vc->facts[vc->n++] = ff;
  return true;
}

static char *dup_or_null(const char *s, bool *ok) {
  if (!s)
    return NULL;
  char *d = strdup(s);
  *ok = *ok && d;
  return d;
}

bool sm_file_fact_copy(sm_file_fact *dst, const sm_file_fact *src) {
  bool ok = true;
  *dst = *src;
  dst->path = dup_or_null(src->path, &ok);
  dst->reason = dup_or_null(src->reason, &ok);
  dst->found = dup_or_null(src->found, &ok);
  dst->pe_error = dup_or_null(src->pe_error, &ok);
  const sm_pe_version *v = &src->version;
  dst->version = (sm_pe_version){
      .company_name = dup_or_null(v->company_name, &ok),
      .original_filename = dup_or_null(v->original_filename, &ok),
      .file_version = dup_or_null(v->file_version, &ok),
      .product_name = dup_or_null(v->product_name, &ok),
      .file_description = dup_or_null(v->file_description, &ok)};
  if (!ok)
    sm_file_fact_clear(dst);
  return ok;
}

void sm_file_fact_clear(sm_file_fact *ff) {
  free(ff->path);
  free(ff->reason);
  free(ff->found);
  free(ff->pe_error);
  sm_pe_version_free(&ff->version);
  memset(ff, 0, sizeof *ff);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t sm_files_left_count(sm_files_left *l) {
  if (!l->n)
    return 0;
  qsort(l->paths, l->n, sizeof *l->paths, cmp_str);
  size_t n = 1;
  for (size_t i = 1; i < l->n; i++)
    n += strcmp(l->paths[i - 1], l->paths[i]) != 0;
  return n;
}

void sm_files_left_free(sm_files_left *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->paths[i]);
  free(l->paths);
  l->paths = NULL;
  l->n = 0;
}

void sm_file_facts_free(sm_file_fact *f, size_t n) {
  for (size_t i = 0; i < n; i++)
    sm_file_fact_clear(&f[i]);
  free(f);
}
