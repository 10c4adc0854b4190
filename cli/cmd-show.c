#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan.h"
#include "source/image-pick.h"

/* The Session Manager keys that show prints, below CurrentControlSet. */
static const char *const sm_keys[] = {
    "Control\\Session Manager",
    "Control\\Session Manager\\SubSystems",
    "Control\\Session Manager\\Environment",
    "Control\\Session Manager\\Memory Management",
    "Control\\Session Manager\\Memory Management\\PrefetchParameters",
    "Control\\Session Manager\\KnownDLLs",
    "Control\\Session Manager\\AppCertDlls",
    "Control\\Session Manager\\kernel",
};
/* Values of the Setup key at the hive root. */
static const char *const setup_values[] = {"CmdLine", "SetupType"};

static void usage_show(FILE *f) {
  fprintf(f,
          "Usage: %s show [--format %s] [--timeout SECONDS] "
          "[--max-memory MB] HIVE\n"
          "Print the base block, Select, the resolved CurrentControlSet and "
          "the decoded\nSession Manager values of an offline SYSTEM hive.\n"
          "  --timeout SECONDS   give up after SECONDS, wall clock or CPU "
          "(default 120;\n                      0: none), exit 2\n"
          "  --max-memory MB     address space in MiB (default 4096; 0: "
          "none)\n",
          sm_progname, sm_format_list(true, "|"));
}

static json_t *base_json(const sm_hive *h) {
  const sm_base_block *b = sm_hive_base(h);
  char ts[32];
  sm_filetime_iso8601(b->last_written, ts, sizeof ts);
  json_t *o = json_object();
  json_object_set_new(o, "sequence_primary", json_integer(b->seq_primary));
  json_object_set_new(o, "sequence_secondary", json_integer(b->seq_secondary));
  json_object_set_new(o, "dirty", json_boolean(b->dirty));
  json_object_set_new(o, "last_written", ts[0] ? json_string(ts) : json_null());
  char ver[32];
  snprintf(ver, sizeof ver, "%u.%u", b->major, b->minor);
  json_object_set_new(o, "version", json_string(ver));
  json_object_set_new(o, "file_type", json_integer(b->file_type));
  json_object_set_new(o, "checksum_ok", json_boolean(b->checksum_ok));
  json_object_set_new(o, "file_name", sm_json_string(b->file_name));
  return o;
}

static json_t *recovery_json(const sm_hive *h) {
  const sm_recovery_info *r = sm_hive_recovery(h);
  json_t *o = json_object();
  json_object_set_new(o, "attempted", json_boolean(r->attempted));
  json_object_set_new(o, "recovered", json_boolean(r->recovered));
  json_object_set_new(o, "entries", json_integer(r->entries));
  json_object_set_new(o, "pages", json_integer(r->pages));
  json_object_set_new(o, "logs", sm_json_string(r->logs));
  json_object_set_new(o, "warning",
                      r->warning[0] ? sm_json_string(r->warning) : json_null());
  return o;
}

