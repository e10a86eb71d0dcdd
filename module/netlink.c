// SPDX-License-Identifier: GPL-2.0
/*
 * The generic-netlink family "wireguard": the configuration UAPI of
 * docs/protocol.md section 6.
 */

#include <linux/if.h>
#include <linux/netdevice.h>
#include <linux/stringify.h>
#include <linux/socket.h>
#include <linux/time_types.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <crypto/curve25519.h>
#include <crypto/algapi.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "device.h"
#include "events.h"
#include "netlink.h"
#include "peer.h"
#include "peer_name.h"
#include "queueing.h"
#include "socket.h"
#include "wireguard.h"

/*
 * The nested policies are linked so that CTRL_CMD_GETPOLICY shows them:
 * that is how tools learn that WGALLOWEDIP_A_FLAGS (removal) is understood.
 * Unknown flag bits are refused by the handlers rather than by a policy
 * mask: the error is then the stock module's (EOPNOTSUPP for device and
 * peer flags), and the extack text names the attribute.
 */
static const struct nla_policy allowedip_policy[WGALLOWEDIP_A_MAX + 1] = {
	[WGALLOWEDIP_A_FAMILY]		= { .type = NLA_U16 },
	[WGALLOWEDIP_A_IPADDR]		= NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
	[WGALLOWEDIP_A_CIDR_MASK]	= { .type = NLA_U8 },
	[WGALLOWEDIP_A_FLAGS]		= { .type = NLA_U32 }
};

/*
 * A peer takes the standard attributes and kwg's WGPEER_A_NAME: the numbers
 * between are unsupported (NLA_UNSPEC) and those above unknown, both
 * refused by the strict validation of the genl core.
 */
#define WG_PEER_POLICY_MAX WGPEER_A_NAME

static const struct nla_policy peer_policy[WG_PEER_POLICY_MAX + 1] = {
	[WGPEER_A_PUBLIC_KEY]			= NLA_POLICY_EXACT_LEN(WG_KEY_LEN),
	[WGPEER_A_PRESHARED_KEY]		= NLA_POLICY_EXACT_LEN(WG_KEY_LEN),
	[WGPEER_A_FLAGS]			= { .type = NLA_U32 },
	[WGPEER_A_ENDPOINT]			= NLA_POLICY_MIN_LEN(sizeof(struct sockaddr)),
	[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL] = { .type = NLA_U16 },
	[WGPEER_A_LAST_HANDSHAKE_TIME]		=
		NLA_POLICY_EXACT_LEN(sizeof(struct __kernel_timespec)),
	[WGPEER_A_RX_BYTES]			= { .type = NLA_U64 },
	[WGPEER_A_TX_BYTES]			= { .type = NLA_U64 },
	[WGPEER_A_ALLOWEDIPS]			= NLA_POLICY_NESTED_ARRAY(allowedip_policy),
	[WGPEER_A_PROTOCOL_VERSION]		= { .type = NLA_U32 },
	/* Checked by validate_name(), so that the extack names it. */
	[WGPEER_A_NAME]				= { .type = NLA_BINARY }
};

