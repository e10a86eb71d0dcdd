/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events on the multicast group WG_MULTICAST_GROUP_EVENTS of the family
 * (uapi/wireguard.h, docs/events.md), sent to the device's current network
 * namespace. Each function first asks whether anyone at all listens
 * (genl_has_listeners(): one bit test) and does nothing more when nobody
 * does; otherwise it builds one small skb and multicasts it. An event that
 * cannot be allocated is not sent; none of these functions fails.
 *
 * Administrative events come from a SET_DEVICE that succeeded, with the
 * requester's netlink port id. Protocol events come from authenticated
 * packets and from timers; HANDSHAKE_COMPLETED and ENDPOINT_CHANGED are
 * rate-limited per peer and kind (event_limit.h) under the peer's
 * event_lock, and report how many were suppressed.
 */
#ifndef _KWG_EVENTS_H
#define _KWG_EVENTS_H

#include <linux/types.h>

struct timespec64;
struct wg_device;
struct wg_endpoint;
struct wg_peer;

/**
 * wg_events_listened() - Whether anyone listens for events.
 * @wg: the device.
 *
 * May say yes for listeners in other namespaces only: a hint for skipping
 * work, not a promise of delivery.
 *
 * Context: any.
 */
bool wg_events_listened(struct wg_device *wg);

/**
 * wg_events_stop() - No event is sent from now on.
 *
 * Returns once no event is being sent any more: the family can then be
 * unregistered, and its multicast group given to another family, while
 * devices still live (they go later in the module's exit).
 *
 * Context: process, module exit; sleeps.
 */
void wg_events_stop(void);

/**
 * wg_event_device_changed() - DEVICE_CHANGED.
 * @wg: the device.
 * @portid: the netlink port id of the request.
 * @changes: what the request set, a non-zero mask of enum wgdevice_change.
 *
 * Context: process, under @wg->device_update_lock and RTNL.
 */
void wg_event_device_changed(struct wg_device *wg, u32 portid, u32 changes);

/**
 * wg_event_peer_added() - PEER_ADDED, with the peer's name and endpoint.
 * @peer: the new peer.
 * @portid: the netlink port id of the request.
 *
 * Context: process, under the device's device_update_lock.
 */
void wg_event_peer_added(struct wg_peer *peer, u32 portid);

/**
 * wg_event_peer_removed() - PEER_REMOVED, with the peer's name.
 * @peer: the peer, unlinked but not yet freed.
 * @portid: the netlink port id of the request.
 *
 * Context: process, under the device's device_update_lock.
 */
void wg_event_peer_removed(struct wg_peer *peer, u32 portid);

/**
 * wg_event_peer_changed() - PEER_CHANGED, with the peer's name and endpoint.
 * @peer: the peer.
 * @portid: the netlink port id of the request.
 * @changes: what the request set, a non-zero mask of enum wgpeer_change.
 *
 * Context: process, under the device's device_update_lock.
 */
void wg_event_peer_changed(struct wg_peer *peer, u32 portid, u32 changes);

/**
 * wg_event_handshake_completed() - HANDSHAKE_COMPLETED, rate-limited.
 * @peer: the peer, which the caller holds (a reference or RCU).
 * @when: the wall time just recorded as its last handshake.
 *
 * Carries the peer's endpoint too.
 *
 * Context: any but hard IRQ; allocates with GFP_ATOMIC.
 */
void wg_event_handshake_completed(struct wg_peer *peer,
				  const struct timespec64 *when);

/**
 * wg_event_keys_expired() - KEYS_EXPIRED: the peer's session keys are erased.
 * @peer: the peer, which the caller holds.
 *
 * Context: process (the key-erasing work item).
 */
void wg_event_keys_expired(struct wg_peer *peer);

/**
 * wg_event_endpoint_changed() - ENDPOINT_CHANGED, rate-limited.
 * @peer: the peer, which the caller holds (a reference or RCU).
 * @old: its endpoint before; sa_family 0 when it had none.
 * @new: the endpoint an authenticated packet just moved it to.
 *
 * Context: any but hard IRQ; allocates with GFP_ATOMIC.
 */
void wg_event_endpoint_changed(struct wg_peer *peer,
			       const struct wg_endpoint *old,
			       const struct wg_endpoint *new);

#endif /* _KWG_EVENTS_H */
