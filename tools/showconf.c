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

	(void)argc; /* main() checked the count against the usage */

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