static const struct nla_policy device_policy[WGDEVICE_A_MAX + 1] = {
	[WGDEVICE_A_IFINDEX]		= { .type = NLA_U32 },
	[WGDEVICE_A_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[WGDEVICE_A_PRIVATE_KEY]	= NLA_POLICY_EXACT_LEN(WG_KEY_LEN),
	[WGDEVICE_A_PUBLIC_KEY]		= NLA_POLICY_EXACT_LEN(WG_KEY_LEN),
	[WGDEVICE_A_FLAGS]		= { .type = NLA_U32 },
	[WGDEVICE_A_LISTEN_PORT]	= { .type = NLA_U16 },
	[WGDEVICE_A_FWMARK]		= { .type = NLA_U32 },
	[WGDEVICE_A_PEERS]		= NLA_POLICY_NESTED_ARRAY(peer_policy)
};

/*
 * Find the device a request names, by exactly one of ifindex or ifname, in
 * the requester's namespace. Returns it with a reference held. The errors
 * are the stock module's: EBADR for both or neither, ENODEV, EOPNOTSUPP.
 */
static struct wg_device *lookup_device(struct net *net, struct nlattr **attrs,
				       struct netlink_ext_ack *extack)
{
	struct net_device *dev = NULL;
	struct nlattr *id;

	if (attrs[WGDEVICE_A_IFINDEX] && attrs[WGDEVICE_A_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGDEVICE_A_IFNAME],
				    "give either WGDEVICE_A_IFINDEX or WGDEVICE_A_IFNAME, not both");
		return ERR_PTR(-EBADR);
	}
	if (attrs[WGDEVICE_A_IFINDEX]) {
		id = attrs[WGDEVICE_A_IFINDEX];
		dev = dev_get_by_index(net, nla_get_u32(id));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGDEVICE_A_IFINDEX],
					    "no device with this WGDEVICE_A_IFINDEX");
			return ERR_PTR(-ENODEV);
		}
	} else if (attrs[WGDEVICE_A_IFNAME]) {
		id = attrs[WGDEVICE_A_IFNAME];
		dev = dev_get_by_name(net, nla_data(id));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGDEVICE_A_IFNAME],
					    "no device with this WGDEVICE_A_IFNAME");
			return ERR_PTR(-ENODEV);
		}
	} else {
		NL_SET_ERR_MSG(extack, "WGDEVICE_A_IFINDEX or WGDEVICE_A_IFNAME is required");
		return ERR_PTR(-EBADR);
	}

	if (!dev->rtnl_link_ops || !dev->rtnl_link_ops->kind ||
	    strcmp(dev->rtnl_link_ops->kind, "wireguard")) {
		if (id == attrs[WGDEVICE_A_IFNAME])
			NL_SET_ERR_MSG_ATTR(extack, id,
					    "WGDEVICE_A_IFNAME is not a WireGuard device");
		else
			NL_SET_ERR_MSG_ATTR(extack, id,
					    "WGDEVICE_A_IFINDEX is not a WireGuard device");
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

/* --- GET_DEVICE ------------------------------------------------------------ */

/* cb->args: the device, the dump state, the peer to resume at, its cursor. */
enum {
	DUMP_ARG_DEVICE,
	DUMP_ARG_STATE,
	DUMP_ARG_PEER,
	DUMP_ARG_CURSOR
};

enum { DUMP_FIRST, DUMP_RESUME, DUMP_DONE };

static_assert(DUMP_ARG_CURSOR + WG_ALLOWEDIPS_CURSOR_LONGS <=
	      sizeof_field(struct netlink_callback, args) / sizeof(long));

static int put_allowedip(struct sk_buff *skb, const struct wg_allowedips_entry *e)
{
	struct nlattr *nest = nla_nest_start(skb, 0);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, WGALLOWEDIP_A_CIDR_MASK, e->cidr) ||
	    nla_put_u16(skb, WGALLOWEDIP_A_FAMILY, e->family) ||
	    nla_put(skb, WGALLOWEDIP_A_IPADDR,
		    e->family == AF_INET ? sizeof(e->addr.v4) : sizeof(e->addr.v6),
		    &e->addr)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int wg_genl_put_endpoint(struct sk_buff *skb, int type,
			 const struct wg_endpoint *endpoint)
{
	if (endpoint->addr.sa_family == AF_INET)
		return nla_put(skb, type, sizeof(endpoint->addr4),
			       &endpoint->addr4);
	if (endpoint->addr.sa_family == AF_INET6)
		return nla_put(skb, type, sizeof(endpoint->addr6),
			       &endpoint->addr6);
	return 0;
}

static int put_peer_details(struct sk_buff *skb, struct wg_peer *peer,
			    bool with_keys)
{
	struct __kernel_timespec last_handshake;
	const struct wg_peer_name *name;
	struct wg_endpoint endpoint;
	u8 psk[WG_SYMMETRIC_KEY_LEN];
	int ret = 0;

	if (with_keys) {
		wg_noise_handshake_get_psk(&peer->handshake, psk);
		ret = nla_put(skb, WGPEER_A_PRESHARED_KEY, sizeof(psk), psk);
		memzero_explicit(psk, sizeof(psk));
		if (ret)
			return ret;
	}
	spin_lock_bh(&peer->walltime_lock);
	last_handshake.tv_sec = peer->walltime_last_handshake.tv_sec;
	last_handshake.tv_nsec = peer->walltime_last_handshake.tv_nsec;
	spin_unlock_bh(&peer->walltime_lock);
	if (nla_put(skb, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(last_handshake),
		    &last_handshake) ||
	    nla_put_u16(skb, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
			READ_ONCE(peer->persistent_keepalive_interval)) ||
	    nla_put_u64_64bit(skb, WGPEER_A_TX_BYTES,
			      atomic64_read(&peer->tx_bytes), WGPEER_A_UNSPEC) ||
	    nla_put_u64_64bit(skb, WGPEER_A_RX_BYTES,
			      atomic64_read(&peer->rx_bytes), WGPEER_A_UNSPEC) ||
	    nla_put_u32(skb, WGPEER_A_PROTOCOL_VERSION, 1))
		return -EMSGSIZE;

	read_lock_bh(&peer->endpoint_lock);
	endpoint = peer->endpoint;
	read_unlock_bh(&peer->endpoint_lock);
	if (wg_genl_put_endpoint(skb, WGPEER_A_ENDPOINT, &endpoint))
		return -EMSGSIZE;

	name = rcu_dereference_protected(peer->name,
					 lockdep_is_held(&peer->device->device_update_lock));
	if (name && nla_put_string(skb, WGPEER_A_NAME, name->str))
		return -EMSGSIZE;
	return 0;
}

/*
 * One peer, or as much of it as fits. A peer resumed from an earlier
 * message (cursor not at the start) carries only its key and the allowed
 * IPs left. Return: 0 when the peer is complete, -EMSGSIZE otherwise (the
 * cursor then says where to resume).
 */
static int put_peer(struct sk_buff *skb, struct wg_device *wg,
		    struct wg_peer *peer, struct wg_allowedips_cursor *cursor,
		    bool with_keys, bool alone)
{
	struct nlattr *peer_nest, *ips_nest;
	struct wg_allowedips_cursor before;
	struct wg_allowedips_entry entry;
	bool fresh = !cursor->index;
	unsigned int written = 0;
	int ret = 0;

	peer_nest = nla_nest_start(skb, 0);
	if (!peer_nest)
		return -EMSGSIZE;
	if (nla_put(skb, WGPEER_A_PUBLIC_KEY, WG_PUBLIC_KEY_LEN,
		    peer->handshake.pubkey_entry.pubkey) ||
	    (fresh && put_peer_details(skb, peer, with_keys)))
		goto cancel;

	ips_nest = nla_nest_start(skb, WGPEER_A_ALLOWEDIPS);
	if (!ips_nest)
		goto cancel;
	for (;;) {
		before = *cursor;
		if (!wg_allowedips_walk_next(&wg->peer_allowedips,
					     &peer->allowedips, cursor, &entry,
					     &wg->device_update_lock))
			break;
		if (put_allowedip(skb, &entry)) {
			*cursor = before;
			ret = -EMSGSIZE;
			break;
		}
		++written;
	}
	if (ret && !written && !alone) {
		/* Nothing of this peer's list fit: all of it goes next time. */
		*cursor = before;
		goto cancel;
	}
	nla_nest_end(skb, ips_nest);
	nla_nest_end(skb, peer_nest);
	return ret;

cancel:
	nla_nest_cancel(skb, peer_nest);
	return -EMSGSIZE;
}

static int put_device_attrs(struct sk_buff *skb, struct wg_device *wg,
			    bool with_keys)
{
	u8 public_key[WG_PUBLIC_KEY_LEN], private_key[WG_PUBLIC_KEY_LEN];
	int ret = 0;

	if (nla_put_u16(skb, WGDEVICE_A_LISTEN_PORT, wg->incoming_port) ||
	    nla_put_u32(skb, WGDEVICE_A_FWMARK, wg->fwmark) ||
	    nla_put_u32(skb, WGDEVICE_A_IFINDEX, wg->dev->ifindex) ||
	    nla_put_string(skb, WGDEVICE_A_IFNAME, wg->dev->name))
		return -EMSGSIZE;
	if (wg_noise_get_identity(&wg->noise, public_key, private_key)) {
		if ((with_keys && nla_put(skb, WGDEVICE_A_PRIVATE_KEY,
					  WG_KEY_LEN, private_key)) ||
		    nla_put(skb, WGDEVICE_A_PUBLIC_KEY, WG_KEY_LEN, public_key))
			ret = -EMSGSIZE;
	}
	memzero_explicit(private_key, sizeof(private_key));
	return ret;
}

static int wg_get_device_start(struct netlink_callback *cb)
{
	struct nlattr *attrs[WGDEVICE_A_MAX + 1];
	struct wg_device *wg;
	int ret;

	/*
	 * Parsed here rather than taken from the genl core, whose place for
	 * the parsed attributes differs between kernel series.
	 */
	ret = nlmsg_parse(cb->nlh, GENL_HDRLEN, attrs, WGDEVICE_A_MAX,
			  device_policy, cb->extack);
	if (ret < 0)
		return ret;
	wg = lookup_device(sock_net(cb->skb->sk), attrs, cb->extack);
	if (IS_ERR(wg))
		return PTR_ERR(wg);
	cb->args[DUMP_ARG_DEVICE] = (long)wg;
	return 0;
}

static int wg_get_device_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct wg_device *wg = (struct wg_device *)cb->args[DUMP_ARG_DEVICE];
	struct wg_peer *resume = (struct wg_peer *)cb->args[DUMP_ARG_PEER];
	bool with_keys = netlink_net_capable(cb->skb, CAP_NET_ADMIN);
	struct wg_allowedips_cursor cursor;
	struct wg_peer *peer, *stopped = NULL;
	struct nlattr *peers_nest;
	unsigned int count = 0;
	int ret = 0;
	void *hdr;

	if (cb->args[DUMP_ARG_STATE] == DUMP_DONE)
		return 0;
	memcpy(&cursor, &cb->args[DUMP_ARG_CURSOR], sizeof(cursor));

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &wg_genl_family, NLM_F_MULTI, WG_CMD_GET_DEVICE);
	if (!hdr)
		return -EMSGSIZE;

	mutex_lock(&wg->device_update_lock);
	/* A configuration change between two parts marks the dump interrupted. */
	cb->seq = wg->device_update_gen + 1;
	genl_dump_check_consistent(cb, hdr);

	if (cb->args[DUMP_ARG_STATE] == DUMP_FIRST) {
		ret = put_device_attrs(skb, wg, with_keys);
		if (ret)
			goto out;
		peer = list_first_entry(&wg->peer_list, struct wg_peer, peer_list);
	} else {
		/*
		 * Later messages carry only peers, as on the in-tree module
		 * (clients that print each message, like YNL's cli.py, show
		 * the device once). A resume peer removed meanwhile ends the
		 * dump, which is already marked interrupted.
		 */
		if (!resume || list_empty(&resume->peer_list))
			goto done;
		peer = resume;
	}

	peers_nest = nla_nest_start(skb, WGDEVICE_A_PEERS);
	if (!peers_nest) {
		ret = -EMSGSIZE;
		goto out;
	}
	list_for_each_entry_from(peer, &wg->peer_list, peer_list) {
		if (put_peer(skb, wg, peer, &cursor, with_keys, !count)) {
			stopped = peer;
			break;
		}
		++count;
		memset(&cursor, 0, sizeof(cursor));
	}
	if (count || stopped != resume || cursor.index)
		nla_nest_end(skb, peers_nest);
	else
		nla_nest_cancel(skb, peers_nest);

	if (stopped) {
		if (stopped != resume) {
			wg_peer_get(stopped);
			wg_peer_put(resume);
		}
		cb->args[DUMP_ARG_PEER] = (long)stopped;
		memcpy(&cb->args[DUMP_ARG_CURSOR], &cursor, sizeof(cursor));
		cb->args[DUMP_ARG_STATE] = DUMP_RESUME;
		goto out;
	}
