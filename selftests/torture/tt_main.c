// SPDX-License-Identifier: GPL-2.0
/*
 * ktl_torture: N workers for T seconds doing random operations on every
 * behaviour of kthread_lab, a further worker churning max_threads, a
 * watcher of tasks in D state, quiescent checkpoints, then a final audit,
 * cleanup and report (operation counts, errors by errno, TAP results).
 *
 * Usage: ktl_torture [-w WORKERS] [-t SECONDS] [-s SEED] [-S STUTTER_S]
 *                    [-D D_LIMIT_MS] [-v]
 * Environment: KTL_TORTURE_WORKERS, KTL_TORTURE_SECONDS, KTL_TORTURE_SEED
 * (options win), KTLAB_ROOT (the configfs root).
 * Exit status: 0 every check passed, 1 a check failed, 2 usage, 4 skipped
 * (not root, or kthread_lab not loaded).
 */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "tt.h"

struct tt_state tt;

/* ---- counters ---- */

static char tt_op_labels[TT_MAX_OPS][64];
static int tt_nops;
static unsigned long tt_counts[TT_MAX_OPS][TT_NERRNO + 1];
static long long tt_max_ns[TT_MAX_OPS];
/* when this thread's operation began (tt_set_cur) */
__thread long long tt_op_start_ns;

/* Single-threaded (discovery and tt_ops_init): returns the label's index. */
int tt_op_register(const char *label)
{
	int i;

	for (i = 0; i < tt_nops; i++)
		if (!strcmp(tt_op_labels[i], label))
			return i;
	if (tt_nops == TT_MAX_OPS)
		return TT_MAX_OPS - 1;
	snprintf(tt_op_labels[tt_nops], sizeof(tt_op_labels[0]), "%s", label);
	return tt_nops++;
}

void tt_count(int op, int err)
{
	long long ns = tt_op_start_ns ? tt_now_ns() - tt_op_start_ns : 0;
	long long max = __atomic_load_n(&tt_max_ns[op], __ATOMIC_RELAXED);

	if (err < 0 || err > TT_NERRNO)
		err = TT_NERRNO;
	__atomic_fetch_add(&tt_counts[op][err], 1, __ATOMIC_RELAXED);
	/* the slowest call of each operation */
	while (ns > max && !__atomic_compare_exchange_n(&tt_max_ns[op], &max, ns,
							false, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED))
		;
}

unsigned long tt_total_ops(void)
{
	unsigned long n = 0;
	int i, e;

	for (i = 0; i < tt_nops; i++)
		for (e = 0; e <= TT_NERRNO; e++)
			n += __atomic_load_n(&tt_counts[i][e], __ATOMIC_RELAXED);
	return n;
}

void tt_print_counts(void)
{
	unsigned long by_errno[TT_NERRNO + 1] = { 0 }, total, all = 0, failed = 0;
	char line[1024];
	int i, e, len;

	printf("# %-30s %9s %8s  %s\n", "operation", "count", "slowest", "results");
	for (i = 0; i < tt_nops; i++) {
		total = 0;
		for (e = 0; e <= TT_NERRNO; e++)
			total += tt_counts[i][e];
		if (!total)
			continue;
		all += total;
		len = snprintf(line, sizeof(line), "ok %lu", tt_counts[i][0]);
		for (e = 1; e <= TT_NERRNO; e++) {
			if (!tt_counts[i][e])
				continue;
			by_errno[e] += tt_counts[i][e];
			failed += tt_counts[i][e];
			len += snprintf(line + len, sizeof(line) - len, ", %s %lu",
					e == TT_NERRNO ? "other" : tt_errname(e),
					tt_counts[i][e]);
			if (len >= (int)sizeof(line))
				break;
		}
		printf("# %-30s %9lu %7.3fs  %s\n", tt_op_labels[i], total,
		       tt_max_ns[i] / 1e9, line);
	}
	len = 0;
	line[0] = '\0';
	for (e = 1; e <= TT_NERRNO; e++)
		if (by_errno[e])
			len += snprintf(line + len, sizeof(line) - len, "%s%s %lu",
					len ? ", " : "",
					e == TT_NERRNO ? "other" : tt_errname(e),
					by_errno[e]);
	printf("# total: %lu operations, %lu succeeded, %lu failed: %s\n", all,
	       all - failed, failed, line[0] ? line : "-");
}

