// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of tools/wg: key encodings, configuration parsing, the
 * output formats, netlink message splitting and reassembly, the userspace
 * protocol text, and the set/syncconf planning logic. Built with ASan and
 * UBSan by `make -C tools check'.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>

#include "test.h"
#include "config.h"
#include "encoding.h"
#include "event.h"
#include "format.h"
#include "nlmsg.h"
#include "subcommands.h"
#include "uapi-parse.h"

const char *prog = "wg";

/* Runs fn with stderr captured; returns the captured text (malloc'd). */
static char *capture_stderr(void (*fn)(void *), void *arg)
{
	char path[] = "/tmp/wg-unit-XXXXXX";
	int fd = mkstemp(path), saved;
	char *out = calloc(1, 4096);
	ssize_t n;

	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, out, 4095);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return out;
}

static char *render(void (*fn)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

static void fill_key(uint8_t key[WG_KEY_LEN], uint8_t seed)
{
	for (int i = 0; i < WG_KEY_LEN; i++)
		key[i] = (uint8_t)(seed * 31 + i * 7 + 1);
}

/* ---------------------------------------------------------------- keys */

static void test_encoding(void)
{
	uint8_t key[WG_KEY_LEN], back[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN + 1], ref[WG_KEY_B64_LEN + 1], hex[WG_KEY_HEX_LEN + 1];
	char refhex[WG_KEY_HEX_LEN + 1], bad[WG_KEY_B64_LEN + 2];
	bool ok = true, rt = true, hexok = true;

	memset(key, 0, sizeof(key));
	key_to_base64(b64, key);
	CHECK(!strcmp(b64, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), "base64: zero key");
	for (int i = 0; i < 2000; i++) {
		randombytes_buf(key, sizeof(key));
		key_to_base64(b64, key);
		sodium_bin2base64(ref, sizeof(ref), key, sizeof(key), sodium_base64_VARIANT_ORIGINAL);
		ok &= !strcmp(b64, ref);
		rt &= key_from_base64(back, b64) && !memcmp(back, key, WG_KEY_LEN);
		key_to_hex(hex, key);
		sodium_bin2hex(refhex, sizeof(refhex), key, sizeof(key));
		hexok &= !strcmp(hex, refhex) && key_from_hex(back, hex) && !memcmp(back, key, WG_KEY_LEN);
	}
	CHECK(ok, "base64: 2000 random keys encode like libsodium");
	CHECK(rt, "base64: 2000 random keys round-trip");
	CHECK(hexok, "hex: 2000 random keys encode like libsodium and round-trip");

	strcpy(bad, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=");
	CHECK(!key_from_base64(back, bad), "base64: non-canonical trailing bits rejected");
	strcpy(bad, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	CHECK(!key_from_base64(back, bad), "base64: 43 characters rejected");
	strcpy(bad, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	CHECK(!key_from_base64(back, bad), "base64: 45 characters rejected");
	strcpy(bad, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	CHECK(!key_from_base64(back, bad), "base64: missing padding rejected");
	strcpy(bad, "AAAAAAAAAAAAAAAAAAAA*AAAAAAAAAAAAAAAAAAAAAA=");
	CHECK(!key_from_base64(back, bad), "base64: character outside the alphabet rejected");
	strcpy(bad, "AAAAAAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAAAAAAAA=");
	CHECK(!key_from_base64(back, bad), "base64: URL-safe alphabet rejected");
	CHECK(key_from_base64(back, "+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/8=") &&
	      back[0] == 0xfb && back[31] == 0xff, "base64: + and / decode");

	CHECK(key_from_hex(back, "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff") &&
	      back[5] == 0x55 && back[10] == 0xaa, "hex: mixed case accepted");
	CHECK(!key_from_hex(back, "0011223344556677889900112233445566778899001122334455667788990g"),
	      "hex: non-hex digit rejected");
	CHECK(!key_from_hex(back, "00"), "hex: short input rejected");
}

/* -------------------------------------------------------------- config */

struct parse_arg {
	const char *text;
	struct wg_device *dev;
};

static void do_parse(void *p)
{
	struct parse_arg *a = p;

	a->dev = config_parse_buffer(a->text, strlen(a->text), "test.conf");
}

/* Expects a parse error; checks its text contains want. */
static void expect_error(const char *text, const char *want, const char *name)
{
	struct parse_arg a = { .text = text };
	char *err = capture_stderr(do_parse, &a);

	CHECK(!a.dev && strstr(err, want), "config error: %s (got: %s)", name,
	      strtok(err, "\n") ? err : "nothing");
	device_free(a.dev);
	free(err);
}

static void test_config(void)
{
	static const char good[] =
		"# a comment\n"
		"[interface]   # section names ignore case\n"
		"  PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
		"listenport=51820\n"
		"FwMark = 0x1234\n"
		"\n"
		"[Peer]\n"
		"PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
		"PresharedKey = FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=\n"
		"AllowedIPs = 10.192.122.3/32, 10.192.124.1/24\n"
		"AllowedIPs = fd00::/64\t# repeated lines add up\n"
		"Endpoint = [2001:db8::1]:51820\n"
		"PersistentKeepalive = off\n"
		"[PEER]\n"
		"PUBLICKEY = TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=\n"
		"endpoint = 192.95.5.69:51820\n"
		"persistentkeepalive = 25\n"
		"AllowedIPs = 0.0.0.0/0\n";
	struct parse_arg a = { .text = good };
	char b64[WG_KEY_B64_LEN + 1], ep[ENDPOINT_STRLEN], ip[ALLOWEDIP_STRLEN];
	struct wg_device *d;
	char *err = capture_stderr(do_parse, &a);

	d = a.dev;
	CHECK(d && !strcmp(err, "test.conf:10: warning: AllowedIPs entry `10.192.124.1/24' has a nonzero host part\n"),
	      "config: valid file parses; only the host-bits warning, with file:line");
	if (!d) {
		free(err);
		return;
	}
	key_to_base64(b64, d->private_key);
	CHECK((d->has & WGDEVICE_HAS_PRIVATE_KEY) &&
	      !strcmp(b64, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="), "config: PrivateKey");
	CHECK(d->listen_port == 51820 && (d->has & WGDEVICE_HAS_LISTEN_PORT), "config: ListenPort");
	CHECK(d->fwmark == 0x1234, "config: FwMark in hex");
	CHECK(d->num_peers == 2, "config: two peers");
	CHECK(d->peers[0].num_ips == 3, "config: repeated AllowedIPs lines accumulate");
	format_allowedip(ip, sizeof(ip), &d->peers[0].ips[1]);
	CHECK(!strcmp(ip, "10.192.124.1/24"), "config: AllowedIPs entry kept as written");
	format_endpoint(ep, sizeof(ep), &d->peers[0].endpoint);
	CHECK(!strcmp(ep, "[2001:db8::1]:51820"), "config: IPv6 endpoint");
	CHECK((d->peers[0].has & WGPEER_HAS_KEEPALIVE) && d->peers[0].keepalive == 0,
	      "config: PersistentKeepalive = off");
	CHECK(d->peers[0].flags == WGPEER_F_REPLACE_ALLOWEDIPS &&
	      d->peers[1].flags == WGPEER_F_REPLACE_ALLOWEDIPS,
	      "config: file peers replace their allowed IPs");
	format_endpoint(ep, sizeof(ep), &d->peers[1].endpoint);
	CHECK(!strcmp(ep, "192.95.5.69:51820") && d->peers[1].keepalive == 25,
	      "config: upper-case keys, IPv4 endpoint, keepalive");
	device_free(d);
	free(err);

	expect_error("[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmj=\n",
		     "test.conf:2: PrivateKey is not a valid", "non-canonical base64 key");
	expect_error("[Interface]\n\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm=\n",
		     "test.conf:3: PrivateKey", "wrong-length key");
	expect_error("[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nAllowedIPs = 10.0.0.0/33\n",
		     "test.conf:3: AllowedIPs entry `10.0.0.0/33'", "CIDR above 32");
	expect_error("[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nAllowedIPs = 10.0.0.0/8, fd00::/129\n",
		     "test.conf:3: AllowedIPs entry `fd00::/129'", "CIDR above 128");
	expect_error("[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nAllowedIPs = 10.0.0/8\n",
		     "test.conf:3: AllowedIPs entry `10.0.0/8'", "malformed address");
	expect_error("[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nAllowedIPs = 10.0.0.0/-1\n",
		     "test.conf:3:", "negative CIDR");
	expect_error("[Interface]\nListenPort = 65536\n", "test.conf:2: ListenPort", "port 65536");
	expect_error("[Interface]\nListenPort = -1\n", "test.conf:2: ListenPort", "negative port");
	expect_error("[Interface]\nListenPort = 12ab\n", "test.conf:2: ListenPort", "port with garbage");
	expect_error("[Interface]\nFwMark = 0x100000000\n", "test.conf:2: FwMark", "fwmark above 32 bits");
	expect_error("[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nPersistentKeepalive = 65536\n",
		     "test.conf:3: PersistentKeepalive", "keepalive 65536");
	expect_error("[Interface]\nFoo = 1\n", "test.conf:2: unknown key `Foo' in [Interface]", "unknown key");
	expect_error("[Interface]\nAddress = 10.0.0.1/24\n", "test.conf:2: unknown key `Address' (a wg-quick",
		     "wg-quick key named as such");
	expect_error("ListenPort = 1\n", "test.conf:1: `ListenPort' is outside", "key outside a section");
	expect_error("[Interface]\n[Peer]\nEndpoint = 1.2.3.4:5\n", "test.conf:2: [Peer] section has no PublicKey",
		     "peer without public key");
	expect_error("[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n[Bogus]\n",
		     "test.conf:3: unknown section `[Bogus]'", "unknown section");
	expect_error("[Interface]\nListenPort\n", "test.conf:2: expected `Key = Value'", "line without =");
	expect_error("[Interface]\nListenPort =\n", "test.conf:2: `ListenPort' has an empty value", "empty value");
	expect_error("[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nEndpoint = 1.2.3.4\n",
		     "test.conf:3: Endpoint `1.2.3.4'", "endpoint without port");
	expect_error("[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nEndpoint = 1.2.3.4:99999\n",
		     "test.conf:3: Endpoint", "endpoint port out of range");
	expect_error("[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nEndpoint = ::1:51820\n",
		     "test.conf:3: Endpoint `::1:51820': IPv6 endpoint must be [address]:port",
		     "IPv6 endpoint without brackets");
	{
		static const char nul[] = "[Interface]\nListenPort = 1\0\n";
		struct wg_device *dn;

		config_quiet = true;
		dn = config_parse_buffer(nul, sizeof(nul) - 1, "test.conf");
		config_quiet = false;
		CHECK(!dn, "config error: NUL byte rejected");
		device_free(dn);
	}

	{
		union wg_endpoint ep;
		char buf[ENDPOINT_STRLEN];
		const char *e;

		config_resolve_names = true;
		e = parse_endpoint(&ep, "localhost:51820");
		format_endpoint(buf, sizeof(buf), &ep);
		CHECK(!e && (!strcmp(buf, "127.0.0.1:51820") || !strcmp(buf, "[::1]:51820")),
		      "config: host name endpoint resolves (localhost -> %s)", e ? e : buf);
		/* No retries: a host without DNS answers "try again". */
		setenv("WG_ENDPOINT_RESOLUTION_RETRIES", "0", 1);
		e = parse_endpoint(&ep, "nonexistent.invalid:1");
		unsetenv("WG_ENDPOINT_RESOLUTION_RETRIES");
		CHECK(e != NULL, "config: unknown host name is an error (%s)", e ? e : "none");
		config_resolve_names = false;
		CHECK(parse_endpoint(&ep, "localhost:1") != NULL,
		      "config: with resolution off, names are refused");
		CHECK(!parse_endpoint(&ep, "[fe80::1%1]:7") && ep.addr6.sin6_scope_id == 1,
		      "config: scoped IPv6 endpoint");
	}

	/* An error late in a file yields nothing at all. */
	expect_error("[Interface]\nListenPort = 1\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nAllowedIPs = 300.0.0.1/32\n",
		     "test.conf:5:", "error on last line names it");
}

static void test_args(void)
{
	char *argv1[] = { "listen-port", "0", "fwmark", "off", "private-key", "/dev/null",
			  "peer", "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
			  "allowed-ips", "10.0.0.0/8, fd00::1", "persistent-keepalive", "25",
			  "peer", "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=", "remove",
			  "peer", "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
			  "allowed-ips", "+10.1.0.0/16,-10.2.0.0/16", "preshared-key", "/dev/null",
			  "endpoint", "127.0.0.1:1" };
	struct wg_device *d = config_parse_args(sizeof(argv1) / sizeof(argv1[0]), argv1);
	char *bad1[] = { "listen-port" };
	char *bad2[] = { "listen-port", "65536" };
	char *bad3[] = { "remove" };
	char *bad4[] = { "peer", "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", "allowed-ips", "+10.0.0.0/33" };
	char *bad5[] = { "peer", "notakey" };
	char *bad6[] = { "private-key", "/nonexistent/key" };
	char *empty[] = { "peer", "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", "allowed-ips", "" };

	CHECK(d != NULL, "args: full command line parses");
	if (d) {
		CHECK((d->has & WGDEVICE_HAS_LISTEN_PORT) && d->listen_port == 0, "args: listen-port 0");
		CHECK((d->has & WGDEVICE_HAS_FWMARK) && d->fwmark == 0, "args: fwmark off");
		CHECK((d->has & WGDEVICE_HAS_PRIVATE_KEY) && key_is_zero(d->private_key),
		      "args: private-key /dev/null removes the key");
		CHECK(d->num_peers == 3, "args: three peers");
		CHECK(d->peers[0].flags == WGPEER_F_REPLACE_ALLOWEDIPS && d->peers[0].num_ips == 2 &&
		      d->peers[0].ips[1].cidr == 128, "args: plain allowed-ips replace; bare address is a host");
		CHECK(d->peers[1].flags == WGPEER_F_REMOVE_ME, "args: remove");
		CHECK(!(d->peers[2].flags & WGPEER_F_REPLACE_ALLOWEDIPS) && d->peers[2].num_ips == 2 &&
		      d->peers[2].ips[0].flags == 0 &&
		      d->peers[2].ips[1].flags == WGALLOWEDIP_F_REMOVE_ME,
		      "args: +/- entries edit instead of replacing");
		CHECK((d->peers[2].has & WGPEER_HAS_PRESHARED_KEY) && key_is_zero(d->peers[2].preshared_key),
		      "args: preshared-key /dev/null removes it");
	}
	device_free(d);
	config_quiet = true;
	CHECK(!config_parse_args(1, bad1), "args: missing value rejected");
	CHECK(!config_parse_args(2, bad2), "args: port 65536 rejected");
	CHECK(!config_parse_args(1, bad3), "args: remove without peer rejected");
	CHECK(!config_parse_args(4, bad4), "args: bad prefixed CIDR rejected");
	CHECK(!config_parse_args(2, bad5), "args: bad peer key rejected");
	CHECK(!config_parse_args(2, bad6), "args: unreadable key file rejected");
	config_quiet = false;
	d = config_parse_args(4, empty);
	CHECK(d && d->peers[0].num_ips == 0 && (d->peers[0].flags & WGPEER_F_REPLACE_ALLOWEDIPS),
	      "args: allowed-ips \"\" clears the list");
	device_free(d);
}

/* ------------------------------------------- every key, both front ends */

#define PUB "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define PRIV "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define PSK "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE="

/* Expects the file to fail with exactly want on stderr. */
static void expect_file_error(const char *text, const char *want)
{
	struct parse_arg a = { .text = text };
	char *err = capture_stderr(do_parse, &a);

	bool ok = !a.dev && !strcmp(err, want);

	CHECK(ok, "file: %.*s%s%s", (int)strcspn(want, "\n"), want, ok ? "" : " -- got: ", ok ? "" : err);
	device_free(a.dev);
	free(err);
}

struct args_arg {
	int argc;
	char **argv;
	struct wg_device *dev;
};

static void do_args(void *p)
{
	struct args_arg *a = p;

	a->dev = config_parse_args(a->argc, a->argv);
}

/* Parses `wg set' arguments (NULL-terminated); returns the device and, in
 * *err, everything printed. */
static struct wg_device *parse_args_capture(char **argv, char **err)
{
	struct args_arg a = { .argv = argv };

	while (argv[a.argc])
		a.argc++;
	*err = capture_stderr(do_args, &a);
	return a.dev;
}

static void expect_args_error(char **argv, const char *want)
{
	char *err;
	struct wg_device *d = parse_args_capture(argv, &err);

	bool ok = !d && !strcmp(err, want);

	CHECK(ok, "set: %.*s%s%s", (int)strcspn(want, "\n"), want, ok ? "" : " -- got: ", ok ? "" : err);
	device_free(d);
	free(err);
}

static char *key_file(const char *contents)
{
	char *path = strdup("/tmp/wg-unit-key-XXXXXX");
	int fd = mkstemp(path);

	if (write(fd, contents, strlen(contents)) != (ssize_t)strlen(contents))
		abort();
	close(fd);
	return path;
}

static bool key_is(const uint8_t key[WG_KEY_LEN], const char *b64)
{
	uint8_t want[WG_KEY_LEN];

	return key_from_base64(want, b64) && !memcmp(key, want, WG_KEY_LEN);
}

static void test_keys(void)
{
	char *priv_file = key_file(PRIV "  \n\n"), *psk_file = key_file(PSK "\n");
	char *bad_file = key_file("not a key\n");
	char bad_msg[128], *err;
	struct parse_arg a = { .text =
		"[Interface]\nPrivateKey = " PRIV "\nListenPort = 51820\nFwMark = 0x1234\n"
		"[Peer]\nPublicKey = " PUB "\nPresharedKey = " PSK "\n"
		"AllowedIPs = 10.0.0.0/8, fd00::/64\nEndpoint = 192.0.2.1:51820\n"
		"PersistentKeepalive = 25\n" };
	char *full[] = { "private-key", priv_file, "listen-port", "51820", "fwmark", "0x1234",
			 "peer", PUB, "preshared-key", psk_file, "allowed-ips", "10.0.0.0/8, fd00::/64",
			 "endpoint", "192.0.2.1:51820", "persistent-keepalive", "25", NULL };
	struct wg_device *f, *s;

	/* The same configuration through both front ends. */
	err = capture_stderr(do_parse, &a);
	f = a.dev;
	free(err);
	s = parse_args_capture(full, &err);
	CHECK(f && s && !*err, "keys: one configuration parses as a file and as `wg set' arguments%s%s",
	      *err ? " -- got: " : "", err);
	if (f && s) {
		CHECK(f->has == s->has && f->has == (WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_LISTEN_PORT |
						     WGDEVICE_HAS_FWMARK) &&
		      key_is(f->private_key, PRIV) && key_is(s->private_key, PRIV),
		      "keys: PrivateKey = private-key (a file for set, trailing whitespace ignored)");
		CHECK(f->listen_port == 51820 && s->listen_port == 51820, "keys: ListenPort = listen-port");
		CHECK(f->fwmark == 0x1234 && s->fwmark == 0x1234, "keys: FwMark = fwmark");
		CHECK(f->num_peers == 1 && s->num_peers == 1, "keys: [Peer] = peer");
	}
	if (f && s && f->num_peers == 1 && s->num_peers == 1) {
		struct wg_peer *fp = f->peers, *sp = s->peers;

		CHECK(fp->has == sp->has && fp->has == (WGPEER_HAS_PUBLIC_KEY | WGPEER_HAS_PRESHARED_KEY |
						       WGPEER_HAS_KEEPALIVE) &&
		      key_is(fp->public_key, PUB) && key_is(sp->public_key, PUB),
		      "keys: PublicKey = peer");
		CHECK(key_is(fp->preshared_key, PSK) && key_is(sp->preshared_key, PSK),
		      "keys: PresharedKey = preshared-key (a file for set)");
		CHECK(fp->flags == WGPEER_F_REPLACE_ALLOWEDIPS && sp->flags == WGPEER_F_REPLACE_ALLOWEDIPS &&
		      fp->num_ips == 2 && sp->num_ips == 2 &&
		      allowedip_same(&fp->ips[0], &sp->ips[0]) && allowedip_same(&fp->ips[1], &sp->ips[1]) &&
		      fp->ips[1].family == AF_INET6 && fp->ips[1].cidr == 64,
		      "keys: AllowedIPs = allowed-ips");
		CHECK(!memcmp(&fp->endpoint, &sp->endpoint, sizeof(fp->endpoint)) &&
		      fp->endpoint.addr4.sin_family == AF_INET && ntohs(fp->endpoint.addr4.sin_port) == 51820,
		      "keys: Endpoint = endpoint");
		CHECK(fp->keepalive == 25 && sp->keepalive == 25, "keys: PersistentKeepalive = persistent-keepalive");
	}
	device_free(f);
	device_free(s);
	free(err);

	a.text = "[Interface]\nFwMark = off\n";
	err = capture_stderr(do_parse, &a);
	CHECK(a.dev && (a.dev->has & WGDEVICE_HAS_FWMARK) && a.dev->fwmark == 0 && !*err, "keys: FwMark = off");
	device_free(a.dev);
	free(err);
	{
		char *off[] = { "peer", PUB, "persistent-keepalive", "off", "peer", PUB, "remove", NULL };

		s = parse_args_capture(off, &err);
		CHECK(s && s->num_peers == 2 && (s->peers[0].has & WGPEER_HAS_KEEPALIVE) &&
		      s->peers[0].keepalive == 0 && !(s->peers[0].flags & WGPEER_F_REMOVE_ME) &&
		      s->peers[1].flags == WGPEER_F_REMOVE_ME && !*err,
		      "keys: persistent-keepalive off; remove marks only its own peer");
		device_free(s);
		free(err);
	}

	/* Every key's errors, as a file says them. */
	expect_file_error("[Interface]\nPrivateKey = " PUB "x\n",
			  "test.conf:2: PrivateKey is not a valid base64 key of 32 bytes\n");
	expect_file_error("[Interface]\nListenPort = 65536\n",
			  "test.conf:2: ListenPort must be a number from 0 to 65535: `65536'\n");
	expect_file_error("[Interface]\nFwMark = on\n",
			  "test.conf:2: FwMark must be off or a number from 0 to 0xffffffff: `on'\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "x\n",
			  "test.conf:2: PublicKey is not a valid base64 key of 32 bytes: `" PUB "x'\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nPresharedKey = " PSK "x\n",
			  "test.conf:3: PresharedKey is not a valid base64 key of 32 bytes\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nAllowedIPs = 10.0.0.0/8,+10.1.0.0/16\n",
			  "test.conf:3: AllowedIPs entry `+10.1.0.0/16' is not a valid IP address or CIDR\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nEndpoint = [::1]:99999\n",
			  "test.conf:3: Endpoint `[::1]:99999': port must be a number from 0 to 65535\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nPersistentKeepalive = -1\n",
			  "test.conf:3: PersistentKeepalive must be off or a number from 0 to 65535: `-1'\n");
	/* Each key only in its own section; remove only in `wg set'. */
	expect_file_error("[Interface]\nPublicKey = " PUB "\n", "test.conf:2: unknown key `PublicKey' in [Interface]\n");
	expect_file_error("[Interface]\nPresharedKey = " PSK "\n",
			  "test.conf:2: unknown key `PresharedKey' in [Interface]\n");
	expect_file_error("[Interface]\nAllowedIPs = 10.0.0.0/8\n", "test.conf:2: unknown key `AllowedIPs' in [Interface]\n");
	expect_file_error("[Interface]\nEndpoint = 1.2.3.4:5\n", "test.conf:2: unknown key `Endpoint' in [Interface]\n");
	expect_file_error("[Interface]\nPersistentKeepalive = 1\n",
			  "test.conf:2: unknown key `PersistentKeepalive' in [Interface]\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nPrivateKey = " PRIV "\n",
			  "test.conf:3: unknown key `PrivateKey' in [Peer]\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nListenPort = 1\n", "test.conf:3: unknown key `ListenPort' in [Peer]\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nFwMark = 1\n", "test.conf:3: unknown key `FwMark' in [Peer]\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nRemove = true\n", "test.conf:3: unknown key `Remove' in [Peer]\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nPresharedKey =\n", "test.conf:3: `PresharedKey' has an empty value\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nAllowedIPs = 10.0.0.1/8\nPersistentKeepalive = x\n",
			  "test.conf:3: warning: AllowedIPs entry `10.0.0.1/8' has a nonzero host part\n"
			  "test.conf:4: PersistentKeepalive must be off or a number from 0 to 65535: `x'\n");

	/* And as `wg set' says them. */
	{
		char *a1[] = { "listen-port", NULL }, *a2[] = { "listen-port", "65536", NULL };
		char *a3[] = { "fwmark", "0x100000000", NULL }, *a4[] = { "private-key", NULL };
		char *a5[] = { "private-key", "/nonexistent/key", NULL }, *a6[] = { "private-key", bad_file, NULL };
		char *a7[] = { "private-key", "/tmp", NULL }, *a8[] = { "peer", NULL };
		char *a9[] = { "peer", "notakey", NULL }, *a10[] = { "peer", PUB, "preshared-key", bad_file, NULL };
		char *a11[] = { "peer", PUB, "endpoint", "1.2.3.4", NULL };
		char *a12[] = { "peer", PUB, "persistent-keepalive", "65536", NULL };
		char *a13[] = { "peer", PUB, "allowed-ips", "10.0.0.0/33", NULL };
		char *a14[] = { "peer", PUB, "endpoint", NULL };
		char *a15[] = { "peer", PUB, "remove", "extra", NULL };
		char *a16[] = { "bogus", "1", NULL }, *a17[] = { "PrivateKey", PRIV, NULL };
		char *a18[] = { "peer", PUB, "allowed-ips", "10.0.0.1/8", "listen-port", "1", NULL };

		expect_args_error(a1, "Option `listen-port' needs a value\n");
		expect_args_error(a2, "listen-port must be a number from 0 to 65535: `65536'\n");
		expect_args_error(a3, "fwmark must be off or a number from 0 to 0xffffffff: `0x100000000'\n");
		expect_args_error(a4, "Option `private-key' needs a value\n");
		expect_args_error(a5, "Unable to open key file `/nonexistent/key': No such file or directory\n");
		snprintf(bad_msg, sizeof(bad_msg), "Key in `%s' is not a valid base64 key of 32 bytes\n", bad_file);
		expect_args_error(a6, bad_msg);
		expect_args_error(a7, "Unable to read key file `/tmp': Is a directory\n");
		expect_args_error(a8, "Option `peer' needs a value\n");
		expect_args_error(a9, "Peer key is not a valid base64 key of 32 bytes: `notakey'\n");
		expect_args_error(a10, bad_msg);
		expect_args_error(a11, "Endpoint `1.2.3.4': endpoint must be host:port\n");
		expect_args_error(a12, "persistent-keepalive must be off or a number from 0 to 65535: `65536'\n");
		expect_args_error(a13, "allowed-ips entry `10.0.0.0/33' is not a valid IP address or CIDR\n");
		expect_args_error(a14, "Option `endpoint' needs a value\n");
		expect_args_error(a15, "Invalid argument: extra\n");
		expect_args_error(a16, "Invalid argument: bogus\n");
		expect_args_error(a17, "Invalid argument: PrivateKey\n");
		expect_args_error(a18, "allowed-ips: warning: AllowedIPs entry `10.0.0.1/8' has a nonzero host part\n"
				  "Invalid argument: listen-port\n");
	}
	/* Interface keys only before the first peer, peer keys only after. */
	{
		static const char *const iface[][2] = {
			{ "listen-port", "1" }, { "fwmark", "1" }, { "private-key", "/dev/null" },
		};
		static const char *const peer[][2] = {
			{ "remove", NULL }, { "preshared-key", "/dev/null" }, { "endpoint", "1.2.3.4:5" },
			{ "persistent-keepalive", "1" }, { "allowed-ips", "10.0.0.0/8" },
		};
		char want[64];

		for (size_t i = 0; i < sizeof(iface) / sizeof(iface[0]); i++) {
			char *argv[] = { "peer", PUB, (char *)iface[i][0], (char *)iface[i][1], NULL };

			snprintf(want, sizeof(want), "Invalid argument: %s\n", iface[i][0]);
			expect_args_error(argv, want);
		}
		for (size_t i = 0; i < sizeof(peer) / sizeof(peer[0]); i++) {
			char *argv[] = { "listen-port", "1", (char *)peer[i][0], (char *)peer[i][1], NULL };

			snprintf(want, sizeof(want), "Invalid argument: %s\n", peer[i][0]);
			expect_args_error(argv, want);
		}
	}
	unlink(priv_file);
	unlink(psk_file);
	unlink(bad_file);
	free(priv_file);
	free(psk_file);
	free(bad_file);
}

/* -------------------------------------------------------------- format */

static void r_duration(FILE *f, void *a)
{
	format_duration(f, *(uint64_t *)a, false);
}

static void r_bytes(FILE *f, void *a)
{
	format_bytes(f, *(uint64_t *)a, false);
}

static void expect_duration(uint64_t s, const char *want)
{
	char *got = render(r_duration, &s);

	CHECK(!strcmp(got, want), "format: %llu seconds is \"%s\" (got \"%s\")",
	      (unsigned long long)s, want, got);
	free(got);
}

static void expect_bytes(uint64_t b, const char *want)
{
	char *got = render(r_bytes, &b);

	CHECK(!strcmp(got, want), "format: %llu bytes is \"%s\" (got \"%s\")",
	      (unsigned long long)b, want, got);
	free(got);
}

static struct wg_device *sample_device(void)
{
	struct wg_device *d = device_new();
	struct wg_peer *p;
	struct wg_allowedip *ip;

	strcpy(d->name, "wg0");
	d->ifindex = 7;
	fill_key(d->private_key, 1);
	fill_key(d->public_key, 2);
	d->has = WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_PUBLIC_KEY;
	d->listen_port = 51820;
	d->fwmark = 0x1234;

	p = device_add_peer(d);	/* never handshaked */
	fill_key(p->public_key, 3);
	p->has = WGPEER_HAS_PUBLIC_KEY;

	p = device_add_peer(d);	/* recent handshake: listed first */
	fill_key(p->public_key, 4);
	fill_key(p->preshared_key, 5);
	p->has = WGPEER_HAS_PUBLIC_KEY | WGPEER_HAS_PRESHARED_KEY;
	p->endpoint.addr4.sin_family = AF_INET;
	p->endpoint.addr4.sin_port = htons(51820);
	inet_pton(AF_INET, "192.0.2.1", &p->endpoint.addr4.sin_addr);
	ip = peer_add_ip(p);
	ip->family = AF_INET;
	inet_pton(AF_INET, "10.0.0.0", &ip->ip4);
	ip->cidr = 24;
	ip = peer_add_ip(p);
	ip->family = AF_INET6;
	inet_pton(AF_INET6, "fd00::", &ip->ip6);
	ip->cidr = 64;
	p->last_handshake_sec = 1000000 - 63;
	p->rx_bytes = 4414504;	/* 4.21 MiB */
	p->tx_bytes = 1069547;	/* 1.02 MiB */
	p->keepalive = 25;

	p = device_add_peer(d);	/* older handshake, IPv6 endpoint */
	fill_key(p->public_key, 6);
	p->has = WGPEER_HAS_PUBLIC_KEY;
	p->endpoint.addr6.sin6_family = AF_INET6;
	p->endpoint.addr6.sin6_port = htons(1234);
	inet_pton(AF_INET6, "2001:db8::2", &p->endpoint.addr6.sin6_addr);
	p->last_handshake_sec = 1000000 - 3600 * 25 - 1;
	p->rx_bytes = 100;
	return d;
}

struct pretty_arg {
	struct wg_device *d;
	struct format_opts o;
};

static void r_pretty(FILE *f, void *a)
{
	struct pretty_arg *p = a;

	format_pretty(f, p->d, &p->o);
}

static void r_dump(FILE *f, void *a)
{
	format_dump(f, a, false);
}

static void r_dump_all(FILE *f, void *a)
{
	format_dump(f, a, true);
}

static void r_showconf(FILE *f, void *a)
{
	format_showconf(f, a, false);
}

static void r_showconf_portable(FILE *f, void *a)
{
	format_showconf(f, a, true);
}

static void r_json(FILE *f, void *a)
{
	struct pretty_arg *p = a;

	format_json(f, &p->d, 1, &p->o);
}

static void r_endpoints(FILE *f, void *a)
{
	format_field(f, a, "endpoints", true);
}

static void r_allowed(FILE *f, void *a)
{
	format_field(f, a, "allowed-ips", false);
}

/*
 * format_endpoint() and format_allowedip() build their text by hand; they
 * must print what inet_ntop(), getnameinfo() and printf() would.
 */
static void check_address_text(void)
{
	char got[ENDPOINT_STRLEN], want[ENDPOINT_STRLEN + 16], host[INET6_ADDRSTRLEN];
	static const uint16_t ports[] = { 0, 1, 9, 10, 51820, 65535 };
	unsigned int bad_ep = 0, bad_ip = 0;

	for (uint32_t i = 0; i < 40000; i++) {
		uint32_t r = i * 2654435761u;
		union wg_endpoint ep = { 0 };
		struct wg_allowedip ip = { 0 };

		ep.addr4.sin_family = AF_INET;
		ep.addr4.sin_addr.s_addr = i < 256 ? htonl(i << 24 | i) : r;
		ep.addr4.sin_port = htons(i < 6 ? ports[i] : (uint16_t)(r >> 11));
		format_endpoint(got, sizeof(got), &ep);
		inet_ntop(AF_INET, &ep.addr4.sin_addr, host, sizeof(host));
		snprintf(want, sizeof(want), "%s:%u", host, ntohs(ep.addr4.sin_port));
		bad_ep += !!strcmp(got, want);

		/* IPv6 words drawn from zero, one, 0xffff and others, so that
		 * every run of zeros and the IPv4-mapped forms occur. */
		ip.family = i & 1 ? AF_INET6 : AF_INET;
		for (unsigned int w = 0; w < 8; w++) {
			static const uint16_t words[] = { 0, 0, 1, 0xffff, 0x1234, 0xa00 };
			uint16_t v = words[(r >> (w * 3)) % 6];

			ip.ip6.s6_addr[2 * w] = v >> 8;
			ip.ip6.s6_addr[2 * w + 1] = v & 0xff;
		}
		if (ip.family == AF_INET)
			memcpy(&ip.ip4, &r, sizeof(ip.ip4));
		ip.cidr = (uint8_t)(i % (ip.family == AF_INET ? 33 : 129));
		format_allowedip(got, sizeof(got), &ip);
		inet_ntop(ip.family, ip.family == AF_INET ? (void *)&ip.ip4 : (void *)&ip.ip6,
			  host, sizeof(host));
		snprintf(want, sizeof(want), "%s/%u", host, ip.cidr);
		bad_ip += !!strcmp(got, want);
	}
	CHECK(!bad_ep, "format: 40,000 IPv4 endpoints print as inet_ntop and printf would (%u differ)",
	      bad_ep);
	CHECK(!bad_ip, "format: 40,000 allowed IPs print as inet_ntop and printf would (%u differ)",
	      bad_ip);
	{
		union wg_endpoint ep = { 0 };
		struct wg_allowedip ip = { .family = AF_INET, .cidr = 8 };

		ep.addr4.sin_family = AF_INET;
		format_endpoint(got, ENDPOINT_STRLEN - 1, &ep);
		format_allowedip(host, ALLOWEDIP_STRLEN - 1 < sizeof(host) ? ALLOWEDIP_STRLEN - 1 :
				 sizeof(host), &ip);
		CHECK(!got[0] && !host[0], "format: a buffer below the documented size gets \"\"");
	}
}

static void test_format(void)
{
	struct pretty_arg pa = { .o = { .color = false, .hide_keys = true, .now = 1000000 } };
	char k[7][WG_KEY_B64_LEN + 1], *want, *got;
	uint64_t ago;

	check_address_text();
	expect_duration(1, "1 second");
	expect_duration(63, "1 minute, 3 seconds");
	expect_duration(3600, "1 hour");
	expect_duration(3661, "1 hour, 1 minute, 1 second");
	expect_duration(65535, "18 hours, 12 minutes, 15 seconds");
	expect_duration(2 * 365 * 86400ULL + 86400, "2 years, 1 day");
	expect_bytes(0, "0 B");
	expect_bytes(1023, "1023 B");
	expect_bytes(1024, "1.00 KiB");
	expect_bytes(1925, "1.88 KiB");
	expect_bytes(4414504, "4.21 MiB");
	expect_bytes(5ULL << 30, "5.00 GiB");
	expect_bytes(3ULL << 40, "3.00 TiB");
	expect_bytes(5000ULL << 40, "5000.00 TiB");

	pa.d = sample_device();
	for (int i = 1; i <= 6; i++) {
		uint8_t key[WG_KEY_LEN];

		fill_key(key, (uint8_t)i);
		key_to_base64(k[i], key);
	}
	(void)ago;
	if (asprintf(&want,
		     "interface: wg0\n"
		     "  public key: %s\n"
		     "  private key: (hidden)\n"
		     "  listening port: 51820\n"
		     "  fwmark: 0x1234\n"
		     "\n"
		     "peer: %s\n"
		     "  preshared key: (hidden)\n"
		     "  endpoint: 192.0.2.1:51820\n"
		     "  allowed ips: 10.0.0.0/24, fd00::/64\n"
		     "  latest handshake: 1 minute, 3 seconds ago\n"
		     "  transfer: 4.21 MiB received, 1.02 MiB sent\n"
		     "  persistent keepalive: every 25 seconds\n"
		     "\n"
		     "peer: %s\n"
		     "  endpoint: [2001:db8::2]:1234\n"
		     "  allowed ips: (none)\n"
		     "  latest handshake: 1 day, 1 hour, 1 second ago\n"
		     "  transfer: 100 B received, 0 B sent\n"
		     "\n"
		     "peer: %s\n"
		     "  allowed ips: (none)\n", k[2], k[4], k[6], k[3]) < 0)
		abort();
	got = render(r_pretty, &pa);
	CHECK(!strcmp(got, want), "format: pretty output, peers by latest handshake");
	free(got);
	free(want);

	pa.o.hide_keys = false;
	got = render(r_pretty, &pa);
	CHECK(strstr(got, k[1]) && strstr(got, k[5]) && !strstr(got, "(hidden)"),
	      "format: WG_HIDE_KEYS=never shows private and preshared keys");
	free(got);

	pa.o.color = true;
	got = render(r_pretty, &pa);
	CHECK(strstr(got, "\x1b[0m\x1b[32m\x1b[1minterface\x1b[0m: \x1b[32mwg0\x1b[0m\n") &&
	      strstr(got, "  \x1b[1mallowed ips\x1b[0m: 10.0.0.0\x1b[36m/\x1b[0m24, fd00::\x1b[36m/\x1b[0m64\n") &&
	      strstr(got, "every 25 \x1b[36mseconds\x1b[0m\n"),
	      "format: colour escapes as wireguard-tools prints them");
	free(got);
	pa.o.color = false;
	pa.o.hide_keys = true;

	pa.d->peers[1].last_handshake_sec = pa.o.now;
	got = render(r_pretty, &pa);
	CHECK(strstr(got, "latest handshake: Now\n") != NULL, "format: handshake this second is Now");
	free(got);
	pa.d->peers[1].last_handshake_sec = pa.o.now + 5;
	got = render(r_pretty, &pa);
	CHECK(strstr(got, "latest handshake: (System clock wound backward; connection problems may ensue.)\n") != NULL,
	      "format: handshake in the future warns");
	free(got);
	pa.d->peers[1].last_handshake_sec = 1000000 - 63;

	if (asprintf(&want,
		     "%s\t%s\t51820\t0x1234\n"
		     "%s\t(none)\t(none)\t(none)\t0\t0\t0\toff\n"
		     "%s\t%s\t192.0.2.1:51820\t10.0.0.0/24,fd00::/64\t%d\t4414504\t1069547\t25\n"
		     "%s\t(none)\t[2001:db8::2]:1234\t(none)\t%d\t100\t0\toff\n",
		     k[1], k[2], k[3], k[4], k[5], 1000000 - 63, k[6], 1000000 - 3600 * 25 - 1) < 0)
		abort();
	got = render(r_dump, pa.d);
	CHECK(!strcmp(got, want), "format: dump, device order, private keys shown");
	free(got);
	free(want);
	/* Extremes of the numbers the dump prints by hand. */
	{
		struct wg_device *x = device_new();
		struct wg_peer *p = device_add_peer(x);

		fill_key(p->public_key, 7);
		p->has = WGPEER_HAS_PUBLIC_KEY;
		p->last_handshake_sec = INT64_MIN;
		p->rx_bytes = UINT64_MAX;
		p->keepalive = 65535;
		got = render(r_dump, x);
		CHECK(strstr(got, "\t-9223372036854775808\t18446744073709551615\t0\t65535\n") != NULL,
		      "format: dump prints signed, 64-bit and keepalive extremes");
		free(got);
		device_free(x);
	}
	got = render(r_dump_all, pa.d);
	CHECK(!strncmp(got, "wg0\t", 4) && strstr(got, "\nwg0\t") && !strstr(got, "\n\n"),
	      "format: dump of all prefixes every line with the name");
	free(got);
	got = render(r_endpoints, pa.d);
	CHECK(strstr(got, "wg0\t") == got && strstr(got, "\nwg0\t") && strstr(got, "\t(none)\n"),
	      "format: endpoints of all prefix every line");
	free(got);
	got = render(r_allowed, pa.d);
	CHECK(strstr(got, "\t10.0.0.0/24 fd00::/64\n") != NULL, "format: allowed-ips field space separated");
	free(got);

	if (asprintf(&want,
		     "[Interface]\n"
		     "ListenPort = 51820\n"
		     "FwMark = 0x1234\n"
		     "PrivateKey = %s\n"
		     "\n"
		     "[Peer]\n"
		     "PublicKey = %s\n"
		     "\n"
		     "[Peer]\n"
		     "PublicKey = %s\n"
		     "PresharedKey = %s\n"
		     "AllowedIPs = 10.0.0.0/24, fd00::/64\n"
		     "Endpoint = 192.0.2.1:51820\n"
		     "PersistentKeepalive = 25\n"
		     "\n"
		     "[Peer]\n"
		     "PublicKey = %s\n"
		     "Endpoint = [2001:db8::2]:1234\n", k[1], k[3], k[4], k[5], k[6]) < 0)
		abort();
	got = render(r_showconf, pa.d);
	CHECK(!strcmp(got, want), "format: showconf");
	{
		/* showconf output must parse back to the same configuration. */
		struct wg_device *back = config_parse_buffer(got, strlen(got), "showconf");
		char *again = back ? render(r_showconf, back) : NULL;

		CHECK(again && !strcmp(again, got), "format: showconf output parses back identically");
		free(again);
		device_free(back);
	}
	free(got);
	free(want);

	got = render(r_json, &pa);
	CHECK(strstr(got, "\"schema\": 1") && strstr(got, "\"name\": \"wg0\"") &&
	      strstr(got, "\"ifindex\": 7") && strstr(got, "\"private_key\": \"(hidden)\"") &&
	      strstr(got, "\"preshared_key\": null") && strstr(got, "\"endpoint\": \"[2001:db8::2]:1234\"") &&
	      strstr(got, "\"allowed_ips\": [\"10.0.0.0/24\", \"fd00::/64\"]") &&
	      strstr(got, "\"latest_handshake\": 999937") && strstr(got, "\"rx_bytes\": 4414504") &&
	      strstr(got, "\"persistent_keepalive\": 25") && strstr(got, "\"fwmark\": 4660"),
	      "format: JSON carries every field");
	free(got);
	device_free(pa.d);
}

/* ------------------------------------------------------------- netlink */

static struct wg_device *big_device(size_t peers, size_t ips)
{
	struct wg_device *d = device_new();

	strcpy(d->name, "wg0");
	fill_key(d->private_key, 9);
	d->has = WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_LISTEN_PORT | WGDEVICE_HAS_FWMARK;
	d->listen_port = 4242;
	d->fwmark = 7;
	d->flags = WGDEVICE_F_REPLACE_PEERS;
	for (size_t i = 0; i < peers; i++) {
		struct wg_peer *p = device_add_peer(d);

		memset(p->public_key, 0, WG_KEY_LEN);
		memcpy(p->public_key, &i, sizeof(i));
		p->public_key[31] = 0x40;
		p->has = WGPEER_HAS_PUBLIC_KEY | WGPEER_HAS_KEEPALIVE | WGPEER_HAS_NAME;
		snprintf(p->name, sizeof(p->name), "peer %zu", i);
		p->flags = WGPEER_F_REPLACE_ALLOWEDIPS;
		p->keepalive = (uint16_t)(i % 100);
		p->endpoint.addr4.sin_family = AF_INET;
		p->endpoint.addr4.sin_port = htons((uint16_t)(1000 + i));
		p->endpoint.addr4.sin_addr.s_addr = htonl(0x0a000000 + (uint32_t)i);
		for (size_t j = 0; j < ips; j++) {
			struct wg_allowedip *ip = peer_add_ip(p);

			if (j % 3 == 2) {
				ip->family = AF_INET6;
				ip->ip6.s6_addr[0] = 0xfd;
				memcpy(&ip->ip6.s6_addr[4], &i, 4);
				memcpy(&ip->ip6.s6_addr[8], &j, 4);
				ip->cidr = 128;
			} else {
				ip->family = AF_INET;
				ip->ip4.s_addr = htonl(0x64000000 + (uint32_t)(i * 1000003 + j));
				ip->cidr = 32;
			}
		}
	}
	return d;
}

static bool same_config(const struct wg_device *a, const struct wg_device *b)
{
	if (a->num_peers != b->num_peers || a->listen_port != b->listen_port ||
	    a->fwmark != b->fwmark || memcmp(a->private_key, b->private_key, WG_KEY_LEN))
		return false;
	for (size_t i = 0; i < a->num_peers; i++) {
		const struct wg_peer *p = &a->peers[i], *q = &b->peers[i];

		if (memcmp(p->public_key, q->public_key, WG_KEY_LEN) || p->num_ips != q->num_ips ||
		    p->keepalive != q->keepalive || memcmp(&p->endpoint, &q->endpoint, sizeof(p->endpoint)) ||
		    strcmp(p->name, q->name))
			return false;
		for (size_t j = 0; j < p->num_ips; j++)
			if (p->ips[j].family != q->ips[j].family || p->ips[j].cidr != q->ips[j].cidr ||
			    memcmp(&p->ips[j].ip6, &q->ips[j].ip6,
				   p->ips[j].family == AF_INET6 ? 16 : 4))
				return false;
	}
	return true;
}

struct split_result {
	size_t messages;
	bool fits, replace_first_only, key_first_only, continuation_plain;
	struct wg_device *back;
};

/* Builds every SET message of d and reads them back as a dump reader would. */
static struct split_result split_and_merge(const struct wg_device *d, size_t buflen)
{
	struct split_result r = { .fits = true, .replace_first_only = true, .key_first_only = true,
				  .continuation_plain = true };
	struct nlmsg_set_state st = { 0 };
	char *buf = malloc(buflen);

	r.back = device_new();
	do {
		struct nlmsghdr *nlh = nlmsg_build_set(buf, buflen, 0x42, d, &st);
		struct wg_device *one;
		size_t before = r.back->num_peers;

		if (!nlh) {
			device_free(r.back);
			r.back = NULL;
			break;
		}
		r.fits &= nlh->nlmsg_len <= buflen;
		one = device_new();
		if (nlmsg_parse_device(one, nlh) || nlmsg_parse_device(r.back, nlh)) {
			device_free(one);
			device_free(r.back);
			r.back = NULL;
			break;
		}
		if (r.messages) {
			r.replace_first_only &= !(one->flags & WGDEVICE_F_REPLACE_PEERS);
			r.key_first_only &= !(one->has & WGDEVICE_HAS_PRIVATE_KEY);
			/* A peer continued from the previous message carries
			 * nothing but its key and more allowed IPs. */
			if (one->num_peers && r.back->num_peers == before + one->num_peers - 1)
				r.continuation_plain &= one->peers[0].flags == 0 &&
							!(one->peers[0].has & (WGPEER_HAS_KEEPALIVE | WGPEER_HAS_NAME)) &&
							!one->peers[0].endpoint.addr.sa_family;
		} else {
			r.replace_first_only &= !!(one->flags & WGDEVICE_F_REPLACE_PEERS);
		}
		device_free(one);
		r.messages++;
	} while (!st.done);
	free(buf);
	return r;
}

static void test_netlink(void)
{
	struct wg_device *d;
	struct split_result r;

	d = big_device(1000, 100);
	r = split_and_merge(d, NLMSG_SET_BUFFER);
	CHECK(r.back && same_config(d, r.back), "netlink: 1000 peers x 100 allowed IPs survive splitting (%zu messages)",
	      r.messages);
	CHECK(r.messages > 1 && r.fits, "netlink: every message within the buffer");
	CHECK(r.replace_first_only, "netlink: REPLACE_PEERS only in the first message");
	CHECK(r.key_first_only, "netlink: private key only in the first message");
	CHECK(r.continuation_plain, "netlink: continued peers carry only key and allowed IPs (no name again)");
	device_free(r.back);
	device_free(d);

	d = big_device(1, 100000);
	r = split_and_merge(d, NLMSG_SET_BUFFER);
	CHECK(r.back && same_config(d, r.back) && r.back->num_peers == 1,
	      "netlink: one peer with 100000 allowed IPs survives splitting (%zu messages)", r.messages);
	CHECK(r.continuation_plain, "netlink: 100000-IP peer continues without flags");
	device_free(r.back);
	device_free(d);

	d = big_device(20, 30);
	r = split_and_merge(d, 400);
	CHECK(r.back && same_config(d, r.back), "netlink: tiny 400-byte messages still reassemble (%zu messages)",
	      r.messages);
	device_free(r.back);
	r = split_and_merge(d, 80);
	CHECK(!r.back, "netlink: a buffer too small for one peer is an error, not a loop");
	device_free(d);

	d = device_new();
	strcpy(d->name, "wg0");
	d->flags = WGDEVICE_F_REPLACE_PEERS;
	r = split_and_merge(d, NLMSG_SET_BUFFER);
	CHECK(r.back && r.messages == 1 && r.back->num_peers == 0, "netlink: no peers is one message");
	device_free(r.back);
	device_free(d);

	/* Adjacent entries merge, separated ones do not. */
	{
		char buf[4096];
		struct nlmsghdr *nlh = nlmsg_genl_header(buf, 0x42, WG_CMD_GET_DEVICE, 0, 1);
		struct nlattr *peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS), *pn, *ipn, *in;
		uint8_t ka[WG_KEY_LEN], kb[WG_KEY_LEN];
		struct wg_device *g = device_new();
		uint32_t addr = htonl(0x0a000001);

		fill_key(ka, 1);
		fill_key(kb, 2);
		for (int i = 0; i < 3; i++) {
			pn = mnl_attr_nest_start(nlh, 0);
			mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, i == 1 ? kb : ka);
			ipn = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
			in = mnl_attr_nest_start(nlh, 0);
			mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET);
			mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, 4, &addr);
			mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, 32);
			mnl_attr_nest_end(nlh, in);
			mnl_attr_nest_end(nlh, ipn);
			mnl_attr_nest_end(nlh, pn);
		}
		mnl_attr_nest_end(nlh, peers);
		CHECK(!nlmsg_parse_device(g, nlh) && g->num_peers == 3,
		      "netlink: same key separated by another peer stays two peers");
		/* A next message starting with the last key continues it. */
		nlh = nlmsg_genl_header(buf, 0x42, WG_CMD_GET_DEVICE, 0, 1);
		peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
		pn = mnl_attr_nest_start(nlh, 0);
		mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, ka);
		ipn = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
		in = mnl_attr_nest_start(nlh, 0);
		mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET);
		mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, 4, &addr);
		mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, 24);
		mnl_attr_nest_end(nlh, in);
		mnl_attr_nest_end(nlh, ipn);
		mnl_attr_nest_end(nlh, pn);
		mnl_attr_nest_end(nlh, peers);
		CHECK(!nlmsg_parse_device(g, nlh) && g->num_peers == 3 && g->peers[2].num_ips == 2,
		      "netlink: peer continued in the next message is merged");
		device_free(g);

		/* Malformed: a 31-byte public key. */
		nlh = nlmsg_genl_header(buf, 0x42, WG_CMD_GET_DEVICE, 0, 1);
		peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
		pn = mnl_attr_nest_start(nlh, 0);
		mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN - 1, ka);
		mnl_attr_nest_end(nlh, pn);
		mnl_attr_nest_end(nlh, peers);
		g = device_new();
		CHECK(nlmsg_parse_device(g, nlh) == -EBADMSG, "netlink: short key attribute is rejected");
		device_free(g);
	}
}

