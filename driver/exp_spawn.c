// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/spawn: what a kernel thread costs, the in-kernel baseline for
 * the lab's own mkdir. A run creates `threads` threads one by one with
 * kthread_create(), wakes each and waits until its function runs, then,
 * after `sleep_before_stop_ms`, stops them all in the order they were made.
 * Each thread notes the time of its first instruction and sleeps
 * interruptibly until kthread_should_stop().
 *
 * The stops are not optional: every thread made is stopped before the run
 * returns, whatever ended it. So that this fits in KTL_EXP_RUN_MAX_MS, no
 * thread is made once the time spent per thread so far, times
 * KTL_SPAWN_STOP_FACTOR for each thread made, would not fit before the
 * deadline (a stop costs less than a creation and a wake-up; the factor
 * leaves a margin), and the sleep before the stops is cut to what is left.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "kthread_lab.h"
#include "experiments.h"

#define KTL_SPAWN_THREADS_MAX		100000
#define KTL_SPAWN_THREADS_DEFAULT	1000
#define KTL_SPAWN_SLEEP_MS_MAX		10000
#define KTL_SPAWN_STOP_FACTOR		2

/* One thread of a run. */
struct ktl_spawn_slot {
	struct task_struct *task;
	struct completion *ran;		/* the run's, completed once it ran */
	ktime_t first;			/* written by the thread */
	s64 create_ns, wake_to_run_ns, stop_ns;
	bool woke;			/* the run saw it run */
};

struct ktl_spawn_results {
	u64 completed, elapsed_ns;
	struct ktl_exp_stat create, wake_to_run, stop;
};

struct ktl_spawn {
	/* parameters: written under e->lock, never during a run */
	unsigned int threads;
	unsigned int sleep_before_stop_ms;
	/* a run's: each thread completes it when it runs */
	struct completion ran;
	/* the latest run's, under e->lock */
	struct ktl_spawn_results res;
};

static struct ktl_spawn *to_spawn(struct ktl_exp *e)
{
	return ktl_exp_priv(e);
}

static struct ktl_spawn *ci_spawn(struct config_item *ci)
{
	return to_spawn(to_ktl_exp(ci));
}

static void ktl_spawn_init(struct ktl_exp *e)
{
	to_spawn(e)->threads = KTL_SPAWN_THREADS_DEFAULT;
	init_completion(&to_spawn(e)->ran);
}

