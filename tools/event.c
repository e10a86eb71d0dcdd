// SPDX-License-Identifier: GPL-2.0
/* kwg's events: parsing, filtering and rendering (see event.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "encoding.h"
#include "event.h"
#include "format.h"
#include "nlmsg.h"

static const struct {
	uint8_t cmd;
	const char *name;
} kinds[] = {
	{ WG_EVENT_LOST, "events-lost" },
	{ WG_CMD_EVENT_PEER_ADDED, "peer-added" },
	{ WG_CMD_EVENT_PEER_REMOVED, "peer-removed" },
	{ WG_CMD_EVENT_PEER_CHANGED, "peer-changed" },
	{ WG_CMD_EVENT_DEVICE_CHANGED, "interface-changed" },
	{ WG_CMD_EVENT_HANDSHAKE_COMPLETED, "handshake-completed" },
	{ WG_CMD_EVENT_KEYS_EXPIRED, "keys-expired" },
	{ WG_CMD_EVENT_ENDPOINT_CHANGED, "endpoint-changed" },
};

/* The names are those of the `wg set' arguments that make the change. */
static const struct change_name {
	uint32_t bit;
	const char *name;
} device_changes[] = {
	{ WGDEVICE_C_PRIVATE_KEY, "private-key" },
	{ WGDEVICE_C_LISTEN_PORT, "listen-port" },
	{ WGDEVICE_C_FWMARK, "fwmark" },
	{ WGDEVICE_C_PEERS_REPLACED, "peers-replaced" },
	{ 0, NULL }
}, peer_changes[] = {
	{ WGPEER_C_PRESHARED_KEY, "preshared-key" },
	{ WGPEER_C_ENDPOINT, "endpoint" },
	{ WGPEER_C_PERSISTENT_KEEPALIVE, "persistent-keepalive" },
	{ WGPEER_C_ALLOWEDIPS, "allowed-ips" },
	{ WGPEER_C_NAME, "name" },
	{ 0, NULL }
};

const char *const event_env_names[] = {
	"WG_EVENT", "WG_TIME", "WG_INTERFACE", "WG_IFINDEX", "WG_PEER", "WG_PEER_NAME",
	"WG_ENDPOINT", "WG_OLD_ENDPOINT", "WG_LATEST_HANDSHAKE", "WG_CHANGES", "WG_PORTID",
	"WG_SUPPRESSED", NULL
};

const char *event_kind(uint8_t cmd)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].cmd == cmd)
			return kinds[i].name;
	return NULL;
}

/* Made by an administrator's request (or the kernel acting for one). */
static bool is_admin(uint8_t cmd)
{
	return cmd >= WG_CMD_EVENT_PEER_ADDED && cmd <= WG_CMD_EVENT_DEVICE_CHANGED;
}

/* Authenticated protocol events, rate-limited: they count what was not sent. */
static bool is_protocol(uint8_t cmd)
{
	return cmd >= WG_CMD_EVENT_HANDSHAKE_COMPLETED && cmd < __WG_CMD_EVENT_LAST;
}

static bool is_change(uint8_t cmd)
{
	return cmd == WG_CMD_EVENT_PEER_CHANGED || cmd == WG_CMD_EVENT_DEVICE_CHANGED;
}

static int get_u32(const struct nlattr *attr, uint32_t *out)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return -EBADMSG;
	*out = mnl_attr_get_u32(attr);
	return 0;
}

/* What a peer nest of an event has beyond what a dump's has. */
static int parse_event_peer(struct wg_event *ev, const struct nlattr *nest, uint32_t *changes)
{
	const struct nlattr *attr;
	int err = nlmsg_parse_peer(&ev->peer, nest);

	if (err)
		return err;
	mnl_attr_for_each_nested(attr, nest) {
		uint16_t len = mnl_attr_get_payload_len(attr);
		const struct sockaddr *sa = mnl_attr_get_payload(attr);

		switch (mnl_attr_get_type(attr)) {
		case WGPEER_A_LAST_HANDSHAKE_TIME:
			ev->has |= WG_EVENT_HAS_HANDSHAKE;
			break;
		case WGPEER_A_EVENT_OLD_ENDPOINT:
			if ((len == sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) ||
			    (len == sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6))
				memcpy(&ev->old_endpoint, sa, len);
			else
				return -EBADMSG;
			break;
		case WGPEER_A_EVENT_CHANGES:
			if (get_u32(attr, changes))
				return -EBADMSG;
			break;
		}
	}
	return 0;
}

