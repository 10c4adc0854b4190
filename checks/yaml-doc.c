#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "base/evidence.h"
#include "checks/yaml-doc.h"

sm_result sm_yaml_read_file(const char *path, char **buf, size_t *len,
                            struct stat *stp, sm_error *err) {
  sm_evidence_file f;
  *buf = NULL;
  *len = 0;
  /* The one evidence-safe open (base/evidence.h): regular files only, so a
   * FIFO cannot block and a device cannot be read for ever; non-blocking;
   * the access time kept where the kernel allows it (baselines may sit
   * beside evidence). */
  sm_result rc = sm_evidence_open(AT_FDCWD, path, path, 0, &f, err);
  if (rc != SM_OK)
    return rc;
  char *data = NULL;
  if (f.st.st_size > SM_YAML_MAX_FILE) {
    rc = sm_error_set(err, SM_ERR_USAGE, "%s:1:1: file is larger than 1 MiB",
                      path);
    goto out;
  }
  size_t size = (size_t)f.st.st_size;
  if (!(data = malloc(size + 1))) {
    rc = sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", path);
    goto out;
  }
  if ((rc = sm_read_full(f.fd, data, size, 0, path, err)) != SM_OK)
    goto out;
  data[size] = '\0';
  if (stp)
    *stp = f.st;
  *buf = data;
  *len = size;
  data = NULL;
out:
  free(data);
  close(f.fd);
  return rc;
}

void sm_yaml_free(yd_node *n) {
  if (!n || n->builtin)
    return;
  for (size_t i = 0; i < n->n; i++) {
    sm_yaml_free(n->items[i]);
    if (n->keys)
      sm_yaml_free(n->keys[i]);
  }
  free(n->items);
  free(n->keys);
  free(n->str);
  free(n);
}

static const char *const allowed_tags[] = {
    "!",           YAML_STR_TAG,   YAML_INT_TAG, YAML_BOOL_TAG,
    YAML_NULL_TAG, YAML_FLOAT_TAG, YAML_SEQ_TAG, YAML_MAP_TAG,
};

static bool tag_allowed(const yaml_char_t *tag) {
  if (!tag)
    return true;
  for (size_t i = 0; i < sizeof allowed_tags / sizeof allowed_tags[0]; i++)
    if (strcmp((const char *)tag, allowed_tags[i]) == 0)
      return true;
  return false;
}

/* libyaml's reader errors carry a byte offset, not a mark. */
static void offset_mark(const char *buf, size_t len, size_t off, unsigned *line,
                        unsigned *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off && i < len; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c == '\n') {
      (*line)++;
      *col = 1;
    } else if ((c & 0xc0) != 0x80) {
      (*col)++;
    }
  }
}

/* A mapping holds key i and value i at index i; the key is attached first
 * (with a NULL value) so that an error in between frees both. */
static sm_result attach(yd_node *parent, yd_node *child, bool as_key) {
  if (parent->kind == YD_MAP && !as_key) {
    parent->items[parent->n - 1] = child;
    return SM_OK;
  }
  if (parent->n == parent->cap) {
    size_t cap = parent->cap ? parent->cap * 2 : 8;
    yd_node **items = realloc(parent->items, cap * sizeof *items);
    if (!items)
      return SM_ERR_NOMEM;
    parent->items = items;
    if (parent->kind == YD_MAP) {
      yd_node **keys = realloc(parent->keys, cap * sizeof *keys);
      if (!keys)
        return SM_ERR_NOMEM;
      parent->keys = keys;
    }
    parent->cap = cap;
  }
  if (parent->kind == YD_MAP)
    parent->keys[parent->n] = child;
  parent->items[parent->n++] = as_key ? NULL : child;
  return SM_OK;
}

/* The built-in tree b made into yd_nodes, kept for the rest of the run;
 * NULL when out of memory. */
static yd_node *make_builtin(const sm_yaml_builtin *b) {
  yd_node *nodes = calloc(b->n_nodes, sizeof *nodes);
  yd_node **ptrs = calloc(b->n_ptrs, sizeof *ptrs);
  if (!nodes || !ptrs) {
    free(nodes);
    free(ptrs);
    return NULL;
  }
  for (size_t i = 0; i < b->n_ptrs; i++)
    ptrs[i] = nodes + b->ptrs[i];
  for (size_t i = 0; i < b->n_nodes; i++) {
    const sm_yaml_cnode *c = b->nodes + i;
    yd_node *n = nodes + i;
    *n = (yd_node){.kind = (yd_kind)c->kind, .line = c->line, .col = c->col,
                   .plain = c->plain, .builtin = true, .n = c->n,
                   .cap = c->n};
    if (c->str != SM_YAML_NO_STR) {
      n->str = b->chars + c->str;
      n->len = c->len;
    }
    if (c->n) {
      n->items = ptrs + c->items;
      n->keys = c->keyed ? n->items + c->n : NULL;
    }
  }
  return nodes;
}

