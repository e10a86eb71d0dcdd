// SPDX-License-Identifier: GPL-2.0
/*
 * The wireguard net_device: rtnl link kind "wireguard", transmit, up and
 * down, its lifetime, and its tie to the network namespace it was created
 * in.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/dst_metadata.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "compat.h"
#include "device.h"
#include "drop_stats.h"
#include "peer.h"
#include "queueing.h"
#include "socket.h"
#include "timers.h"

/* Any MTU the padding arithmetic can take, less the IPv6 overhead. */
#define WG_MAX_MTU (round_down(INT_MAX, WG_MSG_PADDING) - WG_DATA_OVERHEAD_MAX)
#define WG_NEEDED_HEADROOM (WG_DATA_HEADROOM + WG_LINK_HEADROOM)
#define WG_NEEDED_TAILROOM (WG_MSG_PADDING - 1 + WG_TAG_LEN)
/*
 * Tunnels of ours a packet may be nested in (a VPN reached through another
 * VPN). Beyond, it is going round a routing loop, growing each time.
 */
#define WG_MAX_NESTING 4

/* What udev and systemd see as DEVTYPE of the device. */
static const struct device_type wg_device_type = {
	.name = KBUILD_MODNAME
};

struct workqueue_struct *wg_crypt_wq;
struct workqueue_struct *wg_handshake_wq;

/* Every wireguard device in every namespace; under RTNL. */
static LIST_HEAD(device_list);

/*
 * No link-local address, hence no router solicitations or MLD reports: a
 * tunnel has no peer for them and would only answer them with errors. Set
 * at each up (addrconf acts just after) so that it also holds after a move
 * to another namespace, which makes a fresh inet6_dev; a mode the user
 * chose (anything but the default EUI-64, meaningless here) is kept.
 */
static void disable_ipv6_autoconf(struct net_device *dev)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct inet6_dev *idev = __in6_dev_get(dev);

	if (idev && READ_ONCE(idev->cnf.addr_gen_mode) == IN6_ADDR_GEN_MODE_EUI64)
		WRITE_ONCE(idev->cnf.addr_gen_mode, IN6_ADDR_GEN_MODE_NONE);
#endif
}

static int wg_open(struct net_device *dev)
{
	struct wg_device *wg = netdev_priv(dev);
	struct wg_peer *peer;
	int ret;

	mutex_lock(&wg->device_update_lock);
	/* Its sockets' namespace is gone: the device can never send again. */
	if (!wg->creating_net) {
		ret = -ENONET;
		goto out;
	}
	ret = wg_socket_init(wg, wg->incoming_port);
	if (ret < 0)
		goto out;
	disable_ipv6_autoconf(dev);
	list_for_each_entry(peer, &wg->peer_list, peer_list) {
		if (peer->persistent_keepalive_interval)
			wg_packet_send_keepalive(peer);
	}
out:
	mutex_unlock(&wg->device_update_lock);
	return ret;
}

static int wg_stop(struct net_device *dev)
{
	struct wg_device *wg = netdev_priv(dev);
	struct wg_peer *peer;

	mutex_lock(&wg->device_update_lock);
	list_for_each_entry(peer, &wg->peer_list, peer_list)
		wg_peer_stop(peer);
	wg_socket_reinit(wg, NULL, NULL);
	mutex_unlock(&wg->device_update_lock);
	return 0;
}

/* The IP version in the header must agree with what the stack claims. */
static bool check_packet_protocol(struct sk_buff *skb)
{
	__be16 real = wg_examine_packet_protocol(skb);

	return real && skb->protocol == real;
}

