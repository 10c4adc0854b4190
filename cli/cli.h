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
/* Set by the fuzzers: sm_cli_error prints nothing. */
extern bool sm_cli_quiet;

/* "smaudit: FILE: reason" or "smaudit: reason" on stderr, escaped. */
void sm_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The line said when a hive read in place faults (base/fault.h):
 * "smaudit: FILE: reason", FILE escaped. */
void sm_cli_fault_line(char *buf, size_t size, const char *file,
                       const char *reason);
/* A number option of cmd from 0 to max ("--timeout"): true and *out, or
 * false after saying what it takes. */
bool sm_cli_parse_count(const char *cmd, const char *opt, const char *s,
                        unsigned long max, unsigned long *out);
/* Bound this process as scan bounds each worker (bounds.c): after timeout
 * seconds of wall clock or CPU (0: none) it ends, exit 2, saying
 * "smaudit: TARGET: gave up after N seconds (--timeout): ..."; its address
 * space is max_memory MiB (0: none; not set under AddressSanitizer). */
void sm_cli_bound(const char *target, unsigned timeout,
                  unsigned long max_memory);
/* This process's address space: max_memory MiB (0: unchanged; nothing
 * under AddressSanitizer, which reserves terabytes of shadow memory). */
void sm_cli_limit_memory(unsigned long max_memory);
/* msg, an out-of-memory error of a process whose address space
 * sm_cli_limit_memory limited, with the limit and the option that sets it:
 * "MSG (WHOSE address space is limited to N MiB: --max-memory)"; NULL when
 * msg is no such error or no limit is set.  Caller frees. */
char *sm_cli_memory_named(const char *msg, const char *whose);
/* A usage error: "smaudit: MESSAGE" and a one-line hint to see
 * "smaudit CMD --help" (cmd NULL: "smaudit --help").  Returns
 * SM_EXIT_ERROR. */
int sm_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* What getopt_long returned for a bad option (c is '?' or ':'; the
 * commands parse with opterr = 0 and an option string starting with ':'):
 * "smaudit: CMD: unrecognized option '--bogus'" and the hint.  Returns
 * SM_EXIT_ERROR. */
struct option;
int sm_cli_bad_option(const char *cmd, const struct option *opts, int c,
                      char **argv);

/* escape.c: make attacker-controlled text safe for a terminal.  Control
 * characters (C0, DEL, C1), bidirectional overrides and invalid UTF-8 come
 * out as \xNN or \u{NNNN}; with quote, a double quote becomes \".  A
 * backslash is written as it is (docs/security.md).
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
/* A FILETIME as "YYYY-MM-DDTHH:MM:SSZ", json null for 0. */
json_t *sm_json_time(uint64_t filetime);

/* baseline-arg.c: --baseline or --extends ARG as the loader takes it: a
 * path or a name on the search path as given; an existing file of any
 * name (notes.txt) as a path; else NULL, with the names known said. */
const char *sm_cli_baseline_arg(const char *cmd, const char *arg);

/* The commands; each returns an exit code. */
int sm_cmd_show(int argc, char **argv);
int sm_cmd_scan(int argc, char **argv);
int sm_cmd_plan(int argc, char **argv);
int sm_cmd_recover(int argc, char **argv);
int sm_cmd_check_baseline(int argc, char **argv);
int sm_cmd_learn(int argc, char **argv);
int sm_cmd_diff(int argc, char **argv);

/* cmd-learn.c: shared by learn and diff. */
bool sm_cli_parse_control_set(const char *s, unsigned *out);
/* A hive read in place is still what it was when opened (else an error
 * naming it, and false).  Checked before a result is given. */
bool sm_cli_hive_unchanged(const sm_hive *h);
/* sm_hive_open, or for a disk image its one SYSTEM hive (errors said). */
bool sm_cli_open_hive(const char *path, unsigned flags, sm_hive **h);
/* Discovery's notes (source/discover.h), said on stderr. */
void sm_cli_note(void *ctx, const char *msg);
/* The scan pipeline's first stage (checks/scan.h) for learn and diff:
 * open path (with a SOFTWARE hive beside it, found as scan finds one),
 * select control set want (0: the current one) and choose the baseline
 * from set, as scan would for the same hive.  Prints the error and returns
 * false on failure; *r is to be freed either way. */
struct sm_baseline_set;
struct sm_scan_result;
bool sm_cli_scan_open(const char *path, unsigned want,
                      struct sm_baseline_set *set, struct sm_scan_result *r);
/* The baseline set of learn and diff: given (NULL: detect).  Prints the
 * error and returns false. */
bool sm_cli_baseline_set(struct sm_baseline_set *set, const char *given);

/* cmd-diff.c: differences as the JSON of smaudit diff and of scan's
 * control_set_differences. */
struct sm_diff;
json_t *sm_diff_json(const struct sm_diff *d);
/* The same as the text of smaudit diff: a block per key. */
void sm_diff_text(FILE *f, const struct sm_diff *d);

#endif
