/* Windows' own native boot programs and the arguments Windows gives them
 * (parse-internal.h, sm_boot_program_*).  Sources in docs/checks.md,
 * "Windows' boot programs and their arguments". */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

/* One program: its name (lowercase, no .exe) and the switches Windows
 * writes for it.  A switch ending in ':' takes a value ("/FS:NTFS").
 * `volume`: a volume operand (\??\C:, \??\Volume{GUID}) is documented;
 * `file`: one file operand is, and it must lie where only Windows writes
 * (`file_dir`, relative to the Windows directory, when given). */
typedef struct boot_program {
  const char *name;
  const char *const *switches;
  bool volume, file, star;
  const char *file_dir;
} boot_program;

static const char *const autochk_sw[] = {"/p", "/r", "/q", "/v", "/k:",
                                         NULL};
static const char *const autoconv_sw[] = {"/fs:", "/cvtarea:", "/nosecurity",
                                          "/x", "/v", NULL};
static const char *const autofmt_sw[] = {"/fs:", "/q", "/v:", "/a:",
                                         "/c", "/x", "/y", NULL};
static const char *const poqexec_sw[] = {"/display_progress", NULL};
static const char *const none_sw[] = {NULL};

static const boot_program programs[] = {
    /* chkntfs and chkdsk: "autocheck autochk [/k:X] [/p|/r] * | \??\C:" */
    {"autochk", autochk_sw, true, false, true, NULL},
    /* convert.exe: "autocheck autoconv \??\C: /FS:NTFS [/CvtArea:f]" */
    {"autoconv", autoconv_sw, true, false, false, NULL},
    /* Windows setup formats volumes with it. */
    {"autofmt", autofmt_sw, true, false, false, NULL},
    /* Component servicing between the reboots of an update:
     * "poqexec.exe /display_progress \SystemRoot\WinSxS\pending.xml" */
    {"poqexec", poqexec_sw, false, true, false, "winsxs"},
    /* Sysprep's mini-setup cloning tool (SetupExecute, XP/2003). */
    {"setupcl", none_sw, false, false, false, NULL},
    /* Feature updates: resets the boot status between setup phases. */
    {"sosreset", none_sw, false, false, false, NULL},
};

static const boot_program *find(const char *name) {
  for (size_t i = 0; i < sizeof programs / sizeof *programs; i++)
    if (strcmp(programs[i].name, name) == 0)
      return &programs[i];
  return NULL;
}

bool sm_boot_program_windows(const char *name) { return find(name) != NULL; }

/* \??\C:, \DosDevices\C:, \??\Volume{GUID}, C: */
static bool volume_token(const char *t) {
  char *r = sm_path_resolve(NULL, t);
  bool v = false;
  if (r) {
    size_t n = strlen(r);
    v = (n == 2 && r[1] == ':') || (n == 3 && r[1] == ':' && r[2] == '\\') ||
        (strncmp(r, "\\\\?\\volume{", 11) == 0 && !strchr(r + 4, '\\'));
  }
  free(r);
  return v;
}

static bool switch_ok(const boot_program *p, const char *t) {
  size_t n = strlen(t);
  for (const char *const *s = p->switches; *s; s++) {
    size_t m = strlen(*s);
    if ((*s)[m - 1] == ':' ? n > m && sm_ascii_prefix(t, n, *s)
                           : sm_ascii_casecmp(t, *s) == 0)
      return true;
  }
  return false;
}

sm_boot_arg sm_boot_program_arg(const sm_env *e, const char *program,
                                const char *tok) {
  const boot_program *p = find(program);
  if (!p)
    return SM_BOOT_ARG_OK;
  if (tok[0] == '/' || tok[0] == '-')
    return tok[0] == '/' && switch_ok(p, tok) ? SM_BOOT_ARG_OK
                                              : SM_BOOT_ARG_UNDOCUMENTED;
  if (p->star && strcmp(tok, "*") == 0)
    return SM_BOOT_ARG_OK;
  if (p->volume && volume_token(tok))
    return SM_BOOT_ARG_OK;
  /* Anything else is a file: judged by where it lies. */
  char *r = sm_path_resolve(e, tok);
  if (!r)
    return SM_BOOT_ARG_UNDOCUMENTED;
  sm_place place = sm_file_place(r);
  sm_boot_arg v = SM_BOOT_ARG_UNDOCUMENTED;
  if (!sm_place_protected(place))
    v = SM_BOOT_ARG_UNSAFE;
  else if (p->file && p->file_dir) {
    char *want = NULL, *wr = NULL;
    const char *b = strrchr(r, '\\');
    if (b && asprintf(&want, "%%SystemRoot%%\\%s", p->file_dir) >= 0 &&
        (wr = sm_path_resolve(e, want)) && strlen(wr) == (size_t)(b - r) &&
        strncmp(wr, r, (size_t)(b - r)) == 0)
      v = SM_BOOT_ARG_OK;
    free(want);
    free(wr);
  }
  free(r);
  return v;
}

sm_boot_arg sm_boot_other_arg(const sm_env *e, const char *tok) {
  /* Switches and words are the vendor's business; a path names a file. */
  if (tok[0] == '/' || tok[0] == '-' || !strpbrk(tok, "\\:") ||
      volume_token(tok))
    return SM_BOOT_ARG_OK;
  char *r = sm_path_resolve(e, tok);
  if (!r)
    return SM_BOOT_ARG_OK;
  sm_place p = sm_file_place(r);
  free(r);
  return p == SM_PLACE_USER || p == SM_PLACE_REMOTE ? SM_BOOT_ARG_UNSAFE
                                                   : SM_BOOT_ARG_OK;
}
