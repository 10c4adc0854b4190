#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

enum {
  F_IMAGE,
  F_SERVERDLLS,
  F_SERVERDLL_NAMES,
  F_DUP_INDICES,
  F_BAD_SERVERDLLS,
  F_PARAMETERS,
  F_UNKNOWN,
  F_DUP_PARAMETERS,
  F_SCALARS, /* the scalars follow, in the order of scalar_params */
};

static const char *const field_names[] = {"image",
                                          "serverdlls",
                                          "serverdll-names",
                                          "duplicate-indices",
                                          "bad-serverdlls",
                                          "parameters",
                                          "unknown-parameters",
                                          "duplicate-parameters",
                                          "objectdirectory",
                                          "sharedsection",
                                          "windows",
                                          "subsystemtype",
                                          "profilecontrol",
                                          "maxrequestthreads",
                                          NULL};

static const char *const scalar_params[] = {
    "ObjectDirectory", "SharedSection",  "Windows",
    "SubSystemType",   "ProfileControl", "MaxRequestThreads"};
#define N_SCALARS (sizeof scalar_params / sizeof scalar_params[0])

void sm_csrss_free(sm_csrss *c) {
  if (!c)
    return;
  free(c->image);
  for (size_t i = 0; i < c->n_params; i++) {
    free(c->params[i].name);
    free(c->params[i].value);
  }
  free(c->params);
  for (size_t i = 0; i < c->n_serverdlls; i++) {
    free(c->serverdlls[i].raw);
    free(c->serverdlls[i].name);
    free(c->serverdlls[i].init);
  }
  free(c->serverdlls);
  memset(c, 0, sizeof *c);
}

/* Decimal digits only; -1 when empty, not a number or too large. */
static long parse_index(const char *s) {
  long v = 0;
  if (!*s)
    return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > (LONG_MAX - 9) / 10)
      return -1;
    v = v * 10 + (*s - '0');
  }
  return v;
}

/* "name[:init],index" */
static sm_result parse_serverdll(const char *raw, sm_csrss_serverdll *d) {
  size_t name_len = strcspn(raw, ":,");
  d->raw = strdup(raw);
  d->name = strndup(raw, name_len);
  d->init = NULL;
  d->index = -1;
  if (!d->raw || !d->name)
    return SM_ERR_NOMEM;
  const char *rest = raw + name_len;
  if (*rest == ':') {
    size_t init_len = strcspn(rest + 1, ",");
    d->init = strndup(rest + 1, init_len);
    if (!d->init)
      return SM_ERR_NOMEM;
    rest += 1 + init_len;
  }
  if (*rest == ',')
    d->index = parse_index(rest + 1);
  return SM_OK;
}

sm_result sm_csrss_parse(const char *line, sm_csrss *out) {
  sm_result r = SM_ERR_NOMEM;
  const char *p = line ? line : "", *tok;
  size_t len;
  memset(out, 0, sizeof *out);
  if (sm_cmdline_token(&p, &tok, &len))
    out->image = sm_unquote_dup(tok, len);
  else
    out->image = strdup("");
  if (!out->image)
    goto fail;
  while (sm_cmdline_token(&p, &tok, &len)) {
    if (!sm_grow((void **)&out->params, out->n_params, sizeof *out->params))
      goto fail;
    sm_csrss_param *pa = &out->params[out->n_params++];
    const char *eq = memchr(tok, '=', len);
    pa->name = strndup(tok, eq ? (size_t)(eq - tok) : len);
    pa->value = eq ? strndup(eq + 1, len - (size_t)(eq - tok) - 1) : NULL;
    if (!pa->name || (eq && !pa->value))
      goto fail;
    if (!pa->value || sm_ascii_casecmp(pa->name, "ServerDll") != 0)
      continue;
    if (!sm_grow((void **)&out->serverdlls, out->n_serverdlls,
                 sizeof *out->serverdlls))
      goto fail;
    sm_csrss_serverdll *d = &out->serverdlls[out->n_serverdlls++];
    if (parse_serverdll(pa->value, d) != SM_OK)
      goto fail;
  }
  return SM_OK;
fail:
  sm_csrss_free(out);
  return r;
}

static int cmp_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

typedef struct named {
  const char *name;
  size_t pos;
} named;

