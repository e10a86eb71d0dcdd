// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path: classify what the UDP socket hands us, queue handshake
 * messages for the workers, decrypt data in parallel, and deliver it in
 * order through the peer's NAPI context after the replay, inner-packet and
 * allowed-IPs checks.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/scatterlist.h>
#include <crypto/chacha20poly1305.h>
#include <net/inet_ecn.h>
#include <net/ip_tunnels.h>

#include "queueing.h"
#include "timers.h"
#include "socket.h"
#include "drop_stats.h"
#include "events.h"

static void account_rx(struct wg_peer *peer, unsigned int len)
{
	atomic64_add(len, &peer->rx_bytes);
	dev_sw_netstats_rx_add(peer->device->dev, len);
}

/*
 * Roaming: the source of an authenticated packet is the peer's endpoint.
 * A move of the remote address is an event (never the work of a packet
 * that did not authenticate: callers come after the AEAD or the handshake).
 */
static void roam(struct wg_peer *peer, const struct wg_endpoint *src)
{
	struct wg_endpoint old;

	if (wg_socket_set_peer_endpoint(peer, src, &old))
		wg_event_endpoint_changed(peer, &old, src);
}

static bool under_load(struct wg_device *wg)
{
	u64 last;

	if (atomic_read(&wg->incoming_handshakes_len) >=
	    WG_MAX_QUEUED_INCOMING_HANDSHAKES / 8) {
		WRITE_ONCE(wg->last_under_load, wg_clock_ns());
		return true;
	}
	last = READ_ONCE(wg->last_under_load);
	return last && !wg_clock_expired(last, 1);
}

/* The counter for a handshake message the noise core refused with @err. */
static enum wg_rx_drop handshake_drop_reason(bool initiation, long err)
{
	switch (err) {
	case -ENOKEY:
		/* A response reaches this only if the key just went away. */
		return initiation ? WG_RX_DROP_INIT_UNKNOWN_PEER :
				    WG_RX_DROP_HANDSHAKE_OTHER;
	case -EBADMSG:
		return initiation ? WG_RX_DROP_INIT_NOT_AUTHENTIC :
				    WG_RX_DROP_RESP_NOT_AUTHENTIC;
	case -ESTALE:
		return WG_RX_DROP_INIT_REPLAYED;
	case -EBUSY:
		return WG_RX_DROP_INIT_TOO_FREQUENT;
	case -ENOENT:
		return WG_RX_DROP_RESP_UNKNOWN_INDEX;
	default:
		return WG_RX_DROP_HANDSHAKE_OTHER;
	}
}

static void receive_handshake_packet(struct wg_device *wg, struct sk_buff *skb)
{
	bool initiation = le32_to_cpu(((struct wg_msg_header *)skb->data)->type) ==
			  WG_MSG_INITIATION;
	const char *what = initiation ? "initiation" : "response";
	enum wg_cookie_mac_state mac_state;
	struct wg_noise_handshake *hs;
	struct wg_endpoint src;
	struct wg_peer *peer;
	bool loaded;

	if (unlikely(wg_socket_endpoint_from_skb(&src, skb))) {
		wg_count_drop(wg, WG_RX_DROP_BAD_SOURCE_ADDRESS);
		return;
	}

	loaded = under_load(wg);
	mac_state = wg_cookie_validate(&wg->cookie_checker, skb->data, skb->len,
				       src.addr.sa_family, wg_endpoint_ip(&src),
				       wg_endpoint_port(&src), loaded);
	if (mac_state == WG_COOKIE_MAC_INVALID) {
		net_dbg_ratelimited("%s: invalid MAC of handshake from %pISpfsc\n",
				    wg->dev->name, &src.addr);
		wg_count_drop(wg, WG_RX_DROP_HANDSHAKE_BAD_MAC1);
		return;
	}
	if (loaded && mac_state != WG_COOKIE_MAC1_MAC2_OK) {
		/* Prove your address first: here is a cookie. */
		wg_count_drop(wg, WG_RX_DROP_HANDSHAKE_NEEDS_COOKIE);
		wg_packet_send_handshake_cookie(wg, skb, &src);
		return;
	}
	/*
	 * mac2 proved the source address, so its bucket is really its own:
	 * limiting before that would let a spoofer drain a victim's bucket.
	 */
	if (loaded && !wg_ratelimiter_allow(&wg->ratelimiter, src.addr.sa_family,
					    wg_endpoint_ip(&src))) {
		net_dbg_ratelimited("%s: rate limiting handshakes from %pISpfsc\n",
				    wg->dev->name, &src.addr);
		wg_count_drop(wg, WG_RX_DROP_HANDSHAKE_RATE_LIMITED);
		return;
	}

	if (initiation)
		hs = wg_noise_consume_initiation(&wg->noise, (void *)skb->data);
	else
		hs = wg_noise_consume_response(&wg->noise, (void *)skb->data);
	if (IS_ERR(hs)) {
		net_dbg_ratelimited("%s: invalid handshake %s from %pISpfsc: %ld\n",
				    wg->dev->name, what, &src.addr, PTR_ERR(hs));
		wg_count_drop(wg, handshake_drop_reason(initiation, PTR_ERR(hs)));
		return;
	}
	peer = wg_peer_of_handshake(hs);
	roam(peer, &src);
	account_rx(peer, skb->len);
	pr_debug("%s: handshake %s from peer %llu (%pISpfsc)\n",
		 wg->dev->name, what, peer->internal_id, &src.addr);
	if (initiation) {
		wg_packet_send_handshake_response(peer);
	} else if (!wg_noise_begin_session(hs, &peer->keypairs)) {
		wg_timers_session_derived(peer);
		wg_timers_handshake_complete(peer);
		/* Confirm the keys at once: staged data, or a keepalive. */
		wg_packet_send_keepalive(peer);
	}
	wg_timers_any_authenticated_packet_received(peer);
	wg_timers_any_authenticated_packet_traversal(peer);
	wg_peer_put(peer);
}

