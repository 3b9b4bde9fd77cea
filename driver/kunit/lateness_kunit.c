// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite ktl_lateness: the periodic behaviour's lateness statistics,
 * min/avg/max over every tick and p99 over the latest 1024, the 1-2-5
 * histogram buckets, the window's wrap, and the text of lateness_ns and
 * lateness_hist.
 */
#include <linux/limits.h>
#include <linux/slab.h>

#include "ktl_kunit.h"
#include "../lateness.h"

static struct ktl_lateness *ktl_kunit_lateness(struct kunit *test)
{
	struct ktl_lateness *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, l);
	return l;
}

/* What lateness_ns would show now. */
static struct ktl_lateness_summary ktl_kunit_summary(struct kunit *test,
						     const struct ktl_lateness *l)
{
	u32 *window = kunit_kmalloc_array(test, KTL_LATE_WINDOW, sizeof(*window),
					  GFP_KERNEL);
	struct ktl_lateness_summary s;
	unsigned int n;

	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, window);
	if (!window)
		return (struct ktl_lateness_summary){ 0 };
	n = ktl_lateness_copy(l, &s, window);
	KUNIT_EXPECT_EQ(test, n, (unsigned int)min_t(u64, l->ticks, KTL_LATE_WINDOW));
	ktl_lateness_summarise(&s, window, n);
	return s;
}

static void every_bucket_starts_at_its_bound(struct kunit *test)
{
	unsigned int b;

	KUNIT_EXPECT_EQ(test, ktl_lateness_bucket_us[0], 0U);
	for (b = 0; b < KTL_LATE_BUCKETS; b++) {
		u64 ns = (u64)ktl_lateness_bucket_us[b] * NSEC_PER_USEC;

		KUNIT_EXPECT_EQ_MSG(test, ktl_lateness_bucket(ns), b, "%llu ns", ns);
		if (b)
			KUNIT_EXPECT_EQ_MSG(test, ktl_lateness_bucket(ns - 1), b - 1,
					    "%llu ns", ns - 1);
	}
	/* the buckets go 1-2-5 */
	KUNIT_EXPECT_EQ(test, ktl_lateness_bucket(999), 0U);
	KUNIT_EXPECT_EQ(test, ktl_lateness_bucket(4999), 2U);
	KUNIT_EXPECT_EQ(test, ktl_lateness_bucket(5000), 3U);
	/* the last is open-ended */
	KUNIT_EXPECT_EQ(test, ktl_lateness_bucket(U64_MAX), KTL_LATE_BUCKETS - 1);
	KUNIT_EXPECT_EQ(test, ktl_lateness_bucket(3600ULL * NSEC_PER_SEC),
			KTL_LATE_BUCKETS - 1);
}

static void min_avg_max_cover_every_tick(struct kunit *test)
{
	struct ktl_lateness *l = ktl_kunit_lateness(test);
	struct ktl_lateness_summary s;

	ktl_lateness_record(l, 3000);
	ktl_lateness_record(l, 1000);
	ktl_lateness_record(l, 8000);
	ktl_lateness_record(l, 1);
	s = ktl_kunit_summary(test, l);
	KUNIT_EXPECT_EQ(test, s.ticks, 4ULL);
	KUNIT_EXPECT_EQ(test, s.min_ns, 1ULL);
	KUNIT_EXPECT_EQ(test, s.max_ns, 8000ULL);
	KUNIT_EXPECT_EQ(test, s.sum_ns, 12001ULL);
	/* p99 of 4 ticks: the 4th smallest */
	KUNIT_EXPECT_EQ(test, s.p99_ns, 8000U);
	/* 1 ns is 0 us; 1000 ns, 1 us; 3000 ns, 2 us and up; 8000 ns, 5 us and up */
	KUNIT_EXPECT_EQ(test, l->hist[0], 1ULL);
	KUNIT_EXPECT_EQ(test, l->hist[1], 1ULL);
	KUNIT_EXPECT_EQ(test, l->hist[2], 1ULL);
	KUNIT_EXPECT_EQ(test, l->hist[3], 1ULL);
}

