/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Noise IKpsk2 handshake and its transport keypairs (protocol.md
 * section 3).
 *
 * Objects and who embeds them:
 *
 *  struct wg_noise_device     one per device: the static identity plus the
 *                             index and public-key tables.
 *  struct wg_noise_handshake  one per peer: the peer's static public key,
 *                             preshared key, static-static DH (on use),
 *                             the handshake in progress and the replay and
 *                             flood state of initiations.
 *  struct wg_noise_keypairs   one per peer: the previous/current/next
 *                             transport keypair slots.
 *  struct wg_noise_keypair    refcounted, allocated by wg_noise_begin_session().
 *
 * The handshake does not know the peer. It is given the peer's kref (and its
 * release function) at init; every function that finds a handshake through a
 * table returns it with that kref taken, and every keypair holds one for its
 * whole life. The glue gets the peer back with container_of() and drops the
 * reference with its own put (or wg_noise_handshake_put()). The release
 * function may run in any context, including RCU callbacks (softirq).
 *
 * Locking, outermost first: the device's configuration mutex (caller),
 * wg_noise_identity.lock (rw_semaphore), wg_noise_handshake.lock
 * (rw_semaphore), wg_noise_keypairs.lock (spinlock, BH). Handshake functions
 * take the semaphores and generate keys with get_random_bytes_wait(): they
 * may sleep and run in process context (a workqueue). Keypair functions are
 * for the packet paths: any context but hard IRQ.
 *
 * Every secret is erased with memzero_explicit() when it stops being needed.
 */
#ifndef _KWG_NOISE_H
#define _KWG_NOISE_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/err.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/rcupdate.h>
#include <linux/atomic.h>
#include "messages.h"
#include "peerlookup.h"
#include "counter.h"

struct wg_noise_identity {
	struct rw_semaphore lock;
	bool has_key;
	u8 private_key[WG_PUBLIC_KEY_LEN];	/* clamped */
	u8 public_key[WG_PUBLIC_KEY_LEN];
};

struct wg_noise_device {
	struct wg_noise_identity identity;
	struct wg_index_table index_table;
	struct wg_pubkey_table pubkey_table;
};

enum wg_noise_state {
	WG_NOISE_ZEROED,
	WG_NOISE_CREATED_INITIATION,	/* we are the initiator, waiting */
	WG_NOISE_CONSUMED_INITIATION,	/* we are the responder, must answer */
	WG_NOISE_CREATED_RESPONSE,	/* responder: ready for begin_session */
	WG_NOISE_CONSUMED_RESPONSE,	/* initiator: ready for begin_session */
};

enum wg_static_static {
	WG_STATIC_STATIC_UNKNOWN,	/* not computed since the identity changed */
	WG_STATIC_STATIC_OK,
	WG_STATIC_STATIC_NONE,		/* low-order peer key, no identity, or wiped */
};

struct wg_noise_handshake {
	/* Our index for this handshake (the sender_index we sent). */
	struct wg_index_entry index_entry;
	/* pubkey_entry.pubkey is the peer's static public key. */
	struct wg_pubkey_entry pubkey_entry;
	struct wg_noise_device *nd;
	struct kref *owner_ref;
	void (*owner_release)(struct kref *ref);

	struct rw_semaphore lock;	/* everything below */
	enum wg_noise_state state;
	/*
	 * enum wg_static_static: the static-static DH is computed by the
	 * first handshake that needs it, not when the peer is configured
	 * (a 10,000-peer setconf would do 10,000 scalar multiplications).
	 */
	u8 static_static_state;
	u8 static_static[WG_PUBLIC_KEY_LEN];
	u8 preshared_key[WG_SYMMETRIC_KEY_LEN];
	u8 ephemeral_private[WG_PUBLIC_KEY_LEN];
	u8 remote_ephemeral[WG_PUBLIC_KEY_LEN];
	u8 hash[WG_HASH_LEN];
	u8 chaining_key[WG_HASH_LEN];
	__le32 remote_index;
	/* Replay and flood protection of initiations; survives clearing. */
	u8 latest_timestamp[WG_TIMESTAMP_LEN];
	u64 last_initiation_consumption;	/* wg_clock_ns(), 0: never */
};

