/* smaudit plan: the boot plan of one hive (checks/bootplan.h) as a
 * timeline for a person, or as the scan's JSON object with "plan" added
 * (docs/plan.md, docs/json.md).  Every finding of the planned control set
 * is shown with the action it judges. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/plan.h"
#include "cli/scan.h"

static const char *const cover_names[] = {
    [SM_COVER_ACTION] = "action",
    [SM_COVER_INERT] = "inert",
    [SM_COVER_UNMODELLED] = "unmodelled",
};

static json_t *str_or_null(const char *s) {
  return s ? sm_json_string(s) : json_null();
}

long *sm_plan_finding_actions(const sm_scan_result *r, size_t *n) {
  *n = 0;
  for (size_t i = 0; i < r->n_reports; i++)
    *n += r->reports[i].n_findings;
  long *v = malloc((*n ? *n : 1) * sizeof *v);
  unsigned *taken = calloc(r->plan.n_actions + 1, sizeof *taken);
  size_t k = 0;
  for (size_t i = 0; v && taken && i < r->n_reports; i++)
    for (size_t j = 0; j < r->reports[i].n_findings; j++) {
      const sm_finding *f = &r->reports[i].findings[j];
      /* Findings of the planned set's report: on its keys, or on the
       * hive root's (control set 0). */
      bool planned =
          r->has_plan && r->reports[i].control_set == r->plan.control_set &&
          (f->control_set == r->plan.control_set || f->control_set == 0);
      v[k] = planned ? sm_boot_plan_action_of(&r->plan, f, taken) : -1;
      /* A result that merges several rules' findings: the action of the
       * first that names one. */
      for (size_t m = 0; planned && v[k] < 0 && m < f->n_also; m++)
        v[k] = sm_boot_plan_action_of(&r->plan, &f->also[m], taken);
      if (v[k] >= 0)
        taken[v[k]]++;
      k++;
    }
  if (!taken) {
    free(v);
    v = NULL;
  }
  free(taken);
  return v;
}

static json_t *action_json(const sm_boot_action *a) {
  json_t *o = json_object(), *files = json_array();
  json_object_set_new(o, "phase", json_string(sm_boot_phase_name(a->phase)));
  json_object_set_new(o, "kind", json_string(a->kind));
  json_object_set_new(o, "key", str_or_null(a->key));
  json_object_set_new(o, "value", str_or_null(a->value));
  json_object_set_new(o, "also", str_or_null(a->also));
  json_object_set_new(o, "item", str_or_null(a->item));
  json_object_set_new(o, "args", str_or_null(a->args));
  for (size_t i = 0; i < a->n_files; i++) {
    const sm_boot_file *f = &a->files[i];
    json_array_append_new(
        files, json_pack("{s:s, s:o, s:o, s:s, s:o}", "role", f->role,
                         "written", sm_json_string(f->written), "resolved",
                         sm_json_string(f->resolved), "place",
                         sm_place_name(f->place), "file",
                         f->fact ? sm_file_json(f->fact) : json_null()));
  }
  json_object_set_new(o, "files", files);
  json_object_set_new(o, "what", str_or_null(a->what));
  json_object_set_new(o, "findings", json_array());
  return o;
}

static json_t *plan_json(const sm_boot_plan *p) {
  json_t *o = json_object(), *actions = json_array(), *values = json_array();
  json_object_set_new(o, "control_set", json_integer(p->control_set));
  for (size_t i = 0; i < p->n_actions; i++)
    json_array_append_new(actions, action_json(&p->actions[i]));
  char tbuf[32];
  for (size_t i = 0; i < p->n_values; i++) {
    const sm_plan_value *v = &p->values[i];
    json_array_append_new(
        values,
        json_pack("{s:o, s:o, s:s, s:s, s:o, s:b}", "key",
                  sm_json_string(v->key), "name", sm_json_string(v->name),
                  "type", sm_type_label(v->type, tbuf, sizeof tbuf), "coverage",
                  cover_names[v->how], "reason", str_or_null(v->reason),
                  "judged", v->judged));
  }
  json_object_set_new(o, "actions", actions);
  json_object_set_new(o, "values", values);
  return o;
}

json_t *sm_plan_json(const sm_scan_result *r) {
  json_t *res = sm_scan_json(r);
  if (!r->has_plan) {
    json_object_set_new(res, "plan", json_null());
    return res;
  }
  json_t *plan = plan_json(&r->plan);
  json_t *actions = json_object_get(plan, "actions");
  json_t *findings = json_object_get(res, "findings");
  size_t n;
  long *of = sm_plan_finding_actions(r, &n);
  for (size_t i = 0; of && i < n; i++) {
    json_t *f = json_array_get(findings, i);
    json_object_set_new(f, "action",
                        of[i] >= 0 ? json_integer(of[i]) : json_null());
    if (of[i] >= 0)
      json_array_append_new(
          json_object_get(json_array_get(actions, (size_t)of[i]), "findings"),
          json_integer((json_int_t)i));
  }
  free(of);
  json_object_set_new(res, "plan", plan);
  return res;
}

void sm_render_plan_json(FILE *f, const sm_scan_result *r) {
  sm_json_line(f, sm_plan_json(r));
}
