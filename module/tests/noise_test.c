// SPDX-License-Identifier: GPL-2.0
/*
 * The Noise handshake between two in-memory devices, with the frozen
 * protocol clock: round trips, tampering, replay and flood, low-order
 * keys, keypair slots and ages, and a known-answer transcript computed in
 * userspace (tests/kunit/noise_vectors.py). A second suite checks the
 * handshake state machine: crossing initiations, where a late response must
 * not make a second session, and a table of state x input -> outcome.
 */
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/in.h>
#include <crypto/curve25519.h>
#include <crypto/chacha20poly1305.h>
#include "../noise.h"
#include "../cookie.h"
#include "../messages.h"
#include "noise_vectors.h"

#define START (1700000000ULL * NSEC_PER_SEC)
#define MS (NSEC_PER_SEC / 1000)

/* One side: a device with a single peer (the other side). */
struct side {
	struct wg_noise_device nd;
	struct wg_noise_handshake hs;
	struct wg_noise_keypairs kps;
	struct wg_cookie_checker checker;
	struct wg_cookie_maker maker;
	struct kref ref;
	u8 priv[WG_PUBLIC_KEY_LEN];
	u8 pub[WG_PUBLIC_KEY_LEN];
};

struct pair {
	struct side a, b;	/* a usually initiates */
	struct in_addr a_addr;
	__be16 a_port;
};

static void side_release(struct kref *ref)
{
	/* The sides are freed by the test; nothing may drop the last ref. */
	WARN(1, "owner reference dropped to zero");
}

static void side_keys(struct side *s, const u8 *priv)
{
	if (priv)
		memcpy(s->priv, priv, WG_PUBLIC_KEY_LEN);
	else
		curve25519_generate_secret(s->priv);
}

static void side_init(struct kunit *test, struct side *s, const u8 *peer_pub,
		      const u8 *psk)
{
	KUNIT_ASSERT_EQ(test, wg_noise_device_init(&s->nd), 0);
	KUNIT_ASSERT_TRUE(test, wg_noise_set_private_key(&s->nd, s->priv));
	KUNIT_ASSERT_TRUE(test, wg_noise_get_identity(&s->nd, s->pub, NULL));
	kref_init(&s->ref);
	wg_noise_handshake_init(&s->hs, &s->nd, peer_pub, psk, &s->ref, side_release);
	KUNIT_ASSERT_EQ(test, wg_noise_handshake_publish(&s->hs), 0);
	wg_noise_keypairs_init(&s->kps);
	wg_cookie_checker_init(&s->checker);
	wg_cookie_checker_set_key(&s->checker, s->pub);
	/* As a peer does: the maker keeps the handshake's copy of the key. */
	wg_cookie_maker_init(&s->maker, s->hs.pubkey_entry.pubkey);
}

static void side_done(struct kunit *test, struct side *s)
{
	wg_noise_keypairs_clear(&s->kps);
	wg_noise_handshake_unpublish(&s->hs);
	/* Keypairs drop their owner reference from an RCU callback. */
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, kref_read(&s->ref), 1U);
	wg_cookie_checker_clear(&s->checker);
	wg_cookie_maker_clear(&s->maker);
	wg_noise_device_uninit(&s->nd);
}

static struct pair *pair_new(struct kunit *test, const u8 *psk_a, const u8 *psk_b)
{
	struct pair *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	u8 pub_a[WG_PUBLIC_KEY_LEN], pub_b[WG_PUBLIC_KEY_LEN];

	KUNIT_ASSERT_NOT_NULL(test, p);
	wg_test_clock_ns = START;
	side_keys(&p->a, NULL);
	side_keys(&p->b, NULL);
	KUNIT_ASSERT_TRUE(test, curve25519_generate_public(pub_a, p->a.priv));
	KUNIT_ASSERT_TRUE(test, curve25519_generate_public(pub_b, p->b.priv));
	side_init(test, &p->a, pub_b, psk_a);
	side_init(test, &p->b, pub_a, psk_b);
	p->a_addr.s_addr = cpu_to_be32(0xc6336401);
	p->a_port = cpu_to_be16(40000);
	return p;
}

static void pair_done(struct kunit *test, struct pair *p)
{
	side_done(test, &p->a);
	side_done(test, &p->b);
	wg_test_clock_ns = 0;
}

/* The receive pipeline for handshake messages, as the glue runs it. */
static int receive_initiation(struct side *to, struct pair *p,
			      const struct wg_msg_initiation *msg, bool load)
{
	struct wg_noise_handshake *hs;
	enum wg_cookie_mac_state st;

	if (wg_msg_classify(msg, sizeof(*msg)) != WG_MSG_INITIATION)
		return -EPROTO;
	st = wg_cookie_validate(&to->checker, msg, sizeof(*msg), AF_INET,
				&p->a_addr, p->a_port, load);
	if (st == WG_COOKIE_MAC_INVALID || (load && st != WG_COOKIE_MAC1_MAC2_OK))
		return -EACCES;
	hs = wg_noise_consume_initiation(&to->nd, msg);
	if (IS_ERR(hs))
		return PTR_ERR(hs);
	wg_noise_handshake_put(hs);
	return hs == &to->hs ? 0 : -EXDEV;
}

static int receive_response(struct side *to, struct pair *p,
			    const struct wg_msg_response *msg, bool load)
{
	struct wg_noise_handshake *hs;
	enum wg_cookie_mac_state st;

	if (wg_msg_classify(msg, sizeof(*msg)) != WG_MSG_RESPONSE)
		return -EPROTO;
	st = wg_cookie_validate(&to->checker, msg, sizeof(*msg), AF_INET,
				&p->a_addr, p->a_port, load);
	if (st == WG_COOKIE_MAC_INVALID || (load && st != WG_COOKIE_MAC1_MAC2_OK))
		return -EACCES;
	hs = wg_noise_consume_response(&to->nd, msg);
	if (IS_ERR(hs))
		return PTR_ERR(hs);
	wg_noise_handshake_put(hs);
	return hs == &to->hs ? 0 : -EXDEV;
}

static void make_initiation(struct kunit *test, struct side *from,
			    struct wg_msg_initiation *msg)
{
	KUNIT_ASSERT_EQ(test, wg_noise_create_initiation(&from->hs, msg), 0);
	wg_cookie_add_macs(&from->maker, msg, sizeof(*msg));
}

static void make_response(struct kunit *test, struct side *from,
			  struct wg_msg_response *msg)
{
	KUNIT_ASSERT_EQ(test, wg_noise_create_response(&from->hs, msg), 0);
	wg_cookie_add_macs(&from->maker, msg, sizeof(*msg));
}

/* @from initiates, @to responds, both begin sessions; @init keeps message 1. */
static void handshake_from(struct kunit *test, struct pair *p, struct side *from,
			   struct side *to, struct wg_msg_initiation *init)
{
	struct wg_msg_response resp;

	make_initiation(test, from, init);
	KUNIT_ASSERT_EQ(test, receive_initiation(to, p, init, false), 0);
	make_response(test, to, &resp);
	KUNIT_ASSERT_EQ(test, receive_response(from, p, &resp, false), 0);
	KUNIT_ASSERT_EQ(test, wg_noise_begin_session(&to->hs, &to->kps), 0);
	KUNIT_ASSERT_EQ(test, wg_noise_begin_session(&from->hs, &from->kps), 0);
}

/* a initiates, b responds, both begin sessions. */
static void handshake(struct kunit *test, struct pair *p)
{
	struct wg_msg_initiation init;

	handshake_from(test, p, &p->a, &p->b, &init);
}

static struct wg_noise_keypair *slot(struct wg_noise_keypair __rcu **s)
{
	return rcu_access_pointer(*s);
}

/* Seal with one keypair's sending key, open with the other's receiving key. */
static void check_transport(struct kunit *test, struct wg_noise_keypair *from,
			    struct wg_noise_keypair *to)
{
	u8 plain[64], sealed[64 + WG_TAG_LEN], opened[64];
	u64 counter;

	get_random_bytes(plain, sizeof(plain));
	KUNIT_ASSERT_TRUE(test, wg_noise_keypair_next_counter(from, &counter));
	chacha20poly1305_encrypt(sealed, plain, sizeof(plain), NULL, 0, counter,
				 from->sending.key);
	KUNIT_ASSERT_TRUE(test, wg_noise_keypair_can_receive(to));
	KUNIT_EXPECT_TRUE(test, chacha20poly1305_decrypt(opened, sealed, sizeof(sealed),
							 NULL, 0, counter,
							 to->receiving.key));
	KUNIT_EXPECT_EQ(test, memcmp(plain, opened, sizeof(plain)), 0);
	KUNIT_EXPECT_TRUE(test, wg_counter_validate(&to->receiving_counter, counter));
	KUNIT_EXPECT_FALSE(test, wg_counter_validate(&to->receiving_counter, counter));
	/* The key of the other direction does not open it. */
	KUNIT_EXPECT_FALSE(test, chacha20poly1305_decrypt(opened, sealed, sizeof(sealed),
							  NULL, 0, counter,
							  to->sending.key));
}

