// SPDX-License-Identifier: GPL-2.0
/*
 * Replay window: fixed cases, then a randomized comparison with a model
 * that remembers every accepted counter.
 */
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/bitmap.h>
#include "../counter.h"
#include "../messages.h"

static struct wg_counter *new_counter(struct kunit *test)
{
	struct wg_counter *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	wg_counter_init(c);
	return c;
}

static void counter_in_order(struct kunit *test)
{
	struct wg_counter *c = new_counter(test);
	u64 i;

	for (i = 0; i < 3 * WG_COUNTER_BITS_TOTAL; i++)
		KUNIT_ASSERT_TRUE_MSG(test, wg_counter_validate(c, i), "counter %llu", i);
	for (i = 3 * WG_COUNTER_BITS_TOTAL - 10; i < 3 * WG_COUNTER_BITS_TOTAL; i++)
		KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, i));
}

static void counter_duplicate(struct kunit *test)
{
	struct wg_counter *c = new_counter(test);

	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, 0));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, 0));
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, 7));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, 7));
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, 3));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, 3));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, 0));
}

static void counter_reordered(struct kunit *test)
{
	struct wg_counter *c = new_counter(test);
	u64 i;

	/* Even counters first, then the odd ones late. */
	for (i = 0; i < 2000; i += 2)
		KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, i));
	for (i = 1; i < 2000; i += 2)
		KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, i));
	for (i = 0; i < 2000; i++)
		KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, i));
	/* Backwards within the window. */
	for (i = 5000; i >= 2000; i--)
		KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, i));
}

static void counter_edges(struct kunit *test)
{
	struct wg_counter *c = new_counter(test);
	const u64 top = 100000;

	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, top));
	/* The oldest still acceptable, and the first too old. */
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, top - (WG_COUNTER_WINDOW - 1)));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, top - WG_COUNTER_WINDOW));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, top - WG_COUNTER_WINDOW - 1));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, 0));
	/* Just below the top, and the next above. */
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, top - 1));
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, top + 1));
	/* The window moved by one: the old edge is now out. */
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, top + 1 - WG_COUNTER_WINDOW));
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, top + 2 - WG_COUNTER_WINDOW));
}

static void counter_first_counter_zero_and_window_from_start(struct kunit *test)
{
	struct wg_counter *c = new_counter(test);

	/* A late first counter leaves everything below it acceptable. */
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, WG_COUNTER_WINDOW - 1));
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, 0));
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, WG_COUNTER_WINDOW));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, 0));
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, 1));
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, WG_COUNTER_WINDOW + 1));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, 1));
}

static void counter_forward_jump(struct kunit *test)
{
	struct wg_counter *c = new_counter(test);
	const u64 far = 1ULL << 40;
	u64 i;

	for (i = 0; i < 300; i++)
		KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, i));
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, far));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, 299));
	/* Stale bits of the old lap must not block new counters. */
	for (i = far - WG_COUNTER_WINDOW + 1; i < far; i++)
		KUNIT_ASSERT_TRUE_MSG(test, wg_counter_validate(c, i), "counter %llu", i);
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, far));

	/* A jump of exactly one lap lands on the same ring slot. */
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, far + WG_COUNTER_BITS_TOTAL));
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, far + WG_COUNTER_BITS_TOTAL - 1));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, far));
}

static void counter_reject_after_messages(struct kunit *test)
{
	struct wg_counter *c = new_counter(test);

	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, WG_REJECT_AFTER_MESSAGES - 1));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, WG_REJECT_AFTER_MESSAGES));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, U64_MAX));
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(c, WG_REJECT_AFTER_MESSAGES - 2));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, WG_REJECT_AFTER_MESSAGES - 1));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(c, 0));
}

/*
 * Random walk: mostly forward, often back inside (and just outside) the
 * window, sometimes a big jump. The model accepts a counter iff it is not
 * older than the window below the highest accepted and was never accepted.
 */
static void counter_random_vs_model(struct kunit *test)
{
	const u64 range = 1 << 23;
	struct wg_counter *c = new_counter(test);
	unsigned long *seen = kunit_kzalloc(test, BITS_TO_LONGS(range) * sizeof(long),
					    GFP_KERNEL);
	u64 cur = 0, n, highest_plus1 = 0;
	bool expect, got;
	int i, accepted = 0;
	u32 r;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < 200000; i++) {
		r = get_random_u32();
		switch (r % 16) {
		case 0:		/* forward, now and then far */
			n = cur + ((r >> 8) % 16 ? (r >> 12) % 64 : (r >> 12) % 20000);
			break;
		case 1 ... 5:	/* back, around the window's edge */
			n = cur - min_t(u64, cur, WG_COUNTER_WINDOW - 64 + (r >> 8) % 128);
			break;
		case 6 ... 9:	/* back, inside */
			n = cur - min_t(u64, cur, (r >> 8) % WG_COUNTER_WINDOW);
			break;
		default:	/* forward a little */
			n = cur + (r >> 8) % 8;
			break;
		}
		if (n >= range)
			break;
		cur = max(cur, n);
		expect = n + WG_COUNTER_WINDOW >= highest_plus1 && !test_bit(n, seen);
		got = wg_counter_validate(c, n);
		KUNIT_ASSERT_EQ_MSG(test, got, expect, "step %d counter %llu highest %llu",
				    i, n, highest_plus1);
		if (got) {
			__set_bit(n, seen);
			highest_plus1 = max(highest_plus1, n + 1);
			accepted++;
		}
	}
	kunit_info(test, "%d steps, %d accepted", i, accepted);
	KUNIT_EXPECT_GT(test, accepted, 1000);
}

static struct kunit_case counter_cases[] = {
	KUNIT_CASE(counter_in_order),
	KUNIT_CASE(counter_duplicate),
	KUNIT_CASE(counter_reordered),
	KUNIT_CASE(counter_edges),
	KUNIT_CASE(counter_first_counter_zero_and_window_from_start),
	KUNIT_CASE(counter_forward_jump),
	KUNIT_CASE(counter_reject_after_messages),
	KUNIT_CASE(counter_random_vs_model),
	{}
};

static struct kunit_suite counter_suite = {
	.name = "kwg_counter",
	.test_cases = counter_cases,
};

kunit_test_suite(counter_suite);
