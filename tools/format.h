/* SPDX-License-Identifier: GPL-2.0 */
/* Every textual rendering of a struct wg_device: pretty, dump, fields, showconf, JSON. */
#ifndef WG_FORMAT_H
#define WG_FORMAT_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "device.h"

#define ENDPOINT_STRLEN (INET6_ADDRSTRLEN + IFNAMSIZ + 16)
#define ALLOWEDIP_STRLEN (INET6_ADDRSTRLEN + 8)

struct format_opts {
	bool color;		/* ANSI colours in the pretty output */
	bool hide_keys;		/* private and preshared keys as "(hidden)" */
	int64_t now;		/* wall clock for "... ago" */
};

/* "1.2.3.4:51820" or "[fe80::1%eth0]:51820"; "" when there is none or
 * when len is below ENDPOINT_STRLEN. */
void format_endpoint(char *buf, size_t len, const union wg_endpoint *ep);
/* "10.0.0.0/8"; "" when len is below ALLOWEDIP_STRLEN. */
void format_allowedip(char *buf, size_t len, const struct wg_allowedip *ip);
/* "1 hour, 2 minutes, 3 seconds" */
void format_duration(FILE *f, uint64_t seconds, bool color);
/* "4.21 MiB" */
void format_bytes(FILE *f, uint64_t bytes, bool color);
/* "2 seconds ago", "Now", or a warning about a clock that went backwards. */
void format_ago(FILE *f, int64_t then, int64_t now, bool color);

void format_pretty(FILE *f, const struct wg_device *dev, const struct format_opts *o);
/* prefix: start each line with the interface name and a tab (`show all'). */
void format_dump(FILE *f, const struct wg_device *dev, bool prefix);
/* One of the `wg show <if> <field>' fields; false for an unknown field. */
bool format_field(FILE *f, const struct wg_device *dev, const char *field, bool prefix);
bool format_field_valid(const char *field);
/* portable: only what every wg reads (no peer names). */
void format_showconf(FILE *f, const struct wg_device *dev, bool portable);
/* The documented schema of docs/json.md. */
void format_json(FILE *f, struct wg_device *const *devs, size_t n, const struct format_opts *o);
/* s as a quoted JSON string. */
void format_json_string(FILE *f, const char *s);

#endif
