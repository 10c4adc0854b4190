#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/sig.h"
#include "cli/batch.h"
#include "cli/cli.h"
#include "cli/outfile.h"
#include "cli/plan.h"
#include "cli/scan.h"
#include "source/discover.h"

static void usage_scan(FILE *f) {
  fprintf(f,
          "Usage: %s scan [OPTION]... TARGET...\n"
          "Audit the Session Manager configuration of each SYSTEM hive "
          "against a baseline.\n\n"
          "A TARGET is a hive file; a mounted Windows volume (its "
          "Windows/System32/config/SYSTEM,\n"
          "in any case, and the RegBack copy when not empty); or a triage "
          "collection holding\n"
          "volumes up to 6 levels down. With -r, every hive named SYSTEM "
          "below a folder, and\n"
          "every volume, up to 32 levels down. Symbolic links leaving a "
          "target are skipped.\n\n"
          "  -b, --baseline NAME|FILE  baseline to use (repeatable; later ones "
          "override);\n"
          "                            default: detected from each hive\n"
          "  -f, --format FORMAT       the report's format, one of:\n",
          sm_progname);
  sm_format_usage(f, "                              ");
  fprintf(
      f,
      "      --control-set WHICH   selected (default: the current set and the\n"
      "                            others Select names), current or all\n"
      "      --fail-on SEVERITY    exit 1 when a finding reaches it: info, "
      "low, medium\n"
      "                            (default), high, critical, or never\n"
      "      --min-severity SEV    show only findings at SEV or above (the "
      "exit status\n"
      "                            is unchanged)\n"
      "      --color WHEN          auto (default), always or never\n"
      "      --no-recover          audit dirty hives without replaying "
      "their logs\n"
      "      --unsafe              open damaged hives in tolerant mode\n"
      "      --no-hash             do not compute the SHA-256 of each "
      "hive (triage: the\n"
      "                            report's sha256 is then null)\n"
      "      --no-files            do not check the files findings name "
      "(programs, DLLs,\n"
      "                            drivers) in the hive's volume\n"
      "      --trust-file PEM      also trust the root certificates of PEM "
      "when checking\n"
      "                            their signatures (trust \"user\")\n"
      "  -r, --recursive           take every hive named SYSTEM below "
      "each folder TARGET\n"
      "  -j, --jobs N              audit N hives at a time, in N "
      "worker processes\n"
      "                            (default, and 0: the number of "
      "usable CPUs)\n"
      "      --timeout SECONDS     give up on a hive after SECONDS, wall "
      "clock or CPU\n"
      "                            (default 120; 0: no limit)\n"
      "      --max-memory MB       address space of each worker in MiB "
      "(default 4096;\n"
      "                            0: no limit); one hive is audited "
      "without a worker\n"
      "                            unless --timeout or --max-memory is "
      "given\n"
      "      --max-results N       keep at most N results in one run "
      "(default 100000;\n"
      "                            0: no limit); past them each is an "
      "error, exit 2\n"
      "      --sort                write the results sorted by target, at "
      "the end, rather\n"
      "                            than in the order the targets were "
      "given and found\n"
      "  -o, --output FILE         write the report to FILE, a new file, "
      "put in place\n"
      "                            only when complete; never a target, "
      "nor inside a\n"
      "                            target folder or beside a hive\n"
      "      --force               with -o, replace an existing report "
      "atomically, and\n"
      "                            write beside a hive whose folder is "
      "not evidence\n"
      "      --shard K/N           audit only share K of N (1 <= K <= N) of "
      "the hives\n"
      "                            found, chosen by a hash of each name "
      "relative to\n"
      "                            its TARGET: N machines split one "
      "evidence store\n"
      "  -q, --quiet               no progress line and no summary on "
      "standard error\n"
      "                            (the summary follows a scan of more "
      "than one hive)\n"
      "  -h, --help                display this help and exit\n\n"
      "A hive that cannot be audited (or whose worker crashes or exceeds "
      "its bounds) gets\n"
      "a result with \"error\" set; the others go on. Progress is drawn on "
      "standard error\nonly when it is a terminal.\n\n"
      "Exit status: 2 if any hive could not be audited (or a usage, "
      "baseline or output\nerror), else 1 if an unsuppressed finding "
      "reaches --fail-on, else 0.\n");
}