static netdev_tx_t wg_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct wg_device *wg = netdev_priv(dev);
	struct wg_allowedips_owner *owner;
	struct sk_buff_head packets;
	struct wg_peer *peer = NULL;
	u8 nesting = wg_socket_nesting();
	struct sk_buff *next;
	int ret = -EPROTONOSUPPORT;
	unsigned long flags;
	sa_family_t family;
	u32 mtu;

	if (unlikely(!check_packet_protocol(skb))) {
		net_dbg_ratelimited("%s: not an IP packet\n", dev->name);
		goto err;
	}
	if (unlikely(nesting > WG_MAX_NESTING)) {
		/* Counted as the core counts a loop of stacked devices. */
		net_dbg_ratelimited("%s: packet inside %u tunnels, a routing loop: dropped\n",
				    dev->name, nesting);
		++dev->stats.tx_dropped;
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}

	rcu_read_lock_bh();
	if (skb->protocol == htons(ETH_P_IP))
		owner = wg_allowedips_lookup(&wg->peer_allowedips, AF_INET,
					     &ip_hdr(skb)->daddr);
	else
		owner = wg_allowedips_lookup(&wg->peer_allowedips, AF_INET6,
					     &ipv6_hdr(skb)->daddr);
	if (owner)
		peer = wg_peer_get_maybe_zero(container_of(owner, struct wg_peer,
							   allowedips));
	rcu_read_unlock_bh();
	ret = -ENOKEY;
	if (unlikely(!peer)) {
		if (skb->protocol == htons(ETH_P_IP))
			net_dbg_ratelimited("%s: no peer for %pI4\n", dev->name,
					    &ip_hdr(skb)->daddr);
		else
			net_dbg_ratelimited("%s: no peer for %pI6\n", dev->name,
					    &ipv6_hdr(skb)->daddr);
		goto err_icmp;
	}

	read_lock_bh(&peer->endpoint_lock);
	family = peer->endpoint.addr.sa_family;
	read_unlock_bh(&peer->endpoint_lock);
	ret = -EDESTADDRREQ;
	if (unlikely(family != AF_INET && family != AF_INET6)) {
		net_dbg_ratelimited("%s: no endpoint for peer %llu\n",
				    dev->name, peer->internal_id);
		goto err_icmp;
	}

	mtu = skb_valid_dst(skb) ? dst_mtu(skb_dst(skb)) : dev->mtu;

	__skb_queue_head_init(&packets);
	if (!skb_is_gso(skb)) {
		skb_mark_not_on_list(skb);
	} else {
		struct sk_buff *segs = skb_gso_segment(skb, 0);

		ret = segs ? PTR_ERR_OR_ZERO(segs) : -EINVAL;
		if (ret)
			goto err_peer;
		dev_kfree_skb(skb);
		skb = segs;
	}

	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		skb = skb_share_check(skb, GFP_ATOMIC);
		if (unlikely(!skb)) {
			++dev->stats.tx_dropped;
			continue;
		}
		/* The checksum must be in place before encryption hides it. */
		if (skb->ip_summed == CHECKSUM_PARTIAL &&
		    unlikely(skb_checksum_help(skb))) {
			++dev->stats.tx_dropped;
			kfree_skb(skb);
			continue;
		}
		PACKET_CB(skb)->mtu = mtu;
		PACKET_CB(skb)->ds = ip_tunnel_ecn_encap(0, ip_hdr(skb), skb);
		PACKET_CB(skb)->nesting = nesting;
		wg_reset_packet(skb, true);
		__skb_queue_tail(&packets, skb);
	}

	spin_lock_irqsave(&peer->staged_packet_queue.lock, flags);
	skb_queue_splice_tail(&packets, &peer->staged_packet_queue);
	/* Waiting for a handshake: keep the newest, drop the oldest. */
	while (skb_queue_len(&peer->staged_packet_queue) > WG_MAX_STAGED_PACKETS) {
		kfree_skb(__skb_dequeue(&peer->staged_packet_queue));
		++dev->stats.tx_dropped;
	}
	spin_unlock_irqrestore(&peer->staged_packet_queue.lock, flags);

	wg_packet_send_staged_packets(peer);
	wg_peer_put(peer);
	return NETDEV_TX_OK;

err_icmp:
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else if (skb->protocol == htons(ETH_P_IPV6))
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
err_peer:
	wg_peer_put(peer);
err:
	++dev->stats.tx_errors;
	kfree_skb(skb);
	/* The errno reaches the sender (ping: "Required key not available"). */
	return ret;
}

static int wg_ndo_init(struct net_device *dev)
{
	int ret;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	ret = wg_drop_stats_init(netdev_priv(dev));
	if (ret) {
		free_percpu(dev->tstats);
		dev->tstats = NULL;
	}
	return ret;
}

/* Undoes wg_device_state_init(), erasing the device's secrets. */
static void wg_device_state_uninit(struct wg_device *wg)
{
	wg_packet_rx_napi_uninit(wg);
	wg_parallel_queue_uninit(&wg->incoming_handshakes);
	wg_parallel_queue_uninit(&wg->encrypt_queue);
	wg_parallel_queue_uninit(&wg->decrypt_queue);
	wg_ratelimiter_uninit(&wg->ratelimiter);
	wg_cookie_checker_clear(&wg->cookie_checker);
	wg_noise_device_uninit(&wg->noise);
}

