/* The files the findings and the boot plan name, in the hive's volume
 * (checks/files.h), as a step of the scan (checks/scan.h). */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "checks/files.h"
#include "checks/scan.h"

/* The Windows folder of the volume, as stored: the folder above
 * System32\config where the hive lies ("Windows", "WINNT"), or NULL. */
static void windows_folder(const sm_scan_target *t, char *out, size_t size) {
  const char *p = t->image && t->image->path ? t->image->path : t->path;
  out[0] = '\0';
  const char *at = NULL;
  for (const char *c = p ? p : ""; *c; c++)
    if ((c == p || c[-1] == '/' || c[-1] == '\\') &&
        strncasecmp(c, "system32", 8) == 0 && (c[8] == '/' || c[8] == '\\') &&
        strncasecmp(c + 9, "config", 6) == 0)
      at = c;
  if (!at || at == p)
    return;
  const char *end = at - 1, *start = end;
  while (start > p && start[-1] != '/' && start[-1] != '\\')
    start--;
  if (end > start && (size_t)(end - start) < size)
    snprintf(out, size, "%.*s", (int)(end - start), start);
}

/* The files the findings and the boot plan name, in the hive's volume
 * (checks/files.h). */
void sm_scan_files(const sm_scan_target *t, const sm_scan_options *o,
                       sm_scan_result *r) {
  sm_volume *vol = t->files_volume, *own = NULL;
  if (!vol && !t->image && t->path && !t->open)
    vol = own = sm_volume_of_hive(t->path);
  char windir[256];
  windows_folder(t, windir, sizeof windir);
  sm_files_left left = {0};
  sm_files_ctx c = {.vol = vol,
                    .anchors = o->anchors,
                    .windir = windir[0] ? windir : NULL,
                    .baseline = r->baseline,
                    .today = o->today,
                    .left = &left};
  if (!sm_files_check(&c, r->reports, r->n_reports,
                      r->has_plan ? &r->plan : NULL))
    sm_scan_fail(r, "out of memory");
  /* A cap reached is part of the audit that did not run: never clean. */
  r->unchecked_files = sm_files_left_count(&left);
  if (r->unchecked_files) {
    char msg[300];
    snprintf(msg, sizeof msg,
             "audit incomplete: %zu file%s named not checked (the cap of %d "
             "files described per volume was reached)",
             r->unchecked_files, r->unchecked_files == 1 ? "" : "s",
             SM_FILES_MAX);
    sm_scan_warn(r, msg);
  }
  sm_files_left_free(&left);
  sm_volume_close(own);
}

