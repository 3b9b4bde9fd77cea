// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/race: when may kthread_stop() follow kthread_run()?
 *
 * `runs` times in a row: start a thread whose function notes the time of
 * its first instruction and then sleeps until kthread_should_stop(), wait
 * `delay_ns` from the start's return, call kthread_stop(), and record what
 * it returned and whether the function ran. kthread() checks the stop flag
 * before it calls the function, so kthread_stop() returns -EINTR exactly
 * when the function never ran: eintr + fn_ran == completed, other == 0.
 *
 * Placement: `any` uses kthread_run() and leaves both sides unbound; `same`
 * and `other` pin the writer (the stopping side) to the CPU it runs on for
 * the run, and bind each new thread with kthread_bind() before waking it,
 * to that CPU or to another online one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "kthread_lab.h"
#include "experiments.h"

#define KTL_RACE_RUNS_MAX	100000
#define KTL_RACE_RUNS_DEFAULT	1000
#define KTL_RACE_DELAY_NS_MAX	1000000000

enum ktl_race_delay_mode { KTL_DELAY_SPIN, KTL_DELAY_SLEEP };

static const char *const ktl_race_delay_modes[] = {
	[KTL_DELAY_SPIN] = "spin",
	[KTL_DELAY_SLEEP] = "sleep",
};

enum ktl_race_placement { KTL_PLACE_ANY, KTL_PLACE_SAME, KTL_PLACE_OTHER };

static const char *const ktl_race_placements[] = {
	[KTL_PLACE_ANY] = "any",
	[KTL_PLACE_SAME] = "same",
	[KTL_PLACE_OTHER] = "other",
};

/* What the thread of one run writes: read after kthread_stop() returned. */
struct ktl_race_shot {
	bool ran;
	ktime_t first;
};

struct ktl_race_results {
	u64 completed, fn_ran, eintr, other, elapsed_ns;
	struct ktl_exp_stat first_run, stop;
};

struct ktl_race {
	/* parameters: written under e->lock, never during a run */
	unsigned int runs;
	unsigned int delay_ns;
	unsigned int delay_mode;
	unsigned int placement;
	/* the current run's thread; only that thread writes it */
	struct ktl_race_shot shot;
	/* the latest run's, under e->lock */
	struct ktl_race_results res;
};

static struct ktl_race *to_race(struct ktl_exp *e)
{
	return ktl_exp_priv(e);
}

static struct ktl_race *ci_race(struct config_item *ci)
{
	return to_race(to_ktl_exp(ci));
}

static void ktl_race_init(struct ktl_exp *e)
{
	to_race(e)->runs = KTL_RACE_RUNS_DEFAULT;
}