static int ktl_spawn_fn(void *data)
{
	struct ktl_spawn_slot *slot = data;
	ktime_t now = ktime_get();

	WRITE_ONCE(slot->first, now);
	complete(slot->ran);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Makes, wakes and waits for the threads, while there is time: 0 or why it
 * ended early. *@made: how many exist (each in @slots, referenced).
 */
static int ktl_spawn_make(struct ktl_exp *e, const struct ktl_exp_ctx *ctx,
			  struct ktl_spawn_slot *slots, u32 *made)
{
	struct ktl_spawn *s = to_spawn(e);
	const char *name = config_item_name(&e->item);
	s64 spent = 0;
	u32 i;

	for (i = 0; i < s->threads; i++) {
		struct ktl_spawn_slot *slot = &slots[i];
		struct task_struct *task;
		ktime_t t0, t1;
		long left;
		int err;

		/* time for the stops of those made and of this one */
		err = ktl_exp_interrupted(e, ctx, KTL_SPAWN_STOP_FACTOR *
					  (i ? div_s64(spent, i) * (i + 1) : 0));
		if (err)
			return err;
		slot->ran = &s->ran;
		t0 = ktime_get();
		task = kthread_create(ktl_spawn_fn, slot, "ktl_%c_%s",
				      e->kind->tag, name);
		t1 = ktime_get();
		if (IS_ERR(task)) {
			ktl_exp_err(e, "run: kthread_create() failed (%ld) after %u threads",
				    PTR_ERR(task), i);
			return PTR_ERR(task);
		}
		get_task_struct(task);
		slot->task = task;
		slot->create_ns = ktime_to_ns(ktime_sub(t1, t0));
		*made = i + 1;

		reinit_completion(&s->ran);
		t1 = ktime_get();
		wake_up_process(task);
		left = ktime_ms_delta(ctx->deadline, ktime_get());
		left = wait_for_completion_interruptible_timeout(&s->ran,
								 msecs_to_jiffies(max(left, 1L)));
		if (left < 0)
			return -EINTR;
		if (!left) {
			ktl_exp_err(e, "run: thread %u has not run by the deadline", i);
			return -ETIMEDOUT;
		}
		slot->woke = true;
		slot->wake_to_run_ns = ktime_to_ns(ktime_sub(READ_ONCE(slot->first),
							     t1));
		spent += ktime_to_ns(ktime_sub(ktime_get(), t0));
	}
	return 0;
}

/* Sleeps before the stops, as long as asked or as the time left allows. */
static int ktl_spawn_sleep(struct ktl_exp *e, const struct ktl_exp_ctx *ctx,
			   s64 stops_ns)
{
	struct ktl_spawn *s = to_spawn(e);
	ktime_t until = ktime_add_ms(ktime_get(), s->sleep_before_stop_ms);
	ktime_t latest = ktime_sub_ns(ctx->deadline, stops_ns);
	int err;

	if (!s->sleep_before_stop_ms)
		return 0;
	if (ktime_after(until, latest)) {
		err = ktl_exp_wait_until(e, latest, false);
		if (!err) {
			ktl_exp_err(e, "run: sleep_before_stop_ms cut short: no time left before the deadline");
			err = -ETIMEDOUT;
		}
		return err;
	}
	return ktl_exp_wait_until(e, until, false);
}

static int ktl_spawn_run(struct ktl_exp *e, const struct ktl_exp_ctx *ctx)
{
	struct ktl_spawn *s = to_spawn(e);
	struct ktl_spawn_results res = {};
	struct ktl_spawn_slot *slots;
	u32 i, made = 0, n = 0;
	s64 *samples, spent;
	int err;

	err = ktl_slots_get(s->threads);
	if (err) {
		ktl_exp_err(e, "run: %u threads would pass max_threads",
			    s->threads);
		return err;
	}
	slots = kvcalloc(s->threads, sizeof(*slots), GFP_KERNEL);
	samples = kvmalloc_array(s->threads, sizeof(*samples), GFP_KERNEL);
	if (!slots || !samples) {
		ktl_exp_err(e, "run: no memory for %u threads' samples",
			    s->threads);
		err = -ENOMEM;
		kvfree(samples);
		kvfree(slots);
		ktl_slots_put(s->threads);
		return err;
	}

	ktl_exp_begin(e);
	err = ktl_spawn_make(e, ctx, slots, &made);
	/* the slots of threads never made go back at once */
	ktl_slots_put(s->threads - made);
	if (err == -EINTR)
		ktl_exp_err(e, "run: interrupted after %u of %u threads", made,
			    s->threads);
	else if (err == -ETIMEDOUT && made < s->threads)
		ktl_exp_err(e, "run: %u of %u threads made in %u ms; the rest not made",
			    made, s->threads, KTL_EXP_RUN_MAX_MS);
	if (!err) {
		spent = ktime_to_ns(ktime_sub(ktime_get(), ctx->start));
		err = ktl_spawn_sleep(e, ctx, KTL_SPAWN_STOP_FACTOR * spent);
	}

	for (i = 0; i < made; i++) {
		ktime_t t0 = ktime_get();

		kthread_stop(slots[i].task);
		slots[i].stop_ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
		put_task_struct(slots[i].task);
		ktl_slots_put(1);
	}

	/* completed: made, seen running and stopped */
	for (i = 0; i < made; i++)
		if (slots[i].woke)
			samples[n++] = slots[i].create_ns;
	res.completed = n;
	ktl_exp_stat(samples, n, &res.create);
	for (i = 0, n = 0; i < made; i++)
		if (slots[i].woke)
			samples[n++] = slots[i].wake_to_run_ns;
	ktl_exp_stat(samples, n, &res.wake_to_run);
	for (i = 0, n = 0; i < made; i++)
		if (slots[i].woke)
			samples[n++] = slots[i].stop_ns;
	ktl_exp_stat(samples, n, &res.stop);
	res.elapsed_ns = ktime_to_ns(ktime_sub(ktime_get(), ctx->start));
	mutex_lock(&e->lock);
	s->res = res;
	ktl_exp_publish(e);
	mutex_unlock(&e->lock);

	kvfree(samples);
	kvfree(slots);
	return err;
}

/* ---- attributes ---- */

static ssize_t ktl_spawn_threads_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(ci_spawn(ci)->threads));
}

