/* gen-vss OUT LIVE [OLD[@UNIXTIME]]... [--empty N] [--torn K] [--remote K]
 * [--tear K]: a volume
 * with Volume Shadow Copy stores, written from the on-disk format as
 * libyal/libvshadow documents it ("Volume Shadow Snapshot (VSS) format"):
 * the volume header at 0x1e00, a catalog, and per store a store header
 * with its information, a block list, a block range list, a bitmap and
 * the data blocks.
 *
 * LIVE is the volume as it is now (an NTFS image made by mkntfs and
 * gen-image), each OLD the same volume at an earlier time, oldest first
 * and all of LIVE's size.  OUT is LIVE with, past its end, the stores:
 * store k holds the 16 KiB blocks in which OLD k differs from OLD k+1 (or
 * from LIVE for the newest), so that applying the stores from the newest
 * down reads OLD k back.  @UNIXTIME is store k's creation time (default
 * 2020-01-0k).  --empty N adds N stores without blocks (each reads as the
 * live volume), oldest; --torn K damages the block list of store K (1 the
 * oldest): that store cannot be read, the others can; --remote K leaves
 * out store K's catalog entry of type 3, as for a store whose data lies on
 * another volume; --tear K zeroes store K's copies of the blocks that
 * begin a hive's base block or a hive bin ("regf", "hbin"): the store
 * reads, the hives in it are torn.  For the tests of
 * source/vss.c; nothing here is read by smaudit itself. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 16384u
#define HDR 128u

static const unsigned char vss_guid[16] = {0x6b, 0x87, 0x08, 0x38, 0x76, 0xc1,
                                           0x48, 0x4e, 0xb7, 0xae, 0x04, 0x04,
                                           0x6e, 0x6c, 0xc7, 0x52};

static unsigned char *out;  /* the whole output volume */
static uint64_t out_size;   /* bytes used (a multiple of BLOCK past LIVE) */
static uint64_t live_size;  /* LIVE's size: the volume the stores copy */

static void le64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}
static void le32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

/* A GUID made from two numbers (what kind, which store). */
static void guid(unsigned char *p, uint32_t kind, uint32_t n) {
  le32(p, 0x5a5a0000u | kind);
  p[4] = 0x11, p[5] = 0x22, p[6] = 0x33, p[7] = 0x44;
  le32(p + 8, 0x12345678u);
  le32(p + 12, n);
}

/* A new BLOCK at the end of the volume: its offset. */
static uint64_t new_block(void) {
  uint64_t at = out_size;
  unsigned char *grown = realloc(out, out_size + BLOCK);
  if (!grown) {
    fprintf(stderr, "gen-vss: out of memory\n");
    exit(1);
  }
  out = grown;
  memset(out + at, 0, BLOCK);
  out_size += BLOCK;
  return at;
}

/* The 128-byte header of a metadata block. */
static void block_header(uint64_t at, uint32_t type, uint64_t rel,
                         uint64_t next) {
  unsigned char *h = out + at;
  memcpy(h, vss_guid, 16);
  le32(h + 16, 1);
  le32(h + 20, type);
  le64(h + 24, rel);
  le64(h + 32, at);
  le64(h + 40, next);
}

static unsigned char *slurp(const char *path, uint64_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "gen-vss: %s: %s\n", path, strerror(errno));
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  unsigned char *b = malloc(n > 0 ? (size_t)n : 1);
  if (!b || n < 0 || fread(b, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "gen-vss: %s: cannot read\n", path);
    exit(1);
  }
  fclose(f);
  *len = (uint64_t)n;
  return b;
}

typedef struct store {
  const unsigned char *old; /* the volume then, or NULL: no blocks */
  uint64_t created;         /* FILETIME */
  uint64_t header, list, ranges, bitmap;
} store;

/* Store k: its header and information, block list (the blocks of old
 * that differ from next), range list and bitmap, and the data. */
static void write_store(store *s, uint32_t k, const unsigned char *next,
                        int torn, int tear) {
  s->header = new_block();
  block_header(s->header, 4, 0, 0);
  unsigned char *info = out + s->header + HDR;
  guid(info, 1, k);      /* unknown identifier */
  guid(info + 16, 2, k); /* shadow copy identifier */
  guid(info + 32, 3, k); /* shadow copy set identifier */
  le32(info + 48, 0x0d); /* type: client accessible writers */
  le32(info + 52, 1);    /* provider */
  le32(info + 56, 0x00420009); /* persistent, no writers... as Windows */
  static const char machine[] = "testhost";
  size_t ml = strlen(machine);
  unsigned char *p = info + 64;
  for (int twice = 0; twice < 2; twice++) { /* operating, service machine */
    p[0] = (unsigned char)(2 * ml);
    for (size_t i = 0; i < ml; i++)
      p[2 + 2 * i] = (unsigned char)machine[i];
    p += 2 + 2 * ml;
  }
  le64(out + s->header + 48, (uint64_t)(p - info)); /* store info size */

  s->list = new_block();
  block_header(s->list, 3, BLOCK, 0);
  s->ranges = new_block();
  block_header(s->ranges, 5, 2 * BLOCK, 0);
  s->bitmap = new_block();
  block_header(s->bitmap, 6, 3 * BLOCK, 0); /* all 0: every block in use */
  uint64_t list = s->list, rel = 4 * BLOCK;
  unsigned used = 0;
  for (uint64_t b = 0; s->old && b + BLOCK <= live_size; b += BLOCK) {
    if (memcmp(s->old + b, next + b, BLOCK) == 0)
      continue;
    if (HDR + (used + 1) * 32 > BLOCK) { /* the next block of the list */
      uint64_t more = new_block();
      block_header(more, 3, rel, 0);
      rel += BLOCK;
      le64(out + list + 40, more);
      list = more;
      used = 0;
    }
    uint64_t data = new_block();
    memcpy(out + data, s->old + b, BLOCK);
    if (tear && (memcmp(out + data, "regf", 4) == 0 ||
                 memcmp(out + data, "hbin", 4) == 0))
      memset(out + data, 0, BLOCK);
    unsigned char *d = out + list + HDR + 32 * used++;
    le64(d, b);         /* original offset */
    le64(d + 8, rel);   /* relative store data offset */
    le64(d + 16, data); /* store data offset */
    rel += BLOCK;
  }
  if (torn) /* a block list that is not one: the store cannot be read */
    memset(out + s->list, 0xa5, HDR);
}

