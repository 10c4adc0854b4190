/* Unit tests of hive/'s lookup of a subkey by name (hive/subkeys.c): a list
 * Windows keeps sorted is searched by halves, any other from end to end,
 * and both answer as Windows does: names compared by their stored length
 * and upcased, names holding a NUL noted, lists out of order healed as
 * the load-time checker heals them.  Fixture: testdata/reg/lookup.reg. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "base/le.h"
#include "hive/hive.h"
#include "tests/test-util.h"
#include "tests/test-hive-util.h"

static const char *const nato[] = {
    "Alpha",   "Bravo",   "Charlie", "Delta",    "Echo",   "Foxtrot", "Golf",
    "Hotel",   "India",   "Juliet",  "Kilo",     "Lima",   "Mike",    "November",
    "Oscar",   "Papa",    "Quebec",  "Romeo",    "Sierra", "Tango",   "Uniform",
    "Victor",  "Whiskey", "Xray",    "Yankee",   "Zulu"};
#define NATO (sizeof nato / sizeof nato[0])

/* The subkey name under parent, 0 when there is none (SM_ERR_NOT_FOUND);
 * any other error fails. */
static sm_key child(sm_hive *h, sm_key parent, const char *name) {
  sm_key k = 0;
  sm_error err = {0};
  sm_result r = sm_key_lookup(h, parent, name, &k, &err);
  if (r != SM_OK && r != SM_ERR_NOT_FOUND)
    fail_msg("lookup %s: %s", name, err.msg);
  return r == SM_OK ? k : 0;
}

/* The stored name of k. */
static void assert_named(sm_hive *h, sm_key k, const char *name) {
  assert_int_not_equal(k, 0);
  char *s = sm_key_name(h, k);
  assert_non_null(s);
  assert_string_equal(s, name);
  free(s);
}

/* The REG_SZ "Which" of k. */
static void assert_which(sm_hive *h, sm_key k, const char *which) {
  sm_value *v = value(h, k, "Which");
  const char *s = NULL;
  assert_int_equal(sm_value_string(v, &s), SM_OK);
  assert_string_equal(s, which);
  sm_value_free(v);
}

/* How many notes of kind name key (the path from the root, NULs shown as
 * <NUL>) and hold text. */
static size_t notes(sm_hive *h, sm_note_kind kind, const char *key,
                    const char *text) {
  const sm_hive_note *n;
  size_t count = sm_hive_notes(h, &n), hits = 0;
  for (size_t i = 0; i < count; i++)
    hits += n[i].kind == kind && strcmp(n[i].key, key) == 0 &&
            strstr(n[i].text, text) != NULL;
  return hits;
}

/* Every NATO name but those in skip found under parent, spelt as stored,
 * lower case and upper case; and the names around each not found. */
static void assert_nato(sm_hive *h, sm_key parent, const char *skip) {
  for (size_t i = 0; i < NATO; i++) {
    char lower[16], upper[16], past[16], before[16];
    size_t len = strlen(nato[i]);
    for (size_t j = 0; j <= len; j++) {
      lower[j] = (char)(nato[i][j] >= 'A' && nato[i][j] <= 'Z'
                            ? nato[i][j] + 32 : nato[i][j]);
      upper[j] = (char)(nato[i][j] >= 'a' && nato[i][j] <= 'z'
                            ? nato[i][j] - 32 : nato[i][j]);
    }
    snprintf(past, sizeof past, "%s0", nato[i]);     /* sorts after it */
    snprintf(before, sizeof before, "%.*s", (int)len - 1, nato[i]);
    if (skip && strstr(skip, nato[i])) {
      assert_int_equal(child(h, parent, nato[i]), 0);
      continue;
    }
    sm_key k = child(h, parent, nato[i]);
    assert_named(h, k, nato[i]);
    assert_int_equal(child(h, parent, lower), k);
    assert_int_equal(child(h, parent, upper), k);
    assert_int_equal(child(h, parent, past), 0);
    assert_int_equal(child(h, parent, before), 0);
  }
  /* Before the first name, after the last. */
  assert_int_equal(child(h, parent, "A"), 0);
  assert_int_equal(child(h, parent, "0"), 0);
  assert_int_equal(child(h, parent, "Zulu_"), 0);
  assert_int_equal(child(h, parent, "~"), 0);
}

