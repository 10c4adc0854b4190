/* Environment variables judged by the words of their name, for the names no
 * runtime family of parse-environment.c claims: a name that says it locates
 * code (…_PLUGIN_PATH, …_MODULES, …_PRELOAD) is a code location whatever
 * program reads it; a name that says it holds TLS trust anchors
 * (…_CA_BUNDLE, SSL_CERT_FILE) is a location too; a name that says it
 * turns TLS verification off, or SSLKEYLOGFILE, weakens every TLS client
 * that reads it.  Sources: docs/checks.md, "Environment: variables by what
 * they do". */
#include <config.h>

#include <string.h>

#include "checks/parse-internal.h"

/* The words of a name: split at '_', '-' and '.', each compared without
 * case.  At most 16 words of at most 31 characters are looked at. */
typedef struct {
  char w[16][32];
  size_t n;
} words;

static void split(const char *name, words *out) {
  out->n = 0;
  size_t len = 0;
  for (const char *p = name;; p++) {
    bool sep = !*p || *p == '_' || *p == '-' || *p == '.';
    if (!sep) {
      if (len + 1 < sizeof out->w[0] && out->n < 16)
        out->w[out->n][len++] = *p;
      continue;
    }
    if (len && out->n < 16) {
      out->w[out->n][len] = '\0';
      out->n++;
    }
    len = 0;
    if (!*p)
      break;
  }
}

static bool ieq(const char *a, const char *b) {
  return sm_ascii_casecmp(a, b) == 0;
}

/* Whether word is one of stems, alone or followed by one of tails
 * ("PLUGIN", "PLUGINS", "PLUGINPATH", "MODULEDIR"). */
static bool stem(const char *word, const char *const *stems, size_t n) {
  static const char *const tails[] = {"", "S", "PATH", "PATHS", "DIR",
                                      "DIRS", "SPATH", "SDIR"};
  size_t wl = strlen(word);
  for (size_t i = 0; i < n; i++) {
    size_t sl = strlen(stems[i]);
    if (wl < sl || !sm_ascii_prefix(word, wl, stems[i]))
      continue;
    for (size_t t = 0; t < sizeof tails / sizeof *tails; t++)
      if (ieq(word + sl, tails[t]))
        return true;
  }
  return false;
}

static bool has(const words *w, const char *const *stems, size_t n) {
  for (size_t i = 0; i < w->n; i++)
    if (stem(w->w[i], stems, n))
      return true;
  return false;
}

bool sm_env_name_locates_code(const char *name) {
  /* Plug-ins, modules, engines, add-ons and extensions are code a program
   * loads from the place named; a preload list or a hook is code run in
   * every process that reads it (Cygwin and MSYS honour LD_PRELOAD). */
  static const char *const code[] = {"PLUGIN", "MODULE",  "ENGINE",
                                     "ADDON",  "EXTENSION", "PRELOAD",
                                     "HOOK"};
  words w;
  split(name, &w);
  return has(&w, code, sizeof code / sizeof *code);
}

/* Whether value turns a setting off: 0, false, no, off (any case). */
static bool falsy(const char *value) {
  return ieq(value, "0") || ieq(value, "false") || ieq(value, "no") ||
         ieq(value, "off");
}

sm_env_tls sm_env_tls_judge(const char *name, const char *value) {
  /* NSS, BoringSSL (Chrome, Edge), OpenSSL 3.5 and curl append every TLS
   * session's secrets to this file: whoever reads it decrypts captured
   * traffic of every browser and tool of the machine. */
  if (ieq(name, "SSLKEYLOGFILE"))
    return *value ? SM_ENV_TLS_WEAKENED : SM_ENV_TLS_NONE;
  /* Python's own: PYTHONHTTPSVERIFY=0 (PEP 493) is one word. */
  if (ieq(name, "PYTHONHTTPSVERIFY"))
    return falsy(value) ? SM_ENV_TLS_WEAKENED : SM_ENV_TLS_NONE;
  static const char *const tls[] = {"SSL", "TLS", "HTTPS", "CERT",
                                    "CERTIFICATE", "X509"};
  static const char *const verify[] = {"VERIFY", "VERIFICATION",
                                       "UNAUTHORIZED", "CHECK", "VALIDATE",
                                       "VALIDATION"};
  static const char *const negate[] = {"NO", "DISABLE", "DISABLED", "SKIP",
                                       "INSECURE", "IGNORE"};
  static const char *const store[] = {"CAINFO", "CAPATH", "CAFILE",
                                      "CERTFILE", "CERTDIR"};
  words w;
  split(name, &w);
  bool t = has(&w, tls, sizeof tls / sizeof *tls);
  /* The words of a trust store: CA_BUNDLE, CA_CERTS, CERT_FILE, CERT_DIR,
   * CAINFO, CAPATH (curl, requests, Node.js, Git, OpenSSL, pip, AWS). */
  bool ca = false;
  for (size_t i = 0; i < w.n; i++)
    ca |= ieq(w.w[i], "CA") || ieq(w.w[i], "CAS");
  if (has(&w, store, sizeof store / sizeof *store) ||
      (ca && (t || has(&w, (const char *const[]){"CERT", "FILE", "DIR",
                                                   "BUNDLE"}, 4))) ||
      (t && has(&w, (const char *const[]){"FILE", "DIR"}, 2) &&
       has(&w, (const char *const[]){"CERT"}, 1)))
    return SM_ENV_TLS_STORE;
  /* Verification: a name with a negating word (GIT_SSL_NO_VERIFY,
   * AZURE_CLI_DISABLE_CONNECTION_VERIFICATION, *_INSECURE_SKIP_TLS_VERIFY)
   * is off when set to anything (Git tests only that it is set); a
   * positive name (NODE_TLS_REJECT_UNAUTHORIZED) when set to a false
   * value. */
  bool v = has(&w, verify, sizeof verify / sizeof *verify);
  bool insecure = false;
  for (size_t i = 0; i < w.n; i++)
    insecure |= ieq(w.w[i], "INSECURE");
  if (!t || (!v && !insecure))
    return SM_ENV_TLS_NONE;
  bool neg = has(&w, negate, sizeof negate / sizeof *negate);
  if (neg ? *value != '\0' : falsy(value))
    return SM_ENV_TLS_WEAKENED;
  return SM_ENV_TLS_NONE;
}
