// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_lab core: the configfs subsystem, one default group per behaviour,
 * one item (and one kthread) per directory made in a group, the item
 * lifecycle and the stop contract. It knows no behaviour: those come from
 * ktl_behaviours[] (behaviours.c).
 *
 * Stop contract. kthread_stop() may wait forever (a thread that ignores
 * kthread_should_stop()), so it never runs in a configfs callback: each item
 * has a work item that calls it, and the callbacks wait for that work's
 * completion with a timeout, at most 30 s (KTL_CALLBACK_WAIT_MAX_MS).
 * A stop requested by a `stop` write first runs on the writer's CPU, from
 * the per-CPU high-priority ktl_local_wq, as soon as the writer sleeps in
 * its wait: on an unbound queue the worker had first to be woken on another,
 * often idle, CPU (measured under emulation: p50 0.8-5.4 ms for that hop
 * against 0.17 ms on the writer's CPU). A CPU can be taken over before the
 * work runs there (a busy thread that never reschedules, the very thing the
 * lab exhibits), so a stop that has not begun after KTL_STOP_HANDOFF_MS moves
 * to the unbound ktl_wq (ktl_stop_handoff()). There it may hang for ever
 * and so hold one of the queue's max_active slots. rmdir first
 * releases the thread, after which every behaviour returns promptly, and
 * makes sure its stop does not wait behind hung ones: a stop still pending
 * on ktl_wq is moved to ktl_reap_wq, which only ever runs stops of released
 * threads, so rmdir's cost does not depend on other items' stops.
 * The item holds a reference to its task from creation until it is
 * released, so kthread_stop() is safe after the thread function has
 * returned by itself (6.1 has no kthread_stop_put()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched/isolation.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kthread_lab.h"

#define KTL_MAX_THREADS_DEFAULT	4096
#define KTL_MAX_THREADS_LIMIT	1000000
#define KTL_STOP_TIMEOUT_MS_DEFAULT	5000
/*
 * No configfs callback may block longer than 30 s, a quarter of the
 * kernel's default hung-task timeout: configfs holds the item's fragment
 * semaphore across a store, and an rmdir queued behind it makes every later
 * open of the item's files wait too. A caller that wants to wait longer for
 * a stop polls `state`.
 */
#define KTL_CALLBACK_WAIT_MAX_MS	30000
#define KTL_STOP_TIMEOUT_MS_MAX	KTL_CALLBACK_WAIT_MAX_MS
/*
 * rmdir waits this long for the thread to be gone before returning; after it,
 * the stop work finishes in the background (module exit waits for it). Every
 * behaviour leaves promptly once released, so the wait is normally short.
 */
#define KTL_RMDIR_WAIT_MS	2000
static_assert(KTL_RMDIR_WAIT_MS < KTL_CALLBACK_WAIT_MAX_MS);

static unsigned int ktl_max_threads = KTL_MAX_THREADS_DEFAULT;

static int ktl_max_threads_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, KTL_MAX_THREADS_LIMIT);
}

static const struct kernel_param_ops ktl_max_threads_ops = {
	.set = ktl_max_threads_set,
	.get = param_get_uint,
};

module_param_cb(max_threads, &ktl_max_threads_ops, &ktl_max_threads, 0644);
MODULE_PARM_DESC(max_threads, "most items (threads) that may exist at once (default 4096)");

/* protects ktl_items and ktl_nr_items; taken before any item's lock */
DEFINE_MUTEX(ktl_lock);
LIST_HEAD(ktl_items);
/* items made and not yet released: threads that exist or are being reaped */
static unsigned int ktl_nr_items;
/* stops requested by a `stop` write, on the writer's CPU: each may hang for ever */
static struct workqueue_struct *ktl_local_wq;
/* those that had not begun on the writer's CPU after KTL_STOP_HANDOFF_MS */
static struct workqueue_struct *ktl_wq;
#define KTL_STOP_HANDOFF_MS	10
/*
 * Stops at once on one CPU's queue, each holding a worker: a stop completes
 * in milliseconds unless its thread ignores it, and those that hang then
 * queue and move to ktl_wq, as they did before the local queue, rather
 * than hold a worker a CPU each (with the item's thread, two threads).
 */
#define KTL_LOCAL_MAX_ACTIVE	16
/* stops of released threads (rmdir): each completes promptly */
static struct workqueue_struct *ktl_reap_wq;

