// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: answers of a userspace daemon to get=1 (untrusted input). */
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "uapi-parse.h"

const char *prog = "wg";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct wg_device *dev = NULL;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!uapi_parse_get(&dev, text, "fuzz0"))
		device_free(dev);
	free(text);
	return 0;
}