/* ---- failures ---- */

#define TT_SHOW_FAILURES 25

static unsigned long tt_fail_counts[TT_C_NR];
static pthread_mutex_t tt_fail_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const tt_check_names[TT_C_NR] = {
	[TT_C_ERRNO] = "errno", [TT_C_FORMAT] = "format",
	[TT_C_CONSIST] = "consistency", [TT_C_DSTATE] = "D state",
	[TT_C_TICK] = "ticking", [TT_C_CLEANUP] = "cleanup",
	[TT_C_MAXTHREADS] = "max_threads", [TT_C_WORKERS] = "workers",
};

static void tt_vfail(enum tt_check_id id, const char *key, const char *fmt,
		     va_list ap)
{
	static char seen[256][128];
	static int nseen;
	unsigned long n;
	int i;

	pthread_mutex_lock(&tt_fail_lock);
	n = ++tt_fail_counts[id];
	if (key) {
		/* the same finding again: counted, not shown */
		for (i = 0; i < nseen; i++)
			if (!strcmp(seen[i], key))
				goto out;
		if (nseen < 256)
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", key);
	}
	if (n <= TT_SHOW_FAILURES) {
		printf("# FAIL (%s, t=%.1fs): ", tt_check_names[id],
		       tt.start_ns ? (tt_now_ns() - tt.start_ns) / 1e9 : 0.0);
		vprintf(fmt, ap);
		printf("\n");
	} else if (n == TT_SHOW_FAILURES + 1) {
		printf("# (further %s failures are counted, not shown)\n",
		       tt_check_names[id]);
	}
	fflush(stdout);
out:
	pthread_mutex_unlock(&tt_fail_lock);
}

void tt_fail(enum tt_check_id id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tt_vfail(id, NULL, fmt, ap);
	va_end(ap);
}

void tt_fail_key(enum tt_check_id id, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tt_vfail(id, key, fmt, ap);
	va_end(ap);
}

unsigned long tt_failures(enum tt_check_id id)
{
	unsigned long n;

	pthread_mutex_lock(&tt_fail_lock);
	n = tt_fail_counts[id];
	pthread_mutex_unlock(&tt_fail_lock);
	return n;
}

/* ---- options ---- */

static void tt_usage(FILE *f)
{
	fprintf(f,
		"Usage: ktl_torture [-w WORKERS] [-t SECONDS] [-s SEED] [-S STUTTER_S] [-D D_LIMIT_MS] [-v]\n"
		"\n"
		"Concurrent stress of kthread_lab's configfs ABI (must be loaded; run as root).\n"
		"  -w, --workers N     random-operation workers (default 8, env KTL_TORTURE_WORKERS)\n"
		"  -t, --seconds T     length of the run (default 60, env KTL_TORTURE_SECONDS)\n"
		"  -s, --seed S        random seed (default: from the clock, env KTL_TORTURE_SEED)\n"
		"  -S, --stutter S     pause the workers and audit every item every S s (default 10, 0: never)\n"
		"  -D, --d-limit MS    longest D state allowed to any task (default 10000)\n"
		"  -v, --verbose       more output\n"
		"The configfs root is $KTLAB_ROOT or " TT_DEFAULT_ROOT ".\n");
}

static long tt_env_long(const char *name, long def)
{
	const char *s = getenv(name);

	return s && *s ? strtol(s, NULL, 0) : def;
}

