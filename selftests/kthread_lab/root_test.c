// SPDX-License-Identifier: GPL-2.0
/*
 * The configfs root and its groups: version, features, max_threads (and
 * ENOSPC beyond it), each group's autostart, and the snapshot format.
 */
#include <sys/fsuid.h>

#include "lab.h"

#define SNAP_MAX (1 << 20)

static const char *const common_keys[] = { "behaviour", "state", "pid", "cpu",
	"nice", "ran", "loops", "retval", "stop_timeout_ms", "stop_result",
	"stop_latency_ns", "parked" };

struct behaviour_keys {
	const char *behaviour;
	const char *keys[3];
};

static const struct behaviour_keys own_keys[] = {
	{ "busy", { "honor_stop", "resched" } },
	{ "wait", { "job_ms", "wait_mode" } },
	{ "periodic", { "period_us", "sleep_mode" } },
	{ "oneshot", { NULL } },
};

FIXTURE(root) {
	char *snap;
};

FIXTURE_SETUP(root)
{
	LAB_REQUIRE_ROOT();
	self->snap = malloc(SNAP_MAX);
	ASSERT_NE(NULL, self->snap);
}

FIXTURE_TEARDOWN(root)
{
	lab_cleanup();
	free(self->snap);
}

TEST_F(root, root_files_have_their_documented_modes)
{
	static const struct { const char *name; mode_t mode; } attrs[] = {
		{ "version", 0444 }, { "features", 0444 },
		{ "max_threads", 0644 }, { "snapshot", 0444 },
	};
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		lab_root_path(path, sizeof(path), attrs[i].name);
		lab_expect_mode(_metadata, path, attrs[i].mode);
	}
	for (i = 0; i < LAB_NGROUPS; i++) {
		lab_root_path(path, sizeof(path), lab_groups[i]);
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_TRUE(S_ISDIR(st.st_mode));
		snprintf(path, sizeof(path), "%s/%s/autostart", lab_root(),
			 lab_groups[i]);
		lab_expect_mode(_metadata, path, 0644);
	}
}

TEST_F(root, read_only_attributes_refuse_writes)
{
	static const char *const ro[] = { "version", "features", "snapshot" };
	char path[PATH_MAX];
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		lab_root_path(path, sizeof(path), ro[i]);
		fd = open(path, O_WRONLY);
		if (fd >= 0)
			close(fd);
		EXPECT_EQ(-1, fd) TH_LOG("%s opened for writing", ro[i]);
		EXPECT_EQ(EACCES, errno);
	}
}

TEST_F(root, writes_need_root)
{
	char paths[LAB_NGROUPS + 1][PATH_MAX];
	size_t i;
	int fd, err;

	lab_root_path(paths[0], sizeof(paths[0]), "max_threads");
	for (i = 0; i < LAB_NGROUPS; i++)
		snprintf(paths[i + 1], sizeof(paths[i + 1]), "%s/%s/autostart",
			 lab_root(), lab_groups[i]);
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		setfsuid(65534);
		fd = open(paths[i], O_WRONLY);
		err = errno;
		setfsuid(0);
		if (fd >= 0)
			close(fd);
		EXPECT_EQ(-1, fd) TH_LOG("%s writable by uid 65534", paths[i]);
		EXPECT_EQ(EACCES, err);
	}
}

TEST_F(root, version_is_major_minor_patch)
{
	char buf[LAB_VAL_MAX];

	unsigned int major, minor, patch;
	char tail;

	ASSERT_LT(0, lab_root_get("version", buf, sizeof(buf)));
	/* "major.minor.patch" and nothing else */
	EXPECT_EQ(3, sscanf(buf, "%u.%u.%u%c", &major, &minor, &patch, &tail))
		TH_LOG("version '%s'", buf);
	EXPECT_EQ(strspn(buf, "0123456789."), strlen(buf));
}

TEST_F(root, features_list_every_behaviour_and_capability)
{
	static const char *const required[] = { "busy", "wait", "periodic",
		"oneshot", "park", "bind", "stop_timeout", "release", "snapshot",
		"lateness", "max_threads" };
	char buf[LAB_VAL_MAX];
	size_t i;

	ASSERT_LT(0, lab_root_get("features", buf, sizeof(buf)));
	EXPECT_EQ(NULL, strchr(buf, '\n'));
	for (i = 0; i < ARRAY_SIZE(required); i++) {
		EXPECT_TRUE(lab_has_word(buf, required[i]))
			TH_LOG("features '%s' lack '%s'", buf, required[i]);
	}
}

