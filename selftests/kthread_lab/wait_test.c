// SPDX-License-Identifier: GPL-2.0
/*
 * The wait behaviour: do a job, wait to be stopped, hand retval to the
 * stopper. Covers job_ms, wait_mode sleep versus a spinning schedule()
 * loop, and that a waiting thread cannot be parked.
 */
#include "lab.h"

FIXTURE(wait) {
	struct lab_item it;
};

FIXTURE_SETUP(wait)
{
	LAB_REQUIRE_ROOT();
	ASSERT_EQ(0, lab_set_autostart("wait", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "wait", "wait"));
}

FIXTURE_TEARDOWN(wait)
{
	lab_cleanup();
}

/* A thread passes its result out through kthread_stop(). */
TEST_F(wait, result_passed_to_stopper)
{
	static const char *const results[] = { "42", "-110", "0" };
	struct lab_item it;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(results); i++) {
		ASSERT_EQ(0, lab_create(&it, "wait", "result"));
		ASSERT_EQ(0, lab_set(&it, "retval", results[i]));
		ASSERT_EQ(0, lab_set(&it, "start", "1"));
		LAB_ASSERT_STATE(&it, "running", LAB_DEADLINE_MS);
		ASSERT_EQ(0, lab_wait_ge(&it, "ran", 1, LAB_DEADLINE_MS));
		ASSERT_EQ(0, lab_set(&it, "stop", "1"));
		LAB_EXPECT_ATTR(&it, "state", "stopped");
		LAB_EXPECT_ATTR(&it, "stop_result", results[i]);
		EXPECT_EQ(0, lab_remove(&it));
	}
}

/* retval is read when the thread returns, so a late write still counts. */
TEST_F(wait, retval_written_while_waiting)
{
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	LAB_EXPECT_ATTR(&self->it, "state", "running");
	ASSERT_EQ(0, lab_set(&self->it, "retval", "17"));
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "stop_result", "17");
}

