// SPDX-License-Identifier: GPL-2.0
/*
 * rmdir of an item completes in every state and takes the thread with it:
 * created, running, parked, exited, stopping (a timed-out stop still
 * pending), stopped, and a busy thread that ignores the stop flag.
 */
#include <pthread.h>

#include "lab.h"

FIXTURE(rmdir) {
	struct lab_item it;
};

FIXTURE_SETUP(rmdir)
{
	LAB_REQUIRE_ROOT();
}

FIXTURE_TEARDOWN(rmdir)
{
	lab_cleanup();
}

static bool snapshot_lists(const struct lab_item *it)
{
	static char snap[1 << 20];
	char key[256];

	if (lab_snapshot(snap, sizeof(snap)) < 0)
		return true;	/* unknown counts as still there */
	return strstr(snap, lab_snapshot_key(it, key, sizeof(key))) != NULL;
}

static void remove_and_check(struct __test_metadata *_metadata,
			     struct lab_item *it, const char *state)
{
	long long pid = lab_ll(it, "pid");

	ASSERT_LT(0, pid);
	LAB_ASSERT_STATE(it, state, LAB_DEADLINE_MS);
	ASSERT_TRUE(snapshot_lists(it));
	ASSERT_EQ(0, lab_remove(it));
	EXPECT_FALSE(lab_exists(it));
	EXPECT_FALSE(snapshot_lists(it));
	EXPECT_EQ(0, lab_wait_pid_gone(pid, LAB_DEADLINE_MS));
}

static void create_started(struct __test_metadata *_metadata,
			   struct lab_item *it, const char *group,
			   const char *label)
{
	ASSERT_EQ(0, lab_set_autostart(group, "1"));
	ASSERT_EQ(0, lab_create(it, group, label));
	ASSERT_EQ(0, lab_wait_ge(it, "ran", 1, LAB_DEADLINE_MS));
}

TEST_F(rmdir, created)
{
	ASSERT_EQ(0, lab_set_autostart("busy", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "busy", "created"));
	remove_and_check(_metadata, &self->it, "created");
}

TEST_F(rmdir, running_busy)
{
	create_started(_metadata, &self->it, "busy", "running");
	remove_and_check(_metadata, &self->it, "running");
}

TEST_F(rmdir, running_wait_sleep)
{
	create_started(_metadata, &self->it, "wait", "sleep");
	remove_and_check(_metadata, &self->it, "running");
}

