// SPDX-License-Identifier: GPL-2.0
/*
 * The root `snapshot` binary attribute: every item's main fields in one read.
 *
 * configfs reads a binary attribute in two calls within one read(): first
 * with a NULL buffer for the size, then into a buffer of exactly that size,
 * and it returns that many bytes whatever the second call writes. The items
 * change between the calls, so the first call renders the whole text and
 * keeps it for the second, keyed by the reading task (the two calls are one
 * system call of one task). A text left behind because the second call never
 * came (an allocation failure in configfs) is dropped by that task's next
 * read or after KTL_SNAP_TTL.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "kthread_lab.h"

#define KTL_SNAP_TTL		(60 * HZ)
#define KTL_SNAP_HEADER_FMT	"# kthread_lab snapshot v1 items=%u\n"
#define KTL_SNAP_HEADER_MAX	sizeof("# kthread_lab snapshot v1 items=4294967295\n")
/*
 * A line's fields after "<behaviour>/<name>", and the same with every field
 * at its widest and the behaviour's name left out (ktl_line_max() adds it):
 * the two stay side by side, and ktl_format_line() warns if a line ever
 * outgrows its width.
 */
#define KTL_SNAP_CORE_FMT \
	" behaviour=%s state=%s pid=%d cpu=%d nice=%d ran=%d loops=%llu retval=%d stop_timeout_ms=%u stop_result=%s stop_latency_ns=%s parked=%d"
#define KTL_SNAP_CORE_WIDEST \
	" behaviour= state=stopping pid=-2147483648 cpu=-2147483648 nice=-2147483648 ran=0 loops=18446744073709551615 retval=-2147483648 stop_timeout_ms=4294967295 stop_result=-2147483648 stop_latency_ns=-9223372036854775808 parked=0\n"
#define KTL_SNAP_CORE_MAX	sizeof(KTL_SNAP_CORE_WIDEST)

struct ktl_snap {
	struct list_head node;
	const struct task_struct *reader;	/* compared, never dereferenced */
	unsigned long stamp;
	size_t len;
	char text[];
};

static LIST_HEAD(ktl_snaps);
static DEFINE_MUTEX(ktl_snap_lock);

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
static size_t ktl_line_max(struct ktl_item *it)
{
	size_t blen = strlen(it->behaviour->name);

	/* "<behaviour>/<name>" and behaviour=<behaviour> */
	return blen + 1 + strlen(config_item_name(&it->item)) + blen +
	       KTL_SNAP_CORE_MAX + it->behaviour->snapshot_max;
}

/*
 * Writes one item's line into @buf, which holds at least ktl_line_max()
 * bytes. A line longer than its width (a field or a behaviour's
 * snapshot_max that was not updated with its format) warns once.
 */
static size_t ktl_format_line(struct ktl_item *it, char *buf, size_t size)
{
	const struct ktl_behaviour *b = it->behaviour;
	char result[16] = "none", latency[24] = "none";
	size_t max = ktl_line_max(it), len;
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
	WARN_ONCE(len + 1 >= size || len >= max ||
		  (b->snapshot && blen >= (int)b->snapshot_max),
		  "%s/%s: the snapshot line (%zu bytes, %d of them the behaviour's) outgrew its width (%zu, snapshot_max %zu)\n",
		  b->name, config_item_name(&it->item), len, blen, max,
		  b->snapshot_max);
	return len;
}

static struct ktl_snap *ktl_snapshot_render(void)
{
	struct ktl_item **items = NULL, *it;
	size_t cap = KTL_SNAP_HEADER_MAX, len;
	struct ktl_snap *snap;
	unsigned int n = 0, i;

	mutex_lock(&ktl_lock);
	list_for_each_entry(it, &ktl_items, node) {
		n++;
		cap += ktl_line_max(it);
	}
	snap = kvmalloc(struct_size(snap, text, cap), GFP_KERNEL);
	if (n)
		items = kvmalloc_array(n, sizeof(*items), GFP_KERNEL);
	if (!snap || (n && !items)) {
		mutex_unlock(&ktl_lock);
		kvfree(items);
		kvfree(snap);
		return ERR_PTR(-ENOMEM);
	}
	i = 0;
	list_for_each_entry(it, &ktl_items, node)
		items[i++] = it;
	sort(items, n, sizeof(*items), ktl_item_cmp, NULL);

	len = scnprintf(snap->text, cap, KTL_SNAP_HEADER_FMT, n);
	for (i = 0; i < n; i++) {
		mutex_lock(&items[i]->lock);
		len += ktl_format_line(items[i], snap->text + len, cap - len);
		mutex_unlock(&items[i]->lock);
	}
	mutex_unlock(&ktl_lock);
	kvfree(items);
	snap->len = len;
	return snap;
}

static void ktl_snap_prune(const struct task_struct *reader)
{
	struct ktl_snap *snap, *next;

	lockdep_assert_held(&ktl_snap_lock);
	list_for_each_entry_safe(snap, next, &ktl_snaps, node) {
		if (snap->reader == reader ||
		    time_after(jiffies, snap->stamp + KTL_SNAP_TTL)) {
			list_del(&snap->node);
			kvfree(snap);
		}
	}
}

static ssize_t ktl_root_snapshot_read(struct config_item *ci, void *buf,
				      size_t size)
{
	struct ktl_snap *snap, *found = NULL;
	ssize_t len;

	if (!buf) {
		snap = ktl_snapshot_render();
		if (IS_ERR(snap))
			return PTR_ERR(snap);
		snap->reader = current;
		snap->stamp = jiffies;
		mutex_lock(&ktl_snap_lock);
		ktl_snap_prune(current);
		list_add(&snap->node, &ktl_snaps);
		mutex_unlock(&ktl_snap_lock);
		return snap->len;
	}

	mutex_lock(&ktl_snap_lock);
	list_for_each_entry(snap, &ktl_snaps, node) {
		if (snap->reader == current) {
			list_del(&snap->node);
			found = snap;
			break;
		}
	}
	mutex_unlock(&ktl_snap_lock);
	if (!found || found->len != size) {
		pr_warn_ratelimited("snapshot: rendered text lost between configfs calls\n");
		len = -EIO;
	} else {
		memcpy(buf, found->text, size);
		len = size;
	}
	kvfree(found);
	return len;
}

CONFIGFS_BIN_ATTR_RO(ktl_root_, snapshot, NULL, 0);

struct configfs_bin_attribute *ktl_root_bin_attrs[] = {
	&ktl_root_attr_snapshot,
	NULL,
};

void ktl_snapshot_exit(void)
{
	struct ktl_snap *snap, *next;

	mutex_lock(&ktl_snap_lock);
	list_for_each_entry_safe(snap, next, &ktl_snaps, node) {
		list_del(&snap->node);
		kvfree(snap);
	}
	mutex_unlock(&ktl_snap_lock);
}
