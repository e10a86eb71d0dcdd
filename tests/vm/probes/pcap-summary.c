// SPDX-License-Identifier: GPL-2.0
/*
 * pcap-summary [-t|-d] [-a] FILE: one line per packet of a capture, with
 * what a peer on the link can observe of it and nothing random, for the
 * differential tests (tests/diff) to compare captures byte for byte:
 *
 *   ip4 10.0.0.1:1 > 10.0.0.2:2 len=176 ttl=64 dscp=0 ecn=0 df=0 frag=0 mf=0
 *       udp=156 csum=set wg=init mac2=0
 *   ip6 [fd00::2]:2 > [fd00::1]:1 len=172 hlim=64 dscp=0 ecn=0 fl=set
 *       udp=132 csum=set wg=data plen=96
 *   ip4 10.0.0.2 > 10.0.0.1 len=... icmp=3/3 quote=ip4 10.0.0.1:1 > 10.0.0.2:2 udp
 *
 * (each on one line). len is the IP datagram's total length (IPv6: payload
 * length + 40); frag is the fragment offset in bytes (IPv6: "frag=-" when
 * there is no fragment header); fl says whether the IPv6 flow label is
 * zero; csum whether the UDP checksum field is zero. The WireGuard message
 * is recognised by its first word (type, three zero bytes) and length:
 * init, resp, cookie, data (plen = padded plaintext length) or keepalive
 * (data with an empty payload); mac2 says whether a handshake message's
 * mac2 is zero. Indices, counters, ephemeral keys, IP IDs and checksums
 * are never printed: they differ on every run.
 *
 * A UDP GSO packet (a sender's batch of datagrams, which crosses a veth
 * whole and which a capture there sees as one) is listed as the datagrams
 * a peer on a wire would receive, when it holds data messages: one line
 * per segment, with its own len, udp and plen, every other field the
 * packet's. A data message is 16 bytes of header (type 4 and three zero
 * bytes, receiver index, 8-byte little-endian counter), then the payload
 * padded to a multiple of 16 but not past the device's MTU, encrypted,
 * and a 16-byte tag: 32 bytes at least, a multiple of 16 unless the
 * padding stopped at the MTU (1420 makes 1452), so any length can occur.
 * A sender's batch is one peer's messages in counter order, all S bytes
 * long but the last, which may be shorter. So an unfragmented UDP payload
 * (IP and UDP lengths agreeing) that starts with a data message is cut at
 * every S bytes for the first S (from 32 up, less than the payload) such
 * that each of these boundaries starts the same first word and receiver
 * index, with the counter one more than the message before, and the rest
 * after the last boundary is 32 bytes or more. Away from the real
 * boundaries those 16 bytes are ciphertext or tag, which matches only by
 * chance (odds of 2^-64 or less). With no such S the payload is one
 * message, as it was sent. When the capture cut the packet short (its
 * snap length) before a header this rule has to read, and no S matched in
 * what was captured, the packet is one line that ends in "truncated": it
 * may be several, which cannot be told.
 *
 *   -t  prefix every line with "t=S": whole seconds (rounded) since the
 *       first listed packet
 *   -d  prefix every line with "d=S": whole seconds (rounded) since the
 *       previous listed packet
 *   -a  list every frame; by default link chatter whose timing belongs to
 *       the kernel's neighbour and multicast machinery, not to the module
 *       under test, is left out: ARP, IPv6 neighbour discovery, router
 *       solicitations and MLD, IGMP
 *
 * Reads pcap (microsecond or nanosecond, either byte order) and pcapng,
 * link types EN10MB, RAW, IPV4, IPV6, LINUX_SLL and LINUX_SLL2.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { TIME_NONE, TIME_ABS, TIME_DELTA };

static int time_mode = TIME_NONE;
static int all_frames;
static int have_prev;
static double first_ts, prev_ts;

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static void addr_str(char *buf, size_t len, int v6, const uint8_t *a)
{
	inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, len);
}

/* "10.0.0.1:1" or "[fd00::1]:1"; without a port when port < 0. */
static void endpoint_str(char *buf, size_t len, int v6, const uint8_t *a, int port)
{
	char ip[INET6_ADDRSTRLEN];

	addr_str(ip, sizeof(ip), v6, a);
	if (port < 0)
		snprintf(buf, len, "%s", ip);
	else if (v6)
		snprintf(buf, len, "[%s]:%d", ip, port);
	else
		snprintf(buf, len, "%s:%d", ip, port);
}

