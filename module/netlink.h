/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KWG_NETLINK_H
#define _KWG_NETLINK_H

int wg_genetlink_init(void);
void wg_genetlink_uninit(void);

#endif /* _KWG_NETLINK_H */
