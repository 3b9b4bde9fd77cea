// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: mkdir and the snapshot read under allocation failure.
 *
 * The per-task fail-nth sweep (Documentation/fault-injection): write N to
 * /proc/thread-self/fail-nth and the N-th fault-injectable call of the next
 * operation fails; reading the file back gives 0 once the fault was
 * injected. N = 1, 2, ... until an operation runs with no fault left to
 * inject. failslab and fail_page_alloc are enabled for GFP_KERNEL
 * (ignore-gfp-wait=N, and min-order=0 for pages) with probability 0, so
 * only the sweep's own call fails. Thread creation (done by kthreadd, not
 * by the caller) is swept through kthreadd's own fail-nth.
 *
 * At every injected fault: mkdir either fails with ENOMEM and leaves
 * nothing behind (no directory, no snapshot line, no ktl_ thread, no slot
 * of max_threads), or succeeds with a fully working item (the fault was
 * absorbed, as kthread_create() does when it cannot allocate a long task
 * name). A snapshot read fails with ENOMEM or gives the whole text, and the
 * next read works. Long names (20 bytes or more) make configfs allocate
 * the item's name. Leaks are kmemleak's business (the runner scans after
 * unload on the debug kernel).
 *
 * Kernels without CONFIG_FAULT_INJECTION (Debian's) skip, saying why.
 */
#include <sys/mount.h>

#include "lab.h"

#define DEBUGFS "/sys/kernel/debug"
#define SNAP_MAX (1 << 20)
#define MAX_STEPS 2000
#define MAX_GROUPS 16
#define MAX_KNOBS 6
#define LONG_NAME_MIN 20	/* CONFIGFS_ITEM_NAME_LEN: longer names are allocated */

struct knob {
	char path[PATH_MAX];
	char saved[64];
};

struct sweep_stats {
	unsigned int steps, faults, failed, absorbed;
};

FIXTURE(fault) {
	bool skip;
	char why[512];
	int nth_fd;		/* this task's fail-nth */
	int kthreadd_fd;	/* kthreadd's fail-nth, or -1 */
	struct knob knobs[MAX_KNOBS];
	int nknobs;
	char groups[MAX_GROUPS][NAME_MAX + 1];
	int ngroups;
	bool usercopy;		/* fail_usercopy exists: EFAULT is clean too */
	char *snap;
	unsigned int total_faults;
};

FIXTURE_VARIANT(fault) {
	const char *injector;	/* the debugfs directory enabled */
	bool long_name;
};

FIXTURE_VARIANT_ADD(fault, failslab_short_name) {
	.injector = "failslab", .long_name = false,
};

FIXTURE_VARIANT_ADD(fault, failslab_long_name) {
	.injector = "failslab", .long_name = true,
};

FIXTURE_VARIANT_ADD(fault, fail_page_alloc_short_name) {
	.injector = "fail_page_alloc", .long_name = false,
};

FIXTURE_VARIANT_ADD(fault, fail_page_alloc_long_name) {
	.injector = "fail_page_alloc", .long_name = true,
};

static int set_knob(FIXTURE_DATA(fault) *self, const char *injector,
		    const char *name, const char *value)
{
	struct knob *k = &self->knobs[self->nknobs];

	snprintf(k->path, sizeof(k->path), DEBUGFS "/%s/%s", injector, name);
	if (lab_read_path(k->path, k->saved, sizeof(k->saved)) < 0)
		return -errno;
	self->nknobs++;
	return lab_write_path(k->path, value);
}

static void list_groups(FIXTURE_DATA(fault) *self)
{
	struct dirent *de;
	DIR *d = opendir(lab_root());

	while (d && (de = readdir(d)) && self->ngroups < MAX_GROUPS) {
		if (de->d_name[0] == '.')
			continue;
		if (lab_is_behaviour_group(de->d_name))
			snprintf(self->groups[self->ngroups++], sizeof(self->groups[0]),
				 "%s", de->d_name);
	}
	if (d)
		closedir(d);
}

FIXTURE_SETUP(fault)
{
	char path[PATH_MAX], comm[32];

	LAB_REQUIRE_ROOT();
	self->nth_fd = self->kthreadd_fd = -1;
	self->snap = malloc(SNAP_MAX);
	ASSERT_NE(NULL, self->snap);
	list_groups(self);
	ASSERT_LT(0, self->ngroups);

	if (access("/proc/thread-self/fail-nth", F_OK)) {
		self->skip = true;
		snprintf(self->why, sizeof(self->why),
			 "kernel %.64s without CONFIG_FAULT_INJECTION (no /proc/thread-self/fail-nth)",
			 getenv("KTL_KERNEL") ?: "");
		return;
	}
	snprintf(path, 200, DEBUGFS "/%s", variant->injector);
	if (access(path, F_OK))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	if (access(path, F_OK)) {
		self->skip = true;
		snprintf(self->why, sizeof(self->why),
			 "no %.200s: kernel without CONFIG_%s or CONFIG_FAULT_INJECTION_DEBUG_FS",
			 path, strcmp(variant->injector, "failslab") ?
			 "FAIL_PAGE_ALLOC" : "FAILSLAB");
		return;
	}
	self->usercopy = !access(DEBUGFS "/fail_usercopy", F_OK);
	/* GFP_KERNEL allocations count; probability stays 0 */
	ASSERT_EQ(0, set_knob(self, variant->injector, "ignore-gfp-wait", "N"));
	if (!strcmp(variant->injector, "fail_page_alloc"))
		ASSERT_EQ(0, set_knob(self, variant->injector, "min-order", "0"));
	ASSERT_EQ(0, set_knob(self, variant->injector, "verbose", "1"));
	self->nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth_fd);
	if (lab_read_path("/proc/2/comm", comm, sizeof(comm)) > 0 &&
	    !strcmp(comm, "kthreadd"))
		self->kthreadd_fd = open("/proc/2/fail-nth", O_RDWR | O_CLOEXEC);
}