static int tt_parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workers", required_argument, NULL, 'w' },
		{ "seconds", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "stutter", required_argument, NULL, 'S' },
		{ "d-limit", required_argument, NULL, 'D' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *seed = getenv("KTL_TORTURE_SEED");
	const char *root = getenv("KTLAB_ROOT");
	int c;

	tt.cfg.workers = tt_env_long("KTL_TORTURE_WORKERS", 8);
	tt.cfg.seconds = tt_env_long("KTL_TORTURE_SECONDS", 60);
	tt.cfg.stutter_s = 10;
	tt.cfg.d_limit_ms = 10000;
	tt.cfg.seed = seed && *seed ? strtoull(seed, NULL, 0) :
		      (unsigned long long)tt_now_ns() ^ ((unsigned long long)getpid() << 32);
	tt.cfg.root = root && *root ? root : TT_DEFAULT_ROOT;
	while ((c = getopt_long(argc, argv, "w:t:s:S:D:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			tt.cfg.workers = atoi(optarg);
			break;
		case 't':
			tt.cfg.seconds = atoi(optarg);
			break;
		case 's':
			tt.cfg.seed = strtoull(optarg, NULL, 0);
			break;
		case 'S':
			tt.cfg.stutter_s = atoi(optarg);
			break;
		case 'D':
			tt.cfg.d_limit_ms = atol(optarg);
			break;
		case 'v':
			tt.cfg.verbose++;
			break;
		case 'h':
			tt_usage(stdout);
			exit(0);
		default:
			tt_usage(stderr);
			return -1;
		}
	}
	if (optind != argc || tt.cfg.workers < 1 || tt.cfg.workers > TT_MAX_WORKERS ||
	    tt.cfg.seconds < 1 || tt.cfg.stutter_s < 0 || tt.cfg.d_limit_ms < 1) {
		fprintf(stderr, "ktl_torture: workers 1..%d, seconds >= 1, stutter >= 0, d-limit >= 1\n",
			TT_MAX_WORKERS);
		return -1;
	}
	return 0;
}

/* ---- discovery ---- */

/* "0-1,3" into a list of CPU numbers; returns the highest plus one. */
static int tt_parse_cpulist(const char *s, int *out, int max, int *n)
{
	int top = 0, lo, hi, used;

	*n = 0;
	while (*s) {
		if (sscanf(s, "%d%n", &lo, &used) != 1)
			break;
		s += used;
		hi = lo;
		if (*s == '-' && sscanf(s + 1, "%d%n", &hi, &used) == 1)
			s += 1 + used;
		for (; lo <= hi; lo++) {
			if (out && *n < max)
				out[(*n)++] = lo;
			if (lo + 1 > top)
				top = lo + 1;
		}
		if (*s == ',')
			s++;
		else
			break;
	}
	return top;
}

static int tt_cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct tt_group *)a)->name,
		      ((const struct tt_group *)b)->name);
}

static int tt_cmp_attr(const void *a, const void *b)
{
	return strcmp(((const struct tt_attr *)a)->name,
		      ((const struct tt_attr *)b)->name);
}

/*
 * One item made in each group tells its attributes (and their modes), the
 * task-name tag and whether the behaviour parks: `park` fails a bad value
 * with EOPNOTSUPP before anything else when it cannot.
 */
