// SPDX-License-Identifier: GPL-2.0
/*
 * Attributes every kthread_lab item has, whatever its behaviour: modes,
 * defaults, the created/running/parked/exited/stopped transitions, the
 * stop-before-run case, cpu binding, nice, and the errno of every bad write.
 */
#include <pthread.h>
#include <sys/fsuid.h>

#include "lab.h"

struct lab_attr_mode {
	const char *name;
	mode_t mode;
};

static const struct lab_attr_mode common_attrs[] = {
	{ "behaviour", 0444 }, { "state", 0444 }, { "pid", 0444 },
	{ "ran", 0444 }, { "loops", 0444 }, { "retval", 0644 },
	{ "start", 0200 }, { "stop", 0200 }, { "stop_timeout_ms", 0644 },
	{ "stop_result", 0444 }, { "stop_latency_ns", 0444 },
	{ "cpu", 0644 }, { "nice", 0644 }, { "park", 0644 },
};

static const struct lab_attr_mode busy_attrs[] = {
	{ "honor_stop", 0644 }, { "resched", 0644 }, { "release", 0200 },
};

static const struct lab_attr_mode wait_attrs[] = {
	{ "job_ms", 0644 }, { "wait_mode", 0644 },
};

static const struct lab_attr_mode periodic_attrs[] = {
	{ "period_us", 0644 }, { "sleep_mode", 0644 },
	{ "lateness_ns", 0444 }, { "lateness_hist", 0444 },
};

FIXTURE(item) {
	struct lab_item it;
};

FIXTURE_VARIANT(item) {
	const char *behaviour;
	/* the letter in the task name "ktl_<tag>_<item>" */
	char tag;
	bool can_park;
	/* the thread function returns by itself (state exited) */
	bool returns;
	const struct lab_attr_mode *own_attrs;
	size_t n_own_attrs;
};

FIXTURE_VARIANT_ADD(item, busy) {
	.behaviour = "busy", .tag = 'b', .can_park = true,
	.own_attrs = busy_attrs, .n_own_attrs = ARRAY_SIZE(busy_attrs),
};

FIXTURE_VARIANT_ADD(item, wait) {
	.behaviour = "wait", .tag = 'w',
	.own_attrs = wait_attrs, .n_own_attrs = ARRAY_SIZE(wait_attrs),
};

FIXTURE_VARIANT_ADD(item, periodic) {
	.behaviour = "periodic", .tag = 'p', .can_park = true,
	.own_attrs = periodic_attrs, .n_own_attrs = ARRAY_SIZE(periodic_attrs),
};

FIXTURE_VARIANT_ADD(item, oneshot) {
	.behaviour = "oneshot", .tag = 'o', .returns = true,
};

/* Every test starts from a created (never woken) item. */
FIXTURE_SETUP(item)
{
	LAB_REQUIRE_ROOT();
	ASSERT_EQ(0, lab_set_autostart(variant->behaviour, "0"));
	ASSERT_EQ(0, lab_create(&self->it, variant->behaviour, "item"));
}

FIXTURE_TEARDOWN(item)
{
	lab_cleanup();
}

/* A short interruptible period keeps periodic stops and parks quick. */
static int make_quick(const struct lab_item *it)
{
	if (strcmp(it->group, "periodic"))
		return 0;
	return lab_set(it, "period_us", "10000") ?:
	       lab_set(it, "sleep_mode", "interruptible");
}

static const char *running_state(const FIXTURE_VARIANT(item) *variant)
{
	return variant->returns ? "exited" : "running";
}

static void check_modes(struct __test_metadata *_metadata,
			const struct lab_item *it,
			const struct lab_attr_mode *attrs, size_t n)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		lab_attr_path(it, attrs[i].name, path, sizeof(path));
		lab_expect_mode(_metadata, path, attrs[i].mode);
	}
}

TEST_F(item, item_files_have_their_documented_modes)
{
	check_modes(_metadata, &self->it, common_attrs,
		    ARRAY_SIZE(common_attrs));
	check_modes(_metadata, &self->it, variant->own_attrs,
		    variant->n_own_attrs);
}

