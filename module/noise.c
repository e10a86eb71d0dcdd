// SPDX-License-Identifier: GPL-2.0
/*
 * Noise IKpsk2 as WireGuard uses it (protocol.md section 3), and the
 * transport keypairs it produces.
 *
 * Each step works on copies of the chaining key and hash and commits them
 * to the handshake only when the whole message checked out, so a bad
 * message changes nothing.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/random.h>
#include <linux/math64.h>
#include <crypto/algapi.h>
#include <crypto/blake2s.h>
#include <crypto/curve25519.h>
#include <crypto/chacha20poly1305.h>
#include "noise.h"

static const u8 construction[37] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const u8 identifier[34] = "WireGuard v1 zx2c4 Jason@zx2c4.com";

/* Chaining key and hash of a handshake in progress. */
struct noise_state {
	u8 ck[WG_HASH_LEN];
	u8 h[WG_HASH_LEN];
};

static void state_erase(struct noise_state *s)
{
	memzero_explicit(s, sizeof(*s));
}

/* HMAC-BLAKE2s with a key of at most one block; @out may alias @in. */
static void hmac(u8 out[WG_HASH_LEN], const u8 *in, size_t in_len,
		 const u8 *key, size_t key_len)
{
	struct blake2s_state state;
	u8 pad[BLAKE2S_BLOCK_SIZE] = { };
	u8 inner[WG_HASH_LEN];
	size_t i;

	memcpy(pad, key, key_len);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36;
	blake2s_init(&state, WG_HASH_LEN);
	blake2s_update(&state, pad, sizeof(pad));
	blake2s_update(&state, in, in_len);
	blake2s_final(&state, inner);

	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	blake2s_init(&state, WG_HASH_LEN);
	blake2s_update(&state, pad, sizeof(pad));
	blake2s_update(&state, inner, sizeof(inner));
	blake2s_final(&state, out);

	memzero_explicit(pad, sizeof(pad));
	memzero_explicit(inner, sizeof(inner));
}

/*
 * KDF_n(key, x) for n = 1, 2, 3 (the number of non-NULL outputs, filled in
 * order): t0 = HMAC(key, x), t1 = HMAC(t0, 0x01), ti = HMAC(t0, ti-1 || i).
 * Outputs may alias @key or @x.
 */
static void kdf(u8 *t1, u8 *t2, u8 *t3, const u8 *x, size_t x_len,
		const u8 key[WG_HASH_LEN])
{
	u8 t0[WG_HASH_LEN], t[WG_HASH_LEN + 1];
	u8 *outs[3] = { t1, t2, t3 };
	size_t i;

	hmac(t0, x, x_len, key, WG_HASH_LEN);
	for (i = 0; i < ARRAY_SIZE(outs) && outs[i]; i++) {
		t[WG_HASH_LEN] = i + 1;
		if (i == 0)
			hmac(t, &t[WG_HASH_LEN], 1, t0, WG_HASH_LEN);
		else
			hmac(t, t, sizeof(t), t0, WG_HASH_LEN);
		memcpy(outs[i], t, WG_HASH_LEN);
	}
	memzero_explicit(t0, sizeof(t0));
	memzero_explicit(t, sizeof(t));
}

/* h = HASH(h || data) */
static void mix_hash(struct noise_state *s, const u8 *data, size_t len)
{
	struct blake2s_state state;

	blake2s_init(&state, WG_HASH_LEN);
	blake2s_update(&state, s->h, WG_HASH_LEN);
	blake2s_update(&state, data, len);
	blake2s_final(&state, s->h);
}

/* ck = KDF1(ck, public); h = HASH(h || public) */
static void mix_ephemeral(struct noise_state *s, const u8 pub[WG_PUBLIC_KEY_LEN])
{
	kdf(s->ck, NULL, NULL, pub, WG_PUBLIC_KEY_LEN, s->ck);
	mix_hash(s, pub, WG_PUBLIC_KEY_LEN);
}

/*
 * (ck, key) = KDF2(ck, DH(priv, pub)), or ck = KDF1(...) when @key is NULL.
 * Fails on an all-zero DH result (a low-order public key).
 */
static bool mix_dh(struct noise_state *s, u8 key[WG_SYMMETRIC_KEY_LEN],
		   const u8 priv[WG_PUBLIC_KEY_LEN], const u8 pub[WG_PUBLIC_KEY_LEN])
{
	u8 dh[WG_PUBLIC_KEY_LEN];
	bool ok = curve25519(dh, priv, pub);

	if (ok)
		kdf(s->ck, key, NULL, dh, sizeof(dh), s->ck);
	memzero_explicit(dh, sizeof(dh));
	return ok;
}

