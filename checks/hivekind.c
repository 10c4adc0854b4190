/* Which kind of hive a file is, by its content: the root key's subkeys,
 * then the file name its base block stores (never the file's own name). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/host.h"

static bool has(sm_hive *h, const char *name) {
  sm_key k;
  return sm_key_lookup(h, sm_hive_root(h), name, &k, NULL) == SM_OK;
}

/* The base block's file name ends in name (case-insensitive). */
static bool named(sm_hive *h, const char *name) {
  const char *f = sm_hive_base(h)->file_name;
  size_t n = strlen(f), m = strlen(name);
  return n >= m && strcasecmp(f + n - m, name) == 0 &&
         (n == m || f[n - m - 1] == '\\');
}

const char *sm_hive_kind(sm_hive *h) {
  if (has(h, "Select") && has(h, "ControlSet001"))
    return "SYSTEM";
  if (has(h, "SAM") && has(h, "SAM\\Domains"))
    return "SAM";
  if (has(h, "Policy") && (has(h, "RXACT") || has(h, "Cache")))
    return "SECURITY";
  if (has(h, "Objects") && has(h, "Description"))
    return "BCD";
  if (has(h, "Root") && (has(h, "Root\\InventoryApplicationFile") ||
                         has(h, "Root\\File") || has(h, "Root\\Programs")))
    return "Amcache.hve";
  if (has(h, "Microsoft\\Windows NT\\CurrentVersion") ||
      (has(h, "Microsoft") &&
       (has(h, "Classes") || has(h, "Policies") || has(h, "Clients"))))
    return "SOFTWARE";
  if (has(h, "Software") && (has(h, "Control Panel") || has(h, "Environment") ||
                             has(h, "Console") || has(h, "AppEvents")))
    return named(h, "DEFAULT") ? "DEFAULT" : "NTUSER.DAT";
  if (has(h, "Local Settings") || named(h, "UsrClass.dat"))
    return "UsrClass.dat";
  static const char *const names[] = {"SYSTEM",     "SOFTWARE",   "SAM",
                                      "SECURITY",   "DEFAULT",    "NTUSER.DAT",
                                      "Amcache.hve", "BCD",       "COMPONENTS",
                                      "DRIVERS",    "UsrClass.dat"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (named(h, names[i]) || (i == 7 && named(h, "BCD-Template")))
      return names[i];
  return NULL;
}
