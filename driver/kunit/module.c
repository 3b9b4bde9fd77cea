// SPDX-License-Identifier: GPL-2.0
/*
 * kthread_lab_kunit: the KUnit suites of kthread_lab's pure parts, the
 * attribute parsers and name checks (parse_kunit.c), the lateness
 * statistics (lateness_kunit.c) and the snapshot's text
 * (snapshot_kunit.c). Loading it runs them; their KTAP is in the kernel
 * log and in /sys/kernel/debug/kunit/<suite>/results. It needs
 * kthread_lab.ko, whose exports for KUnit it uses, and a kernel with KUnit.
 */
#include <linux/module.h>

MODULE_DESCRIPTION("KUnit suites of kthread_lab's parsers, lateness statistics, snapshot lines and name checks");
MODULE_AUTHOR("kthread-lab");
MODULE_LICENSE("GPL");