/* (ck, key) = KDF2(ck, dh) for a precomputed DH result. */
static void mix_precomputed(struct noise_state *s, u8 key[WG_SYMMETRIC_KEY_LEN],
			    const u8 dh[WG_PUBLIC_KEY_LEN])
{
	kdf(s->ck, key, NULL, dh, WG_PUBLIC_KEY_LEN, s->ck);
}

/* (ck, tau, key) = KDF3(ck, psk); h = HASH(h || tau) */
static void mix_psk(struct noise_state *s, u8 key[WG_SYMMETRIC_KEY_LEN],
		    const u8 psk[WG_SYMMETRIC_KEY_LEN])
{
	u8 tau[WG_HASH_LEN];

	kdf(s->ck, tau, key, psk, WG_SYMMETRIC_KEY_LEN, s->ck);
	mix_hash(s, tau, sizeof(tau));
	memzero_explicit(tau, sizeof(tau));
}

/* dst = AEAD(key, 0, src, h); h = HASH(h || dst) */
static void seal(struct noise_state *s, u8 *dst, const u8 *src, size_t len,
		 const u8 key[WG_SYMMETRIC_KEY_LEN])
{
	chacha20poly1305_encrypt(dst, src, len, s->h, WG_HASH_LEN, 0, key);
	mix_hash(s, dst, WG_SEALED_LEN(len));
}

/* The inverse of seal(); @sealed_len includes the tag. */
static bool unseal(struct noise_state *s, u8 *dst, const u8 *src,
		   size_t sealed_len, const u8 key[WG_SYMMETRIC_KEY_LEN])
{
	if (!chacha20poly1305_decrypt(dst, src, sealed_len, s->h, WG_HASH_LEN, 0, key))
		return false;
	mix_hash(s, src, sealed_len);
	return true;
}

/* C = HASH(CONSTRUCTION); H = HASH(HASH(C || IDENTIFIER) || responder's key) */
static void state_start(struct noise_state *s,
			const u8 responder_public[WG_PUBLIC_KEY_LEN])
{
	blake2s(s->ck, construction, NULL, WG_HASH_LEN, sizeof(construction), 0);
	memcpy(s->h, s->ck, WG_HASH_LEN);
	mix_hash(s, identifier, sizeof(identifier));
	mix_hash(s, responder_public, WG_PUBLIC_KEY_LEN);
}

/*
 * TAI64N of the wall clock, nanoseconds rounded down to a multiple of 2^24
 * so the value does not reveal a fine clock.
 */
static void tai64n(u8 out[WG_TIMESTAMP_LEN])
{
	u32 nsec;
	u64 sec = div_u64_rem(wg_clock_real_ns(), NSEC_PER_SEC, &nsec);
	__be64 be_sec = cpu_to_be64(0x400000000000000aULL + sec);
	__be32 be_nsec = cpu_to_be32(nsec & ~(BIT(24) - 1));

	memcpy(out, &be_sec, sizeof(be_sec));
	memcpy(out + sizeof(be_sec), &be_nsec, sizeof(be_nsec));
}

static struct wg_noise_handshake *hs_get(struct wg_noise_handshake *hs)
{
	if (hs && hs->owner_ref && !kref_get_unless_zero(hs->owner_ref))
		return NULL;
	return hs;
}

void wg_noise_handshake_put(struct wg_noise_handshake *hs)
{
	if (hs && hs->owner_ref)
		kref_put(hs->owner_ref, hs->owner_release);
}

/* --- device ------------------------------------------------------------ */

int wg_noise_device_init(struct wg_noise_device *nd)
{
	int ret;

	memset(&nd->identity, 0, sizeof(nd->identity));
	init_rwsem(&nd->identity.lock);
	ret = wg_index_table_init(&nd->index_table);
	if (ret)
		return ret;
	ret = wg_pubkey_table_init(&nd->pubkey_table);
	if (ret)
		wg_index_table_free(&nd->index_table);
	return ret;
}

void wg_noise_device_uninit(struct wg_noise_device *nd)
{
	down_write(&nd->identity.lock);
	memzero_explicit(nd->identity.private_key, WG_PUBLIC_KEY_LEN);
	memset(nd->identity.public_key, 0, WG_PUBLIC_KEY_LEN);
	nd->identity.has_key = false;
	up_write(&nd->identity.lock);
	wg_pubkey_table_free(&nd->pubkey_table);
	wg_index_table_free(&nd->index_table);
}

