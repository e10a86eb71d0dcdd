/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a peer's name (WGPEER_A_NAME, uapi/wireguard.h) may be: at most
 * WG_PEER_NAME_MAX bytes of UTF-8 in its shortest form, no surrogates,
 * nothing above U+10FFFF, and no control character (C0, DEL, C1), so that
 * a name printed by any tool is one line of text that means one thing.
 *
 * Pure logic: no allocation, no locking.
 */
#ifndef _KWG_PEER_NAME_H
#define _KWG_PEER_NAME_H

#include <linux/types.h>

enum wg_peer_name_fault {
	WG_PEER_NAME_OK,
	WG_PEER_NAME_TOO_LONG,		/* more than WG_PEER_NAME_MAX bytes */
	WG_PEER_NAME_NOT_UTF8,		/* malformed, overlong, surrogate, > U+10FFFF */
	WG_PEER_NAME_CONTROL,		/* U+0000-U+001F, U+007F-U+009F */
};

/**
 * wg_peer_name_check() - Whether @len bytes at @name make a valid name.
 * @name: the name, without its NUL.
 * @len: its length in bytes; 0 (no name) is valid.
 *
 * Context: any.
 * Return: %WG_PEER_NAME_OK, or the first fault found.
 */
enum wg_peer_name_fault wg_peer_name_check(const char *name, size_t len);

#endif /* _KWG_PEER_NAME_H */
