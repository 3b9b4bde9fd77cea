// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot's text: its header and one line per item, in the order of
 * "<behaviour>/<name>". Pure: it reads the items it is given and writes
 * into the buffer it is given; snapshot.c gathers the items and keeps the
 * text between configfs's two calls. The KUnit suites (driver/kunit/)
 * test it alone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "kthread_lab.h"

#define KTL_SNAP_HEADER_FMT	"# kthread_lab snapshot v1 items=%u\n"
#define KTL_SNAP_HEADER_MAX	sizeof("# kthread_lab snapshot v1 items=4294967295\n")
/*
 * A line's fields after "<behaviour>/<name>", and the same with every field
 * at its widest and the behaviour's name left out (ktl_snapshot_line_max()
 * adds it): the two stay side by side, and ktl_snapshot_format_line() warns
 * if a line ever outgrows its width.
 */
#define KTL_SNAP_CORE_FMT \
	" behaviour=%s state=%s pid=%d cpu=%d nice=%d ran=%d loops=%llu retval=%d stop_timeout_ms=%u stop_result=%s stop_latency_ns=%s parked=%d"
#define KTL_SNAP_CORE_WIDEST \
	" behaviour= state=stopping pid=-2147483648 cpu=-2147483648 nice=-2147483648 ran=0 loops=18446744073709551615 retval=-2147483648 stop_timeout_ms=4294967295 stop_result=-2147483648 stop_latency_ns=-9223372036854775808 parked=0\n"
#define KTL_SNAP_CORE_MAX	sizeof(KTL_SNAP_CORE_WIDEST)

/* The character at @i of "<behaviour>/<name>", NUL at the end. */
static unsigned char ktl_key_at(struct ktl_item *it, size_t blen, size_t i)
{
	if (i < blen)
		return it->behaviour->name[i];
	if (i == blen)
		return '/';
	return config_item_name(&it->item)[i - blen - 1];
}

/* Orders as strcmp() would order the joined "<behaviour>/<name>". */
static int ktl_item_cmp(const void *a, const void *b)
{
	struct ktl_item *x = *(struct ktl_item * const *)a;
	struct ktl_item *y = *(struct ktl_item * const *)b;
	size_t xlen = strlen(x->behaviour->name), ylen = strlen(y->behaviour->name);
	size_t i;

	for (i = 0; ; i++) {
		unsigned char xc = ktl_key_at(x, xlen, i), yc = ktl_key_at(y, ylen, i);

		if (xc != yc || !xc)
			return xc - yc;
	}
}

/* The most one item's line may take, NUL included. */
size_t ktl_snapshot_line_max(struct ktl_item *it)
{
	size_t blen = strlen(it->behaviour->name);

	/* "<behaviour>/<name>" and behaviour=<behaviour> */
	return blen + 1 + strlen(config_item_name(&it->item)) + blen +
	       KTL_SNAP_CORE_MAX + it->behaviour->snapshot_max;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_snapshot_line_max);

/*
 * Writes one item's line into @buf, which holds at least
 * ktl_snapshot_line_max() bytes. A line longer than its width (a field or a
 * behaviour's snapshot_max that was not updated with its format) warns
 * once.
 */
size_t ktl_snapshot_format_line(struct ktl_item *it, char *buf, size_t size)
{
	const struct ktl_behaviour *b = it->behaviour;
	char result[16] = "none", latency[24] = "none";
	size_t max = ktl_snapshot_line_max(it), len;
	int blen = 0;

	if (it->stop_done) {
		snprintf(result, sizeof(result), "%d", it->stop_result);
		snprintf(latency, sizeof(latency), "%lld", it->stop_latency_ns);
	}
	len = scnprintf(buf, size, "%s/%s" KTL_SNAP_CORE_FMT,
			b->name, config_item_name(&it->item), b->name,
			ktl_state_name(ktl_state(it)), it->pid, it->cpu, it->nice,
			READ_ONCE(it->ran), READ_ONCE(it->loops), ktl_retval(it),
			it->stop_timeout_ms, result, latency, it->parked);
	if (b->snapshot) {
		blen = b->snapshot(it, buf + len, size - len);
		len += blen;
	}
	len += scnprintf(buf + len, size - len, "\n");
	/* a behaviour without parameters writes nothing: 0 of 0 fits */
	WARN_ONCE(len + 1 >= size || len >= max ||
		  (blen && blen >= (int)b->snapshot_max),
		  "%s/%s: the snapshot line (%zu bytes, %d of them the behaviour's) outgrew its width (%zu, snapshot_max %zu)\n",
		  b->name, config_item_name(&it->item), len, blen, max,
		  b->snapshot_max);
	return len;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_snapshot_format_line);

size_t ktl_snapshot_size(struct ktl_item *const *items, unsigned int n)
{
	size_t size = KTL_SNAP_HEADER_MAX;
	unsigned int i;

	for (i = 0; i < n; i++)
		size += ktl_snapshot_line_max(items[i]);
	return size;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_snapshot_size);

size_t ktl_snapshot_format(struct ktl_item **items, unsigned int n, char *buf,
			   size_t size)
{
	unsigned int i;
	size_t len;

	sort(items, n, sizeof(*items), ktl_item_cmp, NULL);
	len = scnprintf(buf, size, KTL_SNAP_HEADER_FMT, n);
	for (i = 0; i < n; i++) {
		mutex_lock(&items[i]->lock);
		len += ktl_snapshot_format_line(items[i], buf + len, size - len);
		mutex_unlock(&items[i]->lock);
	}
	return len;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_snapshot_format);
