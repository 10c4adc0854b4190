/* How Windows reads the values of the keys the audit reads, and the names
 * that Windows' readers and other tools read differently
 * (docs/reading.md). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/audit.h"

/* The keys smss.exe enumerates instead of asking for values by name: each
 * a RTL_QUERY_REGISTRY_SUBKEY entry of its RtlQueryRegistryValues table
 * (ReactOS base/system/smss/sminit.c, SmpRegistryConfigurationTable, a
 * model of Windows' smss.exe): every value is handed to the callback with
 * its name as a C string, and SmpSaveRegistryValue or
 * RtlSetEnvironmentVariable replaces an earlier value of the same name. */
static const char *const enumerated[] = {
    "Control\\Session Manager\\DOS Devices",
    "Control\\Session Manager\\Environment",
    "Control\\Session Manager\\KnownDLLs",
    "Control\\Session Manager\\SubSystems",
};

sm_read_rule sm_key_read_rule(sm_root root, const char *path) {
  if (root != SM_ROOT_CONTROL_SET)
    return SM_READ_BY_NAME;
  for (size_t i = 0; i < sizeof enumerated / sizeof *enumerated; i++)
    if (strcasecmp(path, enumerated[i]) == 0)
      return SM_READ_ENUMERATED;
  return SM_READ_BY_NAME;
}

sm_result sm_values_as_read(sm_value *const *v, size_t n, sm_read_rule rule,
                            sm_value ***out, size_t *nout) {
  *out = NULL;
  *nout = 0;
  if (rule == SM_READ_ENUMERATED)
    return sm_values_enumerated(v, n, out, nout);
  sm_value *const **s;
  size_t m;
  bool *keep = calloc(n ? n : 1, sizeof *keep);
  if (!keep || sm_values_by_name(v, n, false, &s, &m) != SM_OK) {
    free(keep);
    return SM_ERR_NOMEM;
  }
  /* Sorted by name, equal names by position: the first of each run. */
  for (size_t i = 0; i < m; i++) {
    const sm_value *a = *s[i];
    const sm_value *prev = i ? *s[i - 1] : NULL;
    keep[s[i] - v] = !a->name_nul &&
                     !(prev && sm_name_eq(prev->name, prev->name_len, a->name,
                                          a->name_len));
  }
  free(s);
  sm_value **o = malloc((n ? n : 1) * sizeof *o);
  if (!o) {
    free(keep);
    return SM_ERR_NOMEM;
  }
  for (size_t i = 0; i < n; i++)
    if (keep[i])
      o[(*nout)++] = v[i];
  free(keep);
  *out = o;
  return SM_OK;
}

static const sm_rule name_rule = SM_OWN_RULE(
    "SM-AUDIT-AMBIGUOUS-NAME", "A value name Windows reads differently",
    "Every value name of an audited key is stored "
    "once and holds no NUL.",
    "A value of an audited key has a name that Windows' readers "
    "and other tools read differently: a name holding a NUL "
    "(Windows compares names by their stored length, smss.exe "
    "and most tools read them up to the NUL), or two values of "
    "one name (Windows reads the first by name, smss.exe the "
    "last when it enumerates the key). No Windows API writes "
    "either: the hive was edited byte by byte, to show one "
    "configuration to tools and run another.");

const sm_rule *sm_audit_name_rule(void) { return &name_rule; }

static const sm_rule link_rule = SM_OWN_RULE(
    "SM-AUDIT-REGISTRY-LINK", "An audited key is a stored symbolic link",
    "No key on an audited path is a symbolic link "
    "stored in the hive.",
    "A key on the path of an audited key is a registry symbolic "
    "link stored in the hive (flag KEY_SYM_LINK and a REG_LINK "
    "value SymbolicLinkValue): Windows opens what the link "
    "names, and so did the audit, while tools that do not follow "
    "links (hivex, regedit on an offline hive) show the key "
    "itself. Windows keeps no such link on these paths: the "
    "configuration Windows reads was moved elsewhere.");

const sm_rule *sm_audit_link_rule(void) { return &link_rule; }

