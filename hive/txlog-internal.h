/* The transaction log replay's parts, shared between its files; not for
 * other layers.
 *
 *   hive/txlog.c      checking the logs, the bound on what a replay may
 *                     grow, the old format (a dirty vector), the replay;
 *   hive/txlog-new.c  the new format (HvLE entries, dual logging).
 */
#ifndef SM_HIVE_TXLOG_INTERNAL_H
#define SM_HIVE_TXLOG_INTERNAL_H

#include "hive/hive-internal.h"

#define BASE_SIZE 4096u
#define SECTOR 512u
#define ENTRY_HEADER 40u

/* The image a replay writes: a heap buffer grown with realloc, or memory
 * grown by the caller's function (a memory file: sm_txlog_grow_fn). */
typedef struct timg {
  unsigned char *p;
  size_t len;
  sm_txlog_grow_fn grow;
  void *ctx;
} timg;

/* Make the image at least len bytes long, zero-filling what is new. */
sm_result sm_txlog_grow_image(timg *m, size_t len, const char *log,
                              sm_error *err);
/* Add name to info->logs, once. */
void sm_txlog_note_used(sm_recovery_info *info, const char *name);

enum log_kind { LOG_SKIP, LOG_OLD, LOG_NEW };

/* hive/txlog-new.c: replay the logs of kind LOG_NEW onto m. */
sm_result sm_txlog_replay_new(timg *m, const sm_txlog *logs, size_t nlogs,
                              const enum log_kind *kind, uint64_t limit,
                              bool primary_ok, bool alternate,
                              sm_recovery_info *info, sm_error *err);

#endif