void wg_packet_handshake_receive_worker(struct work_struct *work)
{
	struct wg_parallel_queue *queue = container_of(work, struct wg_cpu_work,
						     work)->ptr;
	struct wg_device *wg = container_of(queue, struct wg_device,
					    incoming_handshakes);
	struct sk_buff *skb;
	int n = 0;

	while ((skb = ptr_ring_consume_bh(&queue->ring)) != NULL) {
		receive_handshake_packet(wg, skb);
		dev_kfree_skb(skb);
		atomic_dec(&wg->incoming_handshakes_len);
		if (++n == WG_HANDSHAKE_BATCH) {
			/* Bounded, so that flushing this worker is too. */
			if (!__ptr_ring_empty(&queue->ring))
				queue_work_on(raw_smp_processor_id(), queue->wq,
					      work);
			break;
		}
		cond_resched();
	}
}

static void receive_cookie(struct wg_device *wg, struct sk_buff *skb)
{
	struct wg_msg_cookie *msg = (struct wg_msg_cookie *)skb->data;
	struct wg_noise_handshake *hs;
	int ret;

	hs = wg_noise_lookup_handshake(&wg->noise, msg->receiver_index,
				       WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR);
	if (!hs) {
		net_dbg_ratelimited("%s: cookie reply for an unknown index\n",
				    wg->dev->name);
		wg_count_drop(wg, WG_RX_DROP_COOKIE_UNKNOWN_INDEX);
		return;
	}
	ret = wg_cookie_consume_reply(&wg_peer_of_handshake(hs)->cookie_maker, msg);
	if (ret) {
		net_dbg_ratelimited("%s: could not open a cookie reply\n",
				    wg->dev->name);
		/* -EINVAL: nothing of ours is waiting for a cookie. */
		wg_count_drop(wg, ret == -EINVAL ? WG_RX_DROP_COOKIE_UNEXPECTED :
				  WG_RX_DROP_COOKIE_NOT_AUTHENTIC);
	}
	wg_noise_handshake_put(hs);
}

