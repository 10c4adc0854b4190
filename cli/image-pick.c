#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/image-pick.h"
#include "source/image.h"

static unsigned char *copy(const unsigned char *p, size_t n) {
  unsigned char *c = malloc(n ? n : 1);
  if (c && n)
    memcpy(c, p, n);
  return c;
}

/* Called for each hive of the image: the first SYSTEM (not RegBack) is
 * kept, copied; the others are counted and named. */
static void keep(void *ctx, const sm_image_hive *hv) {
  sm_image_pick *p = ctx;
  if (hv->regback || hv->error)
    return;
  if (p->n_found++) {
    size_t used = strlen(p->others);
    snprintf(p->others + used, sizeof p->others - used, "%s%s",
             used ? ", " : "", hv->name);
    return;
  }
  snprintf(p->others, sizeof p->others, "%s", hv->name);
  p->name = strdup(hv->name);
  char line[2048];
  snprintf(line, sizeof line, "%s (%s), partition %ld, %s", hv->origin.image,
           hv->origin.format, hv->origin.partition, hv->origin.path);
  p->origin = strdup(line);
  p->data = copy(hv->data, hv->len);
  p->len = hv->len;
  for (size_t k = 0; k < hv->nlogs; k++) {
    snprintf(p->lognames[k], sizeof p->lognames[k], "%s", hv->logs[k].name);
    p->logs[k] =
        (sm_hive_log){p->lognames[k], copy(hv->logs[k].data, hv->logs[k].len),
                      hv->logs[k].len};
    p->nlogs++;
  }
  if (hv->software) {
    p->software = copy(hv->software, hv->software_len);
    p->software_len = p->software ? hv->software_len : 0;
  }
}

bool sm_image_pick_one(const char *path, bool *is_image, sm_image_pick *p) {
  memset(p, 0, sizeof *p);
  *is_image = sm_image_sniff(path) != NULL;
  if (!*is_image)
    return true;
  sm_error err = {0};
  if (sm_image_walk(path, true, keep, p, &err) != SM_OK) {
    sm_cli_error("%s", err.msg);
    return false;
  }
  if (p->n_found == 0) {
    sm_cli_error("%s: no Windows volume could be read in this disk image",
                 path);
    return false;
  }
  if (p->n_found > 1) {
    sm_cli_error("%s: %u Windows volumes (%s): this command takes one hive; "
                 "smaudit scan audits each",
                 path, p->n_found, p->others);
    return false;
  }
  if (!p->name || !p->origin || !p->data) {
    sm_cli_error("%s: out of memory", path);
    return false;
  }
  return true;
}

void sm_image_pick_free(sm_image_pick *p) {
  free(p->name);
  free(p->origin);
  free(p->data);
  for (size_t k = 0; k < p->nlogs; k++)
    free((void *)p->logs[k].data);
  free(p->software);
  memset(p, 0, sizeof *p);
}

static sm_result open_picked(const sm_scan_target *t, unsigned flags,
                             sm_hive **out, sm_error *err) {
  const sm_image_pick *p = t->open_data;
  return sm_hive_open_mem(p->name, p->data, p->len, p->logs, p->nlogs, flags,
                          out, err);
}

sm_result sm_image_open_software(const unsigned char *data, size_t len,
                                 sm_hive **out) {
  *out = NULL;
  if (!data)
    return SM_ERR_NOT_FOUND;
  return sm_hive_open_mem("SOFTWARE", data, len, NULL, 0,
                          SM_OPEN_NO_HASH | SM_OPEN_NO_RECOVER, out, NULL);
}

static sm_result open_software(const sm_scan_target *t, sm_hive **out) {
  const sm_image_pick *p = t->open_data;
  return sm_image_open_software(p->software, p->software_len, out);
}

void sm_image_pick_target(sm_image_pick *p, sm_scan_target *t) {
  *t = (sm_scan_target){.name = p->name,
                        .path = p->name,
                        .origin = p->origin,
                        .open = open_picked,
                        .open_data = p,
                        .open_software = open_software};
}

bool sm_cli_open_hive(const char *path, unsigned flags, sm_hive **h) {
  sm_error err = {0};
  sm_image_pick p;
  bool is_image;
  *h = NULL;
  if (!sm_image_pick_one(path, &is_image, &p)) {
    sm_image_pick_free(&p);
    return false;
  }
  sm_result r = is_image ? sm_hive_open_mem(p.name, p.data, p.len, p.logs,
                                            p.nlogs, flags, h, &err)
                         : sm_hive_open(path, flags, h, &err);
  sm_image_pick_free(&p);
  if (r != SM_OK)
    sm_cli_error("%s", err.msg);
  return r == SM_OK;
}
