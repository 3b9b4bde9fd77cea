// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel experiments, experiments/race and experiments/spawn: their
 * attributes, defaults and ranges, "none" before a run, EBUSY while a run
 * goes, EINTR on a signal and ETIMEDOUT at the 25 s bound with partial
 * results, rmdir during a run, max_threads, and what race measures:
 * kthread_stop() returns -EINTR exactly when the function never ran
 * (eintr + fn_ran == completed, other == 0) on every run. No timing is
 * asserted; the figures are the benchmark's and the guide's.
 */
#include <pthread.h>
#include <signal.h>

#include "lab.h"

#define EXP_TIMEOUT 240
/* how long a polled state may take to show in the emulated guest */
#define EXP_DEADLINE_MS 20000

struct exp_attr {
	const char *name;
	mode_t mode;
	const char *initial;	/* what it reads after mkdir */
};

static const struct exp_attr race_attrs[] = {
	{ "runs", 0644, "1000" }, { "delay_ns", 0644, "0" },
	{ "delay_mode", 0644, "spin" }, { "placement", 0644, "any" },
	{ "run", 0200, NULL }, { "completed", 0444, "none" },
	{ "fn_ran", 0444, "none" }, { "eintr", 0444, "none" },
	{ "other", 0444, "none" }, { "first_run_ns", 0444, "none" },
	{ "stop_ns", 0444, "none" }, { "elapsed_ns", 0444, "none" },
};

static const struct exp_attr spawn_attrs[] = {
	{ "threads", 0644, "1000" }, { "sleep_before_stop_ms", 0644, "0" },
	{ "run", 0200, NULL }, { "completed", 0444, "none" },
	{ "create_ns", 0444, "none" }, { "wake_to_run_ns", 0444, "none" },
	{ "stop_ns", 0444, "none" }, { "elapsed_ns", 0444, "none" },
};

static const char *const race_results[] = { "completed", "fn_ran", "eintr",
	"other", "first_run_ns", "stop_ns", "elapsed_ns" };

static int exp_create(struct lab_item *it, const char *kind, const char *label)
{
	char group[32];

	snprintf(group, sizeof(group), "experiments/%s", kind);
	return lab_create(it, group, label);
}

/* One write() of @len bytes, NULs included: 0 or -errno. */
static int exp_write_raw(const struct lab_item *it, const char *attr,
			 const char *buf, size_t len)
{
	char path[PATH_MAX];

	lab_attr_path(it, attr, path, sizeof(path));
	return lab_write_n(path, buf, len);
}

/* "min avg max p99": true when it reads so, with min <= avg, p99 <= max. */
static bool exp_stat(const struct lab_item *it, const char *attr,
		     long long v[4])
{
	char buf[256], tail;

	if (lab_get(it, attr, buf, sizeof(buf)) < 0)
		return false;
	if (sscanf(buf, "%lld %lld %lld %lld%c", &v[0], &v[1], &v[2], &v[3],
		   &tail) != 4)
		return false;
	return v[0] <= v[1] && v[1] <= v[2] && v[0] <= v[3] && v[3] <= v[2];
}

static int exp_online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

/*
 * Tasks whose name starts with @prefix (/proc/<pid>/comm shows up to 63
 * bytes of a kthread's name).
 */
static int exp_count_tasks(const char *prefix)
{
	char path[300], comm[128];
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (lab_read_path(path, comm, sizeof(comm)) > 0 &&
		    !strncmp(comm, prefix, strlen(prefix)))
			n++;
	}
	closedir(d);
	return n;
}

/* Polls until no task of @prefix is left (an exited one is reaped soon). */
static int exp_wait_no_tasks(const char *prefix)
{
	long long deadline = lab_now_ns() + EXP_DEADLINE_MS * 1000000LL;
	int n;

	while ((n = exp_count_tasks(prefix)) != 0) {
		if (lab_now_ns() > deadline) {
			fprintf(stderr, "# %d tasks named %s* remain\n", n,
				prefix);
			return -ETIMEDOUT;
		}
		usleep(LAB_POLL_US);
	}
	return 0;
}

