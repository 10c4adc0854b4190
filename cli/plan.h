/* smaudit plan (cli/cmd-scan.c): the boot plan of each hive, rendered from
 * the scan pipeline's typed result (checks/scan.h, checks/bootplan.h). */
#ifndef SM_CLI_PLAN_H
#define SM_CLI_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/scan.h"

/* cli/plan-render.c: the action each finding of r judges, in the order of
 * the findings of r's reports (-1 none; findings of other control sets
 * none); NULL when out of memory. */
long *sm_plan_finding_actions(const sm_scan_result *r, size_t *n);
/* The scan's JSON object (docs/json.md) with "plan"
 * added and each finding's "action". */
json_t *sm_plan_json(const sm_scan_result *r);
void sm_render_plan_json(FILE *f, const sm_scan_result *r);
/* cli/plan-text.c: the plan as a timeline, each finding under its action. */
void sm_render_plan_text(FILE *f, const sm_scan_result *r, bool color);
/* Make w (text or JSON Lines) render plans. */
void sm_writer_plan(sm_writer *w);

#endif
