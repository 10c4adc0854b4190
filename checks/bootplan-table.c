/* What the boot plan knows of values that run nothing themselves: the
 * policies Windows reads at boot or at process creation (one action each),
 * and the values documented as inert, each with its reason.  A value of a
 * key the plan reads that is in neither table, and that no action consumes,
 * is unmodelled: the finding SM-PLAN-UNMODELLED.  docs/plan.md lists both
 * tables with their sources. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/bootplan-build.h"

const sm_boot_policy sm_boot_policies[] = {
    {SM_BK_SESSION, "GlobalFlag", SM_PHASE_KERNEL,
     "NtGlobalFlag: system-wide heap, loader and object manager debugging "
     "flags, read by the kernel at boot"},
    {SM_BK_SESSION, "GlobalFlag2", SM_PHASE_KERNEL,
     "more system-wide debugging flags (Windows 10 and later)"},
    {SM_BK_KERNEL, "ObCaseInsensitive", SM_PHASE_KERNEL,
     "object names compared without case (1) or with it (0)"},
    {SM_BK_KERNEL, "ObUnsecureGlobalNames", SM_PHASE_KERNEL,
     "names of global objects any session may create without the default "
     "protection"},
    {SM_BK_KERNEL, "MitigationOptions", SM_PHASE_KERNEL,
     "system-wide process mitigation policy applied at process creation "
     "(ASLR, CFG, signature and image-load policies): 2-bit fields, 2 "
     "forces one off (SM-KERNEL-MITIGATIONS-OFF)"},
    {SM_BK_KERNEL, "MitigationAuditOptions", SM_PHASE_KERNEL,
     "the same fields in audit mode: events only, nothing enforced"},
    {SM_BK_KERNEL, "DisableExceptionChainValidation", SM_PHASE_KERNEL,
     "SEHOP: exception handler chains validated (0) or not (1)"},
    {SM_BK_KERNEL, "SeTokenSingletonAttributesConfig", SM_PHASE_KERNEL,
     "which security attributes a token may hold once only (written by "
     "Windows 10)"},
    {SM_BK_MEMORY, "ClearPageFileAtShutdown", SM_PHASE_KERNEL,
     "the paging file wiped at shutdown (1) or not (0)"},
    {SM_BK_MEMORY, "DisablePagingExecutive", SM_PHASE_KERNEL,
     "kernel code and data kept in memory (1) or pageable (0)"},
    {SM_BK_MEMORY, "FeatureSettingsOverride", SM_PHASE_KERNEL,
     "speculative-execution mitigations turned on or off (bits 0 and 1 "
     "off them)"},
    {SM_BK_MEMORY, "FeatureSettingsOverrideMask", SM_PHASE_KERNEL,
     "which bits of FeatureSettingsOverride apply"},
    {SM_BK_MEMORY, "MoveImages", SM_PHASE_KERNEL,
     "ASLR of images: 0 turns it off system-wide"},
    {SM_BK_MEMORY, "EnableCfg", SM_PHASE_KERNEL,
     "Control Flow Guard: 0 turns it off system-wide"},
    {SM_BK_SESSION, "ProtectionMode", SM_PHASE_SMSS,
     "security of the objects smss.exe creates (DOS devices, KnownDLLs "
     "sections): 1 only administrators may change them, 0 any user"},
    {SM_BK_SESSION, "AllowProtectedRenames", SM_PHASE_RENAMES,
     "pending renames may replace files Windows protects (1)"},
    {SM_BK_SESSION, "DisableWpbtExecution", SM_PHASE_SETUP_EXECUTE,
     "the firmware's Windows Platform Binary Table program is not run (1)"},
    {SM_BK_SESSION, "RunLevelExecute", SM_PHASE_SESSION,
     "the run levels smss.exe starts: WinInit (wininit.exe), "
     "ServiceControlManager (services.exe)"},
    {SM_BK_SESSION, "RunLevelValidate", SM_PHASE_SESSION,
     "the run levels smss.exe validates before starting them"},
    {SM_BK_SETUP, "SetupType", SM_PHASE_SESSION,
     "whether Windows runs Setup\\CmdLine at boot: 0 no, 1 and 2 yes (2: "
     "setup continues)"},
    {SM_BK_SETUP, "SystemSetupInProgress", SM_PHASE_SESSION,
     "Windows is in setup (1): logon and security behave as during setup"},
    {SM_BK_SETUP, "OOBEInProgress", SM_PHASE_SESSION,
     "the out-of-box experience is running (1)"},
    {SM_BK_SETUP, "SetupPhase", SM_PHASE_SESSION, "the phase setup is in"},
    {SM_BK_SETUP, "RestartSetup", SM_PHASE_SESSION,
     "setup restarts at the next boot (1)"},
    {SM_BK_SETUP, "SetupSupported", SM_PHASE_SESSION,
     "whether setup may run on this installation"},
    {SM_BK_SETUP, "WorkingDirectory", SM_PHASE_SESSION,
     "the folder setup's commands start in"},
    {SM_BK_SESSION, "SafeDllSearchMode", SM_PHASE_PROCESS,
     "where the current directory falls in the DLL search order: 0 puts it "
     "before the system directories"},
    {SM_BK_SESSION, "CWDIllegalInDllSearch", SM_PHASE_PROCESS,
     "whether the loader searches the current directory for DLLs"},
};
const size_t sm_n_boot_policies =
    sizeof sm_boot_policies / sizeof sm_boot_policies[0];

bool sm_boot_policy_key(int key) {
  return key == SM_BK_SESSION || key == SM_BK_KERNEL || key == SM_BK_MEMORY;
}

/* Values that change nothing that runs, where, or with what protection:
 * sizes, timeouts, counts and what Windows records about itself. */