static int ktl_race_fn(void *data)
{
	struct ktl_race_shot *shot = data;
	ktime_t now = ktime_get();

	WRITE_ONCE(shot->first, now);
	WRITE_ONCE(shot->ran, true);
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
 * Starts one thread as the placement says, holding a reference to it: the
 * thread, or an ERR_PTR (logged).
 */
static struct task_struct *ktl_race_start(struct ktl_exp *e,
					  struct ktl_race *r, int pinned)
{
	const char *name = config_item_name(&e->item);
	struct task_struct *task;
	unsigned int cpu;

	if (r->placement == KTL_PLACE_ANY) {
		task = kthread_run(ktl_race_fn, &r->shot, "ktl_%c_%s",
				   e->kind->tag, name);
		if (IS_ERR(task))
			goto fail;
		/* the function waits for the stop: the task cannot be gone */
		get_task_struct(task);
		return task;
	}

	task = kthread_create(ktl_race_fn, &r->shot, "ktl_%c_%s", e->kind->tag,
			      name);
	if (IS_ERR(task))
		goto fail;
	get_task_struct(task);
	/* the CPU stays online from the check through the wake-up */
	cpus_read_lock();
	if (r->placement == KTL_PLACE_SAME)
		cpu = cpu_online(pinned) ? pinned : nr_cpu_ids;
	else
		cpu = cpumask_any_but(cpu_online_mask, pinned);
	if (cpu >= nr_cpu_ids) {
		cpus_read_unlock();
		ktl_exp_err(e, "run: placement %s: no such CPU online any more",
			    ktl_race_placements[r->placement]);
		/* never woken: it never runs its function */
		kthread_stop(task);
		put_task_struct(task);
		return ERR_PTR(-EINVAL);
	}
	kthread_bind(task, cpu);
	wake_up_process(task);
	cpus_read_unlock();
	return task;

fail:
	ktl_exp_err(e, "run: starting a thread failed (%ld)", PTR_ERR(task));
	return task;
}

static int ktl_race_run(struct ktl_exp *e, const struct ktl_exp_ctx *ctx)
{
	struct ktl_race *r = to_race(e);
	struct ktl_race_results res = {};
	struct ktl_exp_pin pin = { .cpu = -1 };
	bool spin = r->delay_mode == KTL_DELAY_SPIN;
	u32 i, nfirst = 0, nstop = 0;
	s64 *first, *stop;
	int err;

	/* the checks that refuse a run, which then changes nothing */
	if (r->placement == KTL_PLACE_OTHER && num_online_cpus() < 2) {
		ktl_exp_err(e, "run: placement other needs a second online CPU");
		return -EINVAL;
	}
	/* one thread at a time: one slot for the whole run */
	err = ktl_slots_get(1);
	if (err) {
		ktl_exp_err(e, "run: max_threads reached");
		return err;
	}
	first = kvmalloc_array(r->runs, sizeof(*first), GFP_KERNEL);
	stop = kvmalloc_array(r->runs, sizeof(*stop), GFP_KERNEL);
	if (!first || !stop) {
		ktl_exp_err(e, "run: no memory for %u runs' samples", r->runs);
		err = -ENOMEM;
		goto out_free;
	}
	if (r->placement != KTL_PLACE_ANY) {
		err = ktl_exp_pin(e, &pin);
		if (err)
			goto out_free;
	}

	ktl_exp_begin(e);
	for (i = 0; i < r->runs; i++) {
		struct task_struct *task;
		ktime_t started, stopping, stopped;
		int ret;

		/* a run that would end past the deadline is not begun */
		err = ktl_exp_interrupted(e, ctx, r->delay_ns);
		if (err)
			break;
		WRITE_ONCE(r->shot.ran, false);
		task = ktl_race_start(e, r, pin.cpu);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			break;
		}
		started = ktime_get();
		err = ktl_exp_wait_until(e, ktime_add_ns(started, r->delay_ns),
					 spin);
		stopping = ktime_get();
		ret = kthread_stop(task);
		stopped = ktime_get();
		put_task_struct(task);
		/* a delay cut short is no sample */
		if (err)
			break;

		res.completed++;
		if (READ_ONCE(r->shot.ran)) {
			res.fn_ran++;
			first[nfirst++] = ktime_to_ns(ktime_sub(READ_ONCE(r->shot.first),
								started));
		}
		if (ret == -EINTR)
			res.eintr++;
		else if (ret)
			res.other++;
		stop[nstop++] = ktime_to_ns(ktime_sub(stopped, stopping));
	}
	if (pin.cpu >= 0)
		ktl_exp_unpin(e, &pin);

	if (err == -ETIMEDOUT)
		ktl_exp_err(e, "run: %u of %u runs done in %u ms; the rest not run",
			    i, r->runs, KTL_EXP_RUN_MAX_MS);
	else if (err == -EINTR)
		ktl_exp_err(e, "run: interrupted after %u of %u runs", i,
			    r->runs);
	ktl_exp_stat(first, nfirst, &res.first_run);
	ktl_exp_stat(stop, nstop, &res.stop);
	res.elapsed_ns = ktime_to_ns(ktime_sub(ktime_get(), ctx->start));
	mutex_lock(&e->lock);
	r->res = res;
	ktl_exp_publish(e);
	mutex_unlock(&e->lock);

out_free:
	kvfree(stop);
	kvfree(first);
	ktl_slots_put(1);
	return err;
}

/* ---- attributes ---- */

static ssize_t ktl_race_runs_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(ci_race(ci)->runs));
}

static ssize_t ktl_race_runs_store(struct config_item *ci, const char *page,
				   size_t count)
{
	struct ktl_exp *e = to_ktl_exp(ci);
	s64 val;
	int err;

	err = ktl_exp_parse(e, "runs", page, count, 1, KTL_RACE_RUNS_MAX, &val);
	if (err)
		return err;
	return ktl_exp_set(e, "runs", &to_race(e)->runs, val, count);
}

static ssize_t ktl_race_delay_ns_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(ci_race(ci)->delay_ns));
}

static ssize_t ktl_race_delay_ns_store(struct config_item *ci,
				       const char *page, size_t count)
{
	struct ktl_exp *e = to_ktl_exp(ci);
	s64 val;
	int err;

	err = ktl_exp_parse(e, "delay_ns", page, count, 0,
			    KTL_RACE_DELAY_NS_MAX, &val);
	if (err)
		return err;
	return ktl_exp_set(e, "delay_ns", &to_race(e)->delay_ns, val, count);
}