static void full_session(struct kunit *test, const u8 *psk)
{
	struct pair *p = pair_new(test, psk, psk);
	struct wg_noise_keypair *ka, *kb, *found;

	handshake(test, p);
	/* The initiator may send at once; the responder waits for data. */
	ka = slot(&p->a.kps.current_keypair);
	kb = slot(&p->b.kps.next_keypair);
	KUNIT_ASSERT_NOT_NULL(test, ka);
	KUNIT_ASSERT_NOT_NULL(test, kb);
	KUNIT_EXPECT_NULL(test, slot(&p->b.kps.current_keypair));
	KUNIT_EXPECT_NULL(test, wg_noise_keypairs_current(&p->b.kps));
	KUNIT_EXPECT_TRUE(test, ka->i_am_the_initiator);
	KUNIT_EXPECT_FALSE(test, kb->i_am_the_initiator);
	KUNIT_EXPECT_EQ(test, memcmp(ka->sending.key, kb->receiving.key, WG_SYMMETRIC_KEY_LEN), 0);
	KUNIT_EXPECT_EQ(test, memcmp(ka->receiving.key, kb->sending.key, WG_SYMMETRIC_KEY_LEN), 0);
	KUNIT_EXPECT_NE(test, memcmp(ka->sending.key, ka->receiving.key, WG_SYMMETRIC_KEY_LEN), 0);
	/* Each side addresses data with the index the other chose. */
	KUNIT_EXPECT_EQ(test, le32_to_cpu(ka->remote_index), le32_to_cpu(kb->index_entry.index));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(kb->remote_index), le32_to_cpu(ka->index_entry.index));
	found = wg_noise_lookup_keypair(&p->b.nd, ka->remote_index);
	KUNIT_EXPECT_PTR_EQ(test, found, kb);
	wg_noise_keypair_put(found);
	/* Handshake state is gone; the index now belongs to the keypair. */
	KUNIT_EXPECT_EQ(test, p->a.hs.state, WG_NOISE_ZEROED);
	KUNIT_EXPECT_EQ(test, p->b.hs.state, WG_NOISE_ZEROED);
	KUNIT_EXPECT_FALSE(test, memchr_inv(p->a.hs.ephemeral_private, 0, WG_PUBLIC_KEY_LEN));
	KUNIT_EXPECT_FALSE(test, memchr_inv(p->a.hs.chaining_key, 0, WG_HASH_LEN));

	check_transport(test, ka, kb);
	/* Key confirmation: the responder's next becomes current. */
	KUNIT_EXPECT_FALSE(test, wg_noise_received_with_keypair(&p->a.kps, ka));
	KUNIT_EXPECT_TRUE(test, wg_noise_received_with_keypair(&p->b.kps, kb));
	KUNIT_EXPECT_FALSE(test, wg_noise_received_with_keypair(&p->b.kps, kb));
	found = wg_noise_keypairs_current(&p->b.kps);
	KUNIT_EXPECT_PTR_EQ(test, found, kb);
	wg_noise_keypair_put(found);
	KUNIT_EXPECT_NULL(test, slot(&p->b.kps.next_keypair));
	check_transport(test, kb, ka);
	pair_done(test, p);
}

static void noise_handshake_no_psk(struct kunit *test)
{
	full_session(test, NULL);
}

static void noise_handshake_psk(struct kunit *test)
{
	u8 psk[WG_SYMMETRIC_KEY_LEN];

	get_random_bytes(psk, sizeof(psk));
	full_session(test, psk);
}

static void noise_psk_mismatch(struct kunit *test)
{
	u8 psk_a[WG_SYMMETRIC_KEY_LEN], psk_b[WG_SYMMETRIC_KEY_LEN];
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct pair *p;

	get_random_bytes(psk_a, sizeof(psk_a));
	memcpy(psk_b, psk_a, sizeof(psk_b));
	psk_b[31] ^= 1;
	p = pair_new(test, psk_a, psk_b);
	make_initiation(test, &p->a, &init);
	KUNIT_ASSERT_EQ(test, receive_initiation(&p->b, p, &init, false), 0);
	make_response(test, &p->b, &resp);
	KUNIT_EXPECT_EQ(test, receive_response(&p->a, p, &resp, false), -EBADMSG);
	KUNIT_EXPECT_EQ(test, p->a.hs.state, WG_NOISE_CREATED_INITIATION);
	/* One side without a PSK and one with: also no session. */
	wg_noise_handshake_set_psk(&p->a.hs, NULL);
	wg_noise_handshake_set_psk(&p->b.hs, psk_b);
	KUNIT_EXPECT_FALSE(test, wg_noise_handshake_get_psk(&p->a.hs, psk_a));
	KUNIT_EXPECT_TRUE(test, wg_noise_handshake_get_psk(&p->b.hs, psk_a));
	KUNIT_EXPECT_EQ(test, memcmp(psk_a, psk_b, sizeof(psk_a)), 0);
	wg_test_clock_ns += NSEC_PER_SEC;
	make_initiation(test, &p->a, &init);
	KUNIT_ASSERT_EQ(test, receive_initiation(&p->b, p, &init, false), 0);
	make_response(test, &p->b, &resp);
	KUNIT_EXPECT_EQ(test, receive_response(&p->a, p, &resp, false), -EBADMSG);
	pair_done(test, p);
}

/* Give @to's checker a cookie at @from, so messages pass under load. */
static void give_cookie(struct kunit *test, struct pair *p, struct side *from,
			struct side *to, void *msg, size_t len)
{
	struct wg_msg_cookie reply;

	KUNIT_ASSERT_EQ(test, wg_cookie_create_reply(&to->checker, &reply, msg, len,
						     AF_INET, &p->a_addr, p->a_port), 0);
	KUNIT_ASSERT_EQ(test, wg_cookie_consume_reply(&from->maker, &reply), 0);
	wg_cookie_add_macs(&from->maker, msg, len);
}

static void noise_initiation_bitflips(struct kunit *test)
{
	struct pair *p = pair_new(test, NULL, NULL);
	struct wg_msg_initiation init, bad;
	size_t i;
	int ret;

	make_initiation(test, &p->a, &init);
	give_cookie(test, p, &p->a, &p->b, &init, sizeof(init));
	for (i = 0; i < sizeof(init); i++) {
		bad = init;
		((u8 *)&bad)[i] ^= 1 << (i % 8);
		ret = receive_initiation(&p->b, p, &bad, true);
		KUNIT_EXPECT_LT_MSG(test, ret, 0, "byte %zu flipped was accepted", i);
		/* Without load, everything but mac2 still fails. */
		if (i < offsetof(struct wg_msg_initiation, macs.mac2))
			KUNIT_EXPECT_LT_MSG(test, receive_initiation(&p->b, p, &bad, false),
					    0, "byte %zu", i);
	}
	/* Flips past mac1 fail in Noise itself, not only in mac1. */
	for (i = offsetof(struct wg_msg_initiation, ephemeral);
	     i < offsetof(struct wg_msg_initiation, macs); i++) {
		bad = init;
		((u8 *)&bad)[i] ^= 0x20;
		KUNIT_EXPECT_TRUE_MSG(test, IS_ERR(wg_noise_consume_initiation(&p->b.nd, &bad)),
				      "byte %zu", i);
	}
	KUNIT_EXPECT_EQ(test, p->b.hs.state, WG_NOISE_ZEROED);
	KUNIT_EXPECT_EQ(test, receive_initiation(&p->b, p, &init, true), 0);
	pair_done(test, p);
}

static void noise_response_bitflips(struct kunit *test)
{
	struct pair *p = pair_new(test, NULL, NULL);
	struct wg_msg_initiation init;
	struct wg_msg_response resp, bad;
	size_t i;

	make_initiation(test, &p->a, &init);
	KUNIT_ASSERT_EQ(test, receive_initiation(&p->b, p, &init, false), 0);
	make_response(test, &p->b, &resp);
	give_cookie(test, p, &p->b, &p->a, &resp, sizeof(resp));
	for (i = 0; i < sizeof(resp); i++) {
		bad = resp;
		((u8 *)&bad)[i] ^= 1 << (i % 8);
		KUNIT_EXPECT_LT_MSG(test, receive_response(&p->a, p, &bad, true), 0,
				    "byte %zu flipped was accepted", i);
	}
	for (i = offsetof(struct wg_msg_response, receiver_index);
	     i < offsetof(struct wg_msg_response, macs); i++) {
		bad = resp;
		((u8 *)&bad)[i] ^= 0x20;
		KUNIT_EXPECT_TRUE_MSG(test, IS_ERR(wg_noise_consume_response(&p->a.nd, &bad)),
				      "byte %zu", i);
	}
	KUNIT_EXPECT_EQ(test, p->a.hs.state, WG_NOISE_CREATED_INITIATION);
	KUNIT_EXPECT_EQ(test, receive_response(&p->a, p, &resp, true), 0);
	/* The same response twice: the initiation is no longer waiting. */
	KUNIT_EXPECT_EQ(test, receive_response(&p->a, p, &resp, false), -ENOENT);
	pair_done(test, p);
}

static void noise_cookie_reply_fields(struct kunit *test)
{
	struct pair *p = pair_new(test, NULL, NULL);
	struct wg_msg_initiation init;
	struct wg_msg_cookie reply, bad;
	struct wg_noise_handshake *hs;
	size_t i;
	int ret;

	make_initiation(test, &p->a, &init);
	KUNIT_ASSERT_EQ(test, wg_cookie_create_reply(&p->b.checker, &reply, &init,
						     sizeof(init), AF_INET, &p->a_addr,
						     p->a_port), 0);
	for (i = 0; i < sizeof(reply); i++) {
		bad = reply;
		((u8 *)&bad)[i] ^= 1 << (i % 8);
		ret = -EPROTO;
		if (wg_msg_classify(&bad, sizeof(bad)) == WG_MSG_COOKIE) {
			hs = wg_noise_lookup_handshake(&p->a.nd, bad.receiver_index,
						       WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR);
			ret = -ENOENT;
			if (hs) {
				ret = wg_cookie_consume_reply(&p->a.maker, &bad);
				wg_noise_handshake_put(hs);
			}
		}
		KUNIT_EXPECT_LT_MSG(test, ret, 0, "byte %zu", i);
	}
	hs = wg_noise_lookup_handshake(&p->a.nd, reply.receiver_index,
				       WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR);
	KUNIT_EXPECT_PTR_EQ(test, hs, &p->a.hs);
	wg_noise_handshake_put(hs);
	KUNIT_EXPECT_EQ(test, wg_cookie_consume_reply(&p->a.maker, &reply), 0);
	pair_done(test, p);
}