static const struct {
  int key;
  const char *name, *reason;
} inert[] = {
    {SM_BK_SESSION, "CriticalSectionTimeout",
     "a timeout: how long a critical section wait lasts before a "
     "possible-deadlock report"},
    {SM_BK_SESSION, "HeapDeCommitFreeBlockThreshold",
     "a size: default heap decommit threshold each process inherits"},
    {SM_BK_SESSION, "HeapDeCommitTotalFreeThreshold",
     "a size: default heap decommit threshold each process inherits"},
    {SM_BK_SESSION, "HeapSegmentCommit",
     "a size: default heap segment commit each process inherits"},
    {SM_BK_SESSION, "HeapSegmentReserve",
     "a size: default heap segment reserve each process inherits"},
    {SM_BK_SESSION, "ResourceTimeoutCount",
     "a timeout: executive resource waits before a possible-deadlock "
     "report"},
    {SM_BK_SESSION, "ProcessorControl",
     "processor tuning flags of old releases: a number, no code or path"},
    {SM_BK_SESSION, "EnableMCA",
     "machine-check reporting (XP): hardware "
     "error reporting on or off"},
    {SM_BK_SESSION, "EnableMCE",
     "machine-check reporting (XP): hardware "
     "error reporting on or off"},
    {SM_BK_SESSION, "RegisteredProcessors",
     "a count: processors the licence allows (XP)"},
    {SM_BK_SESSION, "LicensedProcessors",
     "a count: processors the licence allows (XP)"},
    {SM_BK_SESSION, "NumberOfInitialSessions",
     "a count: sessions smss.exe prepares at boot"},
    {SM_BK_SESSION, "AutoChkTimeout",
     "a countdown: seconds autochk waits for a key before checking a "
     "volume"},
    {SM_BK_SESSION, "AutoChkSkipSystemPartition",
     "whether autochk skips the EFI system partition: which volume is "
     "checked, not what runs"},
    {SM_BK_SESSION, "InitConsoleFlags",
     "flags of the console of session 0 (Windows 10 writes 0)"},
    {SM_BK_SESSION, "ClearTempFiles",
     "a flag smss.exe leaves itself: at the next boot it deletes its own "
     "SMSS-PFRO*.tmp files in the Windows directory, then the value "
     "(SmpClearTemporaryFiles): a fixed pattern, nothing that runs"},
    {SM_BK_MEMORY, "LargeSystemCache", "a size policy of the file cache"},
    {SM_BK_MEMORY, "NonPagedPoolQuota", "a size: pool quota"},
    {SM_BK_MEMORY, "NonPagedPoolSize", "a size: pool size"},
    {SM_BK_MEMORY, "PagedPoolQuota", "a size: pool quota"},
    {SM_BK_MEMORY, "PagedPoolSize", "a size: pool size"},
    {SM_BK_MEMORY, "SecondLevelDataCache", "a size: processor cache"},
    {SM_BK_MEMORY, "SystemPages", "a count: system page table entries"},
    {SM_BK_MEMORY, "SessionViewSize", "a size: session view space"},
    {SM_BK_MEMORY, "SessionPoolSize", "a size: session pool"},
    {SM_BK_MEMORY, "SessionImageSize", "a size: session image space"},
    {SM_BK_MEMORY, "PhysicalAddressExtension",
     "written by the kernel: whether PAE is in use (the boot "
     "configuration decides, not this value)"},
    {SM_BK_MEMORY, "ExistingPageFiles",
     "written by smss.exe after it creates the paging files: a record of "
     "the last boot"},
    {SM_BK_MEMORY, "PagefileUsage",
     "written by Windows: paging file usage statistics"},
    {SM_BK_SETUP, "SystemPartition",
     "the system partition's device name: smss.exe records its drive "
     "letter"},
    {SM_BK_SETUP, "OsLoaderPath", "the boot loader's path: a record"},
    {SM_BK_SETUP, "SystemPrefix", "written by setup (XP): a record"},
    {SM_BK_SETUP, "CloneTag", "when the installation was cloned: a record"},
    {SM_BK_SETUP, "RemoveWindowsOld",
     "whether Windows.old is removed after an upgrade: cleanup, no code"},
    {SM_BK_KERNEL, "DpcWatchdogProfileOffset",
     "an offset of the DPC watchdog's profiling: diagnostics"},
};