TEST_F(item, defaults_while_created)
{
	long long pid;

	LAB_EXPECT_ATTR(&self->it, "behaviour", variant->behaviour);
	LAB_EXPECT_ATTR(&self->it, "state", "created");
	LAB_EXPECT_ATTR(&self->it, "ran", "0");
	LAB_EXPECT_ATTR(&self->it, "loops", "0");
	LAB_EXPECT_ATTR(&self->it, "retval", "0");
	LAB_EXPECT_ATTR(&self->it, "stop_timeout_ms", "5000");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "none");
	LAB_EXPECT_ATTR(&self->it, "stop_latency_ns", "none");
	LAB_EXPECT_ATTR(&self->it, "cpu", "-1");
	LAB_EXPECT_ATTR(&self->it, "nice", "0");
	LAB_EXPECT_ATTR(&self->it, "park", "0");
	pid = lab_ll(&self->it, "pid");
	EXPECT_LT(0, pid);
	/* kthread_create already made the task, asleep until woken */
	EXPECT_TRUE(lab_pid_alive(pid));

	if (!strcmp(variant->behaviour, "busy")) {
		LAB_EXPECT_ATTR(&self->it, "honor_stop", "1");
		LAB_EXPECT_ATTR(&self->it, "resched", "1");
	} else if (!strcmp(variant->behaviour, "wait")) {
		LAB_EXPECT_ATTR(&self->it, "job_ms", "0");
		LAB_EXPECT_ATTR(&self->it, "wait_mode", "sleep");
	} else if (!strcmp(variant->behaviour, "periodic")) {
		LAB_EXPECT_ATTR(&self->it, "period_us", "1000000");
		/* the ABI file names msleep the default */
		LAB_EXPECT_ATTR(&self->it, "sleep_mode", "msleep");
		LAB_EXPECT_ATTR(&self->it, "lateness_ns", "none");
	}
}

/* kthreads show up to 63 characters of their full name in /proc (5.17+) */
TEST_F(item, task_name_names_behaviour_and_item)
{
	char want[128], path[64], comm[128];
	long long pid = lab_ll(&self->it, "pid");

	snprintf(want, sizeof(want), "ktl_%c_%.56s", variant->tag,
		 self->it.name);
	snprintf(path, sizeof(path), "/proc/%lld/comm", pid);
	ASSERT_LT(0, lab_read_path(path, comm, sizeof(comm)));
	EXPECT_STREQ(want, comm);
}

TEST_F(item, read_only_and_write_only_files_refuse_the_other_access)
{
	static const char *const ro[] = { "behaviour", "state", "pid", "ran",
		"loops", "stop_result", "stop_latency_ns" };
	static const char *const wo[] = { "start", "stop" };
	char path[PATH_MAX];
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		lab_attr_path(&self->it, ro[i], path, sizeof(path));
		fd = open(path, O_WRONLY);
		EXPECT_EQ(-1, fd) {
			TH_LOG("%s opened for writing", ro[i]);
			close(fd);
		}
		EXPECT_EQ(EACCES, errno);
	}
	for (i = 0; i < ARRAY_SIZE(wo); i++) {
		lab_attr_path(&self->it, wo[i], path, sizeof(path));
		fd = open(path, O_RDONLY);
		EXPECT_EQ(-1, fd) {
			TH_LOG("%s opened for reading", wo[i]);
			close(fd);
		}
		EXPECT_EQ(EACCES, errno);
	}
	LAB_EXPECT_ATTR(&self->it, "state", "created");
}

/* setfsuid drops the fs capabilities, so DAC applies as to any user. */
TEST_F(item, writes_need_root)
{
	static const char *const writable[] = { "retval", "start", "stop",
		"stop_timeout_ms", "cpu", "nice", "park" };
	char path[PATH_MAX];
	size_t i;
	int fd, err;

	for (i = 0; i < ARRAY_SIZE(writable); i++) {
		lab_attr_path(&self->it, writable[i], path, sizeof(path));
		setfsuid(65534);
		fd = open(path, O_WRONLY);
		err = errno;
		setfsuid(0);
		EXPECT_EQ(-1, fd) {
			TH_LOG("%s writable by uid 65534", writable[i]);
			close(fd);
		}
		EXPECT_EQ(EACCES, err);
	}
	LAB_EXPECT_ATTR(&self->it, "state", "created");
}

