// SPDX-License-Identifier: GPL-2.0
/*
 * Which peer names are valid: length, UTF-8 shortest form, the Unicode
 * range, no surrogates, no control characters.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include "../peer_name.h"
#include "wireguard.h"

struct name_case {
	const char *what;
	const char *bytes;
	enum wg_peer_name_fault expect;
};

static const struct name_case name_cases[] = {
	{ "empty", "", WG_PEER_NAME_OK },
	{ "ASCII", "office-router 2", WG_PEER_NAME_OK },
	{ "2-byte U+00E9", "caf\xc3\xa9", WG_PEER_NAME_OK },
	{ "3-byte U+20AC", "\xe2\x82\xac", WG_PEER_NAME_OK },
	{ "4-byte U+1F600", "\xf0\x9f\x98\x80", WG_PEER_NAME_OK },
	{ "U+00A0, first after C1", "\xc2\xa0", WG_PEER_NAME_OK },
	{ "U+D7FF, before the surrogates", "\xed\x9f\xbf", WG_PEER_NAME_OK },
	{ "U+E000, after the surrogates", "\xee\x80\x80", WG_PEER_NAME_OK },
	{ "U+FFFF", "\xef\xbf\xbf", WG_PEER_NAME_OK },
	{ "U+10FFFF, the last", "\xf4\x8f\xbf\xbf", WG_PEER_NAME_OK },
	{ "U+110000", "\xf4\x90\x80\x80", WG_PEER_NAME_NOT_UTF8 },
	{ "lead byte 0xf5", "\xf5\x80\x80\x80", WG_PEER_NAME_NOT_UTF8 },
	{ "lead byte 0xff", "a\xff", WG_PEER_NAME_NOT_UTF8 },
	{ "lead byte 0xf8, 5 bytes", "\xf8\x88\x80\x80\x80", WG_PEER_NAME_NOT_UTF8 },
	{ "overlong NUL C0 80", "\xc0\x80", WG_PEER_NAME_NOT_UTF8 },
	{ "overlong '/' C0 AF", "\xc0\xaf", WG_PEER_NAME_NOT_UTF8 },
	{ "overlong U+007F C1 BF", "\xc1\xbf", WG_PEER_NAME_NOT_UTF8 },
	{ "overlong U+07FF E0 9F BF", "\xe0\x9f\xbf", WG_PEER_NAME_NOT_UTF8 },
	{ "overlong U+FFFF F0 8F BF BF", "\xf0\x8f\xbf\xbf", WG_PEER_NAME_NOT_UTF8 },
	{ "surrogate U+D800", "\xed\xa0\x80", WG_PEER_NAME_NOT_UTF8 },
	{ "surrogate U+DFFF", "\xed\xbf\xbf", WG_PEER_NAME_NOT_UTF8 },
	{ "lone continuation byte", "ab\x80", WG_PEER_NAME_NOT_UTF8 },
	{ "cut short at the end", "ab\xe2\x82", WG_PEER_NAME_NOT_UTF8 },
	{ "cut short by an ASCII A", "\xe2\x82\x41", WG_PEER_NAME_NOT_UTF8 },
	{ "C0 U+0001", "a\x01", WG_PEER_NAME_CONTROL },
	{ "C0 tab", "a\tb", WG_PEER_NAME_CONTROL },
	{ "C0 newline", "a\nb", WG_PEER_NAME_CONTROL },
	{ "C0 U+001F", "\x1f", WG_PEER_NAME_CONTROL },
	{ "DEL", "a\x7f", WG_PEER_NAME_CONTROL },
	{ "C1 U+0080", "\xc2\x80", WG_PEER_NAME_CONTROL },
	{ "C1 U+009B (CSI)", "\xc2\x9b[31m", WG_PEER_NAME_CONTROL },
	{ "C1 U+009F", "\xc2\x9f", WG_PEER_NAME_CONTROL },
};

static void name_table(struct kunit *test)
{
	const struct name_case *c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(name_cases); i++) {
		c = &name_cases[i];
		KUNIT_EXPECT_EQ_MSG(test, wg_peer_name_check(c->bytes, strlen(c->bytes)),
				    c->expect, "%s", c->what);
	}
}

/* Bytes after @len are not looked at, and a NUL inside is a control character. */
static void name_bounds(struct kunit *test)
{
	static const char nul_inside[] = "ab\0cd";

	KUNIT_EXPECT_EQ(test, wg_peer_name_check("ab\xff", 2), WG_PEER_NAME_OK);
	KUNIT_EXPECT_EQ(test, wg_peer_name_check("\xe2\x82\xac", 2), WG_PEER_NAME_NOT_UTF8);
	KUNIT_EXPECT_EQ(test, wg_peer_name_check(nul_inside, sizeof(nul_inside) - 1),
			WG_PEER_NAME_CONTROL);
}

