// SPDX-License-Identifier: GPL-2.0
/*
 * mac1, mac2 and cookie replies, with the frozen protocol clock.
 */
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <crypto/curve25519.h>
#include "../cookie.h"
#include "../messages.h"

#define START (5000 * NSEC_PER_SEC)

struct cookie_fixture {
	u8 responder_pub[WG_PUBLIC_KEY_LEN];
	struct wg_cookie_checker checker;	/* at the responder */
	struct wg_cookie_maker maker;		/* at the initiator, for the responder */
	struct wg_msg_initiation msg;
	struct in_addr src;
	__be16 port;
};

static struct cookie_fixture *cookie_fixture(struct kunit *test)
{
	struct cookie_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	u8 priv[WG_PUBLIC_KEY_LEN];

	KUNIT_ASSERT_NOT_NULL(test, f);
	wg_test_clock_ns = START;
	curve25519_generate_secret(priv);
	KUNIT_ASSERT_TRUE(test, curve25519_generate_public(f->responder_pub, priv));
	wg_cookie_checker_init(&f->checker);
	wg_cookie_checker_set_key(&f->checker, f->responder_pub);
	wg_cookie_maker_init(&f->maker, f->responder_pub);
	get_random_bytes(&f->msg, sizeof(f->msg));
	f->msg.header.type = cpu_to_le32(WG_MSG_INITIATION);
	f->src.s_addr = cpu_to_be32(0xc0000207);
	f->port = cpu_to_be16(51820);
	wg_cookie_add_macs(&f->maker, &f->msg, sizeof(f->msg));
	return f;
}

static void cookie_fixture_done(struct cookie_fixture *f)
{
	wg_cookie_checker_clear(&f->checker);
	wg_cookie_maker_clear(&f->maker);
	wg_test_clock_ns = 0;
}

static enum wg_cookie_mac_state validate(struct cookie_fixture *f, bool load)
{
	return wg_cookie_validate(&f->checker, &f->msg, sizeof(f->msg), AF_INET,
				  &f->src, f->port, load);
}

/* The responder answers with a cookie reply; the initiator takes it. */
static void cookie_exchange(struct kunit *test, struct cookie_fixture *f)
{
	struct wg_msg_cookie reply;

	KUNIT_ASSERT_EQ(test, wg_cookie_create_reply(&f->checker, &reply, &f->msg,
						     sizeof(f->msg), AF_INET, &f->src,
						     f->port), 0);
	KUNIT_EXPECT_EQ(test, wg_msg_classify(&reply, sizeof(reply)), WG_MSG_COOKIE);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(reply.receiver_index),
			le32_to_cpu(f->msg.sender_index));
	KUNIT_ASSERT_EQ(test, wg_cookie_consume_reply(&f->maker, &reply), 0);
}

static void cookie_mac1(struct kunit *test)
{
	struct cookie_fixture *f = cookie_fixture(test);
	size_t i;

	KUNIT_EXPECT_EQ(test, validate(f, false), WG_COOKIE_MAC1_OK);
	/* No cookie yet: mac2 is zero. */
	KUNIT_EXPECT_FALSE(test, memchr_inv(f->msg.macs.mac2, 0, WG_MAC_LEN));

	/*
	 * A bad mac1 is refused before any other work: even under load no
	 * cookie secret is made for it.
	 */
	f->msg.macs.mac1[3] ^= 1;
	KUNIT_EXPECT_EQ(test, validate(f, true), WG_COOKIE_MAC_INVALID);
	KUNIT_EXPECT_FALSE(test, f->checker.has_secret);
	f->msg.macs.mac1[3] ^= 1;
	KUNIT_EXPECT_EQ(test, validate(f, true), WG_COOKIE_MAC1_OK);
	KUNIT_EXPECT_TRUE(test, f->checker.has_secret);

	/* Any bit flipped before or in mac1 breaks mac1. */
	for (i = 0; i < offsetof(struct wg_msg_initiation, macs.mac2); i++) {
		((u8 *)&f->msg)[i] ^= 1 << (i % 8);
		KUNIT_EXPECT_EQ_MSG(test, validate(f, false), WG_COOKIE_MAC_INVALID,
				    "byte %zu", i);
		((u8 *)&f->msg)[i] ^= 1 << (i % 8);
	}
	KUNIT_EXPECT_EQ(test, validate(f, false), WG_COOKIE_MAC1_OK);

	/* mac1 is keyed by the receiver's public key. */
	f->responder_pub[0] ^= 1;
	wg_cookie_checker_set_key(&f->checker, f->responder_pub);
	KUNIT_EXPECT_EQ(test, validate(f, false), WG_COOKIE_MAC_INVALID);
	wg_cookie_checker_set_key(&f->checker, NULL);
	KUNIT_EXPECT_EQ(test, validate(f, false), WG_COOKIE_MAC_INVALID);

	/* Wrong lengths are not handshake messages. */
	KUNIT_EXPECT_EQ(test, wg_cookie_validate(&f->checker, &f->msg, 100, AF_INET,
						 &f->src, f->port, false),
			WG_COOKIE_MAC_INVALID);
	cookie_fixture_done(f);
}

