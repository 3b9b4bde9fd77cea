/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kthread_lab: make kernel-thread lifecycle semantics observable.
 *
 * The core (core.c, snapshot.c) owns configfs, the item lifecycle and the
 * stop contract and knows no behaviour. A behaviour is one file that fills a
 * struct ktl_behaviour; behaviours.c lists them.
 */
#ifndef KTHREAD_LAB_H
#define KTHREAD_LAB_H

#include <linux/completion.h>
#include <linux/configfs.h>
#include <linux/export.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sysfs.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#define KTL_VERSION "0.1.0"

/*
 * The pure parts (parse.c, render.c, lateness.c) are exported for the KUnit
 * suites of kthread_lab_kunit.ko (driver/kunit/) on a kernel with KUnit,
 * and not at all elsewhere. (Not EXPORT_SYMBOL_IF_KUNIT(): its namespace
 * is imported with a bare word up to 6.12 and a string from 6.13 on.)
 */
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_FOR_KTL_KUNIT(sym) EXPORT_SYMBOL_GPL(sym)
#else
#define EXPORT_SYMBOL_FOR_KTL_KUNIT(sym)
#endif

struct ktl_item;

/**
 * enum ktl_state - what an item's thread is doing, as `state` reads it
 * @KTL_CREATED: made by kthread_create(), never woken
 * @KTL_RUNNING: woken; its function has not returned
 * @KTL_PARKED: parked with kthread_park()
 * @KTL_EXITED: the function returned by itself; nobody stopped it yet
 * @KTL_STOPPING: kthread_stop() was called and has not returned
 * @KTL_STOPPED: kthread_stop() returned; `stop_result` holds its value
 *
 * In the order a thread goes through them. ktl_state() derives it from the
 * item's flags, ktl_state_name() names it for configfs.
 */
enum ktl_state {
	KTL_CREATED,
	KTL_RUNNING,
	KTL_PARKED,
	KTL_EXITED,
	KTL_STOPPING,
	KTL_STOPPED,
};

/**
 * struct ktl_behaviour - one behaviour: a group of items running one function
 * @name: the group's directory name and the value of the `behaviour`
 *	attribute
 * @tag: one letter in the task name, "ktl_<tag>_<item name>"
 * @can_park: the thread may be parked with kthread_park(); @run must then
 *	call kthread_parkme() whenever kthread_should_park()
 * @priv_size: bytes of behaviour state reserved after the item (ktl_priv())
 * @init: sets the behaviour's defaults in a zeroed private area
 * @run: the thread function; its return value is what kthread_stop() gets.
 *	It must return promptly once kthread_should_stop() (if it honours
 *	stops at all) or ktl_released() is true: rmdir relies on the latter.
 * @attrs: NULL-terminated extra configfs attributes of every item, or NULL
 * @snapshot: appends " key=value ..." for the snapshot, in a fixed order, at
 *	most @snapshot_max bytes; returns the length written (scnprintf style)
 * @snapshot_max: the most bytes @snapshot writes
 * @features: extra `features` tokens, space-separated, or NULL
 *
 * The core (core.c, snapshot.c) knows no behaviour; each is one file that
 * fills this structure, listed in ktl_behaviours[].
 */
struct ktl_behaviour {
	const char *name;
	char tag;
	bool can_park;
	size_t priv_size;
	void (*init)(struct ktl_item *it);
	int (*run)(struct ktl_item *it);
	struct configfs_attribute **attrs;
	int (*snapshot)(struct ktl_item *it, char *buf, size_t size);
	size_t snapshot_max;
	const char *features;
};

/*
 * The behaviours (behaviours.c lists them in the order of the tree). Adding
 * one: a file defining its struct, its declaration here, its entry in
 * ktl_behaviours[] and its object in Kbuild.
 */
extern const struct ktl_behaviour ktl_busy;
extern const struct ktl_behaviour ktl_wait;
extern const struct ktl_behaviour ktl_periodic;
extern const struct ktl_behaviour ktl_oneshot;

extern const struct ktl_behaviour *const ktl_behaviours[];
extern const unsigned int ktl_nr_behaviours;

struct ktl_item {
	struct config_item item;
	const struct ktl_behaviour *behaviour;
	struct list_head node;		/* ktl_items, under ktl_lock */
	bool counted;			/* in ktl_nr_items, under ktl_lock */

	/*
	 * Serialises the state changes of this item (start, stop, park,
	 * release, bind, nice, live parameter kicks). Nests inside
	 * cpus_read_lock() (bind) and ktl_lock (snapshot).
	 * Never held while waiting for a stop; held across kthread_park(),
	 * which returns promptly because every parkable run() checks
	 * kthread_should_park() in each loop and each sleep, and park is
	 * refused once a stop is requested or the thread released.
	 */
	struct mutex lock;
	struct task_struct *task;	/* referenced from creation to release */
	pid_t pid;
	int cpu;
	int nice;
	int retval;
	unsigned int stop_timeout_ms;
	bool woken;
	bool parked;
	bool stop_requested;
	bool stop_done;

