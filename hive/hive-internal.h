/* Internal to hive/: structures and cross-file helpers. */
#ifndef SM_HIVE_INTERNAL_H
#define SM_HIVE_INTERNAL_H

#include <hivex.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "hive/hive.h"

struct sm_hive {
  char *path;
  hive_h *hx;
  int memfd;              /* private copy of the file that hivex reads */
  int srcfd;              /* the evidence, open while it is read in place */
  bool in_place;          /* hivex reads the evidence itself (srcfd): a
                             clean hive on a read-only local mount */
  sm_access access;       /* and through which mount */
  bool via_view;          /* the evidence is read through the view */
  bool borrowed;          /* memfd is a sealed memory file handed in
                             (sm_hive_open_memfile), image read-only */
  unsigned char *image;   /* our mapping of the memfd (written before hivex
                             opens it) or of the evidence read in place;
                             NULL while not needed */
  size_t image_len;
  const unsigned char *bytes; /* what hive/ reads the records from once hivex
                                 has opened the image: hivex's own mapping
                                 of it when found, else image */
  uint64_t file_size;
  struct stat file_stat;  /* of the evidence when it was opened */
  unsigned flags;
  bool atime_unprotected; /* O_NOATIME refused: not the file's owner */
  char **atime_files;     /* every file read so: sm_hive_atime_unprotected */
  size_t n_atime_files;
  sm_base_block base;     /* as read from the file, before any replay */
  sm_recovery_info recovery;
  char sha256[65];
  /* The SHA-256 is computed on a thread, following the copy as it is
   * made and then while hivex opens the image and the audit runs; joined
   * before the copy changes and when asked for.  ready: how many bytes of
   * the image may be hashed; stop: no more will come. */
  pthread_t hasher;
  bool hashing;
  unsigned char *hashbuf; /* the thread's CHUNK, allocated before it starts:
                             a first malloc on a new thread makes glibc
                             map and trim a 64 MiB arena (3 ms here) */
  pthread_mutex_t lock;
  pthread_cond_t more;
  size_t ready;
  bool stop;
  size_t hash_len;               /* bytes hashed */
  int hashfd;                    /* or from this file: the evidence, when
                                    the image is replayed meanwhile; -1:
                                    from the image's file */
  struct sm_child_memo *memo;    /* node.c: subkeys looked up so far */
  sm_key kids_of;                /* subkeys.c: the last key whose subkeys
                                    were read, and those (a run of lookups
                                    under one key reads its list once) */
  sm_key *kids;
  size_t n_kids;
  bool kids_sorted;              /* subkeys.c: kids sorted, by halves */
  sm_hive_note *notes;           /* what reading the keys read so far
                                    found (hive/heal.c) */
  size_t n_notes, cap_notes;
  uint64_t *note_at;             /* the key record of each note */
  uint32_t *note_slot;           /* heal.c: notes by hash (number + 1, 0
                                    empty), note_slots of them */
  size_t note_slots;
};

/* handle.c, for the other ways of opening a hive (memory.c). */
/* A handle with nothing open yet; NULL when out of memory. */
sm_hive *sm_handle_new(const char *path, unsigned flags);
/* Copy len bytes of src into the memfd hivex will read (replacing any
 * earlier one); with hash, the SHA-256 of those bytes is computed (on a
 * thread for a large hive). */
sm_result sm_handle_load(sm_hive *h, const unsigned char *src, size_t len,
                         bool hash, sm_error *err);
/* The image is in the memfd: bound its hive bins, mend its checksum, open
 * hivex. */
sm_result sm_handle_open_image(sm_hive *h, sm_error *err);

/* image.c: the private image, its copy and its hash. */
void sm_image_publish(sm_hive *h, size_t n); /* n bytes may be hashed */
void sm_image_stop_hash(sm_hive *h);         /* no more bytes will come */
void sm_image_start_hash(sm_hive *h);        /* on a thread, when large */
void sm_image_hash_pending(sm_hive *h); /* hash now if no thread could */
void sm_image_finish_hash(sm_hive *h);  /* wait for the digest */
int sm_image_fd(const sm_hive *h);      /* what hivex opens */
/* Once hivex has opened the image: set h->bytes, the mapping hive/ reads
 * records from (image.c says why it is hivex's own). */
sm_result sm_image_share(sm_hive *h, sm_error *err);
/* A memfd of len bytes holding src (zeros when NULL), mapped as h->image. */
sm_result sm_image_memfd(sm_hive *h, const unsigned char *src, size_t len,
                         sm_error *err);