bool wg_noise_set_private_key(struct wg_noise_device *nd,
			      const u8 private_key[WG_PUBLIC_KEY_LEN])
{
	struct wg_noise_identity *id = &nd->identity;

	down_write(&id->lock);
	id->has_key = false;
	if (private_key && memchr_inv(private_key, 0, WG_PUBLIC_KEY_LEN)) {
		memcpy(id->private_key, private_key, WG_PUBLIC_KEY_LEN);
		curve25519_clamp_secret(id->private_key);
		id->has_key = curve25519_generate_public(id->public_key,
							 id->private_key);
	}
	if (!id->has_key) {
		memzero_explicit(id->private_key, WG_PUBLIC_KEY_LEN);
		memset(id->public_key, 0, WG_PUBLIC_KEY_LEN);
	}
	up_write(&id->lock);
	return id->has_key;
}

bool wg_noise_get_identity(struct wg_noise_device *nd,
			   u8 public_key[WG_PUBLIC_KEY_LEN],
			   u8 private_key[WG_PUBLIC_KEY_LEN])
{
	struct wg_noise_identity *id = &nd->identity;
	bool has_key;

	down_read(&id->lock);
	has_key = id->has_key;
	memcpy(public_key, id->public_key, WG_PUBLIC_KEY_LEN);
	if (private_key)
		memcpy(private_key, id->private_key, WG_PUBLIC_KEY_LEN);
	up_read(&id->lock);
	return has_key;
}

/* --- per-peer handshake state -------------------------------------------- */

/* Caller holds hs->lock for writing. */
static void handshake_clear_locked(struct wg_noise_handshake *hs)
{
	wg_index_table_remove(&hs->nd->index_table, &hs->index_entry);
	memzero_explicit(hs->ephemeral_private, sizeof(hs->ephemeral_private));
	memzero_explicit(hs->remote_ephemeral, sizeof(hs->remote_ephemeral));
	memzero_explicit(hs->hash, sizeof(hs->hash));
	memzero_explicit(hs->chaining_key, sizeof(hs->chaining_key));
	hs->remote_index = 0;
	hs->state = WG_NOISE_ZEROED;
}

/*
 * After building a handshake message: publish a fresh sender index and keep
 * what the reply will be processed with. Caller holds hs->lock for writing.
 */
static __le32 handshake_remember_sent_locked(struct wg_noise_handshake *hs,
					     const struct noise_state *s,
					     const u8 *ephemeral_private,
					     enum wg_noise_state state)
{
	__le32 index = wg_index_table_insert(&hs->nd->index_table,
					     &hs->index_entry);

	memcpy(hs->ephemeral_private, ephemeral_private,
	       sizeof(hs->ephemeral_private));
	memcpy(hs->chaining_key, s->ck, WG_HASH_LEN);
	memcpy(hs->hash, s->h, WG_HASH_LEN);
	hs->state = state;
	return index;
}

/*
 * The static-static DH, computed the first time a handshake needs it after
 * the identity changed. False for a low-order peer key or no identity.
 * Caller holds the identity lock and hs->lock for writing.
 */
static bool static_static_locked(struct wg_noise_handshake *hs)
{
	struct wg_noise_identity *id = &hs->nd->identity;

	if (hs->static_static_state == WG_STATIC_STATIC_UNKNOWN) {
		if (id->has_key &&
		    curve25519(hs->static_static, id->private_key,
			       hs->pubkey_entry.pubkey)) {
			hs->static_static_state = WG_STATIC_STATIC_OK;
		} else {
			memzero_explicit(hs->static_static, sizeof(hs->static_static));
			hs->static_static_state = WG_STATIC_STATIC_NONE;
		}
	}
	return hs->static_static_state == WG_STATIC_STATIC_OK;
}

static void forget_static_static_locked(struct wg_noise_handshake *hs)
{
	memzero_explicit(hs->static_static, sizeof(hs->static_static));
	hs->static_static_state = WG_STATIC_STATIC_UNKNOWN;
}

static void set_psk_locked(struct wg_noise_handshake *hs,
			   const u8 preshared_key[WG_SYMMETRIC_KEY_LEN])
{
	if (preshared_key)
		memcpy(hs->preshared_key, preshared_key, WG_SYMMETRIC_KEY_LEN);
	else
		memzero_explicit(hs->preshared_key, WG_SYMMETRIC_KEY_LEN);
}

