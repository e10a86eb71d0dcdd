// SPDX-License-Identifier: GPL-2.0
/*
 * Per-reason counters of dropped received datagrams, as ethtool statistics
 * (`ethtool -S wg0`): the standard place for a driver's own counters.
 */

#include <linux/netdevice.h>
#include <linux/string.h>

#include "drop_stats.h"

/* ETH_GSTRING_LEN (32) bounds each name, NUL included. */
static const char drop_names[WG_RX_DROP_MAX][ETH_GSTRING_LEN] = {
	[WG_RX_DROP_SHORTER_THAN_HEADER] = "rx_drop_shorter_than_header",
	[WG_RX_DROP_UNKNOWN_TYPE] = "rx_drop_unknown_type",
	[WG_RX_DROP_INIT_BAD_LENGTH] = "rx_drop_init_bad_length",
	[WG_RX_DROP_RESP_BAD_LENGTH] = "rx_drop_resp_bad_length",
	[WG_RX_DROP_COOKIE_BAD_LENGTH] = "rx_drop_cookie_bad_length",
	[WG_RX_DROP_DATA_TOO_SHORT] = "rx_drop_data_too_short",
	[WG_RX_DROP_NO_MEMORY] = "rx_drop_no_memory",
	[WG_RX_DROP_BAD_SOURCE_ADDRESS] = "rx_drop_bad_source_address",
	[WG_RX_DROP_HANDSHAKE_QUEUE_FULL] = "rx_drop_handshake_queue_full",
	[WG_RX_DROP_HANDSHAKE_BAD_MAC1] = "rx_drop_handshake_bad_mac1",
	[WG_RX_DROP_HANDSHAKE_NEEDS_COOKIE] = "rx_drop_handshake_needs_cookie",
	[WG_RX_DROP_HANDSHAKE_RATE_LIMITED] = "rx_drop_handshake_rate_limited",
	[WG_RX_DROP_INIT_UNKNOWN_PEER] = "rx_drop_init_unknown_peer",
	[WG_RX_DROP_INIT_NOT_AUTHENTIC] = "rx_drop_init_not_authentic",
	[WG_RX_DROP_INIT_REPLAYED] = "rx_drop_init_replayed",
	[WG_RX_DROP_INIT_TOO_FREQUENT] = "rx_drop_init_too_frequent",
	[WG_RX_DROP_RESP_UNKNOWN_INDEX] = "rx_drop_resp_unknown_index",
	[WG_RX_DROP_RESP_NOT_AUTHENTIC] = "rx_drop_resp_not_authentic",
	[WG_RX_DROP_HANDSHAKE_OTHER] = "rx_drop_handshake_other",
	[WG_RX_DROP_COOKIE_UNKNOWN_INDEX] = "rx_drop_cookie_unknown_index",
	[WG_RX_DROP_COOKIE_UNEXPECTED] = "rx_drop_cookie_unexpected",
	[WG_RX_DROP_COOKIE_NOT_AUTHENTIC] = "rx_drop_cookie_not_authentic",
	[WG_RX_DROP_DATA_UNKNOWN_INDEX] = "rx_drop_data_unknown_index",
	[WG_RX_DROP_DATA_PEER_REMOVED] = "rx_drop_data_peer_removed",
	[WG_RX_DROP_DATA_QUEUE_FULL] = "rx_drop_data_queue_full",
	[WG_RX_DROP_DATA_KEY_EXPIRED] = "rx_drop_data_key_expired",
	[WG_RX_DROP_DATA_NOT_AUTHENTIC] = "rx_drop_data_not_authentic",
	[WG_RX_DROP_DATA_REPLAYED] = "rx_drop_data_replayed",
	[WG_RX_DROP_INNER_MALFORMED] = "rx_drop_inner_malformed",
	[WG_RX_DROP_INNER_SRC_NOT_ALLOWED] = "rx_drop_inner_src_not_allowed",
};

static struct wg_device_priv *to_priv(struct wg_device *wg)
{
	return container_of(wg, struct wg_device_priv, wg);
}

int wg_drop_stats_init(struct wg_device *wg)
{
	to_priv(wg)->drops = alloc_percpu(struct wg_drop_stats);
	return to_priv(wg)->drops ? 0 : -ENOMEM;
}

void wg_drop_stats_uninit(struct wg_device *wg)
{
	free_percpu(to_priv(wg)->drops);
	to_priv(wg)->drops = NULL;
}

static int wg_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? WG_RX_DROP_MAX : -EOPNOTSUPP;
}

static void wg_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	if (sset == ETH_SS_STATS)
		memcpy(data, drop_names, sizeof(drop_names));
}

/* Under RTNL, so the device is registered and its counters exist. */
static void wg_get_ethtool_stats(struct net_device *dev,
				 struct ethtool_stats *stats, u64 *data)
{
	struct wg_drop_stats __percpu *drops =
		to_priv(netdev_priv(dev))->drops;
	int cpu, i;

	memset(data, 0, WG_RX_DROP_MAX * sizeof(*data));
	if (!drops)
		return;
	/* Each CPU's word is read whole; a sum a moment old is fine. */
	for_each_possible_cpu(cpu) {
		const struct wg_drop_stats *d = per_cpu_ptr(drops, cpu);

		for (i = 0; i < WG_RX_DROP_MAX; ++i)
			data[i] += READ_ONCE(d->count[i]);
	}
}

const struct ethtool_ops wg_ethtool_ops = {
	.get_sset_count = wg_get_sset_count,
	.get_strings = wg_get_strings,
	.get_ethtool_stats = wg_get_ethtool_stats,
};
