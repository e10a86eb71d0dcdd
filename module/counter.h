/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-keypair replay window: a ring of bits over the most recent
 * counters (RFC 6479), 8192 bits of which one machine word is slack, so a
 * counter is accepted when it is at most WG_COUNTER_WINDOW - 1 below the
 * highest counter accepted so far and was not accepted before.
 */
#ifndef _KWG_COUNTER_H
#define _KWG_COUNTER_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/bitops.h>

#define WG_COUNTER_BITS_TOTAL 8192
#define WG_COUNTER_WORDS (WG_COUNTER_BITS_TOTAL / BITS_PER_LONG)
/* How far below the highest accepted counter a counter may still be new. */
#define WG_COUNTER_WINDOW (WG_COUNTER_BITS_TOTAL - BITS_PER_LONG)

struct wg_counter {
	spinlock_t lock;		/* serialises receivers */
	/* One more than the highest counter accepted, 0 when none was. */
	u64 next;
	unsigned long ring[WG_COUNTER_WORDS];
};

/**
 * wg_counter_init() - Start an empty window: every counter below
 * %WG_REJECT_AFTER_MESSAGES is new.
 * @c: the window.
 *
 * Any context; no concurrent user may exist yet.
 */
void wg_counter_init(struct wg_counter *c);

/**
 * wg_counter_validate() - Accept @counter once, if it is inside the window.
 * @c: the window.
 * @counter: the counter of a message whose AEAD has already opened.
 *
 * Call only after authentication: acceptance records @counter, so a forged
 * message must never reach this. Rejects a counter at or beyond
 * %WG_REJECT_AFTER_MESSAGES, one at least %WG_COUNTER_WINDOW below the
 * highest accepted, and one already accepted. Concurrent callers are
 * serialised by @c->lock (taken with BH disabled); any context but hard IRQ.
 *
 * Return: true if @counter is new (and is now recorded), false to drop.
 */
bool wg_counter_validate(struct wg_counter *c, u64 counter);

#endif /* _KWG_COUNTER_H */
