/* 8.3 short names: the long spellings a short component may stand for
 * (winpath.h, sm_path_long_forms). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "checks/winpath.h"

/* The long names of the folders and files the location classes and the
 * pending-operation patterns name; a short component is compared with
 * these (lowercase, as resolved paths are). */
static const char *const long_names[] = {
    "program files",
    "program files (x86)",
    "program files (arm)",
    "programdata",
    "documents and settings",
    "system volume information",
    "microsoft",
    "microsoft security client",
    "windows",
    "windows defender",
    "windows defender advanced threat protection",
    "windowspowershell",
    "start menu",
    "grouppolicy",
    "driverstore",
    "registration",
    "machinekeys",
    "autorecover",
    "tasks_migrated",
    "avast software",
    "carbon black",
    "crowdstrike",
    "kaspersky lab",
    "malwarebytes",
    "panda security",
    "sentinelone",
    "trend micro",
    "chocolatey",
    "amcache.hve.tmp",
    "sysmondrv.sys",
    "microsoft.powershell_profile.ps1",
};
#define N_LONG (sizeof long_names / sizeof *long_names)
/* Short components past this many are kept as written (the path is
 * attacker-controlled: bounded depth and work). */
#define MAX_SHORT 8

/* Whether the n bytes at c are a short name "PREFIX~N" or "PREFIX~N.EXT"
 * (1 to 6 characters, '~', digits); *plen gets the prefix length and *ext
 * the extension (NULL without). */
static bool is_short(const char *c, size_t n, size_t *plen, const char **ext,
                     size_t *elen) {
  const char *t = memchr(c, '~', n);
  if (!t || t == c || t - c > 6)
    return false;
  const char *d = t + 1, *end = c + n;
  while (d < end && *d >= '0' && *d <= '9')
    d++;
  if (d == t + 1 || (d < end && *d != '.'))
    return false;
  *plen = (size_t)(t - c);
  *ext = d < end ? d + 1 : NULL;
  *elen = d < end ? (size_t)(end - d - 1) : 0;
  return *elen <= 3 && memchr(c, '.', *plen) == NULL;
}

/* Whether the long name could have the short name with this prefix (and
 * extension): its characters without spaces and dots (of the part before
 * its last dot when an extension is given) start with the prefix. */
static bool short_matches(const char *lng, const char *prefix, size_t plen,
                          const char *ext, size_t elen) {
  const char *dot = strrchr(lng, '.');
  const char *stop = lng + strlen(lng);
  if (ext) {
    if (!dot || strlen(dot + 1) != elen || strncmp(dot + 1, ext, elen) != 0)
      return false;
    stop = dot;
  }
  size_t i = 0;
  for (const char *l = lng; l < stop && i < plen; l++)
    if (*l != ' ' && *l != '.') {
      if (*l != prefix[i])
        return false;
      i++;
    }
  return i == plen;
}

typedef struct forms {
  char **v;
  size_t n;
  bool nomem;
} forms;

static void add(forms *f, char *s) {
  if (!s) {
    f->nomem = true;
    return;
  }
  if (f->n >= SM_LONG_FORMS_MAX) {
    free(s);
    return;
  }
  f->v[f->n++] = s;
}

/* Every spelling of done + rest with the short components of rest replaced
 * by the long names they may stand for (or kept as written). */
static void expand(forms *f, const char *done, size_t dlen, const char *rest,
                   int depth) {
  if (f->nomem || f->n >= SM_LONG_FORMS_MAX)
    return;
  if (depth >= MAX_SHORT) {
    add(f, strdup(done));
    return;
  }
  const char *c = rest;
  size_t plen, elen;
  const char *ext;
  for (;;) {
    size_t n = strcspn(c, "\\");
    if (is_short(c, n, &plen, &ext, &elen))
      break;
    if (!c[n]) {
      add(f, strdup(done));
      return;
    }
    c += n + 1;
  }
  size_t n = strcspn(c, "\\"), head = dlen + (size_t)(c - rest);
  const char *after = c + n;
  for (size_t i = 0; i <= N_LONG && !f->nomem; i++) {
    const char *lng = i < N_LONG ? long_names[i] : NULL;
    if (lng && !short_matches(lng, c, plen, ext, elen))
      continue;
    size_t ll = lng ? strlen(lng) : n;
    char *s = malloc(head + ll + strlen(after) + 1);
    if (!s) {
      f->nomem = true;
      return;
    }
    memcpy(s, done, head);
    memcpy(s + head, lng ? lng : c, ll);
    strcpy(s + head + ll, after);
    /* The rest after this component, in the new spelling. */
    size_t at = head + ll;
    expand(f, s, at + (*after ? 1 : 0), s + at + (*after ? 1 : 0), depth + 1);
    free(s);
  }
}

char **sm_path_long_forms(const char *resolved, size_t *n) {
  forms f = {.v = calloc(SM_LONG_FORMS_MAX, sizeof(char *))};
  *n = 0;
  if (!f.v)
    return NULL;
  const char *r = resolved ? resolved : "";
  if (strchr(r, '~'))
    expand(&f, r, 0, r, 0);
  if (!f.nomem && f.n == 0)
    add(&f, strdup(r));
  if (f.nomem) {
    sm_path_long_forms_free(f.v, f.n);
    return NULL;
  }
  *n = f.n;
  return f.v;
}

void sm_path_long_forms_free(char **v, size_t n) {
  for (size_t i = 0; v && i < n; i++)
    free(v[i]);
  free(v);
}
