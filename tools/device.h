/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one in-memory description of a WireGuard device that every part of
 * wg(8) shares: the parsers fill it, the backends send or receive it and
 * the formatters print it.
 */
#ifndef WG_DEVICE_H
#define WG_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <net/if.h>

#include "../uapi/wireguard.h"

#define WG_KEY_B64_LEN 44
#define WG_KEY_HEX_LEN 64

#define WG_STRINGIFY_(x) #x
#define WG_STRINGIFY(x) WG_STRINGIFY_(x)

struct wg_allowedip {
	uint16_t family;
	uint8_t cidr;
	uint32_t flags;		/* WGALLOWEDIP_F_* */
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	};
};

union wg_endpoint {
	struct sockaddr addr;
	struct sockaddr_in addr4;
	struct sockaddr_in6 addr6;
};

/* Which optional fields of a peer are present (set) or were reported (get). */
enum {
	WGPEER_HAS_PUBLIC_KEY = 1U << 0,
	WGPEER_HAS_PRESHARED_KEY = 1U << 1,
	WGPEER_HAS_KEEPALIVE = 1U << 2,
	/* Set: send name (empty removes it). Get: the peer has this name. */
	WGPEER_HAS_NAME = 1U << 3,
};

struct wg_peer {
	uint32_t flags;		/* WGPEER_F_* sent to the kernel */
	uint32_t has;		/* WGPEER_HAS_* */
	uint8_t public_key[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];
	union wg_endpoint endpoint;	/* sa_family 0: none */
	int64_t last_handshake_sec;
	int64_t last_handshake_nsec;
	uint64_t rx_bytes, tx_bytes;
	uint16_t keepalive;
	char name[WG_PEER_NAME_MAX + 1];
	struct wg_allowedip *ips;
	size_t num_ips, cap_ips;
};

enum {
	WGDEVICE_HAS_PRIVATE_KEY = 1U << 0,
	WGDEVICE_HAS_PUBLIC_KEY = 1U << 1,
	WGDEVICE_HAS_LISTEN_PORT = 1U << 2,
	WGDEVICE_HAS_FWMARK = 1U << 3,
};

struct wg_device {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t flags;		/* WGDEVICE_F_* */
	uint32_t has;		/* WGDEVICE_HAS_* */
	uint8_t private_key[WG_KEY_LEN];
	uint8_t public_key[WG_KEY_LEN];
	uint32_t fwmark;
	uint16_t listen_port;
	struct wg_peer *peers;
	size_t num_peers, cap_peers;
};

struct wg_device *device_new(void);
/* Erases every key before freeing. NULL is fine. */
void device_free(struct wg_device *dev);
/* Returns the new peer, zeroed, or NULL when out of memory. The pointer is
 * valid only until the next device_add_peer(). */
struct wg_peer *device_add_peer(struct wg_device *dev);
struct wg_allowedip *peer_add_ip(struct wg_peer *peer);
struct wg_peer *device_find_peer(struct wg_device *dev, const uint8_t key[WG_KEY_LEN]);
void peer_clear(struct wg_peer *peer);

bool key_is_zero(const uint8_t key[WG_KEY_LEN]);
/* Constant time, because keys are secrets. */
bool key_equal(const uint8_t a[WG_KEY_LEN], const uint8_t b[WG_KEY_LEN]);
/* Curve25519 clamping (RFC 7748): what the kernel stores of a private key. */
void key_clamp(uint8_t key[WG_KEY_LEN]);
void secure_zero(void *p, size_t len);

/*
 * Whether the len bytes at s make a peer name the kernel accepts (UTF-8,
 * at most WG_PEER_NAME_MAX bytes, no control characters): NULL, or the
 * problem in words ("is not valid UTF-8") to follow the name of the key.
 */
const char *peer_name_problem(const char *s, size_t len);
/* Whether a name goes with any peer of dev: WGPEER_HAS_NAME on a peer
 * that is not being removed. */
bool device_has_names(const struct wg_device *dev);

#endif
