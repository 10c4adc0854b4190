#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

static const char *const subsystems_field_names[] = {
    "required",     "optional", "names", "undefined",
    "unreferenced", "images",   "debug", NULL};
static const char *const knowndlls_field_names[] = {
    "names",           "dlls",  "mismatched", "dll-directory",
    "dll-directory32", "wow64", NULL};
static const char *const subsystems_path_fields[] = {"images", NULL};
static const char *const knowndlls_path_fields[] = {"dll-directory",
                                                    "dll-directory32", NULL};
static const char *const select_field_names[] = {"current",
                                                 "default",
                                                 "last-known-good",
                                                 "failed",
                                                 "current-vs-default",
                                                 "control-sets",
                                                 "dangling",
                                                 NULL};

static const sm_value *find_value(sm_value *const *v, size_t n,
                                  const char *name) {
  for (size_t i = 0; i < n; i++)
    if (v[i] && v[i]->name && sm_ascii_casecmp(v[i]->name, name) == 0)
      return v[i];
  return NULL;
}

/* What smss.exe keeps of a SubSystems or KnownDLLs value (parse.h). */
static const char *value_string(const sm_value *v) {
  return sm_smss_string(v);
}

static int cmp_str(const void *a, const void *b) {
  return sm_ascii_casecmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_values(const void *a, const void *b) {
  return sm_ascii_casecmp((*(const sm_value *const *)a)->name,
                          (*(const sm_value *const *)b)->name);
}

static int cmp_name_value(const void *key, const void *elem) {
  return sm_ascii_casecmp(*(const char *const *)key,
                          (*(const sm_value *const *)elem)->name);
}

enum {
  S_REQUIRED,
  S_OPTIONAL,
  S_NAMES,
  S_UNDEFINED,
  S_UNREFERENCED,
  S_IMAGES,
  S_DEBUG
};

static sm_result subsystems_run(const sm_parse_args *a, sm_fields *out) {
  sm_value *const *v = a->values;
  size_t n = a->n_values;
  const char **names = NULL;
  const sm_value **vals = NULL;
  sm_result r = sm_fields_init(out, subsystems_field_names);
  if (r != SM_OK)
    return r;
  sm_field *f = out->v;
  r = SM_ERR_NOMEM;
  size_t n_req, n_opt, n_names = 0, n_vals = 0;
  char *const *req = sm_value_list(find_value(v, n, "Required"), &n_req);
  char *const *opt = sm_value_list(find_value(v, n, "Optional"), &n_opt);
  if (n_req + n_opt && !(names = malloc((n_req + n_opt) * sizeof *names)))
    goto done;
  if (n && !(vals = malloc(n * sizeof *vals)))
    goto done;
  for (size_t i = 0; i < n_req + n_opt; i++) {
    const char *s = i < n_req ? req[i] : opt[i - n_req];
    if (!*s)
      continue; /* not a name: smss skips empty strings */
    if (sm_field_push(&f[i < n_req ? S_REQUIRED : S_OPTIONAL], s) != SM_OK ||
        sm_field_push(&f[S_NAMES], s) != SM_OK)
      goto done;
    names[n_names++] = s;
  }
  for (size_t i = 0; i < n; i++)
    if (v[i] && v[i]->name)
      vals[n_vals++] = v[i];
  /* Sorted, for keys with thousands of values or names. */
  if (n_vals)
    qsort(vals, n_vals, sizeof *vals, cmp_values);
  for (size_t i = 0; i < n_names; i++) {
    const sm_value *const *found =
        bsearch(&names[i], vals, n_vals, sizeof *vals, cmp_name_value);
    if (!found) {
      if (sm_field_push(&f[S_UNDEFINED], names[i]) != SM_OK)
        goto done;
      continue;
    }
    const char *cmd = value_string(*found), *tok;
    size_t len;
    if (cmd && sm_cmdline_token(&cmd, &tok, &len)) {
      /* NAME=IMAGE with the image resolved; the whole item is lowercase,
       * as an expected "Windows=%SystemRoot%\\system32\\csrss.exe" is once
       * resolved (checks/winpath.h). */
      char *image = sm_unquote_dup(tok, len);
      char *res = image ? sm_path_resolve(a->in->env, image) : NULL;
      r = res ? sm_field_pushf(&f[S_IMAGES], "%s=%s", names[i], res)
              : SM_ERR_NOMEM;
      for (char *c = r == SM_OK ? f[S_IMAGES].items[f[S_IMAGES].n - 1] : NULL;
           c && *c && *c != '='; c++)
        if (*c >= 'A' && *c <= 'Z')
          *c += 32;
      free(res);
      free(image);
      if (r != SM_OK)
        goto done;
      r = SM_ERR_NOMEM;
    }
  }
  if (n_names)
    qsort(names, n_names, sizeof *names, cmp_str);
  static const char *const structural[] = {"Required", "Optional", "Kmode", ""};
  for (size_t i = 0; i < n; i++) {
    if (!v[i] || !v[i]->name)
      continue;
    bool skip = false;
    for (size_t s = 0; s < sizeof structural / sizeof *structural; s++)
      skip |= sm_ascii_casecmp(v[i]->name, structural[s]) == 0;
    /* names is NULL when Required and Optional name nothing. */
    if (!skip &&
        (!n_names ||
         !bsearch(&v[i]->name, names, n_names, sizeof *names, cmp_str)) &&
        sm_field_push(&f[S_UNREFERENCED], v[i]->name) != SM_OK)
      goto done;
  }
  const char *debug = value_string(find_value(v, n, "Debug"));
  if (debug && sm_field_push(&f[S_DEBUG], debug) != SM_OK)
    goto done;
  r = SM_OK;
done:
  if (r != SM_OK)
    sm_fields_free(out);
  free(names);
  free(vals);
  return r;
}

/* "wow64.dll" for the name "_wow64": the name plus ".dll", and nothing
 * else.  The loader maps a KnownDLL from the KnownDlls directory by the
 * data's file name, so any directory, drive, device or stream in the data
 * is a mismatch too, whatever its base name. */
static bool dll_matches(const char *name, const char *dll) {
  if (*name == '_')
    name++;
  const char *base = dll;
  if (strpbrk(dll, "\\/:%"))
    return false;
  size_t n = strlen(base), m = strlen(name);
  return sm_ascii_suffix(base, n, ".dll") && n - 4 == m &&
         sm_ascii_prefix(base, n - 4, name);
}

enum { K_NAMES, K_DLLS, K_MISMATCHED, K_DIR, K_DIR32, K_WOW64 };

/* The WOW64 layer's DLLs KnownDLLs maps, whatever the value's name
 * (_wow64 on Vista to 10, wow64 on XP x64 and later 10 and 11 builds), on
 * 64-bit Windows (PROCESSOR_ARCHITECTURE AMD64 or ARM64 in the Environment
 * key).  Where Windows has no such DLL (32-bit Windows has no WOW64 layer,
 * ARM64 emulates x86 without wow64cpu.dll) it is listed as if mapped, so a
 * rule can require all three. */
static sm_result wow64_dlls(const sm_parse_args *a, sm_field *f) {
  char *arch = sm_env_expand(a->in->env, "%PROCESSOR_ARCHITECTURE%");
  if (!arch)
    return SM_ERR_NOMEM;
  bool amd64 = sm_ascii_casecmp(arch, "AMD64") == 0;
  bool arm64 = sm_ascii_casecmp(arch, "ARM64") == 0;
  free(arch);
  static const char *const dlls[] = {"wow64.dll", "wow64win.dll",
                                     "wow64cpu.dll"};
  sm_result r = SM_OK;
  for (size_t d = 0; r == SM_OK && d < 3; d++) {
    bool found = !(amd64 || arm64) || (arm64 && d == 2);
    for (size_t i = 0; !found && i < f[K_DLLS].n; i++)
      found = sm_ascii_casecmp(f[K_DLLS].items[i], dlls[d]) == 0;
    if (found)
      r = sm_field_push(&f[K_WOW64], dlls[d]);
  }
  return r;
}

static sm_result knowndlls_run(const sm_parse_args *a, sm_fields *out) {
  sm_value *const *v = a->values;
  size_t n = a->n_values;
  sm_result r = sm_fields_init(out, knowndlls_field_names);
  if (r != SM_OK)
    return r;
  sm_field *f = out->v;
  for (size_t i = 0; r == SM_OK && i < n; i++) {
    if (!v[i] || !v[i]->name)
      continue;
    const char *name = v[i]->name, *dll = value_string(v[i]);
    size_t len = strlen(name);
    if (sm_ascii_prefix(name, len, "DllDirectory")) {
      int slot = sm_ascii_casecmp(name, "DllDirectory") == 0     ? K_DIR
                 : sm_ascii_casecmp(name, "DllDirectory32") == 0 ? K_DIR32
                                                                 : -1;
      if (dll && slot >= 0 && !f[slot].n) {
        char *res = sm_path_resolve(a->in->env, dll);
        r = res ? sm_field_push(&f[slot], res) : SM_ERR_NOMEM;
        free(res);
      }
      continue;
    }
    r = sm_field_push(&f[K_NAMES], name);
    bool mismatched = dll && !dll_matches(name, dll);
    /* A mismatched entry is reported once, as mismatched: dlls lists the
     * DLL its name stands for, so the list rules see no extra DLL and no
     * missing one for it. */
    if (r == SM_OK && dll && !mismatched)
      r = sm_field_push(&f[K_DLLS], dll);
    else if (r == SM_OK && mismatched)
      r = sm_field_pushf(&f[K_DLLS], "%s.dll", name + (name[0] == '_'));
    if (r == SM_OK && mismatched)
      r = sm_field_pushf(&f[K_MISMATCHED], "%s=%s", name, dll);
  }
  if (r == SM_OK)
    r = wow64_dlls(a, f);
  if (r != SM_OK)
    sm_fields_free(out);
  return r;
}

static bool dword(const sm_value *v, uint32_t *d) {
  if (!v || v->status != SM_OK || !v->has_num ||
      (v->type != SM_REG_DWORD && v->type != SM_REG_DWORD_BIG_ENDIAN))
    return false;
  *d = (uint32_t)v->num;
  return true;
}

enum {
  SEL_CURRENT,
  SEL_DEFAULT,
  SEL_LKG,
  SEL_FAILED,
  SEL_CMP,
  SEL_SETS,
  SEL_DANGLING
};

static sm_result select_run(const sm_parse_args *a, sm_fields *out) {
  sm_value *const *v = a->values;
  size_t n = a->n_values;
  const unsigned *cs = a->in->control_sets;
  size_t n_cs = a->in->n_control_sets;
  static const char *const names[] = {"Current", "Default", "LastKnownGood",
                                      "Failed"};
  uint32_t num[4];
  bool has[4];
  sm_result r = sm_fields_init(out, select_field_names);
  if (r != SM_OK)
    return r;
  sm_field *f = out->v;
  for (size_t i = 0; r == SM_OK && i < 4; i++)
    if ((has[i] = dword(find_value(v, n, names[i]), &num[i])))
      r = sm_field_pushf(&f[i], "%lu", (unsigned long)num[i]);
  if (r == SM_OK && has[0] && has[1])
    r = sm_field_push(&f[SEL_CMP], num[0] == num[1] ? "same" : "different");
  for (size_t i = 0; r == SM_OK && i < n_cs; i++)
    r = sm_field_pushf(&f[SEL_SETS], "ControlSet%03u", cs[i]);
  /* Failed 0 means none; Default and LastKnownGood 0 mean "not set". */
  for (size_t i = 0; r == SM_OK && i < 3; i++) {
    if (!has[i] || (i > 0 && num[i] == 0))
      continue;
    bool found = false;
    for (size_t j = 0; j < n_cs && !found; j++)
      found = cs[j] == num[i];
    if (!found)
      r = sm_field_pushf(&f[SEL_DANGLING], "%s=%lu", names[i],
                         (unsigned long)num[i]);
  }
  if (r != SM_OK)
    sm_fields_free(out);
  return r;
}

const sm_parser_def sm_parser_subsystems = {.name = "subsystems",
                                            .fields = subsystems_field_names,
                                            .path_fields =
                                                subsystems_path_fields,
                                            .input = SM_INPUT_KEY,
                                            .needs = SM_NEEDS_ENVIRONMENT,
                                            .run = subsystems_run};

const sm_parser_def sm_parser_known_dlls = {.name = "known-dlls",
                                            .fields = knowndlls_field_names,
                                            .path_fields =
                                                knowndlls_path_fields,
                                            .input = SM_INPUT_KEY,
                                            .needs = SM_NEEDS_ENVIRONMENT,
                                            .run = knowndlls_run};

const sm_parser_def sm_parser_select = {.name = "select",
                                        .fields = select_field_names,
                                        .input = SM_INPUT_KEY,
                                        .needs = SM_NEEDS_CONTROL_SETS,
                                        .run = select_run};
