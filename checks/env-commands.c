/* Environment variables whose value is a command line, or a script, that a
 * tool runs (parse-environment.c): set machine-wide in Session
 * Manager\Environment they are inherited by every process, services
 * running as SYSTEM among them, so whoever controls what they run runs
 * code in the account of whoever next uses the tool.  By family and name
 * pattern; judged by what the command runs.  Sources: docs/checks.md,
 * "Environment: variables that run a command". */
#include <config.h>

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

sm_env_command sm_env_command_judge(const struct sm_env *env,
                                    const char *name, const char *value,
                                    bool *nomem) {
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