static int tt_probe_group(struct tt_group *g)
{
	char dir[PATH_MAX], path[PATH_MAX + 512], buf[128], label[TT_NAME_LEN + 32];
	struct dirent *de;
	struct stat st;
	int err, i;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s/ktt-probe-%d", tt.cfg.root, g->name,
		 (int)getpid());
	/* created, not started: a oneshot thread would be gone at once */
	snprintf(path, sizeof(path), "%s/%s/autostart", tt.cfg.root, g->name);
	if (g->has_autostart)
		tt_write_str(path, "0");
	err = mkdir(dir, 0755) ? errno : 0;
	if (g->has_autostart)
		tt_write_str(path, g->autostart_initial);
	if (err) {
		printf("# discovery: mkdir %s: %s\n", dir, tt_errname(err));
		return -1;
	}
	d = opendir(dir);
	while (d && (de = readdir(d)) && g->nattrs < TT_MAX_ATTRS) {
		struct tt_attr *a = &g->attrs[g->nattrs];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		snprintf(a->name, sizeof(a->name), "%s", de->d_name);
		a->readable = st.st_mode & S_IRUSR;
		a->writable = st.st_mode & S_IWUSR;
		a->spec = tt_spec_lookup(a->name);
		g->nattrs++;
	}
	if (d)
		closedir(d);
	qsort(g->attrs, g->nattrs, sizeof(g->attrs[0]), tt_cmp_attr);
	for (i = 0; i < g->nattrs; i++) {
		struct tt_attr *a = &g->attrs[i];

		snprintf(label, sizeof(label), "read %s", a->name);
		a->op_read = tt_op_register(label);
		snprintf(label, sizeof(label), "write %s", a->name);
		a->op_write_ok = tt_op_register(label);
		snprintf(label, sizeof(label), "write %s (bad)", a->name);
		a->op_write_bad = tt_op_register(label);
	}

	snprintf(path, sizeof(path), "%s/pid", dir);
	if (tt_read_value(path, buf, sizeof(buf)) > 0) {
		char comm_path[200], comm[96];

		snprintf(comm_path, sizeof(comm_path), "/proc/%s/comm", buf);
		if (tt_read_value(comm_path, comm, sizeof(comm)) > 4 &&
		    !strncmp(comm, "ktl_", 4))
			snprintf(g->tag, sizeof(g->tag), "%.*s",
				 (int)strcspn(comm + 4, "_"), comm + 4);
	}
	g->parkable = 0;
	if (tt_attr_by_name(g, "park")) {
		snprintf(path, sizeof(path), "%s/park", dir);
		err = tt_write_str(path, "2");
		g->parkable = err == EOPNOTSUPP ? 0 : err == ERANGE ? 1 : -1;
	}
	if (rmdir(dir)) {
		printf("# discovery: rmdir %s: %s\n", dir, tt_errname(errno));
		return -1;
	}
	if (!g->tag[0] || !g->nattrs) {
		printf("# discovery: %s: %s\n", g->name, g->nattrs ?
		       "no ktl_<tag>_ task name" : "no attributes");
		return -1;
	}
	return 0;
}