/* The WireGuard message in a UDP payload of len bytes (have of them captured). */
static void print_wg(const uint8_t *p, size_t have, size_t len)
{
	uint32_t type;

	if (have < 4 || len < 4) {
		printf(" wg=none");
		return;
	}
	type = le32(p);
	if (type == 1 && len == 148)
		printf(" wg=init mac2=%s", have >= 148 ? (all_zero(p + 132, 16) ? "0" : "set") : "?");
	else if (type == 2 && len == 92)
		printf(" wg=resp mac2=%s", have >= 92 ? (all_zero(p + 76, 16) ? "0" : "set") : "?");
	else if (type == 3 && len == 64)
		printf(" wg=cookie");
	else if (type == 4 && len == 32)
		printf(" wg=keepalive");
	else if (type == 4 && len > 32)
		printf(" wg=data plen=%zu", len - 32);
	else
		printf(" wg=none first=%08x", (unsigned)type);
}

/*
 * The segment size S of a UDP GSO packet of data messages whose UDP payload
 * of len bytes (have of them captured) is p, by the rule of the header
 * comment: 0 when it is one message or not data, -1 when the capture cut
 * it short before the rule could tell.
 */
static long gso_size(const uint8_t *p, size_t have, size_t len)
{
	uint64_t counter;
	size_t s, off, k;
	int cut = 0, match;

	if (have > len)
		have = len;	/* the link layer's padding */
	if (len < 64 || have < 16 || le32(p) != 4)
		return 0;
	counter = le64(p + 8);
	for (s = 32; s < len; s++) {
		if (len % s && len % s < 32)
			continue;
		match = 1;
		for (k = 1, off = s; off < len; k++, off += s) {
			if (off + 16 > have) {
				match = -1;
				break;
			}
			/* The first word and the receiver index, then the counter. */
			if (memcmp(p + off, p, 8) || le64(p + off + 8) != counter + k) {
				match = 0;
				break;
			}
		}
		if (match > 0)
			return (long)s;
		if (match < 0)
			cut = 1;
	}
	return cut ? -1 : 0;
}

/*
 * The packet an ICMP error quotes: its family, addresses, and ports when
 * it was UDP.
 */
static void print_quote(const uint8_t *p, size_t have)
{
	char src[64], dst[64];
	int v6, proto, sport = -1, dport = -1;
	size_t hl;

	if (have < 1) {
		printf(" quote=none");
		return;
	}
	v6 = (p[0] >> 4) == 6;
	if (!v6 && (p[0] >> 4) != 4) {
		printf(" quote=?");
		return;
	}
	hl = v6 ? 40 : (size_t)(p[0] & 0x0f) * 4;
	if (have < hl || hl < 20) {
		printf(" quote=short");
		return;
	}
	proto = v6 ? p[6] : p[9];
	if (proto == 17 && have >= hl + 4) {
		sport = be16(p + hl);
		dport = be16(p + hl + 2);
	}
	endpoint_str(src, sizeof(src), v6, p + (v6 ? 8 : 12), sport);
	endpoint_str(dst, sizeof(dst), v6, p + (v6 ? 24 : 16), dport);
	printf(" quote=%s %s > %s %s", v6 ? "ip6" : "ip4", src, dst,
	       proto == 17 ? "udp" : proto == 1 ? "icmp" : proto == 58 ? "icmp6" : "other");
}

