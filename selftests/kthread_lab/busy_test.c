// SPDX-License-Identifier: GPL-2.0
/*
 * The busy behaviour: a spinning thread, with or without the stop check.
 * Covers a loop that never checks the stop flag (its stop times
 * out with ETIMEDOUT, the thread keeps spinning, release completes the stop),
 * release, honor_stop/resched values, and parking a spinning thread.
 *
 * resched=0 is set on a running thread only briefly and on a CPU of its
 * own: on a non-preemptible guest a spinning thread without cond_resched()
 * would starve this test and, given ~20 s, trip the soft-lockup detector.
 */
#include <pthread.h>
#include <signal.h>

#include "lab.h"

/* The stop timeout the ETIMEDOUT cases use: short, but many ticks long. */
#define SHORT_STOP_TIMEOUT_MS 300

FIXTURE(busy) {
	struct lab_item it;
};

FIXTURE_SETUP(busy)
{
	LAB_REQUIRE_ROOT();
	ASSERT_EQ(0, lab_set_autostart("busy", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "busy", "busy"));
}

FIXTURE_TEARDOWN(busy)
{
	lab_cleanup();
}

static void start_and_spin(struct __test_metadata *_metadata,
			   const struct lab_item *it)
{
	ASSERT_EQ(0, lab_set(it, "start", "1"));
	LAB_ASSERT_STATE(it, "running", LAB_DEADLINE_MS);
	ASSERT_EQ(0, lab_wait_ge(it, "loops", 1, LAB_DEADLINE_MS));
}

TEST_F(busy, loops_grow_while_running)
{
	long long first;

	start_and_spin(_metadata, &self->it);
	LAB_EXPECT_ATTR(&self->it, "ran", "1");
	first = lab_ll(&self->it, "loops");
	EXPECT_EQ(0, lab_wait_ge(&self->it, "loops", first + 1,
				 LAB_DEADLINE_MS));
}

TEST_F(busy, honored_stop_returns_retval)
{
	ASSERT_EQ(0, lab_set(&self->it, "retval", "9"));
	start_and_spin(_metadata, &self->it);
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "9");
	EXPECT_LE(0, lab_ll(&self->it, "stop_latency_ns"));
}