static void a_tick_before_its_deadline_counts_as_zero(struct kunit *test)
{
	struct ktl_lateness *l = ktl_kunit_lateness(test);
	struct ktl_lateness_summary s;

	ktl_lateness_record(l, 500);
	ktl_lateness_record(l, -200000);
	s = ktl_kunit_summary(test, l);
	KUNIT_EXPECT_EQ(test, s.min_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, s.sum_ns, 500ULL);
	KUNIT_EXPECT_EQ(test, l->hist[0], 2ULL);
}

/* The first tick sets min even when it is larger than the zeroed field. */
static void the_first_tick_is_min_and_max(struct kunit *test)
{
	struct ktl_lateness *l = ktl_kunit_lateness(test);
	struct ktl_lateness_summary s;

	ktl_lateness_record(l, 7777);
	s = ktl_kunit_summary(test, l);
	KUNIT_EXPECT_EQ(test, s.min_ns, 7777ULL);
	KUNIT_EXPECT_EQ(test, s.max_ns, 7777ULL);
	KUNIT_EXPECT_EQ(test, s.p99_ns, 7777U);
}

/* p99: the value at the ceiling of 99% of the sorted window. */
static void p99_is_the_ceiling_rank_of_the_window(struct kunit *test)
{
	struct ktl_lateness *l = ktl_kunit_lateness(test);
	unsigned int i;

	/* 1..100 in a scrambled order: rank 99 is 99 */
	for (i = 0; i < 100; i++)
		ktl_lateness_record(l, (i * 37) % 100 + 1);
	KUNIT_EXPECT_EQ(test, ktl_kunit_summary(test, l).p99_ns, 99U);
	/* 1..1000: rank 990 */
	memset(l, 0, sizeof(*l));
	for (i = 1000; i; i--)
		ktl_lateness_record(l, i);
	KUNIT_EXPECT_EQ(test, ktl_kunit_summary(test, l).p99_ns, 990U);
	/* 101 values: rank ceil(99.99) = 100 */
	memset(l, 0, sizeof(*l));
	for (i = 1; i <= 101; i++)
		ktl_lateness_record(l, i);
	KUNIT_EXPECT_EQ(test, ktl_kunit_summary(test, l).p99_ns, 100U);
}

/*
 * After the window wraps, p99 covers only the latest 1024 ticks while
 * min, avg and max still cover every tick.
 */
static void p99_forgets_ticks_older_than_the_window(struct kunit *test)
{
	struct ktl_lateness *l = ktl_kunit_lateness(test);
	struct ktl_lateness_summary s;
	unsigned int i;

	ktl_lateness_record(l, 900000000);
	for (i = 0; i < KTL_LATE_WINDOW - 1; i++)
		ktl_lateness_record(l, 10);
	s = ktl_kunit_summary(test, l);
	KUNIT_EXPECT_EQ(test, s.p99_ns, 10U);	/* 1 in 1024 is above p99 */
	for (i = 0; i < 20; i++)
		ktl_lateness_record(l, 5000);
	/* 20 of the latest 1024 at 5000: more than 1% */
	KUNIT_EXPECT_EQ(test, ktl_kunit_summary(test, l).p99_ns, 5000U);
	for (i = 0; i < KTL_LATE_WINDOW; i++)
		ktl_lateness_record(l, 7);
	s = ktl_kunit_summary(test, l);
	KUNIT_EXPECT_EQ(test, s.ticks, 2ULL * KTL_LATE_WINDOW + 20);
	KUNIT_EXPECT_EQ(test, s.p99_ns, 7U);
	KUNIT_EXPECT_EQ(test, s.min_ns, 7ULL);
	KUNIT_EXPECT_EQ(test, s.max_ns, 900000000ULL);
	KUNIT_EXPECT_EQ(test, s.sum_ns, 900000000ULL + 10ULL * (KTL_LATE_WINDOW - 1) +
			20ULL * 5000 + 7ULL * KTL_LATE_WINDOW);
}

