/* No built-in trees: for checks/gen-builtin, which makes them. */
#include <config.h>

#include "checks/yaml-doc.h"

const sm_yaml_builtin sm_yaml_builtins[] = {{NULL, 0, NULL, NULL, NULL, 0, 0}};
yd_node *sm_yaml_built[1];
const size_t sm_yaml_n_builtins = 0;