/* A stop before the function ran: kthread() sees the stop bit first. */
TEST_F(item, stop_before_run_gives_eintr)
{
	long long pid = lab_ll(&self->it, "pid");

	ASSERT_EQ(0, lab_set(&self->it, "retval", "42"));
	LAB_EXPECT_ATTR(&self->it, "state", "created");
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "-4");
	LAB_EXPECT_ATTR(&self->it, "ran", "0");
	LAB_EXPECT_ATTR(&self->it, "loops", "0");
	EXPECT_LE(0, lab_ll(&self->it, "stop_latency_ns"));
	EXPECT_EQ(pid, lab_ll(&self->it, "pid"));
	EXPECT_EQ(0, lab_wait_pid_gone(pid, LAB_DEADLINE_MS));
}

TEST_F(item, started_thread_runs_and_stops_with_retval)
{
	long long pid = lab_ll(&self->it, "pid");

	ASSERT_EQ(0, make_quick(&self->it));
	ASSERT_EQ(0, lab_set(&self->it, "retval", "7"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	LAB_ASSERT_STATE(&self->it, running_state(variant), LAB_DEADLINE_MS);
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	LAB_EXPECT_ATTR(&self->it, "ran", "1");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "none");
	LAB_EXPECT_WRITE(&self->it, "start", "1", -EALREADY);

	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "7");
	EXPECT_LE(0, lab_ll(&self->it, "stop_latency_ns"));
	EXPECT_EQ(pid, lab_ll(&self->it, "pid"));
	EXPECT_EQ(0, lab_wait_pid_gone(pid, LAB_DEADLINE_MS));

	/* stopped is final */
	LAB_EXPECT_WRITE(&self->it, "stop", "1", -EALREADY);
	LAB_EXPECT_WRITE(&self->it, "start", "1", -EALREADY);
	LAB_EXPECT_WRITE(&self->it, "retval", "8", -EBUSY);
	LAB_EXPECT_WRITE(&self->it, "cpu", "0", -EBUSY);
	LAB_EXPECT_WRITE(&self->it, "nice", "1", -EBUSY);
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "7");
	/* writable in every state */
	LAB_EXPECT_WRITE(&self->it, "stop_timeout_ms", "1234", 0);
	LAB_EXPECT_ATTR(&self->it, "stop_timeout_ms", "1234");
}

/* A bad value is reported as such whatever the state. */
TEST_F(item, value_errors_before_state_errors)
{
	struct {
		const char *attr, *val;
		int err;
	} bad[] = {
		{ "retval", "x", -EINVAL },
		{ "retval", "99999999999", -ERANGE },
		{ "start", "x", -EINVAL },
		{ "start", "2", -ERANGE },
		{ "stop", "x", -EINVAL },
		{ "stop", "0", -ERANGE },
		{ "nice", "x", -EINVAL },
		{ "nice", "20", -ERANGE },
		{ "cpu", "x", -EINVAL },
		{ "cpu", "-2", -EINVAL },
		{ "cpu", "100000", -EINVAL },
	};
	size_t i;

	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		LAB_EXPECT_WRITE(&self->it, bad[i].attr, bad[i].val, bad[i].err);
	if (variant->can_park)
		LAB_EXPECT_WRITE(&self->it, "park", "2", -ERANGE);
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "-4");
}

