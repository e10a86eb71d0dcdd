// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: GET_DEVICE dump messages as the kernel might send them.
 * The input is split into netlink messages the way mnl_cb_run() walks a
 * receive buffer, and each is merged into one device, as a dump is.
 */
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "device.h"
#include "nlmsg.h"

const char *prog = "wg";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct wg_device *dev = device_new();
	/* Netlink buffers are 4-byte aligned; so is this copy. */
	void *buf = malloc(size + 4);
	const struct nlmsghdr *nlh;
	int len = (int)size;

	if (!dev || !buf) {
		free(buf);
		device_free(dev);
		return 0;
	}
	memcpy(buf, data, size);
	nlh = buf;
	/* mnl_nlmsg_ok() compares the length as an int: 0xffffffff passes,
	 * and then never advances. Only the kernel writes these buffers;
	 * the harness keeps to lengths a kernel could send. */
	while (mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (unsigned int)len) {
		if (nlmsg_parse_device(dev, nlh))
			break;
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	free(buf);
	device_free(dev);
	return 0;
}
