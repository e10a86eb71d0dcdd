/* SPDX-License-Identifier: GPL-2.0 */
/* Text of the userspace protocol, kept apart from the socket so it can be tested. */
#ifndef WG_UAPI_PARSE_H
#define WG_UAPI_PARSE_H

#include <stdio.h>
#include "device.h"

/* Parses the answer to get=1. Returns 0, the negated errno= value, or -EPROTO. */
int uapi_parse_get(struct wg_device **out, const char *text, const char *ifname);
/* Writes a complete set=1 request, blank line included. */
void uapi_format_set(FILE *f, const struct wg_device *dev);

#endif
