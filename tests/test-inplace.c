/* Unit tests of reading a hive in place: on a read-only mount of a local
 * file system, or through the private read-only view of a writable one,
 * hivex reads the evidence itself, not a private copy.
 *
 * Each test runs in a child process with a user and mount namespace of its
 * own (unshare), where it mounts a tmpfs, copies a fixture into it and
 * bind-mounts it read-only: no privilege is needed, and nothing outside
 * the child sees the mounts.  Whether the kernel allows that is probed once,
 * before cmocka runs: where it does not (a chroot, most containers), the
 * program prints a TAP plan of zero tests with the reason and exits 0.
 * (cmocka's own skip() is printed by Debian's cmocka as "not ok # SKIP",
 * which the TAP driver counts as a failure.)  SMAUDIT_TEST_NO_USERNS=1
 * simulates a kernel without user namespaces. */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "hive/hive.h"
#include "tests/test-util.h"

enum { CHILD_OK = 0, CHILD_FAIL = 1, CHILD_SKIP = 77 };

static char tmpdir[256];
static char why_not[200]; /* why the private mounts are impossible here */

/* In the child: report and fail. */
static int failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int failed(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("test-inplace: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return CHILD_FAIL;
}

static bool write_text(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
  return close(fd) == 0 && ok;
}

static bool copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  char buf[65536];
  size_t n;
  bool ok = in && out;
  while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
    ok = fwrite(buf, 1, n, out) == n;
  if (in)
    fclose(in);
  if (out && fclose(out) != 0)
    ok = false;
  return ok;
}

/* In the child: say why the private mounts are impossible here. */
static int cannot(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int cannot(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why_not, sizeof why_not, fmt, ap);
  va_end(ap);
  fprintf(stderr, "test-inplace: %s\n", why_not);
  return CHILD_SKIP;
}

/* Become root of a new user namespace with a mount namespace of its own,
 * then mount a tmpfs at tmpdir/rw and a read-only bind of it at tmpdir/ro.
 * CHILD_SKIP when the kernel refuses. */
static int private_mounts(void) {
  char map[64], rw[300], ro[300];
  uid_t uid = getuid();
  gid_t gid = getgid();
  const char *no = getenv("SMAUDIT_TEST_NO_USERNS");
  if (no && *no && strcmp(no, "0") != 0)
    return cannot("unshare: user namespaces disabled by "
                  "SMAUDIT_TEST_NO_USERNS");
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
    return cannot("unshare(CLONE_NEWUSER): %s", strerror(errno));
  write_text("/proc/self/setgroups", "deny");
  snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
  if (!write_text("/proc/self/uid_map", map))
    return cannot("cannot write uid_map: %s", strerror(errno));
  snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
  if (!write_text("/proc/self/gid_map", map))
    return cannot("cannot write gid_map: %s", strerror(errno));
  snprintf(rw, sizeof rw, "%s/rw", tmpdir);
  snprintf(ro, sizeof ro, "%s/ro", tmpdir);
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
      mount("smaudit-test", rw, "tmpfs", 0, "size=16m") != 0 ||
      mount(rw, ro, NULL, MS_BIND, NULL) != 0 ||
      mount(NULL, ro, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
    return cannot("mount in a user namespace: %s", strerror(errno));
  return CHILD_OK;
}

/* Run body in a child with the private mounts; the fixture is copied to
 * rw/NAME (seen read-only as ro/NAME). */
static void in_child(int (*body)(const char *rw, const char *ro),
                     const char *fix, const char *name) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char rw[600], ro[600];
    int rc = private_mounts();
    if (rc == CHILD_OK) {
      snprintf(rw, sizeof rw, "%s/rw/%s", tmpdir, name);
      snprintf(ro, sizeof ro, "%s/ro/%s", tmpdir, name);
      rc = copy_file(fixture(fix), rw) ? body(rw, ro)
                                       : failed("cannot copy %s", fix);
    }
    fflush(NULL);
    _exit(rc);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), CHILD_OK);
}

static int open_or_fail(const char *path, unsigned flags, sm_hive **h) {
  sm_error err = {0};
  if (sm_hive_open(path, flags, h, &err) != SM_OK)
    return failed("%s", err.msg);
  return CHILD_OK;
}

/* How h was read, as a word for messages. */
static const char *access_of(const sm_hive *h) {
  return sm_access_name(sm_hive_access(h));
}

/* A clean hive on the writable mount is read in place through the private
 * read-only view (where one can be had: else from a copy), its access
 * time kept. */
