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

int cmd_setconf(int argc, char **argv)
{
	bool replace = !strcmp(argv[0], "setconf");
	struct wg_device *dev;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "Usage: %s %s <interface> <configuration filename>\n", prog, argv[0]);
		return 1;
	}
	if (strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, "Interface name is too long: `%s'\n", argv[1]);
		return 1;
	}
	dev = config_parse_file(argv[2]);
	if (!dev)
		return 1;
	strcpy(dev->name, argv[1]);
	if (replace) {
		dev->flags |= WGDEVICE_F_REPLACE_PEERS;
		dev->has |= WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_LISTEN_PORT |
			    WGDEVICE_HAS_FWMARK;
	}
	ret = apply_device(dev, "modify");
	device_free(dev);
	return ret;
}
