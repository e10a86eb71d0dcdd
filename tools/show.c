// SPDX-License-Identifier: GPL-2.0
/* wg show: pretty, single fields, dump and JSON for one or all devices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "ipc.h"
#include "subcommands.h"

static void options_from_env(struct format_opts *o)
{
	const char *color = getenv("WG_COLOR_MODE");
	const char *hide = getenv("WG_HIDE_KEYS");

	if (color && !strcmp(color, "always"))
		o->color = true;
	else if (color && !strcmp(color, "never"))
		o->color = false;
	else
		o->color = isatty(STDOUT_FILENO);
	o->hide_keys = !(hide && !strcmp(hide, "never"));
	o->now = (int64_t)time(NULL);
}

static int show_devices(struct wg_device **devs, size_t n, const char *field, bool all,
			const struct format_opts *o)
{
	if (field && !strcmp(field, "json")) {
		format_json(stdout, devs, n, o);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!field) {
			if (i)
				putchar('\n');
			format_pretty(stdout, devs[i], o);
		} else {
			format_field(stdout, devs[i], field, all);
		}
	}
	return 0;
}

int cmd_show(int argc, char **argv)
{
	struct format_opts o;
	struct name_list list = { 0 };
	struct wg_device **devs = NULL;
	const char *which = argc > 1 ? argv[1] : "all";
	const char *field = argc > 2 ? argv[2] : NULL;
	size_t n = 0;
	int ret = 0, err;

	if (field && strcmp(field, "json") && !format_field_valid(field)) {
		fprintf(stderr, "Invalid parameter: `%s'\n", field);
		subcommand_usage("show");
		return 1;
	}
	options_from_env(&o);

	if (!strcmp(which, "interfaces")) {
		if (field) {
			subcommand_usage("show");
			return 1;
		}
		err = ipc_list_devices(&list);
		if (err) {
			fprintf(stderr, "Unable to list interfaces: %s\n", ipc_strerror(err));
			return 1;
		}
		for (size_t i = 0; i < list.len; i++)
			printf("%s%c", list.names[i], i + 1 < list.len ? ' ' : '\n');
		name_list_free(&list);
		return 0;
	}

	if (!strcmp(which, "all")) {
		err = ipc_list_devices(&list);
		if (err) {
			fprintf(stderr, "Unable to list interfaces: %s\n", ipc_strerror(err));
			return 1;
		}
	} else if (name_list_add(&list, which)) {
		fprintf(stderr, "Out of memory\n");
		return 1;
	}

	devs = calloc(list.len ? list.len : 1, sizeof(*devs));
	if (!devs) {
		fprintf(stderr, "Out of memory\n");
		name_list_free(&list);
		return 1;
	}
	for (size_t i = 0; i < list.len; i++) {
		err = ipc_get_device(&devs[n], list.names[i]);
		if (err) {
			/* A device that vanished between listing and reading
			 * is reported, and the others are still shown. */
			report_ipc_error("access", list.names[i], err);
			ret = 1;
			continue;
		}
		n++;
	}
	show_devices(devs, n, field, !strcmp(which, "all"), &o);
	for (size_t i = 0; i < n; i++)
		device_free(devs[i]);
	free(devs);
	name_list_free(&list);
	if (fflush(stdout) || ferror(stdout)) {
		perror("stdout");
		return 1;
	}
	return ret;
}
