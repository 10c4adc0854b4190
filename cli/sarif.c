#include <config.h>

#include "cli/scan.h"

/* SARIF 2.1.0 output is not written yet. */
bool sm_writer_init_sarif(sm_writer *w) {
  (void)w;
  return false;
}