void wg_noise_handshake_init(struct wg_noise_handshake *hs,
			     struct wg_noise_device *nd,
			     const u8 peer_public_key[WG_PUBLIC_KEY_LEN],
			     const u8 preshared_key[WG_SYMMETRIC_KEY_LEN],
			     struct kref *owner_ref,
			     void (*owner_release)(struct kref *ref))
{
	memset(hs, 0, sizeof(*hs));
	init_rwsem(&hs->lock);
	hs->nd = nd;
	hs->owner_ref = owner_ref;
	hs->owner_release = owner_release;
	hs->index_entry.kind = WG_INDEX_HANDSHAKE;
	memcpy(hs->pubkey_entry.pubkey, peer_public_key, WG_PUBLIC_KEY_LEN);
	/* static_static_state is WG_STATIC_STATIC_UNKNOWN: computed on use. */
	set_psk_locked(hs, preshared_key);
}

int wg_noise_handshake_publish(struct wg_noise_handshake *hs)
{
	return wg_pubkey_table_add(&hs->nd->pubkey_table, &hs->pubkey_entry);
}

void wg_noise_handshake_unpublish(struct wg_noise_handshake *hs)
{
	wg_pubkey_table_remove(&hs->nd->pubkey_table, &hs->pubkey_entry);
	wg_noise_handshake_clear(hs);
}

void wg_noise_handshake_set_psk(struct wg_noise_handshake *hs,
				const u8 preshared_key[WG_SYMMETRIC_KEY_LEN])
{
	down_write(&hs->lock);
	set_psk_locked(hs, preshared_key);
	up_write(&hs->lock);
}

bool wg_noise_handshake_get_psk(struct wg_noise_handshake *hs,
				u8 preshared_key[WG_SYMMETRIC_KEY_LEN])
{
	down_read(&hs->lock);
	memcpy(preshared_key, hs->preshared_key, WG_SYMMETRIC_KEY_LEN);
	up_read(&hs->lock);
	return memchr_inv(preshared_key, 0, WG_SYMMETRIC_KEY_LEN);
}

void wg_noise_handshake_identity_changed(struct wg_noise_handshake *hs)
{
	down_write(&hs->lock);
	forget_static_static_locked(hs);
	handshake_clear_locked(hs);
	up_write(&hs->lock);
}

void wg_noise_handshake_clear(struct wg_noise_handshake *hs)
{
	down_write(&hs->lock);
	handshake_clear_locked(hs);
	up_write(&hs->lock);
}

void wg_noise_handshake_wipe(struct wg_noise_handshake *hs)
{
	down_write(&hs->lock);
	handshake_clear_locked(hs);
	memzero_explicit(hs->preshared_key, sizeof(hs->preshared_key));
	memzero_explicit(hs->static_static, sizeof(hs->static_static));
	hs->static_static_state = WG_STATIC_STATIC_NONE;
	up_write(&hs->lock);
}

/* --- the four handshake steps -------------------------------------------- */

int wg_noise_create_initiation(struct wg_noise_handshake *hs,
			       struct wg_msg_initiation *msg)
{
	struct wg_noise_identity *id = &hs->nd->identity;
	u8 key[WG_SYMMETRIC_KEY_LEN], eph[WG_PUBLIC_KEY_LEN];
	u8 timestamp[WG_TIMESTAMP_LEN];
	struct noise_state s;
	int ret = -ENOKEY;

	down_read(&id->lock);
	down_write(&hs->lock);
	if (!id->has_key || !static_static_locked(hs))
		goto out;

	state_start(&s, hs->pubkey_entry.pubkey);
	curve25519_generate_secret(eph);
	if (!curve25519_generate_public(msg->ephemeral, eph))
		goto out;
	mix_ephemeral(&s, msg->ephemeral);
	if (!mix_dh(&s, key, eph, hs->pubkey_entry.pubkey))
		goto out;
	seal(&s, msg->encrypted_static, id->public_key, WG_PUBLIC_KEY_LEN, key);
	mix_precomputed(&s, key, hs->static_static);
	tai64n(timestamp);
	seal(&s, msg->encrypted_timestamp, timestamp, sizeof(timestamp), key);

	handshake_clear_locked(hs);
	msg->header.type = cpu_to_le32(WG_MSG_INITIATION);
	msg->sender_index = handshake_remember_sent_locked(hs, &s, eph,
							   WG_NOISE_CREATED_INITIATION);
	ret = 0;
out:
	up_write(&hs->lock);
	up_read(&id->lock);
	if (ret)
		memzero_explicit(msg, sizeof(*msg));
	memzero_explicit(key, sizeof(key));
	memzero_explicit(eph, sizeof(eph));
	memzero_explicit(timestamp, sizeof(timestamp));
	state_erase(&s);
	return ret;
}