/* ---------------------------------------------------------------- uapi */

static void r_uapi_set(FILE *f, void *a)
{
	uapi_format_set(f, a);
}

static void test_uapi(void)
{
	static const char answer[] =
		"private_key=e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a\n"
		"listen_port=12912\n"
		"fwmark=0\n"
		"public_key=b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85a8e75a33\n"
		"preshared_key=188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52\n"
		"allowed_ip=192.168.4.4/32\n"
		"endpoint=[abcd:23::33%2]:51820\n"
		"last_handshake_time_sec=1700000000\n"
		"last_handshake_time_nsec=5\n"
		"tx_bytes=38333\n"
		"rx_bytes=2224\n"
		"persistent_keepalive_interval=0\n"
		"protocol_version=1\n"
		"public_key=58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceb7e19321376\n"
		"endpoint=182.122.22.19:3233\n"
		"allowed_ip=192.168.4.6/32\n"
		"allowed_ip=fd00::/64\n"
		"errno=0\n\n";
	struct wg_device *d = NULL, *s;
	char *got;
	int ret = uapi_parse_get(&d, answer, "wgu");

	CHECK(!ret && d, "uapi: get answer parses");
	if (d) {
		CHECK(d->listen_port == 12912 && (d->has & WGDEVICE_HAS_PRIVATE_KEY) &&
		      d->private_key[0] == 0xe8, "uapi: device fields");
		CHECK(d->num_peers == 2 && d->peers[0].last_handshake_sec == 1700000000 &&
		      d->peers[0].tx_bytes == 38333 && d->peers[0].rx_bytes == 2224,
		      "uapi: peer counters and handshake");
		CHECK(d->peers[0].endpoint.addr.sa_family == AF_INET6 &&
		      d->peers[0].endpoint.addr6.sin6_scope_id == 2 &&
		      ntohs(d->peers[0].endpoint.addr6.sin6_port) == 51820, "uapi: scoped IPv6 endpoint");
		CHECK(d->peers[1].num_ips == 2 && d->peers[1].ips[1].family == AF_INET6 &&
		      d->peers[1].ips[1].cidr == 64, "uapi: allowed IPs");
	}
	device_free(d);
	d = NULL;
	CHECK(uapi_parse_get(&d, "errno=19\n\n", "x") == -19 && !d, "uapi: errno=19 becomes -ENODEV");
	CHECK(uapi_parse_get(&d, "listen_port=99999\nerrno=0\n\n", "x") == -EPROTO,
	      "uapi: out-of-range value is a protocol error");
	CHECK(uapi_parse_get(&d, "listen_port=1\n", "x") == -EPROTO, "uapi: answer without errno is an error");

	s = device_new();
	strcpy(s->name, "wgu");
	s->flags = WGDEVICE_F_REPLACE_PEERS;
	s->has = WGDEVICE_HAS_LISTEN_PORT | WGDEVICE_HAS_FWMARK;
	s->listen_port = 1;
	s->fwmark = 0;
	{
		struct wg_peer *p = device_add_peer(s);
		struct wg_allowedip *ip;

		memset(p->public_key, 0xab, WG_KEY_LEN);
		p->has = WGPEER_HAS_PUBLIC_KEY | WGPEER_HAS_KEEPALIVE | WGPEER_HAS_PRESHARED_KEY;
		p->flags = WGPEER_F_REPLACE_ALLOWEDIPS;
		p->keepalive = 0;
		ip = peer_add_ip(p);
		ip->family = AF_INET;
		ip->cidr = 8;
		ip->ip4.s_addr = htonl(0x0a000000);
		p = device_add_peer(s);
		memset(p->public_key, 0xcd, WG_KEY_LEN);
		p->has = WGPEER_HAS_PUBLIC_KEY;
		p->flags = WGPEER_F_REMOVE_ME;
	}
	got = render(r_uapi_set, s);
	CHECK(!strcmp(got,
		      "set=1\nlisten_port=1\nfwmark=0\nreplace_peers=true\n"
		      "public_key=abababababababababababababababababababababababababababababababab\n"
		      "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
		      "persistent_keepalive_interval=0\nreplace_allowed_ips=true\nallowed_ip=10.0.0.0/8\n"
		      "public_key=cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\n"
		      "remove=true\n\n"),
	      "uapi: set request text");
	free(got);
	device_free(s);
}

