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
#include <linux/string.h>

#include "kthread_lab.h"

#define KTL_SNAP_TTL		(60 * HZ)

struct ktl_snap {
	struct list_head node;
	const struct task_struct *reader;	/* compared, never dereferenced */
	unsigned long stamp;
	size_t len;
	char text[];
};

static LIST_HEAD(ktl_snaps);
static DEFINE_MUTEX(ktl_snap_lock);

/* The text of every item's line (render.c), kept for configfs's second call. */
static struct ktl_snap *ktl_snapshot_render(void)
{
	struct ktl_item **items = NULL, *it;
	struct ktl_snap *snap;
	unsigned int n = 0, i = 0;
	size_t cap;

	mutex_lock(&ktl_lock);
	list_for_each_entry(it, &ktl_items, node)
		n++;
	if (n) {
		items = kvmalloc_array(n, sizeof(*items), GFP_KERNEL);
		if (!items)
			goto err_nomem;
	}
	list_for_each_entry(it, &ktl_items, node)
		items[i++] = it;
	cap = ktl_snapshot_size(items, n);
	snap = kvmalloc(struct_size(snap, text, cap), GFP_KERNEL);
	if (!snap)
		goto err_nomem;
	snap->len = ktl_snapshot_format(items, n, snap->text, cap);
	mutex_unlock(&ktl_lock);
	kvfree(items);
	return snap;

err_nomem:
	mutex_unlock(&ktl_lock);
	kvfree(items);
	return ERR_PTR(-ENOMEM);
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