struct wg_noise_handshake *
wg_noise_consume_initiation(struct wg_noise_device *nd,
			    const struct wg_msg_initiation *msg)
{
	struct wg_noise_identity *id = &nd->identity;
	struct wg_noise_handshake *hs = NULL;
	u8 key[WG_SYMMETRIC_KEY_LEN], peer[WG_PUBLIC_KEY_LEN];
	u8 timestamp[WG_TIMESTAMP_LEN];
	struct wg_pubkey_entry *entry;
	struct noise_state s;
	int ret = -ENOKEY;
	u64 now;

	down_read(&id->lock);
	if (!id->has_key)
		goto out;

	state_start(&s, id->public_key);
	mix_ephemeral(&s, msg->ephemeral);
	ret = -EBADMSG;
	if (!mix_dh(&s, key, id->private_key, msg->ephemeral))
		goto out;
	if (!unseal(&s, peer, msg->encrypted_static,
		    sizeof(msg->encrypted_static), key))
		goto out;

	ret = -ENOKEY;
	rcu_read_lock_bh();
	entry = wg_pubkey_table_lookup(&nd->pubkey_table, peer);
	if (entry)
		hs = hs_get(container_of(entry, struct wg_noise_handshake,
					 pubkey_entry));
	rcu_read_unlock_bh();
	if (!hs)
		goto out;

	down_write(&hs->lock);
	if (!static_static_locked(hs))
		goto out_unlock;
	mix_precomputed(&s, key, hs->static_static);
	ret = -EBADMSG;
	if (!unseal(&s, timestamp, msg->encrypted_timestamp,
		    sizeof(msg->encrypted_timestamp), key))
		goto out_unlock;

	/* Big-endian, so byte order is numeric order. */
	ret = -ESTALE;
	if (memcmp(timestamp, hs->latest_timestamp, WG_TIMESTAMP_LEN) <= 0)
		goto out_unlock;
	now = wg_clock_ns();
	ret = -EBUSY;
	if (hs->last_initiation_consumption &&
	    (s64)(now - hs->last_initiation_consumption) <
	    NSEC_PER_SEC / WG_INITIATIONS_PER_SECOND)
		goto out_unlock;

	/* Answering replaces whatever this peer's handshake was doing. */
	handshake_clear_locked(hs);
	memcpy(hs->latest_timestamp, timestamp, WG_TIMESTAMP_LEN);
	hs->last_initiation_consumption = now;
	memcpy(hs->remote_ephemeral, msg->ephemeral, WG_PUBLIC_KEY_LEN);
	hs->remote_index = msg->sender_index;
	memcpy(hs->chaining_key, s.ck, WG_HASH_LEN);
	memcpy(hs->hash, s.h, WG_HASH_LEN);
	hs->state = WG_NOISE_CONSUMED_INITIATION;
	ret = 0;
out_unlock:
	up_write(&hs->lock);
out:
	up_read(&id->lock);
	memzero_explicit(key, sizeof(key));
	memzero_explicit(peer, sizeof(peer));
	memzero_explicit(timestamp, sizeof(timestamp));
	state_erase(&s);
	if (ret) {
		wg_noise_handshake_put(hs);
		return ERR_PTR(ret);
	}
	return hs;
}

int wg_noise_create_response(struct wg_noise_handshake *hs,
			     struct wg_msg_response *msg)
{
	struct wg_noise_identity *id = &hs->nd->identity;
	u8 key[WG_SYMMETRIC_KEY_LEN], eph[WG_PUBLIC_KEY_LEN];
	struct noise_state s;
	int ret = -EINVAL;

	down_read(&id->lock);
	down_write(&hs->lock);
	if (hs->state != WG_NOISE_CONSUMED_INITIATION)
		goto out;
	ret = -ENOKEY;
	if (!id->has_key)
		goto out;

	memcpy(s.ck, hs->chaining_key, WG_HASH_LEN);
	memcpy(s.h, hs->hash, WG_HASH_LEN);
	curve25519_generate_secret(eph);
	if (!curve25519_generate_public(msg->ephemeral, eph))
		goto out;
	mix_ephemeral(&s, msg->ephemeral);
	if (!mix_dh(&s, NULL, eph, hs->remote_ephemeral) ||
	    !mix_dh(&s, NULL, eph, hs->pubkey_entry.pubkey))
		goto out;
	mix_psk(&s, key, hs->preshared_key);
	seal(&s, msg->encrypted_nothing, NULL, 0, key);

