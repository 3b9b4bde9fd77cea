// SPDX-License-Identifier: GPL-2.0
/*
 * wait: a thread that hands its result to the stopper. The thread
 * does a job of job_ms, then waits until kthread_stop() and returns retval,
 * which kthread_stop() passes on. The job stands for real work: a stop
 * during it waits for it to finish (only rmdir cuts it short).
 */
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "kthread_lab.h"

#define KTL_JOB_MS_MAX	600000

enum ktl_wait_mode { KTL_WAIT_SLEEP, KTL_WAIT_SPIN };

static const char *const ktl_wait_modes[] = {
	[KTL_WAIT_SLEEP] = "sleep",
	[KTL_WAIT_SPIN] = "spin",
};

struct ktl_wait {
	unsigned int job_ms;
	int mode;
};

static struct ktl_wait *to_wait(struct ktl_item *it)
{
	return ktl_priv(it);
}

static void ktl_wait_do_job(struct ktl_item *it)
{
	ktime_t end = ktime_add_ms(ktime_get(), READ_ONCE(to_wait(it)->job_ms));

	while (ktime_before(ktime_get(), end)) {
		/* TASK_IDLE: kthread_stop()'s wake-up only makes it sleep again */
		set_current_state(TASK_IDLE);
		if (ktl_released(it)) {
			__set_current_state(TASK_RUNNING);
			return;
		}
		schedule_hrtimeout(&end, HRTIMER_MODE_ABS);
	}
}

static int ktl_wait_run(struct ktl_item *it)
{
	ktl_wait_do_job(it);

	while (!kthread_should_stop()) {
		if (READ_ONCE(to_wait(it)->mode) == KTL_WAIT_SPIN) {
			/* a loop that waits runnable: burns a CPU */
			schedule();
		} else {
			set_current_state(TASK_INTERRUPTIBLE);
			if (kthread_should_stop()) {
				__set_current_state(TASK_RUNNING);
				break;
			}
			schedule();
		}
		ktl_count_loop(it);
	}
	return ktl_retval(it);
}

static void ktl_wait_init(struct ktl_item *it)
{
	to_wait(it)->mode = KTL_WAIT_SLEEP;
}

static ssize_t ktl_wait_job_ms_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_wait(to_ktl_item(ci))->job_ms));
}

static ssize_t ktl_wait_job_ms_store(struct config_item *ci, const char *page,
				     size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	s64 val;
	int err;

	err = ktl_parse_s64(it, "job_ms", page, count, 0, KTL_JOB_MS_MAX, &val);
	if (err)
		return err;
	WRITE_ONCE(to_wait(it)->job_ms, val);
	return count;
}

static ssize_t ktl_wait_wait_mode_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%s\n",
			  ktl_wait_modes[READ_ONCE(to_wait(to_ktl_item(ci))->mode)]);
}

static ssize_t ktl_wait_wait_mode_store(struct config_item *ci,
					const char *page, size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	int mode;

	mode = ktl_parse_choice(it, "wait_mode", page, count, ktl_wait_modes,
				ARRAY_SIZE(ktl_wait_modes));
	if (mode < 0)
		return mode;
	mutex_lock(&it->lock);
	WRITE_ONCE(to_wait(it)->mode, mode);
	/* a sleeping waiter re-reads the mode */
	ktl_kick(it);
	mutex_unlock(&it->lock);
	return count;
}

CONFIGFS_ATTR(ktl_wait_, job_ms);
CONFIGFS_ATTR(ktl_wait_, wait_mode);

static struct configfs_attribute *ktl_wait_attrs[] = {
	&ktl_wait_attr_job_ms,
	&ktl_wait_attr_wait_mode,
	NULL,
};

static int ktl_wait_snapshot(struct ktl_item *it, char *buf, size_t size)
{
	return scnprintf(buf, size, " job_ms=%u wait_mode=%s",
			 READ_ONCE(to_wait(it)->job_ms),
			 ktl_wait_modes[READ_ONCE(to_wait(it)->mode)]);
}

const struct ktl_behaviour ktl_wait = {
	.name = "wait",
	.tag = 'w',
	.priv_size = sizeof(struct ktl_wait),
	.init = ktl_wait_init,
	.run = ktl_wait_run,
	.attrs = ktl_wait_attrs,
	.snapshot = ktl_wait_snapshot,
	.snapshot_max = sizeof(" job_ms=4294967295 wait_mode=sleep"),
};
