// SPDX-License-Identifier: GPL-2.0
/*
 * Keep the kernel's receive-timestamp static key switched on for the
 * guest's whole life: one UDP socket with SO_TIMESTAMP, held open.
 *
 * Every ping enables receive timestamps and disables them when it exits;
 * when it is the only user, the kernel patches its text each time. Under
 * QEMU's multi-threaded TCG another vCPU may then run a stale translation
 * of that text and die on an int3 the kernel already removed (a guest
 * oops in __netif_receive_skb_core, no module involved). With this socket
 * open the key never flips, so pings only count.
 */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int one = 1;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof(one))) {
		perror("hold-netstamp");
		return 1;
	}
	for (;;)
		pause();
}