static void noise_replay_and_flood(struct kunit *test)
{
	struct pair *p = pair_new(test, NULL, NULL);
	struct wg_msg_initiation init1, init2, init3;

	make_initiation(test, &p->a, &init1);
	KUNIT_ASSERT_EQ(test, receive_initiation(&p->b, p, &init1, false), 0);
	/* The same initiation again: its timestamp is not newer. */
	KUNIT_EXPECT_EQ(test, receive_initiation(&p->b, p, &init1, false), -ESTALE);
	wg_test_clock_ns = START + 10 * NSEC_PER_SEC;
	KUNIT_EXPECT_EQ(test, receive_initiation(&p->b, p, &init1, false), -ESTALE);

	/* A newer initiation 10 ms after the last accepted one: flood. */
	wg_test_clock_ns = START + 20 * NSEC_PER_SEC;
	make_initiation(test, &p->a, &init2);
	KUNIT_ASSERT_EQ(test, receive_initiation(&p->b, p, &init2, false), 0);
	wg_test_clock_ns = START + 21 * NSEC_PER_SEC;
	make_initiation(test, &p->a, &init3);
	wg_test_clock_ns = START + 20 * NSEC_PER_SEC + 10 * MS;
	KUNIT_EXPECT_EQ(test, receive_initiation(&p->b, p, &init3, false), -EBUSY);
	/* 1/50 s after the last accepted one it is fine. */
	wg_test_clock_ns = START + 20 * NSEC_PER_SEC + 20 * MS;
	KUNIT_EXPECT_EQ(test, receive_initiation(&p->b, p, &init3, false), 0);
	KUNIT_EXPECT_EQ(test, receive_initiation(&p->b, p, &init3, false), -ESTALE);

	/* An older timestamp arriving late is a replay too. */
	wg_test_clock_ns = START + 30 * NSEC_PER_SEC;
	KUNIT_EXPECT_EQ(test, receive_initiation(&p->b, p, &init2, false), -ESTALE);
	make_initiation(test, &p->a, &init1);
	KUNIT_EXPECT_EQ(test, receive_initiation(&p->b, p, &init1, false), 0);
	pair_done(test, p);
}

static const u8 low_order_points[][WG_PUBLIC_KEY_LEN] = {
	{ 0 },
	{ 1 },
	{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3,
	  0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32,
	  0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00 },
	{ 0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1,
	  0x55, 0x9c, 0x83, 0xef, 0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c,
	  0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f, 0x11, 0x57 },
	{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
	{ 0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
	{ 0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
};

static void noise_low_order_keys(struct kunit *test)
{
	struct pair *p = pair_new(test, NULL, NULL);
	struct wg_noise_handshake *hs = kunit_kzalloc(test, sizeof(*hs), GFP_KERNEL);
	struct wg_msg_initiation init, bad_init;
	struct wg_msg_response resp, bad_resp;
	struct wg_noise_handshake *got;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, hs);
	/* A peer configured with a low-order key: no initiation to it. */
	for (i = 0; i < ARRAY_SIZE(low_order_points); i++) {
		wg_noise_handshake_init(hs, &p->a.nd, low_order_points[i], NULL, NULL, NULL);
		KUNIT_EXPECT_EQ(test, hs->static_static_state, WG_STATIC_STATIC_UNKNOWN);
		KUNIT_EXPECT_EQ_MSG(test, wg_noise_create_initiation(hs, &init), -ENOKEY,
				    "point %zu", i);
		KUNIT_EXPECT_EQ(test, hs->static_static_state, WG_STATIC_STATIC_NONE);
		KUNIT_EXPECT_FALSE(test, memchr_inv(&init, 0, sizeof(init)));
	}

	/* Low-order ephemerals in either message are rejected. */
	make_initiation(test, &p->a, &init);
	for (i = 0; i < ARRAY_SIZE(low_order_points); i++) {
		bad_init = init;
		memcpy(bad_init.ephemeral, low_order_points[i], WG_PUBLIC_KEY_LEN);
		got = wg_noise_consume_initiation(&p->b.nd, &bad_init);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(got), -EBADMSG, "point %zu", i);
	}
	KUNIT_ASSERT_EQ(test, receive_initiation(&p->b, p, &init, false), 0);
	make_response(test, &p->b, &resp);
	for (i = 0; i < ARRAY_SIZE(low_order_points); i++) {
		bad_resp = resp;
		memcpy(bad_resp.ephemeral, low_order_points[i], WG_PUBLIC_KEY_LEN);
		got = wg_noise_consume_response(&p->a.nd, &bad_resp);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(got), -EBADMSG, "point %zu", i);
	}
	KUNIT_EXPECT_EQ(test, receive_response(&p->a, p, &resp, false), 0);
	wg_noise_handshake_clear(hs);
	pair_done(test, p);
}

/* A wrong mac1 stops a message that Noise itself would accept. */
static void noise_mac1_checked_first(struct kunit *test)
{
	struct pair *p = pair_new(test, NULL, NULL);
	struct wg_msg_initiation init;

	make_initiation(test, &p->a, &init);
	init.macs.mac1[0] ^= 1;
	KUNIT_EXPECT_EQ(test, wg_cookie_validate(&p->b.checker, &init, sizeof(init),
						 AF_INET, &p->a_addr, p->a_port, false),
			WG_COOKIE_MAC_INVALID);
	KUNIT_EXPECT_EQ(test, receive_initiation(&p->b, p, &init, false), -EACCES);
	/* mac1 made for another receiver's key is just as wrong. */
	init.macs.mac1[0] ^= 1;
	wg_cookie_add_macs(&p->b.maker, &init, sizeof(init));
	KUNIT_EXPECT_EQ(test, receive_initiation(&p->b, p, &init, false), -EACCES);
	/* Noise alone would have taken it. */
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(wg_noise_consume_initiation(&p->b.nd, &init)), 0);
	wg_noise_handshake_put(&p->b.hs);
	pair_done(test, p);
}

static void noise_unknown_and_missing_keys(struct kunit *test)
{
	struct pair *p = pair_new(test, NULL, NULL);
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_noise_handshake *got;

	/* The responder does not know the initiator. */
	make_initiation(test, &p->a, &init);
	wg_noise_handshake_unpublish(&p->b.hs);
	got = wg_noise_consume_initiation(&p->b.nd, &init);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(got), -ENOKEY);
	KUNIT_ASSERT_EQ(test, wg_noise_handshake_publish(&p->b.hs), 0);
	KUNIT_EXPECT_EQ(test, wg_noise_handshake_publish(&p->b.hs), -EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, wg_noise_lookup_pubkey(&p->b.nd, p->a.pub), &p->b.hs);
	wg_noise_handshake_put(&p->b.hs);

	/* The responder has no private key. */
	wg_noise_set_private_key(&p->b.nd, NULL);
	got = wg_noise_consume_initiation(&p->b.nd, &init);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(got), -ENOKEY);
	KUNIT_ASSERT_TRUE(test, wg_noise_set_private_key(&p->b.nd, p->b.priv));
	wg_noise_handshake_identity_changed(&p->b.hs);
	KUNIT_EXPECT_EQ(test, receive_initiation(&p->b, p, &init, false), 0);

	/* A response that names no initiation in progress. */
	make_response(test, &p->b, &resp);
	resp.receiver_index ^= cpu_to_le32(0x10000);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(wg_noise_consume_response(&p->a.nd, &resp)),
			-ENOENT);
	/* The initiator changed its key meanwhile: its initiation is void. */
	resp.receiver_index ^= cpu_to_le32(0x10000);
	curve25519_generate_secret(p->a.priv);
	KUNIT_ASSERT_TRUE(test, wg_noise_set_private_key(&p->a.nd, p->a.priv));
	wg_noise_handshake_identity_changed(&p->a.hs);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(wg_noise_consume_response(&p->a.nd, &resp)),
			-ENOENT);
	/* A responder cannot answer twice, nor without an initiation. */
	KUNIT_EXPECT_EQ(test, wg_noise_create_response(&p->b.hs, &resp), -EINVAL);
	KUNIT_EXPECT_EQ(test, wg_noise_begin_session(&p->a.hs, &p->a.kps), -EINVAL);

	/* The device without an identity initiates nothing. */
	wg_noise_set_private_key(&p->a.nd, NULL);
	wg_noise_handshake_identity_changed(&p->a.hs);
	KUNIT_EXPECT_EQ(test, wg_noise_create_initiation(&p->a.hs, &init), -ENOKEY);
	pair_done(test, p);
}

static void noise_keypair_ages(struct kunit *test)
{
	struct pair *p = pair_new(test, NULL, NULL);
	struct wg_noise_keypair *ka, *kb;
	u64 c;

	handshake(test, p);
	ka = slot(&p->a.kps.current_keypair);
	kb = slot(&p->b.kps.next_keypair);
	KUNIT_ASSERT_TRUE(test, wg_noise_received_with_keypair(&p->b.kps, kb));

	KUNIT_EXPECT_TRUE(test, wg_noise_keypair_next_counter(ka, &c));
	KUNIT_EXPECT_EQ(test, c, 0ULL);
	KUNIT_EXPECT_TRUE(test, wg_noise_keypair_next_counter(ka, &c));
	KUNIT_EXPECT_EQ(test, c, 1ULL);
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_rekey_on_send(ka));

	wg_test_clock_ns += 119 * NSEC_PER_SEC;
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_rekey_on_send(ka));
	wg_test_clock_ns += 1 * NSEC_PER_SEC;
	/* REKEY_AFTER_TIME: only the initiator rekeys on sending. */
	KUNIT_EXPECT_TRUE(test, wg_noise_keypair_rekey_on_send(ka));
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_rekey_on_send(kb));
	wg_test_clock_ns += 44 * NSEC_PER_SEC;
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_rekey_on_receive(ka));
	wg_test_clock_ns += 1 * NSEC_PER_SEC;
	KUNIT_EXPECT_TRUE(test, wg_noise_keypair_rekey_on_receive(ka));
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_rekey_on_receive(kb));
	wg_test_clock_ns += 14 * NSEC_PER_SEC;
	KUNIT_EXPECT_TRUE(test, wg_noise_keypair_next_counter(kb, &c));
	KUNIT_EXPECT_TRUE(test, wg_noise_keypair_can_receive(ka));
	/* REJECT_AFTER_TIME: neither sending nor receiving. */
	wg_test_clock_ns += 1 * NSEC_PER_SEC;
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_next_counter(ka, &c));
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_next_counter(kb, &c));
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_can_receive(ka));
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_can_receive(kb));
	pair_done(test, p);
}

