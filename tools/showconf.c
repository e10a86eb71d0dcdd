// SPDX-License-Identifier: GPL-2.0
/* wg showconf: the running configuration in the file format setconf reads. */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "ipc.h"
#include "subcommands.h"

int cmd_showconf(int argc, char **argv)
{
	struct wg_device *dev = NULL;
	int err;

	if (argc != 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(stderr, "Usage: %s %s <interface>\n", prog, argv[0]);
		return 1;
	}
	err = ipc_get_device(&dev, argv[1]);
	if (err) {
		report_ipc_error("access", argv[1], err);
		return 1;
	}
	format_showconf(stdout, dev);
	device_free(dev);
	if (fflush(stdout) || ferror(stdout)) {
		perror("stdout");
		return 1;
	}
	return 0;
}
