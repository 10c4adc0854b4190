/* The files behind the findings (files.h): each found in the volume and
 * described.  The catalogs of a volume are indexed once, when its first
 * file is checked, and kept with the volume. */
#include <config.h>

#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/files.h"

#define MAX_FILE ((size_t)256 << 20) /* read and hashed; larger: size only */
#define MAX_CATALOG ((size_t)64 << 20)
#define CATROOT "Windows\\System32\\CatRoot\\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}"

const char *sm_file_role_name(sm_file_role r) {
  static const char *const n[] = {"boot-program", "subsystem",   "server-dll",
                                  "known-dll",    "appcert-dll", "rename-source",
                                  "rename-destination", "other"};
  return n[r];
}

static void add_catalog(void *ctx, const char *name, const unsigned char *d,
                        size_t len) {
  sm_error err;
  (void)sm_catdb_add(ctx, name, d, len, &err); /* a bad one is skipped */
}

/* What is kept with a volume: its catalogs and its anchors (the user's
 * and the image's own roots), made when its first signature is checked. */
typedef struct vol_cache {
  sm_catdb *db;
  sm_anchors *anchors;
} vol_cache;

static void cache_free(void *p) {
  vol_cache *c = p;
  sm_catdb_free(c->db);
  sm_anchors_free(c->anchors);
  free(c);
}

static vol_cache *cache_of(sm_volume *vol, const sm_anchors *user) {
  if (!vol->cache) {
    vol_cache *c = calloc(1, sizeof *c);
    if (!c || !(c->db = sm_catdb_new()) || !(c->anchors = sm_anchors_copy(user))) {
      if (c)
        cache_free(c);
      return NULL;
    }
    vol->each(vol, CATROOT, ".cat", MAX_CATALOG, add_catalog, c->db);
    sm_files_image_roots(vol, c->anchors);
    vol->cache = c;
    vol->cache_free = cache_free;
  }
  return vol->cache;
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
  vol_cache *c = vol ? cache_of(vol, a) : NULL;
  sm_sig_check(&pe, c ? c->anchors : a, c ? c->db : NULL, &ff->sig);
}

/* Look one reference up and describe it.  False on NOMEM. */
static bool describe(sm_file_fact *ff, const char *path, sm_file_role role,
                     sm_volume *vol, const sm_anchors *a) {
  memset(ff, 0, sizeof *ff);
  ff->role = role;
  ff->path = strdup(path);
  if (!ff->path)
    return false;
  if (!vol) {
    ff->exists = -1;
    ff->reason = strdup("no volume at hand: a hive file alone");
    return ff->reason != NULL;
  }
  if (strncmp(path, "c:\\", 3) != 0) {
    ff->exists = -1;
    char buf[64];
    snprintf(buf, sizeof buf, "on drive %c:, not the audited volume",
             path[0] >= 'a' && path[0] <= 'z' ? path[0] - 32 : '?');
    ff->reason = strdup(buf);
    return ff->reason != NULL;
  }
  sm_vfile vf;
  sm_error err;
  if (vol->find(vol, path + 3, MAX_FILE, &vf, &err) != SM_OK) {
    ff->exists = -1;
    ff->reason = strdup(err.msg);
    return ff->reason != NULL;
  }
  ff->exists = vf.exists;
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
  struct sha256_ctx c;
  unsigned char md[SHA256_DIGEST_SIZE];
  sha256_init(&c);
  sha256_update(&c, vf.len, vf.data);
  sha256_digest(&c, sizeof md, md);
  for (size_t i = 0; i < sizeof md; i++)
    snprintf(ff->sha256 + 2 * i, 3, "%02x", md[i]);
  ff->has_sha256 = true;
  pe_facts(ff, vf.data, vf.len, vol, a);
  free(vf.data);
  return ff->found != NULL;
}

static void fact_clear(sm_file_fact *ff) {
  free(ff->path);
  free(ff->reason);
  free(ff->found);
  free(ff->pe_error);
  sm_pe_version_free(&ff->version);
  memset(ff, 0, sizeof *ff);
}

static bool check_finding(sm_finding *f, sm_volume *vol, const sm_anchors *a) {
  sm_file_refs refs;
  if (sm_file_refs_of(f, &refs) != SM_OK)
    return false;
  bool ok = true;
  if (refs.n) {
    f->files = calloc(refs.n, sizeof *f->files);
    ok = f->files != NULL;
  }
  for (size_t i = 0; ok && i < refs.n; i++) {
    bool wow = refs.roles[i] == SM_FILE_KNOWN_DLL &&
               strncmp(refs.paths[i], "c:\\windows\\syswow64\\", 19) == 0;
    sm_file_fact *ff = &f->files[f->n_files];
    ok = describe(ff, refs.paths[i], refs.roles[i], vol, a);
    f->n_files++;
    /* SysWOW64 only on a 64-bit Windows: where it is absent, say nothing. */
    if (ok && wow && ff->exists != 1) {
      fact_clear(ff);
      f->n_files--;
    }
  }
  sm_file_refs_free(&refs);
  return ok;
}

bool sm_files_check(sm_report *reports, size_t n_reports, sm_volume *vol,
                    const sm_anchors *a) {
  for (size_t r = 0; r < n_reports; r++) {
    size_t n = reports[r].n_findings; /* not the SM-FILE-* ones added */
    for (size_t i = 0; i < n; i++) {
      if (!check_finding(&reports[r].findings[i], vol, a) ||
          !sm_file_rules(&reports[r], i))
        return false;
    }
  }
  return true;
}

void sm_file_facts_free(sm_file_fact *f, size_t n) {
  for (size_t i = 0; i < n; i++)
    fact_clear(&f[i]);
  free(f);
}
