// SPDX-License-Identifier: GPL-2.0
/*
 * The periodic behaviour: ticks, period_us and sleep_mode values, live
 * period changes, lateness statistics, and what a stop costs: it waits out
 * an msleep() period but returns at once from an interruptible or hrtimer
 * sleep.
 *
 * Guest timing is emulated and noisy (wake-up jitter ~0.3 ms average, up to
 * ~12 ms), so nothing here compares against an absolute time: latencies are
 * compared with each other and with fractions of a long period.
 */
#include "lab.h"

/* long enough that the guest's wake-up jitter is noise beside it */
#define STOP_COST_PERIOD_US 200000LL
#define STOP_COST_TRIALS 3

static const char *const sleep_modes[] = { "msleep", "interruptible", "hrtimer" };

FIXTURE(periodic) {
	struct lab_item it;
};

FIXTURE_SETUP(periodic)
{
	LAB_REQUIRE_ROOT();
	ASSERT_EQ(0, lab_set_autostart("periodic", "0"));
	ASSERT_EQ(0, lab_create(&self->it, "periodic", "tick"));
}

FIXTURE_TEARDOWN(periodic)
{
	lab_cleanup();
}

static int start_ticking(const struct lab_item *it, const char *period_us,
			 const char *mode)
{
	return lab_set(it, "period_us", period_us) ?:
	       lab_set(it, "sleep_mode", mode) ?:
	       lab_set(it, "start", "1");
}

TEST_F(periodic, ticks_in_every_mode)
{
	struct lab_item it;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sleep_modes); i++) {
		ASSERT_EQ(0, lab_create(&it, "periodic", sleep_modes[i]));
		ASSERT_EQ(0, lab_set(&it, "retval", "4"));
		ASSERT_EQ(0, start_ticking(&it, "10000", sleep_modes[i]));
		LAB_ASSERT_STATE(&it, "running", LAB_DEADLINE_MS);
		EXPECT_EQ(0, lab_wait_ge(&it, "loops", 3, LAB_DEADLINE_MS));
		ASSERT_EQ(0, lab_set(&it, "stop", "1"));
		LAB_EXPECT_ATTR(&it, "state", "stopped");
		LAB_EXPECT_ATTR(&it, "stop_result", "4");
		EXPECT_EQ(0, lab_remove(&it));
	}
}

TEST_F(periodic, shorter_period_ticks_faster)
{
	struct lab_item slow;
	long long fast_loops, slow_loops;

	ASSERT_EQ(0, lab_create(&slow, "periodic", "slow"));
	ASSERT_EQ(0, start_ticking(&self->it, "10000", "hrtimer"));
	ASSERT_EQ(0, start_ticking(&slow, "100000", "hrtimer"));
	ASSERT_EQ(0, lab_wait_ge(&slow, "loops", 4, LAB_DEADLINE_MS));
	fast_loops = lab_ll(&self->it, "loops");
	slow_loops = lab_ll(&slow, "loops");
	/* ten times the rate in theory; three leaves room for jitter */
	EXPECT_LE(3 * (slow_loops - 1), fast_loops);
}

/*
 * hrtimer ticks on a fixed grid; interruptible sleeps a jiffy more than
 * asked from each late wake-up, so it falls behind. With a 2 ms period the
 * extra jiffy alone (1 ms at HZ=1000, 4 ms at HZ=250) costs a third.
 */
TEST_F(periodic, hrtimer_keeps_to_its_grid)
{
	struct lab_item relative;
	long long grid_loops, relative_loops;

	ASSERT_EQ(0, lab_create(&relative, "periodic", "relative"));
	ASSERT_EQ(0, lab_set(&relative, "period_us", "2000"));
	ASSERT_EQ(0, lab_set(&relative, "sleep_mode", "interruptible"));
	ASSERT_EQ(0, lab_set(&self->it, "period_us", "2000"));
	ASSERT_EQ(0, lab_set(&self->it, "sleep_mode", "hrtimer"));
	ASSERT_EQ(0, lab_set(&relative, "start", "1"));
	ASSERT_EQ(0, lab_set(&self->it, "start", "1"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "loops", 300, LAB_DEADLINE_MS));
	grid_loops = lab_ll(&self->it, "loops");
	relative_loops = lab_ll(&relative, "loops");
	TH_LOG("ticks: hrtimer %lld, interruptible %lld", grid_loops,
	       relative_loops);
	EXPECT_LT(relative_loops * 4, grid_loops * 3);
}

