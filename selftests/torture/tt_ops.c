// SPDX-License-Identifier: GPL-2.0
/*
 * What a torture worker does, and which errno each operation may give.
 *
 * Every attribute write is judged against the ABI file
 * (Documentation/ABI/testing/configfs-kthread_lab): a value outside the
 * documented syntax or range must fail with exactly its value errno
 * (EINVAL or ERANGE: "value errors are checked before state errors"); a
 * valid value may succeed or fail with one of the state errnos documented
 * for that attribute. Any operation on an item may also fail with ENOENT:
 * another worker removed it. Anything else is a failure.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tt.h"

/*
 * The name pool: few names, so that workers collide on purpose; every
 * behaviour uses the same names. One is 20 bytes or more (configfs
 * allocates such names), two are UTF-8.
 */
const char *const tt_pool[] = {
	"a", "b", "c", "dd", "t-long-name-0123456789", "caf\xc3\xa9",
	"voil\xc3\xa0",	/* 0xa0 is no space in UTF-8 (issue 7 defect 6) */
};
const int tt_npool = sizeof(tt_pool) / sizeof(tt_pool[0]);

/* Names mkdir must refuse with EINVAL (white space, control bytes). */
static const char *const tt_bad_names[] = { "bad name", "bad\tname", "bad\x01" };

static const char *const wait_modes[] = { "sleep", "spin" };
static const char *const sleep_modes[] = { "msleep", "interruptible", "hrtimer" };

/*
 * The attributes the ABI documents. gen_lo..gen_hi are the valid values the
 * workers write, narrower than the documented range where a documented
 * value would only make the run slow or unsafe by design:
 *  - stop_timeout_ms <= 1 s: "stop with short timeouts" (the documented
 *    maximum is 600000, 30000 once issue 7's first defect is fixed; a long
 *    stop write holds the item's files for its whole timeout);
 *  - nice >= -5: a busy thread at -20 starves the stop work's kworker and
 *    other ktl_ threads for minutes on two emulated CPUs, and the kernel's
 *    hung-task detector then reports the waiting kthread_stop();
 *  - resched only 1: 0 makes a busy thread monopolise its CPU, and the
 *    kernel reports a soft lockup after about 20 s (documented);
 *  - period_us <= 1 s and job_ms <= 200: the final check waits for ticks.
 */
static const struct tt_spec tt_specs[] = {
	{ "start", TT_ONE, 1, 1, 1, 1, NULL, 0, { EALREADY } },
	{ "stop", TT_ONE, 1, 1, 1, 1, NULL, 0, { EALREADY, ETIMEDOUT } },
	{ "release", TT_ONE, 1, 1, 1, 1, NULL, 0, { 0 } },
	{ "retval", TT_INT, INT_MIN, INT_MAX, -10, 100, NULL, 0, { EBUSY } },
	{ "stop_timeout_ms", TT_INT, 1, 600000, 1, TT_STOP_TIMEOUT_MAX_MS,
	  NULL, 0, { 0 } },
	{ "cpu", TT_CPU, -1, INT_MAX, -1, 0, NULL, 0, { EBUSY } },
	{ "nice", TT_INT, -20, 19, -5, 19, NULL, 0, { EBUSY } },
	{ "park", TT_BOOL, 0, 1, 0, 1, NULL, 0, { EALREADY, EBUSY } },
	{ "honor_stop", TT_BOOL, 0, 1, 0, 1, NULL, 0, { 0 } },
	{ "resched", TT_BOOL, 0, 1, 1, 1, NULL, 0, { 0 } },
	{ "job_ms", TT_INT, 0, 600000, 0, 200, NULL, 0, { 0 } },
	{ "wait_mode", TT_CHOICE, 0, 0, 0, 0, wait_modes, 2, { 0 } },
	{ "period_us", TT_INT, 100, 3600000000LL, 100, 1000000, NULL, 0, { 0 } },
	{ "sleep_mode", TT_CHOICE, 0, 0, 0, 0, sleep_modes, 3, { 0 } },
	{ "autostart", TT_BOOL, 0, 1, 0, 1, NULL, 0, { 0 } },
	{ "max_threads", TT_INT, 0, 1000000, 0, 4096, NULL, 0, { 0 } },
};

const struct tt_spec *tt_spec_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(tt_specs) / sizeof(tt_specs[0]); i++)
		if (!strcmp(tt_specs[i].name, name))
			return &tt_specs[i];
	return NULL;
}

/* ---- operation counters that are not per attribute ---- */

static int op_mkdir, op_mkdir_bad, op_rmdir, op_snapshot, op_snapshot_chunks,
	op_stale_fd, op_autostart_ok,
	op_autostart_bad, op_stop_signal, op_read_wo, op_write_ro, op_listdir,
	op_shuffle, op_max_ok, op_max_bad, op_max_read, op_autostart_read,
	op_unknown_write;

