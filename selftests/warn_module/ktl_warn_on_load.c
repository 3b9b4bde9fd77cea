// SPDX-License-Identifier: GPL-2.0
/*
 * A module that does nothing but print a kernel warning when it loads.
 * The VM runner's own tests load it to prove that a warning in the guest
 * fails the run.
 */
#include <linux/bug.h>
#include <linux/init.h>
#include <linux/module.h>

static int __init ktl_warn_on_load_init(void)
{
	WARN(1, "ktl_warn_on_load: deliberate warning for the runner's tests\n");
	return 0;
}

static void __exit ktl_warn_on_load_exit(void)
{
}

module_init(ktl_warn_on_load_init);
module_exit(ktl_warn_on_load_exit);

MODULE_DESCRIPTION("kthread-lab test module: warns on load");
MODULE_LICENSE("GPL");
