/* Unit tests of the environment parser (checks/parse-environment.c,
 * checks/env-names.c, checks/env-commands.c): each machine-wide variable
 * lands in the field of what it does, whatever its spelling; names that
 * only look alike, values that are not paths and ordinary vendor settings
 * stay out of the high fields. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/parse.h"
#include "checks/winpath.h"

/* One variable, and the field it must land in (NULL: none). */
typedef struct {
  const char *name, *value, *field;
} want;

static const want cases[] = {
    /* TLS weakened: a key log, verification off by a negating name (any
     * value: Git tests only that it is set) or a positive one set false */
    {"SSLKEYLOGFILE", "C:\\Users\\Public\\k.log", "tls-weakened"},
    {"sslkeylogfile", "\\\\server\\share\\k.log", "tls-weakened"},
    {"GIT_SSL_NO_VERIFY", "0", "tls-weakened"},
    {"NODE_TLS_REJECT_UNAUTHORIZED", "0", "tls-weakened"},
    {"PYTHONHTTPSVERIFY", "0", "tls-weakened"},
    {"KUBE_INSECURE_SKIP_TLS_VERIFY", "true", "tls-weakened"},
    {"VENDOR_SSL_VERIFY", "false", "tls-weakened"},
    {"VENDOR_DISABLE_CERT_CHECK", "1", "tls-weakened"},
    {"NODE_TLS_REJECT_UNAUTHORIZED", "1", NULL},
    {"PYTHONHTTPSVERIFY", "1", NULL},
    {"DB_CONNECTION_CHECK", "0", NULL}, /* no TLS word */
    {"SSLKEYLOGFILE", "", NULL},
    /* trust stores: a location, judged by who can write it */
    {"SSL_CERT_FILE", "C:\\Users\\Public\\ca.pem", "search-paths-unsafe"},
    {"SSL_CERT_DIR", "\\\\fileserver\\certs", "search-paths-unsafe"},
    {"CURL_CA_BUNDLE", "%PUBLIC%\\ca.pem", "search-paths-unsafe"},
    {"NODE_EXTRA_CA_CERTS", "certs\\extra.pem", "search-paths-unsafe"},
    {"GIT_SSL_CAINFO", "C:\\Temp\\ca.pem", "search-paths-unsafe"},
    {"REQUESTS_CA_BUNDLE", "C:\\Program Files\\Corp\\ca.pem",
     "search-paths"},
    {"SSL_CERT_FILE", "%ProgramFiles%\\Corp\\ca-bundle.crt", "search-paths"},
    /* a name that says it locates code, in no family's list */
    {"MAGICK_CODER_MODULE_PATH", "C:\\ProgramData\\m", "search-paths-unsafe"},
    {"VST3_PLUGINS", "C:\\Users\\Public\\vst", "search-paths-unsafe"},
    {"LD_PRELOAD", "C:\\Users\\Public\\x.dll", "search-paths-unsafe"},
    {"ACME_EXTENSIONDIR", "C:\\Program Files\\Acme;\\\\srv\\ext",
     "search-paths-unsafe"},
    {"GDAL_DRIVER_PATH", "C:\\Users\\Public\\gdal", NULL}, /* not a code word */
    {"MAGICK_CODER_MODULE_PATH", "C:\\Program Files\\ImageMagick\\modules",
     "search-paths"},
    {"GO111MODULE", "on", NULL},
    {"ENGINE", "v8", NULL},                 /* a word, not a path */
    {"VST_PLUGINS", "https://example.org/vst", NULL}, /* a URL */
    {"NODE_MODULE_VERSION", "108", "runtime-settings"}, /* Node's family */
    /* the families still come first */
    {"QT_PLUGIN_PATH", "C:\\Users\\Public\\qt", "search-paths-unsafe"},
    {"NODE_OPTIONS", "--require C:\\x.js", "code-loading"},
    {"GIT_SSH_COMMAND", "C:\\Users\\Public\\ssh.exe", "runs-command-unsafe"},
};

static const char *landed(const sm_fields *f, const char *item) {
  for (size_t i = 0; i < f->n; i++)
    for (size_t j = 0; j < f->v[i].n; j++)
      if (strcmp(f->v[i].items[j], item) == 0)
        return f->v[i].name;
  return NULL;
}

static void each_variable(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    sm_value v = {.name = (char *)cases[i].name, .type = SM_REG_SZ,
                  .str = (char *)cases[i].value};
    sm_value *vs[] = {&v};
    sm_env env;
    assert_int_equal(sm_env_init(&env, vs, 0), SM_OK);
    sm_parse_input in = {.values = vs, .n_values = 1, .env = &env};
    sm_fields f;
    assert_int_equal(sm_parse_fields(SM_PARSE_ENVIRONMENT, &in, &f), SM_OK);
    char item[512];
    snprintf(item, sizeof item, "%s=%s", cases[i].name, cases[i].value);
    const char *got = landed(&f, item);
    if (!cases[i].field ? got && strcmp(got, "runtime-settings") != 0
                        : !got || strcmp(got, cases[i].field) != 0)
      fail_msg("%s: in %s, want %s", item, got ? got : "no field",
               cases[i].field ? cases[i].field : "none");
    sm_fields_free(&f);
    sm_env_free(&env);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_variable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