TEST_F(root, max_threads_default_and_bad_writes)
{
	char before[64], after[64], param[64];

	ASSERT_LT(0, lab_root_get("max_threads", before, sizeof(before)));
	EXPECT_STREQ("4096", before);
	/* the module parameter and the attribute are one setting */
	if (lab_read_path("/sys/module/kthread_lab/parameters/max_threads",
			  param, sizeof(param)) > 0)
		EXPECT_STREQ(before, param);

	EXPECT_EQ(-EINVAL, lab_set_max_threads("abc"));
	EXPECT_EQ(-EINVAL, lab_set_max_threads("10x"));
	EXPECT_EQ(-EINVAL, lab_set_max_threads("\n"));
	EXPECT_EQ(-ERANGE, lab_set_max_threads("-1"));
	EXPECT_EQ(-ERANGE, lab_set_max_threads("1000001"));
	ASSERT_LT(0, lab_root_get("max_threads", after, sizeof(after)));
	EXPECT_STREQ(before, after);

	EXPECT_EQ(0, lab_set_max_threads("1000000"));
	ASSERT_LT(0, lab_root_get("max_threads", after, sizeof(after)));
	EXPECT_STREQ("1000000", after);
	ASSERT_LT(0, lab_read_path("/sys/module/kthread_lab/parameters/max_threads",
				   param, sizeof(param)));
	EXPECT_STREQ("1000000", param);
}

TEST_F(root, mkdir_beyond_max_threads_is_enospc)
{
	struct lab_item first, second, third;
	long long items = lab_snapshot_items();
	char limit[32], buf[64];

	ASSERT_LE(0, items);
	ASSERT_EQ(0, lab_set_autostart("wait", "0"));
	snprintf(limit, sizeof(limit), "%lld", items + 1);
	ASSERT_EQ(0, lab_set_max_threads(limit));
	ASSERT_LT(0, lab_root_get("max_threads", buf, sizeof(buf)));
	EXPECT_STREQ(limit, buf);
	ASSERT_EQ(0, lab_create(&first, "wait", "limit"));
	EXPECT_EQ(-ENOSPC, lab_create(&second, "wait", "limit"));
	EXPECT_FALSE(lab_exists(&second));
	EXPECT_EQ(-ENOSPC, lab_create(&second, "busy", "limit"));
	EXPECT_FALSE(lab_exists(&second));
	EXPECT_EQ(items + 1, lab_snapshot_items());

	/* the slot frees with the item */
	ASSERT_EQ(0, lab_remove(&first));
	ASSERT_EQ(0, lab_create(&third, "wait", "limit"));

	/* lowering the limit below the count removes nothing */
	ASSERT_EQ(0, lab_set_max_threads("0"));
	EXPECT_TRUE(lab_exists(&third));
	LAB_EXPECT_ATTR(&third, "state", "created");
	EXPECT_EQ(-ENOSPC, lab_create(&second, "oneshot", "limit"));
	EXPECT_EQ(0, lab_remove(&third));
}

/*
 * Names of CONFIGFS_ITEM_NAME_LEN (20) bytes or more are allocated by
 * config_item_set_name(): a mkdir refused after that (here at max_threads)
 * unwinds through the item's release, and one made works like any other.
 * (Allocation failure itself is the fault-injection tests' business.)
 */
TEST_F(root, long_names_made_and_refused_cleanly)
{
	static const size_t labels[] = { 1, 5, 6, 7, 40, 64 };
	long long items = lab_snapshot_items();
	char label[65], limit[32], key[300], comm[128], want[128], path[64];
	struct lab_item it;
	size_t i;

	ASSERT_LE(0, items);
	ASSERT_EQ(0, lab_set_autostart("periodic", "0"));
	for (i = 0; i < ARRAY_SIZE(labels); i++) {
		memset(label, 'n', labels[i]);
		label[labels[i]] = '\0';
		snprintf(limit, sizeof(limit), "%lld", items);
		ASSERT_EQ(0, lab_set_max_threads(limit));
		EXPECT_EQ(-ENOSPC, lab_create(&it, "periodic", label));
		EXPECT_FALSE(lab_exists(&it));
		snprintf(limit, sizeof(limit), "%lld", items + 1);
		ASSERT_EQ(0, lab_set_max_threads(limit));
		ASSERT_EQ(0, lab_create(&it, "periodic", label))
			TH_LOG("%zu-byte name", strlen(it.name));
		ASSERT_LT(0, lab_snapshot(self->snap, SNAP_MAX));
		EXPECT_NE(NULL, strstr(self->snap,
				       lab_snapshot_key(&it, key, sizeof(key))));
		snprintf(want, sizeof(want), "ktl_p_%.57s", it.name);
		snprintf(path, sizeof(path), "/proc/%lld/comm",
			 lab_ll(&it, "pid"));
		ASSERT_LT(0, lab_read_path(path, comm, sizeof(comm)));
		EXPECT_STREQ(want, comm);
		ASSERT_EQ(0, lab_set(&it, "start", "1"));
		EXPECT_EQ(0, lab_remove(&it));
		EXPECT_EQ(items, lab_snapshot_items());
	}
}

