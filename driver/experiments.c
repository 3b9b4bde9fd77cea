// SPDX-License-Identifier: GPL-2.0
/*
 * The root's `experiments` default group: one group per experiment kind
 * (ktl_exp_kinds[]), one item per directory made in a kind's group. An item
 * holds a kind's parameters and the results of its latest run; writing 1 to
 * its `run` performs the experiment in the writer's own context and returns
 * when it is complete, or early: after KTL_EXP_RUN_MAX_MS (ETIMEDOUT) or on
 * a signal (EINTR), the results then covering what was done.
 *
 * Experiment items are no threads, so they do not count against
 * max_threads; the threads a run makes do, with ktl_slots_get().
 *
 * rmdir during a run: configfs does not call drop_item while a write to
 * one of the item's files is in progress (configfs_rmdir() takes the
 * item's fragment semaphore for writing first, and every store holds it
 * for reading), so the rmdir waits for the run's end, at most
 * KTL_EXP_RUN_MAX_MS and the run's clean-up; a signal to the writer ends
 * the run sooner. Should a run still be going when drop_item comes, it
 * ends at its next check (ktl_exp_interrupted()) and holds a reference to
 * the item until it has.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "kthread_lab.h"
#include "experiments.h"

/* The kinds, one group each under experiments/, in this order. */
static const struct ktl_exp_kind *const ktl_exp_kinds[] = {
	&ktl_exp_race,
	&ktl_exp_spawn,
};

struct ktl_exp_group {
	struct config_group group;
	const struct ktl_exp_kind *kind;
	struct config_item_type item_type;
};

static struct config_group ktl_exp_top;
static struct ktl_exp_group ktl_exp_groups[ARRAY_SIZE(ktl_exp_kinds)];

/* ---- parameters ---- */

int ktl_exp_parse(struct ktl_exp *e, const char *attr, const char *page,
		  size_t count, s64 min, s64 max, s64 *out)
{
	char owner[32];

	snprintf(owner, sizeof(owner), "experiments/%s", e->kind->name);
	return ktl_parse_for(owner, config_item_name(&e->item), attr, page,
			     count, min, max, out);
}

int ktl_exp_parse_choice(struct ktl_exp *e, const char *attr,
			 const char *page, size_t count,
			 const char *const *choices, unsigned int nr_choices)
{
	char owner[32];

	snprintf(owner, sizeof(owner), "experiments/%s", e->kind->name);
	return ktl_parse_choice_for(owner, config_item_name(&e->item), attr,
				    page, count, choices, nr_choices);
}

ssize_t ktl_exp_set(struct ktl_exp *e, const char *attr, unsigned int *field,
		    unsigned int val, size_t count)
{
	ssize_t ret = count;

	mutex_lock(&e->lock);
	if (e->running)
		ret = -EBUSY;
	else
		WRITE_ONCE(*field, val);
	mutex_unlock(&e->lock);
	if (ret < 0)
		ktl_exp_err(e, "%s: a run is in progress", attr);
	return ret;
}

/* ---- a run ---- */

void ktl_exp_begin(struct ktl_exp *e)
{
	mutex_lock(&e->lock);
	e->published = false;
	mutex_unlock(&e->lock);
}

void ktl_exp_publish(struct ktl_exp *e)
{
	lockdep_assert_held(&e->lock);
	e->published = true;
}

int ktl_exp_interrupted(struct ktl_exp *e, const struct ktl_exp_ctx *ctx,
			s64 need_ns)
{
	if (signal_pending(current) || READ_ONCE(e->aborted))
		return -EINTR;
	if (ktime_after(ktime_add_ns(ktime_get(), need_ns), ctx->deadline))
		return -ETIMEDOUT;
	return 0;
}

