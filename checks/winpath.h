/* Paths and command lines as Windows resolves them, and who can write
 * where.
 *
 * Every rule that reads a path judges what Windows will open, not how the
 * value spells it: sm_path_resolve turns every spelling Windows treats as
 * the same file (NT and Win32 prefixes, environment variables, case,
 * separators, trailing dots and spaces, "." and "..") into one canonical
 * string, and sm_path_place says who can write there.  The rules and their
 * sources are in docs/checks.md, "Paths: how smaudit resolves them".
 * Input is attacker-controlled: any string is accepted, in bounded time and
 * memory.
 */
#ifndef SM_WINPATH_H
#define SM_WINPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "hive/hive.h"

/* The machine environment as smss.exe builds it at boot: the values of
 * Control\Session Manager\Environment over the variables Windows defines
 * itself (SystemRoot, SystemDrive, ProgramFiles, ProgramData, PUBLIC ...).
 * SystemRoot and SystemDrive come from the boot loader, never from the
 * hive.  The system drive is taken to be C: and the Windows directory
 * C:\Windows: an offline SYSTEM hive does not record them. */
typedef struct sm_env {
  char **names;
  char **values;
  size_t n;
  /* The drive letters the mount manager gives volumes (MountedDevices'
   * \DosDevices\X: values, lowercase), when known: "cdea". */
  char volume_letters[27];
} sm_env;

/* Build the environment from the values of the Environment key (v may be
 * NULL with n 0: Windows' own variables only).  SM_ERR_NOMEM only. */
sm_result sm_env_init(sm_env *e, sm_value *const *v, size_t n);
void sm_env_free(sm_env *e);
/* The value of a variable (any case), NULL when undefined; e NULL:
 * Windows' own variables. */
const char *sm_env_get(const sm_env *e, const char *name);
/* Whether the mount manager gives a volume drive letter (a-z, any case);
 * false when e is NULL or MountedDevices was not read. */
bool sm_env_volume_letter(const sm_env *e, char letter);

/* s with every %NAME% that e defines replaced by its value, expanded again
 * where a value refers to other variables (to a bounded depth); an
 * undefined %NAME% stays as written, as ExpandEnvironmentStrings leaves it.
 * e may be NULL (Windows' own variables).  NULL on NOMEM. */
char *sm_env_expand(const sm_env *e, const char *s);

/* The canonical form of a path: expanded, prefixes \??\, \\?\, \\.\,
 * \DosDevices\, \GLOBAL??\, GLOBALROOT, \SystemRoot\ and the network
 * redirectors removed or mapped, '/' as '\', repeated separators, "." and
 * ".." components and trailing dots and spaces of components removed, ASCII
 * letters lowercased.  Forms: "c:\windows\system32\x.dll",
 * "\\server\share\dir", "\device\harddiskvolume2\dir" (a volume with no
 * letter), or a relative "dir\x.dll".  NULL on NOMEM. */
char *sm_path_resolve(const sm_env *e, const char *path);

/* Who can write a place, from most to least trusted. */
typedef enum sm_place {
  SM_PLACE_SYSTEM = 0, /* the Windows directory and System32, SysWOW64 ...:
                          TrustedInstaller and SYSTEM */
  SM_PLACE_ADMIN,      /* Program Files and the like: administrators */
  SM_PLACE_USER,       /* any user can create files there: ProgramData,
                          Users, Temp, Windows\Temp, Windows\Tasks,
                          System32\Tasks, folders at a drive root, other
                          volumes ... */
  SM_PLACE_REMOTE,     /* UNC, WebDAV, removable media */
  SM_PLACE_RELATIVE,   /* no root: depends on the current directory (or an
                          undefined variable left as written) */
} sm_place;

/* The spellings a resolved path may stand for when some of its components
 * are 8.3 short names ("PREFIX~N", 1 to 6 characters, '~', digits, an
 * optional extension), which NTFS resolves as it opens the file: every
 * combination of the long names smaudit's rules name whose characters
 * without spaces and dots start with PREFIX ("progra~1": "program files",
 * "program files (x86)", "programdata"), and of the component as written.
 * The path itself when it has no short component; at most
 * SM_LONG_FORMS_MAX spellings.  NULL on NOMEM; free with
 * sm_path_long_forms_free. */
#define SM_LONG_FORMS_MAX 64
char **sm_path_long_forms(const char *resolved, size_t *n);
void sm_path_long_forms_free(char **v, size_t n);

/* The place of a resolved path (sm_path_resolve); for a path with short
 * names, the least trusted place of its long spellings. */
sm_place sm_path_place(const char *resolved);
/* The place of a resolved path that names a file: who can create or
 * replace a file there, which is decided by the folder that holds it (a
 * file directly in C:\ or D:\, or in C:\Users itself, is
 * administrators-only even though users may create folders beside it). */
sm_place sm_file_place(const char *resolved);
/* Whether a resolved path names an NTFS alternate data stream
 * ("autochk.exe:x.exe"): code hidden in a stream of another file.  The
 * unnamed stream ("::$DATA") is removed by sm_path_resolve. */
bool sm_path_stream(const char *resolved);
/* "system", "admin", "user-writable", "remote", "relative". */
const char *sm_place_name(sm_place p);
/* Whether a place only administrators (or Windows) can write. */
static inline bool sm_place_protected(sm_place p) {
  return p == SM_PLACE_SYSTEM || p == SM_PLACE_ADMIN;
}

/* The program a native command line runs: checks/resolve.h. */

#endif
