// SPDX-License-Identifier: GPL-2.0
/*
 * wg syncconf: make the device match a file while touching only what
 * differs, so that the sessions of unchanged peers survive a reload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ipc.h"
#include "subcommands.h"

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

int cmd_syncconf(int argc, char **argv)
{
	struct wg_device *want, *current = NULL;
	int ret, err;

	if (argc != 3) {
		fprintf(stderr, "Usage: %s %s <interface> <configuration filename>\n", prog, argv[0]);
		return 1;
	}
	if (strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, "Interface name is too long: `%s'\n", argv[1]);
		return 1;
	}
	want = config_parse_file(argv[2]);
	if (!want)
		return 1;
	strcpy(want->name, argv[1]);
	err = ipc_get_device(&current, argv[1]);
	if (err) {
		report_ipc_error("access", argv[1], err);
		device_free(want);
		return 1;
	}
	if (sync_diff(want, current)) {
		fprintf(stderr, "Out of memory\n");
		ret = 1;
	} else {
		ret = apply_device(want, "modify");
	}
	device_free(current);
	device_free(want);
	return ret;
}