struct ktl_group {
	struct config_group group;
	const struct ktl_behaviour *behaviour;
	bool autostart;
	struct config_item_type item_type;
	struct configfs_attribute **item_attrs;
};

static struct ktl_group *ktl_groups;

static inline struct ktl_group *to_ktl_group(struct config_item *ci)
{
	return container_of(to_config_group(ci), struct ktl_group, group);
}

/* ---- state ---- */

static const char *ktl_state_name_of(const struct ktl_item *it)
{
	return ktl_state_name(ktl_state(it));
}

void ktl_kick(struct ktl_item *it)
{
	lockdep_assert_held(&it->lock);
	/* TASK_PARKED is not woken by wake_up_process(): parked stays parked */
	if (it->woken && !it->stop_done)
		wake_up_process(it->task);
}

/* ---- stop ---- */

static void ktl_stop_work(struct work_struct *work)
{
	struct ktl_item *it = container_of(work, struct ktl_item, stop_work);
	s64 latency;
	int ret;

	/* begun: nothing to hand off, and no handoff may outlive the item */
	cancel_delayed_work_sync(&it->stop_handoff);
	ret = kthread_stop(it->task);
	latency = ktime_to_ns(ktime_sub(ktime_get(), it->stop_requested_at));

	mutex_lock(&it->lock);
	it->stop_result = ret;
	it->stop_latency_ns = latency;
	it->stop_done = true;
	WRITE_ONCE(it->parked, false);
	mutex_unlock(&it->lock);
	complete_all(&it->stopped);
	/* may free the item (and this work): nothing may touch it after */
	config_item_put(&it->item);
}

/* Queues the stop on @wq unless one was requested already. */
static void ktl_request_stop(struct ktl_item *it, struct workqueue_struct *wq)
{
	lockdep_assert_held(&it->lock);
	if (it->stop_requested)
		return;
	it->stop_requested = true;
	it->stop_requested_at = ktime_get();
	/*
	 * kthread_stop() unparks a parked thread: from now on it is stopping,
	 * not parked, even one that ignores the stop and spins again.
	 */
	WRITE_ONCE(it->parked, false);
	config_item_get(&it->item);
	queue_work(wq, &it->stop_work);
	if (wq == ktl_local_wq)
		queue_delayed_work(ktl_reap_wq, &it->stop_handoff,
				   msecs_to_jiffies(KTL_STOP_HANDOFF_MS));
}

/*
 * A stop not yet begun leaves the queue it waits on for the unbound one it
 * belongs on now, keeping the reference it holds: ktl_reap_wq once the
 * thread is released (it returns promptly, so no hung stop may be ahead of
 * it), ktl_wq otherwise. A stop already running stays where it is.
 */
static void ktl_requeue_stop(struct ktl_item *it)
{
	lockdep_assert_held(&it->lock);
	if (cancel_work(&it->stop_work))
		queue_work(ktl_released(it) ? ktl_reap_wq : ktl_wq, &it->stop_work);
}

/*
 * A stop still pending on the writer's CPU after KTL_STOP_HANDOFF_MS: that
 * CPU is taken (or its queue full of hung stops). Runs on ktl_reap_wq,
 * which never waits behind a hung stop; its timer fires even on a CPU a
 * busy thread holds.
 */
static void ktl_stop_handoff(struct work_struct *work)
{
	struct ktl_item *it = container_of(to_delayed_work(work),
					   struct ktl_item, stop_handoff);

	mutex_lock(&it->lock);
	ktl_requeue_stop(it);
	mutex_unlock(&it->lock);
}

/*
 * For a released thread: its stop must not wait behind stops that hang on
 * ktl_wq. One not yet requested goes to ktl_reap_wq; one still pending (on
 * ktl_wq behind hung stops that fill max_active, or on the writer's CPU) is
 * moved there. A running one returns promptly now that the thread is
 * released.
 */
static void ktl_reap(struct ktl_item *it)
{
	lockdep_assert_held(&it->lock);
	if (!it->stop_requested)
		ktl_request_stop(it, ktl_reap_wq);
	else
		ktl_requeue_stop(it);
}

/* ---- item attributes ---- */

static ssize_t ktl_item_behaviour_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%s\n", to_ktl_item(ci)->behaviour->name);
}

