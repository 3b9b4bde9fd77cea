/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kthread_lab kselftests: paths under the configfs
 * root, attribute reads/writes that report -errno, polling with deadlines,
 * and item bookkeeping so every test removes what it created.
 *
 * configfs fills an attribute's read buffer once per open file, so every
 * read opens the file afresh.
 */
#ifndef KTHREAD_LAB_SELFTEST_LAB_H
#define KTHREAD_LAB_SELFTEST_LAB_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* The harness's SIGALRM handler ignores its ucontext argument. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#define LAB_DEFAULT_ROOT "/sys/kernel/config/kthread_lab"
#define LAB_VAL_MAX 4096
#define LAB_MAX_TRACKED 128
#define LAB_POLL_US 2000

static const char *const lab_groups[] = { "busy", "wait", "periodic", "oneshot" };
#define LAB_NGROUPS (sizeof(lab_groups) / sizeof(lab_groups[0]))

struct lab_item {
	char group[32];		/* a behaviour, or "experiments/<kind>" */
	char name[96];
	char dir[PATH_MAX];
};

/*
 * The harness forks one child per test; names carry the harness's pid so the
 * parent's exit hook can find leftovers of children killed by a timeout.
 */
static pid_t lab_harness_pid;
static unsigned int lab_seq;
static char *lab_tracked[LAB_MAX_TRACKED];
static bool lab_autostart_changed[LAB_NGROUPS];
static char lab_saved_max_threads[64];

static inline const char *lab_root(void)
{
	const char *root = getenv("KTLAB_ROOT");

	return root && *root ? root : LAB_DEFAULT_ROOT;
}

static inline long long lab_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* For measurement windows only; states are always polled. */
static inline void lab_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Reads a whole file as it is: the length read, or -errno. */
static inline int lab_read_raw(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			err = -errno;
			close(fd);
			return err;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return (int)len;
}

/* An attribute's value: the length read (trailing newline stripped) or -errno. */
static inline int lab_read_path(const char *path, char *buf, size_t size)
{
	int len = lab_read_raw(path, buf, size);

	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return len;
}

/* One write() of exactly @len bytes, NULs included: 0 or -errno. */
static inline int lab_write_n(const char *path, const char *buf, size_t len)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* One write() of the whole value, as `echo` does: 0 or -errno. */
static inline int lab_write_path(const char *path, const char *val)
{
	return lab_write_n(path, val, strlen(val));
}

/*
 * Returns true once /dev/kmsg (@fd, opened O_NONBLOCK) holds a line with
 * both @a and @b. Drains what is there; -EPIPE only means older records
 * were overwritten.
 */
static inline bool lab_kmsg_has(int fd, const char *a, const char *b)
{
	char rec[8192];
	bool found = false;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			return found;
		rec[n] = '\0';
		if (strstr(rec, a) && strstr(rec, b))
			found = true;
	}
}

/* "<dir>/<name>"; an over-long path becomes "" so the open fails loudly. */
static inline void lab_join(char *out, size_t size, const char *dir,
			    const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size)
		out[0] = '\0';
}

static inline void lab_root_path(char *out, size_t size, const char *rel)
{
	lab_join(out, size, lab_root(), rel);
}

static inline int lab_root_get(const char *attr, char *buf, size_t size)
{
	char path[PATH_MAX];

	lab_root_path(path, sizeof(path), attr);
	return lab_read_path(path, buf, size);
}

static inline int lab_root_set(const char *attr, const char *val)
{
	char path[PATH_MAX];

	lab_root_path(path, sizeof(path), attr);
	return lab_write_path(path, val);
}

