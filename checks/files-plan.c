/* The files of the boot plan's actions and of the findings (files.h).
 *
 * Every action that runs, loads, maps or renames code has its files looked
 * up, whether or not a finding judges it: a replaced DLL behind a normal
 * KnownDLLs entry, or a tampered csrss.exe under a normal SubSystems
 * value, is seen only there.  The plan resolved each file as Windows does
 * (checks/bootplan.h: the hive's Path for smss.exe's search, DllDirectory
 * and DllDirectory32 for the KnownDLLs, System32 for the ServerDlls); with
 * the volume at hand, the first candidate of a search that exists is the
 * one that runs.  A finding that judges an action shows that action's
 * files; others show the files they name (files-refs.c). */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/files.h"

/* What the files of each kind of action are to Windows: their role, and
 * whether Windows needs them (must: an absent one is a finding). */
static const struct {
  const char *kind;
  sm_file_role role;
  bool must;
} kinds[] = {
    {"boot-program", SM_FILE_BOOT_PROGRAM, true},
    {"setup-program", SM_FILE_BOOT_PROGRAM, true},
    {"platform-program", SM_FILE_BOOT_PROGRAM, true},
    {"execute", SM_FILE_PROGRAM, true},
    {"initial-command", SM_FILE_PROGRAM, true},
    /* Only when Windows boots to its recovery menu, or while setup runs. */
    {"boot-shell", SM_FILE_PROGRAM, false},
    {"setup-command", SM_FILE_PROGRAM, false},
    {"subsystem", SM_FILE_SUBSYSTEM, true},
    /* Started when a program of that subsystem first runs: Windows lists
     * Posix and Os2 where their files were never installed. */
    {"subsystem-optional", SM_FILE_SUBSYSTEM, false},
    {"kernel-module", SM_FILE_SUBSYSTEM, true},
    {"server-dll", SM_FILE_SERVER_DLL, true},
    /* smss.exe skips an entry whose DLL is absent, and Windows lists some
     * that exist only on other processors (_wowarmhw, _xtajit on x64). */
    {"known-dll", SM_FILE_KNOWN_DLL, false},
    {"appcert-dll", SM_FILE_APPCERT_DLL, true},
    {"rename", SM_FILE_RENAME_SOURCE, false},
    {"replace", SM_FILE_RENAME_SOURCE, false},
    {"delete", SM_FILE_RENAME_SOURCE, false},
};

/* The role of file f of a, and whether Windows needs it; false when the
 * file is not code (a directory, a paging file, a variable's target). */
static bool role_of(const sm_boot_action *a, const sm_boot_file *f,
                    sm_file_role *role, bool *must) {
  static const char *const code[] = {"program", "searched-first", "dll",
                                     "dll32",   "driver",         "source",
                                     "destination"};
  bool is_code = false;
  for (size_t i = 0; i < sizeof code / sizeof *code; i++)
    is_code = is_code || strcmp(f->role, code[i]) == 0;
  if (!is_code || !f->resolved)
    return false;
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
    if (strcmp(a->kind, kinds[i].kind) == 0) {
      *role = strcmp(f->role, "destination") == 0 ? SM_FILE_RENAME_DEST
                                                  : kinds[i].role;
      /* SysWOW64's copies exist only on a 64-bit Windows. */
      *must = kinds[i].must && strcmp(f->role, "dll32") != 0;
      return true;
    }
  return false;
}

static const char *base_name(const char *p) {
  const char *b = strrchr(p, '\\');
  return b ? b + 1 : p;
}

/* The name a pending rename gives its source: its destination's. */
static const char *dest_name(const sm_boot_action *a) {
  for (size_t i = 0; i < a->n_files; i++)
    if (strcmp(a->files[i].role, "destination") == 0 && a->files[i].resolved)
      return base_name(a->files[i].resolved);
  return NULL;
}

/* Where SM-FILE-* findings of action a go: its key and value. */
static void source_of(const sm_boot_plan *p, const sm_boot_action *a,
                      const sm_report *rep, char *key, size_t size,
                      sm_file_source *src) {
  bool root = a->key && strncmp(a->key, "Control\\", 8) != 0;
  if (root)
    snprintf(key, size, "%s", a->key);
  else
    snprintf(key, size, "ControlSet%03u\\%s", p->control_set,
             a->key ? a->key : "");
  *src = (sm_file_source){.control_set = root ? 0 : p->control_set,
                          .key = key,
                          .value = a->value};
  /* The key's last write, from a finding on the same key. */
  for (size_t i = 0; rep && i < rep->n_findings; i++)
    if (rep->findings[i].key && strcasecmp(rep->findings[i].key, key) == 0 &&
        rep->findings[i].last_write) {
      src->last_write = rep->findings[i].last_write;
      break;
    }
}

/* With rep NULL, look up each code file of a (its fact); else add the
 * SM-FILE-* findings of those facts to rep. */
static bool action_files(const sm_files_ctx *c, sm_boot_plan *p,
                         sm_boot_action *a, sm_report *rep) {
  char key[700];
  sm_file_source src;
  source_of(p, a, rep, key, sizeof key, &src);
  bool shadowed = false;
  for (size_t i = 0; i < a->n_files; i++) {
    sm_boot_file *f = &a->files[i];
    sm_file_role role;
    bool must, first = strcmp(f->role, "searched-first") == 0;
    if (!role_of(a, f, &role, &must))
      continue;
    if (!rep) {
      sm_file_fact ff;
      if (!sm_file_describe(c, f->resolved, role, &ff))
        return false;
      if (first && ff.exists != 1) {
        sm_file_fact_clear(&ff); /* not there: the search goes on */
        continue;
      }
      if (!(f->fact = malloc(sizeof *f->fact))) {
        sm_file_fact_clear(&ff);
        return false;
      }
      *f->fact = ff;
      continue;
    }
    if (!f->fact)
      continue;
    /* A copy found earlier in the search runs instead of this one. */
    src.must_exist = must && !shadowed;
    shadowed = shadowed || first;
    src.name = role == SM_FILE_RENAME_SOURCE ? dest_name(a) : NULL;
    if (!sm_file_rules(rep, &src, f->fact, c))
      return false;
  }
  return true;
}

