/* The machine environment judged by what each variable does to the
 * programs that read it (key-level parser `environment`): variables that
 * make a runtime load code, module search paths, Windows' folder variables
 * relocated, the temporary folder of services, policies weakened.  By
 * family and by name pattern, not by a list of known names; sources in
 * docs/checks.md, "Environment: variables by what they do".  Each item is
 * NAME=VALUE, so a finding names its value. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

enum {
  F_CODE,
  F_SEARCH_UNSAFE,
  F_SEARCH,
  F_RELOCATED,
  F_TEMP_UNSAFE,
  F_WEAKENED,
  F_SETTINGS,
  F_PATHEXT_FIRST,
};

static const char *const field_names[] = {
    "code-loading", "search-paths-unsafe", "search-paths",   "relocated",
    "temp-unsafe",  "weakened",            "runtime-settings",
    "pathext-before-programs", NULL};

static bool ieq(const char *a, const char *b) {
  return sm_ascii_casecmp(a, b) == 0;
}
static bool iprefix(const char *s, const char *p) {
  return sm_ascii_prefix(s, strlen(s), p);
}
static bool isuffix(const char *s, const char *p) {
  return sm_ascii_suffix(s, strlen(s), p);
}

/* The name lowercased without '_', '(' and ')': "Profiler_Path_64" and
 * "PROFILERPATH64" are one knob to the CLR's configuration reader. */
