/* A small, bounded YAML tree for the baseline loader.
 *
 * Baselines are untrusted input: the reader refuses anchors and aliases,
 * foreign tags, several documents, deep nesting, huge scalars and invalid
 * UTF-8, and keeps the 1-based line and column of every node for messages.
 */
#ifndef SM_YAML_DOC_H
#define SM_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "base/result.h"
#include "base/utf8.h" /* sm_utf8_valid */

#define SM_YAML_MAX_FILE (1024 * 1024)
#define SM_YAML_MAX_DEPTH 32
#define SM_YAML_MAX_SCALAR (64 * 1024)

typedef enum yd_kind { YD_SCALAR, YD_SEQ, YD_MAP } yd_kind;

typedef struct yd_node {
  yd_kind kind;
  unsigned line, col;
  bool plain;   /* plain scalar without a tag: may be a bool or null */
  bool builtin; /* part of a built-in tree: kept for the run, never freed */
  char *str;    /* scalar text, NUL-free UTF-8 */
  size_t len;
  struct yd_node **items; /* sequence items, or mapping values */
  struct yd_node **keys;  /* mapping keys (scalars), parallel to items */
  size_t n, cap;
} yd_node;

/* A node of a built-in tree as checks/gen-builtin writes it: offsets and
 * indices, no pointers, so that the trees cost no relocation at start-up
 * and only the tree a run reads is made into yd_nodes (sm_yaml_parse).
 * Node 0 is the root. */
typedef struct sm_yaml_cnode {
  unsigned char kind, plain, keyed; /* keyed: keys follow the items */
  unsigned line, col;
  unsigned str; /* offset in chars; SM_YAML_NO_STR: none */
  unsigned len, n;
  unsigned items; /* index in ptrs of the first item (then the keys) */
} sm_yaml_cnode;
#define SM_YAML_NO_STR 0xFFFFFFFFu

/* The shipped baselines as parsed at build time (checks/gen-builtin.c):
 * the file's exact bytes and their tree.  Ends with a NULL text.
 * sm_yaml_built[i], NULL until sm_yaml_parse first needs it, is the tree
 * of sm_yaml_builtins[i] made into yd_nodes. */
typedef struct sm_yaml_builtin {
  const char *text;
  size_t len;
  const sm_yaml_cnode *nodes;
  const unsigned *ptrs; /* node indices */
  char *chars;
  size_t n_nodes, n_ptrs;
} sm_yaml_builtin;
extern const sm_yaml_builtin sm_yaml_builtins[];
extern const size_t sm_yaml_n_builtins;
extern yd_node *sm_yaml_built[];

/* Read a regular file of at most SM_YAML_MAX_FILE bytes into *buf
 * (NUL-terminated, caller-frees), opened by sm_evidence_open (a FIFO,
 * device or directory is refused).  SM_ERR_IO with "PATH: reason" when it
 * cannot be read, SM_ERR_USAGE when it is too large.  st, when not NULL,
 * receives the fstat of the file read. */
sm_result sm_yaml_read_file(const char *path, char **buf, size_t *len,
                            struct stat *st, sm_error *err);

/* Parse one YAML document into a tree; *root is NULL for an empty stream.
 * Messages are "FILE:LINE:COL: reason" with code SM_ERR_USAGE.  For input
 * that is byte for byte a shipped baseline, the tree built in at build
 * time, the same as parsing would give (sm_yaml_free leaves it alone). */
sm_result sm_yaml_parse(const char *file, const char *buf, size_t len,
                        yd_node **root, sm_error *err);
/* Parse buf itself, built-in trees or not (checks/gen-builtin, tests). */
sm_result sm_yaml_parse_source(const char *file, const char *buf, size_t len,
                               yd_node **root, sm_error *err);
void sm_yaml_free(yd_node *n); /* NULL is a no-op */

#endif
