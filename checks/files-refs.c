/* Which files a finding names, as Windows would resolve them: the program
 * of each boot command line (smss.exe's search, checks/resolve.h), csrss
 * and its ServerDlls (System32\NAME.dll), Kmode and the other subsystem
 * images, the KnownDLLs (System32, and SysWOW64 for the 32-bit list),
 * AppCertDlls, and both paths of a pending rename. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/files.h"
#include "checks/resolve.h"
#include "checks/winpath.h"

/* The lists smss.exe runs: before the subsystems (native images only),
 * and after them. */
static const struct {
  const char *name;
  sm_file_role role;
} boot_lists[] = {
    {"BootExecute", SM_FILE_BOOT_PROGRAM},
    {"BootExecuteNoPnpSync", SM_FILE_BOOT_PROGRAM},
    {"SetupExecute", SM_FILE_BOOT_PROGRAM},
    {"SetupExecuteNoPnpSync", SM_FILE_BOOT_PROGRAM},
    {"PlatformExecute", SM_FILE_BOOT_PROGRAM},
    {"Execute", SM_FILE_PROGRAM},
    {"S0InitialCommand", SM_FILE_PROGRAM},
    {"BootShell", SM_FILE_PROGRAM}};

static bool add(sm_file_refs *r, char *path, sm_file_role role) {
  if (!path)
    return false;
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->paths[i], path) == 0) {
      free(path);
      return true;
    }
  char **p = realloc(r->paths, (r->n + 1) * sizeof *p);
  if (!p) {
    free(path);
    return false;
  }
  r->paths = p;
  sm_file_role *q = realloc(r->roles, (r->n + 1) * sizeof *q);
  if (!q) {
    free(path);
    return false;
  }
  r->roles = q;
  r->paths[r->n] = path;
  r->roles[r->n++] = role;
  return true;
}

/* A path as written: resolved; only absolute paths on a drive are kept. */
static bool add_path(sm_file_refs *r, const char *written, sm_file_role role) {
  while (*written == '!' || *written == ' ')
    written++;
  if (!*written)
    return true;
  char *p = sm_path_resolve(NULL, written);
  if (!p)
    return false;
  if (strlen(p) < 3 || p[1] != ':' || p[2] != '\\') {
    free(p);
    return true;
  }
  return add(r, p, role);
}

/* NAME in folder dir ("c:\windows\system32"), ".dll" added when NAME has
 * no extension (with_ext). */
static bool add_in(sm_file_refs *r, const char *dir, const char *name,
                   size_t n, bool with_ext, sm_file_role role) {
  if (n == 0 || memchr(name, '\\', n) || memchr(name, '/', n))
    return true;
  char *s = malloc(strlen(dir) + n + 6);
  if (!s)
    return false;
  strcpy(s, dir);
  strcat(s, "\\");
  strncat(s, name, n);
  if (with_ext && !memchr(name, '.', n))
    strcat(s, ".dll");
  char *p = sm_path_resolve(NULL, s);
  free(s);
  return p ? add(r, p, role) : false;
}

/* The strings of the finding's value: the offending item when there is
 * one, else every string stored. */
static size_t strings_of(const sm_finding *f, const char **out, size_t max) {
  if (f->observed && f->data.kind != SM_DATA_LIST) {
    out[0] = f->observed;
    return 1;
  }
  if (f->data.kind == SM_DATA_STRING && f->data.str) {
    out[0] = f->data.str;
    return 1;
  }
  size_t n = 0;
  if (f->data.kind == SM_DATA_LIST)
    for (size_t i = 0; i < f->data.n_items && n < max; i++)
      if (!f->observed || strcmp(f->data.items[i], f->observed) == 0)
        out[n++] = f->data.items[i];
  if (n == 0 && f->observed)
    out[n++] = f->observed;
  return n;
}

