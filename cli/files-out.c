/* The files behind a finding (checks/files.h) in the JSON contract
 * (docs/json.md, "files") and as one line each in the text report. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "checks/files.h"
#include "cli/cli.h"
#include "cli/scan.h"

/* "2024-01-02T03:04:05.1234567Z" (100 ns, as NTFS keeps them). */
static void ftime_text(sm_ftime t, char *buf, size_t n) {
  struct tm tm;
  time_t s = (time_t)t.sec;
  if (!gmtime_r(&s, &tm)) {
    snprintf(buf, n, "?");
    return;
  }
  size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + k, n - k, ".%07uZ", t.nsec / 100);
}

static json_t *ftime_json(sm_ftime t) {
  char buf[48];
  if (!t.set)
    return json_null();
  ftime_text(t, buf, sizeof buf);
  return json_string(buf);
}

static json_t *times_json(const sm_ftimes *t) {
  if (!t->known)
    return json_null();
  return json_pack("{s:o,s:o,s:o,s:o}", "created", ftime_json(t->created),
                   "modified", ftime_json(t->modified), "changed",
                   ftime_json(t->changed), "accessed", ftime_json(t->accessed));
}

static json_t *opt_str(const char *s) {
  return s ? sm_json_string(s) : json_null();
}

static json_t *pe_json(const sm_file_fact *ff) {
  if (!ff->is_pe)
    return json_null();
  const char *m = sm_pe_machine_name(ff->machine);
  const char *s = sm_pe_subsystem_name(ff->subsystem);
  char hex[16];
  json_t *o = json_object();
  snprintf(hex, sizeof hex, "0x%04x", ff->machine);
  json_object_set_new(o, "machine", json_string(m ? m : hex));
  snprintf(hex, sizeof hex, "%u", ff->subsystem);
  json_object_set_new(o, "subsystem", json_string(s ? s : hex));
  json_object_set_new(o, "dll", json_boolean(ff->dll));
  json_object_set_new(o, "checksum", json_integer(ff->checksum));
  json_object_set_new(o, "checksum_valid",
                      json_boolean(ff->checksum == ff->checksum_computed));
  json_object_set_new(
      o, "version",
      json_pack("{s:o,s:o,s:o,s:o,s:o}", "CompanyName",
                opt_str(ff->version.company_name), "OriginalFilename",
                opt_str(ff->version.original_filename), "FileVersion",
                opt_str(ff->version.file_version), "ProductName",
                opt_str(ff->version.product_name), "FileDescription",
                opt_str(ff->version.file_description)));
  json_object_set_new(o, "error", opt_str(ff->pe_error));
  return o;
}

static json_t *sig_json(const sm_file_fact *ff) {
  if (!ff->has_sig)
    return json_null();
  const sm_sig *g = &ff->sig;
  json_t *o = json_object();
  json_object_set_new(o, "status", json_string(sm_sig_status_name(g->status)));
  json_object_set_new(o, "via", opt_str(g->via));
  json_object_set_new(o, "signer", g->signer[0] ? sm_json_string(g->signer)
                                                : json_null());
  json_object_set_new(o, "catalog", g->catalog[0] ? sm_json_string(g->catalog)
                                                  : json_null());
  json_object_set_new(o, "timestamp",
                      g->timestamp == SM_SIG_NO_TIME
                          ? json_null()
                          : ftime_json((sm_ftime){true, g->timestamp, 0}));
  json_object_set_new(o, "trust", json_string(sm_trust_name(g->trust)));
  json_object_set_new(o, "reason", g->reason[0] ? sm_json_string(g->reason)
                                                : json_null());
  return o;
}

json_t *sm_file_json(const sm_file_fact *ff) {
  json_t *o = json_object();
  json_object_set_new(o, "path", sm_json_string(ff->path));
  json_object_set_new(o, "role", json_string(sm_file_role_name(ff->role)));
  json_object_set_new(o, "exists", ff->exists < 0 ? json_null()
                                                  : json_boolean(ff->exists));
  json_object_set_new(o, "reason", opt_str(ff->reason));
  json_object_set_new(o, "found", opt_str(ff->found));
  bool there = ff->exists == 1;
  json_object_set_new(o, "size", there ? json_integer((json_int_t)ff->size)
                                       : json_null());
  json_object_set_new(o, "sha256", ff->has_sha256 ? json_string(ff->sha256)
                                                  : json_null());
  json_object_set_new(
      o, "times",
      there ? json_pack("{s:o,s:o,s:o,s:b,s:b}", "si", times_json(&ff->si),
                        "fn", times_json(&ff->fn), "note",
                        opt_str(ff->times_note), "si_before_fn",
                        ff->si_before_fn, "si_whole_seconds", ff->si_whole_secs)
            : json_null());
  json_object_set_new(o, "pe", pe_json(ff));
  json_object_set_new(o, "signature", sig_json(ff));
  return o;
}

json_t *sm_files_json(const sm_file_fact *v, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, sm_file_json(&v[i]));
  return a;
}

/* One line: what was found of the file. */
void sm_file_text(FILE *f, const sm_file_fact *ff) {
  sm_fputs_escaped(f, ff->path, false);
  if (ff->exists < 0) {
    fputs(": not checked (", f);
    sm_fputs_escaped(f, ff->reason ? ff->reason : "", false);
    fputs(")\n", f);
    return;
  }
  if (!ff->exists) {
    fputs(": absent\n", f);
    return;
  }
  if (ff->reason && !ff->found) { /* a folder */
    fputs(": ", f);
    sm_fputs_escaped(f, ff->reason, false);
    fputc('\n', f);
    return;
  }
  fprintf(f, ": %" PRIu64 " bytes", ff->size);
  if (ff->has_sha256)
    fprintf(f, ", sha256 %.16s...", ff->sha256);
  if (ff->is_pe) {
    const char *s = sm_pe_subsystem_name(ff->subsystem);
    fprintf(f, ", %s %s", s ? s : "?", ff->dll ? "DLL" : "image");
    if (ff->version.original_filename) {
      fputs(" \"", f);
      sm_fputs_escaped(f, ff->version.original_filename, true);
      fputc('"', f);
    }
    fprintf(f, ", %s", sm_sig_status_name(ff->sig.status));
    if (ff->sig.via)
      fprintf(f, " (%s", ff->sig.via);
    if (ff->sig.signer[0]) {
      fputs(", ", f);
      sm_fputs_escaped(f, ff->sig.signer, false);
    }
    if (ff->sig.via)
      fputc(')', f);
    if (ff->sig.status == SM_SIG_VALID && ff->sig.trust == SM_TRUST_IMAGE)
      fputs(" on a root only the image's own store vouches for", f);
    else if (ff->sig.status == SM_SIG_VALID && ff->sig.trust == SM_TRUST_USER)
      fputs(" on a root of --trust-file", f);
  } else if (ff->reason) {
    fputs(", not read: ", f);
    sm_fputs_escaped(f, ff->reason, false);
  } else {
    fputs(", not a PE image", f);
  }
  if (ff->si_before_fn)
    fputs(", $SI created before $FN created", f);
  if (ff->si_whole_secs)
    fputs(", $SI times in whole seconds", f);
  fputc('\n', f);
}

void sm_files_text(FILE *f, const sm_finding *fd) {
  for (size_t i = 0; i < fd->n_files; i++) {
    fputs("               file ", f);
    sm_file_text(f, &fd->files[i]);
  }
}
