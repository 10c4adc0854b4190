/* Shared by checks/bootplan*.c only. */
#ifndef SM_BOOTPLAN_BUILD_H
#define SM_BOOTPLAN_BUILD_H

#include "checks/bootplan.h"

/* The keys the plan reads, by index into sm_boot_plan_keys. */
enum {
  SM_BK_SESSION,
  SM_BK_KERNEL,
  SM_BK_MEMORY,
  SM_BK_DOS_DEVICES,
  SM_BK_ENVIRONMENT,
  SM_BK_KNOWN_DLLS,
  SM_BK_SUBSYSTEMS,
  SM_BK_APPCERT,
  SM_BK_SETUP, /* at the hive root, not below the control set */
  SM_BK_COUNT
};

/* A value read as a policy by the kernel, smss.exe or the loader: one
 * action of kind "policy" in its phase. */
typedef struct sm_boot_policy {
  int key; /* SM_BK_* */
  const char *name;
  sm_boot_phase phase;
  const char *what;
} sm_boot_policy;

extern const sm_boot_policy sm_boot_policies[];
extern const size_t sm_n_boot_policies;

/* Whether key (SM_BK_*) sets kernel or loader policy. */
bool sm_boot_policy_key(int key);

/* One key as read, with which of its values an action consumed. */
typedef struct sm_bp_key {
  sm_value **v;
  size_t n;
  bool *used;
} sm_bp_key;

/* The plan being built. */
typedef struct sm_bp_build {
  sm_boot_plan *p;
  sm_bp_key keys[SM_BK_COUNT];
  sm_env env; /* the control set's environment (checks/winpath.h) */
  bool nomem;
} sm_bp_build;

/* bootplan.c: the frame. */
char *sm_bp_strdup(sm_bp_build *b, const char *s);
/* The value of that name in key (SM_BK_*), marked consumed; NULL absent. */
const sm_value *sm_bp_get(sm_bp_build *b, int key, const char *name);
/* Mark v (a value of key) consumed. */
void sm_bp_use(sm_bp_build *b, int key, const sm_value *v);
/* Append an action (key -1: none); NULL when out of memory. */
sm_boot_action *sm_bp_action(sm_bp_build *b, sm_boot_phase phase,
                             const char *kind, int key, const char *value,
                             const char *item, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* Add a file to a (resolved: taken, or NULL to resolve written). */
void sm_bp_file(sm_bp_build *b, sm_boot_action *a, const char *role,
                const char *written, char *resolved);
void sm_bp_args(sm_bp_build *b, sm_boot_action *a, const char *args);

/* bootplan-phases.c: every phase, in order; the program (and the files
 * searched before it) of a native command line, as files of a. */
void sm_bp_program(sm_bp_build *b, sm_boot_action *a, const char *line,
                   bool *autocheck);
void sm_bp_phases(sm_bp_build *b);
/* bootplan-subsys.c: Kmode, the subsystems and csrss.exe's ServerDlls;
 * AppCertDlls. */
void sm_bp_subsystems(sm_bp_build *b);
void sm_bp_appcert(sm_bp_build *b);
/* Setup\CmdLine and RespecializeCmdLine (at the hive root). */
void sm_bp_setup(sm_bp_build *b);

/* bootplan-index.c: index the actions of p by key and value (p->index),
 * once they are all there; SM_ERR_NOMEM only. */
sm_result sm_boot_index_build(sm_boot_plan *p);
void sm_boot_index_free(sm_boot_index *x);

#endif