done:
	wg_peer_put(resume);
	cb->args[DUMP_ARG_PEER] = 0;
	cb->args[DUMP_ARG_STATE] = DUMP_DONE;
out:
	mutex_unlock(&wg->device_update_lock);
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	return skb->len;
}

static int wg_get_device_done(struct netlink_callback *cb)
{
	struct wg_device *wg = (struct wg_device *)cb->args[DUMP_ARG_DEVICE];
	struct wg_peer *peer = (struct wg_peer *)cb->args[DUMP_ARG_PEER];

	wg_peer_put(peer);
	if (wg)
		dev_put(wg->dev);
	return 0;
}

/* --- SET_DEVICE ------------------------------------------------------------ */

/*
 * Index a nested attribute's members. The genetlink core has validated the
 * whole request against device_policy before our handler runs, down to
 * every allowed IP (the nested-array policies), and answered any failure
 * with its extack; validating again here cost three more passes over each
 * allowed IP of a bulk load.
 */
static int index_nested(struct nlattr **attrs, int maxtype,
			const struct nlattr *attr)
{
	return nla_parse_nested_deprecated(attrs, maxtype, attr, NULL, NULL);
}

static int parse_allowedip(struct nlattr *attr, struct nlattr **attrs,
			   struct netlink_ext_ack *extack)
{
	int ret;
	u16 family;
	u8 cidr;

