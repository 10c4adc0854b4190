/* SM-FILE-*: where a file a finding or an action of the boot plan names
 * changes the verdict (docs/checks.md, "The files behind the findings").
 * Each is a finding of its own, on the same key and value, naming the
 * file, with the file's facts as its own. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/files.h"

#define RULE(var, sid, sev, ttl, nrm, msg)                                     \
  static char var##_id[] = sid, var##_title[] = ttl, var##_normal[] = nrm,     \
              var##_message[] = msg;                                           \
  static const sm_rule var = {.id = var##_id,                                  \
                              .title = var##_title,                            \
                              .normal = var##_normal,                          \
                              .message = var##_message,                        \
                              .severity = sev}

RULE(missing, "SM-FILE-MISSING", SM_SEV_MEDIUM,
     "A file the configuration names is absent",
     "Every program and DLL the Session Manager configuration names exists.",
     "The configuration names a program or DLL that is not on the volume: "
     "Windows fails to load it at boot (a boot program is skipped, a missing "
     "KnownDLL or ServerDll can stop the boot), or it was removed after use, "
     "or it is meant to be planted later.");
RULE(invalid, "SM-FILE-SIGNATURE-INVALID", SM_SEV_CRITICAL,
     "A file's signature is broken",
     "Signed files are intact: their digest matches what was signed.",
     "The file carries a signature, or a catalog lists it, but the signature "
     "does not verify: the file was changed after signing (patched code, an "
     "injected section) or the signature was forged or transplanted.");
RULE(unsigned_, "SM-FILE-UNSIGNED", SM_SEV_HIGH,
     "Windows code that Microsoft did not sign",
     "Programs and DLLs Windows loads at boot from its own folders are "
     "signed by Microsoft, embedded or through a catalog of the volume.",
     "A file where Windows code is expected (a KnownDLL, a csrss ServerDll, "
     "a subsystem image, a program in the Windows folder) has no signature "
     "chaining to a pinned Microsoft root: unsigned, signed by someone "
     "else, or valid only on a root the image's own store added.");
RULE(not_native, "SM-FILE-NOT-NATIVE", SM_SEV_HIGH,
     "A boot program that is not a native image",
     "smss.exe runs native-subsystem images (autochk.exe) from BootExecute "
     "and the other boot lists.",
     "The program a boot list names is not a native image: smss.exe cannot "
     "run it as a boot program, so it is there for another reason (a file "
     "renamed to look like a boot program, or a payload placed for a later "
     "stage), or the list names the wrong file.");
RULE(name_mismatch, "SM-FILE-NAME-MISMATCH", SM_SEV_MEDIUM,
     "A file's version resource names another file",
     "A Windows file's OriginalFilename is its own name.",
     "The version resource says the file was built as another program: a "
     "copy renamed to pass for a Windows file (cmd.exe as autochk.exe), or "
     "a tool masquerading under a trusted name.");
RULE(timestomp, "SM-FILE-TIMESTOMPED", SM_SEV_HIGH,
     "A file's NTFS times look set back",
     "A file's $STANDARD_INFORMATION creation time is not earlier than its "
     "$FILE_NAME creation time, or Windows' own servicing set both.",
     "$STANDARD_INFORMATION's creation time predates $FILE_NAME's, which "
     "Windows sets when the name is created and user-mode code cannot "
     "change: the times were set back to hide when the file arrived.");

static bool windows_expected(const sm_file_fact *ff) {
  switch (ff->role) {
  case SM_FILE_SUBSYSTEM:
  case SM_FILE_SERVER_DLL:
  case SM_FILE_KNOWN_DLL:
    return true;
  case SM_FILE_BOOT_PROGRAM: {
    /* Windows' own boot programs; vendors put theirs in System32 too. */
    static const char *const own[] = {"autochk.exe", "autoconv.exe",
                                      "autofmt.exe"};
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
      if (strcmp(ff->path + (strlen(ff->path) > 20 ? 20 : 0), own[i]) == 0 &&
          strncmp(ff->path, "c:\\windows\\system32\\", 20) == 0)
        return true;
    return false;
  }
  default:
    return false;
  }
}

static bool ms_valid(const sm_file_fact *ff) {
  return ff->has_sig && ff->sig.status == SM_SIG_VALID &&
         ff->sig.trust == SM_TRUST_PINNED;
}

static const char *base_name(const char *p) {
  const char *b = strrchr(p, '\\');
  return b ? b + 1 : p;
}