/* --------------------------------------------------- set and syncconf */

static struct wg_allowedip mkip(const char *s, uint32_t flags)
{
	struct wg_allowedip ip;

	parse_allowedip(&ip, s);
	ip.flags = flags;
	return ip;
}

static bool ips_are(const struct wg_peer *p, const char *const *want, size_t n)
{
	if (p->num_ips != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		struct wg_allowedip w = mkip(want[i], 0);

		if (!allowedip_same(&p->ips[i], &w))
			return false;
	}
	return true;
}

/*
 * What peer_edit_to_replacement() must leave, the slow way: the current
 * list, then each edit applied in turn to a sequence.
 */
static size_t edit_reference(const struct wg_peer *cur, const struct wg_peer *edit,
			     struct wg_allowedip *out)
{
	size_t n = 0;

	for (size_t i = 0; i < cur->num_ips + edit->num_ips; i++) {
		const struct wg_allowedip *ip = i < cur->num_ips ? &cur->ips[i] :
								  &edit->ips[i - cur->num_ips];
		size_t o = 0;
		bool there = false;

		if (ip->flags & WGALLOWEDIP_F_REMOVE_ME) {
			for (size_t j = 0; j < n; j++)
				if (!allowedip_same(&out[j], ip))
					out[o++] = out[j];
			n = o;
			continue;
		}
		for (size_t j = 0; j < n; j++)
			there |= allowedip_same(&out[j], ip);
		if (!there)
			out[n++] = *ip;
	}
	return n;
}