	ret = index_nested(attrs, WGALLOWEDIP_A_MAX, attr);
	if (ret < 0)
		return ret;
	if (attrs[WGALLOWEDIP_A_FLAGS] &&
	    nla_get_u32(attrs[WGALLOWEDIP_A_FLAGS]) & ~__WGALLOWEDIP_F_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGALLOWEDIP_A_FLAGS],
				    "WGALLOWEDIP_A_FLAGS has unknown flags");
		return -EINVAL;
	}
	if (!attrs[WGALLOWEDIP_A_FAMILY] || !attrs[WGALLOWEDIP_A_IPADDR] ||
	    !attrs[WGALLOWEDIP_A_CIDR_MASK]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "an allowed IP needs WGALLOWEDIP_A_FAMILY, WGALLOWEDIP_A_IPADDR and WGALLOWEDIP_A_CIDR_MASK");
		return -EINVAL;
	}
	family = nla_get_u16(attrs[WGALLOWEDIP_A_FAMILY]);
	cidr = nla_get_u8(attrs[WGALLOWEDIP_A_CIDR_MASK]);
	if (family == AF_INET) {
		if (nla_len(attrs[WGALLOWEDIP_A_IPADDR]) != sizeof(struct in_addr)) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGALLOWEDIP_A_IPADDR],
					    "WGALLOWEDIP_A_IPADDR must be 4 bytes for AF_INET");
			return -EINVAL;
		}
		if (cidr > 32) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGALLOWEDIP_A_CIDR_MASK],
					    "WGALLOWEDIP_A_CIDR_MASK is more than 32");
			return -EINVAL;
		}
	} else if (family == AF_INET6) {
		if (nla_len(attrs[WGALLOWEDIP_A_IPADDR]) != sizeof(struct in6_addr)) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGALLOWEDIP_A_IPADDR],
					    "WGALLOWEDIP_A_IPADDR must be 16 bytes for AF_INET6");
			return -EINVAL;
		}
		if (cidr > 128) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGALLOWEDIP_A_CIDR_MASK],
					    "WGALLOWEDIP_A_CIDR_MASK is more than 128");
			return -EINVAL;
		}
	} else {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGALLOWEDIP_A_FAMILY],
				    "WGALLOWEDIP_A_FAMILY must be AF_INET or AF_INET6");
		return -EINVAL;
	}
	return 0;
}

static int parse_endpoint(struct nlattr *attr, struct wg_endpoint *endpoint,
			  struct netlink_ext_ack *extack)
{
	const struct sockaddr *addr = nla_data(attr);
	size_t len = nla_len(attr);

	memset(endpoint, 0, sizeof(*endpoint));
	if (len == sizeof(struct sockaddr_in) && addr->sa_family == AF_INET) {
		endpoint->addr4 = *(const struct sockaddr_in *)addr;
		return 0;
	}
	if (len == sizeof(struct sockaddr_in6) && addr->sa_family == AF_INET6) {
		endpoint->addr6 = *(const struct sockaddr_in6 *)addr;
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "WGPEER_A_ENDPOINT must be a struct sockaddr_in or sockaddr_in6");
	return -EINVAL;
}

/*
 * WGPEER_A_NAME of a peer nest, or NULL: the last one, as parsing picks for
 * the standard attributes (which SET parses into arrays of WGPEER_A_MAX + 1
 * entries, the name being far above).
 */
static struct nlattr *peer_name_attr(const struct nlattr *peer)
{
	struct nlattr *attr, *name = NULL;
	int rem;

	nla_for_each_nested(attr, peer, rem) {
		if (nla_type(attr) == WGPEER_A_NAME)
			name = attr;
	}
	return name;
}

/* A string whose only NUL ends it, that peer_name.h accepts. */
static int validate_name(const struct nlattr *attr,
			 struct netlink_ext_ack *extack)
{
	const char *name = nla_data(attr);
	int len = nla_len(attr);

	if (!len || strnlen(name, len) != len - 1) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "WGPEER_A_NAME must be a string with one NUL, at its end");
		return -EINVAL;
	}
	switch (wg_peer_name_check(name, len - 1)) {
	case WG_PEER_NAME_OK:
		return 0;
	case WG_PEER_NAME_TOO_LONG:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "WGPEER_A_NAME is longer than WG_PEER_NAME_MAX ("
				    __stringify(WG_PEER_NAME_MAX) ") bytes");
		break;
	case WG_PEER_NAME_NOT_UTF8:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "WGPEER_A_NAME is not valid UTF-8 (overlong, surrogate, above U+10FFFF or malformed)");
		break;
	case WG_PEER_NAME_CONTROL:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "WGPEER_A_NAME has a control character");
		break;
	}
	return -EINVAL;
}

/* Check a peer completely before anything is changed. */
static int validate_peer(struct nlattr *attr, struct netlink_ext_ack *extack)
{
	struct nlattr *name = peer_name_attr(attr);
	struct nlattr *attrs[WGPEER_A_MAX + 1], *ip_attrs[WGALLOWEDIP_A_MAX + 1];
	struct wg_endpoint endpoint;
	struct nlattr *ip;
	int ret, rem;

	ret = index_nested(attrs, WGPEER_A_MAX, attr);
	if (ret < 0)
		return ret;
	if (!attrs[WGPEER_A_PUBLIC_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "a peer needs WGPEER_A_PUBLIC_KEY");
		return -EINVAL;
	}
	if (attrs[WGPEER_A_FLAGS] &&
	    nla_get_u32(attrs[WGPEER_A_FLAGS]) & ~__WGPEER_F_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGPEER_A_FLAGS],
				    "WGPEER_A_FLAGS has unknown flags");
		return -EOPNOTSUPP;
	}
	if (attrs[WGPEER_A_PROTOCOL_VERSION] &&
	    nla_get_u32(attrs[WGPEER_A_PROTOCOL_VERSION]) != 1) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGPEER_A_PROTOCOL_VERSION],
				    "WGPEER_A_PROTOCOL_VERSION must be 1");
		return -EPFNOSUPPORT;
	}
	if (attrs[WGPEER_A_ENDPOINT]) {
		ret = parse_endpoint(attrs[WGPEER_A_ENDPOINT], &endpoint, extack);
		if (ret)
			return ret;
	}
	if (attrs[WGPEER_A_ALLOWEDIPS]) {
		nla_for_each_nested(ip, attrs[WGPEER_A_ALLOWEDIPS], rem) {
			ret = parse_allowedip(ip, ip_attrs, extack);
			if (ret)
				return ret;
		}
	}
	return name ? validate_name(name, extack) : 0;
}

