/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernel series kwg builds against (Debian's
 * 6.1 and 6.12) lives here, and nothing else does.
 */
#ifndef _KWG_COMPAT_H
#define _KWG_COMPAT_H

#include <linux/netdevice.h>

/*
 * Feature tests rather than version numbers, so that a distribution
 * kernel with backports builds too.
 */

/*
 * 6.4 moved the GSO helpers (skb_gso_segment) out of netdevice.h;
 * module/Kbuild defines KWG_HAVE_NET_GSO_H when the header exists.
 */
#ifdef KWG_HAVE_NET_GSO_H
#include <net/gso.h>
#endif

/* 6.12 turned NETIF_F_LLTX into a flag of its own. */
static inline void kwg_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

#endif /* _KWG_COMPAT_H */
