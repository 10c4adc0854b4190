/* --baseline and --extends: a NAME on the baseline search path, or a FILE,
 * whatever its name. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/baseline.h"
#include "cli/cli.h"

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Whether arg is a name on the search path (true also when the names
 * cannot be listed: the loader then says what it finds); with buf, the
 * names as "a, b or c" (or "none"). */
static bool known_name(const char *arg, char *buf, size_t size) {
  char **names = NULL;
  size_t n = 0, used = 0;
  sm_error err = {0};
  bool found = false;
  if (buf)
    snprintf(buf, size, "none");
  if (sm_baseline_list(&names, &n, &err) != SM_OK)
    return true;
  for (size_t i = 0; i < n; i++) {
    found = found || strcmp(names[i], arg) == 0;
    if (buf && used < size)
      used += (size_t)snprintf(buf + used, size - used, "%s%s",
                               i == 0       ? ""
                               : i + 1 == n ? " or "
                                            : ", ",
                               names[i]);
    free(names[i]);
  }
  free(names);
  return found;
}

const char *sm_cli_baseline_arg(const char *cmd, const char *arg) {
  /* A path, or a name the search path has: as given. */
  if (strchr(arg, '/') || has_suffix(arg, ".yaml") || has_suffix(arg, ".yml") ||
      known_name(arg, NULL, 0))
    return arg;
  /* An existing file in the current folder, whatever its name. */
  struct stat st;
  if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
    /* Kept for the run (reachable from here, never freed). */
    static char **kept;
    static size_t n_kept;
    char **k = realloc(kept, (n_kept + 1) * sizeof *k);
    if (!k || asprintf(&k[n_kept], "./%s", arg) < 0) {
      kept = k ? k : kept;
      sm_cli_error("out of memory");
      return NULL;
    }
    kept = k;
    return kept[n_kept++];
  }
  char names[1024];
  known_name(arg, names, sizeof names);
  sm_cli_error("%s: unknown baseline '%s': not a file, nor a name on the "
               "search path (known: %s)",
               cmd, arg, names);
  return NULL;
}
