/* A volume of a disk image as an sm_volume (image-vol.c), for image.c. */
#ifndef SM_SOURCE_IMAGE_VOL_H
#define SM_SOURCE_IMAGE_VOL_H

#include <tsk/libtsk.h>

#include "source/volume.h"

/* The NTFS file system fs as a volume named name; fs outlives it. */
sm_volume *sm_image_volume_new(TSK_FS_INFO *fs, const char *name);

#endif