/* Random edits of a random list, few distinct entries so that they meet. */
static bool edit_matches_reference(unsigned int round)
{
	struct wg_peer cur = { 0 }, edit = { 0 };
	struct wg_allowedip *want;
	size_t ncur = round % 40, nedit = (round * 7) % 50, nwant;
	bool ok;

	for (size_t i = 0; i < ncur + nedit; i++) {
		uint32_t r = randombytes_uniform(1u << 16);
		char text[48];
		bool v6 = r & 1;

		/* 12 addresses x 3 prefix lengths per family; host bits vary. */
		snprintf(text, sizeof(text), v6 ? "fd00:%u::%u/%u" : "10.%u.0.%u/%u",
			 (r >> 1) % 12, (r >> 5) % 3, v6 ? 64 + 8 * ((r >> 7) % 3) : 16 + 8 * ((r >> 7) % 3));
		*peer_add_ip(i < ncur ? &cur : &edit) =
			mkip(text, i >= ncur && (r >> 9) % 3 == 0 ? WGALLOWEDIP_F_REMOVE_ME : 0);
	}
	want = calloc(ncur + nedit + 1, sizeof(*want));
	nwant = edit_reference(&cur, &edit, want);
	ok = !peer_edit_to_replacement(&edit, &cur) && edit.num_ips == nwant &&
	     (edit.flags & WGPEER_F_REPLACE_ALLOWEDIPS);
	for (size_t i = 0; ok && i < nwant; i++)
		ok = allowedip_same(&edit.ips[i], &want[i]) && !edit.ips[i].flags;
	free(want);
	peer_clear(&edit);
	peer_clear(&cur);
	return ok;
}