static void test_sorted(void **state) {
  (void)state;
  sm_hive *h = open_fixture("lookup");
  sm_key sorted = child(h, sm_hive_root(h), "Sorted");
  assert_nato(h, sorted, NULL);
  /* '_' sorts after the letters upcased, before them in lower case. */
  assert_named(h, child(h, sorted, "UNDERLINE"), "Underline");
  assert_named(h, child(h, sorted, "under_score"), "Under_score");
  assert_int_equal(child(h, sorted, "Under"), 0);
  assert_int_equal(child(h, sorted, "Under_"), 0);
  /* Looked up again, in another order: the same answers. */
  assert_int_equal(child(h, sorted, "zULU"), child(h, sorted, "Zulu"));
  assert_int_equal(child(h, sorted, "aLPHA"), child(h, sorted, "Alpha"));
  const sm_hive_note *n;
  assert_int_equal(sm_hive_notes(h, &n), 0);
  sm_hive_close(h);
}

/* 327 subkeys in an index root of hash leaves, written sorted by upcased
 * name: every one found, and those that are not there not found. */
static void test_bulk(void **state) {
  (void)state;
  sm_hive *h = open_fixture("lookup");
  sm_key bulk = child(h, sm_hive_root(h), "Bulk");
  assert_nato(h, bulk, NULL);
  assert_named(h, child(h, bulk, "k"), "K");
  for (unsigned i = 0; i < 300; i++) {
    char name[16];
    snprintf(name, sizeof name, "k%03u", i);
    sm_key k = child(h, bulk, name);
    name[0] = 'K';
    assert_named(h, k, name);
  }
  assert_int_equal(child(h, bulk, "K300"), 0);
  assert_int_equal(child(h, bulk, "K00"), 0);
  assert_int_equal(child(h, bulk, "K0000"), 0);
  assert_int_equal(child(h, bulk, "K-1"), 0);
  const sm_hive_note *n;
  assert_int_equal(sm_hive_notes(h, &n), 0);
  sm_hive_close(h);
}

/* Mike<NUL>decoy and Mike<NUL>x beside Mike, Solo<NUL>x alone: Mike is the
 * real key, Solo is not found, and each name holding a NUL is noted when
 * the name it reads as is looked up. */
static void test_cut(void **state) {
  (void)state;
  sm_hive *h = open_fixture("lookup");
  sm_key cut = child(h, sm_hive_root(h), "Cut");
  assert_nato(h, cut, NULL);
  assert_which(h, child(h, cut, "MIKE"), "real");
  assert_int_equal(child(h, cut, "Solo"), 0);
  assert_int_equal(child(h, cut, "solo"), 0);
  const char *held = "holds a NUL";
  /* Once for each spelling looked up (Mike, mike, MIKE; Solo, solo). */
  assert_int_equal(notes(h, SM_NOTE_KEY_NAME, "Cut\\Mike<NUL>decoy", held), 3);
  assert_int_equal(notes(h, SM_NOTE_KEY_NAME, "Cut\\Mike<NUL>x", held), 3);
  assert_int_equal(notes(h, SM_NOTE_KEY_NAME, "Cut\\Solo<NUL>x", held), 2);
  assert_int_equal(notes(h, SM_NOTE_KEY_NAME, "Cut\\Mike<NUL>x",
                         "read it as \"MIKE\""), 1);
  const sm_hive_note *n;
  assert_int_equal(sm_hive_notes(h, &n), 8);
  sm_hive_close(h);
}

/* Lists out of order, as the load-time checker heals them: the subkey that
 * does not sort after the one before it is removed, and noted. */
static void test_out_of_order(void **state) {
  (void)state;
  sm_hive *h = open_fixture("lookup");
  sm_key root = sm_hive_root(h);
  const char *sort = "does not sort after the subkey before it";
  /* Tango moved before Sierra: Sierra removed. */
  sm_key moved = child(h, root, "Moved");
  assert_nato(h, moved, "Sierra");
  assert_int_equal(notes(h, SM_NOTE_HEALED, "Moved", "\"Sierra\""), 1);
  /* Under_score stored before Underline: Windows (upper case: 'L' before
   * '_') removes Underline. */
  sm_key under = child(h, root, "Underscore");
  assert_nato(h, under, NULL);
  assert_named(h, child(h, under, "UNDER_SCORE"), "Under_score");
  assert_int_equal(child(h, under, "Underline"), 0);
  assert_int_equal(notes(h, SM_NOTE_HEALED, "Underscore", "\"Underline\""), 1);
  /* Mike stored twice: the second removed, the first found. */
  sm_key twice = child(h, root, "Twice");
  assert_nato(h, twice, NULL);
  assert_which(h, child(h, twice, "mike"), "first");
  assert_int_equal(notes(h, SM_NOTE_HEALED, "Twice", "\"Mike\""), 1);
  assert_int_equal(notes(h, SM_NOTE_HEALED, "Twice", sort), 1);
  sm_hive_close(h);
}

