// SPDX-License-Identifier: GPL-2.0
/*
 * Checks of ktl_torture: the format of every value read, the invariants of
 * the snapshot, the quiescent consistency of items (attributes, snapshot
 * line, /proc), the watcher of tasks in D state, and the final cleanup.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tt.h"

#define TT_PF_KTHREAD 0x00200000UL
#define TT_PF_NO_SETAFFINITY 0x04000000UL


/* ---- small helpers ---- */

long long tt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void tt_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

const char *tt_errname(int err)
{
	const char *name = strerrorname_np(err);
	static __thread char buf[32];

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/* The whole file: its length, or -errno. */
int tt_read_file(const char *path, char *buf, size_t size)
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
			err = errno;
			close(fd);
			return -err;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return (int)len;
}

/* An attribute's value without its one trailing newline. */
int tt_read_value(const char *path, char *buf, size_t size)
{
	int len = tt_read_file(path, buf, size);

	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return len;
}

/* open, one write() of exactly @len bytes, close: 0 or the errno. */
int tt_write_file(const char *path, const char *val, size_t len)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, val, len);
	if (n < 0)
		err = errno;
	else if ((size_t)n != len)
		err = EIO;
	if (close(fd) && !err)
		err = errno;
	return err;
}

int tt_write_str(const char *path, const char *val)
{
	return tt_write_file(path, val, strlen(val));
}

void tt_item_path(char *out, size_t size, const char *group, const char *name)
{
	snprintf(out, size, "%s/%s/%s", tt.cfg.root, group, name);
}

void tt_attr_path(char *out, size_t size, const char *group, const char *name,
		  const char *attr)
{
	snprintf(out, size, "%s/%s/%s/%s", tt.cfg.root, group, name, attr);
}

/* xorshift64*, one state per thread */
uint64_t tt_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

unsigned int tt_rand_below(uint64_t *s, unsigned int n)
{
	return n ? (unsigned int)((tt_rand(s) >> 11) % n) : 0;
}

void tt_set_cur(struct tt_worker *w, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&w->cur_lock);
	va_start(ap, fmt);
	vsnprintf(w->cur, sizeof(w->cur), fmt, ap);
	va_end(ap);
	w->cur_since_ns = tt_now_ns();
	tt_op_start_ns = w->cur_since_ns;
	pthread_mutex_unlock(&w->cur_lock);
}

struct tt_group *tt_group_by_name(const char *name)
{
	int i;

	for (i = 0; i < tt.ngroups; i++)
		if (!strcmp(tt.groups[i].name, name))
			return &tt.groups[i];
	return NULL;
}

struct tt_attr *tt_attr_by_name(struct tt_group *g, const char *name)
{
	int i;

	for (i = 0; g && i < g->nattrs; i++)
		if (!strcmp(g->attrs[i].name, name))
			return &g->attrs[i];
	return NULL;
}

/* ---- value validation ---- */

static bool tt_parse_ll(const char *s, long long *out)
{
	char *end;

	if (!*s || isspace((unsigned char)*s) || *s == '+')
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end;
}

static bool tt_parse_ull(const char *s, unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

static const char *const tt_states[] = {
	"created", "running", "parked", "exited", "stopping", "stopped",
};

static bool tt_is_state(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(tt_states) / sizeof(tt_states[0]); i++)
		if (!strcmp(s, tt_states[i]))
			return true;
	return false;
}

static const char *tt_validate_lateness(const char *val)
{
	unsigned long long v[4];
	char tail;

	if (!strcmp(val, "none"))
		return NULL;
	if (sscanf(val, "%llu %llu %llu %llu%c", &v[0], &v[1], &v[2], &v[3],
		   &tail) != 4)
		return "not \"none\" nor \"<min> <avg> <max> <p99>\"";
	if (v[0] > v[1] || v[1] > v[2])
		return "not min <= avg <= max";
	if (v[3] < v[0] || v[3] > v[2])
		return "p99 outside [min, max]";
	return NULL;
}

static const char *tt_validate_hist(const char *val)
{
	static const unsigned long bounds[] = { 0, 1, 2, 5, 10, 20, 50, 100,
		200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000,
		500000, 1000000 };
	const char *p = val;
	size_t i;

	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		unsigned long long lo, count;
		int n = 0;

		if (sscanf(p, "%llu %llu%n", &lo, &count, &n) != 2 || n < 13)
			return "a line is not \"<bound> <count>\" zero-padded to six digits";
		if (lo != bounds[i])
			return "bucket bounds differ from the documented ones";
		p += n;
		if (i + 1 < sizeof(bounds) / sizeof(bounds[0])) {
			if (*p != '\n')
				return "not 20 lines";
			p++;
		}
	}
	return *p ? "more than 20 lines" : NULL;
}

