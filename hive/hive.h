/* smaudit: read-only access to offline registry hives, over libhivex.
 *
 * This layer knows the registry and nothing of baselines.  Every call that
 * can fail returns an sm_result and, when given an sm_error, fills it with a
 * one-line reason.  hivex's errno never leaks above this layer.
 */
#ifndef SM_HIVE_H
#define SM_HIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/memfile.h"
#include "base/result.h"
#include "base/utf8.h" /* sm_utf16le_decode */

/* Registry value types as stored in the hive. */
enum {
  SM_REG_NONE = 0,
  SM_REG_SZ = 1,
  SM_REG_EXPAND_SZ = 2,
  SM_REG_BINARY = 3,
  SM_REG_DWORD = 4,
  SM_REG_DWORD_BIG_ENDIAN = 5,
  SM_REG_LINK = 6,
  SM_REG_MULTI_SZ = 7,
  SM_REG_RESOURCE_LIST = 8,
  SM_REG_FULL_RESOURCE_DESCRIPTOR = 9,
  SM_REG_RESOURCE_REQUIREMENTS_LIST = 10,
  SM_REG_QWORD = 11,
};

/* "REG_SZ" etc.; NULL for a type number Windows does not define. */
const char *sm_type_name(uint32_t type);
/* The name, or "REG_0x1A" for an undefined type written into buf (at least
 * 16 bytes). */
const char *sm_type_label(uint32_t type, char *buf, size_t size);
/* Parse "REG_SZ" (case-insensitive) into *type; false when unknown. */
bool sm_type_parse(const char *name, uint32_t *type);

typedef struct sm_hive sm_hive;

/* A key handle.  0 is never a valid key. */
typedef size_t sm_key;

enum {
  /* Open in hivex's tolerant mode: damaged structures are skipped. */
  SM_OPEN_UNSAFE = 1u << 0,
  /* Do not replay transaction logs even when the hive is dirty. */
  SM_OPEN_NO_RECOVER = 1u << 1,
  /* Do not compute the SHA-256 of the file. */
  SM_OPEN_NO_HASH = 1u << 2,
  /* The hive was found beside the target (a SOFTWARE hive beside SYSTEM):
   * its name is resolved in its folder and no symbolic link is followed
   * (base/evidence.h, SM_EVIDENCE_BENEATH). */
  SM_OPEN_BESIDE = 1u << 3,
  /* Read from a private copy even where the hive could be read in place
   * through the private read-only view. */
  SM_OPEN_COPY = 1u << 4,
  /* Where the transaction logs allow two outcomes (recovery.outcomes),
   * replay the other one. */
  SM_OPEN_LOG_ALTERNATE = 1u << 5,
  /* Compute the SHA-256 on the calling thread, never on a second one:
   * every core is already busy (a batch with a worker per core), where a
   * hashing thread beside each worker only adds switches and, on a
   * virtual machine, TLB shootdowns between its processors. */
  SM_OPEN_HASH_INLINE = 1u << 6,
};

/* How hivex reads the hive (sm_hive_access). */
typedef enum sm_access {
  SM_ACCESS_COPY,     /* a private copy (memfd) */
  SM_ACCESS_RO_MOUNT, /* in place: the file's own mount is read-only */
  SM_ACCESS_RO_VIEW,  /* in place, through the private read-only view */
} sm_access;

/* The base block ("regf", the first 4096 bytes) as stored on disk. */
typedef struct sm_base_block {
  uint32_t seq_primary;   /* offset 4 */
  uint32_t seq_secondary; /* offset 8 */
  uint64_t last_written;  /* FILETIME, offset 12 */
  uint32_t major, minor;  /* format version, offsets 20 and 24 */
  uint32_t file_type;     /* 0 primary, 1/2/6 logs */
  uint32_t file_format;   /* 1 = direct memory load */
  uint32_t root_offset;
  uint32_t hbins_size;    /* "hive bins data size" */
  uint32_t checksum;      /* stored XOR-32 checksum at 508 */
  bool checksum_ok;
  bool dirty;             /* seq_primary != seq_secondary */
  char file_name[256];    /* embedded file name, UTF-8, terminal-unsafe
                             characters not yet escaped */
} sm_base_block;