static inline bool lab_root_exists(void)
{
	struct stat st;

	return stat(lab_root(), &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Whether the root's directory @name is a behaviour group: one holding
 * `autostart`. (experiments/ is a directory of the root too, and no
 * behaviour: its items are experiments, not threads.)
 */
static inline bool lab_is_behaviour_group(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s/autostart", lab_root(),
		     name) >= (int)sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static inline int lab_group_index(const char *group)
{
	size_t i;

	for (i = 0; i < LAB_NGROUPS; i++)
		if (!strcmp(lab_groups[i], group))
			return (int)i;
	return -1;
}

/* Changes a group's autostart; lab_cleanup() puts the default (1) back. */
static inline int lab_set_autostart(const char *group, const char *val)
{
	char path[PATH_MAX];
	int idx = lab_group_index(group);

	if (idx >= 0)
		lab_autostart_changed[idx] = true;
	snprintf(path, sizeof(path), "%s/%s/autostart", lab_root(), group);
	return lab_write_path(path, val);
}

/* Changes max_threads; lab_cleanup() restores the value seen first. */
static inline int lab_set_max_threads(const char *val)
{
	if (!lab_saved_max_threads[0] &&
	    lab_root_get("max_threads", lab_saved_max_threads,
			 sizeof(lab_saved_max_threads)) < 0)
		lab_saved_max_threads[0] = '\0';
	return lab_root_set("max_threads", val);
}

static inline void lab_track(const char *dir)
{
	size_t i;

	for (i = 0; i < LAB_MAX_TRACKED; i++) {
		if (!lab_tracked[i]) {
			lab_tracked[i] = strdup(dir);
			return;
		}
	}
}

static inline void lab_untrack(const char *dir)
{
	size_t i;

	for (i = 0; i < LAB_MAX_TRACKED; i++) {
		if (lab_tracked[i] && !strcmp(lab_tracked[i], dir)) {
			free(lab_tracked[i]);
			lab_tracked[i] = NULL;
		}
	}
}

/* mkdir <group>/<tag-label-seq>: 0 or -errno; a created item is tracked. */
static inline int lab_create(struct lab_item *it, const char *group,
			     const char *label)
{
	if (snprintf(it->group, sizeof(it->group), "%s", group) >=
	    (int)sizeof(it->group))
		return -ENAMETOOLONG;
	snprintf(it->name, sizeof(it->name), "kst%d-%s-%d-%u",
		 (int)lab_harness_pid, label, (int)getpid(), lab_seq++);
	snprintf(it->dir, sizeof(it->dir), "%s/%s/%s", lab_root(), group,
		 it->name);
	if (mkdir(it->dir, 0755))
		return -errno;
	lab_track(it->dir);
	return 0;
}

static inline int lab_remove(struct lab_item *it)
{
	if (rmdir(it->dir))
		return -errno;
	lab_untrack(it->dir);
	return 0;
}

/* "\n<behaviour>/<name> ", how an item's snapshot line starts. */
static inline const char *lab_snapshot_key(const struct lab_item *it,
					   char *out, size_t size)
{
	int n = snprintf(out, size, "\n%s/%s ", it->group, it->name);

	if (n < 0 || (size_t)n >= size)
		out[0] = '\0';
	return out;
}

static inline bool lab_exists(const struct lab_item *it)
{
	struct stat st;

	return stat(it->dir, &st) == 0;
}

static inline void lab_attr_path(const struct lab_item *it, const char *attr,
				 char *out, size_t size)
{
	lab_join(out, size, it->dir, attr);
}

static inline int lab_get(const struct lab_item *it, const char *attr,
			  char *buf, size_t size)
{
	char path[PATH_MAX];

	lab_attr_path(it, attr, path, sizeof(path));
	return lab_read_path(path, buf, size);
}

static inline int lab_set(const struct lab_item *it, const char *attr,
			  const char *val)
{
	char path[PATH_MAX];

	lab_attr_path(it, attr, path, sizeof(path));
	return lab_write_path(path, val);
}

/* Parses a whole decimal value; false on read error or any junk. */
static inline bool lab_parse_ll(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && end != s && *end == '\0';
}

/* An attribute as a number, or LLONG_MIN when unreadable or not numeric. */
static inline long long lab_ll(const struct lab_item *it, const char *attr)
{
	char buf[64];
	long long v;

	if (lab_get(it, attr, buf, sizeof(buf)) < 0 || !lab_parse_ll(buf, &v))
		return LLONG_MIN;
	return v;
}

/* The snapshot text exactly as read: its length, or -errno. */
static inline int lab_snapshot(char *buf, size_t size)
{
	char path[PATH_MAX];

	lab_root_path(path, sizeof(path), "snapshot");
	return lab_read_raw(path, buf, size);
}

/* The item count from the snapshot's first line, or -1. */
static inline long long lab_snapshot_items(void)
{
	char head[128];
	long long n;

	if (lab_root_get("snapshot", head, sizeof(head)) <= 0 ||
	    sscanf(head, "# kthread_lab snapshot v1 items=%lld", &n) != 1)
		return -1;
	return n;
}

/* The current state, or an empty string when unreadable. */
static inline const char *lab_state(const struct lab_item *it, char *buf,
				    size_t size)
{
	if (lab_get(it, "state", buf, size) < 0)
		buf[0] = '\0';
	return buf;
}

/* Polls until state equals @want: 0, or -ETIMEDOUT after @timeout_ms. */
static inline int lab_wait_state(const struct lab_item *it, const char *want,
				 long timeout_ms)
{
	long long deadline = lab_now_ns() + timeout_ms * 1000000LL;
	char buf[64];

	for (;;) {
		if (!strcmp(lab_state(it, buf, sizeof(buf)), want))
			return 0;
		if (lab_now_ns() > deadline) {
			fprintf(stderr, "# %s: state '%s', wanted '%s'\n",
				it->name, buf, want);
			return -ETIMEDOUT;
		}
		usleep(LAB_POLL_US);
	}
}

/* Polls until a numeric attribute is >= @min: 0, or -ETIMEDOUT. */
static inline int lab_wait_ge(const struct lab_item *it, const char *attr,
			      long long min, long timeout_ms)
{
	long long deadline = lab_now_ns() + timeout_ms * 1000000LL;
	long long v;

	for (;;) {
		v = lab_ll(it, attr);
		if (v != LLONG_MIN && v >= min)
			return 0;
		if (lab_now_ns() > deadline) {
			fprintf(stderr, "# %s: %s=%lld, wanted >= %lld\n",
				it->name, attr, v, min);
			return -ETIMEDOUT;
		}
		usleep(LAB_POLL_US);
	}
}

static inline bool lab_pid_alive(long long pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%lld", pid);
	return stat(path, &st) == 0;
}

/* Polls until the task is reaped: 0, or -ETIMEDOUT. */
static inline int lab_wait_pid_gone(long long pid, long timeout_ms)
{
	long long deadline = lab_now_ns() + timeout_ms * 1000000LL;

	while (lab_pid_alive(pid)) {
		if (lab_now_ns() > deadline)
			return -ETIMEDOUT;
		usleep(LAB_POLL_US);
	}
	return 0;
}

/*
 * Field @field (1-based, as in proc(5)) of /proc/<pid>/stat, skipping the
 * comm, which may hold spaces; LLONG_MIN on error.
 */
static inline long long lab_proc_stat_field(long long pid, int field)
{
	char path[64], buf[1024], *p;
	long long v;
	int i;

	snprintf(path, sizeof(path), "/proc/%lld/stat", pid);
	if (lab_read_path(path, buf, sizeof(buf)) < 0)
		return LLONG_MIN;
	p = strrchr(buf, ')');
	if (!p)
		return LLONG_MIN;
	p++;
	for (i = 3; i <= field; i++) {
		while (*p == ' ')
			p++;
		if (i == field)
			break;
		while (*p && *p != ' ')
			p++;
	}
	if (sscanf(p, "%lld", &v) != 1)
		return LLONG_MIN;
	return v;
}

#define LAB_STAT_NICE 19
#define LAB_STAT_PROCESSOR 39

/* True when @token is one of the space-separated words of @list. */
static inline bool lab_has_word(const char *list, const char *token)
{
	size_t n = strlen(token);
	const char *p = list;

	while ((p = strstr(p, token))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

/* Removes every item of the directory @dir whose name starts with @prefix. */
static inline void lab_remove_prefixed_in(const char *dir, const char *prefix)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR ||
		    strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		lab_join(path, sizeof(path), dir, de->d_name);
		if (rmdir(path))
			fprintf(stderr, "# cleanup: rmdir %s: %s\n", path,
				strerror(errno));
	}
	closedir(d);
}

/*
 * Removes every item whose name starts with @prefix, in every behaviour
 * group and every experiment kind's group.
 */
static inline void lab_remove_prefixed(const char *prefix)
{
	char dir[PATH_MAX];
	struct dirent *de;
	size_t g;
	DIR *d;

	for (g = 0; g < LAB_NGROUPS; g++) {
		snprintf(dir, sizeof(dir), "%s/%s", lab_root(), lab_groups[g]);
		lab_remove_prefixed_in(dir, prefix);
	}
	snprintf(dir, sizeof(dir), "%s/experiments", lab_root());
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char kind[PATH_MAX];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		lab_join(kind, sizeof(kind), dir, de->d_name);
		lab_remove_prefixed_in(kind, prefix);
	}
	closedir(d);
}

/* Puts autostart back to its default (1) in the groups @which selects. */
static inline void lab_reset_autostart(const bool *which)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < LAB_NGROUPS; i++) {
		if (which && !which[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s/autostart", lab_root(),
			 lab_groups[i]);
		lab_write_path(path, "1");
	}
}

