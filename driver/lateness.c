// SPDX-License-Identifier: GPL-2.0
/*
 * The periodic behaviour's lateness statistics (lateness.h); pure, tested
 * alone by the KUnit suites (driver/kunit/).
 */
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "kthread_lab.h"
#include "lateness.h"

const u32 ktl_lateness_bucket_us[KTL_LATE_BUCKETS] = {
	0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000,
	50000, 100000, 200000, 500000, 1000000,
};
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_lateness_bucket_us);

unsigned int ktl_lateness_bucket(u64 ns)
{
	u64 us = div_u64(ns, NSEC_PER_USEC);
	unsigned int b = KTL_LATE_BUCKETS - 1;

	while (b && us < ktl_lateness_bucket_us[b])
		b--;
	return b;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_lateness_bucket);

void ktl_lateness_record(struct ktl_lateness *l, s64 late_ns)
{
	u64 ns = max_t(s64, late_ns, 0);

	if (!l->ticks || ns < l->min_ns)
		l->min_ns = ns;
	if (ns > l->max_ns)
		l->max_ns = ns;
	l->sum_ns += ns;
	l->window_ns[l->ticks % KTL_LATE_WINDOW] = min_t(u64, ns, U32_MAX);
	l->hist[ktl_lateness_bucket(ns)]++;
	l->ticks++;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_lateness_record);

unsigned int ktl_lateness_copy(const struct ktl_lateness *l,
			       struct ktl_lateness_summary *s, u32 *window)
{
	unsigned int n = min_t(u64, l->ticks, KTL_LATE_WINDOW);

	s->ticks = l->ticks;
	s->sum_ns = l->sum_ns;
	s->min_ns = l->min_ns;
	s->max_ns = l->max_ns;
	s->p99_ns = 0;
	memcpy(window, l->window_ns, n * sizeof(*window));
	return n;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_lateness_copy);

static int ktl_u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

void ktl_lateness_summarise(struct ktl_lateness_summary *s, u32 *window,
			    unsigned int n)
{
	if (!n)
		return;
	sort(window, n, sizeof(*window), ktl_u32_cmp, NULL);
	s->p99_ns = window[DIV_ROUND_UP(n * 99, 100) - 1];
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_lateness_summarise);

int ktl_lateness_print_ns(const struct ktl_lateness_summary *s, char *buf,
			  size_t size)
{
	if (!s->ticks)
		return scnprintf(buf, size, "none\n");
	return scnprintf(buf, size, "%llu %llu %llu %u\n", s->min_ns,
			 div64_u64(s->sum_ns, s->ticks), s->max_ns, s->p99_ns);
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_lateness_print_ns);

int ktl_lateness_print_hist(const u64 *hist, char *buf, size_t size)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < KTL_LATE_BUCKETS; i++)
		len += scnprintf(buf + len, size - len, "%06u %06llu\n",
				 ktl_lateness_bucket_us[i], hist[i]);
	return len;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_lateness_print_hist);
