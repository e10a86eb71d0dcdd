/* SPDX-License-Identifier: GPL-2.0 */
/* Configuration files and `wg set' arguments, parsed into a struct wg_device. */
#ifndef WG_CONFIG_H
#define WG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "device.h"

/* The fuzzer turns name resolution off so that it never waits on DNS. */
extern bool config_resolve_names;
/* The fuzzer and some tests silence the error messages. */
extern bool config_quiet;

/*
 * Parses a whole configuration file held in buf. Every peer gets
 * WGPEER_F_REPLACE_ALLOWEDIPS: a file states a peer's complete list.
 * Returns NULL after printing "file:line: reason" on the first error.
 */
struct wg_device *config_parse_buffer(const char *buf, size_t len, const char *filename);
struct wg_device *config_parse_file(const char *path);

/*
 * Parses `wg set' arguments (after the interface name). Returns NULL after
 * printing the reason. An allowed-ips list with '+'/'-' prefixes leaves
 * REPLACE_ALLOWEDIPS off; '-' entries carry WGALLOWEDIP_F_REMOVE_ME.
 */
struct wg_device *config_parse_args(int argc, char **argv);

/* Individual value parsers, shared by both and by the tests. */
bool parse_port(uint16_t *port, const char *s);
bool parse_fwmark(uint32_t *mark, const char *s);
bool parse_keepalive(uint16_t *interval, const char *s);
/* "addr" or "addr/cidr"; sets family, address, cidr. */
bool parse_allowedip(struct wg_allowedip *ip, const char *s);
/* Returns 0 or a static string naming the problem. */
const char *parse_endpoint(union wg_endpoint *ep, const char *s);
/* Reads a base64 key from a file; an empty file (such as /dev/null) gives
 * the all-zero key, which removes the key. */
bool read_key_file(uint8_t key[WG_KEY_LEN], const char *path);

#endif
