// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of peer names: UTF-8 as RFC 3629 defines it, without control
 * characters.
 */

#include <linux/limits.h>

#include "peer_name.h"
#include "wireguard.h"

/* The first code point a sequence of 1 + index continuation bytes may encode. */
static const u32 shortest_form[] = { 0, 0x80, 0x800, 0x10000 };

#define UTF8_MAX 0x10ffff
#define SURROGATE_FIRST 0xd800
#define SURROGATE_LAST 0xdfff
#define C0_LAST 0x1f
#define DEL 0x7f
#define C1_LAST 0x9f

static bool is_continuation(u8 byte)
{
	return (byte & 0xc0) == 0x80;
}

/*
 * The code point starting at @s, of at most @len bytes, and its length in
 * *@step. Return: the code point, or U32_MAX if the bytes are not UTF-8.
 */
static u32 decode(const u8 *s, size_t len, size_t *step)
{
	unsigned int more, i;
	u32 cp;

	if (s[0] < 0x80) {
		more = 0;
		cp = s[0];
	} else if ((s[0] & 0xe0) == 0xc0) {
		more = 1;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		more = 2;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		more = 3;
		cp = s[0] & 0x07;
	} else {
		return U32_MAX;		/* a continuation byte, or 0xf8-0xff */
	}
	if (more >= len)
		return U32_MAX;		/* cut short */
	for (i = 1; i <= more; i++) {
		if (!is_continuation(s[i]))
			return U32_MAX;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < shortest_form[more] || cp > UTF8_MAX ||
	    (cp >= SURROGATE_FIRST && cp <= SURROGATE_LAST))
		return U32_MAX;
	*step = more + 1;
	return cp;
}

enum wg_peer_name_fault wg_peer_name_check(const char *name, size_t len)
{
	const u8 *s = (const u8 *)name;
	size_t i, step = 0;
	u32 cp;

	if (len > WG_PEER_NAME_MAX)
		return WG_PEER_NAME_TOO_LONG;
	for (i = 0; i < len; i += step) {
		cp = decode(s + i, len - i, &step);
		if (cp == U32_MAX)
			return WG_PEER_NAME_NOT_UTF8;
		if (cp <= C0_LAST || (cp >= DEL && cp <= C1_LAST))
			return WG_PEER_NAME_CONTROL;
	}
	return WG_PEER_NAME_OK;
}
