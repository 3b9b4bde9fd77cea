// SPDX-License-Identifier: GPL-2.0
/*
 * periodic: ticks every period_us and records how late each tick woke.
 *
 * sleep_mode decides what a stop costs:
 *  msleep         msleep()'s own loop (schedule_timeout until the time is
 *                 used up): kthread_stop()'s wake-up only makes it sleep
 *                 again, so a stop waits up to a period. It sleeps in
 *                 TASK_IDLE so that long periods are not reported as hung
 *                 tasks, and leaves early for a park request, a release
 *                 (rmdir) or a new period or mode, which keeps park and
 *                 rmdir prompt and a stop within the period in force.
 *  interruptible  schedule_timeout() in TASK_INTERRUPTIBLE: returns at once
 *                 on kthread_stop()'s wake-up.
 *  hrtimer        schedule_hrtimeout_range() to absolute deadlines on a fixed
 *                 grid: no drift, no jiffy rounding, returns at once on stop.
 * The jiffy-based modes sleep one jiffy more than asked, as msleep() does, so
 * they never wake before the deadline.
 *
 * The time left is signed: the deadline may pass between the loop's check
 * and the sleep (a preemption), and the sleep is then skipped. Each sleep
 * re-checks the period and mode after setting its task state, so a live
 * change (WRITE_ONCE, then a wake-up) is never lost between the loop's read
 * and the sleep.
 */
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kthread_lab.h"
#include "lateness.h"

#define KTL_PERIOD_US_MIN	100
#define KTL_PERIOD_US_MAX	3600000000U
#define KTL_PERIOD_US_DEFAULT	1000000

enum ktl_sleep_mode { KTL_SLEEP_MSLEEP, KTL_SLEEP_INTERRUPTIBLE, KTL_SLEEP_HRTIMER };

static const char *const ktl_sleep_modes[] = {
	[KTL_SLEEP_MSLEEP] = "msleep",
	[KTL_SLEEP_INTERRUPTIBLE] = "interruptible",
	[KTL_SLEEP_HRTIMER] = "hrtimer",
};

struct ktl_periodic {
	u32 period_us;
	int mode;

	spinlock_t stats_lock;		/* late */
	struct ktl_lateness late;
};

static struct ktl_periodic *to_periodic(struct ktl_item *it)
{
	return ktl_priv(it);
}

static void ktl_periodic_init(struct ktl_item *it)
{
	struct ktl_periodic *p = to_periodic(it);

	p->period_us = KTL_PERIOD_US_DEFAULT;
	p->mode = KTL_SLEEP_MSLEEP;
	spin_lock_init(&p->stats_lock);
}

static void ktl_periodic_record(struct ktl_periodic *p, s64 late_ns)
{
	spin_lock(&p->stats_lock);
	ktl_lateness_record(&p->late, late_ns);
	spin_unlock(&p->stats_lock);
}

/* The period and mode a sleep was computed with are no longer in force. */
static bool ktl_periodic_changed(struct ktl_periodic *p, int mode, u32 period_us)
{
	return READ_ONCE(p->mode) != mode || READ_ONCE(p->period_us) != period_us;
}

/* What ends any sleep early; called after set_current_state(). */
static bool ktl_periodic_woken(struct ktl_item *it, int mode, u32 period_us)
{
	return kthread_should_park() || ktl_released(it) ||
	       ktl_periodic_changed(to_periodic(it), mode, period_us);
}

/* Nanoseconds until @deadline, zero or negative once it has passed. */
static s64 ktl_periodic_left_ns(ktime_t deadline)
{
	return ktime_to_ns(ktime_sub(deadline, ktime_get()));
}

/*
 * Sleeps towards @deadline, computed with @mode and @period_us; any return
 * is fine, the caller re-checks.
 */
static void ktl_periodic_sleep(struct ktl_item *it, int mode, u32 period_us,
			       ktime_t deadline)
{
	unsigned long timeout;
	s64 left_ns;

	switch (mode) {
	case KTL_SLEEP_MSLEEP:
		left_ns = ktl_periodic_left_ns(deadline);
		if (left_ns <= 0)
			return;
		timeout = msecs_to_jiffies(div_u64(left_ns + NSEC_PER_MSEC - 1,
						   NSEC_PER_MSEC)) + 1;
		/* a stop's wake-up only makes it sleep again, as in msleep() */
		while (timeout) {
			set_current_state(TASK_IDLE);
			if (ktl_periodic_woken(it, mode, period_us))
				break;
			timeout = schedule_timeout(timeout);
		}
		break;
	case KTL_SLEEP_INTERRUPTIBLE:
		set_current_state(TASK_INTERRUPTIBLE);
		left_ns = ktl_periodic_left_ns(deadline);
		if (left_ns > 0 && !kthread_should_stop() &&
		    !ktl_periodic_woken(it, mode, period_us))
			schedule_timeout(nsecs_to_jiffies(left_ns) + 1);
		break;
	default:
		/* an absolute deadline already passed returns at once */
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop() &&
		    !ktl_periodic_woken(it, mode, period_us))
			schedule_hrtimeout_range(&deadline, 0, HRTIMER_MODE_ABS);
		break;
	}
	__set_current_state(TASK_RUNNING);
}

