// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile names and users: mkdir with the longest name configfs allows and
 * one byte more, dots, every non-ASCII byte and real UTF-8, ASCII control
 * bytes and space (the only bytes refused), names that collide within a
 * group and across groups, two mkdirs or rmdirs of one name at once; then a
 * user other than root, who can create, remove, start, stop and write
 * nothing, and reads what the ABI file says everyone reads.
 *
 * An accepted name must be usable all the way: listed by readdir as written,
 * its thread named "ktl_<tag>_<name>" (cut to 63 bytes in /proc/PID/comm),
 * one snapshot line "<behaviour>/<name> behaviour=<behaviour> ...", and
 * rmdir removes all of it. A refused one leaves nothing behind.
 */
#include <grp.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "lab.h"

#define HN_SNAP_MAX (1 << 20)
#define HN_MAX_FILES 160
#define HN_FILE_MAX 1200
#define HN_TIMEOUT 900
#define HN_NOBODY 65534

/* ---- counters shared by the harness's test children ---- */

struct hn_totals {
	long tried, refused, accepted, wrong;
};

static struct hn_totals *hn_totals;
static pid_t hn_main_pid;

/* Names made without the harness prefix, swept at exit in any case. */
static const char *const hn_bare_names[] = { "...", "....", "a.b",
	".hidden", "state", "pid", "snapshot", "version", "busy", "wait",
	"periodic", "oneshot", "features", "caf\xc3\xa9", "voil\xc3\xa0" };

static void hn_exit(void)
{
	char path[PATH_MAX];
	size_t i, g;

	if (getpid() != hn_main_pid)
		return;
	for (g = 0; g < LAB_NGROUPS; g++)
		for (i = 0; i < ARRAY_SIZE(hn_bare_names); i++) {
			snprintf(path, sizeof(path), "%s/%s/%s", lab_root(),
				 lab_groups[g], hn_bare_names[i]);
			rmdir(path);
		}
	if (hn_totals)
		printf("# hostile: %ld inputs tried (%ld refused, %ld accepted, %ld not as documented)\n",
		       hn_totals->tried, hn_totals->refused,
		       hn_totals->accepted, hn_totals->wrong);
	fflush(stdout);
}

