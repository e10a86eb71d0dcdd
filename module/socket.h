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
 * Where a peer is, and the local address it last reached us on (the
 * "sticky" source we answer from).
 */
struct wg_endpoint {
	union {
		struct sockaddr addr;
		struct sockaddr_in addr4;
		struct sockaddr_in6 addr6;
	};
	union {
		struct {
			struct in_addr src4;
			/* The interface that received it, for the scope. */
			int src_if4;
		};
		struct in6_addr src6;
	};
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

int wg_socket_init(struct wg_device *wg, u16 port);
void wg_socket_reinit(struct wg_device *wg, struct sock *new4,
		      struct sock *new6);
int wg_socket_send_skb_to_peer(struct wg_peer *peer, struct sk_buff *skb,
			       u8 ds);
int wg_socket_send_buffer_to_peer(struct wg_peer *peer, void *data,
				  size_t len, u8 ds);
int wg_socket_send_buffer_to_endpoint(struct wg_device *wg,
				      const struct wg_endpoint *endpoint,
				      void *data, size_t len);
int wg_socket_endpoint_from_skb(struct wg_endpoint *endpoint,
				const struct sk_buff *skb);
void wg_socket_set_peer_endpoint(struct wg_peer *peer,
				 const struct wg_endpoint *endpoint);
void wg_socket_set_peer_endpoint_from_skb(struct wg_peer *peer,
					  const struct sk_buff *skb);
void wg_socket_clear_peer_endpoint_src(struct wg_peer *peer);
void wg_socket_set_mark(struct wg_device *wg, u32 fwmark);

#endif /* _KWG_SOCKET_H */