const char *tt_validate(const struct tt_group *g, const char *attr,
			const char *val)
{
	const struct tt_spec *sp = tt_spec_lookup(attr);
	unsigned long long u;
	long long n;
	int i;

	if (!strcmp(attr, "state"))
		return tt_is_state(val) ? NULL : "not a documented state";
	if (!strcmp(attr, "behaviour"))
		return !g || !strcmp(val, g->name) ? NULL :
		       "not the name of the item's group";
	if (!strcmp(attr, "pid"))
		return tt_parse_ll(val, &n) && n > 0 ? NULL : "not a pid";
	if (!strcmp(attr, "ran") || !strcmp(attr, "park"))
		return !strcmp(val, "0") || !strcmp(val, "1") ? NULL : "not 0 or 1";
	if (!strcmp(attr, "loops"))
		return tt_parse_ull(val, &u) ? NULL : "not an unsigned decimal";
	if (!strcmp(attr, "stop_result"))
		return !strcmp(val, "none") ||
		       (tt_parse_ll(val, &n) && n >= INT_MIN && n <= INT_MAX) ?
		       NULL : "not \"none\" nor an int";
	if (!strcmp(attr, "stop_latency_ns"))
		return !strcmp(val, "none") || (tt_parse_ll(val, &n) && n >= 0) ?
		       NULL : "not \"none\" nor a non-negative number";
	if (!strcmp(attr, "lateness_ns"))
		return tt_validate_lateness(val);
	if (!strcmp(attr, "lateness_hist"))
		return tt_validate_hist(val);
	if (!strcmp(attr, "version")) {
		unsigned int a, b, c;
		char tail;

		return sscanf(val, "%u.%u.%u%c", &a, &b, &c, &tail) == 3 &&
		       strspn(val, "0123456789.") == strlen(val) ? NULL :
		       "not major.minor.patch";
	}
	if (!strcmp(attr, "features")) {
		const char *p = val;

		for (; *p; p++)
			if (!(islower((unsigned char)*p) || *p == '_' ||
			      isdigit((unsigned char)*p) ||
			      (*p == ' ' && p > val && p[1] && p[1] != ' ')))
				return "not space-separated tokens";
		return *val ? NULL : "empty";
	}
	if (!sp)
		return NULL;
	switch (sp->kind) {
	case TT_ONE:
	case TT_UNKNOWN:
		return NULL;
	case TT_BOOL:
		return !strcmp(val, "0") || !strcmp(val, "1") ? NULL : "not 0 or 1";
	case TT_INT:
		return tt_parse_ll(val, &n) && n >= sp->lo && n <= sp->hi ? NULL :
		       "not a number in the documented range";
	case TT_CPU:
		return tt_parse_ll(val, &n) && n >= -1 && n < tt.nposs_cpus ?
		       NULL : "not -1 nor a possible CPU";
	case TT_CHOICE:
		for (i = 0; i < sp->nchoices; i++)
			if (!strcmp(val, sp->choices[i]))
				return NULL;
		return "not one of the documented names";
	}
	return NULL;
}

/* ---- the snapshot ---- */

#define TT_MAX_KV 32

struct tt_line {
	char key[2 * TT_NAME_LEN + 2];	/* "<behaviour>/<name>" */
	char group[TT_NAME_LEN];
	char name[TT_NAME_LEN + 8];
	int nkv;
	char k[TT_MAX_KV][32];
	char v[TT_MAX_KV][64];
};

static const char *const tt_snap_keys[] = { "behaviour", "state", "pid", "cpu",
	"nice", "ran", "loops", "retval", "stop_timeout_ms", "stop_result",
	"stop_latency_ns", "parked" };
#define TT_NSNAP_KEYS (sizeof(tt_snap_keys) / sizeof(tt_snap_keys[0]))

static const char *tt_line_get(const struct tt_line *l, const char *key)
{
	int i;

	for (i = 0; i < l->nkv; i++)
		if (!strcmp(l->k[i], key))
			return l->v[i];
	return NULL;
}

/* The attribute file behind a snapshot key ("parked" is `park`). */
static const char *tt_key_attr(const char *key)
{
	return !strcmp(key, "parked") ? "park" : key;
}

/* Parses one line without its newline; NULL or why it is malformed. */
static const char *tt_parse_line(const char *s, size_t len, struct tt_line *l)
{
	const char *end = s + len, *p = s, *sp, *eq, *slash;
	size_t n;

	memset(l, 0, sizeof(*l));
	sp = memchr(p, ' ', end - p);
	if (!sp)
		return "no fields";
	n = sp - p;
	if (!n || n >= sizeof(l->key))
		return "bad key length";
	memcpy(l->key, p, n);
	slash = memchr(p, '/', n);
	if (!slash || slash == p || slash == sp - 1)
		return "key is not <behaviour>/<name>";
	snprintf(l->group, sizeof(l->group), "%.*s", (int)(slash - p), p);
	snprintf(l->name, sizeof(l->name), "%.*s", (int)(sp - slash - 1), slash + 1);
	p = sp;
	while (p < end) {
		if (*p != ' ' || p + 1 >= end || p[1] == ' ')
			return "fields not separated by single spaces";
		p++;
		sp = memchr(p, ' ', end - p);
		if (!sp)
			sp = end;
		eq = memchr(p, '=', sp - p);
		if (!eq || eq == p)
			return "a field is not key=value";
		if (l->nkv == TT_MAX_KV)
			return "too many fields";
		snprintf(l->k[l->nkv], sizeof(l->k[0]), "%.*s", (int)(eq - p), p);
		snprintf(l->v[l->nkv], sizeof(l->v[0]), "%.*s", (int)(sp - eq - 1), eq + 1);
		l->nkv++;
		p = sp;
	}
	return NULL;
}

/*
 * Invariants of one item that hold at any instant, checked on a snapshot
 * line (rendered under the item's lock, so its fields are one state).
 * Returns NULL or the violated rule.
 */
static const char *tt_line_invariants(const struct tt_line *l)
{
	const char *state = tt_line_get(l, "state");
	const char *result = tt_line_get(l, "stop_result");
	const char *latency = tt_line_get(l, "stop_latency_ns");
	const char *ran = tt_line_get(l, "ran");
	const char *parked = tt_line_get(l, "parked");
	bool stopped;

	if (!state || !result || !latency || !ran || !parked)
		return "a documented field is missing";
	stopped = !strcmp(state, "stopped");
	if (stopped != !!strcmp(result, "none") || stopped != !!strcmp(latency, "none"))
		return "stop_result/stop_latency_ns are set exactly when state is stopped: not so";
	if (!strcmp(state, "created") && strcmp(ran, "0"))
		return "a created thread has ran=1";
	if (!strcmp(state, "exited") && strcmp(ran, "1"))
		return "an exited thread has ran=0";
	if (stopped && !strcmp(ran, "0") && strcmp(result, "-4"))
		return "stopped before it ran, but stop_result is not -4 (EINTR)";
	if (!strcmp(parked, "1") && strcmp(state, "parked"))
		return !strcmp(state, "stopping") ?
		       "parked=1 while stopping (issue 7 defect 4)" :
		       "parked=1 but state is not parked";
	if (!strcmp(state, "parked") && strcmp(parked, "1"))
		return "state parked but parked=0";
	return NULL;
}