/* A user may rmdir and mkdir again straight away at the limit. */
TEST_F(root, rmdir_frees_its_slot_at_once)
{
	long long items = lab_snapshot_items();
	struct lab_item it;
	char limit[32];
	int i, err;

	ASSERT_LE(0, items);
	snprintf(limit, sizeof(limit), "%lld", items + 1);
	ASSERT_EQ(0, lab_set_max_threads(limit));
	for (i = 0; i < 60; i++) {
		err = lab_create(&it, "wait", "slot");
		ASSERT_EQ(0, err)
			TH_LOG("mkdir #%d right after rmdir: %s", i, strerror(-err));
		ASSERT_EQ(0, lab_remove(&it));
	}
}

/* configfs holds a module reference per item, so rmmod cannot succeed. */
TEST_F(root, items_pin_the_module)
{
	static const char refcnt[] = "/sys/module/kthread_lab/refcnt";
	long long before, with_item, after;
	struct lab_item it;
	char buf[32];

	ASSERT_LT(0, lab_read_path(refcnt, buf, sizeof(buf)));
	before = atoll(buf);
	ASSERT_EQ(0, lab_create(&it, "wait", "pin"));
	ASSERT_LT(0, lab_read_path(refcnt, buf, sizeof(buf)));
	with_item = atoll(buf);
	EXPECT_LT(before, with_item);
	ASSERT_EQ(0, lab_remove(&it));
	ASSERT_LT(0, lab_read_path(refcnt, buf, sizeof(buf)));
	after = atoll(buf);
	EXPECT_EQ(before, after);
}

/*
 * Bad writes log a line naming item and reason, rate-limited: other tests
 * may have used up the burst, so retry until the interval (5 s) renews it.
 */
TEST_F(root, bad_write_logs_item_and_reason)
{
	long long deadline = lab_now_ns() + 12000 * 1000000LL;
	char who[160];
	struct lab_item it;
	bool found = false;
	int fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	lseek(fd, 0, SEEK_END);
	ASSERT_EQ(0, lab_set_autostart("wait", "0"));
	ASSERT_EQ(0, lab_create(&it, "wait", "log"));
	snprintf(who, sizeof(who), "wait/%s", it.name);
	while (!found && lab_now_ns() < deadline) {
		EXPECT_EQ(-ERANGE, lab_set(&it, "stop_timeout_ms", "0"));
		found = lab_kmsg_has(fd, who, "stop_timeout_ms");
		if (!found)
			lab_sleep_ms(500);
	}
	close(fd);
	EXPECT_TRUE(found) TH_LOG("no kernel log line names %s", who);
}

TEST_F(root, autostart_values)
{
	char path[PATH_MAX], buf[16];
	size_t i;

	for (i = 0; i < LAB_NGROUPS; i++) {
		snprintf(path, sizeof(path), "%s/%s/autostart", lab_root(),
			 lab_groups[i]);
		ASSERT_LT(0, lab_read_path(path, buf, sizeof(buf)));
		EXPECT_STREQ("1", buf);
		EXPECT_EQ(-EINVAL, lab_set_autostart(lab_groups[i], "x"));
		EXPECT_EQ(-EINVAL, lab_set_autostart(lab_groups[i], "1x"));
		EXPECT_EQ(-EINVAL, lab_set_autostart(lab_groups[i], "\n"));
		EXPECT_EQ(-ERANGE, lab_set_autostart(lab_groups[i], "2"));
		EXPECT_EQ(-ERANGE, lab_set_autostart(lab_groups[i], "-1"));
		ASSERT_LT(0, lab_read_path(path, buf, sizeof(buf)));
		EXPECT_STREQ("1", buf);
		EXPECT_EQ(0, lab_set_autostart(lab_groups[i], "0\n"));
		ASSERT_LT(0, lab_read_path(path, buf, sizeof(buf)));
		EXPECT_STREQ("0", buf);
		EXPECT_EQ(0, lab_set_autostart(lab_groups[i], "1"));
		ASSERT_LT(0, lab_read_path(path, buf, sizeof(buf)));
		EXPECT_STREQ("1", buf);
	}
}

