/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernel series kwg builds against (Debian's
 * 6.1 and 6.12) lives here, and nothing else does.
 */
#ifndef _KWG_COMPAT_H
#define _KWG_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#include <net/gso.h>
#endif

/* 6.6 moved the parsed dump attributes into a struct genl_info. */
static inline struct nlattr **kwg_genl_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* 6.12 turned NETIF_F_LLTX into a flag of its own. */
static inline void kwg_set_lltx(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

#endif /* _KWG_COMPAT_H */
