// SPDX-License-Identifier: GPL-2.0
/*
 * mac1, mac2 and cookie replies. The mac keys depend only on a public key:
 * the device's are derived once per key (every incoming handshake message
 * needs them, under load too), a peer's when one of its messages needs
 * them (see struct wg_cookie_maker).
 */
#include <linux/random.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <crypto/algapi.h>
#include <crypto/blake2s.h>
#include <crypto/chacha20poly1305.h>
#include "cookie.h"

static const u8 label_mac1[8] = "mac1----";
static const u8 label_cookie[8] = "cookie--";

/* HASH(label || public key) */
static void derive_key(u8 out[WG_HASH_LEN], const u8 label[8],
		       const u8 public_key[WG_PUBLIC_KEY_LEN])
{
	struct blake2s_state state;

	blake2s_init(&state, WG_HASH_LEN);
	blake2s_update(&state, label, 8);
	blake2s_update(&state, public_key, WG_PUBLIC_KEY_LEN);
	blake2s_final(&state, out);
}

static bool is_handshake_len(size_t len)
{
	return len == sizeof(struct wg_msg_initiation) ||
	       len == sizeof(struct wg_msg_response);
}

/* mac1 covers the message up to mac1, mac2 up to mac2. */
static struct wg_msg_macs *msg_macs(const void *msg, size_t len)
{
	return (struct wg_msg_macs *)((u8 *)msg + len - sizeof(struct wg_msg_macs));
}