struct wg_noise_keypair {
	/* Our index: data sent to us on this keypair carries it. */
	struct wg_index_entry index_entry;
	struct {
		u8 key[WG_SYMMETRIC_KEY_LEN];
		/* Cleared for good: expired, exhausted or superseded. */
		bool is_valid;
	} sending;
	atomic64_t sending_counter;
	/* Valid until REJECT_AFTER_TIME; its counters are checked apart. */
	struct {
		u8 key[WG_SYMMETRIC_KEY_LEN];
	} receiving;
	struct wg_counter receiving_counter;
	__le32 remote_index;		/* put in the data messages we send */
	bool i_am_the_initiator;
	u64 birth;			/* wg_clock_ns() */
	struct wg_noise_handshake *handshake;	/* owner; we hold its kref */
	struct kref refcount;
	struct rcu_head rcu;
};

struct wg_noise_keypairs {
	struct wg_noise_keypair __rcu *current_keypair;
	struct wg_noise_keypair __rcu *previous_keypair;
	struct wg_noise_keypair __rcu *next_keypair;	/* unconfirmed */
	spinlock_t lock;		/* writers, taken with BH disabled */
};

/* --- device ------------------------------------------------------------ */

/**
 * wg_noise_device_init() - Initialise the identity (none) and the tables.
 * @nd: the device state.
 *
 * Process context, may sleep. Return: 0 or -ENOMEM.
 */
int wg_noise_device_init(struct wg_noise_device *nd);

/**
 * wg_noise_device_uninit() - Erase the identity and free the tables.
 * @nd: the device state; every handshake must be unpublished.
 *
 * Process context.
 */
void wg_noise_device_uninit(struct wg_noise_device *nd);

/**
 * wg_noise_set_private_key() - Set or remove the device's static key pair.
 * @nd: the device state.
 * @private_key: the key (clamped before use), or NULL or all zeros to
 *	remove the identity.
 *
 * Afterwards the caller must call wg_noise_handshake_identity_changed() on
 * every peer and wg_cookie_checker_set_key() with the new public key (see
 * wg_noise_get_identity()). Under the configuration mutex; process context,
 * may sleep.
 *
 * Return: true if the device now has an identity.
 */
bool wg_noise_set_private_key(struct wg_noise_device *nd,
			      const u8 private_key[WG_PUBLIC_KEY_LEN]);

/**
 * wg_noise_get_identity() - Copy out the static key pair.
 * @nd: the device state.
 * @public_key: receives the public key (zeros when none).
 * @private_key: receives the private key, or NULL if not wanted. The caller
 *	erases its copy.
 *
 * Process context, may sleep. Return: whether there is an identity.
 */
bool wg_noise_get_identity(struct wg_noise_device *nd,
			   u8 public_key[WG_PUBLIC_KEY_LEN],
			   u8 private_key[WG_PUBLIC_KEY_LEN]);

/* --- per-peer handshake state -------------------------------------------- */

/**
 * wg_noise_handshake_init() - Set up a peer's handshake state.
 * @hs: the state, embedded in the peer.
 * @nd: the device state.
 * @peer_public_key: the peer's static public key.
 * @preshared_key: the preshared key, or NULL for none (all zeros).
 * @owner_ref: the peer's reference count, or NULL if the owner is not
 *	refcounted (then lookups return no reference and keypairs hold none).
 * @owner_release: its release function.
 *
 * Computes the static-static DH with the current identity. Not yet findable:
 * see wg_noise_handshake_publish(). Process context, may sleep.
 */
void wg_noise_handshake_init(struct wg_noise_handshake *hs,
			     struct wg_noise_device *nd,
			     const u8 peer_public_key[WG_PUBLIC_KEY_LEN],
			     const u8 preshared_key[WG_SYMMETRIC_KEY_LEN],
			     struct kref *owner_ref,
			     void (*owner_release)(struct kref *ref));

/**
 * wg_noise_handshake_publish() - Make the peer findable by its public key.
 * @hs: the state.
 *
 * Process context, may sleep. Return: 0, or -EEXIST if a peer with the same
 * public key is already published.
 */
