/* libewf, loaded when the first E01 is read (ewf-dl.c), as libtsk is
 * (tsk-dl.h).  Included by image-ewf.c after <libewf.h>: each function it
 * calls is taken from the table sm_ewf, filled by sm_ewf_load. */
#ifndef SM_SOURCE_EWF_DL_H
#define SM_SOURCE_EWF_DL_H

#include <libewf.h>
#include <stdbool.h>

#define SM_EWF_FUNCTIONS(X)                                                    \
  X(libewf_error_free)                                                         \
  X(libewf_error_sprint)                                                       \
  X(libewf_glob)                                                               \
  X(libewf_glob_free)                                                          \
  X(libewf_handle_close)                                                       \
  X(libewf_handle_free)                                                        \
  X(libewf_handle_get_bytes_per_sector)                                        \
  X(libewf_handle_get_checksum_error)                                          \
  X(libewf_handle_get_media_size)                                              \
  X(libewf_handle_get_number_of_checksum_errors)                               \
  X(libewf_handle_initialize)                                                  \
  X(libewf_handle_open)                                                        \
  X(libewf_handle_read_random)

struct sm_ewf_table {
#define SM_EWF_FIELD(f) __typeof__(&f) f;
  SM_EWF_FUNCTIONS(SM_EWF_FIELD)
#undef SM_EWF_FIELD
};
extern struct sm_ewf_table sm_ewf_fn;

/* Load libewf once: true when every function is there; else false and
 * *why says why (dlerror's words). */
bool sm_ewf_load(const char **why);

#ifndef SM_EWF_DL_SELF
#define libewf_error_free sm_ewf_fn.libewf_error_free
#define libewf_error_sprint sm_ewf_fn.libewf_error_sprint
#define libewf_glob sm_ewf_fn.libewf_glob
#define libewf_glob_free sm_ewf_fn.libewf_glob_free
#define libewf_handle_close sm_ewf_fn.libewf_handle_close
#define libewf_handle_free sm_ewf_fn.libewf_handle_free
#define libewf_handle_get_bytes_per_sector                                     \
  sm_ewf_fn.libewf_handle_get_bytes_per_sector
#define libewf_handle_get_checksum_error                                       \
  sm_ewf_fn.libewf_handle_get_checksum_error
#define libewf_handle_get_media_size sm_ewf_fn.libewf_handle_get_media_size
#define libewf_handle_get_number_of_checksum_errors                            \
  sm_ewf_fn.libewf_handle_get_number_of_checksum_errors
#define libewf_handle_initialize sm_ewf_fn.libewf_handle_initialize
#define libewf_handle_open sm_ewf_fn.libewf_handle_open
#define libewf_handle_read_random sm_ewf_fn.libewf_handle_read_random
#endif

#endif