/* The catalog: for each store an entry of type 2 and one of type 3. */
static uint64_t write_catalog(store *st, uint32_t n, int remote) {
  uint64_t first = new_block(), at = first, rel = 0;
  block_header(at, 2, rel, 0);
  unsigned slot = 1; /* entry 0 is the header */
  for (uint32_t k = 0; k < 2 * n; k++) {
    if (slot == BLOCK / HDR) {
      uint64_t more = new_block();
      rel += BLOCK;
      block_header(more, 2, rel, 0);
      le64(out + at + 40, more);
      at = more;
      slot = 1;
    }
    const store *s = &st[k / 2];
    if (k % 2 == 1 && (int)(k / 2) + 1 == remote)
      continue;
    unsigned char *e = out + at + HDR * slot++;
    if (k % 2 == 0) {
      le64(e, 2);
      le64(e + 8, live_size);
      guid(e + 16, 4, k / 2 + 1); /* store identifier */
      le64(e + 32, k / 2 + 1);    /* sequence number */
      le64(e + 40, 0x40);
      le64(e + 48, s->created);
    } else {
      le64(e, 3);
      le64(e + 8, s->list);
      guid(e + 16, 4, k / 2 + 1);
      le64(e + 32, s->header);
      le64(e + 40, s->ranges);
      le64(e + 48, s->bitmap);
      le64(e + 64, 0x100000); /* allocated size */
    }
  }
  return first;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: gen-vss OUT LIVE [OLD[@UNIXTIME]]... [--empty N] "
                    "[--torn K] [--remote K] [--tear K]\n");
    return 1;
  }
  out = slurp(argv[2], &live_size);
  if (live_size < 0x2000 || live_size % BLOCK) {
    fprintf(stderr, "gen-vss: %s: not a volume of whole 16 KiB blocks\n",
            argv[2]);
    return 1;
  }
  out_size = live_size;
  store st[600];
  uint32_t n = 0;
  int torn = 0, remote = 0, tear = 0;
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "--empty") == 0 && i + 1 < argc) {
      for (long e = strtol(argv[++i], NULL, 10); e > 0 && n < 600; e--, n++)
        st[n] = (store){.old = NULL};
      continue;
    }
    if (strcmp(argv[i], "--tear") == 0 && i + 1 < argc) {
      tear = atoi(argv[++i]);
      continue;
    }
    if (strcmp(argv[i], "--remote") == 0 && i + 1 < argc) {
      remote = atoi(argv[++i]);
      continue;
    }
    if (strcmp(argv[i], "--torn") == 0 && i + 1 < argc) {
      torn = atoi(argv[++i]);
      continue;
    }
    char *at = strchr(argv[i], '@');
    long long unix_time = 1577836800LL + 86400LL * n; /* 2020-01-01 */
    if (at) {
      *at = '\0';
      unix_time = strtoll(at + 1, NULL, 10);
    }
    uint64_t len;
    st[n].old = slurp(argv[i], &len);
    if (len != live_size || n == 600) {
      fprintf(stderr, "gen-vss: %s: not of the live volume's size\n", argv[i]);
      return 1;
    }
    st[n].created = ((uint64_t)unix_time + 11644473600ULL) * 10000000ULL;
    n++;
  }
  for (uint32_t k = 0; k < n; k++)
    if (!st[k].created)
      st[k].created = (1577836800ULL - 86400ULL * (n - k) + 11644473600ULL) *
                      10000000ULL;
  const unsigned char *live = out; /* stores compare with a copy of LIVE */
  unsigned char *live_copy = malloc(live_size);
  if (!live_copy)
    return 1;
  memcpy(live_copy, live, live_size);
  for (uint32_t k = 0; k < n; k++) {
    const unsigned char *next = live_copy;
    for (uint32_t j = k + 1; j < n && next == live_copy; j++)
      if (st[j].old)
        next = st[j].old;
    write_store(&st[k], k + 1, next, torn == (int)k + 1, tear == (int)k + 1);
  }
  uint64_t catalog = n ? write_catalog(st, n, remote) : 0;
  unsigned char *h = out + 0x1e00; /* the volume header */
  memset(h, 0, 512);
  memcpy(h, vss_guid, 16);
  le32(h + 16, 1);
  le32(h + 20, 1);
  le64(h + 24, 0x1e00);
  le64(h + 32, 0x1e00);
  le64(h + 48, catalog);
  guid(h + 64, 5, 0); /* volume identifier */
  guid(h + 80, 5, 0); /* shadow copy storage volume identifier */
  FILE *f = fopen(argv[1], "wb");
  if (!f || fwrite(out, 1, out_size, f) != out_size || fclose(f) != 0) {
    fprintf(stderr, "gen-vss: %s: cannot write\n", argv[1]);
    return 1;
  }
  for (uint32_t k = 0; k < n; k++)
    free((void *)st[k].old);
  free(live_copy);
  free(out);
  return 0;
}
