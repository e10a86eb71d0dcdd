// SPDX-License-Identifier: GPL-2.0
/* WireGuard generic-netlink message contents (docs/protocol.md §6). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>

#include "nlmsg.h"

struct nlmsghdr *nlmsg_genl_header(char *buf, uint16_t type, uint8_t cmd, uint16_t flags,
				   uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

static bool put_peer_attrs(struct nlmsghdr *nlh, size_t buflen, const struct wg_peer *p)
{
	if (p->flags && !mnl_attr_put_u32_check(nlh, buflen, WGPEER_A_FLAGS, p->flags))
		return false;
	if (p->flags & WGPEER_F_REMOVE_ME)
		return true;
	/* Only when asked for: modules without names refuse the attribute. */
	if ((p->has & WGPEER_HAS_NAME) &&
	    !mnl_attr_put_strz_check(nlh, buflen, WGPEER_A_NAME, p->name))
		return false;
	if ((p->has & WGPEER_HAS_PRESHARED_KEY) &&
	    !mnl_attr_put_check(nlh, buflen, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN, p->preshared_key))
		return false;
	if (p->endpoint.addr.sa_family == AF_INET &&
	    !mnl_attr_put_check(nlh, buflen, WGPEER_A_ENDPOINT, sizeof(p->endpoint.addr4),
				&p->endpoint.addr4))
		return false;
	if (p->endpoint.addr.sa_family == AF_INET6 &&
	    !mnl_attr_put_check(nlh, buflen, WGPEER_A_ENDPOINT, sizeof(p->endpoint.addr6),
				&p->endpoint.addr6))
		return false;
	if ((p->has & WGPEER_HAS_KEEPALIVE) &&
	    !mnl_attr_put_u16_check(nlh, buflen, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
				    p->keepalive))
		return false;
	return true;
}

static bool put_ip(struct nlmsghdr *nlh, size_t buflen, const struct wg_allowedip *ip)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, buflen, 0);

	if (!nest)
		return false;
	if (!mnl_attr_put_u16_check(nlh, buflen, WGALLOWEDIP_A_FAMILY, ip->family) ||
	    !mnl_attr_put_check(nlh, buflen, WGALLOWEDIP_A_IPADDR,
				ip->family == AF_INET6 ? sizeof(ip->ip6) : sizeof(ip->ip4),
				ip->family == AF_INET6 ? (const void *)&ip->ip6 :
				(const void *)&ip->ip4) ||
	    !mnl_attr_put_u8_check(nlh, buflen, WGALLOWEDIP_A_CIDR_MASK, ip->cidr) ||
	    /* Only sent when set: kernels before the flag reject nothing,
	     * and never see an attribute they do not know. */
	    (ip->flags && !mnl_attr_put_u32_check(nlh, buflen, WGALLOWEDIP_A_FLAGS, ip->flags))) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

struct nlmsghdr *nlmsg_build_set(char *buf, size_t buflen, uint16_t family,
				 const struct wg_device *dev, struct nlmsg_set_state *st)
{
	struct nlmsghdr *nlh = nlmsg_genl_header(buf, family, WG_CMD_SET_DEVICE,
						 NLM_F_REQUEST | NLM_F_ACK, WG_GENL_VERSION);
	size_t start_peer = st->peer, start_ip = st->ip;
	bool start_started = st->peer_started;
	struct nlattr *peers;

	if (!mnl_attr_put_strz_check(nlh, buflen, WGDEVICE_A_IFNAME, dev->name))
		return NULL;
	if (!st->first_sent) {
		if ((dev->flags && !mnl_attr_put_u32_check(nlh, buflen, WGDEVICE_A_FLAGS, dev->flags)) ||
		    ((dev->has & WGDEVICE_HAS_PRIVATE_KEY) &&
		     !mnl_attr_put_check(nlh, buflen, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN,
					 dev->private_key)) ||
		    ((dev->has & WGDEVICE_HAS_LISTEN_PORT) &&
		     !mnl_attr_put_u16_check(nlh, buflen, WGDEVICE_A_LISTEN_PORT, dev->listen_port)) ||
		    ((dev->has & WGDEVICE_HAS_FWMARK) &&
		     !mnl_attr_put_u32_check(nlh, buflen, WGDEVICE_A_FWMARK, dev->fwmark)))
			return NULL;
		st->first_sent = true;
	}
	if (st->peer >= dev->num_peers) {
		st->done = true;
		return nlh;
	}
	peers = mnl_attr_nest_start_check(nlh, buflen, WGDEVICE_A_PEERS);
	if (!peers)
		return NULL;
	while (st->peer < dev->num_peers) {
		const struct wg_peer *p = &dev->peers[st->peer];
		struct nlattr *pn = mnl_attr_nest_start_check(nlh, buflen, 0);
		bool full = false;

		if (!pn)
			break;
		if (!mnl_attr_put_check(nlh, buflen, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, p->public_key)) {
			mnl_attr_nest_cancel(nlh, pn);
			break;
		}
		if (!st->peer_started) {
			if (!put_peer_attrs(nlh, buflen, p)) {
				mnl_attr_nest_cancel(nlh, pn);
				break;
			}
			st->peer_started = true;
		}
		if (st->ip < p->num_ips && !(p->flags & WGPEER_F_REMOVE_ME)) {
			struct nlattr *ipn = mnl_attr_nest_start_check(nlh, buflen, WGPEER_A_ALLOWEDIPS);

			if (!ipn) {
				full = true;
			} else {
				for (; st->ip < p->num_ips; st->ip++) {
					if (!put_ip(nlh, buflen, &p->ips[st->ip])) {
						full = true;
						break;
					}
				}
				mnl_attr_nest_end(nlh, ipn);
			}
		}
		mnl_attr_nest_end(nlh, pn);
		if (full)
			break;
		st->peer++;
		st->ip = 0;
		st->peer_started = false;
	}
	mnl_attr_nest_end(nlh, peers);
	/* No progress at all means the buffer can never hold the next piece:
	 * report it rather than loop forever. */
	if (st->peer == start_peer && st->ip == start_ip && st->peer_started == start_started)
		return NULL;
	if (st->peer >= dev->num_peers)
		st->done = true;
	return nlh;
}