static void test_edit_and_sync(void)
{
	struct wg_peer cur = { 0 }, edit = { 0 };
	static const char *const after[] = { "10.0.0.0/24", "10.3.0.0/16", "10.4.0.0/16" };

	*peer_add_ip(&cur) = mkip("10.0.0.0/24", 0);
	*peer_add_ip(&cur) = mkip("10.2.0.0/16", 0);
	*peer_add_ip(&cur) = mkip("10.3.0.0/16", 0);
	*peer_add_ip(&edit) = mkip("10.2.0.9/16", WGALLOWEDIP_F_REMOVE_ME);
	*peer_add_ip(&edit) = mkip("10.4.0.0/16", 0);
	*peer_add_ip(&edit) = mkip("10.9.0.0/16", WGALLOWEDIP_F_REMOVE_ME);
	CHECK(!peer_edit_to_replacement(&edit, &cur) && ips_are(&edit, after, 3) &&
	      (edit.flags & WGPEER_F_REPLACE_ALLOWEDIPS),
	      "set: '-' fallback removes (host bits ignored), adds, and never adds a removed entry");
	peer_clear(&edit);
	memset(&edit, 0, sizeof(edit));
	*peer_add_ip(&edit) = mkip("10.9.0.0/16", WGALLOWEDIP_F_REMOVE_ME);
	CHECK(!peer_edit_to_replacement(&edit, NULL) && edit.num_ips == 0,
	      "set: '-' on a new peer gives an empty list");
	peer_clear(&edit);
	peer_clear(&cur);
	{
		static const char *const moved[] = { "10.3.0.0/16", "10.2.0.0/16" };
		bool same = true;

		*peer_add_ip(&cur) = mkip("10.2.0.0/16", 0);
		*peer_add_ip(&cur) = mkip("10.3.0.0/16", 0);
		*peer_add_ip(&cur) = mkip("10.3.0.0/16", 0);
		*peer_add_ip(&edit) = mkip("10.2.0.0/16", WGALLOWEDIP_F_REMOVE_ME);
		*peer_add_ip(&edit) = mkip("10.2.0.0/16", 0);
		*peer_add_ip(&edit) = mkip("10.3.0.0/16", 0);
		CHECK(!peer_edit_to_replacement(&edit, &cur) && ips_are(&edit, moved, 2),
		      "set: '-' fallback: an entry removed and added again goes last, one added twice stays");
		peer_clear(&edit);
		peer_clear(&cur);
		for (unsigned int round = 0; round < 2000 && same; round++)
			same = edit_matches_reference(round);
		CHECK(same, "set: '-' fallback matches applying 2000 random edit lists one by one");
	}

	{
		struct wg_device *cur_dev = device_new(), *want = device_new();
		struct wg_peer *p;

		/* current: A (psk, keepalive 25, x), B, C (y) */
		fill_key(cur_dev->private_key, 1);
		key_clamp(cur_dev->private_key);	/* as the kernel keeps it */
		cur_dev->has = WGDEVICE_HAS_PRIVATE_KEY;
		cur_dev->listen_port = 5000;
		p = device_add_peer(cur_dev);
		fill_key(p->public_key, 10);
		fill_key(p->preshared_key, 11);
		p->has = WGPEER_HAS_PUBLIC_KEY;
		p->keepalive = 25;
		*peer_add_ip(p) = mkip("10.1.0.0/16", 0);
		p = device_add_peer(cur_dev);
		fill_key(p->public_key, 20);
		p->has = WGPEER_HAS_PUBLIC_KEY;
		p = device_add_peer(cur_dev);
		fill_key(p->public_key, 30);
		p->has = WGPEER_HAS_PUBLIC_KEY;
		*peer_add_ip(p) = mkip("10.3.0.0/16", 0);
		*peer_add_ip(p) = mkip("10.4.0.0/16", 0);

		/* file: same private key (unclamped, as a key not made by
		 * wg genkey may be), no ListenPort; A without psk and
		 * keepalive; C unchanged (IPs in another order); D new. */
		fill_key(want->private_key, 1);
		want->has = WGDEVICE_HAS_PRIVATE_KEY;
		p = device_add_peer(want);
		fill_key(p->public_key, 10);
		p->has = WGPEER_HAS_PUBLIC_KEY;
		p->flags = WGPEER_F_REPLACE_ALLOWEDIPS;
		*peer_add_ip(p) = mkip("10.1.0.0/16", 0);
		p = device_add_peer(want);
		fill_key(p->public_key, 30);
		p->has = WGPEER_HAS_PUBLIC_KEY;
		p->flags = WGPEER_F_REPLACE_ALLOWEDIPS;
		*peer_add_ip(p) = mkip("10.4.0.0/16", 0);
		*peer_add_ip(p) = mkip("10.3.0.0/16", 0);
		p = device_add_peer(want);
		fill_key(p->public_key, 40);
		p->has = WGPEER_HAS_PUBLIC_KEY;
		p->flags = WGPEER_F_REPLACE_ALLOWEDIPS;

		CHECK(!sync_diff(want, cur_dev), "syncconf: diff computed");
		CHECK(!(want->has & (WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_LISTEN_PORT | WGDEVICE_HAS_FWMARK)),
		      "syncconf: unchanged key, absent port and equal fwmark are not sent");
		CHECK(want->num_peers == 3, "syncconf: changed A, new D, removed B; unchanged C left alone (%zu)",
		      want->num_peers);
		if (want->num_peers == 3) {
			uint8_t k[WG_KEY_LEN];

			fill_key(k, 10);
			CHECK(!memcmp(want->peers[0].public_key, k, WG_KEY_LEN) &&
			      (want->peers[0].has & WGPEER_HAS_PRESHARED_KEY) && key_is_zero(want->peers[0].preshared_key) &&
			      (want->peers[0].has & WGPEER_HAS_KEEPALIVE) && want->peers[0].keepalive == 0 &&
			      !(want->peers[0].flags & WGPEER_F_REPLACE_ALLOWEDIPS) && want->peers[0].num_ips == 0,
			      "syncconf: removed preshared key and keepalive are cleared, same IPs untouched");
			fill_key(k, 40);
			CHECK(!memcmp(want->peers[1].public_key, k, WG_KEY_LEN) &&
			      (want->peers[1].flags & WGPEER_F_REPLACE_ALLOWEDIPS), "syncconf: new peer added");
			fill_key(k, 20);
			CHECK(!memcmp(want->peers[2].public_key, k, WG_KEY_LEN) &&
			      want->peers[2].flags == WGPEER_F_REMOVE_ME, "syncconf: absent peer removed");
		}
		device_free(want);
		want = device_new();
		fill_key(want->private_key, 2);
		want->has = WGDEVICE_HAS_PRIVATE_KEY;
		CHECK(!sync_diff(want, cur_dev) && (want->has & WGDEVICE_HAS_PRIVATE_KEY),
		      "syncconf: a different private key is sent");
		device_free(want);
		want = device_new();
		CHECK(!sync_diff(want, cur_dev) && (want->has & WGDEVICE_HAS_PRIVATE_KEY) &&
		      key_is_zero(want->private_key) && want->num_peers == 3,
		      "syncconf: a file without PrivateKey removes it and all peers");
		device_free(want);
		device_free(cur_dev);
	}

	{
		/*
		 * A no-op at scale: 5,000 peers listed in the opposite order,
		 * their entries with host bits set, repeated and reordered.
		 * Nothing is sent; the keyed lookups keep it well under a
		 * second (the linear ones took minutes under TCG).
		 */
		enum { NPEERS = 5000 };
		struct wg_device *cur_dev = device_new(), *want = device_new();
		char ip[64];

		for (int i = 0; i < NPEERS; i++) {
			struct wg_peer *p = device_add_peer(cur_dev);

			memset(p->public_key, 0, WG_KEY_LEN);
			memcpy(p->public_key, &i, sizeof(i));
			p->has = WGPEER_HAS_PUBLIC_KEY;
			snprintf(ip, sizeof(ip), "10.%d.%d.0/24", i / 256, i % 256);
			*peer_add_ip(p) = mkip(ip, 0);
			*peer_add_ip(p) = mkip("fd00::/64", 0);
		}
		for (int i = NPEERS - 1; i >= 0; i--) {
			struct wg_peer *p = device_add_peer(want);

			memset(p->public_key, 0, WG_KEY_LEN);
			memcpy(p->public_key, &i, sizeof(i));
			p->has = WGPEER_HAS_PUBLIC_KEY;
			p->flags = WGPEER_F_REPLACE_ALLOWEDIPS;
			*peer_add_ip(p) = mkip("fd00::1/64", 0);
			snprintf(ip, sizeof(ip), "10.%d.%d.%d/24", i / 256, i % 256, i % 200 + 1);
			*peer_add_ip(p) = mkip(ip, 0);
			*peer_add_ip(p) = mkip("fd00::/64", 0);
		}
		CHECK(!sync_diff(want, cur_dev) && want->num_peers == 0 &&
		      !(want->has & (WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_LISTEN_PORT | WGDEVICE_HAS_FWMARK)),
		      "syncconf: 5,000 unchanged peers, reordered, entries repeated: nothing to send (%zu)",
		      want->num_peers);
		device_free(want);
		want = device_new();
		for (int i = 0; i < NPEERS; i++) {
			struct wg_peer *p = device_add_peer(want);

			memset(p->public_key, 0, WG_KEY_LEN);
			memcpy(p->public_key, &i, sizeof(i));
			p->has = WGPEER_HAS_PUBLIC_KEY;
			p->flags = WGPEER_F_REPLACE_ALLOWEDIPS;
			snprintf(ip, sizeof(ip), "10.%d.%d.0/24", i / 256, i % 256);
			*peer_add_ip(p) = mkip(ip, 0);
			*peer_add_ip(p) = mkip(i == 4321 ? "fd00::/63" : "fd00::/64", 0);
		}
		CHECK(!sync_diff(want, cur_dev) && want->num_peers == 1 &&
		      (want->peers[0].flags & WGPEER_F_REPLACE_ALLOWEDIPS) && want->peers[0].num_ips == 2,
		      "syncconf: of 5,000 peers only the one whose set differs (same size) is sent");
		device_free(want);
		device_free(cur_dev);
	}
}

/* --------------------------------------------------------------- names */

static void expect_name(const char *s, size_t len, const char *want, const char *what)
{
	const char *got = peer_name_problem(s, len);

	CHECK(want ? got && !strcmp(got, want) : !got, "names: %s: %s (got: %s)", what,
	      want ? want : "accepted", got ? got : "accepted");
}

/* The name of the first peer of a file whose [Peer] has the given line. */
static void expect_file_name(const char *line, const char *want)
{
	char *text;
	struct parse_arg a;
	char *err;

	if (asprintf(&text, "[Peer]\nPublicKey = " PUB "\n%s\n", line) < 0)
		abort();
	a.text = text;
	a.dev = NULL;
	err = capture_stderr(do_parse, &a);
	CHECK(a.dev && !*err && a.dev->num_peers == 1 &&
	      (want ? (a.dev->peers[0].has & WGPEER_HAS_NAME) && !strcmp(a.dev->peers[0].name, want) :
		      !(a.dev->peers[0].has & WGPEER_HAS_NAME)),
	      "names: file line \"%s\" gives %s%s%s (got: %s%s)", line, want ? "the name `" : "no name",
	      want ? want : "", want ? "'" : "", a.dev && a.dev->num_peers ? a.dev->peers[0].name : "",
	      err);
	device_free(a.dev);
	free(err);
	free(text);
}

static void r_pretty_names(FILE *f, void *a)
{
	struct pretty_arg *p = a;

	format_pretty(f, p->d, &p->o);
}

/* Every WGPEER_A_NAME of a SET message, "|"-separated, in peer order. */
static char *set_names(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr, *pn, *pa;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != WGDEVICE_A_PEERS)
			continue;
		mnl_attr_for_each_nested(pn, attr) {
			mnl_attr_for_each_nested(pa, pn)
				if (mnl_attr_get_type(pa) == WGPEER_A_NAME)
					fprintf(f, "[%s]", mnl_attr_get_str(pa));
			fputc('|', f);
		}
	}
	fclose(f);
	return out;
}

