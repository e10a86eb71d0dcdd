// SPDX-License-Identifier: GPL-2.0
/*
 * wg syncconf: make the device match a file while touching only what
 * differs, so that the sessions of unchanged peers survive a reload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ipc.h"
#include "subcommands.h"

int cmd_syncconf(int argc, char **argv)
{
	struct wg_device *want, *current = NULL;
	int ret, err;

	(void)argc; /* main() checked the count against the usage */

	want = parse_conf_arguments(argv);
	if (!want)
		return 1;
	err = ipc_get_device(&current, argv[1]);
	if (err) {
		report_ipc_error("access", argv[1], err);
		device_free(want);
		return 1;
	}
	if (sync_diff(want, current)) {
		fprintf(stderr, "Out of memory\n");
		ret = 1;
	} else {
		ret = apply_device(want, "modify");
	}
	device_free(current);
	device_free(want);
	return ret;
}
