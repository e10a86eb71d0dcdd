// SPDX-License-Identifier: GPL-2.0
/*
 * Output formats. The pretty, dump, field and showconf formats are what
 * users and scripts already know from wireguard-tools, byte for byte; the
 * JSON format is ours and documented in docs/json.md.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "format.h"

#define RESET "\x1b[0m"
#define BOLD "\x1b[1m"
#define GREEN "\x1b[32m"
#define YELLOW "\x1b[33m"
#define CYAN "\x1b[36m"

/* Decimal digits of v, ending at end (not terminated); returns the first. */
static char *decimal(char *end, uint64_t v)
{
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

/* Appends ":PORT" (or "/CIDR") at p, terminated; returns the end. */
static char *append_number(char *p, char sep, unsigned int v)
{
	char digits[10], *d = decimal(digits + sizeof(digits), v);
	size_t n = (size_t)(digits + sizeof(digits) - d);

	*p++ = sep;
	memcpy(p, d, n);
	p[n] = '\0';
	return p + n;
}

/*
 * By hand rather than with snprintf(): `wg show` of 10,000 peers spent
 * most of its printing time parsing format strings.
 */
void format_endpoint(char *buf, size_t len, const union wg_endpoint *ep)
{
	char host[INET6_ADDRSTRLEN + IFNAMSIZ + 2], serv[8];

	if (len < ENDPOINT_STRLEN) {
		if (len)
			buf[0] = '\0';
		return;
	}
	buf[0] = '\0';
	if (ep->addr.sa_family == AF_INET) {
		if (!inet_ntop(AF_INET, &ep->addr4.sin_addr, buf, (socklen_t)len))
			return;
		append_number(buf + strlen(buf), ':', ntohs(ep->addr4.sin_port));
		return;
	}
	if (ep->addr.sa_family != AF_INET6)
		return;
	/* getnameinfo() names a link-local address's scope (%eth0). */
	if (getnameinfo(&ep->addr, sizeof(ep->addr6), host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV))
		return;
	snprintf(buf, len, "[%s]:%s", host, serv);
}

void format_allowedip(char *buf, size_t len, const struct wg_allowedip *ip)
{
	if (len < ALLOWEDIP_STRLEN) {
		if (len)
			buf[0] = '\0';
		return;
	}
	if (!inet_ntop(ip->family, ip->family == AF_INET6 ? (const void *)&ip->ip6 :
		       (const void *)&ip->ip4, buf, (socklen_t)len))
		strcpy(buf, "?");
	append_number(buf + strlen(buf), '/', ip->cidr);
}

static void unit(FILE *f, bool color, const char *name)
{
	if (color)
		fprintf(f, CYAN "%s" RESET, name);
	else
		fputs(name, f);
}

void format_duration(FILE *f, uint64_t seconds, bool color)
{
	static const struct {
		uint64_t len;
		const char *one, *many;
	} units[] = {
		{ 365ULL * 24 * 60 * 60, "year", "years" },
		{ 24 * 60 * 60, "day", "days" },
		{ 60 * 60, "hour", "hours" },
		{ 60, "minute", "minutes" },
		{ 1, "second", "seconds" },
	};
	bool first = true;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t n = seconds / units[i].len;

		if (!n)
			continue;
		seconds %= units[i].len;
		fprintf(f, "%s%" PRIu64 " ", first ? "" : ", ", n);
		unit(f, color, n == 1 ? units[i].one : units[i].many);
		first = false;
	}
}

void format_ago(FILE *f, int64_t then, int64_t now, bool color)
{
	if (now == then) {
		fputs("Now", f);
	} else if (now < then) {
		fputs("(System clock wound backward; connection problems may ensue.)", f);
	} else {
		format_duration(f, (uint64_t)(now - then), color);
		fputs(" ago", f);
	}
}

void format_bytes(FILE *f, uint64_t bytes, bool color)
{
	static const char *const names[] = { "KiB", "MiB", "GiB", "TiB" };
	double v;
	size_t i;

	if (bytes < 1024) {
		fprintf(f, "%" PRIu64 " ", bytes);
		unit(f, color, "B");
		return;
	}
	v = (double)bytes / 1024;
	for (i = 0; i < 3 && v >= 1024; i++)
		v /= 1024;
	fprintf(f, "%.2f ", v);
	unit(f, color, names[i]);
}

