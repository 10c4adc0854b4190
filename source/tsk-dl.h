/* The Sleuth Kit, loaded when the first disk image is read (tsk-dl.c), not
 * at start-up: libtsk brings 43 shared libraries (libstdc++, libcurl,
 * GnuTLS, ...) whose relocation cost every run more than a whole hivex
 * lookup.  Included by image.c after <tsk/libtsk.h>: each function it calls
 * is taken from the table sm_tsk, filled by sm_tsk_load. */
#ifndef SM_SOURCE_TSK_DL_H
#define SM_SOURCE_TSK_DL_H

#include <stdbool.h>
#include <tsk/libtsk.h>

#define SM_TSK_FUNCTIONS(X)                                                    \
  X(tsk_error_get)                                                             \
  X(tsk_error_reset)                                                           \
  X(tsk_error_set_errno)                                                       \
  X(tsk_error_set_errstr)                                                      \
  X(tsk_fs_close)                                                              \
  X(tsk_fs_dir_close)                                                          \
  X(tsk_fs_dir_get_name)                                                       \
  X(tsk_fs_dir_getsize)                                                        \
  X(tsk_fs_dir_open_meta)                                                      \
  X(tsk_fs_file_attr_get_idx)                                                  \
  X(tsk_fs_file_attr_getsize)                                                  \
  X(tsk_fs_file_close)                                                         \
  X(tsk_fs_file_open_meta)                                                     \
  X(tsk_fs_file_read)                                                          \
  X(tsk_fs_open_img)                                                           \
  X(tsk_fs_type_toname)                                                        \
  X(tsk_img_close)                                                             \
  X(tsk_img_open_external)                                                     \
  X(tsk_img_open_utf8_sing)                                                    \
  X(tsk_img_read)                                                              \
  X(tsk_img_type_supported)                                                    \
  X(tsk_vs_close)                                                              \
  X(tsk_vs_open)                                                               \
  X(tsk_vs_part_get)

struct sm_tsk_table {
#define SM_TSK_FIELD(f) __typeof__(&f) f;
  SM_TSK_FUNCTIONS(SM_TSK_FIELD)
#undef SM_TSK_FIELD
};
extern struct sm_tsk_table sm_tsk;

/* Load libtsk once: true when every function is there; else false and
 * *why says why (dlerror's words). */
bool sm_tsk_load(const char **why);

#ifndef SM_TSK_DL_SELF
#define tsk_error_get sm_tsk.tsk_error_get
#define tsk_error_reset sm_tsk.tsk_error_reset
#define tsk_error_set_errno sm_tsk.tsk_error_set_errno
#define tsk_error_set_errstr sm_tsk.tsk_error_set_errstr
#define tsk_fs_close sm_tsk.tsk_fs_close
#define tsk_fs_dir_close sm_tsk.tsk_fs_dir_close
#define tsk_fs_dir_get_name sm_tsk.tsk_fs_dir_get_name
#define tsk_fs_dir_getsize sm_tsk.tsk_fs_dir_getsize
#define tsk_fs_dir_open_meta sm_tsk.tsk_fs_dir_open_meta
#define tsk_fs_file_attr_get_idx sm_tsk.tsk_fs_file_attr_get_idx
#define tsk_fs_file_attr_getsize sm_tsk.tsk_fs_file_attr_getsize
#define tsk_fs_file_close sm_tsk.tsk_fs_file_close
#define tsk_fs_file_open_meta sm_tsk.tsk_fs_file_open_meta
#define tsk_fs_file_read sm_tsk.tsk_fs_file_read
#define tsk_fs_open_img sm_tsk.tsk_fs_open_img
#define tsk_fs_type_toname sm_tsk.tsk_fs_type_toname
#define tsk_img_close sm_tsk.tsk_img_close
#define tsk_img_open_external sm_tsk.tsk_img_open_external
#define tsk_img_open_utf8_sing sm_tsk.tsk_img_open_utf8_sing
#define tsk_img_read sm_tsk.tsk_img_read
#define tsk_img_type_supported sm_tsk.tsk_img_type_supported
#define tsk_vs_close sm_tsk.tsk_vs_close
#define tsk_vs_open sm_tsk.tsk_vs_open
#define tsk_vs_part_get sm_tsk.tsk_vs_part_get
#endif

#endif