/* Teardown: removes tracked items, restores group and root settings. */
static inline void lab_cleanup(void)
{
	size_t i;

	for (i = LAB_MAX_TRACKED; i-- > 0;) {
		if (!lab_tracked[i])
			continue;
		if (rmdir(lab_tracked[i]) && errno != ENOENT)
			fprintf(stderr, "# cleanup: rmdir %s: %s\n",
				lab_tracked[i], strerror(errno));
		free(lab_tracked[i]);
		lab_tracked[i] = NULL;
	}
	lab_reset_autostart(lab_autostart_changed);
	memset(lab_autostart_changed, 0, sizeof(lab_autostart_changed));
	if (lab_saved_max_threads[0]) {
		lab_root_set("max_threads", lab_saved_max_threads);
		lab_saved_max_threads[0] = '\0';
	}
}

/* max_threads as the harness found it, for lab_harness_exit() */
static char lab_initial_max_threads[64];

/*
 * Runs in the harness parent at exit: a child killed by the harness's
 * timeout never reaches its teardown, so sweep its items and settings here.
 */
static void lab_harness_exit(void)
{
	char prefix[32];

	if (getpid() != lab_harness_pid || !lab_root_exists())
		return;
	snprintf(prefix, sizeof(prefix), "kst%d-", (int)lab_harness_pid);
	lab_remove_prefixed(prefix);
	lab_reset_autostart(NULL);
	if (lab_initial_max_threads[0])
		lab_root_set("max_threads", lab_initial_max_threads);
}