static void noise_keypair_counters(struct kunit *test)
{
	struct pair *p = pair_new(test, NULL, NULL);
	struct wg_noise_keypair *ka, *kb;
	u64 c;

	handshake(test, p);
	ka = slot(&p->a.kps.current_keypair);
	kb = slot(&p->b.kps.next_keypair);
	/* Messages, not time, make the responder rekey. */
	atomic64_set(&kb->sending_counter, WG_REKEY_AFTER_MESSAGES + 1);
	KUNIT_EXPECT_TRUE(test, wg_noise_keypair_rekey_on_send(kb));
	/* The last usable counter, then no more, ever. */
	atomic64_set(&ka->sending_counter, WG_REJECT_AFTER_MESSAGES - 1);
	KUNIT_EXPECT_TRUE(test, wg_noise_keypair_next_counter(ka, &c));
	KUNIT_EXPECT_EQ(test, c, WG_REJECT_AFTER_MESSAGES - 1);
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_next_counter(ka, &c));
	atomic64_set(&ka->sending_counter, 5);
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_next_counter(ka, &c));

	/* Expiring stops sending on current and next, not receiving. */
	KUNIT_EXPECT_TRUE(test, wg_noise_keypair_next_counter(kb, &c));
	wg_noise_expire_current_keypairs(&p->b.kps);
	KUNIT_EXPECT_FALSE(test, wg_noise_keypair_next_counter(kb, &c));
	KUNIT_EXPECT_TRUE(test, wg_noise_keypair_can_receive(kb));
	pair_done(test, p);
}

static void noise_keypair_slots(struct kunit *test)
{
	struct pair *p = pair_new(test, NULL, NULL);
	struct wg_noise_keypair *a1, *a2, *a3, *b1, *b2, *b3, *found;
	__le32 b2_index;

	handshake(test, p);
	a1 = slot(&p->a.kps.current_keypair);
	b1 = slot(&p->b.kps.next_keypair);
	KUNIT_ASSERT_TRUE(test, wg_noise_received_with_keypair(&p->b.kps, b1));

	wg_test_clock_ns += NSEC_PER_SEC;
	handshake(test, p);
	a2 = slot(&p->a.kps.current_keypair);
	b2 = slot(&p->b.kps.next_keypair);
	b2_index = b2->index_entry.index;
	KUNIT_EXPECT_PTR_EQ(test, slot(&p->a.kps.previous_keypair), a1);
	KUNIT_EXPECT_PTR_EQ(test, slot(&p->b.kps.current_keypair), b1);

	/* b2 never confirmed; a third handshake replaces it. */
	wg_test_clock_ns += NSEC_PER_SEC;
	handshake(test, p);
	a3 = slot(&p->a.kps.current_keypair);
	b3 = slot(&p->b.kps.next_keypair);
	KUNIT_EXPECT_PTR_EQ(test, slot(&p->a.kps.previous_keypair), a2);
	KUNIT_EXPECT_PTR_EQ(test, slot(&p->b.kps.current_keypair), b1);
	/* Dropped keypairs are unfindable at once. */
	found = wg_noise_lookup_keypair(&p->b.nd, b2_index);
	KUNIT_EXPECT_NULL(test, found);
	wg_noise_keypair_put(found);
	found = wg_noise_lookup_keypair(&p->a.nd, b1->remote_index);
	KUNIT_EXPECT_NULL(test, found);
	wg_noise_keypair_put(found);
	KUNIT_ASSERT_TRUE(test, wg_noise_received_with_keypair(&p->b.kps, b3));
	KUNIT_EXPECT_PTR_EQ(test, slot(&p->b.kps.previous_keypair), b1);
	KUNIT_EXPECT_PTR_EQ(test, slot(&p->b.kps.current_keypair), b3);
	check_transport(test, a3, b3);
	check_transport(test, b3, a3);

	/*
	 * b initiates while its own next is unconfirmed: the unconfirmed one
	 * is kept (as previous) since a may already use it.
	 */
	wg_test_clock_ns += NSEC_PER_SEC;
	handshake(test, p);	/* a -> b: b gets a next */
	b2 = slot(&p->b.kps.next_keypair);
	KUNIT_ASSERT_NOT_NULL(test, b2);
	{
		struct wg_msg_initiation init;
		struct wg_msg_response resp;

		make_initiation(test, &p->b, &init);
		KUNIT_ASSERT_EQ(test, receive_initiation(&p->a, p, &init, false), 0);
		make_response(test, &p->a, &resp);
		KUNIT_ASSERT_EQ(test, receive_response(&p->b, p, &resp, false), 0);
		KUNIT_ASSERT_EQ(test, wg_noise_begin_session(&p->b.hs, &p->b.kps), 0);
	}
	KUNIT_EXPECT_PTR_EQ(test, slot(&p->b.kps.previous_keypair), b2);
	KUNIT_EXPECT_NULL(test, slot(&p->b.kps.next_keypair));
	KUNIT_EXPECT_TRUE(test, slot(&p->b.kps.current_keypair)->i_am_the_initiator);

	/* Clearing makes everything unfindable. */
	b2_index = b2->index_entry.index;
	wg_noise_keypairs_clear(&p->b.kps);
	KUNIT_EXPECT_NULL(test, wg_noise_keypairs_current(&p->b.kps));
	KUNIT_EXPECT_NULL(test, wg_noise_lookup_keypair(&p->b.nd, b2_index));
	pair_done(test, p);
}

static void noise_tai64n(struct kunit *test)
{
	struct pair *p = pair_new(test, NULL, NULL);
	struct wg_msg_initiation init;
	static const u8 expect[WG_TIMESTAMP_LEN] = {
		/* 0x400000000000000a + 1700000000, 123456789 ns -> 117440512 */
		0x40, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x0a,
		0x07, 0x00, 0x00, 0x00,
	};

	wg_test_clock_ns = 1700000000ULL * NSEC_PER_SEC + 123456789;
	make_initiation(test, &p->a, &init);
	KUNIT_ASSERT_EQ(test, receive_initiation(&p->b, p, &init, false), 0);
	KUNIT_EXPECT_EQ(test, memcmp(p->b.hs.latest_timestamp, expect, sizeof(expect)), 0);
	pair_done(test, p);
}

/* The transcript of tests/kunit/noise_vectors.py, byte for byte. */
static void noise_known_answer(struct kunit *test)
{
	struct pair *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_msg_cookie reply;
	struct wg_noise_keypair *kp;
	u8 payload[sizeof(kat_data_payload)];
	struct in_addr src;

	KUNIT_ASSERT_NOT_NULL(test, p);
	wg_test_clock_ns = START;
	side_keys(&p->a, kat_static_i_priv);
	side_keys(&p->b, kat_static_r_priv);
	side_init(test, &p->a, kat_static_r_pub, kat_psk);
	side_init(test, &p->b, kat_static_i_pub, kat_psk);
	KUNIT_ASSERT_EQ(test, memcmp(p->a.pub, kat_static_i_pub, WG_PUBLIC_KEY_LEN), 0);
	KUNIT_ASSERT_EQ(test, memcmp(p->b.pub, kat_static_r_pub, WG_PUBLIC_KEY_LEN), 0);
	memcpy(&src, kat_cookie_src_ip, sizeof(src));

	/* mac1 as the initiator computes it. */
	memcpy(&init, kat_initiation, sizeof(init));
	wg_cookie_add_macs(&p->a.maker, &init, sizeof(init));
	KUNIT_EXPECT_EQ(test, memcmp(&init, kat_initiation, sizeof(init)), 0);

	/* The responder takes the initiation and reaches the same state. */
	KUNIT_EXPECT_EQ(test, wg_cookie_validate(&p->b.checker, &init, sizeof(init), AF_INET,
						 &src, cpu_to_be16(KAT_COOKIE_SRC_PORT), false),
			WG_COOKIE_MAC1_OK);
	KUNIT_ASSERT_EQ(test, PTR_ERR_OR_ZERO(wg_noise_consume_initiation(&p->b.nd, &init)), 0);
	wg_noise_handshake_put(&p->b.hs);
	KUNIT_EXPECT_EQ(test, memcmp(p->b.hs.chaining_key, kat_ck_after_initiation,
				     WG_HASH_LEN), 0);
	KUNIT_EXPECT_EQ(test, memcmp(p->b.hs.hash, kat_hash_after_initiation, WG_HASH_LEN), 0);
	KUNIT_EXPECT_EQ(test, memcmp(p->b.hs.latest_timestamp, kat_timestamp, WG_TIMESTAMP_LEN), 0);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(p->b.hs.remote_index), KAT_SENDER_I);

	/* Cookie reply: opened with the last mac1, then mac2 as computed. */
	memcpy(&reply, kat_cookie_reply, sizeof(reply));
	KUNIT_ASSERT_EQ(test, wg_cookie_consume_reply(&p->a.maker, &reply), 0);
	KUNIT_EXPECT_EQ(test, memcmp(p->a.maker.cookie, kat_cookie, WG_COOKIE_LEN), 0);
	wg_cookie_add_macs(&p->a.maker, &init, sizeof(init));
	KUNIT_EXPECT_EQ(test, memcmp(init.macs.mac2, kat_initiation_mac2, WG_MAC_LEN), 0);
	/* And the responder's checker, given the same secret, agrees. */
	memcpy(p->b.checker.secret, kat_cookie_secret, WG_HASH_LEN);
	p->b.checker.secret_birth = wg_clock_ns();
	p->b.checker.has_secret = true;
	KUNIT_EXPECT_EQ(test, wg_cookie_validate(&p->b.checker, &init, sizeof(init), AF_INET,
						 &src, cpu_to_be16(KAT_COOKIE_SRC_PORT), true),
			WG_COOKIE_MAC1_MAC2_OK);

	/*
	 * The initiator side: put the transcript's ephemeral and state in
	 * place of a fresh initiation's, then take the transcript's response.
	 */
	make_initiation(test, &p->a, &init);
	memcpy(p->a.hs.ephemeral_private, kat_ephemeral_i_priv, WG_PUBLIC_KEY_LEN);
	memcpy(p->a.hs.chaining_key, kat_ck_after_initiation, WG_HASH_LEN);
	memcpy(p->a.hs.hash, kat_hash_after_initiation, WG_HASH_LEN);
	memcpy(&resp, kat_response, sizeof(resp));
	KUNIT_EXPECT_EQ(test, wg_cookie_validate(&p->a.checker, &resp, sizeof(resp), AF_INET,
						 &src, cpu_to_be16(KAT_COOKIE_SRC_PORT), false),
			WG_COOKIE_MAC1_OK);
	resp.receiver_index = p->a.hs.index_entry.index;
	KUNIT_ASSERT_EQ(test, PTR_ERR_OR_ZERO(wg_noise_consume_response(&p->a.nd, &resp)), 0);
	wg_noise_handshake_put(&p->a.hs);
	KUNIT_ASSERT_EQ(test, wg_noise_begin_session(&p->a.hs, &p->a.kps), 0);
	kp = slot(&p->a.kps.current_keypair);
	KUNIT_ASSERT_NOT_NULL(test, kp);
	KUNIT_EXPECT_EQ(test, memcmp(kp->sending.key, kat_t_send_i, WG_SYMMETRIC_KEY_LEN), 0);
	KUNIT_EXPECT_EQ(test, memcmp(kp->receiving.key, kat_t_recv_i, WG_SYMMETRIC_KEY_LEN), 0);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(kp->remote_index), KAT_SENDER_R);

	/* A data message sealed in userspace opens with the derived key. */
	KUNIT_EXPECT_EQ(test, wg_msg_classify(kat_data, sizeof(kat_data)), WG_MSG_DATA);
	KUNIT_EXPECT_TRUE(test, chacha20poly1305_decrypt(payload, kat_data + 16,
							 sizeof(kat_data) - 16, NULL, 0,
							 0, kp->sending.key));
	KUNIT_EXPECT_EQ(test, memcmp(payload, kat_data_payload, sizeof(payload)), 0);

	side_done(test, &p->a);
	side_done(test, &p->b);
	wg_test_clock_ns = 0;
}