static int tt_snap_fail(enum tt_check_id id, const char *when, const char *what,
			const char *line, size_t len)
{
	char key[128];

	/* one report per item and rule */
	snprintf(key, sizeof(key), "%.*s|%.60s", (int)(strcspn(line, " ") & 63), line, what);
	tt_fail_key(id, key, "snapshot (%s): %s: \"%.*s\"", when, what,
		    (int)(len > 300 ? 300 : len), line);
	return -1;
}

int tt_check_snapshot_text(const char *text, size_t len, const char *when)
{
	static __thread struct tt_line line;
	char prev[sizeof(line.key)] = "";
	const char *p = text, *end = text + len, *nl, *why;
	unsigned long long items, seen = 0;
	int consumed = 0, ret = 0;
	size_t i;

	nl = memchr(p, '\n', end - p);
	if (!nl || sscanf(p, "# kthread_lab snapshot v1 items=%llu%n", &items,
			  &consumed) != 1 || p + consumed != nl)
		return tt_snap_fail(TT_C_FORMAT, when, "bad first line", p,
				    nl ? (size_t)(nl - p) : len);
	p = nl + 1;
	while (p < end) {
		const struct tt_group *g;

		nl = memchr(p, '\n', end - p);
		if (!nl)
			return tt_snap_fail(TT_C_FORMAT, when,
					    "last line lacks its newline", p, end - p);
		why = tt_parse_line(p, nl - p, &line);
		if (why)
			return tt_snap_fail(TT_C_FORMAT, when, why, p, nl - p);
		seen++;
		if (prev[0] && strcmp(prev, line.key) >= 0)
			ret = tt_snap_fail(TT_C_FORMAT, when,
					   "lines not sorted bytewise", p, nl - p);
		snprintf(prev, sizeof(prev), "%s", line.key);
		if (line.nkv < (int)TT_NSNAP_KEYS)
			return tt_snap_fail(TT_C_FORMAT, when, "too few fields",
					    p, nl - p);
		for (i = 0; i < TT_NSNAP_KEYS; i++)
			if (strcmp(line.k[i], tt_snap_keys[i]))
				return tt_snap_fail(TT_C_FORMAT, when,
						    "keys not in the documented order",
						    p, nl - p);
		g = tt_group_by_name(line.group);
		if (!g || strcmp(line.v[0], line.group))
			ret = tt_snap_fail(TT_C_FORMAT, when,
					   "behaviour is not the key's group", p, nl - p);
		for (i = 0; i < (size_t)line.nkv; i++) {
			why = tt_validate(g, tt_key_attr(line.k[i]), line.v[i]);
			if (why) {
				char what[160];

				snprintf(what, sizeof(what), "%s: %s", line.k[i], why);
				ret = tt_snap_fail(TT_C_FORMAT, when, what, p, nl - p);
			}
		}
		why = tt_line_invariants(&line);
		if (why)
			ret = tt_snap_fail(TT_C_CONSIST, when, why, p, nl - p);
		p = nl + 1;
	}
	if (seen != items) {
		tt_fail(TT_C_FORMAT, "snapshot (%s): items=%llu but %llu lines",
			when, items, seen);
		ret = -1;
	}
	return ret;
}

/* The line of "<group>/<name>" in @snap, copied into @l: 0, or -1. */
static int tt_snapshot_find(const char *snap, const char *group,
			    const char *name, struct tt_line *l)
{
	char key[2 * TT_NAME_LEN + 4];
	const char *p, *nl;

	snprintf(key, sizeof(key), "\n%s/%s ", group, name);
	p = strstr(snap, key);
	if (!p)
		return -1;
	p++;
	nl = strchr(p, '\n');
	if (!nl || tt_parse_line(p, nl - p, l))
		return -1;
	return 0;
}

/* ---- /proc ---- */

struct tt_proc {
	char comm[80];
	char state;
	long long nice;
	unsigned long long flags;
};

/* /proc/<pid>/stat (or a task of ours): 0, or -errno. */
static int tt_proc_stat(const char *path, struct tt_proc *pr)
{
	char buf[1024], *open_paren, *close_paren, *p;
	int i, n = tt_read_file(path, buf, sizeof(buf));

	if (n < 0)
		return n;
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -EINVAL;
	snprintf(pr->comm, sizeof(pr->comm), "%.*s",
		 (int)(close_paren - open_paren - 1), open_paren + 1);
	p = close_paren + 2;
	pr->state = *p;
	/* fields 3 (state) .. : flags is 9, nice is 19 */
	pr->flags = 0;
	pr->nice = 0;
	for (i = 3; *p && i <= 19; i++) {
		if (i == 9)
			pr->flags = strtoull(p, NULL, 10);
		if (i == 19)
			pr->nice = strtoll(p, NULL, 10);
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
	}
	return 0;
}

/* A kthread_lab thread: a kernel thread named ktl_... */
static bool tt_is_ktl(const struct tt_proc *pr)
{
	return (pr->flags & TT_PF_KTHREAD) && !strncmp(pr->comm, "ktl_", 4);
}

static int tt_pid_stat(long long pid, struct tt_proc *pr)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%lld/stat", pid);
	return tt_proc_stat(path, pr);
}

static void tt_cpus_allowed(long long pid, char *out, size_t size)
{
	char path[64], buf[4096], *p;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%lld/status", pid);
	if (tt_read_file(path, buf, sizeof(buf)) < 0)
		return;
	p = strstr(buf, "Cpus_allowed_list:");
	if (!p)
		return;
	p += strlen("Cpus_allowed_list:");
	while (*p == ' ' || *p == '\t')
		p++;
	snprintf(out, size, "%.*s", (int)strcspn(p, "\n"), p);
}

