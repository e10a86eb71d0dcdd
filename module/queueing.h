/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KWG_QUEUEING_H
#define _KWG_QUEUEING_H

#include <linux/ptr_ring.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip_tunnels.h>

#include "peer.h"

/* Size of the device-wide crypto rings. */
#define WG_CRYPT_RING_SIZE 4096
/* Bounds the work one crypto worker does before letting others run. */
#define WG_CRYPT_BATCH 256
#define WG_HANDSHAKE_BATCH 16

enum wg_packet_state {
	WG_PACKET_UNCRYPTED,
	WG_PACKET_CRYPTED,
	WG_PACKET_DEAD,
};

/* Our state in skb->cb while a packet is in flight. */
struct wg_packet_cb {
	u64 nonce;
	struct wg_noise_keypair *keypair;
	atomic_t state;
	u32 mtu;
	u8 ds;
	/* Tunnels of ours it is already inside: see wg_socket_nesting(). */
	u8 nesting;
};

#define PACKET_CB(skb) ((struct wg_packet_cb *)((skb)->cb))
#define PACKET_PEER(skb) \
	wg_peer_of_handshake(PACKET_CB(skb)->keypair->handshake)

/**
 * wg_parallel_queue_init() - A ring of @len entries served on every CPU.
 * @queue: the queue.
 * @wq: the workqueue its workers run on.
 * @fn: the worker; container_of() its work to a &struct wg_cpu_work,
 *	whose ptr is @ptr.
 * @ptr: what the workers serve (usually @queue).
 * @len: ring entries.
 *
 * Context: process. Return: 0 or -ENOMEM.
 */
int wg_parallel_queue_init(struct wg_parallel_queue *queue,
			   struct workqueue_struct *wq, work_func_t fn,
			   void *ptr, unsigned int len);

/* Wait for the workers and free the queue, which must be empty. Process. */
void wg_parallel_queue_uninit(struct wg_parallel_queue *queue);

/* Wake the worker of the next CPU in turn. Any context but hard IRQ. */
void wg_parallel_queue_kick(struct wg_parallel_queue *queue);

/* Wake workers on up to @n CPUs (once per batch of @n packets). */
void wg_parallel_queue_kick_n(struct wg_parallel_queue *queue, unsigned int n);

/**
 * wg_queue_enqueue_per_device_and_peer() - Queue a packet for its crypto.
 * @device_queue: the device's ring, any CPU's worker takes it from there.
 * @peer_queue: the peer's ordered queue, consumed from its head only.
 * @skb: the packet, state UNCRYPTED on return; the caller kicks workers.
 *
 * Context: BH off or softirq, inside the RCU-bh section that found the
 * peer alive.
 * Return: 0; -EPIPE if the peer's queue is full (the caller still owns
 * @skb); -ENOSPC if the ring is full (@skb sits on the peer's queue: the
 * caller marks it dead there).
 */
int wg_queue_enqueue_per_device_and_peer(struct wg_parallel_queue *device_queue,
					 struct sk_buff_head *peer_queue,
					 struct sk_buff *skb);

/*
 * Crypto done (@state CRYPTED) or failed (DEAD): publish it and wake the
 * peer's in-order consumer (transmit work, or NAPI). Any context but hard
 * IRQ.
 */
void wg_queue_enqueue_per_peer_tx(struct sk_buff *skb,
				  enum wg_packet_state state);
void wg_queue_enqueue_per_peer_rx(struct sk_buff *skb,
				  enum wg_packet_state state);

/*
 * Unlink the head of a per-peer queue once its crypto is done (its state in
 * @state); NULL while the head is still being worked on.
 */
static inline struct sk_buff *wg_queue_dequeue_done(struct sk_buff_head *queue,
						    enum wg_packet_state *state)
{
	struct sk_buff *skb;

	spin_lock_bh(&queue->lock);
	skb = skb_peek(queue);
	if (skb) {
		*state = atomic_read_acquire(&PACKET_CB(skb)->state);
		if (*state == WG_PACKET_UNCRYPTED)
			skb = NULL;
		else
			__skb_unlink(skb, queue);
	}
	spin_unlock_bh(&queue->lock);
	return skb;
}

/* Protocol of the IP packet at skb's network header, or 0 if it is none. */
static inline __be16 wg_examine_packet_protocol(struct sk_buff *skb)
{
	if (skb_network_header(skb) >= skb->head &&
	    (skb_network_header(skb) + sizeof(struct iphdr)) <=
		    skb_tail_pointer(skb) &&
	    ip_hdr(skb)->version == 4)
		return htons(ETH_P_IP);
	if (skb_network_header(skb) >= skb->head &&
	    (skb_network_header(skb) + sizeof(struct ipv6hdr)) <=
		    skb_tail_pointer(skb) &&
	    ipv6_hdr(skb)->version == 6)
		return htons(ETH_P_IPV6);
	return 0;
}

/*
 * Forget what the packet knew of the layer it leaves: its route, conntrack,
 * mark, offsets. The flow hash survives encapsulation so that the outer
 * packets of one flow stay together.
 */
