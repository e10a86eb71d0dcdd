// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-wire: mutated WireGuard messages to a listen port, from many spoofed
 * source addresses and ports, while the module's per-reason drop counters
 * (ethtool statistics) are read before and after.
 *
 *   fuzz-wire -r PCAP -d ADDR4 -p PORT [-D ADDR6] [-4 PREFIX4] [-6 PREFIX6]
 *             [-c IFNAME] [-n N] [-s SEED] [-m KINDS] [-t TYPES]
 *             [-N NETNS] [-i IFNAME] [-w SECONDS]
 *
 * Base messages are real ones: every WireGuard message in PCAP (a capture
 * of a live tunnel, `tcpdump -w`; Ethernet, Linux cooked or raw IP links)
 * and, with -c, those seen on IFNAME while fuzzing (an AF_PACKET socket),
 * so that data messages stay current across rekeys. They are sorted by
 * type: init (type 1, 148 bytes), resp (2, 92), cookie (3, 64), data (4,
 * more than 32) and keepalive (4, 32 bytes). Captured packets from the
 * spoofed prefixes (our own) are ignored.
 *
 * Each datagram takes a base type at random (among -t TYPES, default all
 * five; each must be in the capture), one of its messages, and a mutation
 * (-m KINDS, default all):
 *   random    the base's 4-byte header and random bytes, at the base's
 *             length (3 in 4) or a random length of 0-255 bytes
 *   truncate  the first 0 to length-1 bytes
 *   extend    the message and 1 to 256 random bytes
 *   flip      1 to 8 bits flipped anywhere (1 in 4: in the first 16 bytes)
 *   replay    the message unchanged
 * (replay is drawn 1 time in 16 when all kinds are on, the others equally.)
 * It goes from a random address in PREFIX4 (default 10.99.0.0/16) or, with
 * -D and 1 time in 4, in PREFIX6 (a /64, default fd99::/64), and a random
 * port of 1024-65535, to ADDR4 or ADDR6 at PORT, through raw sockets
 * (IP_HDRINCL; the UDP checksum is computed). The target host must route
 * the prefixes back through the sender, which must not forward them.
 *
 * -N NETNS, -i IFNAME: the device whose ethtool statistics (SIOCETHTOOL:
 * ETHTOOL_GSSET_INFO, GSTRINGS, GSTATS) are read before and after, NETNS a
 * namespace file (/run/netns/b) when the device is in another namespace.
 * After the last datagram the counters are polled until they stay still
 * for a second (at most -w SECONDS, default 60).
 *
 * Prints "key value" lines: sent, sent.TYPE.KIND, sent.type.TYPE,
 * sent.kind.KIND, expect.NAME (how many datagrams the module must refuse
 * on their type and length alone, under its counter's name, and how many
 * are well_formed), sent.ipv4, sent.ipv6, send_errors, seconds, rate, and,
 * when the device has statistics, counter.NAME (the delta, for every
 * counter) and counters_sum; otherwise "counters none". Exits 0, 1 on
 * error, 2 if a base type is missing from the capture.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "udp-build.h"

enum { T_INIT, T_RESP, T_COOKIE, T_DATA, T_KEEPALIVE, NTYPES };
enum { K_RANDOM, K_TRUNCATE, K_EXTEND, K_FLIP, K_REPLAY, NKINDS };
static const char *const type_names[NTYPES] = {
	"init", "resp", "cookie", "data", "keepalive"
};
static const char *const kind_names[NKINDS] = {
	"random", "truncate", "extend", "flip", "replay"
};

/*
 * What the receiver can tell from type and length alone (the names of the
 * module's counters), or C_WELL_FORMED.
 */
enum { C_SHORT, C_UNKNOWN_TYPE, C_INIT_LEN, C_RESP_LEN, C_COOKIE_LEN,
	C_DATA_SHORT, C_WELL_FORMED, NCLASSES };
