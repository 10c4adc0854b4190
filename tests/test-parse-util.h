/* Helpers of the parsers' unit programs (tests/test-parse*.c): real
 * values of each Windows family, values made, parsers run on them, and
 * their fields compared (each helper marked unused: a program may not
 * call them all).  Include after <cmocka.h>. */
#ifndef SM_TEST_PARSE_UTIL_H
#define SM_TEST_PARSE_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse.h"

/* Real values, as hivexget prints them (backslashes unescaped). */
#define CSRSS_XP                                                               \
  "%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows "               \
  "SharedSection=1024,3072,512 Windows=On SubSystemType=Windows "              \
  "ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 "        \
  "ServerDll=winsrv:ConServerDllInitialization,2 ProfileControl=Off "          \
  "MaxRequestThreads=16"
#define CSRSS_7                                                                \
  "%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows "               \
  "SharedSection=1024,12288,512 Windows=On SubSystemType=Windows "             \
  "ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 "        \
  "ServerDll=winsrv:ConServerDllInitialization,2 ServerDll=sxssrv,4 "          \
  "ProfileControl=Off MaxRequestThreads=16"
#define CSRSS_10                                                               \
  "%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows "               \
  "SharedSection=1024,20480,768 Windows=On SubSystemType=Windows "             \
  "ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 "        \
  "ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16"
#define PATH_XP                                                                \
  "%SystemRoot%\\system32;%SystemRoot%;%SystemRoot%\\System32\\Wbem"
#define PATH_7                                                                 \
  "%SystemRoot%\\system32;%SystemRoot%;%SystemRoot%\\System32\\Wbem;"          \
  "%SYSTEMROOT%\\System32\\WindowsPowerShell\\v1.0\\"
#define PATHEXT_7 ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC"

/* ---- helpers ---- */

__attribute__((unused)) static sm_value *mk_value(const char *name,
                                                  uint32_t type) {
  sm_value *v = calloc(1, sizeof *v);
  assert_non_null(v);
  v->name = strdup(name);
  assert_non_null(v->name);
  v->type = type;
  return v;
}

__attribute__((unused)) static sm_value *mk_sz(const char *name,
                                               const char *s) {
  sm_value *v = mk_value(name, SM_REG_SZ);
  v->str = strdup(s);
  assert_non_null(v->str);
  return v;
}

/* strings up to a NULL */
__attribute__((unused)) static sm_value *mk_multi(const char *name, ...) {
  sm_value *v = mk_value(name, SM_REG_MULTI_SZ);
  va_list ap;
  va_start(ap, name);
  v->strv = calloc(1, sizeof *v->strv);
  for (const char *s; (s = va_arg(ap, const char *));) {
    v->strv = realloc(v->strv, (v->nstrv + 2) * sizeof *v->strv);
    assert_non_null(v->strv);
    v->strv[v->nstrv++] = strdup(s);
    v->strv[v->nstrv] = NULL;
  }
  va_end(ap);
  return v;
}

__attribute__((unused)) static sm_value *mk_strv(const char *name, char **strv,
                                                 size_t n) {
  sm_value *v = mk_value(name, SM_REG_MULTI_SZ);
  v->strv = calloc(n + 1, sizeof *v->strv);
  assert_non_null(v->strv);
  for (size_t i = 0; i < n; i++)
    v->strv[i] = strdup(strv[i]);
  v->nstrv = n;
  return v;
}

__attribute__((unused)) static sm_value *mk_dword(const char *name,
                                                  uint32_t d) {
  sm_value *v = mk_value(name, SM_REG_DWORD);
  v->num = d;
  v->has_num = true;
  return v;
}

/* Run a value-level parser on v (which is freed) and return its fields. */
__attribute__((unused)) static sm_fields run(sm_parser p, sm_value *v) {
  sm_parse_input in = {.value = v};
  sm_fields f;
  assert_int_equal(sm_parse_fields(p, &in, &f), SM_OK);
  sm_value_free(v);
  return f;
}

__attribute__((unused)) static sm_fields run_str(sm_parser p, const char *s) {
  return run(p, mk_sz("v", s));
}

__attribute__((unused)) static sm_fields
run_key(sm_parser p, sm_value **v, size_t n, const unsigned *cs, size_t n_cs) {
  sm_parse_input in = {
      .values = v, .n_values = n, .control_sets = cs, .n_control_sets = n_cs};
  sm_fields f;
  assert_int_equal(sm_parse_fields(p, &in, &f), SM_OK);
  for (size_t i = 0; i < n; i++)
    sm_value_free(v[i]);
  return f;
}

__attribute__((unused)) static const sm_field *field(const sm_fields *f,
                                                     const char *name) {
  const sm_field *fl = sm_fields_get(f, name);
  if (!fl)
    fail_msg("no field %s", name);
  return fl;
}

__attribute__((unused)) static size_t count(const sm_fields *f,
                                            const char *name) {
  return field(f, name)->n;
}

/* The field's items joined by '|', for compact assertions. */
__attribute__((unused)) static char *joined(const sm_fields *f,
                                            const char *name) {
  static char buf[4096];
  const sm_field *fl = field(f, name);
  buf[0] = '\0';
  for (size_t i = 0; i < fl->n; i++) {
    if (i)
      strncat(buf, "|", sizeof buf - strlen(buf) - 1);
    strncat(buf, fl->items[i], sizeof buf - strlen(buf) - 1);
  }
  return buf;
}

#define assert_field(f, name, want)                                            \
  assert_string_equal(joined(&(f), name), want)

#endif