/* The task-name prefix of every thread this harness's experiments make. */
static void exp_task_prefix(char *out, size_t size, char tag)
{
	snprintf(out, size, "ktl_%c_kst%d-", tag, (int)lab_harness_pid);
}

/* eintr + fn_ran == completed, other == 0, and the statistics parse. */
static void exp_check_race(struct __test_metadata *_metadata,
			   const struct lab_item *it, long long runs,
			   bool whole, const char *what)
{
	long long completed = lab_ll(it, "completed");
	long long fn_ran = lab_ll(it, "fn_ran");
	long long eintr = lab_ll(it, "eintr");
	long long v[4];

	ASSERT_LE(0, completed) TH_LOG("%s: completed unreadable", what);
	ASSERT_LE(0, fn_ran) TH_LOG("%s: fn_ran unreadable", what);
	ASSERT_LE(0, eintr) TH_LOG("%s: eintr unreadable", what);
	if (whole) {
		EXPECT_EQ(runs, completed) TH_LOG("%s", what);
	} else {
		EXPECT_GT(runs, completed) TH_LOG("%s", what);
	}
	EXPECT_EQ(completed, eintr + fn_ran)
		TH_LOG("%s: eintr %lld + fn_ran %lld != completed %lld", what,
		       eintr, fn_ran, completed);
	EXPECT_EQ(0, lab_ll(it, "other")) TH_LOG("%s", what);
	if (fn_ran) {
		EXPECT_TRUE(exp_stat(it, "first_run_ns", v)) TH_LOG("%s", what);
	} else {
		LAB_EXPECT_ATTR(it, "first_run_ns", "none");
	}
	if (completed) {
		EXPECT_TRUE(exp_stat(it, "stop_ns", v)) TH_LOG("%s", what);
	} else {
		LAB_EXPECT_ATTR(it, "stop_ns", "none");
	}
	EXPECT_LT(0, lab_ll(it, "elapsed_ns")) TH_LOG("%s", what);
}

/* ---- a run in another thread ---- */

struct exp_run_call {
	const struct lab_item *it;
	volatile int ret;
};

static void *exp_write_run(void *arg)
{
	struct exp_run_call *call = arg;

	call->ret = lab_set(call->it, "run", "1");
	return NULL;
}

static void exp_on_signal(int sig)
{
	(void)sig;
}

/*
 * Starts a run of @it in a new thread and polls until it is under way:
 * writing @param its own value then fails with EBUSY. 0, or -ETIMEDOUT
 * (the thread is joined then).
 */
static int exp_start_run(const struct lab_item *it, const char *param,
			 struct exp_run_call *call, pthread_t *th)
{
	long long deadline = lab_now_ns() + EXP_DEADLINE_MS * 1000000LL;
	struct sigaction sa = { .sa_handler = exp_on_signal }; /* no SA_RESTART */
	char val[64];

	if (sigaction(SIGUSR1, &sa, NULL) ||
	    lab_get(it, param, val, sizeof(val)) < 0)
		return -EINVAL;
	call->it = it;
	call->ret = 1;
	if (pthread_create(th, NULL, exp_write_run, call))
		return -EAGAIN;
	while (lab_set(it, param, val) != -EBUSY) {
		if (lab_now_ns() > deadline || call->ret != 1) {
			pthread_join(*th, NULL);
			return -ETIMEDOUT;
		}
		usleep(LAB_POLL_US);
	}
	return 0;
}

/* A run that takes longer than 25 s: 100000 sleeps of 1 ms. */
static void exp_long_race(struct __test_metadata *_metadata,
			  const struct lab_item *it)
{
	ASSERT_EQ(0, lab_set(it, "runs", "100000"));
	ASSERT_EQ(0, lab_set(it, "delay_ns", "1000000"));
	ASSERT_EQ(0, lab_set(it, "delay_mode", "sleep"));
}

