// SPDX-License-Identifier: GPL-2.0
/*
 * The generic-netlink family "wireguard": the configuration UAPI of
 * docs/protocol.md §6.
 */

#include <linux/if.h>
#include <linux/netdevice.h>
#include <linux/socket.h>
#include <linux/time_types.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "wireguard.h"

static struct genl_family genl_family;

static const struct nla_policy device_policy[WGDEVICE_A_MAX + 1] = {
	[WGDEVICE_A_IFINDEX]		= { .type = NLA_U32 },
	[WGDEVICE_A_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[WGDEVICE_A_PRIVATE_KEY]	= NLA_POLICY_EXACT_LEN(WG_KEY_LEN),
	[WGDEVICE_A_PUBLIC_KEY]		= NLA_POLICY_EXACT_LEN(WG_KEY_LEN),
	[WGDEVICE_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32, __WGDEVICE_F_ALL),
	[WGDEVICE_A_LISTEN_PORT]	= { .type = NLA_U16 },
	[WGDEVICE_A_FWMARK]		= { .type = NLA_U32 },
	[WGDEVICE_A_PEERS]		= { .type = NLA_NESTED }
};

/* Used by SET_DEVICE to parse each nested peer and allowed IP. */
static const struct nla_policy peer_policy[WGPEER_A_MAX + 1] __maybe_unused = {
	[WGPEER_A_PUBLIC_KEY]			= NLA_POLICY_EXACT_LEN(WG_KEY_LEN),
	[WGPEER_A_PRESHARED_KEY]		= NLA_POLICY_EXACT_LEN(WG_KEY_LEN),
	[WGPEER_A_FLAGS]			= NLA_POLICY_MASK(NLA_U32, __WGPEER_F_ALL),
	[WGPEER_A_ENDPOINT]			= NLA_POLICY_MIN_LEN(sizeof(struct sockaddr)),
	[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL] = { .type = NLA_U16 },
	[WGPEER_A_LAST_HANDSHAKE_TIME]		= NLA_POLICY_EXACT_LEN(sizeof(struct __kernel_timespec)),
	[WGPEER_A_RX_BYTES]			= { .type = NLA_U64 },
	[WGPEER_A_TX_BYTES]			= { .type = NLA_U64 },
	[WGPEER_A_ALLOWEDIPS]			= { .type = NLA_NESTED },
	[WGPEER_A_PROTOCOL_VERSION]		= { .type = NLA_U32 }
};

static const struct nla_policy allowedip_policy[WGALLOWEDIP_A_MAX + 1] __maybe_unused = {
	[WGALLOWEDIP_A_FAMILY]		= { .type = NLA_U16 },
	[WGALLOWEDIP_A_IPADDR]		= NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
	[WGALLOWEDIP_A_CIDR_MASK]	= { .type = NLA_U8 },
	[WGALLOWEDIP_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32, __WGALLOWEDIP_F_ALL)
};

/*
 * Find the device a request names, by exactly one of ifindex or ifname, in
 * the requester's namespace. Returns it with a reference held.
 */
static struct wg_device *lookup_device(struct net *net, struct nlattr **attrs,
				       struct netlink_ext_ack *extack)
{
	struct net_device *dev = NULL;

	if (attrs[WGDEVICE_A_IFINDEX] && attrs[WGDEVICE_A_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGDEVICE_A_IFNAME],
				    "give either WGDEVICE_A_IFINDEX or WGDEVICE_A_IFNAME, not both");
		return ERR_PTR(-EINVAL);
	}
	if (attrs[WGDEVICE_A_IFINDEX]) {
		dev = dev_get_by_index(net, nla_get_u32(attrs[WGDEVICE_A_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGDEVICE_A_IFINDEX],
					    "no device with this WGDEVICE_A_IFINDEX");
			return ERR_PTR(-ENODEV);
		}
	} else if (attrs[WGDEVICE_A_IFNAME]) {
		dev = dev_get_by_name(net, nla_data(attrs[WGDEVICE_A_IFNAME]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGDEVICE_A_IFNAME],
					    "no device with this WGDEVICE_A_IFNAME");
			return ERR_PTR(-ENODEV);
		}
	} else {
		NL_SET_ERR_MSG(extack, "WGDEVICE_A_IFINDEX or WGDEVICE_A_IFNAME is required");
		return ERR_PTR(-EINVAL);
	}

	if (!dev->rtnl_link_ops || !dev->rtnl_link_ops->kind ||
	    strcmp(dev->rtnl_link_ops->kind, "wireguard")) {
		NL_SET_ERR_MSG(extack, "the device is not a WireGuard device");
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

static int wg_get_device_start(struct netlink_callback *cb)
{
	struct wg_device *wg;

	wg = lookup_device(sock_net(cb->skb->sk), kwg_genl_dump_attrs(cb),
			   cb->extack);
	if (IS_ERR(wg))
		return PTR_ERR(wg);
	cb->args[0] = (long)wg;
	return 0;
}

static int wg_get_device_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct wg_device *wg = (struct wg_device *)cb->args[0];
	void *hdr;
	int ret = -EMSGSIZE;

	/* Everything fits the first message until peers exist. */
	if (cb->args[1])
		return 0;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &genl_family, NLM_F_MULTI, WG_CMD_GET_DEVICE);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);

	mutex_lock(&wg->device_update_lock);
	if (nla_put_u16(skb, WGDEVICE_A_LISTEN_PORT, wg->incoming_port) ||
	    nla_put_u32(skb, WGDEVICE_A_FWMARK, wg->fwmark) ||
	    nla_put_u32(skb, WGDEVICE_A_IFINDEX, wg->dev->ifindex) ||
	    nla_put_string(skb, WGDEVICE_A_IFNAME, wg->dev->name))
		goto out;
	ret = 0;
