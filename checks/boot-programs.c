/* Windows' own native boot programs and the arguments Windows gives them
 * (parse-internal.h, sm_boot_program_*).  Sources in docs/checks.md,
 * "Windows' boot programs and their arguments". */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
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

/* The Latin letter a code point of another script or form reads as, 0
 * for an invisible format character, -1 for none.  Cyrillic and Greek
 * letters drawn as Latin ones (both cases), fullwidth ASCII, dotless i. */
static int latin_reading(uint32_t c) {
  static const struct {
    uint32_t cp;
    char ascii;
  } look[] = {
      {0x0131, 'i'}, {0x0251, 'a'}, {0x0391, 'a'}, {0x0392, 'b'},
      {0x0395, 'e'}, {0x0396, 'z'}, {0x0397, 'h'}, {0x0399, 'i'},
      {0x039A, 'k'}, {0x039C, 'm'}, {0x039D, 'n'}, {0x039F, 'o'},
      {0x03A1, 'p'}, {0x03A4, 't'}, {0x03A5, 'y'}, {0x03A7, 'x'},
      {0x03B1, 'a'}, {0x03B9, 'i'}, {0x03BA, 'k'}, {0x03BD, 'v'},
      {0x03BF, 'o'}, {0x03C1, 'p'}, {0x03C5, 'u'}, {0x03C7, 'x'},
      {0x0405, 's'}, {0x0406, 'i'}, {0x0408, 'j'}, {0x0410, 'a'},
      {0x0412, 'b'}, {0x0415, 'e'}, {0x041A, 'k'}, {0x041C, 'm'},
      {0x041D, 'h'}, {0x041E, 'o'}, {0x0420, 'p'}, {0x0421, 'c'},
      {0x0422, 't'}, {0x0423, 'y'}, {0x0425, 'x'}, {0x0430, 'a'},
      {0x0435, 'e'}, {0x043A, 'k'}, {0x043E, 'o'}, {0x0440, 'p'},
      {0x0441, 'c'}, {0x0443, 'y'}, {0x0445, 'x'}, {0x0455, 's'},
      {0x0456, 'i'}, {0x0458, 'j'}, {0x04BB, 'h'}, {0x04CF, 'l'},
      {0x0501, 'd'}, {0x051B, 'q'}, {0x051D, 'w'},
  };
  if (c == 0x00AD || c == 0x034F || (c >= 0x200B && c <= 0x200F) ||
      (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF)
    return 0;
  if (c >= 0xFF01 && c <= 0xFF5E) /* fullwidth ASCII */
    c -= 0xFEE0;
  if (c < 0x80)
    return c >= 'A' && c <= 'Z' ? (int)(c + 32) : (int)c;
  for (size_t i = 0; i < sizeof look / sizeof *look; i++)
    if (look[i].cp == c)
      return look[i].ascii;
  return -1;
}

const char *sm_boot_program_lookalike(const char *name) {
  char buf[32];
  size_t n = 0, len = strlen(name);
  bool other = false;
  for (size_t i = 0; i < len;) {
    uint32_t c;
    size_t k = sm_utf8_decode((const unsigned char *)name + i, len - i, &c);
    int a = k ? latin_reading(c) : -1;
    if (a < 0 || n + 1 >= sizeof buf)
      return NULL;
    other |= c >= 0x80;
    if (a)
      buf[n++] = (char)a;
    i += k;
  }
  buf[n] = '\0';
  if (n > 4 && strcmp(buf + n - 4, ".exe") == 0)
    buf[n - 4] = '\0';
  const boot_program *p = other ? find(buf) : NULL;
  return p ? p->name : NULL;
}

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
