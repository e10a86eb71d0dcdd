/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KWG_DEVICE_H
#define _KWG_DEVICE_H

#include <linux/netdevice.h>
#include <linux/mutex.h>
#include <linux/list.h>
#include <net/net_namespace.h>

struct wg_device {
	struct net_device *dev;
	/*
	 * The namespace the device was created in. Its UDP sockets live
	 * there for the device's whole life, even after the device moves to
	 * another namespace; the device dies with this namespace. No
	 * reference is held: the pernet exit hook removes the device first.
	 */
	struct net *creating_net;
	/* Serialises configuration changes; packet paths never take it. */
	struct mutex device_update_lock;
	struct list_head device_list;	/* under RTNL */
	u16 incoming_port;
	u32 fwmark;
};

int wg_device_init(void);
void wg_device_uninit(void);

#endif /* _KWG_DEVICE_H */
