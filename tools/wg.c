// SPDX-License-Identifier: GPL-2.0
/* wg(8): subcommand dispatch. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "subcommands.h"

#ifndef WG_VERSION
#define WG_VERSION "unknown"
#endif

const char *prog;

/*
 * What each subcommand's command line looks like is checked here, once:
 * the subcommands see only a count of arguments they accept and, where the
 * first is an interface, a name the kernel could have.
 */
static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;	/* the arguments, as "Usage:" shows them */
	int min_args, max_args;
	bool interface;		/* the first argument names an interface */
	const char *help;
} commands[] = {
	{
		.name = "show", .fn = cmd_show, .min_args = 0, .max_args = 2, .interface = true,
		.usage = "{ <interface> | all | interfaces } [public-key | private-key | listen-port | "
			 "fwmark | peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | "
			 "transfer | persistent-keepalive | dump | json]",
		.help = "Shows the current configuration and device information",
	}, {
		.name = "showconf", .fn = cmd_showconf, .min_args = 1, .max_args = 2, .interface = true,
		.usage = "[--portable] <interface>",
		.help = "Shows the current configuration of a given WireGuard interface, for use with `setconf'",
	}, {
		.name = "set", .fn = cmd_set, .min_args = 2, .max_args = INT_MAX, .interface = true,
		.usage = "<interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] "
			 "[peer <base64 public key> [remove] [preshared-key <file path>] "
			 "[endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] "
			 "[allowed-ips [+|-]<ip1>/<cidr1>[,[+|-]<ip2>/<cidr2>]...] [name <text>] ]...",
		.help = "Change the current configuration, add peers, remove peers, or change peers",
	}, {
		.name = "setconf", .fn = cmd_setconf, .min_args = 2, .max_args = 2, .interface = true,
		.usage = "<interface> <configuration filename>",
		.help = "Applies a configuration file to a WireGuard interface",
	}, {
		.name = "addconf", .fn = cmd_setconf, .min_args = 2, .max_args = 2, .interface = true,
		.usage = "<interface> <configuration filename>",
		.help = "Appends a configuration file to a WireGuard interface",
	}, {
		.name = "syncconf", .fn = cmd_syncconf, .min_args = 2, .max_args = 2, .interface = true,
		.usage = "<interface> <configuration filename>",
		.help = "Synchronizes a configuration file to a WireGuard interface",
	}, {
		.name = "monitor", .fn = cmd_monitor, .min_args = 0, .max_args = 4,
		.usage = "[<interface> | all] [json] [--exec <command>]",
		.help = "Prints the events of WireGuard interfaces as they happen (kwg module)",
	}, {
		.name = "genkey", .fn = cmd_genkey, .usage = "",
		.help = "Generates a new private key and writes it to stdout",
	}, {
		.name = "genpsk", .fn = cmd_genkey, .usage = "",
		.help = "Generates a new preshared key and writes it to stdout",
	}, {
		.name = "pubkey", .fn = cmd_pubkey, .usage = "",
		.help = "Reads a private key from stdin and writes a public key to stdout",
	},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", prog);
	fprintf(f, "Available subcommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s: %s\n", commands[i].name, commands[i].help);
	fprintf(f, "You may pass `--help' to any of these subcommands to view usage.\n");
}

static void command_usage(const struct command *cmd)
{
	fprintf(stderr, "Usage: %s %s%s%s\n", prog, cmd->name, *cmd->usage ? " " : "", cmd->usage);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

void subcommand_usage(const char *name)
{
	const struct command *cmd = find_command(name);

	if (cmd)
		command_usage(cmd);
}

bool interface_name_fits(const char *name)
{
	if (strlen(name) < IFNAMSIZ)
		return true;
	fprintf(stderr, "Interface name `%s' is too long: %zu bytes, at most %d are allowed\n",
		name, strlen(name), IFNAMSIZ - 1);
	return false;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	int nargs = argc - 1;

	if (nargs == 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		command_usage(cmd);
		return 0;
	}
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		command_usage(cmd);
		return 1;
	}
	/* A longer name could only fail, and only after the configuration
	 * was read and its endpoint names resolved. */
	if (cmd->interface && nargs && !interface_name_fits(argv[1]))
		return 1;
	return cmd->fn(argc, argv);
}

int main(int argc, char **argv)
{
	static char *show_argv[] = { "show", NULL };
	const struct command *cmd;

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
	cmd = find_command(argv[1]);
	if (cmd)
		return run(cmd, argc - 1, argv + 1);
	fprintf(stderr, "Invalid subcommand: `%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