int wg_noise_handshake_publish(struct wg_noise_handshake *hs);

/**
 * wg_noise_handshake_unpublish() - Remove the peer from both tables.
 * @hs: the state.
 *
 * First step of removing a peer: afterwards no lookup can find the
 * handshake (nor, via the index table, a handshake in progress); lookups
 * already running may until an RCU grace period passes. Also clears the
 * handshake. Keypairs are unpublished by wg_noise_keypairs_clear().
 * Process context, may sleep.
 */
void wg_noise_handshake_unpublish(struct wg_noise_handshake *hs);

/**
 * wg_noise_handshake_set_psk() - Set or remove the preshared key.
 * @hs: the state.
 * @preshared_key: the key, or NULL for none (all zeros).
 *
 * Process context, may sleep.
 */
void wg_noise_handshake_set_psk(struct wg_noise_handshake *hs,
				const u8 preshared_key[WG_SYMMETRIC_KEY_LEN]);

/**
 * wg_noise_handshake_get_psk() - Copy out the preshared key.
 * @hs: the state.
 * @preshared_key: receives it; the caller erases its copy.
 *
 * Process context, may sleep. Return: false if it is all zeros (none).
 */
bool wg_noise_handshake_get_psk(struct wg_noise_handshake *hs,
				u8 preshared_key[WG_SYMMETRIC_KEY_LEN]);

/**
 * wg_noise_handshake_identity_changed() - Follow a change of the device identity.
 * @hs: the state.
 *
 * Forgets the static-static DH (the next handshake computes it with the new
 * key) and abandons a handshake in progress (made with the old key). Call
 * for every peer after wg_noise_set_private_key(). Process context, may
 * sleep.
 */
void wg_noise_handshake_identity_changed(struct wg_noise_handshake *hs);

/**
 * wg_noise_handshake_clear() - Abandon the handshake in progress.
 * @hs: the state.
 *
 * Erases ephemeral keys, hash and chaining key and gives up its index. The
 * timestamp and flood state of initiations are kept: they are what stops
 * replays. Process context, may sleep.
 */
void wg_noise_handshake_clear(struct wg_noise_handshake *hs);

/**
 * wg_noise_handshake_wipe() - Erase every secret of a peer that goes away.
 * @hs: the state, unpublished, which nothing will use for a handshake again.
 *
 * wg_noise_handshake_clear(), and the preshared key and the static-static DH
 * are erased too. Process context, may sleep.
 */
void wg_noise_handshake_wipe(struct wg_noise_handshake *hs);

/**
 * wg_noise_handshake_put() - Drop the owner reference a lookup returned.
 * @hs: the state, or NULL.
 *
 * Any context.
 */
void wg_noise_handshake_put(struct wg_noise_handshake *hs);

/* --- the four handshake steps -------------------------------------------- */

/**
 * wg_noise_create_initiation() - Build message 1 for this peer.
 * @hs: the peer's state.
 * @msg: filled except for the macs (see wg_cookie_add_macs()).
 *
 * Replaces any handshake in progress and takes a fresh sender index. On
 * failure @msg is zeroed. Process context, may sleep.
 *
 * Return: 0; -ENOKEY if the device has no identity or the peer's key is
 * unusable (low order).
 */
int wg_noise_create_initiation(struct wg_noise_handshake *hs,
			       struct wg_msg_initiation *msg);

/**
 * wg_noise_consume_initiation() - Process message 1 (its mac1 already checked).
 * @nd: the device state.
 * @msg: the message.
 *
 * On success the sender's handshake moves to WG_NOISE_CONSUMED_INITIATION
 * (replacing anything in progress); answer it with
 * wg_noise_create_response(). Nothing changes on failure. Process context,
 * may sleep.
 *
 * Return: the sender's handshake with an owner reference, or ERR_PTR():
 * -ENOKEY (no identity, unknown sender, sender's static key of low order),
 * -EBADMSG (does not authenticate, or a low-order ephemeral key), -ESTALE
 * (timestamp not newer: replay), -EBUSY (less than
 * 1/%WG_INITIATIONS_PER_SECOND s since the last accepted one: flood).
 */
