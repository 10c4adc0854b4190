/* Scanning the hives inside a disk image: source/ finds them and reads
 * them into memory, hive/ opens the bytes, and the scan pipeline audits
 * each as it would a hive file.  Runs in the worker process of the image. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"
#include "source/image.h"

typedef struct image_scan {
  const sm_scan_options *o;
  sm_baseline_set *set;
  void (*emit)(void *ctx, sm_scan_result *r);
  void *ctx;
} image_scan;

static sm_result open_hive(const sm_scan_target *t, unsigned flags,
                           sm_hive **out, sm_error *err) {
  const sm_image_hive *hv = t->open_data;
  return sm_hive_open_mem(hv->name, hv->data, hv->len, hv->logs, hv->nlogs,
                          flags, out, err);
}

static sm_result open_software(const sm_scan_target *t, sm_hive **out) {
  const sm_image_hive *hv = t->open_data;
  return sm_image_open_software(hv->software, hv->software_len, out);
}

/* "disk.E01, partition 6 (Basic data partition, offset 13631488),
 * /Windows/System32/config/SYSTEM": the origin said in one line. */
static void origin_line(const sm_image_origin *g, char *buf, size_t size) {
  int n = snprintf(buf, size, "%s (%s)", g->image, g->format);
  if (n < 0 || (size_t)n >= size)
    return;
  if (g->partition >= 0)
    n +=
        snprintf(buf + n, size - (size_t)n, ", partition %ld (%s, offset %llu)",
                 g->partition, g->description, (unsigned long long)g->offset);
  if (n >= 0 && (size_t)n < size && g->path)
    snprintf(buf + n, size - (size_t)n, ", %s", g->path);
}

static void one_hive(void *ctx, const sm_image_hive *hv) {
  image_scan *s = ctx;
  const sm_image_origin *g = &hv->origin;
  char line[2048];
  origin_line(g, line, sizeof line);
  sm_scan_image where = {.file = (char *)g->image,
                         .format = (char *)g->format,
                         .partition = g->partition,
                         .has_offset = true,
                         .offset = g->offset,
                         .description = (char *)g->description,
                         .path = (char *)g->path};
  sm_scan_target t = {.name = hv->name,
                      .path = hv->name,
                      .role = hv->regback ? "regback" : "system",
                      .origin = line,
                      .open = open_hive,
                      .open_data = (void *)hv,
                      .open_software = open_software,
                      .image = &where};
  sm_scan_result r;
  if (hv->error)
    sm_scan_result_error(&t, hv->error, &r);
  else
    sm_scan(&t, s->o, s->set, &r);
  s->emit(s->ctx, &r);
  sm_scan_result_free(&r);
}

void sm_scan_disk_image(const char *path, const sm_scan_options *o,
                        sm_baseline_set *set,
                        void (*emit)(void *ctx, sm_scan_result *r), void *ctx) {
  image_scan s = {.o = o, .set = set, .emit = emit, .ctx = ctx};
  sm_error err = {0};
  if (sm_image_walk(path, !set->given, one_hive, &s, &err) == SM_OK)
    return;
  sm_scan_image where = {.file = (char *)path, .partition = -1};
  sm_scan_target t = {
      .name = path, .path = path, .role = "system", .image = &where};
  sm_scan_result r;
  sm_scan_result_error(&t, err.msg, &r);
  emit(ctx, &r);
  sm_scan_result_free(&r);
}

static sm_result open_picked(const sm_scan_target *t, unsigned flags,
                             sm_hive **out, sm_error *err) {
  return sm_image_pick_open(t->open_data, flags, out, err);
}

static sm_result open_picked_software(const sm_scan_target *t,
                                      sm_hive **out) {
  const sm_image_pick *p = t->open_data;
  return sm_image_open_software(p->software, p->software_len, out);
}

void sm_image_pick_target(sm_image_pick *p, sm_scan_target *t) {
  *t = (sm_scan_target){.name = p->name,
                        .path = p->name,
                        .origin = p->origin,
                        .open = open_picked,
                        .open_data = p,
                        .open_software = open_picked_software};
}

bool sm_cli_open_hive(const char *path, unsigned flags, sm_hive **h) {
  sm_error err = {0};
  if (sm_source_open_hive(path, flags, h, &err) == SM_OK)
    return true;
  sm_cli_error("%s", err.msg);
  return false;
}
