#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "checks/yaml-doc.h"

sm_result sm_yaml_read_file(const char *path, char **buf, size_t *len,
                            struct stat *stp, sm_error *err) {
  sm_result rc = SM_OK;
  char *data = NULL;
  *buf = NULL;
  *len = 0;
  /* Baselines may sit beside evidence: keep their access time too. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME);
  if (fd < 0 && errno == EPERM)
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return sm_error_set(err, SM_ERR_IO, "%s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    rc = sm_error_set(err, SM_ERR_IO, "%s: %s", path, strerror(errno));
    goto out;
  }
  if (S_ISDIR(st.st_mode)) {
    rc = sm_error_set(err, SM_ERR_IO, "%s: %s", path, strerror(EISDIR));
    goto out;
  }
  if (S_ISREG(st.st_mode) && st.st_size > SM_YAML_MAX_FILE) {
    rc = sm_error_set(err, SM_ERR_USAGE, "%s:1:1: file is larger than 1 MiB",
                      path);
    goto out;
  }
  /* st_size is a hint only: the file may grow, or be a pipe. */
  size_t cap = SM_YAML_MAX_FILE + 2, used = 0;
  data = malloc(cap);
  if (!data) {
    rc = sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", path);
    goto out;
  }
  while (used < SM_YAML_MAX_FILE + 1) {
    ssize_t r = read(fd, data + used, SM_YAML_MAX_FILE + 1 - used);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      rc = sm_error_set(err, SM_ERR_IO, "%s: %s", path, strerror(errno));
      goto out;
    }
    if (r == 0)
      break;
    used += (size_t)r;
  }
  if (used > SM_YAML_MAX_FILE) {
    rc = sm_error_set(err, SM_ERR_USAGE, "%s:1:1: file is larger than 1 MiB",
                      path);
    goto out;
  }
  data[used] = '\0';
  if (stp)
    *stp = st;
  *buf = data;
  *len = used;
  data = NULL;
out:
  free(data);
  close(fd);
  return rc;
}

