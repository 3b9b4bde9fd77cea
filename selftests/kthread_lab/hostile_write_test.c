// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile writes to every writable attribute: the root's, each group's and
 * each item's, with items resting created, parked and stopped, in every
 * behaviour the root holds.
 *
 * The writable attributes are found by reading the directories (file modes),
 * so an attribute or behaviour added later is covered at once; hs_specs[]
 * only gives each attribute's range or words, and a writable attribute
 * missing from it fails the test. hs_model() is the ABI file's "Writing
 * values" section as code: every input must fail with the errno it predicts
 * or be accepted with the value it predicts, and a refused write must leave
 * every readable file (and the snapshot line) exactly as it was.
 *
 * Then two writers at once: on one setting, and start/stop/park of one item.
 *
 * KTL_HOSTILE_STRIDE=N in the environment tries only every Nth input,
 * counted across the attributes so that each one's sample starts elsewhere:
 * under the debug kernel's checkers a write costs about twelve times as
 * much, and the inputs left out take the same parser paths as those kept.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "lab.h"

/* configfs hands a store at most PAGE_SIZE - 1 bytes of a write */
#define HS_STORE_MAX 4095
#define HS_MAX_FILES 48
#define HS_FILE_MAX 1200
#define HS_LABEL_MAX 96
#define HS_BIG (8192 + 64)
#define HS_SNAP_MAX (1 << 20)
/* mismatches logged in full per test; the rest are only counted */
#define HS_LOG_LIMIT 60
#define HS_TIMEOUT 1800

/* ---- counters shared by the harness's test children ---- */

struct hs_totals {
	long tried, refused, accepted, concurrent, wrong;
};

static struct hs_totals *hs_totals;
static pid_t hs_main_pid;
static long hs_stride = 1;

static void hs_report(void)
{
	if (getpid() != hs_main_pid || !hs_totals)
		return;
	printf("# hostile: %ld inputs tried (%ld refused, %ld accepted, %ld concurrent writes; %ld not as documented)%s\n",
	       hs_totals->tried + hs_totals->concurrent, hs_totals->refused,
	       hs_totals->accepted, hs_totals->concurrent, hs_totals->wrong,
	       hs_stride > 1 ? " (KTL_HOSTILE_STRIDE: a sample of the corpus)" : "");
	fflush(stdout);
}

static void __attribute__((constructor)) hs_init(void)
{
	void *p = mmap(NULL, sizeof(*hs_totals), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	const char *stride = getenv("KTL_HOSTILE_STRIDE");

	hs_main_pid = getpid();
	hs_totals = p == MAP_FAILED ? NULL : p;
	if (stride && atol(stride) > 1)
		hs_stride = atol(stride);
	atexit(hs_report);
}

static void hs_count(long *field)
{
	__atomic_add_fetch(field, 1, __ATOMIC_RELAXED);
}

#define HS_COUNT(field) do { if (hs_totals) hs_count(&hs_totals->field); } while (0)

/* ---- what each writable attribute takes ---- */

enum hs_role {
	HS_SET,		/* a setting: reads back the value written */
	HS_RETVAL,	/* a setting, EBUSY once stopped */
	HS_NICE,	/* a setting, EBUSY once stopped */
	HS_CPU,		/* a setting: -1 or an online CPU, only while created */
	HS_PLACEMENT,	/* a word; "other" needs two online CPUs */
	HS_START,	/* actions from here on */
	HS_STOP,
	HS_RELEASE,
	HS_PARK,
	HS_RUN,		/* an experiment's run: completed reads its runs */
};

struct hs_spec {
	/*
	 * "root", "group", "item" (all items), a behaviour,
	 * "experiments/<kind>" or "experiment" (every kind's items)
	 */
	const char *where;
	const char *name;
	enum hs_role role;
	long long min, max;
	const char *const *words;	/* NULL-terminated, or NULL: a number */
};

static const char *const hs_wait_modes[] = { "sleep", "spin", NULL };
static const char *const hs_sleep_modes[] = { "msleep", "interruptible",
	"hrtimer", NULL };
static const char *const hs_delay_modes[] = { "spin", "sleep", NULL };
static const char *const hs_placements[] = { "any", "same", "other", NULL };

/* Ranges and words as the ABI file gives them; a new attribute goes here. */
static const struct hs_spec hs_specs[] = {
	{ "root", "max_threads", HS_SET, 0, 1000000, NULL },
	{ "group", "autostart", HS_SET, 0, 1, NULL },
	{ "item", "retval", HS_RETVAL, INT_MIN, INT_MAX, NULL },
	{ "item", "start", HS_START, 1, 1, NULL },
	{ "item", "stop", HS_STOP, 1, 1, NULL },
	{ "item", "stop_timeout_ms", HS_SET, 1, 30000, NULL },
	{ "item", "cpu", HS_CPU, INT_MIN, INT_MAX, NULL },
	{ "item", "nice", HS_NICE, -20, 19, NULL },
	{ "item", "park", HS_PARK, 0, 1, NULL },
	{ "busy", "honor_stop", HS_SET, 0, 1, NULL },
	{ "busy", "resched", HS_SET, 0, 1, NULL },
	{ "busy", "release", HS_RELEASE, 1, 1, NULL },
	{ "wait", "job_ms", HS_SET, 0, 600000, NULL },
	{ "wait", "wait_mode", HS_SET, 0, 0, hs_wait_modes },
	{ "periodic", "period_us", HS_SET, 100, 3600000000LL, NULL },
	{ "periodic", "sleep_mode", HS_SET, 0, 0, hs_sleep_modes },
	{ "experiments/race", "runs", HS_SET, 1, 100000, NULL },
	{ "experiments/race", "delay_ns", HS_SET, 0, 1000000000, NULL },
	{ "experiments/race", "delay_mode", HS_SET, 0, 0, hs_delay_modes },
	{ "experiments/race", "placement", HS_PLACEMENT, 0, 0, hs_placements },
	{ "experiments/spawn", "threads", HS_SET, 1, 100000, NULL },
	{ "experiments/spawn", "sleep_before_stop_ms", HS_SET, 0, 10000, NULL },
	{ "experiment", "run", HS_RUN, 1, 1, NULL },
};

/*
 * The parameter that makes each experiment kind's run short, and its
 * value: every accepted `run` input performs one (a kind missing here runs
 * with its defaults, which may take up to 25 s an input).
 */
static const struct { const char *kind, *attr, *value; } hs_cheap_runs[] = {
	{ "experiments/race", "runs", "1" },
	{ "experiments/spawn", "threads", "1" },
};

static const struct hs_spec *hs_find_spec(const char *where, const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hs_specs); i++)
		if (!strcmp(hs_specs[i].where, where) &&
		    !strcmp(hs_specs[i].name, name))
			return &hs_specs[i];
	return NULL;
}

/* ---- CPUs, for `cpu` ---- */

static int hs_nr_cpu_ids;
static bool hs_online[1024];

/* Parses a CPU list such as "0-3,5"; returns the highest CPU + 1. */
static int hs_cpu_list(const char *path, bool *set, int size)
{
	char buf[1024], *p;
	int hi = 0, a, b, n;

	if (lab_read_path(path, buf, sizeof(buf)) <= 0)
		return 0;
	for (p = buf; *p; p += n) {
		if (*p == ',') {
			n = 1;
			continue;
		}
		if (sscanf(p, "%d-%d%n", &a, &b, &n) != 2) {
			if (sscanf(p, "%d%n", &a, &n) != 1)
				break;
			b = a;
		}
		for (; a <= b && a < size; a++) {
			if (set)
				set[a] = true;
			hi = a + 1;
		}
	}
	return hi;
}

static void hs_read_cpus(void)
{
	hs_nr_cpu_ids = hs_cpu_list("/sys/devices/system/cpu/possible", NULL,
				    ARRAY_SIZE(hs_online));
	memset(hs_online, 0, sizeof(hs_online));
	hs_cpu_list("/sys/devices/system/cpu/online", hs_online,
		    ARRAY_SIZE(hs_online));
}

static int hs_online_count(void)
{
	int i, n = 0;

	for (i = 0; i < (int)ARRAY_SIZE(hs_online); i++)
		n += hs_online[i];
	return n;
}

static int hs_last_online_cpu(void)
{
	int i;

	for (i = hs_nr_cpu_ids - 1; i > 0; i--)
		if (hs_online[i])
			return i;
	return 0;
}

/* ---- the documented parsing rules ---- */

enum hs_state { HS_NA, HS_CREATED, HS_RUNNING, HS_PARKED, HS_STOPPED };

static const char *const hs_state_names[] = {
	[HS_NA] = "", [HS_CREATED] = "created", [HS_RUNNING] = "running",
	[HS_PARKED] = "parked", [HS_STOPPED] = "stopped",
};

struct hs_result {
	size_t count;		/* what an accepted write() returns */
	bool acted;		/* an action (start, stop, park, release) acted */
	bool set;		/* a setting took value[] */
	char value[64];		/* its reading, newline included */
};

/*
 * kstrtos64(s, 10): an optional + or -, decimal digits, one optional
 * newline. Digits beyond 64 bits are ERANGE whatever follows them.
 */