void tt_ops_init(void)
{
	op_mkdir = tt_op_register("mkdir");
	op_mkdir_bad = tt_op_register("mkdir (bad name)");
	op_rmdir = tt_op_register("rmdir");
	op_snapshot = tt_op_register("read snapshot");
	op_snapshot_chunks = tt_op_register("read snapshot in pieces");
	op_stale_fd = tt_op_register("use a file after its rmdir");
	op_autostart_read = tt_op_register("read autostart");
	op_autostart_ok = tt_op_register("write autostart");
	op_autostart_bad = tt_op_register("write autostart (bad)");
	op_stop_signal = tt_op_register("stop + signal");
	op_read_wo = tt_op_register("read a write-only file");
	op_write_ro = tt_op_register("write a read-only file");
	op_listdir = tt_op_register("readdir group");
	op_shuffle = tt_op_register("shuffle CPU affinity");
	op_max_ok = tt_op_register("write max_threads");
	op_max_bad = tt_op_register("write max_threads (bad)");
	op_max_read = tt_op_register("read max_threads");
	op_unknown_write = tt_op_register("write unknown attribute");
}

/* ---- values ---- */

struct tt_value {
	char buf[64];
	size_t len;
	int value_err;	/* 0 for a valid value, else the errno it must get */
};

static void tt_val_set(struct tt_value *v, const char *s, int err)
{
	snprintf(v->buf, sizeof(v->buf), "%s", s);
	v->len = strlen(v->buf);
	v->value_err = err;
}

static void tt_val_num(struct tt_value *v, long long n, bool newline)
{
	snprintf(v->buf, sizeof(v->buf), newline ? "%lld\n" : "%lld", n);
	v->len = strlen(v->buf);
	v->value_err = 0;
}

static long long tt_rand_range(uint64_t *s, long long lo, long long hi)
{
	unsigned long long span = (unsigned long long)(hi - lo) + 1;

	return lo + (long long)(tt_rand(s) % span);
}

/* Log-uniform in [lo, hi] (lo >= 1): small and large values alike. */
static long long tt_rand_log(uint64_t *s, long long lo, long long hi)
{
	long long span = hi / lo, m = 1;

	while (m < span && tt_rand_below(s, 2))
		m *= 2 + tt_rand_below(s, 3);
	if (m > span)
		m = span;
	return tt_rand_range(s, lo, lo * m > hi ? hi : lo * m);
}

static void tt_valid_value(uint64_t *s, const struct tt_spec *sp,
			   struct tt_value *v)
{
	bool nl = tt_rand_below(s, 2);
	long long n;

	switch (sp->kind) {
	case TT_ONE:
		tt_val_set(v, nl ? "1\n" : "1", 0);
		return;
	case TT_BOOL:
		tt_val_num(v, tt_rand_range(s, sp->gen_lo, sp->gen_hi), nl);
		return;
	case TT_CPU:
		if (tt_rand_below(s, 5) < 2 || !tt.ncpus_online)
			n = -1;
		else
			n = tt.online_cpus[tt_rand_below(s, tt.ncpus_online)];
		tt_val_num(v, n, nl);
		return;
	case TT_CHOICE:
		tt_val_set(v, sp->choices[tt_rand_below(s, sp->nchoices)], 0);
		if (nl)
			strcat(v->buf, "\n");
		v->len = strlen(v->buf);
		return;
	case TT_INT:
		switch (tt_rand_below(s, 8)) {
		case 0:
			n = sp->gen_lo;
			break;
		case 1:
			n = sp->gen_hi;
			break;
		default:
			if (sp->gen_lo >= 1 && sp->gen_hi / sp->gen_lo > 100)
				n = tt_rand_log(s, sp->gen_lo, sp->gen_hi);
			else
				n = tt_rand_range(s, sp->gen_lo, sp->gen_hi);
		}
		tt_val_num(v, n, nl);
		return;
	case TT_UNKNOWN:
		break;
	}
	tt_val_set(v, "?", 0);
}

/* A value the ABI refuses, with the errno it must get. */
static void tt_invalid_value(uint64_t *s, const struct tt_spec *sp,
			     struct tt_value *v)
{
	static const struct { const char *s; size_t len; int err; } junk[] = {
		{ "abc", 3, EINVAL }, { "1x", 2, EINVAL }, { "0x10", 4, EINVAL },
		{ " 1", 2, EINVAL }, { "1 ", 2, EINVAL }, { "\n", 1, EINVAL },
		{ "1\n\n", 3, EINVAL },
		/* the whole count is parsed: a NUL is junk (issue 7 defect 5) */
		{ "1\0junk", 6, EINVAL }, { "0\0", 2, EINVAL },
		/* configfs itself fails a zero-byte write */
		{ "", 0, EFAULT },
	};
	bool numeric = sp->kind != TT_CHOICE;
	unsigned int r = tt_rand_below(s, 10);

