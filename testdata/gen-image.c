/* gen-image VOLUME DEST[@SIZE]=SRC...: copy host files into an NTFS file
 * system image made by `mkntfs -F` (a regular file), with libntfs-3g: no
 * root, no FUSE, nothing mounted.  DEST is a path inside the volume,
 * '/'-separated, its folders made as needed with the letter case given.
 * With @SIZE the file is made SIZE bytes long by a hole after SRC's bytes
 * (a sparse file: a 2 GiB log on a 64 MiB volume).  With ~SECONDS the
 * file's $STANDARD_INFORMATION times are set to that Unix time (whole
 * seconds) and its $FILE_NAME times are left as made: a timestomped file.
 * A component written LONG|SHORT ("Program Files|PROGRA~1") is given the
 * 8.3 name SHORT as well, as Windows does.  Used by the disk-image tests
 * to build volumes from the fixture hives.  A file already there is
 * written over and cut to SRC's length (the volume at a later time, for
 * gen-vss). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/types.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

/* The child of dir named name, made (folder or file) when absent. */
static ntfs_inode *child(ntfs_volume *vol, ntfs_inode *dir, const char *name,
                         mode_t type) {
  ntfschar *u = NULL;
  int len = ntfs_mbstoucs(name, &u);
  if (len <= 0)
    return NULL;
  u64 mref = ntfs_inode_lookup_by_name(dir, u, len);
  ntfs_inode *ni = mref != (u64)-1 ? ntfs_inode_open(vol, mref)
                                   : ntfs_create(dir, 0, u, (u8)len, type);
  free(u);
  return ni;
}

static int put(ntfs_volume *vol, const char *dest, const char *src,
               s64 size, long long si) {
  FILE *f = fopen(src, "rb");
  if (!f) {
    fprintf(stderr, "gen-image: %s: %s\n", src, strerror(errno));
    return -1;
  }
  char *path = strdup(dest), *save = NULL;
  ntfs_inode *dir = ntfs_inode_open(vol, FILE_root);
  int rc = -1;
  char *name = strtok_r(path, "/", &save);
  while (name && dir) {
    char *next = strtok_r(NULL, "/", &save);
    char *dos = strchr(name, '|');
    if (dos)
      *dos++ = '\0';
    ntfs_inode *ni = child(vol, dir, name, next ? S_IFDIR : S_IFREG);
    if (ni && dos) {
      /* Closes both inodes, whatever the outcome. */
      u64 mref = ni->mft_no;
      if (ntfs_set_ntfs_dos_name(ni, dir, dos, strlen(dos), 0) != 0)
        fprintf(stderr, "gen-image: %s: cannot set the short name %s: %s\n",
                name, dos, strerror(errno));
      ni = ntfs_inode_open(vol, mref);
    } else {
      ntfs_inode_close(dir);
    }
    dir = ni;
    if (!next)
      break;
    name = next;
  }
  ntfs_attr *na = dir ? ntfs_attr_open(dir, AT_DATA, AT_UNNAMED, 0) : NULL;
  if (na) {
    char buf[65536];
    size_t n;
    s64 pos = 0;
    rc = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
      if (ntfs_attr_pwrite(na, pos, (s64)n, buf) != (s64)n) {
        rc = -1;
        break;
      }
      pos += (s64)n;
    }
    /* Zero bytes a quarter of the volume apart, and one at the end: what
     * lies between are holes, each shorter than the volume (a sparse run
     * longer than its volume is refused by readers as damage). */
    s64 step = vol->nr_clusters * vol->cluster_size / 4;
    for (s64 at = pos + step; rc == 0 && at < size; at += step)
      if (ntfs_attr_pwrite(na, at, 1, "") != 1)
        rc = -1;
    if (rc == 0 && size > pos && ntfs_attr_pwrite(na, size - 1, 1, "") != 1)
      rc = -1;
    /* A file written again (the volume at a later time): SRC's length. */
    if (rc == 0 && size <= pos && na->data_size > pos &&
        ntfs_attr_truncate(na, pos) != 0)
      rc = -1;
    ntfs_attr_close(na);
  }
  if (rc)
    fprintf(stderr, "gen-image: %s: cannot write: %s\n", dest, strerror(errno));
  if (dir && rc == 0 && si >= 0) {
    /* Timestomped: $STANDARD_INFORMATION's creation and modification
     * times set back to si (whole seconds), $FILE_NAME's left as made. */
    ntfs_time t = cpu_to_sle64((si + 11644473600LL) * 10000000LL);
    dir->creation_time = dir->last_data_change_time = t;
    dir->last_mft_change_time = dir->last_access_time = t;
    NInoSetDirty(dir);
    NInoFileNameClearDirty(dir);
  }
  if (dir)
    ntfs_inode_close(dir);
  free(path);
  fclose(f);
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: gen-image VOLUME DEST[@SIZE][~SECONDS]=SRC...\n");
    return 2;
  }
  ntfs_volume *vol = ntfs_mount(argv[1], NTFS_MNT_NONE);
  if (!vol) {
    fprintf(stderr, "gen-image: %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  int rc = 0;
  for (int i = 2; i < argc && rc == 0; i++) {
    char *eq = strchr(argv[i], '=');
    if (!eq) {
      fprintf(stderr, "gen-image: %s: not DEST=SRC\n", argv[i]);
      rc = 2;
      break;
    }
    *eq = '\0';
    /* ~SECONDS ends DEST (a short name's '~' is followed by more). */
    char *tilde = strrchr(argv[i], '~');
    long long si = -1;
    if (tilde && (!tilde[1] || strspn(tilde + 1, "0123456789") !=
                                   strlen(tilde + 1)))
      tilde = NULL;
    if (tilde) {
      *tilde = '\0';
      si = strtoll(tilde + 1, NULL, 10);
    }
    char *at = strrchr(argv[i], '@');
    s64 size = 0;
    if (at) {
      *at = '\0';
      size = strtoll(at + 1, NULL, 10);
    }
    if (put(vol, argv[i], eq + 1, size, si) != 0)
      rc = 1;
  }
  if (ntfs_umount(vol, FALSE) != 0)
    rc = 1;
  return rc;
}