int ktl_exp_wait_until(struct ktl_exp *e, ktime_t until, bool spin)
{
	if (spin) {
		while (ktime_before(ktime_get(), until)) {
			if (signal_pending(current) || READ_ONCE(e->aborted))
				return -EINTR;
			cpu_relax();
		}
		return 0;
	}
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (signal_pending(current) || READ_ONCE(e->aborted)) {
			__set_current_state(TASK_RUNNING);
			return -EINTR;
		}
		if (!ktime_before(ktime_get(), until))
			break;
		schedule_hrtimeout(&until, HRTIMER_MODE_ABS);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

int ktl_exp_pin(struct ktl_exp *e, struct ktl_exp_pin *pin)
{
	int err;

	if (!alloc_cpumask_var(&pin->saved, GFP_KERNEL))
		return -ENOMEM;
	cpumask_copy(pin->saved, current->cpus_ptr);
	/* where it runs now; set_cpus_allowed_ptr() moves it back if need be */
	pin->cpu = raw_smp_processor_id();
	err = set_cpus_allowed_ptr(current, cpumask_of(pin->cpu));
	if (err) {
		ktl_exp_err(e, "run: cannot pin the writer to CPU %d (%d)",
			    pin->cpu, err);
		free_cpumask_var(pin->saved);
	}
	return err;
}

void ktl_exp_unpin(struct ktl_exp *e, struct ktl_exp_pin *pin)
{
	int err = set_cpus_allowed_ptr(current, pin->saved);

	if (err)
		ktl_exp_err(e, "run: cannot restore the writer's CPUs (%d)", err);
	free_cpumask_var(pin->saved);
}

static ssize_t ktl_exp_run_store(struct config_item *ci, const char *page,
				 size_t count)
{
	struct ktl_exp *e = to_ktl_exp(ci);
	struct ktl_exp_ctx ctx;
	s64 val;
	int err;

	err = ktl_exp_parse(e, "run", page, count, 1, 1, &val);
	if (err)
		return err;
	mutex_lock(&e->lock);
	if (e->running) {
		mutex_unlock(&e->lock);
		ktl_exp_err(e, "run: a run is in progress");
		return -EBUSY;
	}
	e->running = true;
	mutex_unlock(&e->lock);

	/* see the top of the file: drop_item never frees a running item */
	config_item_get(ci);
	ctx.start = ktime_get();
	ctx.deadline = ktime_add_ms(ctx.start, KTL_EXP_RUN_MAX_MS);
	err = e->kind->run(e, &ctx);

	mutex_lock(&e->lock);
	e->running = false;
	mutex_unlock(&e->lock);
	config_item_put(ci);
	return err ?: count;
}

/* "run" is in every kind's attributes: the kinds list it themselves. */
struct configfs_attribute ktl_exp_attr_run = {
	.ca_name	= "run",
	.ca_owner	= THIS_MODULE,
	.ca_mode	= 0200,
	.store		= ktl_exp_run_store,
};

/* ---- results ---- */

static int ktl_exp_cmp(const void *a, const void *b)
{
	s64 x = *(const s64 *)a, y = *(const s64 *)b;

	return x < y ? -1 : x > y;
}

void ktl_exp_stat(s64 *samples, u32 n, struct ktl_exp_stat *st)
{
	s64 sum = 0;
	u32 i;

	memset(st, 0, sizeof(*st));
	st->n = n;
	if (!n)
		return;
	sort(samples, n, sizeof(*samples), ktl_exp_cmp, NULL);
	for (i = 0; i < n; i++)
		sum += samples[i];
	st->min = samples[0];
	st->max = samples[n - 1];
	st->avg = div_s64(sum, n);
	/* nearest rank, as periodic's lateness_ns */
	st->p99 = samples[DIV_ROUND_UP((u64)n * 99, 100) - 1];
}

ssize_t ktl_exp_show_u64(struct ktl_exp *e, char *page, const u64 *field)
{
	ssize_t len;

	mutex_lock(&e->lock);
	if (e->published)
		len = sysfs_emit(page, "%llu\n", *field);
	else
		len = sysfs_emit(page, "none\n");
	mutex_unlock(&e->lock);
	return len;
}

ssize_t ktl_exp_show_stat(struct ktl_exp *e, char *page,
			  const struct ktl_exp_stat *st)
{
	ssize_t len;

	mutex_lock(&e->lock);
	if (e->published && st->n)
		len = sysfs_emit(page, "%lld %lld %lld %lld\n", st->min,
				 st->avg, st->max, st->p99);
	else
		len = sysfs_emit(page, "none\n");
	mutex_unlock(&e->lock);
	return len;
}

/* ---- items ---- */

static void ktl_exp_release(struct config_item *ci)
{
	struct ktl_exp *e = to_ktl_exp(ci);

	mutex_destroy(&e->lock);
	kfree(e);
}

static struct configfs_item_operations ktl_exp_item_ops = {
	.release = ktl_exp_release,
};

static struct config_item *ktl_exp_make_item(struct config_group *group,
					     const char *name)
{
	struct ktl_exp_group *grp = container_of(group, struct ktl_exp_group,
						 group);
	const struct ktl_exp_kind *k = grp->kind;
	struct ktl_exp *e;
	int err;

	if (!ktl_name_ok(name)) {
		pr_warn_ratelimited("experiments/%s/%*pE: mkdir: the name holds a space or an ASCII control character\n",
				    k->name, (int)strlen(name), name);
		return ERR_PTR(-EINVAL);
	}
	e = kzalloc(struct_size(e, priv, DIV_ROUND_UP(k->priv_size, sizeof(u64))),
		    GFP_KERNEL);
	if (!e)
		return ERR_PTR(-ENOMEM);
	e->kind = k;
	mutex_init(&e->lock);
	if (k->init)
		k->init(e);
	/* as the core does: from here config_item_put() frees it */
	config_item_init_type_name(&e->item, "", &grp->item_type);
	err = config_item_set_name(&e->item, "%s", name);
	if (err) {
		pr_warn_ratelimited("experiments/%s/%s: mkdir: no memory for the name (%d)\n",
				    k->name, name, err);
		config_item_put(&e->item);
		return ERR_PTR(-ENOMEM);
	}
	return &e->item;
}

static void ktl_exp_drop_item(struct config_group *group,
			      struct config_item *ci)
{
	struct ktl_exp *e = to_ktl_exp(ci);

	mutex_lock(&e->lock);
	WRITE_ONCE(e->aborted, true);
	mutex_unlock(&e->lock);
	config_item_put(ci);
}

static struct configfs_group_operations ktl_exp_group_ops = {
	.make_item = ktl_exp_make_item,
	.drop_item = ktl_exp_drop_item,
};

static const struct config_item_type ktl_exp_group_type = {
	.ct_group_ops	= &ktl_exp_group_ops,
	.ct_owner	= THIS_MODULE,
};

static const struct config_item_type ktl_exp_top_type = {
	.ct_owner	= THIS_MODULE,
};

void ktl_experiments_init(struct config_group *root)
{
	unsigned int i;

	config_group_init_type_name(&ktl_exp_top, "experiments",
				    &ktl_exp_top_type);
	for (i = 0; i < ARRAY_SIZE(ktl_exp_kinds); i++) {
		struct ktl_exp_group *grp = &ktl_exp_groups[i];

		grp->kind = ktl_exp_kinds[i];
		grp->item_type.ct_item_ops = &ktl_exp_item_ops;
		grp->item_type.ct_attrs = grp->kind->attrs;
		grp->item_type.ct_owner = THIS_MODULE;
		config_group_init_type_name(&grp->group, grp->kind->name,
					    &ktl_exp_group_type);
		configfs_add_default_group(&grp->group, &ktl_exp_top);
	}
	configfs_add_default_group(&ktl_exp_top, root);
}