/*
 * A SET request changes all it asks for or nothing. Everything is checked
 * first (above); then a plan decides what each peer attribute will do to
 * the configuration as the request leaves it, and allocates all the
 * request can need: new peers (not yet published), the allowed-IP trie
 * nodes, new sockets. Only then does the configuration change, in steps
 * that cannot fail. Both phases run under one hold of the configuration
 * mutex and RTNL, so nothing changes between them.
 */

enum peer_action {
	PEER_SKIP,	/* absent and only to be removed or updated, or our own key */
	PEER_REMOVE,
	PEER_UPDATE,
	PEER_CREATE,	/* a peer allocated by the plan, published on commit */
};

struct peer_op {
	struct nlattr *attrs[WGPEER_A_MAX + 1];
	struct nlattr *name;		/* WGPEER_A_NAME, or NULL */
	struct wg_peer *peer;
	enum peer_action action;
	bool created;			/* by this request: PEER_ADDED */
	/* The non-empty name to give the peer, until the commit does. */
	struct wg_peer_name *new_name;
};

/* What a SET request will do, and what it allocated for that. */
struct set_plan {
	struct peer_op *ops;	/* one per peer attribute, in order */
	unsigned int n_ops;
	unsigned int peers;	/* on the device after the ops so far */
	unsigned int inserts;	/* allowed IPs of the ops so far */
	struct wg_allowedips_pool pool;
	/* New sockets when the port changes on a running device. */
	struct sock *sk4, *sk6;
	/*
	 * Set by the commit: how many peers REPLACE_PEERS and the private
	 * key removed, which lead the list of removed peers.
	 */
	unsigned int dropped;
};

/*
 * The peer @key names when op @i is applied: the latest earlier op on the
 * same key decides, otherwise the device as REPLACE_PEERS leaves it.
 */
static struct wg_peer *plan_lookup(struct wg_device *wg,
				   const struct set_plan *plan, unsigned int i,
				   const u8 *key, bool replace)
{
	struct wg_noise_handshake *hs;
	const struct peer_op *op;
	struct wg_peer *peer;

	while (i--) {
		op = &plan->ops[i];
		if (!memcmp(nla_data(op->attrs[WGPEER_A_PUBLIC_KEY]), key,
			    WG_PUBLIC_KEY_LEN))
			return op->action == PEER_UPDATE ||
			       op->action == PEER_CREATE ? op->peer : NULL;
	}
	if (replace)
		return NULL;
	hs = wg_noise_lookup_pubkey(&wg->noise, key);
	if (!hs)
		return NULL;
	peer = wg_peer_of_handshake(hs);
	/* Only this request, under the mutex we hold, can unpublish it. */
	wg_peer_put(peer);
	return peer;
}

/* New sockets, bound now, if the request changes the port of a running device. */
static int plan_socket(struct wg_device *wg, struct nlattr **attrs,
		       struct set_plan *plan, struct netlink_ext_ack *extack)
{
	u32 fwmark = wg->fwmark;
	u16 port;
	int ret;

	if (!attrs[WGDEVICE_A_LISTEN_PORT] || !netif_running(wg->dev))
		return 0;
	port = nla_get_u16(attrs[WGDEVICE_A_LISTEN_PORT]);
	/* The same port keeps its sockets; 0 asks for a new random one. */
	if (port == wg->incoming_port && port)
		return 0;
	if (attrs[WGDEVICE_A_FWMARK])
		fwmark = nla_get_u32(attrs[WGDEVICE_A_FWMARK]);
	ret = wg_socket_create(wg, port, fwmark, &plan->sk4, &plan->sk6);
	if (ret)
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGDEVICE_A_LISTEN_PORT],
				    "could not bind to WGDEVICE_A_LISTEN_PORT");
	return ret;
}

/* Decide and allocate for one peer attribute, the plan's next op. */
static int plan_peer(struct wg_device *wg, struct set_plan *plan,
		     struct nlattr *attr, const u8 *own_public_key,
		     bool replace, struct netlink_ext_ack *extack)
{
	struct peer_op *op = &plan->ops[plan->n_ops];
	struct nlattr **attrs = op->attrs;
	struct wg_peer *peer;
	struct nlattr *ip;
	const u8 *key;
	u32 flags = 0;
	int ret, rem;

	ret = index_nested(attrs, WGPEER_A_MAX, attr);
	if (ret < 0)
		return ret;
	op->name = peer_name_attr(attr);
	key = nla_data(attrs[WGPEER_A_PUBLIC_KEY]);
	if (attrs[WGPEER_A_FLAGS])
		flags = nla_get_u32(attrs[WGPEER_A_FLAGS]);
	peer = plan_lookup(wg, plan, plan->n_ops, key, replace);
	/* The ops so far count even if this one fails: they own peers. */
	plan->n_ops++;

	/* Our own key is not a peer: ignored, like the stock module. */
	if (own_public_key && !memcmp(key, own_public_key, WG_PUBLIC_KEY_LEN))
		return 0;
	if (!peer && (flags & (WGPEER_F_REMOVE_ME | WGPEER_F_UPDATE_ONLY)))
		return 0;
	if (peer && (flags & WGPEER_F_REMOVE_ME)) {
		op->peer = peer;
		op->action = PEER_REMOVE;
		plan->peers--;
		return 0;
	}
	if (peer) {
		op->peer = peer;
		op->action = PEER_UPDATE;
	} else {
		if (plan->peers >= WG_MAX_PEERS_PER_DEVICE) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGPEER_A_PUBLIC_KEY],
					    "too many peers on this device");
			return -ENOSPC;
		}
		op->peer = wg_peer_alloc(wg, key);
		if (!op->peer) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGPEER_A_PUBLIC_KEY],
					    "could not create the peer");
			return -ENOMEM;
		}
		op->action = PEER_CREATE;
		op->created = true;
		plan->peers++;
	}

	/* Validated; one byte is the NUL alone: no name. */
	if (op->name && nla_len(op->name) > 1) {
		op->new_name = wg_peer_name_alloc(nla_data(op->name),
						  nla_len(op->name) - 1);
		if (!op->new_name) {
			NL_SET_ERR_MSG_ATTR(extack, op->name,
					    "could not store WGPEER_A_NAME");
			return -ENOMEM;
		}
	}

	if (!attrs[WGPEER_A_ALLOWEDIPS])
		return 0;
	/* Nodes for every allowed IP: removals among them only over-reserve. */
	nla_for_each_nested(ip, attrs[WGPEER_A_ALLOWEDIPS], rem)
		plan->inserts++;
	ret = wg_allowedips_pool_fill(&plan->pool, plan->inserts);
	if (ret)
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGPEER_A_ALLOWEDIPS],
				    "could not add the allowed IPs");
	return ret;
}

