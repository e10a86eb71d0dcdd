// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit glue shared by the core's test files, and the tests of messages.h.
 */
#include <kunit/test.h>
#include "../messages.h"

/* The frozen protocol clock of the KUnit build (see messages.h). */
u64 wg_test_clock_ns;

static void msg_classify_sizes(struct kunit *test)
{
	u8 buf[256] = { };
	static const struct {
		u8 type;
		size_t len;
		enum wg_msg_type expect;
	} cases[] = {
		{ 1, 148, WG_MSG_INITIATION },
		{ 1, 147, WG_MSG_INVALID },
		{ 1, 149, WG_MSG_INVALID },
		{ 2, 92, WG_MSG_RESPONSE },
		{ 2, 148, WG_MSG_INVALID },
		{ 3, 64, WG_MSG_COOKIE },
		{ 3, 63, WG_MSG_INVALID },
		{ 4, 32, WG_MSG_DATA },
		{ 4, 31, WG_MSG_INVALID },
		{ 4, 200, WG_MSG_DATA },
		{ 5, 148, WG_MSG_INVALID },
		{ 0, 148, WG_MSG_INVALID },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		buf[0] = cases[i].type;
		KUNIT_EXPECT_EQ_MSG(test, wg_msg_classify(buf, cases[i].len),
				    cases[i].expect, "type %u len %zu",
				    cases[i].type, cases[i].len);
	}
	KUNIT_EXPECT_EQ(test, wg_msg_classify(buf, 3), WG_MSG_INVALID);
}

static void msg_classify_reserved(struct kunit *test)
{
	u8 buf[148] = { 1 };

	KUNIT_EXPECT_EQ(test, wg_msg_classify(buf, sizeof(buf)), WG_MSG_INITIATION);
	buf[1] = 1;
	KUNIT_EXPECT_EQ(test, wg_msg_classify(buf, sizeof(buf)), WG_MSG_INVALID);
	buf[1] = 0;
	buf[3] = 0x80;
	KUNIT_EXPECT_EQ(test, wg_msg_classify(buf, sizeof(buf)), WG_MSG_INVALID);
}

static void msg_padding(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, wg_msg_padded_len(0, 1420), 0U);
	KUNIT_EXPECT_EQ(test, wg_msg_padded_len(1, 1420), 16U);
	KUNIT_EXPECT_EQ(test, wg_msg_padded_len(16, 1420), 16U);
	KUNIT_EXPECT_EQ(test, wg_msg_padded_len(17, 1420), 32U);
	/* Padding stops at the MTU, and never cuts a packet. */
	KUNIT_EXPECT_EQ(test, wg_msg_padded_len(1415, 1420), 1420U);
	KUNIT_EXPECT_EQ(test, wg_msg_padded_len(1420, 1420), 1420U);
	KUNIT_EXPECT_EQ(test, wg_msg_padded_len(1430, 1420), 1430U);
}

static void clock_freeze(struct kunit *test)
{
	u64 saved = wg_test_clock_ns;

	wg_test_clock_ns = 1000 * NSEC_PER_SEC;
	KUNIT_EXPECT_EQ(test, wg_clock_ns(), 1000 * NSEC_PER_SEC);
	KUNIT_EXPECT_FALSE(test, wg_clock_expired(999 * NSEC_PER_SEC, 2));
	KUNIT_EXPECT_TRUE(test, wg_clock_expired(998 * NSEC_PER_SEC, 2));
	KUNIT_EXPECT_TRUE(test, wg_clock_expired(997 * NSEC_PER_SEC, 2));
	wg_test_clock_ns = saved;
}

static struct kunit_case messages_cases[] = {
	KUNIT_CASE(msg_classify_sizes),
	KUNIT_CASE(msg_classify_reserved),
	KUNIT_CASE(msg_padding),
	KUNIT_CASE(clock_freeze),
	{}
};

static struct kunit_suite messages_suite = {
	.name = "kwg_messages",
	.test_cases = messages_cases,
};

kunit_test_suite(messages_suite);
