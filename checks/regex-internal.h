/* Inside the regex matcher (checks/regex*.c): the tree a pattern is parsed
 * into; not for other files. */
#ifndef SM_REGEX_INTERNAL_H
#define SM_REGEX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum nkind { N_EMPTY, N_SET, N_ASSERT, N_CAT, N_ALT, N_REPEAT } nkind;

typedef enum akind {
  A_BOL,      /* ^ and \` */
  A_EOL,      /* $ and \' */
  A_WORD,     /* \b */
  A_NOT_WORD, /* \B */
  A_WORD_BEG, /* \< */
  A_WORD_END, /* \> */
} akind;

typedef struct node {
  nkind kind;
  int a, b;     /* children (CAT, ALT), a only for REPEAT */
  int min, max; /* REPEAT: max -1 for no bound */
  int arg;      /* SET: set index; ASSERT: akind */
} node;

typedef struct byteset {
  uint32_t w[8];
} byteset;

typedef struct parser {
  const char *p;
  bool icase;
  node *nodes;
  size_t n_nodes;
  byteset *sets;
  size_t n_sets;
  const char *why; /* set when the pattern cannot be compiled */
  bool nomem;
} parser;

static inline bool set_has(const byteset *s, unsigned c) {
  return (s->w[c >> 5] >> (c & 31)) & 1;
}

static inline void set_add(byteset *s, unsigned c) {
  s->w[c >> 5] |= 1u << (c & 31);
}

static inline bool is_word(unsigned c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

/* Parse P->p, a pattern regcomp(REG_EXTENDED) accepted, into P's nodes:
 * the root, or -1 (P->nomem, or P->why when given) when it cannot. */
int sm_rx_parse(parser *P);

#endif