/* What was done about a dirty hive. */
typedef struct sm_recovery_info {
  bool attempted;        /* logs were looked for */
  bool recovered;        /* at least one log entry was applied */
  unsigned entries;      /* log entries applied */
  unsigned pages;        /* dirty pages written into the image */
  char logs[256];        /* names of the logs used, comma separated */
  char warning[512];     /* why replay stopped early, or "" */
  unsigned outcomes;     /* 2 when the logs allow two outcomes (two logs
                            Windows cannot order, docs/recovery.md):
                            SM_OPEN_LOG_ALTERNATE opens the other; else 1
                            (0 when no replay was attempted) */
  unsigned unread;       /* logs found beside the hive that could not be
                            read (named in warning): the replay, and so
                            the audit, may be incomplete */
} sm_recovery_info;

/* Open a hive file read-only.  Never opens the file for writing and never
 * changes its bytes, size or times.  The file is read once into a private
 * copy that hivex opens, or, on a read-only local mount, read in place
 * (sm_hive_in_place).  On failure *out is NULL and err says
 * which file and why. */
sm_result sm_hive_open(const char *path, unsigned flags, sm_hive **out,
                       sm_error *err);
void sm_hive_close(sm_hive *h); /* NULL is a no-op */

/* A transaction log handed over in memory: name is what reports call it
 * (its basename, "SYSTEM.LOG1"). */
typedef struct sm_hive_log {
  const char *name;
  const unsigned char *data;
  size_t len;
  /* The log is there but could not be read: why (data is NULL).  The
   * replay names it and counts it unread. */
  const char *error;
  /* Said in the recovery warning after the log's name when not NULL ("cut
   * at offset N: ..."). */
  const char *warning;
} sm_hive_log;

/* The most bytes read from one hive's transaction logs, in all
 * (docs/security.md). */
#define SM_HIVE_LOG_READ_MAX ((uint64_t)256 << 20)

/* Read len bytes at off of a log into buf, or an error (reason only). */
typedef sm_result (*sm_log_read_fn)(void *ctx, void *buf, size_t len,
                                    uint64_t off, sm_error *err);

/* Read a transaction log of size bytes through fn, as far as a replay can
 * use it and no more: a small log whole; a new-format log entry header by
 * entry header, so that a sparse or zero-filled tail (of any size, past
 * 2 GiB too) is never read; an old-format log as far as its hive bins size
 * needs.  At most *budget bytes (start from SM_HIVE_LOG_READ_MAX for the
 * logs of one hive), decreased by what was read; a log cut short at the
 * budget says so in cut ("" otherwise).  *data is caller-frees.  Errors:
 * the reason only (a read error, SM_ERR_LIMIT past the budget). */
sm_result sm_hive_read_log(uint64_t size, sm_log_read_fn fn, void *ctx,
                           uint64_t *budget, unsigned char **data, size_t *len,
                           char *cut, size_t cut_size, sm_error *err);

/* Whether a hive of these bytes would be replayed from its logs when
 * opened: its base block is dirty or its checksum wrong. */
bool sm_hive_needs_logs(const unsigned char *data, size_t len);

/* Open a hive whose bytes are already in memory (read out of a disk image,
 * say): data (len bytes) is copied, so it and the logs need only live
 * during the call.  name is what the hive is called in errors and by
 * sm_hive_path.  A dirty hive is replayed from logs (in the order LOG1,
 * LOG2, LOG; nlogs may be 0) exactly as sm_hive_open replays the logs found
 * beside a file; the hash, size and base block are of data as given. */
sm_result sm_hive_open_mem(const char *name, const unsigned char *data,
                           size_t len, const sm_hive_log *logs, size_t nlogs,
                           unsigned flags, sm_hive **out, sm_error *err);
/* The same for the bytes of the sealed memory file m (base/memfile.h),
 * opened where they are: no copy unless the image must be mended (a wrong
 * checksum, hive bins past its end) or replayed. */
sm_result sm_hive_open_memfile(const char *name, const sm_memfile *m,
                               const sm_hive_log *logs, size_t nlogs,
                               unsigned flags, sm_hive **out, sm_error *err);

const char *sm_hive_path(const sm_hive *h);
const sm_base_block *sm_hive_base(const sm_hive *h);
/* Facts of the file as opened: size in bytes, and SHA-256 as 64 lowercase
 * hex digits ("" when SM_OPEN_NO_HASH). */
uint64_t sm_hive_file_size(const sm_hive *h);
const char *sm_hive_sha256(const sm_hive *h);
const sm_recovery_info *sm_hive_recovery(const sm_hive *h);
/* The image hivex reads: the file's bytes, with the transaction logs
 * replayed when recovery->recovered.  Valid until sm_hive_close. */
