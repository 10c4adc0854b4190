/* A file read through a mapping can be truncated by someone else while it
 * is read: the next access to a page past the new end raises SIGBUS.  One
 * handling for every command: the line that names the file is prepared
 * when it is mapped, and the fault writes it to standard error and ends
 * the process with status 2 (a one-line error, not a silent death). */
#ifndef SM_BASE_FAULT_H
#define SM_BASE_FAULT_H

#include <stddef.h>

/* Writes into buf (size bytes) the whole line said on a fault, newline
 * included: the program sets one that escapes file for a terminal. */
typedef void (*sm_fault_format_fn)(char *buf, size_t size, const char *file,
                                   const char *reason);
void sm_fault_set_format(sm_fault_format_fn fn);

/* file is mapped from now until sm_fault_disarm(file): a SIGBUS meanwhile
 * says "FILE: reason".  The latest armed file still mapped is the one
 * named.  Installs the handler the first time. */
void sm_fault_arm(const char *file, const char *reason);
void sm_fault_disarm(const char *file);

/* In a worker whose parent reports how it ended: a SIGBUS ends it by that
 * signal, silently, for the parent to say why. */
void sm_fault_quiet(void);

#endif
