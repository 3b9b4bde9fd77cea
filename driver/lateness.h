/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lateness statistics of the periodic behaviour's ticks: min, average
 * and max over every tick, p99 over the latest KTL_LATE_WINDOW, and a
 * histogram with fixed 1-2-5 buckets in microseconds. Pure: the caller
 * serialises (periodic.c holds its stats_lock); the KUnit suites
 * (driver/kunit/) test it alone.
 */
#ifndef KTHREAD_LAB_LATENESS_H
#define KTHREAD_LAB_LATENESS_H

#include <linux/types.h>

/* p99 is taken over the most recent ticks */
#define KTL_LATE_WINDOW		1024
#define KTL_LATE_BUCKETS	20

/* lateness_hist bucket lower bounds in us; the last bucket is open-ended */
extern const u32 ktl_lateness_bucket_us[KTL_LATE_BUCKETS];

struct ktl_lateness {
	u64 ticks;
	u64 sum_ns;
	u64 min_ns;
	u64 max_ns;
	u64 hist[KTL_LATE_BUCKETS];
	u32 window_ns[KTL_LATE_WINDOW];	/* ring, clamped to U32_MAX */
};

/* What lateness_ns shows, taken from a struct ktl_lateness. */
struct ktl_lateness_summary {
	u64 ticks;
	u64 sum_ns;
	u64 min_ns;
	u64 max_ns;
	u32 p99_ns;
};

/* The bucket of a lateness of @ns nanoseconds. */
unsigned int ktl_lateness_bucket(u64 ns);
/* One tick @late_ns late (a negative lateness counts as 0). */
void ktl_lateness_record(struct ktl_lateness *l, s64 late_ns);
/*
 * Copies the counters into @s and the window's min(ticks, KTL_LATE_WINDOW)
 * values into @window (KTL_LATE_WINDOW entries); returns how many. Quick
 * enough for a spinlock: the sort is left to ktl_lateness_summarise().
 */
unsigned int ktl_lateness_copy(const struct ktl_lateness *l,
			       struct ktl_lateness_summary *s, u32 *window);
/* Sorts the @n values of @window and sets @s's p99 from them. */
void ktl_lateness_summarise(struct ktl_lateness_summary *s, u32 *window,
			    unsigned int n);
/*
 * lateness_ns: "none" before the first tick, else "<min> <avg> <max> <p99>",
 * in ns, and a newline; lateness_hist: "<bound_us> <ticks>" a line, both
 * zero-padded to 6 digits. scnprintf() style: the length written.
 */
int ktl_lateness_print_ns(const struct ktl_lateness_summary *s, char *buf,
			  size_t size);
int ktl_lateness_print_hist(const u64 *hist, char *buf, size_t size);

#endif /* KTHREAD_LAB_LATENESS_H */
