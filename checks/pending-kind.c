/* What a pending file operation does at the next boot (parse.h,
 * sm_pending_classify).  Paths are resolved first (checks/winpath.h), so
 * \??\C:\Windows\System32\x.dll, \SystemRoot\System32\x.dll and
 * \??\C:\Temp\..\WINDOWS\system32\X.DLL are one file. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

/* The path below its volume root ("windows\system32\x.dll" for
 * "c:\windows\system32\x.dll" or "\device\harddiskvolume2\windows\..."), or
 * NULL for a network or relative path. */
static const char *below_root(const char *r) {
  if (!r)
    return NULL;
  if (r[0] && r[1] == ':' && r[2] == '\\')
    return r + 3;
  if (strncmp(r, "\\device\\", 8) == 0 || strncmp(r, "\\\\?\\", 4) == 0) {
    const char *sep = strchr(r + 4 + (r[1] == 'd' ? 4 : 0), '\\');
    return sep ? sep + 1 : NULL;
  }
  return NULL;
}

static bool under(const char *s, const char *dir) {
  size_t n = strlen(dir);
  return s && strncmp(s, dir, n) == 0 && (s[n] == '\0' || s[n] == '\\');
}

static const char *base_name(const char *r) {
  const char *b = strrchr(r, '\\');
  return b ? b + 1 : r;
}

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The place of b (a path below a volume's root) were it on the system
 * drive, as a folder or (file) as a file's; SM_PLACE_SYSTEM on NOMEM (the
 * callers' stricter reading). */
static sm_place place_on_c(const char *b, bool file) {
  char *onc = NULL;
  if (asprintf(&onc, "c:\\%s", b) < 0)
    return SM_PLACE_SYSTEM;
  sm_place p = file ? sm_file_place(onc) : sm_path_place(onc);
  free(onc);
  return p;
}

/* Below the Windows directory, outside the folders users can write. */
static bool in_windows(const char *r) {
  const char *b = below_root(r);
  if (!under(b, "windows") && !under(b, "winnt"))
    return false;
  return place_on_c(b, false) == SM_PLACE_SYSTEM;
}

/* The Windows directory's own name ("windows" or "winnt") and the rest. */
static const char *in_windir(const char *b) {
  if (under(b, "windows"))
    return b[7] ? b + 8 : b + 7;
  if (under(b, "winnt"))
    return b[5] ? b + 6 : b + 5;
  return NULL;
}

/* Folders of the Windows directory that hold data Windows writes and
 * never loads as code or trusts at boot: logs, caches, crash dumps, the
 * SYSTEM profile's files, the spooler's jobs, Amcache. */
static bool data_folder(const char *w) {
  static const char *const data[] = {
      "logs",           "prefetch",
      "softwaredistribution\\download",
      "softwaredistribution\\datastore",
      "debug",          "minidump",
      "livekernelreports", "temp",
      "system32\\logfiles", "system32\\winevt\\logs",
      "system32\\spool\\printers", "system32\\wdi",
      "system32\\sru",  "system32\\config\\systemprofile",
      "syswow64\\config\\systemprofile", "serviceprofiles",
      "appcompat\\programs", "system32\\driverstore\\temp",
      "winsxs\\temp",
  };
  for (size_t i = 0; i < sizeof data / sizeof *data; i++)
    if (under(w, data[i]))
      return true;
  return has_suffix(w, ".log") || strcmp(w, "memory.dmp") == 0 ||
         (under(w, "system32\\config") && has_suffix(w, ".evt"));
}

/* Whether only administrators can write where the file r lies.  A volume
 * named without a letter (\Device\HarddiskVolume2, \\?\Volume{...}) may be
 * the system volume, which the hive does not name: it is judged as C:
 * (a rename cannot leave its volume, so source and destination of one
 * that works lie on the same one). */
static bool protected_file(const char *r) {
  const char *b = below_root(r);
  if (!b || (r[0] && r[1] == ':'))
    return sm_place_protected(sm_file_place(r));
  return sm_place_protected(place_on_c(b, true));
}

/* In a data folder of the Windows directory (logs, caches, Temp). */
static bool windows_data(const char *r) {
  const char *w = in_windir(below_root(r));
  return w && data_folder(w);
}

/* Windows' own images every boot maps: the kernel and boot loaders, the
 * first user-mode processes, and the KnownDLLs of every family. */
static bool core_image(const char *name) {
  static const char *const core[] = {
      "ntoskrnl.exe", "ntkrnlpa.exe", "ntkrnlmp.exe", "ntkrpamp.exe",
      "hal.dll",      "winload.exe",  "winload.efi",  "winresume.exe",
      "winresume.efi", "ci.dll",      "ntdll.dll",    "smss.exe",
      "csrss.exe",    "wininit.exe",  "winlogon.exe", "services.exe",
      "lsass.exe",    "lsasrv.dll",   "kernelbase.dll", "basesrv.dll",
      "winsrv.dll",   "csrsrv.dll",   "win32k.sys",   "win32kbase.sys",
      "win32kfull.sys", "kdcom.dll",  "bootvid.dll",  "ksecdd.sys",
      "cng.sys",      "clfs.sys",     "fltmgr.sys",   "ntfs.sys",
      "wdf01000.sys", "acpi.sys",     "pci.sys",      "disk.sys",
      "classpnp.sys", "volmgr.sys",   "partmgr.sys",  "mountmgr.sys",
      "tcpip.sys",    "ndis.sys",     "netio.sys",    "ci.dll",
      /* KnownDLLs of XP to 11 */
      "advapi32.dll", "clbcatq.dll",  "combase.dll",  "comdlg32.dll",
      "coml2.dll",    "difxapi.dll",  "gdi32.dll",    "gdiplus.dll",
      "iertutil.dll", "imagehlp.dll", "imm32.dll",    "kernel32.dll",
      "lpk.dll",      "lz32.dll",     "msctf.dll",    "msvcrt.dll",
      "normaliz.dll", "nsi.dll",      "ole32.dll",    "oleaut32.dll",
      "olecli32.dll", "olecnv32.dll", "olesvr32.dll", "olethk32.dll",
      "psapi.dll",    "rpcrt4.dll",   "sechost.dll",  "setupapi.dll",
      "shcore.dll",   "shell32.dll",  "shlwapi.dll",  "url.dll",
      "urlmon.dll",   "user32.dll",   "usp10.dll",    "version.dll",
      "wininet.dll",  "wldap32.dll",  "ws2_32.dll",   "wow64.dll",
      "wow64cpu.dll", "wow64win.dll", "wowarmhw.dll", "xtajit.dll",
      /* What Windows runs as SYSTEM at the logon screen, before anyone
       * logs on: the logon UI, the accessibility tools it starts (the
       * sticky-keys family of backdoors), the elevation prompt, the shell
       * started for each logon. */
      "logonui.exe",  "userinit.exe", "consent.exe",  "utilman.exe",
      "sethc.exe",    "osk.exe",      "magnify.exe",  "narrator.exe",
      "displayswitch.exe", "atbroker.exe", "explorer.exe", "winlogon.exe",
  };
  for (size_t i = 0; i < sizeof core / sizeof *core; i++)
    if (strcmp(name, core[i]) == 0)
      return true;
  return false;
}

/* What Windows loads or trusts at boot, judged by where the file lies and
 * what it is, never by its extension: the registry hives, code-integrity
 * policies, boot files, Windows' core images and KnownDLLs, drivers, and
 * any other file of the Windows directory outside its data folders (code
 * of any extension: .tsp, .ax, .acm, .ime, manifests, MOFs ...); a user's
 * hive anywhere.  NULL when none; *core for what no installer may
 * replace (so no servicing pattern covers it). */
static const char *boot_trusted(const char *r, bool *core) {
  const char *b = below_root(r), *name = base_name(r);
  *core = true;
  if (!b)
    return NULL;
  if (strcmp(name, "ntuser.dat") == 0 || strcmp(name, "usrclass.dat") == 0)
    return "user registry hive";
  if (strcmp(b, "bootmgr") == 0 || under(b, "boot") || under(b, "efi"))
    return "boot file";
  const char *w = in_windir(b);
  if (!w || !in_windows(r))
    return NULL;
  if (under(w, "system32\\config") && !data_folder(w))
    return "registry hive";
  if (under(w, "system32\\codeintegrity"))
    return "code-integrity policy";
  if (under(w, "boot") || under(w, "system32\\boot"))
    return "boot file";
  /* Directly in the Windows directory, System32 or its drivers folder
   * (boot drivers live there). */
  size_t skip = under(w, "system32\\drivers") ? 17
                : under(w, "system32")         ? 9
                                               : 0;
  if (core_image(name) && !strchr(w + skip, '\\'))
    return "Windows core image or KnownDLL";
  if (core_image(name) && under(w, "syswow64"))
    return "Windows core image or KnownDLL";
  *core = false;
  if (data_folder(w))
    return NULL;
  if (under(w, "system32\\drivers") || under(w, "syswow64\\drivers"))
    return "driver";
  return "Windows file";
}

/* Evidence Windows keeps of what ran and who did what, which an intruder
 * removes (ATT&CK T1070): the event logs (winevt\Logs, XP's config\*.evt),
 * the System Resource Usage Monitor's database (sru), the Prefetch files,
 * Amcache and RecentFileCache.bcf, the Program Compatibility Assistant's
 * launch records (appcompat\pca), the firewall and User Access Logging
 * logs, and a user's PowerShell command history.  Windows rotates these
 * itself, never through a pending operation.  The reasons (replaced, moved
 * away, deleted), or NULL. */
#define EVIDENCE(what) {what " replaced", what " moved away", what " deleted"}
static const char *const *evidence(const char *r) {
  static const struct {
    const char *dir, *why[3];
  } dirs[] = {
      {"system32\\winevt\\logs", EVIDENCE("event log")},
      {"system32\\sru", EVIDENCE("SRUM database")},
      {"prefetch", EVIDENCE("Prefetch file")},
      {"appcompat\\pca", EVIDENCE("Program Compatibility Assistant record")},
      {"system32\\logfiles\\firewall", EVIDENCE("firewall log")},
      {"system32\\logfiles\\sum", EVIDENCE("User Access Logging database")},
      {"system32\\config", EVIDENCE("event log")},   /* *.evt only */
      {"appcompat\\programs", EVIDENCE("Amcache")}, /* its files only */
      {"", EVIDENCE("PowerShell command history")},
  };
  enum { CONFIG = 6, AMCACHE = 7, HISTORY = 8 };
  const char *b = below_root(r), *name = base_name(r);
  if (b && strstr(b, "\\appdata\\roaming\\microsoft\\windows\\powershell\\"
                     "psreadline\\"))
    return dirs[HISTORY].why;
  const char *w = b ? in_windir(b) : NULL;
  for (size_t i = 0; w && i < HISTORY; i++) {
    if (!under(w, dirs[i].dir) ||
        (i == CONFIG && !has_suffix(name, ".evt")) ||
        (i == AMCACHE && strncmp(name, "amcache.hve", 11) != 0 &&
         strcmp(name, "recentfilecache.bcf") != 0))
      continue;
    return dirs[i].why;
  }
  return NULL;
}
#undef EVIDENCE

/* Security products' folders, as the first components below a volume
 * root (Program Files, Program Files (x86), ProgramData) and Windows'
 * own security drivers. */
static const char *const security_vendors[] = {
    "windows defender",
    "windows defender advanced threat protection",
    "microsoft security client",
    "microsoft\\windows defender",
    "microsoft\\windows defender advanced threat protection",
    "avast software",
    "avg",
    "bitdefender",
    "carbon black",
    "cisco\\amp",
    "confer",
    "crowdstrike",
    "cylance",
    "eset",
    "f-secure",
    "fireeye",
    "kaspersky lab",
    "malwarebytes",
    "mcafee",
    "norton",
    "panda security",
    "sentinelone",
    "sophos",
    "symantec",
    "trellix",
    "trend micro",
    "webroot",
};

static const char *const security_drivers[] = {"wdfilter.sys", "wdboot.sys",
                                               "wdnisdrv.sys", "wddevflt.sys",
                                               "mssecflt.sys", "sysmondrv.sys"};

/* The security product folder r is in (its length in *len), or NULL. */
static const char *security_dir(const char *r, size_t *len) {
  const char *b = below_root(r);
  static const char *const roots[] = {"program files\\",
                                      "program files (x86)\\", "programdata\\"};
  for (size_t i = 0; b && i < sizeof roots / sizeof *roots; i++) {
    size_t n = strlen(roots[i]);
    if (strncmp(b, roots[i], n) != 0)
      continue;
    for (size_t v = 0; v < sizeof security_vendors / sizeof *security_vendors;
         v++)
      if (under(b + n, security_vendors[v])) {
        *len = (size_t)(b - r) + n + strlen(security_vendors[v]);
        return r;
      }
  }
  if (b && under(b, "windows\\system32\\drivers"))
    for (size_t d = 0; d < sizeof security_drivers / sizeof *security_drivers;
         d++)
      if (strcmp(base_name(r), security_drivers[d]) == 0) {
        *len = strlen(r);
        return r;
      }
  return NULL;
}

static const char *security(const char *src, const char *dst) {
  size_t ls = 0, ld = 0;
  bool s = security_dir(src, &ls) != NULL;
  bool d = dst && security_dir(dst, &ld) != NULL;
  if (s && d && ls == ld && strncmp(src, dst, ls) == 0)
    return NULL; /* within one product's folder: its own update */
  if (s)
    return dst ? "security product file moved away"
               : "security product file deleted";
  if (d)
    return "security product file replaced";
  return NULL;
}

/* Where a file placed at boot runs at the next startup or logon. */
static const char *autostart(const char *dst) {
  const char *b = below_root(dst);
  if (!b)
    return NULL;
  if (strstr(b, "\\start menu\\programs\\startup\\"))
    return "Startup folder";
  static const struct {
    const char *dir, *what;
  } dirs[] = {
      {"windows\\system32\\tasks", "scheduled task"},
      {"windows\\syswow64\\tasks", "scheduled task"},
      {"windows\\tasks", "scheduled task"},
      {"windows\\system32\\grouppolicy\\machine\\scripts",
       "Group Policy script"},
      {"windows\\system32\\grouppolicy\\user\\scripts", "Group Policy script"},
      {"windows\\system32\\windowspowershell\\v1.0\\profile.ps1",
       "PowerShell profile"},
      {"windows\\system32\\windowspowershell\\v1.0\\"
       "microsoft.powershell_profile.ps1",
       "PowerShell profile"},
      {"windows\\system32\\wbem\\autorecover", "WMI autorecover MOF"},
  };
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
    if (under(b, dirs[i].dir))
      return dirs[i].what;
  return NULL;
}

/* SETxxxx.tmp: the temporary name SetupAPI copies a file in use under. */
static bool setupapi_tmp(const char *r) {
  const char *b = base_name(r);
  size_t n = strlen(b);
  if (n < 8 || n > 11 || strncmp(b, "set", 3) != 0 || !has_suffix(b, ".tmp"))
    return false;
  for (size_t i = 3; i < n - 4; i++)
    if (!strchr("0123456789abcdef", b[i]))
      return false;
  return true;
}

static bool same_dir(const char *a, const char *b) {
  size_t la = (size_t)(base_name(a) - a), lb = (size_t)(base_name(b) - b);
  return la == lb && strncmp(a, b, la) == 0;
}

/* Program Files\Common Files (and its x86 and Arm twins): shared code the
 * programs of many vendors load, services running as SYSTEM among them. */
static bool common_files(const char *r) {
  const char *b = below_root(r);
  return under(b, "program files\\common files") ||
         under(b, "program files (x86)\\common files") ||
         under(b, "program files (arm)\\common files");
}

/* An installer's replacement of a file in use: the new file staged by
 * Windows Installer (%windir%\Installer, C:\Config.Msi) or
 * under a temporary name in the destination's own folder (SETxxxx.tmp,
 * ~x.tmp, x.rbf): folders only administrators write. */
static bool installer_copy(const char *src, const char *dst) {
  const char *b = below_root(src), *n = base_name(src);
  if (under(b, "config.msi"))
    return true;
  if (b && in_windows(src) && under(in_windir(b), "installer"))
    return true;
  return same_dir(src, dst) &&
         (has_suffix(n, ".tmp") || has_suffix(n, ".rbf") || n[0] == '~');
}

/* The spooler's driver update: ...\spool\drivers\ARCH\3\New\F ->
 * ...\spool\drivers\ARCH\3\F (the same path without the "New" folder). */
static bool spooler_update(const char *src, const char *dst) {
  const char *b = below_root(src);
  if (!dst || !under(b, "windows\\system32\\spool\\drivers"))
    return false;
  const char *nw = strstr(b, "\\new\\");
  if (!nw)
    return false;
  size_t head = (size_t)(nw - src);
  return strncmp(src, dst, head) == 0 && strcmp(nw + 4, dst + head) == 0;
}

/* The component store's own operations: a file staged under
 * WinSxS\Temp\PendingRenames (named after its destination) renamed into
 * the Windows directory, or a delete below WinSxS\Temp. */
static bool winsxs_pending(const char *src, const char *dst) {
  const char *b = below_root(src);
  if (!dst)
    return under(b, "windows\\winsxs\\temp");
  if (!under(b, "windows\\winsxs\\temp\\pendingrenames") || !in_windows(dst))
    return false;
  const char *sn = base_name(src), *dn = base_name(dst);
  size_t ls = strlen(sn), ld = strlen(dn);
  return ls >= ld && strcmp(sn + ls - ld, dn) == 0 &&
         (ls == ld || sn[ls - ld - 1] == '.' || sn[ls - ld - 1] == '_');
}

/* The servicing patterns of Windows and installers; NULL when none fits.
 * A pattern is recognised only when source, destination and folder all fit
 * it: only the component store replaces Windows' core images, hives,
 * code-integrity policies and boot files; SetupAPI may replace other files
 * of the Windows directory (a vendor's driver) from its SETxxxx.tmp in the
 * same folder; the other patterns never touch what Windows trusts. */
static const char *servicing(const char *src, const char *dst) {
  const char *b = below_root(src);
  if (!b)
    return NULL;
  if (spooler_update(src, dst))
    return "print spooler driver update";
  if (under(b, "windows\\system32\\spool\\drivers") && strstr(b, "\\old\\") &&
      (!dst || under(below_root(dst), "windows\\system32\\spool\\drivers")))
    return "print spooler old driver clean-up";
  if (winsxs_pending(src, dst))
    return "component store (WinSxS) pending operation";
  bool core = false;
  const char *trusted = dst ? boot_trusted(dst, &core) : NULL;
  if (trusted && core)
    return NULL;
  if (setupapi_tmp(src) && in_windows(src) && (!dst || same_dir(src, dst)))
    return "SetupAPI file copy (SETxxxx.tmp)";
  if (trusted)
    return NULL;
  if (has_suffix(src, "\\appcompat\\programs\\amcache.hve.tmp") &&
      (!dst || (same_dir(src, dst) &&
                strcmp(base_name(dst), "amcache.hve") == 0)))
    return "Amcache hive update";
  if (dst && common_files(dst) && installer_copy(src, dst))
    return "installer replacing a shared file in use";
  if (under(b, "config.msi") && (!dst || under(below_root(dst), "config.msi")))
    return "Windows Installer rollback file (Config.Msi)";
  if (!dst && under(b, "windows\\system32\\driverstore\\temp"))
    return "driver store temporary file";
  if (!dst &&
      (strstr(b, "\\temp\\") || under(b, "windows\\temp") || under(b, "temp")))
    return "installer temporary file";
  return NULL;
}

/* The reasons, by what is replaced, moved away or deleted. */
static const char *trusted_why(const char *what, int how) {
  static const struct {
    const char *what, *why[3];
  } t[] = {
      {"Windows file",
       {"code replaced in a Windows directory", "Windows code moved away",
        "Windows code deleted"}},
      {"driver", {"driver replaced", "driver moved away", "driver deleted"}},
      {"registry hive",
       {"registry hive replaced", "registry hive moved away",
        "registry hive deleted"}},
      {"user registry hive",
       {"user registry hive replaced", "user registry hive moved away",
        "user registry hive deleted"}},
      {"code-integrity policy",
       {"code-integrity policy replaced", "code-integrity policy moved away",
        "code-integrity policy deleted"}},
      {"boot file",
       {"boot file replaced", "boot file moved away", "boot file deleted"}},
      {"Windows core image or KnownDLL",
       {"Windows core image or KnownDLL replaced",
        "Windows core image or KnownDLL moved away",
        "Windows core image or KnownDLL deleted"}},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    if (strcmp(t[i].what, what) == 0)
      return t[i].why[how];
  return what;
}

sm_pending_kind sm_pending_classify(const char *src, const char *dst,
                                    const char **why) {
  const char *w;
  bool core;
  if ((w = security(src, dst))) {
    *why = w;
    return SM_PENDING_SECURITY;
  }
  if (dst && (w = autostart(dst))) {
    *why = w;
    return SM_PENDING_AUTOSTART;
  }
  if ((w = servicing(src, dst))) {
    *why = w;
    return SM_PENDING_SERVICING;
  }
  if (dst && (w = boot_trusted(dst, &core))) {
    *why = trusted_why(w, 0);
    return SM_PENDING_SYSTEM_CODE;
  }
  if ((w = boot_trusted(src, &core))) {
    *why = trusted_why(w, dst ? 1 : 2);
    return SM_PENDING_SYSTEM_CODE;
  }
  const char *const *ev;
  if ((dst && (ev = evidence(dst))) || (ev = evidence(src))) {
    *why = ev[dst && evidence(dst) ? 0 : dst ? 1 : 2];
    return SM_PENDING_EVIDENCE;
  }
  bool src_safe = protected_file(src);
  if (dst && common_files(dst)) {
    *why = src_safe ? "shared code replaced in Common Files"
                    : "shared code in Common Files replaced from a folder "
                      "users can write";
    return src_safe ? SM_PENDING_SHARED_CODE : SM_PENDING_SYSTEM_CODE;
  }
  /* A file moved at boot from where users can write (or the network, or
   * a relative path) into a folder only administrators write (Program
   * Files, a drive's root): whoever writes the source before the reboot
   * chooses what lands there, a service's program or a DLL it loads.
   * Installers stage in the destination's own folder or Windows
   * Installer's, never where users write. */
  if (dst && !src_safe && protected_file(dst) && !windows_data(dst)) {
    *why = "file placed in a folder only administrators write, from a "
           "folder users can write";
    return SM_PENDING_SYSTEM_CODE;
  }
  *why = NULL;
  return dst ? SM_PENDING_RENAME : SM_PENDING_DELETE;
}

const char *sm_file_boot_trusted(const char *resolved) {
  bool core;
  const char *w = boot_trusted(resolved, &core);
  return w ? trusted_why(w, 0) : NULL;
}

const char *sm_file_evidence(const char *resolved) {
  const char *const *ev = evidence(resolved);
  return ev ? ev[0] : NULL;
}

const char *sm_file_security(const char *resolved) {
  size_t len;
  return security_dir(resolved, &len) ? "security product file replaced"
                                      : NULL;
}
