// SPDX-License-Identifier: GPL-2.0
/* The key=value lines of the userspace protocol (docs/protocol.md §7). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "encoding.h"
#include "format.h"
#include "uapi-parse.h"

static bool parse_u64(uint64_t *out, const char *s)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

static bool parse_s64(int64_t *out, const char *s)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end;
}

static int parse_line(struct wg_device *dev, struct wg_peer **peer, char *key, char *value)
{
	struct wg_peer *p = *peer;
	uint64_t u;

	if (!strcmp(key, "private_key")) {
		if (!key_from_hex(dev->private_key, value))
			return -EPROTO;
		if (!key_is_zero(dev->private_key))
			dev->has |= WGDEVICE_HAS_PRIVATE_KEY;
	} else if (!strcmp(key, "listen_port")) {
		if (!parse_u64(&u, value) || u > 65535)
			return -EPROTO;
		dev->listen_port = (uint16_t)u;
		dev->has |= WGDEVICE_HAS_LISTEN_PORT;
	} else if (!strcmp(key, "fwmark")) {
		if (!parse_u64(&u, value) || u > 0xffffffffULL)
			return -EPROTO;
		dev->fwmark = (uint32_t)u;
		dev->has |= WGDEVICE_HAS_FWMARK;
	} else if (!strcmp(key, "public_key")) {
		p = device_add_peer(dev);
		if (!p)
			return -ENOMEM;
		if (!key_from_hex(p->public_key, value))
			return -EPROTO;
		p->has |= WGPEER_HAS_PUBLIC_KEY;
		*peer = p;
	} else if (!p) {
		/* Device-level keys this tool does not know are ignored, so
		 * that newer daemons keep working. */
		return 0;
	} else if (!strcmp(key, "preshared_key")) {
		if (!key_from_hex(p->preshared_key, value))
			return -EPROTO;
		if (!key_is_zero(p->preshared_key))
			p->has |= WGPEER_HAS_PRESHARED_KEY;
	} else if (!strcmp(key, "endpoint")) {
		bool resolve = config_resolve_names;

		/* Only literal addresses are valid here. */
		config_resolve_names = false;
		if (parse_endpoint(&p->endpoint, value))
			memset(&p->endpoint, 0, sizeof(p->endpoint));
		config_resolve_names = resolve;
	} else if (!strcmp(key, "last_handshake_time_sec")) {
		if (!parse_s64(&p->last_handshake_sec, value))
			return -EPROTO;
	} else if (!strcmp(key, "last_handshake_time_nsec")) {
		if (!parse_s64(&p->last_handshake_nsec, value))
			return -EPROTO;
	} else if (!strcmp(key, "tx_bytes")) {
		if (!parse_u64(&p->tx_bytes, value))
			return -EPROTO;
	} else if (!strcmp(key, "rx_bytes")) {
		if (!parse_u64(&p->rx_bytes, value))
			return -EPROTO;
	} else if (!strcmp(key, "persistent_keepalive_interval")) {
		if (!parse_u64(&u, value) || u > 65535)
			return -EPROTO;
		p->keepalive = (uint16_t)u;
		p->has |= WGPEER_HAS_KEEPALIVE;
	} else if (!strcmp(key, "allowed_ip")) {
		struct wg_allowedip ip, *slot;

		if (!parse_allowedip(&ip, value) || !strchr(value, '/'))
			return -EPROTO;
		slot = peer_add_ip(p);
		if (!slot)
			return -ENOMEM;
		*slot = ip;
	}
	return 0;
}

int uapi_parse_get(struct wg_device **out, const char *text, const char *ifname)
{
	struct wg_device *dev = device_new();
	struct wg_peer *peer = NULL;
	char *copy = strdup(text), *line, *save = NULL;
	size_t copylen = strlen(text);
	int ret = -EPROTO;

	if (!dev || !copy) {
		ret = -ENOMEM;
		goto out;
	}
	snprintf(dev->name, sizeof(dev->name), "%s", ifname);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		int64_t e;

		if (!eq) {
			ret = -EPROTO;
			goto out;
		}
		*eq = '\0';
		if (!strcmp(line, "errno")) {
			/* Daemons differ in the sign of errno=. */
			if (!parse_s64(&e, eq + 1) || e < -4095 || e > 4095)
				ret = -EPROTO;
			else
				ret = e < 0 ? (int)e : (int)-e;
			goto out;
		}
		ret = parse_line(dev, &peer, line, eq + 1);
		if (ret)
			goto out;
		ret = -EPROTO;
	}
out:
	if (copy) {
		secure_zero(copy, copylen);
		free(copy);
	}
	if (ret) {
		device_free(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

void uapi_format_set(FILE *f, const struct wg_device *dev)
{
	char hex[WG_KEY_HEX_LEN + 1];

	fputs("set=1\n", f);
	if (dev->has & WGDEVICE_HAS_PRIVATE_KEY) {
		key_to_hex(hex, dev->private_key);
		fprintf(f, "private_key=%s\n", hex);
	}
	if (dev->has & WGDEVICE_HAS_LISTEN_PORT)
		fprintf(f, "listen_port=%u\n", dev->listen_port);
	if (dev->has & WGDEVICE_HAS_FWMARK)
		fprintf(f, "fwmark=%" PRIu32 "\n", dev->fwmark);
	if (dev->flags & WGDEVICE_F_REPLACE_PEERS)
		fputs("replace_peers=true\n", f);
	for (size_t i = 0; i < dev->num_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];

		key_to_hex(hex, p->public_key);
		fprintf(f, "public_key=%s\n", hex);
		if (p->flags & WGPEER_F_REMOVE_ME) {
			fputs("remove=true\n", f);
			continue;
		}
		if (p->flags & WGPEER_F_UPDATE_ONLY)
			fputs("update_only=true\n", f);
		if (p->has & WGPEER_HAS_PRESHARED_KEY) {
			key_to_hex(hex, p->preshared_key);
			fprintf(f, "preshared_key=%s\n", hex);
		}
		if (p->endpoint.addr.sa_family) {
			char ep[ENDPOINT_STRLEN];

			format_endpoint(ep, sizeof(ep), &p->endpoint);
			fprintf(f, "endpoint=%s\n", ep);
		}
		if (p->has & WGPEER_HAS_KEEPALIVE)
			fprintf(f, "persistent_keepalive_interval=%u\n", p->keepalive);
		if (p->flags & WGPEER_F_REPLACE_ALLOWEDIPS)
			fputs("replace_allowed_ips=true\n", f);
		for (size_t j = 0; j < p->num_ips; j++) {
			char ip[ALLOWEDIP_STRLEN];

			format_allowedip(ip, sizeof(ip), &p->ips[j]);
			fprintf(f, "allowed_ip=%s\n", ip);
		}
	}
	fputc('\n', f);
	secure_zero(hex, sizeof(hex));
}