struct wg_noise_handshake *
wg_noise_consume_initiation(struct wg_noise_device *nd,
			    const struct wg_msg_initiation *msg);

/**
 * wg_noise_create_response() - Build message 2 for a consumed initiation.
 * @hs: the peer's state, in WG_NOISE_CONSUMED_INITIATION.
 * @msg: filled except for the macs.
 *
 * Takes a fresh sender index. On failure @msg is zeroed and the handshake
 * is left unchanged. Process context, may sleep.
 *
 * Return: 0; -EINVAL in the wrong state; -ENOKEY (identity gone, low order).
 */
int wg_noise_create_response(struct wg_noise_handshake *hs,
			     struct wg_msg_response *msg);

/**
 * wg_noise_consume_response() - Process message 2 (its mac1 already checked).
 * @nd: the device state.
 * @msg: the message; its receiver_index names our initiation.
 *
 * On success the handshake moves to WG_NOISE_CONSUMED_RESPONSE; then call
 * wg_noise_begin_session(). Nothing changes on failure. Process context,
 * may sleep.
 *
 * Return: the handshake with an owner reference, or ERR_PTR(): -ENOENT (no
 * initiation in progress under that index), -ENOKEY (no identity), -EBADMSG
 * (does not authenticate, or a low-order ephemeral key).
 */
struct wg_noise_handshake *
wg_noise_consume_response(struct wg_noise_device *nd,
			  const struct wg_msg_response *msg);

/**
 * wg_noise_begin_session() - Derive the transport keypair and install it.
 * @hs: a handshake in WG_NOISE_CREATED_RESPONSE (responder) or
 *	WG_NOISE_CONSUMED_RESPONSE (initiator).
 * @kps: the same peer's keypair slots.
 *
 * The initiator's keypair becomes current at once (the previous current, or
 * an unconfirmed next, becomes previous). The responder's becomes next: it
 * is used for sending only after the first data message arrives on it (see
 * wg_noise_received_with_keypair()). The keypair takes over the handshake's
 * index, and the handshake is cleared; it is cleared too when this fails
 * with -ENOMEM or -ENOENT. Process context, may sleep.
 *
 * Return: 0; -EINVAL in the wrong state; -ENOMEM; -ENOENT if the handshake
 * lost its index meanwhile (it was cleared).
 */
int wg_noise_begin_session(struct wg_noise_handshake *hs,
			   struct wg_noise_keypairs *kps);

/* --- lookups for the receive paths ----------------------------------------- */

/**
 * wg_noise_lookup_handshake() - The handshake behind a receiver index.
 * @nd: the device state.
 * @index: the index as on the wire.
 * @kinds: WG_INDEX_HANDSHAKE and/or WG_INDEX_KEYPAIR (a cookie reply may
 *	answer either a handshake message or, late, one whose handshake already
 *	became a keypair).
 *
 * Any context but hard IRQ. Return: the handshake with an owner reference,
 * or NULL.
 */
struct wg_noise_handshake *wg_noise_lookup_handshake(struct wg_noise_device *nd,
						     __le32 index,
						     unsigned int kinds);

/**
 * wg_noise_lookup_pubkey() - The published handshake of a public key.
 * @nd: the device state.
 * @public_key: the peer's static public key.
 *
 * Any context but hard IRQ. Return: the handshake with an owner reference,
 * or NULL.
 */
struct wg_noise_handshake *
wg_noise_lookup_pubkey(struct wg_noise_device *nd,
		       const u8 public_key[WG_PUBLIC_KEY_LEN]);

/**
 * wg_noise_lookup_keypair() - The keypair a data message is addressed to.
 * @nd: the device state.
 * @index: the data message's receiver_index.
 *
 * Any context but hard IRQ. Return: the keypair with a reference (drop it
 * with wg_noise_keypair_put()), or NULL. The keypair's owner stays alive as
 * long as the keypair does.
 */
struct wg_noise_keypair *wg_noise_lookup_keypair(struct wg_noise_device *nd,
						 __le32 index);

/* --- keypairs ---------------------------------------------------------------- */

/**
 * wg_noise_keypairs_init() - Empty slots.
 * @kps: the slots.
 */
