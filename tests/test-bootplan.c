/* The boot plan (checks/bootplan.h) on generated fixtures: the order of
 * the phases, the files each action resolves and who can write there, the
 * accounting of every value read, the findings of unmodelled values, and
 * which action a finding judges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "checks/bootplan.h"
#include "test-util.h"

typedef struct planned {
  sm_hive *h;
  sm_boot_plan p;
} planned;

static void build(planned *t, const char *name) {
  sm_key cs;
  unsigned id;
  assert_int_equal(sm_hive_open(fixture(name), SM_OPEN_NO_HASH, &t->h, NULL),
                   SM_OK);
  assert_int_equal(sm_hive_current_control_set(t->h, &id, &cs, NULL), SM_OK);
  assert_int_equal(sm_boot_plan_build(t->h, id, cs, &t->p), SM_OK);
}

static void done(planned *t) {
  sm_boot_plan_free(&t->p);
  sm_hive_close(t->h);
}

/* The first action of that kind whose item (or value) is s. */
static const sm_boot_action *find(const sm_boot_plan *p, const char *kind,
                                  const char *s) {
  for (size_t i = 0; i < p->n_actions; i++) {
    const sm_boot_action *a = &p->actions[i];
    if (strcmp(a->kind, kind) == 0 && ((a->item && strcmp(a->item, s) == 0) ||
                                       (a->value && strcmp(a->value, s) == 0)))
      return a;
  }
  return NULL;
}

/* The file of that role of a. */
static const sm_boot_file *file_of(const sm_boot_action *a, const char *role) {
  for (size_t i = 0; a && i < a->n_files; i++)
    if (strcmp(a->files[i].role, role) == 0)
      return &a->files[i];
  return NULL;
}

static const sm_plan_value *value_of(const sm_boot_plan *p, const char *key,
                                     const char *name) {
  for (size_t i = 0; i < p->n_values; i++)
    if (strstr(p->values[i].key, key) && strcmp(p->values[i].name, name) == 0)
      return &p->values[i];
  return NULL;
}

/* A real Windows 10 configuration: every value accounted for without an
 * unmodelled one, the phases in Windows' order. */
static void test_windows_10_accounted(void **state) {
  (void)state;
  planned t;
  build(&t, "win-10");
  assert_true(t.p.n_values > 50);
  assert_int_equal(t.p.n_unmodelled, 0);
  assert_int_equal(t.p.n_consumed + t.p.n_inert, t.p.n_values);
  assert_int_equal(t.p.n_errors, 0);
  for (size_t i = 1; i < t.p.n_actions; i++)
    assert_true(t.p.actions[i - 1].phase <= t.p.actions[i].phase);
  const sm_boot_action *a = find(&t.p, "boot-program", "autocheck autochk *");
  assert_non_null(a);
  assert_int_equal(a->phase, SM_PHASE_BOOT_EXECUTE);
  assert_int_equal(a->n_files, 1);
  assert_string_equal(a->files[0].resolved,
                      "c:\\windows\\system32\\autochk.exe");
  assert_int_equal(a->files[0].place, SM_PLACE_SYSTEM);
  assert_string_equal(a->args, "*");
  /* The phases come in smss.exe's order. */
  const sm_boot_action *dos = find(&t.p, "dos-device", "NUL");
  const sm_boot_action *kd = find(&t.p, "known-dll", "kernel32");
  const sm_boot_action *cs = find(&t.p, "subsystem", "Windows");
  assert_non_null(dos);
  assert_non_null(kd);
  assert_non_null(cs);
  assert_true(dos < a && a < kd && kd < cs);
  assert_string_equal(cs->files[0].resolved,
                      "c:\\windows\\system32\\csrss.exe");
  /* Inert values say why. */
  const sm_plan_value *v = value_of(&t.p, "Session Manager", "AutoChkTimeout");
  assert_non_null(v);
  assert_int_equal(v->how, SM_COVER_INERT);
  assert_non_null(v->reason);
  done(&t);
}