/* A GET message with one peer whose name attribute is the len bytes at name. */
static int parse_get_name(const char *name, size_t len, struct wg_device **out)
{
	char buf[1024];
	struct nlmsghdr *nlh = nlmsg_genl_header(buf, 0x42, WG_CMD_GET_DEVICE, 0, 1);
	struct nlattr *peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS), *pn;
	uint8_t key[WG_KEY_LEN];

	fill_key(key, 1);
	pn = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, key);
	mnl_attr_put(nlh, WGPEER_A_NAME, len, name);
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, peers);
	*out = device_new();
	return nlmsg_parse_device(*out, nlh);
}

static void test_names(void)
{
	char long_name[WG_PEER_NAME_MAX + 2], *got, *want, k[3][WG_KEY_B64_LEN + 1];
	struct pretty_arg pa = { .o = { .hide_keys = true, .now = 1000000 } };
	struct wg_device *d;
	int err;

	memset(long_name, 'x', sizeof(long_name));
	long_name[sizeof(long_name) - 1] = '\0';

	/* What a name may be: the kernel's rule, checked before sending. */
	expect_name("laptop", 6, NULL, "ASCII");
	expect_name("Alice's phone #2", 16, NULL, "spaces, # and punctuation");
	expect_name("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", 14, NULL, "2-, 3- and 4-byte UTF-8");
	expect_name("\xc2\xa0\xef\xbf\xbd\xf4\x8f\xbf\xbf", 9, NULL, "U+00A0, U+FFFD, U+10FFFF");
	expect_name(long_name, WG_PEER_NAME_MAX, NULL, "64 bytes");
	expect_name("", 0, NULL, "empty (removes a name)");
	expect_name(long_name, WG_PEER_NAME_MAX + 1, "is longer than 64 bytes", "65 bytes");
	expect_name("a\tb", 3, "contains a control character", "tab");
	expect_name("a\nb", 3, "contains a control character", "newline");
	expect_name("\x1b[31mred", 8, "contains a control character", "escape sequence");
	expect_name("a\x7f", 2, "contains a control character", "DEL");
	expect_name("a\xc2\x85", 3, "contains a control character", "C1 control U+0085");
	expect_name("a\0b", 3, "contains a control character", "NUL inside");
	expect_name("\xc0\xaf", 2, "is not valid UTF-8", "overlong 2-byte form");
	expect_name("\xe0\x80\xaf", 3, "is not valid UTF-8", "overlong 3-byte form");
	expect_name("\xf0\x80\x80\xaf", 4, "is not valid UTF-8", "overlong 4-byte form");
	expect_name("\xed\xa0\x80", 3, "is not valid UTF-8", "UTF-16 surrogate");
	expect_name("\xf4\x90\x80\x80", 4, "is not valid UTF-8", "above U+10FFFF");
	expect_name("\xf8\x88\x80\x80\x80", 5, "is not valid UTF-8", "5-byte form");
	expect_name("ab\xe2\x82", 4, "is not valid UTF-8", "truncated sequence");
	expect_name("\x80", 1, "is not valid UTF-8", "lone continuation byte");
	expect_name("\xc3\x28", 2, "is not valid UTF-8", "bad continuation byte");
	expect_name("\xff", 1, "is not valid UTF-8", "byte 0xff");

	/* In a file: trimmed, inner spaces kept, `#' part of the name. */
	expect_file_name("Name = laptop", "laptop");
	expect_file_name("  name\t=\t Alice's  phone  ", "Alice's  phone");
	expect_file_name("NAME=a#b # no comment here", "a#b # no comment here");
	expect_file_name("Name = # TODO", "# TODO");
	expect_file_name("Name = with CR\r", "with CR");
	expect_file_name("Name = caf\xc3\xa9", "caf\xc3\xa9");
	expect_file_name("# Name = commented out", NULL);
	expect_file_name("PersistentKeepalive = 25 # Name = in a comment", NULL);
	{
		char line[96];

		snprintf(line, sizeof(line), "Name = %.*s", WG_PEER_NAME_MAX, long_name);
		expect_file_name(line, line + 7);
	}
	expect_file_error("[Peer]\nPublicKey = " PUB "\nName = ", "test.conf:3: `Name' has an empty value\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nName = #\n[Peer]\nName = " PUB "x\nName = a\x01z\n",
			  "test.conf:6: Name contains a control character\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nName = tab\tinside\n",
			  "test.conf:3: Name contains a control character\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\n\nName = \xff\xfe\n", "test.conf:4: Name is not valid UTF-8\n");
	{
		char *text;

		if (asprintf(&text, "[Peer]\nPublicKey = " PUB "\nName = %sy\n", long_name + 1) < 0)
			abort();
		expect_file_error(text, "test.conf:3: Name is longer than 64 bytes\n");
		free(text);
	}
	expect_file_error("[Interface]\nName = wg0\n", "test.conf:2: unknown key `Name' in [Interface]\n");
	expect_file_error("Name = x\n", "test.conf:1: `Name' is outside of an [Interface] or [Peer] section\n");
	expect_file_error("[Peer]\nPublicKey = " PUB "\nName # = x\n", "test.conf:3: expected `Key = Value', got `Name'\n");
	expect_file_error("[Peer]\nName = laptop\n", "test.conf:1: [Peer] section has no PublicKey\n");

	/* `wg set': the same rule, and an empty name removes it. */
	{
		char *a1[] = { "peer", PUB, "name", "  my laptop  ", "peer", PSK, "name", "", NULL };
		char *a2[] = { "peer", PUB, "name", NULL }, *a3[] = { "name", "x", NULL };
		char *a4[] = { "peer", PUB, "name", long_name, NULL };
		char *a5[] = { "peer", PUB, "name", "a\x1b" "b", NULL };
		char *a6[] = { "peer", PUB, "name", "\xc3", NULL };
		char *a7[] = { "peer", PUB, "remove", "name", "x", "allowed-ips", "10.0.0.1", NULL };
		struct wg_device *s;

		s = parse_args_capture(a1, &got);
		CHECK(s && !*got && s->num_peers == 2 && (s->peers[0].has & WGPEER_HAS_NAME) &&
		      !strcmp(s->peers[0].name, "my laptop") && (s->peers[1].has & WGPEER_HAS_NAME) &&
		      !s->peers[1].name[0], "names: set name trims it; name \"\" removes it");
		device_free(s);
		free(got);
		expect_args_error(a2, "Option `name' needs a value\n");
		expect_args_error(a3, "Invalid argument: name\n");
		expect_args_error(a4, "name is longer than 64 bytes\n");
		expect_args_error(a5, "name contains a control character\n");
		expect_args_error(a6, "name is not valid UTF-8\n");
		s = parse_args_capture(a7, &got);
		CHECK(s && s->num_peers == 1 && s->peers[0].flags == (WGPEER_F_REMOVE_ME | WGPEER_F_REPLACE_ALLOWEDIPS) &&
		      (s->peers[0].has & WGPEER_HAS_NAME) && !device_has_names(s),
		      "names: remove goes with a name like with other keys, and then no name is sent");
		device_free(s);
		free(got);
	}

	/* The outputs. */
	pa.d = sample_device();
	for (int i = 0; i < 3; i++) {
		uint8_t key[WG_KEY_LEN];

		fill_key(key, (uint8_t)(i + 3));
		key_to_base64(k[i], key);
	}
	strcpy(pa.d->peers[1].name, "Alice's laptop #1");
	pa.d->peers[1].has |= WGPEER_HAS_NAME;
	strcpy(pa.d->peers[2].name, "say \"hi\" \\o/");
	pa.d->peers[2].has |= WGPEER_HAS_NAME;
	got = render(r_pretty_names, &pa);
	if (asprintf(&want, "\npeer: %s (Alice's laptop #1)\n", k[1]) < 0)
		abort();
	CHECK(strstr(got, want) && strstr(got, "\npeer: ") && strstr(got, ")\n  endpoint: [2001:db8::2]") &&
	      !strstr(got, "(null)"), "names: show prints peer: <key> (<name>)");
	free(want);
	if (asprintf(&want, "\npeer: %s\n", k[0]) < 0)
		abort();
	CHECK(strstr(got, want) != NULL, "names: show prints an unnamed peer as before");
	free(want);
	free(got);
	pa.o.color = true;
	got = render(r_pretty_names, &pa);
	if (asprintf(&want, "\x1b[33m\x1b[1mpeer\x1b[0m: \x1b[33m%s\x1b[0m (Alice's laptop #1)\n", k[1]) < 0)
		abort();
	CHECK(strstr(got, want) != NULL, "names: in colour, the name follows the coloured key");
	free(want);
	free(got);
	pa.o.color = false;

	got = render(r_dump, pa.d);
	CHECK(!strstr(got, "Alice") && !strstr(got, "say"), "names: dump is wireguard-tools' format, without names");
	free(got);

	got = render(r_showconf, pa.d);
	if (asprintf(&want, "[Peer]\nPublicKey = %s\nName = Alice's laptop #1\nPresharedKey = ", k[1]) < 0)
		abort();
	CHECK(strstr(got, want) && strstr(got, "\nName = say \"hi\" \\o/\n"), "names: showconf prints Name after PublicKey");
	free(want);
	{
		struct wg_device *back = config_parse_buffer(got, strlen(got), "showconf");
		char *again = back ? render(r_showconf, back) : NULL;

		CHECK(again && !strcmp(again, got) && !strcmp(back->peers[1].name, "Alice's laptop #1"),
		      "names: showconf with names (and `#') parses back identically");
		free(again);
		device_free(back);
	}
	free(got);
	got = render(r_showconf_portable, pa.d);
	pa.d->peers[1].has &= ~WGPEER_HAS_NAME;
	pa.d->peers[2].has &= ~WGPEER_HAS_NAME;
	want = render(r_showconf, pa.d);
	CHECK(!strcmp(got, want), "names: showconf --portable is showconf without the Name lines");
	free(want);
	free(got);
	pa.d->peers[1].has |= WGPEER_HAS_NAME;
	pa.d->peers[2].has |= WGPEER_HAS_NAME;

	got = render(r_json, &pa);
	if (asprintf(&want, "\"public_key\": \"%s\",\n          \"name\": \"Alice's laptop #1\",\n", k[1]) < 0)
		abort();
	CHECK(strstr(got, want) && strstr(got, "\"name\": \"say \\\"hi\\\" \\\\o/\"") &&
	      strstr(got, "\"name\": null"), "names: JSON name, escaped, and null for an unnamed peer");
	free(want);
	free(got);
	device_free(pa.d);

	/* SET: a name only where set or removed, never in a continuation. */
	d = device_new();
	strcpy(d->name, "wg0");
	for (int i = 0; i < 4; i++) {
		struct wg_peer *p = device_add_peer(d);

		fill_key(p->public_key, (uint8_t)i);
		p->has = WGPEER_HAS_PUBLIC_KEY;
	}
	strcpy(d->peers[0].name, "one");
	d->peers[0].has |= WGPEER_HAS_NAME;
	d->peers[1].has |= WGPEER_HAS_NAME;	/* empty: removal */
	strcpy(d->peers[3].name, "gone anyway");
	d->peers[3].has |= WGPEER_HAS_NAME;
	d->peers[3].flags = WGPEER_F_REMOVE_ME;
	{
		char *buf = malloc(NLMSG_SET_BUFFER);
		struct nlmsg_set_state st = { 0 };
		struct nlmsghdr *nlh = nlmsg_build_set(buf, NLMSG_SET_BUFFER, 0x42, d, &st);

		got = set_names(nlh);
		CHECK(!strcmp(got, "[one]|[]|||"), "names: SET sends a name, an empty one to remove, none otherwise (got %s)",
		      got);
		free(got);
		free(buf);
	}
	device_free(d);

	/* GET: names the module would have refused are malformed. */
	err = parse_get_name("laptop", 7, &d);
	CHECK(!err && (d->peers[0].has & WGPEER_HAS_NAME) && !strcmp(d->peers[0].name, "laptop"),
	      "names: GET reads a name");
	device_free(d);
	err = parse_get_name("", 1, &d);
	CHECK(!err && !(d->peers[0].has & WGPEER_HAS_NAME), "names: GET: an empty name is no name");
	device_free(d);
	err = parse_get_name(long_name + 1, WG_PEER_NAME_MAX + 1, &d);
	CHECK(!err && !strcmp(d->peers[0].name, long_name + 1), "names: GET reads a 64-byte name");
	device_free(d);
	err = parse_get_name(long_name, WG_PEER_NAME_MAX + 2, &d);
	device_free(d);
	CHECK(err == -EBADMSG, "names: GET: a 65-byte name is malformed");
	err = parse_get_name("a\x1b", 3, &d);
	device_free(d);
	CHECK(err == -EBADMSG, "names: GET: a control character is malformed");
	err = parse_get_name("abc", 3, &d);
	device_free(d);
	CHECK(err == -EBADMSG, "names: GET: a name without its NUL is malformed");
	err = parse_get_name("ab\0c", 5, &d);
	device_free(d);
	CHECK(err == -EBADMSG, "names: GET: a NUL inside the name is malformed");

	/* syncconf: the file's names win. */
	{
		static const char *const cur_names[] = { "old", "keep", "gone", "" };
		static const char *const file_names[] = { "new", "keep", "", "fresh" };
		struct wg_device *cur = device_new(), *want_dev = device_new();

		for (int i = 0; i < 4; i++) {
			struct wg_peer *c = device_add_peer(cur), *w = device_add_peer(want_dev);

			fill_key(c->public_key, (uint8_t)(50 + i));
			fill_key(w->public_key, (uint8_t)(50 + i));
			c->has = w->has = WGPEER_HAS_PUBLIC_KEY;
			w->flags = WGPEER_F_REPLACE_ALLOWEDIPS;
			strcpy(c->name, cur_names[i]);
			strcpy(w->name, file_names[i]);
			if (c->name[0])
				c->has |= WGPEER_HAS_NAME;
			if (w->name[0])
				w->has |= WGPEER_HAS_NAME;
		}
		CHECK(!sync_diff(want_dev, cur) && want_dev->num_peers == 3 &&
		      !strcmp(want_dev->peers[0].name, "new") && (want_dev->peers[0].has & WGPEER_HAS_NAME) &&
		      !want_dev->peers[1].name[0] && (want_dev->peers[1].has & WGPEER_HAS_NAME) &&
		      !strcmp(want_dev->peers[2].name, "fresh") && (want_dev->peers[2].has & WGPEER_HAS_NAME),
		      "syncconf: a changed name is set, a name gone from the file removed, an equal one not sent");
		device_free(cur);
		device_free(want_dev);
	}
}

