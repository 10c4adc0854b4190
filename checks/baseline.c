#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/baseline.h"
#include "checks/parse.h"
#include "checks/yaml-doc.h"

#define MAX_RULES 10000
#define MAX_EXTENDS_DEPTH 16
#define MAX_PATTERN 1024
#define INSTALLED_DIR SM_PKGDATADIR "/baselines"

/* A smaudit run from its build tree, not installed, finds the shipped
 * baselines beside itself (in-tree builds); "" when there are none. */
static char exe_dir[4096];
static pthread_once_t exe_dir_once = PTHREAD_ONCE_INIT;

static void find_exe_dir(void) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return;
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  if (!slash)
    return;
  *slash = '\0';
  char dir[4096 + 16];
  snprintf(dir, sizeof dir, "%s/baselines", self);
  struct stat st;
  if (strlen(dir) < sizeof exe_dir && stat(dir, &st) == 0 &&
      S_ISDIR(st.st_mode))
    memcpy(exe_dir, dir, strlen(dir) + 1);
}

static const char *beside_exe(void) {
  pthread_once(&exe_dir_once, find_exe_dir);
  return exe_dir;
}

static const char *const severity_names[] = {"info", "low", "medium", "high",
                                             "critical"};

const char *sm_severity_name(sm_severity s) {
  if ((unsigned)s < sizeof severity_names / sizeof severity_names[0])
    return severity_names[s];
  return "unknown";
}

bool sm_severity_parse(const char *name, sm_severity *out) {
  for (size_t i = 0; i < sizeof severity_names / sizeof severity_names[0]; i++)
    if (strcasecmp(name, severity_names[i]) == 0) {
      *out = (sm_severity)i;
      return true;
    }
  return false;
}

/* ---- freeing ---- */