static void __attribute__((constructor)) lab_init(void)
{
	lab_harness_pid = getpid();
	if (lab_root_get("max_threads", lab_initial_max_threads,
			 sizeof(lab_initial_max_threads)) < 0)
		lab_initial_max_threads[0] = '\0';
	atexit(lab_harness_exit);
}

/* A regular file of @want permission bits, owned by root. */
static inline void lab_expect_mode(struct __test_metadata *_metadata,
				   const char *path, mode_t want)
{
	struct stat st;

	if (stat(path, &st)) {
		int err = errno;

		EXPECT_EQ(0, -err)
			TH_LOG("%s: %s", path, strerror(err));
		return;
	}
	EXPECT_EQ(want, st.st_mode & 07777)
		TH_LOG("%s: mode %o, want %o", path, st.st_mode & 07777, want);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ((uid_t)0, st.st_uid);
}

/* A `stop` write made from another thread, which blocks while it waits. */
struct lab_stop_call {
	const struct lab_item *it;
	int ret;
};

static inline void *lab_write_stop(void *arg)
{
	struct lab_stop_call *call = arg;

	call->ret = lab_set(call->it, "stop", "1");
	return NULL;
}

/* Fixture setup for every test: the module must be loaded. */
#define LAB_REQUIRE_ROOT() do { \
	ASSERT_TRUE(lab_root_exists()) \
		TH_LOG("%s missing: is kthread_lab loaded?", lab_root()); \
} while (0)

