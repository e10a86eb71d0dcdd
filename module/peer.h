/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KWG_PEER_H
#define _KWG_PEER_H

#include <linux/types.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/kref.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>

#include "device.h"
#include "noise.h"
#include "cookie.h"
#include "allowedips.h"
#include "socket.h"
#include "event_limit.h"

/*
 * A peer's name (WGPEER_A_NAME). It is replaced whole, under the device's
 * device_update_lock, and the name replaced is freed after an RCU grace
 * period: readers hold that lock (the GET dump) or read under RCU (events,
 * from any context).
 */
struct wg_peer_name {
	struct rcu_head rcu;
	char str[];		/* NUL-terminated */
};

/* Bits of wg_peer.rx_flags. */
enum {
	/* On a wg_rx_napi.ready list, holding a reference for it. */
	WG_PEER_RX_SCHEDULED,
};

/* The timers of a peer, indexes of wg_peer.timer_due. */
enum wg_peer_timer {
	WG_TIMER_RETRANSMIT_HANDSHAKE,
	WG_TIMER_SEND_KEEPALIVE,
	WG_TIMER_NEW_HANDSHAKE,
	WG_TIMER_ZERO_KEY_MATERIAL,
	WG_TIMER_PERSISTENT_KEEPALIVE,
	WG_PEER_TIMERS
};

struct wg_peer {
	struct wg_device *device;
	struct wg_noise_handshake handshake;
	struct wg_noise_keypairs keypairs;
	struct wg_cookie_maker cookie_maker;
	struct wg_allowedips_owner allowedips;

	rwlock_t endpoint_lock;
	struct wg_endpoint endpoint;
	struct dst_cache endpoint_cache;

	/* Waiting for a keypair; at most WG_MAX_STAGED_PACKETS. */
	struct sk_buff_head staged_packet_queue;
	/* Orders counter assignment with entry into tx_queue. */
	spinlock_t send_lock;
	/* In flight, in order: leave (tx) or go up (rx) from the head. */
	struct sk_buff_head tx_queue;
	struct sk_buff_head rx_queue;
	/* Its delivery poll, from publication on (struct wg_rx_napi). */
	struct wg_rx_napi *rx_napi;
	/* On rx_napi->ready while WG_PEER_RX_SCHEDULED is set. */
	struct list_head rx_ready;
	unsigned long rx_flags;
	struct work_struct transmit_packet_work;
	struct work_struct transmit_handshake_work;
	struct work_struct clear_peer_work;

	/* The five timers of protocol.md section 5 share one: timers.c. */
	struct timer_list timer;
	unsigned long timer_due[WG_PEER_TIMERS];	/* jiffies; 0: not armed */
	unsigned int timer_handshake_attempts;
	u16 persistent_keepalive_interval;
	bool timer_need_another_keepalive;
	/* The once-per-keypair rekey on receive already asked for. */
	bool sent_lastminute_handshake;
	atomic64_t last_sent_handshake;		/* wg_clock_ns() */
	struct timespec64 walltime_last_handshake;	/* under walltime_lock */
	spinlock_t walltime_lock;

	atomic64_t rx_bytes;
	atomic64_t tx_bytes;

	/* NULL while it has none; see struct wg_peer_name. */
	struct wg_peer_name __rcu *name;
	/* Rate limits of its protocol events (events.h), under event_lock. */
	spinlock_t event_lock;
	struct wg_event_limit handshake_events;
	struct wg_event_limit endpoint_events;

	struct kref refcount;
	struct rcu_head rcu;
	struct list_head peer_list;	/* under device_update_lock */
	u64 internal_id;
	bool is_dead;
};

/**
 * wg_peer_alloc() - A new peer, not yet visible to anything.
 * @wg: its device.
 * @public_key: its static public key.
 *
 * The handshake computes its static-static DH with the device's identity
 * when it first needs it; the preshared key is none. Nothing finds the
 * peer until wg_peer_publish(); a peer never published goes with
 * wg_peer_free_unpublished(). The caller keeps the device within
 * %WG_MAX_PEERS_PER_DEVICE.
 *
 * Context: process; allocates with GFP_KERNEL.
 * Return: the peer, or NULL when out of memory.
 */
struct wg_peer *wg_peer_alloc(struct wg_device *wg,
			      const u8 public_key[WG_PUBLIC_KEY_LEN]);