static void usage_plan(FILE *f) {
  fprintf(
      f,
      "Usage: %s plan [OPTION]... TARGET...\n"
      "Show what Windows will do at the next boot, from the Session "
      "Manager\nconfiguration of each SYSTEM hive: every action in the "
      "order smss.exe, the\nkernel and the loader take it, the files "
      "it runs, maps or changes (resolved,\nwith who can write there), "
      "and under each action the findings that judge it.\n"
      "Every value the plan reads is accounted for: consumed by an "
      "action, documented\nas inert, or reported unmodelled.\n\n"
      "TARGET is what scan takes: a hive, a volume or collection folder, "
      "a disk image.\n\n"
      "  -f, --format FORMAT       text (default) or json (JSON Lines, "
      "the scan's object\n"
      "                            with \"plan\" added)\n"
      "The other options are scan's (smaudit scan --help): --baseline, "
      "--control-set,\n--fail-on, --color, --no-recover, --unsafe, "
      "--no-hash, -r, -j, --timeout,\n--max-memory, --max-results, --sort, -o, "
      "--force, --shard, -q.\n\n"
      "Exit status: as scan's.\n",
      sm_progname);
}

enum {
  OPT_CS = 256,
  OPT_FAIL,
  OPT_COLOR,
  OPT_NOREC,
  OPT_UNSAFE,
  OPT_NOHASH,
  OPT_TIMEOUT,
  OPT_MAXMEM,
  OPT_MAXRES,
  OPT_SORT,
  OPT_FORCE,
  OPT_SHARD,
  OPT_NOFILES,
  OPT_TRUST,
  OPT_MINSEV,
};

/* -o FILE: refuse a target, a place inside a target folder or volume or
 * beside a hive (cli/outfile.h), or an existing FILE unless force; then a
 * new file. */
static FILE *open_output(const char *file, const sm_found_list *l, bool force,
                         sm_outfile *o) {
  struct stat a, b;
  bool exists = stat(file, &a) == 0;
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->v[i].target, file) == 0 ||
        (exists && l->v[i].path && stat(l->v[i].path, &b) == 0 &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino)) {
      sm_cli_error("%s: is a target; not writing the report there", file);
      return NULL;
    }
  if (!sm_outfile_check_dirs(file, l->dirs, l->n_dirs))
    return NULL;
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].path && !sm_outfile_check_beside(file, l->v[i].path, force))
      return NULL;
  if (!sm_outfile_create(o, file, force))
    return NULL;
  return sm_outfile_stream(o);
}

/* Everything the command line says. */
typedef struct scan_args {
  sm_scan_options o;
  const char **baselines; /* --baseline, in order */
  size_t n_baselines;
  sm_batch_opts bo;
  sm_format format;
  const char *output;
  bool recursive, quiet, force;
  bool plan;              /* smaudit plan: render the boot plan */
  int color;              /* -1 auto */
  int min_severity;       /* --min-severity: findings shown (0: all) */
  unsigned shard, shards; /* --shard K/N; 0/0 none */
  sm_anchors *anchors;    /* --trust-file */
} scan_args;

static bool parse_enum_option(int c, const char *arg, scan_args *a) {
  sm_severity s;
  if (c == 'f') {
    return sm_format_option(a->plan ? "plan" : "scan", arg, a->plan,
                            &a->format);
  } else if (c == OPT_CS) {
    if (strcmp(arg, "all") == 0 || strcmp(arg, "current") == 0 ||
        strcmp(arg, "selected") == 0) {
      a->o.all_control_sets = strcmp(arg, "all") == 0;
      a->o.current_only = strcmp(arg, "current") == 0;
      return true;
    }
    sm_cli_error("scan: --control-set takes selected, current or all, not "
                 "'%s'",
                 arg);
  } else if (c == OPT_FAIL) {
    if (strcmp(arg, "never") == 0 || sm_severity_parse(arg, &s)) {
      a->bo.fail_on = strcmp(arg, "never") == 0 ? -1 : (int)s;
      return true;
    }
    sm_cli_error("scan: --fail-on takes info, low, medium, high, critical "
                 "or never, not '%s'",
                 arg);
  } else if (c == OPT_MINSEV) {
    if (sm_severity_parse(arg, &s)) {
      a->min_severity = (int)s;
      return true;
    }
    sm_cli_error("scan: --min-severity takes info, low, medium, high or "
                 "critical, not '%s'",
                 arg);
  } else if (c == OPT_COLOR) {
    static const char *const whens[] = {"never", "always", "auto"};
    for (int i = 0; i < 3; i++)
      if (strcmp(arg, whens[i]) == 0) {
        a->color = i == 2 ? -1 : i;
        return true;
      }
    sm_cli_error("scan: --color takes auto, always or never");
  }
  return false;
}