bool sm_utf8_valid(const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < len) {
    unsigned c = s[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (len - i <= n)
      return false;
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
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
    "!",
    YAML_STR_TAG,
    YAML_INT_TAG,
    YAML_BOOL_TAG,
    YAML_NULL_TAG,
    YAML_FLOAT_TAG,
    YAML_SEQ_TAG,
    YAML_MAP_TAG,
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
static void offset_mark(const char *buf, size_t len, size_t off,
                        unsigned *line, unsigned *col) {
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

sm_result sm_yaml_parse(const char *file, const char *buf, size_t len,
                        yd_node **rootp, sm_error *err) {
  for (size_t i = 0; i < sm_yaml_n_builtins; i++)
    if (len == sm_yaml_builtins[i].len &&
        memcmp(buf, sm_yaml_builtins[i].text, len) == 0) {
      *rootp = sm_yaml_builtins[i].root;
      return SM_OK;
    }
  return sm_yaml_parse_source(file, buf, len, rootp, err);
}

sm_result sm_yaml_parse_source(const char *file, const char *buf, size_t len,
                               yd_node **rootp, sm_error *err) {
  sm_result rc = SM_OK;
  yaml_parser_t p;
  yaml_event_t ev;
  bool have_ev = false;
  yd_node *root = NULL;
  yd_node *stack[SM_YAML_MAX_DEPTH + 1];
  bool key_pending[SM_YAML_MAX_DEPTH + 1];
  size_t depth = 0;
  unsigned docs = 0;
  *rootp = NULL;

  if (!yaml_parser_initialize(&p))
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", file);
  yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
  yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);

  for (;;) {
    if (!yaml_parser_parse(&p, &ev)) {
      unsigned line, col;
      if (p.error == YAML_MEMORY_ERROR) {
        rc = sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", file);
        goto out;
      }
      if (p.error == YAML_READER_ERROR) {
        offset_mark(buf, len, p.problem_offset, &line, &col);
      } else {
        line = (unsigned)p.problem_mark.line + 1;
        col = (unsigned)p.problem_mark.column + 1;
      }
      if (p.context)
        rc = sm_error_set(err, SM_ERR_USAGE, "%s:%u:%u: %s %s", file, line,
                          col, p.problem ? p.problem : "syntax error",
                          p.context);
      else
        rc = sm_error_set(err, SM_ERR_USAGE, "%s:%u:%u: %s", file, line, col,
                          p.problem ? p.problem : "syntax error");
      goto out;
    }
    have_ev = true;
    unsigned line = (unsigned)ev.start_mark.line + 1;
    unsigned col = (unsigned)ev.start_mark.column + 1;
    const yaml_char_t *anchor = NULL, *tag = NULL;
    yd_node *node = NULL;

    switch (ev.type) {
    case YAML_STREAM_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    case YAML_NO_EVENT:
      break;
    case YAML_STREAM_END_EVENT:
      goto done;
    case YAML_DOCUMENT_START_EVENT:
      if (++docs > 1) {
        rc = sm_error_set(err, SM_ERR_USAGE,
                          "%s:%u:%u: a baseline is one YAML document, not "
                          "several",
                          file, line, col);
        goto out;
      }
      break;
    case YAML_ALIAS_EVENT:
      rc = sm_error_set(err, SM_ERR_USAGE,
                        "%s:%u:%u: YAML aliases are not allowed", file, line,
                        col);
      goto out;
    case YAML_SCALAR_EVENT:
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      if (ev.type == YAML_SCALAR_EVENT) {
        anchor = ev.data.scalar.anchor;
        tag = ev.data.scalar.tag;
      } else if (ev.type == YAML_SEQUENCE_START_EVENT) {
        anchor = ev.data.sequence_start.anchor;
        tag = ev.data.sequence_start.tag;
      } else {
        anchor = ev.data.mapping_start.anchor;
        tag = ev.data.mapping_start.tag;
      }
      if (anchor) {
        rc = sm_error_set(err, SM_ERR_USAGE,
                          "%s:%u:%u: YAML anchors are not allowed", file, line,
                          col);
        goto out;
      }
      if (!tag_allowed(tag)) {
        rc = sm_error_set(err, SM_ERR_USAGE,
                          "%s:%u:%u: YAML tag '%.64s' is not allowed", file,
                          line, col, (const char *)tag);
        goto out;
      }
      if (ev.type != YAML_SCALAR_EVENT && depth == SM_YAML_MAX_DEPTH) {
        rc = sm_error_set(err, SM_ERR_USAGE,
                          "%s:%u:%u: nesting deeper than %d levels", file,
                          line, col, SM_YAML_MAX_DEPTH);
        goto out;
      }
      if (depth > 0 && stack[depth - 1]->kind == YD_MAP &&
          !key_pending[depth - 1] && ev.type != YAML_SCALAR_EVENT) {
        rc = sm_error_set(err, SM_ERR_USAGE,
                          "%s:%u:%u: mapping keys must be plain strings", file,
                          line, col);
        goto out;
      }
      node = calloc(1, sizeof *node);
      if (!node) {
        rc = sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", file);
        goto out;
      }
      node->line = line;
      node->col = col;
      if (ev.type == YAML_SCALAR_EVENT) {
        size_t n = ev.data.scalar.length;
        const char *v = (const char *)ev.data.scalar.value;
        node->kind = YD_SCALAR;
        if (n > SM_YAML_MAX_SCALAR) {
          free(node);
          rc = sm_error_set(err, SM_ERR_USAGE,
                            "%s:%u:%u: scalar longer than 64 KiB", file, line,
                            col);
          goto out;
        }
        if (memchr(v, '\0', n) || !sm_utf8_valid(v, n)) {
          free(node);
          rc = sm_error_set(err, SM_ERR_USAGE,
                            "%s:%u:%u: scalar is not valid UTF-8 text", file,
                            line, col);
          goto out;
        }
        node->str = malloc(n + 1);
        if (!node->str) {
          free(node);
          rc = sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", file);
          goto out;
        }
        memcpy(node->str, v, n);
        node->str[n] = '\0';
        node->len = n;
        node->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tag;
      } else {
        node->kind =
            ev.type == YAML_SEQUENCE_START_EVENT ? YD_SEQ : YD_MAP;
      }
      if (depth == 0) {
        root = node;
      } else {
        yd_node *parent = stack[depth - 1];
        bool as_key = parent->kind == YD_MAP && !key_pending[depth - 1];
        if (attach(parent, node, as_key) != SM_OK) {
          sm_yaml_free(node);
          rc = sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", file);
          goto out;
        }
        if (parent->kind == YD_MAP)
          key_pending[depth - 1] = as_key;
      }
      if (node->kind != YD_SCALAR) {
        stack[depth] = node;
        key_pending[depth] = false;
        depth++;
      }
      break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      if (depth > 0)
        depth--;
      break;
    }
    yaml_event_delete(&ev);
    have_ev = false;
  }
done:
  *rootp = root;
  root = NULL;
out:
  if (have_ev)
    yaml_event_delete(&ev);
  yaml_parser_delete(&p);
  sm_yaml_free(root);
  return rc;
}