/* Splits "key=value"; false when the token is not of that form. */
static bool split_pair(char *tok, char **key, char **val)
{
	char *eq = strchr(tok, '=');

	if (!eq || eq == tok)
		return false;
	*eq = '\0';
	*key = tok;
	*val = eq + 1;
	return **val != '\0';
}

static const struct behaviour_keys *keys_of(const char *behaviour)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(own_keys); i++)
		if (!strcmp(own_keys[i].behaviour, behaviour))
			return &own_keys[i];
	return NULL;
}

/*
 * Checks one item line's keys and order; for a line naming @it, also that
 * every value equals the item's attribute of the same name.
 */
static void check_line(struct __test_metadata *_metadata, char *line,
		       const struct lab_item *items, size_t n_items)
{
	const struct behaviour_keys *own;
	const struct lab_item *it = NULL;
	char *save, *tok, *key, *val, *slash;
	char name[256], attr[LAB_VAL_MAX];
	size_t k = 0, i;

	tok = strtok_r(line, " ", &save);
	ASSERT_NE(NULL, tok);
	snprintf(name, sizeof(name), "%s", tok);
	slash = strchr(name, '/');
	ASSERT_NE(NULL, slash) TH_LOG("line starts '%s'", name);
	*slash = '\0';
	own = keys_of(name);
	ASSERT_NE(NULL, own) TH_LOG("unknown behaviour '%s'", name);
	for (i = 0; i < n_items; i++)
		if (!strcmp(items[i].group, name) &&
		    !strcmp(items[i].name, slash + 1))
			it = &items[i];

	while ((tok = strtok_r(NULL, " ", &save))) {
		const char *want_key;

		ASSERT_TRUE(split_pair(tok, &key, &val)) TH_LOG("token '%s'", tok);
		if (k < ARRAY_SIZE(common_keys))
			want_key = common_keys[k];
		else
			want_key = own->keys[k - ARRAY_SIZE(common_keys)];
		ASSERT_NE(NULL, want_key) TH_LOG("extra key '%s'", key);
		EXPECT_STREQ(want_key, key);
		if (!strcmp(key, "behaviour"))
			EXPECT_STREQ(name, val);
		if (it) {
			/* the snapshot says parked where the attribute says park */
			const char *file = strcmp(key, "parked") ? key : "park";

			ASSERT_LE(0, lab_get(it, file, attr, sizeof(attr)));
			EXPECT_STREQ(attr, val) TH_LOG("%s %s", it->name, key);
		}
		k++;
	}
	for (i = 0; own->keys[i]; i++)
		;
	EXPECT_EQ(ARRAY_SIZE(common_keys) + i, k) TH_LOG("%s/%s",
							 name, slash + 1);
}

/* Checks header, count, order and every line; returns the item lines. */
static long long check_snapshot(struct __test_metadata *_metadata, char *snap,
				const struct lab_item *items, size_t n_items)
{
	char *line, *next, prev[256] = "", cur[256], want[64];
	long long header_items = -1, lines = 0;
	size_t len = strlen(snap);

	EXPECT_EQ(1, sscanf(snap, "# kthread_lab snapshot v1 items=%lld",
			    &header_items));
	EXPECT_EQ('\n', snap[len - 1]);
	line = strchr(snap, '\n');
	ASSERT_NE(NULL, line);
	*line = '\0';
	snprintf(want, sizeof(want), "# kthread_lab snapshot v1 items=%lld",
		 header_items);
	EXPECT_STREQ(want, snap);
	for (line++; *line; line = next) {
		next = strchr(line, '\n');
		ASSERT_NE(NULL, next);
		*next++ = '\0';
		sscanf(line, "%255s", cur);
		if (prev[0])
			EXPECT_GT(0, strcmp(prev, cur))
				TH_LOG("'%s' listed before '%s'", prev, cur);
		snprintf(prev, sizeof(prev), "%s", cur);
		check_line(_metadata, line, items, n_items);
		lines++;
	}
	EXPECT_EQ(header_items, lines);
	return lines;
}