static void field_name(FILE *f, const struct format_opts *o, const char *name)
{
	if (o->color)
		fprintf(f, "  " BOLD "%s" RESET ": ", name);
	else
		fprintf(f, "  %s: ", name);
}

static void pretty_key(FILE *f, const uint8_t key[WG_KEY_LEN], bool hide)
{
	char b64[WG_KEY_B64_LEN + 1];

	if (hide) {
		fputs("(hidden)", f);
		return;
	}
	key_to_base64(b64, key);
	fputs(b64, f);
	secure_zero(b64, sizeof(b64));
}

static int by_handshake(const void *a, const void *b)
{
	const struct wg_peer *const *pa = a, *const *pb = b;
	const struct wg_peer *x = *pa, *y = *pb;

	if (x->last_handshake_sec != y->last_handshake_sec)
		return x->last_handshake_sec < y->last_handshake_sec ? 1 : -1;
	if (x->last_handshake_nsec != y->last_handshake_nsec)
		return x->last_handshake_nsec < y->last_handshake_nsec ? 1 : -1;
	/* Equal times keep the device's order. */
	return x < y ? -1 : x > y;
}

static void pretty_peer(FILE *f, const struct wg_peer *p, const struct format_opts *o)
{
	char buf[ENDPOINT_STRLEN > ALLOWEDIP_STRLEN ? ENDPOINT_STRLEN : ALLOWEDIP_STRLEN];
	char b64[WG_KEY_B64_LEN + 1];

	key_to_base64(b64, p->public_key);
	if (o->color)
		fprintf(f, YELLOW BOLD "peer" RESET ": " YELLOW "%s" RESET, b64);
	else
		fprintf(f, "peer: %s", b64);
	if (p->has & WGPEER_HAS_NAME)
		fprintf(f, " (%s)", p->name);
	fputc('\n', f);
	if (!key_is_zero(p->preshared_key)) {
		field_name(f, o, "preshared key");
		pretty_key(f, p->preshared_key, o->hide_keys);
		fputc('\n', f);
	}
	if (p->endpoint.addr.sa_family) {
		format_endpoint(buf, sizeof(buf), &p->endpoint);
		field_name(f, o, "endpoint");
		fprintf(f, "%s\n", buf);
	}
	field_name(f, o, "allowed ips");
	if (!p->num_ips)
		fputs("(none)", f);
	for (size_t i = 0; i < p->num_ips; i++) {
		char addr[INET6_ADDRSTRLEN];
		const struct wg_allowedip *ip = &p->ips[i];

		if (!inet_ntop(ip->family, ip->family == AF_INET6 ? (const void *)&ip->ip6 :
			       (const void *)&ip->ip4, addr, sizeof(addr)))
			strcpy(addr, "?");
		fprintf(f, "%s%s", i ? ", " : "", addr);
		unit(f, o->color, "/");
		fprintf(f, "%u", ip->cidr);
	}
	fputc('\n', f);
	if (p->last_handshake_sec) {
		field_name(f, o, "latest handshake");
		format_ago(f, p->last_handshake_sec, o->now, o->color);
		fputc('\n', f);
	}
	if (p->rx_bytes || p->tx_bytes) {
		field_name(f, o, "transfer");
		format_bytes(f, p->rx_bytes, o->color);
		fputs(" received, ", f);
		format_bytes(f, p->tx_bytes, o->color);
		fputs(" sent\n", f);
	}
	if (p->keepalive) {
		field_name(f, o, "persistent keepalive");
		fputs("every ", f);
		format_duration(f, p->keepalive, o->color);
		fputc('\n', f);
	}
}