static ssize_t ktl_item_state_show(struct config_item *ci, char *page)
{
	struct ktl_item *it = to_ktl_item(ci);
	ssize_t len;

	mutex_lock(&it->lock);
	len = sysfs_emit(page, "%s\n", ktl_state_name_of(it));
	mutex_unlock(&it->lock);
	return len;
}

static ssize_t ktl_item_pid_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%d\n", to_ktl_item(ci)->pid);
}

static ssize_t ktl_item_ran_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_ktl_item(ci)->ran));
}

static ssize_t ktl_item_loops_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%llu\n", READ_ONCE(to_ktl_item(ci)->loops));
}

static ssize_t ktl_item_retval_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%d\n", ktl_retval(to_ktl_item(ci)));
}

static ssize_t ktl_item_retval_store(struct config_item *ci, const char *page,
				     size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	ssize_t ret = count;
	s64 val;
	int err;

	err = ktl_parse_s64(it, "retval", page, count, INT_MIN, INT_MAX, &val);
	if (err)
		return err;
	mutex_lock(&it->lock);
	if (it->stop_done) {
		ktl_err(it, "retval: thread already stopped");
		ret = -EBUSY;
	} else {
		WRITE_ONCE(it->retval, val);
	}
	mutex_unlock(&it->lock);
	return ret;
}

static ssize_t ktl_item_start_store(struct config_item *ci, const char *page,
				    size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	ssize_t ret = count;
	int err;

	err = ktl_parse_one(it, "start", page, count);
	if (err)
		return err;
	mutex_lock(&it->lock);
	if (ktl_state(it) == KTL_CREATED) {
		it->woken = true;
		wake_up_process(it->task);
	} else {
		ktl_err(it, "start: thread is %s, not created", ktl_state_name_of(it));
		ret = -EALREADY;
	}
	mutex_unlock(&it->lock);
	return ret;
}

static ssize_t ktl_item_stop_store(struct config_item *ci, const char *page,
				   size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	unsigned int timeout_ms;
	long left;
	int err;

	err = ktl_parse_one(it, "stop", page, count);
	if (err)
		return err;
	mutex_lock(&it->lock);
	if (it->stop_done) {
		mutex_unlock(&it->lock);
		ktl_err(it, "stop: already stopped");
		return -EALREADY;
	}
	ktl_request_stop(it, ktl_local_wq);
	timeout_ms = it->stop_timeout_ms;
	mutex_unlock(&it->lock);

	left = wait_for_completion_interruptible_timeout(&it->stopped,
							 msecs_to_jiffies(timeout_ms));
	if (left > 0)
		return count;
	if (left == 0) {
		ktl_err(it, "stop: kthread_stop() has not returned after %u ms; still stopping",
			timeout_ms);
		return -ETIMEDOUT;
	}
	/* a signal: the stop stays pending; no automatic restart of the wait */
	return -EINTR;
}

static ssize_t ktl_item_stop_timeout_ms_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_ktl_item(ci)->stop_timeout_ms));
}

static ssize_t ktl_item_stop_timeout_ms_store(struct config_item *ci,
					      const char *page, size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	s64 val;
	int err;

	err = ktl_parse_s64(it, "stop_timeout_ms", page, count, S64_MIN,
			    S64_MAX, &val);
	if (err)
		return err;
	if (val < 1 || val > KTL_STOP_TIMEOUT_MS_MAX) {
		ktl_err(it, "stop_timeout_ms: %lld out of range [1, %u]: a stop write blocks configfs for its timeout, and no callback may block longer than 30 s; poll state to wait longer",
			val, KTL_STOP_TIMEOUT_MS_MAX);
		return -ERANGE;
	}
	mutex_lock(&it->lock);
	WRITE_ONCE(it->stop_timeout_ms, val);
	mutex_unlock(&it->lock);
	return count;
}

/* stop_result or stop_latency_ns: "none" until the stop is done */
static ssize_t ktl_stop_field_show(struct config_item *ci, char *page,
				   bool latency)
{
	struct ktl_item *it = to_ktl_item(ci);
	ssize_t len;

	mutex_lock(&it->lock);
	if (!it->stop_done)
		len = sysfs_emit(page, "none\n");
	else
		len = sysfs_emit(page, "%lld\n", latency ? it->stop_latency_ns :
				 (s64)it->stop_result);
	mutex_unlock(&it->lock);
	return len;
}

static ssize_t ktl_item_stop_result_show(struct config_item *ci, char *page)
{
	return ktl_stop_field_show(ci, page, false);
}