void wg_noise_keypairs_init(struct wg_noise_keypairs *kps);

/**
 * wg_noise_keypairs_clear() - Drop all three keypairs.
 * @kps: the slots.
 *
 * They leave the index table at once; each is erased and freed when its
 * last reference goes (after an RCU grace period). Any context but hard IRQ.
 *
 * Return: true if there was any keypair to drop.
 */
bool wg_noise_keypairs_clear(struct wg_noise_keypairs *kps);

/**
 * wg_noise_keypairs_current() - The keypair to send with.
 * @kps: the slots.
 *
 * Any context but hard IRQ. Return: the current keypair with a reference,
 * or NULL. Check it with wg_noise_keypair_next_counter() before use.
 */
struct wg_noise_keypair *wg_noise_keypairs_current(struct wg_noise_keypairs *kps);

/**
 * wg_noise_received_with_keypair() - Key confirmation.
 * @kps: the slots of the keypair's peer.
 * @kp: a keypair on which an authenticated data message just arrived.
 *
 * If @kp is the unconfirmed next keypair it becomes current, the current
 * one becomes previous and the old previous is dropped. Any context but
 * hard IRQ.
 *
 * Return: true if that rotation happened (the caller may now send staged
 * packets with the new current keypair).
 */
bool wg_noise_received_with_keypair(struct wg_noise_keypairs *kps,
				    struct wg_noise_keypair *kp);

/**
 * wg_noise_expire_current_keypairs() - Stop sending on current and next.
 * @kps: the slots.
 *
 * Receiving on them stays possible until they age out. Any context but
 * hard IRQ.
 */
void wg_noise_expire_current_keypairs(struct wg_noise_keypairs *kps);

/**
 * wg_noise_keypair_get() - Take a reference.
 * @kp: the keypair (seen under RCU, or already referenced).
 *
 * Return: @kp, or NULL if it is already being freed.
 */
struct wg_noise_keypair *wg_noise_keypair_get(struct wg_noise_keypair *kp);

/**
 * wg_noise_keypair_put() - Drop a reference; the last one erases and frees.
 * @kp: the keypair, or NULL.
 *
 * Any context but hard IRQ.
 */
void wg_noise_keypair_put(struct wg_noise_keypair *kp);

/**
 * wg_noise_keypair_next_counter() - Reserve the counter of the next message.
 * @kp: the keypair.
 * @counter: receives the counter (counters are handed out in order).
 *
 * Fails, and keeps failing, once the sending key was expired, is
 * %WG_REJECT_AFTER_TIME old, or %WG_REJECT_AFTER_MESSAGES were sent. Any
 * context.
 *
 * Return: true if @counter may be used with @kp->sending.key.
 */
bool wg_noise_keypair_next_counter(struct wg_noise_keypair *kp, u64 *counter);

/**
 * wg_noise_keypair_can_receive() - Whether data on this keypair is acceptable.
 * @kp: the keypair.
 *
 * False once its receiving key is %WG_REJECT_AFTER_TIME old. The counter is
 * checked separately with wg_counter_validate(&kp->receiving_counter, n)
 * after the AEAD opened. Any context.
 */
bool wg_noise_keypair_can_receive(const struct wg_noise_keypair *kp);

/**
 * wg_noise_keypair_rekey_on_send() - Whether sending on @kp calls for a handshake.
 * @kp: the current keypair.
 *
 * True when it sent more than %WG_REKEY_AFTER_MESSAGES, or when we are its
 * initiator and it is %WG_REKEY_AFTER_TIME old. Any context.
 */
bool wg_noise_keypair_rekey_on_send(struct wg_noise_keypair *kp);

/**
 * wg_noise_keypair_rekey_on_receive() - Whether receiving on @kp calls for one.
 * @kp: the keypair data arrived on.
 *
 * True when we are its initiator and it is %WG_REKEY_ON_RECEIVE_AGE old;
 * the caller makes sure it acts on this once per keypair. Any context.
 */
bool wg_noise_keypair_rekey_on_receive(const struct wg_noise_keypair *kp);

#endif /* _KWG_NOISE_H */
