/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wire layouts and protocol constants (docs/protocol.md sections 2 and 5),
 * plus the one clock every protocol age is measured with.
 *
 * Everything here is plain data: no locks, no allocation, usable from any
 * context.
 */
#ifndef _KWG_MESSAGES_H
#define _KWG_MESSAGES_H

#include <linux/types.h>
#include <linux/align.h>
#include <linux/bits.h>
#include <linux/limits.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/time64.h>
#include <asm/byteorder.h>

/* Sizes of the cryptographic objects (protocol.md section 1). */
enum {
	WG_PUBLIC_KEY_LEN = 32,		/* X25519 public or private key */
	WG_SYMMETRIC_KEY_LEN = 32,	/* ChaCha20-Poly1305 key, PSK */
	WG_HASH_LEN = 32,		/* BLAKE2s-256 */
	WG_MAC_LEN = 16,		/* keyed BLAKE2s-128 */
	WG_TAG_LEN = 16,		/* Poly1305 tag */
	WG_TIMESTAMP_LEN = 12,		/* TAI64N */
	WG_COOKIE_LEN = 16,
	WG_COOKIE_NONCE_LEN = 24,	/* XChaCha20 nonce */
};

/* Sealed sizes: plaintext plus a Poly1305 tag. */
#define WG_SEALED_LEN(plain_len) ((plain_len) + WG_TAG_LEN)

enum wg_msg_type {
	WG_MSG_INVALID = 0,
	WG_MSG_INITIATION = 1,
	WG_MSG_RESPONSE = 2,
	WG_MSG_COOKIE = 3,
	WG_MSG_DATA = 4,
};

/*
 * The first four bytes: the type in byte 0 and three zero bytes, which
 * together read as a little-endian u32 equal to the type.
 */
struct wg_msg_header {
	__le32 type;
} __packed;

/* mac1 and mac2 end every handshake message (protocol.md section 4). */
struct wg_msg_macs {
	u8 mac1[WG_MAC_LEN];
	u8 mac2[WG_MAC_LEN];
} __packed;

struct wg_msg_initiation {
	struct wg_msg_header header;
	__le32 sender_index;
	u8 ephemeral[WG_PUBLIC_KEY_LEN];
	u8 encrypted_static[WG_SEALED_LEN(WG_PUBLIC_KEY_LEN)];
	u8 encrypted_timestamp[WG_SEALED_LEN(WG_TIMESTAMP_LEN)];
	struct wg_msg_macs macs;
} __packed;

struct wg_msg_response {
	struct wg_msg_header header;
	__le32 sender_index;
	__le32 receiver_index;
	u8 ephemeral[WG_PUBLIC_KEY_LEN];
	u8 encrypted_nothing[WG_SEALED_LEN(0)];
	struct wg_msg_macs macs;
} __packed;

struct wg_msg_cookie {
	struct wg_msg_header header;
	__le32 receiver_index;
	u8 nonce[WG_COOKIE_NONCE_LEN];
	u8 encrypted_cookie[WG_SEALED_LEN(WG_COOKIE_LEN)];
} __packed;

/* Followed by the sealed, zero-padded inner packet and its tag. */
struct wg_msg_data {
	struct wg_msg_header header;
	__le32 receiver_index;
	__le64 counter;
	u8 encrypted_data[];
} __packed;

/* The layouts of protocol.md section 2, checked at compile time. */
static_assert(sizeof(struct wg_msg_initiation) == 148);
static_assert(offsetof(struct wg_msg_initiation, ephemeral) == 8);
static_assert(offsetof(struct wg_msg_initiation, encrypted_static) == 40);
static_assert(offsetof(struct wg_msg_initiation, encrypted_timestamp) == 88);
static_assert(offsetof(struct wg_msg_initiation, macs) == 116);
static_assert(sizeof(struct wg_msg_response) == 92);
static_assert(offsetof(struct wg_msg_response, receiver_index) == 8);
static_assert(offsetof(struct wg_msg_response, ephemeral) == 12);
static_assert(offsetof(struct wg_msg_response, encrypted_nothing) == 44);
static_assert(offsetof(struct wg_msg_response, macs) == 60);
static_assert(sizeof(struct wg_msg_cookie) == 64);
static_assert(offsetof(struct wg_msg_cookie, nonce) == 8);
static_assert(offsetof(struct wg_msg_cookie, encrypted_cookie) == 32);
static_assert(sizeof(struct wg_msg_data) == 16);

/* Smallest data message: header plus the tag of an empty (keepalive) payload. */
#define WG_MSG_DATA_MIN_LEN WG_SEALED_LEN(sizeof(struct wg_msg_data))
/* The sealed payload is padded with zeros to a multiple of this. */
#define WG_MSG_PADDING 16

/*
 * Every message travels in UDP over IPv4 or IPv6; room is sized for the
 * larger, IPv6 (40 bytes), plus UDP (8).
 */
#define WG_OUTER_HEADERS_MAX_LEN (40 + 8)
/* In front of an inner packet on the wire: outer headers, data header. */
#define WG_DATA_HEADROOM (WG_OUTER_HEADERS_MAX_LEN + sizeof(struct wg_msg_data))
/* What carrying an inner packet adds to it at most, padding aside. */
#define WG_DATA_OVERHEAD_MAX (WG_OUTER_HEADERS_MAX_LEN + WG_MSG_DATA_MIN_LEN)
/* Room kept in front of the outer headers for a link-layer header. */
#define WG_LINK_HEADROOM 32

