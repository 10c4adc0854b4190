/* Velociraptor collections kept as zip files: the hives of each volume
 * (uploads/<accessor>/<volume>/Windows/System32/config/SYSTEM, SOFTWARE,
 * their transaction logs and their RegBack copies), read with libarchive
 * (loaded on first use) and written into a private temporary folder that
 * discovery then walks as an extracted collection.  Nothing else of the
 * zip is written anywhere.  Bounded: entries listed, files taken, bytes of
 * each and in all (counted as written, whatever the zip declares, so that
 * a zip bomb stops at the bound); an entry whose name would leave its
 * place (an empty, "." or ".." component, an absolute name) is refused. */
#ifndef SM_SOURCE_ZIP_H
#define SM_SOURCE_ZIP_H

#include <stdbool.h>
#include <stddef.h>

#define SM_ZIP_MAX_ENTRIES 1000000u         /* entries listed */
#define SM_ZIP_MAX_FILES 4096u              /* files taken */
#define SM_ZIP_MAX_FILE ((long long)2 << 30) /* bytes of one file */
#define SM_ZIP_MAX_TOTAL ((long long)8 << 30) /* bytes of all of them */
/* and at most this many times the zip's size, or SM_ZIP_MIN_LIMIT */
#define SM_ZIP_MAX_RATIO 256
#define SM_ZIP_MIN_LIMIT ((long long)64 << 20)

/* Whether the regular file path begins as a zip file does ("PK\3\4"). */
bool sm_zip_sniff(const char *path);

/* The hives of the collection zip path, written below a new private
 * folder (mode 0700 in $TMPDIR or /tmp) under their names in the zip:
 * its path (caller-frees; remove it with sm_zip_remove), or NULL with err
 * (size n) saying why, nothing left behind.  *notes gets what was refused
 * (an entry's name, a duplicate): each note a line, NULL when none
 * (caller-frees).  A name that appears twice is taken once when its
 * contents are the same; with different contents the first is written
 * and its volume ("uploads/ACCESSOR/VOLUME/") listed in *ambiguous
 * (*n_ambiguous of them, caller-frees each and the list): ambiguous
 * evidence, whose hives sm_discover_zip reports as errors. */
char *sm_zip_extract(const char *path, char *err, size_t n, char **notes,
                     char ***ambiguous, size_t *n_ambiguous);

/* Remove the folder sm_zip_extract made, and everything in it. */
void sm_zip_remove(const char *dir);

/* Add the hives of the collection zip target to l, as sm_discover adds
 * those of an extracted collection, each named ZIP:PATH-IN-THE-ZIP; its
 * private folder is removed by sm_found_list_free.  A zip that cannot be
 * read, or holds no SYSTEM hive of a volume, is an entry with error set.
 * False only when out of memory. */
struct sm_found_list;
bool sm_discover_zip(const char *target, struct sm_found_list *l);

#endif
