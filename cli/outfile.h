/* Output files (scan -o, recover -o, learn -o): a new file, written whole
 * or not at all.  The content goes to a temporary file beside PATH, which
 * is linked into place when complete: a failure or a signal leaves nothing
 * behind, and a file that appears at PATH meanwhile is never replaced.
 * Errors are reported on standard error, naming PATH. */
#ifndef SM_CLI_OUTFILE_H
#define SM_CLI_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct sm_outfile {
  const char *path;
  int fd; /* the temporary file, -1 when none */
} sm_outfile;

/* Refuse a PATH that exists (as anything, even a dangling link); create
 * the temporary file.  Only one output file at a time per process. */
bool sm_outfile_create(sm_outfile *o, const char *path);
/* Complete: f (when not NULL) is the stream over o->fd, flushed and closed
 * here.  When ok, the content is synced and linked into place.  Either way
 * the temporary file is removed.  Returns whether PATH now holds it. */
bool sm_outfile_finish(sm_outfile *o, FILE *f, bool ok);
/* All of data as a new file at path. */
bool sm_outfile_write(const char *path, const void *data, size_t len);

#endif
