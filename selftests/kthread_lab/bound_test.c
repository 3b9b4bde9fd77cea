// SPDX-License-Identifier: GPL-2.0
/*
 * No configfs callback blocks longer than 30 s (a quarter of the kernel's
 * default hung-task timeout): stop_timeout_ms is capped at 30000, and an
 * rmdir queued behind a waiting `stop` write holds the item's files (every
 * open waits behind the rmdir) for at most that write's timeout.
 */
#include <pthread.h>

#include "lab.h"

/* A stop timeout long enough to tell waits apart in a slow guest. */
#define WAIT_TIMEOUT_MS 3000LL

FIXTURE(bound) {
	struct lab_item it;
};

FIXTURE_SETUP(bound)
{
	LAB_REQUIRE_ROOT();
	ASSERT_EQ(0, lab_set_autostart("busy", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "busy", "bound"));
}

FIXTURE_TEARDOWN(bound)
{
	lab_set(&self->it, "release", "1");
	lab_cleanup();
}

TEST_F(bound, stop_timeout_ms_is_at_most_30_s)
{
	char who[160];
	int fd;

	LAB_EXPECT_ATTR(&self->it, "stop_timeout_ms", "5000");
	LAB_EXPECT_WRITE(&self->it, "stop_timeout_ms", "30000", 0);
	LAB_EXPECT_ATTR(&self->it, "stop_timeout_ms", "30000");

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	lseek(fd, 0, SEEK_END);
	LAB_EXPECT_WRITE(&self->it, "stop_timeout_ms", "30001", -ERANGE);
	LAB_EXPECT_WRITE(&self->it, "stop_timeout_ms", "600000", -ERANGE);
	LAB_EXPECT_WRITE(&self->it, "stop_timeout_ms", "0", -ERANGE);
	LAB_EXPECT_ATTR(&self->it, "stop_timeout_ms", "30000");
	/* the log line says why: the 30 s bound on a configfs callback */
	snprintf(who, sizeof(who), "busy/%s: stop_timeout_ms", self->it.name);
	EXPECT_TRUE(lab_kmsg_has(fd, who, "30 s"))
		TH_LOG("no kernel log line explains the bound");
	close(fd);
}

struct timed {
	const struct lab_item *it;
	int ret;
	long long start_ns, end_ns;
};

static void *timed_stop(void *arg)
{
	struct timed *t = arg;

	t->start_ns = lab_now_ns();
	t->ret = lab_set(t->it, "stop", "1");
	t->end_ns = lab_now_ns();
	return NULL;
}

static void *timed_rmdir(void *arg)
{
	struct timed *t = arg;

	t->start_ns = lab_now_ns();
	t->ret = rmdir(t->it->dir) ? -errno : 0;
	t->end_ns = lab_now_ns();
	return NULL;
}

struct reader {
	const struct lab_item *it;
	volatile bool *done;
	long long longest_ns;
	int reads, gone;
};

/* Opens and reads `state` until the item is gone, timing each read. */
static void *timed_reads(void *arg)
{
	struct reader *r = arg;
	char path[PATH_MAX], buf[64];
	long long t0, t;
	int ret;

	lab_attr_path(r->it, "state", path, sizeof(path));
	while (!*r->done) {
		t0 = lab_now_ns();
		ret = lab_read_path(path, buf, sizeof(buf));
		t = lab_now_ns() - t0;
		if (t > r->longest_ns)
			r->longest_ns = t;
		if (ret == -ENOENT) {
			r->gone = 1;
			break;
		}
		r->reads++;
		usleep(LAB_POLL_US);
	}
	return NULL;
}

/*
 * The observed hang, bounded: a stop write on a thread that ignores stops
 * waits in the store (configfs holds the item's fragment semaphore for
 * read), an rmdir queues behind it for write, and every later open of the
 * item's files queues behind the rmdir. All of it ends with the write's
 * timeout: the write fails with ETIMEDOUT, the rmdir then completes, and
 * no read of `state` waited longer than that timeout.
 */
TEST_F_TIMEOUT(bound, rmdir_behind_a_stop_write_waits_at_most_its_timeout, 120)
{
	struct timed stop = { .it = &self->it }, rm = { .it = &self->it };
	struct reader rd = { .it = &self->it };
	const long long timeout_ns = WAIT_TIMEOUT_MS * 1000000LL;
	volatile bool done = false;
	pthread_t ts, tr, tq;
	char val[32];
	long long pid;

	rd.done = &done;
	snprintf(val, sizeof(val), "%lld", WAIT_TIMEOUT_MS);
	ASSERT_EQ(0, lab_set(&self->it, "honor_stop", "0"));
	ASSERT_EQ(0, lab_set(&self->it, "stop_timeout_ms", val));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "loops", 1, LAB_DEADLINE_MS));
	pid = lab_ll(&self->it, "pid");

	ASSERT_EQ(0, pthread_create(&ts, NULL, timed_stop, &stop));
	if (lab_wait_state(&self->it, "stopping", LAB_DEADLINE_MS)) {
		lab_set(&self->it, "release", "1");
		pthread_join(ts, NULL);
		ASSERT_TRUE(false) TH_LOG("the stop write never took effect");
	}
	/* the write now waits in the store: queue an rmdir, then readers */
	ASSERT_EQ(0, pthread_create(&tr, NULL, timed_rmdir, &rm));
	ASSERT_EQ(0, pthread_create(&tq, NULL, timed_reads, &rd));
	ASSERT_EQ(0, pthread_join(ts, NULL));
	ASSERT_EQ(0, pthread_join(tr, NULL));
	done = true;
	ASSERT_EQ(0, pthread_join(tq, NULL));

	TH_LOG("stop write %lld ms, rmdir %lld ms (ended %lld ms after the write), longest state read %lld ms, %d reads",
	       (stop.end_ns - stop.start_ns) / 1000000,
	       (rm.end_ns - rm.start_ns) / 1000000,
	       (rm.end_ns - stop.end_ns) / 1000000, rd.longest_ns / 1000000,
	       rd.reads);
	EXPECT_EQ(-ETIMEDOUT, stop.ret);
	/* within its timeout, with as much again for a slow guest */
	EXPECT_GE(2 * timeout_ns, stop.end_ns - stop.start_ns);
	EXPECT_EQ(0, rm.ret);
	if (!rm.ret)
		lab_untrack(self->it.dir);
	EXPECT_GE(2 * timeout_ns, rm.end_ns - rm.start_ns);
	EXPECT_GE(2 * timeout_ns, rd.longest_ns);
	EXPECT_FALSE(lab_exists(&self->it));
	EXPECT_EQ(0, lab_wait_pid_gone(pid, LAB_DEADLINE_MS));
}

TEST_HARNESS_MAIN