/**
 * wg_peer_publish() - Add a peer from wg_peer_alloc() to its device.
 * @peer: the peer; no published peer may have its public key.
 *
 * Findable by public key, on the device's list, its NAPI context running.
 * The device's reference is the one the peer was allocated with. Cannot
 * fail: a configuration change calls it once nothing else can.
 *
 * Context: process, under the device's device_update_lock.
 */
void wg_peer_publish(struct wg_peer *peer);

/**
 * wg_peer_free_unpublished() - Free a peer wg_peer_publish() never saw.
 * @peer: the peer, with its key material.
 *
 * Context: process.
 */
void wg_peer_free_unpublished(struct wg_peer *peer);

/**
 * wg_peer_name_alloc() - A name for wg_peer_set_name().
 * @name: its bytes, without a NUL, valid for wg_peer_name_check().
 * @len: their number, 1 to %WG_PEER_NAME_MAX.
 *
 * Context: process; allocates with GFP_KERNEL.
 * Return: the name, or NULL when out of memory.
 */
struct wg_peer_name *wg_peer_name_alloc(const char *name, size_t len);

/**
 * wg_peer_set_name() - Name a peer, or take its name away.
 * @peer: the peer.
 * @name: from wg_peer_name_alloc(), owned by @peer from now on; NULL for
 *	no name.
 *
 * The name replaced is freed after an RCU grace period.
 *
 * Context: process, under the device's device_update_lock.
 */
void wg_peer_set_name(struct wg_peer *peer, struct wg_peer_name *name);
struct wg_peer *wg_peer_get_maybe_zero(struct wg_peer *peer);
static inline struct wg_peer *wg_peer_get(struct wg_peer *peer)
{
	kref_get(&peer->refcount);
	return peer;
}

void wg_peer_put(struct wg_peer *peer);

/**
 * wg_peer_note_drained() - Wake the removal of a dead peer if @queue is empty.
 * @peer: the peer.
 * @queue: its tx_queue or rx_queue, which the caller consumes.
 *
 * Removal waits until both queues are empty. The barrier orders our last
 * dequeue before reading is_dead, against removal's write of is_dead before
 * its grace period and its check of the queues: one of the two sides sees
 * the other's write.
 *
 * Context: the queue's in-order consumer, after a pass over the queue.
 */
static inline void wg_peer_note_drained(struct wg_peer *peer,
					struct sk_buff_head *queue)
{
	if (!skb_queue_empty_lockless(queue))
		return;
	smp_mb(); /* our dequeue before is_dead: see above */
	if (unlikely(READ_ONCE(peer->is_dead)))
		wake_up_all(&peer->device->dead_peer_drained);
}

void wg_peer_allow_handshake_now(struct wg_peer *peer);

/**
 * wg_peer_unlink() - First half of removal: nothing finds the peer again.
 * @peer: the peer; it leaves the device's tables and list, marked dead.
 * @dead: where it waits for wg_peer_remove_unlinked().
 *
 * Removing many peers this way costs one grace period for all of them.
 *
 * Context: process, under the device's device_update_lock; may sleep (the
 * allowed-IPs table may allocate a page for its nodes' deferred frees).
 */
void wg_peer_unlink(struct wg_peer *peer, struct list_head *dead);

/**
 * wg_peer_unlink_all() - wg_peer_unlink() of every peer of @wg.
 * @wg: the device.
 * @dead: where the peers wait.
 *
 * Context: process, under @wg->device_update_lock.
 */
void wg_peer_unlink_all(struct wg_device *wg, struct list_head *dead);

/**
 * wg_peer_remove_unlinked() - Second half of removal, for all of @dead.
 * @wg: their device.
 * @dead: unlinked peers; emptied.
 *
 * After one grace period, stops each peer's timers and work, waits for its
 * packets in flight and drops the device's reference: the peer is freed
 * once the last packet or work item lets go of it.
 *
 * Context: process, under @wg->device_update_lock; sleeps.
 */
void wg_peer_remove_unlinked(struct wg_device *wg, struct list_head *dead);

/* Both halves for one peer, or for all of a device's. */
void wg_peer_remove(struct wg_peer *peer);
void wg_peer_remove_all(struct wg_device *wg);
/* Drop in-flight state (keys, staged packets, timers) but keep the peer. */
void wg_peer_stop(struct wg_peer *peer);

static inline struct wg_peer *wg_peer_of_handshake(struct wg_noise_handshake *hs)
{
	return container_of(hs, struct wg_peer, handshake);
}

int wg_peer_init(void);
void wg_peer_uninit(void);

#endif /* _KWG_PEER_H */
