/* Paths as Windows resolves them, and who can write where (winpath.h). */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

/* Expansions add at most this many bytes to the text (a list of
 * variables that refer to each other twice can otherwise double at every
 * level); the text as written is never cut. */
#define MAX_EXPANDED 65536
#define MAX_DEPTH 8

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Case-insensitive (ASCII) equality of a and the n bytes at b. */
static bool ieq_n(const char *a, const char *b, size_t n) {
  return strlen(a) == n && sm_ascii_prefix(b, n, a);
}

static bool ieq(const char *a, const char *b) {
  return sm_ascii_casecmp(a, b) == 0;
}

/* Whether s begins with prefix, ignoring ASCII case. */
static bool iprefix(const char *s, const char *prefix) {
  return sm_ascii_prefix(s, strlen(s), prefix);
}

/* ---- environment ---- */

/* The variables Windows defines itself (Vista and later defaults); the
 * hive's Environment values replace all but the first two. */
static const char *const windows_vars[][2] = {
    {"SystemDrive", "C:"},
    {"SystemRoot", "C:\\Windows"},
    {"windir", "%SystemRoot%"},
    {"ProgramFiles", "%SystemDrive%\\Program Files"},
    {"ProgramFiles(x86)", "%SystemDrive%\\Program Files (x86)"},
    {"ProgramW6432", "%SystemDrive%\\Program Files"},
    {"CommonProgramFiles", "%ProgramFiles%\\Common Files"},
    {"CommonProgramFiles(x86)", "%ProgramFiles(x86)%\\Common Files"},
    {"CommonProgramW6432", "%ProgramW6432%\\Common Files"},
    {"ProgramData", "%SystemDrive%\\ProgramData"},
    {"ALLUSERSPROFILE", "%ProgramData%"},
    {"PUBLIC", "%SystemDrive%\\Users\\Public"},
    {"USERPROFILE", "%SystemDrive%\\Users\\%USERNAME%"},
    {"HOMEDRIVE", "%SystemDrive%"},
    {"HOMEPATH", "\\Users\\%USERNAME%"},
    {"APPDATA", "%USERPROFILE%\\AppData\\Roaming"},
    {"LOCALAPPDATA", "%USERPROFILE%\\AppData\\Local"},
    {"OneDrive", "%USERPROFILE%\\OneDrive"},
    {"TEMP", "%SystemRoot%\\TEMP"},
    {"TMP", "%SystemRoot%\\TEMP"},
    {"ComSpec", "%SystemRoot%\\system32\\cmd.exe"},
    {"DriverData", "%SystemRoot%\\System32\\Drivers\\DriverData"},
};
#define N_WINDOWS_VARS (sizeof windows_vars / sizeof windows_vars[0])
#define N_FIXED 2 /* SystemDrive and SystemRoot: from the boot loader */

void sm_env_free(sm_env *e) {
  if (!e)
    return;
  for (size_t i = 0; i < e->n; i++) {
    free(e->names[i]);
    free(e->values[i]);
  }
  free(e->names);
  free(e->values);
  memset(e, 0, sizeof *e);
}

static const char *hive_string(const sm_value *v) {
  return v && v->name ? sm_smss_string(v) : NULL;
}

/* Set name to value, replacing an earlier definition (case-insensitive). */
static bool env_set(sm_env *e, const char *name, const char *value) {
  for (size_t i = 0; i < e->n; i++)
    if (ieq(e->names[i], name)) {
      char *d = strdup(value);
      if (!d)
        return false;
      free(e->values[i]);
      e->values[i] = d;
      return true;
    }
  char *nd = strdup(name), *vd = strdup(value);
  if (!nd || !vd) {
    free(nd);
    free(vd);
    return false;
  }
  e->names[e->n] = nd;
  e->values[e->n++] = vd;
  return true;
}

