/* Volume shadow copies through libvshadow (vss.h).  libvshadow reads the
 * volume through a libbfio handle whose reads are The Sleuth Kit's reads
 * of the image at the volume's offset; each store's reads are
 * libvshadow's, handed back to TSK as an external image. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/ext-image.h"
#include "source/tsk-dl.h"
#include "source/vss-dl.h"
#include "source/vss.h"

#define VSS(f) SM_VSS_CALL(f)

/* The VSS identifier, 3808876b-c176-4e48-b7ae-04046e6cc752, as stored at
 * the start of the volume header (offset 0x1e00 of the volume). */
static const unsigned char vss_guid[16] = {0x6b, 0x87, 0x08, 0x38, 0x76, 0xc1,
                                           0x48, 0x4e, 0xb7, 0xae, 0x04, 0x04,
                                           0x6e, 0x6c, 0xc7, 0x52};

bool sm_vss_present(TSK_IMG_INFO *img, uint64_t offset) {
  unsigned char h[64];
  if (tsk_img_read(img, (TSK_OFF_T)(offset + 0x1e00), (char *)h, sizeof h) !=
      (ssize_t)sizeof h) {
    tsk_error_reset();
    return false;
  }
  uint64_t catalog = 0;
  for (int i = 7; i >= 0; i--)
    catalog = catalog << 8 | h[48 + i];
  return memcmp(h, vss_guid, 16) == 0 && h[20] == 1 && catalog != 0;
}

/* The volume as libbfio sees it: TSK's reads of the image at base. */
typedef struct bfio_io {
  TSK_IMG_INFO *img;
  uint64_t base, size, pos;
} bfio_io;

struct sm_vss {
  bfio_io io;
  libbfio_handle_t *handle;
  libvshadow_volume_t *volume;
  int n;
};

static int io_free(intptr_t **io, libbfio_error_t **e) {
  (void)io, (void)e;
  return 1;
}
static int io_clone(intptr_t **dst, intptr_t *src, libbfio_error_t **e) {
  (void)e;
  *dst = src;
  return 1;
}
static int io_open(intptr_t *io, int flags, libbfio_error_t **e) {
  (void)io, (void)e;
  return flags == LIBBFIO_OPEN_READ ? 1 : -1; /* never for writing */
}
static int io_close(intptr_t *io, libbfio_error_t **e) {
  (void)io, (void)e;
  return 0;
}
static ssize_t io_read(intptr_t *h, uint8_t *buf, size_t len,
                       libbfio_error_t **e) {
  (void)e;
  bfio_io *io = (bfio_io *)h;
  if (io->pos >= io->size)
    return 0;
  if (len > io->size - io->pos)
    len = (size_t)(io->size - io->pos);
  ssize_t r = tsk_img_read(io->img, (TSK_OFF_T)(io->base + io->pos),
                           (char *)buf, len);
  if (r < 0) {
    tsk_error_reset();
    return -1;
  }
  io->pos += (uint64_t)r;
  return r;
}
static ssize_t io_write(intptr_t *io, const uint8_t *buf, size_t len,
                        libbfio_error_t **e) {
  (void)io, (void)buf, (void)len, (void)e;
  return -1;
}
static off64_t io_seek(intptr_t *h, off64_t off, int whence,
                       libbfio_error_t **e) {
  (void)e;
  bfio_io *io = (bfio_io *)h;
  int64_t at = whence == SEEK_SET   ? off
               : whence == SEEK_CUR ? (int64_t)io->pos + off
               : whence == SEEK_END ? (int64_t)io->size + off
                                    : -1;
  if (at < 0)
    return -1;
  io->pos = (uint64_t)at;
  return (off64_t)at;
}
static int io_exists(intptr_t *io, libbfio_error_t **e) {
  (void)io, (void)e;
  return 1;
}
static int io_is_open(intptr_t *io, libbfio_error_t **e) {
  (void)io, (void)e;
  return 1;
}
static int io_size(intptr_t *h, size64_t *size, libbfio_error_t **e) {
  (void)e;
  *size = ((bfio_io *)h)->size;
  return 1;
}

/* libvshadow's error as one line, freed. */
static const char *why_of(libvshadow_error_t **e) {
  static char buf[512];
  buf[0] = '\0';
  if (*e) {
    VSS(libvshadow_error_sprint)(*e, buf, sizeof buf);
    VSS(libvshadow_error_free)(e);
  }
  for (char *p = buf; *p; p++)
    if (*p == '\n' || *p == '\r' || *p == '\t')
      *p = ' ';
  return buf[0] ? buf : "unknown error";
}