FIXTURE(exp) {
	struct lab_item race, spawn;
};

FIXTURE_SETUP(exp)
{
	LAB_REQUIRE_ROOT();
	ASSERT_EQ(0, exp_create(&self->race, "race", "r"));
	ASSERT_EQ(0, exp_create(&self->spawn, "spawn", "s"));
}

FIXTURE_TEARDOWN(exp)
{
	lab_cleanup();
}

TEST_F(exp, features_and_the_experiments_tree)
{
	char buf[LAB_VAL_MAX], path[PATH_MAX];
	struct stat st;

	ASSERT_LT(0, lab_root_get("features", buf, sizeof(buf)));
	EXPECT_TRUE(lab_has_word(buf, "experiments")) TH_LOG("features '%s'", buf);
	lab_root_path(path, sizeof(path), "experiments");
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	/* no behaviour group: no autostart */
	EXPECT_FALSE(lab_is_behaviour_group("experiments"));
	lab_root_path(path, sizeof(path), "experiments/race");
	ASSERT_EQ(0, stat(path, &st));
	lab_root_path(path, sizeof(path), "experiments/spawn");
	ASSERT_EQ(0, stat(path, &st));
	/* the tree itself cannot be removed, nor grow */
	lab_root_path(path, sizeof(path), "experiments/race");
	EXPECT_EQ(-1, rmdir(path));
	lab_root_path(path, sizeof(path), "experiments/new");
	EXPECT_EQ(-1, mkdir(path, 0755));
}

TEST_F(exp, attributes_have_their_modes_and_defaults)
{
	const struct { const struct lab_item *it; const struct exp_attr *a;
		       size_t n; } kinds[] = {
		{ &self->race, race_attrs, ARRAY_SIZE(race_attrs) },
		{ &self->spawn, spawn_attrs, ARRAY_SIZE(spawn_attrs) },
	};
	char path[PATH_MAX];
	size_t k, i;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		for (i = 0; i < kinds[k].n; i++) {
			const struct exp_attr *a = &kinds[k].a[i];

			lab_attr_path(kinds[k].it, a->name, path, sizeof(path));
			lab_expect_mode(_metadata, path, a->mode);
			if (a->initial)
				LAB_EXPECT_ATTR(kinds[k].it, a->name, a->initial);
		}
	}
}

TEST_F(exp, experiment_items_do_not_count_against_max_threads)
{
	long long items = lab_snapshot_items();
	struct lab_item more;
	char limit[32];

	ASSERT_LE(0, items);
	snprintf(limit, sizeof(limit), "%lld", items);
	ASSERT_EQ(0, lab_set_max_threads(limit));
	EXPECT_EQ(0, exp_create(&more, "race", "free"));
	EXPECT_EQ(0, exp_create(&more, "spawn", "free"));
	/* their snapshot holds threads only */
	EXPECT_EQ(items, lab_snapshot_items());
}

