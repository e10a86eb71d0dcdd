// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-netlink: a structure-aware fuzzer of the generic-netlink family
 * "wireguard", run inside a test VM against the module under test.
 *
 * usage: fuzz-netlink [-s SEED] [-n N] [-k KEYFILE] [-c MS] [-m MIX]
 *                     [-T SECONDS] [-x INDEX] [-v] NETNS:DEV[,DEV...]...
 *
 *   NETNS:DEV,...  one worker process per argument, in network namespace
 *                  NETNS (a name under /run/netns, or "." for the current
 *                  one), fuzzing the WireGuard devices DEV. A device written
 *                  "+DEV" may be deleted and re-created (mid-dump, and by
 *                  the churn below); the others are only configured.
 *   -s SEED        seed (default 1): each worker's requests follow from the
 *                  seed and the worker's position on the command line.
 *   -n N           requests in all (default 10000), shared by the workers.
 *   -k KEYFILE     lines "PRIVATE-HEX PUBLIC-HEX": real key pairs, used as
 *                  private keys and peer keys (so a device can meet its own
 *                  key among its peers, and handshakes can complete).
 *   -c MS          churn: each worker's helper also deletes and re-creates
 *                  a random "+" device about every MS milliseconds.
 *   -m MIX         the scenarios' weights, NAME=WEIGHT,... (names and
 *                  default weights: the table scenarios[]); e.g.
 *                  huge=0,get=20 for a debug kernel.
 *   -T SECONDS     how long the kernel may take to answer (default 60).
 *   -x INDEX       print request INDEX of every worker (hex) on stderr.
 *   -v             print one line per request on stderr.
 *
 * A request is one generated scenario: a GET dump (read at once, slowly,
 * abandoned, interleaved with another dump, or with a SET or a deletion of
 * the device between its parts), a valid-looking SET, a huge SET (hundreds
 * of peers, thousands of allowed IPs), a SET or GET mutated at the
 * attribute level and at the byte level, a batch of several messages in
 * one datagram, or random bytes behind a valid header.
 *
 * Every reply is checked: netlink framing (lengths, alignment, port id,
 * sequence numbers, message types, extended-ack TLVs) and, for GET dumps,
 * the attributes (types, lengths, nesting) and the dump's consistency (the
 * device asked for; in a dump not marked NLM_F_DUMP_INTR no peer and no
 * allowed IP twice). A framing violation or a kernel that stops answering
 * is a harness failure: the exit status is 1. Attribute or consistency
 * violations are "anomalies": reported (first few in full) and counted in
 * the summary, without changing the exit status.
 *
 * The last lines printed are the summary: requests, answers by errno,
 * dumps completed/interrupted, anomalies, failures.
 *
 * Structure: PRNG and buffers; the message builder; the mutator (hooks
 * the generator calls for every attribute and nest, and a byte-level pass);
 * the generator (device references, SET and GET requests); the sender and
 * the checker (sockets, replies, dumps); the device helper (rtnetlink
 * deletion and re-creation); the scenarios; the worker; main.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "../../../uapi/wireguard.h"

#define MAX_WORKERS 16
#define MAX_DEVS 16
#define MAX_KEYS 64
#define REQ_MAX (192 * 1024)	/* one datagram we send */
#define RECV_MAX (512 * 1024)	/* one datagram we receive */
#define MAX_ERRNO 4096
#define MAX_NOTES 8		/* anomalies printed in full per worker */
#define NSCENARIOS 8		/* the kinds of request: scenarios[] below */

/* ------------------------------------------------------------------------ */
/* PRNG, statistics, small helpers                                          */
/* ------------------------------------------------------------------------ */