static int nth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* What is left of the count: 0 once the fault was injected, or -errno. */
static long nth_left(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -errno;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

FIXTURE_TEARDOWN(fault)
{
	int i;

	if (self->nth_fd >= 0) {
		nth_arm(self->nth_fd, 0);
		close(self->nth_fd);
	}
	if (self->kthreadd_fd >= 0) {
		nth_arm(self->kthreadd_fd, 0);
		close(self->kthreadd_fd);
	}
	for (i = self->nknobs; i-- > 0;)
		lab_write_path(self->knobs[i].path, self->knobs[i].saved);
	lab_cleanup();
	free(self->snap);
	if (self->total_faults)
		fprintf(stderr, "# faults injected in this test: %u\n",
			self->total_faults);
}

/* pids of kernel threads named ktl_*; returns how many (at most @max) */
static int ktl_pids(pid_t *out, int max)
{
	char path[300], buf[512], *p;
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	while (d && (de = readdir(d)) && n < max) {
		unsigned long flags;
		int i;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (lab_read_path(path, buf, sizeof(buf)) <= 0)
			continue;
		p = strchr(buf, '(');
		if (!p || strncmp(p + 1, "ktl_", 4))
			continue;
		p = strrchr(buf, ')');
		/* field 9 is flags; PF_KTHREAD 0x00200000 */
		for (i = 2; p && i < 9; i++)
			p = strchr(p + 1, ' ');
		flags = p ? strtoul(p + 1, NULL, 10) : 0;
		if (flags & 0x00200000UL)
			out[n++] = atoi(de->d_name);
	}
	if (d)
		closedir(d);
	return n;
}

/* Polls until no ktl_ thread exists beyond @before: true, or false. */
static bool ktl_threads_back_to(const pid_t *before, int nbefore, long timeout_ms)
{
	long long deadline = lab_now_ns() + timeout_ms * 1000000LL;
	pid_t now[256];
	int n, i, j;

	for (;;) {
		bool extra = false;

		n = ktl_pids(now, 256);
		for (i = 0; i < n && !extra; i++) {
			for (j = 0; j < nbefore && before[j] != now[i]; j++)
				;
			extra = j == nbefore;
		}
		if (!extra)
			return true;
		if (lab_now_ns() > deadline)
			return false;
		usleep(LAB_POLL_US);
	}
}

static void item_name(char *out, size_t size, bool long_name, const char *tag)
{
	/* the prefix lets the harness's exit hook sweep leftovers */
	if (long_name)
		snprintf(out, size, "kst%d-%s-name-long-enough-to-allocate",
			 (int)lab_harness_pid, tag);
	else
		snprintf(out, size, "kst%d-%s", (int)lab_harness_pid, tag);
}

/* A snapshot read with no fault: must work and list @key ("\n<g>/<n> "). */
static bool snapshot_lists(struct __test_metadata *_metadata,
			   FIXTURE_DATA(fault) *self, const char *key)
{
	int len = lab_snapshot(self->snap, SNAP_MAX);

	EXPECT_LT(0, len) TH_LOG("snapshot read: %s", strerror(-len));
	return len > 0 && strstr(self->snap, key);
}

/* An item made despite an injected fault (or with none) works. */
static void check_item_works(struct __test_metadata *_metadata,
			     FIXTURE_DATA(fault) *self, const char *group,
			     const char *name, const char *dir)
{
	char key[256], path[PATH_MAX], buf[128], comm[80];
	long long pid;

	snprintf(key, sizeof(key), "\n%s/%s ", group, name);
	EXPECT_TRUE(snapshot_lists(_metadata, self, key))
		TH_LOG("%s/%s made but not in the snapshot", group, name);
	lab_join(path, sizeof(path), dir, "state");
	EXPECT_LT(0, lab_read_path(path, buf, sizeof(buf)));
	lab_join(path, sizeof(path), dir, "pid");
	pid = lab_read_path(path, buf, sizeof(buf)) > 0 ? atoll(buf) : -1;
	EXPECT_LT(0, pid);
	snprintf(path, sizeof(path), "/proc/%lld/comm", pid);
	if (pid > 0 && lab_read_path(path, comm, sizeof(comm)) > 0) {
		/* "ktl_<tag>_<name>", cut to 15 when its copy failed */
		const char *p = strncmp(comm, "ktl_", 4) ? NULL : strchr(comm + 4, '_');

		EXPECT_NE(NULL, p) TH_LOG("comm '%s'", comm);
		if (p) {
			p++;
			EXPECT_EQ(0, strncmp(p, name, strlen(p))) TH_LOG("comm '%s'", comm);
			EXPECT_TRUE(!strcmp(p, name) || strlen(comm) >= 15)
				TH_LOG("comm '%s' for %s", comm, name);
		}
	}
	EXPECT_EQ(0, rmdir(dir)) TH_LOG("rmdir %s: %s", dir, strerror(errno));
	lab_untrack(dir);
	EXPECT_EQ(0, lab_wait_pid_gone(pid, LAB_DEADLINE_MS));
}

/*
 * With max_threads one above the items there are, one mkdir still fits:
 * no failed mkdir kept a slot. Background stops may take a moment.
 */
static void check_slot_free(struct __test_metadata *_metadata,
			    const char *group)
{
	long long items = lab_snapshot_items(), deadline;
	char limit[32], dir[PATH_MAX];
	int err;

	ASSERT_LE(0, items);
	snprintf(limit, sizeof(limit), "%lld", items + 1);
	ASSERT_EQ(0, lab_set_max_threads(limit));
	snprintf(dir, sizeof(dir), "%s/%s/kst%d-slot", lab_root(), group,
		 (int)lab_harness_pid);
	deadline = lab_now_ns() + LAB_DEADLINE_MS * 1000000LL;
	while ((err = mkdir(dir, 0755) ? errno : 0) == ENOSPC &&
	       lab_now_ns() < deadline)
		usleep(LAB_POLL_US);
	EXPECT_EQ(0, err) TH_LOG("max_threads %s, %lld items: mkdir %s: %s (a slot leaked)",
				 limit, items, group, strerror(err));
	if (!err)
		EXPECT_EQ(0, rmdir(dir));
	ASSERT_EQ(0, lab_root_set("max_threads", lab_saved_max_threads));
}

/*
 * mkdir <group>/<name> with the N-th fault-injectable call of the task
 * behind @nth_fd failing, N = 1, 2, ... until a mkdir runs with no fault
 * left to inject.
 */
static void sweep_mkdir(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self, int nth_fd, int also_clean,
			const char *group, const char *name,
			struct sweep_stats *st)
{
	char dir[PATH_MAX], key[256];
	long long items0 = lab_snapshot_items();
	pid_t before[256];
	int nbefore = ktl_pids(before, 256);
	unsigned int n;

	snprintf(dir, sizeof(dir), "%s/%s/%s", lab_root(), group, name);
	snprintf(key, sizeof(key), "\n%s/%s ", group, name);
	ASSERT_LE(0, items0);
	for (n = 1; n <= MAX_STEPS; n++) {
		long left;
		int err;

		ASSERT_EQ(0, nth_arm(nth_fd, n));
		err = mkdir(dir, 0755) ? errno : 0;
		left = nth_left(nth_fd);
		nth_arm(nth_fd, 0);
		ASSERT_LE(0, left);
		if (!err)
			lab_track(dir);
		st->steps++;
		if (left) {
			/* the N-th call never came: this mkdir ran fault-free */
			EXPECT_EQ(0, err) TH_LOG("mkdir %s/%s with no fault: %s",
						 group, name, strerror(err));
			if (!err)
				check_item_works(_metadata, self, group, name, dir);
			return;
		}
		st->faults++;
		self->total_faults++;
		if (!err) {
			st->absorbed++;
			check_item_works(_metadata, self, group, name, dir);
		} else {
			st->failed++;
			EXPECT_TRUE(err == ENOMEM || (also_clean && err == also_clean) ||
				    (err == EFAULT && self->usercopy))
				TH_LOG("fault %u: mkdir %s/%s: %s, want ENOMEM", n,
				       group, name, strerror(err));
			EXPECT_FALSE(access(dir, F_OK) == 0)
				TH_LOG("fault %u: failed mkdir left %s", n, dir);
			EXPECT_FALSE(snapshot_lists(_metadata, self, key))
				TH_LOG("fault %u: failed mkdir left a snapshot line", n);
			EXPECT_EQ(items0, lab_snapshot_items());
			EXPECT_TRUE(ktl_threads_back_to(before, nbefore, LAB_DEADLINE_MS))
				TH_LOG("fault %u: failed mkdir %s/%s left a ktl_ thread",
				       n, group, name);
		}
		if (!_metadata->passed)
			return;	/* the first failure tells enough */
	}
	EXPECT_LT(n, (unsigned int)MAX_STEPS) TH_LOG("no fault-free mkdir after %u faults", n);
}

/* After injection stops, every group makes, starts, stops and removes. */
static void check_lab_works(struct __test_metadata *_metadata,
			    FIXTURE_DATA(fault) *self)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[64], name[128];
	int g;

	for (g = 0; g < self->ngroups; g++) {
		item_name(name, sizeof(name), true, "after");
		snprintf(dir, sizeof(dir), "%s/%s/%s", lab_root(), self->groups[g], name);
		ASSERT_EQ(0, mkdir(dir, 0755)) TH_LOG("mkdir %s: %s", dir, strerror(errno));
		lab_track(dir);
		lab_join(path, sizeof(path), dir, "stop");
		EXPECT_EQ(0, lab_write_path(path, "1"));
		lab_join(path, sizeof(path), dir, "state");
		EXPECT_LT(0, lab_read_path(path, buf, sizeof(buf)));
		EXPECT_STREQ("stopped", buf);
		EXPECT_EQ(0, rmdir(dir));
		lab_untrack(dir);
	}
	check_slot_free(_metadata, self->groups[0]);
}

