// SPDX-License-Identifier: GPL-2.0
/*
 * The rate limit of protocol events, on a clock the tests hand it.
 */
#include <kunit/test.h>
#include <linux/random.h>
#include "../event_limit.h"

#define MS (NSEC_PER_SEC / 1000)
#define START (1000 * NSEC_PER_SEC)

static void limit_burst_then_refuse(struct kunit *test)
{
	struct wg_event_limit lim = { };
	u32 suppressed = 123;
	int i;

	for (i = 0; i < WG_EVENT_LIMIT_BURST; i++) {
		KUNIT_EXPECT_TRUE(test, wg_event_limit_allow(&lim, START, &suppressed));
		KUNIT_EXPECT_EQ(test, suppressed, 0U);
	}
	suppressed = 123;
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_FALSE(test, wg_event_limit_allow(&lim, START, &suppressed));
	/* A refusal leaves the caller's count alone. */
	KUNIT_EXPECT_EQ(test, suppressed, 123U);
	KUNIT_EXPECT_EQ(test, lim.suppressed, 3U);
}

static void limit_reports_suppressed_once(struct kunit *test)
{
	struct wg_event_limit lim = { };
	u32 suppressed;
	int i;

	for (i = 0; i < WG_EVENT_LIMIT_BURST; i++)
		wg_event_limit_allow(&lim, START, &suppressed);
	for (i = 0; i < 7; i++)
		KUNIT_EXPECT_FALSE(test, wg_event_limit_allow(&lim, START + 500 * MS,
							      &suppressed));
	/* Just short of a period after the first, still refused. */
	KUNIT_EXPECT_FALSE(test, wg_event_limit_allow(&lim, START + NSEC_PER_SEC - 1,
						      &suppressed));
	KUNIT_EXPECT_TRUE(test, wg_event_limit_allow(&lim, START + NSEC_PER_SEC,
						     &suppressed));
	KUNIT_EXPECT_EQ(test, suppressed, 8U);
	/* The next one sent reports only what was refused after that. */
	KUNIT_EXPECT_TRUE(test, wg_event_limit_allow(&lim, START + 3 * NSEC_PER_SEC,
						     &suppressed));
	KUNIT_EXPECT_EQ(test, suppressed, 0U);
}

/* Sent at 0, 200, ..., 800 ms: each later one waits for its own slot. */
static void limit_slides(struct kunit *test)
{
	struct wg_event_limit lim = { };
	u32 suppressed;
	int i;

	for (i = 0; i < WG_EVENT_LIMIT_BURST; i++)
		KUNIT_EXPECT_TRUE(test, wg_event_limit_allow(&lim, START + i * 200 * MS,
							     &suppressed));
	KUNIT_EXPECT_FALSE(test, wg_event_limit_allow(&lim, START + 900 * MS, &suppressed));
	KUNIT_EXPECT_TRUE(test, wg_event_limit_allow(&lim, START + 1000 * MS, &suppressed));
	KUNIT_EXPECT_EQ(test, suppressed, 1U);
	KUNIT_EXPECT_FALSE(test, wg_event_limit_allow(&lim, START + 1100 * MS, &suppressed));
	KUNIT_EXPECT_TRUE(test, wg_event_limit_allow(&lim, START + 1200 * MS, &suppressed));
	KUNIT_EXPECT_EQ(test, suppressed, 1U);
	/* After a long quiet time, a whole burst again. */
	for (i = 0; i < WG_EVENT_LIMIT_BURST; i++)
		KUNIT_EXPECT_TRUE(test, wg_event_limit_allow(&lim, START + 60 * NSEC_PER_SEC,
							     &suppressed));
	KUNIT_EXPECT_FALSE(test, wg_event_limit_allow(&lim, START + 60 * NSEC_PER_SEC,
						      &suppressed));
}

/*
 * Random arrivals: no period, wherever it starts, holds more than a burst
 * of events sent, and every arrival is either sent or counted.
 */