void tt_dump_stack(const char *what, pid_t tid)
{
	char path[64], buf[4096], *line, *save;

	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)tid);
	if (tt_read_value(path, buf, sizeof(buf)) > 0)
		printf("#   %s: wchan %s\n", what, buf);
	snprintf(path, sizeof(path), "/proc/%d/stack", (int)tid);
	if (tt_read_file(path, buf, sizeof(buf)) <= 0)
		return;
	printf("#   %s: kernel stack:\n", what);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("#     %s\n", line);
	fflush(stdout);
}

/* ---- the D-state watcher ---- */

#define TT_TRACK_MAX 4096
#define TT_WATCH_MS 100

struct tt_track {
	pid_t pid;
	bool ours;		/* a thread of this process */
	bool flagged;		/* reported */
	bool excused;		/* a `created` item: D by design */
	bool started;		/* we started it to keep it from hung-task */
	bool looked;		/* its item's state was looked up */
	unsigned long long switches;	/* context switches when last seen */
	long long since;
	char comm[80];
};

static struct tt_track tt_tracks[TT_TRACK_MAX];
static int tt_ntracks;
static volatile int tt_watch_stop;
static pthread_t tt_watch_thread;
static long long tt_max_d_ours, tt_max_d_ktl;
static char tt_max_d_ours_what[300], tt_max_d_ktl_what[120];
static unsigned long tt_samples, tt_autostarts;
static long tt_autostart_ms;
volatile int tt_checking;

static struct tt_track *tt_track_find(pid_t pid, bool ours)
{
	int i;

	for (i = 0; i < tt_ntracks; i++)
		if (tt_tracks[i].pid == pid && tt_tracks[i].ours == ours)
			return &tt_tracks[i];
	return NULL;
}

static struct tt_worker *tt_worker_by_tid(pid_t tid)
{
	int i;

	for (i = 0; i < tt.cfg.workers; i++)
		if (tt.workers[i].tid == tid)
			return &tt.workers[i];
	return tt.churner.tid == tid ? &tt.churner : NULL;
}

/* The snapshot line of the item whose thread is @pid: 0, or -1. */
static int tt_item_of_pid(pid_t pid, struct tt_line *l)
{
	static char snap[TT_SNAP_MAX];
	char path[PATH_MAX], needle[32];
	const char *p, *start, *nl;

	snprintf(path, sizeof(path), "%s/snapshot", tt.cfg.root);
	if (tt_read_file(path, snap, sizeof(snap)) < 0)
		return -1;
	snprintf(needle, sizeof(needle), " pid=%d ", (int)pid);
	p = strstr(snap, needle);
	if (!p)
		return -1;
	start = p;
	while (start > snap && start[-1] != '\n')
		start--;
	nl = strchr(p, '\n');
	if (!nl || tt_parse_line(start, nl - start, l))
		return -1;
	return 0;
}

static void tt_watch_d(struct tt_track *t, long long now)
{
	long long d = now - t->since;
	static struct tt_line l;
	char what[300] = "";

	if (t->ours) {
		struct tt_worker *w = tt_worker_by_tid(t->pid);

		if (w) {
			pthread_mutex_lock(&w->cur_lock);
			snprintf(what, sizeof(what), "%s", w->cur);
			pthread_mutex_unlock(&w->cur_lock);
		}
		if (d > tt_max_d_ours) {
			tt_max_d_ours = d;
			snprintf(tt_max_d_ours_what, sizeof(tt_max_d_ours_what),
				 "%s", what);
		}
	} else if (!t->looked && d > 1000000000LL) {
		const char *state;

		/* a created thread waits in D by design (see autostart) */
		t->looked = true;
		if (!tt_item_of_pid(t->pid, &l) && (state = tt_line_get(&l, "state")) &&
		    !strcmp(state, "created"))
			t->excused = true;
	}
	if (!t->ours && !t->excused && d > tt_max_d_ktl) {
		tt_max_d_ktl = d;
		snprintf(tt_max_d_ktl_what, sizeof(tt_max_d_ktl_what), "%s",
			 t->comm);
	}
	if (t->excused && !t->started && d > tt_autostart_ms * 1000000LL &&
	    !tt_checking) {
		/* keep a created thread from the hung-task detector */
		char path[PATH_MAX];

		if (!tt_item_of_pid(t->pid, &l)) {
			snprintf(path, sizeof(path), "%s/%s/start", tt.cfg.root,
				 l.key);
			tt_write_str(path, "1");
			tt_autostarts++;
		}
		t->started = true;
	}
	if (t->flagged || t->excused || d <= tt.cfg.d_limit_ms * 1000000LL)
		return;
	if (!t->ours) {
		const char *state = NULL;

		/* a created thread waits in D by design (see autostart) */
		if (!tt_item_of_pid(t->pid, &l))
			state = tt_line_get(&l, "state");
		if (state && !strcmp(state, "created")) {
			t->excused = true;
			return;
		}
		tt_fail(TT_C_DSTATE, "%s (pid %d) in D state for %.1f s (item %s, state %s)",
			t->comm, (int)t->pid, d / 1e9, state ? l.key : "?",
			state ? state : "?");
	} else {
		tt_fail(TT_C_DSTATE, "%s (tid %d) in D state for %.1f s during \"%s\"%s",
			t->comm, (int)t->pid, d / 1e9, what,
			strstr(what, "rmdir") || strstr(what, "mkdir") ?
			" (issue 7 defects 1/2: rmdir waits under configfs locks?)" : "");
	}
	t->flagged = true;
	tt_dump_stack(t->comm, t->pid);
}

/*
 * Context switches of a task, as the hung-task detector counts them: a
 * task that ran between two samples left D meanwhile. 0 if unknown.
 */