TEST_F(item, park_errors_by_state)
{
	static const char *const any[] = { "1", "0", "x", "2" };
	size_t i;

	if (!variant->can_park) {
		/* EOPNOTSUPP is checked first, whatever was written */
		for (i = 0; i < ARRAY_SIZE(any); i++)
			LAB_EXPECT_WRITE(&self->it, "park", any[i], -EOPNOTSUPP);
		return;
	}
	LAB_EXPECT_WRITE(&self->it, "park", "1", -EBUSY);
	LAB_EXPECT_WRITE(&self->it, "park", "0", -EBUSY);
	LAB_EXPECT_ATTR(&self->it, "state", "created");
	ASSERT_EQ(0, make_quick(&self->it));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	LAB_ASSERT_STATE(&self->it, "running", LAB_DEADLINE_MS);
	LAB_EXPECT_WRITE(&self->it, "park", "0", -EALREADY);
	ASSERT_EQ(0, lab_set(&self->it, "park", "1"));
	LAB_EXPECT_WRITE(&self->it, "park", "1", -EALREADY);
	LAB_EXPECT_ATTR(&self->it, "state", "parked");
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "park", "0");
	LAB_EXPECT_WRITE(&self->it, "park", "1", -EBUSY);
	LAB_EXPECT_WRITE(&self->it, "park", "0", -EBUSY);
}

TEST_F(item, negative_retval_reaches_stopper)
{
	ASSERT_EQ(0, make_quick(&self->it));
	ASSERT_EQ(0, lab_set(&self->it, "retval", "-5"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "stop_result", "-5");
}

TEST_F(item, autostart_wakes_at_mkdir)
{
	struct lab_item it;

	ASSERT_EQ(0, lab_set_autostart(variant->behaviour, "1"));
	ASSERT_EQ(0, lab_create(&it, variant->behaviour, "auto"));
	LAB_ASSERT_STATE(&it, running_state(variant), LAB_DEADLINE_MS);
	ASSERT_EQ(0, lab_wait_ge(&it, "ran", 1, LAB_DEADLINE_MS));
	LAB_EXPECT_WRITE(&it, "start", "1", -EALREADY);
	EXPECT_EQ(0, lab_remove(&it));
}

TEST_F(item, bad_writes_change_nothing)
{
	char cpus[32];
	struct {
		const char *attr, *val;
		int err;
	} bad[] = {
		{ "retval", "abc", -EINVAL },
		{ "retval", "12abc", -EINVAL },
		{ "retval", "\n", -EINVAL },
		{ "retval", "99999999999", -ERANGE },
		{ "retval", "-99999999999", -ERANGE },
		{ "stop_timeout_ms", "x", -EINVAL },
		{ "stop_timeout_ms", "5000x", -EINVAL },
		{ "stop_timeout_ms", "0", -ERANGE },
		{ "stop_timeout_ms", "30001", -ERANGE },
		{ "nice", "x", -EINVAL },
		{ "nice", "1 2", -EINVAL },
		{ "nice", "-21", -ERANGE },
		{ "nice", "20", -ERANGE },
		{ "cpu", "x", -EINVAL },
		{ "cpu", "0x", -EINVAL },
		{ "cpu", "-2", -EINVAL },
		{ "cpu", cpus, -EINVAL },
		{ "cpu", "100000", -EINVAL },
		{ "start", "x", -EINVAL },
		{ "start", "1x", -EINVAL },
		{ "start", "0", -ERANGE },
		{ "start", "2", -ERANGE },
		{ "stop", "x", -EINVAL },
		{ "stop", "1x", -EINVAL },
		{ "stop", "0", -ERANGE },
		{ "stop", "2", -ERANGE },
	};
	size_t i;

	/* one past the highest possible CPU id */
	snprintf(cpus, sizeof(cpus), "%ld", sysconf(_SC_NPROCESSORS_CONF));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		LAB_EXPECT_WRITE(&self->it, bad[i].attr, bad[i].val, bad[i].err);
	if (variant->can_park) {
		LAB_EXPECT_WRITE(&self->it, "park", "x", -EINVAL);
		LAB_EXPECT_WRITE(&self->it, "park", "1x", -EINVAL);
		LAB_EXPECT_WRITE(&self->it, "park", "2", -ERANGE);
		LAB_EXPECT_WRITE(&self->it, "park", "-1", -ERANGE);
	}
	/* the bad start and stop writes did not act */
	LAB_EXPECT_ATTR(&self->it, "state", "created");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "none");
	LAB_EXPECT_ATTR(&self->it, "ran", "0");
}