static ssize_t ktl_item_stop_latency_ns_show(struct config_item *ci, char *page)
{
	return ktl_stop_field_show(ci, page, true);
}

/*
 * Undoes the PF_NO_SETAFFINITY that kthread_bind() set, so that user space
 * may move an unbound thread again, as any never-bound kthread. Like
 * kthread_bind(), this writes another task's flags, which is safe only
 * because the task is inactive: created and never woken (kthread_bind()
 * checked it with wait_task_inactive(); it->lock keeps it so).
 */
static void ktl_allow_setaffinity(struct ktl_item *it)
{
	struct task_struct *p = it->task;
	unsigned long flags;

	lockdep_assert_held(&it->lock);
	raw_spin_lock_irqsave(&p->pi_lock, flags);
	p->flags &= ~PF_NO_SETAFFINITY;
	raw_spin_unlock_irqrestore(&p->pi_lock, flags);
}

static ssize_t ktl_item_cpu_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_ktl_item(ci)->cpu));
}

static ssize_t ktl_item_cpu_store(struct config_item *ci, const char *page,
				  size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	ssize_t ret = count;
	s64 cpu;
	int err;

	err = ktl_parse_s64(it, "cpu", page, count, INT_MIN, INT_MAX, &cpu);
	if (err)
		return err;
	if (cpu < -1 || cpu >= nr_cpu_ids) {
		ktl_err(it, "cpu: %lld is not an online CPU", cpu);
		return -EINVAL;
	}
	/* the CPU stays online from the check through the bind */
	cpus_read_lock();
	if (cpu >= 0 && !cpu_online(cpu)) {
		cpus_read_unlock();
		ktl_err(it, "cpu: %lld is not an online CPU", cpu);
		return -EINVAL;
	}
	mutex_lock(&it->lock);
	if (ktl_state(it) != KTL_CREATED) {
		ktl_err(it, "cpu: thread is %s; binding is only possible while created",
			ktl_state_name_of(it));
		ret = -EBUSY;
	} else if (cpu >= 0) {
		kthread_bind(it->task, cpu);
		WRITE_ONCE(it->cpu, cpu);
	} else if (it->cpu >= 0) {
		/* back to where kthread() itself puts a new thread */
		err = set_cpus_allowed_ptr(it->task,
					   housekeeping_cpumask(HK_TYPE_KTHREAD));
		if (err) {
			ktl_err(it, "cpu: cannot unbind (%d)", err);
			ret = err;
		} else {
			ktl_allow_setaffinity(it);
			WRITE_ONCE(it->cpu, -1);
		}
	}
	mutex_unlock(&it->lock);
	cpus_read_unlock();
	return ret;
}

static ssize_t ktl_item_nice_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_ktl_item(ci)->nice));
}

static ssize_t ktl_item_nice_store(struct config_item *ci, const char *page,
				   size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	ssize_t ret = count;
	s64 nice;
	int err;

	err = ktl_parse_s64(it, "nice", page, count, MIN_NICE, MAX_NICE, &nice);
	if (err)
		return err;
	mutex_lock(&it->lock);
	/* exact under the lock: the thread sets fn_returned under it */
	if (it->stop_requested || it->fn_returned) {
		ktl_err(it, "nice: thread is %s", ktl_state_name_of(it));
		ret = -EBUSY;
	} else {
		set_user_nice(it->task, nice);
		WRITE_ONCE(it->nice, nice);
	}
	mutex_unlock(&it->lock);
	return ret;
}

static ssize_t ktl_item_park_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_ktl_item(ci)->parked));
}

/*
 * Only a running thread that is not on its way out is parked: kthread_park()
 * warns on an exited thread and waits forever for one that exits instead of
 * parking. A thread leaves only once a stop is requested or it is released,
 * both set under it->lock and checked by the caller.
 */
static int ktl_park(struct ktl_item *it)
{
	int err;

	lockdep_assert_held(&it->lock);
	if (it->released) {
		ktl_err(it, "park: thread is leaving its loop (released)");
		return -EBUSY;
	}
	err = kthread_park(it->task);
	if (err) {
		ktl_err(it, "park: kthread_park() returned %d", err);
		return err;
	}
	WRITE_ONCE(it->parked, true);
	return 0;
}

static void ktl_unpark(struct ktl_item *it)
{
	lockdep_assert_held(&it->lock);
	kthread_unpark(it->task);
	WRITE_ONCE(it->parked, false);
}

