// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration file and `wg set' argument parsing. Nothing here talks to a
 * device: the result is a struct wg_device that the caller applies whole,
 * so a file with an error changes nothing.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "encoding.h"

bool config_resolve_names = true;
bool config_quiet;

static void __attribute__((format(printf, 1, 2))) complain(const char *fmt, ...)
{
	va_list ap;

	if (config_quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Strict unsigned decimal (or, with base 0, 0x-hex) with an upper bound. */
static bool parse_uint(unsigned long long *out, const char *s, int base,
		       unsigned long long max)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

bool parse_port(uint16_t *port, const char *s)
{
	unsigned long long v;

	if (!parse_uint(&v, s, 10, 65535))
		return false;
	*port = (uint16_t)v;
	return true;
}

bool parse_fwmark(uint32_t *mark, const char *s)
{
	unsigned long long v;

	if (s && !strcasecmp(s, "off")) {
		*mark = 0;
		return true;
	}
	if (!parse_uint(&v, s, 0, 0xffffffffULL))
		return false;
	*mark = (uint32_t)v;
	return true;
}

bool parse_keepalive(uint16_t *interval, const char *s)
{
	unsigned long long v;

	if (s && !strcasecmp(s, "off")) {
		*interval = 0;
		return true;
	}
	if (!parse_uint(&v, s, 10, 65535))
		return false;
	*interval = (uint16_t)v;
	return true;
}

bool parse_allowedip(struct wg_allowedip *ip, const char *s)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long long cidr;

	if (!alen || alen >= sizeof(addr))
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	memset(ip, 0, sizeof(*ip));
	if (strchr(addr, ':')) {
		if (inet_pton(AF_INET6, addr, &ip->ip6) != 1)
			return false;
		ip->family = AF_INET6;
		ip->cidr = 128;
	} else {
		if (inet_pton(AF_INET, addr, &ip->ip4) != 1)
			return false;
		ip->family = AF_INET;
		ip->cidr = 32;
	}
	if (slash) {
		if (!parse_uint(&cidr, slash + 1, 10, ip->cidr))
			return false;
		ip->cidr = (uint8_t)cidr;
	}
	return true;
}

static unsigned long resolution_retries(void)
{
	const char *env = getenv("WG_ENDPOINT_RESOLUTION_RETRIES");
	unsigned long long v;

	if (!env)
		return 15;
	if (!strcmp(env, "infinity"))
		return ULONG_MAX;
	if (!parse_uint(&v, env, 10, ULONG_MAX - 1))
		return 15;
	return (unsigned long)v;
}

const char *parse_endpoint(union wg_endpoint *ep, const char *s)
{
	char buf[1025];
	char *host, *port;
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_protocol = IPPROTO_UDP,
	};
	struct addrinfo *res = NULL;
	unsigned long retries, attempt;
	int ret;

	if (strlen(s) >= sizeof(buf))
		return "endpoint is too long";
	strcpy(buf, s);
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close || close[1] != ':' || !close[2])
			return "IPv6 endpoint must be [address]:port";
		*close = '\0';
		host = buf + 1;
		port = close + 2;
	} else {
		port = strrchr(buf, ':');
		if (!port || !port[1] || port == buf)
			return "endpoint must be host:port";
		if (memchr(buf, ':', (size_t)(port - buf)))
			return "IPv6 endpoint must be [address]:port";
		*port++ = '\0';
		host = buf;
	}

	if (isdigit((unsigned char)port[0])) {
		uint16_t num;

		/* getaddrinfo() would quietly wrap numbers above 65535. */
		if (!parse_port(&num, port))
			return "port must be a number from 0 to 65535";
	}
	/* Literal addresses never need a resolver, even when names are off. */
	hints.ai_flags = AI_NUMERICHOST;
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret == EAI_NONAME) {
		if (!config_resolve_names)
			return "name resolution is disabled";
		/* No AI_ADDRCONFIG: it ignores loopback, so names like
		 * localhost would fail in a namespace with only lo; the
		 * resolver's address sorting already prefers reachable
		 * families. */
		hints.ai_flags = 0;
		retries = resolution_retries();
		/* At boot the network may not be up yet: temporary failures
		 * are retried, a definite "no such name" is not. */
		for (attempt = 0;; attempt++) {
			ret = getaddrinfo(host, port, &hints, &res);
			if (ret != EAI_AGAIN && ret != EAI_FAIL)
				break;
			if (attempt >= retries)
				break;
			sleep(attempt < 4 ? 1 : 2);
		}
	}
	if (ret)
		return gai_strerror(ret);
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if ((ai->ai_family == AF_INET && ai->ai_addrlen == sizeof(struct sockaddr_in)) ||
		    (ai->ai_family == AF_INET6 && ai->ai_addrlen == sizeof(struct sockaddr_in6))) {
			memset(ep, 0, sizeof(*ep));
			memcpy(ep, ai->ai_addr, ai->ai_addrlen);
			freeaddrinfo(res);
			return NULL;
		}
	}
	freeaddrinfo(res);
	return "no IPv4 or IPv6 address for endpoint";
}