static int hs_parse_number(const char *s, size_t n, long long *out)
{
	const char *end = s + n;
	unsigned long long acc = 0;
	bool neg = false, ovf = false;
	size_t digits = 0;

	if (s < end && *s == '-') {
		neg = true;
		s++;
	} else if (s < end && *s == '+') {
		s++;
	}
	for (; s < end && *s >= '0' && *s <= '9'; s++, digits++) {
		unsigned int d = *s - '0';

		if (acc > (ULLONG_MAX - d) / 10)
			ovf = true;
		acc = acc * 10 + d;
	}
	if (ovf)
		return -ERANGE;
	if (!digits)
		return -EINVAL;
	if (s < end && *s == '\n')
		s++;
	if (s != end)
		return -EINVAL;
	if (neg ? acc > (unsigned long long)LLONG_MAX + 1 :
	    acc > (unsigned long long)LLONG_MAX)
		return -ERANGE;
	*out = neg ? (long long)(0 - acc) : (long long)acc;
	return 0;
}

/*
 * What one write() of @buf/@len to an attribute of @s does to an item in
 * *@state (HS_NA for the root and groups): 0 (accepted, *@r says how, and
 * *@state follows an action) or the -errno. The order is the ABI's: the
 * VFS and configfs, then `park`'s EOPNOTSUPP, then the value, then the state.
 */
static int hs_model(const struct hs_spec *s, bool can_park,
		    enum hs_state *state, const char *buf, size_t len,
		    struct hs_result *r)
{
	size_t n = len < HS_STORE_MAX ? len : HS_STORE_MAX;
	long long v = 0;
	int i, err;

	memset(r, 0, sizeof(*r));
	r->count = n;
	if (!len)
		return -EFAULT;		/* configfs: nothing to store */
	if (s->role == HS_PARK && !can_park)
		return -EOPNOTSUPP;
	if (n >= HS_STORE_MAX)
		return -EINVAL;		/* too long: configfs cut it short */
	if (memchr(buf, '\0', n))
		return -EINVAL;		/* the write is the whole value */
	if (s->words) {
		for (i = 0; s->words[i]; i++) {
			size_t wl = strlen(s->words[i]);

			if ((n == wl || (n == wl + 1 && buf[wl] == '\n')) &&
			    !memcmp(buf, s->words[i], wl))
				break;
		}
		if (!s->words[i])
			return -EINVAL;
		if (s->role == HS_PLACEMENT && !strcmp(s->words[i], "other") &&
		    hs_online_count() < 2)
			return -EINVAL;
		snprintf(r->value, sizeof(r->value), "%s\n", s->words[i]);
		r->set = true;
		return 0;
	}
	err = hs_parse_number(buf, n, &v);
	if (err)
		return err;
	if (v < s->min || v > s->max)
		return -ERANGE;
	switch (s->role) {
	case HS_CPU:
		if (v < -1 || v >= hs_nr_cpu_ids ||
		    (v >= 0 && (v >= (long long)ARRAY_SIZE(hs_online) ||
				!hs_online[v])))
			return -EINVAL;
		if (*state != HS_CREATED)
			return -EBUSY;
		break;
	case HS_RETVAL:
	case HS_NICE:
		if (*state == HS_STOPPED)
			return -EBUSY;
		break;
	case HS_START:
		if (*state != HS_CREATED)
			return -EALREADY;
		*state = HS_RUNNING;
		r->acted = true;
		return 0;
	case HS_STOP:
		if (*state == HS_STOPPED)
			return -EALREADY;
		*state = HS_STOPPED;
		r->acted = true;
		return 0;
	case HS_RELEASE:
	case HS_RUN:
		r->acted = true;
		return 0;
	case HS_PARK:
		if ((v && *state == HS_PARKED) || (!v && *state == HS_RUNNING))
			return -EALREADY;
		if (*state != (v ? HS_RUNNING : HS_PARKED))
			return -EBUSY;
		*state = v ? HS_PARKED : HS_RUNNING;
		r->acted = true;
		return 0;
	case HS_SET:
	case HS_PLACEMENT:
		break;
	}
	snprintf(r->value, sizeof(r->value), "%lld\n", v);
	r->set = true;
	return 0;
}

/* ---- targets: the files one corpus run reads and writes ---- */

struct hs_snap {
	int len[HS_MAX_FILES];
	char val[HS_MAX_FILES][HS_FILE_MAX];
};

struct hs_target {
	struct __test_metadata *md;
	/* items: behaviour, the state they rest in between inputs */
	char behaviour[64];
	bool is_item;
	bool can_park;
	enum hs_state rest;
	struct lab_item it;
	bool dirty;		/* an action acted on the item: make a new one */
	bool have_before;
	char base[PATH_MAX];
	/* readable files, relative to base; "@line", "@head", "@param" */
	int nfiles;
	char label[HS_MAX_FILES][HS_LABEL_MAX];
	/* writable ones, relative to base */
	int nwritable;
	char wlabel[HS_MAX_FILES][HS_LABEL_MAX];
	const struct hs_spec *wspec[HS_MAX_FILES];
	struct hs_snap before, after, want;
	char *text;
	bool input_bad;		/* the input under way is not as documented */
	long tried, wrong, logged;
	long offered;		/* inputs of the corpus, tried or not (stride) */
	long long started_ns;
};

#define HS_PARAM "/sys/module/kthread_lab/parameters/max_threads"

/* Copies @src into @dst of @size, cut short if need be. */
static void hs_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void hs_escape(const char *buf, size_t len, char *out, size_t size)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < len && o + 16 < size; i++) {
		unsigned char c = buf[i];

		if (len > 40 && i == 20) {
			o += snprintf(out + o, size - o, "...(%zu bytes)...",
				      len);
			i = len - 8;
			c = buf[i];
		}
		if (c == '\n')
			o += snprintf(out + o, size - o, "\\n");
		else if (c == '\t')
			o += snprintf(out + o, size - o, "\\t");
		else if (c == '\\')
			o += snprintf(out + o, size - o, "\\\\");
		else if (c >= 0x20 && c < 0x7f)
			out[o++] = c;
		else
			o += snprintf(out + o, size - o, "\\x%02x", c);
		out[o] = '\0';
	}
}

/* Logs a departure from the ABI; hs_try() counts each input once. */
#define HS_WRONG(t, fmt, ...) do { \
	struct __test_metadata *_metadata = (t)->md; \
	(t)->input_bad = true; \
	if ((t)->logged++ < HS_LOG_LIMIT) \
		TH_LOG("%s%s%s: " fmt, (t)->behaviour, \
		       (t)->is_item ? "/" : "", \
		       (t)->is_item ? hs_state_names[(t)->rest] : "", \
		       ##__VA_ARGS__); \
} while (0)

/* The snapshot line of the item (without the newline), or the header. */
static int hs_snapshot_line(struct hs_target *t, bool head, char *out,
			    size_t size)
{
	char key[PATH_MAX];
	const char *p, *e;
	int len = lab_snapshot(t->text, HS_SNAP_MAX);

	if (len < 0)
		return len;
	if (head) {
		p = t->text;
	} else {
		snprintf(key, sizeof(key), "\n%s/%s ", t->it.group, t->it.name);
		p = strstr(t->text, key);
		if (!p)
			return -ENOENT;
		p++;
	}
	e = strchr(p, '\n');
	len = e ? e - p : (int)strlen(p);
	if ((size_t)len >= size)
		len = size - 1;
	memcpy(out, p, len);
	out[len] = '\0';
	return len;
}

static int hs_read_label(struct hs_target *t, int i, char *out, size_t size)
{
	char path[PATH_MAX];

	if (!strcmp(t->label[i], "@line"))
		return hs_snapshot_line(t, false, out, size);
	if (!strcmp(t->label[i], "@head"))
		return hs_snapshot_line(t, true, out, size);
	if (!strcmp(t->label[i], "@param"))
		return lab_read_raw(HS_PARAM, out, size);
	lab_join(path, sizeof(path), t->base, t->label[i]);
	return lab_read_raw(path, out, size);
}

static void hs_take(struct hs_target *t, struct hs_snap *s)
{
	int i;

	for (i = 0; i < t->nfiles; i++) {
		s->len[i] = hs_read_label(t, i, s->val[i], HS_FILE_MAX);
		if (s->len[i] < 0)
			s->val[i][0] = '\0';
	}
}

static int hs_label_index(const struct hs_target *t, const char *label)
{
	int i;

	for (i = 0; i < t->nfiles; i++)
		if (!strcmp(t->label[i], label))
			return i;
	return -1;
}

/*
 * Adds the regular files of base/@rel: readable ones to the snapshot,
 * writable ones with their spec (@where first, then @generic).
 */
static void hs_add_dir(struct hs_target *t, const char *rel, const char *where,
		       const char *generic)
{
	char dir[PATH_MAX], path[PATH_MAX], label[HS_LABEL_MAX];
	const struct hs_spec *spec;
	struct dirent *de;
	struct stat st;
	mode_t perm;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s%s%s", t->base, *rel ? "/" : "",
		     rel) >= (int)sizeof(dir))
		dir[0] = '\0';
	d = opendir(dir);
	if (!d) {
		HS_WRONG(t, "opendir %s: %s", dir, strerror(errno));
		t->wrong++;
		return;
	}
	while ((de = readdir(d))) {
		lab_join(path, sizeof(path), dir, de->d_name);
		if (lstat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (snprintf(label, sizeof(label), "%s%s%s", rel,
			     *rel ? "/" : "", de->d_name) >= (int)sizeof(label))
			continue;
		perm = st.st_mode & 07777;
		if (perm != 0444 && perm != 0644 && perm != 0200) {
			HS_WRONG(t, "%s: mode %o is none of 0444 0644 0200",
				 label, perm);
			t->wrong++;
		}
		if ((perm & 0444) && t->nfiles < HS_MAX_FILES) {
			if (!*rel && !strcmp(de->d_name, "snapshot"))
				snprintf(t->label[t->nfiles++], HS_LABEL_MAX,
					 "@head");
			else
				hs_copy(t->label[t->nfiles++], HS_LABEL_MAX,
					label);
		}
		if (!(perm & 0222))
			continue;
		spec = hs_find_spec(where, de->d_name);
		if (!spec && generic)
			spec = hs_find_spec(generic, de->d_name);
		if (!spec) {
			HS_WRONG(t, "writable attribute %s has no range or words in hs_specs[]: add them",
				 label);
			t->wrong++;
			continue;
		}
		if (t->nwritable < HS_MAX_FILES) {
			hs_copy(t->wlabel[t->nwritable], HS_LABEL_MAX, label);
			t->wspec[t->nwritable++] = spec;
		}
	}
	closedir(d);
}

