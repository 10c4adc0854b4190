/* The phases of the boot plan, each from the values Windows reads for it
 * (checks/bootplan.h; the order is docs/plan.md's). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/bootplan-build.h"
#include "checks/parse.h"
#include "checks/resolve.h"

/* The program of a native command line and its arguments, as files and
 * args of a: the program smss.exe runs when only Windows' own files
 * exist, and before it each file its search would try first (a copy
 * placed there runs instead).  The one place the plan finds a program
 * (checks/resolve.h); *autocheck says whether the line began with smss's
 * autocheck marker (may be NULL). */
void sm_bp_program(sm_bp_build *b, sm_boot_action *a, const char *line,
                   bool *autocheck) {
  sm_program pr;
  if (sm_program_resolve(&b->env, line, &pr) != SM_OK) {
    b->nomem = true;
    return;
  }
  if (autocheck)
    *autocheck = pr.autocheck;
  sm_bp_args(b, a, pr.args);
  size_t shadow = sm_program_shadow(&pr);
  for (size_t i = shadow; i < pr.fallback && i < pr.n && !b->nomem; i++)
    sm_bp_file(b, a, "searched-first", pr.name, sm_bp_strdup(b, pr.tried[i]));
  const char *run = sm_program_default(&pr);
  if (run)
    sm_bp_file(b, a, "program", pr.name, sm_bp_strdup(b, run));
  sm_program_free(&pr);
}

/* One action per entry of a list of native command lines (BootExecute,
 * SetupExecute, Execute, ...). */
static void programs(sm_bp_build *b, sm_boot_phase phase, const char *kind,
                     const char *name, const char *what) {
  const sm_value *v = sm_bp_get(b, SM_BK_SESSION, name);
  size_t n;
  char *const *s = sm_value_list(v, &n);
  for (size_t i = 0; i < n && !b->nomem; i++) {
    if (strspn(s[i], " \t") == strlen(s[i]))
      continue; /* smss skips empty and blank entries */
    sm_boot_action *a =
        sm_bp_action(b, phase, kind, SM_BK_SESSION, v->name, s[i], "%s", what);
    bool autocheck = false;
    if (a)
      sm_bp_program(b, a, s[i], &autocheck);
    if (a && autocheck && a->what) {
      char *w = NULL;
      if (asprintf(&w,
                   "%s (the autocheck marker: smss.exe waits for it, "
                   "as for autochk)",
                   a->what) < 0)
        b->nomem = true;
      else {
        free(a->what);
        a->what = w;
      }
    }
  }
}

/* The policies of one phase (checks/bootplan-table.c). */
static void policies(sm_bp_build *b, sm_boot_phase phase) {
  for (size_t i = 0; i < sm_n_boot_policies && !b->nomem; i++) {
    const sm_boot_policy *pol = &sm_boot_policies[i];
    const sm_value *v;
    if (pol->phase != phase || !(v = sm_bp_get(b, pol->key, pol->name)))
      continue;
    char *text = sm_value_text(v);
    if (!text)
      b->nomem = true;
    sm_boot_action *a = sm_bp_action(b, phase, "policy", pol->key, v->name,
                                     NULL, "%s", pol->what);
    sm_bp_args(b, a, text);
    free(text);
  }
}

static void objects(sm_bp_build *b) {
  const sm_value *v = sm_bp_get(b, SM_BK_SESSION, "ObjectDirectories");
  size_t n;
  char *const *s = sm_value_list(v, &n);
  for (size_t i = 0; i < n && !b->nomem; i++)
    if (s[i][0])
      sm_bp_action(b, SM_PHASE_OBJECTS, "object-directory", SM_BK_SESSION,
                   v->name, s[i],
                   "object directory created at boot (\\Windows and \\RPC "
                   "Control with a descriptor any process may use)");
  sm_bp_key *k = &b->keys[SM_BK_DOS_DEVICES];
  for (size_t i = 0; i < k->n && !b->nomem; i++) {
    const sm_value *d = k->v[i];
    sm_bp_use(b, SM_BK_DOS_DEVICES, d);
    char *target = sm_value_text(d);
    if (!target) {
      b->nomem = true;
      return;
    }
    sm_boot_action *a = sm_bp_action(
        b, SM_PHASE_OBJECTS, "dos-device", SM_BK_DOS_DEVICES, d->name, NULL,
        "symbolic link \\GLOBAL??\\%s, seen by every session: "
        "opening %s%s opens the target",
        d->name, d->name,
        strlen(d->name) == 2 && d->name[1] == ':' ? "" : " (\\\\.\\)");
    sm_bp_args(b, a, target);
    /* A target in a volume's files (a drive path, a share) is a file
     * place; a device or object name is not. */
    char *res = sm_path_resolve(&b->env, target);
    if (!res)
      b->nomem = true;
    else if ((res[0] && res[1] == ':') || strncmp(res, "\\\\", 2) == 0)
      sm_bp_file(b, a, "target", target, res);
    else
      free(res);
    free(target);
  }
}