sm_result sm_hive_image(const sm_hive *h, const unsigned char **data,
                        size_t *len);
bool sm_hive_unsafe(const sm_hive *h); /* opened with SM_OPEN_UNSAFE */
/* True when hivex reads the evidence itself rather than a private copy of
 * it: a hive needing no repair on a local file system, read through a
 * read-only mount (its own, or the private read-only view of the file
 * system when its own is writable), where neither its bytes nor its
 * access time can change through what hivex opens.  sm_hive_access says
 * which; sm_access_name names it for reports ("copy", "read-only-mount",
 * "read-only-view"). */
bool sm_hive_in_place(const sm_hive *h);
sm_access sm_hive_access(const sm_hive *h);
const char *sm_access_name(sm_access a);
/* Make the private read-only view of the file system now, once per
 * process (later calls do nothing): before worker processes are started,
 * so that they inherit it instead of making their own.  sm_hive_open
 * makes it when first needed otherwise.  Where none can be made, a file
 * on a writable file system is copied; sm_hive_view_status says why
 * ("private read-only view" when there is one). */
void sm_hive_prepare_view(void);
const char *sm_hive_view_status(void);
/* The files this open read without O_NOATIME, because the kernel refused
 * it (not their owner, no CAP_FOWNER): the hive, the folder listed for its
 * logs, the logs, by path.  Reading them may have changed their access
 * times: say so ("access time of FILE not protected (not its owner)").
 * Returns the count; *files is valid until sm_hive_close. */
size_t sm_hive_atime_unprotected(const sm_hive *h, const char *const **files);
/* SM_OK when the file read in place is still as it was opened (size,
 * modification and change times); a copy is checked as it is made. */
sm_result sm_hive_check_unchanged(const sm_hive *h, sm_error *err);

sm_key sm_hive_root(const sm_hive *h);

/* Select\Current and friends.  A field is 0 and its has_ flag false when
 * the value is absent or not a DWORD. */
typedef struct sm_select {
  uint32_t current, default_, last_known_good, failed;
  bool has_current, has_default_, has_last_known_good, has_failed;
} sm_select;

sm_result sm_hive_select(sm_hive *h, sm_select *out, sm_error *err);

/* The numbers NNN of every ControlSetNNN key at the root, ascending.
 * *ids is caller-frees (free()). */
sm_result sm_hive_control_sets(sm_hive *h, unsigned **ids, size_t *n,
                               sm_error *err);

/* Resolve CurrentControlSet: the key ControlSet%03u of Select\Current.
 * *id and *key are set on success; a missing Select, a missing Current or
 * a Current that names no control set is an error saying so. */
sm_result sm_hive_current_control_set(sm_hive *h, unsigned *id, sm_key *key,
                                      sm_error *err);
/* The key ControlSet%03u, or SM_ERR_NOT_FOUND. */
sm_result sm_hive_control_set(sm_hive *h, unsigned id, sm_key *key,
                              sm_error *err);

/* Case-insensitive lookup of a backslash-separated path below parent
 * ("Control\\Session Manager\\SubSystems").  Empty path gives parent.
 * Names compare by their stored length (hive/name.c).  A key on the path
 * that is a stored symbolic link (flag KEY_SYM_LINK, a REG_LINK value
 * SymbolicLinkValue naming \Registry\Machine\System\...) is followed as
 * Windows follows it; a link out of this hive, without a target, to a key
 * that does not exist, or more than 16 deep is SM_ERR_CORRUPT or
 * SM_ERR_LIMIT: the audit of that key fails closed. */
sm_result sm_key_lookup(sm_hive *h, sm_key parent, const char *path,
                        sm_key *out, sm_error *err);
/* The first stored link a lookup followed. */
typedef struct sm_key_link {
  bool followed;
  char key[256];    /* the link key's name, as on the path */
  char target[512]; /* its SymbolicLinkValue as stored */
} sm_key_link;
/* sm_key_lookup, saying in *link which stored link it followed. */
sm_result sm_key_lookup_link(sm_hive *h, sm_key parent, const char *path,
                             sm_key *out, sm_key_link *link, sm_error *err);
/* Stored name (UTF-8, caller-frees), as hivex reads it: a C string, cut
 * at a NUL the name holds. */
char *sm_key_name(sm_hive *h, sm_key key);
/* The stored name in full, counted as Windows counts it (hive/name.c):
 * *len bytes of UTF-8, NULs included (and a NUL after them); where the
 * record cannot be read so, hivex's name.  Caller-frees; NULL when out of
 * memory.  Compare with sm_name_eq, show with sm_name_shown. */
