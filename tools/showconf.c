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
	bool portable = argc == 3;
	const char *ifname = argv[argc - 1];
	int err;

	/* main() checked the count, and the name when it comes first. */
	if (portable ? strcmp(argv[1], "--portable") : !strcmp(argv[1], "--portable")) {
		subcommand_usage("showconf");
		return 1;
	}
	if (portable && !interface_name_fits(ifname))
		return 1;
	err = ipc_get_device(&dev, ifname);
	if (err) {
		report_ipc_error("access", ifname, err);
		return 1;
	}
	format_showconf(stdout, dev, portable);
	device_free(dev);
	if (fflush(stdout) || ferror(stdout)) {
		perror("stdout");
		return 1;
	}
	return 0;
}
