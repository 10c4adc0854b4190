/* gen-hive: build a registry hive from .reg files, for the test fixtures.
 *
 *   gen-hive OUT.hiv FILE.reg [FILE.reg...]
 *
 * hivex cannot create a hive from nothing, so an empty one (base block, one
 * hbin with a root key and its security cell) is written here first; hivex
 * then applies the .reg files.  The syntax is regedit's, plus str(N):"..."
 * and multi:"a","b" (see testdata/README.md).  Errors print as
 * "gen-hive: FILE:LINE: reason" and exit 2; OUT is replaced only on success.
 */
#include <config.h>

#include <errno.h>
#include <hivex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/le.h"
#include "testdata/gen-hive.h"
#include "testdata/regf-raw.h"

const char *cur_file = "";
unsigned cur_line;
char *tmp_path;

void die(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "gen-hive: ");
  if (cur_line)
    fprintf(stderr, "%s:%u: ", cur_file, cur_line);
  else if (cur_file[0])
    fprintf(stderr, "%s: ", cur_file);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  if (tmp_path)
    unlink(tmp_path);
  exit(EXIT_ERROR);
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p)
    die("out of memory");
  return p;
}

void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p)
    die("out of memory");
  return p;
}

void buf_add(buf *b, const void *data, size_t n) {
  if (n == 0)
    return;
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 64;
    b->p = xrealloc(b->p, b->cap);
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

void buf_byte(buf *b, unsigned char c) { buf_add(b, &c, 1); }

/* Keys. */

static hive_node_h find_child(hive_h *h, hive_node_h node, const char *name) {
  errno = 0;
  hive_node_h child = hivex_node_get_child(h, node, name);
  if (child == 0 && errno != 0)
    die("looking up key '%s': %s", name, strerror(errno));
  return child;
}

/* Strip the hive's mount point from a key path; the rest is below the
 * root.  Returns a pointer into path. */
static const char *relative_path(const char *path) {
  static const char *const prefixes[] = {"HKEY_LOCAL_MACHINE\\SYSTEM",
                                         "HKLM\\SYSTEM"};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t n = strlen(prefixes[i]);
    if (strncasecmp(path, prefixes[i], n) == 0 &&
        (path[n] == '\0' || path[n] == '\\'))
      return path[n] ? path + n + 1 : path + n;
  }
  if (strncasecmp(path, "HKEY_", 5) == 0 || strncasecmp(path, "HKLM\\", 5) == 0)
    die("key '%s' is not in HKEY_LOCAL_MACHINE\\SYSTEM", path);
  return path;
}

/* Walk path below the root; create missing keys when create is set.
 * Returns 0 when absent and not created. */
/* A key name of a .reg path, where the backslash separates keys: %0, %|,
 * %P, %F, %^ and %# mark it for the byte-level pass as \0 ... do in a quoted
 * name (regf-raw.c), %% is a percent sign.  Rewritten in place. */
static void key_part(char *part) {
  static const char from[] = "%0|PF^#",
                    to[] = "%\x01\x02\x03\x04\x05\x06";
  char *o = part;
  for (const char *p = part; *p; p++) {
    const char *e = *p == '%' && p[1] ? strchr(from, p[1]) : NULL;
    if (*p == '%' && !e)
      die("unknown escape '%%%c' in a key name (only %%%%, %%0, %%|, %%P, "
          "%%F, %%^, %%#)",
          p[1] ? p[1] : ' ');
    *o++ = e ? to[e - from] : *p;
    p += e != NULL;
  }
  *o = '\0';
}

static hive_node_h walk(hive_h *h, const char *path, bool create) {
  hive_node_h node = hivex_root(h);
  char *copy = strdup(path), *save = NULL;
  if (!copy)
    die("out of memory");
  for (char *part = strtok_r(copy, "\\", &save); part;
       part = strtok_r(NULL, "\\", &save)) {
    key_part(part);
    hive_node_h child = find_child(h, node, part);
    if (child == 0) {
      if (!create) {
        free(copy);
        return 0;
      }
      errno = 0;
      child = hivex_node_add_child(h, node, part);
      if (child == 0)
        die("cannot create key '%s': %s", part, strerror(errno));
    }
    node = child;
  }
  free(copy);
  return node;
}

/* Values. */

/* Remove one value (case-insensitive name) by rewriting the key's list;
 * hivex has no call to delete a single value. */
/* A value of the key as hivex_node_set_values takes it, named key (which
 * it now owns). */
static hive_set_value copy_value(hive_h *h, hive_value_h val, char *key) {
  hive_type t;
  size_t len;
  char *v = hivex_value_value(h, val, &t, &len);
  if (!v && len != 0)
    die("reading value '%s': %s", key, strerror(errno));
  return (hive_set_value){.key = key, .t = t, .len = len, .value = v};
}

