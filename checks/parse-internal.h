/* Helpers shared by the parsers (checks/parse*.c); not for other layers. */
#ifndef SM_PARSE_INTERNAL_H
#define SM_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/grow.h" /* sm_grow */
#include "checks/parse.h"

/* parse.c */

/* Create every field of names (NULL-terminated), empty, in that order. */
sm_result sm_fields_init(sm_fields *f, const char *const *names);
/* Append a heap copy of s (or of its first n bytes) to a field. */
sm_result sm_field_push(sm_field *fl, const char *s);
sm_result sm_field_pushf(sm_field *fl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The next token of a command line: tokens are separated by spaces and
 * tabs, and a double quote protects separators up to the next one (to the
 * end when unbalanced).  The token includes its quotes.  False at the end. */
bool sm_cmdline_token(const char **p, const char **tok, size_t *len);
/* A heap copy of tok[0..len) without its double quotes; NULL on NOMEM. */
char *sm_unquote_dup(const char *tok, size_t len);

/* Case-insensitive (ASCII) comparisons that do not depend on the locale. */
int sm_ascii_casecmp(const char *a, const char *b);
bool sm_ascii_prefix(const char *s, size_t len, const char *prefix);
bool sm_ascii_suffix(const char *s, size_t len, const char *suffix);

/* boot-programs.c: Windows' own native boot programs (autochk, autoconv,
 * autofmt, poqexec, setupcl, sosreset), by lowercase name without .exe. */
bool sm_boot_program_windows(const char *name);
/* The Windows boot program a name that is not one reads as (NULL when
 * none): letters of other scripts that look like Latin ones (Cyrillic
 * "а", Greek "ο", fullwidth "ａ") read as those, invisible format
 * characters (zero-width space and joiners, soft hyphen, byte-order mark)
 * as nothing, ASCII letters in any case: "аutochk" reads as autochk. */
const char *sm_boot_program_lookalike(const char *name);

typedef enum sm_boot_arg {
  SM_BOOT_ARG_OK,           /* as Windows writes it (or not a Windows
                               program) */
  SM_BOOT_ARG_UNDOCUMENTED, /* a switch or operand Windows does not write */
  SM_BOOT_ARG_UNSAFE,       /* a file where users can write, a network path
                               or a relative one */
} sm_boot_arg;

/* One argument token of a Windows boot program, judged. */
struct sm_env;
sm_boot_arg sm_boot_program_arg(const struct sm_env *e, const char *program,
                                const char *tok);
/* One argument of another program: only a file where users can write or
 * on the network is judged (SM_BOOT_ARG_UNSAFE). */
sm_boot_arg sm_boot_other_arg(const struct sm_env *e, const char *tok);

/* env-commands.c: a variable whose value is a command line (or script) a
 * tool runs: GIT_SSH_COMMAND, EDITOR, PAGER, LESSOPEN, BASH_ENV and their
 * families; UNSAFE when what it runs lies where users can write, on the
 * network or relative, or is a shell, script host or interpreter. */
typedef enum sm_env_command {
  SM_ENV_COMMAND_NONE,
  SM_ENV_COMMAND,
  SM_ENV_COMMAND_UNSAFE,
} sm_env_command;
sm_env_command sm_env_command_judge(const struct sm_env *env,
                                    const char *name, const char *value,
                                    bool *nomem);

/* env-names.c: names no runtime family claims, judged by their words. A
 * name that says it locates code (PLUGIN, MODULE, ENGINE, ADDON,
 * EXTENSION, PRELOAD, HOOK, alone or as ..._PATH/..._DIR): */
bool sm_env_name_locates_code(const char *name);
/* A TLS trust store's location (SSL_CERT_FILE, *_CA_BUNDLE, *_CAINFO), or
 * TLS weakened: SSLKEYLOGFILE set, or verification turned off
 * (GIT_SSL_NO_VERIFY, NODE_TLS_REJECT_UNAUTHORIZED=0). */
typedef enum sm_env_tls {
  SM_ENV_TLS_NONE,
  SM_ENV_TLS_STORE,
  SM_ENV_TLS_WEAKENED,
} sm_env_tls;
sm_env_tls sm_env_tls_judge(const char *name, const char *value);

/* The definition each checks/parse-*.c exports (checks/parsers.def). */
#define SM_PARSER(id, def) extern const sm_parser_def def;
#include "checks/parsers.def"
#undef SM_PARSER

#endif
