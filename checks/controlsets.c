/* The control sets that will run: the one Select\Current names, and the
 * others Select names (Default boots next; LastKnownGood is the fallback
 * boot; Failed is the set a failed boot left). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/controlsets.h"

static const char *const select_roles[] = {"Default", "LastKnownGood",
                                           "Failed"};

static const char *role_says(const char *role) {
  if (strcmp(role, "Default") == 0)
    return "Windows boots it next";
  if (strcmp(role, "LastKnownGood") == 0)
    return "Windows boots it when Last Known Good is chosen";
  return "the set a failed boot left";
}

size_t sm_named_control_sets(sm_hive *h, unsigned current, sm_named_set *out) {
  sm_key sel;
  size_t n = 0;
  if (sm_key_lookup(h, sm_hive_root(h), "Select", &sel, NULL) != SM_OK)
    return 0;
  for (size_t i = 0; i < sizeof select_roles / sizeof select_roles[0]; i++) {
    sm_value *v = NULL;
    uint32_t id = 0;
    sm_key key;
    if (sm_key_value(h, sel, select_roles[i], &v, NULL) == SM_OK &&
        sm_value_dword(v, &id) == SM_OK && id != 0 && id != current &&
        sm_hive_control_set(h, id, &key, NULL) == SM_OK) {
      size_t j = 0;
      while (j < n && out[j].id != id)
        j++;
      if (j == n) { /* Default and LastKnownGood often name one set */
        out[n].id = id;
        out[n].key = key;
        out[n].role = select_roles[i];
        n++;
      }
    }
    sm_value_free(v);
  }
  return n;
}

/* The key below the control set ("Control\Session Manager"), or the whole
 * key for one at the hive root. */
static const char *below_set(const sm_finding *f) {
  if (!f->control_set)
    return f->key;
  const char *p = strchr(f->key, '\\');
  return p ? p + 1 : "";
}

static bool same_str(const char *a, const char *b) {
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool shared(const sm_finding *f, const sm_report *cur) {
  for (size_t i = 0; i < cur->n_findings; i++) {
    const sm_finding *c = &cur->findings[i];
    if (strcmp(c->rule->id, f->rule->id) == 0 &&
        strcmp(below_set(c), below_set(f)) == 0 &&
        same_str(c->value, f->value) && same_str(c->observed, f->observed))
      return true;
  }
  return false;
}

static void rule_error_free(sm_rule_error *e) {
  free(e->key);
  free(e->value);
  free(e->message);
}

sm_result sm_report_keep_changes(sm_report *rep, const sm_report *cur,
                                 const char *role) {
  size_t kept = 0;
  sm_result rc = SM_OK;
  for (size_t i = 0; i < rep->n_findings; i++) {
    sm_finding *f = &rep->findings[i];
    if (shared(f, cur)) {
      sm_finding_free(f);
      continue;
    }
    size_t len = strlen(f->detail ? f->detail : "") + 160;
    char *d = malloc(len);
    if (d) {
      snprintf(d, len, "%s (this control set is Select %s: %s)",
               f->detail ? f->detail : "", role, role_says(role));
      free(f->detail);
      f->detail = d;
    } else {
      rc = SM_ERR_NOMEM;
    }
    rep->findings[kept++] = *f;
  }
  rep->n_findings = kept;
  /* Root keys (Select, Setup) were judged with the current set. */
  kept = 0;
  for (size_t i = 0; i < rep->n_errors; i++) {
    sm_rule_error *e = &rep->errors[i];
    if (e->rule->root == SM_ROOT_HIVE) {
      rule_error_free(e);
      continue;
    }
    rep->errors[kept++] = *e;
  }
  rep->n_errors = kept;
  /* Its rules were counted with the current set. */
  rep->n_pass = rep->n_not_applicable = 0;
  return rc;
}
