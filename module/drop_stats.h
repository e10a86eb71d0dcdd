/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why received datagrams were dropped: one counter per reason, per device
 * and per CPU, read with `ethtool -S`. They only count; what the generic
 * link statistics show (rx_dropped, rx_errors, ...) is left as it is.
 */
#ifndef _KWG_DROP_STATS_H
#define _KWG_DROP_STATS_H

#include <linux/percpu.h>
#include <linux/ethtool.h>

#include "device.h"

/* The order is that of the names in drop_stats.c. */
enum wg_rx_drop {
	/* Before a message type is known. */
	WG_RX_DROP_SHORTER_THAN_HEADER,	/* under 4 bytes of UDP payload */
	WG_RX_DROP_UNKNOWN_TYPE,	/* type not 1-4, or reserved bytes set */
	WG_RX_DROP_INIT_BAD_LENGTH,	/* type 1, not 148 bytes */
	WG_RX_DROP_RESP_BAD_LENGTH,	/* type 2, not 92 bytes */
	WG_RX_DROP_COOKIE_BAD_LENGTH,	/* type 3, not 64 bytes */
	WG_RX_DROP_DATA_TOO_SHORT,	/* type 4, under 32 bytes */
	WG_RX_DROP_NO_MEMORY,		/* linearising or unsharing failed */
	WG_RX_DROP_BAD_SOURCE_ADDRESS,	/* neither IPv4 nor IPv6 outside */
	/* Handshake messages (initiation and response). */
	WG_RX_DROP_HANDSHAKE_QUEUE_FULL,
	WG_RX_DROP_HANDSHAKE_BAD_MAC1,
	WG_RX_DROP_HANDSHAKE_NEEDS_COOKIE, /* loaded, no valid mac2: cookie sent */
	WG_RX_DROP_HANDSHAKE_RATE_LIMITED,
	WG_RX_DROP_INIT_UNKNOWN_PEER,	/* or we have no private key */
	WG_RX_DROP_INIT_NOT_AUTHENTIC,
	WG_RX_DROP_INIT_REPLAYED,	/* timestamp not newer than the last */
	WG_RX_DROP_INIT_TOO_FREQUENT,	/* flood limit of the sending peer */
	WG_RX_DROP_RESP_UNKNOWN_INDEX,	/* no initiation of ours awaits it */
	WG_RX_DROP_RESP_NOT_AUTHENTIC,
	WG_RX_DROP_HANDSHAKE_OTHER,	/* any other refusal of the handshake */
	/* Cookie replies. */
	WG_RX_DROP_COOKIE_UNKNOWN_INDEX,
	WG_RX_DROP_COOKIE_UNEXPECTED,	/* no message of ours awaits a cookie */
	WG_RX_DROP_COOKIE_NOT_AUTHENTIC,
	/* Data messages (keepalives included). */
	WG_RX_DROP_DATA_UNKNOWN_INDEX,
	WG_RX_DROP_DATA_PEER_REMOVED,
	WG_RX_DROP_DATA_QUEUE_FULL,	/* also counted in rx_dropped */
	WG_RX_DROP_DATA_KEY_EXPIRED,	/* keypair too old or used up */
	WG_RX_DROP_DATA_NOT_AUTHENTIC,
	WG_RX_DROP_DATA_REPLAYED,	/* counter seen or behind the window */
	WG_RX_DROP_INNER_MALFORMED,	/* also rx_length_errors */
	WG_RX_DROP_INNER_SRC_NOT_ALLOWED, /* also rx_frame_errors */
	WG_RX_DROP_MAX
};

struct wg_drop_stats {
	unsigned long count[WG_RX_DROP_MAX];
};

/*
 * The device's private area: struct wg_device first, so that
 * netdev_priv() is a struct wg_device * for everyone else.
 */
struct wg_device_priv {
	struct wg_device wg;
	struct wg_drop_stats __percpu *drops;
};

/*
 * Count one dropped datagram. Any context (this CPU's copy, no atomics);
 * only while the device is registered.
 */
static inline void wg_count_drop(struct wg_device *wg, enum wg_rx_drop reason)
{
	struct wg_device_priv *priv = container_of(wg, struct wg_device_priv, wg);

	this_cpu_inc(priv->drops->count[reason]);
}

/* For ndo_init and ndo_uninit. */
int wg_drop_stats_init(struct wg_device *wg);
void wg_drop_stats_uninit(struct wg_device *wg);

/* get_sset_count, get_strings, get_ethtool_stats. */
extern const struct ethtool_ops wg_ethtool_ops;

#endif /* _KWG_DROP_STATS_H */
