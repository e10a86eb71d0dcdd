// SPDX-License-Identifier: GPL-2.0
/*
 * Peer lifetime. A peer is published (allowed IPs, public-key table, device
 * list) under the configuration mutex and read under RCU on packet paths;
 * queued work, keypairs and timers hold its reference count. Removal always
 * goes: unpublish, stop timers, flush queues, wait for in-flight work, put.
 */

#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "peer.h"
#include "queueing.h"
#include "socket.h"
#include "timers.h"

static struct kmem_cache *peer_cache;

static void peer_release(struct kref *ref);

/* Erases the peer's secrets (handshake and cookie maker) and frees it. */
static void peer_free(struct wg_peer *peer)
{
	/* Nothing can reach the peer any more, hence its name. */
	kfree(rcu_dereference_protected(peer->name, true));
	dst_cache_destroy(&peer->endpoint_cache);
	wg_cookie_maker_clear(&peer->cookie_maker);
	memzero_explicit(&peer->handshake, sizeof(peer->handshake));
	kmem_cache_free(peer_cache, peer);
}

struct wg_peer *wg_peer_alloc(struct wg_device *wg,
			      const u8 public_key[WG_PUBLIC_KEY_LEN])
{
	struct wg_peer *peer;

	peer = kmem_cache_zalloc(peer_cache, GFP_KERNEL);
	if (unlikely(!peer))
		return NULL;
	if (dst_cache_init(&peer->endpoint_cache, GFP_KERNEL)) {
		kmem_cache_free(peer_cache, peer);
		return NULL;
	}

	peer->device = wg;
	kref_init(&peer->refcount);
	wg_noise_handshake_init(&peer->handshake, &wg->noise, public_key,
				NULL, &peer->refcount, peer_release);
	wg_noise_keypairs_init(&peer->keypairs);
	/* The handshake's copy of the key lives as long as the maker. */
	wg_cookie_maker_init(&peer->cookie_maker,
			     peer->handshake.pubkey_entry.pubkey);
	wg_allowedips_owner_init(&peer->allowedips);
	rwlock_init(&peer->endpoint_lock);
	spin_lock_init(&peer->send_lock);
	spin_lock_init(&peer->walltime_lock);
	spin_lock_init(&peer->event_lock);
	skb_queue_head_init(&peer->staged_packet_queue);
	skb_queue_head_init(&peer->tx_queue);
	skb_queue_head_init(&peer->rx_queue);
	INIT_LIST_HEAD(&peer->rx_ready);
	INIT_WORK(&peer->transmit_packet_work, wg_packet_tx_worker);
	INIT_WORK(&peer->transmit_handshake_work, wg_packet_handshake_send_worker);
	wg_timers_init(peer);
	wg_peer_allow_handshake_now(peer);
	return peer;
}

void wg_peer_publish(struct wg_peer *peer)
{
	struct wg_device *wg = peer->device;
	u64 slot;

	lockdep_assert_held(&wg->device_update_lock);
	/* The caller looked the key up under the same mutex: it is free. */
	WARN_ON(wg_noise_handshake_publish(&peer->handshake));
	peer->internal_id = wg->peer_next_id++;
	slot = peer->internal_id;
	peer->rx_napi = &wg->rx_napi[do_div(slot, nr_cpu_ids)];
	list_add_tail(&peer->peer_list, &wg->peer_list);
	wg->num_peers++;
	wg->device_update_gen++;
	pr_debug("%s: peer %llu created\n", wg->dev->name, peer->internal_id);
}

void wg_peer_free_unpublished(struct wg_peer *peer)
{
	peer_free(peer);
}

struct wg_peer_name *wg_peer_name_alloc(const char *name, size_t len)
{
	struct wg_peer_name *n;

	n = kmalloc(struct_size(n, str, len + 1), GFP_KERNEL);
	if (unlikely(!n))
		return NULL;
	memcpy(n->str, name, len);
	n->str[len] = '\0';
	return n;
}

void wg_peer_set_name(struct wg_peer *peer, struct wg_peer_name *name)
{
	struct wg_peer_name *old;

	old = rcu_replace_pointer(peer->name, name,
				  lockdep_is_held(&peer->device->device_update_lock));
	if (old)
		kfree_rcu(old, rcu);
}

/* Lift the one-initiation-per-REKEY_TIMEOUT limit for the next one. */
void wg_peer_allow_handshake_now(struct wg_peer *peer)
{
	atomic64_set(&peer->last_sent_handshake,
		     wg_clock_ns() - (u64)(WG_REKEY_TIMEOUT + 1) * NSEC_PER_SEC);
}

struct wg_peer *wg_peer_get_maybe_zero(struct wg_peer *peer)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_bh_held(),
			 "taking a peer reference without RCU");
	if (unlikely(!peer || !kref_get_unless_zero(&peer->refcount)))
		return NULL;
	return peer;
}