/*
 * Crossing initiations. A sends I_A and B sends I_B; A takes I_B first and
 * answers it (R_A), which drops A's own initiation. B's answer to I_A (R_B)
 * then reaches A late: A must reject it, or A would hold two sessions from
 * two different exchanges. Every step makes the glue's calls: a responder
 * runs consume_initiation, create_response and begin_session, an initiator
 * consume_response and begin_session.
 */
enum late_point {
	LATE_BEFORE_RESPONSE,	/* A took I_B and has not answered yet */
	LATE_BEFORE_SESSION,	/* A created R_A, has not begun its session */
	LATE_AFTER_SESSION,	/* A began its responder session */
};

struct crossing {
	struct pair *p;
	struct wg_msg_initiation i_a, i_b;
	struct wg_msg_response r_a, r_b;
	bool b_took_r_a_first;		/* else B took I_A before R_A */
	struct wg_noise_keypair *kb;	/* B's initiator keypair (of I_B) */
	struct wg_noise_keypair *kb_late;	/* B's responder keypair (of I_A) */
};

/* @to takes @init and answers it, as the receive and send paths do. */
static struct wg_noise_keypair *
answer_initiation(struct kunit *test, struct pair *p, struct side *to,
		  const struct wg_msg_initiation *init, struct wg_msg_response *resp)
{
	struct wg_noise_keypair *kp;

	KUNIT_ASSERT_EQ(test, receive_initiation(to, p, init, false), 0);
	KUNIT_EXPECT_EQ(test, to->hs.state, WG_NOISE_CONSUMED_INITIATION);
	make_response(test, to, resp);
	KUNIT_EXPECT_EQ(test, to->hs.state, WG_NOISE_CREATED_RESPONSE);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(resp->receiver_index), le32_to_cpu(init->sender_index));
	KUNIT_ASSERT_EQ(test, wg_noise_begin_session(&to->hs, &to->kps), 0);
	KUNIT_EXPECT_EQ(test, to->hs.state, WG_NOISE_ZEROED);
	kp = slot(&to->kps.next_keypair);
	KUNIT_ASSERT_NOT_NULL(test, kp);
	KUNIT_EXPECT_FALSE(test, kp->i_am_the_initiator);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(kp->remote_index), le32_to_cpu(init->sender_index));
	return kp;
}

/*
 * @to gets a response to an initiation it dropped: rejected, and nothing
 * changes. Should it be accepted, the session is begun as the receive path
 * would, so that the checks of the keypairs see the damage too.
 */
static void late_response_rejected(struct kunit *test, struct pair *p, struct side *to,
				   const struct wg_msg_response *resp)
{
	struct wg_noise_keypair *cur = slot(&to->kps.current_keypair);
	struct wg_noise_keypair *prev = slot(&to->kps.previous_keypair);
	struct wg_noise_keypair *next = slot(&to->kps.next_keypair);
	enum wg_noise_state state = to->hs.state;
	__le32 index = to->hs.index_entry.index;
	int ret;

	ret = receive_response(to, p, resp, false);
	KUNIT_EXPECT_EQ_MSG(test, ret, -ENOENT, "a late response was accepted");
	if (!ret)
		wg_noise_begin_session(&to->hs, &to->kps);
	KUNIT_EXPECT_EQ(test, to->hs.state, state);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(to->hs.index_entry.index), le32_to_cpu(index));
	KUNIT_EXPECT_PTR_EQ(test, slot(&to->kps.current_keypair), cur);
	KUNIT_EXPECT_PTR_EQ(test, slot(&to->kps.previous_keypair), prev);
	KUNIT_EXPECT_PTR_EQ(test, slot(&to->kps.next_keypair), next);
}

/* B does its part, then R_B reaches A. */
static void crossing_b_then_late(struct kunit *test, struct crossing *c)
{
	struct side *b = &c->p->b;

	if (c->b_took_r_a_first) {
		/* I_B was answered: B begins its initiator session. */
		KUNIT_ASSERT_EQ(test, receive_response(b, c->p, &c->r_a, false), 0);
		KUNIT_EXPECT_EQ(test, b->hs.state, WG_NOISE_CONSUMED_RESPONSE);
		KUNIT_ASSERT_EQ(test, wg_noise_begin_session(&b->hs, &b->kps), 0);
		c->kb = slot(&b->kps.current_keypair);
		KUNIT_ASSERT_NOT_NULL(test, c->kb);
		KUNIT_EXPECT_TRUE(test, c->kb->i_am_the_initiator);
	}
	/* I_A reaches B only now; its timestamp is B's first from A. */
	c->kb_late = answer_initiation(test, c->p, b, &c->i_a, &c->r_b);
	late_response_rejected(test, c->p, &c->p->a, &c->r_b);
}

/* B took R_A first: A's keypair and B's initiator keypair are one session. */
static void crossing_one_session(struct kunit *test, struct crossing *c,
				 struct wg_noise_keypair *ka)
{
	struct side *a = &c->p->a, *b = &c->p->b;
	struct wg_noise_keypair *found;

	KUNIT_EXPECT_PTR_EQ(test, slot(&b->kps.current_keypair), c->kb);
	KUNIT_EXPECT_PTR_EQ(test, slot(&b->kps.next_keypair), c->kb_late);
	KUNIT_EXPECT_NULL(test, slot(&b->kps.previous_keypair));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(c->kb->remote_index), le32_to_cpu(ka->index_entry.index));

	/* B sends on its current keypair; A finds ka by the index and opens. */
	found = wg_noise_lookup_keypair(&a->nd, c->kb->remote_index);
	KUNIT_EXPECT_PTR_EQ(test, found, ka);
	wg_noise_keypair_put(found);
	check_transport(test, c->kb, ka);
	/* That confirms ka: A sends on it, B finds kb and opens. */
	KUNIT_EXPECT_TRUE(test, wg_noise_received_with_keypair(&a->kps, ka));
	found = wg_noise_keypairs_current(&a->kps);
	KUNIT_EXPECT_PTR_EQ(test, found, ka);
	wg_noise_keypair_put(found);
	KUNIT_EXPECT_NULL(test, slot(&a->kps.next_keypair));
	KUNIT_EXPECT_NULL(test, slot(&a->kps.previous_keypair));
	found = wg_noise_lookup_keypair(&b->nd, ka->remote_index);
	KUNIT_EXPECT_PTR_EQ(test, found, c->kb);
	wg_noise_keypair_put(found);
	check_transport(test, ka, c->kb);
	/* Data is not confirmation for B's initiator keypair: kb stays put. */
	KUNIT_EXPECT_FALSE(test, wg_noise_received_with_keypair(&b->kps, c->kb));
	found = wg_noise_keypairs_current(&b->kps);
	KUNIT_EXPECT_PTR_EQ(test, found, c->kb);
	wg_noise_keypair_put(found);
}

/*
 * B took I_A first, so it dropped I_B just as A dropped I_A: R_A is late at
 * B and rejected as well. Each side holds one unconfirmed responder keypair,
 * of different exchanges; neither may send on it, so nothing is sent that
 * the other cannot open. The next initiation settles it.
 */
static void crossing_both_dropped(struct kunit *test, struct crossing *c,
				  struct wg_noise_keypair *ka)
{
	struct side *a = &c->p->a, *b = &c->p->b;
	struct wg_noise_keypair *ka2, *kb2;

	late_response_rejected(test, c->p, b, &c->r_a);
	KUNIT_EXPECT_EQ(test, b->hs.state, WG_NOISE_ZEROED);
	KUNIT_EXPECT_NULL(test, slot(&b->kps.current_keypair));
	KUNIT_EXPECT_NULL(test, slot(&b->kps.previous_keypair));
	KUNIT_EXPECT_PTR_EQ(test, slot(&b->kps.next_keypair), c->kb_late);
	KUNIT_EXPECT_NULL(test, slot(&a->kps.current_keypair));
	KUNIT_EXPECT_NE(test, memcmp(ka->sending.key, c->kb_late->receiving.key,
				     WG_SYMMETRIC_KEY_LEN), 0);

