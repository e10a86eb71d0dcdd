// SPDX-License-Identifier: GPL-2.0
/*
 * nl-dump-shape IFNAME: dump IFNAME with WG_CMD_GET_DEVICE (as wg asks) and
 * print the layout of the reply, one line per netlink message:
 *
 *   msg 2: PEERS[PUBLIC_KEY ALLOWEDIPS*312] [PUBLIC_KEY ... ALLOWEDIPS*2]
 *
 * the message's top-level attributes in the order sent, and for PEERS each
 * peer's attributes with the number of allowed IPs it carries. Values are
 * not printed: this is what a client that parses the dump message by
 * message relies on (which message names the device, where a peer that
 * does not fit continues), for the differential tests to compare.
 *
 * Raw netlink on purpose: no library between the test and the messages.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "genl-sock.h"

#define BUF_SIZE 65536

static char buf[BUF_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));

static const char *const device_attr[] = {
	[WGDEVICE_A_IFINDEX] = "IFINDEX", [WGDEVICE_A_IFNAME] = "IFNAME",
	[WGDEVICE_A_PRIVATE_KEY] = "PRIVATE_KEY", [WGDEVICE_A_PUBLIC_KEY] = "PUBLIC_KEY",
	[WGDEVICE_A_FLAGS] = "FLAGS", [WGDEVICE_A_LISTEN_PORT] = "LISTEN_PORT",
	[WGDEVICE_A_FWMARK] = "FWMARK", [WGDEVICE_A_PEERS] = "PEERS",
};

static const char *const peer_attr[] = {
	[WGPEER_A_PUBLIC_KEY] = "PUBLIC_KEY", [WGPEER_A_PRESHARED_KEY] = "PRESHARED_KEY",
	[WGPEER_A_FLAGS] = "FLAGS", [WGPEER_A_ENDPOINT] = "ENDPOINT",
	[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL] = "PERSISTENT_KEEPALIVE_INTERVAL",
	[WGPEER_A_LAST_HANDSHAKE_TIME] = "LAST_HANDSHAKE_TIME",
	[WGPEER_A_RX_BYTES] = "RX_BYTES", [WGPEER_A_TX_BYTES] = "TX_BYTES",
	[WGPEER_A_ALLOWEDIPS] = "ALLOWEDIPS", [WGPEER_A_PROTOCOL_VERSION] = "PROTOCOL_VERSION",
};

#define for_each_attr(nla, start, len)					\
	for (int rem_ = (len), _ = 0; !_; _ = 1)			\
		for (nla = (struct nlattr *)(start);			\
		     rem_ >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN &&	\
		     nla->nla_len <= rem_;					\
		     rem_ -= NLA_ALIGN(nla->nla_len),			\
		     nla = (struct nlattr *)((char *)nla + NLA_ALIGN(nla->nla_len)))

static void print_name(const char *const *names, size_t n, unsigned short type)
{
	type &= NLA_TYPE_MASK;
	if (type < n && names[type])
		fputs(names[type], stdout);
	else
		printf("#%u", type);
}

static void print_peer(struct nlattr *peer)
{
	struct nlattr *a, *ip;
	const char *sep = "";

	putchar('[');
	for_each_attr(a, (char *)peer + NLA_HDRLEN, peer->nla_len - NLA_HDRLEN) {
		int ips = 0;

		fputs(sep, stdout);
		sep = " ";
		print_name(peer_attr, sizeof(peer_attr) / sizeof(*peer_attr), a->nla_type);
		if ((a->nla_type & NLA_TYPE_MASK) != WGPEER_A_ALLOWEDIPS)
			continue;
		for_each_attr(ip, (char *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN)
			ips++;
		printf("*%d", ips);
	}
	putchar(']');
}

static void print_message(int n, const struct nlmsghdr *nlh)
{
	struct nlattr *a, *peer;

	printf("msg %d:", n);
	for_each_attr(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
		      (int)nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)) {
		putchar(' ');
		print_name(device_attr, sizeof(device_attr) / sizeof(*device_attr), a->nla_type);
		if ((a->nla_type & NLA_TYPE_MASK) != WGDEVICE_A_PEERS)
			continue;
		for_each_attr(peer, (char *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN) {
			putchar(' ');
			print_peer(peer);
		}
	}
	putchar('\n');
}

/* genl_dump_part()'s @each: print every message but the end. */
static void print_each(const struct nlmsghdr *nlh, void *count)
{
	if (nlh->nlmsg_type != NLMSG_DONE)
		print_message(++*(int *)count, nlh);
}

int main(int argc, char **argv)
{
	unsigned short family;
	int fd, n = 0, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s IFNAME\n", argv[0]);
		return 2;
	}
	fd = genl_open_wireguard(&family);
	if (fd < 0 || genl_dump_device(fd, family, argv[1]) < 0)
		return 2;
	do
		ret = genl_dump_part(fd, buf, sizeof(buf), print_each, &n);
	while (ret == GENL_DUMP_MORE);
	return ret == GENL_DUMP_DONE ? 0 : ret == GENL_DUMP_REFUSED ? 1 : 2;
}