/* Link chatter left out without -a (see the header comment). */
static int chatter(int proto, const uint8_t *l4, size_t have)
{
	if (all_frames)
		return 0;
	if (proto == 2)
		return 1;
	if (proto == 58 && have >= 1)
		return (l4[0] >= 130 && l4[0] <= 137) || l4[0] == 143;
	return 0;
}

static void print_time(double ts)
{
	double base;

	if (!have_prev)
		first_ts = prev_ts = ts;
	have_prev = 1;
	if (time_mode == TIME_NONE)
		return;
	base = time_mode == TIME_ABS ? first_ts : prev_ts;
	printf("%s=%ld ", time_mode == TIME_ABS ? "t" : "d", (long)(ts - base + 0.5));
	prev_ts = ts;
}

/*
 * One IP datagram, p[0..have) captured: one line, or one per segment of a
 * UDP GSO packet of data messages (see the header comment).
 */
static void ip_packet(double ts, const uint8_t *p, size_t have)
{
	char src[64], dst[64];
	int v6, proto, frag_off = 0, mf = 0, has_frag = 0, hop, udp;
	size_t hl, total, ulen = 0, off, seg;
	const uint8_t *l4;
	long gso = 0;

	if (have < 1)
		return;
	v6 = (p[0] >> 4) == 6;
	if (!v6 && (p[0] >> 4) != 4) {
		if (all_frames) {
			print_time(ts);
			printf("ip? version=%d\n", p[0] >> 4);
		}
		return;
	}
	if (v6) {
		if (have < 40)
			return;
		hl = 40;
		proto = p[6];
		total = (size_t)be16(p + 4) + 40;
		hop = p[7];
		/* Extension headers: hop-by-hop, routing, destination, fragment. */
		while ((proto == 0 || proto == 43 || proto == 60 || proto == 44) && have >= hl + 8) {
			if (proto == 44) {
				has_frag = 1;
				frag_off = be16(p + hl + 2) & 0xfff8;
				mf = p[hl + 3] & 1;
				proto = p[hl];
				hl += 8;
				continue;
			}
			proto = p[hl];
			hl += ((size_t)p[hl + 1] + 1) * 8;
		}
	} else {
		if (have < 20)
			return;
		hl = (size_t)(p[0] & 0x0f) * 4;
		proto = p[9];
		total = be16(p + 2);
		hop = p[8];
		frag_off = (be16(p + 6) & 0x1fff) * 8;
		mf = !!(p[6] & 0x20);
	}
	l4 = p + hl;
	if (have < hl || chatter(proto, l4, frag_off ? 0 : have - hl))
		return;

	udp = !frag_off && proto == 17 && have >= hl + 8;
	if (udp) {
		ulen = be16(l4 + 4);
		/* A whole datagram, its IP and UDP lengths agreeing. */
		if (!mf && ulen >= 8 && total == hl + ulen)
			gso = gso_size(l4 + 8, have - hl - 8, ulen - 8);
	}
	endpoint_str(src, sizeof(src), v6, p + (v6 ? 8 : 12),
		     proto == 17 && !frag_off && have >= hl + 4 ? be16(l4) : -1);
	endpoint_str(dst, sizeof(dst), v6, p + (v6 ? 24 : 16),
		     proto == 17 && !frag_off && have >= hl + 4 ? be16(l4 + 2) : -1);
	/* Each segment: off and seg, its place and length in the UDP payload. */
	for (off = 0;; off += seg) {
		seg = 0;
		if (gso > 0)
			seg = ulen - 8 - off < (size_t)gso ? ulen - 8 - off : (size_t)gso;
		print_time(ts);
		printf("%s %s > %s len=%zu", v6 ? "ip6" : "ip4", src, dst,
		       gso > 0 ? hl + 8 + seg : total);
		if (v6) {
			uint8_t tc = (uint8_t)((p[0] & 0x0f) << 4 | p[1] >> 4);

			printf(" hlim=%d dscp=%d ecn=%d fl=%s", hop, tc >> 2, tc & 3,
			       ((p[1] & 0x0f) | p[2] | p[3]) ? "set" : "0");
			if (has_frag)
				printf(" frag=%d mf=%d", frag_off, mf);
			else
				printf(" frag=-");
		} else {
			printf(" ttl=%d dscp=%d ecn=%d df=%d frag=%d mf=%d", hop, p[1] >> 2,
			       p[1] & 3, !!(p[6] & 0x40), frag_off, mf);
			if (hl > 20)
				printf(" ihl=%zu", hl);
		}
		if (frag_off) {
			printf(" proto=%d\n", proto);
			return;
		}
		if (udp && gso > 0) {
			/* Every segment's header was captured (gso_size). */
			printf(" udp=%zu csum=%s", seg + 8, (l4[6] | l4[7]) ? "set" : "0");
			print_wg(l4 + 8 + off, have - hl - 8 - off, seg);
		} else if (udp) {
			printf(" udp=%zu csum=%s", ulen, (l4[6] | l4[7]) ? "set" : "0");
			print_wg(l4 + 8, have - hl - 8, ulen >= 8 ? ulen - 8 : 0);
			if (gso < 0)
				printf(" truncated");
		} else if ((proto == 1 || proto == 58) && have >= hl + 4) {
			printf(" %s=%d/%d", proto == 1 ? "icmp" : "icmp6", l4[0], l4[1]);
			/* Errors quote the offending packet after their 8-byte header. */
			if ((proto == 1 && (l4[0] == 3 || l4[0] == 11 || l4[0] == 12)) ||
			    (proto == 58 && l4[0] < 128))
				print_quote(l4 + 8, have >= hl + 8 ? have - hl - 8 : 0);
		} else {
			printf(" proto=%d", proto);
		}
		printf("\n");
		if (gso <= 0 || off + seg >= ulen - 8)
			return;
	}
}