char *sm_key_name_counted(sm_hive *h, sm_key key, size_t *len);
/* Last-write time as a Windows FILETIME; 0 when unknown. */
uint64_t sm_key_last_write(sm_hive *h, sm_key key);
/* Subkeys; *keys is caller-frees. */
sm_result sm_key_subkeys(sm_hive *h, sm_key key, sm_key **keys, size_t *n,
                         sm_error *err);

/* A decoded value.  Strings are UTF-8 as stored, but may contain any
 * character, including control characters: escape before printing.
 * Invalid UTF-16 is decoded with U+FFFD in place of each bad unit. */
typedef struct sm_value {
  char *name;          /* "" for the default value; the stored name in
                          full (name_len bytes), which may hold a NUL: as a
                          C string it is the name cut at its first NUL, as
                          smss.exe reads an enumerated value's name */
  size_t name_len;     /* bytes of the stored name, NULs included */
  bool name_nul;       /* the stored name holds a NUL */
  uint32_t type;       /* as stored */
  size_t len;          /* data length in bytes as stored */
  unsigned char *data; /* raw data (len bytes) */
  sm_result status;    /* SM_OK, or why the data could not be read */

  /* Decoded according to type when status is SM_OK: */
  char *str;           /* SZ, EXPAND_SZ, LINK: up to the first NUL */
  char **strv;         /* MULTI_SZ: NULL-terminated list, without the final
                          empty string; empty strings inside are kept */
  size_t nstrv;
  bool unterminated;   /* MULTI_SZ without the final empty string, or a
                          string without its NUL */
  bool odd_length;     /* a UTF-16 value with an odd byte count */
  bool invalid_utf16;  /* a lone surrogate was replaced */
  uint64_t num;        /* DWORD (either endianness), QWORD */
  bool has_num;

  /* hivex reads the data differently from Windows (a big-data record
   * whose segments are not of the size Windows reads: docs/reading.md):
   * data is Windows' reading, hivex_len what hivex reads. */
  bool hivex_differs;
  size_t hivex_len;
} sm_value;

void sm_value_free(sm_value *v); /* NULL is a no-op */
/* Whether two value names are the same value: case-insensitive, as
 * Windows compares them, with "@" standing for the default value "". */
bool sm_value_name_eq(const char *a, const char *b);
/* Names compared as Windows compares them: by their stored length, so a
 * NUL inside a name is a character like any other, and case-insensitively
 * (upcased: ASCII, Latin-1, Greek, Cyrillic).  hive/name.c. */
bool sm_name_eq(const char *a, size_t alen, const char *b, size_t blen);
/* Whether the stored name of v is name ("@" the default value). */
bool sm_value_is(const sm_value *v, const char *name);
/* How a consumer reads a value of a key by name (docs/reading.md):
 *   SM_READ_BY_NAME     the first value whose stored name is name: what
 *                       RegQueryValueEx, NtQueryValueKey and a named entry
 *                       of RtlQueryRegistryValues return;
 *   SM_READ_ENUMERATED  the last value whose name, cut at its first NUL,
 *                       is name: what smss.exe acts on in the keys it
 *                       enumerates (Environment, SubSystems, KnownDLLs,
 *                       DOS Devices), where each value found replaces an
 *                       earlier one of the same name. */
typedef enum sm_read_rule { SM_READ_BY_NAME, SM_READ_ENUMERATED } sm_read_rule;
/* The value of v[0..n) that a consumer reading by rule takes for name
 * ("@" the default value); NULL when none. */
const sm_value *sm_values_pick(sm_value *const *v, size_t n, const char *name,
                               sm_read_rule rule);
/* Order of two names compared so (negative, 0, positive). */
int sm_name_cmp(const char *a, size_t alen, const char *b, size_t blen);
/* Pointers to the slots of v[0..n) holding a named value, ordered by name
 * (counted, or with cut cut at the first NUL), equal names by position;
 * *slots is caller-frees.  SM_ERR_NOMEM. */
sm_result sm_values_by_name(sm_value *const *v, size_t n, bool cut,
                            sm_value *const ***slots, size_t *nslots);
/* The values smss.exe acts on in a key it enumerates (SM_READ_ENUMERATED):
 * of each name cut at its first NUL, the last value, in the place of the
 * first (SmpSaveRegistryValue keeps an entry and replaces its data;
 * RtlSetEnvironmentVariable replaces a variable).  *out holds *nout
 * pointers into v, owned by v: free() the array only.  SM_ERR_NOMEM. */