static unsigned long long tt_switches(pid_t pid, bool ours)
{
	char path[64], buf[4096], *p;
	unsigned long long n = 0;

	snprintf(path, sizeof(path), ours ? "/proc/self/task/%d/status" :
		 "/proc/%d/status", (int)pid);
	if (tt_read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	p = strstr(buf, "voluntary_ctxt_switches:");
	if (p)
		n += strtoull(p + strlen("voluntary_ctxt_switches:"), NULL, 10);
	p = strstr(buf, "nonvoluntary_ctxt_switches:");
	if (p)
		n += strtoull(p + strlen("nonvoluntary_ctxt_switches:"), NULL, 10);
	return n;
}

static void tt_watch_one(pid_t pid, const struct tt_proc *pr, bool ours,
			 long long now, bool *seen)
{
	struct tt_track *t = tt_track_find(pid, ours);
	unsigned long long switches;

	if (pr->state != 'D') {
		if (t)
			t->pid = 0;	/* left D: forget it */
		return;
	}
	if (!t) {
		int i;

		for (i = 0; i < tt_ntracks && tt_tracks[i].pid; i++)
			;
		if (i == tt_ntracks) {
			if (tt_ntracks == TT_TRACK_MAX)
				return;
			tt_ntracks++;
		}
		t = &tt_tracks[i];
		memset(t, 0, sizeof(*t));
		t->pid = pid;
		t->ours = ours;
		t->since = now;
		t->switches = tt_switches(pid, ours);
		snprintf(t->comm, sizeof(t->comm), "%s", pr->comm);
	}
	seen[t - tt_tracks] = true;
	/* it ran since the last sample: a new wait, not the same one */
	switches = tt_switches(pid, ours);
	if (switches != t->switches) {
		t->switches = switches;
		t->since = now;
		t->flagged = t->excused = t->looked = t->started = false;
	}
	tt_watch_d(t, now);
}

static void tt_watch_sample(void)
{
	static bool seen[TT_TRACK_MAX];
	long long now = tt_now_ns();
	char path[PATH_MAX];
	struct tt_proc pr;
	struct dirent *de;
	int i;
	DIR *d;

	memset(seen, 0, sizeof(seen));
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (tt_proc_stat(path, &pr) || !tt_is_ktl(&pr))
			continue;
		tt_watch_one(atoi(de->d_name), &pr, false, now, seen);
	}
	if (d)
		closedir(d);
	d = opendir("/proc/self/task");
	while (d && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat", de->d_name);
		if (!tt_proc_stat(path, &pr))
			tt_watch_one(atoi(de->d_name), &pr, true, now, seen);
	}
	if (d)
		closedir(d);
	/* tasks that vanished */
	for (i = 0; i < tt_ntracks; i++)
		if (tt_tracks[i].pid && !seen[i])
			tt_tracks[i].pid = 0;
	tt_samples++;
}

void *tt_watcher(void *arg)
{
	char buf[32];

	(void)arg;
	pthread_setname_np(pthread_self(), "ktt-watch");
	/* start created threads at half the hung-task timeout */
	tt_autostart_ms = 60000;
	if (tt_read_value("/proc/sys/kernel/hung_task_timeout_secs", buf,
			  sizeof(buf)) > 0 && atol(buf) > 0)
		tt_autostart_ms = atol(buf) * 500;
	while (!__atomic_load_n(&tt_watch_stop, __ATOMIC_ACQUIRE)) {
		tt_watch_sample();
		tt_sleep_ms(TT_WATCH_MS);
	}
	return NULL;
}

int tt_watcher_start(void)
{
	return pthread_create(&tt_watch_thread, NULL, tt_watcher, NULL);
}

void tt_watcher_stop(void)
{
	__atomic_store_n(&tt_watch_stop, 1, __ATOMIC_RELEASE);
	pthread_join(tt_watch_thread, NULL);
}

void tt_watcher_report(void)
{
	printf("# D-state watcher: %lu samples; longest D of a torture thread %.2f s (%s); of a ktl_ thread that was not created %.2f s (%s); created threads started to spare the hung-task detector: %lu\n",
	       tt_samples, tt_max_d_ours / 1e9,
	       tt_max_d_ours_what[0] ? tt_max_d_ours_what : "-",
	       tt_max_d_ktl / 1e9, tt_max_d_ktl_what[0] ? tt_max_d_ktl_what : "-",
	       tt_autostarts);
}

/* ---- quiescent consistency of items ---- */

struct tt_item_vals {
	int n;
	char k[TT_MAX_ATTRS][TT_NAME_LEN];
	char v[TT_MAX_ATTRS][TT_VAL_MAX / 4];
};

static const char *tt_vals_get(const struct tt_item_vals *iv, const char *k)
{
	int i;

	for (i = 0; i < iv->n; i++)
		if (!strcmp(iv->k[i], k))
			return iv->v[i];
	return NULL;
}