/* One link-layer frame of the given link type. */
static void frame(double ts, int linktype, const uint8_t *p, size_t have)
{
	unsigned ethertype;
	size_t off;

	switch (linktype) {
	case 1:		/* EN10MB */
		if (have < 14)
			return;
		off = 12;
		ethertype = be16(p + off);
		while ((ethertype == 0x8100 || ethertype == 0x88a8) && have >= off + 6) {
			off += 4;
			ethertype = be16(p + off);
		}
		off += 2;
		break;
	case 113:	/* LINUX_SLL */
		if (have < 16)
			return;
		ethertype = be16(p + 14);
		off = 16;
		break;
	case 276:	/* LINUX_SLL2 */
		if (have < 20)
			return;
		ethertype = be16(p);
		off = 20;
		break;
	case 12: case 14: case 101:	/* RAW */
	case 228: case 229:		/* IPV4, IPV6 */
		ethertype = have && (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
		off = 0;
		break;
	default:
		fprintf(stderr, "pcap-summary: unsupported link type %d\n", linktype);
		exit(2);
	}
	if (ethertype == 0x0800 || ethertype == 0x86dd) {
		ip_packet(ts, p + off, have - off);
	} else if (all_frames) {
		print_time(ts);
		printf("ethertype=0x%04x\n", ethertype);
	}
}

static uint8_t *slurp(FILE *f, size_t *len)
{
	size_t cap = 1 << 16, n = 0, r;
	uint8_t *buf = malloc(cap);

	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (!buf) {
		perror("pcap-summary");
		exit(2);
	}
	*len = n;
	return buf;
}

static uint32_t rd32(const uint8_t *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const uint8_t *p, int swap)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return swap ? __builtin_bswap16(v) : v;
}

static void read_pcap(const uint8_t *b, size_t len)
{
	uint32_t magic = rd32(b, 0);
	int swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	int nsec = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	int linktype;
	size_t off = 24;

	if (len < 24) {
		fprintf(stderr, "pcap-summary: short pcap header\n");
		exit(2);
	}
	linktype = (int)(rd32(b + 20, swap) & 0x0fffffff);
	while (off + 16 <= len) {
		uint32_t caplen = rd32(b + off + 8, swap);
		double ts = rd32(b + off, swap) + rd32(b + off + 4, swap) / (nsec ? 1e9 : 1e6);

		if (off + 16 + caplen > len)
			break;	/* the capture was cut short */
		frame(ts, linktype, b + off + 16, caplen);
		off += 16 + caplen;
	}
}

