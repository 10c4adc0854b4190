/* Which machine a SYSTEM hive belongs to: its computer name, time zone and
 * last shutdown (from the control set), and, from a SOFTWARE hive beside
 * it, the product, build and install date.  Every string is as stored
 * (attacker-controlled: escape it on output), cut at SM_HOST_MAX bytes. */
#ifndef SM_CHECKS_HOST_H
#define SM_CHECKS_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "hive/hive.h"

#define SM_HOST_MAX 256 /* bytes kept of each string */

typedef struct sm_host {
  char *computer_name; /* Control\ComputerName\ComputerName */
  char *time_zone;     /* Control\TimeZoneInformation TimeZoneKeyName, or
                          StandardName (XP) */
  uint64_t shutdown_time; /* Control\Windows ShutdownTime, FILETIME; 0 */
  /* From SOFTWARE, Microsoft\Windows NT\CurrentVersion: */
  char *product;          /* ProductName, with CSDVersion when set */
  char *build;            /* CurrentBuildNumber (or CurrentBuild), ".UBR" */
  int64_t install_date;   /* InstallDate, Unix time; 0 unknown */
  bool has_software;      /* a SOFTWARE hive was read */
  bool software_contradicts; /* it claims another family than the SYSTEM
                                hive shows (checks/detect.h): its product
                                and build are not this machine's */
} sm_host;

/* Read what h (current control set cs_key) and software (NULL: none)
 * say.  Out of memory leaves fields NULL. */
void sm_host_read(sm_hive *h, sm_key cs_key, sm_hive *software, sm_host *out);
void sm_host_free(sm_host *h);

/* checks/hivekind.c: the kind of hive h is, from its content (the root
 * key's subkeys; else the file name in its base block): "SYSTEM",
 * "SOFTWARE", "SAM", "SECURITY", "DEFAULT", "NTUSER.DAT", "UsrClass.dat",
 * "Amcache.hve", "BCD", "COMPONENTS", "DRIVERS"; NULL when unknown. */
const char *sm_hive_kind(sm_hive *h);

#endif
