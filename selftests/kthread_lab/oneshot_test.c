// SPDX-License-Identifier: GPL-2.0
/*
 * The oneshot behaviour: the function returns retval at once and the item
 * reads exited; a stop long after the task is gone is still safe (the
 * driver holds a task reference) and reports retval.
 */
#include "lab.h"

FIXTURE(oneshot) {
	struct lab_item it;
};

FIXTURE_SETUP(oneshot)
{
	LAB_REQUIRE_ROOT();
	ASSERT_EQ(0, lab_set_autostart("oneshot", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "oneshot", "once"));
}

FIXTURE_TEARDOWN(oneshot)
{
	lab_cleanup();
}

TEST_F(oneshot, exits_by_itself)
{
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	LAB_ASSERT_STATE(&self->it, "exited", LAB_DEADLINE_MS);
	LAB_EXPECT_ATTR(&self->it, "ran", "1");
	LAB_EXPECT_ATTR(&self->it, "loops", "0");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "none");
	LAB_EXPECT_ATTR(&self->it, "stop_latency_ns", "none");
	LAB_EXPECT_WRITE(&self->it, "start", "1", -EALREADY);
	LAB_EXPECT_WRITE(&self->it, "cpu", "0", -EBUSY);
	LAB_EXPECT_WRITE(&self->it, "nice", "3", -EBUSY);
	LAB_EXPECT_ATTR(&self->it, "state", "exited");
}

TEST_F(oneshot, late_stop_reports_retval)
{
	long long pid = lab_ll(&self->it, "pid");

	ASSERT_EQ(0, lab_set(&self->it, "retval", "42"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	LAB_ASSERT_STATE(&self->it, "exited", LAB_DEADLINE_MS);
	/* the task is reaped; only the driver's reference keeps it valid */
	ASSERT_EQ(0, lab_wait_pid_gone(pid, LAB_DEADLINE_MS));
	LAB_EXPECT_ATTR(&self->it, "state", "exited");
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "42");
	EXPECT_LE(0, lab_ll(&self->it, "stop_latency_ns"));
	EXPECT_EQ(pid, lab_ll(&self->it, "pid"));
	LAB_EXPECT_WRITE(&self->it, "stop", "1", -EALREADY);
	LAB_EXPECT_WRITE(&self->it, "retval", "1", -EBUSY);
	LAB_EXPECT_ATTR(&self->it, "stop_result", "42");
}

TEST_F(oneshot, autostart_exits_at_mkdir)
{
	struct lab_item it;

	ASSERT_EQ(0, lab_set_autostart("oneshot", "1"));
	ASSERT_EQ(0, lab_create(&it, "oneshot", "auto"));
	LAB_ASSERT_STATE(&it, "exited", LAB_DEADLINE_MS);
	LAB_EXPECT_ATTR(&it, "ran", "1");
	ASSERT_EQ(0, lab_set(&it, "stop", "1"));
	LAB_EXPECT_ATTR(&it, "stop_result", "0");
	EXPECT_EQ(0, lab_remove(&it));
}

TEST_F(oneshot, cannot_park)
{
	LAB_EXPECT_WRITE(&self->it, "park", "1", -EOPNOTSUPP);
	LAB_EXPECT_ATTR(&self->it, "state", "created");
	LAB_EXPECT_ATTR(&self->it, "park", "0");
}

TEST_HARNESS_MAIN
