// SPDX-License-Identifier: GPL-2.0
/*
 * Building and multicasting the family's events (events.h,
 * docs/events.md).
 */

#include <linux/compiler.h>
#include <linux/if.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/time_types.h>
#include <net/genetlink.h>

#include "events.h"
#include "messages.h"
#include "netlink.h"
#include "peer.h"
#include "socket.h"
#include "wireguard.h"

/* The largest peer nest of an event, and the largest event. */
#define EVENT_PEER_SIZE							\
	(nla_total_size(0) +						\
	 nla_total_size(WG_KEY_LEN) +					\
	 nla_total_size(WG_PEER_NAME_MAX + 1) +				\
	 2 * nla_total_size(sizeof(struct sockaddr_in6)) +		\
	 nla_total_size(sizeof(struct __kernel_timespec)) +		\
	 nla_total_size(sizeof(u32)))
#define EVENT_SIZE							\
	(nla_total_size(sizeof(u32)) +					\
	 nla_total_size(IFNAMSIZ) +					\
	 3 * nla_total_size(sizeof(u32)) +				\
	 nla_total_size(0) + EVENT_PEER_SIZE)

/* Set for good by wg_events_stop(), read under RCU by every sender. */
static bool events_stopped;

/* What an event carries besides the device's ifindex and name. */
struct event {
	u8 cmd;				/* enum wg_event_cmd */
	struct wg_peer *peer;		/* NULL for DEVICE_CHANGED */
	u32 portid;			/* of the request, administrative events */
	u32 changes;			/* DEVICE_CHANGED, PEER_CHANGED */
	u32 suppressed;			/* rate-limited kinds */
	/* Each put only when given and of a known family. */
	const struct wg_endpoint *endpoint;
	const struct wg_endpoint *old_endpoint;
	const struct timespec64 *handshake;
};

static bool is_administrative(u8 cmd)
{
	switch (cmd) {
	case WG_CMD_EVENT_PEER_ADDED:
	case WG_CMD_EVENT_PEER_REMOVED:
	case WG_CMD_EVENT_PEER_CHANGED:
	case WG_CMD_EVENT_DEVICE_CHANGED:
		return true;
	default:
		return false;
	}
}

static bool is_rate_limited(u8 cmd)
{
	return cmd == WG_CMD_EVENT_HANDSHAKE_COMPLETED ||
	       cmd == WG_CMD_EVENT_ENDPOINT_CHANGED;
}

static int put_peer_name(struct sk_buff *skb, struct wg_peer *peer)
{
	const struct wg_peer_name *name;
	int ret = 0;

	rcu_read_lock();
	name = rcu_dereference(peer->name);
	if (name)
		ret = nla_put_string(skb, WGPEER_A_NAME, name->str);
	rcu_read_unlock();
	return ret;
}

static int put_peer(struct sk_buff *skb, const struct event *ev)
{
	struct nlattr *peers, *peer;
	struct __kernel_timespec ts;

	peers = nla_nest_start(skb, WGDEVICE_A_PEERS);
	if (!peers)
		return -EMSGSIZE;
	peer = nla_nest_start(skb, 0);
	if (!peer)
		return -EMSGSIZE;
	if (nla_put(skb, WGPEER_A_PUBLIC_KEY, WG_PUBLIC_KEY_LEN,
		    ev->peer->handshake.pubkey_entry.pubkey) ||
	    put_peer_name(skb, ev->peer))
		return -EMSGSIZE;
	if (ev->endpoint &&
	    wg_genl_put_endpoint(skb, WGPEER_A_ENDPOINT, ev->endpoint))
		return -EMSGSIZE;
	if (ev->old_endpoint &&
	    wg_genl_put_endpoint(skb, WGPEER_A_EVENT_OLD_ENDPOINT,
				 ev->old_endpoint))
		return -EMSGSIZE;
	if (ev->handshake) {
		ts.tv_sec = ev->handshake->tv_sec;
		ts.tv_nsec = ev->handshake->tv_nsec;
		if (nla_put(skb, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), &ts))
			return -EMSGSIZE;
	}
	if (ev->cmd == WG_CMD_EVENT_PEER_CHANGED &&
	    nla_put_u32(skb, WGPEER_A_EVENT_CHANGES, ev->changes))
		return -EMSGSIZE;
	nla_nest_end(skb, peer);
	nla_nest_end(skb, peers);
	return 0;
}

static int put_event(struct sk_buff *skb, struct wg_device *wg,
		     const struct event *ev)
{
	char ifname[IFNAMSIZ];

	/*
	 * A rename holds RTNL, which a protocol event cannot take: the copy
	 * is bounded and terminated whatever it races with, and the ifindex
	 * is what names the device for sure.
	 */
	data_race(strscpy(ifname, wg->dev->name, sizeof(ifname)));
	if (nla_put_u32(skb, WGDEVICE_A_IFINDEX, wg->dev->ifindex) ||
	    nla_put_string(skb, WGDEVICE_A_IFNAME, ifname))
		return -EMSGSIZE;
	if (is_administrative(ev->cmd) &&
	    nla_put_u32(skb, WGDEVICE_A_EVENT_PORTID, ev->portid))
		return -EMSGSIZE;
	if (ev->cmd == WG_CMD_EVENT_DEVICE_CHANGED &&
	    nla_put_u32(skb, WGDEVICE_A_EVENT_CHANGES, ev->changes))
		return -EMSGSIZE;
	if (is_rate_limited(ev->cmd) &&
	    nla_put_u32(skb, WGDEVICE_A_EVENT_SUPPRESSED, ev->suppressed))
		return -EMSGSIZE;
	return ev->peer ? put_peer(skb, ev) : 0;
}

