// SPDX-License-Identifier: GPL-2.0
/* wg set, and the one place where a description is applied to a device. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ipc.h"
#include "subcommands.h"

void report_ipc_error(const char *verb, const char *ifname, int err)
{
	const char *detail = ipc_last_detail();

	if (detail)
		fprintf(stderr, "Unable to %s interface %s: %s (%s)\n", verb, ifname,
			ipc_strerror(err), detail);
	else
		fprintf(stderr, "Unable to %s interface %s: %s\n", verb, ifname, ipc_strerror(err));
}

/* Why ifname cannot store peer names, or NULL when it can or when it is
 * no WireGuard device at all (*err: the negative errno that says so).
 * setconf and addconf ask before and while applying a file: the answer,
 * a dump of the family's policy, is kept for the device last asked about. */
static const char *names_unstorable(const char *ifname, int *err)
{
	static char asked[IFNAMSIZ];
	static int support;

	if (!*asked || strcmp(asked, ifname)) {
		support = ipc_peer_names(ifname);
		snprintf(asked, sizeof(asked), "%s", ifname);
	}
	*err = support < 0 ? support : 0;
	if (support == IPC_NAMES_USERSPACE)
		return "this interface is served by a userspace implementation";
	if (support == IPC_NAMES_OLD_MODULE)
		return "this WireGuard module does not store them";
	return NULL;
}

void drop_unstorable_names(struct wg_device *dev, const char *filename)
{
	const char *why;
	int err;

	if (!device_has_names(dev))
		return;
	why = names_unstorable(dev->name, &err);
	/* Without a device, applying the file will say so. */
	if (!why)
		return;
	fprintf(stderr, "%s: warning: Name ignored: peer names need the kwg module (%s)\n",
		filename, why);
	for (size_t i = 0; i < dev->num_peers; i++) {
		dev->peers[i].has &= ~WGPEER_HAS_NAME;
		memset(dev->peers[i].name, 0, sizeof(dev->peers[i].name));
	}
}

static bool needs_removal(const struct wg_peer *p)
{
	for (size_t i = 0; i < p->num_ips; i++)
		if (p->ips[i].flags & WGALLOWEDIP_F_REMOVE_ME)
			return true;
	return false;
}

int apply_device(struct wg_device *dev, const char *verb)
{
	struct wg_device *current = NULL;
	const char *why;
	bool any = false;
	int err;

	if (device_has_names(dev)) {
		why = names_unstorable(dev->name, &err);
		if (err) {
			report_ipc_error(verb, dev->name, err);
			return 1;
		}
		if (why) {
			fprintf(stderr, "Unable to %s interface %s: peer names need the kwg module (%s)\n",
				verb, dev->name, why);
			return 1;
		}
	}
	for (size_t i = 0; i < dev->num_peers; i++)
		any |= needs_removal(&dev->peers[i]);
	if (any && !ipc_supports_allowedip_removal(dev->name)) {
		/* Without WGALLOWEDIP_F_REMOVE_ME the flag would be ignored
		 * and the entry added: replace the peer's list instead. */
		err = ipc_get_device(&current, dev->name);
		if (err) {
			report_ipc_error(verb, dev->name, err);
			return 1;
		}
		for (size_t i = 0; i < dev->num_peers; i++) {
			struct wg_peer *p = &dev->peers[i];

			if (!needs_removal(p) || (p->flags & WGPEER_F_REMOVE_ME))
				continue;
			err = peer_edit_to_replacement(p, device_find_peer(current, p->public_key));
			if (err) {
				device_free(current);
				report_ipc_error(verb, dev->name, err);
				return 1;
			}
		}
		device_free(current);
	}
	err = ipc_set_device(dev);
	if (err) {
		report_ipc_error(verb, dev->name, err);
		return 1;
	}
	return 0;
}

int cmd_set(int argc, char **argv)
{
	struct wg_device *dev;
	int ret;

	dev = config_parse_args(argc - 2, argv + 2);
	if (!dev)
		return 1;
	strcpy(dev->name, argv[1]);
	ret = apply_device(dev, "modify");
	device_free(dev);
	return ret;
}