sm_result sm_values_enumerated(sm_value *const *v, size_t n, sm_value ***out,
                               size_t *nout);
/* Lowercase hex of the first max bytes of p (of n), with "..." when cut.
 * Caller-frees; NULL when out of memory. */
char *sm_hex(const unsigned char *p, size_t n, size_t max);
void sm_values_free(sm_value **v, size_t n);

/* One value by name (case-insensitive; "" or "@" for the default value):
 * the first whose stored name is name, as Windows reads a value by name
 * (SM_READ_BY_NAME).  SM_ERR_NOT_FOUND when absent.  A value whose data cannot be read is
 * returned with status set, not as an error of this call. */
sm_result sm_key_value(sm_hive *h, sm_key key, const char *name,
                       sm_value **out, sm_error *err);
/* Bounds on what one key may cost (docs/security.md): a valid hive can
 * give a key 99,000 values, or many values sharing one megabyte of data.
 * Beyond them the call fails with SM_ERR_LIMIT ("too many values"), so
 * that the audit of that key fails closed instead of using gigabytes. */
#define SM_KEY_MAX_VALUES 4096u          /* values read from one key */
#define SM_KEY_MAX_DATA ((size_t)64 << 20) /* bytes of their data */
#define SM_LIST_MAX 65536u /* subkeys of a key, strings of a MULTI_SZ */

/* All values of a key in stored order; *vals is caller-frees with
 * sm_values_free.  SM_ERR_LIMIT past the bounds above. */
sm_result sm_key_values(sm_hive *h, sm_key key, sm_value ***vals, size_t *n,
                        sm_error *err);

/* Typed readers: SM_ERR_TYPE when the value is not of a fitting type. */
sm_result sm_value_string(const sm_value *v, const char **s); /* SZ, EXPAND_SZ */
sm_result sm_value_dword(const sm_value *v, uint32_t *d);     /* DWORD, DWORD_BE */
sm_result sm_value_multi(const sm_value *v, char *const **strv, size_t *n);

/* hive/deleted.c: values and subkeys deleted from the keys keys[0..n),
 * recovered from the free cells (docs/recovery.md, "Deleted values and
 * keys"): a value whose offset the slack of its key's value list still
 * holds, and a deleted key whose nk names the key as its parent, each with
 * every cell read whole.  They are put back into a copy of the image,
 * which sm_hive_open_mem opens like any hive. */
typedef struct sm_undeleted {
  sm_key parent;       /* the key it was deleted from */
  bool is_key;         /* a subkey (with n_values values), else a value */
  char *name;
  uint32_t cell;       /* its vk or nk cell, from the first hive bin */
  uint64_t last_write; /* a deleted key's own last write */
  size_t n_values;
} sm_undeleted;

typedef struct sm_undelete {
  unsigned char *image; /* NULL when nothing was recovered */
  size_t len;
  sm_undeleted *v;
  size_t n;
} sm_undelete;

sm_result sm_hive_undelete(sm_hive *h, const sm_key *keys, size_t n,
                           sm_undelete *out, sm_error *err);
void sm_undelete_free(sm_undelete *u); /* NULL is a no-op */

/* What reading the keys read so far found where Windows reads the hive
 * differently from hivex (docs/reading.md): each once, in the order found.
 *   SM_NOTE_HEALED    a repair of Windows' load-time checker, modelled on
 *                     the key as it is read (hive/heal.c);
 *   SM_NOTE_KEY_NAME  a subkey whose name holds a NUL and reads, cut at the
 *                     NUL, as the name looked up (a decoy for hivex). */
typedef enum sm_note_kind { SM_NOTE_HEALED, SM_NOTE_KEY_NAME } sm_note_kind;
typedef struct sm_hive_note {
  sm_note_kind kind;
  char *key;  /* the key's path from the root (by its parents), each NUL
                 shown as <NUL> */
  char *text; /* what was found */
} sm_hive_note;
/* Valid until sm_hive_close; later reads may add more. */
size_t sm_hive_notes(const sm_hive *h, const sm_hive_note **notes);
/* name (len bytes) with each NUL shown as "<NUL>"; caller-frees. */
char *sm_name_shown(const char *name, size_t len);

/* FILETIME to "YYYY-MM-DDTHH:MM:SSZ" (buf of at least 21 bytes); "" for 0. */
void sm_filetime_iso8601(uint64_t ft, char *buf, size_t size);

#endif
