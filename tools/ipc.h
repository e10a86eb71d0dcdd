/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one interface between wg(8) and a WireGuard implementation. A device
 * with a listening /var/run/wireguard/<name>.sock is driven through the
 * userspace text protocol, every other device through generic netlink.
 */
#ifndef WG_IPC_H
#define WG_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include "device.h"

struct name_list {
	char (*names)[IFNAMSIZ];
	size_t len, cap;
};

/* All return 0 or a negative errno. */
int ipc_get_device(struct wg_device **dev, const char *ifname);
/* dev->name names the device. */
int ipc_set_device(struct wg_device *dev);
int ipc_list_devices(struct name_list *list);
/* Whether removing single allowed IPs (WGALLOWEDIP_F_REMOVE_ME) is
 * understood; when it is not, callers must replace the list instead. */
bool ipc_supports_allowedip_removal(const char *ifname);
/* Turns an errno from the functions above into a sentence for users. */
const char *ipc_strerror(int err);
/* A detailed reason given by the kernel for the last failure, or NULL. */
const char *ipc_last_detail(void);

int name_list_add(struct name_list *list, const char *name);
void name_list_free(struct name_list *list);

/* Backends. */
bool uapi_has_device(const char *ifname);
/* 1: a userspace device, 0: none, negative errno: present but not usable. */
int uapi_probe(const char *ifname);
int uapi_get_device(struct wg_device **dev, const char *ifname);
int uapi_set_device(struct wg_device *dev);
int uapi_list_devices(struct name_list *list);

int netlink_get_device(struct wg_device **dev, const char *ifname);
int netlink_set_device(struct wg_device *dev);
int netlink_list_devices(struct name_list *list);
bool netlink_supports_allowedip_removal(void);
const char *netlink_last_detail(void);
bool netlink_feature_unsupported(void);

#endif
