// SPDX-License-Identifier: GPL-2.0
/*
 * The send path: handshake messages (from a work item, they may sleep),
 * staged data packets taking their counters in order, parallel encryption,
 * and the in-order per-peer transmit.
 */

#include <linux/scatterlist.h>
#include <crypto/chacha20poly1305.h>
#include <net/ip_tunnels.h>

#include "queueing.h"
#include "timers.h"
#include "socket.h"
#include "cookie.h"

static void send_handshake_initiation(struct wg_peer *peer)
{
	struct wg_msg_initiation packet;

	if (!wg_clock_expired(atomic64_read(&peer->last_sent_handshake),
			      WG_REKEY_TIMEOUT))
		return;
	atomic64_set(&peer->last_sent_handshake, wg_clock_ns());
	pr_debug("%s: sending handshake initiation to peer %llu\n",
		 peer->device->dev->name, peer->internal_id);

	if (wg_noise_create_initiation(&peer->handshake, &packet))
		return;
	wg_cookie_add_macs(&peer->cookie_maker, &packet, sizeof(packet));
	wg_timers_any_authenticated_packet_traversal(peer);
	wg_timers_any_authenticated_packet_sent(peer);
	wg_socket_send_buffer_to_peer(peer, &packet, sizeof(packet),
				      WG_HANDSHAKE_DSCP);
	wg_timers_handshake_initiated(peer);
	memzero_explicit(&packet, sizeof(packet));
}

void wg_packet_handshake_send_worker(struct work_struct *work)
{
	struct wg_peer *peer = container_of(work, struct wg_peer,
					    transmit_handshake_work);

	send_handshake_initiation(peer);
	wg_peer_put(peer);
}

void wg_packet_send_queued_handshake_initiation(struct wg_peer *peer,
						bool is_retry)
{
	if (!is_retry)
		peer->timer_handshake_attempts = 0;

	rcu_read_lock_bh();
	/* At most one initiation per REKEY_TIMEOUT, and none for the dead. */
	if (!wg_clock_expired(atomic64_read(&peer->last_sent_handshake),
			      WG_REKEY_TIMEOUT) ||
	    unlikely(READ_ONCE(peer->is_dead)))
		goto out;
	wg_peer_get(peer);
	if (!queue_work(wg_handshake_wq, &peer->transmit_handshake_work))
		wg_peer_put(peer);
out:
	rcu_read_unlock_bh();
}

/* Process context: the handshake code may sleep. */
void wg_packet_send_handshake_response(struct wg_peer *peer)
{
	struct wg_msg_response packet;

	atomic64_set(&peer->last_sent_handshake, wg_clock_ns());
	pr_debug("%s: sending handshake response to peer %llu\n",
		 peer->device->dev->name, peer->internal_id);

	if (wg_noise_create_response(&peer->handshake, &packet))
		return;
	wg_cookie_add_macs(&peer->cookie_maker, &packet, sizeof(packet));
	if (!wg_noise_begin_session(&peer->handshake, &peer->keypairs)) {
		wg_timers_session_derived(peer);
		wg_timers_any_authenticated_packet_traversal(peer);
		wg_timers_any_authenticated_packet_sent(peer);
		wg_socket_send_buffer_to_peer(peer, &packet, sizeof(packet),
					      WG_HANDSHAKE_DSCP);
	}
	memzero_explicit(&packet, sizeof(packet));
}

void wg_packet_send_handshake_cookie(struct wg_device *wg,
				     const struct sk_buff *initiating_skb,
				     const struct wg_endpoint *src)
{
	struct wg_msg_cookie packet;

	net_dbg_ratelimited("%s: sending cookie reply to %pISpfsc\n",
			    wg->dev->name, &src->addr);
	if (wg_cookie_create_reply(&wg->cookie_checker, &packet,
				   initiating_skb->data, initiating_skb->len,
				   src->addr.sa_family, wg_endpoint_ip(src),
				   wg_endpoint_port(src)))
		return;
	wg_socket_send_buffer_to_endpoint(wg, src, &packet, sizeof(packet));
}

void wg_packet_purge_staged_packets(struct wg_peer *peer)
{
	struct sk_buff_head *q = &peer->staged_packet_queue;
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&q->lock, flags);
	n = skb_queue_len(q);
	__skb_queue_purge(q);
	spin_unlock_irqrestore(&q->lock, flags);
	peer->device->dev->stats.tx_dropped += n;
}

void wg_packet_send_keepalive(struct wg_peer *peer)
{
	struct sk_buff *skb;

	if (skb_queue_empty_lockless(&peer->staged_packet_queue)) {
		skb = alloc_skb(LL_MAX_HEADER + WG_DATA_HEADROOM + WG_TAG_LEN,
				GFP_ATOMIC);
		if (unlikely(!skb))
			return;
		skb_reserve(skb, LL_MAX_HEADER + WG_DATA_HEADROOM);
		skb->dev = peer->device->dev;
		PACKET_CB(skb)->mtu = peer->device->dev->mtu;
		PACKET_CB(skb)->ds = 0;
		skb_queue_tail(&peer->staged_packet_queue, skb);
		pr_debug("%s: sending keepalive to peer %llu\n",
			 peer->device->dev->name, peer->internal_id);
	}
	wg_packet_send_staged_packets(peer);
}

