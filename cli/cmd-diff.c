#include <config.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "checks/baseline.h"
#include "checks/diff.h"
#include "cli/cli.h"
#include "cli/scan.h"

static void usage_diff(FILE *f) {
  fprintf(f,
          "Usage: %s diff [OPTION]... HIVE_A HIVE_B\n"
          "  or:  %s diff [OPTION]... HIVE --control-set N --control-set M\n"
          "Show what differs in the audited keys (those the baseline has "
          "rules on, below\nthe control set, and Select and Setup at the "
          "root): values added, removed\nor changed, subkeys added or "
          "removed.\n\n"
          "  -b, --baseline NAME|FILE  the baseline whose keys are compared; "
          "default:\n"
          "                            detected from the first hive\n"
          "      --control-set N       the control set to compare (once per "
          "side);\n"
          "                            default: each hive's current one\n"
          "  -f, --format FORMAT       %s (default: text)\n"
          "  -h, --help                display this help and exit\n\n"
          "Exit status: 0 identical, 1 they differ, 2 error.\n",
          sm_progname, sm_progname, sm_format_list(true, NULL));
}

static json_t *side_json(const sm_value *v) {
  if (!v)
    return json_null();
  char tbuf[32];
  return json_pack("{s:s, s:o}", "type",
                   sm_type_label(v->type, tbuf, sizeof tbuf), "data",
                   sm_render_data_json(v));
}

json_t *sm_diff_json(const sm_diff *d) {
  json_t *a = json_array();
  for (size_t i = 0; i < d->n; i++) {
    const sm_difference *x = &d->v[i];
    json_t *o = json_object();
    json_object_set_new(o, "key", sm_json_string(x->key));
    json_object_set_new(
        o, "root",
        json_string(x->root == SM_ROOT_HIVE ? "hive" : "control-set"));
    json_object_set_new(o, "value",
                        x->value ? sm_json_string(x->value) : json_null());
    if (x->subkey)
      json_object_set_new(o, "subkey", sm_json_string(x->subkey));
    json_object_set_new(o, "change", json_string(sm_change_name(x->change)));
    json_object_set_new(o, "a", side_json(x->a));
    json_object_set_new(o, "b", side_json(x->b));
    if (x->tunable)
      json_object_set_new(o, "tunable", json_true());
    json_object_set_new(o, "a_last_write", sm_json_time(x->a_last_write));
    json_object_set_new(o, "b_last_write", sm_json_time(x->b_last_write));
    json_array_append_new(a, o);
  }
  return a;
}

void sm_diff_text(FILE *f, const sm_diff *d) {
  const char *last_key = NULL;
  sm_root last_root = SM_ROOT_CONTROL_SET;
  for (size_t i = 0; i < d->n; i++) {
    const sm_difference *x = &d->v[i];
    if (!last_key || last_root != x->root || strcmp(last_key, x->key) != 0) {
      fputs(i ? "\n[" : "[", f);
      sm_fputs_escaped(f, x->key, false);
      fputs(x->root == SM_ROOT_HIVE ? "]  (hive root)\n" : "]\n", f);
      last_key = x->key;
      last_root = x->root;
    }
    char mark = x->change == SM_CHANGE_ADDED     ? '+'
                : x->change == SM_CHANGE_REMOVED ? '-'
                                                 : '~';
    if (!x->value) {
      fputc(mark, f);
      if (x->subkey) {
        fputs(" subkey ", f);
        sm_fputs_escaped(f, x->subkey, false);
        fputc('\n', f);
      } else {
        fprintf(f, " the key itself (%s)\n", sm_change_name(x->change));
      }
      continue;
    }
    if (x->change != SM_CHANGE_CHANGED) {
      fputc(mark, f);
      sm_render_value_text(f, x->a ? x->a : x->b);
      continue;
    }
    fputs("~ ", f);
    if (x->value[0])
      sm_fputs_escaped(f, x->value, false);
    else
      fputs("(default)", f);
    fputs(x->tunable ? "  (tunable)\n" : "\n", f);
    fputs("  -", f);
    sm_render_value_text(f, x->a);
    fputs("  +", f);
    sm_render_value_text(f, x->b);
  }
}

static void print_json(const char *pa, unsigned ida, const char *pb,
                       unsigned idb, const char *baseline, const sm_diff *d) {
  json_t *o =
      json_pack("{s:{s:o, s:I}, s:{s:o, s:I}, s:o, s:o}", "a", "path",
                sm_json_string(pa), "control_set", (json_int_t)ida, "b", "path",
                sm_json_string(pb), "control_set", (json_int_t)idb, "baseline",
                sm_json_string(baseline), "differences", sm_diff_json(d));
  json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
  fputc('\n', stdout);
  json_decref(o);
}

