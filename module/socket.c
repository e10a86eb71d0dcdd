// SPDX-License-Identifier: GPL-2.0
/*
 * The device's UDP sockets (created in the creating namespace), endpoints,
 * the sticky source address and the per-peer route cache.
 */

#include <linux/if_ether.h>
#include <linux/inetdevice.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/random.h>
#include <net/addrconf.h>
#include <net/dst_cache.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "socket.h"
#include "peer.h"
#include "queueing.h"

static_assert(WG_OUTER_HEADERS_MAX_LEN ==
	      sizeof(struct ipv6hdr) + sizeof(struct udphdr));

/*
 * How many of our tunnels the outer packet being handed to the IP stack on
 * this CPU has gone through: set around that synchronous hand-off (BH off),
 * read by wg_xmit() if the route leads back into one of our devices.
 */
static DEFINE_PER_CPU(u8, outer_nesting);

/* Room for the outer headers in the skbs made here (messages, batches). */
#define WG_SEND_HEADROOM (NET_SKB_PAD + WG_OUTER_HEADERS_MAX_LEN + \
			  WG_LINK_HEADROOM)

/*
 * Outer batching (docs/performance.md): a peer's messages that leave
 * together go down as one UDP GSO packet, and new sockets ask for UDP GRO,
 * so that what a NIC received together reaches us in one trip too. Off,
 * every datagram makes its own trip through the stack, as in stock; on or
 * off, the same datagrams are on the wire.
 */
static bool udp_batching = true;
module_param(udp_batching, bool, 0644);
MODULE_PARM_DESC(udp_batching,
		 "Send a peer's messages that leave together as one UDP GSO packet; new sockets ask for UDP GRO (default: on)");

bool wg_socket_batching(void)
{
	return READ_ONCE(udp_batching);
}

u8 wg_socket_nesting(void)
{
	return __this_cpu_read(outer_nesting);
}

static void account_tx(struct wg_peer *peer, unsigned int packets,
		       unsigned int len)
{
	atomic64_add(len, &peer->tx_bytes);
	dev_sw_netstats_tx_add(peer->device->dev, packets, len);
}

/*
 * The sticky source no longer works: route from scratch, and tell the
 * caller so that the peer forgets it.
 */
static void source_gone(struct dst_cache *cache, bool *src_gone)
{
	*src_gone = true;
	if (cache)
		dst_cache_reset(cache);
}

/*
 * A route looked up from the sticky source is no good when the source is
 * refused (@err -EINVAL) or when the route now leaves through another
 * interface than the one the peer reached us on: a better route appeared,
 * and the peer should see us come from that route's own address.
 */
static bool source_off_route(const struct wg_endpoint *endpoint, int err,
			     const struct net_device *route_dev)
{
	if (!endpoint->src_if)
		return false;
	if (err)
		return err == -EINVAL;
	return route_dev->ifindex != endpoint->src_if;
}

/*
 * Ready a UDP GSO packet for @dst, or say it cannot go: an IPsec route
 * cannot take UDP GSO. Its checksum is completed per segment, from the
 * partial one the tunnel helpers put in the UDP header they push just
 * below the messages: the stack's UDP segmentation wants it to start there.
 */
static bool gso_ready(struct sk_buff *skb, struct dst_entry *dst)
{
	if (unlikely(dst_xfrm(dst)))
		return false;
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb) - sizeof(struct udphdr);
	skb->csum_offset = offsetof(struct udphdr, check);
	return true;
}

static int send4(struct wg_device *wg, struct sk_buff *skb,
		 const struct wg_endpoint *endpoint, u8 ds,
		 struct dst_cache *cache, bool *src_gone)
{
	struct flowi4 fl = {
		.saddr = endpoint->src4.s_addr,
		.daddr = endpoint->addr4.sin_addr.s_addr,
		.fl4_dport = endpoint->addr4.sin_port,
		.flowi4_mark = wg->fwmark,
		.flowi4_proto = IPPROTO_UDP
	};
	struct rtable *rt = NULL;
	struct sock *sock;
	int ret = 0;

	rcu_read_lock_bh();
	sock = rcu_dereference_bh(wg->sock4);
	if (unlikely(!sock)) {
		ret = -ENONET;
		goto err;
	}
	fl.fl4_sport = inet_sk(sock)->inet_sport;

