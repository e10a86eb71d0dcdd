/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kwg: the generic-netlink UAPI of WireGuard devices.
 *
 * Written from the protocol description in docs/protocol.md (§6). The
 * numbers below are the wire ABI that wg(8), systemd-networkd and
 * NetworkManager speak; they must never change.
 */
#ifndef _KWG_UAPI_WIREGUARD_H
#define _KWG_UAPI_WIREGUARD_H

#define WG_GENL_NAME "wireguard"
#define WG_GENL_VERSION 1

#define WG_KEY_LEN 32

enum wg_cmd {
	WG_CMD_GET_DEVICE,
	WG_CMD_SET_DEVICE,
	__WG_CMD_MAX
};

#define WG_CMD_MAX (__WG_CMD_MAX - 1)

enum wgdevice_flag {
	WGDEVICE_F_REPLACE_PEERS = 1U << 0,
	__WGDEVICE_F_ALL = WGDEVICE_F_REPLACE_PEERS
};

enum wgdevice_attribute {
	WGDEVICE_A_UNSPEC,
	WGDEVICE_A_IFINDEX,
	WGDEVICE_A_IFNAME,
	WGDEVICE_A_PRIVATE_KEY,
	WGDEVICE_A_PUBLIC_KEY,
	WGDEVICE_A_FLAGS,
	WGDEVICE_A_LISTEN_PORT,
	WGDEVICE_A_FWMARK,
	WGDEVICE_A_PEERS,
	__WGDEVICE_A_LAST
};

#define WGDEVICE_A_MAX (__WGDEVICE_A_LAST - 1)

enum wgpeer_flag {
	WGPEER_F_REMOVE_ME = 1U << 0,
	WGPEER_F_REPLACE_ALLOWEDIPS = 1U << 1,
	WGPEER_F_UPDATE_ONLY = 1U << 2,
	__WGPEER_F_ALL = WGPEER_F_REMOVE_ME | WGPEER_F_REPLACE_ALLOWEDIPS |
			 WGPEER_F_UPDATE_ONLY
};

enum wgpeer_attribute {
	WGPEER_A_UNSPEC,
	WGPEER_A_PUBLIC_KEY,
	WGPEER_A_PRESHARED_KEY,
	WGPEER_A_FLAGS,
	WGPEER_A_ENDPOINT,
	WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
	WGPEER_A_LAST_HANDSHAKE_TIME,
	WGPEER_A_RX_BYTES,
	WGPEER_A_TX_BYTES,
	WGPEER_A_ALLOWEDIPS,
	WGPEER_A_PROTOCOL_VERSION,
	__WGPEER_A_LAST
};

#define WGPEER_A_MAX (__WGPEER_A_LAST - 1)

enum wgallowedip_flag {
	WGALLOWEDIP_F_REMOVE_ME = 1U << 0,
	__WGALLOWEDIP_F_ALL = WGALLOWEDIP_F_REMOVE_ME
};

enum wgallowedip_attribute {
	WGALLOWEDIP_A_UNSPEC,
	WGALLOWEDIP_A_FAMILY,
	WGALLOWEDIP_A_IPADDR,
	WGALLOWEDIP_A_CIDR_MASK,
	WGALLOWEDIP_A_FLAGS,
	__WGALLOWEDIP_A_LAST
};

#define WGALLOWEDIP_A_MAX (__WGALLOWEDIP_A_LAST - 1)

/*
 * kwg extensions (docs/events.md). They start at 64 so that they cannot
 * collide with the standard family's present numbers nor with the few it
 * may add: the standard enums above end at 11 and have grown by one
 * number since 2019. A tool that does not know them skips them; the stock
 * module does not send them and refuses WGPEER_A_NAME in a SET. Their
 * presence in the family (the multicast group, WGPEER_A_NAME in the
 * policy) is how a tool learns that a module has them.
 */
#define WG_KWG_FIRST 64

/*
 * A peer's name: a NUL-terminated UTF-8 string of at most
 * WG_PEER_NAME_MAX bytes before the NUL, without control characters.
 * In a SET, an empty string removes the name. GET returns it only for a
 * peer that has one.
 */
