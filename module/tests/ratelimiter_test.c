// SPDX-License-Identifier: GPL-2.0
/*
 * Rate limiter, driven by the frozen protocol clock.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/in.h>
#include <linux/in6.h>
#include "../ratelimiter.h"
#include "../messages.h"

#define MS (NSEC_PER_SEC / 1000)
#define START (1000 * NSEC_PER_SEC)

static struct wg_ratelimiter *rl_new(struct kunit *test, unsigned int max)
{
	struct wg_ratelimiter *rl = kunit_kzalloc(test, sizeof(*rl), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rl);
	wg_test_clock_ns = START;
	KUNIT_ASSERT_EQ(test, wg_ratelimiter_init(rl, max), 0);
	return rl;
}

static void rl_free(struct wg_ratelimiter *rl)
{
	synchronize_rcu();
	wg_ratelimiter_uninit(rl);
	rcu_barrier();
	wg_test_clock_ns = 0;
}

static bool allow4(struct wg_ratelimiter *rl, u32 addr)
{
	struct in_addr a = { .s_addr = cpu_to_be32(addr) };

	return wg_ratelimiter_allow(rl, AF_INET, &a);
}

static int burst(struct wg_ratelimiter *rl, u32 addr, int tries)
{
	int i, ok = 0;

	for (i = 0; i < tries; i++)
		ok += allow4(rl, addr);
	return ok;
}

static void rl_burst_then_refill(struct kunit *test)
{
	struct wg_ratelimiter *rl = rl_new(test, 0);

	/* A burst of 5, then nothing. */
	KUNIT_EXPECT_EQ(test, burst(rl, 0x0a000001, 20), WG_RATELIMITER_BURST);
	/* 49 ms later there is still no token; at 50 ms there is one. */
	wg_test_clock_ns += 49 * MS;
	KUNIT_EXPECT_FALSE(test, allow4(rl, 0x0a000001));
	wg_test_clock_ns += 1 * MS;
	KUNIT_EXPECT_TRUE(test, allow4(rl, 0x0a000001));
	KUNIT_EXPECT_FALSE(test, allow4(rl, 0x0a000001));
	/* 20 per second sustained. */
	wg_test_clock_ns += 500 * MS;
	KUNIT_EXPECT_EQ(test, burst(rl, 0x0a000001, 20), WG_RATELIMITER_BURST);
	/* Refill stops at the burst size. */
	wg_test_clock_ns += 10 * NSEC_PER_SEC;
	KUNIT_EXPECT_EQ(test, burst(rl, 0x0a000001, 20), WG_RATELIMITER_BURST);
	/* Another source has its own bucket. */
	KUNIT_EXPECT_EQ(test, burst(rl, 0x0a000002, 20), WG_RATELIMITER_BURST);
	rl_free(rl);
}

static void rl_sustained_rate(struct kunit *test)
{
	struct wg_ratelimiter *rl = rl_new(test, 0);
	int i, ok = 0;

	/* 10 attempts every 10 ms for 10 s: 5 + 20/s * 10 s get through. */
	for (i = 0; i < 1000; i++) {
		ok += burst(rl, 0xc0000201, 10);
		wg_test_clock_ns += 10 * MS;
	}
	KUNIT_EXPECT_GE(test, ok, 200);
	KUNIT_EXPECT_LE(test, ok, 206);
	rl_free(rl);
}

static void rl_ipv6_slash64(struct kunit *test)
{
	struct wg_ratelimiter *rl = rl_new(test, 0);
	struct in6_addr a = { }, b;
	int i, ok = 0;

	a.s6_addr32[0] = cpu_to_be32(0x20010db8);
	a.s6_addr32[1] = cpu_to_be32(0x00000001);
	/* Different interface identifiers in one /64 share a bucket. */
	for (i = 0; i < 20; i++) {
		b = a;
		b.s6_addr32[2] = cpu_to_be32(i * 0x01010101);
		b.s6_addr32[3] = cpu_to_be32(i);
		ok += wg_ratelimiter_allow(rl, AF_INET6, &b);
	}
	KUNIT_EXPECT_EQ(test, ok, WG_RATELIMITER_BURST);
	/* The next /64 does not. */
	b = a;
	b.s6_addr32[1] = cpu_to_be32(0x00000002);
	KUNIT_EXPECT_TRUE(test, wg_ratelimiter_allow(rl, AF_INET6, &b));
	/* Nor does an IPv4 address with the same leading bytes. */
	KUNIT_EXPECT_TRUE(test, wg_ratelimiter_allow(rl, AF_INET, &a));
	KUNIT_EXPECT_FALSE(test, wg_ratelimiter_allow(rl, AF_UNSPEC, &a));
	rl_free(rl);
}

static void rl_gc_idle(struct kunit *test)
{
	struct wg_ratelimiter *rl = rl_new(test, 0);
	int i;

	for (i = 0; i < 1000; i++)
		allow4(rl, 0x0b000000 + i);
	KUNIT_EXPECT_EQ(test, wg_ratelimiter_count(rl), 1000U);
	/* Less than a second idle: kept. */
	wg_test_clock_ns += 900 * MS;
	allow4(rl, 0x0c000000);
	KUNIT_EXPECT_EQ(test, wg_ratelimiter_count(rl), 1001U);
	/* Idle for a second: collected by the next call. */
	wg_test_clock_ns += 1100 * MS;
	allow4(rl, 0x0c000000);
	KUNIT_EXPECT_EQ(test, wg_ratelimiter_count(rl), 1U);
	rl_free(rl);
}

static void rl_flood_bounded(struct kunit *test)
{
	const unsigned int max = 512;
	struct wg_ratelimiter *rl = rl_new(test, max);
	int i, allowed = 0;

	/* 100,000 spoofed sources within one instant. */
	for (i = 0; i < 100000; i++) {
		allowed += allow4(rl, 0x64000000 + i);
		KUNIT_ASSERT_LE(test, wg_ratelimiter_count(rl), max);
	}
	KUNIT_EXPECT_EQ(test, allowed, (int)max);
	KUNIT_EXPECT_EQ(test, wg_ratelimiter_count(rl), max);
	/* Known sources keep their buckets meanwhile. */
	KUNIT_EXPECT_EQ(test, burst(rl, 0x64000000, 10), WG_RATELIMITER_BURST - 1);
	/* After collection there is room again. */
	wg_test_clock_ns += 2 * NSEC_PER_SEC;
	KUNIT_EXPECT_TRUE(test, allow4(rl, 0x65000000));
	KUNIT_EXPECT_EQ(test, wg_ratelimiter_count(rl), 1U);
	rl_free(rl);
}

static struct kunit_case ratelimiter_cases[] = {
	KUNIT_CASE(rl_burst_then_refill),
	KUNIT_CASE(rl_sustained_rate),
	KUNIT_CASE(rl_ipv6_slash64),
	KUNIT_CASE(rl_gc_idle),
	KUNIT_CASE(rl_flood_bounded),
	{}
};

static struct kunit_suite ratelimiter_suite = {
	.name = "kwg_ratelimiter",
	.test_cases = ratelimiter_cases,
};

kunit_test_suite(ratelimiter_suite);
