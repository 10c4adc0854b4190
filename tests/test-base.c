/* The base layer: the evidence-safe open and read, UTF-8, numbers, growth,
 * little-endian helpers and the SIGBUS handling. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/evidence.h"
#include "base/fault.h"
#include "base/grow.h"
#include "base/le.h"
#include "base/num.h"
#include "base/utf8.h"

static char dir[] = "/tmp/smaudit-test-base.XXXXXX";

static const char *in_dir(const char *name) {
  static char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return path;
}

static void put_file(const char *name, const char *text) {
  FILE *f = fopen(in_dir(name), "wb");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

static int setup(void **state) {
  (void)state;
  if (!mkdtemp(dir))
    return -1;
  put_file("f", "hello");
  mkdir(in_dir("sub"), 0755);
  mkfifo(in_dir("fifo"), 0644);
  symlink("/dev/null", in_dir("to-dev-null"));
  symlink("f", in_dir("to-f"));
  return 0;
}

static int teardown(void **state) {
  (void)state;
  const char *names[] = {"f", "fifo", "to-dev-null", "to-f", "big"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    unlink(in_dir(names[i]));
  rmdir(in_dir("sub"));
  return rmdir(dir);
}

/* Open name beneath dir (flags), expecting a refusal with reason. */
static void refused(const char *name, unsigned flags, const char *reason) {
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true(dfd >= 0);
  sm_evidence_file f;
  sm_error err = {0};
  assert_int_equal(sm_evidence_open(dfd, name, NULL, flags, &f, &err),
                   SM_ERR_IO);
  assert_int_equal(f.fd, -1);
  if (!strstr(err.msg, reason))
    fail_msg("%s: \"%s\" does not say \"%s\"", name, err.msg, reason);
  close(dfd);
}

static void evidence_regular_file(void **state) {
  (void)state;
  sm_evidence_file f;
  sm_error err = {0};
  assert_int_equal(sm_evidence_open(AT_FDCWD, in_dir("f"), "F", 0, &f, &err),
                   SM_OK);
  assert_true(f.fd >= 0);
  assert_true(S_ISREG(f.st.st_mode));
  int fl = fcntl(f.fd, F_GETFL);
  assert_int_equal(fl & O_ACCMODE, O_RDONLY);
  assert_true(fl & O_NONBLOCK);
  assert_true(fcntl(f.fd, F_GETFD) & FD_CLOEXEC);
  if (geteuid() == 0 || f.st.st_uid == geteuid()) {
    assert_false(f.atime_unprotected);
    assert_true(fl & O_NOATIME);
  }
  close(f.fd);
}

static void evidence_refuses_other_kinds(void **state) {
  (void)state;
  refused("fifo", 0, "not a regular file (a FIFO)");
  refused("sub", 0, "is a directory");
  refused("f", SM_EVIDENCE_DIR, "Not a directory");
  sm_evidence_file f;
  sm_error err = {0};
  assert_int_equal(
      sm_evidence_open(AT_FDCWD, "/dev/null", "/dev/null", 0, &f, &err),
      SM_ERR_IO);
  assert_string_equal(err.msg,
                      "/dev/null: not a regular file (a character device)");
}

/* Beneath a folder, no symbolic link is followed and nothing outside it is
 * reached; a path the user names is opened as named. */
static void evidence_beneath(void **state) {
  (void)state;
  refused("to-dev-null", SM_EVIDENCE_BENEATH, "symbolic link, not followed");
  refused("to-f", SM_EVIDENCE_BENEATH, "symbolic link, not followed");
  refused("../x", SM_EVIDENCE_BENEATH, "outside the folder, not followed");
  refused("/etc/passwd", SM_EVIDENCE_BENEATH,
          "outside the folder, not followed");
  sm_evidence_file f;
  sm_error err = {0};
  assert_int_equal(
      sm_evidence_open(AT_FDCWD, in_dir("to-f"), NULL, 0, &f, &err), SM_OK);
  close(f.fd);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_int_equal(
      sm_evidence_open(dfd, "f", NULL, SM_EVIDENCE_BENEATH, &f, &err), SM_OK);
  close(f.fd);
  assert_int_equal(sm_evidence_open(dfd, "sub", NULL,
                                    SM_EVIDENCE_BENEATH | SM_EVIDENCE_DIR, &f,
                                    &err),
                   SM_OK);
  assert_true(S_ISDIR(f.st.st_mode));
  close(f.fd);
  close(dfd);
}

static void evidence_read_all(void **state) {
  (void)state;
  unsigned char *buf;
  size_t len;
  sm_evidence_file info;
  sm_error err = {0};
  assert_int_equal(sm_evidence_read_all(AT_FDCWD, in_dir("f"), "F", 0, 16, &buf,
                                        &len, &info, &err),
                   SM_OK);
  assert_int_equal(len, 5);
  assert_memory_equal(buf, "hello", 5);
  assert_int_equal(info.fd, -1);
  free(buf);
  assert_int_equal(sm_evidence_read_all(AT_FDCWD, in_dir("f"), "F", 0, 4, &buf,
                                        &len, NULL, &err),
                   SM_ERR_LIMIT);
  assert_string_equal(err.msg, "F: larger than 4 bytes");
  assert_null(buf);
  int fd = open(in_dir("f"), O_RDONLY | O_CLOEXEC);
  char six[6];
  assert_int_equal(sm_read_full(fd, six, 6, 0, "F", &err), SM_ERR_IO);
  assert_string_equal(err.msg, "F: file shrank while reading");
  close(fd);
}

