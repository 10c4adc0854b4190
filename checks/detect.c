#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/audit.h"

typedef struct evidence {
  char why[1024];
  size_t len;
} evidence;

static void note(evidence *e, const char *s) {
  int n = snprintf(e->why + e->len, sizeof e->why - e->len, "%s%s",
                   e->len ? "; " : "", s);
  if (n > 0 && e->len + (size_t)n < sizeof e->why)
    e->len += (size_t)n;
}

static char *string_of(sm_hive *h, sm_key key, const char *name) {
  sm_value *v = NULL;
  const char *s;
  char *out = NULL;
  if (key && sm_key_value(h, key, name, &v, NULL) == SM_OK &&
      sm_value_string(v, &s) == SM_OK)
    out = strdup(s);
  sm_value_free(v);
  return out;
}

static bool has_value(sm_hive *h, sm_key key, const char *name) {
  sm_value *v = NULL;
  bool has = key && sm_key_value(h, key, name, &v, NULL) == SM_OK;
  sm_value_free(v);
  return has;
}

static bool multi_has(sm_hive *h, sm_key key, const char *name,
                      const char *item) {
  sm_value *v = NULL;
  char *const *strv;
  size_t n;
  bool has = false;
  if (key && sm_key_value(h, key, name, &v, NULL) == SM_OK &&
      sm_value_multi(v, &strv, &n) == SM_OK)
    for (size_t i = 0; i < n && !has; i++)
      has = strcasecmp(strv[i], item) == 0;
  sm_value_free(v);
  return has;
}

/* The build number in a SOFTWARE hive settles the family. */
static const char *family_of_software(sm_hive *sw, evidence *e) {
  sm_key cv;
  if (sm_key_lookup(sw, sm_hive_root(sw), "Microsoft\\Windows NT\\CurrentVersion",
                    &cv, NULL) != SM_OK)
    return NULL;
  char *build = string_of(sw, cv, "CurrentBuildNumber");
  if (!build)
    build = string_of(sw, cv, "CurrentBuild");
  if (!build)
    return NULL;
  long b = strtol(build, NULL, 10);
  const char *fam = NULL;
  if (b >= 10240)
    fam = "windows-10";
  else if (b >= 9200)
    fam = "windows-8.1";
  else if (b >= 6000)
    fam = "windows-7";
  else if (b > 0)
    fam = "windows-xp";
  if (fam) {
    char buf[128];
    snprintf(buf, sizeof buf, "SOFTWARE hive: CurrentBuild %ld", b);
    note(e, buf);
  }
  free(build);
  return fam;
}

void sm_detect_family(sm_hive *h, sm_key cs_key, sm_hive *software,
                      char *name, size_t name_size, char *why,
                      size_t why_size) {
  evidence e = {0};
  const char *fam = software ? family_of_software(software, &e) : NULL;
  if (!fam) {
    sm_key sm = 0, subsys = 0, known = 0;
    sm_key_lookup(h, cs_key, "Control\\Session Manager", &sm, NULL);
    if (sm) {
      sm_key_lookup(h, sm, "SubSystems", &subsys, NULL);
      sm_key_lookup(h, sm, "KnownDLLs", &known, NULL);
    }
    char *csrss = string_of(h, subsys, "Windows");
    char *kmode = string_of(h, subsys, "Kmode");
    bool conserver = csrss && strcasestr(csrss, "ConServerDllInitialization");
    bool sxssrv = csrss && strcasestr(csrss, "ServerDll=sxssrv");
    bool kmode_xp = kmode && strncasecmp(kmode, "%SystemRoot%", 12) == 0;
    bool posix = multi_has(h, subsys, "Optional", "Posix");
    bool lpk = has_value(h, known, "LPK") || has_value(h, known, "USP10");
    bool win10 = has_value(h, sm, "InitConsoleFlags") ||
                 has_value(h, sm, "AutoChkSkipSystemPartition") ||
                 has_value(h, known, "coml2") || has_value(h, known, "SHCORE");
    if (kmode_xp && !sxssrv) {
      fam = "windows-xp";
      note(&e, "Kmode is %SystemRoot%\\system32\\win32k.sys and csrss has no "
               "sxssrv ServerDll (XP and Server 2003)");
    } else if (conserver || posix) {
      fam = "windows-7";
      note(&e, conserver ? "csrss still loads winsrv:ConServerDllInitialization "
                           "(Vista and 7)"
                         : "Optional names Posix (before Windows 8)");
    } else if (lpk && !win10) {
      fam = "windows-8.1";
      note(&e, "csrss has no ConServerDllInitialization (Windows 8 and "
               "later) and KnownDLLs still has LPK/USP10 (before Windows 10)");
    } else {
      fam = "windows-10";
      note(&e, win10 ? "Windows 10 values present (InitConsoleFlags, "
                       "AutoChkSkipSystemPartition or KnownDLLs coml2/SHCORE)"
                     : "no evidence of an older family");
    }
    free(csrss);
    free(kmode);
  }
  snprintf(name, name_size, "%s", fam);
  snprintf(why, why_size, "%s", e.why);
}