	msg->header.type = cpu_to_le32(WG_MSG_RESPONSE);
	msg->receiver_index = hs->remote_index;
	msg->sender_index = handshake_remember_sent_locked(hs, &s, eph,
							   WG_NOISE_CREATED_RESPONSE);
	ret = 0;
out:
	up_write(&hs->lock);
	up_read(&id->lock);
	if (ret)
		memzero_explicit(msg, sizeof(*msg));
	memzero_explicit(key, sizeof(key));
	memzero_explicit(eph, sizeof(eph));
	state_erase(&s);
	return ret;
}

struct wg_noise_handshake *
wg_noise_consume_response(struct wg_noise_device *nd,
			  const struct wg_msg_response *msg)
{
	struct wg_noise_identity *id = &nd->identity;
	struct wg_noise_handshake *hs = NULL;
	u8 key[WG_SYMMETRIC_KEY_LEN], nothing[1];
	struct wg_index_entry *entry;
	struct noise_state s = { };
	int ret = -ENOKEY;

	down_read(&id->lock);
	if (!id->has_key)
		goto out;

	ret = -ENOENT;
	rcu_read_lock_bh();
	entry = wg_index_table_lookup(&nd->index_table, msg->receiver_index,
				      WG_INDEX_HANDSHAKE);
	if (entry)
		hs = hs_get(container_of(entry, struct wg_noise_handshake,
					 index_entry));
	rcu_read_unlock_bh();
	if (!hs)
		goto out;

	down_write(&hs->lock);
	/* The handshake may have moved on since the lookup. */
	if (hs->state != WG_NOISE_CREATED_INITIATION ||
	    !hs->index_entry.hashed || hs->index_entry.index != msg->receiver_index)
		goto out_unlock;

	memcpy(s.ck, hs->chaining_key, WG_HASH_LEN);
	memcpy(s.h, hs->hash, WG_HASH_LEN);
	mix_ephemeral(&s, msg->ephemeral);
	ret = -EBADMSG;
	if (!mix_dh(&s, NULL, hs->ephemeral_private, msg->ephemeral) ||
	    !mix_dh(&s, NULL, id->private_key, msg->ephemeral))
		goto out_unlock;
	mix_psk(&s, key, hs->preshared_key);
	if (!unseal(&s, nothing, msg->encrypted_nothing,
		    sizeof(msg->encrypted_nothing), key))
		goto out_unlock;

	memcpy(hs->remote_ephemeral, msg->ephemeral, WG_PUBLIC_KEY_LEN);
	hs->remote_index = msg->sender_index;
	memcpy(hs->chaining_key, s.ck, WG_HASH_LEN);
	memcpy(hs->hash, s.h, WG_HASH_LEN);
	hs->state = WG_NOISE_CONSUMED_RESPONSE;
	ret = 0;
out_unlock:
	up_write(&hs->lock);
out:
	up_read(&id->lock);
	memzero_explicit(key, sizeof(key));
	state_erase(&s);
	if (ret) {
		wg_noise_handshake_put(hs);
		return ERR_PTR(ret);
	}
	return hs;
}

/* --- keypairs ---------------------------------------------------------------- */

static void keypair_free_rcu(struct rcu_head *rcu)
{
	struct wg_noise_keypair *kp = container_of(rcu, struct wg_noise_keypair, rcu);
	struct wg_noise_handshake *hs = kp->handshake;

	kfree_sensitive(kp);
	wg_noise_handshake_put(hs);
}

static void keypair_release(struct kref *ref)
{
	struct wg_noise_keypair *kp = container_of(ref, struct wg_noise_keypair, refcount);

	wg_index_table_remove(&kp->handshake->nd->index_table, &kp->index_entry);
	call_rcu(&kp->rcu, keypair_free_rcu);
}

struct wg_noise_keypair *wg_noise_keypair_get(struct wg_noise_keypair *kp)
{
	if (kp && !kref_get_unless_zero(&kp->refcount))
		return NULL;
	return kp;
}

void wg_noise_keypair_put(struct wg_noise_keypair *kp)
{
	if (kp)
		kref_put(&kp->refcount, keypair_release);
}

/* A keypair leaving the slots: unfindable at once, freed with its last user. */
static void keypair_drop(struct wg_noise_keypair *kp)
{
	if (!kp)
		return;
	wg_index_table_remove(&kp->handshake->nd->index_table, &kp->index_entry);
	wg_noise_keypair_put(kp);
}

void wg_noise_keypairs_init(struct wg_noise_keypairs *kps)
{
	RCU_INIT_POINTER(kps->current_keypair, NULL);
	RCU_INIT_POINTER(kps->previous_keypair, NULL);
	RCU_INIT_POINTER(kps->next_keypair, NULL);
	spin_lock_init(&kps->lock);
}

