// SPDX-License-Identifier: GPL-2.0
/*
 * A module that leaks one allocation on load, for the VM runner's own tests:
 * under the debug kernel, `tools/vm/run --debug-kernel --load` must report
 * it through kmemleak and fail the run.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/slab.h>

static int __init ktl_leak_on_load_init(void)
{
	char *lost = kmalloc(64, GFP_KERNEL);

	if (!lost)
		return -ENOMEM;
	strscpy(lost, "ktl_leak_on_load", 64);
	pr_info("ktl_leak_on_load: leaked 64 bytes at load\n");
	/* The pointer goes out of scope here: nothing refers to it any more. */
	return 0;
}

static void __exit ktl_leak_on_load_exit(void)
{
}

module_init(ktl_leak_on_load_init);
module_exit(ktl_leak_on_load_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Leaks one allocation on load (kthread-lab runner test)");
