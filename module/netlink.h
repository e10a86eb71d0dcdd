/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic-netlink family "wireguard" (uapi/wireguard.h): GET_DEVICE
 * dumps a device in parts, SET_DEVICE changes it, both under the rules of
 * docs/protocol.md's UAPI section, and events.c multicasts events on its
 * group. Requests need CAP_NET_ADMIN in the device's namespace; a SET
 * takes RTNL and the device's device_update_lock, dumps only the latter,
 * packet paths neither.
 */
#ifndef _KWG_NETLINK_H
#define _KWG_NETLINK_H

struct genl_family;
struct sk_buff;
struct wg_endpoint;

/* The family, registered by wg_genetlink_init(); events.c sends on it. */
extern struct genl_family wg_genl_family;

/* Its multicast groups, as indexes into its mcgrps. */
enum wg_genl_mcgrp {
	WG_MCGRP_EVENTS		/* WG_MULTICAST_GROUP_EVENTS */
};

/**
 * wg_genl_put_endpoint() - Put an endpoint as the family sends it.
 * @skb: the message.
 * @type: the attribute, WGPEER_A_ENDPOINT or WGPEER_A_EVENT_OLD_ENDPOINT.
 * @endpoint: its struct sockaddr_in or sockaddr_in6 goes; nothing for
 *	another family (no endpoint).
 *
 * Context: any.
 * Return: 0, or -EMSGSIZE when it does not fit.
 */
int wg_genl_put_endpoint(struct sk_buff *skb, int type,
			 const struct wg_endpoint *endpoint);

/* Register the family. Module init; returns 0 or a negative errno. */
int wg_genetlink_init(void);

/*
 * Stop events and unregister the family. Module exit, first: no request
 * races the teardown.
 */
void wg_genetlink_uninit(void);

#endif /* _KWG_NETLINK_H */
