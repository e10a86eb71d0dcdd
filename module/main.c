// SPDX-License-Identifier: GPL-2.0
/*
 * kwg: an independent implementation of WireGuard for Linux.
 */

#include <linux/module.h>
#include <linux/init.h>
#include <net/rtnetlink.h>
#include <net/genetlink.h>

#include "allowedips.h"
#include "device.h"
#include "netlink.h"
#include "wireguard.h"

static int __init wg_mod_init(void)
{
	int ret;

	ret = wg_allowedips_module_init();
	if (ret < 0)
		return ret;

	ret = wg_device_init();
	if (ret < 0)
		goto err_allowedips;

	ret = wg_genetlink_init();
	if (ret < 0)
		goto err_device;

	pr_info("kwg WireGuard module loaded\n");
	return 0;

err_device:
	wg_device_uninit();
err_allowedips:
	wg_allowedips_module_uninit();
	return ret;
}

static void __exit wg_mod_exit(void)
{
	/* Netlink first, so that no new configuration races the teardown. */
	wg_genetlink_uninit();
	wg_device_uninit();
	wg_allowedips_module_uninit();
}

module_init(wg_mod_init);
module_exit(wg_mod_exit);
MODULE_LICENSE("GPL v2");
MODULE_DESCRIPTION("kwg: WireGuard secure network tunnel");
MODULE_AUTHOR("kwg developers");
MODULE_VERSION("1.1.0");
MODULE_ALIAS_RTNL_LINK("wireguard");
MODULE_ALIAS_GENL_FAMILY(WG_GENL_NAME);