static void limit_never_exceeds(struct kunit *test)
{
	enum { ARRIVALS = 2000 };
	struct wg_event_limit lim = { };
	u64 *sent, now = START;
	unsigned int n_sent = 0, i, j;
	u64 reported = 0;
	u32 suppressed;

	sent = kunit_kcalloc(test, ARRIVALS, sizeof(*sent), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sent);
	for (i = 0; i < ARRIVALS; i++) {
		now += get_random_u32_below(200 * MS);
		if (wg_event_limit_allow(&lim, now, &suppressed)) {
			sent[n_sent++] = now;
			reported += suppressed;
		}
	}
	KUNIT_EXPECT_EQ(test, n_sent + reported + lim.suppressed, (u64)ARRIVALS);
	KUNIT_EXPECT_GT(test, reported + lim.suppressed, 0ULL);
	for (i = 0; i + WG_EVENT_LIMIT_BURST < n_sent; i++) {
		j = i + WG_EVENT_LIMIT_BURST;
		KUNIT_EXPECT_GE_MSG(test, sent[j] - sent[i], WG_EVENT_LIMIT_PERIOD_NS,
				    "events %u and %u in one period", i, j);
	}
}

static void limit_count_saturates(struct kunit *test)
{
	struct wg_event_limit lim = { };
	u32 suppressed;
	int i;

	for (i = 0; i < WG_EVENT_LIMIT_BURST; i++)
		wg_event_limit_allow(&lim, START, &suppressed);
	lim.suppressed = U32_MAX - 1;
	KUNIT_EXPECT_FALSE(test, wg_event_limit_allow(&lim, START, &suppressed));
	KUNIT_EXPECT_FALSE(test, wg_event_limit_allow(&lim, START, &suppressed));
	KUNIT_EXPECT_EQ(test, lim.suppressed, U32_MAX);
	wg_event_limit_unsend(&lim, 5);
	KUNIT_EXPECT_EQ(test, lim.suppressed, U32_MAX);
}

/* An event allowed but not sent is reported by the next, with its own. */
static void limit_unsend(struct kunit *test)
{
	struct wg_event_limit lim = { };
	u32 suppressed;
	int i;

	for (i = 0; i < WG_EVENT_LIMIT_BURST; i++)
		wg_event_limit_allow(&lim, START, &suppressed);
	KUNIT_EXPECT_FALSE(test, wg_event_limit_allow(&lim, START, &suppressed));
	KUNIT_EXPECT_TRUE(test, wg_event_limit_allow(&lim, START + NSEC_PER_SEC,
						     &suppressed));
	KUNIT_EXPECT_EQ(test, suppressed, 1U);
	/* Not sent after all: it and the one it reported count again. */
	wg_event_limit_unsend(&lim, suppressed);
	KUNIT_EXPECT_EQ(test, lim.suppressed, 2U);

	/* Its place stays taken: it and four more fill this period. */
	KUNIT_EXPECT_TRUE(test, wg_event_limit_allow(&lim, START + NSEC_PER_SEC,
						     &suppressed));
	KUNIT_EXPECT_EQ(test, suppressed, 2U);
	for (i = 0; i < WG_EVENT_LIMIT_BURST - 2; i++)
		KUNIT_EXPECT_TRUE(test, wg_event_limit_allow(&lim, START + NSEC_PER_SEC,
							     &suppressed));
	KUNIT_EXPECT_FALSE(test, wg_event_limit_allow(&lim, START + NSEC_PER_SEC + 1,
						      &suppressed));
	KUNIT_EXPECT_TRUE(test, wg_event_limit_allow(&lim, START + 2 * NSEC_PER_SEC,
						     &suppressed));
	KUNIT_EXPECT_EQ(test, suppressed, 1U);
}

static struct kunit_case event_limit_cases[] = {
	KUNIT_CASE(limit_burst_then_refuse),
	KUNIT_CASE(limit_reports_suppressed_once),
	KUNIT_CASE(limit_slides),
	KUNIT_CASE(limit_never_exceeds),
	KUNIT_CASE(limit_count_saturates),
	KUNIT_CASE(limit_unsend),
	{}
};

static struct kunit_suite event_limit_suite = {
	.name = "kwg_event_limit",
	.test_cases = event_limit_cases,
};

kunit_test_suite(event_limit_suite);
