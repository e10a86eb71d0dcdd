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
	n = realloc(arr, ncap * elem);
	if (!n)
		return NULL;
	memset((char *)n + *cap * elem, 0, (ncap - *cap) * elem);
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
