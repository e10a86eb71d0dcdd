// SPDX-License-Identifier: GPL-2.0
/*
 * raw-send [-s ADDR] [-p PORT] HEX...: send IPv4 datagrams as given, for
 * replaying captured packets and sending hand-made ones (tests/diff). Each
 * HEX argument is one whole datagram, IP header first, in hex (as
 * `tcpdump -x` prints a packet, the spaces removed); it goes out through a
 * raw socket with IP_HDRINCL to its own destination address, in the order
 * given. The kernel fills in the header checksum (and the IP ID when it is
 * zero). A UDP datagram's checksum is computed anew, unless it is zero (no
 * checksum): a capture on a veth holds the partial checksum the sender
 * left for the hardware to finish, not the one the receiver checks.
 *
 *   -s ADDR  replace the source address by ADDR
 *   -p PORT  replace a UDP datagram's source port by PORT
 *
 * A datagram whose length field disagrees with the bytes given (a capture
 * cut short) is refused. Prints nothing; exits 1 on any error.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "udp-build.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The UDP checksum of the datagram in p (IPv4 header of hl bytes first). */
static void udp_checksum(uint8_t *p, size_t hl, size_t total)
{
	uint8_t *udp = p + hl;
	size_t ulen = total - hl;

	if (!udp[6] && !udp[7])
		return;	/* sent without a checksum: keep it so */
	udp_set_checksum(udp, ulen, p + 12, 8);
}

int main(int argc, char **argv)
{
	struct in_addr src = { 0 };
	int set_src = 0, port = -1, fd, c, one = 1;

	while ((c = getopt(argc, argv, "s:p:")) != -1) {
		switch (c) {
		case 's':
			if (inet_pton(AF_INET, optarg, &src) != 1) {
				fprintf(stderr, "raw-send: bad address %s\n", optarg);
				return 1;
			}
			set_src = 1;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: raw-send [-s ADDR] [-p PORT] HEX...\n");
			return 1;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: raw-send [-s ADDR] [-p PORT] HEX...\n");
		return 1;
	}
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("raw-send: socket");
		return 1;
	}
	for (; optind < argc; optind++) {
		const char *h = argv[optind];
		size_t n = strlen(h) / 2, i, hl;
		uint8_t *p = malloc(n ? n : 1);
		struct sockaddr_in to = { .sin_family = AF_INET };

		for (i = 0; i < n && p; i++) {
			int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

			if (hi < 0 || lo < 0)
				break;
			p[i] = (uint8_t)(hi << 4 | lo);
		}
		if (!p || i != n || strlen(h) % 2 || n < 20 || p[0] >> 4 != 4 ||
		    (hl = (size_t)(p[0] & 0x0f) * 4) < 20 || hl > n ||
		    (size_t)(p[2] << 8 | p[3]) != n) {
			fprintf(stderr, "raw-send: argument %d is not a whole IPv4 datagram\n", optind);
			return 1;
		}
		if (set_src)
			memcpy(p + 12, &src, 4);
		if (p[9] == 17 && n >= hl + 8 && !(p[6] & 0x3f) && !p[7]) {	/* UDP, not a fragment */
			if (port >= 0) {
				p[hl] = (uint8_t)(port >> 8);
				p[hl + 1] = (uint8_t)port;
			}
			udp_checksum(p, hl, n);
		}
		memcpy(&to.sin_addr, p + 16, 4);
		if (sendto(fd, p, n, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)n) {
			perror("raw-send: sendto");
			return 1;
		}
		free(p);
	}
	return 0;
}