static void receive_data(struct wg_device *wg, struct sk_buff *skb)
{
	struct wg_msg_data *msg = (struct wg_msg_data *)skb->data;
	struct wg_noise_keypair *keypair;
	struct wg_peer *peer;
	int ret;

	rcu_read_lock_bh();
	keypair = wg_noise_lookup_keypair(&wg->noise, msg->receiver_index);
	if (unlikely(!keypair)) {
		wg_count_drop(wg, WG_RX_DROP_DATA_UNKNOWN_INDEX);
		goto drop;
	}
	peer = wg_peer_of_handshake(keypair->handshake);
	if (unlikely(READ_ONCE(peer->is_dead))) {
		wg_count_drop(wg, WG_RX_DROP_DATA_PEER_REMOVED);
		goto drop_keypair;
	}
	PACKET_CB(skb)->keypair = keypair;
	PACKET_CB(skb)->nonce = le64_to_cpu(msg->counter);
	__skb_pull(skb, sizeof(*msg));

	ret = wg_queue_enqueue_per_device_and_peer(&wg->decrypt_queue,
						   &peer->rx_queue, skb);
	if (unlikely(ret)) {
		/* No room for it: a drop of ours, counted (see below). */
		++wg->dev->stats.rx_dropped;
		wg_count_drop(wg, WG_RX_DROP_DATA_QUEUE_FULL);
		if (ret == -EPIPE)
			goto drop_keypair;
		wg_queue_enqueue_per_peer_rx(skb, WG_PACKET_DEAD);
	} else {
		wg_parallel_queue_kick(&wg->decrypt_queue);
	}
	rcu_read_unlock_bh();
	return;

drop_keypair:
	wg_noise_keypair_put(keypair);
drop:
	rcu_read_unlock_bh();
	kfree_skb(skb);
}

/* Why a datagram that wg_msg_classify() refused is not a message. */
static enum wg_rx_drop invalid_reason(const void *data, size_t len)
{
	if (len < sizeof(struct wg_msg_header))
		return WG_RX_DROP_SHORTER_THAN_HEADER;
	switch (le32_to_cpu(((const struct wg_msg_header *)data)->type)) {
	case WG_MSG_INITIATION:
		return WG_RX_DROP_INIT_BAD_LENGTH;
	case WG_MSG_RESPONSE:
		return WG_RX_DROP_RESP_BAD_LENGTH;
	case WG_MSG_COOKIE:
		return WG_RX_DROP_COOKIE_BAD_LENGTH;
	case WG_MSG_DATA:
		return WG_RX_DROP_DATA_TOO_SHORT;
	default:
		return WG_RX_DROP_UNKNOWN_TYPE;
	}
}

/*
 * From the UDP socket, softirq; skb->data is at the UDP header.
 *
 * rx_dropped counts, as on the stock module, only what we had no room
 * for. What is not a message of ours (malformed, unknown index, replayed,
 * not authentic) anyone can send to the port: it is dropped without
 * touching the link statistics, counted by reason only in the ethtool
 * statistics (drop_stats.h), and the debug log says why.
 */
int wg_packet_receive(struct wg_device *wg, struct sk_buff *skb)
{
	enum wg_msg_type type;
	size_t len;

	/*
	 * Nothing here needs the outer route, and a queued packet must not
	 * keep one: it belongs to the sockets' namespace, which may be freed
	 * before the queue drains.
	 */
	skb_dst_drop(skb);
	if (unlikely(!pskb_may_pull(skb, sizeof(struct udphdr) +
					 sizeof(struct wg_msg_header)))) {
		wg_count_drop(wg, skb->len < sizeof(struct udphdr) +
				  sizeof(struct wg_msg_header) ?
				  WG_RX_DROP_SHORTER_THAN_HEADER :
				  WG_RX_DROP_NO_MEMORY);
		goto drop;
	}
	len = skb->len - sizeof(struct udphdr);
	type = wg_msg_classify(skb->data + sizeof(struct udphdr), len);
	switch (type) {
	case WG_MSG_INITIATION:
	case WG_MSG_RESPONSE:
		if (unlikely(!pskb_may_pull(skb, sizeof(struct udphdr) + len)))
			goto no_memory;
		__skb_pull(skb, sizeof(struct udphdr));
		if (atomic_read(&wg->incoming_handshakes_len) >=
		    WG_MAX_QUEUED_INCOMING_HANDSHAKES) {
			net_dbg_ratelimited("%s: handshake queue full, dropping\n",
					    wg->dev->name);
			goto full;
		}
		atomic_inc(&wg->incoming_handshakes_len);
		if (unlikely(ptr_ring_produce_bh(&wg->incoming_handshakes.ring, skb))) {
			atomic_dec(&wg->incoming_handshakes_len);
			goto full;
		}
		wg_parallel_queue_kick(&wg->incoming_handshakes);
		return 0;
	case WG_MSG_COOKIE:
		if (unlikely(!pskb_may_pull(skb, sizeof(struct udphdr) + len)))
			goto no_memory;
		__skb_pull(skb, sizeof(struct udphdr));
		receive_cookie(wg, skb);
		consume_skb(skb);
		return 0;
	case WG_MSG_DATA:
		if (unlikely(!pskb_may_pull(skb, sizeof(struct udphdr) +
						 sizeof(struct wg_msg_data))))
			goto no_memory;
		__skb_pull(skb, sizeof(struct udphdr));
		receive_data(wg, skb);
		return 0;
	default:
		break;
	}
	net_dbg_ratelimited("%s: invalid packet\n", wg->dev->name);
	wg_count_drop(wg, invalid_reason(skb->data + sizeof(struct udphdr), len));
drop:
	kfree_skb(skb);
	return 0;
no_memory:
	wg_count_drop(wg, WG_RX_DROP_NO_MEMORY);
	kfree_skb(skb);
	return 0;
full:
	++wg->dev->stats.rx_dropped;
	wg_count_drop(wg, WG_RX_DROP_HANDSHAKE_QUEUE_FULL);
	kfree_skb(skb);
	return 0;
}