	if (cache)
		rt = dst_cache_get_ip4(cache, &fl.saddr);
	if (!rt) {
		security_sk_classify_flow(sock, flowi4_to_flowi_common(&fl));
		/* The sticky source disappeared: fall back to routing. */
		if (unlikely(fl.saddr &&
			     !inet_confirm_addr(sock_net(sock), NULL, 0,
						fl.saddr, RT_SCOPE_HOST))) {
			fl.saddr = 0;
			source_gone(cache, src_gone);
		}
		rt = ip_route_output_flow(sock_net(sock), &fl, sock);
		if (unlikely(fl.saddr &&
			     source_off_route(endpoint, IS_ERR(rt) ? PTR_ERR(rt) : 0,
					      IS_ERR(rt) ? NULL : rt->dst.dev))) {
			if (!IS_ERR(rt))
				ip_rt_put(rt);
			fl.saddr = 0;
			source_gone(cache, src_gone);
			rt = ip_route_output_flow(sock_net(sock), &fl, sock);
		}
		if (IS_ERR(rt)) {
			ret = PTR_ERR(rt);
			net_dbg_ratelimited("%s: no route to %pISpfsc, error %d\n",
					    wg->dev->name, &endpoint->addr, ret);
			goto err;
		}
		if (cache)
			dst_cache_set_ip4(cache, &rt->dst, fl.saddr);
	}

	ret = skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) +
				rt->dst.header_len + WG_OUTER_HEADERS_MAX_LEN);
	if (unlikely(ret)) {
		ip_rt_put(rt);
		goto err;
	}
	skb->ignore_df = 1;
	if (skb_is_gso(skb) && !gso_ready(skb, &rt->dst)) {
		ret = -EAGAIN;
		ip_rt_put(rt);
		goto out;
	}
	udp_tunnel_xmit_skb(rt, sock, skb, fl.saddr, fl.daddr, ds,
			    ip4_dst_hoplimit(&rt->dst), 0, fl.fl4_sport,
			    fl.fl4_dport, false, false);
	goto out;

err:
	kfree_skb(skb);
out:
	rcu_read_unlock_bh();
	return ret;
}

static int send6(struct wg_device *wg, struct sk_buff *skb,
		 const struct wg_endpoint *endpoint, u8 ds,
		 struct dst_cache *cache, bool *src_gone)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct flowi6 fl = {
		.saddr = endpoint->src6,
		.daddr = endpoint->addr6.sin6_addr,
		.fl6_dport = endpoint->addr6.sin6_port,
		.flowi6_mark = wg->fwmark,
		.flowi6_oif = endpoint->addr6.sin6_scope_id,
		.flowi6_proto = IPPROTO_UDP
	};
	struct dst_entry *dst = NULL;
	struct sock *sock;
	int ret = 0;

	rcu_read_lock_bh();
	sock = rcu_dereference_bh(wg->sock6);
	if (unlikely(!sock)) {
		ret = -ENONET;
		goto err;
	}
	fl.fl6_sport = inet_sk(sock)->inet_sport;

	if (cache)
		dst = dst_cache_get_ip6(cache, &fl.saddr);
	if (!dst) {
		security_sk_classify_flow(sock, flowi6_to_flowi_common(&fl));
		if (unlikely(!ipv6_addr_any(&fl.saddr) &&
			     !ipv6_chk_addr(sock_net(sock), &fl.saddr, NULL, 0))) {
			fl.saddr = in6addr_any;
			source_gone(cache, src_gone);
		}
		dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sock), sock, &fl,
						      NULL);
		if (unlikely(!ipv6_addr_any(&fl.saddr) &&
			     source_off_route(endpoint, PTR_ERR_OR_ZERO(dst),
					      IS_ERR(dst) ? NULL : dst->dev))) {
			if (!IS_ERR(dst))
				dst_release(dst);
			fl.saddr = in6addr_any;
			source_gone(cache, src_gone);
			dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sock), sock,
							      &fl, NULL);
		}
		if (IS_ERR(dst)) {
			ret = PTR_ERR(dst);
			net_dbg_ratelimited("%s: no route to %pISpfsc, error %d\n",
					    wg->dev->name, &endpoint->addr, ret);
			goto err;
		}
		if (cache)
			dst_cache_set_ip6(cache, dst, &fl.saddr);
	}

	ret = skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) +
				dst->header_len + WG_OUTER_HEADERS_MAX_LEN);
	if (unlikely(ret)) {
		dst_release(dst);
		goto err;
	}
	skb->ignore_df = 1;
	if (skb_is_gso(skb) && !gso_ready(skb, dst)) {
		ret = -EAGAIN;
		dst_release(dst);
		goto out;
	}
	udp_tunnel6_xmit_skb(dst, sock, skb, NULL, &fl.saddr, &fl.daddr, ds,
			     ip6_dst_hoplimit(dst), 0, fl.fl6_sport,
			     fl.fl6_dport, false);
	goto out;