/* Names past ASCII among ASCII ones: every name found, whichever way it
 * is spelt; upcasing past ASCII is Windows' (Ä for ä, Ω for ω).  Zulué is
 * stored before Zulu, an order not judged: both kept, both found. */
static void test_past_ascii(void **state) {
  (void)state;
  sm_hive *h = open_fixture("lookup");
  sm_key latin = child(h, sm_hive_root(h), "Latin");
  assert_nato(h, latin, NULL);
  assert_which(h, child(h, latin, "\xc3\x84rger"), "latin-1"); /* Ärger */
  assert_which(h, child(h, latin, "\xc3\xa4RGER"), "latin-1"); /* äRGER */
  assert_which(h, child(h, latin, "\xce\xa9mega"), "utf-16");  /* Ωmega */
  assert_which(h, child(h, latin, "\xcf\x89MEGA"), "utf-16");  /* ωMEGA */
  assert_which(h, child(h, latin, "ZULU\xc3\x89"), "moved");     /* ZULUÉ */
  assert_int_equal(child(h, latin, "Arger"), 0);
  assert_int_equal(child(h, latin, "\xc3\x84rge"), 0);
  const sm_hive_note *n;
  assert_int_equal(sm_hive_notes(h, &n), 0);
  sm_hive_close(h);
}

/* The signature of the key record named name (ASCII, case-insensitive)
 * whose parent is the key parent, in p[0..len): its offset, or 0. */
static size_t find_nk(const unsigned char *p, size_t len, sm_key parent,
                      const char *name) {
  size_t n = strlen(name);
  for (size_t o = 4096; o + 0x4C + n <= len; o++)
    if (p[o] == 'n' && p[o + 1] == 'k' && sm_le16(p + o + 0x48) == n &&
        sm_le32(p + o + 0x10) + 4096u == parent &&
        strncasecmp((const char *)p + o + 0x4C, name, n) == 0)
      return o;
  return 0;
}

/* A subkey whose record lacks its signature, in a list otherwise sorted:
 * looked up by its name, a repair not modelled (fails closed); its
 * siblings are still found. */
static void test_signature(void **state) {
  (void)state;
  sm_hive *h = open_fixture("lookup");
  sm_key sorted = child(h, sm_hive_root(h), "Sorted");
  sm_hive_close(h);
  size_t len;
  unsigned char *p = read_file(fixture("lookup"), &len);
  size_t at = find_nk(p, len, sorted, "Juliet");
  assert_int_not_equal(at, 0);
  p[at] = 'x';
  write_file(tmp_path("nosig.hiv"), p, len);
  free(p);
  sm_error err = {0};
  assert_int_equal(sm_hive_open(tmp_path("nosig.hiv"), 0, &h, &err), SM_OK);
  assert_int_equal(child(h, sm_hive_root(h), "Sorted"), sorted);
  sm_key k = 0;
  assert_int_equal(sm_key_lookup(h, sorted, "juliet", &k, &err),
                   SM_ERR_CORRUPT);
  assert_non_null(strstr(err.msg, "lacks the key signature"));
  assert_named(h, child(h, sorted, "India"), "India");
  assert_named(h, child(h, sorted, "Kilo"), "Kilo");
  assert_int_equal(child(h, sorted, "Julie"), 0);
  sm_hive_close(h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sorted),       cmocka_unit_test(test_bulk),
      cmocka_unit_test(test_cut),          cmocka_unit_test(test_out_of_order),
      cmocka_unit_test(test_past_ascii),   cmocka_unit_test(test_signature),
  };
  return cmocka_run_group_tests_name("hive-lookup", tests, setup_tmpdir,
                                     remove_tmpdir);
}