	/* A's retransmission, REKEY_TIMEOUT later. */
	wg_test_clock_ns += 5 * NSEC_PER_SEC;
	handshake(test, c->p);
	ka2 = slot(&a->kps.current_keypair);
	kb2 = slot(&b->kps.next_keypair);
	KUNIT_ASSERT_NOT_NULL(test, ka2);
	KUNIT_ASSERT_NOT_NULL(test, kb2);
	KUNIT_EXPECT_PTR_EQ(test, slot(&a->kps.previous_keypair), ka);
	KUNIT_EXPECT_NULL(test, slot(&a->kps.next_keypair));
	KUNIT_EXPECT_NULL(test, slot(&b->kps.current_keypair));
	check_transport(test, ka2, kb2);
	KUNIT_EXPECT_TRUE(test, wg_noise_received_with_keypair(&b->kps, kb2));
	check_transport(test, kb2, ka2);
}

static void late_response(struct kunit *test, bool b_took_r_a_first, enum late_point late)
{
	struct crossing *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct wg_noise_handshake *hs;
	struct wg_noise_keypair *ka;
	struct side *a, *b;

	KUNIT_ASSERT_NOT_NULL(test, c);
	/* R_A does not exist before A answers. */
	KUNIT_ASSERT_FALSE(test, b_took_r_a_first && late == LATE_BEFORE_RESPONSE);
	c->p = pair_new(test, NULL, NULL);
	c->b_took_r_a_first = b_took_r_a_first;
	a = &c->p->a;
	b = &c->p->b;

	make_initiation(test, a, &c->i_a);
	make_initiation(test, b, &c->i_b);
	KUNIT_EXPECT_EQ(test, a->hs.state, WG_NOISE_CREATED_INITIATION);
	KUNIT_EXPECT_EQ(test, b->hs.state, WG_NOISE_CREATED_INITIATION);

	/* A takes I_B: its own initiation, and its index, are gone. */
	KUNIT_ASSERT_EQ(test, receive_initiation(a, c->p, &c->i_b, false), 0);
	KUNIT_EXPECT_EQ(test, a->hs.state, WG_NOISE_CONSUMED_INITIATION);
	hs = wg_noise_lookup_handshake(&a->nd, c->i_a.sender_index,
				       WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR);
	KUNIT_EXPECT_NULL(test, hs);
	wg_noise_handshake_put(hs);
	if (late == LATE_BEFORE_RESPONSE)
		crossing_b_then_late(test, c);

	make_response(test, a, &c->r_a);
	KUNIT_EXPECT_EQ(test, a->hs.state, WG_NOISE_CREATED_RESPONSE);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(c->r_a.receiver_index), le32_to_cpu(c->i_b.sender_index));
	if (late == LATE_BEFORE_SESSION)
		crossing_b_then_late(test, c);

	KUNIT_ASSERT_EQ(test, wg_noise_begin_session(&a->hs, &a->kps), 0);
	KUNIT_EXPECT_EQ(test, a->hs.state, WG_NOISE_ZEROED);
	if (late == LATE_AFTER_SESSION)
		crossing_b_then_late(test, c);

	/* A holds exactly one keypair: its side of the exchange of I_B. */
	ka = slot(&a->kps.next_keypair);
	KUNIT_ASSERT_NOT_NULL(test, ka);
	KUNIT_EXPECT_NULL(test, slot(&a->kps.current_keypair));
	KUNIT_EXPECT_NULL(test, slot(&a->kps.previous_keypair));
	KUNIT_EXPECT_FALSE(test, ka->i_am_the_initiator);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(ka->remote_index), le32_to_cpu(c->i_b.sender_index));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(ka->index_entry.index),
			le32_to_cpu(c->r_a.sender_index));
	KUNIT_EXPECT_EQ(test, a->hs.state, WG_NOISE_ZEROED);
	/* Nothing at A answers to the index of the dropped initiation. */
	hs = wg_noise_lookup_handshake(&a->nd, c->i_a.sender_index,
				       WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR);
	KUNIT_EXPECT_NULL(test, hs);
	wg_noise_handshake_put(hs);

	if (b_took_r_a_first)
		crossing_one_session(test, c, ka);
	else
		crossing_both_dropped(test, c, ka);
	pair_done(test, c->p);
}

/* B took R_A, then I_A; R_B reaches A after A began its session. */
static void noise_late_response_after_session(struct kunit *test)
{
	late_response(test, true, LATE_AFTER_SESSION);
}

/* ... or between A's create_response and begin_session. */
static void noise_late_response_before_session(struct kunit *test)
{
	late_response(test, true, LATE_BEFORE_SESSION);
}

/* B took I_A before R_A (both sides answered), each point of A's in turn. */
static void noise_late_response_crossed_after_session(struct kunit *test)
{
	late_response(test, false, LATE_AFTER_SESSION);
}

static void noise_late_response_crossed_before_session(struct kunit *test)
{
	late_response(test, false, LATE_BEFORE_SESSION);
}

static void noise_late_response_crossed_before_response(struct kunit *test)
{
	late_response(test, false, LATE_BEFORE_RESPONSE);
}

/*
 * The handshake state machine of one endpoint X (side a) facing its peer P
 * (side b), as a table: X is driven into a state, then given one message or
 * operation; the outcome and X's handshake state afterwards are checked, and
 * a rejected input must change nothing at all.
 *
 * Every row starts from the same history, so that every input exists in
 * every state: P initiated once and X answered (so X has a confirmed
 * session, and I0 to replay); then X sent I1 and, superseding it, I2, and P
 * answered both (R1, R2), the answers not yet delivered.
 */
enum hs_state_row {
	HS_ZEROED,		/* I2 abandoned: wg_noise_handshake_clear() */
	HS_CREATED_INITIATION,	/* I2 outstanding */
	HS_CONSUMED_INITIATION,	/* X took a new initiation from P */
	HS_CREATED_RESPONSE,	/* ... and answered it */
	HS_RESPONDER_SESSION,	/* ... and began the session (ZEROED) */
	HS_CONSUMED_RESPONSE,	/* X took R2 */
	HS_INITIATOR_SESSION,	/* ... and began the session (ZEROED) */
	HS_NR_STATES
};

static const char * const hs_state_names[] = {
	"ZEROED (abandoned)", "CREATED_INITIATION", "CONSUMED_INITIATION",
	"CREATED_RESPONSE", "after begin_session (responder)", "CONSUMED_RESPONSE",
	"after begin_session (initiator)",
};

static const enum wg_noise_state hs_state_reached[] = {
	WG_NOISE_ZEROED, WG_NOISE_CREATED_INITIATION, WG_NOISE_CONSUMED_INITIATION,
	WG_NOISE_CREATED_RESPONSE, WG_NOISE_ZEROED, WG_NOISE_CONSUMED_RESPONSE,
	WG_NOISE_ZEROED,
};

enum hs_input {
	HS_INIT_FRESH,		/* a new initiation from P */
	HS_INIT_REPLAY,		/* the last initiation X took from P, again */
	HS_RESP_NEWEST,		/* R2: the answer to X's newest initiation */
	HS_RESP_OLDER,		/* R1: the answer to I1, superseded by I2 */
	HS_RESP_UNKNOWN,	/* R2 addressed to an index X does not use */
	HS_CREATE_RESPONSE,
	HS_BEGIN_TWICE,		/* the second call must fail in any state */
	HS_CREATE_INITIATION,
	HS_NR_INPUTS
};

static const char * const hs_input_names[] = {
	"fresh initiation", "replayed initiation", "response to newest initiation",
	"response to superseded initiation", "response to unknown index",
	"create_response", "begin_session twice", "create_initiation",
};

enum hs_new_keypair { HS_NO_KEYPAIR, HS_NEW_CURRENT, HS_NEW_NEXT };

struct hs_row {
	enum hs_state_row state;
	enum hs_input input;
	int ret;			/* 0: accepted */
	enum wg_noise_state after;
	enum hs_new_keypair keypair;
	const char *why;
};