static int tt_discover(void)
{
	char path[PATH_MAX], buf[256];
	struct dirent *de;
	struct stat st;
	int i, n;
	DIR *d;

	d = opendir(tt.cfg.root);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", tt.cfg.root, de->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode) && tt.ngroups < TT_MAX_GROUPS) {
			/* behaviour groups hold autostart; experiments/ does not */
			snprintf(path, sizeof(path), "%s/%s/autostart",
				 tt.cfg.root, de->d_name);
			if (access(path, F_OK)) {
				printf("# discovery: %s is no behaviour group (no autostart): left out\n",
				       de->d_name);
				continue;
			}
			snprintf(tt.groups[tt.ngroups++].name, TT_NAME_LEN, "%s",
				 de->d_name);
		} else if (S_ISREG(st.st_mode) && tt.nroot_attrs < TT_MAX_ROOT_ATTRS) {
			struct tt_root_attr *ra = &tt.root_attrs[tt.nroot_attrs++];
			char label[TT_NAME_LEN + 32];

			snprintf(ra->name, sizeof(ra->name), "%s", de->d_name);
			ra->readable = st.st_mode & S_IRUSR;
			ra->writable = st.st_mode & S_IWUSR;
			ra->binary = !strcmp(ra->name, "snapshot");
			snprintf(label, sizeof(label), "read %s", ra->name);
			ra->op_read = tt_op_register(label);
		}
	}
	closedir(d);
	qsort(tt.groups, tt.ngroups, sizeof(tt.groups[0]), tt_cmp_group);

	snprintf(path, sizeof(path), "%s/max_threads", tt.cfg.root);
	tt.has_max_threads = tt_read_value(path, tt.max_threads_initial,
					   sizeof(tt.max_threads_initial)) > 0;
	snprintf(tt.param_path, sizeof(tt.param_path),
		 "/sys/module/kthread_lab/parameters/max_threads");
	if (access(tt.param_path, R_OK))
		tt.param_path[0] = '\0';

	if (tt_read_value("/sys/devices/system/cpu/online", buf, sizeof(buf)) > 0)
		tt_parse_cpulist(buf, tt.online_cpus, 256, &tt.ncpus_online);
	if (tt_read_value("/sys/devices/system/cpu/possible", buf, sizeof(buf)) > 0)
		tt.nposs_cpus = tt_parse_cpulist(buf, NULL, 0, &n);
	if (tt.nposs_cpus < tt.ncpus_online)
		tt.nposs_cpus = tt.ncpus_online;
	/* what a new, unbound kthread may run on: kthreadd's CPUs */
	if (tt_read_value("/proc/2/comm", buf, sizeof(buf)) > 0 &&
	    !strcmp(buf, "kthreadd")) {
		char status[4096], *p;

		if (tt_read_file("/proc/2/status", status, sizeof(status)) > 0 &&
		    (p = strstr(status, "Cpus_allowed_list:"))) {
			p += strlen("Cpus_allowed_list:");
			p += strspn(p, " \t");
			snprintf(tt.kthreadd_cpus, sizeof(tt.kthreadd_cpus), "%.*s",
				 (int)strcspn(p, "\n"), p);
		}
	}

	for (i = 0; i < tt.ngroups; i++) {
		struct tt_group *g = &tt.groups[i];

		snprintf(path, sizeof(path), "%s/%s/autostart", tt.cfg.root, g->name);
		g->has_autostart = tt_read_value(path, g->autostart_initial,
						 sizeof(g->autostart_initial)) > 0;
		if (tt_probe_group(g))
			return -1;
	}
	return tt.ngroups ? 0 : -1;
}

static void tt_print_discovery(void)
{
	char line[2048];
	int i, j, len;

	printf("# CPUs online %d (possible %d), kthreadd's CPUs %s, max_threads %s\n",
	       tt.ncpus_online, tt.nposs_cpus,
	       tt.kthreadd_cpus[0] ? tt.kthreadd_cpus : "?",
	       tt.has_max_threads ? tt.max_threads_initial : "(none)");
	for (i = 0; i < tt.ngroups; i++) {
		struct tt_group *g = &tt.groups[i];

		len = 0;
		for (j = 0; j < g->nattrs; j++)
			len += snprintf(line + len, sizeof(line) - len, " %s%s%s%s",
					g->attrs[j].name,
					g->attrs[j].readable ? "" : "(wo)",
					g->attrs[j].writable ? "" : "(ro)",
					g->attrs[j].spec || tt_validate(g, g->attrs[j].name, "\x01") ?
					"" : "(unknown)");
		printf("# behaviour %s: tag %s, %s, autostart %s, %d attributes:%s\n",
		       g->name, g->tag, g->parkable == 1 ? "parks" :
		       g->parkable == 0 ? "cannot park" : "park unclear",
		       g->has_autostart ? g->autostart_initial : "(none)",
		       g->nattrs, line);
	}
}

/* ---- the run ---- */

static int tt_nthreads(void)
{
	return tt.cfg.workers + (tt.has_max_threads ? 1 : 0);
}

static struct tt_worker *tt_thread_at(int i)
{
	return i < tt.cfg.workers ? &tt.workers[i] : &tt.churner;
}

