/* A linear-time matcher for the regexes of baselines (see checks/regex.h).
 *
 * The pattern is parsed into a tree (counted repetitions stay counts), the
 * tree's size once expanded is checked against SM_REGEX_MAX_STATES, and it
 * is emitted as a Thompson program: BYTE (a 256-bit set), SPLIT, JMP,
 * ASSERT (a zero-width test of the neighbouring bytes) and MATCH.  A
 * search keeps the set of program counters alive at the current byte,
 * adds the start at every position (an unanchored search) and stops at
 * the first MATCH: each byte costs at most one visit of each state. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/regex-internal.h"
#include "checks/regex.h"

/* ---- the program ---- */

enum op { OP_BYTE, OP_SPLIT, OP_JMP, OP_ASSERT, OP_MATCH };

typedef struct inst {
  uint8_t op;
  uint8_t arg; /* ASSERT: akind */
  uint16_t set;
  int x, y; /* SPLIT: both; JMP: x */
} inst;

struct sm_regex {
  inst *prog;
  size_t n;
  byteset *sets;
  size_t words;     /* 32-bit words of a set of states */
  uint32_t *accept; /* [256][words]: the BYTE states that read each byte */
};

/* The states node k expands to, saturated at limit + 1. */
static size_t size_of(const parser *P, int k, size_t limit) {
  const node *n = &P->nodes[k];
  size_t a, b;
  switch (n->kind) {
  case N_EMPTY:
    return 0;
  case N_SET:
  case N_ASSERT:
    return 1;
  case N_CAT:
  case N_ALT:
    a = size_of(P, n->a, limit);
    b = size_of(P, n->b, limit);
    a += b + (n->kind == N_ALT ? 2 : 0);
    return a > limit ? limit + 1 : a;
  case N_REPEAT:
    a = size_of(P, n->a, limit);
    /* min copies (the last one looping back for no bound: x+), then
     * max - min optional ones (a SPLIT each), or a loop x* */
    b = n->max < 0 ? (n->min ? (size_t)n->min * a + 1 : a + 2)
                   : (size_t)n->min * a + (size_t)(n->max - n->min) * (a + 1);
    if (a > limit || (a && (size_t)n->min > limit) ||
        (n->max > 0 && a && (size_t)n->max > limit))
      return limit + 1;
    return b > limit ? limit + 1 : b;
  }
  return limit + 1;
}

static void emit(const parser *P, int k, sm_regex *re) {
  const node *n = &P->nodes[k];
  inst *p = re->prog;
  size_t at;
  switch (n->kind) {
  case N_EMPTY:
    return;
  case N_SET:
    p[re->n++] = (inst){.op = OP_BYTE, .set = (uint16_t)n->arg};
    return;
  case N_ASSERT:
    p[re->n++] = (inst){.op = OP_ASSERT, .arg = (uint8_t)n->arg};
    return;
  case N_CAT:
    emit(P, n->a, re);
    emit(P, n->b, re);
    return;
  case N_ALT:
    at = re->n++;
    p[at] = (inst){.op = OP_SPLIT, .x = (int)re->n};
    emit(P, n->a, re);
    size_t jmp = re->n++;
    p[at].y = (int)re->n;
    emit(P, n->b, re);
    p[jmp] = (inst){.op = OP_JMP, .x = (int)re->n};
    return;
  case N_REPEAT:
    for (int i = 0; i + 1 < n->min; i++)
      emit(P, n->a, re);
    if (n->max < 0 && n->min > 0) { /* L: body; SPLIT L, out */
      at = re->n;
      emit(P, n->a, re);
      p[re->n] = (inst){.op = OP_SPLIT, .x = (int)at, .y = (int)re->n + 1};
      re->n++;
      return;
    }
    if (n->min > 0)
      emit(P, n->a, re);
    if (n->max < 0) { /* L: SPLIT body, out; body; JMP L */
      at = re->n++;
      p[at] = (inst){.op = OP_SPLIT, .x = (int)re->n};
      emit(P, n->a, re);
      p[re->n] = (inst){.op = OP_JMP, .x = (int)at};
      re->n++;
      p[at].y = (int)re->n;
      return;
    }
    for (int i = n->min; i < n->max; i++) { /* SPLIT body, out; body */
      at = re->n++;
      p[at] = (inst){.op = OP_SPLIT, .x = (int)re->n};
      emit(P, n->a, re);
      p[at].y = (int)re->n;
    }
    return;
  }
}