err:
	kfree_skb(skb);
out:
	rcu_read_unlock_bh();
	return ret;
#else
	kfree_skb(skb);
	return -EAFNOSUPPORT;
#endif
}

/*
 * Every skb sent here carries our control block: data packets from
 * wg_xmit(), fresh ones (keepalives, handshake messages) zeroed by
 * alloc_skb(), hence at nesting 0, and batches (the deepest nesting of
 * their messages). A batch whose route cannot take UDP GSO comes back
 * unsent, with -EAGAIN.
 */
static int send_to_endpoint(struct wg_device *wg, struct sk_buff *skb,
			    const struct wg_endpoint *endpoint, u8 ds,
			    struct dst_cache *cache, bool *src_gone)
{
	u8 nesting = PACKET_CB(skb)->nesting + 1;
	int ret;

	skb_mark_not_on_list(skb);
	skb->dev = NULL;
	skb->mark = wg->fwmark;
	local_bh_disable();
	nesting = __this_cpu_xchg(outer_nesting, nesting);
	if (endpoint->addr.sa_family == AF_INET) {
		ret = send4(wg, skb, endpoint, ds, cache, src_gone);
	} else if (endpoint->addr.sa_family == AF_INET6) {
		ret = send6(wg, skb, endpoint, ds, cache, src_gone);
	} else {
		kfree_skb(skb);
		ret = -EAFNOSUPPORT;
	}
	__this_cpu_write(outer_nesting, nesting);
	local_bh_enable();
	return ret;
}

/* To the peer's endpoint, through its route cache; forgets a dead source. */
static int send_to_peer(struct wg_peer *peer, struct sk_buff *skb, u8 ds)
{
	struct wg_endpoint endpoint;
	bool src_gone = false;
	int ret;

	read_lock_bh(&peer->endpoint_lock);
	endpoint = peer->endpoint;
	read_unlock_bh(&peer->endpoint_lock);

	ret = send_to_endpoint(peer->device, skb, &endpoint, ds,
			       &peer->endpoint_cache, &src_gone);
	if (unlikely(src_gone))
		wg_socket_clear_peer_endpoint_src(peer);
	return ret;
}

int wg_socket_send_skb_to_peer(struct wg_peer *peer, struct sk_buff *skb, u8 ds)
{
	unsigned int len = skb->len;
	int ret;

	ret = send_to_peer(peer, skb, ds);
	if (likely(!ret))
		account_tx(peer, 1, len);
	return ret;
}

/*
 * One UDP GSO packet of the batch's messages, copied into pages (the
 * messages are linear but for a rare frag_list, linearized here), with the
 * deepest nesting among them. NULL when memory is short.
 */
static struct sk_buff *batch_to_gso(struct sk_buff_head *batch)
{
	unsigned int len = 0, off = 0;
	struct sk_buff *msg, *skb;
	u8 nesting = 0;
	int err;

	skb_queue_walk(batch, msg) {
		if (unlikely(skb_linearize(msg)))
			return NULL;
		len += msg->len;
		nesting = max(nesting, PACKET_CB(msg)->nesting);
	}
	skb = alloc_skb_with_frags(WG_SEND_HEADROOM, len, PAGE_ALLOC_COSTLY_ORDER,
				   &err, GFP_ATOMIC | __GFP_NOWARN);
	if (unlikely(!skb))
		return NULL;
	skb_reserve(skb, WG_SEND_HEADROOM);
	skb->data_len = len;
	skb->len = len;
	skb_queue_walk(batch, msg) {
		if (WARN_ON_ONCE(skb_store_bits(skb, off, msg->data, msg->len))) {
			kfree_skb(skb);
			return NULL;
		}
		off += msg->len;
	}
	memset(skb->cb, 0, sizeof(skb->cb));
	PACKET_CB(skb)->nesting = nesting;
	/* The messages' flow hash (they share it): see send.c's batches. */
	skb_copy_hash(skb, skb_peek(batch));
	skb_shinfo(skb)->gso_type = SKB_GSO_UDP_L4;
	skb_shinfo(skb)->gso_size = skb_peek(batch)->len;
	skb_shinfo(skb)->gso_segs = skb_queue_len(batch);
	return skb;
}