/*
 * Move the staged packets to the crypto queues, each with the next counter
 * of the current keypair. Without a usable keypair they stay staged (oldest
 * first) and a handshake is asked for.
 */
void wg_packet_send_staged_packets(struct wg_peer *peer)
{
	struct wg_device *wg = peer->device;
	struct wg_noise_keypair *keypair;
	struct sk_buff_head packets;
	struct sk_buff *skb, *tmp;
	bool need_handshake = false;
	unsigned int queued = 0;
	unsigned long flags;

	__skb_queue_head_init(&packets);
	spin_lock_bh(&peer->send_lock);
	spin_lock_irqsave(&peer->staged_packet_queue.lock, flags);
	skb_queue_splice_init(&peer->staged_packet_queue, &packets);
	spin_unlock_irqrestore(&peer->staged_packet_queue.lock, flags);
	if (skb_queue_empty(&packets))
		goto out_unlock;
	/*
	 * The send lock keeps BH off, which removal's grace period waits
	 * for: a live peer here stays live until we are done enqueueing.
	 */
	if (unlikely(READ_ONCE(peer->is_dead))) {
		wg->dev->stats.tx_dropped += skb_queue_len(&packets);
		__skb_queue_purge(&packets);
		goto out_unlock;
	}

	keypair = wg_noise_keypairs_current(&peer->keypairs);
	if (unlikely(!keypair || !READ_ONCE(keypair->sending.is_valid)))
		goto out_nokey;
	if (unlikely(wg_noise_keypair_rekey_on_send(keypair)))
		need_handshake = true;

	skb_queue_walk(&packets, skb) {
		if (unlikely(!wg_noise_keypair_next_counter(keypair,
							    &PACKET_CB(skb)->nonce)))
			goto out_invalid;
	}

	skb_queue_walk_safe(&packets, skb, tmp) {
		int ret;

		__skb_unlink(skb, &packets);
		PACKET_CB(skb)->keypair = wg_noise_keypair_get(keypair);
		if (unlikely(!PACKET_CB(skb)->keypair)) {
			kfree_skb(skb);
			++wg->dev->stats.tx_dropped;
			continue;
		}
		ret = wg_queue_enqueue_per_device_and_peer(&wg->encrypt_queue,
							   &peer->tx_queue, skb);
		if (ret == -EPIPE) {
			wg_noise_keypair_put(PACKET_CB(skb)->keypair);
			kfree_skb(skb);
			++wg->dev->stats.tx_dropped;
		} else if (unlikely(ret == -ENOSPC)) {
			wg_queue_enqueue_per_peer_tx(skb, WG_PACKET_DEAD);
		} else {
			++queued;
		}
	}
	spin_unlock_bh(&peer->send_lock);
	wg_parallel_queue_kick_n(&wg->encrypt_queue, queued);
	wg_noise_keypair_put(keypair);
	if (need_handshake)
		wg_packet_send_queued_handshake_initiation(peer, false);
	return;

out_invalid:
	/* The keypair ran out (time or counter): never send on it again. */
	WRITE_ONCE(keypair->sending.is_valid, false);
out_nokey:
	wg_noise_keypair_put(keypair);
	/* Back in front of anything staged meanwhile, oldest dropped. */
	spin_lock_irqsave(&peer->staged_packet_queue.lock, flags);
	skb_queue_splice(&packets, &peer->staged_packet_queue);
	while (skb_queue_len(&peer->staged_packet_queue) > WG_MAX_STAGED_PACKETS) {
		kfree_skb(__skb_dequeue(&peer->staged_packet_queue));
		++wg->dev->stats.tx_dropped;
	}
	spin_unlock_irqrestore(&peer->staged_packet_queue.lock, flags);
	spin_unlock_bh(&peer->send_lock);
	wg_packet_send_queued_handshake_initiation(peer, false);
	return;

out_unlock:
	spin_unlock_bh(&peer->send_lock);
}

static bool encrypt_packet(struct sk_buff *skb, struct wg_noise_keypair *keypair)
{
	struct scatterlist sg[MAX_SKB_FRAGS + 8];
	unsigned int padding_len, plaintext_len, trailer_len;
	struct wg_msg_data *header;
	struct sk_buff *trailer;
	int num_frags;

	/* Padding to 16 bytes hides lengths, but never exceeds the MTU. */
	plaintext_len = wg_msg_padded_len(skb->len, PACKET_CB(skb)->mtu);
	padding_len = plaintext_len - skb->len;
	trailer_len = padding_len + WG_TAG_LEN;

	num_frags = skb_cow_data(skb, trailer_len, &trailer);
	if (unlikely(num_frags < 0 || num_frags > ARRAY_SIZE(sg)))
		return false;
	if (unlikely(skb_cow_head(skb, sizeof(*header))))
		return false;
	memset(skb_tail_pointer(trailer), 0, padding_len);
	pskb_put(skb, trailer, trailer_len);

	header = skb_push(skb, sizeof(*header));
	header->header.type = cpu_to_le32(WG_MSG_DATA);
	header->receiver_index = keypair->remote_index;
	header->counter = cpu_to_le64(PACKET_CB(skb)->nonce);

	sg_init_table(sg, num_frags);
	if (skb_to_sgvec(skb, sg, sizeof(*header), plaintext_len + WG_TAG_LEN) <= 0)
		return false;
	return chacha20poly1305_encrypt_sg_inplace(sg, plaintext_len, NULL, 0,
						   PACKET_CB(skb)->nonce,
						   keypair->sending.key);
}