/* --shard K/N: 1 <= K <= N <= 65536. */
static bool parse_shard(const char *arg, scan_args *a) {
  unsigned long k, n;
  char *slash = strchr(arg, '/'), *end;
  if (slash && slash > arg && slash[1] && arg[0] != '-' && slash[1] != '-') {
    errno = 0;
    k = strtoul(arg, &end, 10);
    if (end == slash && !errno) {
      n = strtoul(slash + 1, &end, 10);
      if (!*end && !errno && k >= 1 && n <= 65536 && k <= n) {
        a->shard = (unsigned)k;
        a->shards = (unsigned)n;
        return true;
      }
    }
  }
  sm_cli_error("scan: --shard takes K/N, 1 <= K <= N <= 65536 (this "
               "machine's share of N), not '%s'",
               arg);
  return false;
}

/* --trust-file PEM: its certificates become anchors of kind "user". */
static bool load_trust(const char *path, scan_args *a) {
  sm_error err = {0};
  size_t len = 0;
  char *text = NULL;
  FILE *f = fopen(path, "rb");
  if (f) {
    text = malloc(1 << 20);
    len = text ? fread(text, 1, 1 << 20, f) : 0;
    fclose(f);
  }
  if (!a->anchors)
    a->anchors = sm_anchors_new();
  if (!f || !text || !a->anchors ||
      sm_anchors_add_pem(a->anchors, text, len, &err) != SM_OK) {
    sm_cli_error("%s: %s", path,
                 !f           ? strerror(errno)
                 : err.msg[0] ? err.msg
                              : "out of memory");
    free(text);
    return false;
  }
  free(text);
  a->o.anchors = a->anchors;
  return true;
}

/* One option; false when it is wrong (said). */
static bool parse_option(int c, const char *arg, scan_args *a) {
  unsigned long v;
  switch (c) {
  case 'b':
    if (!(arg = sm_cli_baseline_arg("scan", arg)))
      return false;
    a->baselines[a->n_baselines++] = arg;
    return true;
  case OPT_NOREC:
    a->o.open_flags |= SM_OPEN_NO_RECOVER;
    return true;
  case OPT_UNSAFE:
    a->o.open_flags |= SM_OPEN_UNSAFE;
    return true;
  case OPT_NOHASH:
    a->o.open_flags |= SM_OPEN_NO_HASH;
    return true;
  case 'r':
    a->recursive = true;
    return true;
  case 'j':
    if (!sm_cli_parse_count("scan", "--jobs", arg, 1024, &v))
      return false;
    a->bo.jobs = v ? (unsigned)v : a->bo.jobs;
    return true;
  case OPT_TIMEOUT:
    if (!sm_cli_parse_count("scan", "--timeout", arg, 86400, &v))
      return false;
    a->bo.timeout = (unsigned)v;
    a->bo.in_process = false;
    return true;
  case OPT_MAXMEM:
    if (!sm_cli_parse_count("scan", "--max-memory", arg, 1048576, &v))
      return false;
    a->bo.max_memory = v;
    a->bo.in_process = false;
    return true;
  case OPT_MAXRES:
    if (!sm_cli_parse_count("scan", "--max-results", arg, 1UL << 32, &v))
      return false;
    a->bo.max_results = v;
    return true;
  case OPT_SORT:
    a->bo.sort = true;
    return true;
  case 'o':
    a->output = arg;
    return true;
  case OPT_FORCE:
    a->force = true;
    return true;
  case OPT_SHARD:
    return parse_shard(arg, a);
  case OPT_NOFILES:
    a->o.no_files = true;
    return true;
  case OPT_TRUST:
    return load_trust(arg, a);
  case 'q':
    a->quiet = true;
    return true;
  default:
    return parse_enum_option(c, arg, a);
  }
}