int wg_socket_send_batch_to_peer(struct wg_peer *peer,
				 struct sk_buff_head *batch, u8 ds)
{
	unsigned int n = skb_queue_len(batch), len = 0;
	struct sk_buff *skb;
	int ret = -ENOMEM;

	skb = batch_to_gso(batch);
	if (likely(skb)) {
		len = skb->len;
		ret = send_to_peer(peer, skb, ds);
		if (ret == -EAGAIN)
			kfree_skb(skb);
	}
	if (likely(skb && ret != -EAGAIN)) {
		__skb_queue_purge(batch);
		if (likely(!ret))
			account_tx(peer, n, len);
		return ret;
	}
	/* One by one: the stack could not take the batch as one. */
	while ((skb = __skb_dequeue(batch)) != NULL)
		ret = wg_socket_send_skb_to_peer(peer, skb, ds);
	return ret;
}

static struct sk_buff *buffer_to_skb(void *data, size_t len)
{
	struct sk_buff *skb = alloc_skb(WG_SEND_HEADROOM + len, GFP_ATOMIC);

	if (unlikely(!skb))
		return NULL;
	skb_reserve(skb, WG_SEND_HEADROOM);
	skb_set_inner_network_header(skb, 0);
	skb_put_data(skb, data, len);
	return skb;
}

int wg_socket_send_buffer_to_peer(struct wg_peer *peer, void *data,
				  size_t len, u8 ds)
{
	struct sk_buff *skb = buffer_to_skb(data, len);

	if (unlikely(!skb))
		return -ENOMEM;
	return wg_socket_send_skb_to_peer(peer, skb, ds);
}

/* A reply to a packet from endpoint (no peer, so no route cache). */
int wg_socket_send_buffer_to_endpoint(struct wg_device *wg,
				      const struct wg_endpoint *endpoint,
				      void *data, size_t len)
{
	struct sk_buff *skb = buffer_to_skb(data, len);
	bool src_gone;

	if (unlikely(!skb))
		return -ENOMEM;
	return send_to_endpoint(wg, skb, endpoint, 0, NULL, &src_gone);
}

/* The outer source of a received packet, and the address it reached. */
int wg_socket_endpoint_from_skb(struct wg_endpoint *endpoint,
				const struct sk_buff *skb)
{
	memset(endpoint, 0, sizeof(*endpoint));
	if (skb->protocol == htons(ETH_P_IP)) {
		endpoint->addr4.sin_family = AF_INET;
		endpoint->addr4.sin_port = udp_hdr(skb)->source;
		endpoint->addr4.sin_addr.s_addr = ip_hdr(skb)->saddr;
		endpoint->src4.s_addr = ip_hdr(skb)->daddr;
	} else if (IS_ENABLED(CONFIG_IPV6) && skb->protocol == htons(ETH_P_IPV6)) {
		endpoint->addr6.sin6_family = AF_INET6;
		endpoint->addr6.sin6_port = udp_hdr(skb)->source;
		endpoint->addr6.sin6_addr = ipv6_hdr(skb)->saddr;
		endpoint->addr6.sin6_scope_id =
			ipv6_iface_scope_id(&ipv6_hdr(skb)->saddr, skb->skb_iif);
		endpoint->src6 = ipv6_hdr(skb)->daddr;
	} else {
		return -EINVAL;
	}
	endpoint->src_if = skb->skb_iif;
	return 0;
}

/* The same remote address and port, whatever the sticky source. */
static bool endpoint_remote_eq(const struct wg_endpoint *a,
			       const struct wg_endpoint *b)
{
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	if (a->addr.sa_family == AF_INET)
		return a->addr4.sin_port == b->addr4.sin_port &&
		       a->addr4.sin_addr.s_addr == b->addr4.sin_addr.s_addr;
	if (a->addr.sa_family == AF_INET6)
		return a->addr6.sin6_port == b->addr6.sin6_port &&
		       ipv6_addr_equal(&a->addr6.sin6_addr, &b->addr6.sin6_addr) &&
		       a->addr6.sin6_scope_id == b->addr6.sin6_scope_id;
	return true;
}