static int view_check(const char *rw, const sm_hive *c, struct timespec t0) {
  struct stat st;
  bool view = strcmp(sm_hive_view_status(), "private read-only view") == 0;
  if (view && sm_hive_access(c) != SM_ACCESS_RO_VIEW)
    return failed("%s: read by %s, not through the view", rw, access_of(c));
  if (!view && sm_hive_access(c) != SM_ACCESS_COPY)
    return failed("%s: read by %s without a view (%s)", rw, access_of(c),
                  sm_hive_view_status());
  if (stat(rw, &st) != 0 || st.st_atim.tv_sec != t0.tv_sec ||
      st.st_atim.tv_nsec != t0.tv_nsec)
    return failed("%s: its access time changed", rw);
  return CHILD_OK;
}

/* A clean hive on the read-only mount is read in place, the same hive on
 * the writable one through the view and from a copy (SM_OPEN_COPY), with
 * the same digest and the same keys. */
static int clean_body(const char *rw, const char *ro) {
  sm_hive *a = NULL, *b = NULL, *c = NULL;
  sm_error err = {0};
  struct timespec t[2] = {{1000000000, 0}, {0, UTIME_OMIT}};
  if (utimensat(AT_FDCWD, rw, t, 0) != 0)
    return failed("utimensat: %s", strerror(errno));
  int rc = open_or_fail(ro, 0, &a);
  if (rc == CHILD_OK)
    rc = open_or_fail(rw, SM_OPEN_COPY, &b);
  if (rc == CHILD_OK)
    rc = open_or_fail(rw, 0, &c);
  if (rc != CHILD_OK)
    goto out;
  if (sm_hive_access(a) != SM_ACCESS_RO_MOUNT || !sm_hive_in_place(a))
    rc = failed("%s: read by %s on a read-only tmpfs", ro, access_of(a));
  else if (sm_hive_in_place(b) || sm_hive_access(b) != SM_ACCESS_COPY)
    rc = failed("%s: read by %s with SM_OPEN_COPY", rw, access_of(b));
  else if (strlen(sm_hive_sha256(a)) != 64 ||
           strcmp(sm_hive_sha256(a), sm_hive_sha256(b)) != 0 ||
           strcmp(sm_hive_sha256(a), sm_hive_sha256(c)) != 0)
    rc = failed("digests differ: %s, %s and %s", sm_hive_sha256(a),
                sm_hive_sha256(b), sm_hive_sha256(c));
  else if (sm_hive_check_unchanged(a, &err) != SM_OK ||
           sm_hive_check_unchanged(c, &err) != SM_OK)
    rc = failed("unchanged file reported changed: %s", err.msg);
  else
    rc = view_check(rw, c, t[0]);
  if (rc != CHILD_OK)
    goto out;
  unsigned ca = 0, cb = 0;
  sm_key ka, kb;
  if (sm_hive_current_control_set(a, &ca, &ka, &err) != SM_OK ||
      sm_hive_current_control_set(b, &cb, &kb, &err) != SM_OK || ca != cb)
    rc = failed("control sets differ (%u, %u): %s", ca, cb, err.msg);
  const unsigned char *ia, *ib, *ic;
  size_t la, lb, lc;
  sm_hive_image(a, &ia, &la);
  sm_hive_image(b, &ib, &lb);
  sm_hive_image(c, &ic, &lc);
  if (rc == CHILD_OK && (la != lb || memcmp(ia, ib, la) != 0 || la != lc ||
                         memcmp(ia, ic, la) != 0))
    rc = failed("images differ");
out:
  sm_hive_close(a);
  sm_hive_close(b);
  sm_hive_close(c);
  return rc;
}

static void test_clean_hive_read_in_place(void **state) {
  (void)state;
  in_child(clean_body, "win-7", "SYSTEM");
}

/* Read in place, a file changed through another mount is an error: on
 * the read-only mount, and through the view of the writable one. */
static int changed_one(const char *rw, const char *path) {
  sm_hive *h = NULL;
  sm_error err = {0};
  int rc = open_or_fail(path, SM_OPEN_NO_HASH, &h);
  if (rc != CHILD_OK)
    return rc;
  static time_t mtime = 12345;
  struct timespec t[2] = {{0, UTIME_OMIT}, {mtime++, 0}};
  if (!sm_hive_in_place(h))
    rc = strcmp(path, rw) == 0 ? CHILD_OK /* no view here: a copy */
                               : failed("%s: not read in place", path);
  else if (utimensat(AT_FDCWD, rw, t, 0) != 0)
    rc = failed("utimensat: %s", strerror(errno));
  else if (sm_hive_check_unchanged(h, &err) == SM_OK)
    rc = failed("%s: a change of mtime went unnoticed", path);
  else if (!strstr(err.msg, "changed while it was read") ||
           strncmp(err.msg, path, strlen(path)) != 0)
    rc = failed("unexpected message: %s", err.msg);
  sm_hive_close(h);
  return rc;
}