/* Behaviour groups: the root's directories holding autostart, as readdir gives them. */
static int hs_groups(char names[][64], int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(lab_root());

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		if (lab_is_behaviour_group(de->d_name))
			hs_copy(names[n++], 64, de->d_name);
	}
	closedir(d);
	return n;
}

/* The experiment kinds: the directories of experiments/, or -1 without it. */
static int hs_exp_kinds(char names[][64], int max)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int n = 0;
	DIR *d;

	lab_root_path(dir, sizeof(dir), "experiments");
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		lab_join(path, sizeof(path), dir, de->d_name);
		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			hs_copy(names[n++], 64, de->d_name);
	}
	closedir(d);
	return n;
}

/* ---- items in a resting state ---- */

static int hs_make_item(struct hs_target *t)
{
	char state[64];
	int err;

	err = lab_create(&t->it, t->behaviour, "hw");
	if (err)
		return err;
	hs_copy(t->base, sizeof(t->base), t->it.dir);
	if (t->rest == HS_NA) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(hs_cheap_runs); i++)
			if (!strcmp(hs_cheap_runs[i].kind, t->behaviour))
				return lab_set(&t->it, hs_cheap_runs[i].attr,
					       hs_cheap_runs[i].value);
		return 0;
	}
	if (t->rest == HS_PARKED) {
		err = lab_set(&t->it, "start", "1") ?:
		      lab_set(&t->it, "park", "1");
		if (err)
			return err;
	} else if (t->rest == HS_STOPPED) {
		err = lab_set(&t->it, "stop", "1");
		if (err)
			return err;
	}
	lab_state(&t->it, state, sizeof(state));
	return strcmp(state, hs_state_names[t->rest]) ? -EPROTO : 0;
}

static void hs_fresh(struct hs_target *t)
{
	struct __test_metadata *_metadata = t->md;

	if (t->is_item && t->dirty) {
		EXPECT_EQ(0, lab_remove(&t->it));
		ASSERT_EQ(0, hs_make_item(t));
		t->dirty = false;
		t->have_before = false;
	}
	if (!t->have_before) {
		hs_take(t, &t->before);
		t->have_before = true;
	}
}

/* ---- one input ---- */

enum hs_method {
	HS_WRITE,	/* one write() */
	HS_PWRITE,	/* one pwrite() at offset */
	HS_APPEND,	/* one write() on an O_APPEND file */
	HS_SEEK,	/* lseek() to offset, then one write() */
	HS_RDWR,	/* O_RDWR, read() first, then one write() */
	HS_WRITEV,	/* one writev() of the pieces */
	HS_SPLIT,	/* one write() per piece on one open file */
};

static const char *const hs_method_names[] = {
	[HS_WRITE] = "write", [HS_PWRITE] = "pwrite", [HS_APPEND] = "append",
	[HS_SEEK] = "lseek+write", [HS_RDWR] = "read+write",
	[HS_WRITEV] = "writev", [HS_SPLIT] = "writes",
};

#define HS_PIECES 4

struct hs_input {
	enum hs_method method;
	off_t offset;
	int n;
	const char *buf[HS_PIECES];
	size_t len[HS_PIECES];
};

static void hs_describe(const struct hs_input *in, char *out, size_t size)
{
	char esc[256];
	size_t o;
	int i;

	o = snprintf(out, size, "%s", hs_method_names[in->method]);
	if (in->method == HS_PWRITE || in->method == HS_SEEK)
		o += snprintf(out + o, size - o, "@%lld",
			      (long long)in->offset);
	for (i = 0; i < in->n && o < size; i++) {
		hs_escape(in->buf[i], in->len[i], esc, sizeof(esc));
		o += snprintf(out + o, size - o, "%s'%s'", i ? "," : " ", esc);
	}
}

static void hs_perform(const char *path, const struct hs_input *in,
		       ssize_t *got)
{
	struct iovec iov[HS_PIECES];
	char scratch[HS_FILE_MAX];
	int flags = O_WRONLY, fd, i;

	if (in->method == HS_APPEND)
		flags |= O_APPEND;
	if (in->method == HS_RDWR)
		flags = O_RDWR;
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		for (i = 0; i < HS_PIECES; i++)
			got[i] = -errno;
		return;
	}
	switch (in->method) {
	case HS_PWRITE:
		got[0] = pwrite(fd, in->buf[0], in->len[0], in->offset);
		break;
	case HS_SEEK:
		got[0] = lseek(fd, in->offset, SEEK_SET) < 0 ? -1 :
			 write(fd, in->buf[0], in->len[0]);
		break;
	case HS_RDWR:
		got[0] = read(fd, scratch, sizeof(scratch)) < 0 ? -1 :
			 write(fd, in->buf[0], in->len[0]);
		break;
	case HS_WRITEV:
		for (i = 0; i < in->n; i++) {
			iov[i].iov_base = (void *)in->buf[i];
			iov[i].iov_len = in->len[i];
		}
		got[0] = writev(fd, iov, in->n);
		break;
	case HS_SPLIT:
		for (i = 0; i < in->n; i++) {
			got[i] = write(fd, in->buf[i], in->len[i]);
			if (got[i] < 0)
				got[i] = -errno;
		}
		close(fd);
		return;
	default:
		got[0] = write(fd, in->buf[0], in->len[0]);
		break;
	}
	if (got[0] < 0)
		got[0] = -errno;
	close(fd);
}

/* Replaces the value of " key=" in a snapshot line. */
static void hs_line_set(const char *line, const char *key, const char *value,
			char *out, size_t size)
{
	char pat[HS_LABEL_MAX + 4];
	const char *p, *e;
	size_t vlen = strcspn(value, "\n");

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p) {
		snprintf(out, size, "%s", line);
		return;
	}
	p += strlen(pat);
	e = p + strcspn(p, " \n");
	snprintf(out, size, "%.*s%.*s%s", (int)(p - line), line, (int)vlen,
		 value, e);
}

static bool hs_same(struct hs_target *t, const struct hs_snap *want,
		    const struct hs_snap *got, const char *what)
{
	char a[128], b[128];
	int i;

	for (i = 0; i < t->nfiles; i++) {
		if (want->len[i] == got->len[i] &&
		    !strcmp(want->val[i], got->val[i]))
			continue;
		hs_escape(want->val[i], strlen(want->val[i]), a, sizeof(a));
		hs_escape(got->val[i], strlen(got->val[i]), b, sizeof(b));
		HS_WRONG(t, "%s: %s changed: '%s' (%d) -> '%s' (%d)", what,
			 t->label[i], a, want->len[i], b, got->len[i]);
		return false;
	}
	return true;
}

static const char *hs_state_word(enum hs_state s)
{
	return hs_state_names[s];
}

/* After an accepted action: the state the model says (running may exit). */
static void hs_check_acted(struct hs_target *t, enum hs_state state,
			   const char *what)
{
	char got[64];

	if (t->rest == HS_NA) {
		/* an experiment's run: one thread or run, and done */
		if (lab_get(&t->it, "completed", got, sizeof(got)) < 0 ||
		    strcmp(got, "1"))
			HS_WRONG(t, "%s: completed '%s', want '1'", what, got);
		return;
	}
	lab_state(&t->it, got, sizeof(got));
	if (!strcmp(got, hs_state_word(state)) ||
	    (state == HS_RUNNING && !strcmp(got, "exited")))
		return;
	HS_WRONG(t, "%s: state '%s', want '%s'", what, got,
		 hs_state_word(state));
}

/* Puts the written attribute back as it read before the input. */
static void hs_restore(struct hs_target *t, int w)
{
	struct __test_metadata *_metadata = t->md;
	int idx = hs_label_index(t, t->wlabel[w]);
	char path[PATH_MAX];

	if (idx < 0 || t->before.len[idx] <= 0)
		return;
	lab_join(path, sizeof(path), t->base, t->wlabel[w]);
	ASSERT_EQ(0, lab_write_path(path, t->before.val[idx]))
		TH_LOG("restoring %s to '%s'", t->wlabel[w], t->before.val[idx]);
	hs_take(t, &t->after);
	if (!hs_same(t, &t->before, &t->after, "after restoring"))
		t->have_before = false;
}

/* After an accepted setting: that file and the snapshot show it, then undo. */
static void hs_check_set(struct hs_target *t, int w, const char *value,
			 const char *what)
{
	const char *name = strrchr(t->wlabel[w], '/');
	struct hs_snap *want = &t->want;
	char line[HS_FILE_MAX];
	int i, idx = hs_label_index(t, t->wlabel[w]);

	name = name ? name + 1 : t->wlabel[w];
	memcpy(want, &t->before, sizeof(*want));
	for (i = 0; i < t->nfiles; i++) {
		if (i == idx || (!strcmp(t->label[i], "@param") &&
				 !strcmp(t->wlabel[w], "max_threads"))) {
			snprintf(want->val[i], HS_FILE_MAX, "%s", value);
			want->len[i] = strlen(value);
		} else if (!strcmp(t->label[i], "@line")) {
			hs_line_set(t->before.val[i], name, value, line,
				    sizeof(line));
			snprintf(want->val[i], HS_FILE_MAX, "%s", line);
			want->len[i] = strlen(line);
		}
	}
	hs_same(t, want, &t->after, what);
	hs_restore(t, w);
}