TEST_F(exp, mkdir_refuses_the_names_behaviours_refuse)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/experiments/race/kst%d-a b",
		 lab_root(), (int)lab_harness_pid);
	EXPECT_EQ(-1, mkdir(path, 0755));
	EXPECT_EQ(EINVAL, errno);
	snprintf(path, sizeof(path), "%s/experiments/spawn/kst%d-a\tb",
		 lab_root(), (int)lab_harness_pid);
	EXPECT_EQ(-1, mkdir(path, 0755));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(exp, race_parameters_take_their_ranges)
{
	const struct lab_item *it = &self->race;
	int other;

	LAB_EXPECT_WRITE(it, "runs", "0", -ERANGE);
	LAB_EXPECT_WRITE(it, "runs", "100001", -ERANGE);
	LAB_EXPECT_WRITE(it, "runs", "-1", -ERANGE);
	LAB_EXPECT_WRITE(it, "runs", "x", -EINVAL);
	LAB_EXPECT_WRITE(it, "runs", "10x", -EINVAL);
	LAB_EXPECT_WRITE(it, "runs", "\n", -EINVAL);
	LAB_EXPECT_WRITE(it, "runs", "1", 0);
	LAB_EXPECT_ATTR(it, "runs", "1");
	LAB_EXPECT_WRITE(it, "runs", "100000\n", 0);
	LAB_EXPECT_ATTR(it, "runs", "100000");

	LAB_EXPECT_WRITE(it, "delay_ns", "-1", -ERANGE);
	LAB_EXPECT_WRITE(it, "delay_ns", "1000000001", -ERANGE);
	LAB_EXPECT_WRITE(it, "delay_ns", "1e3", -EINVAL);
	LAB_EXPECT_WRITE(it, "delay_ns", "1000000000", 0);
	LAB_EXPECT_ATTR(it, "delay_ns", "1000000000");
	LAB_EXPECT_WRITE(it, "delay_ns", "0", 0);

	LAB_EXPECT_WRITE(it, "delay_mode", "Spin", -EINVAL);
	LAB_EXPECT_WRITE(it, "delay_mode", "hrtimer", -EINVAL);
	LAB_EXPECT_WRITE(it, "delay_mode", "1", -EINVAL);
	LAB_EXPECT_WRITE(it, "delay_mode", "sleep\n", 0);
	LAB_EXPECT_ATTR(it, "delay_mode", "sleep");
	LAB_EXPECT_WRITE(it, "delay_mode", "spin", 0);
	LAB_EXPECT_ATTR(it, "delay_mode", "spin");

	LAB_EXPECT_WRITE(it, "placement", "all", -EINVAL);
	LAB_EXPECT_WRITE(it, "placement", "Same", -EINVAL);
	LAB_EXPECT_WRITE(it, "placement", "same", 0);
	LAB_EXPECT_ATTR(it, "placement", "same");
	other = exp_online_cpus() < 2 ? -EINVAL : 0;
	LAB_EXPECT_WRITE(it, "placement", "other", other);
	LAB_EXPECT_WRITE(it, "placement", "any\n", 0);
	LAB_EXPECT_ATTR(it, "placement", "any");

	/* run takes exactly 1; a refused run changes nothing */
	EXPECT_EQ(-ERANGE, lab_set(it, "run", "0"));
	EXPECT_EQ(-ERANGE, lab_set(it, "run", "2"));
	EXPECT_EQ(-EINVAL, lab_set(it, "run", "x"));
	EXPECT_EQ(-EINVAL, lab_set(it, "run", "1 "));
	LAB_EXPECT_ATTR(it, "completed", "none");
}

TEST_F(exp, spawn_parameters_take_their_ranges)
{
	const struct lab_item *it = &self->spawn;

	LAB_EXPECT_WRITE(it, "threads", "0", -ERANGE);
	LAB_EXPECT_WRITE(it, "threads", "100001", -ERANGE);
	LAB_EXPECT_WRITE(it, "threads", "many", -EINVAL);
	LAB_EXPECT_WRITE(it, "threads", "1", 0);
	LAB_EXPECT_WRITE(it, "threads", "100000", 0);
	LAB_EXPECT_ATTR(it, "threads", "100000");

	LAB_EXPECT_WRITE(it, "sleep_before_stop_ms", "-1", -ERANGE);
	LAB_EXPECT_WRITE(it, "sleep_before_stop_ms", "10001", -ERANGE);
	LAB_EXPECT_WRITE(it, "sleep_before_stop_ms", "5ms", -EINVAL);
	LAB_EXPECT_WRITE(it, "sleep_before_stop_ms", "10000", 0);
	LAB_EXPECT_ATTR(it, "sleep_before_stop_ms", "10000");
	LAB_EXPECT_WRITE(it, "sleep_before_stop_ms", "0", 0);

	EXPECT_EQ(-ERANGE, lab_set(it, "run", "0"));
	EXPECT_EQ(-EINVAL, lab_set(it, "run", "one"));
	LAB_EXPECT_ATTR(it, "completed", "none");
}