sm_result sm_vss_open(TSK_IMG_INFO *img, uint64_t offset, uint64_t size,
                      sm_vss **out, int *n, sm_error *err) {
  const char *why = NULL;
  *out = NULL;
  *n = 0;
  if (!sm_vss_load(&why))
    return sm_error_set(err, SM_ERR_IO,
                        "shadow copies need libvshadow and libbfio: %s", why);
  sm_vss *v = calloc(1, sizeof *v);
  if (!v)
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  v->io = (bfio_io){.img = img, .base = offset, .size = size};
  libbfio_error_t *be = NULL;
  libvshadow_error_t *ve = NULL;
  if (VSS(libbfio_handle_initialize)(
          &v->handle, (intptr_t *)&v->io, io_free, io_clone, io_open,
          io_close, io_read, io_write, io_seek, io_exists, io_is_open,
          io_size,
          LIBBFIO_FLAG_IO_HANDLE_NON_MANAGED |
              LIBBFIO_FLAG_IO_HANDLE_CLONE_BY_REFERENCE,
          &be) != 1) {
    VSS(libbfio_error_free)(&be);
    free(v);
    return sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  }
  sm_result r = SM_OK;
  if (VSS(libvshadow_volume_initialize)(&v->volume, &ve) != 1)
    r = sm_error_set(err, SM_ERR_NOMEM, "out of memory");
  else if (VSS(libvshadow_volume_open_file_io_handle)(
               v->volume, v->handle, LIBVSHADOW_OPEN_READ, &ve) != 1)
    r = sm_error_set(err, SM_ERR_CORRUPT,
                     "its shadow copies cannot be read: %s", why_of(&ve));
  else if (VSS(libvshadow_volume_get_number_of_stores)(v->volume, &v->n,
                                                       &ve) != 1)
    r = sm_error_set(err, SM_ERR_CORRUPT,
                     "its shadow copies cannot be listed: %s", why_of(&ve));
  if (r != SM_OK) {
    sm_vss_close(v);
    return r;
  }
  *out = v;
  *n = v->n;
  return SM_OK;
}

static void guid_text(const uint8_t g[16], char out[40]) {
  snprintf(out, 40,
           "{%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x"
           "%02x}",
           g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10],
           g[11], g[12], g[13], g[14], g[15]);
}

sm_result sm_vss_store_info(sm_vss *v, int i, sm_vss_store *s, sm_error *err) {
  libvshadow_store_t *st = NULL;
  libvshadow_error_t *ve = NULL;
  memset(s, 0, sizeof *s);
  s->index = i + 1;
  if (VSS(libvshadow_volume_get_store)(v->volume, i, &st, &ve) != 1)
    return sm_error_set(err, SM_ERR_CORRUPT, "cannot be read: %s",
                        why_of(&ve));
  uint8_t g[16];
  size64_t vs = 0;
  int in = VSS(libvshadow_store_has_in_volume_data)(st, &ve);
  sm_result r = SM_OK;
  if (in < 0 ||
      VSS(libvshadow_store_get_identifier)(st, g, sizeof g, &ve) != 1 ||
      VSS(libvshadow_store_get_creation_time)(st, &s->created, &ve) != 1 ||
      VSS(libvshadow_store_get_volume_size)(st, &vs, &ve) != 1)
    r = sm_error_set(err, SM_ERR_CORRUPT, "cannot be read: %s", why_of(&ve));
  else {
    guid_text(g, s->id);
    s->volume_size = vs;
    s->in_volume = in == 1;
  }
  VSS(libvshadow_store_free)(&st, NULL);
  return r;
}

static ssize_t store_read(void *ctx, uint64_t off, void *buf, size_t len,
                          char *why, size_t why_size) {
  libvshadow_error_t *ve = NULL;
  ssize_t r = VSS(libvshadow_store_read_buffer_at_offset)(
      (libvshadow_store_t *)ctx, buf, len, (off64_t)off, &ve);
  if (r < 0)
    snprintf(why, why_size, "shadow copy read error at byte %llu: %s",
             (unsigned long long)off, why_of(&ve));
  return r;
}

static void store_done(void *ctx) {
  libvshadow_store_t *st = ctx;
  VSS(libvshadow_store_free)(&st, NULL);
}

TSK_IMG_INFO *sm_vss_store_image(sm_vss *v, int i, sm_error *err) {
  libvshadow_store_t *st = NULL;
  libvshadow_error_t *ve = NULL;
  size64_t vs = 0;
  if (VSS(libvshadow_volume_get_store)(v->volume, i, &st, &ve) != 1) {
    sm_error_set(err, SM_ERR_CORRUPT, "cannot be read: %s", why_of(&ve));
    return NULL;
  }
  if (VSS(libvshadow_store_get_volume_size)(st, &vs, &ve) != 1 || vs == 0) {
    sm_error_set(err, SM_ERR_CORRUPT, "its volume size cannot be read: %s",
                 ve ? why_of(&ve) : "0 bytes");
    VSS(libvshadow_store_free)(&st, NULL);
    return NULL;
  }
  static const sm_ext_image_ops ops = {store_read, store_done};
  char name[64];
  snprintf(name, sizeof name, "shadow copy store %d", i + 1);
  return sm_ext_image_open(name, vs, 512, &ops, st, err);
}

void sm_vss_close(sm_vss *v) {
  if (!v)
    return;
  if (v->volume) {
    VSS(libvshadow_volume_close)(v->volume, NULL);
    VSS(libvshadow_volume_free)(&v->volume, NULL);
  }
  if (v->handle)
    VSS(libbfio_handle_free)(&v->handle, NULL);
  free(v);
}