struct rng {
	uint64_t s;
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng64(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* A number in [0, n). */
static uint32_t rnd(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)((rng64(r) >> 32) % n) : 0;
}

static int chance(struct rng *r, unsigned int percent)
{
	return rnd(r, 100) < percent;
}

static void rnd_bytes(struct rng *r, void *p, size_t n)
{
	unsigned char *b = p;

	while (n--)
		*b++ = (unsigned char)rng64(r);
}

/* A size skewed to small values: mostly < 8, sometimes up to max. */
static uint32_t rnd_count(struct rng *r, uint32_t max)
{
	uint32_t lim = max;

	switch (rnd(r, 8)) {
	case 0: case 1: case 2: case 3:
		lim = 2;
		break;
	case 4: case 5:
		lim = 8;
		break;
	case 6:
		lim = 64;
		break;
	}
	if (lim > max)
		lim = max;
	return rnd(r, lim + 1);
}

/* Per worker, in shared memory: main adds them up. */
struct stats {
	uint64_t requests, messages, probes, send_errors[MAX_ERRNO];
	uint64_t answers_ok, answers[MAX_ERRNO], probe_answers;
	uint64_t dumps, dumps_done, dumps_intr, dumps_err, dumps_abandoned;
	uint64_t dump_parts, dump_peers, dump_ips;
	uint64_t mid_sets, mid_deletes, mid_delete_fail;
	uint64_t churn_deletes, churn_creates, churn_fail;
	uint64_t enobufs, stray, anomalies, failures;
	uint64_t scenario_runs[NSCENARIOS];
	double seconds, scenario_seconds[NSCENARIOS];
	int finished;
};

static struct stats *all_stats;

struct dev {
	char name[IFNAMSIZ];
	int ifindex;
	int deletable;
};

struct key {
	unsigned char priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	int has_priv;
};

static struct key keys[MAX_KEYS];
static int nkeys;

/* The options. */
static uint64_t opt_seed = 1;
static const char *opt_mix;
static uint64_t opt_requests = 10000;
static int opt_churn_ms;
static int opt_timeout = 60;
static long long opt_print_index = -1;
static int opt_verbose;

struct nlsock;

struct worker {
	int id;
	const char *netns;
	struct dev devs[MAX_DEVS];
	int ndevs, ndeletable;
	struct rng rng;
	struct stats *st;
	uint16_t family;
	struct nlsock *main, *aux;	/* requests of every kind */
	struct nlsock *ds1, *ds2;	/* valid dumps, read in small parts */
	int helper_fd;
	pid_t helper_pid;
	int rtnl_fd;		/* ifindex lookups */
	uint64_t index;		/* the current request */
	int notes;
	const unsigned char *last_req;
	size_t last_req_len;
};

static void note(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An anomaly: counted; the first few printed with their request. */
static void note(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	w->st->anomalies++;
	if (w->notes++ >= MAX_NOTES)
		return;
	fprintf(stderr, "fuzz-netlink: worker %d (%s) request %llu: anomaly: ",
		w->id, w->netns, (unsigned long long)w->index);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void hexdump(const char *what, const unsigned char *p, size_t len)
{
	size_t i;

	fprintf(stderr, "%s (%zu bytes):", what, len);
	for (i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 32 ? "" : "\n  ", p[i]);
	fputc('\n', stderr);
}

static void failure(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* A harness failure: print what happened and the request, and stop. */
static void failure(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	w->st->failures++;
	fprintf(stderr, "fuzz-netlink: worker %d (%s) seed %llu request %llu: FAILURE: ",
		w->id, w->netns, (unsigned long long)opt_seed,
		(unsigned long long)w->index);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (w->last_req)
		hexdump("last request", w->last_req, w->last_req_len);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------ */
/* Message builder                                                          */
/* ------------------------------------------------------------------------ */

struct msg {
	unsigned char *b;
	size_t len;
	int full;		/* something did not fit */
};

static int room(struct msg *m, size_t n)
{
	if (m->len + n > REQ_MAX) {
		m->full = 1;
		return 0;
	}
	return 1;
}

/* An attribute; returns its offset (for a later nest end), or 0. */
static size_t put_raw_attr(struct msg *m, uint16_t type, uint16_t nla_len,
			   const void *data, size_t len)
{
	size_t off = m->len;
	struct nlattr nla = { .nla_len = nla_len, .nla_type = type };

	if (!room(m, NLA_HDRLEN + NLA_ALIGN(len)))
		return 0;
	memcpy(m->b + off, &nla, sizeof(nla));
	if (len)
		memcpy(m->b + off + NLA_HDRLEN, data, len);
	memset(m->b + off + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->len += NLA_HDRLEN + NLA_ALIGN(len);
	return off;
}

static size_t put_attr(struct msg *m, uint16_t type, const void *data, size_t len)
{
	return put_raw_attr(m, type, (uint16_t)(NLA_HDRLEN + len), data, len);
}

/* The nest's length wraps at 64 KiB, as the field does. */
static void set_nest_len(struct msg *m, size_t off)
{
	uint16_t l = (uint16_t)(m->len - off);

	memcpy(m->b + off, &l, sizeof(l));
}

static void put_headers(struct msg *m, uint16_t type, uint16_t flags,
			uint8_t cmd, uint8_t version)
{
	struct nlmsghdr nlh = { .nlmsg_type = type, .nlmsg_flags = flags };
	struct genlmsghdr genl = { .cmd = cmd, .version = version };

	memcpy(m->b + m->len, &nlh, sizeof(nlh));
	memcpy(m->b + m->len + NLMSG_HDRLEN, &genl, sizeof(genl));
	m->len += NLMSG_HDRLEN + GENL_HDRLEN;
}

/* ------------------------------------------------------------------------ */
/* Mutator                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * The generator writes every attribute through gen_attr() and every nest
 * through gen_nest_start()/gen_nest_end(). With g->chaos percent per call
 * the mutator changes what is written: the attribute dropped, duplicated,
 * shortened, lengthened, given another or an unknown type or flag bits,
 * replaced by a nest of garbage, preceded by an unknown attribute, deeply
 * nested; a nest's length made wrong. mutate_bytes() then works on the
 * finished message.
 */
struct gen {
	struct rng *r;
	struct msg *m;
	struct worker *w;
	int chaos;		/* percent per attribute */
	int huge;		/* allow very long arrays */
	int answer_sure;	/* the kernel must answer this message */
};

static void put_deep_nest(struct gen *g, int depth)
{
	size_t offs[128];
	int i;

	for (i = 0; i < depth && i < 128; i++)
		offs[i] = put_raw_attr(g->m, (uint16_t)(rnd(g->r, 12) | NLA_F_NESTED), 0, NULL, 0);
	if (chance(g->r, 50)) {
		uint32_t v = (uint32_t)rng64(g->r);

		put_attr(g->m, (uint16_t)rnd(g->r, 12), &v, sizeof(v));
	}
	while (i--)
		if (offs[i])
			set_nest_len(g->m, offs[i]);
}

static uint16_t mutate_type(struct gen *g, uint16_t type)
{
	switch (rnd(g->r, 6)) {
	case 0:
		return (uint16_t)rnd(g->r, 16);			/* another known one */
	case 1:
		return (uint16_t)(16 + rnd(g->r, 0x3ff0));	/* unknown */
	case 2:
		return type | NLA_F_NESTED;
	case 3:
		return type | NLA_F_NET_BYTEORDER;
	case 4:
		return (uint16_t)rng64(g->r);
	default:
		return 0;					/* UNSPEC */
	}
}

static void mutate_attr(struct gen *g, uint16_t type, const void *data, size_t len)
{
	unsigned char junk[512];
	size_t l;

	switch (rnd(g->r, 11)) {
	case 0:		/* missing */
		break;
	case 1:		/* duplicated, the second maybe different */
		put_attr(g->m, type, data, len);
		if (chance(g->r, 50)) {
			put_attr(g->m, type, data, len);
		} else {
			l = rnd(g->r, 40);
			rnd_bytes(g->r, junk, l);
			put_attr(g->m, type, junk, l);
		}
		break;
	case 2:		/* shorter */
		put_attr(g->m, type, data, len ? rnd(g->r, (uint32_t)len) : 0);
		break;
	case 3:		/* longer */
		l = len + 1 + rnd(g->r, chance(g->r, 80) ? 8 : 400);
		if (l > sizeof(junk))
			l = sizeof(junk);
		rnd_bytes(g->r, junk, l);
		memcpy(junk, data, len < l ? len : l);
		put_attr(g->m, type, junk, l);
		break;
	case 4:		/* another type */
		put_attr(g->m, mutate_type(g, type), data, len);
		break;
	case 5:		/* an unknown attribute next to it */
		l = rnd(g->r, 64);
		rnd_bytes(g->r, junk, l);
		put_attr(g->m, mutate_type(g, type), junk, l);
		put_attr(g->m, type, data, len);
		break;
	case 6:		/* a nest of garbage instead */
		put_deep_nest(g, 1 + (int)rnd(g->r, chance(g->r, 80) ? 4 : 100));
		break;
	case 7:		/* nla_len says more than there is, or less than a header */
		put_raw_attr(g->m, type, (uint16_t)(chance(g->r, 50) ?
			     NLA_HDRLEN + len + 1 + rnd(g->r, 100) : rnd(g->r, NLA_HDRLEN)),
			     data, len);
		break;
	case 8:		/* random contents */
		l = len;
		rnd_bytes(g->r, junk, l < sizeof(junk) ? l : sizeof(junk));
		put_attr(g->m, type, junk, l < sizeof(junk) ? l : sizeof(junk));
		break;
	case 9:		/* empty */
		put_attr(g->m, type, NULL, 0);
		break;
	default:	/* one flipped bit */
		l = len < sizeof(junk) ? len : sizeof(junk);
		memcpy(junk, data, l);
		if (l)
			junk[rnd(g->r, (uint32_t)l)] ^= (unsigned char)(1 << rnd(g->r, 8));
		put_attr(g->m, type, junk, l);
		break;
	}
}

static void gen_attr(struct gen *g, uint16_t type, const void *data, size_t len)
{
	if (g->chaos && chance(g->r, g->chaos))
		mutate_attr(g, type, data, len);
	else
		put_attr(g->m, type, data, len);
}

static void gen_u8(struct gen *g, uint16_t type, uint8_t v)
{
	gen_attr(g, type, &v, sizeof(v));
}

static void gen_u16(struct gen *g, uint16_t type, uint16_t v)
{
	gen_attr(g, type, &v, sizeof(v));
}

static void gen_u32(struct gen *g, uint16_t type, uint32_t v)
{
	gen_attr(g, type, &v, sizeof(v));
}

/* Nests: both with and without NLA_F_NESTED, as tools differ. */
static size_t gen_nest_start(struct gen *g, uint16_t type)
{
	if (chance(g->r, 50))
		type |= NLA_F_NESTED;
	if (g->chaos && chance(g->r, g->chaos / 2 + 1))
		type = mutate_type(g, type);
	return put_raw_attr(g->m, type, 0, NULL, 0);
}

static void gen_nest_end(struct gen *g, size_t off)
{
	uint16_t l;

	if (!off)
		return;
	set_nest_len(g->m, off);
	if (g->chaos && chance(g->r, g->chaos / 3 + 1)) {
		switch (rnd(g->r, 3)) {
		case 0:
			l = (uint16_t)rnd(g->r, (uint32_t)(g->m->len - off) + 1);
			break;
		case 1:
			l = (uint16_t)(g->m->len - off + 1 + rnd(g->r, 64));
			break;
		default:
			l = (uint16_t)rng64(g->r);
			break;
		}
		memcpy(g->m->b + off, &l, sizeof(l));
	}
}

/*
 * Byte-level mutations of a finished message at @start (its nlmsg_len
 * already set). Never touches nlmsg_seq or nlmsg_pid; changes to the type
 * stay within the wireguard family, nlctrl and the control types, so no
 * other family ever sees our garbage. Returns the new length.
 */
static size_t mutate_bytes(struct gen *g, size_t start)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(g->m->b + start);
	struct genlmsghdr *genl = NLMSG_DATA(nlh);
	size_t len = g->m->len - start, body = NLMSG_HDRLEN + GENL_HDRLEN;
	int i, n = 1 + (int)rnd(g->r, 4);

	for (i = 0; i < n; i++) {
		switch (rnd(g->r, 10)) {
		case 0: case 1: case 2:	/* flip bits in the attributes */
			if (len > body)
				g->m->b[start + body + rnd(g->r, (uint32_t)(len - body))] ^=
					(unsigned char)(1 << rnd(g->r, 8));
			break;
		case 3:			/* a random byte in the attributes */
			if (len > body)
				g->m->b[start + body + rnd(g->r, (uint32_t)(len - body))] =
					(unsigned char)rng64(g->r);
			break;
		case 4:			/* cut short, consistently */
			if (len > body) {
				len = body + rnd(g->r, (uint32_t)(len - body));
				nlh->nlmsg_len = (uint32_t)len;
				len = NLMSG_ALIGN(len);
			}
			break;
		case 5:			/* nlmsg_len wrong: dropped by the kernel */
			g->answer_sure = 0;
			nlh->nlmsg_len = chance(g->r, 50) ? rnd(g->r, NLMSG_HDRLEN) :
				(uint32_t)(len + 1 + rnd(g->r, 1000));
			break;
		case 6:			/* netlink flags */
			nlh->nlmsg_flags = (uint16_t)rng64(g->r);
			g->answer_sure = 0;
			break;
		case 7:			/* genl command and version */
			genl->cmd = (uint8_t)(chance(g->r, 50) ? rnd(g->r, 4) : rng64(g->r));
			if (chance(g->r, 50))
				genl->version = (uint8_t)rng64(g->r);
			break;
		case 8:			/* genl reserved field */
			genl->reserved = (uint16_t)rng64(g->r);
			break;
		default:		/* message type */
			switch (rnd(g->r, 3)) {
			case 0:
				nlh->nlmsg_type = (uint16_t)rnd(g->r, NLMSG_MIN_TYPE);
				break;
			case 1:
				nlh->nlmsg_type = GENL_ID_CTRL;
				break;
			default:
				nlh->nlmsg_type = g->w->family;
				break;
			}
			g->answer_sure = 0;
			break;
		}
	}
	g->m->len = start + len;
	return len;
}

/* ------------------------------------------------------------------------ */
/* Generator                                                                */
/* ------------------------------------------------------------------------ */

static const struct key *pick_key(struct rng *r)
{
	return nkeys ? &keys[rnd(r, (uint32_t)nkeys)] : NULL;
}

/* A peer public key: mostly from a small pool, so peers are met again. */
static void gen_peer_key(struct gen *g, unsigned char *k)
{
	const struct key *key = pick_key(g->r);
	uint64_t x;

	if (key && chance(g->r, 60)) {
		memcpy(k, chance(g->r, 85) ? key->pub : key->priv, WG_KEY_LEN);
	} else if (chance(g->r, 92)) {
		/* made-up keys: 48 per worker, 400 for huge requests */
		x = (uint64_t)g->w->id * 1000 + rnd(g->r, g->huge ? 400 : 48);
		for (int i = 0; i < WG_KEY_LEN; i += 8) {
			uint64_t v = splitmix(&x);

			memcpy(k + i, &v, 8);
		}
	} else if (chance(g->r, 50)) {
		memset(k, 0, WG_KEY_LEN);
	} else {
		rnd_bytes(g->r, k, WG_KEY_LEN);
	}
}

/* Which device a request names: IFINDEX, IFNAME, both, neither, wrong. */
struct devref {
	int dev;		/* index in w->devs, or -1 */
	int by_index;		/* the answer must name this ifindex */
	int by_name;		/* ... or this name */
};

static struct devref gen_devref(struct gen *g)
{
	struct worker *w = g->w;
	struct devref ref = { .dev = (int)rnd(g->r, (uint32_t)w->ndevs) };
	struct dev *d = &w->devs[ref.dev];
	char name[64];
	uint32_t idx;
	int what = (int)rnd(g->r, 100);

	if (what < 55) {
		gen_u32(g, WGDEVICE_A_IFINDEX, (uint32_t)d->ifindex);
		ref.by_index = 1;
	} else if (what < 88) {
		gen_attr(g, WGDEVICE_A_IFNAME, d->name, strlen(d->name) + 1);
		ref.by_name = 1;
	} else if (what < 91) {		/* both */
		gen_u32(g, WGDEVICE_A_IFINDEX, (uint32_t)d->ifindex);
		gen_attr(g, WGDEVICE_A_IFNAME, d->name, strlen(d->name) + 1);
		ref.dev = -1;
	} else if (what < 93) {		/* neither */
		ref.dev = -1;
	} else {			/* wrong ones */
		ref.dev = -1;
		switch (rnd(g->r, 7)) {
		case 0:
			idx = chance(g->r, 50) ? 1 : (uint32_t)rng64(g->r);	/* lo */
			gen_u32(g, WGDEVICE_A_IFINDEX, idx);
			break;
		case 1:
			idx = (uint32_t)d->ifindex + 1 + rnd(g->r, 40);
			gen_u32(g, WGDEVICE_A_IFINDEX, idx);
			break;
		case 2:
			gen_attr(g, WGDEVICE_A_IFNAME, "lo", 3);
			break;
		case 3:		/* not NUL-terminated */
			gen_attr(g, WGDEVICE_A_IFNAME, d->name, strlen(d->name));
			break;
		case 4:		/* too long */
			memset(name, 'x', sizeof(name));
			gen_attr(g, WGDEVICE_A_IFNAME, name,
				 IFNAMSIZ - 1 + rnd(g->r, sizeof(name) - IFNAMSIZ + 1));
			break;
		case 5:
			gen_attr(g, WGDEVICE_A_IFNAME, "fz-nosuch", 10);
			break;
		default:	/* another namespace's device */
			gen_u32(g, WGDEVICE_A_IFINDEX, 2 + rnd(g->r, 30));
			break;
		}
	}
	return ref;
}

static void gen_endpoint(struct gen *g)
{
	unsigned char buf[64];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	size_t len;
	uint16_t port = (uint16_t)(chance(g->r, 60) ? 20000 + rnd(g->r, 16) : rng64(g->r));

	switch (rnd(g->r, 10)) {
	case 0: case 1: case 2:
		sin.sin_port = htons(port);
		sin.sin_addr.s_addr = htonl(chance(g->r, 70) ? INADDR_LOOPBACK :
					    (uint32_t)rng64(g->r));
		gen_attr(g, WGPEER_A_ENDPOINT, &sin, sizeof(sin));
		return;
	case 3: case 4: case 5:
		sin6.sin6_port = htons(port);
		switch (rnd(g->r, 4)) {
		case 0:
			sin6.sin6_addr = in6addr_loopback;
			break;
		case 1:		/* link-local, with a scope */
			sin6.sin6_addr.s6_addr[0] = 0xfe;
			sin6.sin6_addr.s6_addr[1] = 0x80;
			sin6.sin6_addr.s6_addr[15] = 1;
			sin6.sin6_scope_id = rnd(g->r, 4);
			break;
		case 2:		/* v4-mapped */
			sin6.sin6_addr.s6_addr[10] = 0xff;
			sin6.sin6_addr.s6_addr[11] = 0xff;
			sin6.sin6_addr.s6_addr[12] = 127;
			sin6.sin6_addr.s6_addr[15] = 1;
			break;
		default:
			rnd_bytes(g->r, &sin6.sin6_addr, sizeof(sin6.sin6_addr));
			break;
		}
		if (chance(g->r, 10))
			sin6.sin6_flowinfo = (uint32_t)rng64(g->r);
		gen_attr(g, WGPEER_A_ENDPOINT, &sin6, sizeof(sin6));
		return;
	default:	/* the wrong size or family */
		rnd_bytes(g->r, buf, sizeof(buf));
		len = rnd(g->r, sizeof(buf) + 1);
		if (chance(g->r, 50) && len >= 2) {
			uint16_t fam = chance(g->r, 50) ? AF_INET : AF_INET6;

			memcpy(buf, &fam, sizeof(fam));
		}
		gen_attr(g, WGPEER_A_ENDPOINT, buf, len);
		return;
	}
}

static void gen_allowedip(struct gen *g, int v6)
{
	unsigned char addr[16] = { 0 };
	size_t nest = gen_nest_start(g, (uint16_t)rnd(g->r, 4));
	uint8_t cidr;

	if (v6) {
		addr[0] = 0xfd;
		addr[1] = (unsigned char)rnd(g->r, 4);
		rnd_bytes(g->r, addr + 2, 2 + rnd(g->r, 15));
		cidr = (uint8_t)(chance(g->r, 90) ? rnd(g->r, 129) : rng64(g->r));
	} else {
		addr[0] = 10;
		addr[1] = (unsigned char)rnd(g->r, 4);
		rnd_bytes(g->r, addr + 2, 2);
		cidr = (uint8_t)(chance(g->r, 90) ? rnd(g->r, 33) : rng64(g->r));
	}
	if (chance(g->r, 2))
		gen_u16(g, WGALLOWEDIP_A_FAMILY, (uint16_t)rnd(g->r, 64));
	else
		gen_u16(g, WGALLOWEDIP_A_FAMILY, v6 ? AF_INET6 : AF_INET);
	gen_attr(g, WGALLOWEDIP_A_IPADDR, addr,
		 chance(g->r, 2) ? rnd(g->r, 21) : v6 ? 16 : 4);
	gen_u8(g, WGALLOWEDIP_A_CIDR_MASK, cidr);
	if (chance(g->r, 12))
		gen_u32(g, WGALLOWEDIP_A_FLAGS, chance(g->r, 80) ? WGALLOWEDIP_F_REMOVE_ME :
			1U << rnd(g->r, 32));
	gen_nest_end(g, nest);
}

static void gen_peer(struct gen *g, int max_ips)
{
	unsigned char k[WG_KEY_LEN];
	size_t nest = gen_nest_start(g, (uint16_t)rnd(g->r, 4)), ips;
	uint32_t flags, n, i;

	gen_peer_key(g, k);
	if (!chance(g->r, 2))
		gen_attr(g, WGPEER_A_PUBLIC_KEY, k, sizeof(k));
	if (chance(g->r, 15)) {
		rnd_bytes(g->r, k, sizeof(k));
		if (chance(g->r, 20))
			memset(k, 0, sizeof(k));
		gen_attr(g, WGPEER_A_PRESHARED_KEY, k, sizeof(k));
	}
	if (chance(g->r, 25)) {
		switch (rnd(g->r, 8)) {
		case 0:
			flags = WGPEER_F_REMOVE_ME;
			break;
		case 1: case 2:
			flags = WGPEER_F_REPLACE_ALLOWEDIPS;
			break;
		case 3: case 4:
			flags = WGPEER_F_UPDATE_ONLY;
			break;
		case 5:
			flags = rnd(g->r, 8);
			break;
		default:
			flags = 1U << rnd(g->r, 32);
			break;
		}
		gen_u32(g, WGPEER_A_FLAGS, flags);
	}
	if (chance(g->r, 30))
		gen_endpoint(g);
	if (chance(g->r, 8))
		gen_u16(g, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
			(uint16_t)(chance(g->r, 60) ? 0 : chance(g->r, 80) ?
				   10 + rnd(g->r, 20) : rng64(g->r)));
	if (chance(g->r, 3)) {
		unsigned char ts[16];

		rnd_bytes(g->r, ts, sizeof(ts));
		gen_attr(g, WGPEER_A_LAST_HANDSHAKE_TIME, ts, sizeof(ts));
	}
	if (chance(g->r, 3)) {
		uint64_t v = rng64(g->r);

		gen_attr(g, chance(g->r, 50) ? WGPEER_A_RX_BYTES : WGPEER_A_TX_BYTES,
			 &v, sizeof(v));
	}
	if (chance(g->r, 5))
		gen_u32(g, WGPEER_A_PROTOCOL_VERSION, chance(g->r, 70) ? 1 : rnd(g->r, 4));
	if (chance(g->r, 60)) {
		ips = gen_nest_start(g, WGPEER_A_ALLOWEDIPS);
		n = g->huge ? rnd(g->r, (uint32_t)max_ips + 1) : rnd_count(g->r, (uint32_t)max_ips);
		for (i = 0; i < n && !g->m->full; i++)
			gen_allowedip(g, chance(g->r, 50));
		gen_nest_end(g, ips);
	}
	gen_nest_end(g, nest);
}

/* A SET_DEVICE body (after the headers). */
static struct devref gen_set_body(struct gen *g)
{
	struct devref ref = gen_devref(g);
	unsigned char k[WG_KEY_LEN];
	const struct key *key;
	uint32_t n, i, max_peers = g->huge ? 200 : 64;
	size_t peers;

	if (chance(g->r, 4)) {
		key = pick_key(g->r);
		if (key && key->has_priv && chance(g->r, 70))
			memcpy(k, key->priv, sizeof(k));
		else if (chance(g->r, 20))
			memset(k, 0, sizeof(k));
		else
			rnd_bytes(g->r, k, sizeof(k));
		gen_attr(g, WGDEVICE_A_PRIVATE_KEY, k, sizeof(k));
	}
	if (chance(g->r, 2)) {
		rnd_bytes(g->r, k, sizeof(k));
		gen_attr(g, WGDEVICE_A_PUBLIC_KEY, k, sizeof(k));
	}
	if (chance(g->r, 6))
		gen_u16(g, WGDEVICE_A_LISTEN_PORT, (uint16_t)(chance(g->r, 20) ? 0 :
			chance(g->r, 80) ? 20000 + rnd(g->r, 16) : rng64(g->r)));
	if (chance(g->r, 4))
		gen_u32(g, WGDEVICE_A_FWMARK, chance(g->r, 50) ? 0 : (uint32_t)rng64(g->r));
	if (chance(g->r, g->huge ? 50 : 4))
		gen_u32(g, WGDEVICE_A_FLAGS, chance(g->r, 80) ? WGDEVICE_F_REPLACE_PEERS :
			chance(g->r, 50) ? 1U << rnd(g->r, 32) : (uint32_t)rng64(g->r));
	if (chance(g->r, g->huge ? 100 : 65)) {
		peers = gen_nest_start(g, WGDEVICE_A_PEERS);
		n = g->huge ? 1 + rnd(g->r, max_peers) : 1 + rnd_count(g->r, max_peers - 1);
		for (i = 0; i < n && !g->m->full; i++)
			gen_peer(g, g->huge ? (n < 4 ? 2000 : 40) : 16);
		gen_nest_end(g, peers);
	}
	if (chance(g->r, 2)) {		/* a device attribute nested somewhere odd */
		size_t nest = gen_nest_start(g, WGDEVICE_A_PEERS);

		put_deep_nest(g, 1 + (int)rnd(g->r, 30));
		gen_nest_end(g, nest);
	}
	return ref;
}

/*
 * One request message at the end of g->m. Returns where it starts; *ref
 * says which device it names, *is_dump whether it asks for a dump.
 */
static size_t gen_request(struct gen *g, int cmd, uint16_t nlflags,
			  struct devref *ref)
{
	size_t start = g->m->len;
	struct nlmsghdr *nlh;

	if (!room(g->m, NLMSG_HDRLEN + GENL_HDRLEN))
		return start;
	put_headers(g->m, g->w->family, NLM_F_REQUEST | nlflags, (uint8_t)cmd, WG_GENL_VERSION);
	if (cmd == WG_CMD_SET_DEVICE || chance(g->r, 10)) {
		*ref = gen_set_body(g);	/* a GET with SET's attributes too */
	} else {
		*ref = gen_devref(g);
		if (g->chaos && chance(g->r, 20))
			put_deep_nest(g, 1 + (int)rnd(g->r, 20));
	}
	nlh = (struct nlmsghdr *)(g->m->b + start);
	nlh->nlmsg_len = (uint32_t)(g->m->len - start);
	return start;
}

/* ------------------------------------------------------------------------ */
/* Sender and checker                                                       */
/* ------------------------------------------------------------------------ */

struct dump_ip {
	uint16_t family;
	uint8_t cidr;
	unsigned char addr[16];
};

/* What a dump in progress has shown. */
struct dump {
	uint32_t seq;
	struct devref ref;
	char name[IFNAMSIZ];
	int ifindex;
	int parts, intr, done, err, failed;
	/* for the consistency check */
	unsigned char (*keys)[WG_KEY_LEN];
	size_t nkeys, capkeys;
	struct dump_ip *ips;
	size_t nips, capips;
	unsigned char last_key[WG_KEY_LEN];
	int have_last;
};

struct nlsock {
	int fd;
	uint32_t portid;
	uint32_t seq;		/* the last one sent */
	int lenient;		/* garbage was sent: odd replies are no failure */
	size_t rlen;		/* read size: the kernel makes dump parts that big */
	struct dump *dump;	/* the dump in progress on this socket */
};

static struct dump dumps[2];
static unsigned char recvbuf[RECV_MAX] __attribute__((aligned(8)));
static unsigned char reqbuf[REQ_MAX] __attribute__((aligned(8)));
static unsigned char reqbuf2[REQ_MAX] __attribute__((aligned(8)));

static struct nlsock *nl_open(struct worker *w, size_t rlen)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t salen = sizeof(sa);
	struct nlsock *s = calloc(1, sizeof(*s));
	int one = 1, size = 4 << 20;

	if (!s)
		failure(w, "out of memory");
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		failure(w, "socket: %s", strerror(errno));
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/*
	 * Half the sockets get capped acks (and those read in small parts
	 * all: no echo of a big request), half strict checking.
	 */
	one = rlen < RECV_MAX || rnd(&w->rng, 2);
	setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	one = (int)rnd(&w->rng, 2);
	setsockopt(s->fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&sa, &salen) < 0)
		failure(w, "bind: %s", strerror(errno));
	s->portid = sa.nl_pid;
	s->rlen = rlen;
	return s;
}

static void nl_close(struct nlsock *s)
{
	close(s->fd);
	free(s);
}

/* Sends the messages in m (seq numbers filled in here). */
static int nl_send(struct worker *w, struct nlsock *s, struct msg *m, int count_as)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t off = 0;
	ssize_t n;

	/* Number the messages we can see (a mutated length hides the rest). */
	while (off + NLMSG_HDRLEN <= m->len) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(m->b + off);

		nlh->nlmsg_seq = ++s->seq;
		nlh->nlmsg_pid = 0;
		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > m->len - off)
			break;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		w->st->messages += count_as;
	}
	w->last_req = m->b;
	w->last_req_len = m->len;
	if (opt_print_index >= 0 && (uint64_t)opt_print_index == w->index && count_as) {
		fprintf(stderr, "fuzz-netlink: worker %d (%s) seed %llu ",
			w->id, w->netns, (unsigned long long)opt_seed);
		hexdump("request", m->b, m->len);
	}
	n = sendto(s->fd, m->b, m->len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	if (n < 0) {
		int e = errno;

		w->st->send_errors[e < MAX_ERRNO ? e : 0]++;
		if (e == ENOBUFS || e == EMSGSIZE || e == ENOMEM)
			return -e;
		failure(w, "sendto: %s", strerror(e));
	}
	return 0;
}

/* Attributes of a GET reply ------------------------------------------------ */

typedef int (*attr_fn)(struct worker *w, struct dump *d, const struct nlattr *a,
		       const unsigned char *data, size_t len, int first);

/* Walks attributes; a framing error (lengths) is a harness failure. */
static void walk(struct worker *w, struct dump *d, const unsigned char *p,
		 size_t len, attr_fn fn, const char *where)
{
	size_t off = 0;
	int first = 1;

	while (off < len) {
		struct nlattr a;

		if (len - off < NLA_HDRLEN)
			failure(w, "%s: %zu trailing bytes after the attributes", where, len - off);
		memcpy(&a, p + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len - off)
			failure(w, "%s: attribute type %u has length %u, %zu bytes left",
				where, a.nla_type, a.nla_len, len - off);
		fn(w, d, &a, p + off + NLA_HDRLEN, a.nla_len - NLA_HDRLEN, first);
		first = 0;
		off += NLA_ALIGN(a.nla_len);
		if (off > len && off - len < NLA_ALIGNTO)
			failure(w, "%s: the last attribute is not padded", where);
	}
}

static void want_len(struct worker *w, const char *what, size_t len, size_t want)
{
	if (len != want)
		note(w, "GET reply: %s is %zu bytes, not %zu", what, len, want);
}

static int allowedip_attr(struct worker *w, struct dump *d, const struct nlattr *a,
			  const unsigned char *data, size_t len, int first)
{
	struct dump_ip *ip = &d->ips[d->nips];

	(void)first;
	switch (a->nla_type & NLA_TYPE_MASK) {
	case WGALLOWEDIP_A_FAMILY:
		want_len(w, "WGALLOWEDIP_A_FAMILY", len, 2);
		if (len == 2)
			memcpy(&ip->family, data, 2);
		break;
	case WGALLOWEDIP_A_IPADDR:
		if (len != 4 && len != 16)
			note(w, "GET reply: WGALLOWEDIP_A_IPADDR is %zu bytes", len);
		memcpy(ip->addr, data, len < 16 ? len : 16);
		break;
	case WGALLOWEDIP_A_CIDR_MASK:
		want_len(w, "WGALLOWEDIP_A_CIDR_MASK", len, 1);
		if (len == 1)
			ip->cidr = data[0];
		break;
	default:
		note(w, "GET reply: unknown allowed-IP attribute %u", a->nla_type);
	}
	return 0;
}

static int allowedips_attr(struct worker *w, struct dump *d, const struct nlattr *a,
			   const unsigned char *data, size_t len, int first)
{
	struct dump_ip *ip;

	(void)a, (void)first;
	if (d->nips == d->capips) {
		d->capips = d->capips ? 2 * d->capips : 1024;
		d->ips = realloc(d->ips, d->capips * sizeof(*d->ips));
		if (!d->ips)
			failure(w, "out of memory");
	}
	ip = &d->ips[d->nips];
	memset(ip, 0, sizeof(*ip));
	walk(w, d, data, len, allowedip_attr, "allowed IP");
	if (!(ip->family == AF_INET && ip->cidr <= 32) &&
	    !(ip->family == AF_INET6 && ip->cidr <= 128))
		note(w, "GET reply: allowed IP with family %u and cidr %u", ip->family, ip->cidr);
	d->nips++;
	w->st->dump_ips++;
	return 0;
}

/* The peer being parsed: its key, whether it is the first in its part. */
static unsigned char cur_key[WG_KEY_LEN];
static int cur_has_key, cur_first;

static int peer_attr(struct worker *w, struct dump *d, const struct nlattr *a,
		     const unsigned char *data, size_t len, int first)
{
	(void)first;
	switch (a->nla_type & NLA_TYPE_MASK) {
	case WGPEER_A_PUBLIC_KEY:
		want_len(w, "WGPEER_A_PUBLIC_KEY", len, WG_KEY_LEN);
		if (len == WG_KEY_LEN) {
			memcpy(cur_key, data, WG_KEY_LEN);
			cur_has_key = 1;
		}
		break;
	case WGPEER_A_PRESHARED_KEY:
		want_len(w, "WGPEER_A_PRESHARED_KEY", len, WG_KEY_LEN);
		break;
	case WGPEER_A_LAST_HANDSHAKE_TIME:
		want_len(w, "WGPEER_A_LAST_HANDSHAKE_TIME", len, 16);
		break;
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		want_len(w, "WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL", len, 2);
		break;
	case WGPEER_A_RX_BYTES:
	case WGPEER_A_TX_BYTES:
		want_len(w, "WGPEER_A_RX/TX_BYTES", len, 8);
		break;
	case WGPEER_A_PROTOCOL_VERSION:
		want_len(w, "WGPEER_A_PROTOCOL_VERSION", len, 4);
		break;
	case WGPEER_A_ENDPOINT: {
		uint16_t fam = 0;

		if (len >= 2)
			memcpy(&fam, data, 2);
		if (!(fam == AF_INET && len == sizeof(struct sockaddr_in)) &&
		    !(fam == AF_INET6 && len == sizeof(struct sockaddr_in6)))
			note(w, "GET reply: endpoint of family %u, %zu bytes", fam, len);
		break;
	}
	case WGPEER_A_ALLOWEDIPS:
		walk(w, d, data, len, allowedips_attr, "allowed IPs");
		break;
	case WGPEER_A_NAME:
		/* kwg's peer name: a mutated SET may name a peer validly. */
		if (len < 2 || len > WG_PEER_NAME_MAX + 1 || data[len - 1] ||
		    memchr(data, '\0', len - 1))
			note(w, "GET reply: WGPEER_A_NAME of %zu bytes, not a string", len);
		break;
	case WGPEER_A_UNSPEC:	/* 64-bit alignment padding */
		break;
	default:
		note(w, "GET reply: unknown peer attribute %u", a->nla_type);
	}
	return 0;
}

static int peers_attr(struct worker *w, struct dump *d, const struct nlattr *a,
		      const unsigned char *data, size_t len, int first)
{
	(void)a;
	cur_has_key = 0;
	cur_first = first;
	walk(w, d, data, len, peer_attr, "peer");
	w->st->dump_peers++;
	if (!cur_has_key) {
		note(w, "GET reply: a peer without WGPEER_A_PUBLIC_KEY");
		return 0;
	}
	/* The first peer of a part may continue the last one of the previous. */
	if (cur_first && d->have_last && !memcmp(cur_key, d->last_key, WG_KEY_LEN))
		return 0;
	if (d->nkeys == d->capkeys) {
		d->capkeys = d->capkeys ? 2 * d->capkeys : 256;
		d->keys = realloc(d->keys, d->capkeys * sizeof(*d->keys));
		if (!d->keys)
			failure(w, "out of memory");
	}
	memcpy(d->keys[d->nkeys++], cur_key, WG_KEY_LEN);
	memcpy(d->last_key, cur_key, WG_KEY_LEN);
	d->have_last = 1;
	return 0;
}

static int device_attr(struct worker *w, struct dump *d, const struct nlattr *a,
		       const unsigned char *data, size_t len, int first)
{
	(void)first;
	switch (a->nla_type & NLA_TYPE_MASK) {
	case WGDEVICE_A_IFINDEX:
		want_len(w, "WGDEVICE_A_IFINDEX", len, 4);
		if (len == 4)
			memcpy(&d->ifindex, data, 4);
		break;
	case WGDEVICE_A_IFNAME:
		if (!len || len > IFNAMSIZ || !memchr(data, 0, len))
			note(w, "GET reply: WGDEVICE_A_IFNAME of %zu bytes, not a string", len);
		else
			memcpy(d->name, data, len);
		break;
	case WGDEVICE_A_PRIVATE_KEY:
		want_len(w, "WGDEVICE_A_PRIVATE_KEY", len, WG_KEY_LEN);
		break;
	case WGDEVICE_A_PUBLIC_KEY:
		want_len(w, "WGDEVICE_A_PUBLIC_KEY", len, WG_KEY_LEN);
		break;
	case WGDEVICE_A_LISTEN_PORT:
		want_len(w, "WGDEVICE_A_LISTEN_PORT", len, 2);
		break;
	case WGDEVICE_A_FWMARK:
		want_len(w, "WGDEVICE_A_FWMARK", len, 4);
		break;
	case WGDEVICE_A_PEERS:
		walk(w, d, data, len, peers_attr, "peers");
		break;
	default:
		note(w, "GET reply: unknown device attribute %u", a->nla_type);
	}
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, WG_KEY_LEN);
}

