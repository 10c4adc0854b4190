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

#include "source/discover.h"

typedef struct sm_outfile {
  const char *path;
  int fd;       /* the temporary file, -1 when none */
  bool replace; /* PATH exists and is replaced, atomically */
  int err;      /* the first write error of the stream */
} sm_outfile;

/* Refuse a PATH that exists (as anything, even a dangling link), unless
 * replace and it is a regular file; create the temporary file.  Only one
 * output file at a time per process.  Until finished, every signal that
 * would end the process removes the temporary file first. */
bool sm_outfile_create(sm_outfile *o, const char *path, bool replace);
/* A stream over the temporary file (on failure, said, and o finished):
 * its first write error is the one finish reports. */
FILE *sm_outfile_stream(sm_outfile *o);
/* Complete: f (when not NULL) is the stream over o->fd, flushed and closed
 * here.  When ok, the content is synced and linked into place.  Either way
 * the temporary file is removed.  Returns whether PATH now holds it. */
bool sm_outfile_finish(sm_outfile *o, FILE *f, bool ok);
/* All of data as a new file at path (replace: or over the regular file
 * there, atomically). */
bool sm_outfile_write(const char *path, const void *data, size_t len,
                      bool replace);

/* Where an output file must not go (each says why on stderr, and returns
 * false).  Never the hive itself (by device and inode: a link to it under
 * any name).  Beside a hive (in its folder or below): never under the
 * hive's own name or its logs' (HIVE.LOG, .LOG1, .LOG2, in any case),
 * which a later audit would read; any other name only with force, which
 * says the folder is not evidence. */
bool sm_outfile_check_beside(const char *out, const char *hive, bool force);
/* Inside one of the target folders or volume roots (by device and inode,
 * every parent of out's folder). */
bool sm_outfile_check_dirs(const char *out, const struct sm_dir_id *dirs,
                           size_t n);

#endif