/* Protocol limits and timers (protocol.md section 5); times in seconds. */
#define WG_REKEY_AFTER_MESSAGES BIT_ULL(60)
#define WG_REJECT_AFTER_MESSAGES (U64_MAX - BIT_ULL(13))
#define WG_REKEY_AFTER_TIME 120
#define WG_REJECT_AFTER_TIME 180
#define WG_REKEY_ATTEMPT_TIME 90
#define WG_REKEY_TIMEOUT 5
#define WG_REKEY_TIMEOUT_JITTER_MAX_MS 333
#define WG_KEEPALIVE_TIMEOUT 10
#define WG_MAX_TIMER_HANDSHAKES (WG_REKEY_ATTEMPT_TIME / WG_REKEY_TIMEOUT)
#define WG_COOKIE_SECRET_MAX_AGE 120
#define WG_COOKIE_SECRET_LATENCY 5
#define WG_INITIATIONS_PER_SECOND 50
#define WG_MAX_PEERS_PER_DEVICE BIT(20)
#define WG_MAX_QUEUED_INCOMING_HANDSHAKES 4096
#define WG_MAX_STAGED_PACKETS 128
#define WG_MAX_QUEUED_PACKETS 1024
#define WG_DEFAULT_MTU 1420
#define WG_HANDSHAKE_DSCP 0x88
/* Receiving on a keypair older than this makes the initiator rekey, once. */
#define WG_REKEY_ON_RECEIVE_AGE \
	(WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT - WG_REKEY_TIMEOUT)

/**
 * wg_msg_classify() - Type of a received UDP payload, after size checks.
 * @data: the payload (at least 4 readable bytes when @len >= 4).
 * @len: its length.
 *
 * Handshake and cookie messages must have their exact size, data messages at
 * least %WG_MSG_DATA_MIN_LEN bytes; the three reserved bytes must be zero.
 * Any context.
 *
 * Return: the &enum wg_msg_type, or %WG_MSG_INVALID.
 */
static inline enum wg_msg_type wg_msg_classify(const void *data, size_t len)
{
	const struct wg_msg_header *hdr = data;

	if (len < sizeof(*hdr))
		return WG_MSG_INVALID;
	switch (le32_to_cpu(hdr->type)) {
	case WG_MSG_INITIATION:
		return len == sizeof(struct wg_msg_initiation) ?
		       WG_MSG_INITIATION : WG_MSG_INVALID;
	case WG_MSG_RESPONSE:
		return len == sizeof(struct wg_msg_response) ?
		       WG_MSG_RESPONSE : WG_MSG_INVALID;
	case WG_MSG_COOKIE:
		return len == sizeof(struct wg_msg_cookie) ?
		       WG_MSG_COOKIE : WG_MSG_INVALID;
	case WG_MSG_DATA:
		return len >= WG_MSG_DATA_MIN_LEN ?
		       WG_MSG_DATA : WG_MSG_INVALID;
	default:
		return WG_MSG_INVALID;
	}
}

/**
 * wg_msg_padded_len() - Plaintext length of a data message's payload.
 * @len: length of the inner packet.
 * @mtu: the device MTU; padding never makes the payload exceed it.
 *
 * Any context.
 *
 * Return: @len rounded up to a multiple of %WG_MSG_PADDING, capped at @mtu
 * (but never below @len).
 */
static inline unsigned int wg_msg_padded_len(unsigned int len, unsigned int mtu)
{
	unsigned int padded = ALIGN(len, WG_MSG_PADDING);

	if (padded > mtu)
		padded = mtu > len ? mtu : len;
	return padded;
}

/*
 * The protocol clock. Every age the core measures (keypair birthdates,
 * cookie and cookie-secret ages, the initiation flood limit, the rate
 * limiter's buckets) uses wg_clock_ns(): monotonic, and counting across
 * suspend so that keys do not outlive a sleep. TAI64N timestamps use the
 * wall clock, wg_clock_real_ns().
 *
 * In the KUnit build a test may freeze both clocks by setting
 * wg_test_clock_ns (nanoseconds, nonzero); 0 means the real clocks. The
 * variable does not exist in the module build.
 */
#if IS_ENABLED(CONFIG_KWG_KUNIT_TEST)
extern u64 wg_test_clock_ns;
#endif

/**
 * wg_clock_ns() - Protocol time: monotonic nanoseconds, including suspend.
 *
 * Coarse (tick resolution), cheap, any context.
 */
static inline u64 wg_clock_ns(void)
{
#if IS_ENABLED(CONFIG_KWG_KUNIT_TEST)
	u64 frozen = READ_ONCE(wg_test_clock_ns);

	if (frozen)
		return frozen;
#endif
	return ktime_get_coarse_boottime_ns();
}

/**
 * wg_clock_real_ns() - Wall-clock nanoseconds since the Unix epoch.
 *
 * Any context.
 */
static inline u64 wg_clock_real_ns(void)
{
	struct timespec64 ts;

#if IS_ENABLED(CONFIG_KWG_KUNIT_TEST)
	u64 frozen = READ_ONCE(wg_test_clock_ns);

	if (frozen)
		return frozen;
#endif
	ktime_get_real_ts64(&ts);
	return timespec64_to_ns(&ts);
}

/**
 * wg_clock_expired() - Whether at least @seconds passed since @birth.
 * @birth: a wg_clock_ns() value.
 * @seconds: the age limit.
 *
 * Any context.
 */
static inline bool wg_clock_expired(u64 birth, u64 seconds)
{
	return (s64)(birth + seconds * NSEC_PER_SEC - wg_clock_ns()) <= 0;
}

#endif /* _KWG_MESSAGES_H */