TEST_F(rmdir, running_wait_spin)
{
	ASSERT_EQ(0, lab_set_autostart("wait", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "wait", "spin"));
	ASSERT_EQ(0, lab_set(&self->it, "wait_mode", "spin"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	remove_and_check(_metadata, &self->it, "running");
}

TEST_F(rmdir, running_periodic_msleep)
{
	ASSERT_EQ(0, lab_set_autostart("periodic", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "periodic", "msleep"));
	ASSERT_EQ(0, lab_set(&self->it, "sleep_mode", "msleep"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "loops", 1, LAB_DEADLINE_MS));
	remove_and_check(_metadata, &self->it, "running");
}

/* rmdir cuts an msleep() short: an hour-long period must not hold it. */
TEST_F(rmdir, periodic_msleep_of_an_hour)
{
	ASSERT_EQ(0, lab_set_autostart("periodic", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "periodic", "hour"));
	ASSERT_EQ(0, lab_set(&self->it, "sleep_mode", "msleep"));
	ASSERT_EQ(0, lab_set(&self->it, "period_us", "3600000000"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	remove_and_check(_metadata, &self->it, "running");
}

/* ... and a wait job of ten minutes. */
TEST_F(rmdir, wait_job_of_ten_minutes)
{
	ASSERT_EQ(0, lab_set_autostart("wait", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "wait", "longjob"));
	ASSERT_EQ(0, lab_set(&self->it, "job_ms", "600000"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	remove_and_check(_metadata, &self->it, "running");
}

TEST_F(rmdir, busy_ignoring_stop)
{
	ASSERT_EQ(0, lab_set_autostart("busy", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "busy", "ignore"));
	ASSERT_EQ(0, lab_set(&self->it, "honor_stop", "0"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "loops", 1, LAB_DEADLINE_MS));
	remove_and_check(_metadata, &self->it, "running");
}

TEST_F(rmdir, parked)
{
	create_started(_metadata, &self->it, "busy", "parked");
	ASSERT_EQ(0, lab_set(&self->it, "park", "1"));
	remove_and_check(_metadata, &self->it, "parked");
}

TEST_F(rmdir, exited)
{
	create_started(_metadata, &self->it, "oneshot", "exited");
	remove_and_check(_metadata, &self->it, "exited");
}

TEST_F(rmdir, stopping_busy)
{
	ASSERT_EQ(0, lab_set_autostart("busy", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "busy", "stopping"));
	ASSERT_EQ(0, lab_set(&self->it, "honor_stop", "0"));
	ASSERT_EQ(0, lab_set(&self->it, "stop_timeout_ms", "200"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "loops", 1, LAB_DEADLINE_MS));
	ASSERT_EQ(-ETIMEDOUT, lab_set(&self->it, "stop", "1"));
	remove_and_check(_metadata, &self->it, "stopping");
}

/* msleep() cannot be cut short: the stop outlives its timeout. */
TEST_F(rmdir, stopping_periodic_msleep)
{
	ASSERT_EQ(0, lab_set_autostart("periodic", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "periodic", "msleepstop"));
	ASSERT_EQ(0, lab_set(&self->it, "sleep_mode", "msleep"));
	ASSERT_EQ(0, lab_set(&self->it, "period_us", "2000000"));
	ASSERT_EQ(0, lab_set(&self->it, "stop_timeout_ms", "1"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "loops", 1, LAB_DEADLINE_MS));
	ASSERT_EQ(-ETIMEDOUT, lab_set(&self->it, "stop", "1"));
	remove_and_check(_metadata, &self->it, "stopping");
}

TEST_F(rmdir, stopped)
{
	create_started(_metadata, &self->it, "wait", "stopped");
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	remove_and_check(_metadata, &self->it, "stopped");
}

/*
 * rmdir while another writer waits in `stop`: configfs lets the write
 * finish first (up to stop_timeout_ms), then rmdir releases the thread.
 */
TEST_F(rmdir, while_a_stop_write_waits)
{
	struct lab_stop_call call = { .it = &self->it, .ret = 1 };
	long long pid;
	pthread_t writer;

	ASSERT_EQ(0, lab_set_autostart("busy", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "busy", "stopwriter"));
	ASSERT_EQ(0, lab_set(&self->it, "honor_stop", "0"));
	ASSERT_EQ(0, lab_set(&self->it, "stop_timeout_ms", "1500"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "loops", 1, LAB_DEADLINE_MS));
	pid = lab_ll(&self->it, "pid");
	ASSERT_EQ(0, pthread_create(&writer, NULL, lab_write_stop, &call));
	if (lab_wait_state(&self->it, "stopping", LAB_DEADLINE_MS)) {
		pthread_join(writer, NULL);
		ASSERT_TRUE(false) TH_LOG("the stop write never took effect");
	}
	EXPECT_EQ(0, lab_remove(&self->it));
	ASSERT_EQ(0, pthread_join(writer, NULL));
	EXPECT_TRUE(call.ret == -ETIMEDOUT || call.ret == 0)
		TH_LOG("stop write returned %d", call.ret);
	EXPECT_FALSE(lab_exists(&self->it));
	EXPECT_EQ(0, lab_wait_pid_gone(pid, LAB_DEADLINE_MS));
}

TEST_F(rmdir, many_items_leave_nothing)
{
	struct lab_item items[12];
	long long before = lab_snapshot_items();
	size_t i;

	ASSERT_LE(0, before);
	for (i = 0; i < ARRAY_SIZE(items); i++)
		ASSERT_EQ(0, lab_create(&items[i], lab_groups[i % LAB_NGROUPS],
					"many"));
	EXPECT_EQ(before + (long long)ARRAY_SIZE(items), lab_snapshot_items());
	for (i = 0; i < ARRAY_SIZE(items); i++)
		ASSERT_EQ(0, lab_remove(&items[i]));
	EXPECT_EQ(before, lab_snapshot_items());
}

TEST_HARNESS_MAIN