#define HS_ROW(s, in, r, st, kp, why) \
	{ HS_##s, HS_##in, r, WG_NOISE_##st, HS_##kp, why }

static const struct hs_row hs_table[] = {
	HS_ROW(ZEROED, INIT_FRESH, 0, CONSUMED_INITIATION, NO_KEYPAIR,
	       "a new initiation is always answered"),
	HS_ROW(ZEROED, INIT_REPLAY, -ESTALE, ZEROED, NO_KEYPAIR,
	       "timestamp not newer: a replay"),
	HS_ROW(ZEROED, RESP_NEWEST, -ENOENT, ZEROED, NO_KEYPAIR,
	       "abandoned initiation: its index is retired"),
	HS_ROW(ZEROED, RESP_OLDER, -ENOENT, ZEROED, NO_KEYPAIR,
	       "superseded initiation: its index is retired"),
	HS_ROW(ZEROED, RESP_UNKNOWN, -ENOENT, ZEROED, NO_KEYPAIR,
	       "no handshake under that index"),
	HS_ROW(ZEROED, CREATE_RESPONSE, -EINVAL, ZEROED, NO_KEYPAIR,
	       "no initiation to answer"),
	HS_ROW(ZEROED, BEGIN_TWICE, -EINVAL, ZEROED, NO_KEYPAIR,
	       "no finished handshake"),
	HS_ROW(ZEROED, CREATE_INITIATION, 0, CREATED_INITIATION, NO_KEYPAIR,
	       "initiating is always possible"),

	HS_ROW(CREATED_INITIATION, INIT_FRESH, 0, CONSUMED_INITIATION, NO_KEYPAIR,
	       "crossing initiations: answering drops ours"),
	HS_ROW(CREATED_INITIATION, INIT_REPLAY, -ESTALE, CREATED_INITIATION, NO_KEYPAIR,
	       "timestamp not newer: a replay"),
	HS_ROW(CREATED_INITIATION, RESP_NEWEST, 0, CONSUMED_RESPONSE, NO_KEYPAIR,
	       "the answer to our outstanding initiation"),
	HS_ROW(CREATED_INITIATION, RESP_OLDER, -ENOENT, CREATED_INITIATION, NO_KEYPAIR,
	       "superseded initiation: its index is retired"),
	HS_ROW(CREATED_INITIATION, RESP_UNKNOWN, -ENOENT, CREATED_INITIATION, NO_KEYPAIR,
	       "no handshake under that index"),
	HS_ROW(CREATED_INITIATION, CREATE_RESPONSE, -EINVAL, CREATED_INITIATION, NO_KEYPAIR,
	       "we are the initiator"),
	HS_ROW(CREATED_INITIATION, BEGIN_TWICE, -EINVAL, CREATED_INITIATION, NO_KEYPAIR,
	       "no response yet"),
	HS_ROW(CREATED_INITIATION, CREATE_INITIATION, 0, CREATED_INITIATION, NO_KEYPAIR,
	       "a retransmission replaces the outstanding initiation"),

	HS_ROW(CONSUMED_INITIATION, INIT_FRESH, 0, CONSUMED_INITIATION, NO_KEYPAIR,
	       "a newer initiation replaces the unanswered one"),
	HS_ROW(CONSUMED_INITIATION, INIT_REPLAY, -ESTALE, CONSUMED_INITIATION, NO_KEYPAIR,
	       "timestamp not newer: a replay"),
	HS_ROW(CONSUMED_INITIATION, RESP_NEWEST, -ENOENT, CONSUMED_INITIATION, NO_KEYPAIR,
	       "late response: we took the peer's initiation instead"),
	HS_ROW(CONSUMED_INITIATION, RESP_OLDER, -ENOENT, CONSUMED_INITIATION, NO_KEYPAIR,
	       "superseded initiation: its index is retired"),
	HS_ROW(CONSUMED_INITIATION, RESP_UNKNOWN, -ENOENT, CONSUMED_INITIATION, NO_KEYPAIR,
	       "no handshake under that index"),
	HS_ROW(CONSUMED_INITIATION, CREATE_RESPONSE, 0, CREATED_RESPONSE, NO_KEYPAIR,
	       "the answer to the initiation taken"),
	HS_ROW(CONSUMED_INITIATION, BEGIN_TWICE, -EINVAL, CONSUMED_INITIATION, NO_KEYPAIR,
	       "no response created yet"),
	HS_ROW(CONSUMED_INITIATION, CREATE_INITIATION, 0, CREATED_INITIATION, NO_KEYPAIR,
	       "initiating drops the unanswered initiation"),

	HS_ROW(CREATED_RESPONSE, INIT_FRESH, 0, CONSUMED_INITIATION, NO_KEYPAIR,
	       "a newer initiation replaces the answered one"),
	HS_ROW(CREATED_RESPONSE, INIT_REPLAY, -ESTALE, CREATED_RESPONSE, NO_KEYPAIR,
	       "timestamp not newer: a replay"),
	HS_ROW(CREATED_RESPONSE, RESP_NEWEST, -ENOENT, CREATED_RESPONSE, NO_KEYPAIR,
	       "late response: we answered the peer's initiation instead"),
	HS_ROW(CREATED_RESPONSE, RESP_OLDER, -ENOENT, CREATED_RESPONSE, NO_KEYPAIR,
	       "superseded initiation: its index is retired"),
	HS_ROW(CREATED_RESPONSE, RESP_UNKNOWN, -ENOENT, CREATED_RESPONSE, NO_KEYPAIR,
	       "no handshake under that index"),
	HS_ROW(CREATED_RESPONSE, CREATE_RESPONSE, -EINVAL, CREATED_RESPONSE, NO_KEYPAIR,
	       "answered already"),
	HS_ROW(CREATED_RESPONSE, BEGIN_TWICE, 0, ZEROED, NEW_NEXT,
	       "responder: the keypair waits for confirmation"),
	HS_ROW(CREATED_RESPONSE, CREATE_INITIATION, 0, CREATED_INITIATION, NO_KEYPAIR,
	       "initiating drops the response not yet turned into a session"),

	HS_ROW(RESPONDER_SESSION, INIT_FRESH, 0, CONSUMED_INITIATION, NO_KEYPAIR,
	       "a new initiation is always answered"),
	HS_ROW(RESPONDER_SESSION, INIT_REPLAY, -ESTALE, ZEROED, NO_KEYPAIR,
	       "timestamp not newer: a replay"),
	HS_ROW(RESPONDER_SESSION, RESP_NEWEST, -ENOENT, ZEROED, NO_KEYPAIR,
	       "late response: we began a session as the responder instead"),
	HS_ROW(RESPONDER_SESSION, RESP_OLDER, -ENOENT, ZEROED, NO_KEYPAIR,
	       "superseded initiation: its index is retired"),
	HS_ROW(RESPONDER_SESSION, RESP_UNKNOWN, -ENOENT, ZEROED, NO_KEYPAIR,
	       "no handshake under that index"),
	HS_ROW(RESPONDER_SESSION, CREATE_RESPONSE, -EINVAL, ZEROED, NO_KEYPAIR,
	       "answered already"),
	HS_ROW(RESPONDER_SESSION, BEGIN_TWICE, -EINVAL, ZEROED, NO_KEYPAIR,
	       "the session was begun already"),
	HS_ROW(RESPONDER_SESSION, CREATE_INITIATION, 0, CREATED_INITIATION, NO_KEYPAIR,
	       "initiating is always possible"),

	HS_ROW(CONSUMED_RESPONSE, INIT_FRESH, 0, CONSUMED_INITIATION, NO_KEYPAIR,
	       "a new initiation replaces the response not yet turned into a session"),
	HS_ROW(CONSUMED_RESPONSE, INIT_REPLAY, -ESTALE, CONSUMED_RESPONSE, NO_KEYPAIR,
	       "timestamp not newer: a replay"),
	HS_ROW(CONSUMED_RESPONSE, RESP_NEWEST, -ENOENT, CONSUMED_RESPONSE, NO_KEYPAIR,
	       "the same answer again must not make a second session"),
	HS_ROW(CONSUMED_RESPONSE, RESP_OLDER, -ENOENT, CONSUMED_RESPONSE, NO_KEYPAIR,
	       "superseded initiation: its index is retired"),
	HS_ROW(CONSUMED_RESPONSE, RESP_UNKNOWN, -ENOENT, CONSUMED_RESPONSE, NO_KEYPAIR,
	       "no handshake under that index"),
	HS_ROW(CONSUMED_RESPONSE, CREATE_RESPONSE, -EINVAL, CONSUMED_RESPONSE, NO_KEYPAIR,
	       "we are the initiator"),
	HS_ROW(CONSUMED_RESPONSE, BEGIN_TWICE, 0, ZEROED, NEW_CURRENT,
	       "initiator: the response confirmed the keypair"),
	HS_ROW(CONSUMED_RESPONSE, CREATE_INITIATION, 0, CREATED_INITIATION, NO_KEYPAIR,
	       "initiating drops the response not yet turned into a session"),

	HS_ROW(INITIATOR_SESSION, INIT_FRESH, 0, CONSUMED_INITIATION, NO_KEYPAIR,
	       "a new initiation is always answered"),
	HS_ROW(INITIATOR_SESSION, INIT_REPLAY, -ESTALE, ZEROED, NO_KEYPAIR,
	       "timestamp not newer: a replay"),
	HS_ROW(INITIATOR_SESSION, RESP_NEWEST, -ENOENT, ZEROED, NO_KEYPAIR,
	       "the same answer again: its index now names the keypair"),
	HS_ROW(INITIATOR_SESSION, RESP_OLDER, -ENOENT, ZEROED, NO_KEYPAIR,
	       "superseded initiation: its index is retired"),
	HS_ROW(INITIATOR_SESSION, RESP_UNKNOWN, -ENOENT, ZEROED, NO_KEYPAIR,
	       "no handshake under that index"),
	HS_ROW(INITIATOR_SESSION, CREATE_RESPONSE, -EINVAL, ZEROED, NO_KEYPAIR,
	       "no initiation to answer"),
	HS_ROW(INITIATOR_SESSION, BEGIN_TWICE, -EINVAL, ZEROED, NO_KEYPAIR,
	       "the session was begun already"),
	HS_ROW(INITIATOR_SESSION, CREATE_INITIATION, 0, CREATED_INITIATION, NO_KEYPAIR,
	       "initiating is always possible"),
};

struct hs_ctx {
	struct pair *p;
	struct wg_msg_initiation replay;	/* the last one X took from P */
	struct wg_msg_response resp_newest;	/* R2 */
	struct wg_msg_response resp_older;	/* R1 */
};

/* Everything of X's that a rejected input must leave alone. */
struct hs_snap {
	enum wg_noise_state state;
	bool hashed;
	__le32 index, remote_index;
	u8 ephemeral_private[WG_PUBLIC_KEY_LEN], remote_ephemeral[WG_PUBLIC_KEY_LEN];
	u8 hash[WG_HASH_LEN], chaining_key[WG_HASH_LEN];
	u8 latest_timestamp[WG_TIMESTAMP_LEN];
	u64 last_initiation_consumption;
	struct wg_noise_keypair *cur, *prev, *next;	/* the slots */
};

static void hs_snap(struct hs_snap *s, struct side *x)
{
	const struct wg_noise_handshake *hs = &x->hs;

	memset(s, 0, sizeof(*s));
	s->state = hs->state;
	s->hashed = hs->index_entry.hashed;
	s->index = hs->index_entry.index;
	s->remote_index = hs->remote_index;
	memcpy(s->ephemeral_private, hs->ephemeral_private, WG_PUBLIC_KEY_LEN);
	memcpy(s->remote_ephemeral, hs->remote_ephemeral, WG_PUBLIC_KEY_LEN);
	memcpy(s->hash, hs->hash, WG_HASH_LEN);
	memcpy(s->chaining_key, hs->chaining_key, WG_HASH_LEN);
	memcpy(s->latest_timestamp, hs->latest_timestamp, WG_TIMESTAMP_LEN);
	s->last_initiation_consumption = hs->last_initiation_consumption;
	s->cur = slot(&x->kps.current_keypair);
	s->prev = slot(&x->kps.previous_keypair);
	s->next = slot(&x->kps.next_keypair);
}

static void hs_drive(struct kunit *test, struct hs_ctx *c, enum hs_state_row state)
{
	struct side *x = &c->p->a, *peer = &c->p->b;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;

	handshake_from(test, c->p, peer, x, &c->replay);
	KUNIT_ASSERT_TRUE(test, wg_noise_received_with_keypair(&x->kps,
							       slot(&x->kps.next_keypair)));
	wg_test_clock_ns += NSEC_PER_SEC;
	make_initiation(test, x, &init);
	KUNIT_ASSERT_EQ(test, receive_initiation(peer, c->p, &init, false), 0);
	make_response(test, peer, &c->resp_older);
	wg_test_clock_ns += NSEC_PER_SEC;
	make_initiation(test, x, &init);
	KUNIT_ASSERT_EQ(test, receive_initiation(peer, c->p, &init, false), 0);
	make_response(test, peer, &c->resp_newest);

	switch (state) {
	case HS_ZEROED:
		wg_noise_handshake_clear(&x->hs);
		break;
	case HS_CONSUMED_INITIATION:
	case HS_CREATED_RESPONSE:
	case HS_RESPONDER_SESSION:
		wg_test_clock_ns += NSEC_PER_SEC;
		make_initiation(test, peer, &c->replay);
		KUNIT_ASSERT_EQ(test, receive_initiation(x, c->p, &c->replay, false), 0);
		if (state == HS_CONSUMED_INITIATION)
			break;
		make_response(test, x, &resp);
		if (state == HS_RESPONDER_SESSION)
			KUNIT_ASSERT_EQ(test, wg_noise_begin_session(&x->hs, &x->kps), 0);
		break;
	case HS_CONSUMED_RESPONSE:
	case HS_INITIATOR_SESSION:
		KUNIT_ASSERT_EQ(test, receive_response(x, c->p, &c->resp_newest, false), 0);
		if (state == HS_INITIATOR_SESSION)
			KUNIT_ASSERT_EQ(test, wg_noise_begin_session(&x->hs, &x->kps), 0);
		break;
	default:
		break;
	}
	/* Clear of the flood limit for a fresh initiation. */
	wg_test_clock_ns += NSEC_PER_SEC;
	KUNIT_ASSERT_EQ(test, x->hs.state, hs_state_reached[state]);
}

/* An index that names nothing on @s. */
static __le32 hs_unused_index(struct side *s)
{
	struct wg_noise_handshake *hs;
	__le32 index;

	do {
		index = cpu_to_le32(get_random_u32());
		hs = wg_noise_lookup_handshake(&s->nd, index,
					       WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR);
		wg_noise_handshake_put(hs);
	} while (hs);
	return index;
}

static int hs_apply(struct kunit *test, struct hs_ctx *c, enum hs_input input)
{
	struct side *x = &c->p->a, *peer = &c->p->b;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;

	switch (input) {
	case HS_INIT_FRESH:
		make_initiation(test, peer, &init);
		return receive_initiation(x, c->p, &init, false);
	case HS_INIT_REPLAY:
		return receive_initiation(x, c->p, &c->replay, false);
	case HS_RESP_NEWEST:
		return receive_response(x, c->p, &c->resp_newest, false);
	case HS_RESP_OLDER:
		return receive_response(x, c->p, &c->resp_older, false);
	case HS_RESP_UNKNOWN:
		resp = c->resp_newest;
		resp.receiver_index = hs_unused_index(x);
		wg_cookie_add_macs(&peer->maker, &resp, sizeof(resp));
		return receive_response(x, c->p, &resp, false);
	case HS_CREATE_RESPONSE:
		return wg_noise_create_response(&x->hs, &resp);
	case HS_BEGIN_TWICE:
		return wg_noise_begin_session(&x->hs, &x->kps);
	case HS_CREATE_INITIATION:
		return wg_noise_create_initiation(&x->hs, &init);
	default:
		return -EOPNOTSUPP;
	}
}

static void hs_check_row(struct kunit *test, const struct hs_row *row)
{
	const char *st = hs_state_names[row->state], *in = hs_input_names[row->input];
	struct hs_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct hs_snap *before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	struct hs_snap *after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	struct wg_noise_keypair *kp = NULL;
	struct side *x;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	c->p = pair_new(test, NULL, NULL);
	x = &c->p->a;
	hs_drive(test, c, row->state);

	hs_snap(before, x);
	ret = hs_apply(test, c, row->input);
	hs_snap(after, x);
	KUNIT_EXPECT_EQ_MSG(test, ret, row->ret, "%s, %s: %s", st, in, row->why);
	KUNIT_EXPECT_EQ_MSG(test, after->state, row->after, "%s, %s: resulting state", st, in);
	if (ret)
		KUNIT_EXPECT_EQ_MSG(test, memcmp(before, after, sizeof(*before)), 0,
				    "%s, %s: a rejected input changed the handshake", st, in);

	/* Only begin_session may install a keypair, and only one. */
	if (!ret && row->keypair == HS_NEW_CURRENT) {
		kp = after->cur;
		KUNIT_EXPECT_PTR_EQ(test, after->prev, before->cur);
		KUNIT_EXPECT_PTR_EQ(test, after->next, before->next);
	} else if (!ret && row->keypair == HS_NEW_NEXT) {
		kp = after->next;
		KUNIT_EXPECT_PTR_EQ(test, after->cur, before->cur);
		KUNIT_EXPECT_PTR_EQ(test, after->prev, before->prev);
	} else {
		KUNIT_EXPECT_PTR_EQ_MSG(test, after->cur, before->cur, "%s, %s", st, in);
		KUNIT_EXPECT_PTR_EQ_MSG(test, after->prev, before->prev, "%s, %s", st, in);
		KUNIT_EXPECT_PTR_EQ_MSG(test, after->next, before->next, "%s, %s", st, in);
	}
	if (kp) {
		KUNIT_EXPECT_TRUE_MSG(test, kp != before->cur && kp != before->next,
				      "%s, %s: no new keypair", st, in);
		KUNIT_EXPECT_EQ(test, kp->i_am_the_initiator, row->keypair == HS_NEW_CURRENT);
		/* It took over the handshake's index. */
		KUNIT_EXPECT_EQ(test, le32_to_cpu(kp->index_entry.index),
				le32_to_cpu(before->index));
		KUNIT_EXPECT_FALSE(test, x->hs.index_entry.hashed);
	}

	if (row->input == HS_BEGIN_TWICE) {
		hs_snap(before, x);
		KUNIT_EXPECT_EQ_MSG(test, wg_noise_begin_session(&x->hs, &x->kps), -EINVAL,
				    "%s: begin_session a second time", st);
		hs_snap(after, x);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(before, after, sizeof(*before)), 0,
				    "%s: the second begin_session changed something", st);
	}
	pair_done(test, c->p);
	kunit_kfree(test, c->p);
	kunit_kfree(test, c);
	kunit_kfree(test, before);
	kunit_kfree(test, after);
}