static void report(const char *what, const char *group, const char *name,
		   const struct sweep_stats *st)
{
	fprintf(stderr, "# %s %s/%s (%zu bytes): %u faults injected in %u steps: %u mkdir failed cleanly, %u absorbed (item works)\n",
		what, group, name, strlen(name), st->faults, st->steps, st->failed,
		st->absorbed);
}

TEST_F_TIMEOUT(fault, mkdir_fails_cleanly_at_each_allocation, 1800)
{
	char name[128];
	int g;

	if (self->skip)
		SKIP(return, "%s", self->why);
	item_name(name, sizeof(name), variant->long_name, "mk");
	ASSERT_EQ(variant->long_name, strlen(name) >= LONG_NAME_MIN);
	for (g = 0; g < self->ngroups; g++) {
		struct sweep_stats st = { 0 };

		sweep_mkdir(_metadata, self, self->nth_fd, 0, self->groups[g], name,
			    &st);
		report(variant->injector, self->groups[g], name, &st);
		ASSERT_TRUE(_metadata->passed);
		/* slab allocations there are; pages may all come from caches */
		if (!strcmp(variant->injector, "failslab"))
			EXPECT_LT(0u, st.faults) TH_LOG("no fault injected: is failslab enabled?");
		check_slot_free(_metadata, self->groups[g]);
	}
	check_lab_works(_metadata, self);
}

