/* The subsystems phase of the boot plan: Kmode, the Required subsystems
 * (csrss.exe and the ServerDlls it loads), the Optional ones, and the
 * values smss.exe keeps but never starts; and AppCertDlls, which the
 * loader reads at each process creation. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/bootplan-build.h"
#include "checks/parse.h"

/* csrss.exe loads each ServerDll by name from System32 at its start. */
static void server_dlls(sm_bp_build *b, const sm_value *v, const char *line) {
  sm_csrss c;
  if (sm_csrss_parse(line, &c) != SM_OK) {
    b->nomem = true;
    return;
  }
  for (size_t i = 0; i < c.n_serverdlls && !b->nomem; i++) {
    const sm_csrss_serverdll *d = &c.serverdlls[i];
    sm_boot_action *a = sm_bp_action(
        b, SM_PHASE_SUBSYSTEMS, "server-dll", SM_BK_SUBSYSTEMS, v->name, d->raw,
        "loaded into csrss.exe at its start, as SYSTEM%s%s",
        d->init ? ", entry point " : "", d->init ? d->init : "");
    char *path = NULL;
    size_t n = strlen(d->name);
    bool dll = n >= 4 && strcasecmp(d->name + n - 4, ".dll") == 0;
    if (asprintf(&path, "%s%s%s",
                 strpbrk(d->name, "\\/:") ? "" : "%SystemRoot%\\system32\\",
                 d->name, dll ? "" : ".dll") < 0) {
      b->nomem = true;
      break;
    }
    sm_bp_file(b, a, "dll", path, NULL);
    free(path);
  }
  sm_csrss_free(&c);
}

/* One subsystem named by Required or Optional. */
static void subsystem(sm_bp_build *b, const sm_value *list, const char *name,
                      bool required) {
  const sm_value *v = sm_bp_get(b, SM_BK_SUBSYSTEMS, name);
  if (!v) {
    sm_bp_action(b, SM_PHASE_SUBSYSTEMS, "subsystem-undefined",
                 SM_BK_SUBSYSTEMS, list->name, name,
                 "named by %s without a command line: smss.exe skips it",
                 list->name);
    return;
  }
  char *line = sm_value_text(v);
  if (!line) {
    b->nomem = true;
    return;
  }
  bool empty = strspn(line, " \t") == strlen(line);
  sm_boot_action *a = sm_bp_action(
      b, SM_PHASE_SUBSYSTEMS, required ? "subsystem" : "subsystem-optional",
      SM_BK_SUBSYSTEMS, v->name, NULL, "%s%s",
      empty      ? "empty: nothing runs"
      : required ? "started by smss.exe as SYSTEM in every session"
                 : "started by smss.exe as SYSTEM when a program of that "
                   "subsystem first runs",
      sm_value_name_eq(v->name, "Debug") && !empty ? " (the debug subsystem)"
                                                   : "");
  if (a)
    a->also = sm_bp_strdup(b, list->name);
  if (!empty) {
    sm_bp_program(b, a, line, NULL);
    if (sm_value_name_eq(v->name, "Windows"))
      server_dlls(b, v, line);
  }
  free(line);
}

void sm_bp_subsystems(sm_bp_build *b) {
  const sm_value *km = sm_bp_get(b, SM_BK_SUBSYSTEMS, "Kmode");
  if (km) {
    char *path = sm_value_text(km);
    sm_boot_action *a =
        sm_bp_action(b, SM_PHASE_SUBSYSTEMS, "kernel-module", SM_BK_SUBSYSTEMS,
                     km->name, NULL,
                     "kernel code loaded into every session's space: the "
                     "Win32 kernel part (win32k.sys)");
    sm_bp_file(b, a, "driver", path, NULL);
    free(path);
  }
  static const char *const lists[] = {"Required", "Optional"};
  for (int l = 0; l < 2 && !b->nomem; l++) {
    const sm_value *list = sm_bp_get(b, SM_BK_SUBSYSTEMS, lists[l]);
    size_t n;
    char *const *names = sm_value_list(list, &n);
    for (size_t i = 0; i < n && !b->nomem; i++)
      if (names[i][0])
        subsystem(b, list, names[i], l == 0);
  }
  /* What smss.exe reads from the key and never starts. */
  sm_bp_key *k = &b->keys[SM_BK_SUBSYSTEMS];
  for (size_t i = 0; i < k->n && !b->nomem; i++) {
    if (k->used[i])
      continue;
    k->used[i] = true;
    char *text = sm_value_text(k->v[i]);
    sm_boot_action *a = sm_bp_action(
        b, SM_PHASE_SUBSYSTEMS, "subsystem-staged", SM_BK_SUBSYSTEMS,
        k->v[i]->name, NULL,
        "kept by smss.exe, not named by Required or Optional: it runs "
        "nothing unless a name is added");
    sm_bp_args(b, a, text);
    free(text);
  }
}

void sm_bp_appcert(sm_bp_build *b) {
  sm_bp_key *k = &b->keys[SM_BK_APPCERT];
  for (size_t i = 0; i < k->n && !b->nomem; i++) {
    const sm_value *v = k->v[i];
    sm_bp_use(b, SM_BK_APPCERT, v);
    char *dll = sm_value_text(v);
    if (!dll) {
      b->nomem = true;
      return;
    }
    sm_boot_action *a = sm_bp_action(
        b, SM_PHASE_PROCESS, "appcert-dll", SM_BK_APPCERT, v->name, NULL,
        "loaded into every process that creates a process "
        "(CreateProcess), which it may allow or refuse");
    sm_bp_file(b, a, "dll", dll, NULL);
    free(dll);
  }
}

/* Setup (at the hive root): the commands Windows runs at boot while setup
 * is in progress.  CmdLine is a Win32 command line; its program is found
 * as a native one is (checks/resolve.h), which stands for CreateProcess's
 * search of System32 and the Path. */
void sm_bp_setup(sm_bp_build *b) {
  const sm_value *t = sm_bp_get(b, SM_BK_SETUP, "SetupType");
  unsigned long type = t && t->has_num ? (unsigned long)t->num : 0;
  static const char *const names[] = {"CmdLine", "RespecializeCmdLine"};
  for (int c = 0; c < 2 && !b->nomem; c++) {
    const sm_value *v = sm_bp_get(b, SM_BK_SETUP, names[c]);
    size_t n;
    char *const *s = sm_value_list(v, &n);
    for (size_t i = 0; i < n && !b->nomem; i++) {
      if (strspn(s[i], " \t") == strlen(s[i]))
        continue;
      sm_boot_action *a = sm_bp_action(
          b, SM_PHASE_SESSION, "setup-command", SM_BK_SETUP, v->name, s[i],
          c      ? "run as SYSTEM when Windows is respecialized (sysprep "
                   "/respecialize)"
          : type ? "run as SYSTEM before the logon screen: SetupType is "
                   "not 0"
                 : "not run while SetupType is 0");
      if (a && t)
        a->also = sm_bp_strdup(b, t->name);
      if (a)
        sm_bp_program(b, a, s[i], NULL);
    }
  }
}