sm_result sm_env_init(sm_env *e, sm_value *const *v, size_t n) {
  memset(e, 0, sizeof *e);
  size_t cap = N_WINDOWS_VARS + (v ? n : 0);
  e->names = calloc(cap, sizeof *e->names);
  e->values = calloc(cap, sizeof *e->values);
  if (!e->names || !e->values)
    goto nomem;
  for (size_t i = 0; i < N_WINDOWS_VARS; i++)
    if (!env_set(e, windows_vars[i][0], windows_vars[i][1]))
      goto nomem;
  for (size_t i = 0; v && i < n; i++) {
    const char *s = hive_string(v[i]);
    bool fixed = false;
    for (size_t f = 0; s && f < N_FIXED; f++)
      fixed |= ieq(v[i]->name, windows_vars[f][0]);
    if (s && !fixed && *v[i]->name && !env_set(e, v[i]->name, s))
      goto nomem;
  }
  return SM_OK;
nomem:
  sm_env_free(e);
  return SM_ERR_NOMEM;
}

bool sm_env_volume_letter(const sm_env *e, char letter) {
  letter = (char)(letter | 32);
  return e && letter >= 'a' && letter <= 'z' &&
         strchr(e->volume_letters, letter) != NULL;
}

static const char *env_get(const sm_env *e, const char *name, size_t len) {
  for (size_t i = 0; e && i < e->n; i++)
    if (ieq_n(e->names[i], name, len))
      return e->values[i];
  /* Without an environment, Windows' own variables. */
  for (size_t i = 0; !e && i < N_WINDOWS_VARS; i++)
    if (ieq_n(windows_vars[i][0], name, len))
      return windows_vars[i][1];
  return NULL;
}

const char *sm_env_get(const sm_env *e, const char *name) {
  return env_get(e, name, strlen(name));
}

typedef struct buf {
  char *s;
  size_t n, cap;
  size_t limit; /* 0: MAX_EXPANDED */
  bool nomem;
} buf;

static void put(buf *b, const char *s, size_t n) {
  size_t limit = b->limit ? b->limit : MAX_EXPANDED;
  if (b->nomem || b->n + n >= limit)
    return; /* past the bound the rest is dropped */
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + n + 1)
      cap *= 2;
    char *p = realloc(b->s, cap);
    if (!p) {
      b->nomem = true;
      return;
    }
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static void expand_into(const sm_env *e, const char *s, int depth, buf *b) {
  while (*s && !b->nomem) {
    const char *pct = strchr(s, '%');
    if (!pct) {
      put(b, s, strlen(s));
      return;
    }
    put(b, s, (size_t)(pct - s));
    const char *end = strchr(pct + 1, '%');
    const char *val = end && end > pct + 1
                          ? env_get(e, pct + 1, (size_t)(end - pct - 1))
                          : NULL;
    if (!val) {
      /* Undefined (or "%%"): kept as written; the closing '%' may open the
       * next name. */
      size_t keep = end ? (size_t)(end - pct) : strlen(pct);
      put(b, pct, keep);
      s = pct + keep;
      continue;
    }
    if (depth < MAX_DEPTH)
      expand_into(e, val, depth + 1, b);
    else
      put(b, val, strlen(val));
    s = end + 1;
  }
}

char *sm_env_expand(const sm_env *e, const char *s) {
  buf b = {.limit = (s ? strlen(s) : 0) + MAX_EXPANDED};
  put(&b, "", 0);
  expand_into(e, s ? s : "", 0, &b);
  if (b.nomem) {
    free(b.s);
    return NULL;
  }
  return b.s ? b.s : strdup("");
}

/* ---- resolving ---- */

static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Remove the prefixes that name the Win32 namespace or an NT path to it.
 * *unc is set when the path continues as a UNC path (server\share...). */