/* The conventions of every writable attribute: NUL bytes, 4095 bytes. */
TEST_F(exp, nul_bytes_and_long_writes_are_einval)
{
	static const char *const attrs[] = { "runs", "delay_ns", "delay_mode",
		"placement", "run" };
	char big[4096];
	size_t i;

	memset(big, '0', sizeof(big));
	big[sizeof(big) - 2] = '1';
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		EXPECT_EQ(-EINVAL, exp_write_raw(&self->race, attrs[i], "1\0", 2))
			TH_LOG("%s", attrs[i]);
		EXPECT_EQ(-EINVAL, exp_write_raw(&self->race, attrs[i],
						 "spin\0junk", 9))
			TH_LOG("%s", attrs[i]);
		EXPECT_EQ(-EINVAL, exp_write_raw(&self->race, attrs[i], big,
						 4095))
			TH_LOG("%s", attrs[i]);
	}
	EXPECT_EQ(-EINVAL, exp_write_raw(&self->spawn, "threads", "5\0", 2));
	EXPECT_EQ(-EINVAL, exp_write_raw(&self->spawn, "sleep_before_stop_ms",
					 big, 4096));
	LAB_EXPECT_ATTR(&self->race, "runs", "1000");
	LAB_EXPECT_ATTR(&self->race, "delay_mode", "spin");
	LAB_EXPECT_ATTR(&self->race, "completed", "none");
	LAB_EXPECT_ATTR(&self->spawn, "threads", "1000");
}

/* Every placement and delay mode: the invariant on every run. */
TEST_F_TIMEOUT(exp, every_run_has_eintr_plus_fn_ran_equal_completed, EXP_TIMEOUT)
{
	static const struct { const char *placement, *mode, *delay; } cases[] = {
		{ "any", "spin", "0" }, { "same", "spin", "0" },
		{ "other", "spin", "0" }, { "any", "spin", "20000" },
		{ "same", "sleep", "20000" }, { "other", "sleep", "0" },
	};
	const struct lab_item *it = &self->race;
	char what[96];
	size_t i;

	ASSERT_EQ(0, lab_set(it, "runs", "50"));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!strcmp(cases[i].placement, "other") && exp_online_cpus() < 2)
			continue;
		snprintf(what, sizeof(what), "%s %s %s ns", cases[i].placement,
			 cases[i].mode, cases[i].delay);
		ASSERT_EQ(0, lab_set(it, "placement", cases[i].placement));
		ASSERT_EQ(0, lab_set(it, "delay_mode", cases[i].mode));
		ASSERT_EQ(0, lab_set(it, "delay_ns", cases[i].delay));
		ASSERT_EQ(0, lab_set(it, "run", "1")) TH_LOG("%s", what);
		exp_check_race(_metadata, it, 50, true, what);
		TH_LOG("%s: fn_ran %lld of 50", what, lab_ll(it, "fn_ran"));
	}
}

/*
 * A stopper that sleeps 20 ms before kthread_stop() gives the new thread
 * its CPU: every function ran, no -EINTR. Both on one CPU, so that the
 * thread runs as soon as the stopper sleeps: the emulated guest's CPUs are
 * host threads that may lose their host CPU for longer than 20 ms, so
 * where the two are apart nothing bounds the thread's start.
 */
TEST_F_TIMEOUT(exp, after_20ms_asleep_every_function_ran, EXP_TIMEOUT)
{
	const struct lab_item *it = &self->race;

	ASSERT_EQ(0, lab_set(it, "placement", "same"));
	ASSERT_EQ(0, lab_set(it, "runs", "20"));
	ASSERT_EQ(0, lab_set(it, "delay_ns", "20000000"));
	ASSERT_EQ(0, lab_set(it, "delay_mode", "sleep"));
	ASSERT_EQ(0, lab_set(it, "run", "1"));
	exp_check_race(_metadata, it, 20, true, "20 ms asleep");
	EXPECT_EQ(20, lab_ll(it, "fn_ran"));
	EXPECT_EQ(0, lab_ll(it, "eintr"));
}

