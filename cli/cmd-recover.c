#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "source/image-pick.h"
#include "cli/outfile.h"

static void usage_recover(FILE *f) {
  fprintf(f,
          "Usage: %s recover [--force] HIVE -o OUT\n"
          "Replay the transaction logs beside a dirty HIVE in memory and "
          "write the\nrecovered hive to OUT, a new file.  HIVE and its logs "
          "are never changed.\n\n"
          "  -o, --output OUT   the file to create (refused when it exists)\n"
          "  -f, --force        write OUT even when there is nothing to "
          "recover: a clean\n"
          "                     hive is copied, a dirty one without usable "
          "logs is\n"
          "                     written as it is; and write OUT in the "
          "hive's folder\n"
          "                     (never under the hive's or its logs' "
          "names)\n\n"
          "Without --force, a clean hive is a note and exit 0, and a dirty "
          "hive whose\nlogs cannot be replayed is an error (exit 2); neither "
          "writes OUT.\n",
          sm_progname);
}

static bool same_file(const struct stat *a, const char *path) {
  struct stat b;
  return stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/* OUT must be a new file, and neither the hive nor one of its logs. */
static bool check_output(const char *hive, const char *out,
                         const sm_recovery_info *rec) {
  struct stat st;
  if (stat(out, &st) != 0) {
    if (errno == ENOENT)
      return true;
    sm_cli_error("%s: %s", out, strerror(errno));
    return false;
  }
  if (same_file(&st, hive)) {
    sm_cli_error("%s: is the hive itself; refusing to write over evidence",
                 out);
    return false;
  }
  const char *slash = strrchr(hive, '/');
  size_t dlen = slash ? (size_t)(slash - hive + 1) : 0;
  const char *p = rec->logs;
  while (*p) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    char log[4096];
    if (dlen + len < sizeof log) {
      memcpy(log, hive, dlen);
      memcpy(log + dlen, p, len);
      log[dlen + len] = '\0';
      if (same_file(&st, log)) {
        sm_cli_error("%s: is a transaction log of the hive; refusing to "
                     "write over evidence",
                     out);
        return false;
      }
    }
    p += len + (comma != NULL);
  }
  sm_cli_error("%s: already exists; refusing to overwrite it", out);
  return false;
}

static int recover(const char *hive, const char *out, bool force) {
  sm_hive *h;
  if (!sm_cli_open_hive(hive, SM_OPEN_NO_HASH, &h))
    return SM_EXIT_ERROR;
  int rc = SM_EXIT_ERROR;
  char *eh = NULL, *eo = NULL, *el = NULL; /* escaped for the terminal */
  const sm_base_block *b = sm_hive_base(h);
  const sm_recovery_info *rec = sm_hive_recovery(h);
  if (!check_output(hive, out, rec) ||
      !sm_outfile_check_beside(out, hive, force))
    goto out;
  eh = sm_text_escape(hive, false);
  eo = sm_text_escape(out, false);
  el = sm_text_escape(rec->logs, false);
  if (!eh || !eo || !el) {
    sm_cli_error("out of memory");
    goto out;
  }
  if (!rec->attempted && !force) {
    printf("%s: the hive is clean (sequence %u/%u); nothing to recover, %s "
           "not written\n",
           eh, b->seq_primary, b->seq_secondary, eo);
    rc = SM_EXIT_OK;
    goto out;
  }
  if (rec->attempted && !rec->recovered && !force) {
    sm_cli_error("%s: nothing recovered: %s; %s not written", hive,
                 rec->warning[0] ? rec->warning : "no usable log", out);
    goto out;
  }
  const unsigned char *data;
  size_t len;
  sm_hive_image(h, &data, &len);
  if (!sm_cli_hive_unchanged(h))
    goto out;
  rc = sm_outfile_write(out, data, len, false) ? SM_EXIT_OK : SM_EXIT_ERROR;
  if (rc != SM_EXIT_OK)
    goto out;
  if (rec->recovered)
    printf("%s: recovered %u entries, %u pages from %s into %s\n", eh,
           rec->entries, rec->pages, el, eo);
  else
    printf("%s: copied as it is into %s\n", eh, eo);
  if (rec->warning[0]) {
    printf("warning: ");
    sm_fputs_escaped(stdout, rec->warning, false);
    putchar('\n');
  }
out:
  free(eh);
  free(eo);
  free(el);
  sm_hive_close(h);
  return rc;
}

int sm_cmd_recover(int argc, char **argv) {
  static const struct option opts[] = {
      {"output", required_argument, NULL, 'o'},
      {"force", no_argument, NULL, 'f'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *out = NULL;
  bool force = false;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":o:fh", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      out = optarg;
      break;
    case 'f':
      force = true;
      break;
    case 'h':
      usage_recover(stdout);
      return SM_EXIT_OK;
    default:
      return sm_cli_bad_option("recover", opts, c, argv);
    }
  }
  if (argc - optind != 1)
    return sm_cli_usage_error("recover", "recover takes one hive, %d given",
                              argc - optind);
  if (!out || !out[0])
    return sm_cli_usage_error("recover", "recover needs -o FILE, the new "
                                         "file to write");
  return recover(argv[optind], out, force);
}
