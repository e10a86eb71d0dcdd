// SPDX-License-Identifier: GPL-2.0
/*
 * Planning changes without touching a device: the '-' allowed-ips fallback
 * of `wg set' and the minimal difference of `wg syncconf'.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "subcommands.h"

/* Allowed IPs are compared as the kernel stores them: host bits cleared. */
static void masked(const struct wg_allowedip *ip, uint8_t out[16])
{
	unsigned int len = ip->family == AF_INET6 ? 16 : 4;

	memset(out, 0, 16);
	memcpy(out, ip->family == AF_INET6 ? (const void *)&ip->ip6 : (const void *)&ip->ip4, len);
	for (unsigned int bit = ip->cidr; bit < len * 8; bit++)
		out[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
}

bool allowedip_same(const struct wg_allowedip *a, const struct wg_allowedip *b)
{
	uint8_t x[16], y[16];

	if (a->family != b->family || a->cidr != b->cidr)
		return false;
	masked(a, x);
	masked(b, y);
	return !memcmp(x, y, sizeof(x));
}

static bool list_has(const struct wg_allowedip *ips, size_t n, const struct wg_allowedip *ip)
{
	for (size_t i = 0; i < n; i++)
		if (allowedip_same(&ips[i], ip))
			return true;
	return false;
}

/*
 * Rewrites peer's edit list (entries to add, entries flagged REMOVE_ME) into
 * a complete replacement list built on current (NULL: the peer is new).
 * Never lets a removal turn into an addition.
 */
int peer_edit_to_replacement(struct wg_peer *peer, const struct wg_peer *current)
{
	struct wg_allowedip *edits = peer->ips;
	size_t nedits = peer->num_ips;
	struct wg_peer result = { 0 };
	bool replace = peer->flags & WGPEER_F_REPLACE_ALLOWEDIPS;

	if (!replace && current) {
		for (size_t i = 0; i < current->num_ips; i++) {
			struct wg_allowedip *slot;

			if (list_has(result.ips, result.num_ips, &current->ips[i]))
				continue;
			slot = peer_add_ip(&result);
			if (!slot)
				goto nomem;
			*slot = current->ips[i];
			slot->flags = 0;
		}
	}
	/* Apply the edits in order, as the kernel would. */
	for (size_t i = 0; i < nedits; i++) {
		if (edits[i].flags & WGALLOWEDIP_F_REMOVE_ME) {
			size_t o = 0;

			for (size_t j = 0; j < result.num_ips; j++)
				if (!allowedip_same(&result.ips[j], &edits[i]))
					result.ips[o++] = result.ips[j];
			result.num_ips = o;
		} else if (!list_has(result.ips, result.num_ips, &edits[i])) {
			struct wg_allowedip *slot = peer_add_ip(&result);

			if (!slot)
				goto nomem;
			*slot = edits[i];
		}
	}
	free(peer->ips);
	peer->ips = result.ips;
	peer->num_ips = result.num_ips;
	peer->cap_ips = result.cap_ips;
	peer->flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
	return 0;
nomem:
	free(result.ips);
	return -ENOMEM;
}

static bool same_endpoint(const union wg_endpoint *a, const union wg_endpoint *b)
{
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	if (a->addr.sa_family == AF_INET)
		return a->addr4.sin_port == b->addr4.sin_port &&
		       a->addr4.sin_addr.s_addr == b->addr4.sin_addr.s_addr;
	if (a->addr.sa_family == AF_INET6)
		return a->addr6.sin6_port == b->addr6.sin6_port &&
		       !memcmp(&a->addr6.sin6_addr, &b->addr6.sin6_addr, 16) &&
		       a->addr6.sin6_scope_id == b->addr6.sin6_scope_id;
	return true;
}

static bool same_ips(const struct wg_peer *a, const struct wg_peer *b)
{
	/* Sets, not sequences: the kernel returns its own order. */
	for (size_t i = 0; i < a->num_ips; i++) {
		bool found = false;

		for (size_t j = 0; j < b->num_ips && !found; j++)
			found = allowedip_same(&a->ips[i], &b->ips[j]);
		if (!found)
			return false;
	}
	for (size_t i = 0; i < b->num_ips; i++) {
		bool found = false;

		for (size_t j = 0; j < a->num_ips && !found; j++)
			found = allowedip_same(&b->ips[i], &a->ips[j]);
		if (!found)
			return false;
	}
	return true;
}

/* Turns the file's description into the smallest change to current. */
int sync_diff(struct wg_device *want, const struct wg_device *current)
{
	uint8_t (*gone)[WG_KEY_LEN] = NULL;
	size_t ngone = 0, o = 0;

	/* Peers the file no longer names, found before want is trimmed. */
	if (current->num_peers) {
		gone = malloc(current->num_peers * sizeof(*gone));
		if (!gone)
			return -1;
	}
	for (size_t i = 0; i < current->num_peers; i++)
		if (!device_find_peer(want, current->peers[i].public_key))
			memcpy(gone[ngone++], current->peers[i].public_key, WG_KEY_LEN);

	if ((current->has & WGDEVICE_HAS_PRIVATE_KEY) == (want->has & WGDEVICE_HAS_PRIVATE_KEY) &&
	    (!(want->has & WGDEVICE_HAS_PRIVATE_KEY) ||
	     key_equal(want->private_key, current->private_key)))
		want->has &= ~WGDEVICE_HAS_PRIVATE_KEY;
	else
		want->has |= WGDEVICE_HAS_PRIVATE_KEY;	/* absent: all zeros, removes it */
	/* No ListenPort in the file accepts whatever port the device has. */
	if ((want->has & WGDEVICE_HAS_LISTEN_PORT) && want->listen_port == current->listen_port)
		want->has &= ~WGDEVICE_HAS_LISTEN_PORT;
	if (want->fwmark == current->fwmark)
		want->has &= ~WGDEVICE_HAS_FWMARK;
	else
		want->has |= WGDEVICE_HAS_FWMARK;
	want->flags &= ~WGDEVICE_F_REPLACE_PEERS;

	for (size_t i = 0; i < want->num_peers; i++) {
		struct wg_peer *p = &want->peers[i];
		const struct wg_peer *c = device_find_peer((struct wg_device *)current, p->public_key);
		bool changed = false;

		if (!c) {
			want->peers[o++] = *p;
			continue;
		}
		if (!key_equal(p->preshared_key, c->preshared_key)) {
			p->has |= WGPEER_HAS_PRESHARED_KEY;	/* zeros clear it */
			changed = true;
		} else {
			p->has &= ~WGPEER_HAS_PRESHARED_KEY;
		}
		if (p->keepalive != c->keepalive) {
			p->has |= WGPEER_HAS_KEEPALIVE;
			changed = true;
		} else {
			p->has &= ~WGPEER_HAS_KEEPALIVE;
		}
		if (p->endpoint.addr.sa_family && !same_endpoint(&p->endpoint, &c->endpoint))
			changed = true;
		else
			memset(&p->endpoint, 0, sizeof(p->endpoint));
		/* The file's name wins; a name it no longer has is removed.
		 * Unnamed peers have empty names on both sides. */
		if (strcmp(p->name, c->name)) {
			p->has |= WGPEER_HAS_NAME;	/* empty: removes it */
			changed = true;
		} else {
			p->has &= ~WGPEER_HAS_NAME;
		}
		if (!same_ips(p, c)) {
			p->flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
			changed = true;
		} else {
			p->flags &= ~WGPEER_F_REPLACE_ALLOWEDIPS;
			p->num_ips = 0;
		}
		if (changed) {
			struct wg_peer keep = *p;

			want->peers[o++] = keep;
		} else {
			peer_clear(p);
		}
	}
	want->num_peers = o;

	for (size_t i = 0; i < ngone; i++) {
		struct wg_peer *p = device_add_peer(want);

		if (!p) {
			free(gone);
			return -1;
		}
		memcpy(p->public_key, gone[i], WG_KEY_LEN);
		p->has = WGPEER_HAS_PUBLIC_KEY;
		p->flags = WGPEER_F_REMOVE_ME;
	}
	free(gone);
	return 0;
}

