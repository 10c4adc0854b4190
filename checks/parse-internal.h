/* Helpers shared by the parsers (checks/parse*.c); not for other layers. */
#ifndef SM_PARSE_INTERNAL_H
#define SM_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "checks/parse.h"

/* parse.c */

/* Make room for item n of an array that only ever grows through this call
 * (capacity doubles at each power of two).  False when out of memory; *v is
 * unchanged then. */
bool sm_grow(void **v, size_t n, size_t size);

/* Create every field of names (NULL-terminated), empty, in that order. */
sm_result sm_fields_init(sm_fields *f, const char *const *names);
/* Append a heap copy of s (or of its first n bytes) to a field. */
sm_result sm_field_push(sm_field *fl, const char *s);
sm_result sm_field_push_n(sm_field *fl, const char *s, size_t n);
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

/* The fields of each parser, in the order they are yielded. */
extern const char *const sm_csrss_field_names[];
extern const char *const sm_pathlist_field_names[];
extern const char *const sm_list_field_names[];
extern const char *const sm_pagingfiles_field_names[];
extern const char *const sm_pending_field_names[];
extern const char *const sm_bootexec_field_names[];
extern const char *const sm_subsystems_field_names[];
extern const char *const sm_knowndlls_field_names[];
extern const char *const sm_select_field_names[];

/* parse-*.c: run one parser and fill *out (zeroed first, freed on error). */
sm_result sm_csrss_fields(const char *line, sm_fields *out);
sm_result sm_pathlist_fields(const char *s, sm_fields *out);
sm_result sm_list_fields(const char *s, sm_fields *out);
sm_result sm_pagingfiles_fields(char *const *strv, size_t n, sm_fields *out);
sm_result sm_pending_fields(char *const *strv, size_t n, sm_fields *out);
sm_result sm_bootexec_fields(char *const *strv, size_t n, sm_fields *out);
sm_result sm_subsystems_fields(sm_value *const *v, size_t n, sm_fields *out);
sm_result sm_knowndlls_fields(sm_value *const *v, size_t n, sm_fields *out);
sm_result sm_select_fields(sm_value *const *v, size_t n, const unsigned *cs,
                           size_t n_cs, sm_fields *out);

#endif