/* Planted entries: each in its phase, with its file and place. */
static void test_planted_actions(void **state) {
  (void)state;
  planned t;
  build(&t, "plan");
  const sm_boot_action *a = find(&t.p, "boot-program", "evilprog -x");
  assert_non_null(file_of(a, "program"));
  assert_string_equal(file_of(a, "program")->resolved,
                      "c:\\windows\\system32\\evilprog.exe");
  assert_string_equal(a->args, "-x");
  /* A Path entry before system32: smss.exe tries it first. */
  a = find(&t.p, "boot-program", "autocheck autochk *");
  assert_non_null(a);
  assert_int_equal(a->n_files, 2);
  assert_string_equal(a->files[0].role, "searched-first");
  assert_string_equal(a->files[0].resolved, "c:\\tools\\autochk.exe");
  assert_int_equal(a->files[0].place, SM_PLACE_USER);
  assert_string_equal(a->files[1].role, "program");
  a = find(&t.p, "execute", "\\??\\C:\\ProgramData\\x.exe run");
  assert_non_null(a);
  assert_int_equal(a->phase, SM_PHASE_SESSION);
  assert_int_equal(file_of(a, "program")->place, SM_PLACE_USER);
  a = find(&t.p, "replace", "\\??\\C:\\Users\\Public\\k.dll");
  assert_non_null(a);
  assert_int_equal(a->phase, SM_PHASE_RENAMES);
  assert_int_equal(a->n_files, 2);
  assert_string_equal(a->files[1].resolved,
                      "c:\\windows\\system32\\kernel32.dll");
  a = find(&t.p, "appcert-dll", "x");
  assert_non_null(a);
  assert_int_equal(a->phase, SM_PHASE_PROCESS);
  assert_int_equal(a->files[0].place, SM_PLACE_USER);
  a = find(&t.p, "dos-device", "Z:");
  assert_non_null(a);
  assert_int_equal(a->n_files, 1);
  assert_string_equal(a->files[0].resolved, "c:\\users\\public");
  a = find(&t.p, "dos-device", "NUL");
  assert_int_equal(a->n_files, 0); /* a device, not a file place */
  a = find(&t.p, "server-dll", "evil,5");
  assert_non_null(a);
  assert_string_equal(a->files[0].resolved, "c:\\windows\\system32\\evil.dll");
  assert_non_null(find(&t.p, "subsystem-staged", "Staged"));
  a = find(&t.p, "setup-command", "cmd.exe /c C:\\ProgramData\\implant.exe");
  assert_non_null(a);
  assert_string_equal(a->key, "Setup");
  assert_string_equal(a->also, "SetupType");
  assert_string_equal(a->args, "/c C:\\ProgramData\\implant.exe");
  done(&t);
}

/* Values nobody models are unmodelled, medium in policy keys, and become
 * findings; everything else is consumed or inert. */
static void test_unmodelled(void **state) {
  (void)state;
  planned t;
  build(&t, "plan");
  assert_int_equal(t.p.n_unmodelled, 2);
  assert_int_equal(t.p.n_consumed + t.p.n_inert + t.p.n_unmodelled,
                   t.p.n_values);
  const sm_plan_value *v = value_of(&t.p, "kernel", "FutureKernelKnob");
  assert_non_null(v);
  assert_int_equal(v->how, SM_COVER_UNMODELLED);
  assert_true(v->policy_key);
  /* MitigationOptions is a kernel policy (SM-KERNEL-MITIGATIONS-*). */
  v = value_of(&t.p, "kernel", "MitigationOptions");
  assert_non_null(v);
  assert_int_not_equal(v->how, SM_COVER_UNMODELLED);
  v = value_of(&t.p, "Session Manager", "FutureLoaderKnob");
  assert_int_equal(v->how, SM_COVER_UNMODELLED);
  sm_report rep = {.control_set = t.p.control_set};
  assert_int_equal(sm_boot_plan_findings(&t.p, NULL, 20260101, &rep), SM_OK);
  assert_int_equal(rep.n_findings, 2);
  for (size_t i = 0; i < rep.n_findings; i++) {
    assert_string_equal(rep.findings[i].rule->id, "SM-PLAN-UNMODELLED");
    assert_int_equal(rep.findings[i].severity, SM_SEV_MEDIUM);
    assert_true(strncmp(rep.findings[i].key, "ControlSet001\\", 14) == 0);
  }
  sm_report_free(&rep);
  done(&t);
}

/* A finding goes to the action it names; one entry written twice gets one
 * finding each. */
static void test_action_of(void **state) {
  (void)state;
  planned t;
  build(&t, "plan");
  sm_finding f = {
      .key = "ControlSet001\\Control\\Session Manager",
      .value = "BootExecute",
      .observed = "c:\\windows\\system32\\evilprog.exe",
  };
  long i = sm_boot_plan_action_of(&t.p, &f, NULL);
  assert_true(i >= 0);
  assert_string_equal(t.p.actions[i].item, "evilprog -x");
  unsigned *taken = calloc(t.p.n_actions, sizeof *taken);
  assert_non_null(taken);
  f.value = "PendingFileRenameOperations2";
  f.observed = "pending delete: \\??\\C:\\a.txt";
  long first = sm_boot_plan_action_of(&t.p, &f, taken);
  assert_true(first >= 0);
  taken[first]++;
  long second = sm_boot_plan_action_of(&t.p, &f, taken);
  assert_true(second >= 0 && second != first);
  assert_string_equal(t.p.actions[second].kind, "delete");
  f.key = "ControlSet001\\Control\\Session Manager\\Nothing";
  assert_int_equal(sm_boot_plan_action_of(&t.p, &f, NULL), -1);
  free(taken);
  done(&t);
}

/* A plan whose actions name no item, argument or file (empty lists, empty
 * keys): the index holds no strings, and a finding still finds no action
 * by them. */
static void test_action_of_no_strings(void **state) {
  (void)state;
  planned t;
  build(&t, "empty-keys");
  for (size_t i = 0; i < t.p.n_actions; i++)
    assert_null(t.p.actions[i].item);
  sm_finding f = {
      .key = "ControlSet001\\Control\\Session Manager",
      .value = "BootExecute",
      .observed = "c:\\windows\\system32\\autochk.exe",
  };
  long i = sm_boot_plan_action_of(&t.p, &f, NULL);
  assert_true(i < 0 || t.p.actions[i].n_files == 0);
  done(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_windows_10_accounted),
      cmocka_unit_test(test_planted_actions),
      cmocka_unit_test(test_unmodelled),
      cmocka_unit_test(test_action_of),
      cmocka_unit_test(test_action_of_no_strings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