/*
 * Stopped at once from the CPU it is bound to, a new thread has not run:
 * kthread_stop() returns -EINTR (at least once in 200).
 */
TEST_F_TIMEOUT(exp, stop_at_once_on_the_same_cpu_gets_eintr, EXP_TIMEOUT)
{
	const struct lab_item *it = &self->race;
	cpu_set_t before, after;
	char prefix[64];

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(before), &before));
	ASSERT_EQ(0, lab_set(it, "runs", "200"));
	ASSERT_EQ(0, lab_set(it, "placement", "same"));
	ASSERT_EQ(0, lab_set(it, "run", "1"));
	exp_check_race(_metadata, it, 200, true, "same, at once");
	EXPECT_LE(1, lab_ll(it, "eintr"));
	TH_LOG("eintr %lld of 200", lab_ll(it, "eintr"));
	/* the writer was pinned for the run and has its CPUs back */
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(after), &after));
	EXPECT_TRUE(CPU_EQUAL(&before, &after));
	exp_task_prefix(prefix, sizeof(prefix), 'r');
	EXPECT_EQ(0, exp_wait_no_tasks(prefix));
}

/* Results are reset at each run and read "none" while one goes. */
TEST_F_TIMEOUT(exp, a_second_run_and_parameter_writes_are_ebusy_during_a_run, EXP_TIMEOUT)
{
	const struct lab_item *it = &self->race;
	struct exp_run_call call;
	char val[64];
	pthread_t th;
	size_t i;

	ASSERT_EQ(0, lab_set(it, "runs", "5"));
	ASSERT_EQ(0, lab_set(it, "run", "1"));
	EXPECT_EQ(5, lab_ll(it, "completed"));
	exp_long_race(_metadata, it);
	ASSERT_EQ(0, exp_start_run(it, "runs", &call, &th));
	EXPECT_EQ(-EBUSY, lab_set(it, "run", "1"));
	EXPECT_EQ(-EBUSY, lab_set(it, "delay_ns", "5"));
	EXPECT_EQ(-EBUSY, lab_set(it, "delay_mode", "spin"));
	EXPECT_EQ(-EBUSY, lab_set(it, "placement", "same"));
	/* value errors come first */
	EXPECT_EQ(-ERANGE, lab_set(it, "runs", "0"));
	EXPECT_EQ(-EINVAL, lab_set(it, "run", "x"));
	LAB_EXPECT_ATTR(it, "runs", "100000");
	LAB_EXPECT_ATTR(it, "delay_mode", "sleep");
	/* reset once the run has what it needs (it is marked running first) */
	for (i = 0; lab_get(it, "completed", val, sizeof(val)) > 0 &&
	     strcmp(val, "none"); i++) {
		ASSERT_GT(EXP_DEADLINE_MS * 1000 / LAB_POLL_US, (long long)i)
			TH_LOG("completed still '%s' during a run", val);
		usleep(LAB_POLL_US);
	}
	for (i = 0; i < ARRAY_SIZE(race_results); i++)
		LAB_EXPECT_ATTR(it, race_results[i], "none");
	/* another item runs meanwhile */
	ASSERT_EQ(0, lab_set(&self->spawn, "threads", "3"));
	EXPECT_EQ(0, lab_set(&self->spawn, "run", "1"));
	EXPECT_EQ(3, lab_ll(&self->spawn, "completed"));
	ASSERT_EQ(0, pthread_kill(th, SIGUSR1));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EINTR, call.ret);
	/* over: parameters are writable again */
	EXPECT_EQ(0, lab_set(it, "runs", "7"));
}

