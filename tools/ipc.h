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
enum ipc_names {
	IPC_NAMES_STORED,	/* kwg's module */
	IPC_NAMES_USERSPACE,	/* wireguard-go and the like: no names in their protocol */
	IPC_NAMES_OLD_MODULE,	/* a module without them, such as the in-tree one */
};
/* Whether the implementation behind ifname stores peer names: one of
 * IPC_NAMES_*, or a negative errno when ifname is no WireGuard device. */
int ipc_peer_names(const char *ifname);
/* Turns an errno from the functions above into a sentence for users. */
const char *ipc_strerror(int err);
/* A detailed reason given by the kernel for the last failure, or NULL. */
const char *ipc_last_detail(void);

/*
 * kwg's events, which only its module announces (userspace implementations
 * have none): a socket joined to the family's event group, which follows
 * the module when it is unloaded and loaded again.
 */
struct nlmsghdr;
struct netlink_events;
struct netlink_events_ops {
	/* One message of the event group. */
	void (*event)(const struct nlmsghdr *nlh, void *data);
	/* The module went away (loaded false), or came back: err is 0 when
	 * its events are joined again, else a negative errno as from
	 * netlink_events_open(). */
	void (*module)(bool loaded, int err, void *data);
};
/* -ENOENT: no WireGuard module; -ENOPROTOOPT: it announces no events;
 * -EPERM: not allowed to listen to them. */
int netlink_events_open(struct netlink_events **ev);
int netlink_events_fd(const struct netlink_events *ev);
/* Reads what one datagram brings. Returns 0, -ENOBUFS when events were
 * lost (the socket overflowed; reading goes on), or another negative errno. */
int netlink_events_read(struct netlink_events *ev, const struct netlink_events_ops *ops, void *data);
void netlink_events_close(struct netlink_events *ev);

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
/* Whether ifname is a kernel WireGuard link (in this network namespace). */
bool netlink_is_wireguard(const char *ifname);
bool netlink_supports_allowedip_removal(void);
int netlink_peer_names(const char *ifname);
const char *netlink_last_detail(void);
bool netlink_feature_unsupported(void);

#endif