static struct wg_noise_keypair *slot_get(struct wg_noise_keypairs *kps,
					 struct wg_noise_keypair __rcu **slot)
{
	return rcu_dereference_protected(*slot, lockdep_is_held(&kps->lock));
}

bool wg_noise_keypairs_clear(struct wg_noise_keypairs *kps)
{
	struct wg_noise_keypair *cur, *prev, *next;
	bool any;

	spin_lock_bh(&kps->lock);
	cur = slot_get(kps, &kps->current_keypair);
	prev = slot_get(kps, &kps->previous_keypair);
	next = slot_get(kps, &kps->next_keypair);
	RCU_INIT_POINTER(kps->current_keypair, NULL);
	RCU_INIT_POINTER(kps->previous_keypair, NULL);
	RCU_INIT_POINTER(kps->next_keypair, NULL);
	spin_unlock_bh(&kps->lock);
	any = cur || prev || next;
	keypair_drop(prev);
	keypair_drop(cur);
	keypair_drop(next);
	return any;
}

struct wg_noise_keypair *wg_noise_keypairs_current(struct wg_noise_keypairs *kps)
{
	struct wg_noise_keypair *kp;

	rcu_read_lock_bh();
	kp = wg_noise_keypair_get(rcu_dereference_bh(kps->current_keypair));
	rcu_read_unlock_bh();
	return kp;
}

bool wg_noise_received_with_keypair(struct wg_noise_keypairs *kps,
				    struct wg_noise_keypair *kp)
{
	struct wg_noise_keypair *old_prev;

	/* The common case, decided without the lock. */
	if (kp != rcu_access_pointer(kps->next_keypair))
		return false;

	spin_lock_bh(&kps->lock);
	if (kp != slot_get(kps, &kps->next_keypair)) {
		spin_unlock_bh(&kps->lock);
		return false;
	}
	old_prev = slot_get(kps, &kps->previous_keypair);
	rcu_assign_pointer(kps->previous_keypair, slot_get(kps, &kps->current_keypair));
	rcu_assign_pointer(kps->current_keypair, kp);
	RCU_INIT_POINTER(kps->next_keypair, NULL);
	spin_unlock_bh(&kps->lock);
	keypair_drop(old_prev);
	return true;
}

void wg_noise_expire_current_keypairs(struct wg_noise_keypairs *kps)
{
	struct wg_noise_keypair *kp;

	spin_lock_bh(&kps->lock);
	kp = slot_get(kps, &kps->current_keypair);
	if (kp)
		WRITE_ONCE(kp->sending.is_valid, false);
	kp = slot_get(kps, &kps->next_keypair);
	if (kp)
		WRITE_ONCE(kp->sending.is_valid, false);
	spin_unlock_bh(&kps->lock);
}

static void keypairs_install(struct wg_noise_keypairs *kps,
			     struct wg_noise_keypair *kp)
{
	struct wg_noise_keypair *cur, *prev, *next, *drop1 = NULL, *drop2 = NULL;

	spin_lock_bh(&kps->lock);
	cur = slot_get(kps, &kps->current_keypair);
	prev = slot_get(kps, &kps->previous_keypair);
	next = slot_get(kps, &kps->next_keypair);
	if (kp->i_am_the_initiator) {
		/*
		 * Confirmed at once (the response proved the peer has it).
		 * An unconfirmed next may already be in use by the peer, so
		 * it is kept for receiving in preference to the old current.
		 */
		if (next) {
			rcu_assign_pointer(kps->previous_keypair, next);
			RCU_INIT_POINTER(kps->next_keypair, NULL);
			drop1 = cur;
		} else {
			rcu_assign_pointer(kps->previous_keypair, cur);
		}
		drop2 = prev;
		rcu_assign_pointer(kps->current_keypair, kp);
	} else {
		/* Not to be sent with before the initiator used it. */
		rcu_assign_pointer(kps->next_keypair, kp);
		drop1 = next;
	}
	spin_unlock_bh(&kps->lock);
	keypair_drop(drop1);
	keypair_drop(drop2);
}

int wg_noise_begin_session(struct wg_noise_handshake *hs,
			   struct wg_noise_keypairs *kps)
{
	struct wg_noise_keypair *kp;
	int ret = -EINVAL;

	down_write(&hs->lock);
	if (hs->state != WG_NOISE_CREATED_RESPONSE &&
	    hs->state != WG_NOISE_CONSUMED_RESPONSE)
		goto out;
	ret = -ENOMEM;
	kp = kzalloc(sizeof(*kp), GFP_KERNEL);
	if (!kp)
		goto out_clear;

