#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/evidence.h"
#include "hive/hive-internal.h"

/* In the order the spec replays them. */
static const char *const suffixes[] = {".LOG1", ".LOG2", ".LOG"};
#define NSUFFIXES (sizeof suffixes / sizeof suffixes[0])

typedef struct found_log {
  char *name; /* directory entry, as stored */
  bool exact; /* same case as the hive's name plus the suffix */
} found_log;

/* Read a whole log through the evidence-safe open, beneath the hive's
 * folder: a link leaving it, a FIFO or a device is refused.  A log that
 * cannot be read is skipped with a warning naming it. */
static bool read_log(int dfd, const char *name, sm_txlog *log,
                     bool *atime_unprotected, sm_recovery_info *info) {
  unsigned char *data;
  size_t len;
  sm_evidence_file facts;
  sm_error e;
  if (sm_evidence_read_all(dfd, name, NULL, SM_EVIDENCE_BENEATH,
                           SM_HIVE_MAX_SIZE, &data, &len, &facts,
                           &e) != SM_OK) {
    sm_recovery_warn(info, "%s skipped: %s", name, e.msg);
    return false;
  }
  log->data = data;
  log->len = len;
  *atime_unprotected = facts.atime_unprotected;
  return true;
}

/* Match the directory's entries against the hive's name plus each suffix,
 * ignoring case as Windows does; an exact-case name wins over others. */
static void find_logs(DIR *d, const char *base, found_log *found) {
  size_t blen = strlen(base);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    const char *n = de->d_name;
    if (strncasecmp(n, base, blen) != 0)
      continue;
    for (size_t k = 0; k < NSUFFIXES; k++) {
      if (strcasecmp(n + blen, suffixes[k]) != 0)
        continue;
      bool exact =
          strncmp(n, base, blen) == 0 && strcmp(n + blen, suffixes[k]) == 0;
      if (found[k].name && (found[k].exact || !exact))
        break;
      char *copy = strdup(n);
      if (copy) {
        free(found[k].name);
        found[k].name = copy;
        found[k].exact = exact;
      }
      break;
    }
  }
}

sm_result sm_recover_find_logs(const char *path, sm_logset *set,
                               sm_recovery_info *info, sm_error *err) {
  memset(info, 0, sizeof *info);
  memset(set, 0, sizeof *set);
  info->attempted = true;
  sm_result r = SM_OK;
  found_log found[NSUFFIXES] = {{0}};

  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  char *dir = slash ? strndup(path, (size_t)(slash - path + 1)) : strdup(".");
  if (!dir)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", path);
  /* Listing a folder reads it: the evidence-safe open keeps its access
   * time too, where the kernel allows it. */
  sm_evidence_file folder;
  sm_error e;
  DIR *d = NULL;
  if (sm_evidence_open(AT_FDCWD, dir, NULL, SM_EVIDENCE_DIR, &folder, &e) ==
      SM_OK) {
    set->dir_atime_unprotected = folder.atime_unprotected;
    d = fdopendir(folder.fd);
    if (!d) {
      snprintf(e.msg, sizeof e.msg, "%s", strerror(errno));
      close(folder.fd);
    }
  }
  if (!d) {
    sm_recovery_warn(info, "cannot look for transaction logs in %s: %s", dir,
                     e.msg);
    goto out;
  }
  find_logs(d, base, found);
  for (size_t k = 0; k < NSUFFIXES; k++) {
    if (!found[k].name)
      continue;
    sm_txlog *log = &set->logs[set->n];
    if (read_log(dirfd(d), found[k].name, log, &set->atime_unprotected[set->n],
                 info)) {
      log->name = found[k].name;
      found[k].name = NULL; /* the set owns it now */
      set->n++;
    }
  }
  closedir(d);
  bool any = false; /* found, even if skipped (the warning says why) */
  for (size_t k = 0; k < NSUFFIXES; k++)
    any |= found[k].name != NULL;
  if (set->n == 0 && !any)
    sm_recovery_warn(info,
                     "no transaction logs found beside the hive (looked for "
                     "%s.LOG1, %s.LOG2 and %s.LOG, in any case)",
                     base, base, base);
out:
  for (size_t k = 0; k < NSUFFIXES; k++)
    free(found[k].name);
  free(dir);
  return r;
}

void sm_logset_free(sm_logset *set) {
  for (size_t k = 0; k < set->n; k++) {
    free((void *)set->logs[k].name);
    free((void *)set->logs[k].data);
  }
  set->n = 0;
}

sm_result sm_recover_replay(const char *path, const sm_logset *set,
                            unsigned char **image, size_t *image_len,
                            sm_recovery_info *info, sm_error *err) {
  if (set->n == 0)
    return SM_OK;
  sm_result r = sm_txlog_replay(image, image_len, set->logs, set->n, info, err);
  if (r != SM_OK && err) {
    char why[sizeof err->msg];
    memcpy(why, err->msg, sizeof why);
    sm_error_set(err, r, "%s: %s", path, why);
  }
  return r;
}

sm_result sm_recover_apply(const char *path, unsigned char **image,
                           size_t *image_len, sm_recovery_info *info,
                           sm_error *err) {
  sm_logset set;
  sm_result r = sm_recover_find_logs(path, &set, info, err);
  if (r == SM_OK)
    r = sm_recover_replay(path, &set, image, image_len, info, err);
  sm_logset_free(&set);
  return r;
}