static void delete_value(hive_h *h, hive_node_h node, const char *name) {
  errno = 0;
  hive_value_h *vals = hivex_node_values(h, node);
  if (!vals)
    die("reading values: %s", strerror(errno));
  size_t n = 0;
  while (vals[n])
    n++;
  hive_set_value *set = xmalloc(n * sizeof *set);
  size_t kept = 0;
  bool found = false;
  for (size_t i = 0; i < n; i++) {
    char *key = hivex_value_key(h, vals[i]);
    if (!key)
      die("reading a value name: %s", strerror(errno));
    if (!found && strcasecmp(key, name) == 0) {
      found = true;
      free(key);
      continue;
    }
    set[kept++] = copy_value(h, vals[i], key);
  }
  if (found && hivex_node_set_values(h, node, kept, set, 0) != 0)
    die("deleting value '%s': %s", name, strerror(errno));
  for (size_t i = 0; i < kept; i++) {
    free(set[i].key);
    free(set[i].value);
  }
  free(set);
  free(vals);
}

/* Values set in the current [key] section, written in one
 * hivex_node_set_values when the section ends: hivex_node_set_value
 * rewrites every value of the key each time, which makes a key of 5,000
 * values cost gigabytes. */
typedef struct pending {
  hive_node_h key;
  hive_set_value *v;
  size_t n, cap;
} pending;

static void free_set(hive_set_value *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(v[i].key);
    free(v[i].value);
  }
  free(v);
}

/* The key's values with the pending ones applied as hivex_node_set_value
 * would, one at a time: the same name (exactly) replaced where it is, one
 * in another case (regedit matches names without case) dropped and the
 * new one added at the end. */
static void flush(hive_h *h, pending *p) {
  if (!p->n)
    return;
  errno = 0;
  hive_value_h *vals = hivex_node_values(h, p->key);
  if (!vals)
    die("reading values: %s", strerror(errno));
  size_t n = 0;
  while (vals[n])
    n++;
  hive_set_value *set = xmalloc((n + p->n) * sizeof *set);
  bool *used = calloc(p->n ? p->n : 1, sizeof *used);
  if (!used)
    die("out of memory");
  size_t kept = 0;
  for (size_t i = 0; i < n; i++) {
    char *key = hivex_value_key(h, vals[i]);
    if (!key)
      die("reading a value name: %s", strerror(errno));
    size_t j = p->n;
    while (j-- > 0 && strcasecmp(p->v[j].key, key) != 0)
      ;
    if (j != (size_t)-1) { /* set again: in place, or dropped */
      if (strcmp(p->v[j].key, key) == 0) {
        set[kept++] = p->v[j];
        used[j] = true;
      }
      free(key);
      continue;
    }
    set[kept++] = copy_value(h, vals[i], key);
  }
  for (size_t j = 0; j < p->n; j++)
    if (!used[j])
      set[kept++] = p->v[j];
  if (hivex_node_set_values(h, p->key, kept, set, 0) != 0)
    die("setting values: %s", strerror(errno));
  free_set(set, kept);
  free(used);
  free(vals);
  free(p->v);
  p->v = NULL;
  p->n = p->cap = 0;
}

static void set_value(hive_h *h, pending *p, hive_node_h node, const char *name,
                      uint32_t type, const buf *data) {
  if (p->key != node)
    flush(h, p);
  p->key = node;
  char *value = xmalloc(data->len ? data->len : 1);
  if (data->len)
    memcpy(value, data->p, data->len);
  hive_set_value v = {
      .key = strdup(name), .t = type, .len = data->len, .value = value};
  if (!v.key)
    die("out of memory");
  /* A name set twice in the section: the later wins, in the earlier's
   * place when spelled the same, else at the end. */
  for (size_t j = 0; j < p->n; j++) {
    if (strcasecmp(p->v[j].key, name) != 0)
      continue;
    bool same = strcmp(p->v[j].key, name) == 0;
    free(p->v[j].key);
    free(p->v[j].value);
    if (same) {
      p->v[j] = v;
      return;
    }
    memmove(&p->v[j], &p->v[j + 1], (p->n - j - 1) * sizeof *p->v);
    p->n--;
    break;
  }
  if (p->n == p->cap) {
    p->cap = p->cap ? 2 * p->cap : 16;
    p->v = xrealloc(p->v, p->cap * sizeof *p->v);
  }
  p->v[p->n++] = v;
}