static ssize_t ktl_race_delay_mode_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%s\n",
			  ktl_race_delay_modes[READ_ONCE(ci_race(ci)->delay_mode)]);
}

static ssize_t ktl_race_delay_mode_store(struct config_item *ci,
					 const char *page, size_t count)
{
	struct ktl_exp *e = to_ktl_exp(ci);
	int mode;

	mode = ktl_exp_parse_choice(e, "delay_mode", page, count,
				    ktl_race_delay_modes,
				    ARRAY_SIZE(ktl_race_delay_modes));
	if (mode < 0)
		return mode;
	return ktl_exp_set(e, "delay_mode", &to_race(e)->delay_mode, mode,
			   count);
}

static ssize_t ktl_race_placement_show(struct config_item *ci, char *page)
{
	return sysfs_emit(page, "%s\n",
			  ktl_race_placements[READ_ONCE(ci_race(ci)->placement)]);
}

static ssize_t ktl_race_placement_store(struct config_item *ci,
					const char *page, size_t count)
{
	struct ktl_exp *e = to_ktl_exp(ci);
	int place;

	place = ktl_exp_parse_choice(e, "placement", page, count,
				     ktl_race_placements,
				     ARRAY_SIZE(ktl_race_placements));
	if (place < 0)
		return place;
	if (place == KTL_PLACE_OTHER && num_online_cpus() < 2) {
		ktl_exp_err(e, "placement: other needs a second online CPU");
		return -EINVAL;
	}
	return ktl_exp_set(e, "placement", &to_race(e)->placement, place,
			   count);
}

static ssize_t ktl_race_completed_show(struct config_item *ci, char *page)
{
	return ktl_exp_show_u64(to_ktl_exp(ci), page, &ci_race(ci)->res.completed);
}

static ssize_t ktl_race_fn_ran_show(struct config_item *ci, char *page)
{
	return ktl_exp_show_u64(to_ktl_exp(ci), page, &ci_race(ci)->res.fn_ran);
}

static ssize_t ktl_race_eintr_show(struct config_item *ci, char *page)
{
	return ktl_exp_show_u64(to_ktl_exp(ci), page, &ci_race(ci)->res.eintr);
}

static ssize_t ktl_race_other_show(struct config_item *ci, char *page)
{
	return ktl_exp_show_u64(to_ktl_exp(ci), page, &ci_race(ci)->res.other);
}

static ssize_t ktl_race_elapsed_ns_show(struct config_item *ci, char *page)
{
	return ktl_exp_show_u64(to_ktl_exp(ci), page,
				&ci_race(ci)->res.elapsed_ns);
}

static ssize_t ktl_race_first_run_ns_show(struct config_item *ci, char *page)
{
	return ktl_exp_show_stat(to_ktl_exp(ci), page,
				 &ci_race(ci)->res.first_run);
}

static ssize_t ktl_race_stop_ns_show(struct config_item *ci, char *page)
{
	return ktl_exp_show_stat(to_ktl_exp(ci), page, &ci_race(ci)->res.stop);
}

CONFIGFS_ATTR(ktl_race_, runs);
CONFIGFS_ATTR(ktl_race_, delay_ns);
CONFIGFS_ATTR(ktl_race_, delay_mode);
CONFIGFS_ATTR(ktl_race_, placement);
CONFIGFS_ATTR_RO(ktl_race_, completed);
CONFIGFS_ATTR_RO(ktl_race_, fn_ran);
CONFIGFS_ATTR_RO(ktl_race_, eintr);
CONFIGFS_ATTR_RO(ktl_race_, other);
CONFIGFS_ATTR_RO(ktl_race_, first_run_ns);
CONFIGFS_ATTR_RO(ktl_race_, stop_ns);
CONFIGFS_ATTR_RO(ktl_race_, elapsed_ns);

static struct configfs_attribute *ktl_race_attrs[] = {
	&ktl_race_attr_runs,
	&ktl_race_attr_delay_ns,
	&ktl_race_attr_delay_mode,
	&ktl_race_attr_placement,
	&ktl_exp_attr_run,
	&ktl_race_attr_completed,
	&ktl_race_attr_fn_ran,
	&ktl_race_attr_eintr,
	&ktl_race_attr_other,
	&ktl_race_attr_first_run_ns,
	&ktl_race_attr_stop_ns,
	&ktl_race_attr_elapsed_ns,
	NULL,
};

const struct ktl_exp_kind ktl_exp_race = {
	.name = "race",
	.tag = 'r',
	.priv_size = sizeof(struct ktl_race),
	.init = ktl_race_init,
	.run = ktl_race_run,
	.attrs = ktl_race_attrs,
};