static int changed_body(const char *rw, const char *ro) {
  int rc = changed_one(rw, ro);
  return rc == CHILD_OK ? changed_one(rw, rw) : rc;
}

static void test_change_while_read_in_place(void **state) {
  (void)state;
  in_child(changed_body, "win-7", "SYSTEM");
}

/* Change the base block of the file at path: add delta to the primary
 * sequence number (dirty when not 0) and give it a correct checksum (XOR
 * of its first 127 double words) when good_sum, else a wrong one. */
static bool edit_base_block(const char *path, uint32_t delta, bool good_sum) {
  unsigned char b[512];
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0 || pread(fd, b, sizeof b, 0) != (ssize_t)sizeof b)
    return false;
  uint32_t seq = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 |
                 (uint32_t)b[7] << 24;
  seq += delta;
  for (int i = 0; i < 4; i++)
    b[4 + i] = (unsigned char)(seq >> (8 * i));
  uint32_t sum = 0;
  for (int i = 0; i < 508; i += 4)
    sum ^= (uint32_t)b[i] | (uint32_t)b[i + 1] << 8 | (uint32_t)b[i + 2] << 16 |
           (uint32_t)b[i + 3] << 24;
  if (!good_sum)
    sum ^= 0x5a5a5a5a;
  for (int i = 0; i < 4; i++)
    b[508 + i] = (unsigned char)(sum >> (8 * i));
  bool ok = pwrite(fd, b, sizeof b, 0) == (ssize_t)sizeof b;
  return close(fd) == 0 && ok;
}

/* A wrong checksum is mended in a copy for hivex: no reading in place. */
static int mended_body(const char *rw, const char *ro) {
  sm_hive *h = NULL;
  if (!edit_base_block(rw, 0, false))
    return failed("cannot edit %s", rw);
  int rc = open_or_fail(ro, 0, &h);
  if (rc != CHILD_OK)
    return rc;
  if (sm_hive_in_place(h))
    rc = failed("%s: a hive with a wrong checksum was read in place", ro);
  else if (sm_hive_base(h)->checksum_ok)
    rc = failed("%s: the checksum was not made wrong", ro);
  sm_hive_close(h);
  return rc;
}

static void test_wrong_checksum_copied(void **state) {
  (void)state;
  in_child(mended_body, "win-7", "SYSTEM");
}

/* A dirty hive with no logs beside it has nothing to replay: it is read in
 * place, and says it is dirty and why nothing was replayed. */
static int dirty_body(const char *rw, const char *ro) {
  sm_hive *h = NULL;
  if (!edit_base_block(rw, 1, true))
    return failed("cannot edit %s", rw);
  int rc = open_or_fail(ro, 0, &h);
  if (rc != CHILD_OK)
    return rc;
  if (!sm_hive_base(h)->dirty)
    rc = failed("%s: not dirty", ro);
  else if (!sm_hive_in_place(h))
    rc = failed("%s: a dirty hive without logs was copied", ro);
  else if (!strstr(sm_hive_recovery(h)->warning, "no transaction logs"))
    rc = failed("%s: warning '%s'", ro, sm_hive_recovery(h)->warning);
  sm_hive_close(h);
  return rc;
}

static void test_dirty_without_logs_in_place(void **state) {
  (void)state;
  in_child(dirty_body, "win-7", "SYSTEM");
}

/* A dirty hive with a log beside it is replayed in a copy.  The log here
 * is no valid log (a copy of the hive): replay stops at once with a
 * warning, but the copy is made. */
static int logs_body(const char *rw, const char *ro) {
  sm_hive *h = NULL;
  char log[700];
  snprintf(log, sizeof log, "%s.LOG1", rw);
  if (!edit_base_block(rw, 1, true) || !copy_file(rw, log))
    return failed("cannot prepare %s", rw);
  int rc = open_or_fail(ro, 0, &h);
  if (rc != CHILD_OK)
    return rc;
  if (sm_hive_in_place(h))
    rc = failed("%s: a dirty hive with logs was read in place", ro);
  else if (!sm_hive_recovery(h)->attempted)
    rc = failed("%s: no recovery attempted", ro);
  sm_hive_close(h);
  return rc;
}