/* Append a finding of rule r for file ff, from src. */
static bool add(sm_report *rep, const sm_file_source *src, const sm_rule *r,
                const sm_file_fact *ff, const char *what,
                const sm_files_ctx *c) {
  /* Once per file and rule in a report, however many findings name it. */
  for (size_t i = 0; i < rep->n_findings; i++)
    if (rep->findings[i].rule == r && rep->findings[i].observed &&
        strcmp(rep->findings[i].observed, ff->path) == 0)
      return true;
  char detail[1024];
  snprintf(detail, sizeof detail, "%s%s", ff->path, what);
  sm_finding f = {.rule = r,
                  .severity = r->severity,
                  .control_set = src->control_set,
                  .key = (char *)src->key,
                  .value = (char *)src->value,
                  .observed = ff->path,
                  .detail = detail,
                  .last_write = src->last_write};
  if (sm_report_add(rep, c->baseline, c->today, &f) != SM_OK)
    return false;
  sm_finding *added = &rep->findings[rep->n_findings - 1];
  if (!(added->files = calloc(1, sizeof *added->files)) ||
      !sm_file_fact_copy(added->files, ff))
    return false;
  added->n_files = 1;
  return true;
}

/* Whether OriginalFilename orig (ol bytes) is name: in any case, or
 * without name's extension where orig has none (kernel32.dll's is
 * "kernel32"). */
static bool same_name_n(const char *orig, size_t ol, const char *name) {
  size_t nl = strlen(name);
  if (!memchr(orig, '.', ol)) {
    const char *dot = strrchr(name, '.');
    if (dot)
      nl = (size_t)(dot - name);
  }
  return nl == ol && strncasecmp(orig, name, ol) == 0;
}

/* Whether OriginalFilename names the file: as it is, or with ".mui"
 * dropped (a language-neutral file's version resource comes from its
 * MUI file: kernel32.dll says "kernel32.dll.mui"). */
static bool same_name(const char *orig, const char *name) {
  size_t ol = strlen(orig);
  return same_name_n(orig, ol, name) ||
         (ol > 4 && strcasecmp(orig + ol - 4, ".mui") == 0 &&
          same_name_n(orig, ol - 4, name));
}

static bool rules_for(sm_report *rep, const sm_file_source *src,
                      const sm_file_fact *ff, const sm_files_ctx *c) {
  bool ok = true;
  if (ff->exists == 0 && src->must_exist)
    ok = add(rep, src, &missing, ff, " is not on the volume", c);
  if (ff->exists != 1 || !ff->is_pe)
    return ok;
  char what[600];
  if (ok && ff->sig.status == SM_SIG_INVALID) {
    snprintf(what, sizeof what, ": %s", ff->sig.reason);
    ok = add(rep, src, &invalid, ff, what, c);
  } else if (ok && windows_expected(ff) && !ms_valid(ff) &&
             ff->sig.status != SM_SIG_ERROR) {
    snprintf(what, sizeof what, ": signature %s%s%s",
             ff->sig.status == SM_SIG_VALID
                 ? "valid only on a root of the image's own store"
                 : sm_sig_status_name(ff->sig.status),
             ff->sig.reason[0] ? ", " : "", ff->sig.reason);
    ok = add(rep, src, &unsigned_, ff, what, c);
  }
  if (ok && ff->role == SM_FILE_BOOT_PROGRAM && ff->subsystem != 1) {
    const char *sub = sm_pe_subsystem_name(ff->subsystem);
    snprintf(what, sizeof what, " has subsystem %s, not native",
             sub ? sub : "unknown");
    ok = add(rep, src, &not_native, ff, what, c);
  }
  /* A pending rename's source is built as its destination; a rename's
   * destination is the file it replaces. */
  const char *orig = ff->version.original_filename;
  const char *name = ff->role == SM_FILE_RENAME_SOURCE ? src->name
                     : ff->role == SM_FILE_RENAME_DEST
                         ? NULL
                         : base_name(ff->found ? ff->found : ff->path);
  if (ok && orig && name && !same_name(orig, name)) {
    snprintf(what, sizeof what, ": OriginalFilename is \"%s\"", orig);
    ok = add(rep, src, &name_mismatch, ff, what, c);
  }
  /* Windows' servicing sets the times of the files it installs: a file
   * Microsoft signed with $SI before $FN is servicing, unless the
   * sub-second parts were zeroed too. */
  if (ok && ff->si_before_fn && (ff->si_whole_secs || !ms_valid(ff)))
    ok = add(rep, src, &timestomp, ff,
             ff->si_whole_secs
                 ? ": $STANDARD_INFORMATION created before $FILE_NAME "
                   "created, its times in whole seconds"
                 : ": $STANDARD_INFORMATION created before $FILE_NAME "
                   "created",
             c);
  return ok;
}

bool sm_file_rules(sm_report *rep, const sm_file_source *src,
                   const sm_file_fact *ff, const sm_files_ctx *c) {
  return rules_for(rep, src, ff, c);
}