/* A signal ends a run early; its results cover the runs done. */
TEST_F_TIMEOUT(exp, a_signal_ends_a_run_with_eintr_and_partial_results, EXP_TIMEOUT)
{
	const struct lab_item *it = &self->race;
	struct exp_run_call call;
	char prefix[64];
	pthread_t th;

	exp_long_race(_metadata, it);
	ASSERT_EQ(0, exp_start_run(it, "runs", &call, &th));
	ASSERT_EQ(0, pthread_kill(th, SIGUSR1));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EINTR, call.ret);
	exp_check_race(_metadata, it, 100000, false, "interrupted");
	exp_task_prefix(prefix, sizeof(prefix), 'r');
	EXPECT_EQ(0, exp_wait_no_tasks(prefix));

	/* the same for spawn, whose threads are all stopped */
	ASSERT_EQ(0, lab_set(&self->spawn, "sleep_before_stop_ms", "10000"));
	ASSERT_EQ(0, lab_set(&self->spawn, "threads", "2"));
	ASSERT_EQ(0, exp_start_run(&self->spawn, "threads", &call, &th));
	ASSERT_EQ(0, pthread_kill(th, SIGUSR1));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EINTR, call.ret);
	EXPECT_LE(0, lab_ll(&self->spawn, "completed"));
	EXPECT_GE(2, lab_ll(&self->spawn, "completed"));
	exp_task_prefix(prefix, sizeof(prefix), 's');
	EXPECT_EQ(0, exp_wait_no_tasks(prefix));
}

/* The 25 s bound: a longer run ends with ETIMEDOUT and partial results. */
TEST_F_TIMEOUT(exp, a_run_longer_than_25s_ends_with_etimedout, EXP_TIMEOUT)
{
	const struct lab_item *it = &self->race;
	char prefix[64];

	exp_long_race(_metadata, it);
	EXPECT_EQ(-ETIMEDOUT, lab_set(it, "run", "1"));
	exp_check_race(_metadata, it, 100000, false, "timed out");
	EXPECT_LT(0, lab_ll(it, "completed"));
	exp_task_prefix(prefix, sizeof(prefix), 'r');
	EXPECT_EQ(0, exp_wait_no_tasks(prefix));
}

struct exp_rmdir_call {
	const char *dir;
	volatile pid_t tid;
	volatile int ret;
};

static void *exp_rmdir(void *arg)
{
	struct exp_rmdir_call *call = arg;

	call->tid = gettid();
	call->ret = rmdir(call->dir) ? -errno : 0;
	return NULL;
}

/* The state letter of thread @tid of this process, or 0. */
static char exp_thread_state(pid_t tid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if (lab_read_path(path, buf, sizeof(buf)) < 0)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * rmdir during a run waits for the run's end (configfs lets no item go
 * while a write to it is in progress), then removes it: nothing is left.
 */
TEST_F_TIMEOUT(exp, rmdir_during_a_run_waits_for_it_and_leaves_no_thread, EXP_TIMEOUT)
{
	struct exp_rmdir_call rm = { .dir = self->race.dir, .ret = 1 };
	long long deadline = lab_now_ns() + EXP_DEADLINE_MS * 1000000LL;
	struct exp_run_call call;
	pthread_t th, rth;
	char prefix[64];

	exp_long_race(_metadata, &self->race);
	ASSERT_EQ(0, exp_start_run(&self->race, "runs", &call, &th));
	ASSERT_EQ(0, pthread_create(&rth, NULL, exp_rmdir, &rm));
	/* the rmdir blocks (D) behind the write */
	while (!rm.tid || exp_thread_state(rm.tid) != 'D') {
		if (lab_now_ns() > deadline || rm.ret != 1)
			break;
		usleep(LAB_POLL_US);
	}
	EXPECT_EQ('D', rm.tid ? exp_thread_state(rm.tid) : 0);
	EXPECT_EQ(1, rm.ret) TH_LOG("rmdir returned before the run ended");
	ASSERT_EQ(0, pthread_kill(th, SIGUSR1));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, pthread_join(rth, NULL));
	EXPECT_EQ(-EINTR, call.ret);
	EXPECT_EQ(0, rm.ret);
	EXPECT_FALSE(lab_exists(&self->race));
	lab_untrack(self->race.dir);
	exp_task_prefix(prefix, sizeof(prefix), 'r');
	EXPECT_EQ(0, exp_wait_no_tasks(prefix));
}