/* The sealed memory file m as the memfd, without a copy (its own
 * descriptor, mapped read-only as h->image). */
sm_result sm_image_adopt(sm_hive *h, const sm_memfile *m, sm_error *err);
/* Before the image is written (its checksum or hive bins size mended):
 * a borrowed one is first copied into a memfd of our own. */
sm_result sm_image_own(sm_hive *h, sm_error *err);
/* sm_txlog_grow_fn for the memfd: grow it and its mapping (h). */
sm_result sm_image_grow(void *h, unsigned char **image, size_t len);
/* Copy len bytes of the evidence into the memfd, publishing each step. */
sm_result sm_image_copy(sm_hive *h, int fd, size_t len, const char *path,
                        sm_error *err);

/* error.c */
sm_result sm_error_from_errno(sm_error *err, int errnum, const char *what);

/* base.c: parse the 4096-byte base block. */
sm_result sm_base_block_parse(const unsigned char *p, size_t len,
                              sm_base_block *out);
uint32_t sm_base_block_checksum(const unsigned char *p);

/* recover.c: the transaction logs found beside a hive, read into memory
 * (in replay order: LOG1, LOG2, LOG). */
typedef struct sm_txlog {
  const char *name; /* what reports call the log (its basename) */
  const unsigned char *data;
  size_t len;
} sm_txlog;

typedef struct sm_logset {
  sm_txlog logs[3];
  bool mapped[3];            /* data is a mapping of the file, not heap */
  char *path[3];             /* the file's path (a fault names it) */
  bool atime_unprotected[3]; /* read without O_NOATIME: not its owner */
  bool dir_atime_unprotected; /* the folder, listed without O_NOATIME */
  size_t n;
} sm_logset;

/* Look for the logs of the hive at path (names in any case) and read them.
 * Resets info; each log that cannot be read, or finding none, is a
 * warning in info.  Never writes any file.  Returns an error only when
 * memory runs out.  Free the set with sm_logset_free. */
sm_result sm_recover_find_logs(const char *path, sm_logset *set,
                               sm_recovery_info *info, sm_error *err);
void sm_logset_free(sm_logset *set);
/* Replay the set onto image (image_len bytes, a private copy of the primary
 * file); alternate: the other outcome where the logs allow two
 * (sm_recovery_info.outcomes).  May grow the image: on return *image and *image_len describe the
 * result (realloc'd).  Returns an error only for a failure that leaves the
 * image unusable. */
sm_result sm_recover_replay(const char *path, const sm_logset *set,
                            bool alternate, unsigned char **image,
                            size_t *image_len, sm_recovery_info *info,
                            sm_error *err);
/* The same onto an image grown by fn (txlog.c: sm_txlog_grow_fn). */
typedef sm_result (*sm_txlog_grow_fn)(void *ctx, unsigned char **image,
                                      size_t len);
sm_result sm_recover_replay_grow(const char *path, const sm_logset *set,
                                 bool alternate, unsigned char **image,
                                 size_t *image_len, sm_txlog_grow_fn fn,
                                 void *ctx, sm_recovery_info *info,
                                 sm_error *err);
/* Both: find the logs, then replay them. */
sm_result sm_recover_apply(const char *path, unsigned char **image,
                           size_t *image_len, sm_recovery_info *info,
                           sm_error *err);

/* name.c: the stored name of the value (vk) or key (nk) record at file
 * offset off, decoded to UTF-8 with any NUL kept (*len bytes, then a NUL);
 * caller-frees.  NULL with errno EINVAL when off is not such a record
 * holding its whole name within the image, ENOMEM. */
char *sm_vk_name(const sm_hive *h, uint64_t off, size_t *len);
char *sm_nk_name(const sm_hive *h, uint64_t off, size_t *len);
/* The stored name bytes of the key record at off (*len bytes, Latin-1 when
 * *narrow, else UTF-16LE); false as sm_nk_name fails.  any_sig: of a
 * record whatever its signature (one Windows' checker would mend). */
bool sm_nk_raw(const sm_hive *h, uint64_t off, bool any_sig,
               const unsigned char **p, size_t *len, bool *narrow);

/* subkeys.c: the subkeys of node as Windows holds them after its
 * load-time checker (hivex's list, or the list as the checker repairs it
 * where hivex cannot read it; then without a subkey out of order after its
 * prior sibling, each removal noted).  *out is caller-frees. */
sm_result sm_key_children(sm_hive *h, sm_key node, sm_key **out, size_t *n,
                          sm_error *err);