static void apply_reg(hive_h *h, const char *path) {
  cur_file = path;
  cur_line = 0;
  char *text = read_text(path);
  char *pos = text;
  unsigned line = 1, first;
  bool header = false;
  hive_node_h key = 0;
  pending p = {0};
  char *l;
  while ((l = next_logical_line(&pos, &line, &first))) {
    cur_line = first;
    const char *s = skip_space(l);
    if (*s == '\0' || *s == ';') {
      free(l);
      continue;
    }
    if (!header) {
      if (strcmp(s, "Windows Registry Editor Version 5.00") != 0 &&
          strcmp(s, "REGEDIT4") != 0)
        die("expected the header 'Windows Registry Editor Version 5.00' or "
            "'REGEDIT4'");
      header = true;
      free(l);
      continue;
    }
    if (*s == '[') {
      flush(h, &p);
      size_t n = strlen(s);
      if (s[n - 1] != ']')
        die("key line without its closing ']'");
      bool del = s[1] == '-';
      char *name = strndup(s + 1 + del, n - 2 - del);
      if (!name)
        die("out of memory");
      const char *rel = relative_path(name);
      if (del) {
        if (*rel == '\0')
          die("cannot delete the root key");
        hive_node_h victim = walk(h, rel, false);
        if (victim && hivex_node_delete_child(h, victim) != 0)
          die("deleting key '%s': %s", rel, strerror(errno));
        key = 0;
      } else {
        key = walk(h, rel, true);
      }
      free(name);
      free(l);
      continue;
    }
    char *name;
    if (*s == '@') {
      name = strdup("");
      if (!name)
        die("out of memory");
      s++;
    } else if (*s == '"') {
      name = parse_quoted(&s);
    } else {
      die("expected a [key], a \"name\"=value or @=value");
    }
    s = skip_space(s);
    if (*s != '=')
      die("expected '=' after the value name");
    if (!key)
      die("value outside a key (no [key] line before it, or the key was "
          "deleted)");
    uint32_t type = 0;
    buf data = {0};
    if (parse_data(s + 1, &type, &data)) {
      set_value(h, &p, key, name, type, &data);
    } else {
      flush(h, &p);
      delete_value(h, key, name);
    }
    free(data.p);
    free(name);
    free(l);
  }
  flush(h, &p);
  if (!header) {
    cur_line = 0;
    die("empty file: no 'Windows Registry Editor Version 5.00' header");
  }
  free(text);
}

/* Copy the hive to start from; it is only read. */
static void copy_base(FILE *f, const char *base) {
  FILE *in = fopen(base, "rb");
  if (!in) {
    cur_file = base;
    die("%s", strerror(errno));
  }
  char b[65536];
  size_t n;
  while ((n = fread(b, 1, sizeof b, in)) > 0)
    if (fwrite(b, 1, n, f) != n)
      die("%s: %s", tmp_path, strerror(errno));
  if (ferror(in)) {
    cur_file = base;
    die("%s", strerror(errno));
  }
  fclose(in);
}

/* Rewrite the format's minor version (a hive of an older Windows), with
 * the base block's checksum. */
static void set_minor(const char *path, unsigned minor) {
  unsigned char base[512];
  FILE *f = fopen(path, "r+b");
  if (!f || fread(base, 1, sizeof base, f) != sizeof base)
    die("%s: cannot read the base block", path);
  sm_put_le32(base + 24, minor);
  sm_put_le32(base + 508, base_checksum(base));
  if (fseek(f, 0, SEEK_SET) != 0 ||
      fwrite(base, 1, sizeof base, f) != sizeof base || fclose(f) != 0)
    die("%s: %s", path, strerror(errno));
}

int main(int argc, char **argv) {
  const char *base = NULL;
  long minor = -1;
  for (;;) {
    if (argc > 2 && strcmp(argv[1], "--base") == 0)
      base = argv[2];
    else if (argc > 2 && strcmp(argv[1], "--minor") == 0)
      minor = strtol(argv[2], NULL, 10);
    else
      break;
    argc -= 2;
    argv += 2;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: gen-hive [--base HIVE] [--minor N] OUT.hiv "
                    "FILE.reg [FILE.reg...]\n");
    return EXIT_ERROR;
  }
  const char *out = argv[1];
  size_t n = strlen(out);
  tmp_path = xmalloc(n + 16);
  snprintf(tmp_path, n + 16, "%s.tmpXXXXXX", out);
  int fd = mkstemp(tmp_path);
  if (fd < 0) {
    free(tmp_path);
    tmp_path = NULL;
    cur_file = out;
    die("%s", strerror(errno));
  }
  /* mkstemp makes the file 0600; give it the usual mode. */
  mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0)
    die("%s: %s", tmp_path, strerror(errno));
  FILE *f = fdopen(fd, "wb");
  if (!f)
    die("%s: %s", tmp_path, strerror(errno));
  if (base)
    copy_base(f, base);
  else
    write_empty_hive(f);
  if (fclose(f) != 0)
    die("%s: %s", tmp_path, strerror(errno));

  errno = 0;
  hive_h *h = hivex_open(tmp_path, HIVEX_OPEN_WRITE);
  if (!h)
    die("hivex cannot open the empty hive: %s", strerror(errno));
  for (int i = 2; i < argc; i++)
    apply_reg(h, argv[i]);
  cur_file = out;
  cur_line = 0;
  if (hivex_commit(h, NULL, 0) != 0)
    die("writing the hive: %s", strerror(errno));
  if (hivex_close(h) != 0)
    die("closing the hive: %s", strerror(errno));
  char rawerr[512];
  if (regf_raw_names(tmp_path, rawerr, sizeof rawerr) == (unsigned)-1)
    die("%s", rawerr);
  if (minor >= 0)
    set_minor(tmp_path, (unsigned)minor);
  if (rename(tmp_path, out) != 0)
    die("%s", strerror(errno));
  free(tmp_path);
  return 0;
}
