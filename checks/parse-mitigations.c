/* Session Manager\kernel\MitigationOptions: the system-wide process
 * mitigation policy (Set-ProcessMitigation -System), read by the kernel at
 * process creation.  The kernel copies the value's bytes into its policy
 * whatever the value's type (CmGetSystemControlValues takes the data of
 * every CmControlVector entry as it is and only reports the type), so a
 * REG_DWORD or REG_QWORD counts as its bytes do: the first 64 bits are
 * PROCESS_CREATION_MITIGATION_POLICY_*, the next 64 ..._POLICY2_*; each
 * mitigation is a 2-bit field (0 defer, 1 always on, 2 always off, 3 a
 * variant of on).  A field set to 2 forces that mitigation off for every
 * process that does not opt in itself.  Source: Microsoft,
 * *UpdateProcThreadAttribute* (PROC_THREAD_ATTRIBUTE_MITIGATION_POLICY),
 * winnt.h; docs/checks.md, "Object manager and kernel". */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/parse-internal.h"

enum { F_FORCED_OFF, F_FORCED_ON };

static const char *const field_names[] = {"forced-off", "forced-on", NULL};

static const struct {
  unsigned word, shift;
  const char *name;
} fields[] = {
    {0, 8, "mandatory ASLR (force relocate images)"},
    {0, 12, "heap terminate on corruption"},
    {0, 16, "bottom-up ASLR"},
    {0, 20, "high-entropy ASLR"},
    {0, 24, "strict handle checks"},
    {0, 28, "Win32k system call disable"},
    {0, 32, "extension point disable"},
    {0, 36, "arbitrary code guard (dynamic code prohibited)"},
    {0, 40, "Control Flow Guard"},
    {0, 44, "Microsoft-signed binaries only"},
    {0, 48, "untrusted fonts blocked"},
    {0, 52, "remote image loads blocked"},
    {0, 56, "low-label image loads blocked"},
    {0, 60, "System32 images preferred"},
    {1, 4, "loader integrity continuity"},
    {1, 8, "strict Control Flow Guard"},
    {1, 12, "module tampering protection"},
    {1, 16, "indirect branch prediction restricted"},
    {1, 20, "dynamic code downgrade"},
    {1, 24, "speculative store bypass disabled"},
    {1, 28, "hardware-enforced stack protection (CET shadow stacks)"},
};

static uint64_t word_at(const unsigned char *d, size_t len, unsigned w) {
  uint64_t x = 0;
  for (unsigned i = 0; i < 8 && w * 8 + i < len; i++)
    x |= (uint64_t)d[w * 8 + i] << (8 * i);
  return x;
}

static sm_result run(const sm_parse_args *a, sm_fields *out) {
  sm_result r = sm_fields_init(out, field_names);
  for (size_t i = 0; r == SM_OK && i < a->n_values; i++) {
    const sm_value *v = a->values[i];
    if (!v || !v->name || sm_ascii_casecmp(v->name, "MitigationOptions") ||
        v->status != SM_OK || !v->data)
      continue;
    for (size_t f = 0; r == SM_OK && f < sizeof fields / sizeof *fields;
         f++) {
      unsigned bits =
          (unsigned)(word_at(v->data, v->len, fields[f].word) >>
                     fields[f].shift) &
          3u;
      if (bits == 2)
        r = sm_field_pushf(&out->v[F_FORCED_OFF], "%s=%s forced off",
                           v->name, fields[f].name);
      else if (bits)
        r = sm_field_pushf(&out->v[F_FORCED_ON], "%s=%s forced on",
                           v->name, fields[f].name);
    }
  }
  if (r != SM_OK)
    sm_fields_free(out);
  return r;
}

const sm_parser_def sm_parser_kernel_mitigations = {
    .name = "kernel-mitigations",
    .fields = field_names,
    .input = SM_INPUT_KEY,
    .run = run};