static int parse_ip(struct wg_allowedip *ip, const struct nlattr *nest)
{
	const struct nlattr *attr;
	const void *addr = NULL;
	uint16_t addrlen = 0;
	bool have_family = false, have_cidr = false;

	memset(ip, 0, sizeof(*ip));
	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case WGALLOWEDIP_A_FAMILY:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -EBADMSG;
			ip->family = mnl_attr_get_u16(attr);
			have_family = true;
			break;
		case WGALLOWEDIP_A_IPADDR:
			addr = mnl_attr_get_payload(attr);
			addrlen = mnl_attr_get_payload_len(attr);
			break;
		case WGALLOWEDIP_A_CIDR_MASK:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return -EBADMSG;
			ip->cidr = mnl_attr_get_u8(attr);
			have_cidr = true;
			break;
		case WGALLOWEDIP_A_FLAGS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			ip->flags = mnl_attr_get_u32(attr);
			break;
		}
	}
	if (!have_family || !have_cidr || !addr)
		return -EBADMSG;
	if (ip->family == AF_INET && addrlen == sizeof(ip->ip4) && ip->cidr <= 32)
		memcpy(&ip->ip4, addr, sizeof(ip->ip4));
	else if (ip->family == AF_INET6 && addrlen == sizeof(ip->ip6) && ip->cidr <= 128)
		memcpy(&ip->ip6, addr, sizeof(ip->ip6));
	else
		return -EBADMSG;
	return 0;
}

