/* smaudit base layer: the result and error type every layer returns.
 *
 * Every call that can fail returns an sm_result and, when given an
 * sm_error, fills it with a one-line reason ("FILE: reason").
 */
#ifndef SM_BASE_RESULT_H
#define SM_BASE_RESULT_H

typedef enum sm_result {
  SM_OK = 0,
  SM_ERR_IO,             /* the file cannot be opened or read */
  SM_ERR_NOT_HIVE,       /* no regf signature, or not a registry hive at all */
  SM_ERR_CORRUPT,        /* structure damaged: bad cell, bad hbin, loop */
  SM_ERR_NOT_FOUND,      /* a key or value is absent */
  SM_ERR_TYPE,           /* a value is not of the type its reader needs */
  SM_ERR_NO_SELECT,      /* the hive has no usable Select key */
  SM_ERR_NO_CONTROL_SET, /* Select\Current names a control set that is absent */
  SM_ERR_LIMIT,          /* a size or count limit was reached */
  SM_ERR_NOMEM,
  SM_ERR_USAGE, /* bad argument from the caller */
  SM_ERR_INTERNAL,
} sm_result;

typedef struct sm_error {
  sm_result code;
  char msg[512];
} sm_error;

/* Fill err (when not NULL) and return code. */
sm_result sm_error_set(sm_error *err, sm_result code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *sm_result_str(sm_result r);

#endif
