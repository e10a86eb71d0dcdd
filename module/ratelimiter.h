/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-source token buckets for handshake messages under load
 * (protocol.md section 4): 20 messages per second with a burst of 5, per
 * IPv4 address or per IPv6 /64. One limiter per device, so sources in
 * different network namespaces never share a bucket.
 *
 * Idle buckets (full again) are dropped by a garbage collection that
 * wg_ratelimiter_allow() runs itself at most once a second, so no timer or
 * work item is needed. The number of buckets is capped: once full, a new
 * source is refused until collection frees room, which bounds memory under
 * a flood of spoofed sources.
 */
#ifndef _KWG_RATELIMITER_H
#define _KWG_RATELIMITER_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/siphash.h>
#include <linux/atomic.h>
#include <linux/socket.h>

#define WG_RATELIMITER_PER_SECOND 20
#define WG_RATELIMITER_BURST 5
/* Default cap on live buckets (~100 bytes each). */
#define WG_RATELIMITER_DEFAULT_MAX 16384

struct wg_ratelimiter {
	spinlock_t lock;		/* inserts, removals, collection */
	siphash_key_t key;
	unsigned int bits;
	struct hlist_head *buckets;
	atomic_t count;
	unsigned int max;
	u64 last_gc;			/* wg_clock_ns() of the last collection */
};

/**
 * wg_ratelimiter_init() - Allocate an empty limiter.
 * @rl: the limiter.
 * @max_entries: cap on live buckets; 0 picks %WG_RATELIMITER_DEFAULT_MAX.
 *
 * Process context, may sleep.
 *
 * Return: 0 or -ENOMEM.
 */
int wg_ratelimiter_init(struct wg_ratelimiter *rl, unsigned int max_entries);

/**
 * wg_ratelimiter_uninit() - Free every bucket and the table.
 * @rl: the limiter; no wg_ratelimiter_allow() may run or start.
 *
 * Process context.
 */
void wg_ratelimiter_uninit(struct wg_ratelimiter *rl);

/**
 * wg_ratelimiter_allow() - Take a token for one message from a source.
 * @rl: the limiter.
 * @family: AF_INET or AF_INET6 (anything else is refused).
 * @addr: the source address, struct in_addr or struct in6_addr, network
 *	order; for IPv6 only the /64 counts.
 *
 * Time is wg_clock_ns(). Lock-free lookup under RCU, a short per-bucket lock
 * for the update; may run the once-a-second collection. Any context but
 * hard IRQ.
 *
 * Return: true if the message may be processed.
 */
bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, sa_family_t family,
			  const void *addr);

/**
 * wg_ratelimiter_count() - Number of live buckets (for tests and stats).
 * @rl: the limiter.
 */
static inline unsigned int wg_ratelimiter_count(struct wg_ratelimiter *rl)
{
	return atomic_read(&rl->count);
}

#endif /* _KWG_RATELIMITER_H */