int nlmsg_parse_peer(struct wg_peer *p, const struct nlattr *nest)
{
	const struct nlattr *attr, *ipn;
	int err;

	mnl_attr_for_each_nested(attr, nest) {
		uint16_t len = mnl_attr_get_payload_len(attr);

		switch (mnl_attr_get_type(attr)) {
		case WGPEER_A_PUBLIC_KEY:
			if (len != WG_KEY_LEN)
				return -EBADMSG;
			memcpy(p->public_key, mnl_attr_get_payload(attr), WG_KEY_LEN);
			p->has |= WGPEER_HAS_PUBLIC_KEY;
			break;
		case WGPEER_A_PRESHARED_KEY:
			if (len != WG_KEY_LEN)
				return -EBADMSG;
			memcpy(p->preshared_key, mnl_attr_get_payload(attr), WG_KEY_LEN);
			if (!key_is_zero(p->preshared_key))
				p->has |= WGPEER_HAS_PRESHARED_KEY;
			break;
		case WGPEER_A_FLAGS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			p->flags = mnl_attr_get_u32(attr);
			break;
		case WGPEER_A_ENDPOINT:
			if (len == sizeof(struct sockaddr_in) || len == sizeof(struct sockaddr_in6)) {
				const struct sockaddr *sa = mnl_attr_get_payload(attr);

				if ((sa->sa_family == AF_INET && len == sizeof(struct sockaddr_in)) ||
				    (sa->sa_family == AF_INET6 && len == sizeof(struct sockaddr_in6)))
					memcpy(&p->endpoint, sa, len);
			}
			break;
		case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -EBADMSG;
			p->keepalive = mnl_attr_get_u16(attr);
			p->has |= WGPEER_HAS_KEEPALIVE;
			break;
		case WGPEER_A_LAST_HANDSHAKE_TIME: {
			struct __kernel_timespec ts;

			if (len != sizeof(ts))
				return -EBADMSG;
			memcpy(&ts, mnl_attr_get_payload(attr), sizeof(ts));
			p->last_handshake_sec = ts.tv_sec;
			p->last_handshake_nsec = ts.tv_nsec;
			break;
		}
		case WGPEER_A_RX_BYTES:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				return -EBADMSG;
			p->rx_bytes = mnl_attr_get_u64(attr);
			break;
		case WGPEER_A_TX_BYTES:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				return -EBADMSG;
			p->tx_bytes = mnl_attr_get_u64(attr);
			break;
		case WGPEER_A_NAME: {
			const char *name = mnl_attr_get_payload(attr);

			/* One string, exactly the attribute's length; a name the
			 * module would refuse is not one it can have sent. */
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
			    strlen(name) != (size_t)len - 1 || peer_name_problem(name, (size_t)len - 1))
				return -EBADMSG;
			memcpy(p->name, name, len);
			if (p->name[0])
				p->has |= WGPEER_HAS_NAME;
			break;
		}
		case WGPEER_A_ALLOWEDIPS:
			mnl_attr_for_each_nested(ipn, attr) {
				struct wg_allowedip ip, *slot;

				err = parse_ip(&ip, ipn);
				if (err)
					return err;
				slot = peer_add_ip(p);
				if (!slot)
					return -ENOMEM;
				*slot = ip;
			}
			break;
		}
	}
	if (!(p->has & WGPEER_HAS_PUBLIC_KEY))
		return -EBADMSG;
	return 0;
}

/* Appends a continuation's allowed IPs to the peer it continues. */
static int merge_peer(struct wg_peer *into, struct wg_peer *from)
{
	if (into->num_ips + from->num_ips > into->cap_ips) {
		size_t cap = into->cap_ips ? into->cap_ips : 8;
		void *n;

		while (cap < into->num_ips + from->num_ips)
			cap *= 2;
		n = realloc(into->ips, cap * sizeof(*into->ips));
		if (!n)
			return -ENOMEM;
		into->ips = n;
		into->cap_ips = cap;
	}
	if (from->num_ips)
		memcpy(into->ips + into->num_ips, from->ips, from->num_ips * sizeof(*from->ips));
	into->num_ips += from->num_ips;
	return 0;
}

/* The public key a peer nest carries, if it is well formed. */
static const uint8_t *peer_nest_key(const struct nlattr *nest)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest)
		if (mnl_attr_get_type(attr) == WGPEER_A_PUBLIC_KEY)
			return mnl_attr_get_payload_len(attr) == WG_KEY_LEN ?
			       mnl_attr_get_payload(attr) : NULL;
	return NULL;
}

/*
 * One peer of a dump: a new peer is parsed in place, at the end of the
 * device's array (a dump of 10,000 peers spent most of its parsing time
 * zeroing and copying a temporary for each); a peer whose key is the last
 * one's continues it, in a later message, and only adds allowed IPs. On
 * error the device holds a partial peer: the caller frees the device.
 */
static int parse_dumped_peer(struct wg_device *dev, const struct nlattr *nest)
{
	struct wg_peer *last = dev->num_peers ? &dev->peers[dev->num_peers - 1] : NULL;
	const uint8_t *key = peer_nest_key(nest);
	struct wg_peer tmp = { 0 }, *slot;
	int err;

	if (key && last && !memcmp(last->public_key, key, WG_KEY_LEN)) {
		err = nlmsg_parse_peer(&tmp, nest);
		if (!err)
			err = merge_peer(last, &tmp);
		peer_clear(&tmp);
		return err;
	}
	slot = device_add_peer(dev);
	if (!slot)
		return -ENOMEM;
	return nlmsg_parse_peer(slot, nest);
}