static int cmp_ip(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct dump_ip));
}

/* A finished dump: the device asked for; no peer or allowed IP twice. */
static void dump_finish(struct worker *w, struct dump *d)
{
	struct dev *dev = d->ref.dev >= 0 ? &w->devs[d->ref.dev] : NULL;
	size_t i;

	if (dev && d->parts) {
		if (d->ref.by_index && d->ifindex != dev->ifindex && !opt_churn_ms)
			note(w, "GET %s by ifindex %d answered with ifindex %d",
			     dev->name, dev->ifindex, d->ifindex);
		if (d->ref.by_name && strcmp(d->name, dev->name))
			note(w, "GET by name %s answered with %s", dev->name, d->name);
	}
	if (d->intr || d->err)
		return;
	qsort(d->keys, d->nkeys, sizeof(*d->keys), cmp_key);
	for (i = 1; i < d->nkeys; i++)
		if (!memcmp(d->keys[i - 1], d->keys[i], WG_KEY_LEN)) {
			note(w, "a dump not marked interrupted shows a peer twice (%zu peers, %d parts)",
			     d->nkeys, d->parts);
			break;
		}
	qsort(d->ips, d->nips, sizeof(*d->ips), cmp_ip);
	for (i = 1; i < d->nips; i++)
		if (!memcmp(&d->ips[i - 1], &d->ips[i], sizeof(*d->ips))) {
			note(w, "a dump not marked interrupted shows an allowed IP twice (%zu IPs, %d parts)",
			     d->nips, d->parts);
			break;
		}
}