static const char *const class_names[NCLASSES] = {
	"rx_drop_shorter_than_header", "rx_drop_unknown_type",
	"rx_drop_init_bad_length", "rx_drop_resp_bad_length",
	"rx_drop_cookie_bad_length", "rx_drop_data_too_short", "well_formed"
};

static int classify(const uint8_t *p, size_t len)
{
	if (len < 4)
		return C_SHORT;
	if (p[1] || p[2] || p[3] || p[0] < 1 || p[0] > 4)
		return C_UNKNOWN_TYPE;
	if (p[0] == 1)
		return len == 148 ? C_WELL_FORMED : C_INIT_LEN;
	if (p[0] == 2)
		return len == 92 ? C_WELL_FORMED : C_RESP_LEN;
	if (p[0] == 3)
		return len == 64 ? C_WELL_FORMED : C_COOKIE_LEN;
	return len >= 32 ? C_WELL_FORMED : C_DATA_SHORT;
}

#define POOL 16		/* messages kept per type */
#define MAXMSG 1452	/* UDP payload that fits an IPv6 packet in 1500 */
#define BATCH 32

struct msg {
	uint16_t len;
	uint8_t data[MAXMSG];
};

static struct msg pool[NTYPES][POOL];
static unsigned int pool_len[NTYPES], pool_next[NTYPES];

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static struct in_addr net4;
static uint32_t mask4;
static uint8_t net6[8];

static int spoofed4(const uint8_t *a)
{
	uint32_t v;

	memcpy(&v, a, 4);
	return (ntohl(v) & mask4) == ntohl(net4.s_addr);
}

static int spoofed6(const uint8_t *a)
{
	return !memcmp(a, net6, 8);
}

/* Sort a UDP payload into the pool; returns its type or -1. */
static int add_message(const uint8_t *p, size_t len, int replace)
{
	int t = -1;
	unsigned int slot;

	if (len < 4 || p[1] || p[2] || p[3])
		return -1;
	if (p[0] == 1 && len == 148)
		t = T_INIT;
	else if (p[0] == 2 && len == 92)
		t = T_RESP;
	else if (p[0] == 3 && len == 64)
		t = T_COOKIE;
	else if (p[0] == 4 && len == 32)
		t = T_KEEPALIVE;
	else if (p[0] == 4 && len > 32 && len <= MAXMSG)
		t = T_DATA;
	if (t < 0)
		return -1;
	if (pool_len[t] < POOL) {
		slot = pool_len[t]++;
	} else {
		if (!replace)
			return t;
		slot = pool_next[t]++ % POOL;
	}
	pool[t][slot].len = (uint16_t)len;
	memcpy(pool[t][slot].data, p, len);
	return t;
}

/* An IP packet (IPv4 or IPv6) carrying UDP: its payload into the pool. */
static void add_ip_packet(const uint8_t *p, size_t len, int replace)
{
	size_t hl;

	if (len < 1)
		return;
	if (p[0] >> 4 == 4) {
		if (len < 20 || p[9] != 17 || (p[6] & 0x3f) || p[7])
			return;
		hl = (size_t)(p[0] & 0x0f) * 4;
		if (hl < 20 || len < hl + 8 || spoofed4(p + 12))
			return;
		if ((size_t)(p[2] << 8 | p[3]) < len)
			len = (size_t)(p[2] << 8 | p[3]);
	} else if (p[0] >> 4 == 6) {
		if (len < 48 || p[6] != 17 || spoofed6(p + 8))
			return;
		hl = 40;
		if ((size_t)(p[4] << 8 | p[5]) + 40 < len)
			len = (size_t)(p[4] << 8 | p[5]) + 40;
	} else {
		return;
	}
	if ((size_t)(p[hl + 4] << 8 | p[hl + 5]) != len - hl)
		return;	/* cut short */
	add_message(p + hl + 8, len - hl - 8, replace);
}

