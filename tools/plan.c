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

/* An allowed IP as the kernel keys it, for sorting and comparing sets. */
struct ip_key {
	uint8_t family, cidr;
	uint8_t addr[16];
};

static int ip_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct ip_key));
}

static void ip_key_of(const struct wg_allowedip *ip, struct ip_key *key)
{
	key->family = (uint8_t)ip->family;	/* AF_INET or AF_INET6 */
	key->cidr = ip->cidr;
	masked(ip, key->addr);
}

bool allowedip_same(const struct wg_allowedip *a, const struct wg_allowedip *b)
{
	struct ip_key x, y;

	ip_key_of(a, &x);
	ip_key_of(b, &y);
	return !ip_key_cmp(&x, &y);
}

/*
 * One step of peer_edit_to_replacement(): an entry of the current list or
 * an edit, in the order the kernel would apply them (seq).
 */
struct ip_step {
	struct ip_key key;
	size_t seq;
	bool add;
	const struct wg_allowedip *ip;
};

static int ip_step_seq_cmp(const void *a, const void *b)
{
	const struct ip_step *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int ip_step_cmp(const void *a, const void *b)
{
	const struct ip_step *x = a, *y = b;

	int c = ip_key_cmp(&x->key, &y->key);

	return c ? c : ip_step_seq_cmp(a, b);
}

/*
 * Rewrites peer's edit list (entries to add, entries flagged REMOVE_ME) into
 * a complete replacement list built on current (NULL: the peer is new).
 * Never lets a removal turn into an addition. The result is what applying
 * the current list and then the edits one by one would leave, an entry in
 * the place of its last addition; sorted by entry, so that a peer with
 * many entries costs n log n rather than n squared.
 */
int peer_edit_to_replacement(struct wg_peer *peer, const struct wg_peer *current)
{
	bool replace = peer->flags & WGPEER_F_REPLACE_ALLOWEDIPS;
	size_t ncur = !replace && current ? current->num_ips : 0;
	size_t n = ncur + peer->num_ips, kept = 0;
	struct wg_peer result = { 0 };
	struct ip_step *steps = malloc((n ? n : 1) * sizeof(*steps));

	if (!steps)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct wg_allowedip *ip = i < ncur ? &current->ips[i] : &peer->ips[i - ncur];

		ip_key_of(ip, &steps[i].key);
		steps[i].seq = i;
		steps[i].add = !(ip->flags & WGALLOWEDIP_F_REMOVE_ME);
		steps[i].ip = ip;
	}
	qsort(steps, n, sizeof(*steps), ip_step_cmp);
	/*
	 * Per entry, the steps in order: it is there at the end if its last
	 * step adds it, from the first addition since its last removal
	 * (adding an entry already there leaves it where it is).
	 */
	for (size_t i = 0, first = 0; i < n; i++) {
		if (i && (ip_key_cmp(&steps[i].key, &steps[i - 1].key) || !steps[i - 1].add))
			first = i;
		if (i + 1 < n && !ip_key_cmp(&steps[i].key, &steps[i + 1].key))
			continue;
		if (steps[i].add)
			steps[kept++] = steps[first];
	}
	qsort(steps, kept, sizeof(*steps), ip_step_seq_cmp);
	for (size_t i = 0; i < kept; i++) {
		struct wg_allowedip *slot = peer_add_ip(&result);

		if (!slot) {
			free(result.ips);
			free(steps);
			return -ENOMEM;
		}
		*slot = *steps[i].ip;
		slot->flags = 0;
	}
	free(steps);
	free(peer->ips);
	peer->ips = result.ips;
	peer->num_ips = result.num_ips;
	peer->cap_ips = result.cap_ips;
	peer->flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
	return 0;
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

/* The peer's allowed IPs as a sorted set; NULL only when out of memory. */
static struct ip_key *ip_set(const struct wg_peer *p, size_t *n)
{
	struct ip_key *keys = malloc((p->num_ips ? p->num_ips : 1) * sizeof(*keys));
	size_t o = 0;

	if (!keys)
		return NULL;
	for (size_t i = 0; i < p->num_ips; i++)
		ip_key_of(&p->ips[i], &keys[i]);
	qsort(keys, p->num_ips, sizeof(*keys), ip_key_cmp);
	for (size_t i = 0; i < p->num_ips; i++)
		if (!o || ip_key_cmp(&keys[o - 1], &keys[i]))
			keys[o++] = keys[i];
	*n = o;
	return keys;
}

/*
 * Sets, not sequences: the kernel returns its own order, and a file may
 * name an entry twice. Sorted, so that peers with many entries cost
 * n log n rather than n squared. Out of memory, they count as different:
 * the replacement is then sent, which is correct, only not minimal.
 */
static bool same_ips(const struct wg_peer *a, const struct wg_peer *b)
{
	struct ip_key *x, *y;
	size_t nx, ny;
	bool same;

	x = ip_set(a, &nx);
	y = ip_set(b, &ny);
	same = x && y && nx == ny && !memcmp(x, y, nx * sizeof(*x));
	free(x);
	free(y);
	return same;
}

static int peer_key_cmp(const void *a, const void *b)
{
	const struct wg_peer *const *x = a, *const *y = b;

	return memcmp((*x)->public_key, (*y)->public_key, WG_KEY_LEN);
}

/*
 * The device's keyed peers sorted by public key, for peer_lookup(): ten
 * thousand linear searches of ten thousand peers each took seconds.
 */
static struct wg_peer **peers_by_key(const struct wg_device *dev, size_t *n)
{
	struct wg_peer **index = malloc((dev->num_peers ? dev->num_peers : 1) * sizeof(*index));

	if (!index)
		return NULL;
	*n = 0;
	for (size_t i = 0; i < dev->num_peers; i++)
		if (dev->peers[i].has & WGPEER_HAS_PUBLIC_KEY)
			index[(*n)++] = &dev->peers[i];
	qsort(index, *n, sizeof(*index), peer_key_cmp);
	return index;
}

static int key_vs_peer(const void *key, const void *peer)
{
	return memcmp(key, (*(struct wg_peer *const *)peer)->public_key, WG_KEY_LEN);
}

static struct wg_peer *peer_lookup(struct wg_peer **index, size_t n, const uint8_t key[WG_KEY_LEN])
{
	struct wg_peer **found = bsearch(key, index, n, sizeof(*index), key_vs_peer);

	return found ? *found : NULL;
}

/*
 * The kernel keeps (and dumps) a private key clamped, so a file's key that
 * differs only in the bits clamping sets is the same key: sending it again
 * would count as a new key on the device, which then drops every peer's
 * session.
 */
static bool same_private_key(const uint8_t file[WG_KEY_LEN], const uint8_t device[WG_KEY_LEN])
{
	uint8_t a[WG_KEY_LEN], b[WG_KEY_LEN];
	bool same;

	memcpy(a, file, WG_KEY_LEN);
	memcpy(b, device, WG_KEY_LEN);
	key_clamp(a);
	key_clamp(b);
	same = key_equal(a, b);
	secure_zero(a, sizeof(a));
	secure_zero(b, sizeof(b));
	return same;
}

/* Turns the file's description into the smallest change to current. */
int sync_diff(struct wg_device *want, const struct wg_device *current)
{
	uint8_t (*gone)[WG_KEY_LEN] = NULL;
	struct wg_peer **want_index, **current_index = NULL;
	size_t ngone = 0, o = 0, nwant, ncurrent;
	int ret = -1;

	want_index = peers_by_key(want, &nwant);
	if (!want_index)
		return -1;
	/* Peers the file no longer names, found before want is trimmed. */
	if (current->num_peers) {
		gone = malloc(current->num_peers * sizeof(*gone));
		if (!gone)
			goto out;
	}
	for (size_t i = 0; i < current->num_peers; i++)
		if (!peer_lookup(want_index, nwant, current->peers[i].public_key))
			memcpy(gone[ngone++], current->peers[i].public_key, WG_KEY_LEN);
	current_index = peers_by_key(current, &ncurrent);
	if (!current_index)
		goto out;

	if ((current->has & WGDEVICE_HAS_PRIVATE_KEY) == (want->has & WGDEVICE_HAS_PRIVATE_KEY) &&
	    (!(want->has & WGDEVICE_HAS_PRIVATE_KEY) ||
	     same_private_key(want->private_key, current->private_key)))
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
		const struct wg_peer *c = peer_lookup(current_index, ncurrent, p->public_key);
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

		if (!p)
			goto out;
		memcpy(p->public_key, gone[i], WG_KEY_LEN);
		p->has = WGPEER_HAS_PUBLIC_KEY;
		p->flags = WGPEER_F_REMOVE_ME;
	}
	ret = 0;
out:
	free(current_index);
	free(want_index);
	free(gone);
	return ret;
}