int event_parse(struct wg_event *ev, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr, *pn;
	uint32_t device_mask = 0, peer_mask = 0;
	bool have_ifindex = false;
	unsigned int peers = 0;
	int err;

	memset(ev, 0, sizeof(*ev));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return -EBADMSG;
	if (genl->cmd < WG_CMD_EVENT_PEER_ADDED || genl->cmd >= __WG_CMD_EVENT_LAST)
		return -EOPNOTSUPP;
	ev->cmd = genl->cmd;
	mnl_attr_for_each(attr, nlh, sizeof(*genl)) {
		switch (mnl_attr_get_type(attr)) {
		case WGDEVICE_A_IFINDEX:
			if (get_u32(attr, &ev->ifindex))
				return -EBADMSG;
			have_ifindex = true;
			break;
		case WGDEVICE_A_IFNAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
			    mnl_attr_get_payload_len(attr) > IFNAMSIZ)
				return -EBADMSG;
			strcpy(ev->ifname, mnl_attr_get_str(attr));
			/* No interface name has these (the kernel refuses
			 * them), so none breaks a line or a variable. */
			for (const char *c = ev->ifname; *c; c++)
				if (isspace((unsigned char)*c) || *c == '/' || *c == ':')
					return -EBADMSG;
			break;
		case WGDEVICE_A_EVENT_PORTID:
			if (get_u32(attr, &ev->portid))
				return -EBADMSG;
			break;
		case WGDEVICE_A_EVENT_CHANGES:
			if (get_u32(attr, &device_mask))
				return -EBADMSG;
			break;
		case WGDEVICE_A_EVENT_SUPPRESSED:
			if (get_u32(attr, &ev->suppressed))
				return -EBADMSG;
			break;
		case WGDEVICE_A_PEERS:
			mnl_attr_for_each_nested(pn, attr) {
				/* Exactly one peer: a second would be an event
				 * about someone else under the first one's key. */
				if (peers++)
					return -EBADMSG;
				err = parse_event_peer(ev, pn, &peer_mask);
				if (err)
					return err;
			}
			break;
		}
	}
	if (!have_ifindex || !ev->ifname[0])
		return -EBADMSG;
	if (ev->cmd == WG_CMD_EVENT_DEVICE_CHANGED) {
		if (peers)
			return -EBADMSG;
		ev->changes = device_mask;
	} else {
		if (!peers)
			return -EBADMSG;
		ev->has |= WG_EVENT_HAS_PEER;
		ev->changes = peer_mask;
	}
	return 0;
}

void event_clear(struct wg_event *ev)
{
	peer_clear(&ev->peer);
	memset(ev, 0, sizeof(*ev));
}

bool event_filter_match(struct event_filter *f, const struct wg_event *ev)
{
	if (!f->ifname[0] || ev->cmd == WG_EVENT_LOST)
		return true;
	if (!strcmp(ev->ifname, f->ifname)) {
		f->ifindex = ev->ifindex;
		return true;
	}
	return f->ifindex && ev->ifindex == f->ifindex;
}

/* The changes as names joined by sep (each quoted for JSON); a bit this
 * wg has no name for as its hexadecimal value. */