int nlmsg_parse_device(struct wg_device *dev, const struct nlmsghdr *nlh)
{
	const struct nlattr *attr, *pn;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		uint16_t len = mnl_attr_get_payload_len(attr);

		switch (mnl_attr_get_type(attr)) {
		case WGDEVICE_A_IFINDEX:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			dev->ifindex = mnl_attr_get_u32(attr);
			break;
		case WGDEVICE_A_IFNAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 || len > IFNAMSIZ)
				return -EBADMSG;
			memcpy(dev->name, mnl_attr_get_str(attr), len);
			break;
		case WGDEVICE_A_PRIVATE_KEY:
			if (len != WG_KEY_LEN)
				return -EBADMSG;
			memcpy(dev->private_key, mnl_attr_get_payload(attr), WG_KEY_LEN);
			if (!key_is_zero(dev->private_key))
				dev->has |= WGDEVICE_HAS_PRIVATE_KEY;
			break;
		case WGDEVICE_A_PUBLIC_KEY:
			if (len != WG_KEY_LEN)
				return -EBADMSG;
			memcpy(dev->public_key, mnl_attr_get_payload(attr), WG_KEY_LEN);
			if (!key_is_zero(dev->public_key))
				dev->has |= WGDEVICE_HAS_PUBLIC_KEY;
			break;
		case WGDEVICE_A_FLAGS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			dev->flags = mnl_attr_get_u32(attr);
			break;
		case WGDEVICE_A_LISTEN_PORT:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -EBADMSG;
			dev->listen_port = mnl_attr_get_u16(attr);
			dev->has |= WGDEVICE_HAS_LISTEN_PORT;
			break;
		case WGDEVICE_A_FWMARK:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			dev->fwmark = mnl_attr_get_u32(attr);
			dev->has |= WGDEVICE_HAS_FWMARK;
			break;
		case WGDEVICE_A_PEERS:
			mnl_attr_for_each_nested(pn, attr) {
				err = parse_dumped_peer(dev, pn);
				if (err)
					return err;
			}
			break;
		}
	}
	return 0;
}

int nlmsg_parse_family(const struct nlmsghdr *nlh, const char *group, struct nlmsg_family *f)
{
	const struct nlattr *attr, *grp, *a;

	memset(f, 0, sizeof(*f));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -EBADMSG;
			f->id = mnl_attr_get_u16(attr);
			break;
		case CTRL_ATTR_FAMILY_NAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
			    mnl_attr_get_payload_len(attr) > sizeof(f->name))
				return -EBADMSG;
			strcpy(f->name, mnl_attr_get_str(attr));
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(grp, attr) {
				const char *name = NULL;
				uint32_t id = 0;

				mnl_attr_for_each_nested(a, grp) {
					if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
					    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
						name = mnl_attr_get_str(a);
					else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
						 mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
						id = mnl_attr_get_u32(a);
				}
				if (group && name && id && !strcmp(name, group))
					f->group = id;
			}
			break;
		}
	}
	return f->id ? 0 : -EBADMSG;
}

void nlmsg_parse_policies(struct nlmsg_policies *ctx, const struct nlmsghdr *nlh)
{
	const struct nlattr *attr, *pidx, *aidx, *prop;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != CTRL_ATTR_POLICY)
			continue;
		mnl_attr_for_each_nested(pidx, attr) {
			unsigned int p = mnl_attr_get_type(pidx);

			if (p >= 64)
				continue;
			mnl_attr_for_each_nested(aidx, pidx) {
				unsigned int a = mnl_attr_get_type(aidx);

				if (a == WGPEER_A_NAME)
					ctx->pol[p].has_name = true;
				if (a >= 32)
					continue;
				ctx->pol[p].present |= 1U << a;
				mnl_attr_for_each_nested(prop, aidx) {
					if (mnl_attr_get_type(prop) != NL_POLICY_TYPE_ATTR_TYPE ||
					    mnl_attr_validate(prop, MNL_TYPE_U32) < 0)
						continue;
					if (a == 1)
						ctx->pol[p].type1 = mnl_attr_get_u32(prop);
					else if (a == 3)
						ctx->pol[p].type3 = mnl_attr_get_u32(prop);
				}
			}
		}
	}
}

bool nlmsg_policies_allowedip_removal(const struct nlmsg_policies *ctx)
{
	/* The allowed-IP policy is the one whose attribute 1 is a u16
	 * (family) and attribute 3 a u8 (CIDR); it lists attribute 4
	 * (flags) only where WGALLOWEDIP_F_REMOVE_ME is understood. */
	for (unsigned int p = 0; p < 64; p++)
		if (ctx->pol[p].type1 == NL_ATTR_TYPE_U16 && ctx->pol[p].type3 == NL_ATTR_TYPE_U8 &&
		    (ctx->pol[p].present & (1U << WGALLOWEDIP_A_FLAGS)))
			return true;
	return false;
}

bool nlmsg_policies_peer_names(const struct nlmsg_policies *ctx)
{
	/* The peer policy is the one whose attribute 1 (the public key) is
	 * binary; it lists WGPEER_A_NAME, of whatever type (kwg's says
	 * binary and checks the string itself), where names are stored. */
	for (unsigned int p = 0; p < 64; p++)
		if (ctx->pol[p].type1 == NL_ATTR_TYPE_BINARY && ctx->pol[p].has_name)
			return true;
	return false;
}
