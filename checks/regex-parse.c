/* Parsing a regex (checks/regex.h) into a tree: the syntax of glibc's
 * regcomp with REG_EXTENDED in the C locale, which has accepted the
 * pattern first; counted repetitions stay counts here. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "checks/regex-internal.h"

#define MAX_DEPTH 64 /* nested groups, as the loader allows */

static unsigned lower(unsigned c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int new_node(parser *P, nkind kind) {
  if (!sm_grow(&P->nodes, P->n_nodes, sizeof *P->nodes)) {
    P->nomem = true;
    return -1;
  }
  node *n = &P->nodes[P->n_nodes];
  memset(n, 0, sizeof *n);
  n->kind = kind;
  n->a = n->b = -1;
  return (int)P->n_nodes++;
}

/* A SET node for s (negated when negate).  With icase, glibc translates
 * the pattern's bytes and the string's to lower case before comparing, so
 * a set s built from lower-cased bytes holds c when it holds lower(c). */
static int set_node(parser *P, byteset s, bool negate) {
  if (negate)
    for (int i = 0; i < 8; i++)
      s.w[i] = ~s.w[i];
  byteset t = s;
  if (P->icase) {
    memset(&t, 0, sizeof t);
    for (unsigned c = 0; c < 256; c++)
      if (set_has(&s, lower(c)))
        set_add(&t, c);
  }
  t.w[0] &= ~1u; /* never NUL (RE_DOT_NOT_NULL; strings end there) */
  if (!sm_grow(&P->sets, P->n_sets, sizeof *P->sets)) {
    P->nomem = true;
    return -1;
  }
  int k = new_node(P, N_SET);
  if (k >= 0) {
    P->nodes[k].arg = (int)P->n_sets;
    P->sets[P->n_sets++] = t;
  }
  return k;
}

static int byte_node(parser *P, unsigned c) {
  byteset s = {{0}};
  set_add(&s, P->icase ? lower(c) : c);
  return set_node(P, s, false);
}

static int assert_node(parser *P, akind a) {
  int k = new_node(P, N_ASSERT);
  if (k >= 0)
    P->nodes[k].arg = (int)a;
  return k;
}

static int pair_node(parser *P, nkind kind, int a, int b) {
  if (a < 0 || b < 0)
    return -1;
  int k = new_node(P, kind);
  if (k >= 0) {
    P->nodes[k].a = a;
    P->nodes[k].b = b;
  }
  return k;
}

static bool in_class(const char *name, size_t len, unsigned c) {
#define IS(s) (len == sizeof s - 1 && memcmp(name, s, len) == 0)
  bool up = c >= 'A' && c <= 'Z', lo = c >= 'a' && c <= 'z';
  bool dig = c >= '0' && c <= '9';
  bool punct = (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) ||
               (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
  if (IS("alpha"))
    return up || lo;
  if (IS("digit"))
    return dig;
  if (IS("alnum"))
    return up || lo || dig;
  if (IS("upper"))
    return up;
  if (IS("lower"))
    return lo;
  if (IS("space"))
    return c == ' ' || (c >= '\t' && c <= '\r');
  if (IS("blank"))
    return c == ' ' || c == '\t';
  if (IS("punct"))
    return punct;
  if (IS("print"))
    return c >= 0x20 && c <= 0x7e;
  if (IS("graph"))
    return c >= 0x21 && c <= 0x7e;
  if (IS("cntrl"))
    return c < 0x20 || c == 0x7f;
  if (IS("xdigit"))
    return dig || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
#undef IS
  return false;
}

/* One element of a bracket expression at *pp: a byte (*lo) or a class
 * (added to s, *lo -1).  False when it is a form not supported. */
static bool bracket_elem(parser *P, const char **pp, byteset *s, int *lo) {
  const char *p = *pp;
  if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
    char kind = p[1];
    const char *name = p + 2, *end = name;
    while (*end && !(end[0] == kind && end[1] == ']'))
      end++;
    if (!*end)
      return false;
    *pp = end + 2;
    if (kind != ':') { /* [.x.] and [=x=] of one byte */
      if (end - name != 1) {
        P->why = "multi-character collating elements are not supported";
        return false;
      }
      *lo = (unsigned char)*name;
      return true;
    }
    for (unsigned c = 1; c < 256; c++)
      if (in_class(name, (size_t)(end - name), c))
        set_add(s, P->icase ? lower(c) : c), set_add(s, c);
    *lo = -1;
    return true;
  }
  *lo = (unsigned char)*p;
  *pp = p + 1;
  return true;
}

static int parse_bracket(parser *P) {
  byteset s = {{0}};
  bool negate = false;
  const char *p = P->p; /* after '[' */
  if (*p == '^') {
    negate = true;
    p++;
  }
  bool first = true;
  while (*p && (first || *p != ']')) {
    int lo, hi;
    first = false;
    if (!bracket_elem(P, &p, &s, &lo))
      return -1;
    if (lo >= 0 && p[0] == '-' && p[1] && p[1] != ']') {
      p++;
      if (!bracket_elem(P, &p, &s, &hi) || hi < 0)
        return -1;
      if (P->icase) {
        lo = (int)lower((unsigned)lo);
        hi = (int)lower((unsigned)hi);
      }
      for (int c = lo; c <= hi; c++)
        set_add(&s, (unsigned)c);
    } else if (lo >= 0) {
      set_add(&s, P->icase ? lower((unsigned)lo) : (unsigned)lo);
    }
  }
  if (*p != ']')
    return -1;
  P->p = p + 1;
  return set_node(P, s, negate);
}

static int parse_alt(parser *P, int depth);

static int parse_escape(parser *P) {
  unsigned c = (unsigned char)*P->p++;
  byteset s = {{0}};
  switch (c) {
  case 'w':
  case 'W':
  case 's':
  case 'S':
    for (unsigned b = 1; b < 256; b++)
      if (c == 'w' || c == 'W' ? is_word(b) : in_class("space", 5, b))
        set_add(&s, b);
    return set_node(P, s, c == 'W' || c == 'S');
  case 'b':
    return assert_node(P, A_WORD);
  case 'B':
    return assert_node(P, A_NOT_WORD);
  case '<':
    return assert_node(P, A_WORD_BEG);
  case '>':
    return assert_node(P, A_WORD_END);
  case '`':
    return assert_node(P, A_BOL);
  case '\'':
    return assert_node(P, A_EOL);
  case '\0':
    P->p--;
    return -1;
  default:
    return byte_node(P, c);
  }
}

static int parse_atom(parser *P, int depth) {
  unsigned c = (unsigned char)*P->p++;
  int k;
  switch (c) {
  case '(':
    if (depth >= MAX_DEPTH)
      return -1;
    k = parse_alt(P, depth + 1);
    if (k < 0 || *P->p != ')')
      return -1;
    P->p++;
    return k;
  case '[':
    return parse_bracket(P);
  case '.': {
    byteset s = {{0}};
    return set_node(P, s, true);
  }
  case '^':
    return assert_node(P, A_BOL);
  case '$':
    return assert_node(P, A_EOL);
  case '\\':
    return parse_escape(P);
  case '*':
  case '+':
  case '?':
    return -1; /* regcomp refuses a repetition of nothing */
  default:
    return byte_node(P, c);
  }
}

/* {m}, {m,}, {m,n} or {,n} at P->p (after '{'). */
static bool parse_count(parser *P, int *min, int *max) {
  const char *p = P->p;
  long m = 0, n;
  while (*p >= '0' && *p <= '9' && m <= 100000)
    m = m * 10 + (*p++ - '0');
  n = m;
  if (*p == ',') {
    p++;
    n = -1;
    if (*p >= '0' && *p <= '9')
      for (n = 0; *p >= '0' && *p <= '9' && n <= 100000; p++)
        n = n * 10 + (*p - '0');
  }
  if (*p != '}' || m > 100000 || n > 100000 || (n >= 0 && n < m))
    return false;
  P->p = p + 1;
  *min = (int)m;
  *max = (int)n;
  return true;
}

static int parse_repeat(parser *P, int depth) {
  int k = parse_atom(P, depth);
  while (k >= 0) {
    int min, max;
    char c = *P->p;
    if (c == '*' || c == '+' || c == '?') {
      P->p++;
      min = c == '+';
      max = c == '?' ? 1 : -1;
    } else if (c == '{' &&
               ((P->p[1] >= '0' && P->p[1] <= '9') || P->p[1] == ',')) {
      P->p++;
      if (!parse_count(P, &min, &max))
        return -1;
    } else {
      break;
    }
    int r = new_node(P, N_REPEAT);
    if (r < 0)
      return -1;
    P->nodes[r].a = k;
    P->nodes[r].min = min;
    P->nodes[r].max = max;
    k = r;
  }
  return k;
}

static int parse_cat(parser *P, int depth) {
  int k = new_node(P, N_EMPTY);
  while (k >= 0 && *P->p && *P->p != '|' && !(*P->p == ')' && depth > 0))
    k = pair_node(P, N_CAT, k, parse_repeat(P, depth));
  return k;
}

static int parse_alt(parser *P, int depth) {
  int k = parse_cat(P, depth);
  while (k >= 0 && *P->p == '|') {
    P->p++;
    k = pair_node(P, N_ALT, k, parse_cat(P, depth));
  }
  return k;
}

int sm_rx_parse(parser *P) { return parse_alt(P, 0); }
