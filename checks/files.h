/* The files behind the findings (files.c, files-refs.c, files-rules.c):
 * each program, DLL or driver a finding names, found in the same volume
 * (source/volume.h) and described: existence, size, SHA-256, NTFS times
 * and whether they look timestomped, PE facts, version resource and
 * signature (checks/pe.h, checks/sig.h).  Findings of rules SM-FILE-* are
 * added where a file changes the verdict (docs/checks.md). */
#ifndef SM_CHECKS_FILES_H
#define SM_CHECKS_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/audit.h"
#include "checks/pe.h"
#include "checks/sig.h"
#include "source/volume.h"

/* What a file is to the finding naming it. */
typedef enum sm_file_role {
  SM_FILE_BOOT_PROGRAM, /* BootExecute and the other lists smss.exe runs */
  SM_FILE_SUBSYSTEM,    /* csrss.exe, Kmode (win32k), other subsystems */
  SM_FILE_SERVER_DLL,   /* csrss's ServerDll */
  SM_FILE_KNOWN_DLL,    /* a KnownDLLs entry, System32 or SysWOW64 */
  SM_FILE_APPCERT_DLL,  /* AppCertDlls */
  SM_FILE_RENAME_SOURCE, /* PendingFileRenameOperations source */
  SM_FILE_RENAME_DEST,   /* ... destination */
  SM_FILE_OTHER,
} sm_file_role;

typedef struct sm_file_fact {
  sm_file_role role;
  char *path;    /* resolved Windows path ("c:\windows\system32\x.exe") */
  int exists;    /* 1, 0, or -1 when it cannot be known (reason) */
  char *reason;  /* exists -1: why; else NULL or why the content is unread */
  char *found;   /* the path as stored on the volume, or NULL */
  uint64_t size;
  bool has_sha256;
  char sha256[65];
  sm_ftimes si, fn;
  const char *times_note;
  bool si_before_fn;   /* $SI created earlier than $FN created */
  bool si_whole_secs;  /* $SI times all without sub-second part, $FN not */
  bool is_pe;
  char *pe_error; /* not a PE (or damaged): why */
  uint16_t machine, subsystem;
  bool dll;
  uint32_t checksum, checksum_computed;
  sm_pe_version version;
  bool has_sig;
  sm_sig sig;
} sm_file_fact;

const char *sm_file_role_name(sm_file_role r);

/* The files of every finding of r's reports, looked up in vol (NULL: no
 * volume at hand: each file's exists is -1 with the reason), their
 * signatures checked against a (may be NULL: pinned roots only, their
 * bytes from the signatures).  Adds SM-FILE-* findings.  False on NOMEM. */
typedef struct sm_scan_result sm_scan_result;
bool sm_files_check(sm_report *reports, size_t n_reports, sm_volume *vol,
                    const sm_anchors *a);

void sm_file_facts_free(sm_file_fact *f, size_t n);

/* Add the roots of the volume's own store (SOFTWARE's
 * Microsoft\SystemCertificates ROOT and AuthRoot) to a, as "image"
 * anchors (files-trust.c). */
void sm_files_image_roots(sm_volume *vol, sm_anchors *a);

/* The references of one finding (files-refs.c): resolved paths and roles,
 * as parallel arrays.  SM_OK or SM_ERR_NOMEM. */
typedef struct sm_file_refs {
  char **paths;
  sm_file_role *roles;
  size_t n;
} sm_file_refs;
sm_result sm_file_refs_of(const sm_finding *f, sm_file_refs *out);
void sm_file_refs_free(sm_file_refs *r);

/* The SM-FILE-* findings for the files of finding f (files-rules.c),
 * appended to rep.  False on NOMEM. */
bool sm_file_rules(sm_report *rep, size_t finding);

#endif