static ssize_t ktl_spawn_threads_store(struct config_item *ci,
				       const char *page, size_t count)
{
	struct ktl_exp *e = to_ktl_exp(ci);
	s64 val;
	int err;

	err = ktl_exp_parse(e, "threads", page, count, 1, KTL_SPAWN_THREADS_MAX,
			    &val);
	if (err)
		return err;
	return ktl_exp_set(e, "threads", &to_spawn(e)->threads, val, count);
}

static ssize_t ktl_spawn_sleep_before_stop_ms_show(struct config_item *ci,
						   char *page)
{
	return sysfs_emit(page, "%u\n",
			  READ_ONCE(ci_spawn(ci)->sleep_before_stop_ms));
}

static ssize_t ktl_spawn_sleep_before_stop_ms_store(struct config_item *ci,
						    const char *page,
						    size_t count)
{
	struct ktl_exp *e = to_ktl_exp(ci);
	s64 val;
	int err;

	err = ktl_exp_parse(e, "sleep_before_stop_ms", page, count, 0,
			    KTL_SPAWN_SLEEP_MS_MAX, &val);
	if (err)
		return err;
	return ktl_exp_set(e, "sleep_before_stop_ms",
			   &to_spawn(e)->sleep_before_stop_ms, val, count);
}

static ssize_t ktl_spawn_completed_show(struct config_item *ci, char *page)
{
	return ktl_exp_show_u64(to_ktl_exp(ci), page,
				&ci_spawn(ci)->res.completed);
}

static ssize_t ktl_spawn_elapsed_ns_show(struct config_item *ci, char *page)
{
	return ktl_exp_show_u64(to_ktl_exp(ci), page,
				&ci_spawn(ci)->res.elapsed_ns);
}

static ssize_t ktl_spawn_create_ns_show(struct config_item *ci, char *page)
{
	return ktl_exp_show_stat(to_ktl_exp(ci), page,
				 &ci_spawn(ci)->res.create);
}

static ssize_t ktl_spawn_wake_to_run_ns_show(struct config_item *ci,
					     char *page)
{
	return ktl_exp_show_stat(to_ktl_exp(ci), page,
				 &ci_spawn(ci)->res.wake_to_run);
}

static ssize_t ktl_spawn_stop_ns_show(struct config_item *ci, char *page)
{
	return ktl_exp_show_stat(to_ktl_exp(ci), page, &ci_spawn(ci)->res.stop);
}

CONFIGFS_ATTR(ktl_spawn_, threads);
CONFIGFS_ATTR(ktl_spawn_, sleep_before_stop_ms);
CONFIGFS_ATTR_RO(ktl_spawn_, completed);
CONFIGFS_ATTR_RO(ktl_spawn_, create_ns);
CONFIGFS_ATTR_RO(ktl_spawn_, wake_to_run_ns);
CONFIGFS_ATTR_RO(ktl_spawn_, stop_ns);
CONFIGFS_ATTR_RO(ktl_spawn_, elapsed_ns);

static struct configfs_attribute *ktl_spawn_attrs[] = {
	&ktl_spawn_attr_threads,
	&ktl_spawn_attr_sleep_before_stop_ms,
	&ktl_exp_attr_run,
	&ktl_spawn_attr_completed,
	&ktl_spawn_attr_create_ns,
	&ktl_spawn_attr_wake_to_run_ns,
	&ktl_spawn_attr_stop_ns,
	&ktl_spawn_attr_elapsed_ns,
	NULL,
};

const struct ktl_exp_kind ktl_exp_spawn = {
	.name = "spawn",
	.tag = 's',
	.priv_size = sizeof(struct ktl_spawn),
	.init = ktl_spawn_init,
	.run = ktl_spawn_run,
	.attrs = ktl_spawn_attrs,
};