static void put_changes(FILE *f, const struct wg_event *ev, const char *sep, bool json)
{
	const struct change_name *names = ev->cmd == WG_CMD_EVENT_DEVICE_CHANGED ? device_changes :
					  peer_changes;
	bool first = true;

	for (unsigned int b = 0; b < 32; b++) {
		uint32_t bit = 1U << b;
		const char *name = NULL;

		if (!(ev->changes & bit))
			continue;
		for (const struct change_name *n = names; n->name; n++)
			if (n->bit == bit)
				name = n->name;
		fputs(first ? "" : sep, f);
		first = false;
		if (name)
			fprintf(f, json ? "\"%s\"" : "%s", name);
		else
			fprintf(f, json ? "\"0x%" PRIx32 "\"" : "0x%" PRIx32, bit);
	}
}

/* 2026-01-30T12:34:56.123+01:00, in local time. */
static void put_local_time(FILE *f, const struct timespec *ts)
{
	time_t t = ts->tv_sec;
	char date[32], zone[8];
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) ||
	    strftime(zone, sizeof(zone), "%z", &tm) != 5) {
		fprintf(f, "%lld.%03ld", (long long)ts->tv_sec, ts->tv_nsec / 1000000);
		return;
	}
	fprintf(f, "%s.%03ld%.3s:%s", date, ts->tv_nsec / 1000000, zone, zone + 3);
}

void event_format_line(FILE *f, const struct wg_event *ev)
{
	char b64[WG_KEY_B64_LEN + 1], ep[ENDPOINT_STRLEN];

	put_local_time(f, &ev->time);
	if (ev->cmd == WG_EVENT_LOST) {
		fputs(" events-lost\n", f);
		return;
	}
	fprintf(f, " %s %s", ev->ifname, event_kind(ev->cmd));
	if (ev->has & WG_EVENT_HAS_PEER) {
		key_to_base64(b64, ev->peer.public_key);
		fprintf(f, " peer: %s", b64);
		if (ev->peer.has & WGPEER_HAS_NAME)
			fprintf(f, " (%s)", ev->peer.name);
	}
	format_endpoint(ep, sizeof(ep), &ev->peer.endpoint);
	if (ep[0])
		fprintf(f, " endpoint: %s", ep);
	format_endpoint(ep, sizeof(ep), &ev->old_endpoint);
	if (ep[0])
		fprintf(f, " (was %s)", ep);
	if (is_change(ev->cmd)) {
		fputs(" changed: ", f);
		if (ev->changes)
			put_changes(f, ev, ",", false);
		else
			fputs("(none)", f);
	}
	if (is_admin(ev->cmd))
		fprintf(f, " portid: %" PRIu32, ev->portid);
	if (ev->suppressed)
		fprintf(f, " suppressed: %" PRIu32, ev->suppressed);
	fputc('\n', f);
}

static void json_endpoint(FILE *f, const union wg_endpoint *e)
{
	char ep[ENDPOINT_STRLEN];

	format_endpoint(ep, sizeof(ep), e);
	if (ep[0])
		format_json_string(f, ep);
	else
		fputs("null", f);
}

void event_format_json(FILE *f, const struct wg_event *ev)
{
	char b64[WG_KEY_B64_LEN + 1];
	bool lost = ev->cmd == WG_EVENT_LOST;

	fprintf(f, "{\"schema\": 1, \"event\": \"%s\", \"time\": %lld.%03ld", event_kind(ev->cmd),
		(long long)ev->time.tv_sec, ev->time.tv_nsec / 1000000);
	fputs(", \"interface\": ", f);
	if (lost)
		fputs("null, \"ifindex\": null", f);
	else {
		format_json_string(f, ev->ifname);
		fprintf(f, ", \"ifindex\": %" PRIu32, ev->ifindex);
	}
	if (is_admin(ev->cmd))
		fprintf(f, ", \"portid\": %" PRIu32, ev->portid);
	else
		fputs(", \"portid\": null", f);
	fputs(", \"changes\": ", f);
	if (is_change(ev->cmd)) {
		fputc('[', f);
		put_changes(f, ev, ", ", true);
		fputc(']', f);
	} else {
		fputs("null", f);
	}
	if (is_protocol(ev->cmd))
		fprintf(f, ", \"suppressed\": %" PRIu32, ev->suppressed);
	else
		fputs(", \"suppressed\": null", f);
	fputs(", \"peer\": ", f);
	if (!(ev->has & WG_EVENT_HAS_PEER)) {
		fputs("null}\n", f);
		return;
	}
	key_to_base64(b64, ev->peer.public_key);
	fprintf(f, "{\"public_key\": \"%s\", \"name\": ", b64);
	if (ev->peer.has & WGPEER_HAS_NAME)
		format_json_string(f, ev->peer.name);
	else
		fputs("null", f);
	fputs(", \"endpoint\": ", f);
	json_endpoint(f, &ev->peer.endpoint);
	fputs(", \"old_endpoint\": ", f);
	json_endpoint(f, &ev->old_endpoint);
	if (ev->has & WG_EVENT_HAS_HANDSHAKE)
		fprintf(f, ", \"latest_handshake\": %" PRId64 "}}\n", ev->peer.last_handshake_sec);
	else
		fputs(", \"latest_handshake\": null}}\n", f);
}