static void hs_try(struct hs_target *t, int w, const struct hs_input *in)
{
	const struct hs_spec *s = t->wspec[w];
	enum hs_state state = t->rest;
	struct hs_result r[HS_PIECES], last;
	ssize_t got[HS_PIECES], want[HS_PIECES];
	char path[PATH_MAX], what[512], joined[HS_BIG * 2];
	bool acted = false, set = false, bad = false;
	size_t jlen = 0;
	int i, calls = in->method == HS_SPLIT ? in->n : 1;

	if (t->offered++ % hs_stride)
		return;
	hs_fresh(t);
	if (!t->have_before)
		return;
	t->input_bad = false;
	t->tried++;
	HS_COUNT(tried);
	memset(&last, 0, sizeof(last));
	if (in->method == HS_WRITEV)
		for (i = 0; i < in->n && jlen + in->len[i] <= sizeof(joined); i++) {
			memcpy(joined + jlen, in->buf[i], in->len[i]);
			jlen += in->len[i];
		}
	for (i = 0; i < calls; i++) {
		const char *b = in->method == HS_WRITEV ? joined : in->buf[i];
		size_t l = in->method == HS_WRITEV ? jlen : in->len[i];
		int err;

		if (in->method == HS_PWRITE && in->offset < 0)
			err = -EINVAL;		/* the VFS refuses it */
		else
			err = hs_model(s, t->can_park, &state, b, l, &r[i]);
		want[i] = err ? err : (ssize_t)r[i].count;
		if (err)
			continue;
		acted |= r[i].acted;
		if (r[i].set) {
			set = true;
			last = r[i];
		}
	}
	lab_join(path, sizeof(path), t->base, t->wlabel[w]);
	hs_perform(path, in, got);
	hs_describe(in, what, sizeof(what));
	for (i = 0; i < calls; i++) {
		if (got[i] == want[i])
			continue;
		bad = true;
		HS_WRONG(t, "%s < %s (call %d): got %zd (%s), want %zd (%s)",
			 t->wlabel[w], what, i + 1, got[i],
			 got[i] < 0 ? strerror(-got[i]) : "accepted", want[i],
			 want[i] < 0 ? strerror(-want[i]) : "accepted");
	}
	if (acted || set)
		HS_COUNT(accepted);
	else
		HS_COUNT(refused);
	hs_take(t, &t->after);
	snprintf(what + strlen(what), sizeof(what) - strlen(what), " > %s",
		 t->wlabel[w]);
	if (acted) {
		hs_check_acted(t, state, what);
		t->dirty = true;
	} else if (set) {
		hs_check_set(t, w, last.value, what);
	} else if (!hs_same(t, &t->before, &t->after, what) || bad) {
		/* it may have acted or changed something: start again clean */
		if (t->is_item)
			t->dirty = true;
		else
			hs_restore(t, w);
		t->have_before = false;
	}
	if (t->input_bad) {
		t->wrong++;
		HS_COUNT(wrong);
	}
}

static void hs_try_mem(struct hs_target *t, int w, enum hs_method m,
		       off_t off, const char *buf, size_t len)
{
	struct hs_input in = { .method = m, .offset = off, .n = 1,
			       .buf = { buf }, .len = { len } };

	hs_try(t, w, &in);
}

/* '@' stands for the attribute's value v, '~' for another one, w. */
static size_t hs_fill(const char *tmpl, size_t tlen, const char *v,
		      const char *w, char *out, size_t size)
{
	size_t i, o = 0, l;

	for (i = 0; i < tlen && o < size; i++) {
		const char *sub = tmpl[i] == '@' ? v : tmpl[i] == '~' ? w : NULL;

		if (!sub) {
			out[o++] = tmpl[i];
			continue;
		}
		l = strlen(sub);
		if (o + l > size)
			l = size - o;
		memcpy(out + o, sub, l);
		o += l;
	}
	return o;
}

/* ---- the corpus ---- */

/* v and w: two values the attribute accepts (in some state), v != current */
struct hs_values {
	char v[64], w[64];
};

static void hs_pick_values(struct hs_target *t, int w, struct hs_values *vals)
{
	const struct hs_spec *s = t->wspec[w];
	char cur[HS_FILE_MAX] = "", path[PATH_MAX];
	long long a, b;
	int i;

	lab_join(path, sizeof(path), t->base, t->wlabel[w]);
	lab_read_path(path, cur, sizeof(cur));
	if (s->words) {
		for (i = 0; s->words[i + 1] && !strcmp(s->words[i], cur); i++)
			;
		snprintf(vals->v, sizeof(vals->v), "%s", s->words[i]);
		snprintf(vals->w, sizeof(vals->w), "%s",
			 s->words[i + 1] ? s->words[i + 1] : s->words[0]);
		return;
	}
	switch (s->role) {
	case HS_CPU:
		a = hs_last_online_cpu();
		b = -1;
		break;
	case HS_PARK:
		a = 1;
		b = 0;
		break;
	default:
		a = s->max;
		b = s->min;
		if (atoll(cur) == a && cur[0]) {
			a = s->min;
			b = s->max;
		}
		break;
	}
	snprintf(vals->v, sizeof(vals->v), "%lld", a);
	snprintf(vals->w, sizeof(vals->w), "%lld", b);
}

static const char *const hs_number_templates[] = {
	/* white space */
	"", " ", "   ", "\t", "\n", "\n\n", " \n", "\r\n", "\r", "\v", "\f",
	" @", "@ ", " @ ", "\t@", "@\t", "@\n", "@\n\n", "@\r", "@\r\n",
	"\n@", "@ \n", "@\n ", "@\v", "@\f", "\v@", "\f@", " \n@", "@\n\n\n",
	/* signs */
	"+@", "-@", "--@", "++@", "+-@", "-+@", "+", "-", "+\n", "-\n",
	"- @", "+ @", "-0", "+0", "-00", "+00\n", "-0\n", "0", "00", "0\n",
	"000000000000000000000000000000@", "0@", "00@\n", "+0@", "-0@",
	/* other bases and notations */
	"0x10", "0X10", "0x", "0x0", "0x@", "0x7fffffff", "010", "007",
	"08", "09", "0b1", "0o7", "0d10", "1e3", "1E3", "1.0", "1.", ".5",
	"@.0", "1,000", "1_000", "1'000", "@e0", "Infinity", "inf", "nan",
	"true", "false", "yes", "on", "one", "x", "@x", "x@", "@@", "@~",
	"@ ~", "@,~", "@;", "@#", "#@", "@/2", "(@)", "'@'", "\"@\"",
	"${@}", "@k", "@K", "@ms",
	/* non-ASCII and control bytes */
	"\xc3\xa9", "@\xc3\xa9", "\xc3\xa9@", "\xff", "\x80", "@\xff",
	"\xff@", "\xd9\xa3", "\xef\xbc\x95", "\xe2\x80\x8b@", "@\xe2\x80\x8b",
	"@\xc2\xa0", "\xc2\xa0@", "\xe2\x88\x92@", "\xef\xbb\xbf@", "@\x1b",
	"\x7f@", "\b@", "@\x01", "\x1b[1m@",
};

static const char *const hs_numbers[] = {
	"2147483647", "2147483648", "-2147483648", "-2147483649",
	"4294967295", "4294967296", "-4294967296",
	"9223372036854775807", "9223372036854775808",
	"-9223372036854775808", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616",
	"-18446744073709551615", "-18446744073709551616",
	"36893488147419103232", "99999999999999999999999999999999",
	"-99999999999999999999999999999999", "99999999999999999999x",
	"3600000000", "3600000001", "1000000", "1000001", "600000", "600001",
	"30000", "30001", "4096", "100", "99", "20", "19", "-20", "-21",
	"2", "1", "0", "-1", "-2",
};

static const char *const hs_word_templates[] = {
	"", " ", "\n", "\n\n", "\t", " @", "@ ", " @ ", "\t@", "@\t",
	"@\n\n", "@\r", "@\r\n", "\n@", "@ \n", "@\v", "@\f", "@@", "@,~",
	"@ ~", "@|~", "@;", "0", "1", "2", "-1", "+@", "-@", "@=1", "\"@\"",
	"'@'", "<@>", "[@]", "@\xc2\xa0", "\xc2\xa0@", "\xef\xbb\xbf@",
	"@\xe2\x80\x8b", "\xff@", "@\xff", "@\x1b", "\x7f@", "x", "default",
	"none", "auto", "@s", "@1", "@\\n",
};

/* Numbers around the attribute's own bounds, and every CPU for `cpu`. */
static void hs_bounds(const struct hs_spec *s, char out[][32], int *n)
{
	long long b[] = { s->min - 1, s->min, s->min + 1, s->max - 1, s->max,
			  s->max + 1 };
	size_t i;
	int c;

	*n = 0;
	if (s->words)
		return;
	if (s->role == HS_CPU) {
		for (c = -3; c <= hs_nr_cpu_ids + 1; c++)
			snprintf(out[(*n)++], 32, "%d", c);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(b); i++)
		snprintf(out[(*n)++], 32, "%lld", b[i]);
}