/* One skb, multicast in the device's namespace. Return: 0 or -ENOMEM. */
static int send_event(struct wg_device *wg, const struct event *ev, gfp_t gfp)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(EVENT_SIZE, gfp);
	if (unlikely(!skb))
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &wg_genl_family, 0, ev->cmd);
	/* EVENT_SIZE is the largest event: running out of room is a bug. */
	if (WARN_ON_ONCE(!hdr || put_event(skb, wg, ev))) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	/*
	 * wg_events_stop() waits for this section. The multicast fails only
	 * when no listener is left or a listener's queue is full: the
	 * listener learns of that itself (ENOBUFS), nothing is to be undone.
	 */
	rcu_read_lock();
	if (likely(!READ_ONCE(events_stopped)))
		genlmsg_multicast_netns(&wg_genl_family, dev_net(wg->dev), skb,
					0, WG_MCGRP_EVENTS, GFP_ATOMIC);
	else
		nlmsg_free(skb);
	rcu_read_unlock();
	return 0;
}

/* An event of a kind that @limit rate-limits. */
static void send_limited(struct wg_peer *peer, struct wg_event_limit *limit,
			 struct event *ev)
{
	bool allowed;

	spin_lock_bh(&peer->event_lock);
	allowed = wg_event_limit_allow(limit, wg_clock_ns(), &ev->suppressed);
	spin_unlock_bh(&peer->event_lock);
	if (allowed && send_event(peer->device, ev, GFP_ATOMIC)) {
		spin_lock_bh(&peer->event_lock);
		wg_event_limit_unsend(limit, ev->suppressed);
		spin_unlock_bh(&peer->event_lock);
	}
}

static void snapshot_endpoint(struct wg_peer *peer, struct wg_endpoint *copy)
{
	read_lock_bh(&peer->endpoint_lock);
	*copy = peer->endpoint;
	read_unlock_bh(&peer->endpoint_lock);
}

bool wg_events_listened(struct wg_device *wg)
{
	return !READ_ONCE(events_stopped) &&
	       genl_has_listeners(&wg_genl_family, dev_net(wg->dev),
				  WG_MCGRP_EVENTS) > 0;
}

void wg_events_stop(void)
{
	WRITE_ONCE(events_stopped, true);
	synchronize_rcu();
}

void wg_event_device_changed(struct wg_device *wg, u32 portid, u32 changes)
{
	struct event ev = {
		.cmd = WG_CMD_EVENT_DEVICE_CHANGED,
		.portid = portid,
		.changes = changes
	};

	if (wg_events_listened(wg))
		send_event(wg, &ev, GFP_KERNEL);
}

/* An administrative event of @peer, with its endpoint if @with_endpoint. */
static void send_peer_event(struct wg_peer *peer, u8 cmd, u32 portid,
			    u32 changes, bool with_endpoint)
{
	struct wg_endpoint endpoint;
	struct event ev = {
		.cmd = cmd,
		.peer = peer,
		.portid = portid,
		.changes = changes
	};

	if (!wg_events_listened(peer->device))
		return;
	if (with_endpoint) {
		snapshot_endpoint(peer, &endpoint);
		ev.endpoint = &endpoint;
	}
	send_event(peer->device, &ev, GFP_KERNEL);
}

void wg_event_peer_added(struct wg_peer *peer, u32 portid)
{
	send_peer_event(peer, WG_CMD_EVENT_PEER_ADDED, portid, 0, true);
}

void wg_event_peer_removed(struct wg_peer *peer, u32 portid)
{
	send_peer_event(peer, WG_CMD_EVENT_PEER_REMOVED, portid, 0, false);
}

void wg_event_peer_changed(struct wg_peer *peer, u32 portid, u32 changes)
{
	send_peer_event(peer, WG_CMD_EVENT_PEER_CHANGED, portid, changes, true);
}

void wg_event_handshake_completed(struct wg_peer *peer,
				  const struct timespec64 *when)
{
	struct wg_endpoint endpoint;
	struct event ev = {
		.cmd = WG_CMD_EVENT_HANDSHAKE_COMPLETED,
		.peer = peer,
		.endpoint = &endpoint,
		.handshake = when
	};

	if (!wg_events_listened(peer->device))
		return;
	snapshot_endpoint(peer, &endpoint);
	send_limited(peer, &peer->handshake_events, &ev);
}

void wg_event_keys_expired(struct wg_peer *peer)
{
	struct event ev = {
		.cmd = WG_CMD_EVENT_KEYS_EXPIRED,
		.peer = peer
	};

	if (wg_events_listened(peer->device))
		send_event(peer->device, &ev, GFP_KERNEL);
}

void wg_event_endpoint_changed(struct wg_peer *peer,
			       const struct wg_endpoint *old,
			       const struct wg_endpoint *new)
{
	struct event ev = {
		.cmd = WG_CMD_EVENT_ENDPOINT_CHANGED,
		.peer = peer,
		.endpoint = new,
		.old_endpoint = old
	};

	if (wg_events_listened(peer->device))
		send_limited(peer, &peer->endpoint_events, &ev);
}