TEST_F(item, range_limits_are_accepted)
{
	struct {
		const char *attr, *val, *reads;
	} good[] = {
		{ "retval", "-2147483648", "-2147483648" },
		{ "retval", "2147483647", "2147483647" },
		{ "retval", "0\n", "0" },
		{ "stop_timeout_ms", "1", "1" },
		{ "stop_timeout_ms", "30000", "30000" },
		{ "stop_timeout_ms", "5000\n", "5000" },
		{ "nice", "-20", "-20" },
		{ "nice", "19", "19" },
		{ "nice", "0\n", "0" },
		{ "cpu", "0", "0" },
		{ "cpu", "-1", "-1" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		LAB_EXPECT_WRITE(&self->it, good[i].attr, good[i].val, 0);
		LAB_EXPECT_ATTR(&self->it, good[i].attr, good[i].reads);
	}
}

TEST_F(item, nice_applies_to_the_task)
{
	long long pid = lab_ll(&self->it, "pid");
	static const char *const values[] = { "5", "-20", "19", "0" };
	size_t i;

	ASSERT_LT(0, pid);
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		ASSERT_EQ(0, lab_set(&self->it, "nice", values[i]));
		LAB_EXPECT_ATTR(&self->it, "nice", values[i]);
		EXPECT_EQ(atoll(values[i]),
			  lab_proc_stat_field(pid, LAB_STAT_NICE));
	}
	if (variant->returns)
		return;
	ASSERT_EQ(0, make_quick(&self->it));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	LAB_ASSERT_STATE(&self->it, "running", LAB_DEADLINE_MS);
	ASSERT_EQ(0, lab_set(&self->it, "nice", "7"));
	LAB_EXPECT_ATTR(&self->it, "nice", "7");
	EXPECT_EQ(7, lab_proc_stat_field(pid, LAB_STAT_NICE));
}

TEST_F(item, cpu_binds_only_while_created)
{
	long long pid = lab_ll(&self->it, "pid");
	long target = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	char val[32];
	cpu_set_t set;

	ASSERT_LT(0, pid);
	snprintf(val, sizeof(val), "%ld", target);
	ASSERT_EQ(0, lab_set(&self->it, "cpu", val));
	LAB_EXPECT_ATTR(&self->it, "cpu", val);
	ASSERT_EQ(0, make_quick(&self->it));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	LAB_EXPECT_WRITE(&self->it, "cpu", "0", -EBUSY);
	LAB_EXPECT_WRITE(&self->it, "cpu", "-1", -EBUSY);
	LAB_EXPECT_ATTR(&self->it, "cpu", val);
	if (variant->returns)
		return;	/* the task is gone; nothing left to inspect */

	CPU_ZERO(&set);
	ASSERT_EQ(0, sched_getaffinity(pid, sizeof(set), &set));
	EXPECT_EQ(1, CPU_COUNT(&set));
	EXPECT_TRUE(CPU_ISSET(target, &set));
	EXPECT_EQ(target, lab_proc_stat_field(pid, LAB_STAT_PROCESSOR));
}

/* kthread_bind acts on the created task: its affinity shows at once. */
TEST_F(item, cpu_minus_one_unbinds)
{
	long long pid = lab_ll(&self->it, "pid");
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	ASSERT_EQ(0, lab_set(&self->it, "cpu", "0"));
	CPU_ZERO(&set);
	ASSERT_EQ(0, sched_getaffinity(pid, sizeof(set), &set));
	EXPECT_EQ(1, CPU_COUNT(&set));
	EXPECT_TRUE(CPU_ISSET(0, &set));

	ASSERT_EQ(0, lab_set(&self->it, "cpu", "-1"));
	LAB_EXPECT_ATTR(&self->it, "cpu", "-1");
	CPU_ZERO(&set);
	ASSERT_EQ(0, sched_getaffinity(pid, sizeof(set), &set));
	EXPECT_EQ(online, CPU_COUNT(&set));
	ASSERT_EQ(0, make_quick(&self->it));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
}

/* Field 9 of /proc/<pid>/stat, and the bit kthread_bind() sets there. */
#define LAB_STAT_FLAGS 9
#define LAB_PF_NO_SETAFFINITY 0x04000000LL

