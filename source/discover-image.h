/* Disk images among the files of a folder, for discovery with -r. */
#ifndef SM_SOURCE_DISCOVER_IMAGE_H
#define SM_SOURCE_DISCOVER_IMAGE_H

#include <stddef.h>

/* For each of names[0..n), the entries of the folder dfd: non-zero when
 * it is a regular file (not a link) holding a disk image to audit, judged
 * by content: not an E01 segment after the first, not an extent that a
 * VMDK descriptor beside it names, not a raw "image" under 1 MiB (a boot
 * sector kept as a file).  Caller-frees; NULL when out of memory. */
unsigned char *sm_folder_images(int dfd, char *const *names, size_t n);

/* A volume folder named for a shadow copy, as Velociraptor collects it:
 * \\?\GLOBALROOT\Device\HarddiskVolumeShadowCopyN, %-encoded
 * (%5C%5C%3F%5CGLOBALROOT...) or not, in any case: N (1 to 65535) from the
 * last component of path, else 0. */
unsigned sm_shadow_store(const char *path);

#endif