/* The kernel's taint flags: bit 9 (W) once anything has warned. */
static long kernel_taint(void)
{
	char buf[32];

	if (lab_read_path("/proc/sys/kernel/tainted", buf, sizeof(buf)) < 0)
		return -1;
	return atol(buf);
}

#define TAINT_WARN (1L << 9)

/*
 * Every line stays within the width the module reserves for it, or the
 * module warns (which taints the kernel): one item of each behaviour, with
 * the longest inline name, read running and then stopped.
 */
TEST_F(root, snapshot_of_every_behaviour_stays_within_its_width)
{
	static const char name[] = "nineteen-bytes-name";
	struct lab_item items[LAB_NGROUPS];
	long taint = kernel_taint();
	size_t i;

	ASSERT_LE(0, taint);
	if (taint & TAINT_WARN)
		SKIP(return, "the kernel warned before this test (tainted %ld): a new warning would not show", taint);
	for (i = 0; i < LAB_NGROUPS; i++) {
		ASSERT_EQ(0, lab_create(&items[i], lab_groups[i], name));
		ASSERT_EQ(0, lab_set(&items[i], "retval", "-2147483648"));
	}
	ASSERT_LT(0, lab_snapshot(self->snap, SNAP_MAX));
	for (i = 0; i < LAB_NGROUPS; i++)
		ASSERT_EQ(0, lab_set(&items[i], "stop", "1"))
			TH_LOG("stopping %s/%s", items[i].group, items[i].name);
	ASSERT_LT(0, lab_snapshot(self->snap, SNAP_MAX));
	EXPECT_EQ(0, kernel_taint() & TAINT_WARN)
		TH_LOG("the snapshot read warned: see the kernel log");
}

TEST_F(root, snapshot_lines_have_the_documented_format)
{
	struct lab_item items[5];
	size_t i;
	char *found;
	char key[256];

	for (i = 0; i < LAB_NGROUPS; i++) {
		ASSERT_EQ(0, lab_set_autostart(lab_groups[i], "0"));
		ASSERT_EQ(0, lab_create(&items[i], lab_groups[i], "snap"));
	}
	ASSERT_EQ(0, lab_set(&items[0], "honor_stop", "0"));
	ASSERT_EQ(0, lab_set(&items[0], "retval", "-3"));
	ASSERT_EQ(0, lab_set(&items[0], "nice", "4"));
	ASSERT_EQ(0, lab_set(&items[1], "wait_mode", "spin"));
	ASSERT_EQ(0, lab_set(&items[1], "job_ms", "25"));
	ASSERT_EQ(0, lab_set(&items[2], "period_us", "250000"));
	ASSERT_EQ(0, lab_set(&items[2], "sleep_mode", "hrtimer"));
	ASSERT_EQ(0, lab_set(&items[2], "cpu", "0"));
	ASSERT_EQ(0, lab_set(&items[2], "stop_timeout_ms", "1234"));
	/* a stopped item shows stop_result and stop_latency_ns numbers */
	ASSERT_EQ(0, lab_set(&items[3], "stop", "1"));
	ASSERT_EQ(0, lab_create(&items[4], "busy", "snap"));

	ASSERT_LT(0, lab_snapshot(self->snap, SNAP_MAX));
	EXPECT_LE(5, check_snapshot(_metadata, self->snap, items, 5));

	ASSERT_LT(0, lab_snapshot(self->snap, SNAP_MAX));
	for (i = 0; i < 5; i++) {
		found = strstr(self->snap,
			       lab_snapshot_key(&items[i], key, sizeof(key)));
		EXPECT_NE(NULL, found) TH_LOG("%s missing", key + 1);
	}
	snprintf(key, sizeof(key), "\noneshot/%s behaviour=oneshot state=stopped ",
		 items[3].name);
	EXPECT_NE(NULL, strstr(self->snap, key));
	EXPECT_NE(NULL, strstr(self->snap, " stop_result=-4 "));
}

/*
 * A descriptor's text is rendered at its first read and not refreshed;
 * a new open gives a new snapshot.
 */
TEST_F(root, snapshot_is_taken_at_first_read)
{
	char path[PATH_MAX], key[256];
	struct lab_item it;
	size_t len;
	ssize_t n;
	int fd;

	lab_root_path(path, sizeof(path), "snapshot");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(8, read(fd, self->snap, 8));
	ASSERT_EQ(0, lab_create(&it, "wait", "late"));
	len = 8;
	while ((n = read(fd, self->snap + len, SNAP_MAX - 1 - len)) > 0)
		len += n;
	close(fd);
	self->snap[len] = '\0';
	lab_snapshot_key(&it, key, sizeof(key));
	EXPECT_EQ(NULL, strstr(self->snap, key));
	ASSERT_LT(0, lab_snapshot(self->snap, SNAP_MAX));
	EXPECT_NE(NULL, strstr(self->snap, key));
}