static void strv_free(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static void expect_free(sm_expect *e) {
  free(e->equals_str);
  strv_free(e->one_of, e->n_one_of);
  free(e->glob);
  free(e->regex_src);
  if (e->has_regex)
    regfree(&e->regex);
  strv_free(e->exact, e->n_exact);
  strv_free(e->allowed, e->n_allowed);
  strv_free(e->required, e->n_required);
  strv_free(e->forbidden, e->n_forbidden);
  memset(e, 0, sizeof *e);
}

static void unlisted_free(sm_unlisted *u) {
  strv_free(u->allow, u->n_allow);
  strv_free(u->ignore, u->n_ignore);
}

static void rule_free(sm_rule *r) {
  free(r->id);
  free(r->title);
  free(r->normal);
  free(r->message);
  strv_free(r->attack, r->n_attack);
  strv_free(r->references, r->n_references);
  free(r->key);
  free(r->value);
  free(r->types);
  free(r->field);
  expect_free(&r->expect);
  unlisted_free(&r->values);
  unlisted_free(&r->subkeys);
  memset(r, 0, sizeof *r);
}

static void supp_free(sm_suppression *s) {
  free(s->rule);
  free(s->key);
  free(s->value);
  free(s->observed);
  free(s->justification);
  memset(s, 0, sizeof *s);
}

void sm_baseline_free(sm_baseline *b) {
  if (!b)
    return;
  free(b->name);
  free(b->description);
  free(b->family);
  free(b->path);
  strv_free(b->chain, b->n_chain);
  for (size_t i = 0; i < b->n_rules; i++)
    rule_free(&b->rules[i]);
  free(b->rules);
  for (size_t i = 0; i < b->n_suppressions; i++)
    supp_free(&b->suppressions[i]);
  free(b->suppressions);
  strv_free(b->files, b->n_files);
  free(b);
}

const sm_rule *sm_baseline_find_rule(const sm_baseline *b, const char *id) {
  for (size_t i = 0; b && i < b->n_rules; i++)
    if (strcmp(b->rules[i].id, id) == 0)
      return &b->rules[i];
  return NULL;
}

/* Make room for element n of an array that grows by doubling. */
static bool grow(void *arrp, size_t n, size_t size) {
  void **arr = arrp;
  if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
    return true;
  size_t cap = n < 8 ? 8 : n * 2;
  void *p = realloc(*arr, cap * size);
  if (!p)
    return false;
  *arr = p;
  return true;
}

/* ---- parse cache ---- */

/* One file's YAML tree, as parsed from the file that had this identity. */
typedef struct parsed_file {
  char *real;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime, ctime;
  yd_node *root;
  unsigned busy; /* frames of the load in progress that walk root */
} parsed_file;

struct sm_baseline_parse_cache {
  pthread_mutex_t lock; /* held for the whole of a load */
  parsed_file **files;
  size_t n_files;
  sm_baseline_parse_stats stats;
};

sm_baseline_parse_cache *sm_baseline_parse_cache_new(void) {
  sm_baseline_parse_cache *c = calloc(1, sizeof *c);
  if (c && pthread_mutex_init(&c->lock, NULL) != 0) {
    free(c);
    c = NULL;
  }
  return c;
}

void sm_baseline_parse_cache_free(sm_baseline_parse_cache *c) {
  if (!c)
    return;
  for (size_t i = 0; i < c->n_files; i++) {
    sm_yaml_free(c->files[i]->root);
    free(c->files[i]->real);
    free(c->files[i]);
  }
  free(c->files);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

sm_baseline_parse_stats
sm_baseline_parse_cache_stats(sm_baseline_parse_cache *c) {
  pthread_mutex_lock(&c->lock);
  sm_baseline_parse_stats s = c->stats;
  pthread_mutex_unlock(&c->lock);
  return s;
}

static bool same_time(const struct timespec *a, const struct timespec *b) {
  return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool same_file(const parsed_file *p, const struct stat *st) {
  return p->dev == st->st_dev && p->ino == st->st_ino &&
         p->size == st->st_size && same_time(&p->mtime, &st->st_mtim) &&
         same_time(&p->ctime, &st->st_ctim);
}

static parsed_file *cache_slot(sm_baseline_parse_cache *c, const char *real) {
  for (size_t i = 0; i < c->n_files; i++)
    if (strcmp(c->files[i]->real, real) == 0)
      return c->files[i];
  return NULL;
}

/* The cached tree of REAL if the file is still the one parsed, else NULL. */
static parsed_file *cache_find(sm_baseline_parse_cache *c, const char *real,
                               const struct stat *st) {
  parsed_file *p = cache_slot(c, real);
  return p && same_file(p, st) ? p : NULL;
}

/* Hand root, parsed from REAL whose fstat was st, to the cache: the entry,
 * or NULL when root stays the caller's (out of memory, or the older tree
 * of that file is still being walked). */
static parsed_file *cache_put(sm_baseline_parse_cache *c, const char *real,
                              const struct stat *st, yd_node *root) {
  parsed_file *p = cache_slot(c, real);
  if (p) {
    if (p->busy)
      return NULL;
    sm_yaml_free(p->root);
  } else {
    if (!grow(&c->files, c->n_files, sizeof *c->files))
      return NULL;
    if (!(p = calloc(1, sizeof *p)))
      return NULL;
    if (!(p->real = strdup(real))) {
      free(p);
      return NULL;
    }
    c->files[c->n_files++] = p;
  }
  p->dev = st->st_dev;
  p->ino = st->st_ino;
  p->size = st->st_size;
  p->mtime = st->st_mtim;
  p->ctime = st->st_ctim;
  p->root = root;
  return p;
}

/* ---- loader state ---- */

typedef struct loader {
  char **files; /* interned display paths, rule.file points here */
  size_t n_files;
  char *real[MAX_EXTENDS_DEPTH + 2]; /* the extends chain being loaded */
  const char *disp[MAX_EXTENDS_DEPTH + 2];
  size_t depth;
  sm_baseline_parse_cache *cache;
  sm_error *err;
} loader;

typedef struct fctx {
  loader *L;
  const char *file;
} fctx;

static sm_result nomem(loader *L) {
  return sm_error_set(L->err, SM_ERR_NOMEM, "out of memory");
}

static sm_result fail(const fctx *F, const yd_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static sm_result fail(const fctx *F, const yd_node *n, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return sm_error_set(F->L->err, SM_ERR_USAGE, "%s:%u:%u: %s", F->file,
                      n->line, n->col, msg);
}

static const char *intern(loader *L, const char *path) {
  for (size_t i = 0; i < L->n_files; i++)
    if (strcmp(L->files[i], path) == 0)
      return L->files[i];
  if (!grow(&L->files, L->n_files, sizeof *L->files))
    return NULL;
  char *s = strdup(path);
  if (!s)
    return NULL;
  L->files[L->n_files++] = s;
  return s;
}

/* ---- scalars ---- */

static bool is_null(const yd_node *n) {
  return n->kind == YD_SCALAR && n->plain &&
         (n->len == 0 || strcmp(n->str, "~") == 0 ||
          strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
          strcmp(n->str, "NULL") == 0);
}

static bool parse_u64(const char *s, uint64_t *out) {
  uint64_t v = 0;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s += 2;
    if (!*s)
      return false;
    for (; *s; s++) {
      unsigned d;
      if (*s >= '0' && *s <= '9')
        d = (unsigned)(*s - '0');
      else if (*s >= 'a' && *s <= 'f')
        d = (unsigned)(*s - 'a' + 10);
      else if (*s >= 'A' && *s <= 'F')
        d = (unsigned)(*s - 'A' + 10);
      else
        return false;
      if (v > UINT64_MAX >> 4)
        return false;
      v = v << 4 | d;
    }
  } else {
    if (!*s)
      return false;
    for (; *s; s++) {
      if (*s < '0' || *s > '9')
        return false;
      unsigned d = (unsigned)(*s - '0');
      if (v > (UINT64_MAX - d) / 10)
        return false;
      v = v * 10 + d;
    }
  }
  *out = v;
  return true;
}

static sm_result get_str(const fctx *F, const yd_node *n, const char *what,
                         char **out) {
  if (n->kind != YD_SCALAR || is_null(n))
    return fail(F, n, "'%s' must be a string", what);
  *out = strdup(n->str);
  return *out ? SM_OK : nomem(F->L);
}

static sm_result get_bool(const fctx *F, const yd_node *n, const char *what,
                          bool *out) {
  if (n->kind == YD_SCALAR && n->plain) {
    if (!strcmp(n->str, "true") || !strcmp(n->str, "True") ||
        !strcmp(n->str, "TRUE")) {
      *out = true;
      return SM_OK;
    }
    if (!strcmp(n->str, "false") || !strcmp(n->str, "False") ||
        !strcmp(n->str, "FALSE")) {
      *out = false;
      return SM_OK;
    }
  }
  return fail(F, n, "'%s' must be true or false", what);
}

static sm_result get_u64(const fctx *F, const yd_node *n, const char *what,
                         uint64_t *out) {
  if (n->kind != YD_SCALAR || !parse_u64(n->str, out))
    return fail(F, n, "'%s' must be a number (decimal or 0x hex, 64 bits)",
                what);
  return SM_OK;
}

/* A list of strings; with max_len, each is a pattern of at most that many
 * bytes. */
static sm_result get_strv(const fctx *F, const yd_node *n, const char *what,
                          size_t max_len, char ***out, size_t *nout) {
  if (n->kind != YD_SEQ)
    return fail(F, n, "'%s' must be a list of strings", what);
  if (n->n == 0)
    return SM_OK;
  char **v = calloc(n->n, sizeof *v);
  if (!v)
    return nomem(F->L);
  sm_result rc = SM_OK;
  size_t i;
  for (i = 0; i < n->n; i++) {
    const yd_node *it = n->items[i];
    if (it->kind != YD_SCALAR || is_null(it)) {
      rc = fail(F, it, "'%s' must be a list of strings", what);
      goto out;
    }
    if (max_len && it->len > max_len) {
      rc = fail(F, it, "'%s': pattern longer than %zu bytes", what, max_len);
      goto out;
    }
    v[i] = strdup(it->str);
    if (!v[i]) {
      rc = nomem(F->L);
      goto out;
    }
  }
  *out = v;
  *nout = n->n;
  v = NULL;
out:
  if (v)
    strv_free(v, i);
  return rc;
}

static sm_result get_pattern(const fctx *F, const yd_node *n, const char *what,
                             char **out) {
  if (n->kind == YD_SCALAR && n->len > MAX_PATTERN)
    return fail(F, n, "'%s': pattern longer than %d bytes", what, MAX_PATTERN);
  return get_str(F, n, what, out);
}

static sm_result get_enum(const fctx *F, const yd_node *n, const char *what,
                          const char *const *names, size_t count, int *out) {
  if (n->kind == YD_SCALAR && !is_null(n))
    for (size_t i = 0; i < count; i++)
      if (strcmp(n->str, names[i]) == 0) {
        *out = (int)i;
        return SM_OK;
      }
  char list[200] = "";
  for (size_t i = 0; i < count; i++) {
    strncat(list, names[i], sizeof list - strlen(list) - 1);
    if (i + 1 < count)
      strncat(list, ", ", sizeof list - strlen(list) - 1);
  }
  if (n->kind == YD_SCALAR)
    return fail(F, n, "'%s' must be one of %s, not '%.64s'", what, list,
                n->str);
  return fail(F, n, "'%s' must be one of %s", what, list);
}

/* Look up the key of mapping entry i among names; unknown and repeated keys
 * are errors. */
static sm_result map_key(const fctx *F, const yd_node *map, size_t i,
                         const char *const *names, size_t count,
                         const char *where, uint32_t *seen, size_t *idx) {
  const yd_node *k = map->keys[i];
  for (size_t j = 0; j < count; j++)
    if (strcmp(k->str, names[j]) == 0) {
      if (*seen & (UINT32_C(1) << j))
        return fail(F, k, "duplicate field '%s' in %s", names[j], where);
      *seen |= UINT32_C(1) << j;
      *idx = j;
      return SM_OK;
    }
  return fail(F, k, "unknown field '%.64s' in %s", k->str, where);
}

static bool valid_id(const char *s) {
  if (!(*s >= 'A' && *s <= 'Z'))
    return false;
  for (s++; *s; s++)
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-'))
      return false;
  return true;
}

static bool valid_name(const char *s) {
  if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
    return false;
  for (s++; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' ||
          *s == '_' || *s == '-'))
      return false;
  return true;
}

static bool valid_date(const char *s, int *y, int *m, int *d) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int i = 0; i < 10; i++) {
    if (i == 4 || i == 7) {
      if (s[i] != '-')
        return false;
    } else if (s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  if (s[10])
    return false;
  *y = atoi(s);
  *m = atoi(s + 5);
  *d = atoi(s + 8);
  if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
    return false;
  bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  return !(*m == 2 && *d == 29 && !leap);
}

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

/* ---- expect ---- */

enum {
  E_EQUALS,
  E_ONE_OF,
  E_GLOB,
  E_REGEX,
  E_RANGE,
  E_BITS_SET,
  E_BITS_CLEAR,
  E_EMPTY,
  E_EXACT,
  E_ALLOWED,
  E_REQUIRED,
  E_FORBIDDEN,
  E_MAX_ITEMS,
  E_ORDER,
  E_CASE,
  E_N
};
static const char *const expect_fields[E_N] = {
    "equals",   "one-of",  "glob",     "regex",     "range",
    "bits-set", "bits-clear", "empty", "exact",     "allowed",
    "required", "forbidden", "max-items", "order",  "case"};

static sm_result parse_range(const fctx *F, const yd_node *n, sm_expect *e) {
  static const char *const names[] = {"min", "max"};
  uint32_t seen = 0;
  sm_result rc;
  if (n->kind != YD_MAP)
    return fail(F, n, "'range' must be a mapping {min: N, max: N}");
  for (size_t i = 0; i < n->n; i++) {
    size_t idx = 0;
    if ((rc = map_key(F, n, i, names, 2, "range", &seen, &idx)) != SM_OK)
      return rc;
    if (idx == 0) {
      if ((rc = get_u64(F, n->items[i], "min", &e->min)) != SM_OK)
        return rc;
      e->has_min = true;
    } else {
      if ((rc = get_u64(F, n->items[i], "max", &e->max)) != SM_OK)
        return rc;
      e->has_max = true;
    }
  }
  if (!e->has_min && !e->has_max)
    return fail(F, n, "'range' needs 'min', 'max' or both");
  if (e->has_min && e->has_max && e->min > e->max)
    return fail(F, n, "'range': min %llu is greater than max %llu",
                (unsigned long long)e->min, (unsigned long long)e->max);
  return SM_OK;
}

/* Fills e; the caller frees e whatever the result. */
static sm_result parse_expect(const fctx *F, const yd_node *m, sm_expect *e) {
  const yd_node *nodes[E_N] = {0};
  uint32_t seen = 0;
  sm_result rc;
  uint64_t u;
  int k;
  if (m->kind != YD_MAP)
    return fail(F, m, "'expect' must be a mapping");
  for (size_t i = 0; i < m->n; i++) {
    size_t idx = 0;
    if ((rc = map_key(F, m, i, expect_fields, E_N, "expect", &seen, &idx)) !=
        SM_OK)
      return rc;
    nodes[idx] = m->items[i];
  }
  for (size_t f = 0; f < E_N; f++) {
    const yd_node *n = nodes[f];
    const char *what = expect_fields[f];
    if (!n)
      continue;
    switch (f) {
    case E_EQUALS:
      if ((rc = get_str(F, n, what, &e->equals_str)) != SM_OK)
        return rc;
      e->has_equals = true;
      e->equals_is_num = parse_u64(n->str, &e->equals_num);
      break;
    case E_ONE_OF:
      rc = get_strv(F, n, what, 0, &e->one_of, &e->n_one_of);
      break;
    case E_GLOB:
      rc = get_pattern(F, n, what, &e->glob);
      break;
    case E_REGEX:
      rc = get_str(F, n, what, &e->regex_src);
      break;
    case E_RANGE:
      rc = parse_range(F, n, e);
      break;
    case E_BITS_SET:
      rc = get_u64(F, n, what, &e->bits_set);
      e->has_bits_set = true;
      break;
    case E_BITS_CLEAR:
      rc = get_u64(F, n, what, &e->bits_clear);
      e->has_bits_clear = true;
      break;
    case E_EMPTY:
      rc = get_bool(F, n, what, &e->empty);
      e->has_empty = true;
      break;
    case E_EXACT:
      rc = get_strv(F, n, what, 0, &e->exact, &e->n_exact);
      e->has_exact = true;
      break;
    case E_ALLOWED:
      rc = get_strv(F, n, what, MAX_PATTERN, &e->allowed, &e->n_allowed);
      e->has_allowed = true;
      break;
    case E_REQUIRED:
      rc = get_strv(F, n, what, 0, &e->required, &e->n_required);
      break;
    case E_FORBIDDEN:
      rc = get_strv(F, n, what, MAX_PATTERN, &e->forbidden, &e->n_forbidden);
      break;
    case E_MAX_ITEMS:
      rc = get_u64(F, n, what, &u);
      if (rc == SM_OK && u > SIZE_MAX)
        rc = fail(F, n, "'max-items' is too large");
      e->max_items = (size_t)u;
      e->has_max_items = true;
      break;
    case E_ORDER: {
      static const char *const orders[] = {"any", "exact"};
      rc = get_enum(F, n, what, orders, 2, &k);
      e->order_exact = k == 1;
      break;
    }
    case E_CASE: {
      static const char *const cases[] = {"insensitive", "sensitive"};
      rc = get_enum(F, n, what, cases, 2, &k);
      e->case_sensitive = k == 1;
      break;
    }
    }
    if (rc != SM_OK)
      return rc;
  }
  if (e->regex_src) {
    const yd_node *n = nodes[E_REGEX];
    if (strlen(e->regex_src) > MAX_PATTERN)
      return fail(F, n, "'regex': longer than %d bytes", MAX_PATTERN);
    if (has_backref(e->regex_src))
      return fail(F, n, "'regex': back-references are not allowed");
    const char *why = repeat_problem(e->regex_src);
    if (why)
      return fail(F, n, "'regex': %s are not allowed", why);
    int flags = REG_EXTENDED | REG_NOSUB | (e->case_sensitive ? 0 : REG_ICASE);
    int r = regcomp(&e->regex, e->regex_src, flags);
    if (r != 0) {
      char buf[128];
      regerror(r, &e->regex, buf, sizeof buf);
      regfree(&e->regex);
      return fail(F, n, "'regex': %s", buf);
    }
    regfree(&e->regex);
    /* glibc's regexec does not back-track on an ERE without back-references,
     * but a search tries each start in turn: a+$ on a long run of 'a' is
     * quadratic (16 KB: a second; 1 MB: an hour), and hive strings are the
     * attacker's.  ^.*(PATTERN) is the same search made in one anchored
     * pass of glibc's DFA: linear.  The pattern compiled alone above has
     * balanced parentheses, so the wrapping cannot change its meaning. */
    char *wrapped = malloc(strlen(e->regex_src) + 6);
    if (!wrapped)
      return nomem(F->L);
    sprintf(wrapped, "^.*(%s)", e->regex_src);
    r = regcomp(&e->regex, wrapped, flags);
    free(wrapped);
    if (r != 0) {
      regfree(&e->regex);
      return fail(F, n, "'regex': cannot be compiled for searching");
    }
    e->has_regex = true;
  }
  return SM_OK;
}

static sm_result parse_unlisted(const fctx *F, const yd_node *m,
                                const char *where, sm_unlisted *u) {
  static const char *const names[] = {"report", "allow", "ignore"};
  uint32_t seen = 0;
  sm_result rc;
  if (m->kind != YD_MAP)
    return fail(F, m, "'%s' must be a mapping", where);
  for (size_t i = 0; i < m->n; i++) {
    size_t idx = 0;
    const yd_node *n = m->items[i];
    if ((rc = map_key(F, m, i, names, 3, where, &seen, &idx)) != SM_OK)
      return rc;
    if (idx == 0)
      rc = get_bool(F, n, "report", &u->report);
    else if (idx == 1)
      rc = get_strv(F, n, "allow", MAX_PATTERN, &u->allow, &u->n_allow);
    else
      rc = get_strv(F, n, "ignore", MAX_PATTERN, &u->ignore, &u->n_ignore);
    if (rc != SM_OK)
      return rc;
  }
  return SM_OK;
}

/* ---- rules ---- */

enum {
  R_ID,
  R_TITLE,
  R_KEY,
  R_ROOT,
  R_VALUE,
  R_SEVERITY,
  R_NORMAL,
  R_MESSAGE,
  R_ATTACK,
  R_REFERENCES,
  R_PRESENCE,
  R_TYPE,
  R_PARSE,
  R_FIELD,
  R_EXPECT,
  R_TUNABLE,
  R_VALUES,
  R_SUBKEYS,
  R_N
};
static const char *const rule_fields[R_N] = {
    "id",       "title",    "key",   "root",  "value",   "severity",
    "normal",   "message",  "attack", "references", "presence", "type",
    "parse",    "field",    "expect", "tunable", "values", "subkeys"};

static sm_result parse_types(const fctx *F, const yd_node *n, sm_rule *r) {
  const yd_node *one = n;
  size_t count = 1;
  if (n->kind == YD_SEQ)
    count = n->n;
  else if (n->kind != YD_SCALAR)
    return fail(F, n, "'type' must be a type name or a list of them");
  if (count == 0)
    return SM_OK;
  r->types = calloc(count, sizeof *r->types);
  if (!r->types)
    return nomem(F->L);
  for (size_t i = 0; i < count; i++) {
    const yd_node *it = n->kind == YD_SEQ ? n->items[i] : one;
    if (it->kind != YD_SCALAR || is_null(it))
      return fail(F, it, "'type' must be a type name or a list of them");
    if (!sm_type_parse(it->str, &r->types[i]))
      return fail(F, it, "unknown type '%.64s'", it->str);
    r->n_types = i + 1;
  }
  return SM_OK;
}

/* Fills r; the caller frees r whatever the result. */
static sm_result parse_rule(const fctx *F, const yd_node *m, sm_rule *r) {
  const yd_node *nodes[R_N] = {0};
  uint32_t seen = 0;
  sm_result rc;
  int k;
  if (m->kind != YD_MAP)
    return fail(F, m, "a rule must be a mapping");
  r->file = F->file;
  r->line = m->line;
  for (size_t i = 0; i < m->n; i++) {
    size_t idx = 0;
    if ((rc = map_key(F, m, i, rule_fields, R_N, "rule", &seen, &idx)) !=
        SM_OK)
      return rc;
    nodes[idx] = m->items[i];
  }
  static const int required[] = {R_ID,       R_TITLE,  R_KEY,
                                 R_SEVERITY, R_NORMAL, R_MESSAGE};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (!nodes[required[i]])
      return fail(F, m, "missing required field '%s' in rule",
                  rule_fields[required[i]]);

  for (size_t f = 0; f < R_N; f++) {
    const yd_node *n = nodes[f];
    const char *what = rule_fields[f];
    if (!n)
      continue;
    switch (f) {
    case R_ID:
      if ((rc = get_str(F, n, what, &r->id)) == SM_OK && !valid_id(r->id))
        rc = fail(F, n, "invalid rule id '%.64s' (expected [A-Z][A-Z0-9-]*)",
                  r->id);
      break;
    case R_TITLE:
      rc = get_str(F, n, what, &r->title);
      break;
    case R_KEY:
      rc = get_str(F, n, what, &r->key);
      break;
    case R_ROOT: {
      static const char *const roots[] = {"control-set", "hive"};
      rc = get_enum(F, n, what, roots, 2, &k);
      r->root = (sm_root)k;
      break;
    }
    case R_VALUE:
      rc = get_str(F, n, what, &r->value);
      /* "@" is regedit's name for the default value. */
      if (rc == SM_OK && strcmp(r->value, "@") == 0)
        r->value[0] = '\0';
      break;
    case R_SEVERITY:
      if (n->kind != YD_SCALAR || !sm_severity_parse(n->str, &r->severity))
        rc = fail(F, n,
                  "'severity' must be one of info, low, medium, high, "
                  "critical%s%.64s%s",
                  n->kind == YD_SCALAR ? ", not '" : "",
                  n->kind == YD_SCALAR ? n->str : "",
                  n->kind == YD_SCALAR ? "'" : "");
      break;
    case R_NORMAL:
      rc = get_str(F, n, what, &r->normal);
      break;
    case R_MESSAGE:
      rc = get_str(F, n, what, &r->message);
      break;
    case R_ATTACK:
      rc = get_strv(F, n, what, 0, &r->attack, &r->n_attack);
      break;
    case R_REFERENCES:
      rc = get_strv(F, n, what, 0, &r->references, &r->n_references);
      break;
    case R_PRESENCE: {
      static const char *const pres[] = {"optional", "required", "forbidden"};
      rc = get_enum(F, n, what, pres, 3, &k);
      r->presence = (sm_presence)k;
      break;
    }
    case R_TYPE:
      rc = parse_types(F, n, r);
      break;
    case R_PARSE:
      if (n->kind != YD_SCALAR || is_null(n))
        rc = fail(F, n, "'parse' must be a parser name");
      else if (!sm_parser_parse(n->str, &r->parse))
        rc = fail(F, n, "unknown parser '%.64s'", n->str);
      else if (!nodes[R_FIELD])
        rc = fail(F, n, "'parse' needs a 'field' to check");
      else if (sm_parser_is_key_level(r->parse) && nodes[R_VALUE])
        rc = fail(F, n,
                  "parser '%s' reads a whole key: not allowed on a rule with "
                  "a 'value'",
                  n->str);
      else if (!sm_parser_is_key_level(r->parse) && !nodes[R_VALUE])
        rc = fail(F, n,
                  "parser '%s' reads one value: the rule needs a 'value'",
                  n->str);
      break;
    case R_FIELD:
      if ((rc = get_str(F, n, what, &r->field)) != SM_OK)
        break;
      if (!nodes[R_PARSE])
        rc = fail(F, n, "'field' needs 'parse'");
      else if (!sm_parser_has_field(r->parse, r->field))
        rc = fail(F, n, "parser '%s' has no field '%.64s'",
                  nodes[R_PARSE]->str, r->field);
      break;
    case R_EXPECT:
      rc = parse_expect(F, n, &r->expect);
      r->has_expect = true;
      break;
    case R_TUNABLE:
      rc = get_bool(F, n, what, &r->tunable);
      break;
    case R_VALUES:
    case R_SUBKEYS:
      if (nodes[R_VALUE]) {
        rc = fail(F, n,
                  "'%s' is a policy of a key-level rule: not allowed with "
                  "'value'",
                  what);
        break;
      }
      if (f == R_VALUES) {
        rc = parse_unlisted(F, n, what, &r->values);
        r->has_values_policy = true;
      } else {
        rc = parse_unlisted(F, n, what, &r->subkeys);
        r->has_subkeys_policy = true;
      }
      break;
    }
    if (rc != SM_OK)
      return rc;
  }
  return SM_OK;
}

/* ---- suppressions ---- */

enum { S_RULE, S_KEY, S_VALUE, S_OBSERVED, S_JUSTIFICATION, S_EXPIRES, S_N };
static const char *const supp_fields[S_N] = {
    "rule", "key", "value", "observed", "justification", "expires"};

static sm_result parse_supp(const fctx *F, const yd_node *m,
                            sm_suppression *s, const yd_node **rule_node) {
  const yd_node *nodes[S_N] = {0};
  uint32_t seen = 0;
  sm_result rc = SM_OK;
  if (m->kind != YD_MAP)
    return fail(F, m, "a suppression must be a mapping");
  s->file = F->file;
  s->line = m->line;
  for (size_t i = 0; i < m->n; i++) {
    size_t idx = 0;
    if ((rc = map_key(F, m, i, supp_fields, S_N, "suppression", &seen,
                      &idx)) != SM_OK)
      return rc;
    nodes[idx] = m->items[i];
  }
  if (!nodes[S_RULE])
    return fail(F, m, "missing required field 'rule' in suppression");
  if (!nodes[S_JUSTIFICATION])
    return fail(F, m, "missing required field 'justification' in suppression");
  *rule_node = nodes[S_RULE];
  for (size_t f = 0; f < S_N; f++) {
    const yd_node *n = nodes[f];
    const char *what = supp_fields[f];
    if (!n)
      continue;
    switch (f) {
    case S_RULE:
      rc = get_str(F, n, what, &s->rule);
      break;
    case S_KEY:
      rc = get_pattern(F, n, what, &s->key);
      break;
    case S_VALUE:
      rc = get_pattern(F, n, what, &s->value);
      break;
    case S_OBSERVED:
      rc = get_pattern(F, n, what, &s->observed);
      break;
    case S_JUSTIFICATION:
      rc = get_str(F, n, what, &s->justification);
      break;
    case S_EXPIRES:
      if (n->kind != YD_SCALAR ||
          !valid_date(n->str, &s->expires_year, &s->expires_month,
                      &s->expires_day))
        rc = fail(F, n, "'expires' must be a date YYYY-MM-DD%s%.64s%s",
                  n->kind == YD_SCALAR ? ", not '" : "",
                  n->kind == YD_SCALAR ? n->str : "",
                  n->kind == YD_SCALAR ? "'" : "");
      s->has_expires = true;
      break;
    }
    if (rc != SM_OK)
      return rc;
  }
  return SM_OK;
}

/* ---- merging ---- */

static ssize_t rule_index(const sm_baseline *b, const char *id) {
  for (size_t i = 0; i < b->n_rules; i++)
    if (strcmp(b->rules[i].id, id) == 0)
      return (ssize_t)i;
  return -1;
}

/* Move r into b: a rule with the same id is replaced whole, in place. */
static bool add_rule(sm_baseline *b, sm_rule *r) {
  ssize_t i = rule_index(b, r->id);
  if (i >= 0) {
    rule_free(&b->rules[i]);
    b->rules[i] = *r;
  } else {
    if (!grow(&b->rules, b->n_rules, sizeof *b->rules))
      return false;
    b->rules[b->n_rules++] = *r;
  }
  memset(r, 0, sizeof *r);
  return true;
}

static bool add_supp(sm_baseline *b, sm_suppression *s) {
  if (!grow(&b->suppressions, b->n_suppressions, sizeof *b->suppressions))
    return false;
  b->suppressions[b->n_suppressions++] = *s;
  memset(s, 0, sizeof *s);
  return true;
}

static bool add_chain(sm_baseline *b, const char *name) {
  for (size_t i = 0; i < b->n_chain; i++)
    if (strcmp(b->chain[i], name) == 0)
      return true;
  if (!grow(&b->chain, b->n_chain, sizeof *b->chain))
    return false;
  if (!(b->chain[b->n_chain] = strdup(name)))
    return false;
  b->n_chain++;
  return true;
}

/* Move the rules and suppressions of src over those of dst. */
static bool merge_into(sm_baseline *dst, sm_baseline *src) {
  for (size_t i = 0; i < src->n_rules; i++)
    if (!add_rule(dst, &src->rules[i]))
      return false;
  for (size_t i = 0; i < src->n_suppressions; i++)
    if (!add_supp(dst, &src->suppressions[i]))
      return false;
  return true;
}

static void remove_rule(sm_baseline *b, size_t i) {
  const char *id = b->rules[i].id;
  for (size_t j = 0; j < b->n_suppressions;) {
    if (strcmp(b->suppressions[j].rule, id) == 0) {
      supp_free(&b->suppressions[j]);
      memmove(&b->suppressions[j], &b->suppressions[j + 1],
              (b->n_suppressions - j - 1) * sizeof *b->suppressions);
      b->n_suppressions--;
    } else {
      j++;
    }
  }
  rule_free(&b->rules[i]);
  memmove(&b->rules[i], &b->rules[i + 1],
          (b->n_rules - i - 1) * sizeof *b->rules);
  b->n_rules--;
}

/* ---- finding files ---- */

/* A name has no '/' and no .yaml/.yml ending; anything else is a path. */
static bool is_name(const char *s) {
  size_t n = strlen(s);
  if (strchr(s, '/'))
    return false;
  if (n >= 5 && strcmp(s + n - 5, ".yaml") == 0)
    return false;
  if (n >= 4 && strcmp(s + n - 4, ".yml") == 0)
    return false;
  return true;
}

static bool is_regular(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* *out is the file of baseline NAME, or NULL when there is none. */
static sm_result find_named(const char *name, char **out) {
  *out = NULL;
  const char *env = getenv("SMAUDIT_BASELINE_PATH");
  char *dirs = strdup(env ? env : "");
  if (!dirs)
    return SM_ERR_NOMEM;
  sm_result rc = SM_OK;
  char *save = NULL;
  for (char *d = strtok_r(dirs, ":", &save);; d = strtok_r(NULL, ":", &save)) {
    const char *dir = d ? d : INSTALLED_DIR;
    char *p;
    if (asprintf(&p, "%s/%s.yaml", dir, name) < 0) {
      rc = SM_ERR_NOMEM;
      break;
    }
    if (is_regular(p)) {
      *out = p;
      break;
    }
    free(p);
    if (!d)
      break;
  }
  free(dirs);
  if (rc == SM_OK && !*out && beside_exe()[0]) {
    char *p;
    if (asprintf(&p, "%s/%s.yaml", beside_exe(), name) < 0)
      return SM_ERR_NOMEM;
    if (is_regular(p))
      *out = p;
    else
      free(p);
  }
  return rc;
}

static sm_result resolve_extends(const fctx *F, const yd_node *e,
                                 char **out) {
  *out = NULL;
  if (e->kind != YD_SCALAR || is_null(e))
    return fail(F, e, "'extends' must be a name, a path or a list of them");
  if (is_name(e->str)) {
    if (!valid_name(e->str))
      return fail(F, e, "extends: invalid baseline name '%.64s'", e->str);
    if (find_named(e->str, out) != SM_OK)
      return nomem(F->L);
    if (!*out)
      return fail(F, e,
                  "extends: no baseline '%s' in SMAUDIT_BASELINE_PATH or %s",
                  e->str, INSTALLED_DIR);
    return SM_OK;
  }
  const char *slash = strrchr(F->file, '/');
  int r;
  if (e->str[0] == '/' || !slash)
    r = asprintf(out, "%s", e->str);
  else
    r = asprintf(out, "%.*s/%s", (int)(slash - F->file), F->file, e->str);
  if (r < 0) {
    *out = NULL;
    return nomem(F->L);
  }
  return SM_OK;
}

/* ---- files ---- */

enum {
  T_VERSION,
  T_NAME,
  T_DESCRIPTION,
  T_FAMILY,
  T_EXTENDS,
  T_DISABLE,
  T_RULES,
  T_SUPPRESSIONS,
  T_N
};
static const char *const top_fields[T_N] = {
    "smaudit-baseline", "name",    "description", "family",
    "extends",          "disable", "rules",       "suppressions"};

static sm_result load_file(loader *L, const char *path, sm_baseline **out);

static sm_result load_parent(const fctx *F, const yd_node *e,
                             sm_baseline *b, sm_baseline *parents_chain) {
  loader *L = F->L;
  sm_result rc;
  char *path = NULL, *real = NULL, *cycle = NULL;
  sm_baseline *parent = NULL;
  if ((rc = resolve_extends(F, e, &path)) != SM_OK)
    goto out;
  real = realpath(path, NULL);
  if (!real) {
    rc = fail(F, e, "extends: cannot open '%s': %s", path, strerror(errno));
    goto out;
  }
  for (size_t i = 0; i < L->depth; i++) {
    if (strcmp(L->real[i], real) != 0)
      continue;
    size_t len = strlen(path) + 1;
    for (size_t j = i; j < L->depth; j++)
      len += strlen(L->disp[j]) + 4;
    if (!(cycle = malloc(len))) {
      rc = nomem(L);
      goto out;
    }
    cycle[0] = '\0';
    for (size_t j = i; j < L->depth; j++) {
      strcat(cycle, L->disp[j]);
      strcat(cycle, " -> ");
    }
    strcat(cycle, path);
    rc = fail(F, e, "extends: cycle: %s", cycle);
    goto out;
  }
  if (L->depth > MAX_EXTENDS_DEPTH) {
    rc = fail(F, e, "extends: chain deeper than %d", MAX_EXTENDS_DEPTH);
    goto out;
  }
  if ((rc = load_file(L, path, &parent)) != SM_OK)
    goto out;
  if (!merge_into(b, parent) || !add_chain(b, e->str)) {
    rc = nomem(L);
    goto out;
  }
  for (size_t i = 0; i < parent->n_chain; i++)
    if (!add_chain(parents_chain, parent->chain[i])) {
      rc = nomem(L);
      goto out;
    }
out:
  sm_baseline_free(parent);
  free(cycle);
  free(real);
  free(path);
  return rc;
}

static sm_result load_body(const fctx *F, const yd_node *root,
                           sm_baseline *b) {
  loader *L = F->L;
  const yd_node *nodes[T_N] = {0};
  uint32_t seen = 0;
  sm_result rc = SM_OK;
  sm_rule *own = NULL;
  size_t n_own = 0;
  sm_suppression s = {0};
  sm_baseline far = {0}; /* chains of the extended baselines */
  uint64_t version;

  if (root->kind != YD_MAP)
    return fail(F, root, "a baseline must be a mapping");
  /* The version first: a newer schema may have fields this one lacks. */
  for (size_t i = 0; i < root->n; i++)
    if (strcmp(root->keys[i]->str, top_fields[T_VERSION]) == 0) {
      const yd_node *n = root->items[i];
      if ((rc = get_u64(F, n, top_fields[T_VERSION], &version)) != SM_OK)
        return rc;
      if (version != SM_BASELINE_SCHEMA_VERSION)
        return fail(F, n,
                    "unsupported schema version %s (this smaudit reads "
                    "version %d)",
                    n->str, SM_BASELINE_SCHEMA_VERSION);
    }
  for (size_t i = 0; i < root->n; i++) {
    size_t idx = 0;
    if ((rc = map_key(F, root, i, top_fields, T_N, "baseline", &seen,
                      &idx)) != SM_OK)
      return rc;
    nodes[idx] = root->items[i];
  }
  if (!nodes[T_VERSION])
    return fail(F, root, "missing required field 'smaudit-baseline'");
  if (!nodes[T_NAME])
    return fail(F, root, "missing required field 'name'");
  if (!nodes[T_RULES] && !nodes[T_EXTENDS])
    return fail(F, root, "missing required field 'rules'");
  if ((rc = get_str(F, nodes[T_NAME], "name", &b->name)) != SM_OK)
    return rc;
  if (!valid_name(b->name))
    return fail(F, nodes[T_NAME],
                "invalid baseline name '%.64s' (expected [a-z0-9][a-z0-9._-]*)",
                b->name);
  if (nodes[T_DESCRIPTION] &&
      (rc = get_str(F, nodes[T_DESCRIPTION], "description",
                    &b->description)) != SM_OK)
    return rc;
  if (nodes[T_FAMILY] &&
      (rc = get_str(F, nodes[T_FAMILY], "family", &b->family)) != SM_OK)
    return rc;

  const yd_node *ext = nodes[T_EXTENDS];
  if (ext) {
    size_t n = ext->kind == YD_SEQ ? ext->n : 1;
    for (size_t i = 0; i < n; i++) {
      const yd_node *e = ext->kind == YD_SEQ ? ext->items[i] : ext;
      if ((rc = load_parent(F, e, b, &far)) != SM_OK)
        goto out;
    }
    for (size_t i = 0; i < far.n_chain; i++)
      if (!add_chain(b, far.chain[i])) {
        rc = nomem(L);
        goto out;
      }
  }

  const yd_node *dis = nodes[T_DISABLE];
  if (dis) {
    if (dis->kind != YD_SEQ && dis->kind != YD_SCALAR) {
      rc = fail(F, dis, "'disable' must be a rule id or a list of them");
      goto out;
    }
    size_t n = dis->kind == YD_SEQ ? dis->n : 1;
    for (size_t i = 0; i < n; i++) {
      const yd_node *d = dis->kind == YD_SEQ ? dis->items[i] : dis;
      if (d->kind != YD_SCALAR || is_null(d)) {
        rc = fail(F, d, "'disable' must be a rule id or a list of them");
        goto out;
      }
      ssize_t k = rule_index(b, d->str);
      if (k < 0) {
        rc = fail(F, d, "disable: no inherited rule '%.64s'", d->str);
        goto out;
      }
      remove_rule(b, (size_t)k);
    }
  }

  const yd_node *rules = nodes[T_RULES];
  if (rules) {
    if (rules->kind != YD_SEQ) {
      rc = fail(F, rules, "'rules' must be a list");
      goto out;
    }
    if (rules->n > MAX_RULES) {
      rc = fail(F, rules, "more than %d rules", MAX_RULES);
      goto out;
    }
    if (rules->n && !(own = calloc(rules->n, sizeof *own))) {
      rc = nomem(L);
      goto out;
    }
    for (; n_own < rules->n; n_own++) {
      const yd_node *m = rules->items[n_own];
      if ((rc = parse_rule(F, m, &own[n_own])) != SM_OK) {
        n_own++;
        goto out;
      }
      for (size_t j = 0; j < n_own; j++)
        if (strcmp(own[j].id, own[n_own].id) == 0) {
          rc = fail(F, m, "duplicate rule id '%s' (first at line %u)",
                    own[n_own].id, own[j].line);
          n_own++;
          goto out;
        }
    }
    for (size_t i = 0; i < n_own; i++)
      if (!add_rule(b, &own[i])) {
        rc = nomem(L);
        goto out;
      }
    if (b->n_rules > MAX_RULES) {
      rc = fail(F, rules, "more than %d rules with those it extends",
                MAX_RULES);
      goto out;
    }
  }

  const yd_node *supps = nodes[T_SUPPRESSIONS];
  if (supps) {
    if (supps->kind != YD_SEQ) {
      rc = fail(F, supps, "'suppressions' must be a list");
      goto out;
    }
    for (size_t i = 0; i < supps->n; i++) {
      const yd_node *rn = NULL;
      if ((rc = parse_supp(F, supps->items[i], &s, &rn)) != SM_OK)
        goto out;
      if (rule_index(b, s.rule) < 0) {
        rc = fail(F, rn, "suppression of an unknown rule '%.64s'", s.rule);
        goto out;
      }
      if (!add_supp(b, &s)) {
        rc = nomem(L);
        goto out;
      }
    }
  }
out:
  supp_free(&s);
  for (size_t i = 0; i < n_own; i++)
    rule_free(&own[i]);
  free(own);
  strv_free(far.chain, far.n_chain);
  return rc;
}

static sm_result load_file(loader *L, const char *path, sm_baseline **out) {
  sm_result rc;
  char *buf = NULL;
  size_t len = 0;
  yd_node *root = NULL;
  parsed_file *cached = NULL; /* the cache's entry root belongs to */
  sm_baseline *b = NULL;
  bool pushed = false;
  fctx F = {L, NULL};
  struct stat st;
  *out = NULL;

  char *real = realpath(path, NULL);
  bool resolved = real != NULL;
  if (!real && !(real = strdup(path)))
    return nomem(L);
  if (resolved && stat(real, &st) == 0 && S_ISREG(st.st_mode) &&
      (cached = cache_find(L->cache, real, &st))) {
    root = cached->root;
    cached->busy++;
    L->cache->stats.reused++;
  } else {
    if ((rc = sm_yaml_read_file(path, &buf, &len, &st, L->err)) != SM_OK)
      goto out;
  }
  if (!(F.file = intern(L, path))) {
    rc = nomem(L);
    goto out;
  }
  L->real[L->depth] = real;
  L->disp[L->depth] = F.file;
  L->depth++;
  pushed = true;
  if (!cached) {
    L->cache->stats.parsed++;
    if ((rc = sm_yaml_parse(F.file, buf, len, &root, L->err)) != SM_OK)
      goto out;
    /* A pipe or a file whose real path is unknown is read each time. */
    if (root && resolved && S_ISREG(st.st_mode) &&
        (cached = cache_put(L->cache, real, &st, root)))
      cached->busy++;
  }
  if (!root) {
    static const yd_node start = {.line = 1, .col = 1};
    rc = fail(&F, &start, "empty file: not a baseline");
    goto out;
  }
  if (!(b = calloc(1, sizeof *b)) || !(b->path = strdup(path))) {
    rc = nomem(L);
    goto out;
  }
  if ((rc = load_body(&F, root, b)) != SM_OK)
    goto out;
  *out = b;
  b = NULL;
out:
  if (pushed)
    L->depth--;
  free(real);
  sm_baseline_free(b);
  if (cached)
    cached->busy--;
  else
    sm_yaml_free(root);
  free(buf);
  return rc;
}

static sm_result load_top(loader *L, const char *name, sm_baseline **out) {
  char *path = NULL;
  sm_result rc;
  *out = NULL;
  if (is_name(name)) {
    if (!valid_name(name))
      return sm_error_set(L->err, SM_ERR_USAGE,
                          "%s: invalid baseline name (expected a file path "
                          "or [a-z0-9][a-z0-9._-]*)",
                          name);
    if (find_named(name, &path) != SM_OK)
      return nomem(L);
    if (!path)
      return sm_error_set(L->err, SM_ERR_IO,
                          "%s: no such baseline in SMAUDIT_BASELINE_PATH or %s",
                          name, INSTALLED_DIR);
  }
  rc = load_file(L, path ? path : name, out);
  free(path);
  return rc;
}

static sm_result load_many(loader *L, const char *const *names, size_t n,
                           sm_baseline **out) {
  sm_error *err = L->err;
  sm_baseline *acc = NULL, *b = NULL;
  sm_result rc = SM_OK;
  *out = NULL;
  if (n == 0)
    return sm_error_set(err, SM_ERR_USAGE, "no baseline given");
  for (size_t i = 0; i < n; i++) {
    if ((rc = load_top(L, names[i], &b)) != SM_OK)
      goto out;
    if (!acc) {
      acc = b;
      b = NULL;
      continue;
    }
    /* The later baseline layers on the earlier ones, as if it extended
     * them: it keeps its own name and path. */
    if (!merge_into(acc, b) || !add_chain(b, names[i - 1])) {
      rc = nomem(L);
      goto out;
    }
    for (size_t j = 0; j < acc->n_chain; j++)
      if (!add_chain(b, acc->chain[j])) {
        rc = nomem(L);
        goto out;
      }
    sm_baseline tmp = *acc;
    *acc = *b;
    acc->rules = tmp.rules;
    acc->n_rules = tmp.n_rules;
    acc->suppressions = tmp.suppressions;
    acc->n_suppressions = tmp.n_suppressions;
    free(b->rules); /* its rules were moved out */
    b->rules = NULL;
    b->n_rules = 0;
    free(b->suppressions);
    b->suppressions = NULL;
    b->n_suppressions = 0;
    b->name = tmp.name;
    b->description = tmp.description;
    b->family = tmp.family;
    b->path = tmp.path;
    b->chain = tmp.chain;
    b->n_chain = tmp.n_chain;
    sm_baseline_free(b);
    b = NULL;
    if (acc->n_rules > MAX_RULES) {
      rc = sm_error_set(err, SM_ERR_USAGE, "%s: more than %d rules in all",
                        names[i], MAX_RULES);
      goto out;
    }
  }
  acc->files = L->files;
  acc->n_files = L->n_files;
  L->files = NULL;
  L->n_files = 0;
  *out = acc;
  acc = NULL;
out:
  sm_baseline_free(b);
  sm_baseline_free(acc);
  strv_free(L->files, L->n_files);
  return rc;
}

sm_result sm_baseline_load_many_cached(sm_baseline_parse_cache *c,
                                       const char *const *names, size_t n,
                                       sm_baseline **out, sm_error *err) {
  sm_baseline_parse_cache *own = NULL;
  *out = NULL;
  if (!c && !(c = own = sm_baseline_parse_cache_new()))
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  loader L = {.cache = c, .err = err};
  pthread_mutex_lock(&c->lock);
  sm_result rc = load_many(&L, names, n, out);
  pthread_mutex_unlock(&c->lock);
  sm_baseline_parse_cache_free(own);
  return rc;
}

sm_result sm_baseline_load_many(const char *const *names, size_t n,
                                sm_baseline **out, sm_error *err) {
  return sm_baseline_load_many_cached(NULL, names, n, out, err);
}

sm_result sm_baseline_load_cached(sm_baseline_parse_cache *c,
                                  const char *name_or_path, sm_baseline **out,
                                  sm_error *err) {
  return sm_baseline_load_many_cached(c, &name_or_path, 1, out, err);
}

sm_result sm_baseline_load(const char *name_or_path, sm_baseline **out,
                           sm_error *err) {
  return sm_baseline_load_many_cached(NULL, &name_or_path, 1, out, err);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static sm_result list_dir(const char *dir, char ***names, size_t *n) {
  DIR *d = opendir(dir);
  if (!d)
    return SM_OK;
  sm_result rc = SM_OK;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t len = strlen(de->d_name);
    if (len <= 5 || strcmp(de->d_name + len - 5, ".yaml") != 0)
      continue;
    char *name = strndup(de->d_name, len - 5);
    if (!name) {
      rc = SM_ERR_NOMEM;
      break;
    }
    bool dup = !valid_name(name);
    for (size_t i = 0; !dup && i < *n; i++)
      dup = strcmp((*names)[i], name) == 0;
    if (dup) {
      free(name);
      continue;
    }
    if (!grow(names, *n, sizeof **names)) {
      free(name);
      rc = SM_ERR_NOMEM;
      break;
    }
    (*names)[(*n)++] = name;
  }
  closedir(d);
  return rc;
}

sm_result sm_baseline_list(char ***names, size_t *n, sm_error *err) {
  char **v = NULL;
  size_t count = 0;
  sm_result rc = SM_OK;
  const char *env = getenv("SMAUDIT_BASELINE_PATH");
  char *dirs = strdup(env ? env : "");
  if (!dirs)
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  char *save = NULL;
  for (char *d = strtok_r(dirs, ":", &save);; d = strtok_r(NULL, ":", &save)) {
    if ((rc = list_dir(d ? d : INSTALLED_DIR, &v, &count)) != SM_OK) {
      rc = sm_error_set(err, SM_ERR_NOMEM, "out of memory");
      goto out;
    }
    if (!d)
      break;
  }
  if (beside_exe()[0] && (rc = list_dir(beside_exe(), &v, &count)) != SM_OK) {
    rc = sm_error_set(err, SM_ERR_NOMEM, "out of memory");
    goto out;
  }
  if (count)
    qsort(v, count, sizeof *v, cmp_str);
  *names = v;
  *n = count;
  v = NULL;
  count = 0;
out:
  strv_free(v, count);
  free(dirs);
  return rc;
}
