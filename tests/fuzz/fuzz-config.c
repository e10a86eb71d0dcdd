// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the configuration parser. Beyond "no crash, no
 * leak, no undefined behaviour", it checks properties: whatever parses
 * prints (showconf) to text that parses again to the same text, peer
 * names included; and showconf --portable parses too.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "format.h"

const char *prog = "wg";

static char *showconf(const struct wg_device *dev, size_t *len, bool portable)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	format_showconf(f, dev, portable);
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct wg_device *dev, *again;
	char *text, *text2;
	size_t len, len2;

	config_quiet = true;
	config_resolve_names = false;
	dev = config_parse_buffer((const char *)data, size, "fuzz.conf");
	if (!dev)
		return 0;
	text = showconf(dev, &len, false);
	again = config_parse_buffer(text, len, "showconf");
	if (!again)
		abort();	/* our own output must parse */
	text2 = showconf(again, &len2, false);
	if (len != len2 || memcmp(text, text2, len))
		abort();	/* and print the same again */
	free(text);
	free(text2);
	device_free(again);
	text = showconf(dev, &len, true);
	again = config_parse_buffer(text, len, "showconf --portable");
	if (!again || device_has_names(again))
		abort();	/* portable: no names, and still ours to read */
	free(text);
	device_free(again);
	device_free(dev);
	return 0;
}
