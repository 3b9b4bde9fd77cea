// SPDX-License-Identifier: GPL-2.0
/*
 * busy: spins, counting loops. With honor_stop 0 it is a loop that never
 * checks the stop flag (kthread_should_stop()): kthread_stop() then waits
 * until `release` (or rmdir) makes the loop return. With resched 0 it never
 * calls cond_resched(), and a kernel without full preemption reports a soft
 * lockup on its CPU after about 20 s.
 */
#include <linux/kthread.h>
#include <linux/sched.h>

#include "kthread_lab.h"

struct ktl_busy {
	bool honor_stop;
	bool resched;
};

static struct ktl_busy *to_busy(struct ktl_item *it)
{
	return ktl_priv(it);
}

static void ktl_busy_init(struct ktl_item *it)
{
	to_busy(it)->honor_stop = true;
	to_busy(it)->resched = true;
}

static int ktl_busy_run(struct ktl_item *it)
{
	struct ktl_busy *busy = to_busy(it);

	while (!ktl_released(it)) {
		if (READ_ONCE(busy->honor_stop) && kthread_should_stop())
			break;
		if (kthread_should_park())
			kthread_parkme();
		ktl_count_loop(it);
		if (READ_ONCE(busy->resched))
			cond_resched();
	}
	return ktl_retval(it);
}

static ssize_t ktl_busy_honor_stop_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_busy(to_ktl_item(ci))->honor_stop));
}

static ssize_t ktl_busy_honor_stop_store(struct config_item *ci,
					 const char *page, size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);

	return ktl_store_bool(it, "honor_stop", page, count, &to_busy(it)->honor_stop);
}

static ssize_t ktl_busy_resched_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_busy(to_ktl_item(ci))->resched));
}

static ssize_t ktl_busy_resched_store(struct config_item *ci,
				      const char *page, size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);

	return ktl_store_bool(it, "resched", page, count, &to_busy(it)->resched);
}

static ssize_t ktl_busy_release_store(struct config_item *ci, const char *page,
				      size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	int err;

	err = ktl_parse_one(it, "release", page, count);
	if (err)
		return err;
	/* under the lock: park must not see a running thread about to exit */
	mutex_lock(&it->lock);
	WRITE_ONCE(it->released, true);
	mutex_unlock(&it->lock);
	return count;
}

CONFIGFS_ATTR(ktl_busy_, honor_stop);
CONFIGFS_ATTR(ktl_busy_, resched);
CONFIGFS_ATTR_WO(ktl_busy_, release);

static struct configfs_attribute *ktl_busy_attrs[] = {
	&ktl_busy_attr_honor_stop,
	&ktl_busy_attr_resched,
	&ktl_busy_attr_release,
	NULL,
};

static int ktl_busy_snapshot(struct ktl_item *it, char *buf, size_t size)
{
	return scnprintf(buf, size, " honor_stop=%d resched=%d",
			 READ_ONCE(to_busy(it)->honor_stop),
			 READ_ONCE(to_busy(it)->resched));
}

const struct ktl_behaviour ktl_busy = {
	.name = "busy",
	.tag = 'b',
	.can_park = true,
	.priv_size = sizeof(struct ktl_busy),
	.init = ktl_busy_init,
	.run = ktl_busy_run,
	.attrs = ktl_busy_attrs,
	.snapshot = ktl_busy_snapshot,
	.snapshot_max = sizeof(" honor_stop=0 resched=0"),
	.features = "release",
};
