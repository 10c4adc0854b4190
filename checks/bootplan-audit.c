/* The boot plan in the audit: which values a baseline's rules judge, and
 * the findings of unmodelled values (the action each finding judges:
 * bootplan-index.c). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/bootplan-build.h"
#include "checks/parse.h"

static bool listed(char *const *globs, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (sm_glob_ci(globs[i], name))
      return true;
  return false;
}

/* Whether rule r evaluates value name of key. */
static bool rule_judges(const sm_rule *r, const sm_plan_value *v) {
  const char *key = v->key, *name = v->name;
  if (r->root != (v->hive_root ? SM_ROOT_HIVE : SM_ROOT_CONTROL_SET) ||
      strcasecmp(r->key, key) != 0)
    return false;
  if (r->value)
    return sm_value_name_eq(r->value, name);
  if (r->parse != SM_PARSE_NONE && sm_parser_is_key_level(r->parse))
    return true;
  return r->has_values_policy &&
         (r->values.report || listed(r->values.allow, r->values.n_allow, name));
}

void sm_boot_plan_judge(sm_boot_plan *p, const sm_baseline *b) {
  p->n_judged = 0;
  for (size_t i = 0; i < p->n_values; i++) {
    sm_plan_value *v = &p->values[i];
    v->judged = false;
    for (size_t j = 0; b && j < b->n_rules && !v->judged; j++)
      v->judged = rule_judges(&b->rules[j], v);
    p->n_judged += v->judged;
  }
}

sm_result sm_boot_plan_findings(const sm_boot_plan *p, const sm_baseline *b,
                                int today_ymd, sm_report *rep) {
  char tbuf[32];
  for (size_t i = 0; i < p->n_values; i++) {
    const sm_plan_value *v = &p->values[i];
    if (v->how != SM_COVER_UNMODELLED)
      continue;
    char key[600], detail[800];
    if (v->hive_root)
      snprintf(key, sizeof key, "%s", v->key);
    else
      snprintf(key, sizeof key, "ControlSet%03u\\%s", p->control_set, v->key);
    snprintf(detail, sizeof detail,
             "%s \"%s\" (%s) is read at boot and not modelled%s",
             v->policy_key ? "the policy value" : "the value",
             v->name[0] ? v->name : "(default)",
             sm_type_label(v->type, tbuf, sizeof tbuf),
             v->judged ? "; a baseline rule also judges it" : "");
    sm_finding f = {
        .rule = sm_boot_plan_unmodelled_rule(v->policy_key),
        .severity = v->policy_key ? SM_SEV_MEDIUM : SM_SEV_LOW,
        .control_set = v->hive_root ? 0 : p->control_set,
        .key = key,
        .value = v->name,
        .has_type = true,
        .type = v->type,
        .observed = v->data,
        .detail = detail,
    };
    if (sm_report_add(rep, b, today_ymd, &f) != SM_OK)
      return SM_ERR_NOMEM;
  }
  return SM_OK;
}
