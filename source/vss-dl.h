/* libvshadow and libbfio, loaded when the first volume with shadow copies
 * is read (vss-dl.c), as libtsk is (tsk-dl.h): a run that meets no shadow
 * copy never loads them.  Included by vss.c after <libvshadow.h>: each
 * function it calls is taken from the table sm_vss_dl. */
#ifndef SM_SOURCE_VSS_DL_H
#define SM_SOURCE_VSS_DL_H

#include <stdbool.h>

#include <libbfio.h>
#include <libvshadow.h>

#define SM_BFIO_FUNCTIONS(X)                                                   \
  X(libbfio_handle_initialize)                                                 \
  X(libbfio_handle_free)                                                       \
  X(libbfio_error_free)

#define SM_VSHADOW_FUNCTIONS(X)                                                \
  X(libvshadow_error_sprint)                                                   \
  X(libvshadow_error_free)                                                     \
  X(libvshadow_volume_initialize)                                              \
  X(libvshadow_volume_open_file_io_handle)                                     \
  X(libvshadow_volume_close)                                                   \
  X(libvshadow_volume_free)                                                    \
  X(libvshadow_volume_get_number_of_stores)                                    \
  X(libvshadow_volume_get_store)                                               \
  X(libvshadow_store_free)                                                     \
  X(libvshadow_store_has_in_volume_data)                                       \
  X(libvshadow_store_get_identifier)                                           \
  X(libvshadow_store_get_creation_time)                                        \
  X(libvshadow_store_get_volume_size)                                          \
  X(libvshadow_store_read_buffer_at_offset)

struct sm_vss_table {
#define SM_VSS_FIELD(f) __typeof__(&f) f;
  SM_BFIO_FUNCTIONS(SM_VSS_FIELD)
  SM_VSHADOW_FUNCTIONS(SM_VSS_FIELD)
#undef SM_VSS_FIELD
};
extern struct sm_vss_table sm_vss_dl;

/* Load both once: true when every function is there; else false and *why
 * says why (dlerror's words). */
bool sm_vss_load(const char **why);

#ifndef SM_VSS_DL_SELF
#define SM_VSS_CALL(f) sm_vss_dl.f
#endif

#endif
