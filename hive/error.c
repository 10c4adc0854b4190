#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hive/hive-internal.h"

/* hivex reports structural damage through errno; say what it means. */
sm_result sm_error_from_errno(sm_error *err, int errnum, const char *what) {
  switch (errnum) {
  case ENOTSUP:
    return sm_error_set(err, SM_ERR_CORRUPT, "%s: corrupt hive structure",
                        what);
  case EFAULT:
    return sm_error_set(err, SM_ERR_CORRUPT,
                        "%s: corrupt hive (reference outside the hive)", what);
  case ELOOP:
    return sm_error_set(err, SM_ERR_CORRUPT,
                        "%s: corrupt hive (loop in key structure)", what);
  case ERANGE:
    return sm_error_set(err, SM_ERR_LIMIT, "%s: hive exceeds a size limit",
                        what);
  case ENOMEM:
    return sm_error_set(err, SM_ERR_NOMEM, "%s: out of memory", what);
  case EINVAL:
    return sm_error_set(err, SM_ERR_CORRUPT, "%s: invalid hive data", what);
  case 0:
    return sm_error_set(err, SM_ERR_CORRUPT, "%s: unreadable hive data", what);
  default:
    return sm_error_set(err, SM_ERR_IO, "%s: %s", what, strerror(errnum));
  }
}

static const char *const type_names[] = {
    "REG_NONE",
    "REG_SZ",
    "REG_EXPAND_SZ",
    "REG_BINARY",
    "REG_DWORD",
    "REG_DWORD_BIG_ENDIAN",
    "REG_LINK",
    "REG_MULTI_SZ",
    "REG_RESOURCE_LIST",
    "REG_FULL_RESOURCE_DESCRIPTOR",
    "REG_RESOURCE_REQUIREMENTS_LIST",
    "REG_QWORD",
};

const char *sm_type_name(uint32_t type) {
  if (type < sizeof type_names / sizeof type_names[0])
    return type_names[type];
  return NULL;
}

const char *sm_type_label(uint32_t type, char *buf, size_t size) {
  const char *name = sm_type_name(type);
  if (name)
    return name;
  snprintf(buf, size, "REG_0x%X", (unsigned)type);
  return buf;
}

bool sm_type_parse(const char *name, uint32_t *type) {
  for (uint32_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
    if (strcasecmp(name, type_names[i]) == 0) {
      *type = i;
      return true;
    }
  return false;
}

/* FILETIME counts 100 ns intervals since 1601-01-01. */
void sm_filetime_iso8601(uint64_t ft, char *buf, size_t size) {
  const uint64_t epoch_diff = 11644473600ULL;
  if (size == 0)
    return;
  buf[0] = '\0';
  if (ft == 0)
    return;
  uint64_t secs = ft / 10000000ULL;
  if (secs < epoch_diff)
    return;
  time_t t = (time_t)(secs - epoch_diff);
  struct tm tm;
  if (!gmtime_r(&t, &tm))
    return;
  strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
