#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/detect.h"

typedef struct evidence {
  char why[1024];
  size_t len;
} evidence;

static void note(evidence *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(evidence *e, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  int n = snprintf(e->why + e->len, sizeof e->why - e->len, "%s%s",
                   e->len ? "; " : "", buf);
  if (n > 0 && e->len + (size_t)n < sizeof e->why)
    e->len += (size_t)n;
}

const char *sm_family_label(sm_family_rank r) {
  switch (r) {
  case SM_FAMILY_PRE_XP:
    return "Windows NT 4.0 or 2000";
  case SM_FAMILY_XP:
    return "Windows XP or Server 2003";
  case SM_FAMILY_7:
    return "Windows Vista, 7 or Server 2008";
  case SM_FAMILY_8_1:
    return "Windows 8, 8.1 or Server 2012";
  case SM_FAMILY_10:
    return "Windows 10, 11 or Server 2016 and later";
  default:
    return "unknown";
  }
}

static const char *baseline_of(sm_family_rank r) {
  switch (r) {
  case SM_FAMILY_PRE_XP: /* the nearest shipped one, said to be so */
  case SM_FAMILY_XP:
    return "windows-xp";
  case SM_FAMILY_7:
    return "windows-7";
  case SM_FAMILY_8_1:
    return "windows-8.1";
  default:
    return "windows-10";
  }
}

/* Services and drivers that Windows installs from a release on and that no
 * older release can have: inbox components, not redistributables.  Two of
 * a list present show the family; persistence has no reason to remove
 * them, and removing them breaks the system. */
static const char *const markers_10[] = {"CoreMessagingRegistrar",
                                         "UserManager",
                                         "NgcSvc",
                                         "OneSyncSvc",
                                         "CDPSvc",
                                         "DoSvc",
                                         "StateRepository"};
static const char *const markers_8[] = {"BrokerInfrastructure",
                                        "SystemEventsBroker",
                                        "Wcmsvc",
                                        "AppXSvc",
                                        "DeviceAssociationService",
                                        "condrv",
                                        "StorSvc"};
static const char *const markers_vista[] = {
    "BFE",   "MpsSvc", "ProfSvc",         "Power", "AudioEndpointBuilder",
    "KtmRm", "MMCSS",  "TrustedInstaller"};
static const char *const markers_xp[] = {"ShellHWDetection",
                                         "Themes",
                                         "SSDPSRV",
                                         "upnphost",
                                         "HTTP",
                                         "helpsvc",
                                         "srservice",
                                         "WZCSVC",
                                         "ERSvc",
                                         "FastUserSwitchingCompatibility"};

static const struct {
  sm_family_rank rank;
  const char *const *names;
  size_t n;
} marker_sets[] = {
    {SM_FAMILY_10, markers_10, sizeof markers_10 / sizeof markers_10[0]},
    {SM_FAMILY_8_1, markers_8, sizeof markers_8 / sizeof markers_8[0]},
    {SM_FAMILY_7, markers_vista,
     sizeof markers_vista / sizeof markers_vista[0]},
    {SM_FAMILY_XP, markers_xp, sizeof markers_xp / sizeof markers_xp[0]},
};

/* A Services key with at least this many entries is a whole one (NT 4.0
 * already has over a hundred); fewer, it is a partial extract and its
 * absent markers prove nothing. */
#define SM_WHOLE_SERVICES 40

typedef struct structure {
  sm_family_rank rank; /* the newest family with two markers present */
  bool whole;          /* a whole Services key: the rank is exact */
  char found[160];     /* the markers seen, for the reason */
} structure;

static void services_of(sm_hive *h, sm_key cs, structure *st) {
  sm_key services;
  if (sm_key_lookup(h, cs, "Services", &services, NULL) != SM_OK)
    return;
  sm_key *subs = NULL;
  size_t n = 0;
  if (sm_key_subkeys(h, services, &subs, &n, NULL) == SM_OK &&
      n >= SM_WHOLE_SERVICES)
    st->whole = true;
  free(subs);
  for (size_t s = 0; s < sizeof marker_sets / sizeof marker_sets[0]; s++) {
    if (marker_sets[s].rank <= st->rank)
      break;
    size_t hits = 0;
    char found[160] = "";
    for (size_t i = 0; i < marker_sets[s].n; i++) {
      sm_key k;
      if (sm_key_lookup(h, services, marker_sets[s].names[i], &k, NULL) !=
          SM_OK)
        continue;
      if (hits++ < 3) {
        size_t len = strlen(found);
        snprintf(found + len, sizeof found - len, "%s%s", len ? ", " : "",
                 marker_sets[s].names[i]);
      }
    }
    if (hits >= 2) {
      st->rank = marker_sets[s].rank;
      snprintf(st->found, sizeof st->found, "%s", found);
      break;
    }
  }
}

/* Every control set, so that one edited set cannot lower the family. */
static void structure_of(sm_hive *h, sm_key cs_key, structure *st) {
  unsigned *ids = NULL;
  size_t n = 0;
  services_of(h, cs_key, st);
  if (sm_hive_control_sets(h, &ids, &n, NULL) == SM_OK)
    for (size_t i = 0; i < n; i++) {
      sm_key k;
      if (sm_hive_control_set(h, ids[i], &k, NULL) == SM_OK && k != cs_key)
        services_of(h, k, st);
    }
  free(ids);
}

/* The values of a key, read as its consumer reads them (docs/reading.md):
 * by name, the first of a stored name (a decoy CurrentBuildNumber<NUL>x is
 * not CurrentBuildNumber); in a key smss.exe enumerates (SubSystems,
 * KnownDLLs), the last of a name cut at its NUL. */
typedef struct key_values {
  sm_value **v;
  size_t n;
  sm_read_rule rule;
} key_values;

static void load(sm_hive *h, sm_key key, sm_read_rule rule, key_values *out) {
  *out = (key_values){.rule = rule};
  if (key && sm_key_values(h, key, &out->v, &out->n, NULL) != SM_OK)
    *out = (key_values){.rule = rule};
}

static void unload(key_values *k) { sm_values_free(k->v, k->n); }

static const char *string_of(const key_values *k, const char *name) {
  const sm_value *v = sm_values_pick(k->v, k->n, name, k->rule);
  const char *s;
  return v && sm_value_string(v, &s) == SM_OK ? s : NULL;
}

static bool has_value(const key_values *k, const char *name) {
  return sm_values_pick(k->v, k->n, name, k->rule) != NULL;
}

static bool multi_has(const key_values *k, const char *name,
                      const char *item) {
  const sm_value *v = sm_values_pick(k->v, k->n, name, k->rule);
  char *const *strv;
  size_t n;
  bool has = false;
  if (v && sm_value_multi(v, &strv, &n) == SM_OK)
    for (size_t i = 0; i < n && !has; i++)
      has = strcasecmp(strv[i], item) == 0;
  return has;
}

static sm_family_rank rank_of_build(long b) {
  if (b >= 10240)
    return SM_FAMILY_10;
  if (b >= 9200)
    return SM_FAMILY_8_1;
  if (b >= 6000)
    return SM_FAMILY_7;
  if (b >= 2600)
    return SM_FAMILY_XP;
  return b > 0 ? SM_FAMILY_PRE_XP : SM_FAMILY_NONE;
}

/* The build a SOFTWARE hive claims. */
static void software_of(sm_hive *sw, sm_family *out) {
  static const char key[] = "Microsoft\\Windows NT\\CurrentVersion";
  sm_key cv;
  if (sm_key_lookup(sw, sm_hive_root(sw), key, &cv, NULL) != SM_OK)
    return;
  key_values vals;
  load(sw, cv, SM_READ_BY_NAME, &vals);
  const char *name = "CurrentBuildNumber";
  const char *build = string_of(&vals, name);
  if (!build) {
    name = "CurrentBuild";
    build = string_of(&vals, name);
  }
  if (build) {
    out->software_build = strtol(build, NULL, 10);
    out->software = rank_of_build(out->software_build);
    snprintf(out->software_key, sizeof out->software_key, "%s", key);
    snprintf(out->software_value, sizeof out->software_value, "%s", name);
  }
  unload(&vals);
}

/* What the audited Session Manager values suggest; they are the values an
 * attacker writes, so they only ever decide for a partial hive. */
static sm_family_rank values_of(sm_hive *h, sm_key cs_key, char *why,
                                size_t size) {
  sm_key sm = 0, subsys = 0, known = 0;
  sm_key_lookup(h, cs_key, "Control\\Session Manager", &sm, NULL);
  if (sm) {
    sm_key_lookup(h, sm, "SubSystems", &subsys, NULL);
    sm_key_lookup(h, sm, "KnownDLLs", &known, NULL);
  }
  key_values smv, subv, knownv;
  load(h, sm, SM_READ_BY_NAME, &smv);
  load(h, subsys, sm_key_read_rule(SM_ROOT_CONTROL_SET,
                                   "Control\\Session Manager\\SubSystems"),
       &subv);
  load(h, known, sm_key_read_rule(SM_ROOT_CONTROL_SET,
                                  "Control\\Session Manager\\KnownDLLs"),
       &knownv);
  const char *csrss = string_of(&subv, "Windows");
  const char *kmode = string_of(&subv, "Kmode");
  bool conserver = csrss && strcasestr(csrss, "ConServerDllInitialization");
  bool sxssrv = csrss && strcasestr(csrss, "ServerDll=sxssrv");
  bool kmode_xp = kmode && strncasecmp(kmode, "%SystemRoot%", 12) == 0;
  bool os2 = multi_has(&subv, "Optional", "Os2");
  bool posix = multi_has(&subv, "Optional", "Posix");
  bool lpk = has_value(&knownv, "LPK") || has_value(&knownv, "USP10");
  bool win10 = has_value(&smv, "InitConsoleFlags") ||
               has_value(&smv, "AutoChkSkipSystemPartition") ||
               has_value(&knownv, "coml2") || has_value(&knownv, "SHCORE");
  unload(&smv);
  unload(&subv);
  unload(&knownv);
  sm_family_rank r;
  const char *s;
  if (os2) {
    r = SM_FAMILY_PRE_XP;
    s = "Optional names Os2 (NT 4.0 and 2000)";
  } else if (kmode_xp && !sxssrv) {
    r = SM_FAMILY_XP;
    s = "Kmode is %SystemRoot%\\system32\\win32k.sys and csrss has no "
        "sxssrv ServerDll (XP and Server 2003)";
  } else if (conserver || posix) {
    r = SM_FAMILY_7;
    s = conserver ? "csrss still loads winsrv:ConServerDllInitialization "
                    "(Vista and 7)"
                  : "Optional names Posix (before Windows 8)";
  } else if (lpk && !win10) {
    r = SM_FAMILY_8_1;
    s = "csrss has no ConServerDllInitialization (Windows 8 and later) and "
        "KnownDLLs still has LPK/USP10 (before Windows 10)";
  } else {
    r = SM_FAMILY_10;
    s = win10 ? "Windows 10 values present (InitConsoleFlags, "
                "AutoChkSkipSystemPartition or KnownDLLs coml2/SHCORE)"
              : "no evidence of an older family";
  }
  snprintf(why, size, "%s", s);
  return r;
}

static sm_family_rank max_rank(sm_family_rank a, sm_family_rank b) {
  return a > b ? a : b;
}

/* The family an exact structure shows (a whole Services key). */
static sm_family_rank exact_rank(const structure *st, sm_family_rank floor) {
  if (st->rank)
    return max_rank(st->rank, floor);
  return floor < SM_FAMILY_XP ? SM_FAMILY_PRE_XP : floor;
}

static void decide(sm_family *out, const structure *st, sm_family_rank floor,
                   const char *values_why, evidence *e) {
  sm_family_rank r = max_rank(st->rank, floor);
  out->structure_exact = st->whole;
  if (out->software)
    out->software_contradicts =
        out->software < r ||
        (st->whole && out->software != exact_rank(st, floor));
  if (out->software && !out->software_contradicts)
    r = max_rank(r, out->software);
  else if (st->whole)
    r = exact_rank(st, floor);
  else
    r = max_rank(r, out->values);
  if (r == SM_FAMILY_NONE)
    r = SM_FAMILY_10;
  out->rank = r;
  if (out->values == r)
    note(e, "Session Manager values agree: %s", values_why);
  else if (out->values < r)
    note(e,
         "Session Manager values look older (%s): an older family's "
         "configuration on %s, see the findings",
         values_why, sm_family_label(r));
  else
    note(e, "Session Manager values look newer (%s)", values_why);
}

void sm_detect(sm_hive *h, sm_key cs_key, sm_hive *software, sm_family *out) {
  evidence e = {0};
  memset(out, 0, sizeof *out);
  /* Format 1.5 came with Windows XP; NT 4.0 and 2000 cannot write it. */
  const sm_base_block *bb = sm_hive_base(h);
  sm_family_rank floor = SM_FAMILY_NONE;
  if (bb->major == 1 && bb->minor >= 5) {
    floor = SM_FAMILY_XP;
    note(&e, "hive format 1.%u (Windows XP or later)", (unsigned)bb->minor);
  } else if (bb->major == 1) {
    note(&e, "hive format 1.%u (written before Windows XP)",
         (unsigned)bb->minor);
  }
  structure st = {0};
  structure_of(h, cs_key, &st);
  if (st.rank)
    note(&e, "services of %s present (%s)", sm_family_label(st.rank), st.found);
  else if (st.whole)
    note(&e, "no service that Windows XP added");
  else
    note(&e, "no Services key to go by (a partial hive)");
  if (software) {
    software_of(software, out);
    if (out->software)
      note(&e, "SOFTWARE hive: CurrentBuild %ld", out->software_build);
  }
  char values_why[256];
  out->values = values_of(h, cs_key, values_why, sizeof values_why);
  out->structure = max_rank(st.rank, floor);
  decide(out, &st, floor, values_why, &e);
  if (out->software_contradicts)
    note(&e,
         "the SOFTWARE hive claims %s, which the SYSTEM hive contradicts "
         "(another machine's SOFTWARE, or an edited one): not used",
         out->software < out->structure ? "an older build"
                                        : "another family");
  out->supported = out->rank != SM_FAMILY_PRE_XP;
  out->baseline = baseline_of(out->rank);
  out->name = out->supported ? out->baseline : "windows-nt4-2000";
  if (!out->supported)
    note(&e,
         "%s is not supported: audited against windows-xp, the nearest "
         "family, whose expectations may not hold here",
         sm_family_label(out->rank));
  snprintf(out->why, sizeof out->why, "%s", e.why);
}

void sm_detect_family(sm_hive *h, sm_key cs_key, sm_hive *software, char *name,
                      size_t name_size, char *why, size_t why_size) {
  sm_family f;
  sm_detect(h, cs_key, software, &f);
  snprintf(name, name_size, "%s", f.baseline);
  snprintf(why, why_size, "%s", f.why);
}

static char *attack_software[] = {"T1112", "T1036"};

const sm_rule sm_rule_family_software_older = {
    .id = "SM-FAMILY-SOFTWARE-OLDER",
    .title = "SOFTWARE hive claims an older Windows than the SYSTEM hive",
    .normal = "The SOFTWARE hive's CurrentBuildNumber belongs to the family "
              "that the SYSTEM hive's services show.",
    .message = "The build in the SOFTWARE hive is older than the services "
               "installed in the SYSTEM hive allow: either the two hives come "
               "from different machines, or CurrentVersion was edited, which "
               "makes tools (this one included) apply an older family's "
               "rules, on which an older configuration looks normal.",
    .severity = SM_SEV_HIGH,
    .attack = attack_software,
    .n_attack = 2,
    .root = SM_ROOT_HIVE,
    .key = "Microsoft\\Windows NT\\CurrentVersion",
    .value = "CurrentBuildNumber",
};

static char *attack_newer[] = {"T1112"};

const sm_rule sm_rule_family_software_newer = {
    .id = "SM-FAMILY-SOFTWARE-NEWER",
    .title = "SOFTWARE hive claims another Windows than the SYSTEM hive",
    .normal = "The SOFTWARE hive's CurrentBuildNumber belongs to the family "
              "that the SYSTEM hive's services show.",
    .message = "The build in the SOFTWARE hive is newer than the services "
               "installed in the SYSTEM hive (a whole Services key) allow: "
               "the two hives almost always come from different machines "
               "or collections (a collection mistake), or CurrentVersion "
               "was edited. The family was taken from the SYSTEM hive, and "
               "the product and build in the host block are not this "
               "machine's; check how the hives were collected.",
    .severity = SM_SEV_MEDIUM,
    .attack = attack_newer,
    .n_attack = 1,
    .root = SM_ROOT_HIVE,
    .key = "Microsoft\\Windows NT\\CurrentVersion",
    .value = "CurrentBuildNumber",
};

sm_result sm_family_findings(const sm_family *f, const sm_baseline *b,
                             int today_ymd, sm_report *rep) {
  if (!f->software_contradicts)
    return SM_OK;
  bool older = f->software < f->structure;
  const sm_rule *rule =
      older ? &sm_rule_family_software_older : &sm_rule_family_software_newer;
  char observed[32], expected[128], detail[512];
  snprintf(observed, sizeof observed, "%ld", f->software_build);
  snprintf(expected, sizeof expected, "a build of %s",
           sm_family_label(f->structure));
  snprintf(detail, sizeof detail,
           "the SOFTWARE hive claims build %ld (%s) but the SYSTEM hive "
           "shows %s; audited as %s",
           f->software_build, sm_family_label(f->software),
           sm_family_label(f->structure), f->baseline);
  sm_finding proto = {.rule = rule,
                      .severity = rule->severity,
                      .key = (char *)f->software_key,
                      .value = (char *)f->software_value,
                      .has_type = true,
                      .type = 1 /* REG_SZ */,
                      .observed = observed,
                      .expected = expected,
                      .detail = detail,
                      .data = {.kind = SM_DATA_STRING,
                               .type = 1,
                               .size = 2 * (strlen(observed) + 1),
                               .str = observed}};
  return sm_report_add(rep, b, today_ymd, &proto);
}
