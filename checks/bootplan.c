/* The boot plan's frame: the keys it reads, its actions, the accounting of
 * every value (checks/bootplan.h).  The phases themselves are built in
 * checks/bootplan-phases.c, the tables in checks/bootplan-table.c. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "checks/audit.h"
#include "checks/bootplan-build.h"
#include "checks/files.h"

const char *const sm_boot_plan_keys[] = {
    [SM_BK_SESSION] = "Control\\Session Manager",
    [SM_BK_KERNEL] = "Control\\Session Manager\\kernel",
    [SM_BK_MEMORY] = "Control\\Session Manager\\Memory Management",
    [SM_BK_DOS_DEVICES] = "Control\\Session Manager\\DOS Devices",
    [SM_BK_ENVIRONMENT] = "Control\\Session Manager\\Environment",
    [SM_BK_KNOWN_DLLS] = "Control\\Session Manager\\KnownDLLs",
    [SM_BK_SUBSYSTEMS] = "Control\\Session Manager\\SubSystems",
    [SM_BK_APPCERT] = "Control\\Session Manager\\AppCertDlls",
    [SM_BK_SETUP] = "Setup",
    [SM_BK_COUNT] = NULL,
};

static const struct {
  const char *name, *title;
} phases[SM_PHASE_COUNT] = {
    [SM_PHASE_KERNEL] = {"kernel", "the kernel reads its policies"},
    [SM_PHASE_SMSS] = {"smss-config", "smss.exe reads its configuration"},
    [SM_PHASE_OBJECTS] = {"objects",
                          "object directories and DOS devices created"},
    [SM_PHASE_BOOT_EXECUTE] = {"boot-execute",
                               "BootExecute programs run (native, as "
                               "SYSTEM, before any service)"},
    [SM_PHASE_RENAMES] = {"renames", "pending renames and deletes performed"},
    [SM_PHASE_KNOWN_DLLS] = {"known-dlls", "KnownDLLs mapped"},
    [SM_PHASE_PAGING_FILES] = {"paging-files", "paging files created"},
    [SM_PHASE_HIVES] = {"hives", "the remaining hives loaded"},
    [SM_PHASE_ENVIRONMENT] = {"environment", "the machine environment set"},
    [SM_PHASE_SETUP_EXECUTE] = {"setup-execute",
                                "SetupExecute and PlatformExecute programs "
                                "run"},
    [SM_PHASE_SUBSYSTEMS] = {"subsystems",
                             "Kmode loaded and the subsystems started"},
    [SM_PHASE_SESSION] = {"session",
                          "Execute, the initial command and the run levels"},
    [SM_PHASE_PROCESS] = {"process",
                          "at each process creation: the loader's policy"},
};

const char *sm_boot_phase_name(sm_boot_phase p) {
  return (unsigned)p < SM_PHASE_COUNT ? phases[p].name : "unknown";
}

const char *sm_boot_phase_title(sm_boot_phase p) {
  return (unsigned)p < SM_PHASE_COUNT ? phases[p].title : "unknown";
}

char *sm_bp_strdup(sm_bp_build *b, const char *s) {
  char *d = s ? strdup(s) : NULL;
  if (s && !d)
    b->nomem = true;
  return d;
}

/* The value as its consumer reads it (docs/reading.md): the first of that
 * stored name, or in a key smss.exe enumerates the last of that name cut
 * at its NUL. */
const sm_value *sm_bp_get(sm_bp_build *b, int key, const char *name) {
  sm_bp_key *k = &b->keys[key];
  sm_read_rule rule =
      key == SM_BK_SETUP
          ? SM_READ_BY_NAME
          : sm_key_read_rule(SM_ROOT_CONTROL_SET, sm_boot_plan_keys[key]);
  const sm_value *v = sm_values_pick(k->v, k->n, name, rule);
  if (v)
    sm_bp_use(b, key, v);
  return v;
}

void sm_bp_use(sm_bp_build *b, int key, const sm_value *v) {
  sm_bp_key *k = &b->keys[key];
  for (size_t i = 0; i < k->n; i++)
    if (k->v[i] == v)
      k->used[i] = true;
}

sm_boot_action *sm_bp_action(sm_bp_build *b, sm_boot_phase phase,
                             const char *kind, int key, const char *value,
                             const char *item, const char *fmt, ...) {
  sm_boot_plan *p = b->p;
  if (b->nomem || !sm_grow(&p->actions, p->n_actions, sizeof *p->actions)) {
    b->nomem = true;
    return NULL;
  }
  sm_boot_action *a = &p->actions[p->n_actions];
  memset(a, 0, sizeof *a);
  a->phase = phase;
  a->kind = kind;
  a->key = sm_bp_strdup(b, key >= 0 ? sm_boot_plan_keys[key] : NULL);
  a->value = sm_bp_strdup(b, value);
  a->item = sm_bp_strdup(b, item);
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&a->what, fmt, ap) < 0) {
    a->what = NULL;
    b->nomem = true;
  }
  va_end(ap);
  p->n_actions++;
  return a;
}