TEST_F(periodic, lateness_statistics)
{
	long long min, avg, max, p99;
	char buf[LAB_VAL_MAX];

	LAB_EXPECT_ATTR(&self->it, "lateness_ns", "none");
	ASSERT_EQ(0, start_ticking(&self->it, "10000", "hrtimer"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "loops", 5, LAB_DEADLINE_MS));
	ASSERT_LE(0, lab_get(&self->it, "lateness_ns", buf, sizeof(buf)));
	ASSERT_EQ(4, sscanf(buf, "%lld %lld %lld %lld", &min, &avg, &max, &p99));
	EXPECT_LE(0, min);
	EXPECT_LE(min, avg);
	EXPECT_LE(avg, max);
	EXPECT_LE(min, p99);
	EXPECT_LE(p99, max);
	ASSERT_LT(0, lab_get(&self->it, "lateness_hist", buf, sizeof(buf)));
}

/* 20 lines "<bound us> <count>", zero-padded to six digits at least. */
TEST_F(periodic, lateness_histogram_counts_every_tick)
{
	static const long long bounds[] = { 0, 1, 2, 5, 10, 20, 50, 100, 200,
		500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000,
		500000, 1000000 };
	char buf[LAB_VAL_MAX], *line, *save, bound[32], count[32];
	long long total = 0;
	size_t n = 0;

	ASSERT_EQ(0, start_ticking(&self->it, "10000", "interruptible"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "loops", 5, LAB_DEADLINE_MS));
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	ASSERT_LT(0, lab_get(&self->it, "lateness_hist", buf, sizeof(buf)));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++) {
		ASSERT_GT(ARRAY_SIZE(bounds), n) TH_LOG("extra line '%s'", line);
		ASSERT_EQ(2, sscanf(line, "%31[0-9] %31[0-9]", bound, count))
			TH_LOG("line '%s'", line);
		EXPECT_LE(6U, strlen(bound));
		EXPECT_LE(6U, strlen(count));
		EXPECT_EQ(bounds[n], atoll(bound));
		total += atoll(count);
	}
	EXPECT_EQ(ARRAY_SIZE(bounds), n);
	/* stopped: no more ticks; every tick is in one bucket */
	EXPECT_EQ(lab_ll(&self->it, "loops"), total);
}

/* In the interruptible and hrtimer modes a new period ends the sleep. */
TEST_F(periodic, period_change_ends_a_long_sleep)
{
	static const char *const modes[] = { "interruptible", "hrtimer" };
	struct lab_item it;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		ASSERT_EQ(0, lab_create(&it, "periodic", modes[i]));
		ASSERT_EQ(0, start_ticking(&it, "3600000000", modes[i]));
		LAB_ASSERT_STATE(&it, "running", LAB_DEADLINE_MS);
		ASSERT_EQ(0, lab_wait_ge(&it, "ran", 1, LAB_DEADLINE_MS));
		LAB_EXPECT_ATTR(&it, "loops", "0");
		ASSERT_EQ(0, lab_set(&it, "period_us", "10000"));
		EXPECT_EQ(0, lab_wait_ge(&it, "loops", 3, LAB_DEADLINE_MS))
			TH_LOG("%s kept sleeping", modes[i]);
		ASSERT_EQ(0, lab_set(&it, "stop", "1"));
		EXPECT_EQ(0, lab_remove(&it));
	}
}

