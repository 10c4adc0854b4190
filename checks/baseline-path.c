/* Where baselines are found: the directories cli/ hands down (from
 * SMAUDIT_BASELINE_PATH), then the installed ones, then, for a smaudit run
 * from its build tree, the baselines beside it. */
#include <config.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/baseline-internal.h"

static char *search_path; /* colon-separated directories, or NULL */

sm_result sm_baseline_set_search_path(const char *dirs) {
  char *copy = NULL;
  if (dirs && !(copy = strdup(dirs)))
    return SM_ERR_NOMEM;
  free(search_path);
  search_path = copy;
  return SM_OK;
}

/* A smaudit run from its build tree, not installed, finds the shipped
 * baselines beside itself (in-tree builds); "" when there are none. */
static char exe_dir[4096];
static pthread_once_t exe_dir_once = PTHREAD_ONCE_INIT;

static void find_exe_dir(void) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return;
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  if (!slash)
    return;
  *slash = '\0';
  char dir[4096 + 16];
  snprintf(dir, sizeof dir, "%s/baselines", self);
  struct stat st;
  if (strlen(dir) < sizeof exe_dir && stat(dir, &st) == 0 &&
      S_ISDIR(st.st_mode))
    memcpy(exe_dir, dir, strlen(dir) + 1);
}

static const char *beside_exe(void) {
  pthread_once(&exe_dir_once, find_exe_dir);
  return exe_dir;
}

bool sm_bl_is_name(const char *s) {
  size_t n = strlen(s);
  if (strchr(s, '/'))
    return false;
  if (n >= 5 && strcmp(s + n - 5, ".yaml") == 0)
    return false;
  if (n >= 4 && strcmp(s + n - 4, ".yml") == 0)
    return false;
  return true;
}

static bool is_regular(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

sm_result sm_bl_find_named(const char *name, char **out) {
  *out = NULL;
  char *dirs = strdup(search_path ? search_path : "");
  if (!dirs)
    return SM_ERR_NOMEM;
  sm_result rc = SM_OK;
  char *save = NULL;
  for (char *d = strtok_r(dirs, ":", &save);; d = strtok_r(NULL, ":", &save)) {
    const char *dir = d ? d : INSTALLED_DIR;
    char *p;
    if (asprintf(&p, "%s/%s.yaml", dir, name) < 0) {
      rc = SM_ERR_NOMEM;
      break;
    }
    if (is_regular(p)) {
      *out = p;
      break;
    }
    free(p);
    if (!d)
      break;
  }
  free(dirs);
  if (rc == SM_OK && !*out && beside_exe()[0]) {
    char *p;
    if (asprintf(&p, "%s/%s.yaml", beside_exe(), name) < 0)
      return SM_ERR_NOMEM;
    if (is_regular(p))
      *out = p;
    else
      free(p);
  }
  return rc;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static sm_result list_dir(const char *dir, char ***names, size_t *n) {
  DIR *d = opendir(dir);
  if (!d)
    return SM_OK;
  sm_result rc = SM_OK;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t len = strlen(de->d_name);
    if (len <= 5 || strcmp(de->d_name + len - 5, ".yaml") != 0)
      continue;
    char *name = strndup(de->d_name, len - 5);
    if (!name) {
      rc = SM_ERR_NOMEM;
      break;
    }
    bool dup = !sm_bl_valid_name(name);
    for (size_t i = 0; !dup && i < *n; i++)
      dup = strcmp((*names)[i], name) == 0;
    if (dup) {
      free(name);
      continue;
    }
    if (!sm_grow(names, *n, sizeof **names)) {
      free(name);
      rc = SM_ERR_NOMEM;
      break;
    }
    (*names)[(*n)++] = name;
  }
  closedir(d);
  return rc;
}

sm_result sm_baseline_list(char ***names, size_t *n, sm_error *err) {
  char **v = NULL;
  size_t count = 0;
  sm_result rc = SM_OK;
  char *dirs = strdup(search_path ? search_path : "");
  if (!dirs)
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  char *save = NULL;
  for (char *d = strtok_r(dirs, ":", &save);; d = strtok_r(NULL, ":", &save)) {
    if ((rc = list_dir(d ? d : INSTALLED_DIR, &v, &count)) != SM_OK) {
      rc = sm_error_set(err, SM_ERR_NOMEM, "out of memory");
      goto out;
    }
    if (!d)
      break;
  }
  if (beside_exe()[0] && (rc = list_dir(beside_exe(), &v, &count)) != SM_OK) {
    rc = sm_error_set(err, SM_ERR_NOMEM, "out of memory");
    goto out;
  }
  if (count)
    qsort(v, count, sizeof *v, cmp_str);
  *names = v;
  *n = count;
  v = NULL;
  count = 0;
out:
  sm_bl_strv_free(v, count);
  free(dirs);
  return rc;
}
