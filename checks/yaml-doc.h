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
  char *str; /* scalar text, NUL-free UTF-8 */
  size_t len;
  bool plain; /* plain scalar without a tag: may be a bool or null */
  struct yd_node **items; /* sequence items, or mapping values */
  struct yd_node **keys;  /* mapping keys (scalars), parallel to items */
  size_t n, cap;
  bool builtin; /* part of a built-in tree: static, never freed */
} yd_node;

/* The shipped baselines as parsed at build time (checks/gen-builtin.c):
 * the file's exact bytes and their tree.  Ends with a NULL text. */
typedef struct sm_yaml_builtin {
  const char *text;
  size_t len;
  yd_node *root;
} sm_yaml_builtin;
extern const sm_yaml_builtin sm_yaml_builtins[];
extern const size_t sm_yaml_n_builtins;

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
