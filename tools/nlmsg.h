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
#include <linux/genetlink.h>
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

/* One peer nest of a dump or an event into p (zeroed by the caller).
 * Returns 0 or -EBADMSG/-ENOMEM; p then owns allowed IPs to free. */
int nlmsg_parse_peer(struct wg_peer *p, const struct nlattr *nest);

/* What the family's CTRL_CMD_GETPOLICY dump says about the attributes a
 * SET_DEVICE may carry: per policy index, which attributes exist
 * (WGPEER_A_NAME apart) and the types of those that tell the policies
 * apart. Zero it before the first message. */
struct nlmsg_policies {
	struct {
		uint32_t present;	/* attributes 0..31 */
		bool has_name;		/* attribute WGPEER_A_NAME */
		uint32_t type1, type3;	/* NL_ATTR_TYPE_* */
	} pol[64];
};

void nlmsg_parse_policies(struct nlmsg_policies *p, const struct nlmsghdr *nlh);
/* WGALLOWEDIP_F_REMOVE_ME is understood. */
bool nlmsg_policies_allowedip_removal(const struct nlmsg_policies *p);
/* WGPEER_A_NAME is accepted: the module stores peer names. */
bool nlmsg_policies_peer_names(const struct nlmsg_policies *p);

/* What a CTRL_CMD_GETFAMILY answer or a CTRL_CMD_NEWFAMILY notification
 * says about a family. */
struct nlmsg_family {
	char name[GENL_NAMSIZ];
	uint16_t id;
	uint32_t group;		/* id of the multicast group asked for; 0: none */
};

/* Reads nlh (after its netlink header) into f, looking for the multicast
 * group named group (NULL: none). Returns 0, or -EBADMSG without a valid
 * family id. */
int nlmsg_parse_family(const struct nlmsghdr *nlh, const char *group, struct nlmsg_family *f);

#endif
