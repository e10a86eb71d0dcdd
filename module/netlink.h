/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic-netlink family "wireguard" (uapi/wireguard.h): GET_DEVICE
 * dumps a device in parts, SET_DEVICE changes it, both under the rules of
 * docs/protocol.md's UAPI section. Requests need CAP_NET_ADMIN in the
 * device's namespace; a SET takes RTNL and the device's
 * device_update_lock, dumps only the latter, packet paths neither.
 */
#ifndef _KWG_NETLINK_H
#define _KWG_NETLINK_H

/* Register the family. Module init; returns 0 or a negative errno. */
int wg_genetlink_init(void);

/* Unregister it. Module exit, first: no request races the teardown. */
void wg_genetlink_uninit(void);

#endif /* _KWG_NETLINK_H */
