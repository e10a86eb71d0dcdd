// SPDX-License-Identifier: GPL-2.0
/* wg set, and the one place where a description is applied to a device. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ipc.h"
#include "subcommands.h"

void report_ipc_error(const char *verb, const char *ifname, int err)
{
	const char *detail = ipc_last_detail();

	if (detail)
		fprintf(stderr, "Unable to %s interface %s: %s (%s)\n", verb, ifname,
			ipc_strerror(err), detail);
	else
		fprintf(stderr, "Unable to %s interface %s: %s\n", verb, ifname, ipc_strerror(err));
}

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

static bool needs_removal(const struct wg_peer *p)
{
	for (size_t i = 0; i < p->num_ips; i++)
		if (p->ips[i].flags & WGALLOWEDIP_F_REMOVE_ME)
			return true;
	return false;
}

int apply_device(struct wg_device *dev, const char *verb)
{
	struct wg_device *current = NULL;
	bool any = false;
	int err;

	for (size_t i = 0; i < dev->num_peers; i++)
		any |= needs_removal(&dev->peers[i]);
	if (any && !ipc_supports_allowedip_removal(dev->name)) {
		/* Without WGALLOWEDIP_F_REMOVE_ME the flag would be ignored
		 * and the entry added: replace the peer's list instead. */
		err = ipc_get_device(&current, dev->name);
		if (err) {
			report_ipc_error(verb, dev->name, err);
			return 1;
		}
		for (size_t i = 0; i < dev->num_peers; i++) {
			struct wg_peer *p = &dev->peers[i];

			if (!needs_removal(p) || (p->flags & WGPEER_F_REMOVE_ME))
				continue;
			err = peer_edit_to_replacement(p, device_find_peer(current, p->public_key));
			if (err) {
				device_free(current);
				report_ipc_error(verb, dev->name, err);
				return 1;
			}
		}
		device_free(current);
	}
	err = ipc_set_device(dev);
	if (err) {
		report_ipc_error(verb, dev->name, err);
		return 1;
	}
	return 0;
}

int cmd_set(int argc, char **argv)
{
	struct wg_device *dev;
	int ret;

	if (argc < 3) {
		fprintf(stderr, "Usage: %s %s <interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] [peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] [allowed-ips [+|-]<ip1>/<cidr1>[,[+|-]<ip2>/<cidr2>]...] ]...\n", prog, argv[0]);
		return 1;
	}
	if (strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, "Interface name is too long: `%s'\n", argv[1]);
		return 1;
	}
	dev = config_parse_args(argc - 2, argv + 2);
	if (!dev)
		return 1;
	strcpy(dev->name, argv[1]);
	ret = apply_device(dev, "modify");
	device_free(dev);
	return ret;
}
