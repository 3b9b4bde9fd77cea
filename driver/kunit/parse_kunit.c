// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite ktl_parse: every accepted and refused form of the ABI's
 * conventions for numbers, words, 1-only and 0/1 attributes
 * (Documentation/ABI/testing/configfs-kthread_lab, "Writing values"), the
 * derived state and its names, and mkdir's rule for names, byte by byte.
 */
#include <linux/limits.h>

#include "ktl_kunit.h"

/* what a refused write must leave in the parser's output */
#define KTL_UNTOUCHED	0x5a5a5a5a5a5aLL

struct ktl_num_case {
	const char *buf;
	size_t count;	/* the bytes written: NULs inside count */
	int err;
	s64 val;
};

/* a string literal's bytes, NULs inside included, without the last */
#define OK(s, v)	{ (s), sizeof(s) - 1, 0, (v) }
#define BAD(s, e)	{ (s), sizeof(s) - 1, (e), 0 }

static void ktl_check_numbers(struct kunit *test,
			      const struct ktl_num_case *cases, size_t n,
			      s64 min, s64 max)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct ktl_num_case *c = &cases[i];
		s64 out = KTL_UNTOUCHED;
		int ret;

		ret = ktl_parse_for("kunit", "parse", "value", c->buf, c->count,
				    min, max, &out);
		KUNIT_EXPECT_EQ_MSG(test, ret, c->err,
				    "case %zu: '%*pE' (%zu bytes) in [%lld, %lld]",
				    i, (int)c->count, c->buf, c->count, min, max);
		KUNIT_EXPECT_EQ_MSG(test, out, c->err ? KTL_UNTOUCHED : c->val,
				    "case %zu: '%*pE' (%zu bytes)",
				    i, (int)c->count, c->buf, c->count);
	}
}

static const struct ktl_num_case ktl_numbers_accepted[] = {
	OK("0", 0),
	OK("5", 5),
	OK("5\n", 5),
	OK("+5", 5),
	OK("-5", -5),
	OK("-0", 0),
	OK("+0", 0),
	OK("010", 10),	/* leading zeros mean nothing: not octal */
	OK("0000000000000000000000000000000000000042", 42),
	OK("9223372036854775807", S64_MAX),
	OK("9223372036854775807\n", S64_MAX),
	OK("-9223372036854775808", S64_MIN),
	OK("+9223372036854775807", S64_MAX),
};

static void numbers_in_kstrtos64_form_are_accepted(struct kunit *test)
{
	ktl_check_numbers(test, ktl_numbers_accepted,
			  ARRAY_SIZE(ktl_numbers_accepted), S64_MIN, S64_MAX);
}

static const struct ktl_num_case ktl_numbers_refused[] = {
	/* no digit */
	BAD("", -EINVAL),
	BAD("\n", -EINVAL),
	BAD("+", -EINVAL),
	BAD("-", -EINVAL),
	BAD("+\n", -EINVAL),
	/* two signs, a space after the sign */
	BAD("--5", -EINVAL),
	BAD("+-5", -EINVAL),
	BAD("-+5", -EINVAL),
	BAD("- 5", -EINVAL),
	/* any byte around the value but one trailing newline */
	BAD(" 5", -EINVAL),
	BAD("5 ", -EINVAL),
	BAD("\t5", -EINVAL),
	BAD("5\t", -EINVAL),
	BAD("5\r", -EINVAL),
	BAD("5\r\n", -EINVAL),
	BAD("5\n\n", -EINVAL),
	BAD("\n5", -EINVAL),
	/* other notations, units, junk */
	BAD("0x10", -EINVAL),
	BAD("0X10", -EINVAL),
	BAD("1e3", -EINVAL),
	BAD("1.0", -EINVAL),
	BAD("1_000", -EINVAL),
	BAD("1,000", -EINVAL),
	BAD("5ms", -EINVAL),
	BAD("five", -EINVAL),
	/* non-ASCII digits: ARABIC-INDIC and FULLWIDTH five */
	BAD("\xd9\xa5", -EINVAL),
	BAD("\xef\xbc\x95", -EINVAL),
	/* a NUL anywhere in the bytes written */
	BAD("5\0junk", -EINVAL),
	BAD("1\0", -EINVAL),
	BAD("\0", -EINVAL),
	BAD("\0005", -EINVAL),	/* octal \000, then 5 */
	BAD("5\n\0", -EINVAL),
	/* digits beyond 64 bits: ERANGE, even with junk after them */
	BAD("9223372036854775808", -ERANGE),
	BAD("-9223372036854775809", -ERANGE),
	BAD("18446744073709551616", -ERANGE),
	BAD("99999999999999999999", -ERANGE),
	BAD("99999999999999999999junk", -ERANGE),
	BAD("-99999999999999999999\n", -ERANGE),
};

