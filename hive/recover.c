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

#include "hive/hive-internal.h"

/* In the order the spec replays them. */
static const char *const suffixes[] = {".LOG1", ".LOG2", ".LOG"};
#define NSUFFIXES (sizeof suffixes / sizeof suffixes[0])

typedef struct found_log {
  char *name; /* directory entry, as stored */
  bool exact; /* same case as the hive's name plus the suffix */
} found_log;

/* As hive/handle.c: O_NONBLOCK so that a FIFO named like a log cannot
 * hang the open. */
static int open_evidence(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME | O_NOCTTY | O_NONBLOCK);
  if (fd < 0 && errno == EPERM)
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  return fd;
}

/* Read a whole log; a log that cannot be read is skipped with a warning. */
static bool read_log(const char *path, const char *name, unsigned char **data,
                     size_t *len, sm_recovery_info *info) {
  *data = NULL;
  *len = 0;
  int fd = open_evidence(path);
  if (fd < 0) {
    sm_recovery_warn(info, "%s skipped: %s", name, strerror(errno));
    return false;
  }
  struct stat st;
  bool ok = false;
  if (fstat(fd, &st) != 0) {
    sm_recovery_warn(info, "%s skipped: %s", name, strerror(errno));
    goto out;
  }
  if (!S_ISREG(st.st_mode)) {
    sm_recovery_warn(info, "%s skipped: not a regular file", name);
    goto out;
  }
  if ((uint64_t)st.st_size > SM_HIVE_MAX_SIZE) {
    sm_recovery_warn(info, "%s skipped: larger than 2 GiB", name);
    goto out;
  }
  size_t size = (size_t)st.st_size;
  unsigned char *buf = malloc(size ? size : 1);
  if (!buf) {
    sm_recovery_warn(info, "%s skipped: out of memory", name);
    goto out;
  }
  size_t done = 0;
  while (done < size) {
    ssize_t r = read(fd, buf + done, size - done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      sm_recovery_warn(info, "%s skipped: %s", name,
                       r < 0 ? strerror(errno) : "file shrank while reading");
      free(buf);
      goto out;
    }
    done += (size_t)r;
  }
  *data = buf;
  *len = size;
  ok = true;
out:
  close(fd);
  return ok;
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
  /* Listing a folder reads it: O_NOATIME keeps its access time too. */
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOATIME);
  if (dfd < 0 && errno == EPERM)
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  if (!d) {
    int e = errno;
    if (dfd >= 0)
      close(dfd);
    sm_recovery_warn(info, "cannot look for transaction logs in %s: %s", dir,
                     strerror(e));
    goto out;
  }
  find_logs(d, base, found);
  closedir(d);

  for (size_t k = 0; k < NSUFFIXES; k++) {
    if (!found[k].name)
      continue;
    size_t n = strlen(dir) + strlen(found[k].name) + 2;
    char *full = malloc(n);
    if (!full) {
      r = sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", path);
      goto out;
    }
    snprintf(full, n, "%s%s%s", dir, slash ? "" : "/", found[k].name);
    unsigned char *data;
    size_t len;
    if (read_log(full, found[k].name, &data, &len, info)) {
      set->logs[set->n].name = found[k].name;
      set->logs[set->n].data = data;
      set->logs[set->n].len = len;
      set->n++;
      found[k].name = NULL; /* the set owns it now */
    }
    free(full);
  }
  if (set->n == 0)
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
