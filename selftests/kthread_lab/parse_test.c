// SPDX-License-Identifier: GPL-2.0
/*
 * Every store parses the whole written count: a write whose bytes hold a
 * NUL ("5\0junk", "hrtimer\0junk", "1\0") is EINVAL with a kernel log
 * line, and changes nothing, on every writable attribute of the root, the
 * groups and the items of every behaviour. One trailing newline stays
 * accepted.
 */
#include "lab.h"

/* The bytes of a string literal, its NULs included, without the last. */
#define BYTES(s) (s), sizeof(s) - 1

struct bad_write {
	const char *attr;
	const char *buf;
	size_t len;
};

/*
 * Writes @len bytes of @buf to @path and expects EINVAL and, for a
 * readable file, that it reads as before.
 */
static void expect_refused(struct __test_metadata *_metadata, const char *path,
			   const char *buf, size_t len, const char *what)
{
	char before[LAB_VAL_MAX], after[LAB_VAL_MAX];
	int rb = lab_read_path(path, before, sizeof(before));
	int ret = lab_write_n(path, buf, len);

	EXPECT_EQ(-EINVAL, ret)
		TH_LOG("%s: %zu bytes with a NUL: got %d (%s), want EINVAL",
		       what, len, ret, strerror(-ret));
	if (rb >= 0) {
		lab_read_path(path, after, sizeof(after));
		EXPECT_STREQ(before, after) TH_LOG("%s changed", what);
	}
}

FIXTURE(parse) {
	struct lab_item it;
};

FIXTURE_SETUP(parse)
{
	LAB_REQUIRE_ROOT();
}

FIXTURE_TEARDOWN(parse)
{
	lab_cleanup();
}

static const struct bad_write common_bad[] = {
	{ "retval", BYTES("5\0junk") },
	{ "retval", BYTES("5\0") },
	{ "retval", BYTES("\0") },
	{ "retval", BYTES("-7\n\0") },
	{ "stop_timeout_ms", BYTES("1234\0junk") },
	{ "nice", BYTES("5\0junk") },
	{ "cpu", BYTES("0\0junk") },
	{ "start", BYTES("1\0junk") },
	{ "start", BYTES("1\0") },
	{ "stop", BYTES("1\0junk") },
	{ "stop", BYTES("1\0") },
};

static const struct bad_write busy_bad[] = {
	{ "honor_stop", BYTES("0\0junk") },
	{ "resched", BYTES("0\0junk") },
	{ "release", BYTES("1\0junk") },
	{ "park", BYTES("1\0junk") },
};

static const struct bad_write wait_bad[] = {
	{ "job_ms", BYTES("5\0junk") },
	{ "wait_mode", BYTES("spin\0junk") },
	{ "wait_mode", BYTES("spin\0") },
};

static const struct bad_write periodic_bad[] = {
	{ "period_us", BYTES("1000\0junk") },
	{ "sleep_mode", BYTES("hrtimer\0junk") },
	{ "sleep_mode", BYTES("hrtimer\n\0") },
	{ "park", BYTES("1\0") },
};

static void expect_all_refused(struct __test_metadata *_metadata,
			       const struct lab_item *it,
			       const struct bad_write *bad, size_t n)
{
	char path[PATH_MAX], what[256];
	size_t i;

	for (i = 0; i < n; i++) {
		lab_attr_path(it, bad[i].attr, path, sizeof(path));
		snprintf(what, sizeof(what), "%s/%s", it->group, bad[i].attr);
		expect_refused(_metadata, path, bad[i].buf, bad[i].len, what);
	}
}

/* Each behaviour's item, created, then running: nothing acted. */
TEST_F(parse, item_attributes_refuse_a_nul)
{
	static const struct {
		const char *group;
		const struct bad_write *bad;
		size_t n;
	} own[] = {
		{ "busy", busy_bad, ARRAY_SIZE(busy_bad) },
		{ "wait", wait_bad, ARRAY_SIZE(wait_bad) },
		{ "periodic", periodic_bad, ARRAY_SIZE(periodic_bad) },
		{ "oneshot", NULL, 0 },
	};
	size_t g;

	for (g = 0; g < ARRAY_SIZE(own); g++) {
		struct lab_item it;

		ASSERT_EQ(0, lab_set_autostart(own[g].group, "0"));
		ASSERT_EQ(0, lab_create(&it, own[g].group, "nul"));
		expect_all_refused(_metadata, &it, common_bad,
				   ARRAY_SIZE(common_bad));
		expect_all_refused(_metadata, &it, own[g].bad, own[g].n);
		LAB_EXPECT_ATTR(&it, "state", "created");
		LAB_EXPECT_ATTR(&it, "ran", "0");
		LAB_EXPECT_ATTR(&it, "stop_result", "none");
		EXPECT_EQ(0, lab_remove(&it));
	}
}