static inline void wg_reset_packet(struct sk_buff *skb, bool encapsulating)
{
	const int pfmemalloc = skb->pfmemalloc;
	u32 hash = skb->hash;
	u8 l4_hash = skb->l4_hash;
	u8 sw_hash = skb->sw_hash;

	skb_scrub_packet(skb, true);
	memset(&skb->headers, 0, sizeof(skb->headers));
	if (encapsulating) {
		skb->hash = hash;
		skb->l4_hash = l4_hash;
		skb->sw_hash = sw_hash;
	}
	skb->queue_mapping = 0;
	skb->nohdr = 0;
	skb->peeked = 0;
	skb->mac_len = 0;
	skb->dev = NULL;
#ifdef CONFIG_NET_SCHED
	skb->tc_index = 0;
#endif
	skb_reset_redirect(skb);
	skb->hdr_len = skb_headroom(skb);
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb_reset_transport_header(skb);
	skb_probe_transport_header(skb);
	skb_reset_inner_headers(skb);
	skb->pfmemalloc = pfmemalloc;
}

/* send.c: every function here may run in any context but hard IRQ. */

/*
 * Move the peer's staged packets into the crypto queues with counters of
 * its current keypair; without a usable one they stay staged and an
 * initiation is asked for.
 */
void wg_packet_send_staged_packets(struct wg_peer *peer);
/* Stage an empty data packet unless something is staged, then send. */
void wg_packet_send_keepalive(struct wg_peer *peer);
/*
 * Queue an initiation on the handshake workqueue, at most one per
 * REKEY_TIMEOUT; @is_retry keeps the count of attempts.
 */
void wg_packet_send_queued_handshake_initiation(struct wg_peer *peer,
						bool is_retry);
/* Answer a consumed initiation and begin the session. Process context. */
void wg_packet_send_handshake_response(struct wg_peer *peer);
/* Answer a handshake message from @src with a cookie reply (under load). */
void wg_packet_send_handshake_cookie(struct wg_device *wg,
				     const struct sk_buff *initiating_skb,
				     const struct wg_endpoint *src);
/* The work items: initiation sender, in-order transmit, encryption. */
void wg_packet_handshake_send_worker(struct work_struct *work);
void wg_packet_tx_worker(struct work_struct *work);
void wg_packet_encrypt_worker(struct work_struct *work);
/* Drop the staged packets, counted in tx_dropped. */
void wg_packet_purge_staged_packets(struct wg_peer *peer);

/* receive.c */
/*
 * Take a datagram from the UDP socket (softirq, skb->data at the UDP
 * header): handshakes to their queue, cookies consumed, data to
 * decryption. Consumes @skb; always 0.
 */
int wg_packet_receive(struct wg_device *wg, struct sk_buff *skb);
/*
 * The body of both crypto workers: drain this CPU's share of a device-wide
 * ring, hand each packet to its peer's ordered queue marked done or dead,
 * and yield the CPU after a batch. Inlined into each worker, so the two
 * function arguments cost no indirect call.
 */
static __always_inline void
wg_crypt_worker_run(struct work_struct *work,
		    bool (*crypt)(struct sk_buff *skb,
				  struct wg_noise_keypair *keypair),
		    void (*enqueue)(struct sk_buff *skb,
				    enum wg_packet_state state))
{
	struct wg_parallel_queue *queue = container_of(work, struct wg_cpu_work,
						     work)->ptr;
	struct sk_buff *skb;
	int n = 0;

	while ((skb = ptr_ring_consume_bh(&queue->ring)) != NULL) {
		enum wg_packet_state state = WG_PACKET_CRYPTED;

		if (unlikely(!crypt(skb, PACKET_CB(skb)->keypair)))
			state = WG_PACKET_DEAD;
		enqueue(skb, state);
		if (++n == WG_CRYPT_BATCH) {
			/* Others may need this CPU; come back for the rest. */
			if (!__ptr_ring_empty(&queue->ring))
				queue_work_on(raw_smp_processor_id(), queue->wq,
					      work);
			break;
		}
	}
}

/* The work items: received handshakes, decryption. */
void wg_packet_handshake_receive_worker(struct work_struct *work);
void wg_packet_decrypt_worker(struct work_struct *work);
/* Whether the head of a per-peer queue is done with its crypto. */
static inline bool wg_queue_head_done(struct sk_buff_head *queue)
{
	struct sk_buff *skb;
	bool done;

	spin_lock_bh(&queue->lock);
	skb = skb_peek(queue);
	done = skb && atomic_read_acquire(&PACKET_CB(skb)->state) !=
		      WG_PACKET_UNCRYPTED;
	spin_unlock_bh(&queue->lock);
	return done;
}

/**
 * wg_packet_rx_schedule() - Have the peer's poll deliver its packets.
 * @peer: a peer whose oldest queued packet may just have become ready.
 *
 * Puts @peer on its struct wg_rx_napi's list unless it is there already
 * (WG_PEER_RX_SCHEDULED), taking a reference for the list; a peer
 * whose last reference is gone is left alone (its queue is empty).
 *
 * Context: BH off, inside an RCU read section that keeps @peer's memory.
 * The caller published the packet's state before: the test-and-set here
 * orders it against the poll's clearing of the bit and second look.
 */
void wg_packet_rx_schedule(struct wg_peer *peer);

/**
 * wg_packet_rx_napi_init() - Set up a device's delivery polls.
 * @wg: the device, not yet registered.
 *
 * Context: process. Return: 0 or -ENOMEM.
 */
int wg_packet_rx_napi_init(struct wg_device *wg);

/**
 * wg_packet_rx_napi_uninit() - Stop and free them.
 * @wg: the device, whose peers are all removed (their queues empty).
 *
 * Drops the references of peers still on a ready list.
 * Context: process; sleeps.
 */
void wg_packet_rx_napi_uninit(struct wg_device *wg);

#endif /* _KWG_QUEUEING_H */