static void renames_of(sm_bp_build *b, const char *name) {
  const sm_value *v = sm_bp_get(b, SM_BK_SESSION, name);
  size_t n;
  char *const *s = sm_value_list(v, &n);
  sm_pending pe;
  if (!s || sm_pending_parse(s, n, &b->env, &pe) != SM_OK) {
    b->nomem = s != NULL;
    return;
  }
  for (size_t i = 0; i < pe.n && !b->nomem; i++) {
    const sm_pending_op *op = &pe.ops[i];
    const char *kind = !op->destination ? "delete"
                       : op->replace    ? "replace"
                                        : "rename";
    sm_boot_action *a =
        sm_bp_action(b, SM_PHASE_RENAMES, kind, SM_BK_SESSION, v->name,
                     op->source, "%s at boot, before any service%s%s", kind,
                     op->why ? ": " : "", op->why ? op->why : "");
    sm_bp_file(b, a, "source", op->source, NULL);
    sm_bp_file(b, a, "destination", op->destination, NULL);
  }
  if (pe.odd)
    sm_bp_action(b, SM_PHASE_RENAMES, "unpaired", SM_BK_SESSION, v->name,
                 s[n - 1],
                 "a source without a destination: smss.exe never "
                 "acts on it");
  sm_pending_free(&pe);
}

/* dir\dll, resolved. */
static char *in_dir(sm_bp_build *b, const char *dir, const char *dll) {
  char *joined = NULL, *r = NULL;
  if (asprintf(&joined, "%s\\%s", dir, dll) < 0 ||
      !(r = sm_path_resolve(&b->env, joined)))
    b->nomem = true;
  free(joined);
  return r;
}

static void known_dlls(sm_bp_build *b) {
  static const char sys32[] = "%SystemRoot%\\system32";
  const sm_value *dv = sm_bp_get(b, SM_BK_KNOWN_DLLS, "DllDirectory");
  const sm_value *dv32 = sm_bp_get(b, SM_BK_KNOWN_DLLS, "DllDirectory32");
  const char *dir = dv && dv->str ? dv->str : sys32;
  const char *dir32 = dv32 && dv32->str ? dv32->str : NULL;
  sm_boot_action *a;
  for (int i = 0; i < 2; i++) {
    const sm_value *d = i ? dv32 : dv;
    if (!d)
      continue;
    a = sm_bp_action(b, SM_PHASE_KNOWN_DLLS, "known-dll-directory",
                     SM_BK_KNOWN_DLLS, d->name, NULL,
                     "the directory \\KnownDlls%s's DLLs are mapped from",
                     i ? "32" : "");
    sm_bp_file(b, a, "directory", d->str ? d->str : "", NULL);
  }
  const sm_value *ex = sm_bp_get(b, SM_BK_SESSION, "ExcludeFromKnownDlls");
  size_t nx;
  char *const *xs = sm_value_list(ex, &nx);
  for (size_t i = 0; i < nx && !b->nomem; i++)
    if (xs[i][0])
      sm_bp_action(b, SM_PHASE_KNOWN_DLLS, "known-dll-excluded", SM_BK_SESSION,
                   ex->name, xs[i],
                   "not mapped: every process searches for %s along the DLL "
                   "search order",
                   xs[i]);
  sm_bp_key *k = &b->keys[SM_BK_KNOWN_DLLS];
  for (size_t i = 0; i < k->n && !b->nomem; i++) {
    const sm_value *v = k->v[i];
    if (v == dv || v == dv32)
      continue;
    sm_bp_use(b, SM_BK_KNOWN_DLLS, v);
    char *dll = sm_value_text(v);
    if (!dll) {
      b->nomem = true;
      return;
    }
    a = sm_bp_action(b, SM_PHASE_KNOWN_DLLS, "known-dll", SM_BK_KNOWN_DLLS,
                     v->name, NULL,
                     "section \\KnownDlls\\%s: every process maps it instead "
                     "of searching for it",
                     dll);
    if (a)
      a->also = sm_bp_strdup(b, dv ? dv->name : NULL);
    sm_bp_args(b, a, dll);
    sm_bp_file(b, a, "dll", dll, in_dir(b, dir, dll));
    if (dir32)
      sm_bp_file(b, a, "dll32", dll, in_dir(b, dir32, dll));
    free(dll);
  }
}

