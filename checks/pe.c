/* PE headers: the facts smaudit reports about a program, DLL or driver
 * (machine, subsystem, DLL flag, checksum) and the offsets the
 * Authenticode digest and the resource walk need.  Microsoft's "PE Format"
 * specification; every field is read within the buffer. */
#include <config.h>

#include <string.h>

#include "base/le.h"
#include "checks/pe.h"

#define SECTION_SIZE 40u

static sm_result corrupt(sm_error *err, const char *why) {
  return sm_error_set(err, SM_ERR_CORRUPT, "not a valid PE image: %s", why);
}

/* The data directory entry i (RVA and size), when the header has it. */
static bool data_dir(const unsigned char *opt, size_t opt_len, size_t dirs,
                     uint32_t ndirs, uint32_t i, uint32_t *rva,
                     uint32_t *size) {
  if (i >= ndirs || dirs + 8 * (size_t)(i + 1) > opt_len)
    return false;
  *rva = sm_le32(opt + dirs + 8 * i);
  *size = sm_le32(opt + dirs + 8 * i + 4);
  return true;
}

sm_result sm_pe_parse(sm_pe *pe, const unsigned char *d, size_t len,
                      sm_error *err) {
  memset(pe, 0, sizeof *pe);
  pe->data = d;
  pe->len = len;
  if (len < 64 || d[0] != 'M' || d[1] != 'Z')
    return corrupt(err, "no MZ header");
  uint32_t lfanew = sm_le32(d + 0x3c);
  if ((size_t)lfanew > len || len - lfanew < 24 ||
      memcmp(d + lfanew, "PE\0\0", 4) != 0)
    return corrupt(err, "no PE signature");
  const unsigned char *fh = d + lfanew + 4;
  pe->machine = sm_le16(fh);
  pe->nsections = sm_le16(fh + 2);
  uint16_t opt_len = sm_le16(fh + 16);
  pe->characteristics = sm_le16(fh + 18);
  size_t opt_off = (size_t)lfanew + 24;
  if (opt_len < 68 + 4 || len - opt_off < opt_len)
    return corrupt(err, "optional header cut short");
  const unsigned char *opt = d + opt_off;
  uint16_t magic = sm_le16(opt);
  if (magic != 0x10b && magic != 0x20b)
    return corrupt(err, "unknown optional header magic");
  pe->pe32plus = magic == 0x20b;
  pe->size_of_headers = sm_le32(opt + 60);
  pe->checksum = sm_le32(opt + 64);
  pe->checksum_off = opt_off + 64;
  pe->subsystem = sm_le16(opt + 68);
  size_t ndirs_at = pe->pe32plus ? 108 : 92;
  size_t dirs = ndirs_at + 4;
  uint32_t ndirs = 0;
  if (opt_len >= dirs)
    ndirs = sm_le32(opt + ndirs_at);
  uint32_t rva, size;
  if (data_dir(opt, opt_len, dirs, ndirs, 2, &rva, &size)) {
    pe->res_rva = rva;
    pe->res_size = size;
  }
  if (data_dir(opt, opt_len, dirs, ndirs, 4, &rva, &size)) {
    pe->secdir_off = opt_off + dirs + 8 * 4;
    if (rva != 0 && size != 0) {
      if ((uint64_t)rva + size > len)
        return corrupt(err, "certificate table beyond the end of the file");
      if (rva < opt_off + opt_len)
        return corrupt(err, "certificate table inside the headers");
      pe->cert_off = rva;
      pe->cert_size = size;
    }
  }
  pe->sections_off = opt_off + opt_len;
  if ((uint64_t)pe->nsections * SECTION_SIZE > len - pe->sections_off)
    return corrupt(err, "section table cut short");
  return SM_OK;
}

bool sm_pe_is_dll(const sm_pe *pe) {
  return (pe->characteristics & 0x2000) != 0;
}

const char *sm_pe_machine_name(uint16_t m) {
  switch (m) {
  case 0x14c: return "x86";
  case 0x8664: return "x64";
  case 0xaa64: return "arm64";
  case 0x1c0: return "arm";
  case 0x1c4: return "armnt";
  case 0x200: return "ia64";
  case 0xa641: return "arm64ec";
  default: return NULL;
  }
}

const char *sm_pe_subsystem_name(uint16_t s) {
  static const char *const names[] = {
      [1] = "native",          [2] = "windows-gui",
      [3] = "windows-cui",     [5] = "os2-cui",
      [7] = "posix-cui",       [8] = "native-windows",
      [9] = "windows-ce-gui",  [10] = "efi-application",
      [11] = "efi-boot-service-driver", [12] = "efi-runtime-driver",
      [13] = "efi-rom",        [14] = "xbox",
      [16] = "windows-boot-application"};
  return s < sizeof names / sizeof names[0] ? names[s] : NULL;
}

/* The sum of the little-endian 16-bit words of p[0..n), n even, eight
 * bytes at a time (a one's complement sum is folded once, at the end). */
static uint64_t word_sum(const unsigned char *p, size_t n) {
  uint64_t s = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v = sm_le64(p + i);
    s += (v & 0xffff) + ((v >> 16) & 0xffff) + ((v >> 32) & 0xffff) +
         (v >> 48);
  }
  for (; i < n; i += 2)
    s += sm_le16(p + i);
  return s;
}

/* The PE checksum: the one's complement sum of the file's 16-bit words
 * without the CheckSum field (a last odd byte as a word of its own),
 * plus the file's length. */
uint32_t sm_pe_checksum_compute(const sm_pe *pe) {
  size_t len = pe->len, even = len & ~(size_t)1, co = pe->checksum_off;
  /* The field's two words, where they fall on word boundaries. */
  bool skip = co % 2 == 0;
  uint64_t sum;
  if (skip && co < even) {
    size_t resume = co + 4 < even ? co + 4 : even;
    sum = word_sum(pe->data, co) + word_sum(pe->data + resume, even - resume);
  } else {
    sum = word_sum(pe->data, even);
  }
  if (len % 2 && !(skip && (len - 1 == co || len - 1 == co + 2)))
    sum += pe->data[len - 1];
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint32_t)sum + (uint32_t)pe->len;
}

bool sm_pe_rva_span(const sm_pe *pe, uint32_t rva, size_t *off,
                    size_t *avail) {
  if (rva < pe->size_of_headers) {
    if (rva >= pe->len)
      return false;
    *off = rva;
    size_t hdr = pe->size_of_headers < pe->len ? pe->size_of_headers : pe->len;
    *avail = hdr - rva;
    return true;
  }
  for (uint16_t i = 0; i < pe->nsections; i++) {
    const unsigned char *s = pe->data + pe->sections_off + SECTION_SIZE * i;
    uint32_t vsize = sm_le32(s + 8), va = sm_le32(s + 12);
    uint32_t raw_size = sm_le32(s + 16), raw = sm_le32(s + 20);
    uint32_t span = vsize > raw_size || vsize == 0 ? raw_size : vsize;
    if (rva < va || (uint64_t)rva - va >= span)
      continue;
    uint64_t start = (uint64_t)raw + (rva - va);
    if (start >= pe->len)
      return false;
    uint64_t in_section = (uint64_t)span - (rva - va);
    uint64_t in_file = pe->len - start;
    *off = (size_t)start;
    *avail = (size_t)(in_section < in_file ? in_section : in_file);
    return true;
  }
  return false;
}

bool sm_pe_rva_to_off(const sm_pe *pe, uint32_t rva, uint32_t n,
                      size_t *off) {
  size_t avail;
  return sm_pe_rva_span(pe, rva, off, &avail) && avail >= n;
}