void sm_bp_file(sm_bp_build *b, sm_boot_action *a, const char *role,
                const char *written, char *resolved) {
  if (!a || !written || b->nomem) {
    free(resolved);
    return;
  }
  if (!resolved && !(resolved = sm_path_resolve(&b->env, written))) {
    b->nomem = true;
    return;
  }
  if (!sm_grow(&a->files, a->n_files, sizeof *a->files)) {
    free(resolved);
    b->nomem = true;
    return;
  }
  sm_boot_file *f = &a->files[a->n_files++];
  f->role = role;
  f->written = sm_bp_strdup(b, written);
  f->resolved = resolved;
  f->place = strcmp(role, "directory") == 0 || strcmp(role, "target") == 0
                 ? sm_path_place(resolved)
                 : sm_file_place(resolved);
  f->fact = NULL;
}

void sm_bp_args(sm_bp_build *b, sm_boot_action *a, const char *args) {
  if (a && args && *args)
    a->args = sm_bp_strdup(b, args);
}

/* Read every key of the plan once; a missing key has no values, a damaged
 * one is an error of the plan. */
static void load_keys(sm_bp_build *b, sm_hive *h, sm_key cs_key) {
  for (int i = 0; i < SM_BK_COUNT && !b->nomem; i++) {
    sm_bp_key *k = &b->keys[i];
    sm_error err = {0};
    sm_key key;
    sm_key base = i == SM_BK_SETUP ? sm_hive_root(h) : cs_key;
    sm_result r = sm_key_lookup(h, base, sm_boot_plan_keys[i], &key, &err);
    if (r == SM_OK)
      r = sm_key_values(h, key, &k->v, &k->n, &err);
    if (r == SM_OK && k->n && !(k->used = calloc(k->n, sizeof *k->used)))
      r = SM_ERR_NOMEM;
    if (r == SM_ERR_NOMEM) {
      b->nomem = true;
    } else if (r != SM_OK && r != SM_ERR_NOT_FOUND) {
      char *msg = NULL;
      if (asprintf(&msg, "%s: %s", sm_boot_plan_keys[i], err.msg) < 0 ||
          !sm_grow(&b->p->errors, b->p->n_errors, sizeof *b->p->errors)) {
        free(msg);
        b->nomem = true;
      } else {
        b->p->errors[b->p->n_errors++] = msg;
      }
    }
  }
}

/* Every value read: consumed, inert, or unmodelled. */
static void account(sm_bp_build *b) {
  sm_boot_plan *p = b->p;
  for (int i = 0; i < SM_BK_COUNT && !b->nomem; i++) {
    sm_bp_key *k = &b->keys[i];
    for (size_t j = 0; j < k->n; j++) {
      if (!sm_grow(&p->values, p->n_values, sizeof *p->values)) {
        b->nomem = true;
        return;
      }
      sm_plan_value *pv = &p->values[p->n_values++];
      memset(pv, 0, sizeof *pv);
      pv->key = sm_bp_strdup(b, sm_boot_plan_keys[i]);
      pv->name = sm_bp_strdup(b, k->v[j]->name);
      pv->type = k->v[j]->type;
      pv->data = sm_value_text(k->v[j]);
      if (!pv->data)
        b->nomem = true;
      pv->policy_key = sm_boot_policy_key(i);
      pv->hive_root = i == SM_BK_SETUP;
      bool policy;
      if (k->used[j]) {
        pv->how = SM_COVER_ACTION;
        p->n_consumed++;
      } else if ((pv->reason = sm_boot_inert_reason(sm_boot_plan_keys[i],
                                                    k->v[j]->name, &policy))) {
        pv->how = SM_COVER_INERT;
        p->n_inert++;
      } else {
        pv->how = SM_COVER_UNMODELLED;
        p->n_unmodelled++;
      }
    }
  }
}

sm_result sm_boot_plan_build(sm_hive *h, unsigned cs_id, sm_key cs_key,
                             sm_boot_plan *out) {
  memset(out, 0, sizeof *out);
  out->control_set = cs_id;
  sm_bp_build b = {.p = out};
  load_keys(&b, h, cs_key);
  sm_bp_key *env = &b.keys[SM_BK_ENVIRONMENT];
  if (!b.nomem && sm_env_init(&b.env, env->v, env->n) != SM_OK)
    b.nomem = true;
  if (!b.nomem)
    sm_bp_phases(&b);
  if (!b.nomem)
    account(&b);
  if (!b.nomem && sm_boot_index_build(out) != SM_OK)
    b.nomem = true;
  for (int i = 0; i < SM_BK_COUNT; i++) {
    sm_values_free(b.keys[i].v, b.keys[i].n);
    free(b.keys[i].used);
  }
  sm_env_free(&b.env);
  if (b.nomem) {
    sm_boot_plan_free(out);
    return SM_ERR_NOMEM;
  }
  return SM_OK;
}

void sm_boot_plan_free(sm_boot_plan *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n_actions; i++) {
    sm_boot_action *a = &p->actions[i];
    free(a->key);
    free(a->value);
    free(a->also);
    free(a->item);
    free(a->args);
    free(a->what);
    for (size_t j = 0; j < a->n_files; j++) {
      free(a->files[j].written);
      free(a->files[j].resolved);
      sm_file_facts_free(a->files[j].fact, a->files[j].fact != NULL);
    }
    free(a->files);
  }
  free(p->actions);
  for (size_t i = 0; i < p->n_values; i++) {
    free(p->values[i].key);
    free(p->values[i].name);
    free(p->values[i].data);
  }
  free(p->values);
  for (size_t i = 0; i < p->n_errors; i++)
    free(p->errors[i]);
  free(p->errors);
  sm_boot_index_free(p->index);
  memset(p, 0, sizeof *p);
}
