#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/grow.h"
#include "source/image-pick.h"
#include "source/image.h"

/* Whether error result hv concerns the hive named only: its volume's
 * (IMAGE:pN, a prefix of it) or its own (the same name). */
static bool error_of(const sm_image_hive *hv, const char *only) {
  size_t n = strlen(hv->name);
  return strncasecmp(hv->name, only, n) == 0 &&
         (only[n] == ':' || only[n] == '\0');
}

/* Called for each hive of the image: the first SYSTEM (not RegBack) is
 * kept, copied; the others are counted and named.  The error of a volume
 * or of a SYSTEM hive is kept too (the first): without a hive named, it
 * may be the Windows volume the command wanted, so it is never passed
 * over (a damaged second Windows volume made show pick the first). */
static void keep(void *ctx, const sm_image_hive *hv) {
  sm_image_pick *p = ctx;
  /* Unnamed, the volume as it is is meant, not its shadow copies. */
  if (!p->only && hv->shadow)
    return;
  if (hv->error && (p->only ? error_of(hv, p->only) : !hv->regback)) {
    if (!p->n_errors++)
      snprintf(p->error, sizeof p->error, "%s", hv->error);
    return;
  }
  if (p->only ? hv->error || strcasecmp(hv->name, p->only) != 0
              : hv->regback || hv->error)
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
  if (hv->file && sm_memfile_dup(hv->file, &p->file, NULL) == SM_OK) {
    p->held = true; /* not copied */
    p->data = (unsigned char *)p->file.data;
  } else {
    p->data = sm_memdup(hv->data, hv->len);
  }
  p->len = hv->len;
  for (size_t k = 0; k < hv->nlogs; k++) {
    snprintf(p->lognames[k], sizeof p->lognames[k], "%s", hv->logs[k].name);
    const sm_hive_log *l = &hv->logs[k];
    p->logs[k] = (sm_hive_log){
        p->lognames[k], l->data ? sm_memdup(l->data, l->len) : NULL, l->len,
        l->error ? strdup(l->error) : NULL, NULL};
    p->nlogs++;
  }
  if (hv->software) {
    p->software = sm_memdup(hv->software, hv->software_len);
    p->software_len = p->software ? hv->software_len : 0;
    if (!p->software)
      p->software_error = strdup("out of memory");
  }
  if (hv->software_error)
    p->software_error = strdup(hv->software_error);
}

size_t sm_image_name_split(const char *name) {
  struct stat st;
  for (const char *c = strstr(name, ":/"); c; c = strstr(c + 1, ":/")) {
    const char *p = c, *q = c;
    /* ":vssK" before ":/" names a shadow copy store of the volume */
    while (q > name && isdigit((unsigned char)q[-1]))
      q--;
    if (q < c && q - name >= 4 && strncasecmp(q - 4, ":vss", 4) == 0)
      p = q - 4;
    size_t len = (size_t)(p - name);
    const char *end = p;
    /* ":pN" before that names the partition */
    while (p > name && isdigit((unsigned char)p[-1]))
      p--;
    if (p < end && p - name >= 3 && p[-1] == 'p' && p[-2] == ':')
      len = (size_t)(p - 2 - name);
    char *image = strndup(name, len);
    bool ok = image && stat(image, &st) == 0 && S_ISREG(st.st_mode) &&
              sm_image_sniff(image) != NULL;
    free(image);
    if (ok)
      return len;
  }
  return 0;
}

sm_result sm_image_pick_one(const char *path, bool *is_image, sm_image_pick *p,
                            sm_error *err) {
  memset(p, 0, sizeof *p);
  struct stat st;
  char *image = NULL;
  size_t len;
  *is_image = sm_image_sniff(path) != NULL;
  if (!*is_image && stat(path, &st) != 0 &&
      (len = sm_image_name_split(path)) > 0) {
    if (!(image = strndup(path, len)))
      return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", path);
    p->only = path;
    *is_image = true;
  }
  if (!*is_image)
    return SM_OK;
  sm_result r = sm_image_walk(image ? image : path, true, keep, p, err);
  free(image);
  if (r != SM_OK)
    return r;
  char more[64] = "";
  if (p->n_errors > 1)
    snprintf(more, sizeof more, " (and %u more errors)", p->n_errors - 1);
  if (p->n_errors && p->n_found)
    return sm_error_set(err, SM_ERR_IO,
                        "%s%s; %s can be read, but this command takes the one "
                        "Windows volume of the image and cannot tell whether "
                        "it was meant: name the hive",
                        p->error, more, p->others);
  if (p->n_errors)
    return sm_error_set(err, SM_ERR_IO, "%s%s", p->error, more);
  if (p->n_found == 0 && p->only)
    return sm_error_set(err, SM_ERR_NOT_FOUND,
                        "%s: no such hive in this disk image", path);
  if (p->n_found == 0)
    return sm_error_set(err, SM_ERR_NOT_FOUND,
                        "%s: no Windows volume could be read in this disk "
                        "image",
                        path);
  if (p->n_found > 1)
    return sm_error_set(err, SM_ERR_LIMIT,
                        "%s: %u Windows volumes (%s): this command takes one "
                        "hive; smaudit scan audits each",
                        path, p->n_found, p->others);
  if (!p->name || !p->origin || !p->data)
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", path);
  return SM_OK;
}

void sm_image_pick_free(sm_image_pick *p) {
  free(p->name);
  free(p->origin);
  if (p->held)
    sm_memfile_close(&p->file);
  else
    free(p->data);
  for (size_t k = 0; k < p->nlogs; k++) {
    free((void *)p->logs[k].data);
    free((void *)p->logs[k].error);
  }
  free(p->software);
  free(p->software_error);
  memset(p, 0, sizeof *p);
}

sm_result sm_image_pick_open(const sm_image_pick *p, unsigned flags,
                             sm_hive **out, sm_error *err) {
  if (p->held)
    return sm_hive_open_memfile(p->name, &p->file, p->logs, p->nlogs, flags,
                                out, err);
  return sm_hive_open_mem(p->name, p->data, p->len, p->logs, p->nlogs, flags,
                          out, err);
}

sm_result sm_image_open_software(const unsigned char *data, size_t len,
                                 const char *error, sm_hive **out,
                                 sm_error *err) {
  *out = NULL;
  if (error)
    return sm_error_set(err, SM_ERR_IO, "SOFTWARE: %s", error);
  if (!data)
    return SM_ERR_NOT_FOUND;
  return sm_hive_open_mem("SOFTWARE", data, len, NULL, 0,
                          SM_OPEN_NO_HASH | SM_OPEN_NO_RECOVER, out, err);
}

sm_result sm_source_open_hive(const char *path, unsigned flags, sm_hive **h,
                              sm_error *err) {
  sm_image_pick p;
  bool is_image;
  *h = NULL;
  sm_result r = sm_image_pick_one(path, &is_image, &p, err);
  if (r == SM_OK)
    r = is_image ? sm_image_pick_open(&p, flags, h, err)
                 : sm_hive_open(path, flags, h, err);
  sm_image_pick_free(&p);
  return r;
}