static void noise_state_table(struct kunit *test)
{
	bool seen[HS_NR_STATES][HS_NR_INPUTS] = { };
	size_t i, j;

	BUILD_BUG_ON(ARRAY_SIZE(hs_state_names) != HS_NR_STATES);
	BUILD_BUG_ON(ARRAY_SIZE(hs_state_reached) != HS_NR_STATES);
	BUILD_BUG_ON(ARRAY_SIZE(hs_input_names) != HS_NR_INPUTS);
	for (i = 0; i < ARRAY_SIZE(hs_table); i++) {
		KUNIT_EXPECT_FALSE_MSG(test, seen[hs_table[i].state][hs_table[i].input],
				       "row %zu repeats a pair", i);
		seen[hs_table[i].state][hs_table[i].input] = true;
		hs_check_row(test, &hs_table[i]);
	}
	for (i = 0; i < HS_NR_STATES; i++)
		for (j = 0; j < HS_NR_INPUTS; j++)
			KUNIT_EXPECT_TRUE_MSG(test, seen[i][j], "no row for %s, %s",
					      hs_state_names[i], hs_input_names[j]);
}

static struct kunit_case noise_cases[] = {
	KUNIT_CASE(noise_handshake_no_psk),
	KUNIT_CASE(noise_handshake_psk),
	KUNIT_CASE(noise_psk_mismatch),
	KUNIT_CASE(noise_initiation_bitflips),
	KUNIT_CASE(noise_response_bitflips),
	KUNIT_CASE(noise_cookie_reply_fields),
	KUNIT_CASE(noise_replay_and_flood),
	KUNIT_CASE(noise_low_order_keys),
	KUNIT_CASE(noise_mac1_checked_first),
	KUNIT_CASE(noise_unknown_and_missing_keys),
	KUNIT_CASE(noise_keypair_ages),
	KUNIT_CASE(noise_keypair_counters),
	KUNIT_CASE(noise_keypair_slots),
	KUNIT_CASE(noise_tai64n),
	KUNIT_CASE(noise_known_answer),
	{}
};

static struct kunit_suite noise_suite = {
	.name = "kwg_noise",
	.test_cases = noise_cases,
};

static struct kunit_case noise_state_cases[] = {
	KUNIT_CASE(noise_late_response_after_session),
	KUNIT_CASE(noise_late_response_before_session),
	KUNIT_CASE(noise_late_response_crossed_after_session),
	KUNIT_CASE(noise_late_response_crossed_before_session),
	KUNIT_CASE(noise_late_response_crossed_before_response),
	KUNIT_CASE(noise_state_table),
	{}
};

static struct kunit_suite noise_state_suite = {
	.name = "kwg_noise_state",
	.test_cases = noise_state_cases,
};

kunit_test_suites(&noise_suite, &noise_state_suite);
