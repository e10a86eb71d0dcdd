/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building and reading WireGuard generic-netlink messages, without any
 * socket, so that the host tests can check splitting and reassembly.
 */
#ifndef WG_NLMSG_H
#define WG_NLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include "device.h"

#define NLMSG_SET_BUFFER (32 * 1024)

struct nlmsghdr *nlmsg_genl_header(char *buf, uint16_t type, uint8_t cmd, uint16_t flags,
				   uint8_t version);

/* Where the next SET message resumes. Zero it before the first call. */
struct nlmsg_set_state {
	size_t peer;		/* next peer to send */
	size_t ip;		/* next allowed IP of that peer */
	bool peer_started;	/* its attributes went out in an earlier message */
	bool first_sent;	/* the device attributes went out */
	bool done;
};

/*
 * Builds the next SET_DEVICE message for dev into buf (buflen bytes).
 * Device attributes and REPLACE_PEERS go in the first message only; a peer
 * whose allowed IPs do not fit continues in the next message as a nest with
 * only its public key and the remaining allowed IPs, which the kernel adds.
 * Returns NULL if buflen cannot hold even one peer.
 */
struct nlmsghdr *nlmsg_build_set(char *buf, size_t buflen, uint16_t family,
				 const struct wg_device *dev, struct nlmsg_set_state *state);

/*
 * Adds the content of one GET_DEVICE dump message to dev. A first peer
 * with the same public key as dev's last peer continues it: its allowed IPs
 * are appended. Returns 0 or a negative errno for a malformed message.
 */
int nlmsg_parse_device(struct wg_device *dev, const struct nlmsghdr *nlh);

#endif