/* A loop that never checks the stop flag, made safe by release. */
TEST_F_TIMEOUT(busy, ignored_stop_times_out_until_released, 90)
{
	char timeout[16];
	long long loops, pid;

	snprintf(timeout, sizeof(timeout), "%d", SHORT_STOP_TIMEOUT_MS);
	ASSERT_EQ(0, lab_set(&self->it, "honor_stop", "0"));
	ASSERT_EQ(0, lab_set(&self->it, "stop_timeout_ms", timeout));
	ASSERT_EQ(0, lab_set(&self->it, "retval", "5"));
	start_and_spin(_metadata, &self->it);
	pid = lab_ll(&self->it, "pid");

	EXPECT_EQ(-ETIMEDOUT, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopping");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "none");
	LAB_EXPECT_ATTR(&self->it, "stop_latency_ns", "none");
	LAB_EXPECT_WRITE(&self->it, "start", "1", -EALREADY);
	LAB_EXPECT_WRITE(&self->it, "cpu", "0", -EBUSY);

	/* kthread_stop cannot stop it: the loop keeps spinning */
	loops = lab_ll(&self->it, "loops");
	EXPECT_EQ(0, lab_wait_ge(&self->it, "loops", loops + 1,
				 LAB_DEADLINE_MS));
	EXPECT_TRUE(lab_pid_alive(pid));

	/* a later write waits again, and times out again */
	EXPECT_EQ(-ETIMEDOUT, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopping");
	loops = lab_ll(&self->it, "loops");
	EXPECT_EQ(0, lab_wait_ge(&self->it, "loops", loops + 1,
				 LAB_DEADLINE_MS));

	/* release is the only way out; the pending kthread_stop completes */
	ASSERT_EQ(0, lab_set(&self->it, "release", "1"));
	LAB_ASSERT_STATE(&self->it, "stopped", LAB_DEADLINE_MS);
	LAB_EXPECT_ATTR(&self->it, "stop_result", "5");
	/* measured from the first request, which itself waited the timeout */
	EXPECT_LE(SHORT_STOP_TIMEOUT_MS * 1000000LL,
		  lab_ll(&self->it, "stop_latency_ns"));
	EXPECT_EQ(0, lab_wait_pid_gone(pid, LAB_DEADLINE_MS));
	LAB_EXPECT_WRITE(&self->it, "stop", "1", -EALREADY);
	LAB_EXPECT_ATTR(&self->it, "stop_result", "5");
}

/* honor_stop is live: turning it back on lets the pending stop complete */
TEST_F(busy, honor_stop_back_on_completes_stop)
{
	char timeout[16];

	snprintf(timeout, sizeof(timeout), "%d", SHORT_STOP_TIMEOUT_MS);
	ASSERT_EQ(0, lab_set(&self->it, "honor_stop", "0"));
	ASSERT_EQ(0, lab_set(&self->it, "stop_timeout_ms", timeout));
	ASSERT_EQ(0, lab_set(&self->it, "retval", "21"));
	start_and_spin(_metadata, &self->it);
	EXPECT_EQ(-ETIMEDOUT, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopping");
	ASSERT_EQ(0, lab_set(&self->it, "honor_stop", "1"));
	LAB_ASSERT_STATE(&self->it, "stopped", LAB_DEADLINE_MS);
	LAB_EXPECT_ATTR(&self->it, "stop_result", "21");
}

static void on_signal(int sig)
{
	(void)sig;
}

/* A signal ends a waiting stop write with EINTR; the stop stays pending. */
TEST_F_TIMEOUT(busy, signal_interrupts_stop_write, 60)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	struct lab_stop_call call = { .it = &self->it, .ret = 1 };
	pthread_t writer;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, lab_set(&self->it, "honor_stop", "0"));
	ASSERT_EQ(0, lab_set(&self->it, "stop_timeout_ms", "30000"));
	ASSERT_EQ(0, lab_set(&self->it, "retval", "8"));
	start_and_spin(_metadata, &self->it);
	ASSERT_EQ(0, pthread_create(&writer, NULL, lab_write_stop, &call));
	if (lab_wait_state(&self->it, "stopping", LAB_DEADLINE_MS)) {
		lab_set(&self->it, "release", "1");
		pthread_join(writer, NULL);
		ASSERT_TRUE(false) TH_LOG("the stop write never took effect");
	}
	/* the writer is inside the store once the state says stopping */
	ASSERT_EQ(0, pthread_kill(writer, SIGUSR1));
	ASSERT_EQ(0, pthread_join(writer, NULL));
	EXPECT_EQ(-EINTR, call.ret);
	LAB_EXPECT_ATTR(&self->it, "state", "stopping");
	ASSERT_EQ(0, lab_set(&self->it, "release", "1"));
	LAB_ASSERT_STATE(&self->it, "stopped", LAB_DEADLINE_MS);
	LAB_EXPECT_ATTR(&self->it, "stop_result", "8");
}

/* A parked thread acts on release when unparked. */
TEST_F(busy, release_while_parked_exits_on_unpark)
{
	ASSERT_EQ(0, lab_set(&self->it, "retval", "13"));
	start_and_spin(_metadata, &self->it);
	ASSERT_EQ(0, lab_set(&self->it, "park", "1"));
	ASSERT_EQ(0, lab_set(&self->it, "release", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "parked");
	ASSERT_EQ(0, lab_set(&self->it, "park", "0"));
	LAB_ASSERT_STATE(&self->it, "exited", LAB_DEADLINE_MS);
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "stop_result", "13");
}

TEST_F(busy, release_returns_by_itself)
{
	ASSERT_EQ(0, lab_set(&self->it, "retval", "3"));
	start_and_spin(_metadata, &self->it);
	ASSERT_EQ(0, lab_set(&self->it, "release", "1"));
	LAB_ASSERT_STATE(&self->it, "exited", LAB_DEADLINE_MS);
	LAB_EXPECT_ATTR(&self->it, "stop_result", "none");
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "3");
}

TEST_F(busy, release_ends_a_loop_that_ignores_stop)
{
	ASSERT_EQ(0, lab_set(&self->it, "honor_stop", "0"));
	ASSERT_EQ(0, lab_set(&self->it, "retval", "-12"));
	start_and_spin(_metadata, &self->it);
	ASSERT_EQ(0, lab_set(&self->it, "release", "1"));
	LAB_ASSERT_STATE(&self->it, "exited", LAB_DEADLINE_MS);
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "stop_result", "-12");
}