	if (r < 3) {
		r = tt_rand_below(s, sizeof(junk) / sizeof(junk[0]));
		memcpy(v->buf, junk[r].s, junk[r].len);
		v->len = junk[r].len;
		v->value_err = junk[r].err;
		return;
	}
	if (r == 3) {
		/* too large to parse: ERANGE for numbers */
		tt_val_set(v, tt_rand_below(s, 2) ? "99999999999999999999" :
			   "-99999999999999999999", numeric ? ERANGE : EINVAL);
		return;
	}
	switch (sp->kind) {
	case TT_ONE:
		tt_val_num(v, tt_rand_below(s, 2) ? 0 : 2 + (long long)tt_rand_below(s, 5), false);
		v->value_err = ERANGE;
		return;
	case TT_BOOL:
		tt_val_num(v, tt_rand_below(s, 2) ? -1 : 2, tt_rand_below(s, 2));
		v->value_err = ERANGE;
		return;
	case TT_INT:
		if (tt_rand_below(s, 2))
			tt_val_num(v, sp->lo - 1 - tt_rand_below(s, 3), false);
		else
			tt_val_num(v, sp->hi + 1 + tt_rand_below(s, 3), false);
		v->value_err = ERANGE;
		return;
	case TT_CPU:
		/* less than -1, or not a possible CPU id */
		tt_val_num(v, tt_rand_below(s, 2) ? -2 : tt.nposs_cpus +
			   (long long)tt_rand_below(s, 3), false);
		v->value_err = EINVAL;
		return;
	case TT_CHOICE: {
		const char *c = sp->choices[tt_rand_below(s, sp->nchoices)];
		size_t i;

		switch (tt_rand_below(s, 4)) {
		case 3:
			/* a valid name, a NUL, junk (issue 7 defect 5) */
			v->len = snprintf(v->buf, sizeof(v->buf), "%s", c);
			memcpy(v->buf + v->len, "\0junk", 5);
			v->len += 5;
			v->value_err = EINVAL;
			return;
		case 0:
			/* upper case */
			tt_val_set(v, c, EINVAL);
			for (i = 0; i < v->len; i++)
				if (v->buf[i] >= 'a' && v->buf[i] <= 'z')
					v->buf[i] -= 'a' - 'A';
			return;
		case 1:
			snprintf(v->buf, sizeof(v->buf), "%s ", c);
			break;
		default:
			snprintf(v->buf, sizeof(v->buf), "%sx", c);
		}
		v->len = strlen(v->buf);
		v->value_err = EINVAL;
		return;
	}
	case TT_UNKNOWN:
		break;
	}
	tt_val_set(v, "abc", EINVAL);
}

/* ---- judging results ---- */

static void tt_mark(const struct tt_group *g, const char *name, bool present);

static bool tt_in(int err, const int *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i] && list[i] == err)
			return true;
	return false;
}

static void tt_printable(char *out, size_t size, const char *s, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = s[i];

		if (c == '\n')
			o += snprintf(out + o, size - o, "\\n");
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = c;
	}
	out[o] = '\0';
}

/*
 * Judges one write of @v to attribute @a of item <g>/<name>; @err is 0 or
 * the errno of the open or the write; @extra lists errnos allowed besides
 * the documented ones; @op is the counter (-1: the attribute's).
 */
static void tt_judge_write(struct tt_group *g, const char *name,
			   struct tt_attr *a, const struct tt_value *v, int err,
			   const int *extra, int nextra, int op)
{
	const struct tt_spec *sp = a->spec;
	char shown[160];
	bool ok;

	if (op < 0)
		op = v->value_err ? a->op_write_bad : a->op_write_ok;
	tt_count(op, err);
	if (err == ENOENT) {
		tt_mark(g, name, false);
		return;
	}
	if (!strcmp(a->name, "park") && g->parkable == 0 && v->len) {
		/* checked first, whatever was written */
		ok = err == EOPNOTSUPP;
	} else if (v->value_err) {
		ok = err == v->value_err;
	} else {
		ok = !err || (sp && tt_in(err, sp->state_errs, 4)) ||
		     tt_in(err, extra, nextra);
	}
	if (ok)
		return;
	tt_printable(shown, sizeof(shown), v->buf, v->len);
	tt_fail(TT_C_ERRNO, "write \"%s\" to %s/%s/%s: %s (%s value)%s", shown,
		g->name, name, a->name, err ? tt_errname(err) : "success",
		v->value_err ? "invalid" : "valid",
		memchr(v->buf, '\0', v->len) && !err ? " (issue 7 defect 5)" : "");
}

/* open + one write + close: 0 or the errno */
static int tt_write_attr(struct tt_worker *w, const char *group,
			 const char *name, const char *attr,
			 const struct tt_value *v)
{
	char path[PATH_MAX];

	tt_attr_path(path, sizeof(path), group, name, attr);
	tt_set_cur(w, "write %s/%s/%s", group, name, attr);
	return tt_write_file(path, v->buf, v->len);
}

static struct tt_attr *tt_pick_attr(struct tt_worker *w, struct tt_group *g,
				    bool writable)
{
	int i, n = 0, pick;

	for (i = 0; i < g->nattrs; i++)
		if (writable ? g->attrs[i].writable : g->attrs[i].readable)
			n++;
	if (!n)
		return NULL;
	pick = tt_rand_below(&w->rng, n);
	for (i = 0; i < g->nattrs; i++)
		if ((writable ? g->attrs[i].writable : g->attrs[i].readable) &&
		    !pick--)
			return &g->attrs[i];
	return NULL;
}

static struct tt_group *tt_pick_group(struct tt_worker *w)
{
	return &tt.groups[tt_rand_below(&w->rng, tt.ngroups)];
}

