// SPDX-License-Identifier: GPL-2.0
/*
 * The per-peer, per-kind rate limit of protocol events: the last
 * WG_EVENT_LIMIT_BURST send times, in a ring.
 */

#include <linux/overflow.h>

#include "event_limit.h"

static void count_refused(struct wg_event_limit *lim, u32 n)
{
	if (check_add_overflow(lim->suppressed, n, &lim->suppressed))
		lim->suppressed = U32_MAX;
}

bool wg_event_limit_allow(struct wg_event_limit *lim, u64 now, u32 *suppressed)
{
	if (lim->used == WG_EVENT_LIMIT_BURST &&
	    now - lim->sent_at[lim->next] < WG_EVENT_LIMIT_PERIOD_NS) {
		count_refused(lim, 1);
		return false;
	}
	lim->sent_at[lim->next] = now;
	lim->next = (lim->next + 1) % WG_EVENT_LIMIT_BURST;
	if (lim->used < WG_EVENT_LIMIT_BURST)
		lim->used++;
	*suppressed = lim->suppressed;
	lim->suppressed = 0;
	return true;
}

void wg_event_limit_unsend(struct wg_event_limit *lim, u32 suppressed)
{
	count_refused(lim, suppressed);
	count_refused(lim, 1);
}
