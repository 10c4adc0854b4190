/* Host identity (checks/host.h), read through hive/ only. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "checks/host.h"

static sm_value *value_of(sm_hive *h, sm_key base, const char *path,
                          const char *name) {
  sm_key k;
  sm_value *v = NULL;
  if (sm_key_lookup(h, base, path, &k, NULL) != SM_OK ||
      sm_key_value(h, k, name, &v, NULL) != SM_OK)
    return NULL;
  if (v->status != SM_OK) {
    sm_value_free(v);
    return NULL;
  }
  return v;
}

/* A string value, cut at SM_HOST_MAX bytes on a character boundary;
 * NULL when absent, empty or not a string. */
static char *string_of(sm_hive *h, sm_key base, const char *path,
                       const char *name) {
  sm_value *v = value_of(h, base, path, name);
  const char *s;
  char *out = NULL;
  if (v && sm_value_string(v, &s) == SM_OK && s[0]) {
    size_t n = strlen(s);
    if (n > SM_HOST_MAX) {
      n = SM_HOST_MAX;
      while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    }
    out = strndup(s, n);
  }
  sm_value_free(v);
  return out;
}

static bool dword_of(sm_hive *h, sm_key base, const char *path,
                     const char *name, uint32_t *out) {
  sm_value *v = value_of(h, base, path, name);
  bool ok = v && sm_value_dword(v, out) == SM_OK;
  sm_value_free(v);
  return ok;
}

static void software_of(sm_hive *sw, sm_host *out) {
  static const char cv[] = "Microsoft\\Windows NT\\CurrentVersion";
  sm_key root = sm_hive_root(sw);
  sm_key k;
  if (sm_key_lookup(sw, root, cv, &k, NULL) != SM_OK)
    return;
  out->has_software = true;
  char *product = string_of(sw, root, cv, "ProductName");
  char *sp = string_of(sw, root, cv, "CSDVersion");
  if (product && sp) {
    size_t n = strlen(product) + strlen(sp) + 2;
    char *both = malloc(n);
    if (both)
      snprintf(both, n, "%s %s", product, sp);
    free(product);
    product = both;
  }
  free(sp);
  out->product = product;
  char *build = string_of(sw, root, cv, "CurrentBuildNumber");
  if (!build)
    build = string_of(sw, root, cv, "CurrentBuild");
  uint32_t ubr;
  if (build && dword_of(sw, root, cv, "UBR", &ubr)) {
    size_t n = strlen(build) + 16;
    char *full = malloc(n);
    if (full)
      snprintf(full, n, "%s.%lu", build, (unsigned long)ubr);
    free(build);
    build = full;
  }
  out->build = build;
  uint32_t installed;
  if (dword_of(sw, root, cv, "InstallDate", &installed))
    out->install_date = installed;
}

void sm_host_read(sm_hive *h, sm_key cs_key, sm_hive *software, sm_host *out) {
  memset(out, 0, sizeof *out);
  if (cs_key) {
    out->computer_name = string_of(h, cs_key, "Control\\ComputerName\\ComputerName",
                                   "ComputerName");
    out->time_zone = string_of(h, cs_key, "Control\\TimeZoneInformation",
                               "TimeZoneKeyName");
    if (!out->time_zone)
      out->time_zone = string_of(h, cs_key, "Control\\TimeZoneInformation",
                                 "StandardName");
    sm_value *v = value_of(h, cs_key, "Control\\Windows", "ShutdownTime");
    if (v && v->type == SM_REG_BINARY && v->len == 8)
      out->shutdown_time = sm_le64(v->data);
    sm_value_free(v);
  }
  if (software)
    software_of(software, out);
}

void sm_host_free(sm_host *h) {
  free(h->computer_name);
  free(h->time_zone);
  free(h->product);
  free(h->build);
  memset(h, 0, sizeof *h);
}
