/* Parsers for structured Session Manager values.
 *
 * Each parser has a typed interface (for unit tests and fuzzers) and yields
 * named fields for the rule engine: a field is a list of strings (a scalar
 * field has at most one item).  The fields of each parser are listed in
 * docs/baselines.md and are a public contract of the baseline schema.
 * Input strings are attacker-controlled: every parser accepts any input,
 * bounded in time and memory, and never fails except for lack of memory.
 *
 * The parsers are listed once, in checks/parsers.def.  Adding a parser is
 * four places: its checks/parse-NAME.c exporting one sm_parser_def (below),
 * one line in checks/parsers.def, its rules in the baselines/ YAML, its
 * fields in docs/baselines.md.
 */
#ifndef SM_PARSE_H
#define SM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/baseline.h"
#include "hive/hive.h"

/* ---- fields, for the engine ---- */

typedef struct sm_field {
  char *name;
  char **items;
  size_t n;
} sm_field;

typedef struct sm_fields {
  sm_field *v;
  size_t n;
} sm_fields;

void sm_fields_free(sm_fields *f); /* frees the contents; NULL is a no-op */
/* The field of that name, or NULL when the parser does not yield it. */
const sm_field *sm_fields_get(const sm_fields *f, const char *name);

typedef struct sm_parse_input {
  const sm_value *value;   /* value-level parsers */
  sm_value *const *values; /* key-level parsers: every value of the key */
  size_t n_values;
  const unsigned *control_sets; /* SM_NEEDS_CONTROL_SETS: ControlSetNNN
                                   present */
  size_t n_control_sets;
  const struct sm_env *env; /* SM_NEEDS_ENVIRONMENT: the machine environment
                               (checks/winpath.h); NULL for Windows' own
                               variables only */
} sm_parse_input;

/* ---- the parser table (checks/parsers.def) ---- */

/* What a parser reads. */
typedef enum sm_parse_kind {
  SM_INPUT_STRING, /* one REG_SZ or REG_EXPAND_SZ value */
  SM_INPUT_LIST,   /* one REG_MULTI_SZ; a REG_SZ or REG_EXPAND_SZ is a list
                      of one string (smss reads these values through
                      RtlQueryRegistryValues, which hands a REG_SZ to the
                      same callback as each string of a REG_MULTI_SZ) */
  SM_INPUT_KEY,    /* every value of the rule's key (key-level rules) */
} sm_parse_kind;

/* What a parser needs from the hive besides its input. */
enum {
  SM_NEEDS_CONTROL_SETS = 1u << 0, /* the ControlSetNNN keys present */
  SM_NEEDS_ENVIRONMENT = 1u << 1,  /* Session Manager\Environment, to
                                      resolve paths */
};

/* The input of one run, already checked against the parser's kind. */
typedef struct sm_parse_args {
  const char *str;         /* SM_INPUT_STRING */
  char *const *strv;       /* SM_INPUT_LIST: the strings, empty ones */
  size_t n;                /* kept */
  sm_value *const *values; /* SM_INPUT_KEY */
  size_t n_values;
  const sm_parse_input *in; /* what the parser needs (control sets,
                               environment) */
} sm_parse_args;

/* One parser, as each checks/parse-*.c exports it. */
typedef struct sm_parser_def {
  const char *name;          /* as written in YAML: parse: NAME */
  const char *const *fields; /* the fields it yields, NULL-terminated */
  /* The fields that hold resolved paths (checks/winpath.h), or NULL: a
   * rule's expected strings on these are resolved the same way before
   * they are compared, so every spelling of one path matches. */
  const char *const *path_fields;
  sm_parse_kind input;
  unsigned needs; /* SM_NEEDS_* */
  /* Fill *out with every field of `fields`, in that order (zeroed first,
   * freed on error); SM_OK or SM_ERR_NOMEM. */
  sm_result (*run)(const sm_parse_args *a, sm_fields *out);
} sm_parser_def;

/* The definition of p; NULL for SM_PARSE_NONE or an unknown value. */
const sm_parser_def *sm_parser_get(sm_parser p);
/* Whether parser p yields a field of that name (for the loader). */
bool sm_parser_has_field(sm_parser p, const char *name);
/* Whether that field of p holds resolved paths. */
bool sm_parser_path_field(sm_parser p, const char *name);
/* Whether p reads a whole key (SubSystems, KnownDLLs, Select) rather than
 * one value. */
bool sm_parser_is_key_level(sm_parser p);

/* The strings of a list value: a REG_MULTI_SZ's, or a REG_SZ or
 * REG_EXPAND_SZ as a list of one (smss.exe reads Required, Optional,
 * BootExecute and the like through RtlQueryRegistryValues, which hands a
 * string to the same callback as each string of a REG_MULTI_SZ); NULL with
 * *n 0 when absent, unreadable or of another type. */
char *const *sm_value_list(const sm_value *v, size_t *n);

/* The string smss.exe keeps for a value it takes one string at a time
 * (the values of Environment, DOS Devices, KnownDLLs and SubSystems, read
 * through RtlQueryRegistryValues): a REG_SZ or REG_EXPAND_SZ itself, and
 * for a REG_MULTI_SZ its last string, as the callback is handed each
 * string of the list in turn and each sets the same name again
 * (RtlpCallQueryRegistryRoutine; SmpConfigureEnvironment,
 * SmpSaveRegistryValue).  NULL when absent, unreadable, an empty list or
 * of another type. */
const char *sm_smss_string(const sm_value *v);

/* Run parser p.  SM_ERR_TYPE when the value's type does not fit the parser
 * (e.g. csrss on a REG_DWORD); SM_ERR_NOMEM. */
sm_result sm_parse_fields(sm_parser p, const sm_parse_input *in,
                          sm_fields *out);

