/* What discovery meets besides hives: disk images met while walking a
 * folder with -r, known by their content (source/sniff.c), never by their
 * names: which files of one folder are images to audit, and which are only
 * pieces of another (an E01 segment after the first, the extents a VMDK
 * descriptor names); and the shadow copies a collection keeps as volumes. */
#include <config.h>

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/evidence.h"
#include "source/discover-image.h"
#include "source/image.h"

/* A raw image smaller than this cannot hold a Windows volume (its SYSTEM
 * hive alone is larger); an NTFS boot sector kept as a file ($Boot in a
 * triage collection) is not taken for a disk. */
enum { MIN_RAW = 1 << 20, MAX_DESCRIPTOR = 64 << 10 };

/* The extent names a VMDK text descriptor lists ("RW 8192 SPARSE
 * \"disk-s001.vmdk\""), as found beside it: their flags in take cleared. */
static void drop_extents(int dfd, const char *desc, char *const *names,
                         size_t n, unsigned char *take) {
  unsigned char *buf;
  size_t len;
  if (sm_evidence_read_all(dfd, desc, NULL, SM_EVIDENCE_BENEATH,
                           MAX_DESCRIPTOR, &buf, &len, NULL, NULL) != SM_OK)
    return;
  char *text = malloc(len + 1);
  if (text) {
    memcpy(text, buf, len);
    text[len] = '\0';
    for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
      char *q1 = strchr(line, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
      if (!q2 || (strncmp(line, "RW ", 3) != 0 &&
                  strncmp(line, "RDONLY ", 7) != 0 &&
                  strncmp(line, "NOACCESS ", 9) != 0))
        continue;
      *q2 = '\0';
      const char *ext = strrchr(q1 + 1, '/');
      ext = ext ? ext + 1 : q1 + 1;
      for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], ext) == 0 && strcmp(names[i], desc) != 0)
          take[i] = 0;
    }
    free(text);
  }
  free(buf);
}

unsigned char *sm_folder_images(int dfd, char *const *names, size_t n) {
  unsigned char *take = calloc(n ? n : 1, 1);
  if (!take)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    bool part, desc;
    if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode))
      continue;
    const char *fmt = sm_image_sniff_at(dfd, names[i], &part, &desc);
    if (fmt && !part && (strcmp(fmt, "raw") != 0 || st.st_size >= MIN_RAW))
      take[i] = desc ? 2 : 1;
  }
  for (size_t i = 0; i < n; i++)
    if (take[i] == 2)
      drop_extents(dfd, names[i], names, n, take);
  return take;
}

/* A volume folder named for a shadow copy, as Velociraptor collects it:
 * \\?\GLOBALROOT\Device\HarddiskVolumeShadowCopyN, %-encoded
 * (%5C%5C%3F%5CGLOBALROOT...) or not: N, else 0. */
unsigned sm_shadow_store(const char *path) {
  static const char want[] = "\\\\?\\globalroot\\device\\harddiskvolumeshadowcopy";
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  char dec[256];
  size_t n = 0;
  for (const char *p = base; *p && n + 1 < sizeof dec; p++) {
    unsigned v;
    if (p[0] == '%' && sscanf(p + 1, "%2x", &v) == 1 && isxdigit((unsigned char)p[1]) &&
        isxdigit((unsigned char)p[2])) {
      dec[n++] = (char)v;
      p += 2;
    } else {
      dec[n++] = *p;
    }
  }
  dec[n] = '\0';
  size_t wl = sizeof want - 1;
  if (n <= wl || strncasecmp(dec, want, wl) != 0)
    return 0;
  char *end;
  unsigned long k = strtoul(dec + wl, &end, 10);
  return *end || !isdigit((unsigned char)dec[wl]) || k == 0 || k > 65535
             ? 0
             : (unsigned)k;
}