static const char *tt_pick_name(struct tt_worker *w)
{
	return tt_pool[tt_rand_below(&w->rng, tt_npool)];
}

/*
 * Which pool names exist in which group, as the workers last saw: a hint
 * that aims most item operations at items that exist (races make it
 * approximate, which is fine: ENOENT is always allowed).
 */
static unsigned char tt_present[TT_MAX_GROUPS][16];

static void tt_mark(const struct tt_group *g, const char *name, bool present)
{
	int i;

	for (i = 0; i < tt_npool && i < 16; i++)
		if (name == tt_pool[i])
			__atomic_store_n(&tt_present[g - tt.groups][i], present,
					 __ATOMIC_RELAXED);
}

static const char *tt_pick_item(struct tt_worker *w, const struct tt_group *g)
{
	int idx[16], n = 0, i;

	if (tt_rand_below(&w->rng, 100) < 90) {
		for (i = 0; i < tt_npool && i < 16; i++)
			if (__atomic_load_n(&tt_present[g - tt.groups][i],
					    __ATOMIC_RELAXED))
				idx[n++] = i;
		if (n)
			return tt_pool[idx[tt_rand_below(&w->rng, n)]];
	}
	return tt_pick_name(w);
}

/* ---- operations ---- */

static void tt_op_write_named(struct tt_worker *w, struct tt_group *g,
			      const char *name, const char *attr,
			      const struct tt_value *v);

static void tt_op_mkdir(struct tt_worker *w, struct tt_group *g,
			const char *name)
{
	static const int ok[] = { EEXIST, ENOSPC };
	char path[PATH_MAX];
	int err = 0;

	tt_item_path(path, sizeof(path), g->name, name);
	tt_set_cur(w, "mkdir %s/%s", g->name, name);
	if (mkdir(path, 0755))
		err = errno;
	tt_count(op_mkdir, err);
	if (!err || err == EEXIST)
		tt_mark(g, name, true);
	if (!err) {
		/*
		 * Short stops only: a stop write holds the item's files, and
		 * an rmdir queued behind it the group's directory, for the
		 * whole timeout (5 s by default).
		 */
		struct tt_value v;

		tt_val_num(&v, 1 + tt_rand_below(&w->rng, TT_STOP_TIMEOUT_MAX_MS), false);
		tt_op_write_named(w, g, name, "stop_timeout_ms", &v);
	}
	if (err && !tt_in(err, ok, 2))
		tt_fail(TT_C_ERRNO, "mkdir %s/%s: %s%s", g->name, name,
			tt_errname(err), err == EINVAL && strchr(name, '\xa0') ?
			" (issue 7 defect 6)" : "");
}

static void tt_op_mkdir_bad(struct tt_worker *w)
{
	struct tt_group *g = tt_pick_group(w);
	const char *name = tt_bad_names[tt_rand_below(&w->rng, 3)];
	char path[PATH_MAX], shown[64];
	int err = 0;

	tt_item_path(path, sizeof(path), g->name, name);
	tt_set_cur(w, "mkdir %s/(bad name)", g->name);
	if (mkdir(path, 0755))
		err = errno;
	else
		rmdir(path);
	tt_count(op_mkdir_bad, err);
	if (err != EINVAL) {
		tt_printable(shown, sizeof(shown), name, strlen(name));
		tt_fail(TT_C_ERRNO, "mkdir %s/\"%s\": %s, want EINVAL",
			g->name, shown, err ? tt_errname(err) : "success");
	}
}

static void tt_op_rmdir(struct tt_worker *w, struct tt_group *g,
			const char *name)
{
	char path[PATH_MAX];
	int err = 0;

	tt_item_path(path, sizeof(path), g->name, name);
	tt_set_cur(w, "rmdir %s/%s", g->name, name);
	if (rmdir(path))
		err = errno;
	tt_count(op_rmdir, err);
	if (!err || err == ENOENT)
		tt_mark(g, name, false);
	if (err && err != ENOENT)
		tt_fail(TT_C_ERRNO, "rmdir %s/%s: %s", g->name, name,
			tt_errname(err));
}

static void tt_op_write(struct tt_worker *w, struct tt_group *g,
			const char *name, struct tt_attr *a, bool valid)
{
	struct tt_value v;
	int err;

	if (!a->spec) {
		/* not in the ABI table: any result, counted */
		tt_val_set(&v, "?", 0);
		err = tt_write_attr(w, g->name, name, a->name, &v);
		tt_count(op_unknown_write, err);
		return;
	}
	if (valid)
		tt_valid_value(&w->rng, a->spec, &v);
	else
		tt_invalid_value(&w->rng, a->spec, &v);
	err = tt_write_attr(w, g->name, name, a->name, &v);
	tt_judge_write(g, name, a, &v, err, NULL, 0, -1);
}

/* Writes attribute @attr by name, if the group has it. */
static void tt_op_write_named(struct tt_worker *w, struct tt_group *g,
			      const char *name, const char *attr,
			      const struct tt_value *v)
{
	struct tt_attr *a = tt_attr_by_name(g, attr);

	if (!a || !a->writable || !a->spec)
		return;
	tt_judge_write(g, name, a, v,
		       tt_write_attr(w, g->name, name, a->name, v), NULL, 0, -1);
}