/* ------------------------------------------------- what a module takes */

/* One CTRL_CMD_GETPOLICY dump message: policy idx, its attributes with
 * their NL_ATTR_TYPE_*s (pairs, ending with 0). */
static void policy_message(struct nlmsg_policies *into, unsigned int idx, const unsigned int *attrs)
{
	char buf[1024];
	struct nlmsghdr *nlh = nlmsg_genl_header(buf, GENL_ID_CTRL, CTRL_CMD_GETPOLICY, NLM_F_MULTI, 1);
	struct nlattr *pol = mnl_attr_nest_start(nlh, CTRL_ATTR_POLICY);
	struct nlattr *pi = mnl_attr_nest_start(nlh, (uint16_t)idx);

	for (; *attrs; attrs += 2) {
		struct nlattr *a = mnl_attr_nest_start(nlh, (uint16_t)attrs[0]);

		mnl_attr_put_u32(nlh, NL_POLICY_TYPE_ATTR_TYPE, attrs[1]);
		mnl_attr_nest_end(nlh, a);
	}
	mnl_attr_nest_end(nlh, pi);
	mnl_attr_nest_end(nlh, pol);
	nlmsg_parse_policies(into, nlh);
}

static void test_policies(void)
{
	static const unsigned int device[] = { 1, NL_ATTR_TYPE_U32, 2, NL_ATTR_TYPE_NUL_STRING,
					       3, NL_ATTR_TYPE_BINARY, 8, NL_ATTR_TYPE_NESTED_ARRAY, 0 };
	static const unsigned int device_64[] = { 1, NL_ATTR_TYPE_U32, 64, NL_ATTR_TYPE_U32, 0 };
	static const unsigned int peer[] = { 1, NL_ATTR_TYPE_BINARY, 2, NL_ATTR_TYPE_BINARY,
					     3, NL_ATTR_TYPE_U32, 9, NL_ATTR_TYPE_NESTED_ARRAY, 0 };
	static const unsigned int peer_named[] = { 1, NL_ATTR_TYPE_BINARY, 3, NL_ATTR_TYPE_U32,
						   64, NL_ATTR_TYPE_BINARY, 0 };
	static const unsigned int ip[] = { 1, NL_ATTR_TYPE_U16, 2, NL_ATTR_TYPE_BINARY, 3, NL_ATTR_TYPE_U8, 0 };
	static const unsigned int ip_flags[] = { 1, NL_ATTR_TYPE_U16, 3, NL_ATTR_TYPE_U8, 4, NL_ATTR_TYPE_U32, 0 };
	struct nlmsg_policies *stock = calloc(1, sizeof(*stock)), *kwg = calloc(1, sizeof(*kwg));
	struct nlmsg_policies *other = calloc(1, sizeof(*other));

	policy_message(stock, 0, device);
	policy_message(stock, 1, peer);
	policy_message(stock, 2, ip);
	CHECK(!nlmsg_policies_peer_names(stock) && !nlmsg_policies_allowedip_removal(stock),
	      "policies: the in-tree module's (6.1): no peer names, no single allowed-IP removal");
	policy_message(kwg, 0, device);
	policy_message(kwg, 3, ip_flags);
	policy_message(kwg, 1, peer_named);
	CHECK(nlmsg_policies_peer_names(kwg) && nlmsg_policies_allowedip_removal(kwg),
	      "policies: kwg's: WGPEER_A_NAME in the peer policy (binary), WGALLOWEDIP_A_FLAGS");
	policy_message(other, 0, device_64);
	policy_message(other, 1, peer);
	policy_message(other, 2, ip_flags);
	CHECK(!nlmsg_policies_peer_names(other) && nlmsg_policies_allowedip_removal(other),
	      "policies: attribute 64 outside the peer policy is no peer name");
	free(stock);
	free(kwg);
	free(other);
}

/* -------------------------------------------------------------- events */

struct test_peer {
	uint8_t seed;
	const char *name, *endpoint, *old_endpoint;
	int64_t handshake;
	bool has_changes;
	uint32_t changes;
};

static struct nlmsghdr *event_start(char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = nlmsg_genl_header(buf, 0x42, cmd, 0, WG_GENL_VERSION);

	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 5);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0");
	return nlh;
}

static void put_sockaddr(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	union wg_endpoint ep;

	if (parse_endpoint(&ep, s))
		abort();
	mnl_attr_put(nlh, type, ep.addr.sa_family == AF_INET6 ? sizeof(ep.addr6) : sizeof(ep.addr4), &ep);
}

static void event_peer(struct nlmsghdr *nlh, const struct test_peer *tp)
{
	struct nlattr *peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	struct nlattr *pn = mnl_attr_nest_start(nlh, 0);
	uint8_t key[WG_KEY_LEN];

	fill_key(key, tp->seed);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, key);
	if (tp->name)
		mnl_attr_put_strz(nlh, WGPEER_A_NAME, tp->name);
	if (tp->endpoint)
		put_sockaddr(nlh, WGPEER_A_ENDPOINT, tp->endpoint);
	if (tp->old_endpoint)
		put_sockaddr(nlh, WGPEER_A_EVENT_OLD_ENDPOINT, tp->old_endpoint);
	if (tp->handshake) {
		struct __kernel_timespec ts = { .tv_sec = tp->handshake, .tv_nsec = 5 };

		mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), &ts);
	}
	if (tp->has_changes)
		mnl_attr_put_u32(nlh, WGPEER_A_EVENT_CHANGES, tp->changes);
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, peers);
}

static void r_event_line(FILE *f, void *a)
{
	event_format_line(f, a);
}

static void r_event_json(FILE *f, void *a)
{
	event_format_json(f, a);
}

static char *env_text(const struct wg_event *ev)
{
	char **env = event_environment(ev), *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (char **e = env; e && *e; e++)
		fprintf(f, "%s\n", *e);
	fclose(f);
	event_environment_free(env);
	return out;
}

/* Checks got against want, and shows got only when it differs. */
static void check_text(const char *got, const char *want, const char *what, const char *which)
{
	bool ok = !strcmp(got, want);

	CHECK(ok, "events: %s: %s%s%s", what, which, ok ? "" : " -- got: ", ok ? "" : got);
}

/* Parses nlh as an event received at a fixed time and checks its line,
 * JSON object and hook environment, with %K standing for the key of
 * the peer made from seed 1. */
static void expect_event(const char *what, const struct nlmsghdr *nlh, const char *line,
			 const char *json, const char *env)
{
	struct wg_event ev;
	int err = event_parse(&ev, nlh);
	char key[WG_KEY_B64_LEN + 1], *got, *want[3];
	const char *tmpl[3] = { line, json, env };
	uint8_t k[WG_KEY_LEN];

	fill_key(k, 1);
	key_to_base64(key, k);
	for (int i = 0; i < 3; i++) {
		const char *at = strstr(tmpl[i], "%K");

		if (at) {
			if (asprintf(&want[i], "%.*s%s%s", (int)(at - tmpl[i]), tmpl[i], key, at + 2) < 0)
				abort();
		} else {
			want[i] = strdup(tmpl[i]);
		}
	}
	CHECK(!err, "events: %s parses (%d)", what, err);
	ev.time.tv_sec = 1732486200;
	ev.time.tv_nsec = 123456789;
	got = render(r_event_line, &ev);
	check_text(got, want[0], what, "the line");
	free(got);
	got = render(r_event_json, &ev);
	check_text(got, want[1], what, "the JSON object");
	free(got);
	got = env_text(&ev);
	check_text(got, want[2], what, "the hook's environment");
	free(got);
	for (int i = 0; i < 3; i++)
		free(want[i]);
	event_clear(&ev);
}

static void expect_bad_event(const char *what, const struct nlmsghdr *nlh, int want)
{
	struct wg_event ev;
	int err = event_parse(&ev, nlh);

	CHECK(err == want, "events: %s is %s (got %d)", what, want == -EBADMSG ? "malformed" : "skipped", err);
	event_clear(&ev);
}