static void numbers_in_any_other_form_are_refused(struct kunit *test)
{
	ktl_check_numbers(test, ktl_numbers_refused,
			  ARRAY_SIZE(ktl_numbers_refused), S64_MIN, S64_MAX);
}

/* period_us's range: both ends in, one past either out */
static const struct ktl_num_case ktl_numbers_ranged[] = {
	OK("100", 100),
	OK("3600000000", 3600000000LL),
	OK("3600000000\n", 3600000000LL),
	BAD("99", -ERANGE),
	BAD("3600000001", -ERANGE),
	BAD("-1", -ERANGE),
	BAD("0", -ERANGE),
	BAD("-9223372036854775808", -ERANGE),
	/* the form is checked before the range */
	BAD("99x", -EINVAL),
};

static void numbers_outside_the_range_are_erange(struct kunit *test)
{
	ktl_check_numbers(test, ktl_numbers_ranged,
			  ARRAY_SIZE(ktl_numbers_ranged), 100, 3600000000LL);
}

/*
 * configfs passes on at most 4095 bytes of a write: 4094 bytes are a value,
 * 4095 are refused, whatever they hold.
 */
static void writes_of_4095_bytes_or_more_are_refused(struct kunit *test)
{
	char *buf = kunit_kzalloc(test, 4097, GFP_KERNEL);
	s64 out = KTL_UNTOUCHED;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	memset(buf, '0', 4093);
	buf[4093] = '7';
	KUNIT_EXPECT_EQ(test, ktl_parse_for("kunit", NULL, "value", buf, 4094,
					    S64_MIN, S64_MAX, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 7);

	out = KTL_UNTOUCHED;
	memset(buf, '0', 4094);
	buf[4094] = '7';
	KUNIT_EXPECT_EQ(test, ktl_parse_for("kunit", NULL, "value", buf, 4095,
					    S64_MIN, S64_MAX, &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, out, KTL_UNTOUCHED);

	memset(buf, '0', 4095);
	buf[4095] = '\n';
	KUNIT_EXPECT_EQ(test, ktl_parse_for("kunit", NULL, "value", buf, 4096,
					    S64_MIN, S64_MAX, &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, out, KTL_UNTOUCHED);
}

static const char *const ktl_modes[] = { "msleep", "interruptible", "hrtimer" };

struct ktl_word_case {
	const char *buf;
	size_t count;
	int ret;	/* the word's index, or the errno */
};

#define WORD(s, r)	{ (s), sizeof(s) - 1, (r) }

static const struct ktl_word_case ktl_words[] = {
	WORD("msleep", 0),
	WORD("interruptible", 1),
	WORD("hrtimer", 2),
	WORD("hrtimer\n", 2),
	WORD("msleep\n", 0),
	/* exactly one of the words, lower case, at most one newline */
	WORD("", -EINVAL),
	WORD("\n", -EINVAL),
	WORD("HRTIMER", -EINVAL),
	WORD("Hrtimer", -EINVAL),
	WORD("hrt", -EINVAL),
	WORD("hrtimers", -EINVAL),
	WORD("0", -EINVAL),
	WORD("2", -EINVAL),
	WORD("hrtimer msleep", -EINVAL),
	WORD(" hrtimer", -EINVAL),
	WORD("hrtimer ", -EINVAL),
	WORD("\thrtimer", -EINVAL),
	WORD("hrtimer\n\n", -EINVAL),
	WORD("hrtimer\r\n", -EINVAL),
	WORD("\nhrtimer", -EINVAL),
	WORD("hrtimer\0junk", -EINVAL),
	WORD("hrtimer\0", -EINVAL),
	WORD("\0hrtimer", -EINVAL),
};

static void words_match_exactly_with_one_optional_newline(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ktl_words); i++) {
		const struct ktl_word_case *c = &ktl_words[i];

		KUNIT_EXPECT_EQ_MSG(test,
				    ktl_parse_choice_for("kunit", "parse", "sleep_mode",
							 c->buf, c->count, ktl_modes,
							 ARRAY_SIZE(ktl_modes)),
				    c->ret, "case %zu: '%*pE' (%zu bytes)",
				    i, (int)c->count, c->buf, c->count);
	}
}

/* start, stop, release: 1 only; other numbers ERANGE, the rest EINVAL */
static void one_only_attributes_take_exactly_1(struct kunit *test)
{
	struct ktl_item *it = ktl_kunit_item(test, "busy", "one");

	KUNIT_EXPECT_EQ(test, ktl_parse_one(it, "start", "1", 1), 0);
	KUNIT_EXPECT_EQ(test, ktl_parse_one(it, "start", "1\n", 2), 0);
	KUNIT_EXPECT_EQ(test, ktl_parse_one(it, "start", "+1", 2), 0);
	KUNIT_EXPECT_EQ(test, ktl_parse_one(it, "start", "01", 2), 0);
	KUNIT_EXPECT_EQ(test, ktl_parse_one(it, "stop", "0", 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktl_parse_one(it, "stop", "2", 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktl_parse_one(it, "stop", "-1", 2), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktl_parse_one(it, "release", "yes", 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktl_parse_one(it, "release", "", 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktl_parse_one(it, "release", "1\0", 2), -EINVAL);
}

/* 0/1 attributes: the value lands in place, a refused one changes nothing */
static void bool_attributes_take_0_or_1_and_change_nothing_else(struct kunit *test)
{
	struct ktl_item *it = ktl_kunit_item(test, "busy", "flag");
	bool flag = true;

	KUNIT_EXPECT_EQ(test, ktl_store_bool(it, "resched", "0", 1, &flag), 1);
	KUNIT_EXPECT_FALSE(test, flag);
	KUNIT_EXPECT_EQ(test, ktl_store_bool(it, "resched", "1\n", 2, &flag), 2);
	KUNIT_EXPECT_TRUE(test, flag);
	KUNIT_EXPECT_EQ(test, ktl_store_bool(it, "resched", "2", 1, &flag), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktl_store_bool(it, "resched", "-1", 2, &flag), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktl_store_bool(it, "resched", "true", 4, &flag), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktl_store_bool(it, "resched", "0\0", 2, &flag), -EINVAL);
	KUNIT_EXPECT_TRUE(test, flag);
	/* a group's autostart: no item name */
	KUNIT_EXPECT_EQ(test, ktl_store_bool_for("busy", NULL, "autostart", "0", 1,
						 &flag), 1);
	KUNIT_EXPECT_FALSE(test, flag);
	KUNIT_EXPECT_EQ(test, ktl_store_bool_for("busy", NULL, "autostart", " 1", 2,
						 &flag), -EINVAL);
	KUNIT_EXPECT_FALSE(test, flag);
}

/* an item's attributes parse as the root's do, and log the item's path */
static void item_numbers_parse_as_the_roots_do(struct kunit *test)
{
	struct ktl_item *it = ktl_kunit_item(test, "periodic", "num");
	s64 out = KTL_UNTOUCHED;

	KUNIT_EXPECT_EQ(test, ktl_parse_s64(it, "period_us", "+0100\n", 6, 100,
					    3600000000LL, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 100);
	out = KTL_UNTOUCHED;
	KUNIT_EXPECT_EQ(test, ktl_parse_s64(it, "period_us", "99", 2, 100,
					    3600000000LL, &out), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktl_parse_s64(it, "period_us", "1e3", 3, 100,
					    3600000000LL, &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, out, KTL_UNTOUCHED);
	KUNIT_EXPECT_EQ(test, ktl_parse_choice(it, "sleep_mode", "hrtimer\n", 8,
					       ktl_modes, ARRAY_SIZE(ktl_modes)), 2);
}

/* The state from the item's flags: the later in a thread's life wins. */
static void state_follows_the_latest_flag(struct kunit *test)
{
	struct ktl_item *it = ktl_kunit_item(test, "periodic", "state");

	KUNIT_EXPECT_EQ(test, ktl_state(it), KTL_CREATED);
	it->woken = true;
	KUNIT_EXPECT_EQ(test, ktl_state(it), KTL_RUNNING);
	it->parked = true;
	KUNIT_EXPECT_EQ(test, ktl_state(it), KTL_PARKED);
	it->fn_returned = true;
	KUNIT_EXPECT_EQ(test, ktl_state(it), KTL_EXITED);
	it->stop_requested = true;
	KUNIT_EXPECT_EQ(test, ktl_state(it), KTL_STOPPING);
	it->stop_done = true;
	KUNIT_EXPECT_EQ(test, ktl_state(it), KTL_STOPPED);
	/* parked without woken: a stop unparks, nothing else parks it */
	it->woken = false;
	it->fn_returned = false;
	it->stop_requested = false;
	it->stop_done = false;
	KUNIT_EXPECT_EQ(test, ktl_state(it), KTL_PARKED);
}

static void states_have_the_abis_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, ktl_state_name(KTL_CREATED), "created");
	KUNIT_EXPECT_STREQ(test, ktl_state_name(KTL_RUNNING), "running");
	KUNIT_EXPECT_STREQ(test, ktl_state_name(KTL_PARKED), "parked");
	KUNIT_EXPECT_STREQ(test, ktl_state_name(KTL_EXITED), "exited");
	KUNIT_EXPECT_STREQ(test, ktl_state_name(KTL_STOPPING), "stopping");
	KUNIT_EXPECT_STREQ(test, ktl_state_name(KTL_STOPPED), "stopped");
}

/*
 * Every byte alone, and between two letters: refused exactly when it is an
 * ASCII control byte (0x01-0x1f, 0x7f) or the space.
 */
static void names_refuse_exactly_controls_and_space(struct kunit *test)
{
	unsigned int c;

	for (c = 1; c <= 0xff; c++) {
		char alone[2] = { (char)c, '\0' };
		char inside[4] = { 'a', (char)c, 'b', '\0' };
		bool want = c > 0x20 && c != 0x7f;

		KUNIT_EXPECT_EQ_MSG(test, ktl_name_ok(alone), want, "byte 0x%02x", c);
		KUNIT_EXPECT_EQ_MSG(test, ktl_name_ok(inside), want, "a, 0x%02x, b", c);
	}
}

static void names_of_any_high_bytes_are_accepted(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, ktl_name_ok("caf\xc3\xa9"));	/* café */
	/* voilà: c3 a0, where 0xa0 is Latin-1's no-break space */
	KUNIT_EXPECT_TRUE(test, ktl_name_ok("voil\xc3\xa0"));
	KUNIT_EXPECT_TRUE(test, ktl_name_ok("\xff\xfe\x80"));	/* not UTF-8 */
	KUNIT_EXPECT_TRUE(test, ktl_name_ok("..."));
	KUNIT_EXPECT_TRUE(test, ktl_name_ok(".hidden"));
	KUNIT_EXPECT_TRUE(test, ktl_name_ok("a.b-c_d:e"));
	KUNIT_EXPECT_FALSE(test, ktl_name_ok("two words"));
	KUNIT_EXPECT_FALSE(test, ktl_name_ok("line\n"));
	KUNIT_EXPECT_FALSE(test, ktl_name_ok("del\x7f"));
}

static struct kunit_case ktl_parse_cases[] = {
	KUNIT_CASE(numbers_in_kstrtos64_form_are_accepted),
	KUNIT_CASE(numbers_in_any_other_form_are_refused),
	KUNIT_CASE(numbers_outside_the_range_are_erange),
	KUNIT_CASE(writes_of_4095_bytes_or_more_are_refused),
	KUNIT_CASE(words_match_exactly_with_one_optional_newline),
	KUNIT_CASE(one_only_attributes_take_exactly_1),
	KUNIT_CASE(bool_attributes_take_0_or_1_and_change_nothing_else),
	KUNIT_CASE(item_numbers_parse_as_the_roots_do),
	KUNIT_CASE(state_follows_the_latest_flag),
	KUNIT_CASE(states_have_the_abis_names),
	KUNIT_CASE(names_refuse_exactly_controls_and_space),
	KUNIT_CASE(names_of_any_high_bytes_are_accepted),
	{}
};

static struct kunit_suite ktl_parse_suite = {
	.name = "ktl_parse",
	.test_cases = ktl_parse_cases,
};

kunit_test_suite(ktl_parse_suite);
