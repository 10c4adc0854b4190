/* Scanning the hives inside a disk image: source/ finds them and reads
 * them into memory, hive/ opens the bytes, and the scan pipeline audits
 * each as it would a hive file.  Runs in the worker process of the image. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/grow.h"
#include "cli/cli.h"
#include "cli/scan.h"
#include "source/image.h"
#include "source/vss.h"

/* The live SYSTEM of the last volume, kept for its RegBack copy: its
 * bytes and logs, copied (the walk frees its own after each hive). */
typedef struct live_copy {
  char *name;
  long partition;
  uint64_t offset;
  unsigned char *data; /* a copy, or file's mapping */
  size_t len;
  sm_memfile file; /* a second holder of the walk's memory file, or none */
  sm_hive_log logs[3];
  size_t nlogs;
} live_copy;

typedef struct image_scan {
  const char *inner; /* the one hive to audit, or NULL */
  size_t n_inner;    /* hives of that name met */
  const sm_scan_options *o;
  sm_baseline_set *set;
  void (*emit)(void *ctx, sm_scan_result *r);
  void *ctx;
  live_copy live;
  /* The live hive's result, held until its RegBack copy has been audited
   * for the history of its findings. */
  bool pending;
  sm_scan_result held;
  /* The shadow copy stores of its volume audited so far, for the time a
   * finding was gone by (sm_scan_history_gone). */
  struct sm_seen stores[SM_VSS_MAX_STORES];
  size_t n_stores;
  /* The results of its older states, emitted after it (live first). */
  sm_scan_result *later;
  size_t n_later;
} image_scan;

static void flush(image_scan *s) {
  if (s->pending) {
    sm_scan_history_gone(&s->held, s->stores, s->n_stores);
    s->emit(s->ctx, &s->held);
    sm_scan_result_free(&s->held);
    s->pending = false;
  }
  s->n_stores = 0;
  for (size_t i = 0; i < s->n_later; i++) {
    s->emit(s->ctx, &s->later[i]);
    sm_scan_result_free(&s->later[i]);
  }
  free(s->later);
  s->later = NULL;
  s->n_later = 0;
}

/* An older state's result r: kept until its live hive's, or emitted now
 * when there is none held (or no memory to keep it). */
static void after_live(image_scan *s, sm_scan_result *r) {
  if (s->pending && sm_grow(&s->later, s->n_later, sizeof *s->later)) {
    s->later[s->n_later++] = *r;
    return;
  }
  s->emit(s->ctx, r);
  sm_scan_result_free(r);
}

/* What a target's openers are handed. */
typedef struct image_item {
  const sm_image_hive *hv;
  const live_copy *live; /* with a RegBack copy: the live hive, or NULL */
} image_item;

static void live_free(live_copy *l) {
  free(l->name);
  if (l->file.fd >= 0)
    sm_memfile_close(&l->file);
  else
    free(l->data);
  for (size_t k = 0; k < l->nlogs; k++) {
    free((void *)l->logs[k].name);
    free((void *)l->logs[k].data);
    free((void *)l->logs[k].error);
    free((void *)l->logs[k].warning);
  }
  memset(l, 0, sizeof *l);
  l->file.fd = -1;
}

/* Keep the live hive hv (a copy) until the next volume's. */
static void live_keep(live_copy *l, const sm_image_hive *hv) {
  live_free(l);
  l->name = strdup(hv->name);
  /* The walk's memory file is held again, not copied. */
  if (hv->file && sm_memfile_dup(hv->file, &l->file, NULL) == SM_OK)
    l->data = (unsigned char *)l->file.data;
  else
    l->data = sm_memdup(hv->data, hv->len);
  l->len = hv->len;
  l->partition = hv->origin.partition;
  l->offset = hv->origin.offset;
  bool failed = false;
  for (size_t k = 0; k < hv->nlogs && !failed; k++) {
    const sm_hive_log *g = &hv->logs[k];
    sm_hive_log *c = &l->logs[k];
    c->name = strdup(g->name);
    c->data = g->data ? sm_memdup(g->data, g->len) : NULL;
    c->len = g->len;
    c->error = g->error ? strdup(g->error) : NULL;
    c->warning = g->warning ? strdup(g->warning) : NULL;
    l->nlogs++;
    failed = !c->name || (g->data && !c->data) || (g->error && !c->error) ||
             (g->warning && !c->warning);
  }
  if (!l->name || !l->data || failed)
    live_free(l); /* out of memory: the copy is not compared */
}

static sm_result open_hive(const sm_scan_target *t, unsigned flags,
                           sm_hive **out, sm_error *err) {
  const sm_image_hive *hv = ((const image_item *)t->open_data)->hv;
  if (hv->file)
    return sm_hive_open_memfile(hv->name, hv->file, hv->logs, hv->nlogs,
                                flags, out, err);
  return sm_hive_open_mem(hv->name, hv->data, hv->len, hv->logs, hv->nlogs,
                          flags, out, err);
}

static sm_result open_live(const sm_scan_target *t, unsigned flags,
                           sm_hive **out, sm_error *err) {
  const live_copy *l = ((const image_item *)t->open_data)->live;
  if (l->file.fd >= 0)
    return sm_hive_open_memfile(l->name, &l->file, l->logs, l->nlogs, flags,
                                out, err);
  return sm_hive_open_mem(l->name, l->data, l->len, l->logs, l->nlogs, flags,
                          out, err);
}