sm_result sm_yaml_parse(const char *file, const char *buf, size_t len,
                        yd_node **rootp, sm_error *err) {
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  for (size_t i = 0; i < sm_yaml_n_builtins; i++)
    if (len == sm_yaml_builtins[i].len &&
        memcmp(buf, sm_yaml_builtins[i].text, len) == 0) {
      pthread_mutex_lock(&lock);
      if (!sm_yaml_built[i])
        sm_yaml_built[i] = make_builtin(&sm_yaml_builtins[i]);
      *rootp = sm_yaml_built[i];
      pthread_mutex_unlock(&lock);
      if (*rootp)
        return SM_OK;
      break; /* out of memory: the same tree, parsed */
    }
  return sm_yaml_parse_source(file, buf, len, rootp, err);
}

/* The parser's error as "FILE:LINE:COL: problem [context]". */
static sm_result parser_error(const char *file, const char *buf, size_t len,
                              const yaml_parser_t *p, sm_error *err) {
  unsigned line, col;
  if (p->error == YAML_MEMORY_ERROR)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", file);
  if (p->error == YAML_READER_ERROR) {
    offset_mark(buf, len, p->problem_offset, &line, &col);
  } else {
    line = (unsigned)p->problem_mark.line + 1;
    col = (unsigned)p->problem_mark.column + 1;
  }
  if (p->context)
    return sm_error_set(err, SM_ERR_USAGE, "%s:%u:%u: %s %s", file, line, col,
                        p->problem ? p->problem : "syntax error", p->context);
  return sm_error_set(err, SM_ERR_USAGE, "%s:%u:%u: %s", file, line, col,
                      p->problem ? p->problem : "syntax error");
}

/* The tree being built: the open sequences and mappings. */
typedef struct ybuild {
  const char *file;
  sm_error *err;
  yd_node *root;
  yd_node *stack[SM_YAML_MAX_DEPTH + 1];
  bool key_pending[SM_YAML_MAX_DEPTH + 1];
  size_t depth;
} ybuild;

/* A scalar event's text into node n (a scalar). */
static sm_result scalar_text(ybuild *y, const yaml_event_t *ev, yd_node *n) {
  size_t len = ev->data.scalar.length;
  const char *v = (const char *)ev->data.scalar.value;
  n->kind = YD_SCALAR;
  if (len > SM_YAML_MAX_SCALAR)
    return sm_error_set(y->err, SM_ERR_USAGE,
                        "%s:%u:%u: scalar longer than 64 KiB", y->file, n->line,
                        n->col);
  if (memchr(v, '\0', len) || !sm_utf8_valid(v, len))
    return sm_error_set(y->err, SM_ERR_USAGE,
                        "%s:%u:%u: scalar is not valid UTF-8 text", y->file,
                        n->line, n->col);
  n->str = malloc(len + 1);
  if (!n->str)
    return sm_error_set(y->err, SM_ERR_NOMEM, "%s: out of memory", y->file);
  memcpy(n->str, v, len);
  n->str[len] = '\0';
  n->len = len;
  n->plain =
      ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
  return SM_OK;
}

/* Refuse what a baseline may not hold at a node's start. */
static sm_result check_start(ybuild *y, const yaml_event_t *ev, unsigned line,
                             unsigned col) {
  const yaml_char_t *anchor, *tag;
  if (ev->type == YAML_SCALAR_EVENT) {
    anchor = ev->data.scalar.anchor;
    tag = ev->data.scalar.tag;
  } else if (ev->type == YAML_SEQUENCE_START_EVENT) {
    anchor = ev->data.sequence_start.anchor;
    tag = ev->data.sequence_start.tag;
  } else {
    anchor = ev->data.mapping_start.anchor;
    tag = ev->data.mapping_start.tag;
  }
  if (anchor)
    return sm_error_set(y->err, SM_ERR_USAGE,
                        "%s:%u:%u: YAML anchors are not allowed", y->file, line,
                        col);
  if (!tag_allowed(tag))
    return sm_error_set(y->err, SM_ERR_USAGE,
                        "%s:%u:%u: YAML tag '%.64s' is not allowed", y->file,
                        line, col, (const char *)tag);
  if (ev->type != YAML_SCALAR_EVENT && y->depth == SM_YAML_MAX_DEPTH)
    return sm_error_set(y->err, SM_ERR_USAGE,
                        "%s:%u:%u: nesting deeper than %d levels", y->file,
                        line, col, SM_YAML_MAX_DEPTH);
  if (y->depth > 0 && y->stack[y->depth - 1]->kind == YD_MAP &&
      !y->key_pending[y->depth - 1] && ev->type != YAML_SCALAR_EVENT)
    return sm_error_set(y->err, SM_ERR_USAGE,
                        "%s:%u:%u: mapping keys must be plain strings", y->file,
                        line, col);
  return SM_OK;
}

