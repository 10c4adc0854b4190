#include <config.h>

#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/num.h"
#include "checks/audit.h"

typedef struct strbuf {
  char *s;
  size_t len, cap;
  bool failed;
} strbuf;

static void sb_add(strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_add(strbuf *b, const char *fmt, ...) {
  if (b->failed)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = true;
    return;
  }
  if (b->len + (size_t)n + 1 > b->cap) {
    size_t cap = (b->cap ? b->cap * 2 : 64) + (size_t)n;
    char *s = realloc(b->s, cap);
    if (!s) {
      b->failed = true;
      return;
    }
    b->s = s;
    b->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static char *sb_finish(strbuf *b) {
  if (b->failed) {
    free(b->s);
    return NULL;
  }
  if (!b->s)
    return strdup("");
  return b->s;
}

static void sb_list(strbuf *b, const char *label, char *const *v, size_t n) {
  sb_add(b, "%s%s:", b->len ? "; " : "", label);
  for (size_t i = 0; i < n; i++)
    sb_add(b, "%s %s", i ? "," : "", v[i]);
}

char *sm_expect_describe(const sm_expect *e) {
  strbuf b = {0};
#define SEP (b.len ? "; " : "")
  if (e->has_equals) {
    if (e->equals_is_num)
      sb_add(&b, "%sequals %" PRIu64, SEP, e->equals_num);
    else
      sb_add(&b, "%sequals \"%s\"", SEP, e->equals_str);
  }
  if (e->n_one_of)
    sb_list(&b, "one of", e->one_of, e->n_one_of);
  if (e->glob)
    sb_add(&b, "%smatches %s", SEP, e->glob);
  if (e->has_regex)
    sb_add(&b, "%smatches /%s/", SEP, e->regex_src);
  if (e->has_min && e->has_max)
    sb_add(&b, "%sbetween %" PRIu64 " and %" PRIu64, SEP, e->min, e->max);
  else if (e->has_min)
    sb_add(&b, "%sat least %" PRIu64, SEP, e->min);
  else if (e->has_max)
    sb_add(&b, "%sat most %" PRIu64, SEP, e->max);
  if (e->has_bits_set)
    sb_add(&b, "%sbits 0x%" PRIx64 " set", SEP, e->bits_set);
  if (e->has_bits_clear)
    sb_add(&b, "%sbits 0x%" PRIx64 " clear", SEP, e->bits_clear);
  if (e->has_exact)
    sb_list(&b, e->order_exact ? "exactly, in order" : "exactly", e->exact,
            e->n_exact);
  if (e->has_allowed)
    sb_list(&b, "only", e->allowed, e->n_allowed);
  if (e->n_required)
    sb_list(&b, "including", e->required, e->n_required);
  if (e->n_forbidden)
    sb_list(&b, "none of", e->forbidden, e->n_forbidden);
  if (e->has_max_items)
    sb_add(&b, "%sat most %zu items", SEP, e->max_items);
  if (e->has_empty)
    sb_add(&b, "%s%s", SEP, e->empty ? "empty" : "not empty");
#undef SEP
  return sb_finish(&b);
}

static bool str_eq(const sm_expect *e, const char *a, const char *b) {
  return e->case_sensitive ? strcmp(a, b) == 0 : strcasecmp(a, b) == 0;
}

/* Backslash is a path separator in the registry, never an escape. */
static bool glob_match(const sm_expect *e, const char *pat, const char *s) {
  int flags = FNM_NOESCAPE | (e->case_sensitive ? 0 : FNM_CASEFOLD);
  return fnmatch(pat, s, flags) == 0;
}

static bool any_glob(const sm_expect *e, char *const *pats, size_t n,
                     const char *s) {
  for (size_t i = 0; i < n; i++)
    if (glob_match(e, pats[i], s))
      return true;
  return false;
}

/* Members that apply to a single string or number. */
static bool has_scalar_members(const sm_expect *e) {
  return e->has_equals || e->n_one_of || e->glob || e->has_regex ||
         e->has_min || e->has_max || e->has_bits_set || e->has_bits_clear;
}

static bool scalar_holds(const sm_expect *e, const char *s, bool is_num,
                         uint64_t num) {
  if (!is_num)
    is_num = sm_parse_u64(s, &num);
  if (e->has_equals) {
    if (e->equals_is_num ? !(is_num && num == e->equals_num)
                         : !str_eq(e, e->equals_str, s))
      return false;
  }
  if (e->n_one_of) {
    bool found = false;
    for (size_t i = 0; i < e->n_one_of && !found; i++) {
      uint64_t want;
      if (is_num && sm_parse_u64(e->one_of[i], &want))
        found = want == num;
      else
        found = str_eq(e, e->one_of[i], s);
    }
    if (!found)
      return false;
  }
  if (e->glob && !glob_match(e, e->glob, s))
    return false;
  if (e->has_regex && !sm_regex_search(e->regex, s, strlen(s)))
    return false;
  if ((e->has_min || e->has_max || e->has_bits_set || e->has_bits_clear) &&
      !is_num)
    return false;
  if (e->has_min && num < e->min)
    return false;
  if (e->has_max && num > e->max)
    return false;
  if (e->has_bits_set && (num & e->bits_set) != e->bits_set)
    return false;
  if (e->has_bits_clear && (num & e->bits_clear) != 0)
    return false;
  return true;
}

typedef struct mmlist {
  sm_mismatch *v;
  size_t n, cap;
  bool failed;
} mmlist;

static void mm_add(mmlist *l, const char *observed, const char *expected,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void mm_add(mmlist *l, const char *observed, const char *expected,
                   const char *fmt, ...) {
  if (l->failed)
    return;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4;
    sm_mismatch *v = realloc(l->v, cap * sizeof *v);
    if (!v) {
      l->failed = true;
      return;
    }
    l->v = v;
    l->cap = cap;
  }
  sm_mismatch *m = &l->v[l->n];
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  m->observed = observed ? strdup(observed) : NULL;
  m->expected = expected ? strdup(expected) : NULL;
  m->detail = strdup(buf);
  if ((observed && !m->observed) || (expected && !m->expected) || !m->detail) {
    free(m->observed);
    free(m->expected);
    free(m->detail);
    l->failed = true;
    return;
  }
  l->n++;
}

/* Long attacker-made strings are cut in sentences; observed keeps all. */
static const char *brief(const char *s, char *buf, size_t size) {
  size_t n = strlen(s);
  if (n < size)
    return s;
  memcpy(buf, s, size - 4);
  memcpy(buf + size - 4, "...", 4);
  return buf;
}

static void check_list(const sm_expect *e, char *const *raw, size_t nraw,
                       const char *want, mmlist *l) {
  char b1[200];
  /* Empty strings inside a REG_MULTI_SZ are not entries. */
  char **items = malloc((nraw ? nraw : 1) * sizeof *items);
  bool *used = NULL;
  if (!items) {
    l->failed = true;
    return;
  }
  size_t n = 0;
  for (size_t i = 0; i < nraw; i++)
    if (raw[i][0])
      items[n++] = raw[i];

  if (e->has_empty) {
    if (e->empty)
      for (size_t i = 0; i < n; i++)
        /* A rule that wants the list empty names each entry: the entry
         * is the finding, "expected: no entries" adds nothing. */
        mm_add(l, items[i], NULL, "\"%s\"", brief(items[i], b1, sizeof b1));
    else if (n == 0)
      mm_add(l, NULL, "at least one entry", "the list is empty");
  }
  if (e->has_exact) {
    used = calloc(e->n_exact ? e->n_exact : 1, sizeof *used);
    if (!used) {
      l->failed = true;
      goto out;
    }
    size_t matched = 0;
    bool in_order = true;
    for (size_t i = 0; i < n; i++) {
      size_t j = 0;
      for (; j < e->n_exact; j++)
        if (!used[j] && str_eq(e, e->exact[j], items[i]))
          break;
      if (j == e->n_exact) {
        mm_add(l, items[i], want, "unexpected entry \"%s\"",
               brief(items[i], b1, sizeof b1));
        in_order = false;
        continue;
      }
      if (j != matched)
        in_order = false;
      used[j] = true;
      matched++;
    }
    for (size_t j = 0; j < e->n_exact; j++)
      if (!used[j]) {
        mm_add(l, NULL, e->exact[j], "expected entry \"%s\" is missing",
               e->exact[j]);
        in_order = false;
      }
    if (e->order_exact && !in_order && matched == n && matched == e->n_exact)
      mm_add(l, NULL, want, "entries are in an unexpected order");
  }
  if (e->has_allowed)
    for (size_t i = 0; i < n; i++)
      if (!any_glob(e, e->allowed, e->n_allowed, items[i]))
        mm_add(l, items[i], want, "\"%s\" is not an expected entry",
               brief(items[i], b1, sizeof b1));
  for (size_t j = 0; j < e->n_required; j++) {
    bool found = false;
    for (size_t i = 0; i < n && !found; i++)
      found = str_eq(e, e->required[j], items[i]);
    if (!found)
      mm_add(l, NULL, e->required[j], "required entry \"%s\" is missing",
             e->required[j]);
  }
  if (e->n_forbidden)
    for (size_t i = 0; i < n; i++)
      if (any_glob(e, e->forbidden, e->n_forbidden, items[i]))
        mm_add(l, items[i], want, "forbidden entry \"%s\"",
               brief(items[i], b1, sizeof b1));
  if (e->has_max_items && n > e->max_items)
    mm_add(l, NULL, want, "%zu entries, more than the %zu expected", n,
           e->max_items);
  if (has_scalar_members(e))
    for (size_t i = 0; i < n; i++)
      if (!scalar_holds(e, items[i], false, 0))
        mm_add(l, items[i], want, "\"%s\" does not match: %s",
               brief(items[i], b1, sizeof b1), want);
out:
  free(used);
  free(items);
}

sm_result sm_expect_check(const sm_expect *e, const sm_target *t,
                          sm_mismatch **out, size_t *n) {
  mmlist l = {.v = *out, .n = *n, .cap = *n};
  char *want = sm_expect_describe(e);
  if (!want)
    return SM_ERR_NOMEM;
  char b1[200];
  if (t->is_list) {
    check_list(e, t->items, t->n_items, want, &l);
  } else {
    const char *s = t->str ? t->str : "";
    char numbuf[32];
    if (t->is_num && !t->str) {
      snprintf(numbuf, sizeof numbuf, "%" PRIu64, t->num);
      s = numbuf;
    }
    bool holds = scalar_holds(e, s, t->is_num, t->num);
    if (holds && e->has_empty)
      holds = e->empty == (s[0] == '\0');
    if (!holds) {
      if (t->is_num)
        mm_add(&l, s, want, "%s (0x%" PRIx64 ") is not as expected: %s", s,
               t->num, want);
      else if (e->has_empty && e->empty && s[0])
        mm_add(&l, s, NULL, "\"%s\"", brief(s, b1, sizeof b1));
      else
        mm_add(&l, s, want, "\"%s\" is not as expected: %s",
               brief(s, b1, sizeof b1), want);
    }
  }
  free(want);
  *out = l.v;
  *n = l.n;
  return l.failed ? SM_ERR_NOMEM : SM_OK;
}

void sm_mismatches_free(sm_mismatch *m, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(m[i].observed);
    free(m[i].expected);
    free(m[i].detail);
  }
  free(m);
}