static const sm_rule reading_rule = SM_OWN_RULE(
    "SM-AUDIT-READING-DIFFERS", "Windows and hivex read a value differently",
    "Every value of an audited key reads the same "
    "in Windows and in other tools.",
    "The data of a value of an audited key is stored so that "
    "Windows reads one thing and hivex (and the tools built on "
    "it) another: a big-data record whose segments are not of "
    "the 16,344 bytes Windows takes from each. Windows writes "
    "none such: the hive was edited byte by byte, to show tools "
    "one configuration and run another. The audit judged what "
    "Windows reads.");

static const sm_rule healed_rule =
    SM_OWN_RULE("SM-AUDIT-SELF-HEALED", "Windows would repair an audited key",
                "Windows' load-time checker finds nothing to "
                "repair in the audited keys.",
                "A key smaudit read is damaged in a way Windows' load-time "
                "checker repairs when it loads the hive (self-healing): it "
                "drops a list entry that is not what it should be, or a "
                "list that cannot be read, and boots. The audit read the "
                "key as repaired, as Windows will. Tools that refuse the "
                "key, or skip the damage silently, show something else; "
                "damage that only Windows' repair makes harmless, or that "
                "hides a key or value from other tools, is a sign the hive "
                "was edited byte by byte.");

bool sm_audit_own_rule(const sm_rule *r) {
  return r == &name_rule || r == &link_rule || r == &reading_rule ||
         r == &healed_rule;
}

bool sm_note_issues(sm_hive *h, sm_note_issue_fn fn, void *ctx) {
  const sm_hive_note *n;
  size_t count = sm_hive_notes(h, &n);
  for (size_t i = 0; i < count; i++) {
    char detail[1024];
    bool name = n[i].kind == SM_NOTE_KEY_NAME;
    snprintf(detail, sizeof detail, "%s \"%s\" %s", name ? "key name" : "key",
             n[i].key, n[i].text);
    if (!fn(ctx, name ? &name_rule : &healed_rule, n[i].key, detail))
      return false;
  }
  return true;
}

/* fn for v: "value name "SHOWN" " then what. */
static bool issue(sm_name_issue_fn fn, void *ctx, const sm_rule *r,
                  const sm_value *v, const char *what) {
  char detail[768];
  char *shown = sm_name_shown(v->name, v->name_len);
  if (!shown)
    return false;
  snprintf(detail, sizeof detail, "value name \"%s\" %s", shown, what);
  bool ok = fn(ctx, r, v, shown, detail);
  free(shown);
  return ok;
}

bool sm_name_issues(sm_value *const *v, size_t n, sm_read_rule rule,
                    sm_name_issue_fn fn, void *ctx) {
  char what[512];
  const char *reader = rule == SM_READ_ENUMERATED
                           ? "smss.exe, which enumerates this key,"
                           : "hivex and other tools";
  for (size_t i = 0; i < n; i++) {
    if (!v[i] || !v[i]->name_nul)
      continue;
    snprintf(what, sizeof what,
             "holds a NUL: %s read it as \"%s\", Windows' lookup by name "
             "does not",
             reader, v[i]->name);
    if (!issue(fn, ctx, &name_rule, v[i], what))
      return false;
  }
  for (size_t i = 0; i < n; i++) {
    if (!v[i] || !v[i]->hivex_differs)
      continue;
    snprintf(what, sizeof what,
             "is kept in a big-data record whose segments are not of the "
             "16,344 bytes Windows reads from each: Windows reads %zu bytes "
             "(audited), hivex %zu bytes that differ",
             v[i]->len, v[i]->hivex_len);
    if (!issue(fn, ctx, &reading_rule, v[i], what))
      return false;
  }
  sm_value *const **s;
  size_t m;
  if (sm_values_by_name(v, n, false, &s, &m) != SM_OK)
    return false;
  bool ok = true;
  for (size_t i = 1; i < m && ok; i++) {
    const sm_value *a = *s[i - 1], *b = *s[i];
    if (sm_name_eq(a->name, a->name_len, b->name, b->name_len))
      ok = issue(fn, ctx, &name_rule, b,
                 rule == SM_READ_ENUMERATED
                     ? "is stored more than once: Windows reads the first by "
                       "name, smss.exe acts on the last"
                     : "is stored more than once: Windows reads the first by "
                       "name, a tool listing the key shows each");
  }
  free(s);
  return ok;
}