/* A scalar, sequence or mapping starts: its node, attached to its parent. */
static sm_result open_node(ybuild *y, const yaml_event_t *ev) {
  unsigned line = (unsigned)ev->start_mark.line + 1;
  unsigned col = (unsigned)ev->start_mark.column + 1;
  sm_result rc;
  if ((rc = check_start(y, ev, line, col)) != SM_OK)
    return rc;
  yd_node *node = calloc(1, sizeof *node);
  if (!node)
    return sm_error_set(y->err, SM_ERR_NOMEM, "%s: out of memory", y->file);
  node->line = line;
  node->col = col;
  if (ev->type == YAML_SCALAR_EVENT) {
    if ((rc = scalar_text(y, ev, node)) != SM_OK) {
      free(node);
      return rc;
    }
  } else {
    node->kind = ev->type == YAML_SEQUENCE_START_EVENT ? YD_SEQ : YD_MAP;
  }
  if (y->depth == 0) {
    y->root = node;
  } else {
    yd_node *parent = y->stack[y->depth - 1];
    bool as_key = parent->kind == YD_MAP && !y->key_pending[y->depth - 1];
    if (attach(parent, node, as_key) != SM_OK) {
      sm_yaml_free(node);
      return sm_error_set(y->err, SM_ERR_NOMEM, "%s: out of memory", y->file);
    }
    if (parent->kind == YD_MAP)
      y->key_pending[y->depth - 1] = as_key;
  }
  if (node->kind != YD_SCALAR) {
    y->stack[y->depth] = node;
    y->key_pending[y->depth] = false;
    y->depth++;
  }
  return SM_OK;
}

/* One event into the tree; *done at the end of the stream. */
static sm_result on_event(ybuild *y, const yaml_event_t *ev, unsigned *docs,
                          bool *done) {
  unsigned line = (unsigned)ev->start_mark.line + 1;
  unsigned col = (unsigned)ev->start_mark.column + 1;
  switch (ev->type) {
  case YAML_STREAM_START_EVENT:
  case YAML_DOCUMENT_END_EVENT:
  case YAML_NO_EVENT:
    break;
  case YAML_STREAM_END_EVENT:
    *done = true;
    break;
  case YAML_DOCUMENT_START_EVENT:
    if (++*docs > 1)
      return sm_error_set(y->err, SM_ERR_USAGE,
                          "%s:%u:%u: a baseline is one YAML document, not "
                          "several",
                          y->file, line, col);
    break;
  case YAML_ALIAS_EVENT:
    return sm_error_set(y->err, SM_ERR_USAGE,
                        "%s:%u:%u: YAML aliases are not allowed", y->file, line,
                        col);
  case YAML_SCALAR_EVENT:
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT:
    return open_node(y, ev);
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    if (y->depth > 0)
      y->depth--;
    break;
  }
  return SM_OK;
}

sm_result sm_yaml_parse_source(const char *file, const char *buf, size_t len,
                               yd_node **rootp, sm_error *err) {
  sm_result rc = SM_OK;
  yaml_parser_t p;
  yaml_event_t ev;
  ybuild y = {.file = file, .err = err};
  unsigned docs = 0;
  bool done = false;
  *rootp = NULL;

  if (!yaml_parser_initialize(&p))
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", file);
  yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
  yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
  while (!done && rc == SM_OK) {
    if (!yaml_parser_parse(&p, &ev)) {
      rc = parser_error(file, buf, len, &p, err);
      break;
    }
    rc = on_event(&y, &ev, &docs, &done);
    yaml_event_delete(&ev);
  }
  if (rc == SM_OK) {
    *rootp = y.root;
    y.root = NULL;
  }
  yaml_parser_delete(&p);
  sm_yaml_free(y.root);
  return rc;
}