static void print_base_text(const sm_hive *h) {
  const sm_base_block *b = sm_hive_base(h);
  const sm_recovery_info *rec = sm_hive_recovery(h);
  char ts[32];
  sm_filetime_iso8601(b->last_written, ts, sizeof ts);
  printf("hive:          ");
  sm_fputs_escaped(stdout, sm_hive_path(h), false);
  printf("\nsize:          %llu bytes\n",
         (unsigned long long)sm_hive_file_size(h));
  if (sm_hive_sha256(h)[0])
    printf("sha256:        %s\n", sm_hive_sha256(h));
  static const char *const how[] = {
      [SM_ACCESS_COPY] = "from a private copy",
      [SM_ACCESS_RO_MOUNT] = "in place (read-only local mount)",
      [SM_ACCESS_RO_VIEW] = "in place (private read-only view)"};
  printf("read:          %s\n", how[sm_hive_access(h)]);
  printf("base block:    format %u.%u, checksum %s, last written %s\n",
         b->major, b->minor, b->checksum_ok ? "ok" : "BAD",
         ts[0] ? ts : "unknown");
  printf("sequence:      %u/%u (%s)\n", b->seq_primary, b->seq_secondary,
         b->dirty ? "dirty: recent changes may be only in the transaction logs"
                  : "clean");
  if (b->dirty) {
    if (rec->recovered) {
      printf("recovery:      recovered %u entries, %u pages from ",
             rec->entries, rec->pages);
      sm_fputs_escaped(stdout, rec->logs, false);
      putchar('\n');
    } else {
      printf("recovery:      none; the primary file is shown as it is\n");
    }
  }
  /* A warning may come without a dirty hive (a truncated image). */
  if (rec->warning[0]) {
    printf("warning:       ");
    sm_fputs_escaped(stdout, rec->warning, false);
    putchar('\n');
  }
  const char *const *atime;
  size_t n_atime = sm_hive_atime_unprotected(h, &atime);
  for (size_t i = 0; i < n_atime; i++) {
    printf("warning:       access time of ");
    sm_fputs_escaped(stdout, atime[i], false);
    printf(" not protected (not its owner)\n");
  }
  if (sm_hive_unsafe(h)) {
    /* Damaged only when a strict open refuses it (as scan says). */
    sm_scan_target t = {.name = sm_hive_path(h), .path = sm_hive_path(h)};
    if (sm_scan_strictly_refused(&t, SM_OPEN_UNSAFE))
      printf("damaged:       opened in tolerant mode; what follows may come "
             "from a damaged hive\n");
    else
      printf("tolerant:      opened in tolerant mode (--unsafe); it also "
             "opens strictly\n");
  }
  printf("embedded name: ");
  sm_fputs_escaped(stdout, b->file_name, false);
  putchar('\n');
}

/* The key at path below parent, 0 when absent; when it cannot be looked
 * up (a key on the way with too many subkeys, a stored link that cannot
 * be followed) 0 with why in err->msg, said on standard error the first
 * time, and *rc SM_EXIT_ERROR: never said absent. */
static sm_key lookup(sm_hive *h, sm_key parent, const char *path,
                     sm_error *err, int *rc) {
  sm_key k = 0;
  sm_result r = sm_key_lookup(h, parent, path, &k, err);
  if (r == SM_OK || r == SM_ERR_NOT_FOUND) {
    err->msg[0] = '\0';
    return r == SM_OK ? k : 0;
  }
  if (*rc != SM_EXIT_ERROR) /* one line: the first reason */
    sm_cli_error("%s", err->msg);
  *rc = SM_EXIT_ERROR;
  return 0;
}

static json_t *key_json(sm_hive *h, sm_key key, const char *path,
                        const char *why, const char *const *only,
                        size_t nonly) {
  json_t *o = json_object();
  json_object_set_new(o, "path", sm_json_string(path));
  if (!key && why && why[0]) { /* not known to be absent */
    json_object_set_new(o, "present", json_null());
    json_object_set_new(o, "error", sm_json_string(why));
    return o;
  }
  if (!key) {
    json_object_set_new(o, "present", json_false());
    return o;
  }
  json_object_set_new(o, "present", json_true());
  char ts[32];
  sm_filetime_iso8601(sm_key_last_write(h, key), ts, sizeof ts);
  json_object_set_new(o, "last_write", ts[0] ? json_string(ts) : json_null());
  json_t *vals = json_array();
  sm_error err;
  if (only) {
    for (size_t i = 0; i < nonly; i++) {
      sm_value *v;
      if (sm_key_value(h, key, only[i], &v, &err) == SM_OK) {
        json_array_append_new(vals, sm_render_value_json(v));
        sm_value_free(v);
      }
    }
  } else {
    sm_value **vs;
    size_t n;
    if (sm_key_values(h, key, &vs, &n, &err) == SM_OK) {
      for (size_t i = 0; i < n; i++)
        json_array_append_new(vals, sm_render_value_json(vs[i]));
      sm_values_free(vs, n);
    } else {
      json_object_set_new(o, "error", sm_json_string(err.msg));
    }
  }
  json_object_set_new(o, "values", vals);
  return o;
}