void format_pretty(FILE *f, const struct wg_device *dev, const struct format_opts *o)
{
	const struct wg_peer **sorted;
	char b64[WG_KEY_B64_LEN + 1];

	if (o->color)
		fprintf(f, RESET GREEN BOLD "interface" RESET ": " GREEN "%s" RESET "\n", dev->name);
	else
		fprintf(f, "interface: %s\n", dev->name);
	if (dev->has & WGDEVICE_HAS_PUBLIC_KEY) {
		key_to_base64(b64, dev->public_key);
		field_name(f, o, "public key");
		fprintf(f, "%s\n", b64);
	}
	if (dev->has & WGDEVICE_HAS_PRIVATE_KEY) {
		field_name(f, o, "private key");
		pretty_key(f, dev->private_key, o->hide_keys);
		fputc('\n', f);
	}
	if (dev->listen_port) {
		field_name(f, o, "listening port");
		fprintf(f, "%u\n", dev->listen_port);
	}
	if (dev->fwmark) {
		field_name(f, o, "fwmark");
		fprintf(f, "0x%x\n", dev->fwmark);
	}
	if (!dev->num_peers)
		return;
	/* Most recently active peers first, as people look for them. */
	sorted = malloc(dev->num_peers * sizeof(*sorted));
	if (!sorted) {
		for (size_t i = 0; i < dev->num_peers; i++) {
			fputc('\n', f);
			pretty_peer(f, &dev->peers[i], o);
		}
		return;
	}
	for (size_t i = 0; i < dev->num_peers; i++)
		sorted[i] = &dev->peers[i];
	qsort(sorted, dev->num_peers, sizeof(*sorted), by_handshake);
	for (size_t i = 0; i < dev->num_peers; i++) {
		fputc('\n', f);
		pretty_peer(f, sorted[i], o);
	}
	free(sorted);
}

static void put_key_or_none(FILE *f, const uint8_t key[WG_KEY_LEN], bool present)
{
	char b64[WG_KEY_B64_LEN + 1];

	if (!present || key_is_zero(key)) {
		fputs("(none)", f);
		return;
	}
	key_to_base64(b64, key);
	fputs(b64, f);
	secure_zero(b64, sizeof(b64));
}

static void put_endpoint(FILE *f, const struct wg_peer *p)
{
	char buf[ENDPOINT_STRLEN];

	format_endpoint(buf, sizeof(buf), &p->endpoint);
	fputs(buf[0] ? buf : "(none)", f);
}

static void put_ips(FILE *f, const struct wg_peer *p, char sep)
{
	char buf[ALLOWEDIP_STRLEN];

	if (!p->num_ips) {
		fputs("(none)", f);
		return;
	}
	for (size_t i = 0; i < p->num_ips; i++) {
		format_allowedip(buf, sizeof(buf), &p->ips[i]);
		if (i)
			fputc(sep, f);
		fputs(buf, f);
	}
}

static void put_u64(FILE *f, uint64_t v)
{
	char digits[20], *end = digits + sizeof(digits), *d = decimal(end, v);

	fwrite(d, 1, (size_t)(end - d), f);
}

static void put_s64(FILE *f, int64_t v)
{
	if (v < 0) {
		fputc('-', f);
		put_u64(f, -(uint64_t)v);
	} else {
		put_u64(f, (uint64_t)v);
	}
}

static void put_keepalive(FILE *f, uint16_t k)
{
	if (k)
		put_u64(f, k);
	else
		fputs("off", f);
}

static void put_prefix(FILE *f, const struct wg_device *dev, bool prefix)
{
	if (prefix)
		fprintf(f, "%s\t", dev->name);
}

void format_dump(FILE *f, const struct wg_device *dev, bool prefix)
{
	put_prefix(f, dev, prefix);
	put_key_or_none(f, dev->private_key, dev->has & WGDEVICE_HAS_PRIVATE_KEY);
	fputc('\t', f);
	put_key_or_none(f, dev->public_key, dev->has & WGDEVICE_HAS_PUBLIC_KEY);
	fprintf(f, "\t%u\t", dev->listen_port);
	if (dev->fwmark)
		fprintf(f, "0x%x\n", dev->fwmark);
	else
		fputs("off\n", f);
	for (size_t i = 0; i < dev->num_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];

		put_prefix(f, dev, prefix);
		put_key_or_none(f, p->public_key, true);
		fputc('\t', f);
		put_key_or_none(f, p->preshared_key, true);
		fputc('\t', f);
		put_endpoint(f, p);
		fputc('\t', f);
		put_ips(f, p, ',');
		fputc('\t', f);
		put_s64(f, p->last_handshake_sec);
		fputc('\t', f);
		put_u64(f, p->rx_bytes);
		fputc('\t', f);
		put_u64(f, p->tx_bytes);
		fputc('\t', f);
		put_keepalive(f, p->keepalive);
		fputc('\n', f);
	}
}

