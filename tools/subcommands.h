/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WG_SUBCOMMANDS_H
#define WG_SUBCOMMANDS_H

#include "device.h"

extern const char *prog;

/* main() calls these only with as many arguments as their usage allows
 * and, where the first names an interface, with one that fits IFNAMSIZ. */
int cmd_show(int argc, char **argv);
int cmd_showconf(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_setconf(int argc, char **argv);
int cmd_syncconf(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_genkey(int argc, char **argv);
int cmd_pubkey(int argc, char **argv);

/* Prints "Usage: wg <cmd> ..." from the command table, to stderr. */
void subcommand_usage(const char *cmd);
/* Whether name fits IFNAMSIZ; prints why not. */
bool interface_name_fits(const char *name);
/* For "<cmd> <interface> <configuration filename>": the file's device
 * named after the interface, or NULL after printing why. */
struct wg_device *parse_conf_arguments(char **argv);
/* A file's peer names are labels: where the interface cannot store them
 * (userspace implementations, modules other than kwg's), they are dropped
 * after a warning naming the file, and the rest still applies. */
void drop_unstorable_names(struct wg_device *dev, const char *filename);
/* Applies dev, turning '-' allowed-ips entries into a list replacement
 * where the implementation cannot remove single entries, and refusing
 * peer names where they cannot be stored. Prints errors. */
int apply_device(struct wg_device *dev, const char *verb);
bool allowedip_same(const struct wg_allowedip *a, const struct wg_allowedip *b);
int peer_edit_to_replacement(struct wg_peer *peer, const struct wg_peer *current);
int sync_diff(struct wg_device *want, const struct wg_device *current);
/* Prints "Unable to <verb> interface <name>: <reason>". */
void report_ipc_error(const char *verb, const char *ifname, int err);

#endif