out:
	mutex_unlock(&wg->device_update_lock);
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	cb->args[1] = 1;
	return skb->len;
}

static int wg_get_device_done(struct netlink_callback *cb)
{
	struct wg_device *wg = (struct wg_device *)cb->args[0];

	if (wg)
		dev_put(wg->dev);
	return 0;
}

static int wg_set_device(struct sk_buff *skb, struct genl_info *info)
{
	struct wg_device *wg;
	int ret = 0;

	wg = lookup_device(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(wg))
		return PTR_ERR(wg);

	mutex_lock(&wg->device_update_lock);
	if (!wg->creating_net) {
		NL_SET_ERR_MSG(info->extack,
			       "the namespace this device was created in is gone");
		ret = -EPERM;
		goto out;
	}
	if (info->attrs[WGDEVICE_A_PRIVATE_KEY] || info->attrs[WGDEVICE_A_PEERS] ||
	    info->attrs[WGDEVICE_A_FLAGS]) {
		NL_SET_ERR_MSG(info->extack, "keys and peers are not supported yet");
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (info->attrs[WGDEVICE_A_FWMARK])
		wg->fwmark = nla_get_u32(info->attrs[WGDEVICE_A_FWMARK]);
	if (info->attrs[WGDEVICE_A_LISTEN_PORT])
		wg->incoming_port = nla_get_u16(info->attrs[WGDEVICE_A_LISTEN_PORT]);
out:
	mutex_unlock(&wg->device_update_lock);
	dev_put(wg->dev);
	return ret;
}

static const struct genl_ops genl_ops[] = {
	{
		.cmd = WG_CMD_GET_DEVICE,
		.start = wg_get_device_start,
		.dumpit = wg_get_device_dump,
		.done = wg_get_device_done,
		.flags = GENL_UNS_ADMIN_PERM
	}, {
		.cmd = WG_CMD_SET_DEVICE,
		.doit = wg_set_device,
		.flags = GENL_UNS_ADMIN_PERM
	}
};

static struct genl_family genl_family __ro_after_init = {
	.ops = genl_ops,
	.n_ops = ARRAY_SIZE(genl_ops),
	.resv_start_op = WG_CMD_SET_DEVICE + 1,
	.name = WG_GENL_NAME,
	.version = WG_GENL_VERSION,
	.maxattr = WGDEVICE_A_MAX,
	.module = THIS_MODULE,
	.policy = device_policy,
	.netnsok = true
};

int __init wg_genetlink_init(void)
{
	return genl_register_family(&genl_family);
}

void __exit wg_genetlink_uninit(void)
{
	genl_unregister_family(&genl_family);
}