TEST_F(root, mkdir_refuses_names_with_white_space)
{
	static const char *const bad[] = { "a b", "tab\there", "nl\nx" };
	char path[PATH_MAX];
	long long items = lab_snapshot_items();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(path, sizeof(path), "%s/wait/kst%d-%s", lab_root(),
			 (int)lab_harness_pid, bad[i]);
		errno = 0;
		EXPECT_EQ(-1, mkdir(path, 0755));
		EXPECT_EQ(EINVAL, errno);
		if (!access(path, F_OK))
			rmdir(path);
	}
	EXPECT_EQ(items, lab_snapshot_items());
}

/*
 * mkdir refuses exactly the ASCII control bytes (0x01-0x1f, 0x7f) and the
 * space, the bytes that would break the snapshot's space-separated lines;
 * every byte from 0x80 up is accepted (UTF-8 such as "voilà", whose à is
 * c3 a0, and bytes that are no UTF-8 at all), whatever the kernel's
 * Latin-1 ctype thinks of 0x80-0xa0.
 */
TEST_F(root, mkdir_refuses_only_ascii_controls_and_space)
{
	static const char *const good[] = { "voil\xc3\xa0", "caf\xc3\xa9",
		"\xe2\x80\x83" "em", "x\x80", "x\x85", "x\x9f", "x\xa0", "x\xff",
		"dot.name", "~!@#$%^&*()_+={}[]|:;'\"<>,?" };
	char label[8], key[256], comm[128], path[64], want[128];
	long long items = lab_snapshot_items();
	struct lab_item it;
	size_t i;
	int c;

	ASSERT_EQ(0, lab_set_autostart("wait", "0"));
	for (c = 1; c < 0x80; c++) {
		if (c >= 0x20 && c < 0x7f && c != ' ')
			continue;
		snprintf(label, sizeof(label), "c%cx", c);
		EXPECT_EQ(-EINVAL, lab_create(&it, "wait", label))
			TH_LOG("byte 0x%02x accepted", c);
		if (lab_exists(&it))
			lab_remove(&it);
	}
	EXPECT_EQ(items, lab_snapshot_items());

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		int ret = lab_create(&it, "wait", good[i]);

		EXPECT_EQ(0, ret) TH_LOG("name %zu ('%s') refused", i, good[i]);
		if (ret)
			continue;
		/* the snapshot lists it verbatim */
		ASSERT_LT(0, lab_snapshot(self->snap, SNAP_MAX));
		EXPECT_NE(NULL, strstr(self->snap,
				       lab_snapshot_key(&it, key, sizeof(key))));
		/* and so does the task name, up to 63 bytes */
		snprintf(want, sizeof(want), "ktl_w_%.56s", it.name);
		snprintf(path, sizeof(path), "/proc/%lld/comm",
			 lab_ll(&it, "pid"));
		ASSERT_LT(0, lab_read_path(path, comm, sizeof(comm)));
		EXPECT_STREQ(want, comm);
		EXPECT_EQ(0, lab_remove(&it));
	}
	EXPECT_EQ(items, lab_snapshot_items());
}

/* More items than one page of text: the binary attribute has no limit. */
TEST_F(root, snapshot_beyond_one_page)
{
	struct lab_item items[48];
	char key[256];
	size_t i;
	int len;

	ASSERT_EQ(0, lab_set_autostart("oneshot", "0"));
	for (i = 0; i < ARRAY_SIZE(items); i++)
		ASSERT_EQ(0, lab_create(&items[i], "oneshot", "page"));
	len = lab_snapshot(self->snap, SNAP_MAX);
	ASSERT_LT(4096, len);
	EXPECT_LE((long long)ARRAY_SIZE(items),
		  check_snapshot(_metadata, self->snap, NULL, 0));
	ASSERT_LT(4096, lab_snapshot(self->snap, SNAP_MAX));
	for (i = 0; i < ARRAY_SIZE(items); i++) {
		lab_snapshot_key(&items[i], key, sizeof(key));
		EXPECT_NE(NULL, strstr(self->snap, key)) TH_LOG("%s", key + 1);
	}
}

TEST_HARNESS_MAIN