void wg_packet_encrypt_worker(struct work_struct *work)
{
	wg_crypt_worker_run(work, encrypt_packet, wg_queue_enqueue_per_peer_tx);
}

/*
 * A peer's encrypted messages gathered to leave together
 * (wg_socket_send_batch_to_peer()): one DS field, each as long as the first
 * but the last, within the batch limits, and one flow hash. A message
 * keeps its inner flow's hash, which a receiver's RPS (or a veth's choice
 * of backlog) may steer by: messages of one inner flow must all carry it,
 * or they could be received out of order.
 */
struct tx_batch {
	struct sk_buff_head msgs;
	unsigned int bytes;
	bool has_data;
	u8 ds;
};

static bool tx_batch_takes(const struct tx_batch *batch,
			   const struct sk_buff *skb)
{
	const struct sk_buff *first = skb_peek(&batch->msgs);

	if (!first)
		return true;
	return PACKET_CB(skb)->ds == batch->ds && skb->len <= first->len &&
	       skb->hash == first->hash && skb->l4_hash == first->l4_hash &&
	       skb->sw_hash == first->sw_hash &&
	       skb_peek_tail(&batch->msgs)->len == first->len &&
	       skb_queue_len(&batch->msgs) < WG_BATCH_MAX_MESSAGES &&
	       batch->bytes + skb->len <= WG_BATCH_MAX_BYTES;
}

static void tx_batch_add(struct tx_batch *batch, struct sk_buff *skb)
{
	if (skb_queue_empty(&batch->msgs))
		batch->ds = PACKET_CB(skb)->ds;
	batch->bytes += skb->len;
	/* Anything longer than an empty message carries data: no keepalive. */
	if (skb->len > WG_MSG_DATA_MIN_LEN)
		batch->has_data = true;
	__skb_queue_tail(&batch->msgs, skb);
}

/* Send what is gathered; true if it went out. Sets *data_sent for data. */
static bool tx_batch_send(struct wg_peer *peer, struct tx_batch *batch,
			  bool *data_sent)
{
	int ret;

	if (skb_queue_empty(&batch->msgs))
		return false;
	if (skb_queue_len(&batch->msgs) == 1)
		ret = wg_socket_send_skb_to_peer(peer, __skb_dequeue(&batch->msgs),
						 batch->ds);
	else
		ret = wg_socket_send_batch_to_peer(peer, &batch->msgs, batch->ds);
	if (!ret && batch->has_data)
		*data_sent = true;
	batch->bytes = 0;
	batch->has_data = false;
	return !ret;
}

/*
 * The in-order consumer of a peer's encrypted packets: consecutive ones
 * that can leave together go down as one batch, in order.
 */
void wg_packet_tx_worker(struct work_struct *work)
{
	struct wg_peer *peer = container_of(work, struct wg_peer,
					    transmit_packet_work);
	struct sk_buff_head *queue = &peer->tx_queue;
	bool batching = wg_socket_batching();
	struct wg_noise_keypair *keypair;
	bool data_sent = false, sent = false;
	enum wg_packet_state state;
	struct tx_batch batch = { };
	struct sk_buff *skb;

	__skb_queue_head_init(&batch.msgs);
	while ((skb = wg_queue_dequeue_done(queue, &state)) != NULL) {
		keypair = PACKET_CB(skb)->keypair;
		if (likely(state == WG_PACKET_CRYPTED && !READ_ONCE(peer->is_dead))) {
			if (!tx_batch_takes(&batch, skb))
				sent |= tx_batch_send(peer, &batch, &data_sent);
			tx_batch_add(&batch, skb);
			if (!batching)
				sent |= tx_batch_send(peer, &batch, &data_sent);
		} else {
			++peer->device->dev->stats.tx_dropped;
			kfree_skb(skb);
		}
		wg_noise_keypair_put(keypair);
		cond_resched();
	}
	sent |= tx_batch_send(peer, &batch, &data_sent);
	if (sent) {
		wg_timers_any_authenticated_packet_traversal(peer);
		wg_timers_any_authenticated_packet_sent(peer);
		if (data_sent)
			wg_timers_data_sent(peer);
	}
	wg_peer_note_drained(peer, queue);
	wg_peer_put(peer);
}
