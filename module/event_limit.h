/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rate limit of a peer's protocol events of one kind (docs/events.md):
 * at most WG_EVENT_LIMIT_BURST sent in any WG_EVENT_LIMIT_PERIOD_NS, and a
 * count of those refused since the last one sent, which the next one sent
 * reports. Exact rather than a token bucket, so that no period, wherever it
 * starts, ever holds more: the limiter remembers the times of the last
 * WG_EVENT_LIMIT_BURST events sent and allows another once the oldest of
 * them is a period old.
 *
 * Pure logic on a caller's clock: no locking of its own (events.c holds
 * the peer's event_lock), no allocation.
 */
#ifndef _KWG_EVENT_LIMIT_H
#define _KWG_EVENT_LIMIT_H

#include <linux/types.h>
#include <linux/time64.h>

#define WG_EVENT_LIMIT_BURST 5
#define WG_EVENT_LIMIT_PERIOD_NS NSEC_PER_SEC

struct wg_event_limit {
	/* When the last events were sent; the oldest is at @next once full. */
	u64 sent_at[WG_EVENT_LIMIT_BURST];
	unsigned int used;	/* entries of @sent_at in use */
	unsigned int next;	/* the entry the next event sent overwrites */
	u32 suppressed;		/* refused since the last one sent, saturating */
};

/**
 * wg_event_limit_allow() - Whether an event may be sent now.
 * @lim: the kind's limiter, zeroed to start.
 * @now: the time, in nanoseconds of a clock that never goes back.
 * @suppressed: receives, when the event may be sent, how many were refused
 *	since the previous one sent; the count then starts again from zero.
 *
 * Context: any; the caller serialises the calls on @lim.
 * Return: true to send the event; false if it is refused (and counted).
 */
bool wg_event_limit_allow(struct wg_event_limit *lim, u64 now, u32 *suppressed);

/**
 * wg_event_limit_unsend() - An allowed event could not be sent after all.
 * @lim: the kind's limiter.
 * @suppressed: the count wg_event_limit_allow() handed out with it.
 *
 * The event and those it was to report count as refused, so that the next
 * event sent reports them. Its place in the period stays taken.
 *
 * Context: any; the caller serialises the calls on @lim.
 */
void wg_event_limit_unsend(struct wg_event_limit *lim, u32 suppressed);

#endif /* _KWG_EVENT_LIMIT_H */