static void key_text(sm_hive *h, sm_key key, const char *path,
                     const char *why, const char *const *only, size_t nonly) {
  printf("\n[");
  sm_fputs_escaped(stdout, path, false);
  printf("]");
  if (!key && why && why[0]) {
    printf("  <unreadable: ");
    sm_fputs_escaped(stdout, why, false);
    printf(">\n");
    return;
  }
  if (!key) {
    printf("  (absent)\n");
    return;
  }
  char ts[32];
  sm_filetime_iso8601(sm_key_last_write(h, key), ts, sizeof ts);
  printf("  last write %s\n", ts[0] ? ts : "unknown");
  sm_error err;
  if (only) {
    for (size_t i = 0; i < nonly; i++) {
      sm_value *v;
      if (sm_key_value(h, key, only[i], &v, &err) == SM_OK) {
        sm_render_value_text(stdout, v);
        sm_value_free(v);
      }
    }
    return;
  }
  sm_value **vs;
  size_t n;
  if (sm_key_values(h, key, &vs, &n, &err) != SM_OK) {
    printf("  <values unreadable: ");
    sm_fputs_escaped(stdout, err.msg, false);
    printf(">\n");
    return;
  }
  if (n == 0)
    printf("  (no values)\n");
  for (size_t i = 0; i < n; i++)
    sm_render_value_text(stdout, vs[i]);
  sm_values_free(vs, n);
}