/*
 * Counted here, where the reason is known; the packet then reaches
 * wg_packet_rx_poll() as WG_PACKET_DEAD, which counts it no more.
 */
static bool decrypt_failed(struct wg_noise_keypair *keypair,
			   enum wg_rx_drop reason)
{
	wg_count_drop(wg_peer_of_handshake(keypair->handshake)->device, reason);
	return false;
}

static bool decrypt_packet(struct sk_buff *skb, struct wg_noise_keypair *keypair)
{
	struct scatterlist sg[MAX_SKB_FRAGS + 8];
	struct sk_buff *trailer;
	int num_frags;

	if (unlikely(!wg_noise_keypair_can_receive(keypair)))
		return decrypt_failed(keypair, WG_RX_DROP_DATA_KEY_EXPIRED);
	num_frags = skb_cow_data(skb, 0, &trailer);
	if (unlikely(num_frags < 0 || num_frags > ARRAY_SIZE(sg)))
		return decrypt_failed(keypair, WG_RX_DROP_NO_MEMORY);
	sg_init_table(sg, num_frags);
	if (skb_to_sgvec(skb, sg, 0, skb->len) <= 0)
		return decrypt_failed(keypair, WG_RX_DROP_NO_MEMORY);
	if (!chacha20poly1305_decrypt_sg_inplace(sg, skb->len, NULL, 0,
						 PACKET_CB(skb)->nonce,
						 keypair->receiving.key))
		return decrypt_failed(keypair, WG_RX_DROP_DATA_NOT_AUTHENTIC);
	/* The tag is checked; what is left is the padded plaintext. */
	if (unlikely(pskb_trim(skb, skb->len - WG_TAG_LEN)))
		return decrypt_failed(keypair, WG_RX_DROP_NO_MEMORY);
	return true;
}

void wg_packet_decrypt_worker(struct work_struct *work)
{
	wg_crypt_worker_run(work, decrypt_packet, wg_queue_enqueue_per_peer_rx);
}

/* Rekey on receive, once per keypair, when the initiator's keys get old. */
static void keep_key_fresh(struct wg_peer *peer, struct wg_noise_keypair *keypair)
{
	if (unlikely(wg_noise_keypair_rekey_on_receive(keypair) &&
		     keypair == rcu_access_pointer(peer->keypairs.current_keypair) &&
		     !READ_ONCE(peer->sent_lastminute_handshake))) {
		WRITE_ONCE(peer->sent_lastminute_handshake, true);
		wg_packet_send_queued_handshake_initiation(peer, false);
	}
}

static void deliver(struct napi_struct *napi, struct wg_peer *peer,
		    struct sk_buff *skb, u8 outer_ds)
{
	struct wg_device *wg = peer->device;
	struct net_device *dev = wg->dev;
	struct wg_allowedips_owner *owner;
	unsigned int message_len = skb->len + WG_MSG_DATA_MIN_LEN;
	unsigned int len;
	__be16 protocol;
	u8 version;

	if (unlikely(!skb->len)) {
		/* A keepalive: it did its job by arriving. */
		account_rx(peer, message_len);
		consume_skb(skb);
		return;
	}
	wg_timers_data_received(peer);

	if (unlikely(!pskb_may_pull(skb, 1)))
		goto invalid;
	version = skb->data[0] >> 4;
	if (version == 4) {
		if (unlikely(!pskb_may_pull(skb, sizeof(struct iphdr))))
			goto invalid;
		len = ntohs(((struct iphdr *)skb->data)->tot_len);
		if (unlikely(len < sizeof(struct iphdr) ||
			     ((struct iphdr *)skb->data)->ihl < 5))
			goto invalid;
		protocol = htons(ETH_P_IP);
	} else if (version == 6) {
		if (unlikely(!pskb_may_pull(skb, sizeof(struct ipv6hdr))))
			goto invalid;
		len = ntohs(((struct ipv6hdr *)skb->data)->payload_len) +
		      sizeof(struct ipv6hdr);
		protocol = htons(ETH_P_IPV6);
	} else {
		goto invalid;
	}
	if (unlikely(len > skb->len || pskb_trim(skb, len)))
		goto invalid;

