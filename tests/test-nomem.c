/* Out of memory at each allocation in turn: what fails says so and leaves
 * its data whole.  The program is linked with --wrap for malloc, calloc,
 * realloc and strdup (tests/Makemodule.am), so that the library's calls
 * go through the counters here; the Nth call from now fails once. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/audit.h"
#include "checks/files.h"
#include "checks/scan.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static long countdown = -1; /* the call that fails: 0 the next one */
static bool failed;         /* it did */

static bool fail_now(void) {
  if (countdown < 0)
    return false;
  if (countdown-- == 0)
    return failed = true;
  return false;
}

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) {
  return fail_now() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) {
  return fail_now() ? NULL : __real_realloc(p, n);
}
char *__wrap_strdup(const char *s) {
  return fail_now() ? NULL : __real_strdup(s);
}

/* Fail call k from now; false when the last armed run had no k-th call. */
static void arm(long k) {
  countdown = k;
  failed = false;
}
static bool disarm(void) {
  countdown = -1;
  return failed;
}

/* A shadow copy's description copied whole, or not at all. */
static void shadow_dup_whole_or_nothing(void **state) {
  (void)state;
  sm_scan_shadow s = {.id = "{5f3c}", .created = 42, .volume = "disk.img:p2",
                      .store = 3, .path = "/Windows/System32/config/SYSTEM"};
  for (long k = 0;; k++) {
    arm(k);
    sm_scan_shadow *c = sm_scan_shadow_dup(&s);
    bool hit = disarm();
    if (hit) {
      assert_null(c); /* never a copy missing a field */
    } else {
      assert_non_null(c);
      assert_string_equal(c->id, s.id);
      assert_string_equal(c->volume, s.volume);
      assert_string_equal(c->path, s.path);
      assert_int_equal(c->store, 3);
    }
    sm_scan_shadow_free(c);
    if (!hit)
      break;
  }
}

/* A result whose target could not be copied whole is an error, not a
 * result without its shadow copy or image. */
static void result_init_says_out_of_memory(void **state) {
  (void)state;
  sm_scan_shadow s = {.id = "{5f3c}", .volume = "disk.img:p2",
                      .path = "/Windows/System32/config/SYSTEM"};
  sm_scan_image g = {.file = "disk.img", .format = "raw",
                     .description = "Basic data partition", .path = "/x"};
  sm_scan_target t = {.name = "disk.img:p2:vss3:/SYSTEM", .role = "system",
                      .origin = "disk.img", .image = &g, .shadow = &s};
  for (long k = 0;; k++) {
    sm_scan_result r;
    arm(k);
    sm_scan_result_init(&t, &r);
    bool hit = disarm();
    if (hit) {
      assert_non_null(r.error);
      assert_string_equal(r.error, "out of memory");
    } else {
      assert_null(r.error);
      assert_string_equal(r.shadow->path, s.path);
      assert_string_equal(r.image->description, g.description);
    }
    sm_scan_result_free(&r);
    if (!hit)
      break;
  }
}

static sm_rule rules[3] = {{.id = "R-LOW"}, {.id = "R-LOW-TOO"},
                           {.id = "R-HIGH"}};

static sm_finding finding(const sm_rule *rule, sm_severity sev,
                          const char *file) {
  sm_finding f = {.rule = rule,
                  .severity = sev,
                  .control_set = 1,
                  .key = strdup("ControlSet001\\Control\\Session Manager"),
                  .value = strdup("BootExecute"),
                  .observed = strdup("evil.exe")};
  f.files = calloc(1, sizeof *f.files);
  f.files[0].path = strdup(file);
  f.n_files = 1;
  return f;
}

/* Whether rule is f's or in its also. */
static bool holds(const sm_finding *f, const sm_rule *rule) {
  if (f->rule == rule)
    return true;
  for (size_t i = 0; i < f->n_also; i++)
    if (f->also[i].rule == rule)
      return true;
  return false;
}

/* Three findings about one change, the third the most severe: out of
 * memory at each step, the findings are all there once, each also list
 * with the lead it was built for, no lead less severe than its also. */
static void merge_failure_keeps_lists(void **state) {
  (void)state;
  for (long k = 0;; k++) {
    sm_report rep = {.control_set = 1};
    rep.findings = calloc(3, sizeof *rep.findings);
    rep.findings[0] = finding(&rules[0], SM_SEV_LOW, "c:\\a.exe");
    rep.findings[1] = finding(&rules[1], SM_SEV_LOW, "c:\\b.exe");
    rep.findings[2] = finding(&rules[2], SM_SEV_HIGH, "c:\\c.exe");
    rep.n_findings = 3;
    arm(k);
    sm_result rc = sm_report_merge(&rep);
    bool hit = disarm();
    assert_int_equal(rc, hit ? SM_ERR_NOMEM : SM_OK);
    size_t seen[3] = {0}, files = 0;
    for (size_t i = 0; i < rep.n_findings; i++) {
      const sm_finding *f = &rep.findings[i];
      files += f->n_files;
      for (int r = 0; r < 3; r++)
        seen[r] += holds(f, &rules[r]);
      for (size_t j = 0; j < f->n_also; j++) {
        assert_true(f->also[j].severity <= f->severity);
        files += f->also[j].n_files;
      }
      /* The second joined the first: that list stays with a lead that
       * holds the first. */
      if (holds(f, &rules[1]) && f->rule != &rules[1])
        assert_true(holds(f, &rules[0]));
    }
    for (int r = 0; r < 3; r++)
      assert_int_equal(seen[r], 1);
    assert_int_equal(files, 3);
    if (!hit) {
      assert_int_equal(rep.n_findings, 1);
      assert_ptr_equal(rep.findings[0].rule, &rules[2]);
      assert_int_equal(rep.findings[0].n_files, 3);
    }
    sm_report_free(&rep);
    if (!hit)
      break;
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shadow_dup_whole_or_nothing),
      cmocka_unit_test(result_init_says_out_of_memory),
      cmocka_unit_test(merge_failure_keeps_lists),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