static size_t addr_len(sa_family_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

void wg_cookie_checker_init(struct wg_cookie_checker *checker)
{
	memset(checker, 0, sizeof(*checker));
	rwlock_init(&checker->lock);
}

void wg_cookie_checker_set_key(struct wg_cookie_checker *checker,
			       const u8 public_key[WG_PUBLIC_KEY_LEN])
{
	write_lock_bh(&checker->lock);
	if (public_key) {
		derive_key(checker->mac1_key, label_mac1, public_key);
		derive_key(checker->cookie_key, label_cookie, public_key);
		checker->has_key = true;
	} else {
		memzero_explicit(checker->mac1_key, sizeof(checker->mac1_key));
		memzero_explicit(checker->cookie_key, sizeof(checker->cookie_key));
		checker->has_key = false;
	}
	write_unlock_bh(&checker->lock);
}

void wg_cookie_checker_clear(struct wg_cookie_checker *checker)
{
	write_lock_bh(&checker->lock);
	memzero_explicit(checker->mac1_key, sizeof(checker->mac1_key));
	memzero_explicit(checker->cookie_key, sizeof(checker->cookie_key));
	memzero_explicit(checker->secret, sizeof(checker->secret));
	checker->has_key = false;
	checker->has_secret = false;
	write_unlock_bh(&checker->lock);
}

static void cookie_compute(const u8 secret[WG_HASH_LEN], u8 cookie[WG_COOKIE_LEN],
			   sa_family_t family, const void *addr, __be16 port)
{
	struct blake2s_state state;

	blake2s_init_key(&state, WG_COOKIE_LEN, secret, WG_HASH_LEN);
	blake2s_update(&state, addr, addr_len(family));
	blake2s_update(&state, (const u8 *)&port, sizeof(port));
	blake2s_final(&state, cookie);
}

/* The cookie of a source address, replacing the secret when it is too old. */
static void checker_cookie(struct wg_cookie_checker *checker,
			   u8 cookie[WG_COOKIE_LEN], sa_family_t family,
			   const void *addr, __be16 port)
{
	read_lock_bh(&checker->lock);
	if (checker->has_secret &&
	    !wg_clock_expired(checker->secret_birth, WG_COOKIE_SECRET_MAX_AGE)) {
		cookie_compute(checker->secret, cookie, family, addr, port);
		read_unlock_bh(&checker->lock);
		return;
	}
	read_unlock_bh(&checker->lock);

	write_lock_bh(&checker->lock);
	if (!checker->has_secret ||
	    wg_clock_expired(checker->secret_birth, WG_COOKIE_SECRET_MAX_AGE)) {
		get_random_bytes(checker->secret, sizeof(checker->secret));
		checker->secret_birth = wg_clock_ns();
		checker->has_secret = true;
	}
	cookie_compute(checker->secret, cookie, family, addr, port);
	write_unlock_bh(&checker->lock);
}

enum wg_cookie_mac_state wg_cookie_validate(struct wg_cookie_checker *checker,
					    const void *msg, size_t len,
					    sa_family_t family,
					    const void *addr, __be16 port,
					    bool check_mac2)
{
	const struct wg_msg_macs *macs = msg_macs(msg, len);
	u8 computed[WG_MAC_LEN], cookie[WG_COOKIE_LEN];
	enum wg_cookie_mac_state state = WG_COOKIE_MAC_INVALID;

	if (!is_handshake_len(len) || !addr_len(family))
		return WG_COOKIE_MAC_INVALID;

	read_lock_bh(&checker->lock);
	if (!checker->has_key) {
		read_unlock_bh(&checker->lock);
		return WG_COOKIE_MAC_INVALID;
	}
	blake2s(computed, msg, checker->mac1_key, WG_MAC_LEN,
		len - sizeof(*macs), WG_HASH_LEN);
	read_unlock_bh(&checker->lock);
	if (crypto_memneq(computed, macs->mac1, WG_MAC_LEN))
		goto out;

	state = WG_COOKIE_MAC1_OK;
	if (!check_mac2)
		goto out;

	checker_cookie(checker, cookie, family, addr, port);
	blake2s(computed, msg, cookie, WG_MAC_LEN, len - sizeof(macs->mac2),
		WG_COOKIE_LEN);
	memzero_explicit(cookie, sizeof(cookie));
	if (!crypto_memneq(computed, macs->mac2, WG_MAC_LEN))
		state = WG_COOKIE_MAC1_MAC2_OK;
out:
	memzero_explicit(computed, sizeof(computed));
	return state;
}

int wg_cookie_create_reply(struct wg_cookie_checker *checker,
			   struct wg_msg_cookie *reply,
			   const void *msg, size_t len,
			   sa_family_t family, const void *addr, __be16 port)
{
	/* Both handshake messages carry sender_index at offset 4. */
	const struct wg_msg_initiation *head = msg;
	u8 cookie[WG_COOKIE_LEN];

	if (!is_handshake_len(len) || !addr_len(family))
		return -EINVAL;

	checker_cookie(checker, cookie, family, addr, port);
	reply->header.type = cpu_to_le32(WG_MSG_COOKIE);
	reply->receiver_index = head->sender_index;
	get_random_bytes(reply->nonce, sizeof(reply->nonce));

	read_lock_bh(&checker->lock);
	if (!checker->has_key) {
		read_unlock_bh(&checker->lock);
		memzero_explicit(cookie, sizeof(cookie));
		return -EINVAL;
	}
	xchacha20poly1305_encrypt(reply->encrypted_cookie, cookie, sizeof(cookie),
				  msg_macs(msg, len)->mac1, WG_MAC_LEN,
				  reply->nonce, checker->cookie_key);
	read_unlock_bh(&checker->lock);
	memzero_explicit(cookie, sizeof(cookie));
	return 0;
}

void wg_cookie_maker_init(struct wg_cookie_maker *maker,
			  const u8 peer_public_key[WG_PUBLIC_KEY_LEN])
{
	memset(maker, 0, sizeof(*maker));
	rwlock_init(&maker->lock);
	maker->peer_public = peer_public_key;
}

void wg_cookie_maker_clear(struct wg_cookie_maker *maker)
{
	write_lock_bh(&maker->lock);
	memzero_explicit(maker->cookie, sizeof(maker->cookie));
	maker->has_cookie = false;
	maker->has_last_mac1 = false;
	write_unlock_bh(&maker->lock);
}

void wg_cookie_add_macs(struct wg_cookie_maker *maker, void *msg, size_t len)
{
	struct wg_msg_macs *macs = msg_macs(msg, len);
	u8 mac1_key[WG_HASH_LEN];

	if (WARN_ON(!is_handshake_len(len)))
		return;

	derive_key(mac1_key, label_mac1, maker->peer_public);
	write_lock_bh(&maker->lock);
	blake2s(macs->mac1, msg, mac1_key, WG_MAC_LEN,
		len - sizeof(*macs), WG_HASH_LEN);
	memcpy(maker->last_mac1, macs->mac1, WG_MAC_LEN);
	maker->has_last_mac1 = true;

	if (maker->has_cookie &&
	    !wg_clock_expired(maker->cookie_birth,
			      WG_COOKIE_SECRET_MAX_AGE - WG_COOKIE_SECRET_LATENCY))
		blake2s(macs->mac2, msg, maker->cookie, WG_MAC_LEN,
			len - sizeof(macs->mac2), WG_COOKIE_LEN);
	else
		memset(macs->mac2, 0, WG_MAC_LEN);
	write_unlock_bh(&maker->lock);
}

int wg_cookie_consume_reply(struct wg_cookie_maker *maker,
			    const struct wg_msg_cookie *reply)
{
	u8 cookie[WG_COOKIE_LEN], mac1[WG_MAC_LEN], cookie_key[WG_HASH_LEN];
	bool opened;

	derive_key(cookie_key, label_cookie, maker->peer_public);
	read_lock_bh(&maker->lock);
	if (!maker->has_last_mac1) {
		read_unlock_bh(&maker->lock);
		return -EINVAL;
	}
	memcpy(mac1, maker->last_mac1, sizeof(mac1));
	opened = xchacha20poly1305_decrypt(cookie, reply->encrypted_cookie,
					   sizeof(reply->encrypted_cookie),
					   mac1, sizeof(mac1), reply->nonce,
					   cookie_key);
	read_unlock_bh(&maker->lock);
	if (!opened) {
		/* What a failed open left there is keystream: erase it too. */
		memzero_explicit(cookie, sizeof(cookie));
		return -EBADMSG;
	}

	write_lock_bh(&maker->lock);
	/*
	 * Only the first reply to a message counts: a replayed reply must not
	 * keep refreshing the cookie's age.
	 */
	if (maker->has_last_mac1 && !crypto_memneq(mac1, maker->last_mac1, sizeof(mac1))) {
		memcpy(maker->cookie, cookie, sizeof(cookie));
		maker->cookie_birth = wg_clock_ns();
		maker->has_cookie = true;
		maker->has_last_mac1 = false;
	}
	write_unlock_bh(&maker->lock);
	memzero_explicit(cookie, sizeof(cookie));
	return 0;
}