sm_result sm_regex_compile(const char *src, bool icase, sm_regex **out,
                           char *why, size_t why_size) {
  parser P = {.p = src, .icase = icase};
  sm_result rc = SM_OK;
  sm_regex *re = NULL;
  *out = NULL;
  int root = sm_rx_parse(&P);
  if (P.nomem) {
    rc = SM_ERR_NOMEM;
    goto out;
  }
  if (root < 0 || *P.p) {
    snprintf(why, why_size, "%s",
             P.why ? P.why : "a form this matcher does not support");
    rc = SM_ERR_USAGE;
    goto out;
  }
  size_t n = size_of(&P, root, SM_REGEX_MAX_STATES) + 1;
  if (n > SM_REGEX_MAX_STATES || P.n_sets > UINT16_MAX) {
    snprintf(why, why_size,
             "more than %d states once its repetitions are expanded "
             "(a search costs that many steps per byte)",
             SM_REGEX_MAX_STATES);
    rc = SM_ERR_USAGE;
    goto out;
  }
  if (!(re = calloc(1, sizeof *re)) ||
      !(re->prog = calloc(n, sizeof *re->prog))) {
    rc = SM_ERR_NOMEM;
    goto out;
  }
  emit(&P, root, re);
  re->prog[re->n++] = (inst){.op = OP_MATCH};
  re->sets = P.sets;
  P.sets = NULL;
  re->words = (re->n + 31) / 32;
  if (!(re->accept = calloc(256 * re->words, sizeof *re->accept))) {
    rc = SM_ERR_NOMEM;
    goto out;
  }
  for (size_t pc = 0; pc < re->n; pc++)
    for (unsigned b = 0; re->prog[pc].op == OP_BYTE && b < 256; b++)
      if (set_has(&re->sets[re->prog[pc].set], b))
        re->accept[b * re->words + pc / 32] |= 1u << (pc % 32);
  *out = re;
  re = NULL;
out:
  sm_regex_free(re);
  free(P.nodes);
  free(P.sets);
  return rc;
}

size_t sm_regex_states(const sm_regex *re) { return re->n; }

void sm_regex_free(sm_regex *re) {
  if (!re)
    return;
  free(re->prog);
  free(re->sets);
  free(re->accept);
  free(re);
}

/* ---- the search ---- */

typedef struct thread_set {
  int *pc;
  size_t n;
} thread_set;

typedef struct sim {
  const sm_regex *re;
  const unsigned char *s;
  size_t len;
  uint32_t *mark; /* generation in which each state was added */
  uint32_t gen;
  int *stack;
  bool matched;
} sim;

static bool assert_holds(const sim *S, akind a, size_t pos) {
  bool prev = pos > 0 && is_word(S->s[pos - 1]);
  bool next = pos < S->len && is_word(S->s[pos]);
  switch (a) {
  case A_BOL:
    return pos == 0;
  case A_EOL:
    return pos == S->len;
  case A_WORD:
    return prev != next;
  case A_NOT_WORD:
    return prev == next;
  case A_WORD_BEG:
    return !prev && next;
  case A_WORD_END:
    return prev && !next;
  }
  return false;
}

/* Add state pc and every state it reaches without reading, at pos. */
static void add(sim *S, thread_set *l, int pc, size_t pos) {
  const inst *prog = S->re->prog;
  size_t top = 0;
  S->stack[top++] = pc;
  while (top > 0) {
    pc = S->stack[--top];
    if (S->mark[pc] == S->gen)
      continue;
    S->mark[pc] = S->gen;
    const inst *i = &prog[pc];
    switch (i->op) {
    case OP_JMP:
      S->stack[top++] = i->x;
      break;
    case OP_SPLIT: /* each state is pushed once per generation at most */
      S->stack[top++] = i->y;
      S->stack[top++] = i->x;
      break;
    case OP_ASSERT:
      if (assert_holds(S, (akind)i->arg, pos))
        S->stack[top++] = pc + 1;
      break;
    case OP_MATCH:
      S->matched = true;
      break;
    case OP_BYTE:
      l->pc[l->n++] = pc;
      break;
    }
  }
}

bool sm_regex_search(const sm_regex *re, const char *str, size_t len) {
  int cur[SM_REGEX_MAX_STATES], nxt[SM_REGEX_MAX_STATES];
  int stack[2 * SM_REGEX_MAX_STATES + 2];
  uint32_t mark[SM_REGEX_MAX_STATES];
  sim S = {.re = re,
           .s = (const unsigned char *)str,
           .len = len,
           .mark = mark,
           .gen = 1,
           .stack = stack};
  thread_set c = {cur, 0}, n = {nxt, 0};
  const inst *prog = re->prog;
  memset(mark, 0, re->n * sizeof *mark);
  add(&S, &c, 0, 0);
  for (size_t pos = 0; !S.matched && pos < len; pos++) {
    const uint32_t *acc = re->accept + S.s[pos] * re->words;
    S.gen++;
    n.n = 0;
    for (size_t i = 0; i < c.n && !S.matched; i++) {
      int pc = c.pc[i];
      if (!((acc[pc / 32] >> (pc % 32)) & 1))
        continue;
      int to = pc + 1;
      if (prog[to].op != OP_BYTE) {
        add(&S, &n, to, pos + 1);
      } else if (mark[to] != S.gen) { /* the usual case, without the stack */
        mark[to] = S.gen;
        n.pc[n.n++] = to;
      }
    }
    add(&S, &n, 0, pos + 1); /* a match may start at any byte */
    thread_set t = c;
    c = n;
    n = t;
  }
  return S.matched;
}
