// SPDX-License-Identifier: GPL-2.0
/* Chooses the backend for a device and names errors for users. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"

int name_list_add(struct name_list *list, const char *name)
{
	if (strlen(name) >= IFNAMSIZ)
		return 0;
	for (size_t i = 0; i < list->len; i++)
		if (!strcmp(list->names[i], name))
			return 0;
	if (list->len == list->cap) {
		size_t ncap = list->cap ? list->cap * 2 : 16;
		void *n = realloc(list->names, ncap * sizeof(*list->names));

		if (!n)
			return -ENOMEM;
		list->names = n;
		list->cap = ncap;
	}
	strcpy(list->names[list->len++], name);
	return 0;
}

void name_list_free(struct name_list *list)
{
	free(list->names);
	memset(list, 0, sizeof(*list));
}

static bool valid_name(const char *ifname)
{
	size_t len = strlen(ifname);

	return len && len < IFNAMSIZ && !strchr(ifname, '/') &&
	       strcmp(ifname, ".") && strcmp(ifname, "..");
}

/* Which implementation serves ifname: 1 a userspace one (UAPI socket),
 * 0 the kernel, or a negative errno. */
static int backend_of(const char *ifname)
{
	if (!valid_name(ifname))
		return -ENODEV;
	return uapi_probe(ifname);
}

int ipc_get_device(struct wg_device **dev, const char *ifname)
{
	int u = backend_of(ifname);

	if (u < 0)
		return u;
	if (u)
		return uapi_get_device(dev, ifname);
	return netlink_get_device(dev, ifname);
}

int ipc_set_device(struct wg_device *dev)
{
	int u = backend_of(dev->name);

	if (u < 0)
		return u;
	if (u)
		return uapi_set_device(dev);
	return netlink_set_device(dev);
}

int ipc_list_devices(struct name_list *list)
{
	int ret = netlink_list_devices(list);

	/* A host without any kernel WireGuard support still lists
	 * userspace devices. */
	if (ret && ret != -EPROTONOSUPPORT && ret != -ENOENT)
		return ret;
	return uapi_list_devices(list);
}

bool ipc_supports_allowedip_removal(const char *ifname)
{
	if (uapi_has_device(ifname))
		return false;
	return netlink_supports_allowedip_removal();
}

int ipc_peer_names(const char *ifname)
{
	int u = backend_of(ifname);

	if (u < 0)
		return u;
	if (u)
		return IPC_NAMES_USERSPACE;
	return netlink_peer_names(ifname);
}

const char *ipc_last_detail(void)
{
	return netlink_last_detail();
}

const char *ipc_strerror(int err)
{
	switch (-err) {
	case ENODEV:
		return "No such device";
	case EOPNOTSUPP:
		return netlink_feature_unsupported() ? "Operation not supported by this WireGuard implementation" :
		       "Not a WireGuard device";
	case EPROTONOSUPPORT:
		return "WireGuard is not available in this kernel (module not loaded?)";
	case EPERM:
	case EACCES:
		return "Permission denied (CAP_NET_ADMIN is needed)";
	default:
		return strerror(-err);
	}
}