#define WGPEER_A_NAME WG_KWG_FIRST
#define WG_PEER_NAME_MAX 64

/*
 * Events are sent on this multicast group of the family, only to
 * listeners with CAP_NET_ADMIN in the user namespace of the device's
 * network namespace, and only to listeners in that network namespace.
 */
#define WG_MULTICAST_GROUP_EVENTS "kwg-events"

/*
 * Event commands. Each event carries WGDEVICE_A_IFINDEX, WGDEVICE_A_IFNAME
 * and, except DEVICE_CHANGED, WGDEVICE_A_PEERS with exactly one peer,
 * named by WGPEER_A_PUBLIC_KEY (plus WGPEER_A_NAME when it has one).
 *
 * Made by an administrator through a successful SET_DEVICE (with
 * WGDEVICE_A_EVENT_PORTID, the netlink port id of the request):
 *   PEER_ADDED, PEER_REMOVED, PEER_CHANGED (with WGPEER_A_EVENT_CHANGES),
 *   DEVICE_CHANGED (with WGDEVICE_A_EVENT_CHANGES).
 * Authenticated protocol events, never caused by an unauthenticated
 * packet:
 *   HANDSHAKE_COMPLETED (with WGPEER_A_LAST_HANDSHAKE_TIME) and
 *   ENDPOINT_CHANGED (with WGPEER_A_ENDPOINT, the new endpoint, and
 *   WGPEER_A_EVENT_OLD_ENDPOINT, the previous one when there was one),
 *   both rate-limited per peer and kind (WGDEVICE_A_EVENT_SUPPRESSED
 *   counts what was not sent since the previous event of the kind);
 *   KEYS_EXPIRED (every session key of the peer erased, 540 s after the
 *   last handshake; at most one per handshake, so not rate-limited).
 */
enum wg_event_cmd {
	WG_CMD_EVENT_PEER_ADDED = WG_KWG_FIRST,
	WG_CMD_EVENT_PEER_REMOVED,
	WG_CMD_EVENT_PEER_CHANGED,
	WG_CMD_EVENT_DEVICE_CHANGED,
	WG_CMD_EVENT_HANDSHAKE_COMPLETED,
	WG_CMD_EVENT_KEYS_EXPIRED,
	WG_CMD_EVENT_ENDPOINT_CHANGED,
	__WG_CMD_EVENT_LAST
};

/* Device-level attributes that only events carry. */
#define WGDEVICE_A_EVENT_PORTID		WG_KWG_FIRST		/* u32 */
#define WGDEVICE_A_EVENT_CHANGES	(WG_KWG_FIRST + 1)	/* u32, wgdevice_change */
#define WGDEVICE_A_EVENT_SUPPRESSED	(WG_KWG_FIRST + 2)	/* u32 */

/* Peer-level attribute that only events carry, after WGPEER_A_NAME. */
#define WGPEER_A_EVENT_OLD_ENDPOINT	(WG_KWG_FIRST + 1)	/* sockaddr_in/in6 */
#define WGPEER_A_EVENT_CHANGES		(WG_KWG_FIRST + 2)	/* u32, wgpeer_change */

/* What a DEVICE_CHANGED event's request changed. */
enum wgdevice_change {
	WGDEVICE_C_PRIVATE_KEY = 1U << 0,
	WGDEVICE_C_LISTEN_PORT = 1U << 1,
	WGDEVICE_C_FWMARK = 1U << 2,
	WGDEVICE_C_PEERS_REPLACED = 1U << 3
};

/* What a PEER_CHANGED event's request changed. */
enum wgpeer_change {
	WGPEER_C_PRESHARED_KEY = 1U << 0,
	WGPEER_C_ENDPOINT = 1U << 1,
	WGPEER_C_PERSISTENT_KEEPALIVE = 1U << 2,
	WGPEER_C_ALLOWEDIPS = 1U << 3,
	WGPEER_C_NAME = 1U << 4
};

#endif /* _KWG_UAPI_WIREGUARD_H */