bool sm_files_plan(const sm_files_ctx *c, sm_boot_plan *plan, sm_report *rep) {
  for (size_t i = 0; plan && i < plan->n_actions; i++)
    if (!action_files(c, plan, &plan->actions[i], rep))
      return false;
  return true;
}

static bool has_facts(const sm_boot_action *a) {
  for (size_t i = 0; i < a->n_files; i++)
    if (a->files[i].fact)
      return true;
  return false;
}

long sm_files_action_of(const sm_boot_plan *plan, const sm_report *rep,
                        const sm_finding *f) {
  if (!plan || rep->control_set != plan->control_set ||
      (f->control_set != plan->control_set && f->control_set != 0))
    return -1;
  long i = sm_boot_plan_action_of(plan, f, NULL);
  if (i < 0 || !has_facts(&plan->actions[i]))
    return -1;
  /* Of a list (BootExecute), only the entry the finding names: a finding
   * on the whole list names the files of every entry (files-refs.c). */
  const sm_boot_action *a = &plan->actions[i];
  if (sm_boot_plan_same(plan, (size_t)i) > 1 && (!a->item || !f->observed || !strcasestr(f->observed, a->item)))
    return -1;
  return i;
}

/* The files of finding f of rep: its action's (copies; SysWOW64's only
 * where they exist), else those it names. */
static bool finding_files(const sm_files_ctx *c, const sm_boot_plan *plan,
                          sm_report *rep, size_t idx) {
  sm_finding *f = &rep->findings[idx];
  long ai = sm_files_action_of(plan, rep, f);
  sm_file_source src = {.control_set = f->control_set,
                        .key = f->key,
                        .value = f->value,
                        .last_write = f->last_write};
  size_t shadow_at = SIZE_MAX; /* a copy found first along the search */
  if (ai >= 0) {
    const sm_boot_action *a = &plan->actions[ai];
    if (!(f->files = calloc(a->n_files, sizeof *f->files)))
      return false;
    for (size_t i = 0; i < a->n_files; i++) {
      const sm_boot_file *bf = &a->files[i];
      if (!bf->fact ||
          (strcmp(bf->role, "dll32") == 0 && bf->fact->exists != 1))
        continue;
      if (!sm_file_fact_copy(&f->files[f->n_files], bf->fact))
        return false;
      if (shadow_at == SIZE_MAX && strcmp(bf->role, "searched-first") == 0)
        shadow_at = f->n_files;
      f->n_files++;
    }
    src.name = dest_name(a);
  } else {
    sm_file_refs refs;
    if (sm_file_refs_of(f, &refs) != SM_OK)
      return false;
    bool ok = !refs.n ||
              (f->files = calloc(refs.n, sizeof *f->files)) != NULL;
    for (size_t i = 0; ok && i < refs.n; i++) {
      bool wow = refs.roles[i] == SM_FILE_KNOWN_DLL &&
                 strncmp(refs.paths[i], "c:\\windows\\syswow64\\", 19) == 0;
      sm_file_fact *ff = &f->files[f->n_files];
      ok = sm_file_describe(c, refs.paths[i], refs.roles[i], ff);
      f->n_files += ok;
      /* SysWOW64 only on a 64-bit Windows: where it is absent, say
       * nothing. */
      if (ok && wow && ff->exists != 1) {
        sm_file_fact_clear(ff);
        f->n_files--;
      }
    }
    sm_file_refs_free(&refs);
    if (!ok)
      return false;
  }
  /* A file a finding names: Windows needs it unless it is a pending
   * rename's, or a copy found earlier in the search runs instead. */
  for (size_t i = 0; i < f->n_files; i++) {
    sm_file_fact ff = rep->findings[idx].files[i]; /* adding moves them */
    src.must_exist = ff.role != SM_FILE_RENAME_SOURCE &&
                     ff.role != SM_FILE_RENAME_DEST &&
                     (shadow_at == SIZE_MAX || i <= shadow_at);
    const char *name = src.name;
    if (ff.role != SM_FILE_RENAME_SOURCE)
      src.name = NULL;
    bool ok = sm_file_rules(rep, &src, &ff, c);
    src.name = name;
    if (!ok)
      return false;
    f = &rep->findings[idx];
  }
  return true;
}

bool sm_files_check(const sm_files_ctx *c, sm_report *reports,
                    size_t n_reports, sm_boot_plan *plan) {
  sm_report *planned = NULL;
  for (size_t r = 0; plan && r < n_reports && !planned; r++)
    if (reports[r].control_set == plan->control_set)
      planned = &reports[r];
  /* The actions' files first: the findings judging them share them. */
  if (!sm_files_plan(c, plan, NULL))
    return false;
  for (size_t r = 0; r < n_reports; r++) {
    size_t n = reports[r].n_findings; /* not the SM-FILE-* ones added */
    for (size_t i = 0; i < n; i++)
      if (!finding_files(c, &reports[r] == planned ? plan : NULL, &reports[r],
                         i))
        return false;
  }
  return !planned || sm_files_plan(c, plan, planned);
}