static int read_pcap(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t gh[24], rh[16], *buf = malloc(65536 + 64);
	uint32_t link, caplen;
	int swap;

	if (!f || !buf) {
		perror(path);
		return -1;
	}
	if (fread(gh, 1, 24, f) != 24)
		goto bad;
	if (!memcmp(gh, "\xd4\xc3\xb2\xa1", 4) || !memcmp(gh, "\x4d\x3c\xb2\xa1", 4))
		swap = 0;
	else if (!memcmp(gh, "\xa1\xb2\xc3\xd4", 4) || !memcmp(gh, "\xa1\xb2\x3c\x4d", 4))
		swap = 1;
	else
		goto bad;
#define U32(b) (swap ? (uint32_t)((b)[0] << 24 | (b)[1] << 16 | (b)[2] << 8 | (b)[3]) : \
		(uint32_t)((b)[3] << 24 | (b)[2] << 16 | (b)[1] << 8 | (b)[0]))
	link = U32(gh + 20) & 0xffff;
	while (fread(rh, 1, 16, f) == 16) {
		caplen = U32(rh + 8);
		if (caplen > 65536 || fread(buf, 1, caplen, f) != caplen)
			goto bad;
		if (link == 1 && caplen > 14)			/* Ethernet */
			add_ip_packet(buf + 14, caplen - 14, 0);
		else if (link == 113 && caplen > 16)		/* Linux cooked */
			add_ip_packet(buf + 16, caplen - 16, 0);
		else if (link == 276 && caplen > 20)		/* Linux cooked v2 */
			add_ip_packet(buf + 20, caplen - 20, 0);
		else if (link == 101 || link == 12)		/* raw IP */
			add_ip_packet(buf, caplen, 0);
	}
#undef U32
	fclose(f);
	free(buf);
	return 0;
bad:
	fprintf(stderr, "fuzz-wire: %s: not a pcap file, or cut short\n", path);
	return -1;
}

/* Live capture on an interface, UDP not from the spoofed prefixes. */
static int open_capture(const char *ifname)
{
	uint32_t w0, w1;
	struct sock_filter code[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),	/* EtherType */
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0800, 1, 0),
		/* 2 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x86dd, 5, 12),
		/* 3 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 9),	/* IPv4 */
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 10),
		/* 5 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 14 + 12),
		/* 6 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0),	/* mask4 */
		/* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 7, 6),	/* net4 */
		/* 8 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 6),	/* IPv6 */
		/* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 5),
		/* 10 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 14 + 8),
		/* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),	/* w0 */
		/* 12 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 14 + 12),
		/* 13 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),	/* w1 */
		/* 14 */ BPF_STMT(BPF_RET | BPF_K, 65535),
		/* 15 */ BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	uint8_t drain[2048];
	int fd;

	memcpy(&w0, net6, 4);
	memcpy(&w1, net6 + 4, 4);
	code[6].k = mask4;
	code[7].k = ntohl(net4.s_addr);
	code[11].k = ntohl(w0);
	code[13].k = ntohl(w1);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (fd < 0 || !sll.sll_ifindex ||
	    setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("fuzz-wire: capture");
		return -1;
	}
	while (recv(fd, drain, sizeof(drain), 0) > 0)
		;	/* what came before the filter */
	return fd;
}

static unsigned long captured;

static void poll_capture(int fd)
{
	uint8_t buf[2048];
	ssize_t n;

	if (fd < 0)
		return;
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 14) {
		add_ip_packet(buf + 14, (size_t)n - 14, 1);
		captured++;
	}
}

/* --- ethtool statistics ------------------------------------------------- */

struct stats {
	unsigned int n;
	char (*names)[ETH_GSTRING_LEN];
	uint64_t *values;
};

static int eth_ioctl(int fd, const char *ifname, void *data)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = data;
	return ioctl(fd, SIOCETHTOOL, &ifr);
}

