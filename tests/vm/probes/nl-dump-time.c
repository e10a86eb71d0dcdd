// SPDX-License-Identifier: GPL-2.0
/*
 * nl-dump-time IFNAME: how long the kernel takes to dump IFNAME with
 * WG_CMD_GET_DEVICE, as wg asks (one request, 64 KiB reads), printed in
 * milliseconds with its message count and size:
 *
 *   12.3 ms 68 messages 2181756 bytes
 *
 * The clock runs from the request to NLMSG_DONE and covers the module's
 * work and the copies to userspace, nothing of a client's parsing or
 * printing: make bench's kernel-only share of `wg show dump`.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "genl-sock.h"

#define BUF_SIZE 65536

static char buf[BUF_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

struct dump_sum {
	unsigned long messages, bytes;	/* NLMSG_DONE's bytes counted */
};

static void count_message(const struct nlmsghdr *nlh, void *ctx)
{
	struct dump_sum *sum = ctx;

	sum->bytes += NLMSG_ALIGN(nlh->nlmsg_len);
	if (nlh->nlmsg_type != NLMSG_DONE)
		sum->messages++;
}

int main(int argc, char **argv)
{
	struct dump_sum sum = { 0 };
	unsigned short family;
	double start;
	int fd, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s IFNAME\n", argv[0]);
		return 2;
	}
	fd = genl_open_wireguard(&family);
	if (fd < 0)
		return 2;
	start = now_ms();
	if (genl_dump_device(fd, family, argv[1]) < 0)
		return 2;
	do
		ret = genl_dump_part(fd, buf, sizeof(buf), count_message, &sum);
	while (ret == GENL_DUMP_MORE);
	if (ret != GENL_DUMP_DONE)
		return ret == GENL_DUMP_REFUSED ? 1 : 2;
	printf("%.1f ms %lu messages %lu bytes\n", now_ms() - start, sum.messages, sum.bytes);
	return 0;
}
