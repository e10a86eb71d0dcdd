// SPDX-License-Identifier: GPL-2.0
/*
 * hs-flood -k PUBKEY -d DST [-p PORT] [-s PREFIX/LEN] [-n SOURCES]
 *          [-P SPORT] [-r RATE] [-t SECONDS | -c COUNT] [-b BATCH]
 *
 * A handshake flood: WireGuard handshake initiations (type 1, 148 bytes,
 * docs/protocol.md section 2) whose mac1 is valid for the responder's static
 * public key PUBKEY (base64) and whose other fields are random, so that the
 * responder passes the mac1 check and then has to do real work (under load:
 * a cookie reply; otherwise a failing decryption). mac2 is zero.
 *
 *   mac1 = MAC(HASH("mac1----" || PUBKEY), msg[0:116])
 *   MAC  = keyed BLAKE2s, 16-byte output; HASH = BLAKE2s, 32-byte output
 *
 * BLAKE2s is implemented here from RFC 7693 and checked at start against
 * the RFC's test vector for "abc" (appendix B) and its self-test over keyed
 * and unkeyed hashes (appendix E); the program refuses to run if either
 * fails.
 *
 * The datagrams are built whole (IP header first) and sent through a raw
 * socket with IP_HDRINCL (IPv6: IPPROTO_RAW, which implies the header),
 * from spoofed source addresses: SOURCES different ones (default 4096)
 * taken from PREFIX (IPv4: host numbers 1..SOURCES; IPv6: the index goes
 * in the fourth 16-bit group, so every source is its own /64, and the
 * interface identifier is random), each datagram from a random one of them
 * and a random source port (or SPORT). The family is DST's. Route PREFIX
 * back to the sender's host so that cookie replies land somewhere harmless.
 *
 *   -p PORT    destination UDP port (default 51820)
 *   -r RATE    datagrams per second; 0 (default) is as fast as possible
 *   -t SECONDS stop after this long (default 10); -c COUNT after COUNT
 *   -b BATCH   datagrams per sendmmsg() (default 32)
 *
 * At the end prints one line:
 *   hs-flood: sent N in T s: R/s, errors E, sources S
 * (E counts datagrams the kernel refused, e.g. ENOBUFS; they are not in N.)
 * Exits 1 on a usage or setup error, 2 if the BLAKE2s self-test fails.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "udp-build.h"

/* ---- BLAKE2s, RFC 7693 ---- */

struct b2s {
	uint32_t h[8];
	uint32_t t[2];
	uint8_t b[64];
	size_t c;
	size_t outlen;
};

static const uint32_t b2s_iv[8] = {
	0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
	0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
};

static const uint8_t b2s_sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

static uint32_t rotr32(uint32_t x, int n)
{
	return x >> n | x << (32 - n);
}

static uint32_t load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

#define B2S_G(a, b, c, d, x, y)                   \
	do {                                      \
		v[a] = v[a] + v[b] + (x);         \
		v[d] = rotr32(v[d] ^ v[a], 16);   \
		v[c] = v[c] + v[d];               \
		v[b] = rotr32(v[b] ^ v[c], 12);   \
		v[a] = v[a] + v[b] + (y);         \
		v[d] = rotr32(v[d] ^ v[a], 8);    \
		v[c] = v[c] + v[d];               \
		v[b] = rotr32(v[b] ^ v[c], 7);    \
	} while (0)