TEST_F(busy, own_attributes_read_back_what_was_written)
{
	static const char *const attrs[] = { "honor_stop", "resched" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		LAB_EXPECT_WRITE(&self->it, attrs[i], "0", 0);
		LAB_EXPECT_ATTR(&self->it, attrs[i], "0");
		LAB_EXPECT_WRITE(&self->it, attrs[i], "1\n", 0);
		LAB_EXPECT_ATTR(&self->it, attrs[i], "1");
	}
}

/*
 * resched is live: off and on again while spinning. Without cond_resched()
 * the thread owns its CPU on a non-preemptible kernel, so it is bound away
 * from the test's and gets resched back long before a lockup detector
 * would notice.
 */
TEST_F(busy, resched_off_and_on_while_spinning)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	char cpu[24];
	long long loops;

	if (online < 2)
		SKIP(return, "needs 2 CPUs: a spinning thread without cond_resched() would starve this test");
	snprintf(cpu, sizeof(cpu), "%ld", online - 1);
	ASSERT_EQ(0, lab_set(&self->it, "cpu", cpu));
	ASSERT_EQ(0, lab_pin_to_cpu0());
	start_and_spin(_metadata, &self->it);
	ASSERT_EQ(0, lab_set(&self->it, "resched", "0"));
	LAB_EXPECT_ATTR(&self->it, "resched", "0");
	loops = lab_ll(&self->it, "loops");
	EXPECT_EQ(0, lab_wait_ge(&self->it, "loops", loops + 1000,
				 LAB_DEADLINE_MS));
	ASSERT_EQ(0, lab_set(&self->it, "resched", "1"));
	LAB_EXPECT_ATTR(&self->it, "resched", "1");
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
}

TEST_F(busy, bad_writes_change_nothing)
{
	static const char *const attrs[] = { "honor_stop", "resched" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		LAB_EXPECT_WRITE(&self->it, attrs[i], "x", -EINVAL);
		LAB_EXPECT_WRITE(&self->it, attrs[i], "1x", -EINVAL);
		LAB_EXPECT_WRITE(&self->it, attrs[i], "\n", -EINVAL);
		LAB_EXPECT_WRITE(&self->it, attrs[i], "2", -ERANGE);
		LAB_EXPECT_WRITE(&self->it, attrs[i], "-1", -ERANGE);
		LAB_EXPECT_ATTR(&self->it, attrs[i], "1");
	}
	LAB_EXPECT_WRITE(&self->it, "release", "x", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "release", "1x", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "release", "0", -ERANGE);
	LAB_EXPECT_WRITE(&self->it, "release", "2", -ERANGE);
	LAB_EXPECT_ATTR(&self->it, "state", "created");
}

/*
 * kthread_stop() unparks a parked thread; one that ignores the stop then
 * spins again while the stop stays pending. It is stopping, not parked:
 * park reads 0 and every park write is EBUSY (the ABI's rule while
 * stopping), in the attribute and in the snapshot.
 */