TEST_F(periodic, period_change_is_live)
{
	long long settled;

	ASSERT_EQ(0, start_ticking(&self->it, "20000", "interruptible"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "loops", 3, LAB_DEADLINE_MS));
	ASSERT_EQ(0, lab_set(&self->it, "period_us", "3600000000"));
	LAB_EXPECT_ATTR(&self->it, "period_us", "3600000000");
	/* the sleep under way when the period changed ends by itself */
	lab_sleep_ms(200);
	settled = lab_ll(&self->it, "loops");
	lab_sleep_ms(300);	/* fifteen old periods */
	EXPECT_EQ(settled, lab_ll(&self->it, "loops"));
	/* an interruptible sleep of an hour still ends at once on stop */
	ASSERT_EQ(0, lab_set(&self->it, "stop", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "stopped");
	LAB_EXPECT_ATTR(&self->it, "stop_result", "0");
}

/* A park request ends an msleep() early, whatever the period. */
TEST_F(periodic, park_ends_a_long_msleep)
{
	ASSERT_EQ(0, start_ticking(&self->it, "3600000000", "msleep"));
	ASSERT_EQ(0, lab_wait_ge(&self->it, "ran", 1, LAB_DEADLINE_MS));
	LAB_ASSERT_STATE(&self->it, "running", LAB_DEADLINE_MS);
	ASSERT_EQ(0, lab_set(&self->it, "park", "1"));
	LAB_EXPECT_ATTR(&self->it, "state", "parked");
	LAB_EXPECT_ATTR(&self->it, "loops", "0");
	ASSERT_EQ(0, lab_set(&self->it, "park", "0"));
	LAB_ASSERT_STATE(&self->it, "running", LAB_DEADLINE_MS);
}

TEST_F(periodic, own_attributes_take_their_documented_values)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sleep_modes); i++) {
		LAB_EXPECT_WRITE(&self->it, "sleep_mode", sleep_modes[i], 0);
		LAB_EXPECT_ATTR(&self->it, "sleep_mode", sleep_modes[i]);
	}
	LAB_EXPECT_WRITE(&self->it, "sleep_mode", "msleep\n", 0);
	LAB_EXPECT_ATTR(&self->it, "sleep_mode", "msleep");
	LAB_EXPECT_WRITE(&self->it, "sleep_mode", "bogus", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "sleep_mode", "msleepx", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "sleep_mode", "\n", -EINVAL);
	LAB_EXPECT_ATTR(&self->it, "sleep_mode", "msleep");

	LAB_EXPECT_WRITE(&self->it, "period_us", "100", 0);
	LAB_EXPECT_ATTR(&self->it, "period_us", "100");
	LAB_EXPECT_WRITE(&self->it, "period_us", "3600000000", 0);
	LAB_EXPECT_ATTR(&self->it, "period_us", "3600000000");
	LAB_EXPECT_WRITE(&self->it, "period_us", "1000000\n", 0);
	LAB_EXPECT_ATTR(&self->it, "period_us", "1000000");
	LAB_EXPECT_WRITE(&self->it, "period_us", "x", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "period_us", "100x", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "period_us", "\n", -EINVAL);
	LAB_EXPECT_WRITE(&self->it, "period_us", "99", -ERANGE);
	LAB_EXPECT_WRITE(&self->it, "period_us", "0", -ERANGE);
	LAB_EXPECT_WRITE(&self->it, "period_us", "-1", -ERANGE);
	LAB_EXPECT_WRITE(&self->it, "period_us", "3600000001", -ERANGE);
	LAB_EXPECT_ATTR(&self->it, "period_us", "1000000");
	LAB_EXPECT_ATTR(&self->it, "state", "created");
}

/*
 * Stops a fresh thread of @mode just after one of its ticks, when a
 * msleep() has a whole period left and an interruptible sleep as much.
 */