/* csrss's command line: its image, and each ServerDll=NAME[:entry],index. */
static bool csrss(sm_file_refs *r, const char *line) {
  size_t n = strcspn(line, " \t");
  char *img = strndup(line, n);
  if (!img || !add_path(r, img, SM_FILE_SUBSYSTEM)) {
    free(img);
    return false;
  }
  free(img);
  for (const char *p = line; (p = strcasestr(p, "ServerDll="));) {
    p += strlen("ServerDll=");
    size_t k = strcspn(p, ",: \t");
    if (!add_in(r, "c:\\windows\\system32", p, k, true, SM_FILE_SERVER_DLL))
      return false;
  }
  return true;
}

static bool pending(sm_file_refs *r, const sm_finding *f) {
  if (f->data.kind != SM_DATA_LIST)
    return f->observed ? add_path(r, f->observed, SM_FILE_RENAME_SOURCE) : true;
  for (size_t i = 0; i < f->data.n_items; i += 2) {
    const char *src = f->data.items[i];
    const char *dst = i + 1 < f->data.n_items ? f->data.items[i + 1] : "";
    if (f->observed && strcmp(f->observed, src) != 0 &&
        strcmp(f->observed, dst) != 0 && !strstr(f->observed, src))
      continue;
    if (!add_path(r, src, SM_FILE_RENAME_SOURCE) ||
        !add_path(r, dst, SM_FILE_RENAME_DEST))
      return false;
  }
  return true;
}

sm_result sm_file_refs_of(const sm_finding *f, sm_file_refs *r) {
  memset(r, 0, sizeof *r);
  if (!f->key || !f->value)
    return SM_OK;
  const char *leaf = strrchr(f->key, '\\');
  leaf = leaf ? leaf + 1 : f->key;
  const char *s[64];
  size_t ns = strings_of(f, s, 64);
  bool ok = true;
  if (strcasecmp(leaf, "Session Manager") == 0) {
    for (size_t i = 0; i < sizeof boot_lists / sizeof *boot_lists; i++)
      if (strcasecmp(f->value, boot_lists[i].name) == 0)
        for (size_t k = 0; k < ns && ok; k++) {
          char *img = sm_cmdline_image(NULL, s[k]);
          ok = img && (!*img || add_path(r, img, boot_lists[i].role));
          free(img);
        }
    if (strncasecmp(f->value, "PendingFileRenameOperations", 27) == 0)
      ok = pending(r, f);
  } else if (strcasecmp(leaf, "KnownDLLs") == 0) {
    if (strncasecmp(f->value, "DllDirectory", 12) != 0)
      for (size_t k = 0; k < ns && ok; k++)
        ok = add_in(r, "c:\\windows\\system32", s[k], strlen(s[k]), false,
                    SM_FILE_KNOWN_DLL) &&
             add_in(r, "c:\\windows\\syswow64", s[k], strlen(s[k]), false,
                    SM_FILE_KNOWN_DLL);
  } else if (strcasecmp(leaf, "SubSystems") == 0) {
    for (size_t k = 0; k < ns && ok; k++) {
      if (strcasecmp(f->value, "Windows") == 0)
        ok = csrss(r, s[k]);
      else if (strcasecmp(f->value, "Required") != 0 &&
               strcasecmp(f->value, "Optional") != 0)
        ok = add_path(r, s[k], SM_FILE_SUBSYSTEM);
    }
  } else if (strcasecmp(leaf, "AppCertDlls") == 0) {
    for (size_t k = 0; k < ns && ok; k++)
      ok = add_path(r, s[k], SM_FILE_APPCERT_DLL);
  }
  if (!ok) {
    sm_file_refs_free(r);
    return SM_ERR_NOMEM;
  }
  return SM_OK;
}

void sm_file_refs_free(sm_file_refs *r) {
  for (size_t i = 0; i < r->n; i++)
    free(r->paths[i]);
  free(r->paths);
  free(r->roles);
  memset(r, 0, sizeof *r);
}
