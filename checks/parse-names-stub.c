/* Stand-in for the parser names and fields until checks/parse*.c land:
 * the three functions the baseline loader needs, following the field table
 * of docs/baselines.md.  To be dropped when the parsers are merged. */
#include <config.h>

#include <string.h>

#include "checks/parse.h"

static const struct {
  const char *name;
  sm_parser p;
  const char *fields[16];
} parsers[] = {
    {"csrss",
     SM_PARSE_CSRSS,
     {"image", "serverdlls", "serverdll-names", "duplicate-indices",
      "bad-serverdlls", "parameters", "unknown-parameters",
      "duplicate-parameters", "objectdirectory", "sharedsection", "windows",
      "subsystemtype", "profilecontrol", "maxrequestthreads", NULL}},
    {"path-list",
     SM_PARSE_PATH_LIST,
     {"entries", "before-system", "relative", "unc", "user-writable",
      "empty-entries", "has-system", NULL}},
    {"list", SM_PARSE_LIST, {"entries", NULL}},
    {"paging-files", SM_PARSE_PAGING_FILES, {"entries", "paths", NULL}},
    {"pending-renames",
     SM_PARSE_PENDING_RENAMES,
     {"sources", "destinations", "deletes", "renames", "critical", "unpaired",
      NULL}},
    {"boot-execute",
     SM_PARSE_BOOT_EXECUTE,
     {"entries", "programs", "autochk-args", NULL}},
    {"subsystems",
     SM_PARSE_SUBSYSTEMS,
     {"required", "optional", "names", "undefined", "unreferenced", "images",
      "debug", NULL}},
    {"known-dlls",
     SM_PARSE_KNOWN_DLLS,
     {"names", "dlls", "mismatched", "dll-directory", "dll-directory32",
      NULL}},
    {"select",
     SM_PARSE_SELECT,
     {"current", "default", "last-known-good", "failed", "current-vs-default",
      "control-sets", "dangling", NULL}},
};

bool sm_parser_parse(const char *name, sm_parser *out) {
  for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++)
    if (strcmp(name, parsers[i].name) == 0) {
      *out = parsers[i].p;
      return true;
    }
  return false;
}

bool sm_parser_has_field(sm_parser p, const char *name) {
  for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++) {
    if (parsers[i].p != p)
      continue;
    for (size_t k = 0; parsers[i].fields[k]; k++)
      if (strcmp(name, parsers[i].fields[k]) == 0)
        return true;
  }
  return false;
}

bool sm_parser_is_key_level(sm_parser p) {
  return p == SM_PARSE_SUBSYSTEMS || p == SM_PARSE_KNOWN_DLLS ||
         p == SM_PARSE_SELECT;
}
