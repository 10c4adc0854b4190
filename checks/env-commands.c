/* Environment variables whose value is a command line, or a script, that a
 * tool runs (parse-environment.c): set machine-wide in Session
 * Manager\Environment they are inherited by every process, services
 * running as SYSTEM among them, so whoever controls what they run runs
 * code in the account of whoever next uses the tool.  By family and name
 * pattern; judged by what the command runs.  Sources: docs/checks.md,
 * "Environment: variables that run a command". */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

static bool ieq(const char *a, const char *b) {
  return sm_ascii_casecmp(a, b) == 0;
}
static bool isuffix(const char *s, const char *p) {
  return sm_ascii_suffix(s, strlen(s), p);
}

/* Names whose value a tool runs as a command line (or, BASH_ENV and ENV,
 * a script every non-interactive or POSIX shell sources first), and the
 * suffixes of the same families other tools adopted (GH_EDITOR,
 * KUBE_EDITOR, BAT_PAGER, SUDO_ASKPASS, ...). */
static bool runs_command(const char *name) {
  static const char *const exact[] = {
      "GIT_SSH",         "GIT_SSH_COMMAND",   "GIT_EDITOR",
      "GIT_SEQUENCE_EDITOR", "GIT_PAGER",     "GIT_ASKPASS",
      "GIT_EXTERNAL_DIFF", "GIT_PROXY_COMMAND", "SSH_ASKPASS",
      "EDITOR",          "VISUAL",            "PAGER",
      "MANPAGER",        "LESSOPEN",          "LESSCLOSE",
      "BROWSER",         "SVN_SSH",           "CVS_RSH",
      "RSYNC_RSH",       "RSYNC_CONNECT_PROG", "HGEDITOR",
      "HGMERGE",         "P4DIFF",            "P4MERGE",
      "BASH_ENV",        "ENV",               "PROMPT_COMMAND",
  };
  static const char *const suffixes[] = {"_EDITOR", "_PAGER", "_ASKPASS",
                                         "_SSH_COMMAND", "_RSH",
                                         "_PROXY_COMMAND"};
  for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
    if (ieq(name, exact[i]))
      return true;
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
    if (isuffix(name, suffixes[i]))
      return true;
  return false;
}

/* Programs that run whatever command or script they are handed: Windows'
 * shells and script hosts, the signed binaries that proxy execution
 * (ATT&CK T1218), and the usual interpreters.  By base name, without
 * .exe. */
static bool runs_anything(const char *base) {
  static const char *const hosts[] = {
      "cmd",      "powershell", "pwsh",     "powershell_ise", "mshta",
      "wscript",  "cscript",    "rundll32", "regsvr32",       "msiexec",
      "certutil", "bitsadmin",  "forfiles", "schtasks",       "wmic",
      "conhost",  "wsl",        "bash",     "sh",             "python",
      "pythonw",  "py",         "perl",     "ruby",           "node",
      "installutil", "msbuild", "regasm",   "regsvcs",        "cmstp",
  };
  for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++)
    if (ieq(base, hosts[i]))
      return true;
  return false;
}

/* Git configuration keys whose value is a command Git runs (or, for
 * core.hooksPath, the folder of the hooks it runs), lowercase: a key
 * equal to one, or starting with one that ends in '.', or (the drivers of
 * a diff, merge, filter or tool) starting with the first part and ending
 * with the second.  git-config(1). */
static bool git_command_key(const char *key) {
  static const char *const exact[] = {
      "core.sshcommand", "core.editor",    "core.pager",
      "core.fsmonitor",  "core.askpass",   "core.hookspath",
      "core.gitproxy",   "sequence.editor", "diff.external",
      "gpg.program",     "gpg.ssh.program", "gpg.x509.program",
      "credential.helper", "uploadpack.packobjectshook", "web.browser",
  };
  static const char *const drivers[][2] = {
      {"pager.", ""},         {"filter.", ".clean"},  {"filter.", ".smudge"},
      {"filter.", ".process"}, {"diff.", ".textconv"}, {"diff.", ".command"},
      {"merge.", ".driver"},  {"mergetool.", ".cmd"}, {"difftool.", ".cmd"},
      {"credential.", ".helper"},
  };
  for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
    if (ieq(key, exact[i]))
      return true;
  size_t n = strlen(key);
  for (size_t i = 0; i < sizeof drivers / sizeof *drivers; i++) {
    size_t a = strlen(drivers[i][0]), b = strlen(drivers[i][1]);
    if (n > a + b && sm_ascii_prefix(key, n, drivers[i][0]) &&
        isuffix(key, drivers[i][1]))
      return true;
  }
  /* An alias starting with '!' is a shell command; judged as one. */
  return n > 6 && sm_ascii_prefix(key, n, "alias.");
}

