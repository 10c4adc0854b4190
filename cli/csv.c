#include <config.h>

#include "cli/scan.h"

/* CSV output is not written yet. */
bool sm_writer_init_csv(sm_writer *w) {
  (void)w;
  return false;
}
