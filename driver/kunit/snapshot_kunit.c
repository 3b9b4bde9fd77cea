// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite ktl_snapshot: the snapshot's text, as the root's `snapshot`
 * shows it: the header, one line per item with every field in its fixed
 * order, the behaviours' own fields, the order of "<behaviour>/<name>",
 * and lines at their widest fitting the width they were given.
 */
#include <linux/limits.h>

#include "ktl_kunit.h"

#define KTL_CORE_DEFAULTS \
	"state=created pid=0 cpu=-1 nice=0 ran=0 loops=0 retval=0 stop_timeout_ms=5000 stop_result=none stop_latency_ns=none parked=0"

/* the core fields at their widest, after the state */
#define KTL_CORE_WIDEST \
	" pid=-2147483648 cpu=-2147483648 nice=-2147483648 ran=0 loops=18446744073709551615 retval=-2147483648 stop_timeout_ms=4294967295 stop_result=-2147483648 stop_latency_ns=-9223372036854775808 parked=0"

/* The whole snapshot of @items, checked against its size. */
static char *ktl_kunit_snapshot(struct kunit *test, struct ktl_item **items,
				unsigned int n)
{
	size_t size = ktl_snapshot_size(items, n), len;
	char *buf = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	len = ktl_snapshot_format(items, n, buf, size);
	KUNIT_EXPECT_EQ(test, len, strlen(buf));
	KUNIT_EXPECT_LT(test, len, size);
	return buf;
}

static void no_item_is_the_header_alone(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, ktl_kunit_snapshot(test, NULL, 0),
			   "# kthread_lab snapshot v1 items=0\n");
}

static void a_new_item_of_each_behaviour_shows_its_defaults(struct kunit *test)
{
	struct ktl_item *items[] = {
		ktl_kunit_item(test, "oneshot", "o"),
		ktl_kunit_item(test, "periodic", "p"),
		ktl_kunit_item(test, "wait", "w"),
		ktl_kunit_item(test, "busy", "b"),
	};

	KUNIT_EXPECT_STREQ(test, ktl_kunit_snapshot(test, items, ARRAY_SIZE(items)),
			   "# kthread_lab snapshot v1 items=4\n"
			   "busy/b behaviour=busy " KTL_CORE_DEFAULTS " honor_stop=1 resched=1\n"
			   "oneshot/o behaviour=oneshot " KTL_CORE_DEFAULTS "\n"
			   "periodic/p behaviour=periodic " KTL_CORE_DEFAULTS
			   " period_us=1000000 sleep_mode=msleep\n"
			   "wait/w behaviour=wait " KTL_CORE_DEFAULTS
			   " job_ms=0 wait_mode=sleep\n");
}

/* stop_result and stop_latency_ns are "none" until the stop is done. */
static void a_stopped_item_shows_its_stop(struct kunit *test)
{
	struct ktl_item *it = ktl_kunit_item(test, "busy", "s");
	char *line = kunit_kzalloc(test, ktl_snapshot_line_max(it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, line);
	it->pid = 4242;
	it->woken = true;
	it->ran = true;
	it->loops = 12345678901ULL;
	it->retval = -7;
	it->nice = 19;
	it->cpu = 1;
	it->stop_requested = true;
	it->stop_timeout_ms = 300;
	ktl_snapshot_format_line(it, line, ktl_snapshot_line_max(it));
	KUNIT_EXPECT_STREQ(test, line,
			   "busy/s behaviour=busy state=stopping pid=4242 cpu=1 nice=19 ran=1 loops=12345678901 retval=-7 stop_timeout_ms=300 stop_result=none stop_latency_ns=none parked=0 honor_stop=1 resched=1\n");
	it->stop_done = true;
	it->stop_result = -EINTR;
	it->stop_latency_ns = 1234567;
	ktl_snapshot_format_line(it, line, ktl_snapshot_line_max(it));
	KUNIT_EXPECT_STREQ(test, line,
			   "busy/s behaviour=busy state=stopped pid=4242 cpu=1 nice=19 ran=1 loops=12345678901 retval=-7 stop_timeout_ms=300 stop_result=-4 stop_latency_ns=1234567 parked=0 honor_stop=1 resched=1\n");
}

/* The behaviours' fields follow what their attributes were set to. */
static void the_behaviours_fields_follow_their_attributes(struct kunit *test)
{
	struct ktl_item *items[] = {
		ktl_kunit_item(test, "periodic", "p"),
		ktl_kunit_item(test, "wait", "w"),
		ktl_kunit_item(test, "busy", "b"),
	};

	ktl_kunit_store(test, items[0], "period_us", "250\n");
	ktl_kunit_store(test, items[0], "sleep_mode", "hrtimer");
	ktl_kunit_store(test, items[1], "job_ms", "600000");
	ktl_kunit_store(test, items[1], "wait_mode", "spin\n");
	ktl_kunit_store(test, items[2], "honor_stop", "0");
	ktl_kunit_store(test, items[2], "resched", "0");
	items[0]->parked = true;
	items[0]->woken = true;
	KUNIT_EXPECT_STREQ(test, ktl_kunit_snapshot(test, items, ARRAY_SIZE(items)),
			   "# kthread_lab snapshot v1 items=3\n"
			   "busy/b behaviour=busy " KTL_CORE_DEFAULTS " honor_stop=0 resched=0\n"
			   "periodic/p behaviour=periodic state=parked pid=0 cpu=-1 nice=0 ran=0 loops=0 retval=0 stop_timeout_ms=5000 stop_result=none stop_latency_ns=none parked=1 period_us=250 sleep_mode=hrtimer\n"
			   "wait/w behaviour=wait " KTL_CORE_DEFAULTS
			   " job_ms=600000 wait_mode=spin\n");
}

/*
 * Lines in the order strcmp() gives "<behaviour>/<name>": bytes unsigned
 * (0x80 and up after ASCII), '.' (0x2e) before '/' (0x2f), a prefix first.
 */
static void lines_are_in_the_bytewise_order_of_their_paths(struct kunit *test)
{
	static const char *const paths[][2] = {
		{ "wait", "a" }, { "busy", "caf\xc3\xa9" }, { "busy", "b" },
		{ "busy", "a.b" }, { "busy", "A" }, { "busy", "a" },
		{ "periodic", "z" }, { "busy", "a-" }, { "oneshot", "\xff" },
	};
	static const char *const order[] = {
		"busy/A ", "busy/a ", "busy/a- ", "busy/a.b ", "busy/b ",
		"busy/caf\xc3\xa9 ", "oneshot/\xff ", "periodic/z ", "wait/a ",
	};
	struct ktl_item *items[ARRAY_SIZE(paths)];
	const char *line;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(paths); i++)
		items[i] = ktl_kunit_item(test, paths[i][0], paths[i][1]);
	line = ktl_kunit_snapshot(test, items, ARRAY_SIZE(items));
	KUNIT_ASSERT_TRUE(test, str_has_prefix(line, "# kthread_lab snapshot v1 items=9\n"));
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		line = strchr(line, '\n');
		KUNIT_ASSERT_NOT_NULL(test, line);
		line++;
		KUNIT_EXPECT_TRUE_MSG(test, str_has_prefix(line, order[i]),
				      "line %u is '%.24s...', want '%s...'", i + 1,
				      line, order[i]);
	}
}

