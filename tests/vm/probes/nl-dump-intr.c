// SPDX-License-Identifier: GPL-2.0
/*
 * nl-dump-intr IFNAME COMMAND: start a WG_CMD_GET_DEVICE dump of IFNAME,
 * read its first part, run COMMAND through the shell (a configuration
 * change, or "true"), read the rest, and print one line:
 *
 *   parts=N intr_before=0|1 intr_after=0|1
 *
 * intr_before says whether a part read before COMMAND ran was marked
 * NLM_F_DUMP_INTR, intr_after whether one read after it was. A module that
 * tracks configuration changes during a dump marks the parts built after a
 * change, so tools can retry instead of showing a mixed configuration.
 *
 * Raw netlink on purpose: no library between the test and the flags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "../../../uapi/wireguard.h"
#include "genl-sock.h"

#define BUF_SIZE 32768

static char buf[BUF_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));

/* genl_dump_part()'s @each: whether any message was marked interrupted. */
static void note_intr(const struct nlmsghdr *nlh, void *intr)
{
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		*(int *)intr = 1;
}

/* Reads one part of the dump; returns 1 when the dump is done. */
static int read_part(int fd, int *intr)
{
	int ret = genl_dump_part(fd, buf, sizeof(buf), note_intr, intr);

	if (ret != GENL_DUMP_MORE && ret != GENL_DUMP_DONE)
		exit(2);
	return ret == GENL_DUMP_DONE;
}

int main(int argc, char **argv)
{
	int fd, parts = 1, done, intr_before = 0, intr_after = 0;
	unsigned short family;

	if (argc != 3) {
		fprintf(stderr, "usage: %s IFNAME COMMAND\n", argv[0]);
		return 2;
	}
	fd = genl_open_wireguard(&family);
	if (fd < 0 || genl_dump_device(fd, family, argv[1]) < 0)
		return 2;
	done = read_part(fd, &intr_before);
	if (system(argv[2]) != 0) {
		fprintf(stderr, "the command failed: %s\n", argv[2]);
		return 2;
	}
	while (!done) {
		done = read_part(fd, &intr_after);
		parts++;
	}
	printf("parts=%d intr_before=%d intr_after=%d\n", parts, intr_before, intr_after);
	return 0;
}