/* Strings of 4095, 4096 and 8192 bytes: configfs passes on 4095, refused whole. */
static void hs_page_inputs(struct hs_target *t, int w,
			   const struct hs_values *vals, char *big)
{
	static const size_t sizes[] = { 4095, 4096, 8192 };
	const char *v = vals->v;
	size_t vl = strlen(v), i, n;
	int k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		n = sizes[i];
		for (k = 0; k < 11; k++) {
			switch (k) {
			case 0:
				memset(big, 'x', n);
				break;
			case 1:
				memset(big, '9', n);
				break;
			case 2:	/* leading zeros, then v */
				memset(big, '0', n - vl);
				memcpy(big + n - vl, v, vl);
				break;
			case 3:
				memcpy(big, v, vl);
				memset(big + vl, '\n', n - vl);
				break;
			case 4:
				memcpy(big, v, vl);
				memset(big + vl, ' ', n - vl);
				break;
			case 5:
				memset(big, ' ', n - vl);
				memcpy(big + n - vl, v, vl);
				break;
			case 6:
				memset(big, '\n', n);
				break;
			case 7:	/* zeros and a newline at the end */
				memset(big, '0', n - 1);
				big[n - 1] = '\n';
				break;
			case 8:
				big[0] = '-';
				memset(big + 1, '0', n - 1);
				break;
			case 9:	/* "+000...01" */
				big[0] = '+';
				memset(big + 1, '0', n - 2);
				big[n - 1] = '1';
				break;
			case 10:	/* v over and over */
				for (size_t o = 0; o < n; o += vl)
					memcpy(big + o, v, n - o < vl ? n - o : vl);
				break;
			}
			hs_try_mem(t, w, HS_WRITE, 0, big, n);
		}
	}
}

static void hs_corpus_single(struct hs_target *t, int w, char *big)
{
	const struct hs_spec *s = t->wspec[w];
	struct hs_values vals;
	char bounds[64][32], buf[256];
	size_t i, len;
	int n, j;

	hs_pick_values(t, w, &vals);
	if (s->words) {
		for (j = 0; s->words[j]; j++) {
			len = snprintf(buf, sizeof(buf), "%s", s->words[j]);
			hs_try_mem(t, w, HS_WRITE, 0, buf, len);
			len = snprintf(buf, sizeof(buf), "%s\n", s->words[j]);
			hs_try_mem(t, w, HS_WRITE, 0, buf, len);
			/* upper case, capitalised, cut short, one letter off */
			for (i = 0; s->words[j][i]; i++)
				buf[i] = s->words[j][i] & ~0x20;
			hs_try_mem(t, w, HS_WRITE, 0, buf, i);
			len = snprintf(buf, sizeof(buf), "%s", s->words[j]);
			buf[0] &= ~0x20;
			hs_try_mem(t, w, HS_WRITE, 0, buf, len);
			hs_try_mem(t, w, HS_WRITE, 0, s->words[j], len - 1);
			hs_try_mem(t, w, HS_WRITE, 0, s->words[j] + 1, len - 1);
		}
		for (i = 0; i < ARRAY_SIZE(hs_word_templates); i++) {
			len = hs_fill(hs_word_templates[i],
				      strlen(hs_word_templates[i]), vals.v,
				      vals.w, buf, sizeof(buf));
			hs_try_mem(t, w, HS_WRITE, 0, buf, len);
		}
	} else {
		for (i = 0; i < ARRAY_SIZE(hs_number_templates); i++) {
			len = hs_fill(hs_number_templates[i],
				      strlen(hs_number_templates[i]), vals.v,
				      vals.w, buf, sizeof(buf));
			hs_try_mem(t, w, HS_WRITE, 0, buf, len);
		}
		for (i = 0; i < ARRAY_SIZE(hs_numbers); i++) {
			len = snprintf(buf, sizeof(buf), "%s", hs_numbers[i]);
			hs_try_mem(t, w, HS_WRITE, 0, buf, len);
			len = snprintf(buf, sizeof(buf), "%s\n", hs_numbers[i]);
			hs_try_mem(t, w, HS_WRITE, 0, buf, len);
		}
		hs_bounds(s, bounds, &n);
		for (j = 0; j < n; j++) {
			len = snprintf(buf, sizeof(buf), "%s", bounds[j]);
			hs_try_mem(t, w, HS_WRITE, 0, buf, len);
			len = snprintf(buf, sizeof(buf), "%s\n", bounds[j]);
			hs_try_mem(t, w, HS_WRITE, 0, buf, len);
			len = snprintf(buf, sizeof(buf), "+%s", bounds[j]);
			hs_try_mem(t, w, HS_WRITE, 0, buf, len);
		}
	}
	hs_page_inputs(t, w, &vals, big);
}

/* Several write() calls on one file, vectors, offsets, O_APPEND. */
static void hs_corpus_methods(struct hs_target *t, int w, char *big)
{
	static const off_t offsets[] = { 1, 2, 4095, 4096, 65536, 1LL << 40,
					 -1 };
	static const char *const pieces[][HS_PIECES] = {
		{ "+", "@" }, { "@", "\n" }, { " ", "@", " " }, { "x", "@" },
		{ "@", "x" }, { "@", "~" }, { "@", "@", "@" }, { "0x", "10" },
		{ "-", "0" }, { "\n", "@\n" }, { "@", "" }, { "", "@" },
		{ "@\n", "\n" }, { "~", "@", "x" },
	};
	static const char *const single[] = { "@", "@\n", "x", "@x" };
	char bufs[HS_PIECES][128], whole[128];
	struct hs_values vals;
	struct hs_input in;
	size_t i, j, vl;
	int m;

	hs_pick_values(t, w, &vals);
	vl = strlen(vals.v);
	for (m = HS_SPLIT; m >= HS_WRITEV; m--) {
		for (i = 0; i < ARRAY_SIZE(pieces); i++) {
			memset(&in, 0, sizeof(in));
			in.method = m;
			for (j = 0; j < HS_PIECES && pieces[i][j]; j++) {
				in.len[j] = hs_fill(pieces[i][j],
						    strlen(pieces[i][j]),
						    vals.v, vals.w, bufs[j],
						    sizeof(bufs[j]));
				in.buf[j] = bufs[j];
			}
			in.n = j;
			hs_try(t, w, &in);
		}
		/* v cut in two */
		if (vl >= 2) {
			memset(&in, 0, sizeof(in));
			in.method = m;
			in.n = 2;
			in.buf[0] = vals.v;
			in.len[0] = 1;
			in.buf[1] = vals.v + 1;
			in.len[1] = vl - 1;
			hs_try(t, w, &in);
		}
		/* a page of zeros, then v */
		memset(&in, 0, sizeof(in));
		memset(big, '0', 4096);
		in.method = m;
		in.n = 2;
		in.buf[0] = big;
		in.len[0] = m == HS_WRITEV ? 2048 : 4096;
		in.buf[1] = vals.v;
		in.len[1] = vl;
		if (m == HS_WRITEV) {
			in.n = 3;
			in.buf[1] = big;
			in.len[1] = 2048;
			in.buf[2] = vals.v;
			in.len[2] = vl;
		}
		hs_try(t, w, &in);
	}
	for (i = 0; i < ARRAY_SIZE(single); i++) {
		size_t len = hs_fill(single[i], strlen(single[i]), vals.v,
				     vals.w, whole, sizeof(whole));

		for (j = 0; j < ARRAY_SIZE(offsets); j++)
			hs_try_mem(t, w, HS_PWRITE, offsets[j], whole, len);
		hs_try_mem(t, w, HS_APPEND, 0, whole, len);
		hs_try_mem(t, w, HS_SEEK, 12345, whole, len);
		if (hs_label_index(t, t->wlabel[w]) >= 0)
			hs_try_mem(t, w, HS_RDWR, 0, whole, len);
	}
}

#define HS_MEM(s) { s, sizeof(s) - 1 }

/* Embedded NUL bytes: the write is the whole value (defect 5). */
static void hs_corpus_nul(struct hs_target *t, int w, char *big)
{
	static const struct { const char *s; size_t len; } tmpl[] = {
		HS_MEM("@\0"), HS_MEM("@\0junk"), HS_MEM("@\0\n"),
		HS_MEM("@\n\0"), HS_MEM("\0@"), HS_MEM("\0"),
		HS_MEM("\0\0\0\0"), HS_MEM("@\0@"), HS_MEM("x\0"),
		HS_MEM("@\0\xff"), HS_MEM("@\0 "), HS_MEM("@\0\0\0\0\0\0\0"),
	};
	static const size_t sizes[] = { 4095, 4096, 8192 };
	struct hs_values vals;
	struct hs_input in;
	char buf[128];
	size_t i, len, vl;

	hs_pick_values(t, w, &vals);
	vl = strlen(vals.v);
	/* every word, as "hrtimer\0junk" */
	for (i = 0; t->wspec[w]->words && t->wspec[w]->words[i]; i++) {
		len = hs_fill("@\0junk", 6, t->wspec[w]->words[i], "", buf,
			      sizeof(buf));
		hs_try_mem(t, w, HS_WRITE, 0, buf, len);
	}
	for (i = 0; i < ARRAY_SIZE(tmpl); i++) {
		len = hs_fill(tmpl[i].s, tmpl[i].len, vals.v, vals.w, buf,
			      sizeof(buf));
		hs_try_mem(t, w, HS_WRITE, 0, buf, len);
	}
	len = hs_fill("@\0junk", 6, vals.v, vals.w, buf, sizeof(buf));
	hs_try_mem(t, w, HS_PWRITE, 4096, buf, len);
	hs_try_mem(t, w, HS_APPEND, 0, buf, len);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memcpy(big, vals.v, vl);
		memset(big + vl, '\0', sizes[i] - vl);
		hs_try_mem(t, w, HS_WRITE, 0, big, sizes[i]);
		memset(big, '\0', sizes[i]);
		hs_try_mem(t, w, HS_WRITE, 0, big, sizes[i]);
	}
	for (i = 0; i < 2; i++) {
		memset(&in, 0, sizeof(in));
		in.method = i ? HS_WRITEV : HS_SPLIT;
		in.n = 2;
		in.buf[0] = vals.v;
		in.len[0] = vl;
		in.buf[1] = "\0junk";
		in.len[1] = 5;
		hs_try(t, w, &in);
		in.buf[0] = "\0";
		in.len[0] = 1;
		in.buf[1] = vals.v;
		in.len[1] = vl;
		hs_try(t, w, &in);
	}
}