static bool endpoint_eq(const struct wg_endpoint *a, const struct wg_endpoint *b)
{
	if (!endpoint_remote_eq(a, b) || a->src_if != b->src_if)
		return false;
	if (a->addr.sa_family == AF_INET)
		return a->src4.s_addr == b->src4.s_addr;
	if (a->addr.sa_family == AF_INET6)
		return ipv6_addr_equal(&a->src6, &b->src6);
	return true;
}

bool wg_socket_set_peer_endpoint(struct wg_peer *peer,
				 const struct wg_endpoint *endpoint,
				 struct wg_endpoint *old)
{
	bool moved;

	/* Almost always unchanged: decide that under the read lock. */
	read_lock_bh(&peer->endpoint_lock);
	if (likely(endpoint_eq(endpoint, &peer->endpoint))) {
		read_unlock_bh(&peer->endpoint_lock);
		return false;
	}
	read_unlock_bh(&peer->endpoint_lock);

	write_lock_bh(&peer->endpoint_lock);
	/* Decided again here, so that each move is reported once. */
	moved = !endpoint_remote_eq(endpoint, &peer->endpoint);
	if (moved && old)
		*old = peer->endpoint;
	peer->endpoint = *endpoint;
	dst_cache_reset(&peer->endpoint_cache);
	write_unlock_bh(&peer->endpoint_lock);
	return moved;
}

void wg_socket_clear_peer_endpoint_src(struct wg_peer *peer)
{
	write_lock_bh(&peer->endpoint_lock);
	memset(&peer->endpoint.src6, 0, sizeof(peer->endpoint.src6));
	peer->endpoint.src_if = 0;
	/*
	 * Lazily: senders read the cache outside this lock, so its routes
	 * cannot be freed under them; each CPU drops its own at its next
	 * lookup.
	 */
	dst_cache_reset(&peer->endpoint_cache);
	write_unlock_bh(&peer->endpoint_lock);
}

void wg_socket_release_peer_routes(struct wg_peer *peer)
{
	dst_cache_reset_now(&peer->endpoint_cache);
}

static int wg_receive(struct sock *sk, struct sk_buff *skb)
{
	struct wg_device *wg;

	if (unlikely(!sk))
		goto drop;
	wg = sk->sk_user_data;
	if (unlikely(!wg))
		goto drop;
	skb_mark_not_on_list(skb);
	wg_packet_receive(wg, skb);
	return 0;

drop:
	kfree_skb(skb);
	return 0;
}

static void sock_free(struct sock *sock)
{
	if (unlikely(!sock))
		return;
	sk_clear_memalloc(sock);
	udp_tunnel_sock_release(sock->sk_socket);
}

static void set_sock_opts(struct socket *sock, u32 fwmark)
{
	int on = 1;

	sock->sk->sk_allocation = GFP_ATOMIC;
	sock->sk->sk_sndbuf = INT_MAX;
	sk_set_memalloc(sock->sk);
	WRITE_ONCE(sock->sk->sk_mark, fwmark);
	/*
	 * UDP GRO merges a flow's datagrams (one peer's, in practice) into
	 * one packet for one trip up the stack; being a tunnel socket, ours
	 * then gets them cut apart again just before our receive callback.
	 * Without it, nothing is lost but the batching.
	 */
	if (wg_socket_batching())
		sock_common_setsockopt(sock, SOL_UDP, UDP_GRO,
				       KERNEL_SOCKPTR(&on), sizeof(on));
}

int wg_socket_create(struct wg_device *wg, u16 port, u32 fwmark,
		     struct sock **sk4, struct sock **sk6)
{
	struct udp_tunnel_sock_cfg cfg = {
		.sk_user_data = wg,
		.encap_type = 1,
		.encap_rcv = wg_receive
	};
	struct socket *new4 = NULL, *new6 = NULL;
	struct udp_port_cfg port4 = {
		.family = AF_INET,
		.local_ip.s_addr = htonl(INADDR_ANY),
		.local_udp_port = htons(port),
		.use_udp_checksums = true
	};
#if IS_ENABLED(CONFIG_IPV6)
	int retries = 0;
	struct udp_port_cfg port6 = {
		.family = AF_INET6,
		.local_ip6 = IN6ADDR_ANY_INIT,
		.use_udp6_tx_checksums = true,
		.use_udp6_rx_checksums = true,
		.ipv6_v6only = true
	};
#endif
	struct net *net;
	int ret;