static const char *const fields[] = {
	"public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys",
	"endpoints", "allowed-ips", "latest-handshakes", "persistent-keepalive",
	"transfer", "dump",
};

bool format_field_valid(const char *field)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(field, fields[i]))
			return true;
	return false;
}

bool format_field(FILE *f, const struct wg_device *dev, const char *field, bool prefix)
{
	if (!strcmp(field, "dump")) {
		format_dump(f, dev, prefix);
		return true;
	}
	if (!strcmp(field, "public-key")) {
		put_prefix(f, dev, prefix);
		put_key_or_none(f, dev->public_key, dev->has & WGDEVICE_HAS_PUBLIC_KEY);
		fputc('\n', f);
		return true;
	}
	if (!strcmp(field, "private-key")) {
		put_prefix(f, dev, prefix);
		put_key_or_none(f, dev->private_key, dev->has & WGDEVICE_HAS_PRIVATE_KEY);
		fputc('\n', f);
		return true;
	}
	if (!strcmp(field, "listen-port")) {
		put_prefix(f, dev, prefix);
		fprintf(f, "%u\n", dev->listen_port);
		return true;
	}
	if (!strcmp(field, "fwmark")) {
		put_prefix(f, dev, prefix);
		if (dev->fwmark)
			fprintf(f, "0x%x\n", dev->fwmark);
		else
			fputs("off\n", f);
		return true;
	}
	if (!format_field_valid(field))
		return false;
	for (size_t i = 0; i < dev->num_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];

		put_prefix(f, dev, prefix);
		put_key_or_none(f, p->public_key, true);
		if (!strcmp(field, "peers")) {
			/* nothing after the key */
		} else if (!strcmp(field, "preshared-keys")) {
			fputc('\t', f);
			put_key_or_none(f, p->preshared_key, true);
		} else if (!strcmp(field, "endpoints")) {
			fputc('\t', f);
			put_endpoint(f, p);
		} else if (!strcmp(field, "allowed-ips")) {
			fputc('\t', f);
			put_ips(f, p, ' ');
		} else if (!strcmp(field, "latest-handshakes")) {
			fprintf(f, "\t%" PRId64, p->last_handshake_sec);
		} else if (!strcmp(field, "persistent-keepalive")) {
			fputc('\t', f);
			put_keepalive(f, p->keepalive);
		} else if (!strcmp(field, "transfer")) {
			fprintf(f, "\t%" PRIu64 "\t%" PRIu64, p->rx_bytes, p->tx_bytes);
		}
		fputc('\n', f);
	}
	return true;
}

void format_showconf(FILE *f, const struct wg_device *dev, bool portable)
{
	char b64[WG_KEY_B64_LEN + 1];

	fputs("[Interface]\n", f);
	if (dev->listen_port)
		fprintf(f, "ListenPort = %u\n", dev->listen_port);
	if (dev->fwmark)
		fprintf(f, "FwMark = 0x%x\n", dev->fwmark);
	if ((dev->has & WGDEVICE_HAS_PRIVATE_KEY) && !key_is_zero(dev->private_key)) {
		key_to_base64(b64, dev->private_key);
		fprintf(f, "PrivateKey = %s\n", b64);
	}
	fputc('\n', f);
	for (size_t i = 0; i < dev->num_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];

		if (i)
			fputc('\n', f);
		key_to_base64(b64, p->public_key);
		fprintf(f, "[Peer]\nPublicKey = %s\n", b64);
		if ((p->has & WGPEER_HAS_NAME) && !portable)
			fprintf(f, "Name = %s\n", p->name);
		if (!key_is_zero(p->preshared_key)) {
			key_to_base64(b64, p->preshared_key);
			fprintf(f, "PresharedKey = %s\n", b64);
		}
		if (p->num_ips) {
			fputs("AllowedIPs = ", f);
			for (size_t j = 0; j < p->num_ips; j++) {
				char ip[ALLOWEDIP_STRLEN];

				format_allowedip(ip, sizeof(ip), &p->ips[j]);
				fprintf(f, "%s%s", j ? ", " : "", ip);
			}
			fputc('\n', f);
		}
		if (p->endpoint.addr.sa_family) {
			char ep[ENDPOINT_STRLEN];

			format_endpoint(ep, sizeof(ep), &p->endpoint);
			fprintf(f, "Endpoint = %s\n", ep);
		}
		if (p->keepalive)
			fprintf(f, "PersistentKeepalive = %u\n", p->keepalive);
	}
	secure_zero(b64, sizeof(b64));
}