/* A running busy thread: stop and release with a NUL do not act. */
TEST_F(parse, running_thread_ignores_nul_stop_and_release)
{
	ASSERT_EQ(0, lab_set_autostart("busy", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "busy", "run"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	LAB_ASSERT_STATE(&self->it, "running", LAB_DEADLINE_MS);
	expect_all_refused(_metadata, &self->it, common_bad,
			   ARRAY_SIZE(common_bad));
	expect_all_refused(_metadata, &self->it, busy_bad,
			   ARRAY_SIZE(busy_bad));
	LAB_EXPECT_ATTR(&self->it, "state", "running");
	LAB_EXPECT_ATTR(&self->it, "park", "0");
}

TEST_F(parse, root_and_group_attributes_refuse_a_nul)
{
	char path[PATH_MAX], cur[64];
	size_t g;

	/* registers the value for lab_cleanup() to restore */
	ASSERT_LT(0, lab_root_get("max_threads", cur, sizeof(cur)));
	ASSERT_EQ(0, lab_set_max_threads(cur));
	lab_root_path(path, sizeof(path), "max_threads");
	expect_refused(_metadata, path, BYTES("7\0junk"), "max_threads");
	expect_refused(_metadata, path, BYTES("7\0"), "max_threads");
	for (g = 0; g < LAB_NGROUPS; g++) {
		ASSERT_EQ(0, lab_set_autostart(lab_groups[g], "1"));
		snprintf(path, sizeof(path), "%s/%s/autostart", lab_root(),
			 lab_groups[g]);
		expect_refused(_metadata, path, BYTES("0\0junk"), "autostart");
		expect_refused(_metadata, path, BYTES("0\0"), "autostart");
	}
}

/* One newline at the end is still accepted, everywhere. */
TEST_F(parse, one_trailing_newline_accepted)
{
	char path[PATH_MAX];

	ASSERT_EQ(0, lab_set_autostart("periodic", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "periodic", "nl"));
	LAB_EXPECT_WRITE(&self->it, "retval", "5\n", 0);
	LAB_EXPECT_ATTR(&self->it, "retval", "5");
	LAB_EXPECT_WRITE(&self->it, "sleep_mode", "hrtimer\n", 0);
	LAB_EXPECT_ATTR(&self->it, "sleep_mode", "hrtimer");
	LAB_EXPECT_WRITE(&self->it, "period_us", "2000\n", 0);
	LAB_EXPECT_ATTR(&self->it, "period_us", "2000");
	LAB_EXPECT_WRITE(&self->it, "retval", "5\n\n", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "sleep_mode", "msleep\n\n", -EINVAL);
	snprintf(path, sizeof(path), "%s/periodic/autostart", lab_root());
	EXPECT_EQ(0, lab_write_n(path, BYTES("0\n")));
}

/*
 * The refusal is logged, naming item and attribute; the line is
 * rate-limited, so retry until the interval (5 s) renews it.
 */
TEST_F(parse, refusal_is_logged)
{
	long long deadline = lab_now_ns() + 12000 * 1000000LL;
	char path[PATH_MAX], who[200];
	bool found = false;
	int fd;

	ASSERT_EQ(0, lab_set_autostart("wait", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "wait", "log"));
	snprintf(who, sizeof(who), "wait/%s: job_ms", self->it.name);
	lab_attr_path(&self->it, "job_ms", path, sizeof(path));
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	lseek(fd, 0, SEEK_END);
	while (!found && lab_now_ns() < deadline) {
		EXPECT_EQ(-EINVAL, lab_write_n(path, BYTES("5\0junk")));
		found = lab_kmsg_has(fd, who, "NUL");
		if (!found)
			lab_sleep_ms(500);
	}
	close(fd);
	EXPECT_TRUE(found) TH_LOG("no kernel log line names %s and the NUL", who);
	LAB_EXPECT_ATTR(&self->it, "job_ms", "0");
}

TEST_HARNESS_MAIN