static int plan_peers(struct wg_device *wg, struct nlattr **attrs,
		      bool replace, struct set_plan *plan,
		      struct netlink_ext_ack *extack)
{
	unsigned int n = 0;
	u8 own_public_key[WG_PUBLIC_KEY_LEN];
	struct nlattr *attr;
	const u8 *key;
	bool has_own;
	int ret, rem;

	if (!attrs[WGDEVICE_A_PEERS])
		return 0;
	nla_for_each_nested(attr, attrs[WGDEVICE_A_PEERS], rem)
		n++;
	if (!n)
		return 0;
	plan->ops = kvcalloc(n, sizeof(*plan->ops), GFP_KERNEL);
	if (!plan->ops) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGDEVICE_A_PEERS],
				    "could not allocate for WGDEVICE_A_PEERS");
		return -ENOMEM;
	}

	/* Our public key as the request leaves it, as set_private_key() does. */
	if (attrs[WGDEVICE_A_PRIVATE_KEY]) {
		key = nla_data(attrs[WGDEVICE_A_PRIVATE_KEY]);
		has_own = memchr_inv(key, 0, WG_PUBLIC_KEY_LEN) &&
			  curve25519_generate_public(own_public_key, key);
	} else {
		has_own = wg_noise_get_identity(&wg->noise, own_public_key, NULL);
	}
	plan->peers = replace ? 0 : wg->num_peers;
	/* A peer with our new public key goes with the key change. */
	if (has_own && plan_lookup(wg, plan, 0, own_public_key, replace))
		plan->peers--;

	nla_for_each_nested(attr, attrs[WGDEVICE_A_PEERS], rem) {
		ret = plan_peer(wg, plan, attr, has_own ? own_public_key : NULL,
				replace, extack);
		if (ret)
			return ret;
	}
	return 0;
}

/* Free what the plan still owns: what the commit did not hand over. */
static void plan_release(struct set_plan *plan)
{
	unsigned int i;

	for (i = 0; i < plan->n_ops; i++) {
		if (plan->ops[i].action == PEER_CREATE)
			wg_peer_free_unpublished(plan->ops[i].peer);
		kfree(plan->ops[i].new_name);
	}
	kvfree(plan->ops);
	wg_allowedips_pool_release(&plan->pool);
	wg_socket_discard(plan->sk4, plan->sk6);
}

static void commit_allowedip(struct wg_peer *peer, struct nlattr *attr,
			     struct wg_allowedips_pool *pool)
{
	struct nlattr *attrs[WGALLOWEDIP_A_MAX + 1];
	struct wg_device *wg = peer->device;
	u32 flags = 0;

	/* validate_peer() checked it and the plan reserved its nodes. */
	if (WARN_ON_ONCE(parse_allowedip(attr, attrs, NULL)))
		return;
	if (attrs[WGALLOWEDIP_A_FLAGS])
		flags = nla_get_u32(attrs[WGALLOWEDIP_A_FLAGS]);
	if (flags & WGALLOWEDIP_F_REMOVE_ME) {
		/* Removing what is not there leaves what was asked for. */
		wg_allowedips_remove(&wg->peer_allowedips,
				     nla_get_u16(attrs[WGALLOWEDIP_A_FAMILY]),
				     nla_data(attrs[WGALLOWEDIP_A_IPADDR]),
				     nla_get_u8(attrs[WGALLOWEDIP_A_CIDR_MASK]),
				     &peer->allowedips, &wg->device_update_lock);
		return;
	}
	WARN_ON_ONCE(wg_allowedips_insert(&wg->peer_allowedips, pool,
					  nla_get_u16(attrs[WGALLOWEDIP_A_FAMILY]),
					  nla_data(attrs[WGALLOWEDIP_A_IPADDR]),
					  nla_get_u8(attrs[WGALLOWEDIP_A_CIDR_MASK]),
					  &peer->allowedips, &wg->device_update_lock));
}

/* A peer removed here waits on @dead for the end of the request. */
static void commit_peer(struct wg_device *wg, struct peer_op *op,
			struct wg_allowedips_pool *pool,
			struct list_head *dead)
{
	struct nlattr **attrs = op->attrs;
	struct wg_peer *peer = op->peer;
	struct wg_endpoint endpoint;
	struct nlattr *ip;
	u32 flags = 0;
	int rem;

	switch (op->action) {
	case PEER_SKIP:
		return;
	case PEER_REMOVE:
		wg_peer_unlink(peer, dead);
		return;
	case PEER_CREATE:
		/*
		 * Allocated before a key change in this request, which does not
		 * matter: its handshake computes the static-static DH on use.
		 */
		wg_peer_publish(peer);
		/* The device owns it now, not the plan. */
		op->action = PEER_UPDATE;
		break;
	case PEER_UPDATE:
		break;
	}