/* The window keeps 32 bits: a longer lateness is U32_MAX there, not wrapped. */
static void the_window_clamps_what_does_not_fit_32_bits(struct kunit *test)
{
	struct ktl_lateness *l = ktl_kunit_lateness(test);
	struct ktl_lateness_summary s;

	ktl_lateness_record(l, 5000000000LL);
	s = ktl_kunit_summary(test, l);
	KUNIT_EXPECT_EQ(test, s.max_ns, 5000000000ULL);
	KUNIT_EXPECT_EQ(test, s.p99_ns, U32_MAX);
	KUNIT_EXPECT_EQ(test, l->hist[KTL_LATE_BUCKETS - 1], 1ULL);
}

static void lateness_ns_reads_none_then_four_numbers(struct kunit *test)
{
	struct ktl_lateness *l = ktl_kunit_lateness(test);
	struct ktl_lateness_summary s;
	char buf[128];

	s = ktl_kunit_summary(test, l);
	KUNIT_EXPECT_EQ(test, ktl_lateness_print_ns(&s, buf, sizeof(buf)), 5);
	KUNIT_EXPECT_STREQ(test, buf, "none\n");
	ktl_lateness_record(l, 100);
	ktl_lateness_record(l, 201);
	s = ktl_kunit_summary(test, l);
	ktl_lateness_print_ns(&s, buf, sizeof(buf));
	/* the average rounds down */
	KUNIT_EXPECT_STREQ(test, buf, "100 150 201 201\n");
	ktl_lateness_record(l, 5000000000LL);
	s = ktl_kunit_summary(test, l);
	ktl_lateness_print_ns(&s, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "100 1666666767 5000000000 4294967295\n");
}

static void lateness_hist_reads_one_zero_padded_line_a_bucket(struct kunit *test)
{
	struct ktl_lateness *l = ktl_kunit_lateness(test);
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	int len;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	ktl_lateness_record(l, 0);
	ktl_lateness_record(l, 1500);		/* 1 us */
	ktl_lateness_record(l, 1999999);	/* 1999 us: 1000 */
	ktl_lateness_record(l, 2000000);	/* 2000 us */
	ktl_lateness_record(l, 7200000000000LL);	/* two hours */
	len = ktl_lateness_print_hist(l->hist, buf, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, len, (int)strlen(buf));
	/* 19 lines of 6 + 1 + 6 + 1 bytes, the last bound has 7 digits */
	KUNIT_EXPECT_EQ(test, len, 19 * 14 + 15);
	KUNIT_EXPECT_STREQ(test, buf,
			   "000000 000001\n"
			   "000001 000001\n"
			   "000002 000000\n"
			   "000005 000000\n"
			   "000010 000000\n"
			   "000020 000000\n"
			   "000050 000000\n"
			   "000100 000000\n"
			   "000200 000000\n"
			   "000500 000000\n"
			   "001000 000001\n"
			   "002000 000001\n"
			   "005000 000000\n"
			   "010000 000000\n"
			   "020000 000000\n"
			   "050000 000000\n"
			   "100000 000000\n"
			   "200000 000000\n"
			   "500000 000000\n"
			   "1000000 000001\n");
}

static struct kunit_case ktl_lateness_cases[] = {
	KUNIT_CASE(every_bucket_starts_at_its_bound),
	KUNIT_CASE(min_avg_max_cover_every_tick),
	KUNIT_CASE(a_tick_before_its_deadline_counts_as_zero),
	KUNIT_CASE(the_first_tick_is_min_and_max),
	KUNIT_CASE(p99_is_the_ceiling_rank_of_the_window),
	KUNIT_CASE(p99_forgets_ticks_older_than_the_window),
	KUNIT_CASE(the_window_clamps_what_does_not_fit_32_bits),
	KUNIT_CASE(lateness_ns_reads_none_then_four_numbers),
	KUNIT_CASE(lateness_hist_reads_one_zero_padded_line_a_bucket),
	{}
};

static struct kunit_suite ktl_lateness_suite = {
	.name = "ktl_lateness",
	.test_cases = ktl_lateness_cases,
};

kunit_test_suite(ktl_lateness_suite);
