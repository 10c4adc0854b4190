/* Which file smss.exe runs for a native command line (BootExecute,
 * BootExecuteNoPnpSync, SetupExecute, Execute, PlatformExecute ...).
 *
 * smss.exe (SmpParseCommandLine) skips the keywords "autocheck", "async"
 * and "debug" before the program, then looks the program up with
 * RtlDosSearchPath_U, ".exe" appended to a name without an extension:
 * first along the machine Path (Session Manager\Environment\Path, expanded,
 * as it set it moments before), then along its default library path,
 * "\SystemRoot\system32;" followed by that Path again.  A name with a root
 * (C:\..., \??\..., \SystemRoot\...) is not searched.  The first candidate
 * that exists runs; nothing runs when none does.  So a Path entry before
 * system32 decides which autochk runs if an autochk.exe is placed there.
 * Sources: docs/checks.md, "How smss.exe finds a boot program".
 *
 * Offline, without the volume, the resolver lists every file smss.exe would
 * try, in order, with who can write each; `fallback` is the one Windows
 * ships (system32), and every candidate before it can shadow it.
 * Input is attacker-controlled: any string, bounded time and memory.
 */
#ifndef SM_RESOLVE_H
#define SM_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "checks/winpath.h"

/* At most this many candidates are listed (a Path of thousands of entries
 * is cut; the system32 candidate is always kept). */
#define SM_RESOLVE_MAX 64

typedef struct sm_program {
  char *name;       /* the program as written, keywords skipped ("" if
                       none) */
  char *args;       /* the rest of the line, leading blanks removed */
  bool autocheck;   /* the "autocheck" keyword came first */
  bool searched;    /* a relative name, looked up along the search path */
  char **tried;     /* resolved candidates (sm_path_resolve), in order */
  sm_place *places; /* who can write each candidate */
  size_t n;
  size_t fallback; /* index in tried of system32\NAME, the copy Windows
                      ships; n when the name is not searched or the
                      search does not reach it */
} sm_program;

/* Resolve the program of one command line under environment e (NULL:
 * Windows' own variables, Path %SystemRoot%\system32 only).  An empty
 * line gives name "" and n 0.  SM_OK or SM_ERR_NOMEM. */
sm_result sm_program_resolve(const sm_env *e, const char *line,
                             sm_program *out);
void sm_program_free(sm_program *p);

/* The file that runs when only Windows' own copy exists: tried[fallback],
 * or the first candidate when the name is not searched; NULL when n is 0. */
const char *sm_program_default(const sm_program *p);

/* The first candidate that can shadow the default (tried before it and not
 * the same file), or SIZE_MAX. */
size_t sm_program_shadow(const sm_program *p);

/* The file smss.exe runs for a native command line when only Windows' own
 * files exist: sm_program_default, or "" for an empty line.  NULL on
 * NOMEM. */
char *sm_cmdline_image(const sm_env *e, const char *line);

#endif
