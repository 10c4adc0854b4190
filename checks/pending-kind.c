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

/* Code the loader or smss.exe runs (resolved paths are lowercase). */
static bool is_code(const char *r) {
  static const char *const ext[] = {".exe", ".dll", ".sys", ".drv", ".ocx",
                                    ".cpl", ".scr", ".com", ".efi", ".mui"};
  for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
    if (has_suffix(r, ext[i]))
      return true;
  return false;
}

/* Below the Windows directory, outside the folders users can write. */
static bool in_windows(const char *r) {
  const char *b = below_root(r);
  if (!under(b, "windows") && !under(b, "winnt"))
    return false;
  /* Judge the place as if on the system drive. */
  char *onc = NULL;
  if (asprintf(&onc, "c:\\%s", b) < 0)
    return true;
  bool w = sm_path_place(onc) == SM_PLACE_SYSTEM;
  free(onc);
  return w;
}

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

/* The servicing patterns of Windows and installers; NULL when none fits.
 * Only the spooler, SetupAPI and the component store replace code in the
 * Windows directory, from folders only Windows and administrators write. */
static const char *servicing(const char *src, const char *dst) {
  const char *b = below_root(src);
  if (!b)
    return NULL;
  if (spooler_update(src, dst))
    return "print spooler driver update";
  if (under(b, "windows\\system32\\spool\\drivers") && strstr(b, "\\old\\") &&
      (!dst || under(below_root(dst), "windows\\system32\\spool\\drivers")))
    return "print spooler old driver clean-up";
  if (setupapi_tmp(src) && in_windows(src) && (!dst || same_dir(src, dst)))
    return "SetupAPI file copy (SETxxxx.tmp)";
  if (under(b, "windows\\winsxs\\temp") &&
      (!dst || in_windows(dst) || under(below_root(dst), "windows")))
    return "component store (WinSxS) pending operation";
  bool code_into_windows = dst && is_code(dst) && in_windows(dst);
  if (code_into_windows)
    return NULL;
  if (has_suffix(src, "\\appcompat\\programs\\amcache.hve.tmp"))
    return "Amcache hive update";
  if (under(b, "config.msi"))
    return "Windows Installer rollback file (Config.Msi)";
  if (under(b, "windows\\system32\\driverstore\\temp"))
    return "driver store temporary file";
  if (!dst &&
      (strstr(b, "\\temp\\") || under(b, "windows\\temp") || under(b, "temp")))
    return "installer temporary file";
  return NULL;
}

sm_pending_kind sm_pending_classify(const char *src, const char *dst,
                                    const char **why) {
  const char *w;
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
  if (dst && is_code(dst) && in_windows(dst)) {
    *why = "code replaced in a Windows directory";
    return SM_PENDING_SYSTEM_CODE;
  }
  if (is_code(src) && in_windows(src)) {
    *why = dst ? "Windows code moved away" : "Windows code deleted";
    return SM_PENDING_SYSTEM_CODE;
  }
  *why = NULL;
  return dst ? SM_PENDING_RENAME : SM_PENDING_DELETE;
}