static void cookie_round_trip(struct kunit *test)
{
	struct cookie_fixture *f = cookie_fixture(test);
	struct in_addr other = { .s_addr = cpu_to_be32(0xc0000208) };
	size_t i;

	cookie_exchange(test, f);
	wg_cookie_add_macs(&f->maker, &f->msg, sizeof(f->msg));
	KUNIT_EXPECT_TRUE(test, memchr_inv(f->msg.macs.mac2, 0, WG_MAC_LEN));
	KUNIT_EXPECT_EQ(test, validate(f, true), WG_COOKIE_MAC1_MAC2_OK);

	/* The cookie is bound to the source address and port. */
	KUNIT_EXPECT_EQ(test, wg_cookie_validate(&f->checker, &f->msg, sizeof(f->msg),
						 AF_INET, &other, f->port, true),
			WG_COOKIE_MAC1_OK);
	KUNIT_EXPECT_EQ(test, wg_cookie_validate(&f->checker, &f->msg, sizeof(f->msg),
						 AF_INET, &f->src,
						 cpu_to_be16(51821), true),
			WG_COOKIE_MAC1_OK);

	/* Any bit of mac2 flipped: mac1 still fine, mac2 not. */
	for (i = 0; i < WG_MAC_LEN; i++) {
		f->msg.macs.mac2[i] ^= 0x10;
		KUNIT_EXPECT_EQ(test, validate(f, true), WG_COOKIE_MAC1_OK);
		f->msg.macs.mac2[i] ^= 0x10;
	}
	KUNIT_EXPECT_EQ(test, validate(f, true), WG_COOKIE_MAC1_MAC2_OK);
	cookie_fixture_done(f);
}

static void cookie_reply_checks(struct kunit *test)
{
	struct cookie_fixture *f = cookie_fixture(test);
	struct wg_msg_cookie reply, bad;
	size_t i;

	KUNIT_ASSERT_EQ(test, wg_cookie_create_reply(&f->checker, &reply, &f->msg,
						     sizeof(f->msg), AF_INET, &f->src,
						     f->port), 0);
	/* Tampering with the nonce or the sealed cookie is detected. */
	for (i = offsetof(struct wg_msg_cookie, nonce); i < sizeof(reply); i++) {
		bad = reply;
		((u8 *)&bad)[i] ^= 0x04;
		KUNIT_EXPECT_EQ_MSG(test, wg_cookie_consume_reply(&f->maker, &bad),
				    -EBADMSG, "byte %zu", i);
	}
	/* Accepted once; a replay finds no message waiting for a reply. */
	KUNIT_EXPECT_EQ(test, wg_cookie_consume_reply(&f->maker, &reply), 0);
	KUNIT_EXPECT_EQ(test, wg_cookie_consume_reply(&f->maker, &reply), -EINVAL);

	/* A reply to an older message (another mac1) does not open. */
	wg_cookie_add_macs(&f->maker, &f->msg, sizeof(f->msg));
	f->msg.sender_index ^= cpu_to_le32(1);
	wg_cookie_add_macs(&f->maker, &f->msg, sizeof(f->msg));
	KUNIT_EXPECT_EQ(test, wg_cookie_consume_reply(&f->maker, &reply), -EBADMSG);

	/* A fresh maker has sent nothing. */
	wg_cookie_maker_init(&f->maker, f->responder_pub);
	KUNIT_EXPECT_EQ(test, wg_cookie_consume_reply(&f->maker, &reply), -EINVAL);
	cookie_fixture_done(f);
}