/* Unregistering, under RTNL: drop every peer and the device's state. */
static void wg_ndo_uninit(struct net_device *dev)
{
	struct wg_device *wg = netdev_priv(dev);
	struct sk_buff *skb;
	int cpu;

	ASSERT_RTNL();
	list_del_init(&wg->device_list);

	mutex_lock(&wg->device_update_lock);
	wg_socket_reinit(wg, NULL, NULL);
	wg_peer_remove_all(wg);
	wg_allowedips_free(&wg->peer_allowedips, &wg->device_update_lock);
	mutex_unlock(&wg->device_update_lock);

	/* The handshake workers may still hold messages: finish them. */
	for_each_possible_cpu(cpu)
		flush_work(&per_cpu_ptr(wg->incoming_handshakes.worker, cpu)->work);
	while ((skb = ptr_ring_consume_bh(&wg->incoming_handshakes.ring)) != NULL) {
		atomic_dec(&wg->incoming_handshakes_len);
		kfree_skb(skb);
	}
	wg_device_state_uninit(wg);

	wg_drop_stats_uninit(wg);
	free_percpu(dev->tstats);
	dev->tstats = NULL;
}

static const struct net_device_ops wg_netdev_ops = {
	.ndo_init = wg_ndo_init,
	.ndo_uninit = wg_ndo_uninit,
	.ndo_open = wg_open,
	.ndo_stop = wg_stop,
	.ndo_start_xmit = wg_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

static void wg_destruct(struct net_device *dev)
{
	struct wg_device *wg = netdev_priv(dev);

	mutex_destroy(&wg->device_update_lock);
}

static void wg_setup(struct net_device *dev)
{
	struct wg_device *wg = netdev_priv(dev);
	const netdev_features_t features = NETIF_F_HW_CSUM | NETIF_F_RXCSUM |
					   NETIF_F_SG | NETIF_F_GSO |
					   NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA;

	dev->netdev_ops = &wg_netdev_ops;
	dev->ethtool_ops = &wg_ethtool_ops;
	SET_NETDEV_DEVTYPE(dev, &wg_device_type);
	dev->header_ops = NULL;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = WG_NEEDED_HEADROOM;
	dev->needed_tailroom = WG_NEEDED_TAILROOM;
	dev->mtu = WG_DEFAULT_MTU;
	dev->min_mtu = 0;
	dev->max_mtu = WG_MAX_MTU;
	dev->features |= features;
	dev->hw_features |= features;
	dev->hw_enc_features |= features;
	kwg_set_lltx(dev);
	dev->needs_free_netdev = true;
	dev->priv_destructor = wg_destruct;
	/* Keep the route in xmit: its MTU bounds the padding. */
	netif_keep_dst(dev);

	memset(wg, 0, sizeof(*wg));
	wg->dev = dev;
	mutex_init(&wg->device_update_lock);
	INIT_LIST_HEAD(&wg->device_list);
	INIT_LIST_HEAD(&wg->peer_list);
	init_waitqueue_head(&wg->dead_peer_drained);
}

static int wg_device_state_init(struct wg_device *wg)
{
	int ret;

	ret = wg_noise_device_init(&wg->noise);
	if (ret)
		return ret;
	wg_cookie_checker_init(&wg->cookie_checker);
	wg_allowedips_init(&wg->peer_allowedips);
	ret = wg_ratelimiter_init(&wg->ratelimiter, 0);
	if (ret)
		goto err_noise;
	ret = wg_parallel_queue_init(&wg->encrypt_queue, wg_crypt_wq,
				     wg_packet_encrypt_worker, &wg->encrypt_queue,
				     WG_CRYPT_RING_SIZE);
	if (ret)
		goto err_ratelimiter;
	ret = wg_parallel_queue_init(&wg->decrypt_queue, wg_crypt_wq,
				     wg_packet_decrypt_worker, &wg->decrypt_queue,
				     WG_CRYPT_RING_SIZE);
	if (ret)
		goto err_encrypt;
	ret = wg_parallel_queue_init(&wg->incoming_handshakes, wg_handshake_wq,
				     wg_packet_handshake_receive_worker,
				     &wg->incoming_handshakes,
				     WG_MAX_QUEUED_INCOMING_HANDSHAKES);
	if (ret)
		goto err_decrypt;
	ret = wg_packet_rx_napi_init(wg);
	if (ret)
		goto err_handshakes;
	return 0;

err_handshakes:
	wg_parallel_queue_uninit(&wg->incoming_handshakes);
err_decrypt:
	wg_parallel_queue_uninit(&wg->decrypt_queue);
err_encrypt:
	wg_parallel_queue_uninit(&wg->encrypt_queue);
err_ratelimiter:
	wg_ratelimiter_uninit(&wg->ratelimiter);
err_noise:
	wg_noise_device_uninit(&wg->noise);
	return ret;
}

static int wg_newlink(struct net *src_net, struct net_device *dev,
		      struct nlattr *tb[], struct nlattr *data[],
		      struct netlink_ext_ack *extack)
{
	struct wg_device *wg = netdev_priv(dev);
	int ret;

	wg->creating_net = src_net;
	ret = wg_device_state_init(wg);
	if (ret < 0)
		return ret;
	/* From here on a failure is cleaned up by ndo_uninit. */
	list_add(&wg->device_list, &device_list);
	ret = register_netdevice(dev);
	if (ret < 0) {
		if (!list_empty(&wg->device_list)) {
			/* ndo_init failed: ndo_uninit never ran. */
			list_del_init(&wg->device_list);
			wg_device_state_uninit(wg);
		}
		return ret;
	}
	return 0;
}

static struct rtnl_link_ops wg_link_ops __read_mostly = {
	.kind = "wireguard",
	.priv_size = sizeof(struct wg_device_priv),
	.setup = wg_setup,
	.newlink = wg_newlink,
};

/*
 * When the namespace a device was created in goes away while the device
 * lives on in another one, the device loses its sockets and its peers'
 * cached routes (they belonged to that namespace) and its carrier, as on
 * the stock module: it stays up if it was, with its routes, keys and
 * peers, which can still change; a port or fwmark cannot be set, and once
 * down it cannot come up again. Devices still inside the dying namespace
 * are deleted by the core through dellink.
 */
static void __net_exit wg_netns_pre_exit(struct net *net)
{
	struct wg_peer *peer;
	struct wg_device *wg;

	rtnl_lock();
	list_for_each_entry(wg, &device_list, device_list) {
		if (wg->creating_net != net)
			continue;
		netif_carrier_off(wg->dev);
		mutex_lock(&wg->device_update_lock);
		wg->creating_net = NULL;
		wg_socket_reinit(wg, NULL, NULL);
		/* Its routes hold the dying namespace: release them now. */
		list_for_each_entry(peer, &wg->peer_list, peer_list)
			wg_socket_release_peer_routes(peer);
		mutex_unlock(&wg->device_update_lock);
	}
	rtnl_unlock();
}

static struct pernet_operations wg_netns_ops = {
	.pre_exit = wg_netns_pre_exit,
};

int __init wg_device_init(void)
{
	int ret;

	wg_crypt_wq = alloc_workqueue("wg-crypt", WQ_CPU_INTENSIVE | WQ_MEM_RECLAIM, 0);
	if (!wg_crypt_wq)
		return -ENOMEM;
	wg_handshake_wq = alloc_workqueue("wg-handshake",
					  WQ_CPU_INTENSIVE | WQ_FREEZABLE, 0);
	if (!wg_handshake_wq) {
		ret = -ENOMEM;
		goto err_crypt;
	}
	ret = wg_peer_init();
	if (ret < 0)
		goto err_handshake;
	ret = register_pernet_device(&wg_netns_ops);
	if (ret < 0)
		goto err_peer;
	ret = rtnl_link_register(&wg_link_ops);
	if (ret < 0)
		goto err_pernet;
	return 0;

err_pernet:
	unregister_pernet_device(&wg_netns_ops);
err_peer:
	wg_peer_uninit();
err_handshake:
	destroy_workqueue(wg_handshake_wq);
err_crypt:
	destroy_workqueue(wg_crypt_wq);
	return ret;
}

void wg_device_uninit(void)
{
	rtnl_link_unregister(&wg_link_ops);
	unregister_pernet_device(&wg_netns_ops);
	wg_peer_uninit();
	destroy_workqueue(wg_handshake_wq);
	destroy_workqueue(wg_crypt_wq);
}