static int show(const char *path, bool json, unsigned open_flags) {
  sm_hive *h;
  sm_error err;
  if (!sm_cli_open_hive(path, open_flags, &h))
    return SM_EXIT_ERROR;
  int rc = SM_EXIT_OK;
  sm_select sel;
  unsigned *ids = NULL;
  size_t nids = 0;
  unsigned ccs = 0;
  sm_key ccs_key = 0;
  if (sm_hive_select(h, &sel, &err) != SM_OK ||
      sm_hive_control_sets(h, &ids, &nids, &err) != SM_OK ||
      sm_hive_current_control_set(h, &ccs, &ccs_key, &err) != SM_OK) {
    sm_cli_error("%s", err.msg);
    rc = SM_EXIT_ERROR;
    goto out;
  }

  char ccs_name[32];
  snprintf(ccs_name, sizeof ccs_name, "ControlSet%03u", ccs);
  sm_error serr;
  sm_key setup = lookup(h, sm_hive_root(h), "Setup", &serr, &rc);

  if (json) {
    json_t *o = json_object();
    json_t *hv = json_object();
    json_object_set_new(hv, "path", sm_json_string(path));
    json_object_set_new(hv, "size",
                        json_integer((json_int_t)sm_hive_file_size(h)));
    json_object_set_new(hv, "sha256",
                        sm_hive_sha256(h)[0] ? json_string(sm_hive_sha256(h))
                                             : json_null());
    json_object_set_new(hv, "base_block", base_json(h));
    json_object_set_new(hv, "recovery", recovery_json(h));
    json_object_set_new(hv, "unsafe", json_boolean(sm_hive_unsafe(h)));
    json_object_set_new(hv, "in_place", json_boolean(sm_hive_in_place(h)));
    json_object_set_new(hv, "access",
                        json_string(sm_access_name(sm_hive_access(h))));
    json_object_set_new(o, "hive", hv);
    json_t *js = json_object();
#define SEL(field, name)                                                       \
  json_object_set_new(js, name,                                                \
                      sel.has_##field ? json_integer(sel.field) : json_null())
    SEL(current, "Current");
    SEL(default_, "Default");
    SEL(last_known_good, "LastKnownGood");
    SEL(failed, "Failed");
#undef SEL
    json_object_set_new(o, "select", js);
    json_t *cs = json_array();
    for (size_t i = 0; i < nids; i++)
      json_array_append_new(cs, json_integer(ids[i]));
    json_object_set_new(o, "control_sets", cs);
    json_object_set_new(o, "current_control_set", json_integer(ccs));
    json_t *keys = json_array();
    for (size_t i = 0; i < sizeof sm_keys / sizeof sm_keys[0]; i++) {
      char full[512];
      snprintf(full, sizeof full, "%s\\%s", ccs_name, sm_keys[i]);
      sm_error kerr;
      sm_key k = lookup(h, ccs_key, sm_keys[i], &kerr, &rc);
      json_array_append_new(keys, key_json(h, k, full, kerr.msg, NULL, 0));
    }
    json_array_append_new(keys, key_json(h, setup, "Setup", serr.msg, setup_values, 2));
    json_object_set_new(o, "keys", keys);
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    putchar('\n');
    json_decref(o);
  } else {
    print_base_text(h);
    printf("Select:        Current=%u Default=%u LastKnownGood=%u Failed=%u\n",
           sel.current, sel.default_, sel.last_known_good, sel.failed);
    printf("control sets: ");
    for (size_t i = 0; i < nids; i++)
      printf(" ControlSet%03u", ids[i]);
    printf("\nCurrentControlSet: %s\n", ccs_name);
    for (size_t i = 0; i < sizeof sm_keys / sizeof sm_keys[0]; i++) {
      char full[512];
      snprintf(full, sizeof full, "%s\\%s", ccs_name, sm_keys[i]);
      sm_error kerr;
      sm_key k = lookup(h, ccs_key, sm_keys[i], &kerr, &rc);
      key_text(h, k, full, kerr.msg, NULL, 0);
    }
    key_text(h, setup, "Setup", serr.msg, setup_values, 2);
  }
  if (fflush(stdout) != 0 || ferror(stdout)) {
    sm_cli_error("write error on standard output");
    rc = SM_EXIT_ERROR;
  }
  if (!sm_cli_hive_unchanged(h))
    rc = SM_EXIT_ERROR;
out:
  free(ids);
  sm_hive_close(h);
  return rc;
}

int sm_cmd_show(int argc, char **argv) {
  static const struct option opts[] = {
      {"format", required_argument, NULL, 'f'},
      {"unsafe", no_argument, NULL, 'U'},
      {"no-recover", no_argument, NULL, 'R'},
      {"timeout", required_argument, NULL, 'T'},
      {"max-memory", required_argument, NULL, 'M'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  bool json = false;
  unsigned flags = 0;
  unsigned long timeout = 120, max_memory = 4096; /* as scan's */
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
    switch (c) {
    case 'f':
      if (!sm_format_text_or_json("show", optarg, &json))
        return SM_EXIT_ERROR;
      break;
    case 'U':
      flags |= SM_OPEN_UNSAFE;
      break;
    case 'R':
      flags |= SM_OPEN_NO_RECOVER;
      break;
    case 'T':
      if (!sm_cli_parse_count("show", "--timeout", optarg, 86400, &timeout))
        return SM_EXIT_ERROR;
      break;
    case 'M':
      if (!sm_cli_parse_count("show", "--max-memory", optarg, 1048576,
                              &max_memory))
        return SM_EXIT_ERROR;
      break;
    case 'h':
      usage_show(stdout);
      return SM_EXIT_OK;
    default:
      return sm_cli_bad_option("show", opts, c, argv);
    }
  }
  if (argc - optind != 1)
    return sm_cli_usage_error("show", "show takes one hive, %d given",
                              argc - optind);
  /* An image or a hostile hive is bounded as in scan's worker (a flood of
   * partitions had no limit at all in show). */
  sm_cli_bound(argv[optind], (unsigned)timeout, max_memory);
  return show(argv[optind], json, flags);
}