	kp->i_am_the_initiator = hs->state == WG_NOISE_CONSUMED_RESPONSE;
	if (kp->i_am_the_initiator)
		kdf(kp->sending.key, kp->receiving.key, NULL, NULL, 0,
		    hs->chaining_key);
	else
		kdf(kp->receiving.key, kp->sending.key, NULL, NULL, 0,
		    hs->chaining_key);
	kp->sending.is_valid = true;
	atomic64_set(&kp->sending_counter, 0);
	wg_counter_init(&kp->receiving_counter);
	kp->remote_index = hs->remote_index;
	kp->birth = wg_clock_ns();
	kp->index_entry.kind = WG_INDEX_KEYPAIR;
	kp->handshake = hs;
	kref_init(&kp->refcount);
	if (hs->owner_ref)
		kref_get(hs->owner_ref);

	/* From now on data addressed to the handshake's index finds @kp. */
	if (!wg_index_table_replace(&hs->nd->index_table, &hs->index_entry,
				    &kp->index_entry)) {
		ret = -ENOENT;
		wg_noise_keypair_put(kp);
		goto out_clear;
	}
	keypairs_install(kps, kp);
	ret = 0;
out_clear:
	/* Used up, or (failing) of no further use: its secrets go. */
	handshake_clear_locked(hs);
out:
	up_write(&hs->lock);
	return ret;
}

/* --- lookups ----------------------------------------------------------------- */

struct wg_noise_handshake *wg_noise_lookup_handshake(struct wg_noise_device *nd,
						     __le32 index,
						     unsigned int kinds)
{
	struct wg_noise_handshake *hs = NULL;
	struct wg_index_entry *entry;

	rcu_read_lock_bh();
	entry = wg_index_table_lookup(&nd->index_table, index, kinds);
	if (entry && entry->kind == WG_INDEX_HANDSHAKE)
		hs = container_of(entry, struct wg_noise_handshake, index_entry);
	else if (entry)
		hs = container_of(entry, struct wg_noise_keypair, index_entry)->handshake;
	hs = hs_get(hs);
	rcu_read_unlock_bh();
	return hs;
}

struct wg_noise_handshake *
wg_noise_lookup_pubkey(struct wg_noise_device *nd,
		       const u8 public_key[WG_PUBLIC_KEY_LEN])
{
	struct wg_noise_handshake *hs = NULL;
	struct wg_pubkey_entry *entry;

	rcu_read_lock_bh();
	entry = wg_pubkey_table_lookup(&nd->pubkey_table, public_key);
	if (entry)
		hs = hs_get(container_of(entry, struct wg_noise_handshake,
					 pubkey_entry));
	rcu_read_unlock_bh();
	return hs;
}

struct wg_noise_keypair *wg_noise_lookup_keypair(struct wg_noise_device *nd,
						 __le32 index)
{
	struct wg_noise_keypair *kp = NULL;
	struct wg_index_entry *entry;

	rcu_read_lock_bh();
	entry = wg_index_table_lookup(&nd->index_table, index, WG_INDEX_KEYPAIR);
	if (entry)
		kp = wg_noise_keypair_get(container_of(entry, struct wg_noise_keypair,
						       index_entry));
	rcu_read_unlock_bh();
	return kp;
}

bool wg_noise_keypair_next_counter(struct wg_noise_keypair *kp, u64 *counter)
{
	u64 c;

	if (!READ_ONCE(kp->sending.is_valid) ||
	    wg_clock_expired(kp->birth, WG_REJECT_AFTER_TIME))
		return false;
	c = atomic64_inc_return(&kp->sending_counter) - 1;
	if (unlikely(c >= WG_REJECT_AFTER_MESSAGES)) {
		WRITE_ONCE(kp->sending.is_valid, false);
		return false;
	}
	*counter = c;
	return true;
}

bool wg_noise_keypair_can_receive(const struct wg_noise_keypair *kp)
{
	return !wg_clock_expired(kp->birth, WG_REJECT_AFTER_TIME);
}

bool wg_noise_keypair_rekey_on_send(struct wg_noise_keypair *kp)
{
	return (u64)atomic64_read(&kp->sending_counter) > WG_REKEY_AFTER_MESSAGES ||
	       (kp->i_am_the_initiator &&
		wg_clock_expired(kp->birth, WG_REKEY_AFTER_TIME));
}

bool wg_noise_keypair_rekey_on_receive(const struct wg_noise_keypair *kp)
{
	return kp->i_am_the_initiator &&
	       wg_clock_expired(kp->birth, WG_REKEY_ON_RECEIVE_AGE);
}
