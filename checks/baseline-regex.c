/* The regex of an expect: refused when its matching could be costly,
 * compiled by checks/regex.c for one linear search otherwise. */
#include <config.h>

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "checks/baseline-internal.h"

/* glibc's ERE accepts \1..\9, whose matching is exponential. */
static bool has_backref(const char *s) {
  for (; *s; s++)
    if (*s == '\\') {
      if (s[1] >= '1' && s[1] <= '9')
        return true;
      if (s[1])
        s++;
    }
  return false;
}

/* Bounded repetitions are expanded when a pattern is compiled: a{1,32767}
 * takes glibc seconds to refuse, and one inside another multiplies.  Counts
 * over 255, and a bounded repetition of a group that holds one, are
 * refused.  Returns NULL or why not. */
#define MAX_REPEAT 255
static const char *repeat_problem(const char *s) {
  bool inner[64] = {false}; /* per open group: holds a bounded repetition */
  size_t depth = 0;
  bool last_group = false, last_inner = false; /* the atom just closed */
  for (; *s; s++) {
    bool group_closed = false;
    if (*s == '\\') {
      if (s[1])
        s++;
    } else if (*s == '[') {
      /* A bracket expression: ']' first is literal; [:x:] [.x.] [=x=]. */
      s++;
      if (*s == '^')
        s++;
      if (*s == ']')
        s++;
      while (*s && *s != ']') {
        if (*s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
          char end = s[1];
          s += 2;
          while (*s && !(*s == end && s[1] == ']'))
            s++;
          if (*s)
            s++;
        }
        if (*s)
          s++;
      }
      if (!*s)
        return NULL; /* unbalanced: regcomp says so */
    } else if (*s == '(') {
      if (depth == sizeof inner / sizeof *inner)
        return "groups nested deeper than 64";
      inner[depth++] = false;
    } else if (*s == ')' && depth > 0) {
      last_inner = inner[--depth];
      if (depth > 0)
        inner[depth - 1] |= last_inner;
      group_closed = true;
    } else if (*s == '{' && (isdigit((unsigned char)s[1]) || s[1] == ',')) {
      for (s++; *s && *s != '}'; s++)
        if (isdigit((unsigned char)*s)) {
          char *end;
          if (strtoul(s, &end, 10) > MAX_REPEAT)
            return "repetition counts over 255";
          s = end - 1;
        }
      if (last_group && last_inner)
        return "bounded repetitions of a group that holds one";
      if (depth > 0)
        inner[depth - 1] = true;
      if (!*s)
        return NULL;
    }
    last_group = group_closed;
  }
  return NULL;
}

sm_result sm_bl_compile_regex(const fctx *F, const yd_node *n, sm_expect *e) {
  if (strlen(e->regex_src) > MAX_PATTERN)
    return sm_bl_fail(F, n, "'regex': longer than %d bytes", MAX_PATTERN);
  if (has_backref(e->regex_src))
    return sm_bl_fail(F, n, "'regex': back-references are not allowed");
  const char *why = repeat_problem(e->regex_src);
  if (why)
    return sm_bl_fail(F, n, "'regex': %s are not allowed", why);
  /* glibc's regcomp checks the syntax, with its usual messages; its
   * regexec is not used: a search tries each start in turn (a+$ on a long
   * run of 'a' is quadratic) and its DFA grows with the string (a[ab]{20}$
   * on 64 KB: 21 s and 210 MB).  checks/regex.c matches in one pass,
   * linear in the string times the automaton's size, which is bounded. */
  int flags = REG_EXTENDED | REG_NOSUB | (e->case_sensitive ? 0 : REG_ICASE);
  regex_t re;
  int r = regcomp(&re, e->regex_src, flags);
  if (r != 0) {
    char buf[128];
    regerror(r, &re, buf, sizeof buf);
    regfree(&re);
    return sm_bl_fail(F, n, "'regex': %s", buf);
  }
  regfree(&re);
  char buf[160];
  sm_result rc = sm_regex_compile(e->regex_src, !e->case_sensitive, &e->regex,
                                  buf, sizeof buf);
  if (rc == SM_ERR_NOMEM)
    return sm_bl_nomem(F->L);
  if (rc != SM_OK)
    return sm_bl_fail(F, n, "'regex' '%.64s%s': %s", e->regex_src,
                      strlen(e->regex_src) > 64 ? "..." : "", buf);
  e->has_regex = true;
  return SM_OK;
}