/* Git takes configuration from the environment too: GIT_CONFIG_KEY_<n>
 * and GIT_CONFIG_VALUE_<n> pairs (2.31 on), and GIT_CONFIG_PARAMETERS
 * ('key'='value' ...).  The command of a command key set that way, or
 * NULL (*owned: a heap copy to free). */
static const char *git_config_command(const struct sm_env *env,
                                      const char *name, const char *value,
                                      char **owned, bool *nomem) {
  *owned = NULL;
  if (sm_ascii_prefix(name, strlen(name), "GIT_CONFIG_VALUE_")) {
    char key[64];
    snprintf(key, sizeof key, "GIT_CONFIG_KEY_%s", name + 17);
    const char *k = sm_env_get(env, key);
    return k && git_command_key(k) ? value : NULL;
  }
  if (!ieq(name, "GIT_CONFIG_PARAMETERS"))
    return NULL;
  /* 'key'='value' 'key'='value': the value of the first command key. */
  for (const char *p = value; (p = strchr(p, '\'')) != NULL;) {
    const char *ke = strchr(p + 1, '\'');
    if (!ke || ke[1] != '=' || ke[2] != '\'')
      break;
    const char *ve = strchr(ke + 3, '\'');
    if (!ve)
      break;
    char *k = strndup(p + 1, (size_t)(ke - p - 1));
    if (!k) {
      *nomem = true;
      return NULL;
    }
    bool cmd = git_command_key(k);
    free(k);
    if (cmd) {
      if (!(*owned = strndup(ke + 3, (size_t)(ve - ke - 3))))
        *nomem = true;
      return *owned;
    }
    p = ve + 1;
  }
  return NULL;
}

sm_env_command sm_env_command_judge(const struct sm_env *env,
                                    const char *name, const char *value,
                                    bool *nomem) {
  char *owned = NULL;
  const char *git = git_config_command(env, name, value, &owned, nomem);
  if (git) {
    sm_env_command c = sm_env_command_judge(env, "GIT_SSH_COMMAND",
                                            git + (git[0] == '!'), nomem);
    free(owned);
    return c;
  }
  if (!runs_command(name))
    return SM_ENV_COMMAND_NONE;
  /* LESSOPEN's "|" and "||" say how less reads the output. */
  const char *p = value + strspn(value, "| \t"), *tok;
  size_t len;
  if (!sm_cmdline_token(&p, &tok, &len))
    return SM_ENV_COMMAND_NONE;
  char *prog = sm_unquote_dup(tok, len);
  if (!prog) {
    *nomem = true;
    return SM_ENV_COMMAND_NONE;
  }
  sm_env_command c = SM_ENV_COMMAND;
  /* A program named with a directory runs from there; a bare name is
   * searched along the Path, which has rules of its own. */
  if (strpbrk(prog, "\\/:") || prog[0] == '%') {
    char *r = sm_path_resolve(env, prog);
    if (!r)
      *nomem = true;
    else if (!sm_place_protected(sm_file_place(r)))
      c = SM_ENV_COMMAND_UNSAFE;
    free(r);
  }
  char *base = strrchr(prog, '\\');
  base = base ? base + 1 : prog;
  char *slash = strrchr(base, '/');
  base = slash ? slash + 1 : base;
  size_t n = strlen(base);
  if (n > 4 && ieq(base + n - 4, ".exe"))
    base[n - 4] = '\0';
  if (runs_anything(base))
    c = SM_ENV_COMMAND_UNSAFE;
  free(prog);
  return c;
}
