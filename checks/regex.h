/* The regular expressions of baselines, matched in time linear in the
 * string: a POSIX extended regular expression (the syntax of glibc's
 * regcomp with REG_EXTENDED, in the C locale: bytes) is compiled to a
 * Thompson automaton of at most SM_REGEX_MAX_STATES states, counted
 * repetitions expanded, and a search simulates the automaton over the
 * string once, holding the set of live states: each byte costs at most the
 * number of states, whatever the pattern and the string.  No back-tracking,
 * no lazily built DFA, no memory but that set (on the stack). */
#ifndef SM_REGEX_H
#define SM_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "base/result.h"

/* The bound on a compiled pattern: a search costs at most this many steps
 * per byte of the string. */
#define SM_REGEX_MAX_STATES 512

typedef struct sm_regex sm_regex;

/* Compile src, a pattern that regcomp(REG_EXTENDED) accepts (check that
 * first: its messages are the usual ones), case-insensitive (ASCII) when
 * icase.  SM_ERR_USAGE with why (a phrase) for a pattern too large once its
 * repetitions are expanded or using a form this matcher does not have
 * (multi-character collating elements); SM_ERR_NOMEM. */
sm_result sm_regex_compile(const char *src, bool icase, sm_regex **out,
                           char *why, size_t why_size);

/* Whether the pattern matches anywhere in s[0..len) (a search, as regexec
 * without REG_NOTBOL/REG_NOTEOL). */
bool sm_regex_search(const sm_regex *re, const char *s, size_t len);

/* The automaton's size, in states. */
size_t sm_regex_states(const sm_regex *re);

void sm_regex_free(sm_regex *re); /* NULL is a no-op */

#endif