static void test_events(void)
{
	char buf[2048];
	struct nlmsghdr *nlh;
	struct nlattr *peers, *pn;
	uint8_t key[WG_KEY_LEN];

	setenv("TZ", "UTC", 1);
	tzset();
	fill_key(key, 1);

	nlh = event_start(buf, WG_CMD_EVENT_PEER_ADDED);
	mnl_attr_put_u32(nlh, WGDEVICE_A_EVENT_PORTID, 4242);
	event_peer(nlh, &(struct test_peer){ .seed = 1, .name = "laptop", .endpoint = "192.0.2.1:51820" });
	expect_event("peer-added", nlh,
		     "2024-11-24T22:10:00.123+00:00 wg0 peer-added peer: %K (laptop) endpoint: 192.0.2.1:51820 portid: 4242\n",
		     "{\"schema\": 1, \"event\": \"peer-added\", \"time\": 1732486200.123, \"interface\": \"wg0\", "
		     "\"ifindex\": 5, \"portid\": 4242, \"changes\": null, \"suppressed\": null, \"peer\": "
		     "{\"public_key\": \"%K\", \"name\": \"laptop\", \"endpoint\": \"192.0.2.1:51820\", "
		     "\"old_endpoint\": null, \"latest_handshake\": null}}\n",
		     "WG_EVENT=peer-added\nWG_TIME=1732486200.123\nWG_INTERFACE=wg0\nWG_IFINDEX=5\nWG_PEER=%K\n"
		     "WG_PEER_NAME=laptop\nWG_ENDPOINT=192.0.2.1:51820\nWG_PORTID=4242\n");

	nlh = event_start(buf, WG_CMD_EVENT_PEER_REMOVED);
	mnl_attr_put_u32(nlh, WGDEVICE_A_EVENT_PORTID, 0);
	event_peer(nlh, &(struct test_peer){ .seed = 1 });
	expect_event("peer-removed", nlh,
		     "2024-11-24T22:10:00.123+00:00 wg0 peer-removed peer: %K portid: 0\n",
		     "{\"schema\": 1, \"event\": \"peer-removed\", \"time\": 1732486200.123, \"interface\": \"wg0\", "
		     "\"ifindex\": 5, \"portid\": 0, \"changes\": null, \"suppressed\": null, \"peer\": "
		     "{\"public_key\": \"%K\", \"name\": null, \"endpoint\": null, "
		     "\"old_endpoint\": null, \"latest_handshake\": null}}\n",
		     "WG_EVENT=peer-removed\nWG_TIME=1732486200.123\nWG_INTERFACE=wg0\nWG_IFINDEX=5\nWG_PEER=%K\n"
		     "WG_PORTID=0\n");

	nlh = event_start(buf, WG_CMD_EVENT_PEER_CHANGED);
	mnl_attr_put_u32(nlh, WGDEVICE_A_EVENT_PORTID, 99);
	event_peer(nlh, &(struct test_peer){ .seed = 1, .name = "\xc3\xa9t\xc3\xa9 \"q\"", .has_changes = true,
					     .changes = WGPEER_C_ENDPOINT | WGPEER_C_ALLOWEDIPS | WGPEER_C_NAME | 0x80 });
	expect_event("peer-changed", nlh,
		     "2024-11-24T22:10:00.123+00:00 wg0 peer-changed peer: %K (\xc3\xa9t\xc3\xa9 \"q\") changed: endpoint,allowed-ips,name,0x80 portid: 99\n",
		     "{\"schema\": 1, \"event\": \"peer-changed\", \"time\": 1732486200.123, \"interface\": \"wg0\", "
		     "\"ifindex\": 5, \"portid\": 99, \"changes\": [\"endpoint\", \"allowed-ips\", \"name\", \"0x80\"], "
		     "\"suppressed\": null, \"peer\": {\"public_key\": \"%K\", \"name\": \"\xc3\xa9t\xc3\xa9 \\\"q\\\"\", "
		     "\"endpoint\": null, \"old_endpoint\": null, \"latest_handshake\": null}}\n",
		     "WG_EVENT=peer-changed\nWG_TIME=1732486200.123\nWG_INTERFACE=wg0\nWG_IFINDEX=5\nWG_PEER=%K\n"
		     "WG_PEER_NAME=\xc3\xa9t\xc3\xa9 \"q\"\nWG_CHANGES=endpoint,allowed-ips,name,0x80\nWG_PORTID=99\n");

	nlh = event_start(buf, WG_CMD_EVENT_PEER_CHANGED);
	mnl_attr_put_u32(nlh, WGDEVICE_A_EVENT_PORTID, 99);
	event_peer(nlh, &(struct test_peer){ .seed = 1, .has_changes = true, .changes = 0 });
	expect_event("peer-changed without a change", nlh,
		     "2024-11-24T22:10:00.123+00:00 wg0 peer-changed peer: %K changed: (none) portid: 99\n",
		     "{\"schema\": 1, \"event\": \"peer-changed\", \"time\": 1732486200.123, \"interface\": \"wg0\", "
		     "\"ifindex\": 5, \"portid\": 99, \"changes\": [], \"suppressed\": null, \"peer\": "
		     "{\"public_key\": \"%K\", \"name\": null, \"endpoint\": null, \"old_endpoint\": null, "
		     "\"latest_handshake\": null}}\n",
		     "WG_EVENT=peer-changed\nWG_TIME=1732486200.123\nWG_INTERFACE=wg0\nWG_IFINDEX=5\nWG_PEER=%K\n"
		     "WG_CHANGES=\nWG_PORTID=99\n");

	nlh = event_start(buf, WG_CMD_EVENT_DEVICE_CHANGED);
	mnl_attr_put_u32(nlh, WGDEVICE_A_EVENT_PORTID, 7);
	mnl_attr_put_u32(nlh, WGDEVICE_A_EVENT_CHANGES, WGDEVICE_C_PRIVATE_KEY | WGDEVICE_C_LISTEN_PORT |
			 WGDEVICE_C_FWMARK | WGDEVICE_C_PEERS_REPLACED);
	expect_event("interface-changed", nlh,
		     "2024-11-24T22:10:00.123+00:00 wg0 interface-changed changed: private-key,listen-port,fwmark,peers-replaced portid: 7\n",
		     "{\"schema\": 1, \"event\": \"interface-changed\", \"time\": 1732486200.123, \"interface\": \"wg0\", "
		     "\"ifindex\": 5, \"portid\": 7, \"changes\": [\"private-key\", \"listen-port\", \"fwmark\", "
		     "\"peers-replaced\"], \"suppressed\": null, \"peer\": null}\n",
		     "WG_EVENT=interface-changed\nWG_TIME=1732486200.123\nWG_INTERFACE=wg0\nWG_IFINDEX=5\n"
		     "WG_CHANGES=private-key,listen-port,fwmark,peers-replaced\nWG_PORTID=7\n");

	nlh = event_start(buf, WG_CMD_EVENT_HANDSHAKE_COMPLETED);
	mnl_attr_put_u32(nlh, WGDEVICE_A_EVENT_SUPPRESSED, 3);
	event_peer(nlh, &(struct test_peer){ .seed = 1, .name = "phone", .endpoint = "[2001:db8::1]:51820",
					     .handshake = 1732486199 });
	expect_event("handshake-completed", nlh,
		     "2024-11-24T22:10:00.123+00:00 wg0 handshake-completed peer: %K (phone) endpoint: [2001:db8::1]:51820 suppressed: 3\n",
		     "{\"schema\": 1, \"event\": \"handshake-completed\", \"time\": 1732486200.123, \"interface\": \"wg0\", "
		     "\"ifindex\": 5, \"portid\": null, \"changes\": null, \"suppressed\": 3, \"peer\": "
		     "{\"public_key\": \"%K\", \"name\": \"phone\", \"endpoint\": \"[2001:db8::1]:51820\", "
		     "\"old_endpoint\": null, \"latest_handshake\": 1732486199}}\n",
		     "WG_EVENT=handshake-completed\nWG_TIME=1732486200.123\nWG_INTERFACE=wg0\nWG_IFINDEX=5\n"
		     "WG_PEER=%K\nWG_PEER_NAME=phone\nWG_ENDPOINT=[2001:db8::1]:51820\n"
		     "WG_LATEST_HANDSHAKE=1732486199\nWG_SUPPRESSED=3\n");

	nlh = event_start(buf, WG_CMD_EVENT_KEYS_EXPIRED);
	event_peer(nlh, &(struct test_peer){ .seed = 1 });
	expect_event("keys-expired", nlh,
		     "2024-11-24T22:10:00.123+00:00 wg0 keys-expired peer: %K\n",
		     "{\"schema\": 1, \"event\": \"keys-expired\", \"time\": 1732486200.123, \"interface\": \"wg0\", "
		     "\"ifindex\": 5, \"portid\": null, \"changes\": null, \"suppressed\": 0, \"peer\": "
		     "{\"public_key\": \"%K\", \"name\": null, \"endpoint\": null, \"old_endpoint\": null, "
		     "\"latest_handshake\": null}}\n",
		     "WG_EVENT=keys-expired\nWG_TIME=1732486200.123\nWG_INTERFACE=wg0\nWG_IFINDEX=5\nWG_PEER=%K\n"
		     "WG_SUPPRESSED=0\n");

	nlh = event_start(buf, WG_CMD_EVENT_ENDPOINT_CHANGED);
	mnl_attr_put_u32(nlh, WGDEVICE_A_EVENT_SUPPRESSED, 0);
	event_peer(nlh, &(struct test_peer){ .seed = 1, .name = "roamer", .endpoint = "198.51.100.2:4000",
					     .old_endpoint = "[2001:db8::9]:51820" });
	expect_event("endpoint-changed", nlh,
		     "2024-11-24T22:10:00.123+00:00 wg0 endpoint-changed peer: %K (roamer) endpoint: 198.51.100.2:4000 (was [2001:db8::9]:51820)\n",
		     "{\"schema\": 1, \"event\": \"endpoint-changed\", \"time\": 1732486200.123, \"interface\": \"wg0\", "
		     "\"ifindex\": 5, \"portid\": null, \"changes\": null, \"suppressed\": 0, \"peer\": "
		     "{\"public_key\": \"%K\", \"name\": \"roamer\", \"endpoint\": \"198.51.100.2:4000\", "
		     "\"old_endpoint\": \"[2001:db8::9]:51820\", \"latest_handshake\": null}}\n",
		     "WG_EVENT=endpoint-changed\nWG_TIME=1732486200.123\nWG_INTERFACE=wg0\nWG_IFINDEX=5\n"
		     "WG_PEER=%K\nWG_PEER_NAME=roamer\nWG_ENDPOINT=198.51.100.2:4000\n"
		     "WG_OLD_ENDPOINT=[2001:db8::9]:51820\nWG_SUPPRESSED=0\n");
	{
		struct wg_event lost = { .cmd = WG_EVENT_LOST, .time = { 1732486200, 5000000 } };
		char *got;

		got = render(r_event_line, &lost);
		check_text(got, "2024-11-24T22:10:00.005+00:00 events-lost\n", "events-lost", "the line");
		free(got);
		got = render(r_event_json, &lost);
		check_text(got, "{\"schema\": 1, \"event\": \"events-lost\", \"time\": 1732486200.005, "
			   "\"interface\": null, \"ifindex\": null, \"portid\": null, \"changes\": null, "
			   "\"suppressed\": null, \"peer\": null}\n", "events-lost", "the JSON object");
		free(got);
		got = env_text(&lost);
		check_text(got, "WG_EVENT=events-lost\nWG_TIME=1732486200.005\n", "events-lost",
			   "the hook's environment");
		free(got);
	}
	{
		bool all = true;

		for (const char *const *n = event_env_names; *n; n++)
			all &= !strncmp(*n, "WG_", 3) && !strstr(*n, "KEY") && !strstr(*n, "PSK");
		CHECK(all, "events: hook variables are WG_* and none is a key but the peer's public one");
	}

	/* Malformed messages, and commands this wg does not know. */
	nlh = nlmsg_genl_header(buf, 0x42, WG_CMD_EVENT_PEER_ADDED, 0, 1);
	nlh->nlmsg_len = mnl_nlmsg_size(2);
	expect_bad_event("a message shorter than its generic-netlink header", nlh, -EBADMSG);
	nlh = event_start(buf, __WG_CMD_EVENT_LAST);
	event_peer(nlh, &(struct test_peer){ .seed = 1 });
	expect_bad_event("a command after the known ones", nlh, -EOPNOTSUPP);
	nlh = event_start(buf, WG_CMD_SET_DEVICE);
	expect_bad_event("SET_DEVICE", nlh, -EOPNOTSUPP);
	nlh = nlmsg_genl_header(buf, 0x42, WG_CMD_EVENT_KEYS_EXPIRED, 0, 1);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0");
	event_peer(nlh, &(struct test_peer){ .seed = 1 });
	expect_bad_event("an event without ifindex", nlh, -EBADMSG);
	nlh = nlmsg_genl_header(buf, 0x42, WG_CMD_EVENT_KEYS_EXPIRED, 0, 1);
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 5);
	event_peer(nlh, &(struct test_peer){ .seed = 1 });
	expect_bad_event("an event without ifname", nlh, -EBADMSG);
	nlh = nlmsg_genl_header(buf, 0x42, WG_CMD_EVENT_KEYS_EXPIRED, 0, 1);
	mnl_attr_put_u16(nlh, WGDEVICE_A_IFINDEX, 5);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0");
	event_peer(nlh, &(struct test_peer){ .seed = 1 });
	expect_bad_event("a 2-byte ifindex", nlh, -EBADMSG);
	nlh = nlmsg_genl_header(buf, 0x42, WG_CMD_EVENT_KEYS_EXPIRED, 0, 1);
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 5);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "abcdefghijklmnop");
	event_peer(nlh, &(struct test_peer){ .seed = 1 });
	expect_bad_event("a 16-byte ifname", nlh, -EBADMSG);
	nlh = nlmsg_genl_header(buf, 0x42, WG_CMD_EVENT_KEYS_EXPIRED, 0, 1);
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 5);
	mnl_attr_put(nlh, WGDEVICE_A_IFNAME, 3, "wg0");
	event_peer(nlh, &(struct test_peer){ .seed = 1 });
	expect_bad_event("an ifname without its NUL", nlh, -EBADMSG);
	nlh = nlmsg_genl_header(buf, 0x42, WG_CMD_EVENT_KEYS_EXPIRED, 0, 1);
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 5);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0\nwg1");
	event_peer(nlh, &(struct test_peer){ .seed = 1 });
	expect_bad_event("an ifname with a newline (no interface has one)", nlh, -EBADMSG);
	nlh = event_start(buf, WG_CMD_EVENT_HANDSHAKE_COMPLETED);
	expect_bad_event("a peer event without a peer", nlh, -EBADMSG);
	nlh = event_start(buf, WG_CMD_EVENT_HANDSHAKE_COMPLETED);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	for (int i = 0; i < 2; i++) {
		pn = mnl_attr_nest_start(nlh, 0);
		mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, key);
		mnl_attr_nest_end(nlh, pn);
	}
	mnl_attr_nest_end(nlh, peers);
	expect_bad_event("an event with two peers", nlh, -EBADMSG);
	nlh = event_start(buf, WG_CMD_EVENT_DEVICE_CHANGED);
	mnl_attr_put_u32(nlh, WGDEVICE_A_EVENT_CHANGES, 1);
	event_peer(nlh, &(struct test_peer){ .seed = 1, .name = "x" });
	expect_bad_event("interface-changed with a peer", nlh, -EBADMSG);
	nlh = event_start(buf, WG_CMD_EVENT_KEYS_EXPIRED);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	pn = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_strz(nlh, WGPEER_A_NAME, "keyless");
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, peers);
	expect_bad_event("a peer without a public key", nlh, -EBADMSG);
	nlh = event_start(buf, WG_CMD_EVENT_KEYS_EXPIRED);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	pn = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN - 1, key);
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, peers);
	expect_bad_event("a 31-byte public key", nlh, -EBADMSG);
	nlh = event_start(buf, WG_CMD_EVENT_PEER_ADDED);
	event_peer(nlh, &(struct test_peer){ .seed = 1, .name = "bell\a" });
	expect_bad_event("a name with a control character", nlh, -EBADMSG);
	nlh = event_start(buf, WG_CMD_EVENT_ENDPOINT_CHANGED);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	pn = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, key);
	mnl_attr_put(nlh, WGPEER_A_EVENT_OLD_ENDPOINT, 6, "\x02\x00\x01\x02\x03\x04");
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, peers);
	expect_bad_event("a 6-byte old endpoint", nlh, -EBADMSG);
	nlh = event_start(buf, WG_CMD_EVENT_PEER_CHANGED);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	pn = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, key);
	mnl_attr_put_u64(nlh, WGPEER_A_EVENT_CHANGES, 1);
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, peers);
	expect_bad_event("8-byte peer changes", nlh, -EBADMSG);
	nlh = event_start(buf, WG_CMD_EVENT_PEER_ADDED);
	mnl_attr_put_u64(nlh, WGDEVICE_A_EVENT_PORTID, 1);
	event_peer(nlh, &(struct test_peer){ .seed = 1 });
	expect_bad_event("an 8-byte portid", nlh, -EBADMSG);
	nlh = event_start(buf, WG_CMD_EVENT_HANDSHAKE_COMPLETED);
	mnl_attr_put_u8(nlh, WGDEVICE_A_EVENT_SUPPRESSED, 1);
	event_peer(nlh, &(struct test_peer){ .seed = 1 });
	expect_bad_event("a 1-byte suppressed count", nlh, -EBADMSG);
	{
		/* Attributes of a newer module are skipped, as in dumps. */
		struct wg_event ev;

		nlh = event_start(buf, WG_CMD_EVENT_KEYS_EXPIRED);
		mnl_attr_put_u32(nlh, 99, 1);
		event_peer(nlh, &(struct test_peer){ .seed = 1 });
		CHECK(!event_parse(&ev, nlh) && (ev.has & WG_EVENT_HAS_PEER), "events: unknown attributes are skipped");
		event_clear(&ev);
	}

	/* Following one interface by name, and by index through a rename. */
	{
		struct event_filter f = { .ifname = "wg0" }, all = { 0 };
		struct wg_event ev = { .cmd = WG_CMD_EVENT_KEYS_EXPIRED, .ifindex = 5 };
		bool ok = true;

		strcpy(ev.ifname, "wg0");
		ok &= event_filter_match(&f, &ev) && f.ifindex == 5;
		strcpy(ev.ifname, "renamed");
		ok &= event_filter_match(&f, &ev);
		ev.ifindex = 6;
		ok &= !event_filter_match(&f, &ev);
		strcpy(ev.ifname, "wg0");
		ev.ifindex = 9;
		ok &= event_filter_match(&f, &ev) && f.ifindex == 9;
		strcpy(ev.ifname, "renamed");
		ev.ifindex = 5;
		ok &= !event_filter_match(&f, &ev) && event_filter_match(&all, &ev);
		ev.cmd = WG_EVENT_LOST;
		ok &= event_filter_match(&f, &ev);
		CHECK(ok, "events: an interface is followed by name, and through a rename by its index");
	}

	/* The controller's answer naming the family and its groups. */
	{
		struct nlmsg_family fam;
		struct nlattr *groups, *g;

		nlh = nlmsg_genl_header(buf, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 0, 1);
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "wireguard");
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x1c);
		groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
		g = mnl_attr_nest_start(nlh, 1);
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 7);
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "other");
		mnl_attr_nest_end(nlh, g);
		g = mnl_attr_nest_start(nlh, 2);
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, WG_MULTICAST_GROUP_EVENTS);
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 9);
		mnl_attr_nest_end(nlh, g);
		mnl_attr_nest_end(nlh, groups);
		CHECK(!nlmsg_parse_family(nlh, WG_MULTICAST_GROUP_EVENTS, &fam) && fam.id == 0x1c && fam.group == 9 &&
		      !strcmp(fam.name, "wireguard"), "events: the family's id and event group are found");
		CHECK(!nlmsg_parse_family(nlh, "missing", &fam) && fam.id == 0x1c && fam.group == 0,
		      "events: a group the family does not have is 0");
		nlh = nlmsg_genl_header(buf, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 0, 1);
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "wireguard");
		CHECK(nlmsg_parse_family(nlh, NULL, &fam) == -EBADMSG, "events: a family without an id is malformed");
		nlh = nlmsg_genl_header(buf, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 0, 1);
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "abcdefghijklmnopq");
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x1c);
		CHECK(nlmsg_parse_family(nlh, NULL, &fam) == -EBADMSG, "events: a family name beyond GENL_NAMSIZ is malformed");
	}
}

int main(void)
{
	if (sodium_init() < 0) {
		puts("FAIL: libsodium init");
		return 1;
	}
	config_resolve_names = false;
	test_encoding();
	test_config();
	test_args();
	test_keys();
	test_format();
	test_netlink();
	test_uapi();
	test_edit_and_sync();
	test_names();
	test_policies();
	test_events();
	return test_failures ? 1 : 0;
}