static void __attribute__((constructor)) hn_init(void)
{
	void *p = mmap(NULL, sizeof(*hn_totals), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	hn_main_pid = getpid();
	hn_totals = p == MAP_FAILED ? NULL : p;
	atexit(hn_exit);
}

static void hn_count(bool refused, bool wrong)
{
	if (!hn_totals)
		return;
	__atomic_add_fetch(&hn_totals->tried, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(refused ? &hn_totals->refused :
				     &hn_totals->accepted, 1, __ATOMIC_RELAXED);
	if (wrong)
		__atomic_add_fetch(&hn_totals->wrong, 1, __ATOMIC_RELAXED);
}

static void hn_escape(const char *s, char *out, size_t size)
{
	size_t o = 0, len = strlen(s);

	for (size_t i = 0; i < len && o + 8 < size; i++) {
		unsigned char c = s[i];

		if (len > 48 && i == 24) {
			o += snprintf(out + o, size - o, "...(%zu bytes)...",
				      len);
			i = len - 8;
			c = s[i];
		}
		if (c > 0x20 && c < 0x7f && c != '\\')
			out[o++] = c;
		else
			o += snprintf(out + o, size - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

/* ---- one name ---- */

static char *hn_snap;

/* How many snapshot lines start with "<group>/<name> behaviour=<group> ". */
static int hn_snapshot_lines(const char *group, const char *name)
{
	char key[PATH_MAX];
	const char *p;
	int n = 0;

	if (lab_snapshot(hn_snap, HN_SNAP_MAX) < 0)
		return -1;
	snprintf(key, sizeof(key), "\n%s/%s behaviour=%s ", group, name, group);
	for (p = hn_snap; (p = strstr(p, key)); p++)
		n++;
	return n;
}

/* Whether readdir of the group lists @name, byte for byte. */
static bool hn_listed(const char *group, const char *name)
{
	char dir[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", lab_root(), group);
	d = opendir(dir);
	if (!d)
		return false;
	while ((de = readdir(d)))
		if (!strcmp(de->d_name, name))
			found = true;
	closedir(d);
	return found;
}

/* The task-name letter of @group's behaviour, from a plainly named item. */
static char hn_tag(const char *group)
{
	static char groups[32][16], tags[32];
	struct lab_item it;
	char path[64], comm[80];
	int i;

	for (i = 0; i < 32 && groups[i][0]; i++)
		if (!strcmp(groups[i], group))
			return tags[i];
	if (i == 32 || strlen(group) >= sizeof(groups[i]) ||
	    lab_create(&it, group, "tag"))
		return '\0';
	snprintf(path, sizeof(path), "/proc/%lld/comm", lab_ll(&it, "pid"));
	if (lab_read_path(path, comm, sizeof(comm)) > 6 &&
	    !strncmp(comm, "ktl_", 4) && comm[5] == '_') {
		memcpy(groups[i], group, strlen(group) + 1);
		tags[i] = comm[4];
	}
	lab_remove(&it);
	return tags[i];
}

/*
 * mkdir @group/@name, expecting @want (0 or -errno). Accepted: listed, a
 * thread named after it, one snapshot line, then rmdir removes it all.
 * Refused: nothing appears. Returns false (and logs) when not so.
 */
static bool hn_try(struct __test_metadata *_metadata, const char *group,
		   const char *name, int want)
{
	char path[PATH_MAX], esc[160], comm[80], full[PATH_MAX], pidpath[64];
	long long items = lab_snapshot_items(), pid;
	struct lab_item it;
	bool ok = true;
	int got;

	hn_escape(name, esc, sizeof(esc));
	if (snprintf(path, sizeof(path), "%s/%s/%s", lab_root(), group, name) >=
	    (int)sizeof(path)) {
		TH_LOG("%s/%s: path too long for the test", group, esc);
		return false;
	}
	got = mkdir(path, 0755) ? -errno : 0;
	if (!got)
		lab_track(path);
	if (got != want) {
		TH_LOG("mkdir %s/'%s': got %d (%s), want %d (%s)", group, esc,
		       got, strerror(-got), want, strerror(-want));
		ok = false;
	}
	if (got) {
		/* nothing left behind (an existing "." or ".." is the VFS's) */
		if (want != -EEXIST && (hn_listed(group, name) ||
					lab_snapshot_items() != items)) {
			TH_LOG("refused mkdir %s/'%s' left something behind",
			       group, esc);
			ok = false;
		}
		hn_count(true, !ok);
		return ok;
	}
	if (!hn_listed(group, name)) {
		TH_LOG("%s/'%s' is not listed by readdir", group, esc);
		ok = false;
	}
	if (hn_snapshot_lines(group, name) != 1) {
		TH_LOG("%s/'%s': %d snapshot lines", group, esc,
		       hn_snapshot_lines(group, name));
		ok = false;
	}
	snprintf(it.dir, sizeof(it.dir), "%s", path);
	pid = lab_ll(&it, "pid");
	snprintf(pidpath, sizeof(pidpath), "/proc/%lld/comm", pid);
	snprintf(full, sizeof(full), "ktl_%c_%s", hn_tag(group), name);
	full[63] = '\0';	/* kthreads show 63 bytes of their full name */
	if (pid <= 0 || lab_read_path(pidpath, comm, sizeof(comm)) < 0 ||
	    strcmp(comm, full)) {
		hn_escape(comm, full, sizeof(full));
		TH_LOG("%s/'%s': pid %lld comm '%s'", group, esc, pid, full);
		ok = false;
	}
	if (rmdir(path)) {
		TH_LOG("rmdir %s/'%s': %s", group, esc, strerror(errno));
		ok = false;
	} else {
		lab_untrack(path);
	}
	if (hn_listed(group, name) || hn_snapshot_lines(group, name) != 0 ||
	    (pid > 0 && lab_wait_pid_gone(pid, LAB_DEADLINE_MS))) {
		TH_LOG("%s/'%s' left something behind after rmdir", group, esc);
		ok = false;
	}
	hn_count(false, !ok);
	return ok;
}

/* "kst<harness>-<label>-" then @rest, in @out. */
static const char *hn_name(char *out, size_t size, const char *label,
			   const char *rest)
{
	snprintf(out, size, "kst%d-%s-%s", (int)lab_harness_pid, label, rest);
	return out;
}

FIXTURE(names) {
	char groups[32][64];
	int ngroups;
};

FIXTURE_SETUP(names)
{
	struct dirent *de;
	DIR *d;
	size_t i;

	LAB_REQUIRE_ROOT();
	hn_snap = malloc(HN_SNAP_MAX);
	ASSERT_NE(NULL, hn_snap);
	self->ngroups = 0;
	d = opendir(lab_root());
	ASSERT_NE(NULL, d);
	while ((de = readdir(d)) && self->ngroups < 32) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= 64)
			continue;
		if (lab_is_behaviour_group(de->d_name)) {
			memcpy(self->groups[self->ngroups], de->d_name,
			       strlen(de->d_name) + 1);
			self->ngroups++;
		}
	}
	closedir(d);
	ASSERT_LT(0, self->ngroups);
	/* created threads are enough, and cheaper */
	for (i = 0; i < (size_t)self->ngroups; i++)
		lab_set_autostart(self->groups[i], "0");
}

FIXTURE_TEARDOWN(names)
{
	lab_cleanup();
	free(hn_snap);
	hn_snap = NULL;
}

/* NAME_MAX (255) bytes: ASCII, and two-byte UTF-8 characters. */
TEST_F_TIMEOUT(names, longest_name_is_accepted_in_every_group, HN_TIMEOUT)
{
	char name[256];
	size_t len;
	int g;

	for (g = 0; g < self->ngroups; g++) {
		hn_name(name, sizeof(name), "long", "");
		len = strlen(name);
		memset(name + len, 'n', 255 - len);
		name[255] = '\0';
		EXPECT_TRUE(hn_try(_metadata, self->groups[g], name, 0));
		hn_name(name, sizeof(name), "long", "");
		for (len = strlen(name); len + 2 <= 255; len += 2)
			memcpy(name + len, "\xc3\xa9", 2);
		if (len < 255)
			name[len++] = 'e';
		name[len] = '\0';
		EXPECT_TRUE(hn_try(_metadata, self->groups[g], name, 0));
	}
}

TEST_F_TIMEOUT(names, one_byte_past_the_longest_is_enametoolong, HN_TIMEOUT)
{
	static const size_t lens[] = { 256, 257, 300, 4000 };
	char name[4096];
	size_t i, len;
	int g;

	for (g = 0; g < self->ngroups; g++) {
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			hn_name(name, sizeof(name), "toolong", "");
			len = strlen(name);
			memset(name + len, 'n', lens[i] - len);
			name[lens[i]] = '\0';
			EXPECT_TRUE(hn_try(_metadata, self->groups[g], name,
					   -ENAMETOOLONG));
			/* two-byte characters: the limit counts bytes */
			for (len = strlen(hn_name(name, sizeof(name), "toolong",
						  "")); len + 2 <= lens[i];
			     len += 2)
				memcpy(name + len, "\xc3\xa0", 2);
			if (len < lens[i])
				name[len++] = 'n';
			name[len] = '\0';
			EXPECT_TRUE(hn_try(_metadata, self->groups[g], name,
					   -ENAMETOOLONG));
		}
	}
}

/* "." and ".." are the directory and its parent; other dots are names. */
TEST_F_TIMEOUT(names, dots_are_names_except_dot_and_dot_dot, HN_TIMEOUT)
{
	static const char *const bare[] = { "...", "....", "a.b", ".hidden" };
	static const char *const tails[] = { "a.b", "...", ".", "x.", "..x",
		"x..y" };
	char name[256];
	size_t i;
	int g;

	for (g = 0; g < self->ngroups; g++) {
		EXPECT_TRUE(hn_try(_metadata, self->groups[g], ".", -EEXIST));
		EXPECT_TRUE(hn_try(_metadata, self->groups[g], "..", -EEXIST));
		for (i = 0; i < ARRAY_SIZE(bare); i++)
			EXPECT_TRUE(hn_try(_metadata, self->groups[g], bare[i],
					   0));
		for (i = 0; i < ARRAY_SIZE(tails); i++)
			EXPECT_TRUE(hn_try(_metadata, self->groups[g],
					   hn_name(name, sizeof(name), "dot",
						   tails[i]), 0));
	}
}

/*
 * Names are bytes: every non-ASCII byte is accepted, whatever it encodes
 * (defect 6: the kernel's ctype calls 0xa0 a space, so "voilà" was EINVAL).
 */
TEST_F_TIMEOUT(names, utf8_names_are_accepted, HN_TIMEOUT)
{
	static const char *const tails[] = {
		"caf\xc3\xa9",			/* café */
		"voil\xc3\xa0",			/* voilà: c3 a0 */
		"na\xc3\xafve",			/* naïve */
		"\xc4\xa0",			/* Ġ: c4 a0 */
		"\xe2\x80\xa0",			/* dagger: e2 80 a0 */
		"a\xc2\xa0" "b",		/* no-break space */
		"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",	/* 日本語 */
		"\xf0\x9f\x98\x80",		/* an emoji */
		"\xe2\x80\x8b",			/* zero-width space */
		"\xe2\x80\xa8",			/* line separator */
		"\xe3\x80\x80",			/* ideographic space */
		"\xe2\x80\xae" "abc",		/* right-to-left override */
		"\xef\xbb\xbf",			/* byte order mark */
		"\xc3",				/* cut short */
		"\xff\xfe",			/* not UTF-8 at all */
		"\xc0\xaf",			/* overlong "/" */
		"\xed\xa0\x80",			/* a surrogate */
	};
	char name[256];
	int g, bad = 0;
	size_t i;

	for (g = 0; g < self->ngroups; g++)
		for (i = 0; i < ARRAY_SIZE(tails); i++)
			bad += !hn_try(_metadata, self->groups[g],
				       hn_name(name, sizeof(name), "utf8",
					       tails[i]), 0);
	/* a UTF-8 name ending in e-acute and one ending in a-grave, bare */
	bad += !hn_try(_metadata, self->groups[0], "caf\xc3\xa9", 0);
	bad += !hn_try(_metadata, self->groups[0], "voil\xc3\xa0", 0);
	EXPECT_EQ(0, bad);
}

TEST_F_TIMEOUT(names, every_byte_from_0x80_to_0xff_is_accepted, HN_TIMEOUT)
{
	char name[64], tail[16];
	int b, bad = 0;

	for (b = 0x80; b <= 0xff; b++) {
		snprintf(tail, sizeof(tail), "%02x-%c-%c", b, b, b);
		if (!hn_try(_metadata, self->groups[b % self->ngroups],
			    hn_name(name, sizeof(name), "byte", tail), 0))
			bad++;
	}
	EXPECT_EQ(0, bad);
}

/* Bytes 0x01-0x1f, space and 0x7f anywhere in a name: EINVAL. */
TEST_F_TIMEOUT(names, ascii_control_bytes_and_space_are_einval, HN_TIMEOUT)
{
	char name[64], mid[16];
	int b, bad = 0, g;

	for (b = 0x01; b <= 0x7f; b++) {
		if (b > 0x20 && b < 0x7f)
			continue;
		g = b % self->ngroups;
		snprintf(mid, sizeof(mid), "%02x-%c-x", b, b);
		if (!hn_try(_metadata, self->groups[g],
			    hn_name(name, sizeof(name), "ctl", mid), -EINVAL))
			bad++;
		/* first and last byte */
		snprintf(name, sizeof(name), "%ckst%d-ctl-%02x", b,
			 (int)lab_harness_pid, b);
		if (!hn_try(_metadata, self->groups[g], name, -EINVAL))
			bad++;
		snprintf(name, sizeof(name), "kst%d-ctl-%02x%c",
			 (int)lab_harness_pid, b, b);
		if (!hn_try(_metadata, self->groups[g], name, -EINVAL))
			bad++;
	}
	EXPECT_EQ(0, bad);
}

/* Every other printable ASCII byte ('/' separates paths). */
TEST_F_TIMEOUT(names, printable_ascii_is_accepted, HN_TIMEOUT)
{
	char name[64], tail[16];
	int b, bad = 0;

	for (b = 0x21; b < 0x7f; b++) {
		if (b == '/')
			continue;
		snprintf(tail, sizeof(tail), "%02x-%c%c", b, b, b);
		if (!hn_try(_metadata, self->groups[b % self->ngroups],
			    hn_name(name, sizeof(name), "ascii", tail), 0))
			bad++;
	}
	/* names that look like snapshot syntax stay names */
	if (!hn_try(_metadata, self->groups[0],
		    hn_name(name, sizeof(name), "snap", "state=stopped"), 0))
		bad++;
	if (!hn_try(_metadata, self->groups[0],
		    hn_name(name, sizeof(name), "snap", "#items=0"), 0))
		bad++;
	EXPECT_EQ(0, bad);
}

/* Names of files: the group's own attribute exists; the others are free. */
TEST_F_TIMEOUT(names, attribute_names_are_free_as_item_names, HN_TIMEOUT)
{
	static const char *const free_names[] = { "state", "pid", "snapshot",
		"version", "features" };
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	size_t i;
	int g;
	DIR *d;

	for (g = 0; g < self->ngroups; g++) {
		/* every file of the group directory is taken */
		snprintf(path, sizeof(path), "%s/%s", lab_root(),
			 self->groups[g]);
		d = opendir(path);
		ASSERT_NE(NULL, d);
		while ((de = readdir(d))) {
			snprintf(path, sizeof(path), "%s/%s/%s", lab_root(),
				 self->groups[g], de->d_name);
			if (!lstat(path, &st) && S_ISREG(st.st_mode))
				EXPECT_TRUE(hn_try(_metadata, self->groups[g],
						   de->d_name, -EEXIST));
		}
		closedir(d);
		for (i = 0; i < ARRAY_SIZE(free_names); i++)
			EXPECT_TRUE(hn_try(_metadata, self->groups[g],
					   free_names[i], 0));
		/* a group's name inside itself and inside the others */
		EXPECT_TRUE(hn_try(_metadata, self->groups[g], self->groups[g],
				   0));
	}
}

/*
 * One name in every group: separate items, threads and snapshot lines;
 * removing one leaves the others as they were.
 */
TEST_F_TIMEOUT(names, same_name_in_every_group_coexists, HN_TIMEOUT)
{
	char name[64], path[PATH_MAX], comm[80], pidpath[64], want[96];
	struct lab_item it[32];
	long long pid[32];
	int g, h;

	hn_name(name, sizeof(name), "same", "x");
	for (g = 0; g < self->ngroups; g++) {
		snprintf(it[g].group, sizeof(it[g].group), "%.15s",
			 self->groups[g]);
		snprintf(it[g].name, sizeof(it[g].name), "%s", name);
		snprintf(it[g].dir, sizeof(it[g].dir), "%s/%s/%s", lab_root(),
			 self->groups[g], name);
		ASSERT_EQ(0, mkdir(it[g].dir, 0755));
		lab_track(it[g].dir);
		hn_count(false, false);
		pid[g] = lab_ll(&it[g], "pid");
		ASSERT_LT(0, pid[g]);
	}
	for (g = 0; g < self->ngroups; g++) {
		EXPECT_EQ(1, hn_snapshot_lines(self->groups[g], name));
		LAB_EXPECT_ATTR(&it[g], "behaviour", self->groups[g]);
		snprintf(pidpath, sizeof(pidpath), "/proc/%lld/comm", pid[g]);
		ASSERT_LT(0, lab_read_path(pidpath, comm, sizeof(comm)));
		snprintf(want, sizeof(want), "ktl_%c_%s", hn_tag(self->groups[g]),
			 name);
		EXPECT_STREQ(want, comm);
		for (h = 0; h < g; h++) {
			EXPECT_NE(pid[h], pid[g]);
			snprintf(path, sizeof(path), "/proc/%lld/comm", pid[h]);
			ASSERT_LT(0, lab_read_path(path, want, sizeof(want)));
			EXPECT_STRNE(want, comm);
		}
	}
	/* remove them one by one: the others stay */
	for (g = 0; g < self->ngroups; g++) {
		ASSERT_EQ(0, rmdir(it[g].dir));
		lab_untrack(it[g].dir);
		EXPECT_EQ(0, hn_snapshot_lines(self->groups[g], name));
		for (h = g + 1; h < self->ngroups; h++) {
			EXPECT_EQ(1, hn_snapshot_lines(self->groups[h], name));
			EXPECT_EQ(pid[h], lab_ll(&it[h], "pid"));
			LAB_EXPECT_ATTR(&it[h], "state", "created");
			EXPECT_TRUE(lab_pid_alive(pid[h]));
		}
	}
}

/* The same name twice in one group: EEXIST, the first item untouched. */
TEST_F_TIMEOUT(names, same_name_twice_is_eexist, HN_TIMEOUT)
{
	struct lab_item it;
	long long items, pid;
	char line[PATH_MAX], before[4096], *p;
	int g;

	for (g = 0; g < self->ngroups; g++) {
		ASSERT_EQ(0, lab_create(&it, self->groups[g], "twice"));
		ASSERT_EQ(0, lab_set(&it, "retval", "3"));
		pid = lab_ll(&it, "pid");
		items = lab_snapshot_items();
		lab_snapshot_key(&it, line, sizeof(line));
		ASSERT_LT(0, lab_snapshot(hn_snap, HN_SNAP_MAX));
		p = strstr(hn_snap, line);
		ASSERT_NE(NULL, p);
		snprintf(before, sizeof(before), "%.*s",
			 (int)strcspn(p + 1, "\n"), p + 1);
		EXPECT_EQ(-1, mkdir(it.dir, 0755));
		EXPECT_EQ(EEXIST, errno);
		hn_count(true, errno != EEXIST);
		EXPECT_EQ(items, lab_snapshot_items());
		EXPECT_EQ(pid, lab_ll(&it, "pid"));
		LAB_EXPECT_ATTR(&it, "retval", "3");
		LAB_EXPECT_ATTR(&it, "state", "created");
		ASSERT_LT(0, lab_snapshot(hn_snap, HN_SNAP_MAX));
		p = strstr(hn_snap, line);
		ASSERT_NE(NULL, p);
		EXPECT_EQ(0, strncmp(p + 1, before, strlen(before)));
		EXPECT_EQ(0, lab_remove(&it));
	}
}

struct hn_racer {
	const char *path;
	bool make;
	pthread_barrier_t *go;
	int err;
};

static void *hn_race_fn(void *arg)
{
	struct hn_racer *r = arg;

	pthread_barrier_wait(r->go);
	if (r->make)
		r->err = mkdir(r->path, 0755) ? -errno : 0;
	else
		r->err = rmdir(r->path) ? -errno : 0;
	return NULL;
}

/* Two mkdirs of one name at once: one item; two rmdirs: one removal. */
TEST_F_TIMEOUT(names, two_mkdirs_make_one_item_and_two_rmdirs_remove_it_once, HN_TIMEOUT)
{
	char name[64], path[PATH_MAX], tail[16];
	struct hn_racer r[2];
	pthread_barrier_t go;
	pthread_t th[2];
	int round, i, make, g;

	for (round = 0; round < 24; round++) {
		g = round % self->ngroups;
		snprintf(tail, sizeof(tail), "%d", round);
		hn_name(name, sizeof(name), "race", tail);
		snprintf(path, sizeof(path), "%s/%s/%s", lab_root(),
			 self->groups[g], name);
		for (make = 1; make >= 0; make--) {
			pthread_barrier_init(&go, NULL, 2);
			for (i = 0; i < 2; i++) {
				r[i].path = path;
				r[i].make = make;
				r[i].go = &go;
				ASSERT_EQ(0, pthread_create(&th[i], NULL,
							    hn_race_fn, &r[i]));
			}
			for (i = 0; i < 2; i++)
				pthread_join(th[i], NULL);
			pthread_barrier_destroy(&go);
			if (make)
				lab_track(path);
			else
				lab_untrack(path);
			/* one succeeds, the other EEXIST or ENOENT */
			EXPECT_EQ(0, r[0].err < 0 ? r[1].err : r[0].err);
			EXPECT_EQ(make ? -EEXIST : -ENOENT,
				  r[0].err < 0 ? r[0].err : r[1].err);
			EXPECT_EQ(make ? 1 : 0,
				  hn_snapshot_lines(self->groups[g], name));
			hn_count(false, false);
			hn_count(true, false);
		}
	}
}

/* ---- another user ---- */

struct hn_file {
	char path[PATH_MAX];
	mode_t mode;
	bool dir;
	int depth;		/* 0 in the root, 1 in a group, 2 in an item */
	int len;
	char *text;
};

struct hn_tree {
	int n;
	struct hn_file f[HN_MAX_FILES];
};

static void hn_add_tree(struct hn_tree *t, const char *dir, int depth)
{
	static char buf[HN_SNAP_MAX];
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)) && t->n < HN_MAX_FILES) {
		struct hn_file *f = &t->f[t->n];

		if (de->d_name[0] == '.' && (!de->d_name[1] ||
		     (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || lstat(path, &st))
			continue;
		memcpy(f->path, path, strlen(path) + 1);
		f->mode = st.st_mode & 07777;
		f->dir = S_ISDIR(st.st_mode);
		f->depth = depth;
		f->len = -1;
		if (!f->dir && (f->mode & 0444))
			f->len = lab_read_raw(path, buf, sizeof(buf));
		f->text = malloc(f->len > 0 ? f->len : 1);
		if (f->text && f->len > 0)
			memcpy(f->text, buf, f->len);
		t->n++;
		if (f->dir && depth < 2)
			hn_add_tree(t, path, depth + 1);
	}
	closedir(d);
}

static void hn_free_tree(struct hn_tree *t)
{
	int i;

	for (i = 0; i < t->n; i++)
		free(t->f[i].text);
	free(t);
}

/* Root, groups and items: each file's mode and what root reads in it. */
static struct hn_tree *hn_tree(void)
{
	struct hn_tree *t = calloc(1, sizeof(*t));

	if (t)
		hn_add_tree(t, lab_root(), 0);
	return t;
}

/* Drops to uid/gid 65534 with no supplementary group: 0 or -errno. */
static int hn_become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(HN_NOBODY) || setuid(HN_NOBODY))
		return -errno;
	/* no way back: the capabilities went with uid 0 */
	if (!setuid(0) || geteuid() != HN_NOBODY)
		return -EPERM;
	return 0;
}

