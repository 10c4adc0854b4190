/* The files of a disk image that libtsk and the libraries under it open
 * themselves, checked like any evidence (source/noatime.c). */
#ifndef SM_SOURCE_NOATIME_H
#define SM_SOURCE_NOATIME_H

#include <stdbool.h>
#include <stddef.h>

/* From begin to end, on this thread, every open() is one of the image
 * named (as the user named it) or of its segments and extents: opened by
 * sm_evidence_open (regular files only, O_NONBLOCK, the access time kept
 * where the kernel allows), the others only by one name in the image's
 * folder, beneath it, following no symbolic link.  Anything else, and any
 * open that could write, is refused (errno EACCES or EROFS); the first
 * refusal is said by sm_noatime_refused. */
void sm_noatime_begin(const char *image);
void sm_noatime_end(void);

/* Between pause(true) and pause(false), open() is as ever: while the
 * caller of the walk is handed what was read. */
void sm_noatime_pause(bool pause);

/* Why an open was refused since begin ("disk.E02: not a regular file (a
 * FIFO)"), or NULL. */
const char *sm_noatime_refused(void);

/* The image files whose access time could not be kept (not their owner,
 * no read-only view), since begin: their names, "; "-separated, or "". */
const char *sm_noatime_unprotected(void);

#endif
