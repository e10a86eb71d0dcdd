// SPDX-License-Identifier: GPL-2.0
/*
 * The wireguard net_device: rtnl link kind "wireguard", its lifetime, and
 * its tie to the network namespace it was created in.
 */

#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "device.h"

#define WG_DEFAULT_MTU 1420
/* Largest inner packet that still fits an outer IPv6/UDP datagram. */
#define WG_MAX_MTU (IP_MAX_MTU - 80)

/* Every wireguard device in every namespace; under RTNL. */
static LIST_HEAD(device_list);

static int wg_open(struct net_device *dev)
{
	struct wg_device *wg = netdev_priv(dev);

	/* Its sockets' namespace is gone: the device can never send again. */
	if (!wg->creating_net)
		return -ENONET;
	return 0;
}

static int wg_stop(struct net_device *dev)
{
	return 0;
}

static netdev_tx_t wg_xmit(struct sk_buff *skb, struct net_device *dev)
{
	/* No peers exist yet in the skeleton: nothing can be sent. */
	dev->stats.tx_dropped++;
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static int wg_ndo_init(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	return dev->tstats ? 0 : -ENOMEM;
}

static void wg_ndo_uninit(struct net_device *dev)
{
	struct wg_device *wg = netdev_priv(dev);

	ASSERT_RTNL();
	list_del(&wg->device_list);
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

	dev->netdev_ops = &wg_netdev_ops;
	dev->header_ops = NULL;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = WG_DEFAULT_MTU;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = WG_MAX_MTU;
	dev->needs_free_netdev = true;
	dev->priv_destructor = wg_destruct;

	memset(wg, 0, sizeof(*wg));
	wg->dev = dev;
	mutex_init(&wg->device_update_lock);
	INIT_LIST_HEAD(&wg->device_list);
}

static int wg_newlink(struct net *src_net, struct net_device *dev,
		      struct nlattr *tb[], struct nlattr *data[],
		      struct netlink_ext_ack *extack)
{
	struct wg_device *wg = netdev_priv(dev);
	int ret;

	wg->creating_net = src_net;
	ret = register_netdevice(dev);
	if (ret < 0)
		return ret;
	list_add(&wg->device_list, &device_list);
	return 0;
}

static struct rtnl_link_ops wg_link_ops __read_mostly = {
	.kind = "wireguard",
	.priv_size = sizeof(struct wg_device),
	.setup = wg_setup,
	.newlink = wg_newlink,
};

/*
 * When the namespace a device was created in goes away while the device
 * lives on in another one, the device loses its sockets (they belonged to
 * that namespace) and stays, inert: it can be deleted, not brought up or
 * reconfigured. Devices still inside the dying namespace are deleted by
 * the core through dellink.
 */
static void __net_exit wg_netns_pre_exit(struct net *net)
{
	struct wg_device *wg;

	rtnl_lock();
	list_for_each_entry(wg, &device_list, device_list) {
		if (wg->creating_net != net)
			continue;
		mutex_lock(&wg->device_update_lock);
		wg->creating_net = NULL;
		mutex_unlock(&wg->device_update_lock);
		dev_close(wg->dev);
	}
	rtnl_unlock();
}

static struct pernet_operations wg_netns_ops = {
	.pre_exit = wg_netns_pre_exit,
};

int __init wg_device_init(void)
{
	int ret;

	ret = register_pernet_device(&wg_netns_ops);
	if (ret < 0)
		return ret;
	ret = rtnl_link_register(&wg_link_ops);
	if (ret < 0)
		unregister_pernet_device(&wg_netns_ops);
	return ret;
}

void wg_device_uninit(void)
{
	rtnl_link_unregister(&wg_link_ops);
	unregister_pernet_device(&wg_netns_ops);
}