/* ---- typed parsers ---- */

/* SubSystems\Windows: "%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows
 * SharedSection=1024,20480,768 Windows=On SubSystemType=Windows
 * ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ..." */
typedef struct sm_csrss_serverdll {
  char *raw;  /* as written after "ServerDll=" */
  char *name; /* DLL name before ':' or ',' */
  char *init; /* initialisation function after ':', or NULL */
  long index; /* after ','; -1 when missing or not a number */
} sm_csrss_serverdll;

typedef struct sm_csrss_param {
  char *name;  /* before '=' */
  char *value; /* after '=', or NULL for a token without '=' */
} sm_csrss_param;

typedef struct sm_csrss {
  char *image;            /* first token (quotes removed) */
  sm_csrss_param *params; /* every token after the image, in order */
  size_t n_params;
  sm_csrss_serverdll *serverdlls;
  size_t n_serverdlls;
} sm_csrss;

sm_result sm_csrss_parse(const char *line, sm_csrss *out);
void sm_csrss_free(sm_csrss *c);

/* Path, PSModulePath: ';'-separated directories, as stored (unexpanded);
 * the path-list parser resolves and classifies each (checks/winpath.h). */
typedef struct sm_pathlist {
  char **entries; /* trimmed, in order; empty entries kept as "" */
  size_t n;
} sm_pathlist;

sm_result sm_pathlist_parse(const char *s, sm_pathlist *out);
void sm_pathlist_free(sm_pathlist *p);

/* PagingFiles entries: "C:\pagefile.sys 768 1536", "?:\pagefile.sys". */
typedef struct sm_pagingfile {
  char *path;
  bool has_sizes;
  uint64_t min_mb, max_mb;
} sm_pagingfile;

sm_result sm_pagingfile_parse(const char *entry, sm_pagingfile *out);
void sm_pagingfile_free(sm_pagingfile *p);
/* The file a PagingFiles path names, resolved (checks/winpath.h); "?:",
 * smss.exe's spelling of the system drive, is %SystemDrive%.  NULL on
 * NOMEM. */
struct sm_env;
char *sm_pagingfile_resolve(const struct sm_env *env, const char *path);

/* PendingFileRenameOperations: pairs of source and destination; an empty
 * destination deletes the source; a destination starting with '!' replaces
 * an existing file.  Paths are NT paths (\??\C:\...).  Each operation is
 * ranked by what it does at the next boot, first match first: */
typedef enum sm_pending_kind {
  SM_PENDING_SECURITY,    /* deletes, moves away or replaces a security
                             product's file (Defender, AV/EDR folders) */
  SM_PENDING_AUTOSTART,   /* places a file where it runs at startup or logon
                             (Startup folders, Tasks, GP scripts, ...) */
  SM_PENDING_SERVICING,   /* a known servicing pattern of Windows or an
                             installer (spooler driver update, SETxxxx.tmp,
                             Config.Msi, WinSxS\Temp, Amcache.hve.tmp,
                             temporary files ...) */
  SM_PENDING_SYSTEM_CODE, /* replaces, deletes or moves away code (.exe,
                             .dll, .sys ...) in the Windows directory */
  SM_PENDING_RENAME,      /* any other rename */
  SM_PENDING_DELETE,      /* any other delete */
  SM_PENDING_EVIDENCE,    /* deletes, moves away or replaces evidence Windows
                             keeps (event logs, SRUM, Prefetch, Amcache ...) */
  SM_PENDING_SHARED_CODE, /* replaces shared code (Program Files\Common
                             Files) from a protected folder */
} sm_pending_kind;

/* The kind of one operation on resolved paths (checks/winpath.h; dst NULL
 * for a delete); *why names the pattern or the reason, or NULL. */
sm_pending_kind sm_pending_classify(const char *src, const char *dst,
                                    const char **why);
/* What a file at a resolved path is, when replacing it at boot (a paging
 * file created over it, a pending rename onto it) destroys something
 * Windows loads or trusts at boot (the reason: "registry hive replaced"),
 * or evidence Windows keeps ("event log replaced"); NULL when neither. */
const char *sm_file_boot_trusted(const char *resolved);
const char *sm_file_evidence(const char *resolved);
/* "security product file replaced" when a resolved path lies in a
 * security product's folder or is one of Windows' security drivers (as
 * SM_PENDING_SECURITY judges it), else NULL. */
const char *sm_file_security(const char *resolved);

typedef struct sm_pending_op {
  char *source;
  char *destination; /* NULL for a delete */
  bool replace;      /* destination had the '!' prefix (removed here) */
  sm_pending_kind kind;
  const char *why; /* static text naming the pattern or reason, or NULL */
} sm_pending_op;

typedef struct sm_pending {
  sm_pending_op *ops;
  size_t n;
  bool odd; /* a source without a destination at the end */
} sm_pending;

/* strv/n: the strings of the REG_MULTI_SZ, empty strings kept (sm_value);
 * env resolves the paths (NULL: Windows' own variables). */
struct sm_env;
sm_result sm_pending_parse(char *const *strv, size_t n,
                           const struct sm_env *env, sm_pending *out);
void sm_pending_free(sm_pending *p);

/* BootExecute, SetupExecute, Execute, PlatformExecute, RunLevelExecute:
 * one native command line per entry; "autocheck" before the program name
 * is smss's marker for autochk, not part of the program. */
typedef struct sm_bootcmd {
  char *raw;
  bool autocheck; /* began with the word "autocheck" */
  char *program;  /* program name, lowercased, without directory and .exe */
  char **args;    /* remaining tokens */
  size_t n_args;
} sm_bootcmd;

sm_result sm_bootcmd_parse(const char *entry, sm_bootcmd *out);
void sm_bootcmd_free(sm_bootcmd *b);

#endif