static bool __attribute__((format(printf, 3, 4)))
env_add(char **env, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&env[*n], fmt, ap);
	va_end(ap);
	if (ret < 0) {
		env[*n] = NULL;
		return false;
	}
	(*n)++;
	return true;
}

char **event_environment(const struct wg_event *ev)
{
	size_t n = 0, max = sizeof(event_env_names) / sizeof(event_env_names[0]);
	char **env = calloc(max, sizeof(*env));
	char b64[WG_KEY_B64_LEN + 1], ep[ENDPOINT_STRLEN], *changes = NULL;
	size_t changes_len = 0;
	bool ok;

	if (!env)
		return NULL;
	ok = env_add(env, &n, "WG_EVENT=%s", event_kind(ev->cmd)) &&
	     env_add(env, &n, "WG_TIME=%lld.%03ld", (long long)ev->time.tv_sec,
		     ev->time.tv_nsec / 1000000);
	if (ok && ev->cmd != WG_EVENT_LOST)
		ok = env_add(env, &n, "WG_INTERFACE=%s", ev->ifname) &&
		     env_add(env, &n, "WG_IFINDEX=%" PRIu32, ev->ifindex);
	if (ok && (ev->has & WG_EVENT_HAS_PEER)) {
		key_to_base64(b64, ev->peer.public_key);
		ok = env_add(env, &n, "WG_PEER=%s", b64);
	}
	if (ok && (ev->peer.has & WGPEER_HAS_NAME))
		ok = env_add(env, &n, "WG_PEER_NAME=%s", ev->peer.name);
	format_endpoint(ep, sizeof(ep), &ev->peer.endpoint);
	if (ok && ep[0])
		ok = env_add(env, &n, "WG_ENDPOINT=%s", ep);
	format_endpoint(ep, sizeof(ep), &ev->old_endpoint);
	if (ok && ep[0])
		ok = env_add(env, &n, "WG_OLD_ENDPOINT=%s", ep);
	if (ok && (ev->has & WG_EVENT_HAS_HANDSHAKE))
		ok = env_add(env, &n, "WG_LATEST_HANDSHAKE=%" PRId64, ev->peer.last_handshake_sec);
	if (ok && is_change(ev->cmd)) {
		FILE *f = open_memstream(&changes, &changes_len);

		ok = f != NULL;
		if (ok) {
			put_changes(f, ev, ",", false);
			ok = !fclose(f) && env_add(env, &n, "WG_CHANGES=%s", changes);
		}
		free(changes);
	}
	if (ok && is_admin(ev->cmd))
		ok = env_add(env, &n, "WG_PORTID=%" PRIu32, ev->portid);
	if (ok && is_protocol(ev->cmd))
		ok = env_add(env, &n, "WG_SUPPRESSED=%" PRIu32, ev->suppressed);
	if (!ok) {
		event_environment_free(env);
		return NULL;
	}
	return env;
}

void event_environment_free(char **env)
{
	if (!env)
		return;
	for (char **e = env; *e; e++)
		free(*e);
	free(env);
}