void format_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_key(FILE *f, const uint8_t key[WG_KEY_LEN], bool present, bool hide)
{
	char b64[WG_KEY_B64_LEN + 1];

	if (!present || key_is_zero(key)) {
		fputs("null", f);
		return;
	}
	if (hide) {
		fputs("\"(hidden)\"", f);
		return;
	}
	key_to_base64(b64, key);
	fprintf(f, "\"%s\"", b64);
	secure_zero(b64, sizeof(b64));
}

void format_json(FILE *f, struct wg_device *const *devs, size_t n, const struct format_opts *o)
{
	fputs("{\n  \"schema\": 1,\n  \"interfaces\": [", f);
	for (size_t d = 0; d < n; d++) {
		const struct wg_device *dev = devs[d];

		fputs(d ? ",\n    {\n" : "\n    {\n", f);
		fputs("      \"name\": ", f);
		format_json_string(f, dev->name);
		if (dev->ifindex)
			fprintf(f, ",\n      \"ifindex\": %u", dev->ifindex);
		else
			fputs(",\n      \"ifindex\": null", f);
		fputs(",\n      \"public_key\": ", f);
		json_key(f, dev->public_key, dev->has & WGDEVICE_HAS_PUBLIC_KEY, false);
		fputs(",\n      \"private_key\": ", f);
		json_key(f, dev->private_key, dev->has & WGDEVICE_HAS_PRIVATE_KEY, o->hide_keys);
		fprintf(f, ",\n      \"listen_port\": %u", dev->listen_port);
		fprintf(f, ",\n      \"fwmark\": %" PRIu32, dev->fwmark);
		fputs(",\n      \"peers\": [", f);
		for (size_t i = 0; i < dev->num_peers; i++) {
			const struct wg_peer *p = &dev->peers[i];
			char ep[ENDPOINT_STRLEN];

			fputs(i ? ",\n        {" : "\n        {", f);
			fputs("\n          \"public_key\": ", f);
			json_key(f, p->public_key, true, false);
			fputs(",\n          \"name\": ", f);
			if (p->has & WGPEER_HAS_NAME)
				format_json_string(f, p->name);
			else
				fputs("null", f);
			fputs(",\n          \"preshared_key\": ", f);
			json_key(f, p->preshared_key, true, o->hide_keys);
			format_endpoint(ep, sizeof(ep), &p->endpoint);
			fputs(",\n          \"endpoint\": ", f);
			if (ep[0])
				format_json_string(f, ep);
			else
				fputs("null", f);
			fputs(",\n          \"allowed_ips\": [", f);
			for (size_t j = 0; j < p->num_ips; j++) {
				char ip[ALLOWEDIP_STRLEN];

				format_allowedip(ip, sizeof(ip), &p->ips[j]);
				fputs(j ? ", " : "", f);
				format_json_string(f, ip);
			}
			fprintf(f, "],\n          \"latest_handshake\": %" PRId64, p->last_handshake_sec);
			fprintf(f, ",\n          \"rx_bytes\": %" PRIu64, p->rx_bytes);
			fprintf(f, ",\n          \"tx_bytes\": %" PRIu64, p->tx_bytes);
			fprintf(f, ",\n          \"persistent_keepalive\": %u", p->keepalive);
			fputs("\n        }", f);
		}
		fputs(dev->num_peers ? "\n      ]\n    }" : "]\n    }", f);
	}
	fputs(n ? "\n  ]\n}\n" : "]\n}\n", f);
}