static ssize_t ktl_item_park_store(struct config_item *ci, const char *page,
				   size_t count)
{
	struct ktl_item *it = to_ktl_item(ci);
	enum ktl_state state;
	s64 park;
	int err;

	if (!it->behaviour->can_park) {
		ktl_err(it, "park: %s threads cannot park", it->behaviour->name);
		return -EOPNOTSUPP;
	}
	err = ktl_parse_s64(it, "park", page, count, 0, 1, &park);
	if (err)
		return err;
	mutex_lock(&it->lock);
	state = ktl_state(it);
	switch (state) {
	case KTL_RUNNING:
		if (park) {
			err = ktl_park(it);
		} else {
			ktl_err(it, "park: not parked");
			err = -EALREADY;
		}
		break;
	case KTL_PARKED:
		if (park) {
			ktl_err(it, "park: already parked");
			err = -EALREADY;
		} else {
			ktl_unpark(it);
		}
		break;
	default:
		/*
		 * created, exited, stopping or stopped: the stop unparks and
		 * nothing parks again
		 */
		ktl_err(it, "park: thread is %s", ktl_state_name(state));
		err = -EBUSY;
		break;
	}
	mutex_unlock(&it->lock);
	return err ?: count;
}

CONFIGFS_ATTR_RO(ktl_item_, behaviour);
CONFIGFS_ATTR_RO(ktl_item_, state);
CONFIGFS_ATTR_RO(ktl_item_, pid);
CONFIGFS_ATTR_RO(ktl_item_, ran);
CONFIGFS_ATTR_RO(ktl_item_, loops);
CONFIGFS_ATTR(ktl_item_, retval);
CONFIGFS_ATTR_WO(ktl_item_, start);
CONFIGFS_ATTR_WO(ktl_item_, stop);
CONFIGFS_ATTR(ktl_item_, stop_timeout_ms);
CONFIGFS_ATTR_RO(ktl_item_, stop_result);
CONFIGFS_ATTR_RO(ktl_item_, stop_latency_ns);
CONFIGFS_ATTR(ktl_item_, cpu);
CONFIGFS_ATTR(ktl_item_, nice);
CONFIGFS_ATTR(ktl_item_, park);

static struct configfs_attribute *ktl_item_core_attrs[] = {
	&ktl_item_attr_behaviour,
	&ktl_item_attr_state,
	&ktl_item_attr_pid,
	&ktl_item_attr_ran,
	&ktl_item_attr_loops,
	&ktl_item_attr_retval,
	&ktl_item_attr_start,
	&ktl_item_attr_stop,
	&ktl_item_attr_stop_timeout_ms,
	&ktl_item_attr_stop_result,
	&ktl_item_attr_stop_latency_ns,
	&ktl_item_attr_cpu,
	&ktl_item_attr_nice,
	&ktl_item_attr_park,
	NULL,
};

/* ---- item lifecycle ---- */

static int ktl_thread(void *data)
{
	struct ktl_item *it = data;
	int ret;

	WRITE_ONCE(it->ran, true);
	ret = it->behaviour->run(it);
	/*
	 * Under the item lock, so that a store that found the function not
	 * returned (nice, park) acts on a thread that cannot leave before the
	 * store unlocks. Nobody holding the lock waits for this thread: park
	 * is refused once the thread may return (stop requested or released,
	 * both set under the lock), and stops wait without the lock.
	 */
	mutex_lock(&it->lock);
	WRITE_ONCE(it->fn_returned, true);
	mutex_unlock(&it->lock);
	return ret;
}

/*
 * An item leaves max_threads' count once rmdir saw its thread stopped, or at
 * the latest when it is freed: a removed item whose stop is still pending
 * keeps its slot, and one rmdir finished with frees its slot before rmdir
 * returns (the stop work's last reference may be dropped a moment later).
 */
static void ktl_uncount(struct ktl_item *it)
{
	mutex_lock(&ktl_lock);
	if (it->counted) {
		it->counted = false;
		ktl_nr_items--;
	}
	mutex_unlock(&ktl_lock);
}

/*
 * The last reference: also how a mkdir that failed half-way unwinds, so
 * the task may be missing and the item may never have been counted.
 */
static void ktl_item_release(struct config_item *ci)
{
	struct ktl_item *it = to_ktl_item(ci);

	if (it->task)
		put_task_struct(it->task);
	ktl_uncount(it);
	mutex_destroy(&it->lock);
	kvfree(it);
}