/* Appends a mismatch to @msg. */
static void tt_msg(char *msg, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tt_msg(char *msg, size_t size, const char *fmt, ...)
{
	size_t len = strlen(msg);
	va_list ap;

	if (len + 3 >= size)
		return;
	if (len) {
		strcat(msg, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(msg + len, size - len, fmt, ap);
	va_end(ap);
}

/*
 * One item against itself, its snapshot line and /proc. Returns 0 when
 * consistent, else 1 with the reasons in @msg.
 */
static int tt_check_item(struct tt_group *g, const char *name,
			 const char *snap, char *msg, size_t size)
{
	static struct tt_item_vals iv;
	static struct tt_line l;
	char path[PATH_MAX], state2[64], allowed[256], want[256];
	const char *state, *v, *why, *fv;
	long long pid = 0, cpu = -1, nice = 0;
	struct tt_proc pr;
	bool live, changing;
	int i, n;

	msg[0] = '\0';
	iv.n = 0;
	tt_attr_path(path, sizeof(path), g->name, name, "state");
	if (tt_read_value(path, state2, sizeof(state2)) < 0) {
		tt_msg(msg, size, "state unreadable");
		return 1;
	}
	for (i = 0; i < g->nattrs && iv.n < TT_MAX_ATTRS; i++) {
		if (!g->attrs[i].readable)
			continue;
		tt_attr_path(path, sizeof(path), g->name, name, g->attrs[i].name);
		n = tt_read_value(path, iv.v[iv.n], sizeof(iv.v[0]));
		if (n < 0) {
			tt_msg(msg, size, "%s: %s", g->attrs[i].name, tt_errname(-n));
			continue;
		}
		snprintf(iv.k[iv.n], sizeof(iv.k[0]), "%s", g->attrs[i].name);
		why = tt_validate(g, g->attrs[i].name, iv.v[iv.n]);
		if (why)
			tt_msg(msg, size, "%s=\"%s\": %s", g->attrs[i].name,
			       iv.v[iv.n], why);
		iv.n++;
	}
	state = tt_vals_get(&iv, "state");
	if (!state || strcmp(state, state2)) {
		tt_msg(msg, size, "state changed while reading (%s -> %s)", state2,
		       state ? state : "?");
		return 1;
	}
	changing = !strcmp(state, "running") || !strcmp(state, "stopping");

	/* state against the other attributes */
	v = tt_vals_get(&iv, "stop_result");
	fv = tt_vals_get(&iv, "stop_latency_ns");
	if (v && fv && (!strcmp(state, "stopped") != !!strcmp(v, "none") ||
			!strcmp(state, "stopped") != !!strcmp(fv, "none")))
		tt_msg(msg, size, "state %s with stop_result %s, stop_latency_ns %s",
		       state, v, fv);
	v = tt_vals_get(&iv, "park");
	if (v && !strcmp(v, "1") != !strcmp(state, "parked"))
		tt_msg(msg, size, "state %s with park %s%s", state, v,
		       !strcmp(state, "stopping") ? " (issue 7 defect 4)" : "");
	v = tt_vals_get(&iv, "ran");
	if (v && !strcmp(state, "created") && strcmp(v, "0"))
		tt_msg(msg, size, "created with ran %s", v);
	if (v && !strcmp(state, "exited") && strcmp(v, "1"))
		tt_msg(msg, size, "exited with ran %s", v);
	fv = tt_vals_get(&iv, "stop_result");
	if (v && fv && !strcmp(state, "stopped") && !strcmp(v, "0") &&
	    strcmp(fv, "-4"))
		tt_msg(msg, size, "stopped before running with stop_result %s", fv);

	/* the snapshot line against the files */
	if (tt_snapshot_find(snap, g->name, name, &l)) {
		tt_msg(msg, size, "no snapshot line");
	} else {
		for (i = 0; i < l.nkv; i++) {
			const char *attr = tt_key_attr(l.k[i]);

			fv = tt_vals_get(&iv, attr);
			if (!fv || !strcmp(fv, l.v[i]))
				continue;
			if ((!strcmp(attr, "loops") && (changing || !strcmp(state, "parked"))) ||
			    (!strcmp(attr, "ran") && !strcmp(state, "running")))
				continue;
			tt_msg(msg, size, "snapshot %s=%s, file %s", l.k[i], l.v[i], fv);
		}
	}

	/* the thread in /proc */
	v = tt_vals_get(&iv, "pid");
	if (v)
		pid = strtoll(v, NULL, 10);
	v = tt_vals_get(&iv, "cpu");
	if (v)
		cpu = strtoll(v, NULL, 10);
	v = tt_vals_get(&iv, "nice");
	if (v)
		nice = strtoll(v, NULL, 10);
	live = !strcmp(state, "created") || !strcmp(state, "running") ||
	       !strcmp(state, "parked");
	if (pid > 0 && live) {
		char full[2 * TT_NAME_LEN + 16];

		snprintf(full, sizeof(full), "ktl_%s_%s", g->tag, name);
		if (tt_pid_stat(pid, &pr)) {
			tt_msg(msg, size, "state %s but pid %lld is gone", state, pid);
		} else {
			if (strncmp(full, pr.comm, strlen(pr.comm)) ||
			    strlen(pr.comm) < (strlen(full) < 15 ? strlen(full) : 15))
				tt_msg(msg, size, "pid %lld is \"%s\", not %s", pid,
				       pr.comm, full);
			if (!strcmp(state, "created") && pr.state != 'D')
				tt_msg(msg, size, "created but task state %c", pr.state);
			if (!strcmp(state, "parked") && pr.state != 'P')
				tt_msg(msg, size, "parked but task state %c", pr.state);
			if (pr.nice != nice && tt_vals_get(&iv, "nice"))
				tt_msg(msg, size, "nice %lld but the task's is %lld",
				       nice, pr.nice);
			if (tt_vals_get(&iv, "cpu")) {
				tt_cpus_allowed(pid, allowed, sizeof(allowed));
				if (cpu >= 0)
					snprintf(want, sizeof(want), "%lld", cpu);
				else
					snprintf(want, sizeof(want), "%s", tt.kthreadd_cpus);
				if (want[0] && strcmp(allowed, want))
					tt_msg(msg, size, "cpu %lld but Cpus_allowed_list %s",
					       cpu, allowed);
				if (cpu < 0 && (pr.flags & TT_PF_NO_SETAFFINITY))
					tt_msg(msg, size, "cpu -1 but the task keeps PF_NO_SETAFFINITY (issue 7 defect 8)");
			}
		}
	} else if (pid > 0 && (!strcmp(state, "stopped") || !strcmp(state, "exited"))) {
		if (!tt_pid_stat(pid, &pr) && tt_is_ktl(&pr))
			tt_msg(msg, size, "state %s but pid %lld (%s) still exists",
			       state, pid, pr.comm);
	}
	return msg[0] != '\0';
}

#define TT_MAX_ITEMS 1024

struct tt_item_ref {
	int group;
	char name[TT_NAME_LEN + 8];
};

/* Every item directory of every group. */
static int tt_list_items(struct tt_item_ref *out, int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	int g, n = 0;
	DIR *d;

	for (g = 0; g < tt.ngroups; g++) {
		snprintf(path, sizeof(path), "%s/%s", tt.cfg.root, tt.groups[g].name);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d)) && n < max) {
			if (de->d_type != DT_DIR || de->d_name[0] == '.')
				continue;
			out[n].group = g;
			snprintf(out[n].name, sizeof(out[n].name), "%s", de->d_name);
			n++;
		}
		closedir(d);
	}
	return n;
}