static void dump_reset(struct dump *d, uint32_t seq, struct devref ref)
{
	void *k = d->keys, *ip = d->ips;
	size_t ck = d->capkeys, ci = d->capips;

	memset(d, 0, sizeof(*d));
	d->keys = k;
	d->capkeys = ck;
	d->ips = ip;
	d->capips = ci;
	d->seq = seq;
	d->ref = ref;
}

/* Messages ------------------------------------------------------------------ */

static void count_answer(struct worker *w, int error, int probe)
{
	if (probe) {
		w->st->probe_answers++;
		return;
	}
	if (!error)
		w->st->answers_ok++;
	else
		w->st->answers[-error < MAX_ERRNO ? -error : 0]++;
}

/* The TLVs after an error or DONE: well-formed, the message a string. */
static void check_ext_ack(struct worker *w, const unsigned char *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		struct nlattr a;

		if (len - off < NLA_HDRLEN)
			failure(w, "ext ack: %zu trailing bytes", len - off);
		memcpy(&a, p + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len - off)
			failure(w, "ext ack: TLV %u has length %u, %zu left",
				a.nla_type, a.nla_len, len - off);
		if (a.nla_type == NLMSGERR_ATTR_MSG &&
		    (a.nla_len == NLA_HDRLEN ||
		     p[off + a.nla_len - 1] != 0))
			failure(w, "ext ack: the message is not a string");
		off += NLA_ALIGN(a.nla_len);
	}
}