/*
 * kthread_create() asks kthreadd to make the thread: kthreadd's own
 * fail-nth makes its N-th allocation fail. kthreadd also creates other
 * threads (kworkers) meanwhile, so a fault may land there: such a mkdir
 * succeeds and counts as absorbed. copy_process() fails with EAGAIN, not
 * ENOMEM, when the allocation of a kthread's struct kthread fails (6.1 and
 * 6.12: set_kthread_struct() failing leaves retval at -EAGAIN), so mkdir
 * passes EAGAIN on: clean too.
 */
TEST_F_TIMEOUT(fault, mkdir_fails_cleanly_when_kthread_create_fails, 1800)
{
	char name[128];
	int g;

	if (self->skip)
		SKIP(return, "%s", self->why);
	if (self->kthreadd_fd < 0)
		SKIP(return, "no kthreadd at pid 2 to inject faults into");
	item_name(name, sizeof(name), variant->long_name, "kt");
	for (g = 0; g < self->ngroups; g++) {
		struct sweep_stats st = { 0 };

		sweep_mkdir(_metadata, self, self->kthreadd_fd, EAGAIN,
			    self->groups[g], name, &st);
		report("kthreadd", self->groups[g], name, &st);
		ASSERT_TRUE(_metadata->passed);
		if (!strcmp(variant->injector, "failslab"))
			EXPECT_LT(0u, st.failed) TH_LOG("no mkdir failed: kthread_create() never failed");
		check_slot_free(_metadata, self->groups[g]);
	}
	check_lab_works(_metadata, self);
}

