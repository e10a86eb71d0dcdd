// SPDX-License-Identifier: GPL-2.0
/* wg(8): subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "subcommands.h"

#ifndef WG_VERSION
#define WG_VERSION "unknown"
#endif

const char *prog;

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "show", cmd_show, "Shows the current configuration and device information" },
	{ "showconf", cmd_showconf, "Shows the current configuration of a given WireGuard interface, for use with `setconf'" },
	{ "set", cmd_set, "Change the current configuration, add peers, remove peers, or change peers" },
	{ "setconf", cmd_setconf, "Applies a configuration file to a WireGuard interface" },
	{ "addconf", cmd_setconf, "Appends a configuration file to a WireGuard interface" },
	{ "syncconf", cmd_syncconf, "Synchronizes a configuration file to a WireGuard interface" },
	{ "genkey", cmd_genkey, "Generates a new private key and writes it to stdout" },
	{ "genpsk", cmd_genkey, "Generates a new preshared key and writes it to stdout" },
	{ "pubkey", cmd_pubkey, "Reads a private key from stdin and writes a public key to stdout" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", prog);
	fprintf(f, "Available subcommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s: %s\n", commands[i].name, commands[i].help);
	fprintf(f, "You may pass `--help' to any of these subcommands to view usage.\n");
}

int main(int argc, char **argv)
{
	static char *show_argv[] = { "show", NULL };

	prog = argv[0];
	if (argc == 2 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version") ||
			  !strcmp(argv[1], "version"))) {
		printf("kwg wg %s\n", WG_VERSION);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 1)
		return cmd_show(1, show_argv);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")) &&
			    strcmp(argv[1], "show")) {
				char *help_argv[] = { argv[1], NULL };

				/* Each command prints its usage on a wrong argument count. */
				commands[i].fn(strcmp(argv[1], "set") ? 99 : 1, help_argv);
				return 0;
			}
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "Invalid subcommand: `%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