static const char *strip_prefixes(const char *p, bool *unc) {
  static const char *const win32[] = {"\\??\\", "\\\\?\\", "\\\\.\\",
                                      "\\DosDevices\\", "\\GLOBAL??\\"};
  static const char *const redirectors[] = {"\\Device\\Mup\\",
                                            "\\Device\\LanmanRedirector\\",
                                            "\\Device\\WebDavRedirector\\"};
  *unc = false;
  for (int round = 0; round < 16; round++) {
    bool again = false;
    for (size_t i = 0; i < sizeof win32 / sizeof *win32 && !again; i++)
      if (iprefix(p, win32[i])) {
        p += strlen(win32[i]);
        again = true;
      }
    if (again) {
      if (iprefix(p, "GLOBALROOT\\"))
        p += 10; /* an NT path follows: keep its leading '\' */
      else if (iprefix(p, "UNC\\")) {
        *unc = true;
        return p + 4;
      }
      continue;
    }
    for (size_t i = 0; i < sizeof redirectors / sizeof *redirectors; i++)
      if (iprefix(p, redirectors[i])) {
        p += strlen(redirectors[i]);
        /* LanmanRedirector may carry ";X:0000...\" before the server. */
        if (*p == ';') {
          const char *sep = strchr(p, '\\');
          p = sep ? sep + 1 : p + strlen(p);
        }
        *unc = true;
        return p;
      }
    break;
  }
  return p;
}

/* The path with separators as '\', \SystemRoot expanded, prefixes removed;
 * root gets the canonical root ("c:", "\\server\share", "\device\name",
 * "\\?\volume{...}" or "" for a relative path) and the rest is returned. */
static char *split_root(const sm_env *e, const char *path, buf *root) {
  char *x = sm_env_expand(e, path);
  if (!x)
    return NULL;
  for (char *c = x; *c; c++)
    if (*c == '/')
      *c = '\\';
  bool unc;
  const char *p = strip_prefixes(x, &unc);
  if (!unc && iprefix(p, "\\SystemRoot") && (!p[11] || p[11] == '\\')) {
    char *joined = NULL;
    const char *sr = env_get(e, "SystemRoot", 10);
    if (asprintf(&joined, "%s%s", sr ? sr : "C:\\Windows", p + 11) < 0) {
      free(x);
      return NULL;
    }
    free(x);
    x = sm_env_expand(e, joined); /* SystemRoot itself may use a variable */
    free(joined);
    if (!x)
      return NULL;
    p = strip_prefixes(x, &unc);
  }
  if (!unc && p[0] == '\\' && p[1] == '\\') {
    unc = true;
    p += 2;
  }
  if (unc) {
    /* server and share make the root */
    put(root, "\\\\", 2);
    for (int part = 0; part < 2 && *p; part++) {
      while (*p == '\\')
        p++;
      size_t len = strcspn(p, "\\");
      if (part)
        put(root, "\\", 1);
      put(root, p, len);
      p += len;
    }
  } else if (is_letter(p[0]) && p[1] == ':') {
    put(root, p, 2); /* "c:dir" (drive-relative) keeps its letter too */
    p += 2;
  } else if (iprefix(p, "Volume{")) {
    size_t len = strcspn(p, "\\");
    put(root, "\\\\?\\", 4);
    put(root, p, len);
    p += len;
  } else if (iprefix(p, "\\Device\\")) {
    size_t len = 8 + strcspn(p + 8, "\\");
    put(root, p, len);
    p += len;
  }
  /* Rooted without a drive ("\dir"): on the current drive; the leading
   * separator stays in the rest. */
  char *rest = strdup(p);
  free(x);
  return rest;
}

/* Append the components of rest to out, "." and ".." applied and trailing
 * dots and spaces removed from each. */
static void put_components(buf *out, char *rest, bool rooted) {
  size_t base = out->n;
  for (char *tok = rest; tok && !out->nomem;) {
    char *next = strchr(tok, '\\');
    if (next)
      *next++ = '\0';
    size_t len = strlen(tok);
    while (len && (tok[len - 1] == '.' || is_blank(tok[len - 1])))
      len--;
    /* "." and ".." are all dots: they strip to nothing. */
    bool dots = len == 0 && tok[0] == '.';
    if (dots && strcmp(tok, "..") == 0) {
      while (out->n > base && out->s[out->n - 1] != '\\')
        out->n--;
      if (out->n > base)
        out->n--; /* the separator before the dropped component */
      out->s[out->n] = '\0';
    } else if (len) {
      if (rooted || out->n > base)
        put(out, "\\", 1);
      put(out, tok, len);
    }
    tok = next;
  }
}

