/* Is a file a disk image?  Judged from its content only. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/le.h"
#include "base/evidence.h"
#include "source/image.h"

static bool read_at(int fd, unsigned char *buf, size_t len, off_t off) {
  size_t done = 0;
  while (done < len) {
    ssize_t r = pread(fd, buf + done, len - done, off + (off_t)done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    done += (size_t)r;
  }
  return true;
}

static bool at(const unsigned char *p, size_t off, const char *sig) {
  return memcmp(p + off, sig, strlen(sig)) == 0;
}

/* The first sector of a volume: NTFS, BitLocker, FAT or exFAT boot code. */
static bool boot_sector(const unsigned char *p) {
  return at(p, 3, "NTFS    ") || at(p, 3, "-FVE-FS-") || at(p, 3, "EXFAT   ") ||
         at(p, 54, "FAT") || at(p, 82, "FAT32");
}

/* The format of an image, NULL when it is none (a hive, anything else). */
static const char *image_format(const unsigned char *head, size_t n,
                                const unsigned char *tail, bool has_tail) {
  if (n >= 4 && at(head, 0, "regf"))
    return NULL; /* a hive */
  if (n >= 8 &&
      (at(head, 0, "EVF\x09\x0d\x0a\xff") || at(head, 0, "EVF2\x0d\x0a\x81")))
    return "ewf";
  if (n >= 8 && at(head, 0, "vhdxfile"))
    return "vhdx";
  if ((n >= 8 && at(head, 0, "conectix")) ||
      (has_tail && at(tail, 0, "conectix")))
    return "vhd"; /* dynamic (header copy) or fixed (the footer) */
  if ((n >= 4 && at(head, 0, "KDMV")) ||
      (n >= 21 && at(head, 0, "# Disk DescriptorFile")))
    return "vmdk"; /* sparse extent, or descriptor */
  if (n >= 520 && at(head, 512, "EFI PART"))
    return "raw"; /* GPT */
  if (n >= 512 &&
      ((head[510] == 0x55 && head[511] == 0xAA) || boot_sector(head)))
    return "raw"; /* MBR, or a volume's boot sector */
  return NULL;
}

/* A piece of an image that is opened through another file: an E01
 * segment after the first (EWF: its number at offset 9, EWF2 at 12), a
 * VMDK sparse extent whose descriptor is elsewhere (no embedded one at
 * offset 28). */
static bool image_part(const char *fmt, const unsigned char *h, size_t n) {
  if (strcmp(fmt, "ewf") == 0 && n >= 16)
    return at(h, 0, "EVF2") ? sm_le32(h + 12) > 1 : sm_le16(h + 9) > 1;
  if (strcmp(fmt, "vmdk") == 0 && n >= 36 && at(h, 0, "KDMV"))
    return sm_le64(h + 28) == 0;
  return false;
}

const char *sm_image_sniff_at(int dirfd, const char *name, bool *part,
                              bool *descriptor) {
  /* The one evidence-safe open: regular files only, O_NONBLOCK, the
   * access time kept (O_NOATIME, or the read-only view). */
  sm_evidence_file f;
  sm_error err;
  *part = *descriptor = false;
  if (sm_evidence_open(dirfd, name, NULL,
                       dirfd == AT_FDCWD ? 0 : SM_EVIDENCE_BENEATH, &f,
                       &err) != SM_OK)
    return NULL;
  int fd = f.fd;
  unsigned char head[4096], tail[512];
  const char *fmt = NULL;
  if (f.st.st_size >= 512) {
    size_t n =
        f.st.st_size < (off_t)sizeof head ? (size_t)f.st.st_size : sizeof head;
    bool has_tail = read_at(fd, tail, sizeof tail, f.st.st_size - 512);
    if (read_at(fd, head, n, 0))
      fmt = image_format(head, n, tail, has_tail);
    if (fmt) {
      *part = image_part(fmt, head, n);
      *descriptor = strcmp(fmt, "vmdk") == 0 && at(head, 0, "# Disk");
    }
  }
  close(fd);
  return fmt;
}

const char *sm_image_sniff(const char *path) {
  bool part, descriptor;
  return sm_image_sniff_at(AT_FDCWD, path, &part, &descriptor);
}