static sm_result open_software(const sm_scan_target *t, sm_hive **out,
                               sm_error *err) {
  const sm_image_hive *hv = ((const image_item *)t->open_data)->hv;
  return sm_image_open_software(hv->software, hv->software_len,
                                hv->software_error, out, err);
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

/* "access time of FILE not protected (not its owner)" for each image file
 * named in list ("; "-separated), as for a hive file. */
static void warn_atime(sm_scan_result *r, const char *list) {
  while (list && *list) {
    const char *end = strstr(list, "; ");
    size_t n = end ? (size_t)(end - list) : strlen(list);
    char msg[4200];
    snprintf(msg, sizeof msg,
             "access time of %.*s not protected (not its owner)", (int)n, list);
    sm_scan_warn(r, msg);
    list += n + (end ? 2 : 0);
  }
}

static void one_hive(void *ctx, const sm_image_hive *hv) {
  image_scan *s = ctx;
  if (!hv->regback && !hv->shadow && !hv->error)
    live_keep(&s->live, hv); /* for its older states, even when not named */
  /* One hive named: it, or the error of its volume (IMAGE:pN). */
  size_t vlen = strlen(hv->name);
  if (s->inner && (hv->error ? strncasecmp(hv->name, s->inner, vlen) != 0 ||
                                   s->inner[vlen] != ':'
                             : strcasecmp(hv->name, s->inner) != 0))
    return;
  s->n_inner++;
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
  image_item item = {.hv = hv};
  /* An older state of the volume whose live hive is held: its RegBack
   * copy, or a hive or error of one of its shadow copies. */
  bool older = (hv->regback || hv->shadow) && s->live.data &&
               s->live.partition == g->partition && s->live.offset == g->offset;
  if (older && !hv->error)
    item.live = &s->live;
  const sm_vss_store *st = hv->shadow;
  sm_scan_shadow shadow = {.id = st && st->id[0] ? (char *)st->id : NULL,
                           .created = st ? st->created : 0,
                           .volume = (char *)hv->shadow_volume,
                           .store = st ? (unsigned)st->index : 0,
                           .path = (char *)g->path};
  sm_scan_target t = {.name = hv->name,
                      .path = hv->name,
                      .role = st            ? "shadow"
                              : hv->regback ? "regback"
                                            : "system",
                      .shadow = st ? &shadow : NULL,
                      .origin = line,
                      .open = open_hive,
                      .open_data = &item,
                      .open_software = open_software,
                      .image = &where,
                      .live = item.live ? item.live->name : NULL,
                      .open_live = open_live,
                      .files_volume = hv->volume};
  sm_scan_result r;
  if (!older)
    flush(s); /* a new volume, or an error */
  char why[1024];
  if (hv->error) {
    sm_scan_result_error(&t, hv->error, &r);
  } else {
    sm_scan(&t, s->o, s->set, &r);
    if (hv->damaged && hv->damaged(hv, why, sizeof why)) {
      /* the audit's own reads (the files it checks) met the damage: it
       * lands here, not on the next result */
      char msg[4096];
      snprintf(msg, sizeof msg,
               "%s: %s: read for the audit of %s, which is not complete",
               g->image, why, hv->name);
      sm_scan_result_free(&r);
      sm_scan_result_error(&t, msg, &r);
    }
  }
  warn_atime(&r, hv->atime_unprotected);
  if (!hv->regback && !hv->shadow && !hv->error) {
    s->held = r;
    s->pending = true;
    return;
  }
  if (item.live && s->pending && !r.error && !s->held.error) {
    /* The store's own RegBack copy is a "regback" state of that store. */
    bool store = st && !hv->regback;
    if (!sm_scan_history_of(&s->held, &r, store ? "shadow" : "regback",
                            store ? st->created : 0, st ? st->id : NULL))
      sm_scan_fail(&s->held, "out of memory");
    if (store && s->n_stores < SM_VSS_MAX_STORES) {
      struct sm_seen *e = &s->stores[s->n_stores++];
      *e = (struct sm_seen){.source = "shadow", .time = st->created};
      snprintf(e->store, sizeof e->store, "%s", st->id);
    }
  }
  if (!older)
    flush(s);
  after_live(s, &r);
}

void sm_scan_disk_image(const char *path, const char *inner,
                        const sm_scan_options *o, sm_baseline_set *set,
                        void (*emit)(void *ctx, sm_scan_result *r), void *ctx) {
  image_scan s = {.inner = inner, .o = o, .set = set, .emit = emit, .ctx = ctx,
                  .live = {.file = {.fd = -1}}};
  sm_error err = {0};
  sm_result r0 = sm_image_walk(path, !set->given, one_hive, &s, &err);
  flush(&s);
  live_free(&s.live);
  if (r0 == SM_OK && (!inner || s.n_inner))
    return;
  if (r0 == SM_OK)
    sm_error_set(&err, SM_ERR_NOT_FOUND, "%s: no such hive in this disk image",
                 inner);
  sm_scan_image where = {.file = (char *)path, .partition = -1};
  sm_scan_target t = {.name = inner ? inner : path,
                      .path = path,
                      .role = "system",
                      .image = &where};
  sm_scan_result r;
  sm_scan_result_error(&t, err.msg, &r);
  emit(ctx, &r);
  sm_scan_result_free(&r);
}

static sm_result open_picked(const sm_scan_target *t, unsigned flags,
                             sm_hive **out, sm_error *err) {
  return sm_image_pick_open(t->open_data, flags, out, err);
}

static sm_result open_picked_software(const sm_scan_target *t, sm_hive **out,
                                      sm_error *err) {
  const sm_image_pick *p = t->open_data;
  return sm_image_open_software(p->software, p->software_len,
                                p->software_error, out, err);
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