/* Keys, handshake, staged packets and timers; the peer stays configured. */
void wg_peer_stop(struct wg_peer *peer)
{
	wg_timers_stop(peer);
	flush_work(&peer->transmit_handshake_work);
	wg_packet_purge_staged_packets(peer);
	wg_noise_handshake_clear(&peer->handshake);
	wg_noise_keypairs_clear(&peer->keypairs);
	peer->timer_handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	peer->timer_need_another_keepalive = false;
	/* Nothing in flight any more: the next packet may initiate at once. */
	wg_peer_allow_handshake_now(peer);
}

/* First half of removal: nothing can find the peer or queue work for it. */
static void peer_make_dead(struct wg_peer *peer)
{
	struct wg_device *wg = peer->device;

	lockdep_assert_held(&wg->device_update_lock);
	wg_allowedips_remove_owner(&wg->peer_allowedips, &peer->allowedips,
				   &wg->device_update_lock);
	WRITE_ONCE(peer->is_dead, true);
	wg_noise_handshake_unpublish(&peer->handshake);
	wg_noise_keypairs_clear(&peer->keypairs);
	list_del_init(&peer->peer_list);
	wg->num_peers--;
	wg->device_update_gen++;
}

/*
 * A handshake worker that found the peer before it was unpublished may still
 * be answering it; once the workers are flushed, nothing can find it again.
 */
static void flush_handshake_workers(struct wg_device *wg)
{
	int cpu;

	for_each_possible_cpu(cpu)
		flush_work(&per_cpu_ptr(wg->incoming_handshakes.worker, cpu)->work);
}

/*
 * Second half, after an RCU grace period (every enqueuer checks is_dead in
 * an RCU section) and a flush of the handshake workers: stop the timers,
 * drop whatever keys a late handshake installed, wait for the packets in
 * flight (the device's crypto workers finish them, the peer's consumers drop
 * them and wake us: wg_peer_note_drained()), then drop the list's reference.
 */
static void peer_finish_removal(struct wg_peer *peer)
{
	wg_timers_stop(peer);
	if (cancel_work_sync(&peer->transmit_handshake_work))
		wg_peer_put(peer);
	wg_noise_handshake_clear(&peer->handshake);
	wg_noise_keypairs_clear(&peer->keypairs);
	wg_packet_purge_staged_packets(peer);
	wait_event(peer->device->dead_peer_drained,
		   skb_queue_empty_lockless(&peer->tx_queue) &&
		   skb_queue_empty_lockless(&peer->rx_queue));
	flush_work(&peer->transmit_packet_work);
	/* It may still be on a CPU's ready list: that holds a reference. */
	/* Now, not in the RCU-deferred free: see the function's contract. */
	wg_socket_release_peer_routes(peer);
	/* The preshared key too: it goes now, not with the last reference. */
	wg_noise_handshake_wipe(&peer->handshake);
	pr_debug("%s: peer %llu removed\n", peer->device->dev->name,
		 peer->internal_id);
	wg_peer_put(peer);
}

void wg_peer_unlink(struct wg_peer *peer, struct list_head *dead)
{
	peer_make_dead(peer);
	list_add_tail(&peer->peer_list, dead);
}

void wg_peer_unlink_all(struct wg_device *wg, struct list_head *dead)
{
	struct wg_peer *peer, *tmp;

	list_for_each_entry_safe(peer, tmp, &wg->peer_list, peer_list)
		wg_peer_unlink(peer, dead);
}

void wg_peer_remove_unlinked(struct wg_device *wg, struct list_head *dead)
{
	struct wg_peer *peer, *tmp;

	lockdep_assert_held(&wg->device_update_lock);
	if (list_empty(dead))
		return;
	/* One grace period and one flush for all of them. */
	synchronize_net();
	flush_handshake_workers(wg);
	list_for_each_entry_safe(peer, tmp, dead, peer_list) {
		list_del_init(&peer->peer_list);
		peer_finish_removal(peer);
	}
}

void wg_peer_remove(struct wg_peer *peer)
{
	LIST_HEAD(dead);

	wg_peer_unlink(peer, &dead);
	wg_peer_remove_unlinked(peer->device, &dead);
}

void wg_peer_remove_all(struct wg_device *wg)
{
	LIST_HEAD(dead);

	wg_peer_unlink_all(wg, &dead);
	wg_peer_remove_unlinked(wg, &dead);
}

static void peer_free_rcu(struct rcu_head *rcu)
{
	peer_free(container_of(rcu, struct wg_peer, rcu));
}

/* May run in any context, including an RCU callback of a keypair. */
static void peer_release(struct kref *ref)
{
	struct wg_peer *peer = container_of(ref, struct wg_peer, refcount);

	call_rcu(&peer->rcu, peer_free_rcu);
}

void wg_peer_put(struct wg_peer *peer)
{
	if (unlikely(!peer))
		return;
	kref_put(&peer->refcount, peer_release);
}

int __init wg_peer_init(void)
{
	peer_cache = KMEM_CACHE(wg_peer, 0);
	return peer_cache ? 0 : -ENOMEM;
}

void wg_peer_uninit(void)
{
	/*
	 * Peers freed in RCU callbacks must be gone before the cache; the
	 * last reference may itself go in a keypair's callback, which queues
	 * the peer's: hence two barriers.
	 */
	rcu_barrier();
	rcu_barrier();
	kmem_cache_destroy(peer_cache);
}