/* mac2 is valid only with the current secret (rotated every 120 s). */
static void cookie_secret_rotation(struct kunit *test)
{
	struct cookie_fixture *f = cookie_fixture(test);

	cookie_exchange(test, f);
	wg_cookie_add_macs(&f->maker, &f->msg, sizeof(f->msg));
	KUNIT_EXPECT_EQ(test, validate(f, true), WG_COOKIE_MAC1_MAC2_OK);
	wg_test_clock_ns += 119 * NSEC_PER_SEC;
	KUNIT_EXPECT_EQ(test, validate(f, true), WG_COOKIE_MAC1_MAC2_OK);
	wg_test_clock_ns += 2 * NSEC_PER_SEC;
	/* The secret changed: the old cookie no longer makes a valid mac2. */
	KUNIT_EXPECT_EQ(test, validate(f, true), WG_COOKIE_MAC1_OK);
	/* A new reply carries the new cookie. */
	cookie_exchange(test, f);
	wg_cookie_add_macs(&f->maker, &f->msg, sizeof(f->msg));
	KUNIT_EXPECT_EQ(test, validate(f, true), WG_COOKIE_MAC1_MAC2_OK);
	cookie_fixture_done(f);
}

/* The initiator stops using a cookie after 120 - 5 s. */
static void cookie_expiry(struct kunit *test)
{
	struct cookie_fixture *f = cookie_fixture(test);

	cookie_exchange(test, f);
	wg_test_clock_ns += 114 * NSEC_PER_SEC;
	wg_cookie_add_macs(&f->maker, &f->msg, sizeof(f->msg));
	KUNIT_EXPECT_TRUE(test, memchr_inv(f->msg.macs.mac2, 0, WG_MAC_LEN));
	wg_test_clock_ns += 1 * NSEC_PER_SEC;
	wg_cookie_add_macs(&f->maker, &f->msg, sizeof(f->msg));
	KUNIT_EXPECT_FALSE(test, memchr_inv(f->msg.macs.mac2, 0, WG_MAC_LEN));
	cookie_fixture_done(f);
}

static void cookie_ipv6_source(struct kunit *test)
{
	struct cookie_fixture *f = cookie_fixture(test);
	struct in6_addr a6 = { }, b6;
	struct wg_msg_cookie reply;

	a6.s6_addr32[0] = cpu_to_be32(0x20010db8);
	a6.s6_addr32[3] = cpu_to_be32(7);
	b6 = a6;
	b6.s6_addr32[3] = cpu_to_be32(8);
	KUNIT_ASSERT_EQ(test, wg_cookie_create_reply(&f->checker, &reply, &f->msg,
						     sizeof(f->msg), AF_INET6, &a6,
						     f->port), 0);
	KUNIT_ASSERT_EQ(test, wg_cookie_consume_reply(&f->maker, &reply), 0);
	wg_cookie_add_macs(&f->maker, &f->msg, sizeof(f->msg));
	KUNIT_EXPECT_EQ(test, wg_cookie_validate(&f->checker, &f->msg, sizeof(f->msg),
						 AF_INET6, &a6, f->port, true),
			WG_COOKIE_MAC1_MAC2_OK);
	/* The whole address counts for cookies (not just the /64). */
	KUNIT_EXPECT_EQ(test, wg_cookie_validate(&f->checker, &f->msg, sizeof(f->msg),
						 AF_INET6, &b6, f->port, true),
			WG_COOKIE_MAC1_OK);
	cookie_fixture_done(f);
}

static struct kunit_case cookie_cases[] = {
	KUNIT_CASE(cookie_mac1),
	KUNIT_CASE(cookie_round_trip),
	KUNIT_CASE(cookie_reply_checks),
	KUNIT_CASE(cookie_secret_rotation),
	KUNIT_CASE(cookie_expiry),
	KUNIT_CASE(cookie_ipv6_source),
	{}
};

static struct kunit_suite cookie_suite = {
	.name = "kwg_cookie",
	.test_cases = cookie_cases,
};

kunit_test_suite(cookie_suite);
