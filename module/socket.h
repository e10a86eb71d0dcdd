/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KWG_SOCKET_H
#define _KWG_SOCKET_H

#include <linux/skbuff.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <linux/in6.h>

struct wg_device;
struct wg_peer;

/*
 * Where a peer is, and the local address it last reached us on with the
 * interface that packet came in through: the "sticky" source we answer
 * from, for as long as the route to the peer leaves through that interface.
 */
struct wg_endpoint {
	union {
		struct sockaddr addr;
		struct sockaddr_in addr4;
		struct sockaddr_in6 addr6;
	};
	union {
		struct in_addr src4;
		struct in6_addr src6;
	};
	int src_if;
};

/* The remote address and port, as the cookie and rate-limit code want them. */
static inline const void *wg_endpoint_ip(const struct wg_endpoint *endpoint)
{
	if (endpoint->addr.sa_family == AF_INET)
		return &endpoint->addr4.sin_addr;
	return &endpoint->addr6.sin6_addr;
}

static inline __be16 wg_endpoint_port(const struct wg_endpoint *endpoint)
{
	if (endpoint->addr.sa_family == AF_INET)
		return endpoint->addr4.sin_port;
	return endpoint->addr6.sin6_port;
}

/**
 * wg_socket_create() - Bind new UDP sockets for the device, unpublished.
 * @wg: the device; its packets arrive on the sockets once they are
 *	published with wg_socket_reinit().
 * @port: the port to bind both families to, 0 for a random one.
 * @fwmark: the mark of the packets they send.
 * @sk4: receives the IPv4 socket.
 * @sk6: receives the IPv6 socket, or NULL when IPv6 is unavailable.
 *
 * The sockets live in the namespace that created the device. Sockets never
 * published go with wg_socket_discard().
 *
 * Context: process, under @wg->device_update_lock; sleeps.
 * Return: 0, -ENONET if the creating namespace is gone, or the bind error.
 */
int wg_socket_create(struct wg_device *wg, u16 port, u32 fwmark,
		     struct sock **sk4, struct sock **sk6);

/**
 * wg_socket_discard() - Close sockets from wg_socket_create() never published.
 * @sk4: the IPv4 socket, or NULL.
 * @sk6: the IPv6 socket, or NULL.
 *
 * Context: process; sleeps.
 */
void wg_socket_discard(struct sock *sk4, struct sock *sk6);

/**
 * wg_socket_init() - Bind the device's UDP sockets and swap them in.
 * @wg: the device.
 * @port: the port to bind both families to, 0 for a random one.
 *
 * The sockets live in the namespace that created the device. IPv6 being
 * unavailable costs only the IPv6 socket.
 *
 * Context: process, under @wg->device_update_lock; sleeps.
 * Return: 0, -ENONET if the creating namespace is gone, or the bind error.
 */
int wg_socket_init(struct wg_device *wg, u16 port);

/**
 * wg_socket_reinit() - Publish new sockets (or none) and close the old.
 * @wg: the device.
 * @new4: the IPv4 socket, or NULL.
 * @new6: the IPv6 socket, or NULL.
 *
 * Context: process, under @wg->device_update_lock; waits for a grace period.
 */
void wg_socket_reinit(struct wg_device *wg, struct sock *new4,
		      struct sock *new6);

/**
 * wg_socket_send_skb_to_peer() - Send a message to the peer's endpoint.
 * @peer: the peer; its route cache and sticky source are used and updated.
 * @skb: the message, with our control block (see queueing.h); consumed.
 * @ds: the DS field of the outer header.
 *
 * Counts the bytes sent on the peer and the device.
 *
 * Context: any but hard IRQ; takes the peer's endpoint_lock.
 * Return: 0, or why the message was dropped.
 */
int wg_socket_send_skb_to_peer(struct wg_peer *peer, struct sk_buff *skb,
			       u8 ds);

/*
 * The most messages, and bytes of them, that go down as one UDP GSO packet:
 * the UDP and IP length fields are 16 bits, and the stack's UDP
 * segmentation takes at most UDP_MAX_SEGMENTS.
 */
#define WG_BATCH_MAX_MESSAGES 64
#define WG_BATCH_MAX_BYTES (U16_MAX - WG_OUTER_HEADERS_MAX_LEN)

/**
 * wg_socket_batching() - Whether messages leaving together go down as one.
 *
 * The module parameter udp_batching (default on), read anew at each call.
 *
 * Context: any. Return: true if wg_socket_send_batch_to_peer() may be used.
 */
bool wg_socket_batching(void);