static struct configfs_item_operations ktl_item_ops = {
	.release = ktl_item_release,
};

/*
 * A new item with its name, not yet counted and without a thread. From the
 * name on, config_item_put() unwinds it: release frees what was set up.
 */
static struct ktl_item *ktl_item_alloc(struct ktl_group *grp, const char *name)
{
	const struct ktl_behaviour *b = grp->behaviour;
	struct ktl_item *it;
	int err;

	it = kvzalloc(struct_size(it, priv, DIV_ROUND_UP(b->priv_size, sizeof(u64))),
		      GFP_KERNEL);
	if (!it)
		return ERR_PTR(-ENOMEM);
	it->behaviour = b;
	INIT_LIST_HEAD(&it->node);
	mutex_init(&it->lock);
	it->cpu = -1;
	it->stop_timeout_ms = KTL_STOP_TIMEOUT_MS_DEFAULT;
	INIT_WORK(&it->stop_work, ktl_stop_work);
	INIT_DELAYED_WORK(&it->stop_handoff, ktl_stop_handoff);
	init_completion(&it->stopped);
	if (b->init)
		b->init(it);
	/*
	 * The empty name needs no memory; a name of CONFIGFS_ITEM_NAME_LEN
	 * (20) bytes or more is allocated, and may fail: an item without its
	 * name would oops the next snapshot.
	 */
	config_item_init_type_name(&it->item, "", &grp->item_type);
	err = config_item_set_name(&it->item, "%s", name);
	if (err) {
		pr_warn_ratelimited("%s/%s: mkdir: no memory for the name (%d)\n",
				    b->name, name, err);
		config_item_put(&it->item);
		return ERR_PTR(-ENOMEM);
	}
	return it;
}

/* Takes one of max_threads' slots; release gives it back (ktl_uncount()). */
static int ktl_count(struct ktl_item *it)
{
	unsigned int max = READ_ONCE(ktl_max_threads);
	int ret = 0;

	mutex_lock(&ktl_lock);
	if (ktl_nr_items < max) {
		ktl_nr_items++;
		it->counted = true;
	} else {
		ret = -ENOSPC;
	}
	mutex_unlock(&ktl_lock);
	if (ret)
		pr_warn_ratelimited("%s/%s: mkdir: max_threads (%u) reached\n",
				    it->behaviour->name,
				    config_item_name(&it->item), max);
	return ret;
}

int ktl_slots_get(unsigned int n)
{
	unsigned int max = READ_ONCE(ktl_max_threads);
	int ret = 0;

	mutex_lock(&ktl_lock);
	if (n <= max && ktl_nr_items <= max - n)
		ktl_nr_items += n;
	else
		ret = -ENOSPC;
	mutex_unlock(&ktl_lock);
	return ret;
}

void ktl_slots_put(unsigned int n)
{
	mutex_lock(&ktl_lock);
	if (!WARN_ON_ONCE(ktl_nr_items < n))
		ktl_nr_items -= n;
	mutex_unlock(&ktl_lock);
}

static struct config_item *ktl_group_make_item(struct config_group *group,
					       const char *name)
{
	struct ktl_group *grp = to_ktl_group(&group->cg_item);
	struct task_struct *task;
	struct ktl_item *it;
	int err;

	if (!ktl_name_ok(name)) {
		pr_warn_ratelimited("%s/%*pE: mkdir: the name holds a space or an ASCII control character\n",
				    grp->behaviour->name, (int)strlen(name), name);
		return ERR_PTR(-EINVAL);
	}
	it = ktl_item_alloc(grp, name);
	if (IS_ERR(it))
		return ERR_CAST(it);
	err = ktl_count(it);
	if (err)
		goto err_put;
	task = kthread_create(ktl_thread, it, "ktl_%c_%s", grp->behaviour->tag,
			      name);
	if (IS_ERR(task)) {
		err = PTR_ERR(task);
		pr_warn_ratelimited("%s/%s: mkdir: kthread_create() failed (%d)\n",
				    grp->behaviour->name, name, err);
		goto err_put;
	}
	get_task_struct(task);
	it->task = task;
	it->pid = task_pid_nr(task);

	if (READ_ONCE(grp->autostart)) {
		it->woken = true;
		wake_up_process(task);
	}

	mutex_lock(&ktl_lock);
	list_add_tail(&it->node, &ktl_items);
	mutex_unlock(&ktl_lock);
	return &it->item;

err_put:
	/* release frees the item and gives back its slot if it took one */
	config_item_put(&it->item);
	return ERR_PTR(err);
}

