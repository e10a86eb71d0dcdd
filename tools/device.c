// SPDX-License-Identifier: GPL-2.0
/* Allocation and lifetime of the shared device description. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "device.h"

void secure_zero(void *p, size_t len)
{
	explicit_bzero(p, len);
}

bool key_is_zero(const uint8_t key[WG_KEY_LEN])
{
	uint8_t acc = 0;

	for (size_t i = 0; i < WG_KEY_LEN; i++)
		acc |= key[i];
	return acc == 0;
}

bool key_equal(const uint8_t a[WG_KEY_LEN], const uint8_t b[WG_KEY_LEN])
{
	uint8_t acc = 0;

	for (size_t i = 0; i < WG_KEY_LEN; i++)
		acc |= a[i] ^ b[i];
	return acc == 0;
}

void key_clamp(uint8_t key[WG_KEY_LEN])
{
	key[0] &= 248;
	key[31] &= 127;
	key[31] |= 64;
}

struct wg_device *device_new(void)
{
	return calloc(1, sizeof(struct wg_device));
}

void peer_clear(struct wg_peer *peer)
{
	free(peer->ips);
	secure_zero(peer, sizeof(*peer));
}

void device_free(struct wg_device *dev)
{
	if (!dev)
		return;
	for (size_t i = 0; i < dev->num_peers; i++)
		peer_clear(&dev->peers[i]);
	free(dev->peers);
	secure_zero(dev, sizeof(*dev));
	free(dev);
}

static void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *n;

	if (need <= *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	/* Not zeroed here: each slot is zeroed when it is handed out. */
	n = realloc(arr, ncap * elem);
	if (!n)
		return NULL;
	*cap = ncap;
	return n;
}

struct wg_peer *device_add_peer(struct wg_device *dev)
{
	struct wg_peer *p = grow(dev->peers, &dev->cap_peers, dev->num_peers + 1,
				 sizeof(*p));

	if (!p)
		return NULL;
	dev->peers = p;
	p = &dev->peers[dev->num_peers++];
	memset(p, 0, sizeof(*p));
	return p;
}

struct wg_allowedip *peer_add_ip(struct wg_peer *peer)
{
	struct wg_allowedip *ip = grow(peer->ips, &peer->cap_ips, peer->num_ips + 1,
				       sizeof(*ip));

	if (!ip)
		return NULL;
	peer->ips = ip;
	ip = &peer->ips[peer->num_ips++];
	memset(ip, 0, sizeof(*ip));
	return ip;
}

struct wg_peer *device_find_peer(struct wg_device *dev, const uint8_t key[WG_KEY_LEN])
{
	for (size_t i = 0; i < dev->num_peers; i++)
		if ((dev->peers[i].has & WGPEER_HAS_PUBLIC_KEY) &&
		    !memcmp(dev->peers[i].public_key, key, WG_KEY_LEN))
			return &dev->peers[i];
	return NULL;
}

bool device_has_names(const struct wg_device *dev)
{
	for (size_t i = 0; i < dev->num_peers; i++)
		if ((dev->peers[i].has & WGPEER_HAS_NAME) && !(dev->peers[i].flags & WGPEER_F_REMOVE_ME))
			return true;
	return false;
}

/* One UTF-8 sequence at s (RFC 3629: shortest form, no surrogates, at most
 * U+10FFFF): its length and code point, or 0 when it is not one. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const struct {
		unsigned char lead_min, lead_max, second_min, second_max;
		size_t len;
	} forms[] = {
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 },
		{ 0xe0, 0xe0, 0xa0, 0xbf, 3 },
		{ 0xe1, 0xec, 0x80, 0xbf, 3 },
		{ 0xed, 0xed, 0x80, 0x9f, 3 },
		{ 0xee, 0xef, 0x80, 0xbf, 3 },
		{ 0xf0, 0xf0, 0x90, 0xbf, 4 },
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 },
		{ 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		size_t n = forms[f].len;

		if (s[0] < forms[f].lead_min || s[0] > forms[f].lead_max)
			continue;
		if (len < n || s[1] < forms[f].second_min || s[1] > forms[f].second_max)
			return 0;
		*cp = s[0] & (0xff >> (n + 1));
		for (size_t i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			*cp = (*cp << 6) | (s[i] & 0x3f);
		}
		return n;
	}
	return 0;
}

const char *peer_name_problem(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len > WG_PEER_NAME_MAX)
		return "is longer than " WG_STRINGIFY(WG_PEER_NAME_MAX) " bytes";
	/* The first fault, as the module names it. */
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(u + i, len - i, &cp);

		if (!n)
			return "is not valid UTF-8";
		/* C0, DEL and C1: nothing that moves a cursor or ends a line. */
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return "contains a control character";
		i += n;
	}
	return NULL;
}