static void parse_u64(void **state) {
  (void)state;
  uint64_t v = 1;
  assert_true(sm_parse_u64("0", &v) && v == 0);
  assert_true(sm_parse_u64("18446744073709551615", &v) && v == UINT64_MAX);
  assert_true(sm_parse_u64("0xFFFFffffFFFFffff", &v) && v == UINT64_MAX);
  assert_true(sm_parse_u64("0x1f", &v) && v == 31);
  const char *bad[] = {"",
                       "18446744073709551616",
                       "0x10000000000000000",
                       "0x",
                       "12a",
                       "-1",
                       " 1",
                       "1 ",
                       "0x-1",
                       "+1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (sm_parse_u64(bad[i], &v))
      fail_msg("\"%s\" parsed", bad[i]);
  assert_false(sm_parse_u64(NULL, &v));
}

static void utf8(void **state) {
  (void)state;
  uint32_t cp;
  assert_int_equal(sm_utf8_decode((const unsigned char *)"A", 1, &cp), 1);
  assert_int_equal(cp, 'A');
  assert_int_equal(
      sm_utf8_decode((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp), 4);
  assert_int_equal(cp, 0x1F600);
  /* Cut short, overlong, a surrogate, past U+10FFFF, a stray continuation. */
  assert_int_equal(
      sm_utf8_decode((const unsigned char *)"\xF0\x9F\x98\x80", 3, &cp), 0);
  assert_int_equal(sm_utf8_decode((const unsigned char *)"\xC0\x80", 2, &cp),
                   0);
  assert_int_equal(
      sm_utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &cp), 0);
  assert_int_equal(
      sm_utf8_decode((const unsigned char *)"\xF4\x90\x80\x80", 4, &cp), 0);
  assert_int_equal(sm_utf8_decode((const unsigned char *)"\x80", 1, &cp), 0);
  assert_true(sm_utf8_valid("caf\xC3\xA9", 5));
  assert_false(sm_utf8_valid("caf\xC3", 4));
  char out[4];
  for (uint32_t c = 1; c <= 0x10FFFF; c += 0x3FF) {
    if (c >= 0xD800 && c <= 0xDFFF)
      continue;
    size_t n = sm_utf8_put(out, c);
    assert_int_equal(sm_utf8_decode((unsigned char *)out, n, &cp), n);
    assert_int_equal(cp, c);
  }
  /* UTF-16LE: a pair, a lone surrogate (U+FFFD), stop at NUL or not. */
  const unsigned char u16[] = {0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8,
                               'x',  0,    0,    0,    'y',  0};
  bool bad;
  char *s = sm_utf16le_decode(u16, sizeof u16, true, &bad);
  assert_string_equal(s, "\xF0\x9F\x98\x80\xEF\xBF\xBDx");
  assert_true(bad);
  free(s);
  s = sm_utf16le_decode(u16 + 6, 6, false, &bad);
  assert_memory_equal(s, "x\0y", 4);
  assert_false(bad);
  free(s);
}

static void grow_and_le(void **state) {
  (void)state;
  uint32_t *v = NULL;
  for (size_t n = 0; n < 1000; n++) {
    assert_true(sm_grow(&v, n, sizeof *v));
    v[n] = (uint32_t)n;
  }
  assert_int_equal(v[999], 999);
  free(v);
  char *big = NULL;
  assert_false(sm_grow(&big, (size_t)1 << 62, 8)); /* would overflow */
  assert_null(big);
  unsigned char b[8];
  sm_put_le64(b, UINT64_C(0x0102030405060708));
  assert_int_equal(b[0], 8);
  assert_true(sm_le64(b) == UINT64_C(0x0102030405060708));
  assert_int_equal(sm_le32(b + 4), 0x01020304);
  assert_int_equal(sm_le16(b), 0x0708);
  sm_put_le16(b, 0xBEEF);
  sm_put_le32(b + 2, 0xDEADBEEF);
  assert_int_equal(sm_le16(b), 0xBEEF);
  assert_int_equal(sm_le32(b + 2), 0xDEADBEEF);
}

/* In a child: map a file, arm, truncate it, read past the new end. */
static void fault_child(bool quiet, int errfd) {
  const char *path = in_dir("big");
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || ftruncate(fd, 65536) != 0)
    _exit(3);
  volatile unsigned char *m = mmap(NULL, 65536, PROT_READ, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED)
    _exit(3);
  dup2(errfd, STDERR_FILENO);
  sm_fault_arm("other", "not this one");
  sm_fault_arm("big-file", "cut short");
  sm_fault_arm("gone", "not this one either");
  sm_fault_disarm("gone");
  if (quiet)
    sm_fault_quiet();
  if (ftruncate(fd, 0) != 0)
    _exit(3);
  unsigned char c = m[40000];
  _exit(c == 0 ? 4 : 5); /* no fault: a failure */
}

static void fault(void **state) {
  (void)state;
  for (int quiet = 0; quiet < 2; quiet++) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      close(p[0]);
      fault_child(quiet, p[1]);
    }
    close(p[1]);
    char buf[256] = "";
    ssize_t got = 0, r;
    while ((r = read(p[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0)
      got += r;
    buf[got > 0 ? got : 0] = '\0';
    close(p[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (quiet) {
      assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);
      assert_string_equal(buf, "");
    } else {
      assert_true(WIFEXITED(status));
      assert_int_equal(WEXITSTATUS(status), 2);
      assert_string_equal(buf, "big-file: cut short\n");
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(evidence_regular_file),
      cmocka_unit_test(evidence_refuses_other_kinds),
      cmocka_unit_test(evidence_beneath),
      cmocka_unit_test(evidence_read_all),
      cmocka_unit_test(parse_u64),
      cmocka_unit_test(utf8),
      cmocka_unit_test(grow_and_le),
      cmocka_unit_test(fault),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