/* The width a text report on a terminal wraps to: COLUMNS, else the
 * terminal's own, else 80. */
static unsigned terminal_width(int fd) {
  const char *c = getenv("COLUMNS");
  char *end;
  unsigned long v = c ? strtoul(c, &end, 10) : 0;
  if (c && *c && !*end && v >= 20 && v <= 1000)
    return (unsigned)v;
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
    return ws.ws_col;
  return 80;
}

static bool same_terminal(int a, int b) {
  struct stat sa, sb;
  return isatty(b) && fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
         sa.st_rdev == sb.st_rdev;
}

/* The audit of what was found, written to f; the exit status. */
/* The processors this process may run on (its affinity mask, which
 * taskset and cgroup cpusets narrow), at least 1. */
static size_t usable_cpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return (size_t)CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (size_t)n : 1;
}

static int run(scan_args *a, const sm_found_list *found) {
  sm_baseline_set set;
  sm_error err = {0};
  if (sm_baseline_set_init(&set, a->baselines, a->n_baselines, &err) != 0) {
    sm_cli_error("%s", err.msg);
    sm_baseline_set_destroy(&set);
    return SM_EXIT_ERROR;
  }
  /* For a batch, the family baselines are parsed once here and the workers
   * inherit them copy-on-write; one hive loads only the one it needs. */
  if (found->n > 1)
    sm_baseline_set_preload(&set);
  FILE *f = stdout;
  sm_outfile out;
  sm_writer w;
  int rc = SM_EXIT_ERROR;
  if (a->output && !(f = open_output(a->output, found, a->force, &out)))
    goto out;
  if (a->color < 0) {
    const char *term = getenv("TERM");
    a->color = isatty(fileno(f)) && !getenv("NO_COLOR") && term &&
               strcmp(term, "dumb") != 0;
  }
  if (!sm_writer_init(&w, a->format, f, a->color)) {
    sm_cli_error("out of memory");
    if (a->output)
      sm_outfile_finish(&out, f, false);
    goto out;
  }
  w.min_severity = a->min_severity;
  if (a->plan)
    sm_writer_plan(&w);
  if (a->format == SM_FORMAT_TEXT && isatty(fileno(f))) {
    w.width = terminal_width(fileno(f));
    /* One terminal for both: the report says the error, once. */
    a->bo.quiet_errors = same_terminal(fileno(f), STDERR_FILENO);
  }
  a->bo.progress = !a->quiet && isatty(STDERR_FILENO);
  /* As many workers as processors (or one processor): each hashes its
   * hive on its own thread, as no processor is left for a second one (a
   * hashing thread per worker made a 2-core -j2 batch of 300 real hives
   * take 6.4 s instead of 4.1 s). */
  size_t workers = found->n < a->bo.jobs ? found->n : a->bo.jobs;
  if (workers >= usable_cpus())
    a->o.open_flags |= SM_OPEN_HASH_INLINE;
  sm_batch_stats st;
  sm_batch_run(found->v, found->n, &a->o, &set, &a->bo, &w, &st);
  bool ok = sm_writer_finish(&w);
  if (!ok && !a->output)
    sm_cli_error("write error on standard output");
  if (a->output)
    ok = sm_outfile_finish(&out, f, ok);
  /* One hive's report says it all; a batch gets a summary line. */
  if (!a->quiet && (found->n > 1 || found->skipped))
    sm_batch_summary(&st, found->skipped, found->unreadable);
  sm_batch_stats_free(&st);
  /* An incomplete audit is never "clean": exit 2 unless --fail-on never.
   * Nor is one where a folder of a target could not be read. */
  rc = !ok || st.errors || found->unreadable ||
               (st.incomplete && a->bo.fail_on >= 0)
           ? SM_EXIT_ERROR
       : st.any_fail ? SM_EXIT_FINDINGS
                     : SM_EXIT_OK;
out:
  sm_baseline_set_destroy(&set);
  return rc;
}

