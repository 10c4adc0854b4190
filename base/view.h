/* A private read-only view of the file system (view.c), through which
 * evidence is read where smaudit cannot keep its access time otherwise
 * and where hivex reads a hive in place on a writable file system. */
#ifndef SM_BASE_VIEW_H
#define SM_BASE_VIEW_H

#include <stdbool.h>

/* Make the view now, once per process (later calls do nothing): before
 * worker processes are started, so that they inherit it.  Made when first
 * needed otherwise.  Where none can be made, sm_view_status says why
 * ("private read-only view" when there is one). */
void sm_view_prepare(void);
const char *sm_view_status(void);

/* When the regular file or folder open at *fd is on a writable mount, open it again
 * read-only through the view, close the first descriptor and return true;
 * false (and *fd untouched) when there is no view, or the file is not
 * reached through it. */
bool sm_view_take(int *fd);

#endif
