/* What this process makes that must not outlive it: the temporary file an
 * output is written to (cli/outfile.c), the private folder a zip's hives
 * are taken into (source/zip.c).  Its owner removes each when done; a
 * signal that ends the process first removes whatever is still held.  Only
 * the process that held a path removes it: a worker forked meanwhile
 * inherits the handler, and must not remove its parent's. */
#ifndef SM_BASE_CLEANUP_H
#define SM_BASE_CLEANUP_H

#include <stdbool.h>

/* Hold path (copied) for removal on a signal that ends the process; the
 * handler is installed the first time (a signal that has a handler of its
 * own keeps it).  False when out of memory: then nothing is held. */
bool sm_cleanup_hold(const char *path);

/* No longer removed on a signal (its owner removed or kept it). */
void sm_cleanup_release(const char *path);

/* Remove path: a file, or a folder and everything below it, no symbolic
 * link followed.  Async-signal-safe (the handler's own removal). */
void sm_cleanup_remove(const char *path);

#endif