static void squash(const char *s, char *out, size_t size) {
  size_t o = 0;
  for (; *s && o + 1 < size; s++)
    if (*s != '_' && *s != '(' && *s != ')')
      out[o++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
  out[o] = '\0';
}

/* ---- .NET: COMPlus_, DOTNET_, CORECLR_, COR_ and the AppDomain manager */

static int clr(const char *name) {
  static const char *const prefixes[] = {"COMPlus_", "DOTNET_", "CORECLR_",
                                         "COR_"};
  static const char *const loads[] = {
      "enableprofiling", "profiler",         "profilerpath",
      "profilerpath32",  "profilerpath64",   "profilerpatharm32",
      "profilerpatharm64", "startuphooks",   "additionaldeps",
      "sharedstore",     "appdomainmanagerasm", "appdomainmanagertype",
      "jitname",         "altjit",           "altjitname",
      "altjitngen",      "gcname",           "root",
      "rootx86",         "rootx64",          "rootarm64",
  };
  char sq[128];
  if (ieq(name, "APPDOMAIN_MANAGER_ASM") || ieq(name, "APPDOMAIN_MANAGER_TYPE"))
    return F_CODE;
  for (size_t p = 0; p < sizeof prefixes / sizeof *prefixes; p++) {
    if (!iprefix(name, prefixes[p]))
      continue;
    squash(name + strlen(prefixes[p]), sq, sizeof sq);
    /* ETWEnabled=0: the runtime stops writing the events security
     * products read (T1562.006). */
    if (strcmp(sq, "etwenabled") == 0)
      return F_WEAKENED;
    for (size_t i = 0; i < sizeof loads / sizeof *loads; i++)
      if (strcmp(sq, loads[i]) == 0)
        return F_CODE;
    return F_SETTINGS;
  }
  return -1;
}

/* ---- option strings: the tokens that load code ---- */

/* Whether a token of value starts with one of opts.  Runtimes compare their
 * switches case-sensitively; a spelling in another case is matched too, as
 * no legitimate setting writes one. */
static bool any_token(const char *value, const char *const *opts,
                      size_t n) {
  const char *p = value, *tok;
  size_t len;
  while (sm_cmdline_token(&p, &tok, &len)) {
    if (*tok == '"') {
      tok++;
      len--;
    }
    for (size_t i = 0; i < n; i++) {
      size_t m = strlen(opts[i]);
      if (len >= m && sm_ascii_prefix(tok, len, opts[i]))
        return true;
    }
  }
  return false;
}

/* JAVA_TOOL_OPTIONS, _JAVA_OPTIONS, JDK_JAVA_OPTIONS and every
 * VENDOR_JAVA_OPTIONS / *_TOOL_OPTIONS (IBM_JAVA_OPTIONS, OPENJ9_...). */
static int java(const char *name, const char *value) {
  if (ieq(name, "CLASSPATH"))
    return F_SEARCH;
  if (!isuffix(name, "_JAVA_OPTIONS") && !isuffix(name, "_TOOL_OPTIONS") &&
      !ieq(name, "_JAVA_OPTIONS"))
    return iprefix(name, "JAVA") || iprefix(name, "JDK_") ? F_SETTINGS : -1;
  static const char *const opts[] = {
      "-javaagent:",  "-agentpath:",      "-agentlib:",
      "-Xrun",        "-Xbootclasspath",  "-XX:OnError",
      "-XX:OnOutOfMemoryError", "-XX:Flags=", "-XX:VMOptionsFile",
      "-Djava.system.class.loader", "-Djava.security.manager",
      "-Djava.ext.dirs", "-Djava.endorsed.dirs", "-Djava.library.path",
      "-cp",          "-classpath",       "--class-path",
      "--module-path", "--patch-module",  "--upgrade-module-path",
      "@",
  };
  return any_token(value, opts, sizeof opts / sizeof *opts)
             ? F_CODE
             : F_SETTINGS;
}

static int python(const char *name) {
  if (ieq(name, "PYTHONSTARTUP") || ieq(name, "PYTHONHOME"))
    return F_CODE;
  if (ieq(name, "PYTHONPATH") || ieq(name, "PYTHONUSERBASE") ||
      ieq(name, "PYTHONPYCACHEPREFIX") || ieq(name, "PYTHONPLATLIBDIR"))
    return F_SEARCH;
  return iprefix(name, "PYTHON") ? F_SETTINGS : -1;
}

static int node(const char *name, const char *value) {
  if (ieq(name, "NODE_PATH"))
    return F_SEARCH;
  if (!ieq(name, "NODE_OPTIONS"))
    return iprefix(name, "NODE_") ? F_SETTINGS : -1;
  static const char *const opts[] = {"-r",       "--require",
                                     "--import", "--loader",
                                     "--experimental-loader",
                                     "--inspect", "--experimental-policy"};
  return any_token(value, opts, sizeof opts / sizeof *opts)
             ? F_CODE
             : F_SETTINGS;
}

/* PERL5OPT and RUBYOPT take interpreter switches: -M/-m/-I/-d (Perl) and
 * -r/-I (Ruby) load code; PERL5DB is code the debugger runs. */
static int perl_ruby(const char *name, const char *value) {
  if (ieq(name, "PERL5LIB") || ieq(name, "PERLLIB") || ieq(name, "RUBYLIB"))
    return F_SEARCH;
  if (ieq(name, "PERL5DB"))
    return F_CODE;
  static const char *const perl[] = {"-M", "-m", "-I", "-d"};
  static const char *const ruby[] = {"-r", "-I", "--require"};
  if (ieq(name, "PERL5OPT"))
    return any_token(value, perl, 4) ? F_CODE : F_SETTINGS;
  if (ieq(name, "RUBYOPT"))
    return any_token(value, ruby, 3) ? F_CODE : F_SETTINGS;
  return iprefix(name, "PERL") || iprefix(name, "RUBY") ? F_SETTINGS : -1;
}

/* ---- Windows' folder variables ---- */

/* The folders Windows defines; a machine-wide value relocates them for
 * every process smss.exe starts.  windir, ComSpec, TEMP, TMP, Path,
 * PATHEXT and PSModulePath have their own rules. */
static const char *const folders[][2] = {
    {"SystemRoot", "C:\\Windows"},
    {"SystemDrive", "C:"},
    {"ProgramData", "C:\\ProgramData"},
    {"ALLUSERSPROFILE", "C:\\ProgramData"},
    {"ProgramFiles", "C:\\Program Files"},
    {"ProgramFiles(x86)", "C:\\Program Files (x86)"},
    {"ProgramW6432", "C:\\Program Files"},
    {"CommonProgramFiles", "C:\\Program Files\\Common Files"},
    {"CommonProgramFiles(x86)", "C:\\Program Files (x86)\\Common Files"},
    {"CommonProgramW6432", "C:\\Program Files\\Common Files"},
    {"PUBLIC", "C:\\Users\\Public"},
    {"DriverData", "C:\\Windows\\System32\\Drivers\\DriverData"},
    {"USERPROFILE", NULL},
    {"APPDATA", NULL},
    {"LOCALAPPDATA", NULL},
    {"HOMEDRIVE", NULL},
    {"HOMEPATH", NULL},
};

static int folder(const sm_env *env, const char *name, const char *value) {
  for (size_t i = 0; i < sizeof folders / sizeof *folders; i++) {
    if (!ieq(name, folders[i][0]))
      continue;
    if (!folders[i][1])
      return F_RELOCATED; /* per user: never machine-wide */
    /* The hive's own environment expands the value: compare what it
     * resolves to with Windows' default. */
    char *got = sm_path_resolve(env, value);
    char *want = sm_path_resolve(NULL, folders[i][1]);
    int f = got && want && strcmp(got, want) != 0 ? F_RELOCATED : -2;
    free(got);
    free(want);
    return f;
  }
  if (ieq(name, "TEMP") || ieq(name, "TMP")) {
    /* Windows' own %SystemRoot%\TEMP lets users create files too, but
     * not read or replace those of others; any other such folder does. */
    char *got = sm_path_resolve(env, value);
    char *want = sm_path_resolve(NULL, "%SystemRoot%\\TEMP");
    int f = got && want && strcmp(got, want) != 0 &&
                    !sm_place_protected(sm_path_place(got))
                ? F_TEMP_UNSAFE
                : -2;
    free(got);
    free(want);
    return f;
  }
  return -1;
}

/* PSExecutionPolicyPreference: the execution policy of every PowerShell
 * process, above the machine's Group Policy-free setting. */
static int powershell(const char *name, const char *value) {
  if (!ieq(name, "PSExecutionPolicyPreference"))
    return -1;
  return ieq(value, "Bypass") || ieq(value, "Unrestricted") ? F_WEAKENED
                                                            : F_SETTINGS;
}

/* A search path entry users can write, on the network or relative ("."
 * excepted in CLASSPATH: it is Java's default). */
static bool search_unsafe(const sm_env *env, const char *name,
                          const char *value, bool *nomem) {
  sm_pathlist pl;
  if (sm_pathlist_parse(value, &pl) != SM_OK) {
    *nomem = true;
    return false;
  }
  bool unsafe = false;
  for (size_t i = 0; !unsafe && i < pl.n; i++) {
    if (!*pl.entries[i] ||
        (ieq(name, "CLASSPATH") && strcmp(pl.entries[i], ".") == 0))
      continue;
    char *r = sm_path_resolve(env, pl.entries[i]);
    if (!r) {
      *nomem = true;
      break;
    }
    unsafe = !sm_place_protected(sm_path_place(r));
    free(r);
  }
  sm_pathlist_free(&pl);
  return unsafe;
}

/* PATHEXT: an extension Windows does not list, placed before .EXE, makes
 * a script run in place of a program of the same name in one folder. */
static bool pathext_first(const char *value) {
  static const char *const windows[] = {".COM", ".EXE", ".BAT", ".CMD",
                                        ".VBS", ".VBE", ".JS",  ".JSE",
                                        ".WSF", ".WSH", ".MSC", ".CPL"};
  sm_pathlist pl;
  if (sm_pathlist_parse(value, &pl) != SM_OK)
    return false;
  bool first = false, seen_exe = false;
  for (size_t i = 0; i < pl.n && !seen_exe; i++) {
    bool known = false;
    for (size_t w = 0; w < sizeof windows / sizeof *windows; w++)
      known |= ieq(pl.entries[i], windows[w]);
    seen_exe = ieq(pl.entries[i], ".EXE");
    first |= !known && *pl.entries[i];
  }
  sm_pathlist_free(&pl);
  return first && seen_exe;
}

/* The field of one variable, -1 when no family claims it. */
static int judge(const sm_env *env, const char *name, const char *value,
                 bool *nomem) {
  if (ieq(name, "PATHEXT"))
    return pathext_first(value) ? F_PATHEXT_FIRST : -1;
  int f = folder(env, name, value);
  if (f == -1 && (f = clr(name)) == F_WEAKENED && strcmp(value, "0") != 0)
    f = F_SETTINGS; /* ETWEnabled left on */
  if (f == -1)
    f = java(name, value);
  if (f == -1)
    f = python(name);
  if (f == -1)
    f = node(name, value);
  if (f == -1)
    f = perl_ruby(name, value);
  if (f == -1)
    f = powershell(name, value);
  if (f == F_SEARCH && search_unsafe(env, name, value, nomem))
    f = F_SEARCH_UNSAFE;
  return f;
}

/* The variables that have a rule of their own. */
static bool own_rule(const char *name) {
  static const char *const own[] = {
      "COR_ENABLE_PROFILING",     "COR_PROFILER",     "COR_PROFILER_PATH",
      "CORECLR_ENABLE_PROFILING", "CORECLR_PROFILER", "CORECLR_PROFILER_PATH",
      "DOTNET_STARTUP_HOOKS",     "__PSLockdownPolicy"};
  for (size_t i = 0; i < sizeof own / sizeof *own; i++)
    if (ieq(name, own[i]))
      return true;
  return false;
}

static sm_result run(const sm_parse_args *a, sm_fields *out) {
  sm_result r = sm_fields_init(out, field_names);
  for (size_t i = 0; r == SM_OK && i < a->n_values; i++) {
    const sm_value *v = a->values[i];
    const char *value = NULL;
    if (!v || !v->name || own_rule(v->name) ||
        sm_value_string(v, &value) != SM_OK || !value)
      continue;
    bool nomem = false;
    int f = judge(a->in->env, v->name, value, &nomem);
    if (nomem)
      r = SM_ERR_NOMEM;
    else if (f >= 0)
      r = sm_field_pushf(&out->v[f], "%s=%s", v->name, value);
  }
  if (r != SM_OK)
    sm_fields_free(out);
  return r;
}

const sm_parser_def sm_parser_environment = {.name = "environment",
                                             .fields = field_names,
                                             .input = SM_INPUT_KEY,
                                             .needs = SM_NEEDS_ENVIRONMENT,
                                             .run = run};