bool read_key_file(uint8_t key[WG_KEY_LEN], const char *path)
{
	char buf[WG_KEY_B64_LEN + 64];
	size_t len = 0;
	ssize_t n;
	int fd;
	bool ok = false;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		complain("Unable to open key file `%s': %s", path, strerror(errno));
		return false;
	}
	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	if (n < 0) {
		complain("Unable to read key file `%s': %s", path, strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	buf[len] = '\0';
	while (len && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	if (!len) {
		/* /dev/null and empty files mean "remove this key". */
		memset(key, 0, WG_KEY_LEN);
		ok = true;
	} else if (key_from_base64(key, buf)) {
		ok = true;
	} else {
		complain("Key in `%s' is not a valid base64 key of %d bytes", path, WG_KEY_LEN);
	}
out:
	if (fd >= 0)
		close(fd);
	secure_zero(buf, sizeof(buf));
	return ok;
}

static bool host_bits_set(const struct wg_allowedip *ip)
{
	const uint8_t *a = ip->family == AF_INET6 ? ip->ip6.s6_addr : (const uint8_t *)&ip->ip4;
	unsigned int bits = ip->family == AF_INET6 ? 128 : 32;

	for (unsigned int b = ip->cidr; b < bits; b++)
		if (a[b / 8] & (0x80 >> (b % 8)))
			return true;
	return false;
}

/*
 * Both front ends, the configuration file and `wg set', read the same keys
 * through one table: a key's entry says what each front end calls it, where
 * it belongs, and which function applies its value.
 */

enum section { SECTION_NONE, SECTION_INTERFACE, SECTION_PEER };

struct parse_state {
	const char *filename;	/* NULL: `wg set' arguments */
	unsigned int line;
	unsigned int peer_line;
	enum section section;
	const struct config_key *key;	/* the one being applied */
	struct wg_device *dev;
	struct wg_peer *peer;
};

enum {
	/* `wg set' reads the key from the file it names, so that a secret
	 * shows in no process list or shell history; no message repeats it. */
	KEY_SECRET = 1U << 0,
	/* In `wg set' this key starts a new peer, wherever it stands. */
	KEY_NEW_PEER = 1U << 1,
	KEY_NO_VALUE = 1U << 2,
	/* Free text: in a file, only the whitespace around the value goes,
	 * and a `#' after the `=' is part of it rather than a comment, so
	 * that whatever showconf prints reads back the same. */
	KEY_TEXT = 1U << 3,
};

struct config_key {
	const char *file;	/* NULL: `wg set' only */
	const char *arg;
	/* How a `wg set' error names the value, where not by arg. */
	const char *arg_label;
	enum section section;
	unsigned int flags;	/* KEY_* */
	bool (*apply)(struct parse_state *st, const char *value);
};

/* A file's errors start with file:line; those of `wg set' name the
 * argument in their own words. */
static void __attribute__((format(printf, 2, 3)))
parse_error(const struct parse_state *st, const char *fmt, ...)
{
	va_list ap;

	if (config_quiet)
		return;
	if (st->filename)
		fprintf(stderr, "%s:%u: ", st->filename, st->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *key_name(const struct parse_state *st)
{
	if (st->filename)
		return st->key->file;
	return st->key->arg_label ? st->key->arg_label : st->key->arg;
}

static bool parse_key(struct parse_state *st, uint8_t key[WG_KEY_LEN], const char *value)
{
	bool secret = st->key->flags & KEY_SECRET;

	if (secret && !st->filename)
		return read_key_file(key, value);
	if (key_from_base64(key, value))
		return true;
	if (secret)
		parse_error(st, "%s is not a valid base64 key of %d bytes", key_name(st), WG_KEY_LEN);
	else
		parse_error(st, "%s is not a valid base64 key of %d bytes: `%s'", key_name(st),
			    WG_KEY_LEN, value);
	return false;
}

static bool apply_private_key(struct parse_state *st, const char *value)
{
	if (!parse_key(st, st->dev->private_key, value))
		return false;
	st->dev->has |= WGDEVICE_HAS_PRIVATE_KEY;
	return true;
}

static bool apply_listen_port(struct parse_state *st, const char *value)
{
	if (!parse_port(&st->dev->listen_port, value)) {
		parse_error(st, "%s must be a number from 0 to 65535: `%s'", key_name(st), value);
		return false;
	}
	st->dev->has |= WGDEVICE_HAS_LISTEN_PORT;
	return true;
}

static bool apply_fwmark(struct parse_state *st, const char *value)
{
	if (!parse_fwmark(&st->dev->fwmark, value)) {
		parse_error(st, "%s must be off or a number from 0 to 0xffffffff: `%s'",
			    key_name(st), value);
		return false;
	}
	st->dev->has |= WGDEVICE_HAS_FWMARK;
	return true;
}

static bool apply_public_key(struct parse_state *st, const char *value)
{
	if (!parse_key(st, st->peer->public_key, value))
		return false;
	st->peer->has |= WGPEER_HAS_PUBLIC_KEY;
	return true;
}

static bool apply_remove(struct parse_state *st, const char *value)
{
	(void)value;
	st->peer->flags |= WGPEER_F_REMOVE_ME;
	return true;
}

static bool apply_preshared_key(struct parse_state *st, const char *value)
{
	if (!parse_key(st, st->peer->preshared_key, value))
		return false;
	st->peer->has |= WGPEER_HAS_PRESHARED_KEY;
	return true;
}

static bool apply_endpoint(struct parse_state *st, const char *value)
{
	const char *err = parse_endpoint(&st->peer->endpoint, value);

	if (err) {
		parse_error(st, "%s `%s': %s", key_name(st), value, err);
		return false;
	}
	return true;
}

static bool apply_keepalive(struct parse_state *st, const char *value)
{
	if (!parse_keepalive(&st->peer->keepalive, value)) {
		parse_error(st, "%s must be off or a number from 0 to 65535: `%s'", key_name(st), value);
		return false;
	}
	st->peer->has |= WGPEER_HAS_KEEPALIVE;
	return true;
}

/* Both front ends trim the name: whitespace at either end would be
 * invisible in every output and lost by the file format. */
static bool apply_name(struct parse_state *st, const char *value)
{
	const char *problem;
	size_t len;

	while (isspace((unsigned char)*value))
		value++;
	len = strlen(value);
	while (len && isspace((unsigned char)value[len - 1]))
		len--;
	problem = peer_name_problem(value, len);
	if (problem) {
		parse_error(st, "%s %s", key_name(st), problem);
		return false;
	}
	memcpy(st->peer->name, value, len);
	st->peer->name[len] = '\0';
	st->peer->has |= WGPEER_HAS_NAME;
	return true;
}

/* Adds every entry of a comma-separated list. In `wg set', a leading '+'
 * or '-' marks an entry to add or remove. */
static bool apply_allowed_ips(struct parse_state *st, const char *value)
{
	char *copy = strdup(value), *save = NULL, *tok;
	char where[PATH_MAX + 32];
	bool prefixed = false, ok = false;

	if (!copy) {
		parse_error(st, "%s: out of memory", key_name(st));
		return false;
	}
	if (st->filename)
		snprintf(where, sizeof(where), "%s:%u", st->filename, st->line);
	else
		snprintf(where, sizeof(where), "%s", st->key->arg);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct wg_allowedip ip, *slot;
		uint32_t flags = 0;
		char *end;

		while (isspace((unsigned char)*tok))
			tok++;
		end = tok + strlen(tok);
		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*tok)
			continue;
		if (!st->filename && (*tok == '+' || *tok == '-')) {
			if (*tok == '-')
				flags = WGALLOWEDIP_F_REMOVE_ME;
			prefixed = true;
			tok++;
		}
		if (!parse_allowedip(&ip, tok)) {
			parse_error(st, "%s entry `%s' is not a valid IP address or CIDR", key_name(st), tok);
			goto out;
		}
		/* Legal, but usually a typo: the kernel keeps only the network. */
		if (host_bits_set(&ip))
			complain("%s: warning: AllowedIPs entry `%s' has a nonzero host part", where, tok);
		slot = peer_add_ip(st->peer);
		if (!slot) {
			parse_error(st, "%s: out of memory", key_name(st));
			goto out;
		}
		*slot = ip;
		slot->flags = flags;
	}
	/* A plain list states the whole set; prefixed entries edit the
	 * current one. */
	if (!prefixed)
		st->peer->flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
	ok = true;
out:
	free(copy);
	return ok;
}

static const struct config_key keys[] = {
	/* file, `wg set' argument, its label in errors, section, flags, apply */
	{ "PrivateKey", "private-key", NULL, SECTION_INTERFACE, KEY_SECRET, apply_private_key },
	{ "ListenPort", "listen-port", NULL, SECTION_INTERFACE, 0, apply_listen_port },
	{ "FwMark", "fwmark", NULL, SECTION_INTERFACE, 0, apply_fwmark },
	{ "PublicKey", "peer", "Peer key", SECTION_PEER, KEY_NEW_PEER, apply_public_key },
	{ NULL, "remove", NULL, SECTION_PEER, KEY_NO_VALUE, apply_remove },
	{ "PresharedKey", "preshared-key", NULL, SECTION_PEER, KEY_SECRET, apply_preshared_key },
	{ "Endpoint", "endpoint", "Endpoint", SECTION_PEER, 0, apply_endpoint },
	{ "PersistentKeepalive", "persistent-keepalive", NULL, SECTION_PEER, 0, apply_keepalive },
	{ "AllowedIPs", "allowed-ips", NULL, SECTION_PEER, 0, apply_allowed_ips },
	{ "Name", "name", NULL, SECTION_PEER, KEY_TEXT, apply_name },
};

#define NUM_KEYS (sizeof(keys) / sizeof(keys[0]))

/* Configuration files. */

static const char *const wg_quick_keys[] = {
	"Address", "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown",
	"SaveConfig",
};

static bool finish_peer(struct parse_state *st)
{
	if (st->section == SECTION_PEER && !(st->peer->has & WGPEER_HAS_PUBLIC_KEY)) {
		complain("%s:%u: [Peer] section has no PublicKey", st->filename, st->peer_line);
		return false;
	}
	return true;
}

static const struct config_key *find_file_key(const char *name, enum section section)
{
	for (const struct config_key *k = keys; k < keys + NUM_KEYS; k++)
		if (k->file && k->section == section && !strcasecmp(name, k->file))
			return k;
	return NULL;
}

static bool file_key_value(struct parse_state *st, const char *name, const char *value)
{
	if (st->section == SECTION_NONE) {
		parse_error(st, "`%s' is outside of an [Interface] or [Peer] section", name);
		return false;
	}
	if (!*value) {
		parse_error(st, "`%s' has an empty value", name);
		return false;
	}
	st->key = find_file_key(name, st->section);
	if (st->key)
		return st->key->apply(st, value);
	for (size_t i = 0; i < sizeof(wg_quick_keys) / sizeof(wg_quick_keys[0]); i++) {
		if (!strcasecmp(name, wg_quick_keys[i])) {
			parse_error(st, "unknown key `%s' (a wg-quick(8) key: use `wg-quick strip' first)", name);
			return false;
		}
	}
	parse_error(st, "unknown key `%s' in [%s]", name,
		    st->section == SECTION_INTERFACE ? "Interface" : "Peer");
	return false;
}

static bool is_text_key(const char *name)
{
	for (const struct config_key *k = keys; k < keys + NUM_KEYS; k++)
		if ((k->flags & KEY_TEXT) && !strcasecmp(name, k->file))
			return true;
	return false;
}

/* Copies len bytes of s into out without whitespace; returns the length. */
static size_t compact(char *out, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			out[o++] = s[i];
	out[o] = '\0';
	return o;
}

/*
 * One line of len bytes at raw, worked on in line (len + 2 bytes).
 * Whitespace is dropped everywhere, so that "AllowedIPs = a, b" and
 * "AllowedIPs=a,b" are alike, and `#' starts a comment, except in the
 * value of a text key.
 */
static bool file_line(struct parse_state *st, const char *raw, size_t len, char *line)
{
	const char *hash = memchr(raw, '#', len), *eq = memchr(raw, '=', len);
	char *sep;

	if (eq && (!hash || eq < hash)) {
		size_t klen = compact(line, raw, (size_t)(eq - raw));

		if (klen && is_text_key(line)) {
			const char *v = eq + 1, *end = raw + len;
			char *value = line + klen + 1;

			while (v < end && isspace((unsigned char)*v))
				v++;
			while (end > v && isspace((unsigned char)end[-1]))
				end--;
			memcpy(value, v, (size_t)(end - v));
			value[end - v] = '\0';
			return file_key_value(st, line, value);
		}
	}
	if (!compact(line, raw, hash ? (size_t)(hash - raw) : len))
		return true;
	if (line[0] == '[') {
		if (!finish_peer(st))
			return false;
		if (!strcasecmp(line, "[Interface]")) {
			st->section = SECTION_INTERFACE;
			return true;
		}
		if (!strcasecmp(line, "[Peer]")) {
			st->peer = device_add_peer(st->dev);
			if (!st->peer) {
				parse_error(st, "out of memory");
				return false;
			}
			st->peer->flags = WGPEER_F_REPLACE_ALLOWEDIPS;
			st->section = SECTION_PEER;
			st->peer_line = st->line;
			return true;
		}
		parse_error(st, "unknown section `%s'", line);
		return false;
	}
	sep = strchr(line, '=');
	if (!sep || sep == line) {
		parse_error(st, "expected `Key = Value', got `%s'", line);
		return false;
	}
	*sep = '\0';
	return file_key_value(st, line, sep + 1);
}

struct wg_device *config_parse_buffer(const char *buf, size_t len, const char *filename)
{
	struct parse_state st = { .filename = filename };
	char *scratch = malloc(len + 2);
	size_t pos = 0;
	bool ok = true;

	st.dev = device_new();
	if (!scratch || !st.dev) {
		complain("%s: out of memory", filename);
		free(scratch);
		device_free(st.dev);
		return NULL;
	}
	while (ok && pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;

		st.line++;
		if (memchr(buf + pos, '\0', end - pos)) {
			parse_error(&st, "contains a NUL byte");
			ok = false;
		} else {
			ok = file_line(&st, buf + pos, end - pos, scratch);
		}
		pos = end + 1;
	}
	if (ok)
		ok = finish_peer(&st);
	secure_zero(scratch, len + 2);
	free(scratch);
	if (!ok) {
		device_free(st.dev);
		return NULL;
	}
	return st.dev;
}

struct wg_device *config_parse_file(const char *path)
{
	struct wg_device *dev = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		complain("Unable to open `%s': %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap ? cap * 2 : 4096);

			if (!nb) {
				complain("%s: out of memory", path);
				goto out;
			}
			/* realloc may have moved the secret bytes: the old
			 * block is gone either way, nothing to erase here. */
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			complain("Unable to read `%s': %s", path, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	dev = config_parse_buffer(buf ? buf : "", len, path);
out:
	close(fd);
	if (buf)
		secure_zero(buf, cap);
	free(buf);
	return dev;
}

/* `wg set' arguments. */

/* Interface keys come before the first peer, a peer's keys after it. */
static const struct config_key *find_arg_key(const char *name, bool in_peer)
{
	for (const struct config_key *k = keys; k < keys + NUM_KEYS; k++)
		if (!strcmp(name, k->arg) &&
		    ((k->flags & KEY_NEW_PEER) || (k->section == SECTION_PEER) == in_peer))
			return k;
	return NULL;
}

struct wg_device *config_parse_args(int argc, char **argv)
{
	struct parse_state st = { .dev = device_new() };

	if (!st.dev) {
		complain("out of memory");
		return NULL;
	}
	while (argc > 0) {
		const char *value = NULL;
		int used = 1;

		st.key = find_arg_key(argv[0], st.peer != NULL);
		if (!st.key) {
			complain("Invalid argument: %s", argv[0]);
			goto err;
		}
		if (!(st.key->flags & KEY_NO_VALUE)) {
			if (argc < 2) {
				complain("Option `%s' needs a value", argv[0]);
				goto err;
			}
			value = argv[1];
			used = 2;
		}
		if (st.key->flags & KEY_NEW_PEER) {
			st.peer = device_add_peer(st.dev);
			if (!st.peer) {
				complain("out of memory");
				goto err;
			}
		}
		if (!st.key->apply(&st, value))
			goto err;
		argv += used;
		argc -= used;
	}
	return st.dev;
err:
	device_free(st.dev);
	return NULL;
}
