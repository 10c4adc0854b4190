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
  F_COMMAND,
  F_COMMAND_UNSAFE,
  F_TLS_WEAKENED,
};

static const char *const field_names[] = {
    "code-loading", "search-paths-unsafe", "search-paths",   "relocated",
    "temp-unsafe",  "weakened",            "runtime-settings",
    "pathext-before-programs", "runs-command", "runs-command-unsafe",
    "tls-weakened", NULL};

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
      "altjitngen",      "gcname",
  };
  /* The runtime's root: where the host looks for the runtime itself, a
   * folder judged by who can write it (.NET's installer's own folder under
   * Program Files is ordinary on build machines). */
  static const char *const roots[] = {"root", "rootx86", "rootx64",
                                      "rootarm64", "rootarm32"};
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
    for (size_t i = 0; i < sizeof roots / sizeof *roots; i++)
      if (strcmp(sq, roots[i]) == 0)
        return F_SEARCH;
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
  if (ieq(name, "PYTHONSTARTUP"))
    return F_CODE;
  /* PYTHONHOME: where the standard library (and so the site module every
   * interpreter runs) is loaded from; a location, judged by its place. */
  if (ieq(name, "PYTHONHOME") || ieq(name, "PYTHONPATH") ||
      ieq(name, "PYTHONUSERBASE") ||
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

/* ---- other runtimes and libraries: a name, or a name prefix, and what
 * its value is.  A location (file or folder list) is judged by its place;
 * a value that is itself code, or names code outright, loads code. ---- */

typedef struct {
  const char *name; /* exact name, or a prefix ending in '*' */
  int field;
} named;

static const named others[] = {
    /* Lua: LUA_INIT (and LUA_INIT_5_x) is a chunk, or @file, run by every
     * interpreter before anything else; LUA_PATH/LUA_CPATH templates. */
    {"LUA_INIT*", F_CODE},
    {"LUA_PATH*", F_SEARCH},
    {"LUA_CPATH*", F_SEARCH},
    {"LUA_*", F_SETTINGS},
    /* OpenSSL: the configuration file loads engines and providers (DLLs);
     * the engine and provider folders are searched for them. */
    {"OPENSSL_CONF", F_SEARCH},
    {"OPENSSL_CONF_INCLUDE", F_SEARCH},
    {"OPENSSL_ENGINES", F_SEARCH},
    {"OPENSSL_MODULES", F_SEARCH},
    {"OPENSSL_*", F_SETTINGS},
    /* PHP: php.ini (PHPRC, PHP_INI_SCAN_DIR) names the extensions loaded
     * and auto_prepend_file, code run before every script. */
    {"PHPRC", F_SEARCH},
    {"PHP_INI_SCAN_DIR", F_SEARCH},
    {"PHP_*", F_SETTINGS},
    /* R: profiles are R code run at start; R_LIBS* are library paths. */
    {"R_PROFILE*", F_SEARCH},
    {"R_ENVIRON*", F_SEARCH},
    {"R_LIBS*", F_SEARCH},
    /* Tcl, Qt, GTK/GLib and GStreamer: folders searched for packages and
     * plug-in DLLs. */
    {"TCLLIBPATH", F_SEARCH},
    {"TCL_LIBRARY", F_SEARCH},
    {"QT_PLUGIN_PATH", F_SEARCH},
    {"QT_QPA_PLATFORM_PLUGIN_PATH", F_SEARCH},
    {"QT_*", F_SETTINGS},
    {"GTK_PATH", F_SEARCH},
    {"GTK_EXE_PREFIX", F_SEARCH},
    {"GIO_EXTRA_MODULES", F_SEARCH},
    {"GST_PLUGIN_PATH*", F_SEARCH},
    {"GST_PLUGIN_SYSTEM_PATH*", F_SEARCH},
    /* Windows' debugging tools (dbghelp, the debuggers): symbol, image and
     * source paths, and the debugger's extension DLLs. */
    {"_NT_SYMBOL_PATH", F_SEARCH},
    {"_NT_ALT_SYMBOL_PATH", F_SEARCH},
    {"_NT_EXECUTABLE_IMAGE_PATH", F_SEARCH},
    {"_NT_SOURCE_PATH", F_SEARCH},
    {"_NT_DEBUGGER_EXTENSION_PATH", F_SEARCH},
    {"_NT_*", F_SETTINGS},
    /* The application-compatibility engine applies the layers named here
     * to every process started with this environment: shims that change
     * how Windows treats the program (RunAsInvoker skips elevation), and a
     * custom shim database's layer can inject a DLL. */
    {"__COMPAT_LAYER", F_CODE},
    /* Git: the folder its sub-commands run from, the templates (hooks
     * included) copied into every new repository, the configuration files
     * (which set the commands Git runs).  The command variables and the
     * configuration given in the environment are judged by what they run
     * (env-commands.c). */
    {"GIT_EXEC_PATH", F_SEARCH},
    {"GIT_TEMPLATE_DIR", F_SEARCH},
    {"GIT_CONFIG_GLOBAL", F_SEARCH},
    {"GIT_CONFIG_SYSTEM", F_SEARCH},
    {"GIT_CONFIG", F_SEARCH},
    {"GIT_*", F_SETTINGS},
};

static int other(const char *name) {
  for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
    const char *n = others[i].name;
    size_t m = strlen(n);
    char pre[64];
    if (n[m - 1] != '*' ? ieq(name, n)
                        : (memcpy(pre, n, m - 1), pre[m - 1] = '\0',
                           iprefix(name, pre)))
      return others[i].field;
  }
  return -1;
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

/* Whether one location users can write, is on the network or is relative.
 * *nomem on allocation failure. */
static bool location_unsafe(const sm_env *env, const char *entry,
                            bool *nomem) {
  /* The null device names no file (GIT_CONFIG_GLOBAL=NUL: none read). */
  if (ieq(entry, "NUL") || strcmp(entry, "/dev/null") == 0)
    return false;
  char *r = sm_path_resolve(env, entry);
  if (!r) {
    *nomem = true;
    return false;
  }
  bool unsafe = !sm_place_protected(sm_path_place(r));
  free(r);
  return unsafe;
}

/* A symbol-path element (dbghelp): "srv*CACHE*STORE", "cache*DIR",
 * "symsrv*symsrv.dll*CACHE*STORE" or a folder; the keywords, the symbol
 * server DLL and http(s) stores are not folders.  Symbols and sources are
 * data: a local cache users can write (C:\Symbols) is every developer's
 * habit, a share or a relative folder is not; the debugger's extension
 * path (strict) names DLLs, judged as any code location. */
static bool symbol_unsafe(const sm_env *env, const char *entry, bool strict,
                          bool *nomem) {
  char *dup = strdup(entry), *save = NULL;
  if (!dup) {
    *nomem = true;
    return false;
  }
  bool unsafe = false;
  for (char *t = strtok_r(dup, "*", &save); t && !unsafe && !*nomem;
       t = strtok_r(NULL, "*", &save)) {
    if (ieq(t, "srv") || ieq(t, "symsrv") || ieq(t, "cache") ||
        isuffix(t, ".dll") || strstr(t, "://"))
      continue;
    if (strict) {
      unsafe = location_unsafe(env, t, nomem);
      continue;
    }
    char *r = sm_path_resolve(env, t);
    if (!r) {
      *nomem = true;
      break;
    }
    sm_place p = sm_path_place(r);
    unsafe = p == SM_PLACE_REMOTE || p == SM_PLACE_RELATIVE;
    free(r);
  }
  free(dup);
  return unsafe;
}

/* The entries of a list variable that name code, judged: -1 none,
 * F_SEARCH_UNSAFE when one is a place users can write, on the network or
 * relative, else F_SEARCH.  A search path (by_name false) takes every
 * non-empty entry ("." excepted in CLASSPATH: it is Java's default; a
 * symbol path _NT_* as the debugger reads it).  A name no family claims
 * whose words say it locates code (by_name true) takes only the entries
 * that are paths (a drive, a separator), so a word (MODULE=on) or a URL is
 * not taken for a relative folder. */
static int list_field(const sm_env *env, const char *name, const char *value,
                      bool by_name, bool *nomem) {
  sm_pathlist pl;
  if (sm_pathlist_parse(value, &pl) != SM_OK) {
    *nomem = true;
    return -1;
  }
  bool symbols = !by_name && iprefix(name, "_NT_");
  int f = -1;
  for (size_t i = 0; f != F_SEARCH_UNSAFE && !*nomem && i < pl.n; i++) {
    const char *e = pl.entries[i];
    if (by_name ? strstr(e, "://") || !strpbrk(e, "\\/:")
                : !*e || (ieq(name, "CLASSPATH") && strcmp(e, ".") == 0))
      continue;
    bool unsafe =
        symbols ? symbol_unsafe(env, e,
                                ieq(name, "_NT_DEBUGGER_EXTENSION_PATH"), nomem)
                : location_unsafe(env, e, nomem);
    f = unsafe ? F_SEARCH_UNSAFE : F_SEARCH;
  }
  sm_pathlist_free(&pl);
  return f;
}

static bool search_unsafe(const sm_env *env, const char *name,
                          const char *value, bool *nomem) {
  return list_field(env, name, value, false, nomem) == F_SEARCH_UNSAFE;
}

/* PATHEXT: Windows tries the extensions in order, so in any folder a file
 * with an extension placed before .EXE runs in place of the program of the
 * same name.  Windows' own order starts .COM;.EXE; any other extension
 * before .EXE (a script type of Windows' list, .BAT, or another) changes
 * which file runs. */
static bool pathext_first(const char *value) {
  sm_pathlist pl;
  if (sm_pathlist_parse(value, &pl) != SM_OK)
    return false;
  bool first = false, seen_exe = false;
  for (size_t i = 0; i < pl.n && !seen_exe; i++) {
    seen_exe = ieq(pl.entries[i], ".EXE");
    first |= !seen_exe && *pl.entries[i] && !ieq(pl.entries[i], ".COM");
  }
  sm_pathlist_free(&pl);
  return first && seen_exe;
}

/* The field of one variable, -1 when no family claims it. */
static int judge(const sm_env *env, const char *name, const char *value,
                 bool *nomem) {
  if (ieq(name, "PATHEXT"))
    return pathext_first(value) ? F_PATHEXT_FIRST : -1;
  /* TLS before the runtimes: NODE_TLS_REJECT_UNAUTHORIZED, GIT_SSL_CAINFO
   * and PYTHONHTTPSVERIFY belong to a family too, but say more here. */
  sm_env_tls tls = sm_env_tls_judge(name, value);
  if (tls != SM_ENV_TLS_NONE)
    return tls == SM_ENV_TLS_WEAKENED ? F_TLS_WEAKENED
           : search_unsafe(env, name, value, nomem) ? F_SEARCH_UNSAFE
                                                    : F_SEARCH;
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
  if (f == -1) {
    sm_env_command c = sm_env_command_judge(env, name, value, nomem);
    f = c == SM_ENV_COMMAND_UNSAFE ? F_COMMAND_UNSAFE
        : c == SM_ENV_COMMAND      ? F_COMMAND
                                   : -1;
  }
  if (f == -1)
    f = other(name);
  if (f == F_SEARCH && search_unsafe(env, name, value, nomem))
    f = F_SEARCH_UNSAFE;
  if (f == -1 && sm_env_name_locates_code(name))
    f = list_field(env, name, value, true, nomem);
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
    const char *value = sm_smss_string(v);
    if (!v || !v->name || own_rule(v->name) || !value)
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