TEST_F(wait, job_then_stop)
{
	LAB_EXPECT_WRITE(&self->it, "job_ms", "150", 0);
	LAB_EXPECT_ATTR(&self->it, "job_ms", "150");
	ASSERT_EQ(0, lab_set(&self->it, "retval", "6"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	/* stopping mid-job or after it: either way the stopper gets retval */
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "6");
	LAB_EXPECT_ATTR(&self->it, "ran", "1");
}

TEST_F(wait, wait_mode_takes_sleep_or_spin)
{
	LAB_EXPECT_ATTR(&self->it, "wait_mode", "sleep");
	LAB_EXPECT_WRITE(&self->it, "wait_mode", "spin", 0);
	LAB_EXPECT_ATTR(&self->it, "wait_mode", "spin");
	LAB_EXPECT_WRITE(&self->it, "wait_mode", "sleep\n", 0);
	LAB_EXPECT_ATTR(&self->it, "wait_mode", "sleep");
	LAB_EXPECT_WRITE(&self->it, "wait_mode", "bogus", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "wait_mode", "spinx", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "wait_mode", "\n", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "wait_mode", "1", -EINVAL);
	LAB_EXPECT_ATTR(&self->it, "wait_mode", "sleep");
}

TEST_F(wait, job_ms_takes_its_documented_range)
{
	LAB_EXPECT_WRITE(&self->it, "job_ms", "x", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "job_ms", "10x", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "job_ms", "\n", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "job_ms", "-1", -ERANGE);
	LAB_EXPECT_WRITE(&self->it, "job_ms", "600001", -ERANGE);
	LAB_EXPECT_ATTR(&self->it, "job_ms", "0");
	LAB_EXPECT_WRITE(&self->it, "job_ms", "600000", 0);
	LAB_EXPECT_ATTR(&self->it, "job_ms", "600000");
	LAB_EXPECT_WRITE(&self->it, "job_ms", "0\n", 0);
	LAB_EXPECT_ATTR(&self->it, "job_ms", "0");
}

/*
 * The job ignores kthread_stop()'s wake-up, like real work: a stop during
 * it waits for the rest. Compared with threads that have no job (the
 * fastest of three, as a stalled emulator can delay any one stop).
 */
TEST_F(wait, stop_during_job_waits_for_it)
{
	long long with_job, without_job = LLONG_MAX, latency;
	struct lab_item idle[3];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(idle); i++) {
		ASSERT_EQ(0, lab_create(&idle[i], "wait", "nojob"));
		ASSERT_EQ(0, lab_set(&idle[i], "start", "1"));
	}
	ASSERT_EQ(0, lab_set(&self->it, "job_ms", "600"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	/* read when the thread started: this does not shorten the job */
	ASSERT_EQ(0, lab_set(&self->it, "job_ms", "0"));
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	with_job = lab_ll(&self->it, "stop_latency_ns");
	for (i = 0; i < ARRAY_SIZE(idle); i++) {
		ASSERT_EQ(0, lab_wait_ge(&idle[i], "ran", 1, LAB_DEADLINE_MS));
		ASSERT_EQ(0, lab_set(&idle[i], "stop", "1"));
		latency = lab_ll(&idle[i], "stop_latency_ns");
		if (latency < without_job)
			without_job = latency;
	}
	TH_LOG("stop_latency_ns: job %lld, no job %lld", with_job, without_job);
	/* most of the 600 ms job was left when the stop came */
	EXPECT_LE(300 * 1000000LL, with_job);
	EXPECT_LT(2 * without_job, with_job);
	LAB_EXPECT_ATTR(&self->it, "stop_result", "0");
}

/*
 * spin stays runnable and counts every schedule(); sleep is woken only by
 * the stop. Compare the two side by side over the same window.
 */
TEST_F_TIMEOUT(wait, spin_loops_outgrow_sleep, 60)
{
	struct lab_item spin;
	long long sleep_loops, spin_loops;

	ASSERT_EQ(0, lab_create(&spin, "wait", "spin"));
	ASSERT_EQ(0, lab_set(&spin, "wait_mode", "spin"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_set(&spin, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	sleep_loops = lab_ll(&self->it, "loops");

	ASSERT_EQ(0, lab_wait_ge(&spin, "loops", 1000, 30000));
	spin_loops = lab_ll(&spin, "loops");
	/* a stray wake-up or two is allowed; a loop is not */
	EXPECT_GE(sleep_loops + 2, lab_ll(&self->it, "loops"));
	EXPECT_LT((sleep_loops + 2) * 100, spin_loops);
	LAB_EXPECT_ATTR(&spin, "state", "running");

	/* wait_mode is live: the spinning thread goes to sleep */
	ASSERT_EQ(0, lab_set(&spin, "wait_mode", "sleep"));
	lab_sleep_ms(100);	/* lets the last schedule() return */
	spin_loops = lab_ll(&spin, "loops");
	lab_sleep_ms(300);
	EXPECT_GE(spin_loops + 2, lab_ll(&spin, "loops"));

	ASSERT_EQ(0, lab_set(&spin, "retval", "11"));
	ASSERT_EQ(0, lab_set(&spin, "stop", "1"));
	LAB_EXPECT_ATTR(&spin, "stop_result", "11");
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "stop_result", "0");
}

TEST_F(wait, cannot_park)
{
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	LAB_EXPECT_WRITE(&self->it, "park", "1", -EOPNOTSUPP);
	LAB_EXPECT_ATTR(&self->it, "state", "running");
	LAB_EXPECT_ATTR(&self->it, "park", "0");
}

/*
 * A stop write's work first runs on the writer's CPU. When it cannot begin
 * there (here: that CPU's queue is full, 16 stops that never complete;
 * in the wild: a busy thread that never reschedules holds the CPU), it is
 * handed off to an unbound queue after 10 ms and completes: the write
 * returns 0, not -ETIMEDOUT after its 5 s.
 */
#define LOCAL_QUEUE_MAX_ACTIVE 16

TEST_F_TIMEOUT(wait, stop_begins_when_hung_stops_fill_the_writers_cpu, 600)
{
	size_t i, made, n = LOCAL_QUEUE_MAX_ACTIVE + 1;
	struct lab_item *hung = calloc(n, sizeof(*hung));

	ASSERT_NE(NULL, hung);
	ASSERT_EQ(0, lab_pin_to_cpu0());
	EXPECT_EQ(n, lab_hang_stops(hung, n, "hung", &made));

	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	EXPECT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	TH_LOG("stop behind %zu hung stops on this CPU: %lld us", n,
	       lab_ll(&self->it, "stop_latency_ns") / 1000);
	/* removing them releases the jobs: their stops complete */
	for (i = 0; i < made; i++)
		EXPECT_EQ(0, lab_remove(&hung[i]));
	free(hung);
}

TEST_HARNESS_MAIN