	wg_reset_packet(skb, false);
	skb->dev = dev;
	skb->protocol = protocol;
	/* The AEAD authenticated every byte: no checksum needs checking. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;

	rcu_read_lock_bh();
	if (protocol == htons(ETH_P_IP)) {
		owner = wg_allowedips_lookup(&wg->peer_allowedips, AF_INET,
					     &ip_hdr(skb)->saddr);
		if (INET_ECN_is_ce(outer_ds))
			IP_ECN_set_ce(ip_hdr(skb));
	} else {
		owner = wg_allowedips_lookup(&wg->peer_allowedips, AF_INET6,
					     &ipv6_hdr(skb)->saddr);
		if (INET_ECN_is_ce(outer_ds))
			IP6_ECN_set_ce(skb, ipv6_hdr(skb));
	}
	rcu_read_unlock_bh();
	if (unlikely(owner != &peer->allowedips)) {
		net_dbg_ratelimited("%s: packet from peer %llu with a source it is not allowed\n",
				    dev->name, peer->internal_id);
		++dev->stats.rx_errors;
		++dev->stats.rx_frame_errors;
		wg_count_drop(wg, WG_RX_DROP_INNER_SRC_NOT_ALLOWED);
		kfree_skb(skb);
		return;
	}

	account_rx(peer, message_len);
	napi_gro_receive(napi, skb);
	return;

invalid:
	net_dbg_ratelimited("%s: invalid inner packet from peer %llu\n",
			    dev->name, peer->internal_id);
	++dev->stats.rx_errors;
	++dev->stats.rx_length_errors;
	wg_count_drop(wg, WG_RX_DROP_INNER_MALFORMED);
	kfree_skb(skb);
}

/*
 * Up to @budget of the peer's decrypted packets, in order, through the
 * replay window, roaming, the timers and the allowed-IPs check, up the
 * stack; stops at the first still being decrypted. Returns how many.
 */
static int deliver_peer(struct napi_struct *napi, struct wg_peer *peer,
			int budget)
{
	struct sk_buff_head *queue = &peer->rx_queue;
	struct wg_noise_keypair *keypair;
	struct wg_endpoint endpoint;
	enum wg_packet_state state;
	struct sk_buff *skb;
	int work_done = 0;
	u8 outer_ds;

	while (work_done < budget &&
	       (skb = wg_queue_dequeue_done(queue, &state)) != NULL) {
		++work_done;

		keypair = PACKET_CB(skb)->keypair;
		/* A dead packet was counted where it died. */
		if (unlikely(state != WG_PACKET_CRYPTED))
			goto drop;
		if (unlikely(READ_ONCE(peer->is_dead))) {
			wg_count_drop(peer->device, WG_RX_DROP_DATA_PEER_REMOVED);
			goto drop;
		}
		/* Only now, authenticated and in order, is the counter spent. */
		if (unlikely(!wg_counter_validate(&keypair->receiving_counter,
						  PACKET_CB(skb)->nonce))) {
			net_dbg_ratelimited("%s: replayed or too old counter %llu from peer %llu\n",
					    peer->device->dev->name,
					    PACKET_CB(skb)->nonce, peer->internal_id);
			wg_count_drop(peer->device, WG_RX_DROP_DATA_REPLAYED);
			goto drop;
		}
		if (unlikely(wg_socket_endpoint_from_skb(&endpoint, skb))) {
			wg_count_drop(peer->device, WG_RX_DROP_BAD_SOURCE_ADDRESS);
			goto drop;
		}
		outer_ds = skb->protocol == htons(ETH_P_IP) ?
			   ipv4_get_dsfield(ip_hdr(skb)) :
			   ipv6_get_dsfield(ipv6_hdr(skb));

		roam(peer, &endpoint);
		if (unlikely(wg_noise_received_with_keypair(&peer->keypairs,
							    keypair))) {
			wg_timers_handshake_complete(peer);
			wg_packet_send_staged_packets(peer);
		}
		keep_key_fresh(peer, keypair);
		wg_timers_any_authenticated_packet_received(peer);
		wg_timers_any_authenticated_packet_traversal(peer);
		wg_noise_keypair_put(keypair);
		deliver(napi, peer, skb, outer_ds);
		continue;
drop:
		/* Not authentic, replayed, or no room (rx_dropped at enqueue). */
		wg_noise_keypair_put(keypair);
		kfree_skb(skb);
	}

	wg_peer_note_drained(peer, queue);
	return work_done;
}

void wg_packet_rx_schedule(struct wg_peer *peer)
{
	struct wg_rx_napi *rx;

	if (test_and_set_bit(WG_PEER_RX_SCHEDULED, &peer->rx_flags))
		return;
	if (unlikely(!wg_peer_get_maybe_zero(peer))) {
		clear_bit(WG_PEER_RX_SCHEDULED, &peer->rx_flags);
		return;
	}
	rx = peer->rx_napi;
	spin_lock(&rx->lock);
	list_add_tail(&peer->rx_ready, &rx->ready);
	spin_unlock(&rx->lock);
	napi_schedule(&rx->napi);
}

static struct wg_peer *next_ready(struct wg_rx_napi *rx)
{
	struct wg_peer *peer;

