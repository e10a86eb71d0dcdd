/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kwg's events (uapi/wireguard.h): the messages of the family's
 * "kwg-events" group parsed, filtered by interface, and rendered as a
 * line, a JSON object or a hook's environment, without any socket, so
 * that the host tests and the fuzzer see exactly what wg monitor does.
 */
#ifndef WG_EVENT_H
#define WG_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <linux/netlink.h>
#include "device.h"

/* Not a kernel event: the socket overflowed and some were never read. */
#define WG_EVENT_LOST 0

enum {
	WG_EVENT_HAS_PEER = 1U << 0,
	WG_EVENT_HAS_HANDSHAKE = 1U << 1,	/* peer.last_handshake_* */
};

/* Absent numbers are 0: a portid of 0 means the kernel acted itself. */
struct wg_event {
	uint8_t cmd;		/* WG_CMD_EVENT_*, or WG_EVENT_LOST */
	uint32_t has;		/* WG_EVENT_HAS_* */
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint32_t portid;
	uint32_t changes;	/* wgdevice_change or wgpeer_change, by cmd */
	uint32_t suppressed;
	/* Its public key and name, endpoint, latest handshake. */
	struct wg_peer peer;
	union wg_endpoint old_endpoint;	/* sa_family 0: none */
	struct timespec time;	/* when it was read (CLOCK_REALTIME) */
};

/*
 * Reads one message of the event group into ev (time is left to the
 * caller). Returns 0; -EOPNOTSUPP for a command this wg does not know,
 * to be skipped; -EBADMSG for a malformed message. Either way, release
 * ev with event_clear().
 */
int event_parse(struct wg_event *ev, const struct nlmsghdr *nlh);
void event_clear(struct wg_event *ev);

/* Which interface wg monitor follows: by name, and by the index last seen
 * with that name, so that it is still followed after a rename. */
struct event_filter {
	char ifname[IFNAMSIZ];	/* empty: every interface */
	uint32_t ifindex;	/* 0: none seen yet */
};

/* Whether ev is for the followed interface; lost events always are. */
bool event_filter_match(struct event_filter *f, const struct wg_event *ev);

/* "handshake-completed" and so on; NULL for an unknown command. */
const char *event_kind(uint8_t cmd);

/* One line, newline included: time, interface, kind, then the details. */
void event_format_line(FILE *f, const struct wg_event *ev);
/* One JSON object on one line (docs/json.md), newline included. */
void event_format_json(FILE *f, const struct wg_event *ev);

/* Every variable a hook may get; a hook's environment has none of them
 * but those event_environment() sets. */
extern const char *const event_env_names[];
/* The hook's variables for ev, "NAME=value" strings in a NULL-terminated
 * array; NULL when out of memory. Free with event_environment_free(). */
char **event_environment(const struct wg_event *ev);
void event_environment_free(char **env);

#endif