/*
 * Every field at its widest, the longest name (NAME_MAX) and each
 * behaviour's widest parameters: the line fits the width the snapshot
 * reserves for it (a line that outgrew it would also warn).
 */
static void the_widest_lines_fit_their_width(struct kunit *test)
{
	static const char *const widest[][3] = {
		{ "busy", "honor_stop", "0" },
		{ "wait", "wait_mode", "sleep" },
		{ "periodic", "sleep_mode", "interruptible" },
		{ "oneshot", NULL, NULL },
	};
	char name[NAME_MAX + 1];
	unsigned int i;

	memset(name, 0xff, NAME_MAX);
	name[NAME_MAX] = '\0';
	for (i = 0; i < ARRAY_SIZE(widest); i++) {
		struct ktl_item *it = ktl_kunit_item(test, widest[i][0], name);
		size_t max = ktl_snapshot_line_max(it), len;
		char *line = kunit_kzalloc(test, max, GFP_KERNEL);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, line);
		it->pid = INT_MIN;
		it->cpu = INT_MIN;
		it->nice = INT_MIN;
		it->loops = U64_MAX;
		it->retval = INT_MIN;
		it->stop_timeout_ms = U32_MAX;
		it->stop_done = true;
		it->stop_result = INT_MIN;
		it->stop_latency_ns = S64_MIN;
		if (widest[i][1])
			ktl_kunit_store(test, it, widest[i][1], widest[i][2]);
		if (!strcmp(widest[i][0], "periodic"))
			ktl_kunit_store(test, it, "period_us", "3600000000");
		if (!strcmp(widest[i][0], "wait"))
			ktl_kunit_store(test, it, "job_ms", "600000");
		len = ktl_snapshot_format_line(it, line, max);
		KUNIT_EXPECT_EQ(test, len, strlen(line));
		KUNIT_EXPECT_LT_MSG(test, len + 1, max, "%s: the line was cut", widest[i][0]);
		KUNIT_EXPECT_TRUE(test, str_has_prefix(line, widest[i][0]));
		KUNIT_EXPECT_NOT_NULL(test, strstr(line, KTL_CORE_WIDEST));
		KUNIT_EXPECT_EQ(test, line[len - 1], '\n');
	}
}

static struct kunit_case ktl_snapshot_cases[] = {
	KUNIT_CASE(no_item_is_the_header_alone),
	KUNIT_CASE(a_new_item_of_each_behaviour_shows_its_defaults),
	KUNIT_CASE(a_stopped_item_shows_its_stop),
	KUNIT_CASE(the_behaviours_fields_follow_their_attributes),
	KUNIT_CASE(lines_are_in_the_bytewise_order_of_their_paths),
	KUNIT_CASE(the_widest_lines_fit_their_width),
	{}
};

static struct kunit_suite ktl_snapshot_suite = {
	.name = "ktl_snapshot",
	.test_cases = ktl_snapshot_cases,
};

kunit_test_suite(ktl_snapshot_suite);