static void print_report(const char *pa, unsigned ida, const char *pb,
                         unsigned idb, const sm_diff *d) {
  fputs("--- ", stdout);
  sm_fputs_escaped(stdout, pa, false);
  printf(" (ControlSet%03u)\n+++ ", ida);
  sm_fputs_escaped(stdout, pb, false);
  printf(" (ControlSet%03u)\n", idb);
  if (d->n)
    sm_diff_text(stdout, d);
  else
    puts("no differences in the audited keys");
}

/* Side a from the pipeline (its baseline is the one compared through);
 * side b from the second hive, or the other control set of the first. */
static int run_diff(const char *pa, const char *pb, const unsigned cs[2],
                    size_t ncs, const char *given, bool json) {
  sm_baseline_set set;
  sm_scan_result a = {0}, b = {0};
  sm_diff d = {0};
  sm_error err = {0};
  int rc = SM_EXIT_ERROR;
  unsigned idb = cs[1];
  sm_key kb;
  if (!sm_cli_baseline_set(&set, given))
    return SM_EXIT_ERROR;
  if (!sm_cli_scan_open(pa, cs[0], &set, &a))
    goto out;
  /* With two hives and one --control-set, it names the same number in
   * both. */
  if (pb != pa) {
    if (!sm_cli_scan_open(pb, ncs == 2 ? cs[1] : cs[0], &set, &b))
      goto out;
    idb = b.cs_id;
    kb = b.cs_key;
  } else if (sm_hive_control_set(a.h, cs[1], &kb, &err) != SM_OK) {
    sm_cli_error("%s: no ControlSet%03u", pa, cs[1]);
    goto out;
  }
  if (sm_diff_control_sets(a.h, a.cs_key, b.h ? b.h : a.h, kb, a.baseline, &d,
                           &err) != SM_OK) {
    sm_cli_error("%s", err.msg);
    goto out;
  }
  if (!sm_cli_hive_unchanged(a.h) || !sm_cli_hive_unchanged(b.h))
    goto out;
  if (json)
    print_json(pa, a.cs_id, pb, idb, a.baseline->name, &d);
  else
    print_report(pa, a.cs_id, pb, idb, &d);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    sm_cli_error("write error on standard output");
    goto out;
  }
  rc = d.n ? SM_EXIT_FINDINGS : SM_EXIT_OK;
out:
  sm_diff_free(&d);
  sm_scan_result_free(&b);
  sm_scan_result_free(&a);
  sm_baseline_set_destroy(&set);
  return rc;
}

int sm_cmd_diff(int argc, char **argv) {
  enum { OPT_CS = 256 };
  static const struct option opts[] = {
      {"baseline", required_argument, NULL, 'b'},
      {"control-set", required_argument, NULL, OPT_CS},
      {"format", required_argument, NULL, 'f'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *given = NULL;
  unsigned cs[2] = {0, 0};
  size_t ncs = 0;
  bool json = false;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":b:f:h", opts, NULL)) != -1) {
    switch (c) {
    case 'b':
      if (!(given = sm_cli_baseline_arg("diff", optarg)))
        return SM_EXIT_ERROR;
      break;
    case OPT_CS:
      if (ncs == 2 || !sm_cli_parse_control_set(optarg, &cs[ncs])) {
        sm_cli_error("diff: --control-set takes a number from 1 to 999, at "
                     "most twice");
        return SM_EXIT_ERROR;
      }
      ncs++;
      break;
    case 'f':
      if (!sm_format_text_or_json("diff", optarg, &json))
        return SM_EXIT_ERROR;
      break;
    case 'h':
      usage_diff(stdout);
      return SM_EXIT_OK;
    default:
      return sm_cli_bad_option("diff", opts, c, argv);
    }
  }
  int nhives = argc - optind;
  if (nhives == 1 && ncs != 2)
    return sm_cli_usage_error("diff", "diff: one hive needs two "
                                      "--control-set options");
  if (nhives < 1 || nhives > 2)
    return sm_cli_usage_error("diff",
                              "diff takes two hives (or one with "
                              "--control-set twice), %d given",
                              nhives);
  const char *pa = argv[optind], *pb = nhives == 2 ? argv[optind + 1] : pa;
  return run_diff(pa, pb, cs, ncs, given, json);
}
