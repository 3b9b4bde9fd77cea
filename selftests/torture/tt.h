/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktl_torture: concurrent stress of the kthread_lab configfs ABI, in the
 * spirit of the kernel's torture framework (kernel/torture.c): random
 * operations from many threads, periodic quiescent checkpoints ("stutter"),
 * a watcher for tasks stuck in D state, and a final audit and cleanup.
 *
 * tt_main.c   options, discovery of the tree, the run, the report
 * tt_ops.c    what a worker does, and which errno each operation may give
 * tt_check.c  value validation, consistency checks, /proc sampling, cleanup
 */
#ifndef KTL_TORTURE_TT_H
#define KTL_TORTURE_TT_H

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TT_DEFAULT_ROOT "/sys/kernel/config/kthread_lab"
#define TT_MAX_GROUPS 16
#define TT_MAX_ATTRS 48
#define TT_MAX_ROOT_ATTRS 16
#define TT_NAME_LEN 256
#define TT_MAX_WORKERS 256
#define TT_MAX_OPS 160
#define TT_NERRNO 160			/* errno values counted one by one */
#define TT_SNAP_MAX (4 << 20)
#define TT_VAL_MAX 4096

/* Valid values the workers write stay inside these (see tt_ops.c). */
#define TT_STOP_TIMEOUT_MAX_MS 1000	/* a `stop` write waits at most this */
#define TT_SIGNAL_STOP_TIMEOUT_MS 2000	/* ... or this in the signalled stop */
#define TT_RMDIR_WAIT_MS 2000		/* the ABI: rmdir waits up to ~2 s */

enum tt_kind {
	TT_UNKNOWN,	/* not in the table: read only, junk writes counted */
	TT_ONE,		/* start, stop, release: 1 */
	TT_BOOL,	/* 0 or 1 */
	TT_INT,		/* a decimal in [lo, hi] */
	TT_CPU,		/* -1 or an online CPU */
	TT_CHOICE,	/* one of choices[] */
};

/* What the ABI file says about one attribute (tt_ops.c has the table). */
struct tt_spec {
	const char *name;
	enum tt_kind kind;
	long long lo, hi;		/* documented range (TT_INT) */
	long long gen_lo, gen_hi;	/* valid values the workers write */
	const char *const *choices;
	int nchoices;
	int state_errs[4];		/* documented errnos for a valid value */
};

struct tt_attr {
	char name[TT_NAME_LEN];
	bool readable, writable;
	const struct tt_spec *spec;
	int op_read, op_write_ok, op_write_bad;
};

struct tt_group {
	char name[TT_NAME_LEN];
	char tag[8];			/* "ktl_<tag>_" from the probe's comm */
	int parkable;			/* 1, 0, or -1 while unknown */
	struct tt_attr attrs[TT_MAX_ATTRS];
	int nattrs;
	bool has_autostart;
	char autostart_initial[16];
};

struct tt_root_attr {
	char name[TT_NAME_LEN];
	bool readable, writable, binary;
	int op_read;
};

/* One worker's state, read by the watcher for diagnostics. */
struct tt_worker {
	int index;
	pthread_t thread;
	pid_t tid;
	uint64_t rng;
	int sig_timer_ok;
	void *sig_timer;		/* timer_t, opaque here */
	/* the operation under way, for reports of stuck tasks */
	pthread_mutex_t cur_lock;
	char cur[256];
	long long cur_since_ns;
	volatile int done;
	unsigned long ops;
};

struct tt_config {
	int workers;
	int seconds;
	int stutter_s;
	long d_limit_ms;
	unsigned long long seed;
	int verbose;
	const char *root;
};

struct tt_state {
	struct tt_config cfg;
	struct tt_group groups[TT_MAX_GROUPS];
	int ngroups;
	struct tt_root_attr root_attrs[TT_MAX_ROOT_ATTRS];
	int nroot_attrs;
	char max_threads_initial[32];
	bool has_max_threads;
	char param_path[256];		/* the module parameter, "" if none */
	int ncpus_online;
	int online_cpus[256];
	int nposs_cpus;
	char kthreadd_cpus[256];	/* Cpus_allowed_list of kthreadd */

	struct tt_worker workers[TT_MAX_WORKERS];
	struct tt_worker churner;

	volatile int stop;		/* workers: leave */
	volatile int pause_req;		/* workers: wait at the gate */
	int paused;
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;

	long long start_ns;
};

extern struct tt_state tt;

/* names of the pool the workers pick from (tt_ops.c) */
extern const char *const tt_pool[];
extern const int tt_npool;

/* ---- counters (tt_main.c) ---- */
extern __thread long long tt_op_start_ns;
int tt_op_register(const char *label);
void tt_count(int op, int err);
void tt_print_counts(void);
unsigned long tt_total_ops(void);

/* A failure of one of the TAP checks, with a message. */
enum tt_check_id {
	TT_C_ERRNO,		/* an errno the ABI does not document */
	TT_C_FORMAT,		/* a read gave a malformed value */
	TT_C_CONSIST,		/* item state vs attributes vs snapshot vs /proc */
	TT_C_DSTATE,		/* a task in D state too long */
	TT_C_TICK,		/* a running periodic item stopped ticking */
	TT_C_CLEANUP,		/* cleanup left an item or a ktl_ task */
	TT_C_MAXTHREADS,	/* max_threads read back or counting wrong */
	TT_C_WORKERS,		/* a worker did not finish */
	TT_C_NR
};
void tt_fail(enum tt_check_id id, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* the same, shown once per @key (the same finding seen again is counted) */
void tt_fail_key(enum tt_check_id id, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
unsigned long tt_failures(enum tt_check_id id);

/* ---- helpers (tt_check.c) ---- */
long long tt_now_ns(void);
void tt_sleep_ms(long ms);
const char *tt_errname(int err);
int tt_read_file(const char *path, char *buf, size_t size);
int tt_read_value(const char *path, char *buf, size_t size);
int tt_write_file(const char *path, const char *val, size_t len);
int tt_write_str(const char *path, const char *val);
void tt_item_path(char *out, size_t size, const char *group, const char *name);
void tt_attr_path(char *out, size_t size, const char *group, const char *name,
		  const char *attr);
uint64_t tt_rand(uint64_t *s);
unsigned int tt_rand_below(uint64_t *s, unsigned int n);
/* names the operation a worker starts (and starts its clock) */
void tt_set_cur(struct tt_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct tt_group *tt_group_by_name(const char *name);
struct tt_attr *tt_attr_by_name(struct tt_group *g, const char *name);

/* validation of one value read from an attribute: NULL or why it is bad */
const char *tt_validate(const struct tt_group *g, const char *attr,
			const char *val);
/* validation of a whole snapshot text: 0, or -1 after tt_fail() */
int tt_check_snapshot_text(const char *text, size_t len, const char *when);

/* the watcher thread: samples /proc for tasks in D state */
extern volatile int tt_checking;	/* a checkpoint is reading the items */
void *tt_watcher(void *arg);
int tt_watcher_start(void);
void tt_watcher_stop(void);
void tt_watcher_report(void);
void tt_dump_stack(const char *what, pid_t tid);

/* quiescent checks and cleanup */
int tt_check_items(const char *when);
void tt_check_ticking(void);
void tt_cleanup(void);
void tt_check_counting(void);

/* ---- worker (tt_ops.c) ---- */
const struct tt_spec *tt_spec_lookup(const char *name);
void tt_ops_init(void);
void *tt_worker_main(void *arg);
void *tt_churner_main(void *arg);

#endif /* KTL_TORTURE_TT_H */