TEST_F_TIMEOUT(fault, snapshot_read_fails_cleanly_at_each_allocation, 900)
{
	struct sweep_stats st = { 0 };
	char name[128], dir[PATH_MAX], path[PATH_MAX];
	long long items;
	unsigned int n;
	int g, len;

	if (self->skip)
		SKIP(return, "%s", self->why);
	item_name(name, sizeof(name), variant->long_name, "snap");
	for (g = 0; g < self->ngroups; g++) {
		snprintf(dir, sizeof(dir), "%s/%s/%s", lab_root(), self->groups[g], name);
		ASSERT_EQ(0, mkdir(dir, 0755));
		lab_track(dir);
	}
	items = lab_snapshot_items();
	ASSERT_LE(self->ngroups, items);
	lab_root_path(path, sizeof(path), "snapshot");
	for (n = 1; n <= MAX_STEPS; n++) {
		size_t got = 0;
		long left;
		ssize_t r;
		int fd, err = 0;

		ASSERT_EQ(0, nth_arm(self->nth_fd, n));
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			err = errno;
		while (fd >= 0 && got < SNAP_MAX - 1) {
			r = read(fd, self->snap + got, SNAP_MAX - 1 - got);
			if (r < 0)
				err = errno;
			if (r <= 0)
				break;
			got += r;
		}
		left = nth_left(self->nth_fd);
		nth_arm(self->nth_fd, 0);
		if (fd >= 0)
			close(fd);
		ASSERT_LE(0, left);
		self->snap[got] = '\0';
		st.steps++;
		if (left) {
			EXPECT_EQ(0, err);
			break;
		}
		st.faults++;
		self->total_faults++;
		if (err) {
			st.failed++;
			EXPECT_TRUE(err == ENOMEM || (err == EFAULT && self->usercopy))
				TH_LOG("fault %u: snapshot read: %s, want ENOMEM", n,
				       strerror(err));
		} else {
			long long shown = -1;

			/* a read that succeeded is the whole text */
			st.absorbed++;
			sscanf(self->snap, "# kthread_lab snapshot v1 items=%lld", &shown);
			EXPECT_EQ(items, shown) TH_LOG("fault %u: snapshot '%.80s'", n,
						       self->snap);
		}
		/* the next read works */
		len = lab_snapshot(self->snap, SNAP_MAX);
		EXPECT_LT(0, len) TH_LOG("fault %u: the read after: %s", n,
					 strerror(-len));
		EXPECT_EQ(items, lab_snapshot_items());
		if (!_metadata->passed)
			break;
	}
	fprintf(stderr, "# %s snapshot read with %lld items: %u faults injected in %u steps: %u reads failed cleanly, %u absorbed\n",
		variant->injector, items, st.faults, st.steps, st.failed, st.absorbed);
	EXPECT_LT(0u, st.faults);
	check_lab_works(_metadata, self);
}

TEST_HARNESS_MAIN