	if (attrs[WGPEER_A_FLAGS])
		flags = nla_get_u32(attrs[WGPEER_A_FLAGS]);
	wg->device_update_gen++;
	if (attrs[WGPEER_A_PRESHARED_KEY])
		wg_noise_handshake_set_psk(&peer->handshake,
					   nla_data(attrs[WGPEER_A_PRESHARED_KEY]));
	/* Checked by validate_peer(). */
	if (attrs[WGPEER_A_ENDPOINT] &&
	    !parse_endpoint(attrs[WGPEER_A_ENDPOINT], &endpoint, NULL))
		wg_socket_set_peer_endpoint(peer, &endpoint, NULL);
	if (flags & WGPEER_F_REPLACE_ALLOWEDIPS)
		wg_allowedips_remove_owner(&wg->peer_allowedips, &peer->allowedips,
					   &wg->device_update_lock);
	if (attrs[WGPEER_A_ALLOWEDIPS]) {
		nla_for_each_nested(ip, attrs[WGPEER_A_ALLOWEDIPS], rem)
			commit_allowedip(peer, ip, pool);
	}
	if (op->name) {
		wg_peer_set_name(peer, op->new_name);
		op->new_name = NULL;
	}
	if (attrs[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]) {
		u16 interval = nla_get_u16(attrs[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
		bool now = !peer->persistent_keepalive_interval && interval &&
			   netif_running(wg->dev);

		WRITE_ONCE(peer->persistent_keepalive_interval, interval);
		/* Switched on while running: one keepalive at once. */
		if (now)
			wg_packet_send_keepalive(peer);
	}
	if (netif_running(wg->dev))
		wg_packet_send_staged_packets(peer);
}

static void set_private_key(struct wg_device *wg, const u8 *key,
			    struct list_head *dead)
{
	u8 public_key[WG_PUBLIC_KEY_LEN], old_private[WG_PUBLIC_KEY_LEN];
	struct wg_noise_handshake *hs;
	struct wg_peer *peer;
	bool had_key, has_key;

	had_key = wg_noise_get_identity(&wg->noise, public_key, old_private);
	if (had_key && !crypto_memneq(old_private, key, WG_PUBLIC_KEY_LEN)) {
		memzero_explicit(old_private, sizeof(old_private));
		return;
	}
	memzero_explicit(old_private, sizeof(old_private));

	/* A peer with the new public key would be ourselves: it goes. */
	if (memchr_inv(key, 0, WG_PUBLIC_KEY_LEN) &&
	    curve25519_generate_public(public_key, key)) {
		hs = wg_noise_lookup_pubkey(&wg->noise, public_key);
		if (hs) {
			peer = wg_peer_of_handshake(hs);
			wg_peer_unlink(peer, dead);
			wg_peer_put(peer);
		}
	}

	has_key = wg_noise_set_private_key(&wg->noise, key);
	wg_noise_get_identity(&wg->noise, public_key, NULL);
	wg_cookie_checker_set_key(&wg->cookie_checker, has_key ? public_key : NULL);
	list_for_each_entry(peer, &wg->peer_list, peer_list) {
		wg_noise_handshake_identity_changed(&peer->handshake);
		/*
		 * Old sessions were made with the old identity: rekey with
		 * the next packet, even if a handshake message just went out.
		 */
		wg_noise_expire_current_keypairs(&peer->keypairs);
		wg_peer_allow_handshake_now(peer);
		/*
		 * A peer kept alive persistently is told at once, as when
		 * the device comes up: that may be the first moment it can
		 * be reached at all (the key arrived last).
		 */
		if (has_key && netif_running(wg->dev) &&
		    peer->persistent_keepalive_interval)
			wg_packet_send_keepalive(peer);
	}
}

/*
 * Apply a plan: nothing here can fail. (Freeing allowed-IP nodes may still
 * allocate a page for the deferred frees, or wait a grace period without.)
 */
static void commit(struct wg_device *wg, struct nlattr **attrs, u32 flags,
		   struct set_plan *plan, struct list_head *dead)
{
	unsigned int peers_before = wg->num_peers;
	struct wg_peer *peer;
	unsigned int i;

	wg->device_update_gen++;
	if (attrs[WGDEVICE_A_FWMARK]) {
		wg->fwmark = nla_get_u32(attrs[WGDEVICE_A_FWMARK]);
		wg_socket_set_mark(wg, wg->fwmark);
		list_for_each_entry(peer, &wg->peer_list, peer_list)
			dst_cache_reset(&peer->endpoint_cache);
	}
	if (plan->sk4) {
		wg_socket_reinit(wg, plan->sk4, plan->sk6);
		plan->sk4 = NULL;
		plan->sk6 = NULL;
	} else if (attrs[WGDEVICE_A_LISTEN_PORT] && !netif_running(wg->dev)) {
		wg->incoming_port = nla_get_u16(attrs[WGDEVICE_A_LISTEN_PORT]);
	}
	if (flags & WGDEVICE_F_REPLACE_PEERS)
		wg_peer_unlink_all(wg, dead);
	if (attrs[WGDEVICE_A_PRIVATE_KEY])
		set_private_key(wg, nla_data(attrs[WGDEVICE_A_PRIVATE_KEY]), dead);
	plan->dropped = peers_before - wg->num_peers;
	for (i = 0; i < plan->n_ops; i++)
		commit_peer(wg, &plan->ops[i], &plan->pool, dead);
}

/* What a peer op set, for PEER_CHANGED: enum wgpeer_change. */
static u32 peer_changes(const struct peer_op *op)
{
	u32 flags = 0, changes = 0;

	if (op->attrs[WGPEER_A_FLAGS])
		flags = nla_get_u32(op->attrs[WGPEER_A_FLAGS]);
	if (op->attrs[WGPEER_A_PRESHARED_KEY])
		changes |= WGPEER_C_PRESHARED_KEY;
	if (op->attrs[WGPEER_A_ENDPOINT])
		changes |= WGPEER_C_ENDPOINT;
	if (op->attrs[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL])
		changes |= WGPEER_C_PERSISTENT_KEEPALIVE;
	if (op->attrs[WGPEER_A_ALLOWEDIPS] || (flags & WGPEER_F_REPLACE_ALLOWEDIPS))
		changes |= WGPEER_C_ALLOWEDIPS;
	if (op->name)
		changes |= WGPEER_C_NAME;
	return changes;
}

/*
 * The events of a committed request, in the order it took effect: the
 * device's settings, the peers REPLACE_PEERS and the private key dropped,
 * then each peer attribute's. Removed peers still wait on @dead, so all
 * of them can still be named.
 */
static void announce(struct wg_device *wg, struct nlattr **attrs, u32 flags,
		     const struct set_plan *plan, struct list_head *dead,
		     u32 portid)
{
	const struct peer_op *op;
	unsigned int i, n = 0;
	struct wg_peer *peer;
	u32 changes = 0;

	if (!wg_events_listened(wg))
		return;
	if (attrs[WGDEVICE_A_PRIVATE_KEY])
		changes |= WGDEVICE_C_PRIVATE_KEY;
	if (attrs[WGDEVICE_A_LISTEN_PORT])
		changes |= WGDEVICE_C_LISTEN_PORT;
	if (attrs[WGDEVICE_A_FWMARK])
		changes |= WGDEVICE_C_FWMARK;
	if (flags & WGDEVICE_F_REPLACE_PEERS)
		changes |= WGDEVICE_C_PEERS_REPLACED;
	if (changes)
		wg_event_device_changed(wg, portid, changes);

	list_for_each_entry(peer, dead, peer_list) {
		if (n++ == plan->dropped)
			break;
		wg_event_peer_removed(peer, portid);
	}
	for (i = 0; i < plan->n_ops; i++) {
		op = &plan->ops[i];
		if (op->action == PEER_REMOVE) {
			wg_event_peer_removed(op->peer, portid);
		} else if (op->created) {
			wg_event_peer_added(op->peer, portid);
		} else if (op->action == PEER_UPDATE) {
			changes = peer_changes(op);
			if (changes)
				wg_event_peer_changed(op->peer, portid, changes);
		}
	}
}

static int set_device(struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct set_plan plan = { };
	struct wg_device *wg;
	struct nlattr *attr;
	u32 flags = 0;
	int ret = 0, rem;
	LIST_HEAD(dead);

	wg = lookup_device(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(wg))
		return PTR_ERR(wg);

	/* Everything is checked before anything changes. */
	if (attrs[WGDEVICE_A_FLAGS]) {
		flags = nla_get_u32(attrs[WGDEVICE_A_FLAGS]);
		if (flags & ~__WGDEVICE_F_ALL) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[WGDEVICE_A_FLAGS],
					    "WGDEVICE_A_FLAGS has unknown flags");
			ret = -EOPNOTSUPP;
			goto out_put;
		}
	}
	if (attrs[WGDEVICE_A_PEERS]) {
		nla_for_each_nested(attr, attrs[WGDEVICE_A_PEERS], rem) {
			ret = validate_peer(attr, info->extack);
			if (ret)
				goto out_put;
		}
	}