/*
 * One reply message. Returns 1 if it ends what we wait for (@want's
 * error or DONE), else 0.
 */
static int handle_msg(struct worker *w, struct nlsock *s, const struct nlmsghdr *nlh,
		      uint32_t want, uint32_t probe_seq)
{
	const unsigned char *payload = NLMSG_DATA(nlh);
	size_t plen = nlh->nlmsg_len - NLMSG_HDRLEN;
	struct dump *d = s->dump && s->dump->seq == nlh->nlmsg_seq ? s->dump : NULL;
	int is_probe = probe_seq && nlh->nlmsg_seq == probe_seq;

	if (nlh->nlmsg_pid != s->portid)
		failure(w, "a reply for port %u on port %u", nlh->nlmsg_pid, s->portid);
	if (nlh->nlmsg_seq > s->seq || nlh->nlmsg_seq == 0) {
		if (!s->lenient)
			failure(w, "a reply with sequence number %u (last sent %u)",
				nlh->nlmsg_seq, s->seq);
		w->st->stray++;
		return 0;
	}
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr e;
		size_t skip;

		if (plen < sizeof(e))
			failure(w, "NLMSG_ERROR of %zu bytes", plen);
		memcpy(&e, payload, sizeof(e));
		if (e.error > 0 || e.error <= -MAX_ERRNO)
			failure(w, "NLMSG_ERROR with error %d", e.error);
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
			skip = sizeof(e);
			if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
				skip += e.msg.nlmsg_len > NLMSG_HDRLEN ?
					NLMSG_ALIGN(e.msg.nlmsg_len) - NLMSG_HDRLEN : 0;
			if (skip > plen)
				failure(w, "NLMSG_ERROR: echoed request of %u bytes in %zu",
					e.msg.nlmsg_len, plen);
			check_ext_ack(w, payload + skip, plen - skip);
		}
		if (d) {		/* the dump did not start */
			d->done = 1;
			d->err = e.error ? e.error : -1;
			s->dump = NULL;
		}
		count_answer(w, e.error, is_probe);
		return nlh->nlmsg_seq == want;
	}
	if (nlh->nlmsg_type == NLMSG_DONE) {
		int err;

		if (plen < sizeof(int))
			failure(w, "NLMSG_DONE of %zu bytes", plen);
		memcpy(&err, payload, sizeof(err));
		if (err > 0 || err <= -MAX_ERRNO)
			failure(w, "NLMSG_DONE with error %d", err);
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			check_ext_ack(w, payload + sizeof(int), plen - sizeof(int));
		if (!(nlh->nlmsg_flags & NLM_F_MULTI))
			note(w, "NLMSG_DONE without NLM_F_MULTI");
		if (d) {
			d->done = 1;
			d->err = err;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				d->intr = 1;
			s->dump = NULL;
		} else if (!s->lenient) {
			failure(w, "NLMSG_DONE for sequence %u, which is no dump",
				nlh->nlmsg_seq);
		}
		count_answer(w, err, is_probe);
		return nlh->nlmsg_seq == want;
	}
	if (nlh->nlmsg_type == w->family && d) {
		const struct genlmsghdr *genl = (const void *)payload;

		if (plen < GENL_HDRLEN)
			failure(w, "a GET part of %zu bytes", plen);
		if (genl->cmd != WG_CMD_GET_DEVICE)
			note(w, "a GET part with command %u", genl->cmd);
		if (!(nlh->nlmsg_flags & NLM_F_MULTI))
			note(w, "a GET part without NLM_F_MULTI");
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			d->intr = 1;
		d->parts++;
		w->st->dump_parts++;
		d->have_last = d->have_last && d->nkeys;
		walk(w, d, payload + GENL_HDRLEN, plen - GENL_HDRLEN, device_attr, "GET reply");
		return 0;
	}
	if (!s->lenient)
		failure(w, "an unexpected reply: type %u flags %#x seq %u",
			nlh->nlmsg_type, nlh->nlmsg_flags, nlh->nlmsg_seq);
	w->st->stray++;
	return 0;
}

/*
 * Reads replies until @want is answered; with @parts > 0, returns after
 * that many datagrams too. Sleeps @slow_us between datagrams (a slow
 * reader). Returns 0 when done, 1 when stopped after @parts, -ENOBUFS when
 * replies were lost. No answer within the timeout is a harness failure.
 */
static int recv_until(struct worker *w, struct nlsock *s, uint32_t want,
		      uint32_t probe_seq, int parts, int slow_us)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	double deadline = now() + opt_timeout;
	int got = 0;

	for (;;) {
		struct iovec iov = { recvbuf, s->rlen };
		struct sockaddr_nl from;
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1
		};
		const struct nlmsghdr *nlh;
		int left = (int)((deadline - now()) * 1000), done = 0;
		ssize_t len;

		if (left <= 0 || poll(&pfd, 1, left) == 0)
			failure(w, "no answer to sequence %u within %d s", want, opt_timeout);
		len = recvmsg(s->fd, &mh, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ENOBUFS) {
				w->st->enobufs++;
				return -ENOBUFS;
			}
			failure(w, "recvmsg: %s", strerror(errno));
		}
		if (mh.msg_flags & MSG_TRUNC)
			failure(w, "a reply longer than %zu bytes", s->rlen);
		if (from.nl_pid != 0)
			failure(w, "a datagram from port %u, not the kernel", from.nl_pid);
		for (nlh = (const void *)recvbuf; len > 0;) {
			if ((size_t)len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
			    nlh->nlmsg_len > (size_t)len)
				failure(w, "a reply message of length %u in %zd bytes",
					(size_t)len >= NLMSG_HDRLEN ? nlh->nlmsg_len : 0, len);
			done |= handle_msg(w, s, nlh, want, probe_seq);
			if ((size_t)len < NLMSG_ALIGN(nlh->nlmsg_len))
				break;
			len -= NLMSG_ALIGN(nlh->nlmsg_len);
			nlh = (const void *)((const char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
		}
		if (done)
			return 0;
		if (parts && ++got >= parts)
			return 1;
		if (slow_us)
			usleep((useconds_t)slow_us);
	}
}

/*
 * After a probe: read what is left, so that no dump started by garbage
 * still runs on the socket (each read makes the next part at once).
 */
static void drain(struct worker *w, struct nlsock *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };

	while (poll(&pfd, 1, 0) > 0) {
		ssize_t len = recv(s->fd, recvbuf, s->rlen, MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const void *)recvbuf;

		if (len < 0) {
			if (errno == ENOBUFS) {
				w->st->enobufs++;
				continue;
			}
			break;
		}
		for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len))
			handle_msg(w, s, nlh, 0, 0);
	}
	s->lenient = 0;
}

/*
 * The probe: a SET naming a device that does not exist. The family must
 * answer it (ENODEV); everything sent before it on the socket has been
 * dealt with once its answer is in. Retried after lost replies.
 */
static void probe(struct worker *w, struct nlsock *s)
{
	static unsigned char pb[64] __attribute__((aligned(8)));
	struct msg m = { .b = pb };
	int tries;

	for (tries = 0; tries < 10; tries++) {
		struct nlmsghdr *nlh;

		m.len = 0;
		put_headers(&m, w->family, NLM_F_REQUEST | NLM_F_ACK, WG_CMD_SET_DEVICE,
			    WG_GENL_VERSION);
		put_attr(&m, WGDEVICE_A_IFNAME, "fz-probe", 9);
		nlh = (struct nlmsghdr *)pb;
		nlh->nlmsg_len = (uint32_t)m.len;
		w->st->probes++;
		if (nl_send(w, s, &m, 0))
			continue;
		if (recv_until(w, s, s->seq, s->seq, 0, 0) == 0) {
			drain(w, s);
			return;
		}
	}
	failure(w, "the probe got no answer ten times");
}

/*
 * Sends a request and waits for its answer: a dump's end or an error, or
 * the ack; when the kernel need not answer (no NLM_F_ACK, garbage), a
 * probe follows it. A single message that asks for a GET dump (also after
 * mutation) is followed as a dump, and checked against @ref.
 */