enum hs_corpus { HS_SINGLE, HS_METHODS, HS_NUL };

static void hs_run(struct hs_target *t, enum hs_corpus c)
{
	struct __test_metadata *_metadata = t->md;
	char *big = malloc(HS_BIG);
	int w;

	ASSERT_NE(NULL, big);
	for (w = 0; w < t->nwritable; w++) {
		if (c == HS_SINGLE)
			hs_corpus_single(t, w, big);
		else if (c == HS_METHODS)
			hs_corpus_methods(t, w, big);
		else
			hs_corpus_nul(t, w, big);
	}
	free(big);
}

static struct hs_target *hs_new_target(struct __test_metadata *md)
{
	struct hs_target *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->md = md;
	t->started_ns = lab_now_ns();
	t->text = malloc(HS_SNAP_MAX);
	if (!t->text) {
		free(t);
		return NULL;
	}
	return t;
}

static void hs_free_target(struct hs_target *t)
{
	if (!t)
		return;
	free(t->text);
	free(t);
}

static void hs_summary(struct hs_target *t, const char *what)
{
	struct __test_metadata *_metadata = t->md;

	fprintf(stderr, "# %s: %ld inputs in %.1f s", what, t->tried,
		(lab_now_ns() - t->started_ns) / 1e9);
	if (hs_stride > 1)
		fprintf(stderr, " (1 in %ld of %ld)", hs_stride, t->offered);
	fputc('\n', stderr);
	EXPECT_EQ(0, t->wrong)
		TH_LOG("%s: %ld of %ld inputs not as documented (%ld shown)",
		       what, t->wrong, t->tried,
		       t->logged < HS_LOG_LIMIT ? t->logged : HS_LOG_LIMIT);
}

/* ---- the root and the groups ---- */

FIXTURE(top) {
	struct hs_target *t;
};

FIXTURE_SETUP(top)
{
	char groups[32][64], val[64];
	int i, n;

	LAB_REQUIRE_ROOT();
	hs_read_cpus();
	self->t = hs_new_target(_metadata);
	ASSERT_NE(NULL, self->t);
	snprintf(self->t->behaviour, sizeof(self->t->behaviour), "root");
	snprintf(self->t->base, sizeof(self->t->base), "%s", lab_root());
	/* lab_cleanup() puts back what the corpus might leave changed */
	ASSERT_LT(0, lab_root_get("max_threads", val, sizeof(val)));
	ASSERT_EQ(0, lab_set_max_threads(val));
	hs_add_dir(self->t, "", "root", NULL);
	n = hs_groups(groups, ARRAY_SIZE(groups));
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		lab_set_autostart(groups[i], "1");
		hs_add_dir(self->t, groups[i], "group", NULL);
	}
	/* experiments/ and its kinds' groups: no attributes, so far */
	n = hs_exp_kinds(groups, ARRAY_SIZE(groups));
	if (n >= 0)
		hs_add_dir(self->t, "experiments", "experiments", NULL);
	for (i = 0; i < n; i++) {
		char rel[96];

		snprintf(rel, sizeof(rel), "experiments/%.63s", groups[i]);
		hs_add_dir(self->t, rel, "experiments", NULL);
	}
	if (!access(HS_PARAM, R_OK))
		snprintf(self->t->label[self->t->nfiles++], HS_LABEL_MAX,
			 "@param");
	ASSERT_LT(0, self->t->nwritable);
}

FIXTURE_TEARDOWN(top)
{
	lab_cleanup();
	hs_free_target(self->t);
}

TEST_F_TIMEOUT(top, single_writes_get_the_documented_errno, HS_TIMEOUT)
{
	hs_run(self->t, HS_SINGLE);
	hs_summary(self->t, "root and groups");
}

TEST_F_TIMEOUT(top, split_vector_and_offset_writes_get_the_documented_errno, HS_TIMEOUT)
{
	hs_run(self->t, HS_METHODS);
	hs_summary(self->t, "root and groups");
}

TEST_F_TIMEOUT(top, embedded_nul_is_einval, HS_TIMEOUT)
{
	hs_run(self->t, HS_NUL);
	hs_summary(self->t, "root and groups");
}

/* ---- items of every behaviour, resting in one state ---- */

FIXTURE(items) {
	struct hs_target *t;
	char groups[32][64];
	int ngroups;
};

FIXTURE_VARIANT(items) {
	enum hs_state rest;
};

FIXTURE_VARIANT_ADD(items, created) {
	.rest = HS_CREATED,
};

FIXTURE_VARIANT_ADD(items, parked) {
	.rest = HS_PARKED,
};

FIXTURE_VARIANT_ADD(items, stopped) {
	.rest = HS_STOPPED,
};

FIXTURE_SETUP(items)
{
	LAB_REQUIRE_ROOT();
	hs_read_cpus();
	self->t = hs_new_target(_metadata);
	ASSERT_NE(NULL, self->t);
	self->ngroups = hs_groups(self->groups, ARRAY_SIZE(self->groups));
	ASSERT_LT(0, self->ngroups);
}

FIXTURE_TEARDOWN(items)
{
	lab_cleanup();
	hs_free_target(self->t);
}

/*
 * Prepares the target for behaviour @g: false when the behaviour cannot rest
 * in the variant's state (parked, for one that cannot park).
 */
static bool hs_item_target(struct __test_metadata *_metadata,
			   struct hs_target *t, const char *g,
			   enum hs_state rest)
{
	struct lab_item probe;
	int err;

	memset(t->label, 0, sizeof(t->label));
	t->nfiles = 0;
	t->nwritable = 0;
	t->is_item = true;
	t->dirty = false;
	t->have_before = false;
	t->rest = rest;
	snprintf(t->behaviour, sizeof(t->behaviour), "%s", g);
	EXPECT_EQ(0, lab_set_autostart(g, "0"));
	/* whether it parks: EOPNOTSUPP whatever the state, else EBUSY */
	if (lab_create(&probe, g, "probe"))
		return false;
	err = lab_set(&probe, "park", "1");
	t->can_park = err != -EOPNOTSUPP;
	EXPECT_EQ(0, lab_remove(&probe));
	if (rest == HS_PARKED && !t->can_park)
		return false;
	err = hs_make_item(t);
	EXPECT_EQ(0, err) TH_LOG("%s: cannot make a %s item", g,
				 hs_state_names[rest]);
	if (err)
		return false;
	hs_add_dir(t, "", g, "item");
	snprintf(t->label[t->nfiles++], HS_LABEL_MAX, "@line");
	return true;
}

static void hs_items(struct __test_metadata *_metadata,
		     FIXTURE_DATA(items) *self, enum hs_state rest,
		     enum hs_corpus c)
{
	int i, covered = 0;

	for (i = 0; i < self->ngroups; i++) {
		if (!hs_item_target(_metadata, self->t, self->groups[i], rest))
			continue;
		covered++;
		hs_run(self->t, c);
		lab_remove(&self->t->it);
	}
	EXPECT_LT(0, covered);
	hs_summary(self->t, hs_state_names[rest]);
}

TEST_F_TIMEOUT(items, single_writes_get_the_documented_errno, HS_TIMEOUT)
{
	hs_items(_metadata, self, variant->rest, HS_SINGLE);
}

TEST_F_TIMEOUT(items, split_vector_and_offset_writes_get_the_documented_errno, HS_TIMEOUT)
{
	hs_items(_metadata, self, variant->rest, HS_METHODS);
}

TEST_F_TIMEOUT(items, embedded_nul_is_einval, HS_TIMEOUT)
{
	hs_items(_metadata, self, variant->rest, HS_NUL);
}

/*
 * ---- experiment items ----
 *
 * They rest with their results "none" or those of a run, never in a
 * thread state (HS_NA). hs_make_item() sets the parameter that makes a
 * run short (hs_cheap_runs[]), so each accepted `run` input performs one
 * run of one thread; the item is then made afresh, as after any action.
 */

FIXTURE(experiments) {
	struct hs_target *t;
	char kinds[32][64];
	int nkinds;
};

FIXTURE_SETUP(experiments)
{
	LAB_REQUIRE_ROOT();
	hs_read_cpus();
	self->t = hs_new_target(_metadata);
	ASSERT_NE(NULL, self->t);
	self->nkinds = hs_exp_kinds(self->kinds, ARRAY_SIZE(self->kinds));
	ASSERT_LT(0, self->nkinds) TH_LOG("no experiments/ with kinds in %s",
					   lab_root());
}

FIXTURE_TEARDOWN(experiments)
{
	lab_cleanup();
	hs_free_target(self->t);
}