/* 0 and st->n == 0 when the device has no statistics. */
static int stats_init(int fd, const char *ifname, struct stats *st)
{
	struct {
		struct ethtool_sset_info info;
		uint32_t data[1];
	} ss = { .info = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ULL << ETH_SS_STATS } };
	struct ethtool_gstrings *gs;

	st->n = 0;
	if (eth_ioctl(fd, ifname, &ss)) {
		if (errno == EOPNOTSUPP)
			return 0;
		perror("fuzz-wire: ETHTOOL_GSSET_INFO");
		return -1;
	}
	if (!(ss.info.sset_mask & (1ULL << ETH_SS_STATS)) || !ss.data[0])
		return 0;
	st->n = ss.data[0];
	gs = calloc(1, sizeof(*gs) + st->n * ETH_GSTRING_LEN);
	st->names = calloc(st->n, ETH_GSTRING_LEN);
	st->values = calloc(st->n, sizeof(uint64_t));
	if (!gs || !st->names || !st->values)
		return -1;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_STATS;
	gs->len = st->n;
	if (eth_ioctl(fd, ifname, gs)) {
		perror("fuzz-wire: ETHTOOL_GSTRINGS");
		return -1;
	}
	memcpy(st->names, gs->data, st->n * ETH_GSTRING_LEN);
	for (unsigned int i = 0; i < st->n; i++)
		st->names[i][ETH_GSTRING_LEN - 1] = 0;
	free(gs);
	return 0;
}

static int stats_read(int fd, const char *ifname, struct stats *st)
{
	struct ethtool_stats *es;

	if (!st->n)
		return 0;
	es = calloc(1, sizeof(*es) + st->n * sizeof(uint64_t));
	if (!es)
		return -1;
	es->cmd = ETHTOOL_GSTATS;
	es->n_stats = st->n;
	if (eth_ioctl(fd, ifname, es) || es->n_stats != st->n) {
		perror("fuzz-wire: ETHTOOL_GSTATS");
		free(es);
		return -1;
	}
	memcpy(st->values, es->data, st->n * sizeof(uint64_t));
	free(es);
	return 0;
}

static uint64_t stats_sum(const struct stats *st)
{
	uint64_t s = 0;

	for (unsigned int i = 0; i < st->n; i++)
		s += st->values[i];
	return s;
}

/* A socket in the device's namespace, for the ioctls. */
static int ctl_socket(const char *netns)
{
	int self = -1, ns, fd;

	if (netns) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		ns = open(netns, O_RDONLY | O_CLOEXEC);
		if (self < 0 || ns < 0 || setns(ns, CLONE_NEWNET)) {
			perror("fuzz-wire: setns");
			return -1;
		}
		close(ns);
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET)) {
			perror("fuzz-wire: setns back");
			return -1;
		}
		close(self);
	}
	return fd;
}

/* --- building and sending ----------------------------------------------- */

/* The mutated payload of one datagram into out; returns its length. */
static size_t mutate(int type, int kind, uint8_t *out)
{
	const struct msg *m = &pool[type][below(pool_len[type])];
	size_t len = m->len, i, n;

	switch (kind) {
	case K_RANDOM:
		if (below(4))
			n = len;
		else
			n = below(256);
		for (i = 0; i < n; i++)
			out[i] = (uint8_t)rnd();
		memcpy(out, m->data, n < 4 ? n : 4);
		return n;
	case K_TRUNCATE:
		n = below((uint32_t)len);
		memcpy(out, m->data, n);
		return n;
	case K_EXTEND:
		n = 1 + below(256);
		if (len + n > MAXMSG)
			n = MAXMSG - len;
		memcpy(out, m->data, len);
		for (i = 0; i < n; i++)
			out[len + i] = (uint8_t)rnd();
		return len + n;
	case K_FLIP:
		memcpy(out, m->data, len);
		n = 1 + below(8);
		for (i = 0; i < n; i++) {
			size_t at = below(4) ? below((uint32_t)len) : below(16);

			out[at] ^= (uint8_t)(1u << below(8));
		}
		return len;
	default:
		memcpy(out, m->data, len);
		return len;
	}
}

struct batch {
	int fd, family;
	unsigned int n;
	uint8_t pkt[BATCH][40 + 8 + MAXMSG];
	struct iovec iov[BATCH];
	struct mmsghdr mm[BATCH];
	int type[BATCH], kind[BATCH], cls[BATCH];
	struct sockaddr_in6 to6;
	struct sockaddr_in to4;
};