	spin_lock(&rx->lock);
	peer = list_first_entry_or_null(&rx->ready, struct wg_peer, rx_ready);
	if (peer)
		list_del_init(&peer->rx_ready);
	spin_unlock(&rx->lock);
	return peer;
}

/*
 * A delivery poll: its ready peers in turn, each until its oldest packet
 * is still being decrypted, or the budget is spent (then it goes to the
 * back of the list, still scheduled, and the poll comes back).
 */
static int rx_poll(struct napi_struct *napi, int budget)
{
	struct wg_rx_napi *rx = container_of(napi, struct wg_rx_napi, napi);
	struct wg_peer *peer;
	int work_done = 0;

	while (work_done < budget && (peer = next_ready(rx)) != NULL) {
		work_done += deliver_peer(napi, peer, budget - work_done);
		if (work_done == budget && wg_queue_head_done(&peer->rx_queue)) {
			spin_lock(&rx->lock);
			list_add_tail(&peer->rx_ready, &rx->ready);
			spin_unlock(&rx->lock);
			break;
		}
		clear_bit(WG_PEER_RX_SCHEDULED, &peer->rx_flags);
		/*
		 * Against wg_packet_rx_schedule(): a packet finished since
		 * our last look either sees the bit clear or is seen here.
		 */
		smp_mb__after_atomic();
		if (wg_queue_head_done(&peer->rx_queue) &&
		    !test_and_set_bit(WG_PEER_RX_SCHEDULED, &peer->rx_flags)) {
			spin_lock(&rx->lock);
			list_add_tail(&peer->rx_ready, &rx->ready);
			spin_unlock(&rx->lock);
			continue;
		}
		wg_peer_put(peer);
	}
	if (work_done < budget)
		napi_complete_done(napi, work_done);
	return work_done;
}

int wg_packet_rx_napi_init(struct wg_device *wg)
{
	unsigned int cpu;

	wg->rx_napi = kcalloc(nr_cpu_ids, sizeof(*wg->rx_napi), GFP_KERNEL);
	if (!wg->rx_napi)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct wg_rx_napi *rx = &wg->rx_napi[cpu];

		spin_lock_init(&rx->lock);
		INIT_LIST_HEAD(&rx->ready);
		netif_napi_add(wg->dev, &rx->napi, rx_poll);
		napi_enable(&rx->napi);
	}
	return 0;
}

void wg_packet_rx_napi_uninit(struct wg_device *wg)
{
	struct wg_peer *peer;
	unsigned int cpu;

	if (!wg->rx_napi)
		return;
	for_each_possible_cpu(cpu) {
		struct wg_rx_napi *rx = &wg->rx_napi[cpu];

		napi_disable(&rx->napi);
		/* Peers whose queues emptied before the poll came round. */
		local_bh_disable();
		while ((peer = next_ready(rx)) != NULL) {
			clear_bit(WG_PEER_RX_SCHEDULED, &peer->rx_flags);
			wg_peer_put(peer);
		}
		local_bh_enable();
		__netif_napi_del(&rx->napi);
	}
	/* Busy pollers may still see them in the NAPI hash. */
	synchronize_net();
	kfree(wg->rx_napi);
	wg->rx_napi = NULL;
}
