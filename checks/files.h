/* The files behind the findings and the boot plan (files.c, files-plan.c,
 * files-refs.c, files-rules.c): each program, DLL or driver a finding or
 * an action of the boot plan names, found in the same volume
 * (source/volume.h) and described: existence, size, SHA-256, NTFS times
 * and whether they look timestomped, PE facts, version resource and
 * signature (checks/pe.h, checks/sig.h).  Each file is read and hashed
 * once per volume, however many findings and actions name it.  Findings
 * of rules SM-FILE-* are added where a file changes the verdict
 * (docs/checks.md). */
#ifndef SM_CHECKS_FILES_H
#define SM_CHECKS_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/audit.h"
#include "checks/bootplan.h"
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
  SM_FILE_PROGRAM, /* run by smss.exe after the subsystems (Execute, the
                      initial command, BootShell, Setup's commands): any
                      subsystem */
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

/* What the files are checked with. */
typedef struct sm_files_ctx {
  sm_volume *vol;            /* NULL: no volume at hand (each file's exists
                                is -1 with the reason) */
  const sm_anchors *anchors; /* --trust-file roots, or NULL: pinned roots
                                only, their bytes from the signatures */
  const char *windir;        /* the Windows folder of the volume as stored
                                ("Windows", "WINNT"), where the hive lies;
                                NULL: "Windows" */
  const sm_baseline *baseline; /* its suppressions apply to SM-FILE-*
                                  findings (may be NULL) */
  int today;                   /* YYYYMMDD, for suppression expiry */
  struct sm_files_left *left;  /* collects the files not checked past the
                                  cap (sm_files_left_count), or NULL */
} sm_files_ctx;

/* The files named but not checked because the volume already had
 * SM_FILES_MAX described: the audit is incomplete. */
#define SM_FILES_MAX 4096
typedef struct sm_files_left {
  char **paths; /* as named (resolved), with repeats */
  size_t n;
} sm_files_left;
/* How many different files l holds (sorts it).  */
size_t sm_files_left_count(sm_files_left *l);
void sm_files_left_free(sm_files_left *l);

/* The files of every action of plan (may be NULL) and of every finding of
 * the reports: each action's file facts (sm_boot_file.fact); each
 * finding's files, those of the action it judges (as the plan resolved
 * them with the hive's Path, DllDirectory and DllDirectory32) or else
 * those it names (files-refs.c).  Adds SM-FILE-* findings: for the files
 * findings name, and for the files of actions no finding judges (a normal
 * KnownDLL whose DLL was replaced) in the report of the plan's control
 * set.  False on NOMEM. */
bool sm_files_check(const sm_files_ctx *c, sm_report *reports,
                    size_t n_reports, sm_boot_plan *plan);

/* Describe the file at resolved Windows path (sm_path_resolve) in c's
 * volume, from the volume's cache when it was described before.  False
 * on NOMEM. */
bool sm_file_describe(const sm_files_ctx *c, const char *path,
                      sm_file_role role, sm_file_fact *out);
/* A deep copy.  False on NOMEM (dst then empty). */
bool sm_file_fact_copy(sm_file_fact *dst, const sm_file_fact *src);
/* Frees the contents of f. */
void sm_file_fact_clear(sm_file_fact *f);

void sm_file_facts_free(sm_file_fact *f, size_t n);

/* Add the roots of the volume's own store (SOFTWARE's
 * Microsoft\SystemCertificates ROOT and AuthRoot) to a, as "image"
 * anchors (files-trust.c).  False when SOFTWARE is there but cannot be
 * read or parsed (its roots are then not known). */
bool sm_files_image_roots(sm_volume *vol, sm_anchors *a);

/* The references of one finding (files-refs.c): resolved paths and roles,
 * as parallel arrays.  SM_OK or SM_ERR_NOMEM. */
typedef struct sm_file_refs {
  char **paths;
  sm_file_role *roles;
  size_t n;
} sm_file_refs;
sm_result sm_file_refs_of(const sm_finding *f, sm_file_refs *out);
void sm_file_refs_free(sm_file_refs *r);

/* Where an SM-FILE-* finding goes: the key and value of the finding or
 * action naming the file. */
typedef struct sm_file_source {
  unsigned control_set; /* 0: a key at the hive root */
  const char *key;      /* full path in the hive */
  const char *value;
  uint64_t last_write;
  bool must_exist; /* Windows needs the file: its absence is a finding */
  const char *name; /* the name the file should be built as (a pending
                       rename's destination), or NULL: its own */
} sm_file_source;

/* The SM-FILE-* findings for file ff (files-rules.c), appended to rep,
 * each with a copy of ff as its file; once per file and rule in a
 * report.  False on NOMEM. */
bool sm_file_rules(sm_report *rep, const sm_file_source *src,
                   const sm_file_fact *ff, const sm_files_ctx *c);

/* The actions of the plan (files-plan.c): with rep NULL, the facts of
 * each file of code they run, load, map or rename; with rep (the plan's
 * control set's report), the SM-FILE-* findings of those facts.  False on
 * NOMEM. */
bool sm_files_plan(const sm_files_ctx *c, sm_boot_plan *plan, sm_report *rep);
/* The action finding f of rep judges and whose files it shows, or -1. */
long sm_files_action_of(const sm_boot_plan *plan, const sm_report *rep,
                        const sm_finding *f);

#endif
