// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: what wg monitor reads from its socket, event messages
 * of the kwg-events group and the controller's family notifications. The
 * input is split into netlink messages the way a receive buffer is walked;
 * every event that parses goes through the filter and all three renderings
 * (line, JSON, hook environment), as wg monitor would print and run it.
 */
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "event.h"
#include "nlmsg.h"

const char *prog = "wg";

static void render(const struct wg_event *ev)
{
	char *buf = NULL, **env;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	event_format_line(f, ev);
	event_format_json(f, ev);
	fclose(f);
	free(buf);
	env = event_environment(ev);
	for (char **e = env; e && *e; e++)
		if (!strchr(*e, '=') || strchr(*e, '\n'))
			abort();	/* every variable is NAME=value, on one line */
	event_environment_free(env);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	/* Netlink buffers are 4-byte aligned; so is this copy. */
	void *buf = malloc(size + 4);
	struct event_filter filter = { .ifname = "wg0" };
	const struct nlmsghdr *nlh;
	int len = (int)size;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	nlh = buf;
	/* As in fuzz-nlmsg: lengths a kernel could send. */
	while (mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (unsigned int)len) {
		if (nlh->nlmsg_type == GENL_ID_CTRL) {
			struct nlmsg_family f;

			nlmsg_parse_family(nlh, WG_MULTICAST_GROUP_EVENTS, &f);
		} else {
			struct wg_event ev;

			if (!event_parse(&ev, nlh)) {
				event_filter_match(&filter, &ev);
				render(&ev);
			}
			event_clear(&ev);
		}
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	free(buf);
	return 0;
}