/* For the tests: SMAUDIT_TEST_PAUSE=FIFO stops between discovery and
 * reading (says so on stderr, then waits for a line on FIFO), so that a
 * test can change the evidence at that moment. */
static void test_pause(void) {
  const char *fifo = getenv("SMAUDIT_TEST_PAUSE");
  if (!fifo)
    return;
  fprintf(stderr, "%s: test: discovered\n", sm_progname);
  fflush(stderr);
  int fd = open(fifo, O_RDONLY | O_CLOEXEC);
  char c;
  if (fd >= 0) {
    while (read(fd, &c, 1) == 1 && c != '\n')
      ;
    close(fd);
  }
}

static int scan_or_plan(int argc, char **argv, bool plan) {
  static const struct option opts[] = {
      {"baseline", required_argument, NULL, 'b'},
      {"format", required_argument, NULL, 'f'},
      {"control-set", required_argument, NULL, OPT_CS},
      {"fail-on", required_argument, NULL, OPT_FAIL},
      {"min-severity", required_argument, NULL, OPT_MINSEV},
      {"color", required_argument, NULL, OPT_COLOR},
      {"colour", required_argument, NULL, OPT_COLOR},
      {"no-recover", no_argument, NULL, OPT_NOREC},
      {"unsafe", no_argument, NULL, OPT_UNSAFE},
      {"no-hash", no_argument, NULL, OPT_NOHASH},
      {"recursive", no_argument, NULL, 'r'},
      {"jobs", required_argument, NULL, 'j'},
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      {"max-memory", required_argument, NULL, OPT_MAXMEM},
      {"max-results", required_argument, NULL, OPT_MAXRES},
      {"sort", no_argument, NULL, OPT_SORT},
      {"output", required_argument, NULL, 'o'},
      {"force", no_argument, NULL, OPT_FORCE},
      {"shard", required_argument, NULL, OPT_SHARD},
      {"no-files", no_argument, NULL, OPT_NOFILES},
      {"trust-file", required_argument, NULL, OPT_TRUST},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  scan_args a = {.o = {.today = sm_today_ymd()},
                 .bo = {.jobs = (unsigned)usable_cpus(),
                        .timeout = 120,
                        .max_memory = 4096,
                        .max_results = 100000,
                        /* Isolation when bounds are asked for (and for
                         * every hive of a batch). */
                        .in_process = true,
                        .fail_on = SM_SEV_MEDIUM},
                 .format = SM_FORMAT_TEXT,
                 .color = -1,
                 .plan = plan};
  const char *cmd = plan ? "plan" : "scan";
  sm_found_list found = {.note = sm_cli_note};
  int c, rc = SM_EXIT_OK;
  if (!(a.baselines = calloc((size_t)argc + 1, sizeof *a.baselines))) {
    sm_cli_error("out of memory");
    return SM_EXIT_ERROR;
  }
  optind = 1;
  while ((c = getopt_long(argc, argv, ":b:f:rj:o:qh", opts, NULL)) != -1) {
    if (c == 'h') {
      (plan ? usage_plan : usage_scan)(stdout);
      goto out;
    }
    if (c == '?' || c == ':') {
      rc = sm_cli_bad_option(cmd, opts, c, argv);
      goto out;
    }
    if (!parse_option(c, optarg, &a)) {
      rc = SM_EXIT_ERROR;
      goto out;
    }
  }
  if (optind >= argc) {
    rc = sm_cli_usage_error(cmd,
                            "%s needs at least one TARGET (a hive, "
                            "a volume or a folder)",
                            cmd);
    goto out;
  }
  for (int i = optind; i < argc; i++)
    if (!sm_discover(argv[i], a.recursive, &found)) {
      sm_cli_error("out of memory");
      rc = SM_EXIT_ERROR;
      goto out;
    }
  if (a.shards)
    sm_found_shard(&found, a.shard, a.shards);
  test_pause();
  rc = run(&a, &found);
out:
  sm_found_list_free(&found);
  free(a.baselines);
  sm_anchors_free(a.anchors);
  return rc;
}

int sm_cmd_scan(int argc, char **argv) {
  return scan_or_plan(argc, argv, false);
}

int sm_cmd_plan(int argc, char **argv) {
  return scan_or_plan(argc, argv, true);
}