/* Reports the threads that are not at the gate or done. */
static void tt_report_stuck(const char *why)
{
	long long now = tt_now_ns();
	int i;

	for (i = 0; i < tt_nthreads(); i++) {
		struct tt_worker *w = tt_thread_at(i);
		char cur[256];
		long long since;

		if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
			continue;
		pthread_mutex_lock(&w->cur_lock);
		snprintf(cur, sizeof(cur), "%s", w->cur);
		since = w->cur_since_ns;
		pthread_mutex_unlock(&w->cur_lock);
		if (!strcmp(cur, "idle") || !strcmp(cur, "sleeping"))
			continue;
		tt_fail(TT_C_WORKERS, "%s: thread %d (tid %d) in \"%s\" for %.1f s",
			why, i, (int)w->tid, cur, (now - since) / 1e9);
		tt_dump_stack(cur, w->tid);
	}
}

/* Workers wait at the gate; false if they did not get there in time. */
static bool tt_pause(long timeout_ms)
{
	long long deadline = tt_now_ns() + timeout_ms * 1000000LL;
	struct timespec ts;
	bool ok = true;

	__atomic_store_n(&tt.pause_req, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&tt.gate_lock);
	while (tt.paused < tt_nthreads()) {
		if (tt_now_ns() > deadline) {
			ok = false;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&tt.gate_cond, &tt.gate_lock, &ts);
	}
	pthread_mutex_unlock(&tt.gate_lock);
	if (!ok)
		tt_report_stuck("pause for a checkpoint");
	return ok;
}

static void tt_resume(void)
{
	pthread_mutex_lock(&tt.gate_lock);
	__atomic_store_n(&tt.pause_req, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&tt.gate_cond);
	pthread_mutex_unlock(&tt.gate_lock);
}

/* Restores max_threads and every group's autostart as found. */
static void tt_restore(void)
{
	char path[PATH_MAX], buf[64];
	int i, err;

	if (tt.has_max_threads) {
		snprintf(path, sizeof(path), "%s/max_threads", tt.cfg.root);
		err = tt_write_str(path, tt.max_threads_initial);
		if (err || tt_read_value(path, buf, sizeof(buf)) < 0 ||
		    strcmp(buf, tt.max_threads_initial))
			tt_fail(TT_C_MAXTHREADS, "max_threads not restored to %s (%s)",
				tt.max_threads_initial, err ? tt_errname(err) : buf);
	}
	for (i = 0; i < tt.ngroups; i++) {
		if (!tt.groups[i].has_autostart)
			continue;
		snprintf(path, sizeof(path), "%s/%s/autostart", tt.cfg.root,
			 tt.groups[i].name);
		err = tt_write_str(path, tt.groups[i].autostart_initial);
		if (err)
			tt_fail(TT_C_ERRNO, "restore %s/autostart: %s",
				tt.groups[i].name, tt_errname(err));
	}
}

/* Ends the process with a report if a final phase hangs. */
static volatile long long tt_watchdog_deadline;
static const char *volatile tt_watchdog_phase = "";

static void *tt_watchdog(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "ktt-watchdog");
	for (;;) {
		long long deadline = __atomic_load_n(&tt_watchdog_deadline,
						     __ATOMIC_ACQUIRE);

		if (deadline && tt_now_ns() > deadline) {
			printf("# watchdog: \"%s\" did not end in time\n",
			       tt_watchdog_phase);
			tt_report_stuck("watchdog");
			tt_dump_stack("main thread", getpid());
			printf("not ok 2 - the torture hung in \"%s\" (see the stacks above)\n",
			       tt_watchdog_phase);
			fflush(stdout);
			_exit(1);
		}
		tt_sleep_ms(500);
	}
	return NULL;
}

static void tt_phase(const char *name, long seconds)
{
	tt_watchdog_phase = name;
	__atomic_store_n(&tt_watchdog_deadline,
			 tt_now_ns() + seconds * 1000000000LL, __ATOMIC_RELEASE);
	if (tt.cfg.verbose)
		printf("# phase: %s\n", name);
}