static void hs_experiments(struct __test_metadata *_metadata,
			   FIXTURE_DATA(experiments) *self, enum hs_corpus c)
{
	struct hs_target *t = self->t;
	int i, err;

	for (i = 0; i < self->nkinds; i++) {
		memset(t->label, 0, sizeof(t->label));
		t->nfiles = 0;
		t->nwritable = 0;
		t->is_item = true;
		t->can_park = false;
		t->dirty = false;
		t->have_before = false;
		t->rest = HS_NA;
		snprintf(t->behaviour, sizeof(t->behaviour), "experiments/%s",
			 self->kinds[i]);
		err = hs_make_item(t);
		ASSERT_EQ(0, err) TH_LOG("%s: cannot make an item", t->behaviour);
		hs_add_dir(t, "", t->behaviour, "experiment");
		EXPECT_LT(0, t->nwritable);
		hs_run(t, c);
		lab_remove(&t->it);
	}
	hs_summary(t, "experiments");
}

TEST_F_TIMEOUT(experiments, single_writes_get_the_documented_errno, HS_TIMEOUT)
{
	hs_experiments(_metadata, self, HS_SINGLE);
}

TEST_F_TIMEOUT(experiments, split_vector_and_offset_writes_get_the_documented_errno, HS_TIMEOUT)
{
	hs_experiments(_metadata, self, HS_METHODS);
}

TEST_F_TIMEOUT(experiments, embedded_nul_is_einval, HS_TIMEOUT)
{
	hs_experiments(_metadata, self, HS_NUL);
}

/* ---- two writers at once ---- */

#define HS_RACE_ROUNDS 150
#define HS_RACE_ITEMS 4

struct hs_writer {
	char path[PATH_MAX];
	const char *value, *value2;	/* alternated when value2 is set */
	int rounds;
	pthread_barrier_t *go;
	int ok, other;		/* writes accepted; failed outside allowed[] */
	int allowed[4];
	int last_err;
};

static void *hs_writer_fn(void *arg)
{
	struct hs_writer *wr = arg;
	int i, j, err;

	pthread_barrier_wait(wr->go);
	for (i = 0; i < wr->rounds; i++) {
		err = lab_write_path(wr->path, wr->value2 && (i & 1) ?
					       wr->value2 : wr->value);
		if (!err) {
			wr->ok++;
			continue;
		}
		for (j = 0; j < 4 && wr->allowed[j] != err; j++)
			;
		if (j == 4) {
			wr->other++;
			wr->last_err = err;
		}
	}
	if (hs_totals)
		__atomic_add_fetch(&hs_totals->concurrent, wr->rounds,
				   __ATOMIC_RELAXED);
	return NULL;
}

static void hs_writer_check(struct __test_metadata *_metadata,
			    const struct hs_writer *wr)
{
	EXPECT_EQ(0, wr->other)
		TH_LOG("%s < '%s': %d writes failed outside the documented errnos, last %s",
		       wr->path, wr->value, wr->other, strerror(-wr->last_err));
}

/*
 * Two threads write @a and @b to @path @rounds times each while this one
 * reads it: every reading is the old value, @a or @b, never a mix, and so is
 * the final one. Puts the old value back.
 */
static void hs_race_setting(struct __test_metadata *_metadata,
			    const char *path, const char *a, const char *b)
{
	struct hs_writer wr[2];
	pthread_barrier_t go;
	pthread_t th[2];
	char old[HS_FILE_MAX], now[HS_FILE_MAX];
	int i, odd = 0;

	ASSERT_LE(0, lab_read_path(path, old, sizeof(old)));
	pthread_barrier_init(&go, NULL, 3);
	for (i = 0; i < 2; i++) {
		memset(&wr[i], 0, sizeof(wr[i]));
		snprintf(wr[i].path, sizeof(wr[i].path), "%s", path);
		wr[i].value = i ? b : a;
		wr[i].rounds = HS_RACE_ROUNDS;
		wr[i].go = &go;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, hs_writer_fn, &wr[i]));
	}
	pthread_barrier_wait(&go);
	for (i = 0; i < HS_RACE_ROUNDS; i++) {
		if (lab_read_path(path, now, sizeof(now)) < 0 ||
		    (strcmp(now, old) && strcmp(now, a) && strcmp(now, b))) {
			if (!odd++)
				TH_LOG("%s read '%s' while '%s' and '%s' were written",
				       path, now, a, b);
		}
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		hs_writer_check(_metadata, &wr[i]);
		EXPECT_EQ(HS_RACE_ROUNDS, wr[i].ok);
	}
	pthread_barrier_destroy(&go);
	EXPECT_EQ(0, odd);
	ASSERT_LE(0, lab_read_path(path, now, sizeof(now)));
	EXPECT_TRUE(!strcmp(now, a) || !strcmp(now, b))
		TH_LOG("%s ended as '%s', written '%s' and '%s'", path, now, a,
		       b);
	EXPECT_EQ(0, lab_write_path(path, old));
}

struct hs_pair {
	struct hs_writer wr[2];
	pthread_barrier_t go;
	pthread_t th[2];
};

/* Writers on @it: @attr_a gets @val_a (alternating with @val_a2 if set). */
static int hs_pair_run(struct __test_metadata *_metadata, struct hs_pair *p,
		       const struct lab_item *it, const char *attr_a,
		       const char *val_a, const char *val_a2, int rounds_a,
		       const int *allowed_a, const char *attr_b,
		       const char *val_b, int rounds_b, const int *allowed_b)
{
	int i;

	memset(p, 0, sizeof(*p));
	pthread_barrier_init(&p->go, NULL, 2);
	for (i = 0; i < 2; i++) {
		lab_attr_path(it, i ? attr_b : attr_a, p->wr[i].path,
			      sizeof(p->wr[i].path));
		p->wr[i].value = i ? val_b : val_a;
		p->wr[i].value2 = i ? NULL : val_a2;
		p->wr[i].rounds = i ? rounds_b : rounds_a;
		p->wr[i].go = &p->go;
		memcpy(p->wr[i].allowed, i ? allowed_b : allowed_a,
		       sizeof(p->wr[i].allowed));
	}
	for (i = 0; i < 2; i++)
		if (pthread_create(&p->th[i], NULL, hs_writer_fn, &p->wr[i]))
			return -1;
	for (i = 0; i < 2; i++) {
		pthread_join(p->th[i], NULL);
		hs_writer_check(_metadata, &p->wr[i]);
	}
	pthread_barrier_destroy(&p->go);
	return 0;
}

FIXTURE(race) {
	char groups[32][64];
	int ngroups;
};

FIXTURE_SETUP(race)
{
	LAB_REQUIRE_ROOT();
	hs_read_cpus();
	self->ngroups = hs_groups(self->groups, ARRAY_SIZE(self->groups));
	ASSERT_LT(0, self->ngroups);
}

FIXTURE_TEARDOWN(race)
{
	lab_cleanup();
}

/* A created item with retval 9, quick to stop; 0 or -errno. */
static int hs_race_item(struct lab_item *it, const char *group, bool start)
{
	int err;

	err = lab_set_autostart(group, "0") ?: lab_create(it, group, "race");
	if (err)
		return err;
	if (!strcmp(group, "periodic"))
		lab_set(it, "sleep_mode", "interruptible");
	err = lab_set(it, "retval", "9");
	if (!err && start)
		err = lab_set(it, "start", "1");
	return err;
}

/* Whether the item's behaviour parks (EOPNOTSUPP whatever the state). */
static bool hs_parks(const struct lab_item *it)
{
	return lab_set(it, "park", "1") != -EOPNOTSUPP;
}

/* Every setting of a created item of each behaviour, the root's, the groups'. */
TEST_F_TIMEOUT(race, two_writers_leave_one_of_their_values, HS_TIMEOUT)
{
	struct hs_target *t = hs_new_target(_metadata);
	char path[PATH_MAX], line[HS_FILE_MAX], now[HS_FILE_MAX];
	char key[HS_LABEL_MAX + 4], want[HS_FILE_MAX];
	struct hs_values vals;
	const char *p;
	int i, w, idx;

	ASSERT_NE(NULL, t);
	for (i = 0; i < self->ngroups; i++) {
		if (!hs_item_target(_metadata, t, self->groups[i], HS_CREATED))
			continue;
		idx = hs_label_index(t, "@line");
		for (w = 0; w < t->nwritable; w++) {
			if (t->wspec[w]->role >= HS_START)
				continue;	/* actions: the tests below */
			hs_pick_values(t, w, &vals);
			lab_join(path, sizeof(path), t->base, t->wlabel[w]);
			hs_race_setting(_metadata, path, vals.v, vals.w);
			/* the snapshot line shows what the file shows */
			ASSERT_LE(0, lab_read_path(path, now, sizeof(now)));
			ASSERT_LE(0, hs_read_label(t, idx, line, sizeof(line)));
			snprintf(key, sizeof(key), " %s=", t->wlabel[w]);
			p = strstr(line, key);
			if (!p)
				continue;
			if (snprintf(want, sizeof(want), "%s%s", key, now) >=
			    (int)sizeof(want))
				continue;
			EXPECT_EQ(0, strncmp(p, want, strlen(want)))
				TH_LOG("snapshot '%s' lacks '%s'", line, want);
		}
		EXPECT_EQ(0, lab_remove(&t->it));
	}
	hs_free_target(t);
	ASSERT_LT(0, lab_root_get("max_threads", now, sizeof(now)));
	ASSERT_EQ(0, lab_set_max_threads(now));
	lab_root_path(path, sizeof(path), "max_threads");
	hs_race_setting(_metadata, path, "4000", "5000");
	for (i = 0; i < self->ngroups; i++) {
		ASSERT_EQ(0, lab_set_autostart(self->groups[i], "1"));
		snprintf(path, sizeof(path), "%s/%s/autostart", lab_root(),
			 self->groups[i]);
		hs_race_setting(_metadata, path, "0", "1");
	}
}

