// SPDX-License-Identifier: GPL-2.0
/*
 * Token buckets per source, counted in nanoseconds of credit: a message
 * costs 1/20 s, a bucket holds at most 5 messages' worth, and credit grows
 * with elapsed time. A bucket idle for a second is full again, so dropping
 * it loses nothing; that is all the collection does.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/string.h>
#include <linux/log2.h>
#include "ratelimiter.h"
#include "messages.h"

#define COST_NS (NSEC_PER_SEC / WG_RATELIMITER_PER_SECOND)
#define BURST_NS (COST_NS * WG_RATELIMITER_BURST)
#define GC_INTERVAL_NS NSEC_PER_SEC
#define IDLE_NS NSEC_PER_SEC

struct rl_entry {
	struct hlist_node node;
	spinlock_t lock;		/* tokens and last */
	u64 last;			/* wg_clock_ns() of the last update */
	u64 tokens;			/* credit, in ns */
	u64 key;			/* IPv4 address or IPv6 /64 */
	sa_family_t family;
	struct rcu_head rcu;
};

int wg_ratelimiter_init(struct wg_ratelimiter *rl, unsigned int max_entries)
{
	size_t i, n;

	spin_lock_init(&rl->lock);
	get_random_bytes(&rl->key, sizeof(rl->key));
	rl->max = max_entries ?: WG_RATELIMITER_DEFAULT_MAX;
	/* About four buckets per hash slot when full. */
	rl->bits = max_t(unsigned int, 4, ilog2(rl->max / 4 ?: 1));
	n = 1UL << rl->bits;
	rl->buckets = kvmalloc_array(n, sizeof(*rl->buckets), GFP_KERNEL);
	if (!rl->buckets)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		INIT_HLIST_HEAD(&rl->buckets[i]);
	atomic_set(&rl->count, 0);
	rl->last_gc = wg_clock_ns();
	return 0;
}

void wg_ratelimiter_uninit(struct wg_ratelimiter *rl)
{
	struct rl_entry *entry;
	struct hlist_node *tmp;
	size_t i;

	if (!rl->buckets)
		return;
	for (i = 0; i < (1UL << rl->bits); i++) {
		hlist_for_each_entry_safe(entry, tmp, &rl->buckets[i], node) {
			hlist_del(&entry->node);
			kfree(entry);
		}
	}
	atomic_set(&rl->count, 0);
	kvfree(rl->buckets);
	rl->buckets = NULL;
}

/*
 * Drop buckets idle for a second. An update racing with the removal of its
 * bucket is lost, which at worst grants that source one more burst.
 */
static void ratelimiter_gc(struct wg_ratelimiter *rl, u64 now)
{
	struct rl_entry *entry;
	struct hlist_node *tmp;
	size_t i;

	if ((s64)(now - READ_ONCE(rl->last_gc)) < GC_INTERVAL_NS ||
	    !spin_trylock_bh(&rl->lock))
		return;
	WRITE_ONCE(rl->last_gc, now);
	for (i = 0; i < (1UL << rl->bits); i++) {
		hlist_for_each_entry_safe(entry, tmp, &rl->buckets[i], node) {
			if ((s64)(now - READ_ONCE(entry->last)) < IDLE_NS)
				continue;
			hlist_del_rcu(&entry->node);
			atomic_dec(&rl->count);
			kfree_rcu(entry, rcu);
		}
	}
	spin_unlock_bh(&rl->lock);
}

static bool take_token(struct rl_entry *entry, u64 now)
{
	u64 tokens;
	bool ok;

	spin_lock_bh(&entry->lock);
	tokens = entry->tokens;
	/* A clock that went back (only a test can do that) adds nothing. */
	if (now > entry->last)
		tokens = min_t(u64, BURST_NS, tokens + (now - entry->last));
	WRITE_ONCE(entry->last, max(now, entry->last));
	ok = tokens >= COST_NS;
	if (ok)
		tokens -= COST_NS;
	entry->tokens = tokens;
	spin_unlock_bh(&entry->lock);
	return ok;
}

static struct rl_entry *find(struct wg_ratelimiter *rl, struct hlist_head *head,
			     sa_family_t family, u64 key)
{
	struct rl_entry *entry;

	hlist_for_each_entry_rcu(entry, head, node, lockdep_is_held(&rl->lock)) {
		if (entry->key == key && entry->family == family)
			return entry;
	}
	return NULL;
}

bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, sa_family_t family,
			  const void *addr)
{
	struct rl_entry *entry, *fresh;
	struct hlist_head *head;
	u64 now = wg_clock_ns(), key;
	__be32 a4;
	__be64 a6;
	bool ok;

	if (family == AF_INET) {
		memcpy(&a4, addr, sizeof(a4));
		key = (__force u32)a4;
	} else if (family == AF_INET6) {
		memcpy(&a6, addr, sizeof(a6));	/* the /64 */
		key = (__force u64)a6;
	} else {
		return false;
	}

	ratelimiter_gc(rl, now);
	head = &rl->buckets[siphash_2u64(key, family, &rl->key) &
			    ((1UL << rl->bits) - 1)];

	rcu_read_lock();
	entry = find(rl, head, family, key);
	if (entry) {
		ok = take_token(entry, now);
		rcu_read_unlock();
		return ok;
	}
	rcu_read_unlock();

	/* A new source: refused outright when the table is full. */
	if (atomic_inc_return(&rl->count) > rl->max) {
		atomic_dec(&rl->count);
		return false;
	}
	fresh = kzalloc(sizeof(*fresh), GFP_ATOMIC);
	if (!fresh) {
		atomic_dec(&rl->count);
		return false;
	}
	spin_lock_init(&fresh->lock);
	fresh->family = family;
	fresh->key = key;
	fresh->last = now;
	fresh->tokens = BURST_NS - COST_NS;

	rcu_read_lock();
	spin_lock_bh(&rl->lock);
	entry = find(rl, head, family, key);
	if (!entry)
		hlist_add_head_rcu(&fresh->node, head);
	spin_unlock_bh(&rl->lock);
	if (!entry) {
		rcu_read_unlock();
		return true;
	}

	/* Another CPU added the same source meanwhile: use its bucket. */
	kfree(fresh);
	atomic_dec(&rl->count);
	ok = take_token(entry, now);
	rcu_read_unlock();
	return ok;
}