static unsigned long sent[NTYPES][NKINDS], sent_family[2], send_errors;
static unsigned long expect[NCLASSES];

static void flush(struct batch *b)
{
	unsigned int done = 0;
	int r;

	while (done < b->n) {
		r = sendmmsg(b->fd, b->mm + done, b->n - done, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS || errno == EAGAIN) {
				struct timespec ts = { 0, 1000000 };

				nanosleep(&ts, NULL);
				continue;
			}
			send_errors++;
			r = 1;	/* skip the one that failed */
			done++;
			continue;
		}
		for (int i = 0; i < r; i++) {
			sent[b->type[done + i]][b->kind[done + i]]++;
			expect[b->cls[done + i]]++;
			sent_family[b->family == AF_INET6]++;
		}
		done += (unsigned int)r;
	}
	b->n = 0;
}

static void add4(struct batch *b, const struct in_addr *dst, int port, int type, int kind)
{
	uint8_t *p = b->pkt[b->n], *udp = p + 20;
	size_t len = mutate(type, kind, udp + 8), total = 20 + 8 + len;
	uint32_t src = htonl(ntohl(net4.s_addr) | ((uint32_t)rnd() & ~mask4));
	uint16_t sport = (uint16_t)(1024 + below(65536 - 1024));

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, dst, 4);
	udp_set_header(udp, sport, (uint16_t)port, 8 + len);
	udp_set_checksum(udp, 8 + len, p + 12, 8);
	b->iov[b->n].iov_base = p;
	b->iov[b->n].iov_len = total;
	b->type[b->n] = type;
	b->kind[b->n] = kind;
	b->cls[b->n] = classify(udp + 8, len);
	if (++b->n == BATCH)
		flush(b);
}

static void add6(struct batch *b, const struct in6_addr *dst, int port, int type, int kind)
{
	uint8_t *p = b->pkt[b->n], *udp = p + 40;
	size_t len = mutate(type, kind, udp + 8);
	uint64_t host = rnd();
	uint16_t sport = (uint16_t)(1024 + below(65536 - 1024));

	memset(p, 0, 48);
	p[0] = 0x60;
	p[4] = (uint8_t)((8 + len) >> 8);
	p[5] = (uint8_t)(8 + len);
	p[6] = 17;
	p[7] = 64;
	memcpy(p + 8, net6, 8);
	memcpy(p + 16, &host, 8);
	memcpy(p + 24, dst, 16);
	udp_set_header(udp, sport, (uint16_t)port, 8 + len);
	udp_set_checksum(udp, 8 + len, p + 8, 32);
	b->iov[b->n].iov_base = p;
	b->iov[b->n].iov_len = 40 + 8 + len;
	b->type[b->n] = type;
	b->kind[b->n] = kind;
	b->cls[b->n] = classify(udp + 8, len);
	if (++b->n == BATCH)
		flush(b);
}

static void batch_init(struct batch *b, int fd, int family)
{
	b->fd = fd;
	b->family = family;
	b->n = 0;
	for (int i = 0; i < BATCH; i++) {
		memset(&b->mm[i], 0, sizeof(b->mm[i]));
		b->mm[i].msg_hdr.msg_iov = &b->iov[i];
		b->mm[i].msg_hdr.msg_iovlen = 1;
		if (family == AF_INET) {
			b->mm[i].msg_hdr.msg_name = &b->to4;
			b->mm[i].msg_hdr.msg_namelen = sizeof(b->to4);
		} else {
			b->mm[i].msg_hdr.msg_name = &b->to6;
			b->mm[i].msg_hdr.msg_namelen = sizeof(b->to6);
		}
	}
}