/*
 * With the workers paused: every item agrees with itself, its snapshot
 * line and /proc, and the snapshot lists exactly the item directories.
 * Items in transition (a stop completing, a thread exiting) are looked at
 * again, up to about ten seconds. Returns the number of items checked.
 */
int tt_check_items(const char *when)
{
	static struct tt_item_ref items[TT_MAX_ITEMS];
	static char msgs[TT_MAX_ITEMS][1024];
	static bool pending[TT_MAX_ITEMS];
	static char snap[TT_SNAP_MAX];
	char path[PATH_MAX];
	int n, i, round, left, len;
	long wait_ms = 50;

	tt_checking = 1;
	n = tt_list_items(items, TT_MAX_ITEMS);
	for (i = 0; i < n; i++)
		pending[i] = true;
	snprintf(path, sizeof(path), "%s/snapshot", tt.cfg.root);
	for (round = 0, left = n; left && round < 9; round++) {
		len = tt_read_file(path, snap, sizeof(snap));
		if (len < 0) {
			tt_fail(TT_C_ERRNO, "read snapshot (%s): %s", when,
				tt_errname(-len));
			break;
		}
		for (i = 0, left = 0; i < n; i++) {
			if (!pending[i])
				continue;
			pending[i] = tt_check_item(&tt.groups[items[i].group],
						   items[i].name, snap, msgs[i],
						   sizeof(msgs[i]));
			left += pending[i];
		}
		if (left) {
			tt_sleep_ms(wait_ms);
			wait_ms *= 2;
		}
	}
	for (i = 0; i < n; i++)
		if (pending[i])
			tt_fail(TT_C_CONSIST, "%s: %s/%s: %s", when,
				tt.groups[items[i].group].name, items[i].name, msgs[i]);

	/* the snapshot's set of items is the directories' */
	len = tt_read_file(path, snap, sizeof(snap));
	if (len >= 0 && !tt_check_snapshot_text(snap, len, when)) {
		unsigned long long count = 0;

		sscanf(snap, "# kthread_lab snapshot v1 items=%llu", &count);
		if (count != (unsigned long long)n)
			tt_fail(TT_C_CONSIST, "%s: snapshot lists %llu items, the groups hold %d directories",
				when, count, n);
	}
	tt_checking = 0;
	return n;
}

/* ---- running periodic items keep ticking ---- */

void tt_check_ticking(void)
{
	static struct tt_item_ref items[TT_MAX_ITEMS];
	static long long loops0[TT_MAX_ITEMS], limit[TT_MAX_ITEMS];
	static bool watch[TT_MAX_ITEMS];
	char path[PATH_MAX], buf[64];
	long long start = tt_now_ns(), now;
	int n, i, left = 0, checked = 0;

	/* Everything that burns CPU without a period goes first. */
	n = tt_list_items(items, TT_MAX_ITEMS);
	for (i = 0; i < n; i++) {
		struct tt_group *g = &tt.groups[items[i].group];

		if (tt_attr_by_name(g, "period_us"))
			continue;
		tt_item_path(path, sizeof(path), g->name, items[i].name);
		if (rmdir(path) && errno != ENOENT)
			tt_fail(TT_C_CLEANUP, "rmdir %s/%s: %s", g->name,
				items[i].name, tt_errname(errno));
	}
	n = tt_list_items(items, TT_MAX_ITEMS);
	/* created ones are started, parked ones unparked: all should tick */
	for (i = 0; i < n; i++) {
		struct tt_group *g = &tt.groups[items[i].group];

		tt_attr_path(path, sizeof(path), g->name, items[i].name, "state");
		if (tt_read_value(path, buf, sizeof(buf)) < 0)
			continue;
		if (!strcmp(buf, "created")) {
			tt_attr_path(path, sizeof(path), g->name, items[i].name, "start");
			tt_write_str(path, "1");
		} else if (!strcmp(buf, "parked")) {
			tt_attr_path(path, sizeof(path), g->name, items[i].name, "park");
			tt_write_str(path, "0");
		}
	}
	start = tt_now_ns();
	for (i = 0; i < n; i++) {
		struct tt_group *g = &tt.groups[items[i].group];
		long long period;

		watch[i] = false;
		tt_attr_path(path, sizeof(path), g->name, items[i].name, "state");
		if (tt_read_value(path, buf, sizeof(buf)) < 0 || strcmp(buf, "running"))
			continue;
		tt_attr_path(path, sizeof(path), g->name, items[i].name, "period_us");
		if (tt_read_value(path, buf, sizeof(buf)) < 0)
			continue;
		period = strtoll(buf, NULL, 10);
		if (period > 1000000)
			continue;
		tt_attr_path(path, sizeof(path), g->name, items[i].name, "loops");
		if (tt_read_value(path, buf, sizeof(buf)) < 0)
			continue;
		loops0[i] = strtoll(buf, NULL, 10);
		/* two periods, plus the emulator's slowness */
		limit[i] = start + 2 * period * 1000 + 10000000000LL;
		watch[i] = true;
		left++;
		checked++;
	}
	while (left) {
		left = 0;
		now = tt_now_ns();
		for (i = 0; i < n; i++) {
			struct tt_group *g = &tt.groups[items[i].group];

			if (!watch[i])
				continue;
			tt_attr_path(path, sizeof(path), g->name, items[i].name, "loops");
			if (tt_read_value(path, buf, sizeof(buf)) >= 0 &&
			    strtoll(buf, NULL, 10) > loops0[i]) {
				watch[i] = false;
				continue;
			}
			if (now > limit[i]) {
				char mode[32] = "?", period[32] = "?", pid[32] = "0";

				tt_attr_path(path, sizeof(path), g->name, items[i].name, "sleep_mode");
				tt_read_value(path, mode, sizeof(mode));
				tt_attr_path(path, sizeof(path), g->name, items[i].name, "period_us");
				tt_read_value(path, period, sizeof(period));
				tt_attr_path(path, sizeof(path), g->name, items[i].name, "pid");
				tt_read_value(path, pid, sizeof(pid));
				tt_fail(TT_C_TICK, "%s/%s: running, period_us %s, sleep_mode %s, but loops stuck at %lld for %.1f s (issue 7 defect 3?)",
					g->name, items[i].name, period, mode,
					loops0[i], (now - start) / 1e9);
				tt_dump_stack(items[i].name, atoi(pid));
				watch[i] = false;
				continue;
			}
			left++;
		}
		if (left)
			tt_sleep_ms(50);
	}
	printf("# ticking: %d running periodic item(s) checked in %.1f s\n",
	       checked, (tt_now_ns() - start) / 1e9);
}