/*
 * rmdir, in any state: release the thread (so even one that ignores
 * kthread_should_stop() leaves its loop), request the stop or move a
 * pending one where no hung stop is ahead of it (ktl_reap()), and wait a
 * bounded time for it. A stop that is still pending then (none of the
 * behaviours should need it) completes in the background; the item is freed
 * when it does, and module exit waits for it.
 */
static void ktl_group_drop_item(struct config_group *group,
				struct config_item *ci)
{
	struct ktl_item *it = to_ktl_item(ci);
	long left;

	mutex_lock(&ktl_lock);
	list_del_init(&it->node);
	mutex_unlock(&ktl_lock);

	mutex_lock(&it->lock);
	WRITE_ONCE(it->released, true);
	ktl_kick(it);
	ktl_reap(it);
	mutex_unlock(&it->lock);

	left = wait_for_completion_killable_timeout(&it->stopped,
						    msecs_to_jiffies(KTL_RMDIR_WAIT_MS));
	if (left > 0)
		ktl_uncount(it);
	else
		pr_notice("%s/%s: removed; its stop is still pending and completes in the background\n",
			  it->behaviour->name, config_item_name(ci));
	config_item_put(ci);
}

static struct configfs_group_operations ktl_group_group_ops = {
	.make_item = ktl_group_make_item,
	.drop_item = ktl_group_drop_item,
};

static ssize_t ktl_group_autostart_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_ktl_group(ci)->autostart));
}

static ssize_t ktl_group_autostart_store(struct config_item *ci,
					 const char *page, size_t count)
{
	struct ktl_group *grp = to_ktl_group(ci);

	return ktl_store_bool_for(grp->behaviour->name, NULL, "autostart", page,
				  count, &grp->autostart);
}

CONFIGFS_ATTR(ktl_group_, autostart);

static struct configfs_attribute *ktl_group_attrs[] = {
	&ktl_group_attr_autostart,
	NULL,
};

static const struct config_item_type ktl_group_type = {
	.ct_group_ops	= &ktl_group_group_ops,
	.ct_attrs	= ktl_group_attrs,
	.ct_owner	= THIS_MODULE,
};

/* ---- root ---- */

static ssize_t ktl_root_version_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%s\n", KTL_VERSION);
}

static ssize_t ktl_root_features_show(struct config_item *ci, char *page)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < ktl_nr_behaviours; i++)
		len += sysfs_emit_at(page, len, "%s ", ktl_behaviours[i]->name);
	len += sysfs_emit_at(page, len, "park bind stop_timeout snapshot max_threads "
			     KTL_EXPERIMENTS_FEATURES);
	for (i = 0; i < ktl_nr_behaviours; i++)
		if (ktl_behaviours[i]->features)
			len += sysfs_emit_at(page, len, " %s",
					     ktl_behaviours[i]->features);
	len += sysfs_emit_at(page, len, "\n");
	return len;
}

static ssize_t ktl_root_max_threads_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(ktl_max_threads));
}

static ssize_t ktl_root_max_threads_store(struct config_item *ci,
					  const char *page, size_t count)
{
	s64 val;
	int err;

	err = ktl_parse_for(KBUILD_MODNAME, NULL, "max_threads", page, count,
			    0, KTL_MAX_THREADS_LIMIT, &val);
	if (err)
		return err;
	WRITE_ONCE(ktl_max_threads, val);
	return count;
}

CONFIGFS_ATTR_RO(ktl_root_, version);
CONFIGFS_ATTR_RO(ktl_root_, features);
CONFIGFS_ATTR(ktl_root_, max_threads);

static struct configfs_attribute *ktl_root_attrs[] = {
	&ktl_root_attr_version,
	&ktl_root_attr_features,
	&ktl_root_attr_max_threads,
	NULL,
};

static const struct config_item_type ktl_root_type = {
	.ct_attrs	= ktl_root_attrs,
	.ct_bin_attrs	= ktl_root_bin_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct configfs_subsystem ktl_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = KBUILD_MODNAME,
			.ci_type = &ktl_root_type,
		},
	},
};