/* Two `start` writes at once: exactly one wakes the thread. */
TEST_F_TIMEOUT(race, two_starts_at_once_one_wins, HS_TIMEOUT)
{
	static const int allowed[4] = { -EALREADY };
	struct lab_item it;
	struct hs_pair p;
	char state[64];
	int i, n;

	for (i = 0; i < self->ngroups; i++) {
		for (n = 0; n < HS_RACE_ITEMS; n++) {
			ASSERT_EQ(0, hs_race_item(&it, self->groups[i], false));
			ASSERT_EQ(0, hs_pair_run(_metadata, &p, &it, "start",
						 "1", NULL, 1, allowed, "start",
						 "1", 1, allowed));
			EXPECT_EQ(1, p.wr[0].ok + p.wr[1].ok)
				TH_LOG("%s: %d start writes succeeded", it.name,
				       p.wr[0].ok + p.wr[1].ok);
			lab_state(&it, state, sizeof(state));
			EXPECT_TRUE(!strcmp(state, "running") ||
				    !strcmp(state, "exited"))
				TH_LOG("%s: state '%s'", it.name, state);
			EXPECT_EQ(0, lab_remove(&it));
		}
	}
}

/* Two `stop` writes at once: each returns once stopped, or EALREADY after. */
TEST_F_TIMEOUT(race, two_stops_at_once_both_see_it_stopped, HS_TIMEOUT)
{
	static const int allowed[4] = { -EALREADY };
	struct lab_item it;
	struct hs_pair p;
	int i, n;

	for (i = 0; i < self->ngroups; i++) {
		for (n = 0; n < HS_RACE_ITEMS; n++) {
			ASSERT_EQ(0, hs_race_item(&it, self->groups[i], true));
			ASSERT_EQ(0, hs_pair_run(_metadata, &p, &it, "stop",
						 "1", NULL, 1, allowed, "stop",
						 "1", 1, allowed));
			EXPECT_LE(1, p.wr[0].ok + p.wr[1].ok);
			LAB_EXPECT_ATTR(&it, "state", "stopped");
			/* 9 when the function ran, else -4 (EINTR) */
			LAB_EXPECT_ATTR(&it, "stop_result",
					lab_ll(&it, "ran") == 1 ? "9" : "-4");
			EXPECT_EQ(0, lab_remove(&it));
		}
	}
}

/* `start` against `stop` on a created item: stopped either way. */
TEST_F_TIMEOUT(race, start_racing_stop_ends_stopped, HS_TIMEOUT)
{
	static const int allowed[4] = { -EALREADY };
	struct lab_item it;
	struct hs_pair p;
	int i, n;

	for (i = 0; i < self->ngroups; i++) {
		for (n = 0; n < HS_RACE_ITEMS; n++) {
			ASSERT_EQ(0, hs_race_item(&it, self->groups[i], false));
			ASSERT_EQ(0, hs_pair_run(_metadata, &p, &it, "start",
						 "1", NULL, 1, allowed, "stop",
						 "1", 1, allowed));
			EXPECT_EQ(1, p.wr[1].ok);
			LAB_EXPECT_ATTR(&it, "state", "stopped");
			LAB_EXPECT_ATTR(&it, "stop_result",
					lab_ll(&it, "ran") == 1 ? "9" : "-4");
			EXPECT_EQ(0, lab_remove(&it));
		}
	}
}

/* park 1 against park 0 on a running thread: `park` agrees with state. */
TEST_F_TIMEOUT(race, park_racing_unpark_agrees_with_state, HS_TIMEOUT)
{
	static const int allowed[4] = { -EALREADY };
	struct lab_item it;
	struct hs_pair p;
	char state[64], park[16];
	int i, covered = 0;

	for (i = 0; i < self->ngroups; i++) {
		ASSERT_EQ(0, hs_race_item(&it, self->groups[i], true));
		if (!hs_parks(&it)) {
			EXPECT_EQ(0, lab_remove(&it));
			continue;
		}
		covered++;
		ASSERT_EQ(0, hs_pair_run(_metadata, &p, &it, "park", "0", NULL,
					 60, allowed, "park", "1", 60,
					 allowed));
		lab_state(&it, state, sizeof(state));
		lab_get(&it, "park", park, sizeof(park));
		EXPECT_STREQ(!strcmp(state, "parked") ? "1" : "0", park)
			TH_LOG("%s: state '%s', park '%s'", it.name, state,
			       park);
		EXPECT_TRUE(!strcmp(state, "parked") ||
			    !strcmp(state, "running"));
		EXPECT_EQ(0, lab_set(&it, "stop", "1"));
		LAB_EXPECT_ATTR(&it, "state", "stopped");
		LAB_EXPECT_ATTR(&it, "park", "0");
		LAB_EXPECT_ATTR(&it, "stop_result", "9");
		EXPECT_EQ(0, lab_remove(&it));
	}
	EXPECT_LT(0, covered);
}

/* Parking and unparking while a stop comes: stopped, park 0. */
TEST_F_TIMEOUT(race, park_racing_stop_ends_stopped_and_unparked, HS_TIMEOUT)
{
	static const int park_ok[4] = { -EALREADY, -EBUSY };
	static const int stop_ok[4] = { -EALREADY };
	struct lab_item it;
	struct hs_pair p;
	int i, covered = 0;

	for (i = 0; i < self->ngroups; i++) {
		ASSERT_EQ(0, hs_race_item(&it, self->groups[i], true));
		if (!hs_parks(&it)) {
			EXPECT_EQ(0, lab_remove(&it));
			continue;
		}
		covered++;
		ASSERT_EQ(0, hs_pair_run(_metadata, &p, &it, "park", "0", "1",
					 40, park_ok, "stop", "1", 3,
					 stop_ok));
		EXPECT_LE(1, p.wr[1].ok);
		LAB_EXPECT_ATTR(&it, "state", "stopped");
		LAB_EXPECT_ATTR(&it, "park", "0");
		LAB_EXPECT_ATTR(&it, "stop_result", "9");
		EXPECT_EQ(0, lab_remove(&it));
	}
	EXPECT_LT(0, covered);
}

/* ---- descriptors that outlive their item ---- */

FIXTURE(stale) {
	char groups[32][64];
	int ngroups;
};

FIXTURE_SETUP(stale)
{
	LAB_REQUIRE_ROOT();
	self->ngroups = hs_groups(self->groups, ARRAY_SIZE(self->groups));
	ASSERT_LT(0, self->ngroups);
}

FIXTURE_TEARDOWN(stale)
{
	lab_cleanup();
}

/*
 * Every attribute opened before rmdir: rmdir does not wait for the
 * descriptors, and afterwards each read and each write, valid or not,
 * fails with ENOENT (configfs) and reaches no item.
 */
TEST_F_TIMEOUT(stale, descriptors_opened_before_rmdir_give_enoent, HS_TIMEOUT)
{
	static const char *const values[] = { "1", "0", "x", "5\0junk" };
	struct hs_target *t = hs_new_target(_metadata);
	int fd[HS_MAX_FILES], rfd[HS_MAX_FILES];
	char path[PATH_MAX], buf[64];
	long long pid, items;
	size_t v;
	int i, w, n;

	ASSERT_NE(NULL, t);
	for (i = 0; i < self->ngroups; i++) {
		ASSERT_TRUE(hs_item_target(_metadata, t, self->groups[i],
					   HS_CREATED));
		pid = lab_ll(&t->it, "pid");
		for (w = 0; w < t->nwritable; w++) {
			lab_join(path, sizeof(path), t->base, t->wlabel[w]);
			fd[w] = open(path, O_WRONLY | O_CLOEXEC);
			ASSERT_LE(0, fd[w]) TH_LOG("%s", path);
		}
		for (n = 0; n < t->nfiles; n++) {
			rfd[n] = -1;
			if (t->label[n][0] == '@')
				continue;
			lab_join(path, sizeof(path), t->base, t->label[n]);
			rfd[n] = open(path, O_RDONLY | O_CLOEXEC);
			ASSERT_LE(0, rfd[n]) TH_LOG("%s", path);
		}
		items = lab_snapshot_items();
		ASSERT_EQ(0, lab_remove(&t->it));
		EXPECT_EQ(items - 1, lab_snapshot_items());
		EXPECT_EQ(0, lab_wait_pid_gone(pid, LAB_DEADLINE_MS));
		for (w = 0; w < t->nwritable; w++) {
			for (v = 0; v < ARRAY_SIZE(values); v++) {
				ssize_t r = write(fd[w], values[v],
						  v == 3 ? 6 : strlen(values[v]));
				int err = r < 0 ? -errno : (int)r;

				HS_COUNT(tried);
				HS_COUNT(refused);
				EXPECT_EQ(-ENOENT, err) {
					HS_COUNT(wrong);
					TH_LOG("%s/%s: write '%s' after rmdir gave %d",
					       self->groups[i], t->wlabel[w],
					       values[v], err);
				}
			}
			close(fd[w]);
		}
		for (n = 0; n < t->nfiles; n++) {
			if (rfd[n] < 0)
				continue;
			errno = 0;
			EXPECT_EQ(-1, read(rfd[n], buf, sizeof(buf)))
				TH_LOG("%s/%s read after rmdir",
				       self->groups[i], t->label[n]);
			EXPECT_EQ(ENOENT, errno);
			close(rfd[n]);
		}
		EXPECT_EQ(items - 1, lab_snapshot_items());
	}
	hs_free_target(t);
}

TEST_HARNESS_MAIN