/**
 * wg_socket_send_batch_to_peer() - Send a peer's messages that leave together.
 * @peer: the peer, as for wg_socket_send_skb_to_peer().
 * @batch: two or more messages with our control block, oldest first, each
 *	as long as the first but the last, which may be shorter; at most
 *	%WG_BATCH_MAX_MESSAGES and %WG_BATCH_MAX_BYTES in all. Emptied: the
 *	messages are consumed.
 * @ds: the DS field of every outer header.
 *
 * The messages are copied into one UDP GSO packet, segment size the first
 * one's length, that makes one trip through the IP and UDP stack; the
 * device cuts it into one datagram per message, or the stack does when the
 * device cannot. A route through IPsec cannot take UDP GSO: there (and if
 * the copy cannot be allocated) the messages go one by one. The datagrams
 * on the wire are the ones wg_socket_send_skb_to_peer() would have sent.
 *
 * Counts every message on the peer and the device.
 *
 * Context: as wg_socket_send_skb_to_peer(); allocates atomically.
 * Return: 0, or why the messages were dropped.
 */
int wg_socket_send_batch_to_peer(struct wg_peer *peer,
				 struct sk_buff_head *batch, u8 ds);

/**
 * wg_socket_send_buffer_to_peer() - wg_socket_send_skb_to_peer() of a copy.
 * @peer: the peer.
 * @data: the message.
 * @len: its length.
 * @ds: the DS field of the outer header.
 *
 * Context: as wg_socket_send_skb_to_peer(); allocates atomically.
 * Return: 0, -ENOMEM, or why the message was dropped.
 */
int wg_socket_send_buffer_to_peer(struct wg_peer *peer, void *data,
				  size_t len, u8 ds);

/**
 * wg_socket_send_buffer_to_endpoint() - Answer an address with no peer.
 * @wg: the device.
 * @endpoint: where to, and from which local address.
 * @data: the message (a cookie reply).
 * @len: its length.
 *
 * Context: any but hard IRQ; allocates atomically.
 * Return: 0, -ENOMEM, or why the message was dropped.
 */
int wg_socket_send_buffer_to_endpoint(struct wg_device *wg,
				      const struct wg_endpoint *endpoint,
				      void *data, size_t len);

/**
 * wg_socket_endpoint_from_skb() - Where a received packet came from.
 * @endpoint: filled with the outer source, the local address it reached
 *	and the interface it came in through.
 * @skb: the packet, network header at the outer IP header.
 *
 * Return: 0, or -EINVAL if it is neither IPv4 nor IPv6.
 */
int wg_socket_endpoint_from_skb(struct wg_endpoint *endpoint,
				const struct sk_buff *skb);

/**
 * wg_socket_set_peer_endpoint() - Roam: the peer is now at @endpoint.
 * @peer: the peer.
 * @endpoint: its new endpoint and sticky source.
 * @old: NULL, or receives the endpoint replaced when the function returns
 *	true (sa_family 0 if the peer had none).
 *
 * Cheap when nothing changed; otherwise drops the cached route.
 *
 * Context: any but hard IRQ; takes the peer's endpoint_lock.
 * Return: true if the remote address or port changed, not just the
 * sticky source.
 */
bool wg_socket_set_peer_endpoint(struct wg_peer *peer,
				 const struct wg_endpoint *endpoint,
				 struct wg_endpoint *old);

/**
 * wg_socket_clear_peer_endpoint_src() - Forget the sticky source.
 * @peer: the peer; routing picks the source of its next message.
 *
 * Context: any but hard IRQ; takes the peer's endpoint_lock.
 */
void wg_socket_clear_peer_endpoint_src(struct wg_peer *peer);

/**
 * wg_socket_release_peer_routes() - Drop the routes cached for the peer now.
 * @peer: the peer; its endpoint stays.
 *
 * A cached route belongs to the sockets' namespace and must be released
 * before that namespace is freed, which the kernel does once its teardown
 * is over and RCU callbacks queued until then have run: not when the
 * device goes later (the namespace may be where the device was created,
 * the device elsewhere), nor in a chain of RCU callbacks (the peer's own
 * free runs in one, queued by a keypair's).
 *
 * Context: any; nothing may be sending to the peer, as senders use the
 * cache without a lock: the peer is being removed, or the device has no
 * socket any more (its creating namespace's pre_exit).
 */
void wg_socket_release_peer_routes(struct wg_peer *peer);

/**
 * wg_socket_set_mark() - Mark every outer packet of the device with @fwmark.
 * @wg: the device.
 * @fwmark: the mark, 0 for none.
 *
 * Context: under @wg->device_update_lock.
 */
void wg_socket_set_mark(struct wg_device *wg, u32 fwmark);

/**
 * wg_socket_nesting() - How many of our tunnels the packet went through.
 *
 * An outer packet we hand to the IP stack may be routed into one of our
 * devices again (a tunnel inside a tunnel); its transmit path asks this to
 * bound the nesting, which a routing loop would make endless.
 *
 * Context: a device's transmit (BH off), synchronously below our send.
 * Return: 0 for a packet from anywhere else, n + 1 for the outer packet of
 * a packet that was itself nested n deep.
 */
u8 wg_socket_nesting(void);

#endif /* _KWG_SOCKET_H */
