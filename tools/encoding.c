// SPDX-License-Identifier: GPL-2.0
/*
 * Base64 and hex for 32-byte keys. Decoding avoids branches and table
 * lookups indexed by the secret so that reading a private key does not leak
 * it through timing.
 */
#include <string.h>

#include "encoding.h"

static char b64_char(unsigned int v)
{
	/* A-Z 0..25, a-z 26..51, 0-9 52..61, + 62, / 63 */
	int c = 'A' + v;

	c += ((25 - (int)v) >> 8) & ('a' - 'A' - 26);
	c += ((51 - (int)v) >> 8) & ('0' - 'a' - 26);
	c += ((61 - (int)v) >> 8) & ('+' - '0' - 10);
	c += ((62 - (int)v) >> 8) & ('/' - '+' - 1);
	return (char)c;
}

/* Returns the 6-bit value, or -1 when c is not in the alphabet. */
static int b64_value(int c)
{
	int ret = -1;

	ret += (((('A' - 1) - c) & (c - ('Z' + 1))) >> 8) & (c - 'A' + 1);
	ret += (((('a' - 1) - c) & (c - ('z' + 1))) >> 8) & (c - 'a' + 26 + 1);
	ret += (((('0' - 1) - c) & (c - ('9' + 1))) >> 8) & (c - '0' + 52 + 1);
	ret += ((('+' - 1 - c) & (c - ('+' + 1))) >> 8) & 63;
	ret += ((('/' - 1 - c) & (c - ('/' + 1))) >> 8) & 64;
	return ret;
}

void key_to_base64(char out[WG_KEY_B64_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	unsigned int i, o = 0;

	for (i = 0; i + 3 <= WG_KEY_LEN; i += 3) {
		uint32_t v = key[i] << 16 | key[i + 1] << 8 | key[i + 2];

		out[o++] = b64_char((v >> 18) & 63);
		out[o++] = b64_char((v >> 12) & 63);
		out[o++] = b64_char((v >> 6) & 63);
		out[o++] = b64_char(v & 63);
	}
	/* 32 = 30 + 2: two trailing bytes give three characters and one '='. */
	{
		uint32_t v = key[30] << 16 | key[31] << 8;

		out[o++] = b64_char((v >> 18) & 63);
		out[o++] = b64_char((v >> 12) & 63);
		out[o++] = b64_char((v >> 6) & 63);
		out[o++] = '=';
	}
	out[o] = '\0';
}

bool key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64)
{
	int bad = 0;
	unsigned int i, o = 0;

	if (!b64 || strlen(b64) != WG_KEY_B64_LEN || b64[WG_KEY_B64_LEN - 1] != '=')
		return false;
	for (i = 0; i < 40; i += 4) {
		int a = b64_value((unsigned char)b64[i]), b = b64_value((unsigned char)b64[i + 1]);
		int c = b64_value((unsigned char)b64[i + 2]), d = b64_value((unsigned char)b64[i + 3]);
		uint32_t v;

		bad |= a | b | c | d;
		v = (uint32_t)(a & 63) << 18 | (uint32_t)(b & 63) << 12 |
		    (uint32_t)(c & 63) << 6 | (uint32_t)(d & 63);
		key[o++] = v >> 16;
		key[o++] = v >> 8;
		key[o++] = v;
	}
	{
		int a = b64_value((unsigned char)b64[40]), b = b64_value((unsigned char)b64[41]);
		int c = b64_value((unsigned char)b64[42]);
		uint32_t v;

		bad |= a | b | c;
		/* The two low bits of the last character carry no data: a
		 * canonical encoding has them zero, so each key has one text. */
		bad |= -((c & 3) != 0);
		v = (uint32_t)(a & 63) << 18 | (uint32_t)(b & 63) << 12 | (uint32_t)(c & 63) << 6;
		key[o++] = v >> 16;
		key[o++] = v >> 8;
	}
	if (bad < 0) {
		secure_zero(key, WG_KEY_LEN);
		return false;
	}
	return true;
}

void key_to_hex(char out[WG_KEY_HEX_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	for (unsigned int i = 0; i < WG_KEY_LEN; i++) {
		unsigned int hi = key[i] >> 4, lo = key[i] & 15;

		/* The mask adds the gap between '9' and 'a' only for digits >= 10. */
		out[i * 2] = (char)(hi + '0' + (((9 - (int)hi) >> 8) & ('a' - 10 - '0')));
		out[i * 2 + 1] = (char)(lo + '0' + (((9 - (int)lo) >> 8) & ('a' - 10 - '0')));
	}
	out[WG_KEY_HEX_LEN] = '\0';
}

static int hex_value(int c)
{
	int ret = -1;

	ret += (((('0' - 1) - c) & (c - ('9' + 1))) >> 8) & (c - '0' + 1);
	ret += (((('a' - 1) - c) & (c - ('f' + 1))) >> 8) & (c - 'a' + 10 + 1);
	ret += (((('A' - 1) - c) & (c - ('F' + 1))) >> 8) & (c - 'A' + 10 + 1);
	return ret;
}

bool key_from_hex(uint8_t key[WG_KEY_LEN], const char *hex)
{
	int bad = 0;

	if (!hex || strlen(hex) != WG_KEY_HEX_LEN)
		return false;
	for (unsigned int i = 0; i < WG_KEY_LEN; i++) {
		int hi = hex_value((unsigned char)hex[i * 2]);
		int lo = hex_value((unsigned char)hex[i * 2 + 1]);

		bad |= hi | lo;
		key[i] = (uint8_t)((hi & 15) << 4 | (lo & 15));
	}
	if (bad < 0) {
		secure_zero(key, WG_KEY_LEN);
		return false;
	}
	return true;
}