/* spawn: every thread made runs and is stopped; the figures parse. */
TEST_F_TIMEOUT(exp, spawn_results_parse_and_no_thread_remains, EXP_TIMEOUT)
{
	const struct lab_item *it = &self->spawn;
	static const char *const sleeps[] = { "0", "100" };
	long long v[4];
	char prefix[64];
	size_t i;

	ASSERT_EQ(0, lab_set(it, "threads", "20"));
	for (i = 0; i < ARRAY_SIZE(sleeps); i++) {
		ASSERT_EQ(0, lab_set(it, "sleep_before_stop_ms", sleeps[i]));
		ASSERT_EQ(0, lab_set(it, "run", "1"));
		EXPECT_EQ(20, lab_ll(it, "completed"));
		EXPECT_TRUE(exp_stat(it, "create_ns", v));
		EXPECT_LT(0, v[0]);
		EXPECT_TRUE(exp_stat(it, "wake_to_run_ns", v));
		EXPECT_TRUE(exp_stat(it, "stop_ns", v));
		EXPECT_LT(0, v[0]);
		EXPECT_LT(0, lab_ll(it, "elapsed_ns"));
		TH_LOG("sleep %s ms: stop_ns %lld %lld %lld %lld", sleeps[i],
		       v[0], v[1], v[2], v[3]);
	}
	exp_task_prefix(prefix, sizeof(prefix), 's');
	EXPECT_EQ(0, exp_wait_no_tasks(prefix));
}

/*
 * The threads of a run count against max_threads while it may have them:
 * a run that does not fit is ENOSPC and changes nothing.
 */
TEST_F_TIMEOUT(exp, runs_beyond_max_threads_are_enospc, EXP_TIMEOUT)
{
	long long items = lab_snapshot_items();
	struct lab_item w;
	char limit[32];

	ASSERT_LE(0, items);
	ASSERT_EQ(0, lab_set(&self->race, "runs", "3"));
	ASSERT_EQ(0, lab_set(&self->spawn, "threads", "3"));
	snprintf(limit, sizeof(limit), "%lld", items);
	ASSERT_EQ(0, lab_set_max_threads(limit));
	EXPECT_EQ(-ENOSPC, lab_set(&self->race, "run", "1"));
	LAB_EXPECT_ATTR(&self->race, "completed", "none");
	snprintf(limit, sizeof(limit), "%lld", items + 2);
	ASSERT_EQ(0, lab_set_max_threads(limit));
	EXPECT_EQ(-ENOSPC, lab_set(&self->spawn, "run", "1"));
	LAB_EXPECT_ATTR(&self->spawn, "completed", "none");
	/* one race thread at a time: it fits */
	EXPECT_EQ(0, lab_set(&self->race, "run", "1"));
	EXPECT_EQ(3, lab_ll(&self->race, "completed"));
	snprintf(limit, sizeof(limit), "%lld", items + 3);
	ASSERT_EQ(0, lab_set_max_threads(limit));
	EXPECT_EQ(0, lab_set(&self->spawn, "run", "1"));
	EXPECT_EQ(3, lab_ll(&self->spawn, "completed"));
	/* and the slots came back: a thread item fits again */
	snprintf(limit, sizeof(limit), "%lld", items + 1);
	ASSERT_EQ(0, lab_set_max_threads(limit));
	ASSERT_EQ(0, lab_set_autostart("wait", "0"));
	EXPECT_EQ(0, lab_create(&w, "wait", "slot"));
}

TEST_HARNESS_MAIN