const char *sm_boot_inert_reason(const char *key, const char *name,
                                 bool *policy) {
  int k = -1;
  for (int i = 0; i < SM_BK_COUNT && k < 0; i++)
    if (strcasecmp(sm_boot_plan_keys[i], key) == 0)
      k = i;
  *policy = k >= 0 && sm_boot_policy_key(k);
  for (size_t i = 0; i < sizeof inert / sizeof inert[0]; i++)
    if (inert[i].key == k && sm_value_name_eq(inert[i].name, name))
      return inert[i].reason;
  return NULL;
}

/* The finding of a value nobody models: not a baseline's rule, so no
 * baseline can disable it (a suppression by value still applies). */
static char unmod_attack_id[] = "T1112";
static char *unmod_attack[] = {unmod_attack_id};
static char unmod_id[] = "SM-PLAN-UNMODELLED",
            unmod_title[] = "Value the boot plan does not model",
            unmod_normal[] =
                "Every value of the keys the boot plan reads is consumed by "
                "an action or documented as inert (docs/plan.md).",
            unmod_message[] =
                "Windows reads this key at boot, and smaudit does not know "
                "what this value does: a new Windows build, software's "
                "tuning, or a setting that weakens the kernel or the loader "
                "(in Session Manager, kernel and Memory Management a value "
                "can turn off mitigations system-wide). Look it up before "
                "calling the machine clean.";
static const sm_rule unmod_rules[2] = {
    {.id = unmod_id,
     .title = unmod_title,
     .normal = unmod_normal,
     .message = unmod_message,
     .severity = SM_SEV_LOW,
     .attack = unmod_attack,
     .n_attack = 1},
    {.id = unmod_id,
     .title = unmod_title,
     .normal = unmod_normal,
     .message = unmod_message,
     .severity = SM_SEV_MEDIUM,
     .attack = unmod_attack,
     .n_attack = 1},
};

const sm_rule *sm_boot_plan_unmodelled_rule(bool policy) {
  return &unmod_rules[policy ? 1 : 0];
}
