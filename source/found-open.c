/* Reading a hive where discovery found it (source/discover.h,
 * sm_found_open): through descriptors from the target folder down, so
 * that nothing swapped in after discovery is read in its place. */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/evidence.h"
#include "hive/hive.h"
#include "source/discover.h"

/* The folder that holds f, opened from the target folder down, one name
 * at a time beneath the last, following no link; checked to be the one
 * discovery saw.  Its fd, or -1 with err set. */
static int open_held_dir(const sm_found *f, sm_error *err) {
  size_t root_len = f->rel;
  while (root_len > 1 && f->target[root_len - 1] == '/')
    root_len--;
  char *root = strndup(f->target, root_len ? root_len : 1);
  char *rel = strdup(f->target + f->rel);
  int fd = -1;
  if (!root || !rel) {
    sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", f->target);
    goto out;
  }
  sm_evidence_file ev;
  /* The folder the user named is opened as named (the user chose it). */
  if (sm_evidence_open(AT_FDCWD, root_len ? root : ".", NULL, SM_EVIDENCE_DIR,
                       &ev, err) != SM_OK)
    goto out;
  fd = ev.fd;
  char *slash = strrchr(rel, '/');
  if (slash)
    *slash = '\0';
  for (char *c = slash ? strtok(rel, "/") : NULL; c; c = strtok(NULL, "/")) {
    sm_error e = {0};
    sm_result r = sm_evidence_open(fd, c, NULL,
                                   SM_EVIDENCE_DIR | SM_EVIDENCE_BENEATH, &ev,
                                   &e);
    close(fd);
    fd = r == SM_OK ? ev.fd : -1;
    if (fd < 0) {
      sm_error_set(err, SM_ERR_IO,
                   "%s: changed since it was found: its folder %s cannot be "
                   "opened as found (%s); nothing else is read in its place",
                   f->target, c, e.msg);
      goto out;
    }
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_dev != f->dir_dev ||
      st.st_ino != f->dir_ino) {
    sm_error_set(err, SM_ERR_IO,
                 "%s: changed since it was found: its folder is another one "
                 "now; nothing else is read in its place",
                 f->target);
    close(fd);
    fd = -1;
  }
out:
  free(root);
  free(rel);
  return fd;
}

/* The descriptor the last hive was read through: kept until the next (the
 * hive's path names it), closed then. */
static int held_fd = -1;

sm_result sm_found_open(const sm_found *f, unsigned flags,
                        struct sm_hive **out, sm_error *err) {
  *out = NULL;
  if (!f->held || !f->path)
    return sm_hive_open(f->path, flags, out, err);
  int fd = open_held_dir(f, err);
  if (fd < 0)
    return SM_ERR_IO;
  const char *base = strrchr(f->path, '/');
  base = base ? base + 1 : f->path;
  char *via = NULL;
  /* "/." so that the folder of the logs is the descriptor's own. */
  if (asprintf(&via, "/proc/self/fd/%d/./%s", fd, base) < 0) {
    close(fd);
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", f->target);
  }
  struct stat st;
  sm_result r;
  if (stat(via, &st) != 0 && stat("/proc/self/fd", &st) != 0) {
    /* No /proc: the folder is checked, the path read as before. */
    close(fd);
    free(via);
    return sm_hive_open(f->path, flags, out, err);
  }
  r = sm_hive_open(via, flags, out, err);
  size_t vl = strlen(via);
  if (r != SM_OK && err && strncmp(err->msg, via, vl) == 0) {
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s%s", f->path, err->msg + vl);
    snprintf(err->msg, sizeof err->msg, "%s", msg);
  }
  free(via);
  if (held_fd >= 0)
    close(held_fd);
  held_fd = fd;
  return r;
}
