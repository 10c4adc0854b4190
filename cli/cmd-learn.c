#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/audit.h"
#include "checks/baseline.h"
#include "checks/learn.h"
#include "cli/cli.h"
#include "cli/outfile.h"
#include "cli/scan.h"

static void usage_learn(FILE *f) {
  fprintf(f,
          "Usage: %s learn [OPTION]... HIVE\n"
          "Write a baseline that pins the audited state of HIVE: scanning "
          "HIVE with it\nfinds nothing, and any later drift is a finding.\n\n"
          "  -o, --output FILE      the file to create (refused when it "
          "exists);\n"
          "                         default: standard output\n"
          "  -e, --extends NAME|FILE\n"
          "                         the baseline to extend; default: the "
          "one detected\n"
          "      --control-set N    the control set to learn; default: the "
          "current one\n"
          "  -h, --help             display this help and exit\n",
          sm_progname);
}

bool sm_cli_parse_control_set(const char *s, unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *end || end == s || v < 1 || v > 999 || s[0] == '-')
    return false;
  *out = (unsigned)v;
  return true;
}

static bool is_path(const char *s) {
  size_t n = strlen(s);
  return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".yaml") == 0) ||
         (n > 4 && strcmp(s + n - 4, ".yml") == 0);
}

bool sm_cli_hive_unchanged(const sm_hive *h) {
  sm_error err = {0};
  if (!h || sm_hive_check_unchanged(h, &err) == SM_OK)
    return true;
  sm_cli_error("%s", err.msg);
  return false;
}

int sm_cli_open_control_set(const char *path, unsigned open_flags,
                            unsigned want, sm_hive **h, unsigned *id,
                            sm_key *key) {
  sm_error err = {0};
  if (sm_hive_open(path, open_flags, h, &err) != SM_OK) {
    sm_cli_error("%s", err.msg);
    return -1;
  }
  sm_result rc = want ? sm_hive_control_set(*h, want, key, &err)
                      : sm_hive_current_control_set(*h, id, key, &err);
  if (rc != SM_OK) {
    if (want)
      sm_cli_error("%s: no ControlSet%03u", path, want);
    else
      sm_cli_error("%s", err.msg);
    sm_hive_close(*h);
    *h = NULL;
    return -1;
  }
  if (want)
    *id = want;
  return 0;
}

sm_baseline *sm_cli_baseline_for(sm_hive *h, sm_key cs_key, const char *given,
                                 char **ref) {
  sm_error err = {0};
  sm_baseline *b = NULL;
  char fam[64], why[1024];
  const char *name = given;
  if (!name) {
    sm_detect_family(h, cs_key, NULL, fam, sizeof fam, why, sizeof why);
    name = fam;
  }
  if (sm_baseline_load(name, &b, &err) != SM_OK) {
    sm_cli_error("%s", err.msg);
    return NULL;
  }
  if (ref) {
    /* A path is relative to the file that names it: write it absolute. */
    char *r = is_path(name) ? realpath(name, NULL) : strdup(name);
    if (!r) {
      sm_cli_error("%s: %s", name, strerror(errno));
      sm_baseline_free(b);
      return NULL;
    }
    *ref = r;
  }
  return b;
}

/* learned-<the hive's file name>, as a baseline name allows. */
static void learned_name(const char *path, char *buf, size_t size) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = (size_t)snprintf(buf, size, "learned-");
  for (; *base && n + 1 < size; base++) {
    unsigned char c = (unsigned char)*base;
    if (c >= 'A' && c <= 'Z')
      c = (unsigned char)(c + 32);
    buf[n++] = (char)(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-')
                          ? c
                          : '-');
  }
  buf[n] = '\0';
}

int sm_cmd_learn(int argc, char **argv) {
  enum { OPT_CS = 256 };
  static const struct option opts[] = {
      {"output", required_argument, NULL, 'o'},
      {"extends", required_argument, NULL, 'e'},
      {"control-set", required_argument, NULL, OPT_CS},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *output = NULL, *extends = NULL;
  unsigned want = 0;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:e:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      output = optarg;
      break;
    case 'e':
      extends = optarg;
      break;
    case OPT_CS:
      if (!sm_cli_parse_control_set(optarg, &want)) {
        sm_cli_error("learn: --control-set takes a number from 1 to 999, "
                     "not '%s'",
                     optarg);
        return SM_EXIT_ERROR;
      }
      break;
    case 'h':
      usage_learn(stdout);
      return SM_EXIT_OK;
    default:
      usage_learn(stderr);
      return SM_EXIT_ERROR;
    }
  }
  if (optind != argc - 1) {
    usage_learn(stderr);
    return SM_EXIT_ERROR;
  }
  const char *path = argv[optind];
  sm_hive *h = NULL;
  sm_baseline *b = NULL;
  char *ref = NULL, *buf = NULL;
  size_t len = 0;
  FILE *mem = NULL;
  int rc = SM_EXIT_ERROR;
  unsigned id = 0;
  sm_key key;
  sm_error err = {0};
  if (sm_cli_open_control_set(path, SM_OPEN_NO_HASH, want, &h, &id, &key) != 0)
    goto out;
  if (!(b = sm_cli_baseline_for(h, key, extends, &ref)))
    goto out;
  char name[128];
  learned_name(path, name, sizeof name);
  sm_learn_opts lo = {.name = name,
                      .extends = ref,
                      .source = path,
                      .cs_id = id,
                      .today = sm_today_ymd()};
  /* In memory first: a failure leaves no half-written baseline. */
  if (!(mem = open_memstream(&buf, &len))) {
    sm_cli_error("out of memory");
    goto out;
  }
  if (sm_learn(h, key, b, &lo, mem, &err) != SM_OK) {
    sm_cli_error("%s", err.msg);
    goto out;
  }
  if (fclose(mem) != 0) {
    mem = NULL;
    sm_cli_error("out of memory");
    goto out;
  }
  mem = NULL;
  if (!sm_cli_hive_unchanged(h))
    goto out;
  if (output) {
    if (!sm_outfile_write(output, buf, len))
      goto out;
  } else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
    sm_cli_error("write error on standard output");
    goto out;
  }
  rc = SM_EXIT_OK;
out:
  if (mem)
    fclose(mem);
  free(buf);
  free(ref);
  sm_baseline_free(b);
  sm_hive_close(h);
  return rc;
}