TEST_F(busy, stop_unparks_a_thread_ignoring_it)
{
	char timeout[16], key[256], line[LAB_VAL_MAX], *snap, *p;
	long long loops;

	snprintf(timeout, sizeof(timeout), "%d", SHORT_STOP_TIMEOUT_MS);
	ASSERT_EQ(0, lab_set(&self->it, "honor_stop", "0"));
	ASSERT_EQ(0, lab_set(&self->it, "stop_timeout_ms", timeout));
	ASSERT_EQ(0, lab_set(&self->it, "retval", "6"));
	start_and_spin(_metadata, &self->it);
	ASSERT_EQ(0, lab_set(&self->it, "park", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "parked");
	LAB_EXPECT_ATTR(&self->it, "park", "1");

	EXPECT_EQ(-ETIMEDOUT, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopping");
	/* unparked by the stop, it spins again */
	loops = lab_ll(&self->it, "loops");
	EXPECT_EQ(0, lab_wait_ge(&self->it, "loops", loops + 1,
				 LAB_DEADLINE_MS));
	LAB_EXPECT_ATTR(&self->it, "park", "0");
	LAB_EXPECT_WRITE(&self->it, "park", "1", -EBUSY);
	LAB_EXPECT_WRITE(&self->it, "park", "0", -EBUSY);
	LAB_EXPECT_ATTR(&self->it, "state", "stopping");

	snap = malloc(1 << 20);
	ASSERT_NE(NULL, snap);
	ASSERT_LT(0, lab_snapshot(snap, 1 << 20));
	p = strstr(snap, lab_snapshot_key(&self->it, key, sizeof(key)));
	EXPECT_NE(NULL, p);
	if (p) {
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p + 1, "\n"),
			 p + 1);
		EXPECT_NE(NULL, strstr(line, " state=stopping ")) TH_LOG("%s", line);
		EXPECT_NE(NULL, strstr(line, " parked=0")) TH_LOG("%s", line);
	}
	free(snap);

	ASSERT_EQ(0, lab_set(&self->it, "release", "1"));
	LAB_ASSERT_STATE(&self->it, "stopped", LAB_DEADLINE_MS);
	LAB_EXPECT_ATTR(&self->it, "stop_result", "6");
	LAB_EXPECT_ATTR(&self->it, "park", "0");
}

struct nice_writer {
	const struct lab_item *it;
	volatile bool *stop;
	int ok, busy, other, ok_after_busy;
	char last_ok[8];
};

/* Writes nice values in a loop; counts successes and EBUSY in order. */
static void *write_nice(void *arg)
{
	struct nice_writer *w = arg;
	char val[8];
	int i, ret;

	/* until well after the release: ten refusals in a row at least */
	for (i = 0; !*w->stop || w->busy < 10; i++) {
		snprintf(val, sizeof(val), "%d", i % 20);
		ret = lab_set(w->it, "nice", val);
		if (ret == 0) {
			w->ok++;
			if (w->busy)
				w->ok_after_busy++;
			snprintf(w->last_ok, sizeof(w->last_ok), "%s", val);
		} else if (ret == -EBUSY) {
			w->busy++;
		} else {
			w->other++;
		}
		if (w->other > 10)
			break;
	}
	return NULL;
}

/*
 * nice is EBUSY once the thread function returned by itself, and never
 * succeeds after that: the thread marks its return under the item lock,
 * the store checks it under the same lock, so a nice that succeeded was
 * applied to a thread still inside its function.
 */
TEST_F(busy, nice_is_ebusy_once_the_thread_exits_by_itself)
{
	volatile bool stop = false;
	struct nice_writer w = { .it = &self->it, .stop = &stop };
	pthread_t th;

	start_and_spin(_metadata, &self->it);
	ASSERT_EQ(0, pthread_create(&th, NULL, write_nice, &w));
	lab_sleep_ms(50);
	ASSERT_EQ(0, lab_set(&self->it, "release", "1"));
	stop = true;
	ASSERT_EQ(0, pthread_join(th, NULL));
	TH_LOG("nice writes: %d ok, %d EBUSY, %d other", w.ok, w.busy, w.other);
	LAB_EXPECT_ATTR(&self->it, "state", "exited");
	EXPECT_EQ(0, w.other);
	EXPECT_EQ(0, w.ok_after_busy);
	EXPECT_LT(0, w.busy);
	LAB_EXPECT_WRITE(&self->it, "nice", "5", -EBUSY);
	if (w.ok)
		LAB_EXPECT_ATTR(&self->it, "nice", w.last_ok);
}

TEST_F(busy, parked_thread_stops_spinning)
{
	long long before, after;

	start_and_spin(_metadata, &self->it);
	ASSERT_EQ(0, lab_set(&self->it, "park", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "parked");
	before = lab_ll(&self->it, "loops");
	lab_sleep_ms(200);	/* a spinning thread would add thousands */
	after = lab_ll(&self->it, "loops");
	EXPECT_EQ(before, after);
	ASSERT_EQ(0, lab_set(&self->it, "park", "0"));
	LAB_ASSERT_STATE(&self->it, "running", LAB_DEADLINE_MS);
	EXPECT_EQ(0, lab_wait_ge(&self->it, "loops", after + 1,
				 LAB_DEADLINE_MS));
}

TEST_HARNESS_MAIN