	rtnl_lock();
	mutex_lock(&wg->device_update_lock);
	/*
	 * The reference taken by lookup_device() keeps the memory, not the
	 * device: one deleted while we waited for RTNL has freed its tables.
	 */
	if (wg->dev->reg_state != NETREG_REGISTERED) {
		NL_SET_ERR_MSG(info->extack, "the device was deleted meanwhile");
		ret = -ENODEV;
		goto out;
	}
	/*
	 * Port and mark act in the creating namespace: they need it, and
	 * rights there. Keys and peers can still change without it.
	 */
	if (attrs[WGDEVICE_A_LISTEN_PORT] || attrs[WGDEVICE_A_FWMARK]) {
		if (!wg->creating_net) {
			NL_SET_ERR_MSG(info->extack,
				       "the namespace this device was created in is gone: no port or fwmark to set");
			ret = -EPERM;
			goto out;
		}
		if (!ns_capable(wg->creating_net->user_ns, CAP_NET_ADMIN)) {
			NL_SET_ERR_MSG(info->extack,
				       "changing the port or fwmark needs CAP_NET_ADMIN in the device's creating namespace");
			ret = -EPERM;
			goto out;
		}
	}

	wg_allowedips_pool_init(&plan.pool);
	ret = plan_socket(wg, attrs, &plan, info->extack);
	if (!ret)
		ret = plan_peers(wg, attrs, flags & WGDEVICE_F_REPLACE_PEERS,
				 &plan, info->extack);
	if (!ret) {
		commit(wg, attrs, flags, &plan, &dead);
		announce(wg, attrs, flags, &plan, &dead, info->snd_portid);
	}
	plan_release(&plan);
	/* Every peer removed by this request, after one grace period. */
	wg_peer_remove_unlinked(wg, &dead);
out:
	mutex_unlock(&wg->device_update_lock);
	rtnl_unlock();
out_put:
	dev_put(wg->dev);
	return ret;
}

/*
 * The keys of a request are copied where they are used; the request's own
 * copies would stay in the skb's memory, which freeing does not clear.
 * Every instance is erased, not only the one parsing picked.
 */
static void erase_peer_keys(struct nlattr *peers)
{
	struct nlattr *peer, *attr;
	int rem, rem_peer;

	nla_for_each_nested(peer, peers, rem) {
		nla_for_each_nested(attr, peer, rem_peer) {
			if (nla_type(attr) == WGPEER_A_PRESHARED_KEY)
				memzero_explicit(nla_data(attr), nla_len(attr));
		}
	}
}

static int wg_set_device(struct sk_buff *skb, struct genl_info *info)
{
	int ret = set_device(info);
	struct nlattr *attr;
	int rem;

	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) == WGDEVICE_A_PRIVATE_KEY)
			memzero_explicit(nla_data(attr), nla_len(attr));
		else if (nla_type(attr) == WGDEVICE_A_PEERS)
			erase_peer_keys(attr);
	}
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

static const struct genl_multicast_group genl_mcgrps[] = {
	[WG_MCGRP_EVENTS] = {
		.name = WG_MULTICAST_GROUP_EVENTS,
		/* CAP_NET_ADMIN in the user namespace owning the listener's netns. */
		.flags = GENL_MCAST_CAP_NET_ADMIN
	}
};

struct genl_family wg_genl_family __ro_after_init = {
	.ops = genl_ops,
	.n_ops = ARRAY_SIZE(genl_ops),
	.mcgrps = genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(genl_mcgrps),
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
	return genl_register_family(&wg_genl_family);
}

void __exit wg_genetlink_uninit(void)
{
	wg_events_stop();
	genl_unregister_family(&wg_genl_family);
}