static void tt_op_read(struct tt_worker *w, struct tt_group *g,
		       const char *name, struct tt_attr *a)
{
	char path[PATH_MAX], buf[TT_VAL_MAX], shown[200];
	const char *why;
	int n;

	tt_attr_path(path, sizeof(path), g->name, name, a->name);
	tt_set_cur(w, "read %s/%s/%s", g->name, name, a->name);
	n = tt_read_value(path, buf, sizeof(buf));
	tt_count(a->op_read, n < 0 ? -n : 0);
	if (n == -ENOENT)
		tt_mark(g, name, false);
	if (n < 0) {
		if (n != -ENOENT)
			tt_fail(TT_C_ERRNO, "read %s/%s/%s: %s", g->name, name,
				a->name, tt_errname(-n));
		return;
	}
	why = tt_validate(g, a->name, buf);
	if (why) {
		tt_printable(shown, sizeof(shown), buf, strlen(buf));
		tt_fail(TT_C_FORMAT, "read %s/%s/%s: \"%s\": %s", g->name, name,
			a->name, shown, why);
	}
}

static void tt_op_read_all(struct tt_worker *w, struct tt_group *g,
			   const char *name)
{
	int i;

	for (i = 0; i < g->nattrs; i++)
		if (g->attrs[i].readable)
			tt_op_read(w, g, name, &g->attrs[i]);
}

/*
 * The snapshot, in one read or in small pieces: later reads of a
 * descriptor continue the text the first one rendered.
 */
static void tt_op_snapshot(struct tt_worker *w, char *buf)
{
	char path[PATH_MAX];
	size_t len = 0, chunk = 0;
	ssize_t r;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/snapshot", tt.cfg.root);
	if (tt_rand_below(&w->rng, 3) == 0)
		chunk = 1 + tt_rand_below(&w->rng, 200);
	tt_set_cur(w, "read snapshot%s", chunk ? " in pieces" : "");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err = errno;
	while (fd >= 0 && len < TT_SNAP_MAX - 1) {
		size_t want = TT_SNAP_MAX - 1 - len;

		r = read(fd, buf + len, chunk && chunk < want ? chunk : want);
		if (r < 0)
			err = errno;
		if (r <= 0)
			break;
		len += r;
	}
	if (fd >= 0)
		close(fd);
	buf[len] = '\0';
	tt_count(chunk ? op_snapshot_chunks : op_snapshot, err);
	if (err) {
		tt_fail(TT_C_ERRNO, "read snapshot: %s", tt_errname(err));
		return;
	}
	tt_check_snapshot_text(buf, len, chunk ? "read in pieces" : "during the run");
}

/*
 * A descriptor opened before its item is removed: reads and writes through
 * it fail with ENOENT once the directory is gone (configfs marks the item
 * dead), never reach a freed item.
 */