/*
 * Writes @val to @attr, expects @err (0 or -errno) and, for a failing
 * write, that the attribute still reads as before.
 */
#define LAB_EXPECT_WRITE(it, attr, val, err) do { \
	char __before[LAB_VAL_MAX], __after[LAB_VAL_MAX]; \
	int __rb = lab_get((it), (attr), __before, sizeof(__before)); \
	int __ret = lab_set((it), (attr), (val)); \
	EXPECT_EQ((err), __ret) \
		TH_LOG("write '%s' > %s: got %d (%s), want %d (%s)", (val), \
		       (attr), __ret, strerror(-__ret), (err), \
		       strerror(-(err))); \
	if ((err) && __rb >= 0) { \
		lab_get((it), (attr), __after, sizeof(__after)); \
		EXPECT_STREQ(__before, __after) \
			TH_LOG("bad write '%s' changed %s: '%s' -> '%s'", \
			       (val), (attr), __before, __after); \
	} \
} while (0)

#define LAB_ASSERT_STATE(it, want, timeout_ms) \
	ASSERT_EQ(0, lab_wait_state((it), (want), (timeout_ms)))

#define LAB_EXPECT_ATTR(it, attr, want) do { \
	char __v[LAB_VAL_MAX]; \
	EXPECT_LE(0, lab_get((it), (attr), __v, sizeof(__v))); \
	EXPECT_STREQ((want), __v); \
} while (0)

/* Generous deadlines: the guest is emulated and slow. */
#define LAB_DEADLINE_MS 10000

/*
 * Pins the calling thread to CPU 0. A stop's work first runs on the
 * writer's CPU, so every stop this thread writes goes to one CPU's queue.
 */
static inline int lab_pin_to_cpu0(void)
{
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	return sched_setaffinity(0, sizeof(cpu0), &cpu0) ? -errno : 0;
}

/*
 * Makes up to @n wait items whose stops hang, each holding a worker: a
 * ten-minute job ignores kthread_stop(), and a stop written with a 1 ms
 * timeout stays pending. *@made: how many items exist (the caller removes
 * them, which releases the jobs); returns how many have such a stop.
 */
static inline size_t lab_hang_stops(struct lab_item *items, size_t n,
				    const char *label, size_t *made)
{
	size_t i;

	for (*made = 0; *made < n; ++*made) {
		struct lab_item *it = &items[*made];

		if (lab_create(it, "wait", label))
			break;
		if (lab_set(it, "job_ms", "600000") ||
		    lab_set(it, "stop_timeout_ms", "1") ||
		    lab_set(it, "start", "1")) {
			++*made;
			return 0;
		}
	}
	/* a stop before the function runs would complete at once */
	for (i = 0; i < *made; i++)
		if (lab_wait_ge(&items[i], "ran", 1, LAB_DEADLINE_MS))
			return 0;
	for (i = 0; i < *made; i++)
		if (lab_set(&items[i], "stop", "1") != -ETIMEDOUT)
			break;
	return i;
}

#endif /* KTHREAD_LAB_SELFTEST_LAB_H */
