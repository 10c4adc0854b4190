/* Keep the access time of image files that libtsk opens (source/noatime.c). */
#ifndef SM_SOURCE_NOATIME_H
#define SM_SOURCE_NOATIME_H

/* From begin to end, read-only opens on this thread add O_NOATIME where
 * the kernel allows it. */
void sm_noatime_begin(void);
void sm_noatime_end(void);

#endif