/* ---- cleanup ---- */

static int tt_ktl_tasks(bool report)
{
	struct tt_proc pr;
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc");

	while (d && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (tt_proc_stat(path, &pr) || !tt_is_ktl(&pr))
			continue;
		n++;
		if (report) {
			tt_fail(TT_C_CLEANUP, "task %s (%s) still exists after cleanup, state %c",
				de->d_name, pr.comm, pr.state);
			tt_dump_stack(pr.comm, atoi(de->d_name));
		}
	}
	if (d)
		closedir(d);
	return n;
}

void tt_cleanup(void)
{
	static struct tt_item_ref items[TT_MAX_ITEMS];
	long long start = tt_now_ns(), deadline = start + 60000000000LL;
	char path[PATH_MAX], head[128];
	unsigned long removed = 0;
	int n, i;

	while ((n = tt_list_items(items, TT_MAX_ITEMS)) > 0) {
		for (i = 0; i < n; i++) {
			struct tt_group *g = &tt.groups[items[i].group];

			tt_item_path(path, sizeof(path), g->name, items[i].name);
			if (!rmdir(path))
				removed++;
			else if (errno != ENOENT)
				tt_fail(TT_C_CLEANUP, "rmdir %s/%s: %s", g->name,
					items[i].name, tt_errname(errno));
		}
		if (tt_now_ns() > deadline) {
			tt_fail(TT_C_CLEANUP, "%d item(s) still there after 60 s of rmdir", n);
			break;
		}
	}
	/* every thread gone: rmdir hands slow stops to the background */
	deadline = tt_now_ns() + 30000000000LL;
	while (tt_ktl_tasks(false) && tt_now_ns() < deadline)
		tt_sleep_ms(50);
	tt_ktl_tasks(true);
	snprintf(path, sizeof(path), "%s/snapshot", tt.cfg.root);
	if (tt_read_value(path, head, sizeof(head)) < 0 ||
	    strncmp(head, "# kthread_lab snapshot v1 items=0", 33) || head[33])
		tt_fail(TT_C_CLEANUP, "snapshot after cleanup: \"%.60s\"", head);
	printf("# cleanup: %lu item(s) removed, no ktl_ task left after %.1f s\n",
	       removed, (tt_now_ns() - start) / 1e9);
}

/*
 * After cleanup nothing counts against max_threads: with max_threads set
 * to the number of groups, one mkdir in each group fits and one more does
 * not. Items released in the background may take a moment to leave.
 */
void tt_check_counting(void)
{
	char path[PATH_MAX], mt[PATH_MAX], val[32], buf[64];
	long long deadline;
	int g, err, made = 0;

	if (!tt.has_max_threads)
		return;
	snprintf(mt, sizeof(mt), "%s/max_threads", tt.cfg.root);
	snprintf(val, sizeof(val), "%d", tt.ngroups);
	err = tt_write_str(mt, val);
	if (err) {
		tt_fail(TT_C_MAXTHREADS, "write %s to max_threads: %s", val,
			tt_errname(err));
		return;
	}
	for (g = 0; g < tt.ngroups; g++) {
		snprintf(path, sizeof(path), "%s/%s/ktt-count", tt.cfg.root,
			 tt.groups[g].name);
		deadline = tt_now_ns() + 10000000000LL;
		while ((err = mkdir(path, 0755) ? errno : 0) == ENOSPC &&
		       tt_now_ns() < deadline)
			tt_sleep_ms(50);
		if (err)
			tt_fail(TT_C_MAXTHREADS, "max_threads %d, %d item(s): mkdir %s/ktt-count: %s (a slot leaked?)",
				tt.ngroups, made, tt.groups[g].name, tt_errname(err));
		else
			made++;
	}
	if (made == tt.ngroups) {
		snprintf(path, sizeof(path), "%s/%s/ktt-count-extra", tt.cfg.root,
			 tt.groups[0].name);
		err = mkdir(path, 0755) ? errno : 0;
		if (!err)
			rmdir(path);
		if (err != ENOSPC)
			tt_fail(TT_C_MAXTHREADS, "max_threads %d with %d items: mkdir gave %s, want ENOSPC",
				tt.ngroups, made, err ? tt_errname(err) : "success");
	}
	for (g = 0; g < tt.ngroups; g++) {
		snprintf(path, sizeof(path), "%s/%s/ktt-count", tt.cfg.root,
			 tt.groups[g].name);
		rmdir(path);
	}
	err = tt_write_str(mt, tt.max_threads_initial);
	if (err || tt_read_value(mt, buf, sizeof(buf)) < 0 ||
	    strcmp(buf, tt.max_threads_initial))
		tt_fail(TT_C_MAXTHREADS, "max_threads not restored to %s", tt.max_threads_initial);
}