/* "Cpus_allowed_list:" of /proc/<pid>/status, or "" when unreadable. */
static const char *cpus_allowed_list(long long pid, char *out, size_t size)
{
	char path[64], buf[4096], *p;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%lld/status", pid);
	if (lab_read_path(path, buf, sizeof(buf)) < 0)
		return out;
	p = strstr(buf, "Cpus_allowed_list:");
	if (p && sscanf(p, "Cpus_allowed_list: %63s", out) != 1)
		out[0] = '\0';
	(void)size;
	return out;
}

/*
 * kthread_bind() also marks the task PF_NO_SETAFFINITY (user space may
 * not move it). cpu -1 unbinds for real: the CPUs a never-bound item has,
 * and the mark gone, so sched_setaffinity() works again as on that item.
 */
TEST_F(item, cpu_minus_one_unbinds_for_real)
{
	long long pid = lab_ll(&self->it, "pid"), ref_pid, flags;
	char mine[64], ref[64];
	struct lab_item never;
	cpu_set_t one;

	ASSERT_EQ(0, lab_create(&never, variant->behaviour, "never"));
	ref_pid = lab_ll(&never, "pid");
	ASSERT_NE(0, cpus_allowed_list(ref_pid, ref, sizeof(ref))[0]);
	EXPECT_EQ(0, lab_proc_stat_field(ref_pid, LAB_STAT_FLAGS) &
		     LAB_PF_NO_SETAFFINITY);

	ASSERT_EQ(0, lab_set(&self->it, "cpu", "0"));
	EXPECT_STREQ("0", cpus_allowed_list(pid, mine, sizeof(mine)));
	EXPECT_NE(0, lab_proc_stat_field(pid, LAB_STAT_FLAGS) &
		     LAB_PF_NO_SETAFFINITY);

	ASSERT_EQ(0, lab_set(&self->it, "cpu", "-1"));
	LAB_EXPECT_ATTR(&self->it, "cpu", "-1");
	EXPECT_STREQ(ref, cpus_allowed_list(pid, mine, sizeof(mine)));
	flags = lab_proc_stat_field(pid, LAB_STAT_FLAGS);
	ASSERT_NE(LLONG_MIN, flags);
	EXPECT_EQ(0, flags & LAB_PF_NO_SETAFFINITY)
		TH_LOG("flags %#llx: still PF_NO_SETAFFINITY", flags);

	/* root may set its affinity, as for the never-bound item */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	EXPECT_EQ(0, sched_setaffinity(ref_pid, sizeof(one), &one));
	EXPECT_EQ(0, sched_setaffinity(pid, sizeof(one), &one))
		TH_LOG("sched_setaffinity: %s", strerror(errno));
	EXPECT_EQ(0, lab_remove(&never));
}

