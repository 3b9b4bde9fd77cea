// SPDX-License-Identifier: GPL-2.0
/* The behaviours, one default group each, in the order of the tree. */
#include <linux/kernel.h>

#include "kthread_lab.h"

const struct ktl_behaviour *const ktl_behaviours[] = {
	&ktl_busy,
	&ktl_wait,
	&ktl_periodic,
	&ktl_oneshot,
};
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_behaviours);

const unsigned int ktl_nr_behaviours = ARRAY_SIZE(ktl_behaviours);
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_nr_behaviours);