static bool hn_denied(int err)
{
	return err == -EACCES || err == -EPERM;
}

/* In the child: one refused operation; returns 1 when it was not refused. */
static int hn_refused(const char *what, const char *path, int err)
{
	char esc[160];

	hn_count(true, !hn_denied(err));
	if (hn_denied(err))
		return 0;
	hn_escape(path, esc, sizeof(esc));
	fprintf(stderr, "# uid %d: %s %s: %s, want EACCES or EPERM\n",
		(int)getuid(), what, esc, err ? strerror(-err) : "succeeded");
	return 1;
}

static int hn_ret(int r)
{
	return r < 0 ? -errno : 0;
}

static int hn_open_close(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The child's part: every change refused. Exits with the failures. */
static int hn_nobody_changes(const struct hn_tree *t)
{
	char path[PATH_MAX];
	int i, bad = 0, err = hn_become_nobody();

	if (err) {
		fprintf(stderr, "# cannot become uid %d: %s\n", HN_NOBODY,
			strerror(-err));
		return 1;
	}
	for (i = 0; i < t->n; i++) {
		const struct hn_file *f = &t->f[i];

		if (f->dir) {
			snprintf(path, sizeof(path), "%s/kst%d-user", f->path,
				 (int)lab_harness_pid);
			bad += hn_refused("mkdir", path,
					  hn_ret(mkdir(path, 0755)));
			if (f->depth == 1) {
				/* an item: rmdir, rename */
				bad += hn_refused("rmdir", f->path,
						  hn_ret(rmdir(f->path)));
				snprintf(path, sizeof(path), "%s-renamed",
					 f->path);
				bad += hn_refused("rename", f->path,
						  hn_ret(rename(f->path, path)));
			}
			snprintf(path, sizeof(path), "%s/new-file", f->path);
			bad += hn_refused("creat", path,
					  hn_open_close(path, O_WRONLY | O_CREAT));
			bad += hn_refused("symlink", path,
					  hn_ret(symlink("/", path)));
			continue;
		}
		bad += hn_refused("chmod", f->path,
				  hn_ret(chmod(f->path, 0666)));
		bad += hn_refused("chown", f->path,
				  hn_ret(chown(f->path, HN_NOBODY, HN_NOBODY)));
		bad += hn_refused("unlink", f->path, hn_ret(unlink(f->path)));
		/* start, stop, park, release, settings: never opened to write */
		bad += hn_refused("open for writing", f->path,
				  hn_open_close(f->path, O_WRONLY));
		bad += hn_refused("open read-write", f->path,
				  hn_open_close(f->path, O_RDWR));
		bad += hn_refused("open to truncate", f->path,
				  hn_open_close(f->path, O_WRONLY | O_TRUNC));
		bad += hn_refused("truncate", f->path,
				  hn_ret(truncate(f->path, 0)));
	}
	return bad > 255 ? 255 : bad;
}

/* The child's part: what the modes say everyone reads, reads the same. */
static int hn_nobody_reads(const struct hn_tree *t)
{
	char *buf = malloc(HN_SNAP_MAX), esc[160];
	int i, bad = 0, len, err = hn_become_nobody();
	DIR *d;

	if (err || !buf) {
		fprintf(stderr, "# cannot become uid %d: %s\n", HN_NOBODY,
			strerror(-err));
		free(buf);
		return 1;
	}
	for (i = 0; i < t->n; i++) {
		const struct hn_file *f = &t->f[i];
		bool readable = f->mode & 0004;
		bool same;

		hn_escape(f->path, esc, sizeof(esc));
		if (f->dir) {
			d = opendir(f->path);
			if (!d) {
				fprintf(stderr, "# %s: cannot list: %s\n", esc,
					strerror(errno));
				bad++;
			} else {
				closedir(d);
			}
			hn_count(false, !d);
			continue;
		}
		len = lab_read_raw(f->path, buf, HN_SNAP_MAX);
		same = len == f->len && (len <= 0 || !memcmp(buf, f->text, len));
		if (readable && !same) {
			fprintf(stderr, "# %s (mode %o): read %d (%s), root read %d\n",
				esc, f->mode, len, len < 0 ? strerror(-len) : "",
				f->len);
			bad++;
		} else if (!readable && len != -EACCES) {
			fprintf(stderr, "# %s (mode %o): read gave %d, want EACCES\n",
				esc, f->mode, len);
			bad++;
		}
		hn_count(!readable, readable ? !same : len != -EACCES);
	}
	free(buf);
	return bad > 255 ? 255 : bad;
}

FIXTURE(user) {
	struct lab_item items[32];
	int nitems;
};

/* One created item per group, with the tree read by root afterwards. */
FIXTURE_SETUP(user)
{
	char groups[32][64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	LAB_REQUIRE_ROOT();
	d = opendir(lab_root());
	ASSERT_NE(NULL, d);
	while ((de = readdir(d)) && n < 32) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= 16)
			continue;
		if (lab_is_behaviour_group(de->d_name))
			memcpy(groups[n++], de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
	ASSERT_LT(0, n);
	for (self->nitems = 0; self->nitems < n; self->nitems++) {
		struct lab_item it;

		ASSERT_EQ(0, lab_set_autostart(groups[self->nitems], "0"));
		ASSERT_EQ(0, lab_create(&it, groups[self->nitems], "user"));
		self->items[self->nitems] = it;
	}
}

FIXTURE_TEARDOWN(user)
{
	lab_cleanup();
}

static int hn_in_child(int (*fn)(const struct hn_tree *), struct hn_tree *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(fn(t));
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 256;
}

static void hn_same_tree(struct __test_metadata *_metadata,
			 const struct hn_tree *a, const struct hn_tree *b)
{
	int i;

	ASSERT_EQ(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		EXPECT_STREQ(a->f[i].path, b->f[i].path);
		EXPECT_EQ(a->f[i].mode, b->f[i].mode) TH_LOG("%s", a->f[i].path);
		if (a->f[i].len != b->f[i].len ||
		    memcmp(a->f[i].text, b->f[i].text,
			   a->f[i].len > 0 ? a->f[i].len : 0)) {
			EXPECT_EQ(a->f[i].len, b->f[i].len)
				TH_LOG("%s changed", a->f[i].path);
			EXPECT_EQ(0, memcmp(a->f[i].text, b->f[i].text,
					    a->f[i].len > 0 ? a->f[i].len : 0));
		}
	}
}

/*
 * uid 65534 (no groups, no capabilities): mkdir, rmdir, rename, creat,
 * chmod, chown, unlink, and opening any writable attribute (start, stop,
 * park, release, every setting) for writing all fail with EACCES or EPERM,
 * and nothing changes.
 */
TEST_F_TIMEOUT(user, non_root_can_change_nothing, HN_TIMEOUT)
{
	struct hn_tree *before = hn_tree(), *after;
	int i;

	ASSERT_NE(NULL, before);
	for (i = 0; i < self->nitems; i++)
		LAB_EXPECT_ATTR(&self->items[i], "state", "created");
	EXPECT_EQ(0, hn_in_child(hn_nobody_changes, before));
	after = hn_tree();
	ASSERT_NE(NULL, after);
	hn_same_tree(_metadata, before, after);
	for (i = 0; i < self->nitems; i++)
		LAB_EXPECT_ATTR(&self->items[i], "state", "created");
	hn_free_tree(before);
	hn_free_tree(after);
}

/*
 * uid 65534 lists every directory, reads every 0444 and 0644 file exactly
 * as root does (snapshot included), and gets EACCES from 0200 ones.
 */
TEST_F_TIMEOUT(user, non_root_reads_what_the_modes_allow, HN_TIMEOUT)
{
	struct hn_tree *t = hn_tree();
	int i, files = 0;

	ASSERT_NE(NULL, t);
	for (i = 0; i < t->n; i++) {
		if (t->f[i].dir) {
			EXPECT_EQ((mode_t)0755, t->f[i].mode)
				TH_LOG("%s", t->f[i].path);
			continue;
		}
		files++;
		EXPECT_TRUE(t->f[i].mode == 0444 || t->f[i].mode == 0644 ||
			    t->f[i].mode == 0200)
			TH_LOG("%s: mode %o", t->f[i].path, t->f[i].mode);
	}
	EXPECT_LT(self->nitems * 10, files);
	EXPECT_EQ(0, hn_in_child(hn_nobody_reads, t));
	hn_free_tree(t);
}

TEST_HARNESS_MAIN