TEST_F(item, parked_thread_unparks_and_runs_on)
{
	long long before, after;

	ASSERT_EQ(0, make_quick(&self->it));
	ASSERT_EQ(0, lab_set(&self->it, "retval", "3"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	if (!variant->can_park) {
		LAB_EXPECT_WRITE(&self->it, "park", "1", -EOPNOTSUPP);
		LAB_EXPECT_ATTR(&self->it, "park", "0");
		LAB_EXPECT_ATTR(&self->it, "state", running_state(variant));
		return;
	}
	ASSERT_EQ(0, lab_wait_ge(&self->it, "loops", 2, LAB_DEADLINE_MS));

	/* kthread_park returns once the thread sits in kthread_parkme */
	ASSERT_EQ(0, lab_set(&self->it, "park", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "parked");
	LAB_EXPECT_ATTR(&self->it, "park", "1");
	LAB_EXPECT_WRITE(&self->it, "start", "1", -EALREADY);
	before = lab_ll(&self->it, "loops");
	lab_sleep_ms(300);	/* a window of ~30 ticks of the quick period */
	after = lab_ll(&self->it, "loops");
	EXPECT_EQ(before, after);
	LAB_EXPECT_ATTR(&self->it, "state", "parked");

	ASSERT_EQ(0, lab_set(&self->it, "park", "0"));
	LAB_ASSERT_STATE(&self->it, "running", LAB_DEADLINE_MS);
	LAB_EXPECT_ATTR(&self->it, "park", "0");
	EXPECT_EQ(0, lab_wait_ge(&self->it, "loops", after + 2,
				 LAB_DEADLINE_MS));

	/* kthread_stop unparks a parked thread and stops it */
	ASSERT_EQ(0, lab_set(&self->it, "park", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "parked");
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "3");
}

/*
 * cpu checks that the CPU is online under cpus_read_lock(), together with
 * the bind: an offline CPU is EINVAL (nothing bound), an online one binds,
 * and binds racing with CPU hotplug only ever succeed or give EINVAL.
 */
FIXTURE(hotplug) {
	char online[PATH_MAX];
	char cpu[24];
};

static int set_online(const char *path, const char *val)
{
	return lab_write_path(path, val);
}

FIXTURE_SETUP(hotplug)
{
	long last = sysconf(_SC_NPROCESSORS_CONF) - 1;

	LAB_REQUIRE_ROOT();
	snprintf(self->cpu, sizeof(self->cpu), "%ld", last);
	snprintf(self->online, sizeof(self->online),
		 "/sys/devices/system/cpu/cpu%ld/online", last);
}

FIXTURE_TEARDOWN(hotplug)
{
	set_online(self->online, "1");
	lab_cleanup();
}

struct toggler {
	const char *path;
	volatile bool *stop;
	int toggles, errors;
};

static void *toggle_cpu(void *arg)
{
	struct toggler *t = arg;

	while (!*t->stop) {
		if (set_online(t->path, t->toggles % 2 ? "1" : "0"))
			t->errors++;
		t->toggles++;
	}
	set_online(t->path, "1");
	return NULL;
}

TEST_F_TIMEOUT(hotplug, bind_checks_the_cpu_online_under_hotplug, 300)
{
	volatile bool stop = false;
	struct toggler t = { .path = self->online, .stop = &stop };
	int i, ret, bound = 0, refused = 0;
	struct lab_item it;
	pthread_t th;

	if (access(self->online, W_OK))
		SKIP(return, "CPU %s cannot be taken offline here (%s)", self->cpu,
		     strerror(errno));
	ASSERT_EQ(0, lab_set_autostart("oneshot", "0"));
	ASSERT_EQ(0, set_online(self->online, "0"));
	ASSERT_EQ(0, lab_create(&it, "oneshot", "offline"));
	LAB_EXPECT_WRITE(&it, "cpu", self->cpu, -EINVAL);
	LAB_EXPECT_ATTR(&it, "cpu", "-1");
	ASSERT_EQ(0, set_online(self->online, "1"));
	LAB_EXPECT_WRITE(&it, "cpu", self->cpu, 0);
	LAB_EXPECT_ATTR(&it, "cpu", self->cpu);
	EXPECT_EQ(0, lab_remove(&it));

	ASSERT_EQ(0, pthread_create(&th, NULL, toggle_cpu, &t));
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, lab_create(&it, "oneshot", "race"));
		ret = lab_set(&it, "cpu", self->cpu);
		if (ret == 0)
			bound++;
		else if (ret == -EINVAL)
			refused++;
		else
			EXPECT_EQ(0, ret) TH_LOG("bind during hotplug: %s",
						 strerror(-ret));
		EXPECT_EQ(0, lab_set(&it, "retval", "3"));
		EXPECT_EQ(0, lab_set(&it, "start", "1"));
		/* it runs wherever it may, its CPU online or not */
		EXPECT_EQ(0, lab_wait_state(&it, "exited", LAB_DEADLINE_MS));
		EXPECT_EQ(0, lab_set(&it, "stop", "1"));
		LAB_EXPECT_ATTR(&it, "stop_result", "3");
		EXPECT_EQ(0, lab_remove(&it));
	}
	stop = true;
	ASSERT_EQ(0, pthread_join(th, NULL));
	TH_LOG("%d binds, %d refused, %d hotplug toggles (%d failed)", bound,
	       refused, t.toggles, t.errors);
}

TEST_HARNESS_MAIN