static long long stop_latency_after_tick(struct __test_metadata *_metadata,
					 const char *mode)
{
	char period[32];
	struct lab_item it;
	long long loops, latency;

	snprintf(period, sizeof(period), "%lld", STOP_COST_PERIOD_US);
	if (lab_create(&it, "periodic", mode) ||
	    start_ticking(&it, period, mode) ||
	    lab_wait_ge(&it, "loops", 1, LAB_DEADLINE_MS))
		return LLONG_MIN;
	loops = lab_ll(&it, "loops");
	if (lab_wait_ge(&it, "loops", loops + 1, LAB_DEADLINE_MS) ||
	    lab_set(&it, "stop", "1"))
		return LLONG_MIN;
	latency = lab_ll(&it, "stop_latency_ns");
	LAB_EXPECT_ATTR(&it, "stop_result", "0");
	lab_remove(&it);
	TH_LOG("%s: stop_latency_ns %lld", mode, latency);
	return latency;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* What a stop costs in each of the three sleep modes, side by side. */
TEST_F_TIMEOUT(periodic, msleep_delays_stop_others_do_not, 120)
{
	long long lat[ARRAY_SIZE(sleep_modes)][STOP_COST_TRIALS];
	long long median[ARRAY_SIZE(sleep_modes)];
	const long long period_ns = STOP_COST_PERIOD_US * 1000;
	size_t m, t;

	for (t = 0; t < STOP_COST_TRIALS; t++) {
		for (m = 0; m < ARRAY_SIZE(sleep_modes); m++) {
			lat[m][t] = stop_latency_after_tick(_metadata,
							    sleep_modes[m]);
			ASSERT_LE(0, lat[m][t]);
		}
	}
	for (m = 0; m < ARRAY_SIZE(sleep_modes); m++) {
		qsort(lat[m], STOP_COST_TRIALS, sizeof(lat[m][0]), cmp_ll);
		median[m] = lat[m][STOP_COST_TRIALS / 2];
	}
	/* msleep sleeps again after the stop's wake-up: most of a period */
	EXPECT_LE(period_ns / 2, median[0]);
	/* interruptible and hrtimer sleeps end on the wake-up */
	EXPECT_GT(period_ns / 4, median[1]);
	EXPECT_GT(period_ns / 4, median[2]);
	EXPECT_LT(2 * median[1], median[0]);
	EXPECT_LT(2 * median[2], median[0]);
}

/*
 * A deadline that passes between the loop's check and the sleep must give
 * a sleep of zero, not ~2^64 ns: the interruptible mode then slept ~48 days
 * (the timer wheel's cap) and stopped ticking until the next wake-up, the
 * msleep mode slept MAX_JIFFY_OFFSET in TASK_IDLE, which no stop wakes.
 * Rare per tick (a preemption at the wrong moment), so: many threads at
 * the shortest periods, a storm of live period changes (each wakes the
 * thread at a random point of its sleep), then every thread must still
 * tick and stop promptly.
 */
#define STORM_THREADS 6		/* per sleep mode */
#define STORM_WRITES 300	/* period_us writes per thread */
/* ticks each thread must still make afterwards, ~0.2 s of them at least */
#define STORM_AFTER 50

TEST_F_TIMEOUT(periodic, period_storm_keeps_ticking_and_stops_prompt, 300)
{
	static const char *const modes[] = { "interruptible", "msleep", "hrtimer" };
	static const char *const periods[] = { "100", "130", "170", "220" };
	struct lab_item it[ARRAY_SIZE(modes) * STORM_THREADS];
	long long loops[ARRAY_SIZE(it)];
	size_t i, w, stuck = 0, slow = 0;
	char buf[64];

	for (i = 0; i < ARRAY_SIZE(it); i++) {
		ASSERT_EQ(0, lab_create(&it[i], "periodic", "storm"));
		ASSERT_EQ(0, lab_set(&it[i], "stop_timeout_ms", "5000"));
		ASSERT_EQ(0, start_ticking(&it[i], "100",
					   modes[i % ARRAY_SIZE(modes)]));
	}
	for (w = 0; w < STORM_WRITES; w++)
		for (i = 0; i < ARRAY_SIZE(it); i++)
			ASSERT_EQ(0, lab_set(&it[i], "period_us",
					     periods[(w + i) % ARRAY_SIZE(periods)]));
	/* every thread still ticks, without kicks to rescue it */
	for (i = 0; i < ARRAY_SIZE(it); i++)
		loops[i] = lab_ll(&it[i], "loops");
	for (i = 0; i < ARRAY_SIZE(it); i++) {
		if (lab_wait_ge(&it[i], "loops", loops[i] + STORM_AFTER,
				LAB_DEADLINE_MS)) {
			TH_LOG("%s thread %zu stopped ticking at %lld loops",
			       modes[i % ARRAY_SIZE(modes)], i, loops[i]);
			stuck++;
		}
	}
	/* and stops within its timeout (a period and a jiffy in msleep mode) */
	for (i = 0; i < ARRAY_SIZE(it); i++) {
		int ret = lab_set(&it[i], "stop", "1");

		if (ret) {
			TH_LOG("%s thread %zu: stop gave %d, state %s",
			       modes[i % ARRAY_SIZE(modes)], i, ret,
			       lab_state(&it[i], buf, sizeof(buf)));
			slow++;
		}
	}
	EXPECT_EQ(0UL, stuck);
	EXPECT_EQ(0UL, slow);
}

/*
 * A live period change applies at once in every mode: the write wakes the
 * thread, and a thread about to sleep with the old period sees the new one
 * (it re-checks after setting its sleep state), so none is left sleeping
 * for an old long period, which in msleep mode a stop could not end.
 * Alternating an hour with the shortest period, ending on the short one.
 */
#define FLIP_WRITES 200

TEST_F_TIMEOUT(periodic, no_thread_keeps_sleeping_an_old_long_period, 300)
{
	struct lab_item it[ARRAY_SIZE(sleep_modes) * 2];
	long long loops;
	size_t i, w;

	for (i = 0; i < ARRAY_SIZE(it); i++) {
		ASSERT_EQ(0, lab_create(&it[i], "periodic", "flip"));
		ASSERT_EQ(0, lab_set(&it[i], "stop_timeout_ms", "5000"));
		ASSERT_EQ(0, start_ticking(&it[i], "3600000000",
					   sleep_modes[i % ARRAY_SIZE(sleep_modes)]));
		ASSERT_EQ(0, lab_wait_ge(&it[i], "ran", 1, LAB_DEADLINE_MS));
	}
	for (w = 0; w < FLIP_WRITES; w++)
		for (i = 0; i < ARRAY_SIZE(it); i++)
			ASSERT_EQ(0, lab_set(&it[i], "period_us",
					     w % 2 ? "3600000000" : "100"));
	for (i = 0; i < ARRAY_SIZE(it); i++)
		ASSERT_EQ(0, lab_set(&it[i], "period_us", "100"));
	for (i = 0; i < ARRAY_SIZE(it); i++) {
		loops = lab_ll(&it[i], "loops");
		EXPECT_EQ(0, lab_wait_ge(&it[i], "loops", loops + 3,
					 LAB_DEADLINE_MS))
			TH_LOG("%s thread %zu sleeps on",
			       sleep_modes[i % ARRAY_SIZE(sleep_modes)], i);
		EXPECT_EQ(0, lab_set(&it[i], "stop", "1"));
	}
}

TEST_HARNESS_MAIN
