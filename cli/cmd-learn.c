#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/audit.h"
#include "checks/baseline.h"
#include "checks/learn.h"
#include "cli/cli.h"
#include "source/image-pick.h"
#include "source/discover.h"
#include "cli/outfile.h"
#include "cli/scan.h"

static void usage_learn(FILE *f) {
  fprintf(f,
          "Usage: %s learn [OPTION]... HIVE\n"
          "Write a baseline that pins the audited state of HIVE: scanning "
          "HIVE with it\nfinds nothing, and any later drift is a finding.\n\n"
          "  -o, --output FILE      the file to create (refused when it "
          "exists);\n"
          "                         default: standard output; never in "
          "the hive's folder\n"
          "      --force            with -o, replace an existing file, "
          "atomically, and\n"
          "                         write in the hive's folder: it is not "
          "evidence (never\n"
          "                         the hive, nor under its or its logs' "
          "names)\n"
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

bool sm_cli_scan_open(const char *path, unsigned want, sm_baseline_set *set,
                      sm_scan_result *r) {
  /* A SOFTWARE hive beside it is found as scan finds one. */
  sm_found_list found = {.note = sm_cli_note};
  struct stat st;
  if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
      !sm_discover(path, false, &found)) {
    sm_cli_error("out of memory");
    return false;
  }
  sm_scan_target t = {.name = path,
                      .path = path,
                      .software = found.n ? found.v[0].software : NULL};
  /* A disk image: its one Windows volume's hive, from memory. */
  sm_image_pick pick;
  bool is_image;
  sm_error err = {0};
  if (sm_image_pick_one(path, &is_image, &pick, &err) != SM_OK) {
    sm_cli_error("%s", err.msg);
    sm_image_pick_free(&pick);
    sm_found_list_free(&found);
    return false;
  }
  if (is_image)
    sm_image_pick_target(&pick, &t);
  sm_scan_options o = {.control_set = want, .open_flags = SM_OPEN_NO_HASH};
  bool ok = sm_scan_open(&t, &o, set, r);
  if (!ok)
    sm_cli_error("%s", r->error);
  sm_image_pick_free(&pick);
  sm_found_list_free(&found);
  return ok;
}

bool sm_cli_baseline_set(sm_baseline_set *set, const char *given) {
  sm_error err = {0};
  if (sm_baseline_set_init(set, &given, given ? 1 : 0, &err) == 0)
    return true;
  sm_cli_error("%s", err.msg);
  sm_baseline_set_destroy(set);
  return false;
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

/* --extends NAME of a family's baseline must be the hive's family, as
 * scan would detect it: learning a Windows 10 hive on top of windows-xp
 * would pin that family's rules to values they were never written for.
 * A file, or a baseline that is no family's (windows-common, cis-overlay),
 * is taken as given: the user chose what it holds. */
static bool extends_fits(const char *path, unsigned want,
                         const char *extends) {
  bool family = false;
  for (size_t i = 0; i < SM_N_FAMILY_BASELINES; i++)
    family = family || strcmp(extends, sm_family_baselines[i]) == 0;
  if (!family)
    return true;
  sm_baseline_set set;
  sm_scan_result r = {0};
  bool ok = false;
  if (!sm_cli_baseline_set(&set, NULL))
    return false;
  if (sm_cli_scan_open(path, want, &set, &r) && r.detected) {
    ok = strcmp(r.family.baseline, extends) == 0;
    if (!ok)
      sm_cli_error("learn: %s is %s, not the family of --extends %s (%s); "
                   "extend %s, or a baseline file of your own",
                   path, sm_family_label(r.family.rank), extends,
                   r.family.why, r.family.baseline);
  }
  sm_scan_result_free(&r);
  sm_baseline_set_destroy(&set);
  return ok;
}

/* Learn path's control set want (0: current) against extends (NULL: the
 * baseline scan would choose), to output (NULL: standard output; force:
 * over an existing file, and even in the hive's folder). */
static int learn_hive(const char *path, const char *output, bool force,
                      const char *extends, unsigned want) {
  sm_baseline_set set;
  sm_scan_result r = {0};
  char *ref = NULL, *buf = NULL;
  size_t len = 0;
  FILE *mem = NULL;
  int rc = SM_EXIT_ERROR;
  sm_error err = {0};
  if (extends && !extends_fits(path, want, extends))
    return SM_EXIT_ERROR;
  if (!sm_cli_baseline_set(&set, extends))
    return SM_EXIT_ERROR;
  if (!sm_cli_scan_open(path, want, &set, &r))
    goto out;
  /* How to name it in extends: a path is relative to the file that names
   * it, so it is written absolute. */
  const char *bname = extends ? extends : r.baseline_name;
  if (!(ref = is_path(bname) ? realpath(bname, NULL) : strdup(bname))) {
    sm_cli_error("%s: %s", bname, strerror(errno));
    goto out;
  }
  char name[128];
  learned_name(path, name, sizeof name);
  sm_learn_opts lo = {.name = name,
                      .extends = ref,
                      .source = path,
                      .cs_id = r.cs_id,
                      .today = sm_today_ymd()};
  /* In memory first: a failure leaves no half-written baseline. */
  if (!(mem = open_memstream(&buf, &len))) {
    sm_cli_error("out of memory");
    goto out;
  }
  if (sm_learn(r.h, r.cs_key, r.baseline, &lo, mem, &err) != SM_OK) {
    sm_cli_error("%s", err.msg);
    goto out;
  }
  if (fclose(mem) != 0) {
    mem = NULL;
    sm_cli_error("out of memory");
    goto out;
  }
  mem = NULL;
  if (!sm_cli_hive_unchanged(r.h))
    goto out;
  if (output) {
    if (!sm_outfile_check_beside(output, path, force) ||
        !sm_outfile_write(output, buf, len, force))
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
  sm_scan_result_free(&r);
  sm_baseline_set_destroy(&set);
  return rc;
}

int sm_cmd_learn(int argc, char **argv) {
  enum { OPT_CS = 256, OPT_FORCE };
  static const struct option opts[] = {
      {"output", required_argument, NULL, 'o'},
      {"force", no_argument, NULL, OPT_FORCE},
      {"extends", required_argument, NULL, 'e'},
      {"control-set", required_argument, NULL, OPT_CS},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *output = NULL, *extends = NULL;
  unsigned want = 0;
  bool force = false;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":o:e:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      output = optarg;
      break;
    case 'e':
      if (!(extends = sm_cli_baseline_arg("learn", optarg)))
        return SM_EXIT_ERROR;
      break;
    case OPT_FORCE:
      force = true;
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
      return sm_cli_bad_option("learn", opts, c, argv);
    }
  }
  if (optind != argc - 1)
    return sm_cli_usage_error("learn", "learn takes one hive, %d given",
                              argc - optind);
  return learn_hive(argv[optind], output, force, extends, want);
}