static void tt_tap(int n, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tt_tap(int n, bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void tt_progress(const char *what)
{
	unsigned long ops = tt_total_ops();
	double t = (tt_now_ns() - tt.start_ns) / 1e9;

	printf("# %s: t=%.0fs, %lu operations (%.0f/s)\n", what, t, ops,
	       t > 0 ? ops / t : 0.0);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	pthread_t watchdog;
	struct utsname uts;
	sigset_t set;
	int i, checkpoints = 0, items_final = 0;
	long long end_ns, next_stutter, now;
	bool finished = true, ok;
	unsigned long failed_total = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (tt_parse_args(argc, argv))
		return 2;
	uname(&uts);
	printf("TAP version 13\n");
	if (geteuid() != 0) {
		printf("1..0 # SKIP ktl_torture must run as root\n");
		return 4;
	}
	if (access(tt.cfg.root, F_OK)) {
		printf("1..0 # SKIP %s missing: is kthread_lab loaded?\n", tt.cfg.root);
		return 4;
	}
	printf("1..9\n");
	printf("# ktl_torture on %s: %d workers + max_threads churner, %d s, seed %llu, checkpoint every %d s, D limit %ld ms\n",
	       uts.release, tt.cfg.workers, tt.cfg.seconds, tt.cfg.seed,
	       tt.cfg.stutter_s, tt.cfg.d_limit_ms);
	printf("# reproduce the choices with: ktl_torture -w %d -t %d -s %llu\n",
	       tt.cfg.workers, tt.cfg.seconds, tt.cfg.seed);

	tt_ops_init();
	if (tt_discover()) {
		tt_tap(1, false, "discovery: could not probe every behaviour of %s",
		       tt.cfg.root);
		for (i = 2; i <= 9; i++)
			tt_tap(i, false, "not run: discovery failed");
		return 1;
	}
	tt_print_discovery();
	tt_tap(1, true, "discovery: %d behaviours, %d root attributes", tt.ngroups,
	       tt.nroot_attrs);

	pthread_mutex_init(&tt.gate_lock, NULL);
	pthread_cond_init(&tt.gate_cond, NULL);
	/* SIGUSR1 only ever reaches a worker inside its signalled stop */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_create(&watchdog, NULL, tt_watchdog, NULL);
	tt_watcher_start();

	tt.start_ns = tt_now_ns();
	for (i = 0; i < tt_nthreads(); i++) {
		struct tt_worker *w = tt_thread_at(i);

		w->index = i < tt.cfg.workers ? i : TT_MAX_WORKERS;
		w->rng = tt.cfg.seed ^ (0x9E3779B97F4A7C15ULL * (unsigned long long)(i + 1));
		if (!w->rng)
			w->rng = 1;
		pthread_mutex_init(&w->cur_lock, NULL);
		snprintf(w->cur, sizeof(w->cur), "starting");
		w->cur_since_ns = tt.start_ns;
		pthread_create(&w->thread, NULL,
			       i < tt.cfg.workers ? tt_worker_main : tt_churner_main, w);
	}

	end_ns = tt.start_ns + tt.cfg.seconds * 1000000000LL;
	next_stutter = tt.cfg.stutter_s ?
		       tt.start_ns + tt.cfg.stutter_s * 1000000000LL : LLONG_MAX;
	while ((now = tt_now_ns()) < end_ns) {
		long long until = next_stutter < end_ns ? next_stutter : end_ns;

		if (until > now)
			tt_sleep_ms((until - now) / 1000000 + 1);
		now = tt_now_ns();
		/* no checkpoint in the last seconds: the final audit follows */
		if (now >= next_stutter && now + 3000000000LL < end_ns) {
			char when[64];

			tt_phase("checkpoint", 300);
			snprintf(when, sizeof(when), "checkpoint %d at %.0f s",
				 checkpoints + 1, (now - tt.start_ns) / 1e9);
			if (tt_pause(60000)) {
				int n = tt_check_items(when);

				checkpoints++;
				tt_progress(when);
				printf("#   %d item(s) audited\n", n);
			}
			tt_resume();
			__atomic_store_n(&tt_watchdog_deadline, 0, __ATOMIC_RELEASE);
			next_stutter += tt.cfg.stutter_s * 1000000000LL;
		}
	}

	/* the end: every thread leaves after its current operation */
	__atomic_store_n(&tt.stop, 1, __ATOMIC_RELEASE);
	tt_resume();
	end_ns = tt_now_ns() + 60000000000LL;
	for (i = 0; i < tt_nthreads(); i++) {
		struct tt_worker *w = tt_thread_at(i);

		while (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE) &&
		       tt_now_ns() < end_ns)
			tt_sleep_ms(20);
		if (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
			finished = false;
	}
	tt_progress("run ended");
	if (!finished) {
		tt_report_stuck("end of the run");
		tt_tap(2, false, "workers: a thread did not finish within 60 s of the end");
		tt_watcher_report();
		tt_print_counts();
		for (i = 3; i <= 9; i++)
			tt_tap(i, false, "not run: a worker is stuck in the kernel");
		fflush(stdout);
		_exit(1);
	}
	for (i = 0; i < tt_nthreads(); i++)
		pthread_join(tt_thread_at(i)->thread, NULL);
	tt_tap(2, !tt_failures(TT_C_WORKERS),
	       "workers: all %d workers and the max_threads churner finished, none stuck at a checkpoint",
	       tt.cfg.workers);

	tt_phase("final audit", 300);
	tt_restore();
	items_final = tt_check_items("after the run");
	printf("# final audit: %d item(s)\n", items_final);
	tt_phase("ticking check", 300);
	tt_check_ticking();
	tt_phase("cleanup", 300);
	tt_cleanup();
	tt_phase("max_threads counting", 120);
	tt_check_counting();
	__atomic_store_n(&tt_watchdog_deadline, 0, __ATOMIC_RELEASE);
	tt_watcher_stop();

	tt_watcher_report();
	tt_print_counts();
	printf("# time: %.1f s in all\n", (tt_now_ns() - tt.start_ns) / 1e9);

	for (i = 0; i < TT_C_NR; i++)
		failed_total += tt_failures(i);
	tt_tap(3, !tt_failures(TT_C_ERRNO),
	       "errno: every failed operation gave an errno the ABI documents for it (%lu operations, %lu not)",
	       tt_total_ops(), tt_failures(TT_C_ERRNO));
	tt_tap(4, !tt_failures(TT_C_FORMAT),
	       "format: every value and snapshot read was well-formed (%lu not)",
	       tt_failures(TT_C_FORMAT));
	tt_tap(5, !tt_failures(TT_C_CONSIST),
	       "consistency: state, attributes, snapshot line and /proc agree at %d checkpoints and after the run (%lu disagreements)",
	       checkpoints, tt_failures(TT_C_CONSIST));
	tt_tap(6, !tt_failures(TT_C_TICK),
	       "ticking: running periodic items keep ticking after the run (%lu stuck)",
	       tt_failures(TT_C_TICK));
	tt_tap(7, !tt_failures(TT_C_CLEANUP),
	       "cleanup: rmdir of every item leaves no item and no ktl_ task (%lu problems)",
	       tt_failures(TT_C_CLEANUP));
	tt_tap(8, !tt_failures(TT_C_MAXTHREADS),
	       "max_threads: reads back every write, is restored, and counts back to zero (%lu problems)",
	       tt_failures(TT_C_MAXTHREADS));
	ok = !tt_failures(TT_C_DSTATE);
	tt_tap(9, ok, "D state: no task stayed in D state longer than %ld ms (%lu did)",
	       tt.cfg.d_limit_ms, tt_failures(TT_C_DSTATE));
	return failed_total ? 1 : 0;
}