static void name_length(struct kunit *test)
{
	char buf[WG_PEER_NAME_MAX + 2];
	int i;

	memset(buf, 'x', sizeof(buf));
	KUNIT_EXPECT_EQ(test, wg_peer_name_check(buf, WG_PEER_NAME_MAX), WG_PEER_NAME_OK);
	KUNIT_EXPECT_EQ(test, wg_peer_name_check(buf, WG_PEER_NAME_MAX + 1),
			WG_PEER_NAME_TOO_LONG);
	/* The limit is in bytes: 16 four-byte characters fill it exactly. */
	for (i = 0; i < WG_PEER_NAME_MAX; i += 4)
		memcpy(buf + i, "\xf0\x9f\x98\x80", 4);
	KUNIT_EXPECT_EQ(test, wg_peer_name_check(buf, WG_PEER_NAME_MAX), WG_PEER_NAME_OK);
	buf[WG_PEER_NAME_MAX] = 'x';
	KUNIT_EXPECT_EQ(test, wg_peer_name_check(buf, WG_PEER_NAME_MAX + 1),
			WG_PEER_NAME_TOO_LONG);
}

/* Every code point, encoded by hand, is judged as the rules say. */
static void name_every_code_point(struct kunit *test)
{
	enum wg_peer_name_fault want;
	unsigned int bad = 0;
	u8 buf[4];
	size_t len;
	u32 cp;

	for (cp = 1; cp <= 0x10ffff; cp++) {
		if (cp < 0x80) {
			buf[0] = cp;
			len = 1;
		} else if (cp < 0x800) {
			buf[0] = 0xc0 | cp >> 6;
			buf[1] = 0x80 | (cp & 0x3f);
			len = 2;
		} else if (cp < 0x10000) {
			buf[0] = 0xe0 | cp >> 12;
			buf[1] = 0x80 | (cp >> 6 & 0x3f);
			buf[2] = 0x80 | (cp & 0x3f);
			len = 3;
		} else {
			buf[0] = 0xf0 | cp >> 18;
			buf[1] = 0x80 | (cp >> 12 & 0x3f);
			buf[2] = 0x80 | (cp >> 6 & 0x3f);
			buf[3] = 0x80 | (cp & 0x3f);
			len = 4;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			want = WG_PEER_NAME_CONTROL;
		else if (cp >= 0xd800 && cp <= 0xdfff)
			want = WG_PEER_NAME_NOT_UTF8;
		else
			want = WG_PEER_NAME_OK;
		if (wg_peer_name_check((const char *)buf, len) != want && bad++ < 5)
			KUNIT_FAIL(test, "U+%04X judged wrongly", cp);
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
}

static struct kunit_case peer_name_cases[] = {
	KUNIT_CASE(name_table),
	KUNIT_CASE(name_bounds),
	KUNIT_CASE(name_length),
	KUNIT_CASE(name_every_code_point),
	{}
};

static struct kunit_suite peer_name_suite = {
	.name = "kwg_peer_name",
	.test_cases = peer_name_cases,
};

kunit_test_suite(peer_name_suite);