static void transact(struct worker *w, struct nlsock *s, struct msg *m, int sure,
		     struct devref ref, int count_as)
{
	const struct nlmsghdr *nlh = (const void *)m->b;
	const struct genlmsghdr *genl = NLMSG_DATA(nlh);
	struct dump *d = NULL;
	int ret;

	if (sure && m->len == NLMSG_ALIGN(nlh->nlmsg_len) &&
	    nlh->nlmsg_type == w->family && (nlh->nlmsg_flags & NLM_F_REQUEST) &&
	    (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP &&
	    genl->cmd == WG_CMD_GET_DEVICE)
		d = &dumps[0];
	if (nl_send(w, s, m, count_as)) {
		probe(w, s);
		return;
	}
	if (!sure)
		s->lenient = 1;
	if (d) {
		dump_reset(d, s->seq, ref);
		s->dump = d;
		w->st->dumps++;
	}
	ret = sure ? recv_until(w, s, s->seq, 0, 0, 0) : -1;
	if (ret)
		probe(w, s);
	if (d) {
		s->dump = NULL;
		if (d->done && !d->err) {
			w->st->dumps_done++;
			w->st->dumps_intr += d->intr;
		} else if (d->done) {
			w->st->dumps_err++;
		}
		if (d->done)
			dump_finish(w, d);
	}
}

/* ------------------------------------------------------------------------ */
/* Device helper: deletes and re-creates devices through rtnetlink           */
/* ------------------------------------------------------------------------ */

struct helper_req {
	char name[IFNAMSIZ];
	int up;
};

struct helper_ans {
	int del_err, new_err;
};

static int rtnl_do(int fd, struct nlmsghdr *nlh)
{
	static uint32_t seq;
	char buf[4096] __attribute__((aligned(8)));
	struct nlmsghdr *r = (struct nlmsghdr *)buf;
	ssize_t len;

	nlh->nlmsg_seq = ++seq;
	if (send(fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (r = (struct nlmsghdr *)buf; NLMSG_OK(r, len); r = NLMSG_NEXT(r, len))
			if (r->nlmsg_type == NLMSG_ERROR && r->nlmsg_seq == seq)
				return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
	}
}

static void rta_put(struct nlmsghdr *nlh, uint16_t type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static int link_req(int fd, int type, int flags, const char *name, int up, int create)
{
	char buf[512] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ifinfomsg *ifi = NLMSG_DATA(nlh);

	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	ifi->ifi_family = AF_UNSPEC;
	if (up) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	rta_put(nlh, IFLA_IFNAME, name, strlen(name) + 1);
	if (create) {
		struct rtattr *li = (struct rtattr *)(buf + NLMSG_ALIGN(nlh->nlmsg_len));

		rta_put(nlh, IFLA_LINKINFO, NULL, 0);
		rta_put(nlh, IFLA_INFO_KIND, "wireguard", 10);
		li->rta_len = (unsigned short)(buf + nlh->nlmsg_len - (char *)li);
	}
	return rtnl_do(fd, nlh);
}

static struct helper_ans helper_cycle(int rt, const char *name, int up)
{
	struct helper_ans a;

	a.del_err = link_req(rt, RTM_DELLINK, 0, name, 0, 0);
	a.new_err = link_req(rt, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name, 0, 1);
	if (!a.new_err && up)
		a.new_err = link_req(rt, RTM_NEWLINK, 0, name, 1, 0);
	return a;
}

/*
 * The helper process: deletes and re-creates the device the worker names
 * (and, with -c, a random deletable one now and then), answering each
 * command when done. A deletion may wait for a dump to release the device;
 * that is why it is another process.
 */
static void helper_main(struct worker *w, int fd)
{
	struct rng r = { w->rng.s ^ 0x5555aaaa5555aaaaULL };
	int rt = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct helper_req q;
	struct helper_ans a;
	int i, timeout;

	if (rt < 0)
		_exit(3);
	for (;;) {
		timeout = opt_churn_ms && w->ndeletable ?
			opt_churn_ms / 2 + (int)rnd(&r, (uint32_t)opt_churn_ms + 1) : -1;
		if (poll(&pfd, 1, timeout) == 0) {
			do
				i = (int)rnd(&r, (uint32_t)w->ndevs);
			while (!w->devs[i].deletable);
			a = helper_cycle(rt, w->devs[i].name, chance(&r, 80));
			w->st->churn_deletes += !a.del_err;
			w->st->churn_creates += !a.new_err;
			w->st->churn_fail += a.new_err != 0;
			continue;
		}
		if (read(fd, &q, sizeof(q)) != sizeof(q))
			_exit(0);
		a = helper_cycle(rt, q.name, q.up);
		if (write(fd, &a, sizeof(a)) != sizeof(a))
			_exit(0);
	}
}

/*
 * The device's ifindex now (0: none by that name), by RTM_GETLINK: not by
 * SIOCGIFINDEX, which for a missing name (a device the churn deleted) has
 * the kernel run modprobe for "netdev-NAME", a process per lookup.
 */
static void refresh_ifindex(struct worker *w, struct dev *d)
{
	char buf[4096] __attribute__((aligned(8))) = { 0 };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ifinfomsg *ifi = NLMSG_DATA(nlh);
	ssize_t len;

	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi->ifi_family = AF_UNSPEC;
	rta_put(nlh, IFLA_IFNAME, d->name, strlen(d->name) + 1);
	d->ifindex = 0;
	if (send(w->rtnl_fd, nlh, nlh->nlmsg_len, 0) < 0)
		failure(w, "RTM_GETLINK: %s", strerror(errno));
	len = recv(w->rtnl_fd, buf, sizeof(buf), 0);
	if (len < 0)
		failure(w, "RTM_GETLINK: %s", strerror(errno));
	if (NLMSG_OK(nlh, len) && nlh->nlmsg_type == RTM_NEWLINK)
		d->ifindex = ifi->ifi_index;
}

/* ------------------------------------------------------------------------ */
/* Scenarios                                                                */
/* ------------------------------------------------------------------------ */

/* A valid-looking SET on device @dev (or a random one, dev < 0). */
static void scenario_set(struct worker *w, struct nlsock *s, int huge, int chaos)
{
	struct msg m = { .b = reqbuf };
	struct gen g = { .r = &w->rng, .m = &m, .w = w, .chaos = chaos, .huge = huge,
			 .answer_sure = 1 };
	uint16_t flags = chance(&w->rng, 90) ? NLM_F_ACK : 0;
	struct devref ref;
	size_t start;

	if (chaos && chance(&w->rng, 5))
		flags |= (uint16_t)(1U << rnd(&w->rng, 16));
	start = gen_request(&g, WG_CMD_SET_DEVICE, flags, &ref);
	if (chaos && chance(&w->rng, 35))
		mutate_bytes(&g, start);
	flags = ((struct nlmsghdr *)m.b)->nlmsg_flags;
	/* NLM_F_DUMP on a SET makes it a dump, which the family refuses. */
	if (!(flags & NLM_F_ACK) && (flags & NLM_F_DUMP) != NLM_F_DUMP)
		g.answer_sure = 0;
	if (!(flags & NLM_F_REQUEST))
		g.answer_sure = 0;
	if (huge && m.full)
		g.answer_sure = 0;	/* the nests' lengths have wrapped */
	if (chaos)
		ref.dev = -1;
	transact(w, s, &m, g.answer_sure, ref, 1);
}

/* A GET dump, maybe with attribute chaos; read at once. */
static void scenario_get(struct worker *w, struct nlsock *s, int chaos)
{
	struct msg m = { .b = reqbuf };
	struct gen g = { .r = &w->rng, .m = &m, .w = w, .chaos = chaos, .answer_sure = 1 };
	uint16_t flags = NLM_F_DUMP | (chance(&w->rng, 30) ? NLM_F_ACK : 0);
	struct devref ref;
	size_t start;

	if (chaos && chance(&w->rng, 10))
		flags = (uint16_t)(rng64(&w->rng) & ~NLM_F_REQUEST);
	start = gen_request(&g, WG_CMD_GET_DEVICE, flags, &ref);
	if (chaos && chance(&w->rng, 35))
		mutate_bytes(&g, start);
	flags = ((struct nlmsghdr *)m.b)->nlmsg_flags;
	if (!(flags & NLM_F_REQUEST) ||
	    ((flags & NLM_F_DUMP) != NLM_F_DUMP && !(flags & NLM_F_ACK)))
		g.answer_sure = 0;
	if (chaos)
		ref.dev = -1;	/* which device it names is not known for sure */
	transact(w, s, &m, g.answer_sure, ref, 1);
}

/*
 * A valid SET giving device @dev @npeers peers (of the worker's made-up
 * keys) with @nips IPv4 allowed IPs each (replacing theirs), so that its
 * dumps span several parts.
 */
static void grow(struct worker *w, struct nlsock *s, int dev, int npeers, int nips,
		 int replace_peers, int count_as)
{
	struct msg m = { .b = reqbuf };
	uint32_t flags = WGPEER_F_REPLACE_ALLOWEDIPS;
	size_t peers;
	int p, j;

	put_headers(&m, w->family, NLM_F_REQUEST | NLM_F_ACK, WG_CMD_SET_DEVICE,
		    WG_GENL_VERSION);
	put_attr(&m, WGDEVICE_A_IFNAME, w->devs[dev].name, strlen(w->devs[dev].name) + 1);
	if (replace_peers) {
		uint32_t f = WGDEVICE_F_REPLACE_PEERS;

		put_attr(&m, WGDEVICE_A_FLAGS, &f, sizeof(f));
	}
	peers = put_raw_attr(&m, WGDEVICE_A_PEERS | NLA_F_NESTED, 0, NULL, 0);
	for (p = 0; p < npeers; p++) {
		size_t peer = put_raw_attr(&m, NLA_F_NESTED, 0, NULL, 0), ips;
		unsigned char k[WG_KEY_LEN];
		uint64_t x = (uint64_t)w->id * 1000 + (uint64_t)p;

		for (j = 0; j < WG_KEY_LEN; j += 8) {
			uint64_t v = splitmix(&x);

			memcpy(k + j, &v, 8);
		}
		put_attr(&m, WGPEER_A_PUBLIC_KEY, k, sizeof(k));
		put_attr(&m, WGPEER_A_FLAGS, &flags, sizeof(flags));
		ips = put_raw_attr(&m, WGPEER_A_ALLOWEDIPS | NLA_F_NESTED, 0, NULL, 0);
		for (j = 0; j < nips; j++) {
			size_t ip = put_raw_attr(&m, NLA_F_NESTED, 0, NULL, 0);
			uint16_t fam = AF_INET;
			uint8_t cidr = 32;
			unsigned char a[4] = { 10, (unsigned char)(200 + dev), (unsigned char)p,
					       (unsigned char)j };

			put_attr(&m, WGALLOWEDIP_A_FAMILY, &fam, sizeof(fam));
			put_attr(&m, WGALLOWEDIP_A_IPADDR, a, sizeof(a));
			put_attr(&m, WGALLOWEDIP_A_CIDR_MASK, &cidr, sizeof(cidr));
			set_nest_len(&m, ip);
		}
		set_nest_len(&m, ips);
		set_nest_len(&m, peer);
	}
	set_nest_len(&m, peers);
	((struct nlmsghdr *)m.b)->nlmsg_len = (uint32_t)m.len;
	transact(w, s, &m, 1, (struct devref){ .dev = -1 }, count_as);
}

/* Sends a valid GET dump on @s and returns its dump state, or NULL. */
static struct dump *start_dump(struct worker *w, struct nlsock *s, struct dump *d,
			       int dev)
{
	struct msg m = { .b = reqbuf2 };
	struct gen g = { .r = &w->rng, .m = &m, .w = w };
	struct devref ref = { .dev = dev };
	struct dev *dv = &w->devs[dev];
	struct nlmsghdr *nlh;

	put_headers(&m, w->family, NLM_F_REQUEST | NLM_F_DUMP, WG_CMD_GET_DEVICE,
		    WG_GENL_VERSION);
	if (chance(g.r, 50)) {
		put_attr(&m, WGDEVICE_A_IFINDEX, &dv->ifindex, 4);
		ref.by_index = 1;
	} else {
		put_attr(&m, WGDEVICE_A_IFNAME, dv->name, strlen(dv->name) + 1);
		ref.by_name = 1;
	}
	nlh = (struct nlmsghdr *)m.b;
	nlh->nlmsg_len = (uint32_t)m.len;
	if (nl_send(w, s, &m, 1))
		return NULL;
	dump_reset(d, s->seq, ref);
	s->dump = d;
	w->st->dumps++;
	return d;
}

static void end_dump(struct worker *w, struct nlsock *s, struct dump *d, int slow_us)
{
	if (s->dump == d && recv_until(w, s, d->seq, 0, 0, slow_us))
		probe(w, s);
	s->dump = NULL;
	if (d->done && !d->err) {
		w->st->dumps_done++;
		w->st->dumps_intr += d->intr;
		dump_finish(w, d);
	} else if (d->done) {
		w->st->dumps_err++;
	}
}

/*
 * A dump with something between its parts: read slowly, abandoned (the
 * socket closed), interleaved with a dump of another device on another
 * socket, a SET of the same device, a second GET on the same socket
 * (refused while one runs), or the device deleted and re-created.
 */
static void scenario_dump_mid(struct worker *w)
{
	int dev = (int)rnd(&w->rng, (uint32_t)w->ndevs), kind = (int)rnd(&w->rng, 100);
	int slow = (int)rnd(&w->rng, 3000);
	struct nlsock **sp = chance(&w->rng, 50) ? &w->ds1 : &w->ds2;
	struct nlsock *s = *sp, *other_s = s == w->ds1 ? w->ds2 : w->ds1;
	struct dump *d;

	if (kind >= 85 && !w->devs[dev].deletable) {
		if (!w->ndeletable)
			kind = 0;
		else
			while (!w->devs[dev].deletable)
				dev = (int)rnd(&w->rng, (uint32_t)w->ndevs);
	}
	/* Most of the time, the device is made big enough first. */
	if (chance(&w->rng, 70))
		grow(w, w->aux, dev, 10 + (int)rnd(&w->rng, 38), 1 + (int)rnd(&w->rng, 20), 0, 0);
	d = start_dump(w, s, &dumps[0], dev);
	if (!d) {
		probe(w, s);
		return;
	}
	/* The first part (or all of it). */
	if (recv_until(w, s, d->seq, 0, 1, 0) <= 0) {
		end_dump(w, s, d, 0);
		return;
	}
	if (kind < 20) {			/* slow reader */
		end_dump(w, s, d, slow);
	} else if (kind < 35) {			/* abandoned */
		size_t rlen;

		w->st->dumps_abandoned++;
		s->dump = NULL;
		rlen = s->rlen;
		nl_close(s);
		*sp = nl_open(w, rlen);
	} else if (kind < 50) {			/* interleaved with another dump */
		int other = (int)rnd(&w->rng, (uint32_t)w->ndevs);
		struct dump *d2 = start_dump(w, other_s, &dumps[1], other);

		if (d2) {
			if (recv_until(w, other_s, d2->seq, 0, 1, 0) > 0)
				scenario_set(w, w->aux, 0, 0);
			end_dump(w, s, d, slow / 4);
			end_dump(w, other_s, d2, 0);
		} else {
			probe(w, other_s);
			end_dump(w, s, d, 0);
		}
	} else if (kind < 75) {			/* a SET in between */
		w->st->mid_sets++;
		scenario_set(w, w->aux, 0, 0);
		end_dump(w, s, d, slow / 4);
	} else if (kind < 85) {			/* a second GET on the same socket */
		struct msg m = { .b = reqbuf };
		struct gen g = { .r = &w->rng, .m = &m, .w = w };
		struct devref ref;

		gen_request(&g, WG_CMD_GET_DEVICE, NLM_F_DUMP, &ref);
		if (!nl_send(w, s, &m, 0)) {
			s->lenient = 1;	/* answered before or after the DONE */
			end_dump(w, s, d, 0);
			probe(w, s);
		} else {
			end_dump(w, s, d, 0);
		}
	} else {				/* the device deleted and re-created */
		struct helper_req q = { .up = chance(&w->rng, 80) };
		struct helper_ans a;

		memcpy(q.name, w->devs[dev].name, IFNAMSIZ);
		w->st->mid_deletes++;
		if (write(w->helper_fd, &q, sizeof(q)) != sizeof(q))
			failure(w, "the helper is gone");
		usleep((useconds_t)slow);
		end_dump(w, s, d, slow);
		if (read(w->helper_fd, &a, sizeof(a)) != sizeof(a))
			failure(w, "the helper is gone");
		if (a.del_err || a.new_err) {
			w->st->mid_delete_fail++;
			if (a.new_err && a.new_err != -EEXIST)
				fprintf(stderr, "fuzz-netlink: worker %d: re-creating %s: %s\n",
					w->id, q.name, strerror(-a.new_err));
		}
		refresh_ifindex(w, &w->devs[dev]);
	}
}

/* Several messages in one datagram, valid and mutated. */
static void scenario_batch(struct worker *w)
{
	struct msg m = { .b = reqbuf };
	struct gen g = { .r = &w->rng, .m = &m, .w = w, .chaos = (int)rnd(&w->rng, 20) };
	int i, n = 2 + (int)rnd(&w->rng, 3);
	struct devref ref = { .dev = -1 };

	for (i = 0; i < n && !m.full; i++) {
		size_t start = gen_request(&g, chance(&w->rng, 70) ? WG_CMD_SET_DEVICE :
					   WG_CMD_GET_DEVICE,
					   NLM_F_ACK | (chance(&w->rng, 30) ? NLM_F_DUMP : 0),
					   &ref);

		if (chance(&w->rng, 20))
			mutate_bytes(&g, start);
		m.len = NLMSG_ALIGN(m.len);
	}
	transact(w, w->main, &m, 0, ref, 1);
}

/* Random bytes, or random attribute-shaped TLVs, behind valid headers. */
static void scenario_raw(struct worker *w)
{
	struct msg m = { .b = reqbuf };
	struct rng *r = &w->rng;
	size_t len = rnd(r, chance(r, 80) ? 256 : 8192);
	struct devref ref = { .dev = -1 };
	struct nlmsghdr *nlh;

	put_headers(&m, w->family, NLM_F_REQUEST | NLM_F_ACK,
		    (uint8_t)(chance(r, 90) ? rnd(r, 2) : rng64(r)), WG_GENL_VERSION);
	if (chance(r, 50)) {
		rnd_bytes(r, m.b + m.len, len);
		m.len += NLMSG_ALIGN(len);
	} else {
		while (m.len < NLMSG_HDRLEN + GENL_HDRLEN + len) {
			unsigned char junk[64];
			size_t l = rnd(r, sizeof(junk));

			rnd_bytes(r, junk, l);
			put_attr(&m, (uint16_t)(chance(r, 80) ? rnd(r, 10) : rng64(r)), junk, l);
		}
	}
	nlh = (struct nlmsghdr *)m.b;
	nlh->nlmsg_len = (uint32_t)m.len;
	transact(w, w->main, &m, 1, ref, 1);
}

/*
 * The mix: each request is one of these, drawn with probability weight /
 * the sum of the weights. -m changes the weights, e.g. for the debug
 * kernels, where huge requests and dumps of large devices cost seconds.
 */
static void run_get(struct worker *w)
{
	scenario_get(w, w->main, 0);
}

static void run_set(struct worker *w)
{
	scenario_set(w, w->main, 0, 0);
}

static void run_huge(struct worker *w)
{
	scenario_set(w, w->main, 1, chance(&w->rng, 70) ? 0 : 5);
}

static void run_set_chaos(struct worker *w)
{
	scenario_set(w, w->main, 0, 1 + (int)rnd(&w->rng, 30));
}

static void run_get_chaos(struct worker *w)
{
	scenario_get(w, w->main, 1 + (int)rnd(&w->rng, 30));
}

static struct scenario {
	const char *name;
	void (*run)(struct worker *w);
	uint32_t weight;
} scenarios[NSCENARIOS] = {
	{ "get", run_get, 180 },		/* a valid GET dump */
	{ "dump-mid", scenario_dump_mid, 80 },	/* a dump with events between parts */
	{ "set", run_set, 280 },		/* a valid-looking SET */
	{ "huge", run_huge, 15 },		/* hundreds of peers, thousands of IPs */
	{ "set-chaos", run_set_chaos, 245 },	/* a SET mutated */
	{ "get-chaos", run_get_chaos, 100 },	/* a GET mutated */
	{ "batch", scenario_batch, 50 },	/* several messages in a datagram */
	{ "raw", scenario_raw, 50 },		/* random bytes behind a header */
};

static uint32_t mix_total;

/* -m NAME=WEIGHT,...: returns 0, or -1 on a bad list. */
static int parse_mix(const char *spec)
{
	char *copy = strdup(spec), *tok, *save;
	int k, ret = 0;

	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		unsigned long v;

		ret = -1;
		if (!eq)
			break;
		*eq = 0;
		v = strtoul(eq + 1, &end, 10);
		if (*end || end == eq + 1 || v > 1000000)
			break;
		for (k = 0; k < NSCENARIOS; k++)
			if (!strcmp(scenarios[k].name, tok)) {
				scenarios[k].weight = (uint32_t)v;
				ret = 0;
			}
	}
	free(copy);
	for (mix_total = 0, k = 0; k < NSCENARIOS; k++)
		mix_total += scenarios[k].weight;
	return ret || !mix_total ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Worker and main                                                          */
/* ------------------------------------------------------------------------ */

static uint16_t resolve_family(struct worker *w, struct nlsock *s)
{
	struct msg m = { .b = reqbuf };
	struct nlmsghdr *nlh;
	ssize_t len;

	put_headers(&m, GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, 1);
	put_attr(&m, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME, sizeof(WG_GENL_NAME));
	((struct nlmsghdr *)m.b)->nlmsg_len = (uint32_t)m.len;
	((struct nlmsghdr *)m.b)->nlmsg_seq = ++s->seq;
	if (send(s->fd, m.b, m.len, 0) < 0)
		failure(w, "send: %s", strerror(errno));
	len = recv(s->fd, recvbuf, sizeof(recvbuf), 0);
	nlh = (struct nlmsghdr *)recvbuf;
	if (len < 0 || !NLMSG_OK(nlh, len) || nlh->nlmsg_type == NLMSG_ERROR)
		failure(w, "no generic netlink family %s", WG_GENL_NAME);
	{
		const unsigned char *p = (unsigned char *)NLMSG_DATA(nlh) + GENL_HDRLEN;
		size_t off = 0, plen = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

		while (off + NLA_HDRLEN <= plen) {
			struct nlattr a;
			uint16_t id;

			memcpy(&a, p + off, sizeof(a));
			if (a.nla_len < NLA_HDRLEN)
				break;
			if ((a.nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID) {
				memcpy(&id, p + off + NLA_HDRLEN, 2);
				return id;
			}
			off += NLA_ALIGN(a.nla_len);
		}
	}
	failure(w, "no family id in the answer");
}

static void worker_main(struct worker *w, uint64_t quota)
{
	int sp[2], i, k;
	double t0;

	if (strcmp(w->netns, ".")) {
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "/run/netns/%s", w->netns);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			failure(w, "entering %s: %s", path, strerror(errno));
		close(fd);
	}
	w->rtnl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	for (i = 0; i < w->ndevs; i++) {
		refresh_ifindex(w, &w->devs[i]);
		if (!w->devs[i].ifindex)
			failure(w, "no device %s", w->devs[i].name);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		failure(w, "socketpair: %s", strerror(errno));
	w->helper_pid = fork();
	if (w->helper_pid < 0)
		failure(w, "fork: %s", strerror(errno));
	if (!w->helper_pid) {
		close(sp[0]);
		helper_main(w, sp[1]);
		_exit(0);
	}
	close(sp[1]);
	w->helper_fd = sp[0];

	w->main = nl_open(w, RECV_MAX);
	w->aux = nl_open(w, RECV_MAX);
	/* NLMSG_GOODSIZE parts, and parts of 8 KiB */
	w->ds1 = nl_open(w, 4096);
	w->ds2 = nl_open(w, 8192);
	w->family = resolve_family(w, w->main);
	/* Before the requests: every device gets 48 peers, 8 allowed IPs each. */
	for (i = 0; i < w->ndevs; i++)
		grow(w, w->main, i, 48, 8, 1, 0);

	t0 = now();
	for (w->index = 0; w->index < quota; w->index++) {
		uint32_t what = rnd(&w->rng, mix_total);
		double t;

		for (k = 0; what >= scenarios[k].weight; k++)
			what -= scenarios[k].weight;
		if (opt_churn_ms)
			for (i = 0; i < w->ndevs; i++)
				if (w->devs[i].deletable)
					refresh_ifindex(w, &w->devs[i]);
		if (opt_verbose)
			fprintf(stderr, "worker %d request %llu %s\n", w->id,
				(unsigned long long)w->index, scenarios[k].name);
		t = now();
		scenarios[k].run(w);
		w->st->scenario_seconds[k] += now() - t;
		w->st->scenario_runs[k]++;
		w->st->requests++;
	}
	/* Everything answered, and the family still answers. */
	probe(w, w->main);
	probe(w, w->aux);
	probe(w, w->ds1);
	probe(w, w->ds2);
	w->st->seconds = now() - t0;
	close(w->helper_fd);
	waitpid(w->helper_pid, NULL, 0);
	w->st->finished = 1;
	exit(0);
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int parse_hex(const char *s, unsigned char *out)
{
	int i;

	for (i = 0; i < WG_KEY_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);

		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static void load_keys(const char *path)
{
	char line[256], a[128], b[128];
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(2);
	}
	while (nkeys < MAX_KEYS && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %127s", a, b) != 2)
			continue;
		if (parse_hex(a, keys[nkeys].priv) || parse_hex(b, keys[nkeys].pub)) {
			fprintf(stderr, "%s: not two hex keys: %s", path, line);
			exit(2);
		}
		keys[nkeys++].has_priv = 1;
	}
	fclose(f);
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz-netlink [-s SEED] [-n N] [-k KEYFILE] [-c MS] "
		"[-m NAME=WEIGHT,...] [-T SECONDS] [-x INDEX] [-v] NETNS:DEV[,+DEV...]...\n");
	exit(2);
}

static void add(uint64_t *sum, const uint64_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sum[i] += v[i];
}

static void print_errnos(const char *what, const uint64_t *v)
{
	int e;

	if (what)
		printf("%s:", what);
	for (e = 1; e < MAX_ERRNO; e++)
		if (v[e])
			printf(" %s=%llu", strerrorname_np(e) ? strerrorname_np(e) : "?",
			       (unsigned long long)v[e]);
	if (v[0])
		printf(" other=%llu", (unsigned long long)v[0]);
	printf("\n");
}

int main(int argc, char **argv)
{
	static struct worker workers[MAX_WORKERS];
	struct stats sum = { 0 };
	int nw = 0, c, i, bad = 0;
	double t0, secs;
	pid_t pids[MAX_WORKERS];

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "s:n:k:c:m:T:x:v")) != -1) {
		switch (c) {
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'n': opt_requests = strtoull(optarg, NULL, 0); break;
		case 'k': load_keys(optarg); break;
		case 'c': opt_churn_ms = atoi(optarg); break;
		case 'm': opt_mix = optarg; break;
		case 'T': opt_timeout = atoi(optarg); break;
		case 'x': opt_print_index = strtoll(optarg, NULL, 0); break;
		case 'v': opt_verbose = 1; break;
		default: usage();
		}
	}
	if (optind == argc || argc - optind > MAX_WORKERS || opt_timeout <= 0 ||
	    parse_mix(opt_mix ? opt_mix : ""))
		usage();
	for (; optind < argc; optind++) {
		struct worker *w = &workers[nw];
		char *spec = strdup(argv[optind]), *colon = strchr(spec, ':'), *tok, *save;
		uint64_t x = opt_seed ^ ((uint64_t)nw << 32);

		if (!colon)
			usage();
		*colon = 0;
		w->id = nw;
		w->netns = spec;
		w->rng.s = splitmix(&x) | 1;
		for (tok = strtok_r(colon + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			struct dev *d = &w->devs[w->ndevs];

			if (w->ndevs == MAX_DEVS)
				usage();
			d->deletable = *tok == '+';
			tok += d->deletable;
			if (!*tok || strlen(tok) >= IFNAMSIZ)
				usage();
			strcpy(d->name, tok);
			w->ndeletable += d->deletable;
			w->ndevs++;
		}
		if (!w->ndevs)
			usage();
		nw++;
	}
	all_stats = mmap(NULL, sizeof(struct stats) * nw, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (all_stats == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	memset(all_stats, 0, sizeof(struct stats) * nw);

	t0 = now();
	for (i = 0; i < nw; i++) {
		uint64_t quota = opt_requests / nw + ((uint64_t)i < opt_requests % nw);

		workers[i].st = &all_stats[i];
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fork");
			return 2;
		}
		if (!pids[i])
			worker_main(&workers[i], quota);
	}
	for (i = 0; i < nw; i++) {
		int status;

		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) || !all_stats[i].finished) {
			fprintf(stderr, "fuzz-netlink: worker %d (%s) failed (status %#x)\n",
				i, workers[i].netns, status);
			bad = 1;
		}
	}
	secs = now() - t0;

	for (i = 0; i < nw; i++) {
		struct stats *s = &all_stats[i];

		/* Every counter is a uint64_t up to "seconds". */
		add((uint64_t *)&sum, (const uint64_t *)s,
		    offsetof(struct stats, seconds) / sizeof(uint64_t));
		for (c = 0; c < NSCENARIOS; c++)
			sum.scenario_seconds[c] += s->scenario_seconds[c];
	}
	printf("fuzz-netlink: seed=%llu workers=%d requests=%llu messages=%llu probes=%llu "
	       "time=%.1fs rate=%.0f/s\n", (unsigned long long)opt_seed, nw,
	       (unsigned long long)sum.requests, (unsigned long long)sum.messages,
	       (unsigned long long)sum.probes, secs, sum.requests / (secs > 0 ? secs : 1));
	printf("answers: ok=%llu", (unsigned long long)sum.answers_ok);
	print_errnos(NULL, sum.answers);
	print_errnos("send errors", sum.send_errors);
	printf("dumps: started=%llu completed=%llu interrupted=%llu failed=%llu "
	       "abandoned=%llu parts=%llu peers=%llu allowed_ips=%llu\n",
	       (unsigned long long)sum.dumps, (unsigned long long)sum.dumps_done,
	       (unsigned long long)sum.dumps_intr, (unsigned long long)sum.dumps_err,
	       (unsigned long long)sum.dumps_abandoned, (unsigned long long)sum.dump_parts,
	       (unsigned long long)sum.dump_peers, (unsigned long long)sum.dump_ips);
	printf("mid-dump: sets=%llu deletes=%llu delete_or_create_failed=%llu; "
	       "churn: deletes=%llu creates=%llu failed=%llu\n",
	       (unsigned long long)sum.mid_sets, (unsigned long long)sum.mid_deletes,
	       (unsigned long long)sum.mid_delete_fail,
	       (unsigned long long)sum.churn_deletes, (unsigned long long)sum.churn_creates,
	       (unsigned long long)sum.churn_fail);
	printf("scenarios (runs/seconds):");
	for (c = 0; c < NSCENARIOS; c++)
		printf(" %s=%llu/%.1f", scenarios[c].name,
		       (unsigned long long)sum.scenario_runs[c], sum.scenario_seconds[c]);
	printf("\n");
	printf("workers (requests/seconds):");
	for (i = 0; i < nw; i++)
		printf(" %s=%llu/%.1f", workers[i].netns,
		       (unsigned long long)all_stats[i].requests, all_stats[i].seconds);
	printf("\n");
	printf("enobufs=%llu stray=%llu anomalies=%llu failures=%llu\n",
	       (unsigned long long)sum.enobufs, (unsigned long long)sum.stray,
	       (unsigned long long)sum.anomalies, (unsigned long long)sum.failures + bad);
	return bad || sum.failures ? 1 : 0;
}