static void paging_files(sm_bp_build *b) {
  const sm_value *v = sm_bp_get(b, SM_BK_MEMORY, "PagingFiles");
  size_t n;
  char *const *s = sm_value_list(v, &n);
  for (size_t i = 0; i < n && !b->nomem; i++) {
    sm_pagingfile pf;
    if (!s[i][0])
      continue;
    if (sm_pagingfile_parse(s[i], &pf) != SM_OK) {
      b->nomem = true;
      return;
    }
    sm_boot_action *a = sm_bp_action(
        b, SM_PHASE_PAGING_FILES, "paging-file", SM_BK_MEMORY, v->name, s[i],
        "paging file created (\"?:\" is the system drive): "
        "memory is written there");
    char sizes[64];
    snprintf(sizes, sizeof sizes, "%llu %llu MB", (unsigned long long)pf.min_mb,
             (unsigned long long)pf.max_mb);
    sm_bp_args(b, a, pf.has_sizes ? sizes : NULL);
    char *path = sm_pagingfile_resolve(&b->env, pf.path);
    b->nomem |= !path;
    sm_bp_file(b, a, "paging-file", pf.path, path);
    sm_pagingfile_free(&pf);
  }
}

static void environment(sm_bp_build *b) {
  sm_bp_key *k = &b->keys[SM_BK_ENVIRONMENT];
  for (size_t i = 0; i < k->n && !b->nomem; i++) {
    const sm_value *v = k->v[i];
    sm_bp_use(b, SM_BK_ENVIRONMENT, v);
    bool list = sm_value_name_eq(v->name, "Path") ||
                sm_value_name_eq(v->name, "PSModulePath");
    char *text = sm_value_text(v);
    if (!text) {
      b->nomem = true;
      return;
    }
    sm_boot_action *a = sm_bp_action(
        b, SM_PHASE_ENVIRONMENT, "environment-variable", SM_BK_ENVIRONMENT,
        v->name, NULL, "%%%s%% in the environment of every process%s", v->name,
        sm_value_name_eq(v->name, "Path")
            ? "; the directories searched for programs and DLLs"
            : "");
    sm_bp_args(b, a, text);
    sm_pathlist pl = {0};
    if (list && sm_pathlist_parse(text, &pl) != SM_OK)
      b->nomem = true;
    for (size_t j = 0; j < pl.n; j++)
      if (pl.entries[j][0])
        sm_bp_file(b, a, "directory", pl.entries[j], NULL);
    if (!list && strpbrk(text, "\\:"))
      sm_bp_file(b, a, "target", text, NULL);
    sm_pathlist_free(&pl);
    free(text);
  }
}

static void early_phases(sm_bp_build *b) {
  policies(b, SM_PHASE_KERNEL);
  policies(b, SM_PHASE_SMSS);
  objects(b);
  programs(b, SM_PHASE_BOOT_EXECUTE, "boot-program", "BootExecute",
           "native program run by smss.exe as SYSTEM before any service");
  programs(b, SM_PHASE_BOOT_EXECUTE, "boot-program", "BootExecuteNoPnpSync",
           "native program run by smss.exe as SYSTEM before Plug and Play "
           "settles (Windows 10 and later)");
  policies(b, SM_PHASE_BOOT_EXECUTE);
  policies(b, SM_PHASE_RENAMES);
  renames_of(b, "PendingFileRenameOperations");
  renames_of(b, "PendingFileRenameOperations2");
  known_dlls(b);
  paging_files(b);
  policies(b, SM_PHASE_PAGING_FILES);
  sm_bp_action(b, SM_PHASE_HIVES, "hives", -1, NULL, NULL,
               "the registry is made writable and the remaining hives "
               "are loaded (hivelist)");
  environment(b);
}

void sm_bp_phases(sm_bp_build *b) {
  early_phases(b);
  programs(b, SM_PHASE_SETUP_EXECUTE, "setup-program", "SetupExecute",
           "native program run by smss.exe as SYSTEM before the "
           "subsystems (servicing: poqexec.exe)");
  programs(b, SM_PHASE_SETUP_EXECUTE, "setup-program", "SetupExecuteNoPnpSync",
           "native program run by smss.exe as SYSTEM before Plug and Play "
           "settles");
  programs(b, SM_PHASE_SETUP_EXECUTE, "platform-program", "PlatformExecute",
           "native program run by smss.exe as SYSTEM for the platform");
  policies(b, SM_PHASE_SETUP_EXECUTE);
  sm_bp_subsystems(b);
  programs(b, SM_PHASE_SESSION, "execute", "Execute",
           "program run by smss.exe as SYSTEM after the subsystems; the "
           "last one replaces the initial command");
  programs(b, SM_PHASE_SESSION, "initial-command", "S0InitialCommand",
           "session 0's initial command (wininit.exe when absent)");
  programs(b, SM_PHASE_SESSION, "boot-shell", "BootShell",
           "program run as SYSTEM in place of the logon when Windows boots "
           "to its recovery menu");
  sm_bp_setup(b);
  policies(b, SM_PHASE_SESSION);
  sm_bp_appcert(b);
  policies(b, SM_PHASE_PROCESS);
}
