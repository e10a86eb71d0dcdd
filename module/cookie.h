/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mac1, mac2 and cookie replies (protocol.md section 4).
 *
 * The device owns one struct wg_cookie_checker: it validates the macs of
 * incoming handshake messages with the device's own public key, and makes
 * cookie replies from a random secret it replaces every 120 s.
 *
 * Each peer owns one struct wg_cookie_maker: it puts mac1 (and mac2, while it
 * holds a fresh cookie from that peer) on the handshake messages sent to the
 * peer, and consumes that peer's cookie replies.
 *
 * Source addresses are passed as (family, address, port), network order;
 * nothing here knows about sk_buffs.
 */
#ifndef _KWG_COOKIE_H
#define _KWG_COOKIE_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/socket.h>
#include "messages.h"

struct wg_cookie_checker {
	rwlock_t lock;			/* taken with BH disabled */
	bool has_key;
	u8 mac1_key[WG_HASH_LEN];	/* HASH(LABEL_MAC1 || own public) */
	u8 cookie_key[WG_HASH_LEN];	/* HASH(LABEL_COOKIE || own public) */
	u8 secret[WG_HASH_LEN];		/* R_m */
	u64 secret_birth;		/* wg_clock_ns() */
	bool has_secret;
};

/*
 * Its two keys, HASH(LABEL_MAC1 || peer public) and HASH(LABEL_COOKIE ||
 * peer public), are derived from public data when a message needs one,
 * not kept: a peer sends a handshake message every two minutes at most,
 * and 64 bytes are 4 % of what every configured peer costs.
 */
struct wg_cookie_maker {
	rwlock_t lock;			/* taken with BH disabled */
	const u8 *peer_public;		/* the peer's key, outlives the maker */
	u8 cookie[WG_COOKIE_LEN];
	u64 cookie_birth;		/* wg_clock_ns() */
	bool has_cookie;
	u8 last_mac1[WG_MAC_LEN];	/* of the last message sent to the peer */
	bool has_last_mac1;
};

/* Outcome of checking an incoming handshake message. */
enum wg_cookie_mac_state {
	WG_COOKIE_MAC_INVALID,		/* bad mac1: drop without more work */
	WG_COOKIE_MAC1_OK,		/* mac1 good; mac2 absent or bad */
	WG_COOKIE_MAC1_MAC2_OK,		/* both good: the sender is not spoofed */
};

/**
 * wg_cookie_checker_init() - Initialise a checker without a key.
 * @checker: the checker.
 *
 * Until wg_cookie_checker_set_key() gives it one, every message is invalid.
 */
void wg_cookie_checker_init(struct wg_cookie_checker *checker);

/**
 * wg_cookie_checker_set_key() - Follow a change of the device's key pair.
 * @checker: the checker.
 * @public_key: the device's new public key, or NULL when it has none.
 *
 * Any context but hard IRQ.
 */
void wg_cookie_checker_set_key(struct wg_cookie_checker *checker,
			       const u8 public_key[WG_PUBLIC_KEY_LEN]);

/**
 * wg_cookie_checker_clear() - Erase every secret of the checker.
 * @checker: the checker.
 */
void wg_cookie_checker_clear(struct wg_cookie_checker *checker);

/**
 * wg_cookie_validate() - Check mac1, and mac2 if asked, of a handshake message.
 * @checker: the checker.
 * @msg: the whole message (initiation or response); macs are its last 32 bytes.
 * @len: its length, sizeof(struct wg_msg_initiation) or of a response.
 * @family: AF_INET or AF_INET6: the message's source.
 * @addr: the source address, network order.
 * @port: the source port, network order.
 * @check_mac2: false when not under load: mac2 is not looked at (cheap).
 *
 * mac1 is checked first, in constant time; mac2 is computed only if mac1 is
 * right and @check_mac2 is set (this may first replace an expired secret).
 * Any context but hard IRQ.
 *
 * Return: the &enum wg_cookie_mac_state.
 */
enum wg_cookie_mac_state wg_cookie_validate(struct wg_cookie_checker *checker,
					    const void *msg, size_t len,
					    sa_family_t family,
					    const void *addr, __be16 port,
					    bool check_mac2);

/**
 * wg_cookie_create_reply() - Answer a message whose mac2 was not valid.
 * @checker: the checker.
 * @reply: filled completely (type, receiver index, nonce, sealed cookie).
 * @msg: the message answered (its sender_index at offset 4 and mac1).
 * @len: its length.
 * @family: AF_INET or AF_INET6: the message's source.
 * @addr: the source address, network order.
 * @port: the source port, network order.
 *
 * Any context but hard IRQ.
 *
 * Return: 0, or -EINVAL if the checker has no key or @len is no handshake.
 */
int wg_cookie_create_reply(struct wg_cookie_checker *checker,
			   struct wg_msg_cookie *reply,
			   const void *msg, size_t len,
			   sa_family_t family, const void *addr, __be16 port);

/**
 * wg_cookie_maker_init() - Initialise a peer's maker.
 * @maker: the maker.
 * @peer_public_key: the peer's static public key: kept by reference, so it
 *	must not change or go away before the maker.
 */
void wg_cookie_maker_init(struct wg_cookie_maker *maker,
			  const u8 peer_public_key[WG_PUBLIC_KEY_LEN]);

/**
 * wg_cookie_maker_clear() - Erase every secret of the maker.
 * @maker: the maker.
 */
void wg_cookie_maker_clear(struct wg_cookie_maker *maker);

/**
 * wg_cookie_add_macs() - Put mac1 and mac2 on an outgoing handshake message.
 * @maker: the maker of the peer the message goes to.
 * @msg: the whole message; its last 32 bytes are overwritten.
 * @len: its length, sizeof(struct wg_msg_initiation) or of a response.
 *
 * mac2 is zero unless the maker holds a cookie younger than
 * %WG_COOKIE_SECRET_MAX_AGE - %WG_COOKIE_SECRET_LATENCY seconds. mac1 is
 * remembered to open the cookie reply it may provoke. Any context but hard
 * IRQ.
 */
void wg_cookie_add_macs(struct wg_cookie_maker *maker, void *msg, size_t len);

/**
 * wg_cookie_consume_reply() - Store the cookie a peer sent.
 * @maker: the maker of the peer that @reply's receiver index belongs to.
 * @reply: the cookie reply.
 *
 * Opens the cookie with the peer's cookie key and the last mac1 sent to it.
 * Does not trigger anything else (no retransmission). Any context but hard
 * IRQ.
 *
 * Return: 0, -EINVAL if nothing was sent to the peer yet, -EBADMSG if the
 * reply does not open.
 */
int wg_cookie_consume_reply(struct wg_cookie_maker *maker,
			    const struct wg_msg_cookie *reply);

#endif /* _KWG_COOKIE_H */