static int cmp_named(const void *a, const void *b) {
  const named *x = a, *y = b;
  int c = sm_ascii_casecmp(x->name, y->name);
  return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static bool is_known(const char *name) {
  if (sm_ascii_casecmp(name, "ServerDll") == 0)
    return true;
  for (size_t i = 0; i < N_SCALARS; i++)
    if (sm_ascii_casecmp(name, scalar_params[i]) == 0)
      return true;
  return false;
}

static sm_result run(const sm_parse_args *a, sm_fields *out) {
  const char *line = a->str;
  sm_csrss c;
  long *idx = NULL;
  named *names = NULL;
  sm_result r = sm_csrss_parse(line, &c);
  if (r != SM_OK)
    return r;
  if ((r = sm_fields_init(out, field_names)) != SM_OK)
    goto done;
  sm_field *f = out->v;
  r = SM_ERR_NOMEM;
  /* The image as smss.exe will start it (checks/winpath.h). */
  char *image = sm_path_resolve(a->in->env, c.image);
  sm_result ir = image ? sm_field_push(&f[F_IMAGE], image) : SM_ERR_NOMEM;
  free(image);
  if (ir != SM_OK)
    goto done;

  size_t n_idx = 0;
  if (c.n_serverdlls && !(idx = malloc(c.n_serverdlls * sizeof *idx)))
    goto done;
  for (size_t i = 0; i < c.n_serverdlls; i++) {
    const sm_csrss_serverdll *d = &c.serverdlls[i];
    if (sm_field_push(&f[F_SERVERDLLS], d->raw) != SM_OK ||
        sm_field_push(&f[F_SERVERDLL_NAMES], d->name) != SM_OK)
      goto done;
    if (d->index < 0) {
      if (sm_field_push(&f[F_BAD_SERVERDLLS], d->raw) != SM_OK)
        goto done;
    } else {
      idx[n_idx++] = d->index;
    }
  }
  /* Sorted, so that thousands of ServerDll= stay cheap. */
  if (n_idx)
    qsort(idx, n_idx, sizeof *idx, cmp_long);
  for (size_t i = 1; i < n_idx; i++)
    if (idx[i] == idx[i - 1] && (i == 1 || idx[i - 2] != idx[i]) &&
        sm_field_pushf(&f[F_DUP_INDICES], "%ld", idx[i]) != SM_OK)
      goto done;

  size_t n_names = 0;
  if (c.n_params && !(names = malloc(c.n_params * sizeof *names)))
    goto done;
  for (size_t i = 0; i < c.n_params; i++) {
    const sm_csrss_param *pa = &c.params[i];
    if (sm_field_push(&f[F_PARAMETERS], pa->name) != SM_OK)
      goto done;
    if (!is_known(pa->name) && sm_field_push(&f[F_UNKNOWN], pa->name) != SM_OK)
      goto done;
    if (sm_ascii_casecmp(pa->name, "ServerDll") != 0)
      names[n_names++] = (named){pa->name, i};
  }
  if (n_names)
    qsort(names, n_names, sizeof *names, cmp_named);
  for (size_t i = 1; i < n_names; i++)
    if (sm_ascii_casecmp(names[i].name, names[i - 1].name) == 0 &&
        (i == 1 || sm_ascii_casecmp(names[i - 2].name, names[i].name) != 0) &&
        sm_field_push(&f[F_DUP_PARAMETERS], names[i - 1].name) != SM_OK)
      goto done;

  /* csrss applies the parameters in turn, so the last one counts. */
  for (size_t s = 0; s < N_SCALARS; s++)
    for (size_t i = c.n_params; i-- > 0;)
      if (c.params[i].value &&
          sm_ascii_casecmp(c.params[i].name, scalar_params[s]) == 0) {
        if (sm_field_push(&f[F_SCALARS + s], c.params[i].value) != SM_OK)
          goto done;
        break;
      }
  r = SM_OK;
done:
  if (r != SM_OK)
    sm_fields_free(out);
  free(names);
  free(idx);
  sm_csrss_free(&c);
  return r;
}

static const char *const path_fields[] = {"image", NULL};

const sm_parser_def sm_parser_csrss = {.name = "csrss",
                                       .fields = field_names,
                                       .path_fields = path_fields,
                                       .input = SM_INPUT_STRING,
                                       .needs = SM_NEEDS_ENVIRONMENT,
                                       .run = run};