static int ktl_periodic_run(struct ktl_item *it)
{
	struct ktl_periodic *p = to_periodic(it);
	/* the last tick (relative modes) or grid point (hrtimer) */
	ktime_t base = ktime_get();

	while (!kthread_should_stop() && !ktl_released(it)) {
		int mode = READ_ONCE(p->mode);
		u32 period_us = READ_ONCE(p->period_us);
		u64 period_ns = (u64)period_us * NSEC_PER_USEC;
		ktime_t deadline = ktime_add_ns(base, period_ns);
		ktime_t now;

		if (kthread_should_park()) {
			kthread_parkme();
			base = ktime_get();
			continue;
		}
		now = ktime_get();
		if (ktime_before(now, deadline)) {
			ktl_periodic_sleep(it, mode, period_us, deadline);
			continue;
		}
		ktl_periodic_record(p, ktime_to_ns(ktime_sub(now, deadline)));
		ktl_count_loop(it);
		if (mode == KTL_SLEEP_HRTIMER)
			/* stay on the grid, skipping ticks missed entirely */
			base = ktime_add_ns(deadline, period_ns *
					    div64_u64(ktime_to_ns(ktime_sub(now, deadline)),
						      period_ns));
		else
			base = now;
	}
	return ktl_retval(it);
}

static ssize_t ktl_periodic_period_us_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_periodic(to_ktl_item(ci))->period_us));
}

static ssize_t ktl_periodic_period_us_store(struct config_item *ci,
					    const char *page, size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	s64 val;
	int err;

	err = ktl_parse_s64(it, "period_us", page, count, KTL_PERIOD_US_MIN,
			    KTL_PERIOD_US_MAX, &val);
	if (err)
		return err;
	mutex_lock(&it->lock);
	WRITE_ONCE(to_periodic(it)->period_us, val);
	/* every sleep applies it at once (it re-checks after its wake-up) */
	ktl_kick(it);
	mutex_unlock(&it->lock);
	return count;
}

static ssize_t ktl_periodic_sleep_mode_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%s\n",
			  ktl_sleep_modes[READ_ONCE(to_periodic(to_ktl_item(ci))->mode)]);
}

static ssize_t ktl_periodic_sleep_mode_store(struct config_item *ci,
					     const char *page, size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	int mode;

	mode = ktl_parse_choice(it, "sleep_mode", page, count, ktl_sleep_modes,
				ARRAY_SIZE(ktl_sleep_modes));
	if (mode < 0)
		return mode;
	mutex_lock(&it->lock);
	WRITE_ONCE(to_periodic(it)->mode, mode);
	ktl_kick(it);
	mutex_unlock(&it->lock);
	return count;
}

static ssize_t ktl_periodic_lateness_ns_show(struct config_item *ci, char *page)
{
	struct ktl_periodic *p = to_periodic(to_ktl_item(ci));
	struct ktl_lateness_summary sum;
	unsigned int n;
	u32 *window;

	window = kmalloc_array(KTL_LATE_WINDOW, sizeof(*window), GFP_KERNEL);
	if (!window)
		return -ENOMEM;
	spin_lock(&p->stats_lock);
	n = ktl_lateness_copy(&p->late, &sum, window);
	spin_unlock(&p->stats_lock);
	ktl_lateness_summarise(&sum, window, n);
	kfree(window);
	return ktl_lateness_print_ns(&sum, page, PAGE_SIZE);
}

static ssize_t ktl_periodic_lateness_hist_show(struct config_item *ci, char *page)
{
	struct ktl_periodic *p = to_periodic(to_ktl_item(ci));
	u64 hist[KTL_LATE_BUCKETS];

	spin_lock(&p->stats_lock);
	memcpy(hist, p->late.hist, sizeof(hist));
	spin_unlock(&p->stats_lock);
	return ktl_lateness_print_hist(hist, page, PAGE_SIZE);
}

CONFIGFS_ATTR(ktl_periodic_, period_us);
CONFIGFS_ATTR(ktl_periodic_, sleep_mode);
CONFIGFS_ATTR_RO(ktl_periodic_, lateness_ns);
CONFIGFS_ATTR_RO(ktl_periodic_, lateness_hist);

static struct configfs_attribute *ktl_periodic_attrs[] = {
	&ktl_periodic_attr_period_us,
	&ktl_periodic_attr_sleep_mode,
	&ktl_periodic_attr_lateness_ns,
	&ktl_periodic_attr_lateness_hist,
	NULL,
};

static int ktl_periodic_snapshot(struct ktl_item *it, char *buf, size_t size)
{
	return scnprintf(buf, size, " period_us=%u sleep_mode=%s",
			 READ_ONCE(to_periodic(it)->period_us),
			 ktl_sleep_modes[READ_ONCE(to_periodic(it)->mode)]);
}

const struct ktl_behaviour ktl_periodic = {
	.name = "periodic",
	.tag = 'p',
	.can_park = true,
	.priv_size = sizeof(struct ktl_periodic),
	.init = ktl_periodic_init,
	.run = ktl_periodic_run,
	.attrs = ktl_periodic_attrs,
	.snapshot = ktl_periodic_snapshot,
	.snapshot_max = sizeof(" period_us=4294967295 sleep_mode=interruptible"),
	.features = "lateness",
};