static void test_dirty_with_logs_copied(void **state) {
  (void)state;
  in_child(logs_body, "win-7", "SYSTEM");
}

static int setup(void **state) {
  (void)state;
  char rw[300], ro[300];
  snprintf(tmpdir, sizeof tmpdir, "%s/smaudit-inplace.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(tmpdir))
    return -1;
  snprintf(rw, sizeof rw, "%s/rw", tmpdir);
  snprintf(ro, sizeof ro, "%s/ro", tmpdir);
  return mkdir(rw, 0700) == 0 && mkdir(ro, 0700) == 0 ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char p[300];
  snprintf(p, sizeof p, "%s/rw", tmpdir);
  rmdir(p);
  snprintf(p, sizeof p, "%s/ro", tmpdir);
  rmdir(p);
  rmdir(tmpdir);
  return 0;
}

/* Can a child make the private mounts here?  Probed once, in a child like
 * the tests' own; false with the reason in why_not. */
static bool private_mounts_possible(void) {
  int fds[2];
  if (setup(NULL) != 0 || pipe(fds) != 0) {
    snprintf(why_not, sizeof why_not, "cannot make a temporary folder: %s",
             strerror(errno));
    return false;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    int rc = private_mounts();
    if (rc != CHILD_OK && write(fds[1], why_not, strlen(why_not)) < 0)
      rc = CHILD_FAIL;
    _exit(rc);
  }
  close(fds[1]);
  ssize_t n = pid > 0 ? read(fds[0], why_not, sizeof why_not - 1) : -1;
  why_not[n > 0 ? n : 0] = '\0';
  close(fds[0]);
  int status = 0;
  bool ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
            WEXITSTATUS(status) == CHILD_OK;
  if (!ok && !why_not[0])
    snprintf(why_not, sizeof why_not, "the probe child failed");
  teardown(NULL);
  return ok;
}

/* Truncated by someone else while read in place, the mapping faults: the
 * process says so in one line naming the hive and exits 2 (base/fault.h),
 * for every command alike. */
static int truncated_body(const char *rw, const char *ro) {
  int p[2];
  if (pipe(p) != 0)
    return failed("pipe: %s", strerror(errno));
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], STDERR_FILENO);
    close(p[0]);
    sm_hive *h = NULL;
    if (open_or_fail(ro, SM_OPEN_NO_HASH, &h) != CHILD_OK)
      _exit(CHILD_FAIL);
    if (!sm_hive_in_place(h))
      _exit(failed("%s: not read in place", ro));
    if (truncate(rw, 4096) != 0)
      _exit(failed("truncate: %s", strerror(errno)));
    unsigned *ids;
    size_t n;
    sm_key k;
    sm_hive_control_sets(h, &ids, &n, NULL);
    sm_key_lookup(h, sm_hive_root(h), "ControlSet001\\Control\\Session Manager",
                  &k, NULL);
    _exit(failed("%s: read past the end without a fault", ro));
  }
  close(p[1]);
  char buf[1024] = "";
  ssize_t got = 0, r;
  while ((r = read(p[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0)
    got += r;
  close(p[0]);
  buf[got > 0 ? got : 0] = '\0';
  int status = 0;
  waitpid(pid, &status, 0);
  char want[1024];
  snprintf(want, sizeof want,
           "%s: the file changed while it was read in place (truncated "
           "under its mapping)\n",
           ro);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 2)
    return failed("not exit status 2 (status %#x): %s", status, buf);
  if (strcmp(buf, want) != 0)
    return failed("unexpected message: %s", buf);
  return CHILD_OK;
}

static void test_truncated_while_read_in_place(void **state) {
  (void)state;
  in_child(truncated_body, "win-7", "SYSTEM");
}

int main(void) {
  if (!private_mounts_possible()) {
    /* A plain TAP skip of the whole program, with the reason. */
    printf("1..0 # SKIP no private read-only mount (%s)\n", why_not);
    return 0;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_clean_hive_read_in_place),
      cmocka_unit_test(test_change_while_read_in_place),
      cmocka_unit_test(test_wrong_checksum_copied),
      cmocka_unit_test(test_dirty_without_logs_in_place),
      cmocka_unit_test(test_dirty_with_logs_copied),
      cmocka_unit_test(test_truncated_while_read_in_place),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