char *sm_path_resolve(const sm_env *e, const char *path) {
  const char *p = path ? path : "";
  while (is_blank(*p))
    p++;
  size_t n = strlen(p);
  while (n && is_blank(p[n - 1]))
    n--;
  char *trimmed = strndup(p, n);
  if (!trimmed)
    return NULL;
  /* Quotes around a path are not part of it. */
  char *w = trimmed;
  for (char *c = trimmed; *c; c++)
    if (*c != '"')
      *w++ = *c;
  *w = '\0';
  buf out = {.limit = SIZE_MAX}; /* bounded by the expanded text */
  put(&out, "", 0);
  char *rest = split_root(e, trimmed, &out);
  free(trimmed);
  if (!rest || out.nomem) {
    free(rest);
    free(out.s);
    return NULL;
  }
  /* Not rooted: a relative path, or "c:dir" (relative to the current
   * directory of c:). */
  bool rooted = rest[0] == '\\' || (out.n > 0 && out.s[1] != ':');
  put_components(&out, rest, rooted);
  free(rest);
  if (out.n == 2 && out.s[1] == ':' && rooted)
    put(&out, "\\", 1); /* the drive root itself: "c:\" */
  if (out.nomem) {
    free(out.s);
    return NULL;
  }
  for (char *c = out.s; *c; c++)
    *c = (char)lower((unsigned char)*c);
  /* "x.dll::$DATA" is the file's unnamed data stream: the file itself. */
  if (out.n > 7 && strcmp(out.s + out.n - 7, "::$data") == 0)
    out.s[out.n - 7] = '\0';
  return out.s;
}

bool sm_path_stream(const char *r) {
  const char *b = r ? strrchr(r, '\\') : NULL;
  b = b ? b + 1 : r;
  /* A drive letter's colon ("c:x.exe") is not a stream. */
  if (b && is_letter(b[0]) && b[1] == ':')
    b += 2;
  return b && strchr(b, ':') != NULL;
}

/* ---- places ---- */

/* Under the Windows directory, places any user can create files in (the
 * folders of the public AppLocker bypass lists, Windows Temp, the task
 * folders); relative to the Windows directory. */
static const char *const windows_writable[] = {
    "temp",
    "tasks",
    "tracing",
    "registration\\crmlog",
    "debug\\wia",
    "pla\\reports",
    "pla\\rules",
    "pla\\templates",
    "system32\\tasks",
    "system32\\tasks_migrated",
    "system32\\com\\dmp",
    "system32\\fxstmp",
    "system32\\spool\\drivers\\color",
    "system32\\spool\\printers",
    "system32\\spool\\servers",
    "system32\\microsoft\\crypto\\rsa\\machinekeys",
    "syswow64\\tasks",
    "syswow64\\com\\dmp",
    "syswow64\\fxstmp",
    "syswow64\\microsoft\\crypto\\rsa\\machinekeys",
};

/* Under ProgramData, folders that only administrators (or Windows) write. */
static const char *const programdata_protected[] = {
    "microsoft\\windows defender",
    "microsoft\\windows defender advanced threat protection",
    "microsoft\\windows\\start menu",
    /* Chocolatey restricts its default install folder to administrators
     * (since 0.10.4); its bin folder is on the machine Path. */
    "chocolatey",
};

static const char *const admin_roots[] = {
    "program files", "program files (x86)", "program files (arm)", "recovery",
    "boot"};

/* Whether s is dir or lies below it (both lowercase, '\'-separated). */
static bool below(const char *s, const char *dir) {
  size_t n = strlen(dir);
  return strncmp(s, dir, n) == 0 && (s[n] == '\0' || s[n] == '\\');
}

static bool below_any(const char *s, const char *const *dirs, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (below(s, dirs[i]))
      return true;
  return false;
}