static void tt_op_stale_fd(struct tt_worker *w, struct tt_group *g,
			   const char *name)
{
	struct tt_attr *a = tt_pick_attr(w, g, tt_rand_below(&w->rng, 2));
	char path[PATH_MAX], dir[PATH_MAX], buf[TT_VAL_MAX];
	struct tt_value v;
	bool removed;
	int fd, err = 0;

	if (!a || !a->spec)
		return;
	tt_attr_path(path, sizeof(path), g->name, name, a->name);
	tt_item_path(dir, sizeof(dir), g->name, name);
	tt_set_cur(w, "stale fd %s/%s/%s", g->name, name, a->name);
	fd = open(path, (a->writable ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0) {
		tt_count(op_stale_fd, errno);
		if (errno != ENOENT)
			tt_fail(TT_C_ERRNO, "open %s/%s/%s: %s", g->name, name,
				a->name, tt_errname(errno));
		return;
	}
	tt_set_cur(w, "rmdir %s/%s (a file open)", g->name, name);
	removed = !rmdir(dir);
	if (removed)
		tt_mark(g, name, false);
	tt_set_cur(w, "stale fd %s/%s/%s", g->name, name, a->name);
	if (a->writable) {
		tt_valid_value(&w->rng, a->spec, &v);
		if (write(fd, v.buf, v.len) < 0)
			err = errno;
	} else if (read(fd, buf, sizeof(buf)) < 0) {
		err = errno;
	}
	close(fd);
	tt_count(op_stale_fd, err);
	/* removed by us: ENOENT; else anything the attribute may give */
	if (removed && err != ENOENT)
		tt_fail(TT_C_ERRNO, "%s %s/%s/%s after its rmdir: %s, want ENOENT",
			a->writable ? "write" : "read", g->name, name, a->name,
			err ? tt_errname(err) : "success");
}

static void tt_op_root_read(struct tt_worker *w)
{
	struct tt_root_attr *ra;
	char path[PATH_MAX], buf[TT_VAL_MAX];
	const char *why;
	int n;

	if (tt_rand_below(&w->rng, 2)) {
		struct tt_group *g = tt_pick_group(w);

		if (!g->has_autostart)
			return;
		snprintf(path, sizeof(path), "%s/%s/autostart", tt.cfg.root,
			 g->name);
		tt_set_cur(w, "read %s/autostart", g->name);
		n = tt_read_value(path, buf, sizeof(buf));
		tt_count(op_autostart_read, n < 0 ? -n : 0);
		if (n < 0)
			tt_fail(TT_C_ERRNO, "read %s/autostart: %s", g->name,
				tt_errname(-n));
		else if ((why = tt_validate(NULL, "autostart", buf)))
			tt_fail(TT_C_FORMAT, "%s/autostart \"%s\": %s", g->name,
				buf, why);
		return;
	}
	if (!tt.nroot_attrs)
		return;
	ra = &tt.root_attrs[tt_rand_below(&w->rng, tt.nroot_attrs)];
	if (!ra->readable || ra->binary)
		return;
	snprintf(path, sizeof(path), "%s/%s", tt.cfg.root, ra->name);
	tt_set_cur(w, "read %s", ra->name);
	n = tt_read_value(path, buf, sizeof(buf));
	tt_count(ra->op_read, n < 0 ? -n : 0);
	if (n < 0)
		tt_fail(TT_C_ERRNO, "read %s: %s", ra->name, tt_errname(-n));
	else if ((why = tt_validate(NULL, ra->name, buf)))
		tt_fail(TT_C_FORMAT, "%s \"%s\": %s", ra->name, buf, why);
}

static void tt_op_autostart_write(struct tt_worker *w)
{
	const struct tt_spec *sp = tt_spec_lookup("autostart");
	struct tt_group *g = tt_pick_group(w);
	char path[PATH_MAX], shown[64];
	struct tt_value v;
	int err;

	if (!g->has_autostart)
		return;
	if (tt_rand_below(&w->rng, 4))
		tt_valid_value(&w->rng, sp, &v);
	else
		tt_invalid_value(&w->rng, sp, &v);
	snprintf(path, sizeof(path), "%s/%s/autostart", tt.cfg.root, g->name);
	tt_set_cur(w, "write %s/autostart", g->name);
	err = tt_write_file(path, v.buf, v.len);
	tt_count(v.value_err ? op_autostart_bad : op_autostart_ok, err);
	if (err != v.value_err) {
		tt_printable(shown, sizeof(shown), v.buf, v.len);
		tt_fail(TT_C_ERRNO, "write \"%s\" to %s/autostart: %s, want %s",
			shown, g->name, err ? tt_errname(err) : "success",
			v.value_err ? tt_errname(v.value_err) : "success");
	}
}

static void tt_sigusr1(int sig)
{
	(void)sig;
}

/*
 * A stop write interrupted by a signal: the ABI says EINTR, the stop
 * staying pending. A per-thread timer sends SIGUSR1 after 1-50 ms; the
 * signal is unblocked only around the write.
 */
static void tt_op_stop_signal(struct tt_worker *w, struct tt_group *g,
			      const char *name)
{
	static const int extra[] = { EINTR };
	struct tt_attr *stop = tt_attr_by_name(g, "stop");
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	char path[PATH_MAX];
	struct tt_value v;
	sigset_t set;
	int fd, err = 0;
	struct timespec zero = { 0, 0 };

	if (!stop || !stop->writable || !stop->spec || !w->sig_timer_ok)
		return;
	tt_val_num(&v, TT_SIGNAL_STOP_TIMEOUT_MS, false);
	tt_op_write_named(w, g, name, "stop_timeout_ms", &v);

	tt_attr_path(path, sizeof(path), g->name, name, "stop");
	tt_set_cur(w, "stop + signal %s/%s", g->name, name);
	tt_val_set(&v, "1", 0);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		tt_judge_write(g, name, stop, &v, errno, extra, 1,
			       op_stop_signal);
		return;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	its.it_value.tv_nsec = (1 + tt_rand_below(&w->rng, 50)) * 1000000L;
	timer_settime(*(timer_t *)w->sig_timer, 0, &its, NULL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (write(fd, v.buf, v.len) < 0)
		err = errno;
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	its.it_value.tv_nsec = 0;
	timer_settime(*(timer_t *)w->sig_timer, 0, &its, NULL);
	/* a signal that came after the write stays pending: drop it */
	while (sigtimedwait(&set, NULL, &zero) == SIGUSR1)
		;
	close(fd);
	tt_judge_write(g, name, stop, &v, err, extra, 1, op_stop_signal);
}

/* stop_timeout_ms short, then stop: the common way a worker stops. */
static void tt_op_stop_short(struct tt_worker *w, struct tt_group *g,
			     const char *name)
{
	struct tt_value v;

	if (tt_rand_below(&w->rng, 5)) {
		tt_val_num(&v, 1 + tt_rand_below(&w->rng, tt_rand_below(&w->rng, 4) ?
						  200 : TT_STOP_TIMEOUT_MAX_MS),
			   false);
		tt_op_write_named(w, g, name, "stop_timeout_ms", &v);
	}
	tt_val_set(&v, "1", 0);
	tt_op_write_named(w, g, name, "stop", &v);
}

/*
 * One item's whole life in a row, configured before it starts: the
 * sequence a user runs, raced by every other worker.
 */
static void tt_op_lifecycle(struct tt_worker *w)
{
	struct tt_group *g = tt_pick_group(w);
	const char *name = tt_pick_name(w);
	struct tt_attr *a;
	struct tt_value v;
	int i, n;

	tt_op_mkdir(w, g, name);
	n = tt_rand_below(&w->rng, 4);
	for (i = 0; i < n; i++) {
		a = tt_pick_attr(w, g, true);
		if (a && a->spec && a->spec->kind != TT_ONE)
			tt_op_write(w, g, name, a, true);
	}
	tt_val_set(&v, "1", 0);
	tt_op_write_named(w, g, name, "start", &v);
	if (tt_rand_below(&w->rng, 2)) {
		tt_val_set(&v, "1", 0);
		tt_op_write_named(w, g, name, "park", &v);
		tt_val_set(&v, "0", 0);
		tt_op_write_named(w, g, name, "park", &v);
	}
	tt_op_stop_short(w, g, name);
	if (tt_rand_below(&w->rng, 2))
		tt_op_read_all(w, g, name);
	tt_op_rmdir(w, g, name);
}

/* Opening a write-only file for reading, or the reverse: EACCES. */
static void tt_op_perm(struct tt_worker *w, struct tt_group *g,
		       const char *name)
{
	struct tt_attr *a = &g->attrs[tt_rand_below(&w->rng, g->nattrs)];
	char path[PATH_MAX];
	int fd, err = 0;
	bool read_it;

	if (a->readable && a->writable)
		return;
	read_it = !a->readable;
	tt_attr_path(path, sizeof(path), g->name, name, a->name);
	tt_set_cur(w, "open %s/%s/%s for %s", g->name, name, a->name,
		   read_it ? "reading" : "writing");
	fd = open(path, (read_it ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	if (fd < 0)
		err = errno;
	else
		close(fd);
	tt_count(read_it ? op_read_wo : op_write_ro, err);
	if (err != EACCES && err != ENOENT)
		tt_fail(TT_C_ERRNO, "open %s/%s/%s for %s: %s, want EACCES",
			g->name, name, a->name, read_it ? "reading" : "writing",
			err ? tt_errname(err) : "success");
}

static void tt_op_listdir(struct tt_worker *w, struct tt_group *g)
{
	char path[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", tt.cfg.root, g->name);
	tt_set_cur(w, "readdir %s", g->name);
	d = opendir(path);
	if (!d) {
		err = errno;
	} else {
		errno = 0;
		while ((de = readdir(d)))
			;
		err = errno;
		closedir(d);
	}
	tt_count(op_listdir, err);
	if (err)
		tt_fail(TT_C_ERRNO, "readdir %s: %s", g->name, tt_errname(err));
}

/* As torture.c's shuffler: move the worker to another CPU now and then. */
static void tt_op_shuffle(struct tt_worker *w)
{
	cpu_set_t set;
	int i, err = 0;

	CPU_ZERO(&set);
	if (tt_rand_below(&w->rng, 3) && tt.ncpus_online) {
		CPU_SET(tt.online_cpus[tt_rand_below(&w->rng, tt.ncpus_online)], &set);
	} else {
		for (i = 0; i < tt.ncpus_online; i++)
			CPU_SET(tt.online_cpus[i], &set);
	}
	if (sched_setaffinity(0, sizeof(set), &set))
		err = errno;
	tt_count(op_shuffle, err);
}

/* The pause point of the stutter checkpoints and of the end of the run. */
static void tt_gate(void)
{
	if (!__atomic_load_n(&tt.pause_req, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&tt.gate_lock);
	tt.paused++;
	pthread_cond_broadcast(&tt.gate_cond);
	while (__atomic_load_n(&tt.pause_req, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&tt.stop, __ATOMIC_ACQUIRE))
		pthread_cond_wait(&tt.gate_cond, &tt.gate_lock);
	tt.paused--;
	pthread_mutex_unlock(&tt.gate_lock);
}

static void tt_worker_setup(struct tt_worker *w, const char *name)
{
	struct sigevent sev;
	static timer_t timers[TT_MAX_WORKERS + 1];
	struct sigaction sa;

	w->tid = (pid_t)syscall(SYS_gettid);
	pthread_setname_np(pthread_self(), name);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tt_sigusr1;	/* no SA_RESTART: the write sees EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev._sigev_un._tid = w->tid;
	w->sig_timer = &timers[w->index];
	w->sig_timer_ok = !timer_create(CLOCK_MONOTONIC, &sev,
					(timer_t *)w->sig_timer);
}

void *tt_worker_main(void *arg)
{
	struct tt_worker *w = arg;
	char tname[16];
	char *snap = malloc(TT_SNAP_MAX);

	snprintf(tname, sizeof(tname), "ktt-w%d", w->index);
	tt_worker_setup(w, tname);
	while (!__atomic_load_n(&tt.stop, __ATOMIC_ACQUIRE)) {
		struct tt_group *g;
		const char *name;
		struct tt_attr *a;
		unsigned int r;

		tt_gate();
		if (__atomic_load_n(&tt.stop, __ATOMIC_ACQUIRE))
			break;
		g = tt_pick_group(w);
		r = tt_rand_below(&w->rng, 1000);
		/* mkdir picks any name; the rest aim mostly at existing items */
		name = r < 150 ? tt_pick_name(w) : tt_pick_item(w, g);
		if (r < 150) {
			tt_op_mkdir(w, g, name);
		} else if (r < 210) {
			tt_op_rmdir(w, g, name);
		} else if (r < 220) {
			tt_op_mkdir_bad(w);
		} else if (r < 620) {
			a = tt_pick_attr(w, g, true);
			if (a)
				tt_op_write(w, g, name, a, r < 520);
		} else if (r < 770) {
			a = tt_pick_attr(w, g, false);
			if (a)
				tt_op_read(w, g, name, a);
		} else if (r < 790) {
			tt_op_read_all(w, g, name);
		} else if (r < 830) {
			if (snap)
				tt_op_snapshot(w, snap);
		} else if (r < 850) {
			tt_op_root_read(w);
		} else if (r < 860) {
			tt_op_autostart_write(w);
		} else if (r < 930) {
			tt_op_stop_short(w, g, name);
		} else if (r < 945) {
			tt_op_stop_signal(w, g, name);
		} else if (r < 970) {
			tt_op_lifecycle(w);
		} else if (r < 980) {
			tt_op_listdir(w, g);
		} else if (r < 985) {
			tt_op_perm(w, g, name);
		} else if (r < 990) {
			tt_op_stale_fd(w, g, name);
		} else {
			tt_op_shuffle(w);
		}
		w->ops++;
		tt_set_cur(w, "idle");
	}
	free(snap);
	tt_set_cur(w, "finished");
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* The item count from the snapshot's first line, or -1. */
static long long tt_count_items(char *buf)
{
	char path[PATH_MAX];
	long long n;

	snprintf(path, sizeof(path), "%s/snapshot", tt.cfg.root);
	if (!buf || tt_read_file(path, buf, TT_SNAP_MAX) < 0 ||
	    sscanf(buf, "# kthread_lab snapshot v1 items=%lld", &n) != 1)
		return -1;
	return n;
}

/*
 * The max_threads churner. Only it writes max_threads during the run, so
 * every successful write must read back at once, from the attribute and
 * from the module parameter (the ABI: one setting).
 */
void *tt_churner_main(void *arg)
{
	const struct tt_spec *sp = tt_spec_lookup("max_threads");
	struct tt_worker *w = arg;
	char path[PATH_MAX], buf[64], shown[64];
	struct tt_value v;
	int err, n;

	char *snap = malloc(TT_SNAP_MAX);

	tt_worker_setup(w, "ktt-maxthr");
	snprintf(path, sizeof(path), "%s/max_threads", tt.cfg.root);
	while (!__atomic_load_n(&tt.stop, __ATOMIC_ACQUIRE)) {
		unsigned int r = tt_rand_below(&w->rng, 20);

		tt_gate();
		if (__atomic_load_n(&tt.stop, __ATOMIC_ACQUIRE))
			break;
		if (r < 2) {
			tt_invalid_value(&w->rng, sp, &v);
		} else if (r < 3) {
			tt_val_num(&v, 0, false);
		} else if (r < 8) {
			tt_val_num(&v, 4096, tt_rand_below(&w->rng, 2));
		} else if (r < 10) {
			tt_val_num(&v, tt_rand_below(&w->rng, 2 * tt_npool * tt.ngroups + 1),
				   tt_rand_below(&w->rng, 2));
		} else {
			/* around the count: the next mkdir or two hit the limit */
			long long want = tt_count_items(snap);

			want = (want < 0 ? 8 : want) + 5 - tt_rand_below(&w->rng, 7);
			tt_val_num(&v, want < 0 ? 0 : want, false);
		}
		tt_set_cur(w, "write max_threads");
		err = tt_write_file(path, v.buf, v.len);
		tt_count(v.value_err ? op_max_bad : op_max_ok, err);
		tt_printable(shown, sizeof(shown), v.buf, v.len);
		if (err != v.value_err) {
			tt_fail(TT_C_ERRNO, "write \"%s\" to max_threads: %s, want %s",
				shown, err ? tt_errname(err) : "success",
				v.value_err ? tt_errname(v.value_err) : "success");
		} else if (!err) {
			long long want = strtoll(v.buf, NULL, 10);

			tt_set_cur(w, "read max_threads");
			n = tt_read_value(path, buf, sizeof(buf));
			tt_count(op_max_read, n < 0 ? -n : 0);
			if (n < 0 || strtoll(buf, NULL, 10) != want)
				tt_fail(TT_C_MAXTHREADS, "max_threads reads \"%s\" after writing %lld",
					n < 0 ? tt_errname(-n) : buf, want);
			if (tt.param_path[0]) {
				n = tt_read_value(tt.param_path, buf, sizeof(buf));
				if (n < 0 || strtoll(buf, NULL, 10) != want)
					tt_fail(TT_C_MAXTHREADS, "%s reads \"%s\" after writing %lld to max_threads",
						tt.param_path,
						n < 0 ? tt_errname(-n) : buf, want);
			}
		}
		w->ops++;
		tt_set_cur(w, "sleeping");
		tt_sleep_ms(5 + tt_rand_below(&w->rng, 50));
	}
	free(snap);
	tt_set_cur(w, "finished");
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}
