/* The boot plan: what Windows will do at the next boot, from one control
 * set, in the order it does it.
 *
 * The kernel reads its policies under Session Manager (kernel, Memory
 * Management, GlobalFlag) as it starts; smss.exe then reads its
 * configuration (RtlQueryRegistryValues over Session Manager), creates the
 * object directories and the DOS devices, runs BootExecute, performs the
 * pending renames and deletes, maps the KnownDLLs, creates the paging
 * files, lets the remaining hives load, builds the environment, runs
 * SetupExecute, loads Kmode and starts the subsystems (csrss.exe with its
 * ServerDlls), then Execute and the initial command; the loader reads
 * AppCertDlls and its search policy at each process creation.  The order
 * and what is read follow ReactOS's smss (sminit.c, smsubsys.c) and Windows
 * Internals (7th ed., part 2, ch. 12); docs/plan.md says which is which.
 *
 * Every value of every key the plan reads is accounted for (coverage): it
 * is consumed by an action, documented as inert (checks/bootplan-table.c,
 * with the reason), or unmodelled, which the audit reports
 * (SM-PLAN-UNMODELLED, low; medium in keys that set kernel or loader
 * policy).  Values are parsed by the typed parsers of checks/parse.h and
 * paths resolved by checks/winpath.h, as the rules read them.
 */
#ifndef SM_BOOTPLAN_H
#define SM_BOOTPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/audit.h"
#include "checks/baseline.h"
#include "checks/winpath.h"
#include "hive/hive.h"

/* The phases, in the order Windows goes through them. */
typedef enum sm_boot_phase {
  SM_PHASE_KERNEL,        /* kernel initialisation: its policies */
  SM_PHASE_SMSS,          /* smss.exe reads its configuration */
  SM_PHASE_OBJECTS,       /* object directories, DOS devices */
  SM_PHASE_BOOT_EXECUTE,  /* BootExecute, BootExecuteNoPnpSync */
  SM_PHASE_RENAMES,       /* PendingFileRenameOperations(2) */
  SM_PHASE_KNOWN_DLLS,    /* \KnownDlls (and \KnownDlls32) mapped */
  SM_PHASE_PAGING_FILES,  /* paging files created */
  SM_PHASE_HIVES,         /* the remaining hives loaded */
  SM_PHASE_ENVIRONMENT,   /* the machine environment */
  SM_PHASE_SETUP_EXECUTE, /* SetupExecute, PlatformExecute */
  SM_PHASE_SUBSYSTEMS,    /* Kmode, Required (csrss.exe), Optional */
  SM_PHASE_SESSION,       /* Execute, the initial command, run levels */
  SM_PHASE_PROCESS,       /* at each process creation: loader policy */
  SM_PHASE_COUNT
} sm_boot_phase;

/* "kernel", "smss-config", "objects", ... (docs/plan.md). */
const char *sm_boot_phase_name(sm_boot_phase p);
/* One line: what happens in the phase. */
const char *sm_boot_phase_title(sm_boot_phase p);

/* A file or directory an action opens, runs, maps or changes. */
typedef struct sm_boot_file {
  const char *role; /* "program", "source", "destination", "dll",
                       "directory", "driver", "paging-file", "target" */
  char *written;    /* as the value spells it */
  char *resolved;   /* checks/winpath.h */
  sm_place place;
  /* The file as found in the hive's volume (checks/files.h,
   * sm_files_check), or NULL: not looked up (no volume, --no-files, or a
   * role whose file is not code: a directory, a paging file). */
  struct sm_file_fact *fact;
} sm_boot_file;

typedef struct sm_boot_action {
  sm_boot_phase phase;
  const char *kind; /* "boot-program", "rename", "delete", "known-dll", ...
                       (docs/plan.md lists them) */
  char *key;        /* below the control set:
                       "Control\Session Manager\KnownDLLs", or at the
                       hive root: "Setup" */
  char *value;      /* the value it comes from ("" the default value) */
  char *also;       /* a second value it reads (DllDirectory), or NULL */
  char *item;       /* the entry of a list value it comes from, as written,
                       or NULL for the whole value */
  char *args;       /* arguments, or NULL */
  sm_boot_file *files;
  size_t n_files;
  char *what; /* one sentence: what it does */
} sm_boot_action;

/* How a value the plan reads is accounted for. */
typedef enum sm_coverage {
  SM_COVER_ACTION,     /* consumed by an action */
  SM_COVER_INERT,      /* documented as inert (reason) */
  SM_COVER_UNMODELLED, /* neither: reported */
} sm_coverage;

typedef struct sm_plan_value {
  char *key;      /* below the control set, or at the hive root */
  bool hive_root; /* key is at the hive root (Setup) */
  char *name;     /* "" the default value */
  uint32_t type;
  char *data; /* as text (sm_value_text) */
  sm_coverage how;
  const char *reason; /* SM_COVER_INERT: why it changes nothing that runs */
  bool policy_key;    /* its key sets kernel or loader policy */
  bool judged;        /* a rule of the baseline evaluates it */
} sm_plan_value;

/* The actions by key and value (bootplan-index.c), built with the plan. */
typedef struct sm_boot_index sm_boot_index;

typedef struct sm_boot_plan {
  unsigned control_set;
  sm_boot_action *actions; /* in order: by phase, then as Windows goes */
  size_t n_actions;
  sm_plan_value *values; /* every value of every key read */
  size_t n_values;
  size_t n_consumed, n_inert, n_unmodelled, n_judged;
  char **errors; /* keys that could not be read: the plan is incomplete */
  size_t n_errors;
  sm_boot_index *index;
} sm_boot_plan;

/* The keys the plan reads, below the control set (Setup: at the hive
 * root), NULL-terminated. */
extern const char *const sm_boot_plan_keys[];

/* Build the plan of control set cs_id (key cs_key) of h.  A key that
 * cannot be read is an entry of errors, not a failure; SM_ERR_NOMEM only. */
sm_result sm_boot_plan_build(sm_hive *h, unsigned cs_id, sm_key cs_key,
                             sm_boot_plan *out);
void sm_boot_plan_free(sm_boot_plan *p);

/* Mark the values a rule of b evaluates (judged) and count them. */
void sm_boot_plan_judge(sm_boot_plan *p, const sm_baseline *b);

/* The rule of SM-PLAN-UNMODELLED findings (low, or medium in a policy
 * key): not a baseline's, never disabled. */
const sm_rule *sm_boot_plan_unmodelled_rule(bool policy);

/* One finding per unmodelled value, appended to rep (with the
 * suppressions of b).  SM_ERR_NOMEM only. */
sm_result sm_boot_plan_findings(const sm_boot_plan *p, const sm_baseline *b,
                                int today_ymd, sm_report *rep);

/* The action a finding judges, or -1: the one from the finding's key and
 * value whose item, file or argument the finding names (else the first
 * from that value).  taken (NULL, or one count per action) breaks ties:
 * of equally fitting actions, the one fewest findings went to (a list
 * with one entry twice gets one finding each). */
long sm_boot_plan_action_of(const sm_boot_plan *p, const sm_finding *f,
                            const unsigned *taken);

/* How many actions of p come from the key and value of action i, spelled
 * exactly so (the entries of one list value), i included. */
size_t sm_boot_plan_same(const sm_boot_plan *p, size_t i);

/* bootplan-table.c: how a value outside the modelled ones is accounted
 * for: the reason it is inert, or NULL; *policy says whether the key sets
 * kernel or loader policy. */
const char *sm_boot_inert_reason(const char *key, const char *name,
                                 bool *policy);

#endif