static void b2s_compress(struct b2s *s, int last)
{
	uint32_t v[16], m[16];
	int i;

	for (i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = b2s_iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	for (i = 0; i < 16; i++)
		m[i] = load32(s->b + 4 * i);
	for (i = 0; i < 10; i++) {
		const uint8_t *sg = b2s_sigma[i];

		B2S_G(0, 4, 8, 12, m[sg[0]], m[sg[1]]);
		B2S_G(1, 5, 9, 13, m[sg[2]], m[sg[3]]);
		B2S_G(2, 6, 10, 14, m[sg[4]], m[sg[5]]);
		B2S_G(3, 7, 11, 15, m[sg[6]], m[sg[7]]);
		B2S_G(0, 5, 10, 15, m[sg[8]], m[sg[9]]);
		B2S_G(1, 6, 11, 12, m[sg[10]], m[sg[11]]);
		B2S_G(2, 7, 8, 13, m[sg[12]], m[sg[13]]);
		B2S_G(3, 4, 9, 14, m[sg[14]], m[sg[15]]);
	}
	for (i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
}

static void b2s_update(struct b2s *s, const void *in, size_t inlen)
{
	const uint8_t *p = in;
	size_t i;

	for (i = 0; i < inlen; i++) {
		if (s->c == 64) {
			s->t[0] += (uint32_t)s->c;
			if (s->t[0] < s->c)
				s->t[1]++;
			b2s_compress(s, 0);
			s->c = 0;
		}
		s->b[s->c++] = p[i];
	}
}

/* outlen 1..32, keylen 0..32 */
static void b2s_init(struct b2s *s, size_t outlen, const void *key, size_t keylen)
{
	int i;

	for (i = 0; i < 8; i++)
		s->h[i] = b2s_iv[i];
	s->h[0] ^= 0x01010000 ^ (uint32_t)(keylen << 8) ^ (uint32_t)outlen;
	s->t[0] = s->t[1] = 0;
	s->c = 0;
	s->outlen = outlen;
	memset(s->b, 0, sizeof(s->b));
	if (keylen) {
		b2s_update(s, key, keylen);
		s->c = 64;
	}
}

static void b2s_final(struct b2s *s, void *out)
{
	uint8_t *o = out;
	size_t i;

	s->t[0] += (uint32_t)s->c;
	if (s->t[0] < s->c)
		s->t[1]++;
	while (s->c < 64)
		s->b[s->c++] = 0;
	b2s_compress(s, 1);
	for (i = 0; i < s->outlen; i++)
		o[i] = (uint8_t)(s->h[i >> 2] >> (8 * (i & 3)));
}

static void b2s(void *out, size_t outlen, const void *key, size_t keylen,
		const void *in, size_t inlen)
{
	struct b2s s;

	b2s_init(&s, outlen, key, keylen);
	b2s_update(&s, in, inlen);
	b2s_final(&s, out);
}

/* RFC 7693 appendix E: deterministic input of the given length. */
static void selftest_seq(uint8_t *out, size_t len, uint32_t seed)
{
	uint32_t t, a = 0xDEAD4BAD * seed, b = 1;
	size_t i;

	for (i = 0; i < len; i++) {
		t = a + b;
		a = b;
		b = t;
		out[i] = (uint8_t)(t >> 24);
	}
}

static int b2s_selftest(void)
{
	static const uint8_t abc[32] = {
		0x50, 0x8C, 0x5E, 0x8C, 0x32, 0x7C, 0x14, 0xE2,
		0xE1, 0xA7, 0x2B, 0xA3, 0x4E, 0xEB, 0x45, 0x2F,
		0x37, 0x45, 0x8B, 0x20, 0x9E, 0xD6, 0x3A, 0x29,
		0x4D, 0x99, 0x9B, 0x4C, 0x86, 0x67, 0x59, 0x82,
	};
	static const uint8_t grand[32] = {
		0x6A, 0x41, 0x1F, 0x08, 0xCE, 0x25, 0xAD, 0xCD,
		0xFB, 0x02, 0xAB, 0xA6, 0x41, 0x45, 0x1C, 0xEC,
		0x53, 0xC5, 0x98, 0xB2, 0x4F, 0x4F, 0xC7, 0x87,
		0xFB, 0xDC, 0x88, 0x79, 0x7F, 0x4C, 0x1D, 0xFE,
	};
	static const size_t md_len[4] = { 16, 20, 28, 32 };
	static const size_t in_len[6] = { 0, 3, 64, 65, 255, 1024 };
	uint8_t in[1024], md[32], key[32];
	struct b2s ctx;
	size_t i, j, outlen, inlen;

	b2s(md, 32, NULL, 0, "abc", 3);
	if (memcmp(md, abc, 32))
		return -1;
	b2s_init(&ctx, 32, NULL, 0);
	for (i = 0; i < 4; i++) {
		outlen = md_len[i];
		for (j = 0; j < 6; j++) {
			inlen = in_len[j];
			selftest_seq(in, inlen, (uint32_t)inlen);
			b2s(md, outlen, NULL, 0, in, inlen);
			b2s_update(&ctx, md, outlen);
			selftest_seq(key, outlen, (uint32_t)outlen);
			b2s(md, outlen, key, outlen, in, inlen);
			b2s_update(&ctx, md, outlen);
		}
	}
	b2s_final(&ctx, md);
	return memcmp(md, grand, 32) ? -2 : 0;
}

/* ---- everything else ---- */

#define MSG_LEN 148
#define MAC1_OFF 116
#define MAX_BATCH 256

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t rng_s[2];

static uint64_t rng(void)
{
	uint64_t x = rng_s[0], y = rng_s[1];

	rng_s[0] = y;
	x ^= x << 23;
	rng_s[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
	return rng_s[1] + y;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* A 32-byte key in base64 (44 characters, one '=' at the end). */
static int key_from_b64(uint8_t key[32], const char *s)
{
	uint32_t acc = 0;
	int bits = 0, i, n = 0, v;

	if (strlen(s) != 44 || s[43] != '=')
		return -1;
	for (i = 0; i < 43; i++) {
		v = b64val(s[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < 32)
				key[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n == 32 ? 0 : -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: hs-flood -k PUBKEY -d DST [-p PORT] [-s PREFIX/LEN] [-n SOURCES]\n"
		"                [-P SPORT] [-r RATE] [-t SECONDS | -c COUNT] [-b BATCH]\n");
	exit(1);
}

struct cfg {
	int family;
	uint8_t dst[16], prefix[16];
	int plen;
	unsigned int nsrc;
	int dport, sport;
};

/* Build datagram number i into p (len bytes); mac1 keyed by ks (state
 * after the key block). */
static size_t build(uint8_t *p, const struct cfg *c, const struct b2s *ks)
{
	size_t hl = c->family == AF_INET ? 20 : 40, total = hl + 8 + MSG_LEN;
	uint8_t *udp = p + hl, *msg = udp + 8;
	unsigned int idx = (unsigned int)(rng() % c->nsrc);
	int sport = c->sport >= 0 ? c->sport : 1024 + (int)(rng() % 64512);
	struct b2s s;
	size_t i;

	memset(p, 0, hl + 8);
	if (c->family == AF_INET) {
		uint32_t a;

		p[0] = 0x45;
		p[2] = (uint8_t)(total >> 8);
		p[3] = (uint8_t)total;
		p[8] = 64;
		p[9] = 17;
		memcpy(&a, c->prefix, 4);
		a = htonl(ntohl(a) + idx + 1);
		memcpy(p + 12, &a, 4);
		memcpy(p + 16, c->dst, 4);
	} else {
		size_t plen = total - hl;

		p[0] = 0x60;
		p[4] = (uint8_t)(plen >> 8);
		p[5] = (uint8_t)plen;
		p[6] = 17;
		p[7] = 64;
		memcpy(p + 8, c->prefix, 16);
		p[8 + 6] |= (uint8_t)(idx >> 8);
		p[8 + 7] |= (uint8_t)idx;
		for (i = 8; i < 16; i++)
			p[8 + i] = (uint8_t)rng();
		memcpy(p + 24, c->dst, 16);
	}
	udp_set_header(udp, sport, c->dport, 8 + MSG_LEN);

	msg[0] = 1;
	msg[1] = msg[2] = msg[3] = 0;
	for (i = 4; i < MAC1_OFF; i += 8) {
		uint64_t r = rng();

		memcpy(msg + i, &r, MAC1_OFF - i < 8 ? MAC1_OFF - i : 8);
	}
	s = *ks;
	b2s_update(&s, msg, MAC1_OFF);
	b2s_final(&s, msg + MAC1_OFF);
	memset(msg + MAC1_OFF + 16, 0, 16);	/* mac2 */

	if (c->family == AF_INET)
		udp_set_checksum(udp, 8 + MSG_LEN, p + 12, 8);
	else
		udp_set_checksum(udp, 8 + MSG_LEN, p + 8, 32);
	return total;
}

int main(int argc, char **argv)
{
	static uint8_t bufs[MAX_BATCH][40 + 8 + MSG_LEN];
	static struct mmsghdr mm[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	struct cfg c = { .nsrc = 4096, .dport = 51820, .sport = -1, .plen = -1 };
	const char *keys = NULL, *dsts = NULL, *prefs = NULL;
	double seconds = 10, rate = 0, t0, t, elapsed;
	unsigned long long count = 0, sent = 0, errors = 0;
	struct sockaddr_storage to = { 0 };
	uint8_t pub[32], mac1key[32];
	int opt, fd, batch = 32, r, i;
	socklen_t tolen;
	struct b2s ks;

	r = b2s_selftest();
	if (r) {
		fprintf(stderr, "hs-flood: BLAKE2s self-test FAILED (%s)\n",
			r == -1 ? "RFC 7693 appendix B, \"abc\"" : "RFC 7693 appendix E");
		return 2;
	}
	while ((opt = getopt(argc, argv, "k:d:p:s:n:P:r:t:c:b:")) != -1) {
		switch (opt) {
		case 'k': keys = optarg; break;
		case 'd': dsts = optarg; break;
		case 'p': c.dport = atoi(optarg); break;
		case 's': prefs = optarg; break;
		case 'n': c.nsrc = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'P': c.sport = atoi(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 't': seconds = atof(optarg); break;
		case 'c': count = strtoull(optarg, NULL, 0); break;
		case 'b': batch = atoi(optarg); break;
		default: usage();
		}
	}
	if (!keys || !dsts || optind != argc || batch < 1 || batch > MAX_BATCH ||
	    !c.nsrc || c.dport < 1 || c.dport > 65535 || c.sport > 65535 || rate < 0)
		usage();
	if (key_from_b64(pub, keys)) {
		fprintf(stderr, "hs-flood: bad public key %s\n", keys);
		return 1;
	}
	if (inet_pton(AF_INET, dsts, c.dst) == 1) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&to;

		c.family = AF_INET;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, c.dst, 4);
		tolen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, dsts, c.dst) == 1) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&to;

		c.family = AF_INET6;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, c.dst, 16);
		tolen = sizeof(*s6);
	} else {
		fprintf(stderr, "hs-flood: bad destination %s\n", dsts);
		return 1;
	}
	if (!prefs)
		prefs = c.family == AF_INET ? "10.200.0.0/16" : "fd00:200::/32";
	{
		char a[64], *sl;

		snprintf(a, sizeof(a), "%s", prefs);
		sl = strchr(a, '/');
		if (sl) {
			*sl = 0;
			c.plen = atoi(sl + 1);
		}
		if (inet_pton(c.family, a, c.prefix) != 1 || c.plen < 0 ||
		    (c.family == AF_INET && (c.plen > 30 ||
		     (c.plen < 32 && c.nsrc > (1u << (32 - c.plen)) - 2))) ||
		    (c.family == AF_INET6 && (c.plen > 48 || c.nsrc > 65536))) {
			fprintf(stderr, "hs-flood: bad prefix %s for %u sources of this family\n",
				prefs, c.nsrc);
			return 1;
		}
	}

	/* HASH("mac1----" || pub), the key of every mac1. */
	{
		uint8_t lab[40];

		memcpy(lab, "mac1----", 8);
		memcpy(lab + 8, pub, 32);
		b2s(mac1key, 32, NULL, 0, lab, 40);
		b2s_init(&ks, 16, mac1key, 32);
	}
	if (getrandom(rng_s, sizeof(rng_s), 0) != sizeof(rng_s)) {
		perror("hs-flood: getrandom");
		return 1;
	}
	rng_s[0] |= 1;

	fd = socket(c.family, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("hs-flood: socket");
		return 1;
	}
	if (c.family == AF_INET) {
		int one = 1;

		if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
			perror("hs-flood: IP_HDRINCL");
			return 1;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (i = 0; i < batch; i++) {
		iov[i].iov_base = bufs[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &to;
		mm[i].msg_hdr.msg_namelen = tolen;
	}

	t0 = now_s();
	while (!stop) {
		int want = batch, done;

		if (count && sent + errors >= count)
			break;
		t = now_s();
		if (!count && t - t0 >= seconds)
			break;
		if (count && count - sent - errors < (unsigned long long)want)
			want = (int)(count - sent - errors);
		if (rate > 0) {
			double due = t0 + (double)(sent + errors) / rate;

			if (due > t) {
				struct timespec ts;
				double d = due - t;

				ts.tv_sec = (time_t)d;
				ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
				nanosleep(&ts, NULL);
				continue;
			}
			/* behind schedule: send at most what is due, in one batch */
			if ((t - due) * rate + 1 < want)
				want = (int)((t - due) * rate) + 1;
		}
		for (i = 0; i < want; i++)
			iov[i].iov_len = build(bufs[i], &c, &ks);
		done = 0;
		while (done < want) {
			r = sendmmsg(fd, mm + done, (unsigned int)(want - done), 0);
			if (r > 0) {
				done += r;
				sent += (unsigned long long)r;
			} else if (r < 0 && errno == EINTR) {
				if (stop)
					break;
			} else {
				/* the first of the rest was refused: skip it */
				if (errno != ENOBUFS && errno != EAGAIN && errno != ENOMEM) {
					perror("hs-flood: sendmmsg");
					return 1;
				}
				errors++;
				done++;
			}
		}
	}
	elapsed = now_s() - t0;
	printf("hs-flood: sent %llu in %.2f s: %.0f/s, errors %llu, sources %u\n",
	       sent, elapsed, elapsed > 0 ? (double)sent / elapsed : 0.0, errors, c.nsrc);
	return 0;
}
