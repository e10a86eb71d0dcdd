// SPDX-License-Identifier: GPL-2.0
/*
 * Replay window (RFC 6479): bit n % WG_COUNTER_BITS_TOTAL of the ring says
 * whether counter n was accepted. Moving forward clears the words the window
 * slides onto; the spare word lets a partly filled top word share the ring
 * with the oldest one without aliasing.
 */
#include <linux/string.h>
#include "counter.h"
#include "messages.h"

#define WORD_SHIFT ilog2(BITS_PER_LONG)

void wg_counter_init(struct wg_counter *c)
{
	spin_lock_init(&c->lock);
	c->next = 0;
	memset(c->ring, 0, sizeof(c->ring));
}

bool wg_counter_validate(struct wg_counter *c, u64 counter)
{
	u64 word, first, steps, i;
	unsigned long bit;
	bool fresh = false;

	if (unlikely(counter >= WG_REJECT_AFTER_MESSAGES))
		return false;

	spin_lock_bh(&c->lock);
	/* No overflow: counter < WG_REJECT_AFTER_MESSAGES leaves room. */
	if (counter + WG_COUNTER_WINDOW < c->next)
		goto out;

	word = counter >> WORD_SHIFT;
	if (counter >= c->next) {
		/*
		 * Words past the one holding the highest accepted counter
		 * still hold bits from a lap of the ring ago: clear them
		 * before the window moves over them.
		 */
		first = c->next ? ((c->next - 1) >> WORD_SHIFT) + 1 : 0;
		if (word >= first) {
			steps = min_t(u64, word - first + 1, WG_COUNTER_WORDS);
			for (i = 0; i < steps; i++)
				c->ring[(first + i) % WG_COUNTER_WORDS] = 0;
		}
		c->next = counter + 1;
	}

	bit = counter & (BITS_PER_LONG - 1);
	fresh = !__test_and_set_bit(bit, &c->ring[word % WG_COUNTER_WORDS]);
out:
	spin_unlock_bh(&c->lock);
	return fresh;
}
