/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building UDP datagrams by hand, for the probes and fuzzers that send
 * through raw sockets (raw-send, hs-flood, fuzz-wire): the UDP header and
 * its checksum over the IPv4 or IPv6 pseudo-header (RFC 768, RFC 8200).
 */
#ifndef KWG_PROBES_UDP_BUILD_H
#define KWG_PROBES_UDP_BUILD_H

#include <stddef.h>
#include <stdint.h>

/* Sum of 16-bit big-endian words, for the Internet checksum. */
static inline uint32_t inet_sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static inline uint16_t inet_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The checksum of the UDP datagram at udp (ulen bytes, header included),
 * written into its header. addrs: the source and destination addresses as
 * they sit in the IP header, 8 bytes for IPv4 (offset 12), 32 for IPv6
 * (offset 8). A sum of zero goes out as 0xffff: zero means "none".
 */
static inline void udp_set_checksum(uint8_t *udp, size_t ulen,
				    const uint8_t *addrs, size_t addrs_len)
{
	uint16_t c;

	udp[6] = udp[7] = 0;
	c = inet_fold(inet_sum16(udp, ulen,
				 inet_sum16(addrs, addrs_len, 17 + (uint32_t)ulen)));
	if (!c)
		c = 0xffff;
	udp[6] = (uint8_t)(c >> 8);
	udp[7] = (uint8_t)c;
}

/* Ports and length of the UDP header at udp; the checksum is left alone. */
static inline void udp_set_header(uint8_t *udp, uint16_t sport, uint16_t dport,
				  size_t ulen)
{
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
}

#endif /* KWG_PROBES_UDP_BUILD_H */
