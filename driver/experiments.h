/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel experiments: /sys/kernel/config/kthread_lab/experiments/<kind>/
 * <name>. experiments.c owns the groups, the items, the `run` attribute and
 * what every kind shares (parameters that are EBUSY during a run, results
 * that read "none" until a run published them, the 25 s bound, statistics);
 * a kind is one file that fills a struct ktl_exp_kind.
 */
#ifndef KTL_EXPERIMENTS_H
#define KTL_EXPERIMENTS_H

#include <linux/configfs.h>
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/types.h>

/*
 * A `run` write returns within this long of its start (the run stops
 * beginning new work before it and then cleans up), well within the 30 s
 * no configfs callback may block.
 */
#define KTL_EXP_RUN_MAX_MS	25000

struct ktl_exp;

/* What one `run` write hands the kind. */
struct ktl_exp_ctx {
	ktime_t start;
	ktime_t deadline;	/* start + KTL_EXP_RUN_MAX_MS */
};

/**
 * struct ktl_exp_kind - one kind of experiment: a group under experiments/
 * @name: the group's directory name, under experiments/
 * @tag: one letter in the task names, "ktl_<tag>_<item name>"
 * @priv_size: bytes of parameters and results after the item
 *	(ktl_exp_priv())
 * @init: sets the defaults in a zeroed private area
 * @run: performs a run: called with the run marked in progress (so the
 *	parameters cannot change) and e->lock not held. It first checks and
 *	allocates what it needs; a refusal returns the errno having changed
 *	nothing. Then ktl_exp_begin() (the results read "none"), the work,
 *	bounded by ctx->deadline and ended early by ktl_exp_interrupted(),
 *	and the results published under e->lock with ktl_exp_publish().
 *	Returns 0 or the errno of an early end (ETIMEDOUT, EINTR, or what
 *	made a step fail). Every thread it made is stopped before it returns,
 *	on every path.
 * @attrs: NULL-terminated configfs attributes, ktl_exp_attr_run included
 */
struct ktl_exp_kind {
	const char *name;
	char tag;
	size_t priv_size;
	void (*init)(struct ktl_exp *e);
	int (*run)(struct ktl_exp *e, const struct ktl_exp_ctx *ctx);
	struct configfs_attribute **attrs;
};

extern const struct ktl_exp_kind ktl_exp_race;
extern const struct ktl_exp_kind ktl_exp_spawn;

struct ktl_exp {
	struct config_item item;
	const struct ktl_exp_kind *kind;
	/* running, published, aborted, the parameters and the results */
	struct mutex lock;
	bool running;
	bool published;		/* results to show: else they read "none" */
	bool aborted;		/* the item is being removed */
	u64 priv[];		/* the kind's, priv_size bytes */
};

static inline struct ktl_exp *to_ktl_exp(struct config_item *ci)
{
	return container_of(ci, struct ktl_exp, item);
}

static inline void *ktl_exp_priv(struct ktl_exp *e)
{
	return e->priv;
}

#define ktl_exp_err(e, fmt, ...)					\
	do {								\
		struct ktl_exp *ktl_exp_err_e__ = (e);			\
									\
		pr_warn_ratelimited("experiments/%s/%s: " fmt "\n",	\
				    ktl_exp_err_e__->kind->name,	\
				    config_item_name(&ktl_exp_err_e__->item), \
				    ##__VA_ARGS__);			\
	} while (0)

extern struct configfs_attribute ktl_exp_attr_run;

/* ---- parameters ---- */

/* A number in [min, max] (value errors: EINVAL, ERANGE, logged). */
int ktl_exp_parse(struct ktl_exp *e, const char *attr, const char *page,
		  size_t count, s64 min, s64 max, s64 *out);
/* One of @choices: its index, or -EINVAL (logged). */
int ktl_exp_parse_choice(struct ktl_exp *e, const char *attr,
			 const char *page, size_t count,
			 const char *const *choices, unsigned int nr_choices);
/*
 * Sets a parameter unless a run is in progress (EBUSY, logged): returns
 * @count or the errno.
 */
ssize_t ktl_exp_set(struct ktl_exp *e, const char *attr, unsigned int *field,
		    unsigned int val, size_t count);

/* ---- a run ---- */

/* Results reset: they read "none" until ktl_exp_publish(). */
void ktl_exp_begin(struct ktl_exp *e);
/* Called under e->lock, after the kind stored its results there. */
void ktl_exp_publish(struct ktl_exp *e);

/*
 * Whether the run must end now: -EINTR on a signal or when the item is
 * being removed, -ETIMEDOUT when @need_ns more would pass the deadline,
 * else 0.
 */
int ktl_exp_interrupted(struct ktl_exp *e, const struct ktl_exp_ctx *ctx,
			s64 need_ns);
/*
 * Waits until @until, busy (spin) or asleep on an hrtimer, interruptibly:
 * 0, or -EINTR (a signal, or the item being removed).
 */
int ktl_exp_wait_until(struct ktl_exp *e, ktime_t until, bool spin);

/* Pins the current task to the CPU it runs on; ktl_exp_unpin() undoes it. */
struct ktl_exp_pin {
	cpumask_var_t saved;
	int cpu;
};

int ktl_exp_pin(struct ktl_exp *e, struct ktl_exp_pin *pin);
void ktl_exp_unpin(struct ktl_exp *e, struct ktl_exp_pin *pin);

/* ---- results ---- */

/* "min avg max p99" of some samples, in ns */
struct ktl_exp_stat {
	u32 n;
	s64 min, avg, max, p99;
};

/* Sorts @samples in place. */
void ktl_exp_stat(s64 *samples, u32 n, struct ktl_exp_stat *st);
/* "none" before a run published, then the number. */
ssize_t ktl_exp_show_u64(struct ktl_exp *e, char *page, const u64 *field);
/* "none" before a run published or without samples, else the four. */
ssize_t ktl_exp_show_stat(struct ktl_exp *e, char *page,
			  const struct ktl_exp_stat *st);

#endif /* KTL_EXPERIMENTS_H */