	/* written by the thread, read anywhere: READ_ONCE/WRITE_ONCE */
	bool ran;
	/* also written under lock, so exact for whoever holds it */
	bool fn_returned;
	u64 loops;
	/* makes run() return even when it ignores kthread_should_stop() */
	bool released;

	ktime_t stop_requested_at;
	int stop_result;
	s64 stop_latency_ns;
	struct work_struct stop_work;
	/* moves a stop that has not begun off the writer's CPU */
	struct delayed_work stop_handoff;
	struct completion stopped;

	u64 priv[];			/* behaviour state, priv_size bytes */
};

static inline struct ktl_item *to_ktl_item(struct config_item *ci)
{
	return container_of(ci, struct ktl_item, item);
}

static inline void *ktl_priv(struct ktl_item *it)
{
	return it->priv;
}

static inline bool ktl_released(const struct ktl_item *it)
{
	return READ_ONCE(it->released);
}

static inline void ktl_count_loop(struct ktl_item *it)
{
	WRITE_ONCE(it->loops, it->loops + 1);
}

static inline int ktl_retval(const struct ktl_item *it)
{
	return READ_ONCE(it->retval);
}

#define ktl_err(it, fmt, ...)						\
	do {								\
		struct ktl_item *ktl_err_item__ = (it);			\
									\
		pr_warn_ratelimited("%s/%s: " fmt "\n",		\
				    ktl_err_item__->behaviour->name,	\
				    config_item_name(&ktl_err_item__->item), \
				    ##__VA_ARGS__);			\
	} while (0)

/*
 * parse.c, the pure parts of the core (tested alone by driver/kunit/).
 *
 * Parsers for attribute writes: they parse the whole @count bytes written
 * (a NUL among them is EINVAL; one trailing newline is accepted), log the
 * reason of a refusal and return -EINVAL/-ERANGE.
 */
int ktl_parse_s64(struct ktl_item *it, const char *attr, const char *page,
		  size_t count, s64 min, s64 max, s64 *out);
/*
 * The same for attributes of things that are not items: the log line names
 * "<owner>/<name>" (or only <owner> when @name is NULL).
 */
int ktl_parse_for(const char *owner, const char *name, const char *attr,
		  const char *page, size_t count, s64 min, s64 max, s64 *out);
int ktl_parse_choice_for(const char *owner, const char *name,
			 const char *attr, const char *page, size_t count,
			 const char *const *choices, unsigned int nr_choices);
int ktl_parse_choice(struct ktl_item *it, const char *attr, const char *page,
		     size_t count, const char *const *choices,
		     unsigned int nr_choices);
/* a 0/1 attribute into @dst (WRITE_ONCE): returns @count or the errno */
ssize_t ktl_store_bool(struct ktl_item *it, const char *attr,
		       const char *page, size_t count, bool *dst);
ssize_t ktl_store_bool_for(const char *owner, const char *name,
			   const char *attr, const char *page, size_t count,
			   bool *dst);
/* exactly 1: `start`, `stop`, `release` */
int ktl_parse_one(struct ktl_item *it, const char *attr, const char *page,
		  size_t count);

/*
 * Wakes a started thread so that it re-reads a live parameter; never starts
 * a created one. Caller holds it->lock.
 */
void ktl_kick(struct ktl_item *it);

/* Caller holds it->lock: the flags it reads change under it. */
enum ktl_state ktl_state(const struct ktl_item *it);
const char *ktl_state_name(enum ktl_state state);

/*
 * mkdir's rule for names, in every group: no ASCII control byte, no space
 * (they go verbatim into task names and the snapshot's lines).
 */
bool ktl_name_ok(const char *name);

/*
 * max_threads' slots for threads that belong to no item (the experiments'):
 * ktl_slots_get() takes @n at once or none (-ENOSPC); ktl_slots_put()
 * gives back @n taken before.
 */
int ktl_slots_get(unsigned int n);
void ktl_slots_put(unsigned int n);

/*
 * experiments.c: the root's `experiments` default group, with one group
 * per experiment kind (its own header, experiments.h, is for the kinds).
 */
#define KTL_EXPERIMENTS_FEATURES "experiments"
void ktl_experiments_init(struct config_group *root);

/* snapshot.c: the root's `snapshot` attribute */
extern struct mutex ktl_lock;
extern struct list_head ktl_items;
extern struct configfs_bin_attribute *ktl_root_bin_attrs[];
void ktl_snapshot_exit(void);

/*
 * render.c: the snapshot's text, pure (tested alone by driver/kunit/).
 * ktl_snapshot_size() is what ktl_snapshot_format() may write for these
 * items, NUL included; ktl_snapshot_format() sorts @items by
 * "<behaviour>/<name>" (as strcmp() would) and writes the header and one
 * line per item, each under its item's lock, and returns the length.
 */
size_t ktl_snapshot_size(struct ktl_item *const *items, unsigned int n);
size_t ktl_snapshot_format(struct ktl_item **items, unsigned int n, char *buf,
			   size_t size);
/* one item's line and its widest length, NUL included; caller holds it->lock */
size_t ktl_snapshot_line_max(struct ktl_item *it);
size_t ktl_snapshot_format_line(struct ktl_item *it, char *buf, size_t size);

#endif /* KTHREAD_LAB_H */