static unsigned int ktl_count_attrs(struct configfs_attribute **attrs)
{
	unsigned int n = 0;

	while (attrs && attrs[n])
		n++;
	return n;
}

static int ktl_groups_init(void)
{
	unsigned int i, n_core = ktl_count_attrs(ktl_item_core_attrs);

	ktl_groups = kcalloc(ktl_nr_behaviours, sizeof(*ktl_groups), GFP_KERNEL);
	if (!ktl_groups)
		return -ENOMEM;

	for (i = 0; i < ktl_nr_behaviours; i++) {
		const struct ktl_behaviour *b = ktl_behaviours[i];
		struct ktl_group *grp = &ktl_groups[i];
		unsigned int n_extra = ktl_count_attrs(b->attrs);

		grp->item_attrs = kcalloc(n_core + n_extra + 1,
					  sizeof(*grp->item_attrs), GFP_KERNEL);
		if (!grp->item_attrs)
			return -ENOMEM;
		memcpy(grp->item_attrs, ktl_item_core_attrs,
		       n_core * sizeof(*grp->item_attrs));
		if (n_extra)
			memcpy(grp->item_attrs + n_core, b->attrs,
			       n_extra * sizeof(*grp->item_attrs));
		grp->item_type.ct_item_ops = &ktl_item_ops;
		grp->item_type.ct_attrs = grp->item_attrs;
		grp->item_type.ct_owner = THIS_MODULE;

		grp->behaviour = b;
		grp->autostart = true;
		config_group_init_type_name(&grp->group, b->name, &ktl_group_type);
		configfs_add_default_group(&grp->group, &ktl_subsys.su_group);
	}
	return 0;
}

static void ktl_groups_free(void)
{
	unsigned int i;

	if (!ktl_groups)
		return;
	for (i = 0; i < ktl_nr_behaviours; i++)
		kfree(ktl_groups[i].item_attrs);
	kfree(ktl_groups);
	ktl_groups = NULL;
}

static int __init ktl_init(void)
{
	int ret = -ENOMEM;

	ktl_local_wq = alloc_workqueue(KBUILD_MODNAME "_local", WQ_HIGHPRI,
				       KTL_LOCAL_MAX_ACTIVE);
	if (!ktl_local_wq)
		return -ENOMEM;
	ktl_wq = alloc_workqueue(KBUILD_MODNAME, WQ_UNBOUND, WQ_UNBOUND_MAX_ACTIVE);
	if (!ktl_wq)
		goto err_wq;
	ktl_reap_wq = alloc_workqueue(KBUILD_MODNAME "_reap", WQ_UNBOUND, 0);
	if (!ktl_reap_wq)
		goto err_reap_wq;

	config_group_init(&ktl_subsys.su_group);
	mutex_init(&ktl_subsys.su_mutex);
	ret = ktl_groups_init();
	if (ret)
		goto err_groups;
	ktl_experiments_init(&ktl_subsys.su_group);

	ret = configfs_register_subsystem(&ktl_subsys);
	if (ret) {
		pr_err("cannot register the configfs subsystem (%d)\n", ret);
		goto err_groups;
	}
	pr_info("version %s loaded\n", KTL_VERSION);
	return 0;

err_groups:
	ktl_groups_free();
	destroy_workqueue(ktl_reap_wq);
err_reap_wq:
	destroy_workqueue(ktl_wq);
err_wq:
	destroy_workqueue(ktl_local_wq);
	return ret;
}

static void __exit ktl_exit(void)
{
	/*
	 * No item is left in configfs (each pins the module). Unregister
	 * first, so that nothing can queue a stop any more; then finish the
	 * stops rmdir handed off (their last puts reach the groups, freed
	 * only after that).
	 */
	configfs_unregister_subsystem(&ktl_subsys);
	/* in this order: a stop handed off leaves ktl_local_wq for the others */
	destroy_workqueue(ktl_local_wq);
	destroy_workqueue(ktl_reap_wq);
	destroy_workqueue(ktl_wq);
	ktl_groups_free();
	ktl_snapshot_exit();
	pr_info("unloaded\n");
}

module_init(ktl_init);
module_exit(ktl_exit);

MODULE_DESCRIPTION("kthread_lab: kernel-thread lifecycle lab driven from configfs");
MODULE_AUTHOR("kthread-lab");
MODULE_LICENSE("GPL");
MODULE_VERSION(KTL_VERSION);
