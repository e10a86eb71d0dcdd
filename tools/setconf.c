// SPDX-License-Identifier: GPL-2.0
/*
 * wg setconf and wg addconf. setconf states the whole device: what the file
 * leaves out is reset (no private key, random port, no fwmark, no other
 * peers). addconf only adds to what is there.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "subcommands.h"

struct wg_device *parse_conf_arguments(char **argv)
{
	struct wg_device *dev = config_parse_file(argv[2]);

	if (dev) {
		strcpy(dev->name, argv[1]);
		drop_unstorable_names(dev, argv[2]);
	}
	return dev;
}

int cmd_setconf(int argc, char **argv)
{
	struct wg_device *dev = parse_conf_arguments(argv);
	int ret;

	(void)argc; /* main() checked the count against the usage */

	if (!dev)
		return 1;
	if (!strcmp(argv[0], "setconf")) {
		dev->flags |= WGDEVICE_F_REPLACE_PEERS;
		dev->has |= WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_LISTEN_PORT |
			    WGDEVICE_HAS_FWMARK;
	}
	ret = apply_device(dev, "modify");
	device_free(dev);
	return ret;
}
