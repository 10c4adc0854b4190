/* The image's own root store, as trust anchors of kind "image"
 * (checks/sig.h): the certificates of SOFTWARE
 * Microsoft\SystemCertificates\ROOT and AuthRoot, read from the volume's
 * SOFTWARE hive when its first signature is checked.  Each Blob value is a
 * list of properties (id, reserved, length, bytes, little-endian); property
 * 32 is the certificate. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "checks/files.h"
#include "hive/hive.h"

#define CERT_PROP 32u
#define MAX_SOFTWARE ((size_t)1 << 30)

static void blob_certs(sm_anchors *a, const unsigned char *p, size_t n) {
  for (size_t at = 0; n - at >= 12;) {
    uint32_t id = sm_le32(p + at), len = sm_le32(p + at + 8);
    at += 12;
    if (len > n - at)
      return;
    sm_error err;
    if (id == CERT_PROP)
      (void)sm_anchors_add_image(a, p + at, len, &err);
    at += len;
  }
}

static void store(sm_hive *h, const char *path, sm_anchors *a) {
  sm_key k;
  sm_key *subs = NULL;
  size_t n = 0;
  sm_error err;
  if (sm_key_lookup(h, sm_hive_root(h), path, &k, &err) != SM_OK ||
      sm_key_subkeys(h, k, &subs, &n, &err) != SM_OK)
    return;
  for (size_t i = 0; i < n && i < 4096; i++) {
    sm_value **vals = NULL;
    size_t nv = 0;
    if (sm_key_values(h, subs[i], &vals, &nv, &err) != SM_OK)
      continue;
    const sm_value *b = sm_values_pick(vals, nv, "Blob", SM_READ_BY_NAME);
    if (b && b->status == SM_OK && b->data)
      blob_certs(a, b->data, b->len);
    sm_values_free(vals, nv);
  }
  free(subs);
}

bool sm_files_image_roots(sm_volume *vol, sm_anchors *a) {
  sm_vfile vf = {0};
  sm_error err;
  if (vol->find(vol, "Windows\\System32\\config\\SOFTWARE", MAX_SOFTWARE, &vf,
                &err) != SM_OK)
    return false; /* a folder on the way cannot be read */
  if (!vf.data)
    return !vf.exists; /* absent: no roots; there but unread: not known */
  sm_hive *h = NULL;
  bool ok = sm_hive_open_mem("SOFTWARE", vf.data, vf.len, NULL, 0,
                             SM_OPEN_NO_HASH | SM_OPEN_NO_RECOVER, &h,
                             &err) == SM_OK;
  if (ok) {
    store(h, "Microsoft\\SystemCertificates\\ROOT\\Certificates", a);
    store(h, "Microsoft\\SystemCertificates\\AuthRoot\\Certificates", a);
    sm_hive_close(h);
  }
  free(vf.data);
  return ok;
}
