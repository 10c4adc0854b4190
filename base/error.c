#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include "base/result.h"

sm_result sm_error_set(sm_error *err, sm_result code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

const char *sm_result_str(sm_result r) {
  switch (r) {
  case SM_OK:
    return "success";
  case SM_ERR_IO:
    return "input/output error";
  case SM_ERR_NOT_HIVE:
    return "not a registry hive";
  case SM_ERR_CORRUPT:
    return "corrupt hive";
  case SM_ERR_NOT_FOUND:
    return "not found";
  case SM_ERR_TYPE:
    return "unexpected value type";
  case SM_ERR_NO_SELECT:
    return "no Select key";
  case SM_ERR_NO_CONTROL_SET:
    return "no such control set";
  case SM_ERR_LIMIT:
    return "limit reached";
  case SM_ERR_NOMEM:
    return "out of memory";
  case SM_ERR_USAGE:
    return "invalid argument";
  case SM_ERR_INTERNAL:
    return "internal error";
  }
  return "unknown error";
}