/* A comma-separated list of names into a bit mask. */
static unsigned int parse_list(const char *s, const char *const *names, int count)
{
	unsigned int mask = 0;
	char *dup = strdup(s), *tok, *save = NULL;

	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int i;

		for (i = 0; i < count && strcmp(tok, names[i]); i++)
			;
		if (i == count) {
			fprintf(stderr, "fuzz-wire: unknown name %s\n", tok);
			exit(1);
		}
		mask |= 1u << i;
	}
	free(dup);
	return mask;
}

static int parse_prefix4(const char *s)
{
	char buf[64], *slash;
	int bits = 32;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		bits = atoi(slash + 1);
	}
	if (inet_pton(AF_INET, buf, &net4) != 1 || bits < 1 || bits > 32)
		return -1;
	mask4 = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
	net4.s_addr = htonl(ntohl(net4.s_addr) & mask4);
	return 0;
}

static int parse_prefix6(const char *s)
{
	char buf[64], *slash;
	struct in6_addr a;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash) {
		if (atoi(slash + 1) != 64)
			return -1;
		*slash = 0;
	}
	if (inet_pton(AF_INET6, buf, &a) != 1)
		return -1;
	memcpy(net6, &a, 8);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz-wire -r PCAP -d ADDR4 -p PORT [-D ADDR6] [-4 PREFIX4] "
		"[-6 PREFIX6] [-c IFNAME] [-n N] [-s SEED] [-m KINDS] [-t TYPES] "
		"[-N NETNS] [-i IFNAME] [-w SECONDS]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *pcap = NULL, *netns = NULL, *ifname = NULL, *capif = NULL;
	unsigned int types = (1u << NTYPES) - 1, kinds = (1u << NKINDS) - 1;
	int port = -1, has6 = 0, c, fd4, fd6 = -1, ctl = -1, cap = -1;
	unsigned long n = 100000, i, total = 0;
	struct stats before = { 0 }, after = { 0 };
	struct in6_addr dst6;
	struct in_addr dst4;
	double wait = 60, t0, t1, t2;
	int tlist[NTYPES], klist[NKINDS * 15], nt = 0, nk = 0;
	static struct batch b4, b6;
	uint64_t seed = 1;

	parse_prefix4("10.99.0.0/16");
	parse_prefix6("fd99::/64");
	while ((c = getopt(argc, argv, "r:d:D:p:4:6:c:n:s:m:t:N:i:w:")) != -1) {
		switch (c) {
		case 'r': pcap = optarg; break;
		case 'd':
			if (inet_pton(AF_INET, optarg, &dst4) != 1)
				usage();
			break;
		case 'D':
			if (inet_pton(AF_INET6, optarg, &dst6) != 1)
				usage();
			has6 = 1;
			break;
		case 'p': port = atoi(optarg); break;
		case '4': if (parse_prefix4(optarg)) usage(); break;
		case '6': if (parse_prefix6(optarg)) usage(); break;
		case 'c': capif = optarg; break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'm': kinds = parse_list(optarg, kind_names, NKINDS); break;
		case 't': types = parse_list(optarg, type_names, NTYPES); break;
		case 'N': netns = optarg; break;
		case 'i': ifname = optarg; break;
		case 'w': wait = atof(optarg); break;
		default: usage();
		}
	}
	if (!pcap || port <= 0 || port > 65535 || !kinds || !types)
		usage();
	rng_state = seed;
	if (read_pcap(pcap))
		return 1;
	for (c = 0; c < NTYPES; c++) {
		if (!(types & (1u << c)))
			continue;
		if (!pool_len[c]) {
			fprintf(stderr, "fuzz-wire: no %s message in %s\n", type_names[c], pcap);
			return 2;
		}
		tlist[nt++] = c;
	}
	/* Weights: replay 4, each other kind 15 (all on: replay 1 in 16). */
	for (c = 0; c < NKINDS; c++) {
		if (!(kinds & (1u << c)))
			continue;
		for (int j = 0; j < (c == K_REPLAY ? 4 : 15); j++)
			klist[nk++] = c;
	}

	fd4 = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd4 < 0) {
		perror("fuzz-wire: raw socket");
		return 1;
	}
	batch_init(&b4, fd4, AF_INET);
	b4.to4.sin_family = AF_INET;
	b4.to4.sin_addr = dst4;
	if (has6) {
		fd6 = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
		if (fd6 < 0) {
			perror("fuzz-wire: raw socket6");
			return 1;
		}
		batch_init(&b6, fd6, AF_INET6);
		b6.to6.sin6_family = AF_INET6;
		b6.to6.sin6_addr = dst6;
	}
	if (capif) {
		cap = open_capture(capif);
		if (cap < 0)
			return 1;
	}
	if (ifname) {
		ctl = ctl_socket(netns);
		if (ctl < 0 || stats_init(ctl, ifname, &before) || stats_read(ctl, ifname, &before))
			return 1;
		after = before;
		after.values = calloc(after.n ? after.n : 1, sizeof(uint64_t));
	}

	t0 = now();
	for (i = 0; i < n; i++) {
		int type = tlist[below((uint32_t)nt)], kind = klist[below((uint32_t)nk)];

		if (has6 && !below(4))
			add6(&b6, &dst6, port, type, kind);
		else
			add4(&b4, &dst4, port, type, kind);
		if (!(i % 4096))
			poll_capture(cap);
	}
	flush(&b4);
	if (has6)
		flush(&b6);
	t1 = now();

	/* Let the receiver finish: the counters stay still for a second. */
	if (ifname && before.n) {
		uint64_t last = (uint64_t)-1;
		double still = now();

		for (;;) {
			struct timespec ts = { 0, 100000000 };
			uint64_t s;

			if (stats_read(ctl, ifname, &after))
				return 1;
			s = stats_sum(&after);
			if (s != last) {
				last = s;
				still = now();
			} else if (now() - still >= 1.0) {
				break;
			}
			if (now() - t1 > wait) {
				fprintf(stderr, "fuzz-wire: counters still moving after %.0f s\n", wait);
				break;
			}
			nanosleep(&ts, NULL);
		}
	} else {
		sleep(1);
	}
	t2 = now();

	for (int t = 0; t < NTYPES; t++)
		for (int k = 0; k < NKINDS; k++)
			total += sent[t][k];
	printf("sent %lu\n", total);
	for (int t = 0; t < NTYPES; t++) {
		unsigned long s = 0;

		for (int k = 0; k < NKINDS; k++)
			s += sent[t][k];
		printf("sent.type.%s %lu\n", type_names[t], s);
	}
	for (int k = 0; k < NKINDS; k++) {
		unsigned long s = 0;

		for (int t = 0; t < NTYPES; t++)
			s += sent[t][k];
		printf("sent.kind.%s %lu\n", kind_names[k], s);
	}
	for (int t = 0; t < NTYPES; t++)
		for (int k = 0; k < NKINDS; k++)
			if (sent[t][k])
				printf("sent.%s.%s %lu\n", type_names[t], kind_names[k], sent[t][k]);
	for (int k = 0; k < NCLASSES; k++)
		printf("expect.%s %lu\n", class_names[k], expect[k]);
	printf("sent.ipv4 %lu\nsent.ipv6 %lu\nsend_errors %lu\n",
	       sent_family[0], sent_family[1], send_errors);
	printf("bases");
	for (int t = 0; t < NTYPES; t++)
		printf(" %s=%u", type_names[t], pool_len[t]);
	printf("\ncaptured_live %lu\n", captured);
	printf("seconds %.1f\nrate %.0f\nsettle_seconds %.1f\n", t1 - t0,
	       t1 > t0 ? total / (t1 - t0) : 0.0, t2 - t1);
	if (ifname && before.n) {
		uint64_t sum = 0;

		for (unsigned int j = 0; j < before.n; j++) {
			uint64_t d = after.values[j] - before.values[j];

			printf("counter.%s %llu\n", before.names[j], (unsigned long long)d);
			sum += d;
		}
		printf("counters_sum %llu\n", (unsigned long long)sum);
	} else if (ifname) {
		printf("counters none\n");
	}
	return 0;
}
