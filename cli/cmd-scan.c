#include <config.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/scan.h"

static void usage_scan(FILE *f) {
  fprintf(f,
          "Usage: %s scan [OPTION]... HIVE...\n"
          "Audit the Session Manager configuration of each SYSTEM hive "
          "against a baseline.\n\n"
          "  -b, --baseline NAME|FILE  baseline to use (repeatable; later ones "
          "override);\n"
          "                            default: detected from each hive\n"
          "  -f, --format FORMAT       text (default) or json (JSON Lines, one "
          "object per hive)\n"
          "      --control-set WHICH   current (default) or all\n"
          "      --fail-on SEVERITY    exit 1 when a finding reaches it: info, "
          "low, medium\n"
          "                            (default), high, critical, or never\n"
          "      --color WHEN          auto (default), always or never\n"
          "      --no-recover          audit dirty hives without replaying "
          "their logs\n"
          "      --unsafe              open damaged hives in tolerant mode\n"
          "  -h, --help                display this help and exit\n\n"
          "Exit status: 0 no finding at or above --fail-on, 1 such a finding, "
          "2 a hive could\nnot be audited (or a usage or baseline error).\n",
          sm_progname);
}

int sm_cmd_scan(int argc, char **argv) {
  enum { OPT_CS = 256, OPT_FAIL, OPT_COLOR, OPT_NOREC, OPT_UNSAFE };
  static const struct option opts[] = {
      {"baseline", required_argument, NULL, 'b'},
      {"format", required_argument, NULL, 'f'},
      {"control-set", required_argument, NULL, OPT_CS},
      {"fail-on", required_argument, NULL, OPT_FAIL},
      {"color", required_argument, NULL, OPT_COLOR},
      {"colour", required_argument, NULL, OPT_COLOR},
      {"no-recover", no_argument, NULL, OPT_NOREC},
      {"unsafe", no_argument, NULL, OPT_UNSAFE},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char **baselines = calloc((size_t)argc + 1, sizeof *baselines);
  if (!baselines) {
    sm_cli_error("out of memory");
    return SM_EXIT_ERROR;
  }
  sm_scan_opts o = {.baselines = baselines, .today = sm_today_ymd()};
  sm_format format = SM_FORMAT_TEXT;
  int fail_on = SM_SEV_MEDIUM; /* -1: never */
  int color = -1;              /* -1 auto */
  int c, rc = SM_EXIT_OK;
  optind = 1;
  while ((c = getopt_long(argc, argv, "b:f:h", opts, NULL)) != -1) {
    switch (c) {
    case 'b':
      baselines[o.n_baselines++] = optarg;
      break;
    case 'f':
      if (!sm_format_parse(optarg, &format)) {
        sm_cli_error("scan: unknown format '%s' (text, json, sarif or csv)",
                     optarg);
        rc = SM_EXIT_ERROR;
        goto out;
      }
      break;
    case OPT_CS:
      if (strcmp(optarg, "all") == 0)
        o.all_control_sets = true;
      else if (strcmp(optarg, "current") == 0)
        o.all_control_sets = false;
      else {
        sm_cli_error("scan: --control-set takes current or all, not '%s'",
                     optarg);
        rc = SM_EXIT_ERROR;
        goto out;
      }
      break;
    case OPT_FAIL: {
      sm_severity s;
      if (strcmp(optarg, "never") == 0)
        fail_on = -1;
      else if (sm_severity_parse(optarg, &s))
        fail_on = (int)s;
      else {
        sm_cli_error("scan: --fail-on takes info, low, medium, high, critical "
                     "or never, not '%s'",
                     optarg);
        rc = SM_EXIT_ERROR;
        goto out;
      }
      break;
    }
    case OPT_COLOR:
      if (strcmp(optarg, "always") == 0)
        color = 1;
      else if (strcmp(optarg, "never") == 0)
        color = 0;
      else if (strcmp(optarg, "auto") == 0)
        color = -1;
      else {
        sm_cli_error("scan: --color takes auto, always or never");
        rc = SM_EXIT_ERROR;
        goto out;
      }
      break;
    case OPT_NOREC:
      o.open_flags |= SM_OPEN_NO_RECOVER;
      break;
    case OPT_UNSAFE:
      o.open_flags |= SM_OPEN_UNSAFE;
      break;
    case 'h':
      usage_scan(stdout);
      goto out;
    default:
      usage_scan(stderr);
      rc = SM_EXIT_ERROR;
      goto out;
    }
  }
  if (optind >= argc) {
    usage_scan(stderr);
    rc = SM_EXIT_ERROR;
    goto out;
  }
  if (color < 0) {
    const char *term = getenv("TERM");
    color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && term &&
            strcmp(term, "dumb") != 0;
  }

  sm_baseline_cache cache;
  sm_error err = {0};
  if (sm_baseline_cache_init(&cache, &o, &err) != 0) {
    sm_cli_error("%s", err.msg);
    sm_baseline_cache_destroy(&cache);
    rc = SM_EXIT_ERROR;
    goto out;
  }
  sm_writer w;
  if (!sm_writer_init(&w, format, stdout, color)) {
    sm_cli_error("scan: this format is not available yet");
    sm_baseline_cache_destroy(&cache);
    rc = SM_EXIT_ERROR;
    goto out;
  }
  bool any_error = false, any_fail = false;
  for (int i = optind; i < argc; i++) {
    json_t *res = sm_scan_hive(argv[i], argv[i], NULL, &o, &cache);
    if (sm_result_failed(res)) {
      any_error = true;
      sm_cli_error("%s", json_string_value(json_object_get(res, "error")));
    }
    int max = sm_result_max_severity(res);
    if (fail_on >= 0 && max >= fail_on)
      any_fail = true;
    sm_writer_result(&w, res);
    json_decref(res);
  }
  sm_baseline_cache_destroy(&cache);
  if (!sm_writer_finish(&w)) {
    sm_cli_error("write error on standard output");
    any_error = true;
  }
  rc = any_error ? SM_EXIT_ERROR : any_fail ? SM_EXIT_FINDINGS : SM_EXIT_OK;
out:
  free(baselines);
  return rc;
}
