/* smaudit command line: shared between the commands. */
#ifndef SM_CLI_H
#define SM_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "hive/hive.h"

/* Exit codes of the whole tool. */
enum {
  SM_EXIT_OK = 0,       /* success, nothing to report */
  SM_EXIT_FINDINGS = 1, /* findings at or above --fail-on */
  SM_EXIT_ERROR = 2,    /* usage error, unreadable or corrupt input */
};

/* error.c */
extern const char *sm_progname;

/* "smaudit: FILE: reason" or "smaudit: reason" on stderr, escaped. */
void sm_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* escape.c: make attacker-controlled text safe for a terminal.  Control
 * characters (C0, DEL, C1), bidirectional overrides and invalid UTF-8 come
 * out as \xNN or \u{NNNN}; with quote, a double quote becomes \".  A run
 * of backslashes that would read as the start of an escape is doubled, so
 * the text form is exact (docs/security.md).
 * Caller-frees. */
char *sm_text_escape(const char *s, bool quote);
void sm_fputs_escaped(FILE *f, const char *s, bool quote);

/* render.c: values for people and for programs. */
void sm_render_value_text(FILE *f, const sm_value *v);
json_t *sm_render_value_json(const sm_value *v);
/* The data alone, as JSON: string, array of strings, number, hex string,
 * or null when unreadable. */
json_t *sm_render_data_json(const sm_value *v);
json_t *sm_json_string(const char *s); /* never NULL: invalid UTF-8 escaped */

/* The commands; each returns an exit code. */
int sm_cmd_show(int argc, char **argv);
int sm_cmd_scan(int argc, char **argv);
int sm_cmd_recover(int argc, char **argv);
int sm_cmd_check_baseline(int argc, char **argv);
int sm_cmd_learn(int argc, char **argv);
int sm_cmd_diff(int argc, char **argv);

/* cmd-learn.c: shared by learn and diff. */
struct sm_baseline;
bool sm_cli_parse_control_set(const char *s, unsigned *out);
/* A hive read in place is still what it was when opened (else an error
 * naming it, and false).  Checked before a result is given. */
bool sm_cli_hive_unchanged(const sm_hive *h);
/* Open path and resolve control set want (0: the current one) into *id and
 * *key; prints the error and returns -1 on failure. */
int sm_cli_open_control_set(const char *path, unsigned open_flags,
                            unsigned want, sm_hive **h, unsigned *id,
                            sm_key *key);
/* The baseline given, or the one detected from the control set; prints the
 * error and returns NULL on failure.  With ref, *ref is how to name it in
 * extends: (a name, or an absolute path; caller-frees). */
struct sm_baseline *sm_cli_baseline_for(sm_hive *h, sm_key cs_key,
                                        const char *given, char **ref);

/* cmd-diff.c: differences as the JSON of smaudit diff and of scan's
 * control_set_differences. */
struct sm_diff;
json_t *sm_diff_json(const struct sm_diff *d);

#endif