	rcu_read_lock();
	net = wg->creating_net ? maybe_get_net(wg->creating_net) : NULL;
	rcu_read_unlock();
	if (unlikely(!net))
		return -ENONET;

#if IS_ENABLED(CONFIG_IPV6)
retry:
#endif
	ret = udp_sock_create(net, &port4, &new4);
	if (ret < 0) {
		pr_err("%s: could not create IPv4 socket: %d\n",
		       wg->dev->name, ret);
		goto out;
	}
	set_sock_opts(new4, fwmark);
	setup_udp_tunnel_sock(net, new4, &cfg);

#if IS_ENABLED(CONFIG_IPV6)
	if (ipv6_mod_enabled()) {
		port6.local_udp_port = inet_sk(new4->sk)->inet_sport;
		ret = udp_sock_create(net, &port6, &new6);
		if (ret < 0) {
			udp_tunnel_sock_release(new4);
			new4 = NULL;
			/* A random port free for IPv4 may be taken for IPv6. */
			if (ret == -EADDRINUSE && !port && retries++ < 100)
				goto retry;
			/* IPv6 switched off must not cost us IPv4. */
			if (ret == -EAFNOSUPPORT || ret == -EPROTONOSUPPORT ||
			    ret == -EADDRNOTAVAIL) {
				new6 = NULL;
				ret = udp_sock_create(net, &port4, &new4);
				if (ret < 0)
					goto out;
				set_sock_opts(new4, fwmark);
				setup_udp_tunnel_sock(net, new4, &cfg);
				goto done;
			}
			pr_err("%s: could not create IPv6 socket: %d\n",
			       wg->dev->name, ret);
			goto out;
		}
		set_sock_opts(new6, fwmark);
		setup_udp_tunnel_sock(net, new6, &cfg);
	}
done:
#endif
	*sk4 = new4->sk;
	*sk6 = new6 ? new6->sk : NULL;
	ret = 0;
out:
	put_net(net);
	return ret;
}

void wg_socket_discard(struct sock *sk4, struct sock *sk6)
{
	sock_free(sk4);
	sock_free(sk6);
}

int wg_socket_init(struct wg_device *wg, u16 port)
{
	struct sock *sk4, *sk6;
	int ret;

	ret = wg_socket_create(wg, port, wg->fwmark, &sk4, &sk6);
	if (!ret)
		wg_socket_reinit(wg, sk4, sk6);
	return ret;
}

/*
 * Swap in new sockets (or none); the old ones close once no reader sees
 * them. Under the configuration mutex.
 */
void wg_socket_reinit(struct wg_device *wg, struct sock *new4, struct sock *new6)
{
	struct sock *old4, *old6;

	lockdep_assert_held(&wg->device_update_lock);
	old4 = rcu_dereference_protected(wg->sock4,
					 lockdep_is_held(&wg->device_update_lock));
	old6 = rcu_dereference_protected(wg->sock6,
					 lockdep_is_held(&wg->device_update_lock));
	rcu_assign_pointer(wg->sock4, new4);
	rcu_assign_pointer(wg->sock6, new6);
	if (new4)
		wg->incoming_port = ntohs(inet_sk(new4)->inet_sport);
	synchronize_net();
	sock_free(old4);
	sock_free(old6);
}

void wg_socket_set_mark(struct wg_device *wg, u32 fwmark)
{
	struct sock *sock;

	lockdep_assert_held(&wg->device_update_lock);
	sock = rcu_dereference_protected(wg->sock4,
					 lockdep_is_held(&wg->device_update_lock));
	if (sock)
		WRITE_ONCE(sock->sk_mark, fwmark);
	sock = rcu_dereference_protected(wg->sock6,
					 lockdep_is_held(&wg->device_update_lock));
	if (sock)
		WRITE_ONCE(sock->sk_mark, fwmark);
}
