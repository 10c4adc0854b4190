/* The "path" parser: one value that names a file or directory (ComSpec,
 * windir, TEMP, BootShell, Kmode ...), resolved as Windows resolves it. */
#include <config.h>

#include <stdlib.h>

#include "checks/parse-internal.h"
#include "checks/winpath.h"

enum { F_RESOLVED, F_PLACE };

static const char *const field_names[] = {"resolved", "place", NULL};
static const char *const path_fields[] = {"resolved", NULL};

static sm_result run(const sm_parse_args *a, sm_fields *out) {
  sm_result r = sm_fields_init(out, field_names);
  if (r != SM_OK)
    return r;
  char *res = sm_path_resolve(a->in->env, a->str);
  r = res ? sm_field_push(&out->v[F_RESOLVED], res) : SM_ERR_NOMEM;
  if (r == SM_OK)
    r = sm_field_push(&out->v[F_PLACE], sm_place_name(sm_path_place(res)));
  free(res);
  if (r != SM_OK)
    sm_fields_free(out);
  return r;
}

const sm_parser_def sm_parser_path = {.name = "path",
                                      .fields = field_names,
                                      .path_fields = path_fields,
                                      .input = SM_INPUT_STRING,
                                      .needs = SM_NEEDS_ENVIRONMENT,
                                      .run = run};