/* The error of a key with count subkeys, more than SM_LIST_MAX:
 * "too many subkeys", SM_ERR_LIMIT. */
sm_result sm_key_too_many(sm_hive *h, sm_key key, size_t count,
                          sm_error *err);
/* The subkey of node whose stored name is name (counted, case-insensitive,
 * as Windows compares), or *found 0; a sibling whose name cut at a NUL is
 * name is noted (SM_NOTE_KEY_NAME). */
sm_result sm_key_child(sm_hive *h, sm_key node, const char *name,
                       sm_key *found, sm_error *err);

/* heal.c: Windows' load-time checker, for the keys that are read. */
/* Repairs listed one by one per list (values, subkeys, their order); the
 * rest of a list's are counted in one note: a hostile list of 100,000
 * broken entries is no flood of notes. */
#define SM_HEAL_LISTED 32u
/* The note of a list's repairs past the first SM_HEAL_LISTED, if any:
 * "N more WHAT: Windows' load-time checker removes them from the list". */
sm_result sm_heal_note_rest(sm_hive *h, sm_key key, size_t dropped,
                            const char *what);
/* Bytes of value data per big-data segment: each but the last holds
 * this many (msuhanov/regf, "Data segment"). */
#define SM_BIG_SEGMENT 16344u
/* The allocated cell at hive-bins offset off as Windows' checker sees it
 * (HvIsCellAllocated): 8-aligned within the hive bins, its size negative
 * and within them.  *data is past the size field, *size its bytes. */
bool sm_cell_at(const sm_hive *h, uint32_t off, const unsigned char **data,
                uint32_t *size);
/* Whether data of len (a vk's data size field) is kept in a big-data
 * record: not resident, over SM_BIG_SEGMENT, hive version 1.4 or later. */
bool sm_big_data(const sm_hive *h, uint32_t len);
/* Note what reading key found (sm_hive_notes), once: the same note again
 * (the key read again) is found by its hash.  SM_ERR_NOMEM. */
sm_result sm_hive_note_add(sm_hive *h, sm_note_kind kind, uint64_t key,
                           const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sm_hive_notes_free(sm_hive *h);
/* The value records (file offsets, 0-terminated, caller-frees) of key that
 * the checker keeps, each entry it removes noted. */
sm_result sm_heal_values(sm_hive *h, sm_key key, size_t **out, size_t *n,
                         sm_error *err);
/* The subkeys of key that the checker keeps from its subkey list, each
 * entry it removes noted (not yet the order: subkeys.c).  An entry whose
 * record lacks the nk signature is kept: the checker rewrites the
 * signature, which is not modelled (sm_key_child fails closed on it). */
sm_result sm_heal_subkeys(sm_hive *h, sm_key key, sm_key **out, size_t *n,
                          sm_error *err);

/* node.c: forget the subkeys looked up (the handle is closing). */
void sm_child_memo_free(sm_hive *h);

/* marvin32.c: the Marvin32 hash with a 64-bit seed. */
uint64_t sm_marvin32(uint64_t seed, const unsigned char *p, size_t len);


/* Largest hive (and log) that is read: Windows refuses hives past 2 GiB. */
#define SM_HIVE_MAX_SIZE ((uint64_t)2 << 30)
/* The most bytes read from one hive's transaction logs, in all
 * (docs/security.md). */
#define SM_LOG_READ_MAX SM_HIVE_LOG_READ_MAX

/* Replay logs (given in the order LOG1, LOG2, LOG) onto the primary image
 * whose base block is dirty.  Does no I/O, so a fuzzer can drive it: every
 * size, count and offset of the logs is checked before use.  On return
 * *image and *image_len describe the result (realloc'd when it grew); when
 * info->recovered, its base block is clean with a fresh checksum.  Returns
 * an error only when memory runs out. */
sm_result sm_txlog_replay(unsigned char **image, size_t *image_len,
                          const sm_txlog *logs, size_t nlogs, bool alternate,
                          sm_recovery_info *info, sm_error *err);
/* The same with the image grown by fn: make *image (of fewer bytes) len
 * bytes long, what is new reading as zeros, and return SM_OK, or leave it
 * as it is and return an error. */
sm_result sm_txlog_replay_grow(unsigned char **image, size_t *image_len,
                               sm_txlog_grow_fn fn, void *ctx,
                               const sm_txlog *logs, size_t nlogs,
                               bool alternate, sm_recovery_info *info,
                               sm_error *err);
/* Append "; "-separated text to info->warning, truncating when full. */
void sm_recovery_warn(sm_recovery_info *info, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
