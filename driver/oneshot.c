// SPDX-License-Identifier: GPL-2.0
/*
 * oneshot: returns retval at once. The thread then exits by itself (state
 * `exited`); a later stop is safe only because the item still holds a
 * reference to the task, and kthread_stop() reports what the function
 * returned.
 */
#include "kthread_lab.h"

static int ktl_oneshot_run(struct ktl_item *it)
{
	return ktl_retval(it);
}

const struct ktl_behaviour ktl_oneshot = {
	.name = "oneshot",
	.tag = 'o',
	.run = ktl_oneshot_run,
};