#define MAX_IFACES 16

static void read_pcapng(const uint8_t *b, size_t len)
{
	int linktype[MAX_IFACES] = { 0 };
	double tsdiv[MAX_IFACES];
	int nif = 0, swap = 0;
	size_t off = 0;

	while (off + 12 <= len) {
		uint32_t type, blen;

		if (rd32(b + off, 0) == 0x0a0d0d0a) {	/* section header */
			swap = rd32(b + off + 8, 0) != 0x1a2b3c4d;
			nif = 0;
		}
		type = rd32(b + off, swap);
		blen = rd32(b + off + 4, swap);
		if (blen < 12 || off + blen > len)
			break;
		if (type == 1 && nif < MAX_IFACES && blen >= 20) {	/* interface description */
			size_t o = off + 16;

			linktype[nif] = rd16(b + off + 8, swap);
			tsdiv[nif] = 1e6;
			while (o + 4 <= off + blen - 4) {
				uint16_t code = rd16(b + o, swap), olen = rd16(b + o + 2, swap);

				if (code == 0)
					break;
				if (code == 9 && olen >= 1) {	/* if_tsresol */
					uint8_t r = b[o + 4];
					double d = 1;
					int i;

					for (i = 0; i < (r & 0x7f); i++)
						d *= (r & 0x80) ? 2 : 10;
					tsdiv[nif] = d;
				}
				o += 4 + ((olen + 3u) & ~3u);
			}
			nif++;
		} else if (type == 6 && blen >= 32) {	/* enhanced packet */
			uint32_t ifc = rd32(b + off + 8, swap);
			uint64_t t = (uint64_t)rd32(b + off + 12, swap) << 32 | rd32(b + off + 16, swap);
			uint32_t caplen = rd32(b + off + 20, swap);

			if (ifc < (uint32_t)nif && 28 + caplen <= blen)
				frame((double)t / tsdiv[ifc], linktype[ifc], b + off + 28, caplen);
		} else if (type == 3 && nif > 0 && blen >= 16) {	/* simple packet */
			/* Its original length; less was kept when the snap length cut it. */
			uint32_t caplen = rd32(b + off + 8, swap);

			if (caplen > blen - 16)
				caplen = blen - 16;
			frame(0, linktype[0], b + off + 12, caplen);
		}
		off += blen;
	}
}

int main(int argc, char **argv)
{
	uint8_t *buf;
	size_t len;
	FILE *f;
	int c;

	while ((c = getopt(argc, argv, "tda")) != -1) {
		switch (c) {
		case 't': time_mode = TIME_ABS; break;
		case 'd': time_mode = TIME_DELTA; break;
		case 'a': all_frames = 1; break;
		default:
			fprintf(stderr, "usage: pcap-summary [-t|-d] [-a] FILE\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: pcap-summary [-t|-d] [-a] FILE\n");
		return 2;
	}
	f = strcmp(argv[optind], "-") ? fopen(argv[optind], "rb") : stdin;
	if (!f) {
		perror(argv[optind]);
		return 2;
	}
	buf = slurp(f, &len);
	if (len >= 4 && rd32(buf, 0) == 0x0a0d0d0a)
		read_pcapng(buf, len);
	else if (len >= 4 && (rd32(buf, 0) == 0xa1b2c3d4 || rd32(buf, 0) == 0xd4c3b2a1 ||
			      rd32(buf, 0) == 0xa1b23c4d || rd32(buf, 0) == 0x4d3cb2a1))
		read_pcap(buf, len);
	else if (len == 0)
		return 0;	/* tcpdump was stopped before it wrote the header */
	else {
		fprintf(stderr, "pcap-summary: %s is neither pcap nor pcapng\n", argv[optind]);
		return 2;
	}
	free(buf);
	return 0;
}
