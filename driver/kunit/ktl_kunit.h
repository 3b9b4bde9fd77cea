/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the KUnit suites: items made on the test's own memory, with no
 * configfs directory and no thread, which is all the pure parts read.
 */
#ifndef KTHREAD_LAB_KUNIT_H
#define KTHREAD_LAB_KUNIT_H

#include <kunit/test.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "../kthread_lab.h"

/* The behaviour called @name, as mkdir in its group finds it. */
static inline const struct ktl_behaviour *
ktl_kunit_behaviour(struct kunit *test, const char *name)
{
	unsigned int i;

	for (i = 0; i < ktl_nr_behaviours; i++)
		if (!strcmp(ktl_behaviours[i]->name, name))
			return ktl_behaviours[i];
	KUNIT_FAIL(test, "no behaviour '%s'", name);
	return NULL;
}

/*
 * An item of behaviour @bname called @name, as mkdir makes it (core.c's
 * defaults, the behaviour's init()), freed with the test.
 */
static inline struct ktl_item *ktl_kunit_item(struct kunit *test,
					      const char *bname,
					      const char *name)
{
	const struct ktl_behaviour *b = ktl_kunit_behaviour(test, bname);
	size_t len = strlen(name) + 1;
	struct ktl_item *it;
	char *copy;

	KUNIT_ASSERT_NOT_NULL(test, b);
	it = kunit_kzalloc(test, struct_size(it, priv,
					     DIV_ROUND_UP(b->priv_size, sizeof(u64))),
			   GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, it);
	copy = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, copy);
	memcpy(copy, name, len);
	it->item.ci_name = copy;
	it->behaviour = b;
	mutex_init(&it->lock);
	it->cpu = -1;
	it->stop_timeout_ms = 5000;
	if (b->init)
		b->init(it);
	return it;
}

/* Writes @val to the behaviour's attribute @attr of @it, which must take it. */
static inline void ktl_kunit_store(struct kunit *test, struct ktl_item *it,
				   const char *attr, const char *val)
{
	struct configfs_attribute **a;

	for (a = it->behaviour->attrs; a && *a; a++) {
		if (strcmp((*a)->ca_name, attr))
			continue;
		KUNIT_ASSERT_EQ(test, (*a)->store(&it->item, val, strlen(val)),
				(ssize_t)strlen(val));
		return;
	}
	KUNIT_FAIL(test, "%s has no attribute %s", it->behaviour->name, attr);
}

#endif /* KTHREAD_LAB_KUNIT_H */