/* rest: the path below "c:\" ("" for the root itself). */
static sm_place system_drive_place(const char *rest) {
  /* The root itself, and Users itself: users may create folders there,
   * not files. */
  if (!*rest || strcmp(rest, "users") == 0)
    return SM_PLACE_ADMIN;
  const char *sub = NULL;
  if (below(rest, "windows"))
    sub = rest + 7;
  else if (below(rest, "winnt"))
    sub = rest + 5;
  if (sub) {
    sub += *sub == '\\';
    return below_any(sub, windows_writable,
                     sizeof windows_writable / sizeof *windows_writable)
               ? SM_PLACE_USER
               : SM_PLACE_SYSTEM;
  }
  if (below_any(rest, admin_roots, sizeof admin_roots / sizeof *admin_roots))
    return SM_PLACE_ADMIN;
  if (below(rest, "system volume information"))
    return SM_PLACE_SYSTEM;
  if (below(rest, "programdata")) {
    const char *sub2 = rest + 11;
    sub2 += *sub2 == '\\';
    return below_any(sub2, programdata_protected,
                     sizeof programdata_protected /
                         sizeof *programdata_protected)
               ? SM_PLACE_ADMIN
               : SM_PLACE_USER;
  }
  /* Users, Documents and Settings, Temp, and any other folder at the root:
   * the root lets Authenticated Users create folders and gives them Modify
   * on what is created below, so a folder made there without its own ACL
   * (C:\Tools, C:\Python27) is writable by every user. */
  return SM_PLACE_USER;
}

static sm_place place_of(const char *r) {
  if (!r || !*r)
    return SM_PLACE_RELATIVE;
  if (r[0] == '\\' && r[1] == '\\' && r[2] != '?')
    return SM_PLACE_REMOTE;
  if (strncmp(r, "\\device\\cdrom", 12) == 0 ||
      strncmp(r, "\\device\\floppy", 14) == 0)
    return SM_PLACE_REMOTE;
  if (strncmp(r, "\\device\\", 8) == 0 || strncmp(r, "\\\\?\\", 4) == 0)
    return SM_PLACE_USER; /* another volume, by its device or GUID name */
  if (r[0] == '\\')
    return SM_PLACE_RELATIVE; /* "\dir": on the current drive */
  if (!(is_letter(r[0]) && r[1] == ':'))
    return SM_PLACE_RELATIVE;
  if (r[2] != '\\')
    return SM_PLACE_RELATIVE; /* "c:dir", relative to c:'s current dir */
  if (r[0] == 'a' || r[0] == 'b')
    return SM_PLACE_REMOTE; /* floppy drives */
  if (r[0] != 'c')
    return r[3] ? SM_PLACE_USER  /* a data volume: its root's default ACL */
                : SM_PLACE_ADMIN; /* lets users create folders, not files */
  return system_drive_place(r + 3);
}

sm_place sm_path_place(const char *r) {
  if (!r || !strchr(r, '~'))
    return place_of(r);
  size_t n;
  char **v = sm_path_long_forms(r, &n);
  if (!v)
    return SM_PLACE_USER; /* NOMEM: the worse guess */
  sm_place worst = SM_PLACE_SYSTEM;
  for (size_t i = 0; i < n; i++) {
    sm_place p = place_of(v[i]);
    if (p > worst)
      worst = p;
  }
  sm_path_long_forms_free(v, n);
  return worst;
}

sm_place sm_file_place(const char *r) {
  const char *sep = r ? strrchr(r, '\\') : NULL;
  if (!sep || sep == r || (sep == r + 1 && r[0] == '\\'))
    return sm_path_place(r); /* relative, or a share's own name */
  /* The folder that holds the file, "c:\" for a file at a drive root. */
  size_t n = (size_t)(sep - r) + (sep == r + 2 && r[1] == ':');
  char *dir = strndup(r, n);
  if (!dir)
    return SM_PLACE_USER; /* NOMEM: the worse guess */
  sm_place p = sm_path_place(dir);
  free(dir);
  return p;
}

const char *sm_place_name(sm_place p) {
  static const char *const names[] = {"system", "admin", "user-writable",
                                      "remote", "relative"};
  return (unsigned)p < sizeof names / sizeof *names ? names[p] : "relative";
}

