// SPDX-License-Identifier: GPL-2.0
/*
 * The allowed-IPs trie.
 *
 * Keys are handled as 128-bit integers, most significant bit first (an IPv4
 * address fills the top 32 bits), so both families share one code path with
 * a family-dependent maximum length.
 *
 * Every node stands for a prefix (key, cidr) with the host bits zero. A
 * child extends its parent's prefix, and sits in the parent's slot given by
 * the first bit after the parent's prefix. Nodes with an owner are entries;
 * nodes without one exist only to branch, and always have two children (one
 * that drops to a single child is spliced out). So the trie holds at most
 * two nodes per entry, and a search visits at most one node per address bit.
 *
 * Readers follow published pointers under RCU. A node's key and length never
 * change once published; only its owner and child pointers do, each with a
 * single pointer store, so a reader sees the old or the new trie. Writers
 * hold the caller's mutex. Nodes are freed after a grace period.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include "allowedips.h"

struct wg_allowedips_node {
	struct wg_allowedips_node __rcu *child[2];
	struct wg_allowedips_owner __rcu *owner;	/* NULL: branch only */
	u64 key[2];
	u8 cidr;
	u8 bits;			/* 32 or 128 */
	union {
		struct list_head entry;	/* in owner->entries, while owned */
		struct rcu_head rcu;	/* once unpublished */
	};
};

/* Memory per entry is at most two of these: keep it one cache line. */
static_assert(BITS_PER_LONG != 64 || sizeof(struct wg_allowedips_node) == 64);

#define deref_locked(p, lock) rcu_dereference_protected(p, lockdep_is_held(lock))
#define deref_reader(p) rcu_dereference_check(p, rcu_read_lock_bh_held())

static unsigned int family_bits(sa_family_t family)
{
	switch (family) {
	case AF_INET:
		return 32;
	case AF_INET6:
		return 128;
	default:
		return 0;
	}
}

static struct wg_allowedips_node __rcu **root_slot(struct wg_allowedips *table,
						   unsigned int bits)
{
	return bits == 32 ? &table->root4 : &table->root6;
}

static void key_from_addr(u64 key[2], unsigned int bits, const void *addr)
{
	__be32 a4;
	__be64 a6[2];

	if (bits == 32) {
		memcpy(&a4, addr, sizeof(a4));
		key[0] = (u64)be32_to_cpu(a4) << 32;
		key[1] = 0;
	} else {
		memcpy(a6, addr, sizeof(a6));
		key[0] = be64_to_cpu(a6[0]);
		key[1] = be64_to_cpu(a6[1]);
	}
}

static void key_to_entry(const struct wg_allowedips_node *node,
			 struct wg_allowedips_entry *entry)
{
	__be64 a6[2];

	memset(entry, 0, sizeof(*entry));
	entry->cidr = node->cidr;
	if (node->bits == 32) {
		entry->family = AF_INET;
		entry->addr.v4.s_addr = cpu_to_be32(node->key[0] >> 32);
	} else {
		entry->family = AF_INET6;
		a6[0] = cpu_to_be64(node->key[0]);
		a6[1] = cpu_to_be64(node->key[1]);
		memcpy(&entry->addr.v6, a6, sizeof(a6));
	}
}

/* Zero every bit from position @cidr on. */
static void key_mask(u64 key[2], unsigned int cidr)
{
	if (cidr == 0) {
		key[0] = 0;
		key[1] = 0;
	} else if (cidr <= 64) {
		key[0] &= ~0ULL << (64 - cidr);
		key[1] = 0;
	} else {
		key[1] &= ~0ULL << (128 - cidr);
	}
}

static unsigned int key_bit(const u64 key[2], unsigned int pos)
{
	return pos < 64 ? (key[0] >> (63 - pos)) & 1 : (key[1] >> (127 - pos)) & 1;
}

/* Length of the longest common prefix of two keys (128 if equal). */
static unsigned int key_common(const u64 a[2], const u64 b[2])
{
	u64 x = a[0] ^ b[0];

	if (x)
		return 63 - __fls(x);
	x = a[1] ^ b[1];
	if (x)
		return 127 - __fls(x);
	return 128;
}

/* Whether @key starts with @node's prefix. */
static bool node_matches(const struct wg_allowedips_node *node, const u64 key[2])
{
	unsigned int cidr = node->cidr;

	if (cidr == 0)
		return true;
	if (cidr <= 64)
		return !((key[0] ^ node->key[0]) & (~0ULL << (64 - cidr)));
	return key[0] == node->key[0] &&
	       !((key[1] ^ node->key[1]) & (~0ULL << (128 - cidr)));
}

/* Takes a node from @pool, which the caller made sure is not empty. */
static struct wg_allowedips_node *node_new(struct wg_allowedips_pool *pool,
					   const u64 key[2], unsigned int cidr,
					   unsigned int bits)
{
	struct wg_allowedips_node *node;

	node = list_first_entry(&pool->nodes, struct wg_allowedips_node, entry);
	list_del(&node->entry);
	pool->count--;
	memset(node, 0, sizeof(*node));
	node->key[0] = key[0];
	node->key[1] = key[1];
	key_mask(node->key, cidr);
	node->cidr = cidr;
	node->bits = bits;
	return node;
}

static void node_set_owner(struct wg_allowedips_node *node,
			   struct wg_allowedips_owner *owner, struct mutex *lock)
{
	struct wg_allowedips_owner *old = deref_locked(node->owner, lock);

	if (old == owner)
		return;
	if (old)
		list_del(&node->entry);
	list_add_tail(&node->entry, &owner->entries);
	rcu_assign_pointer(node->owner, owner);
}

int wg_allowedips_pool_fill(struct wg_allowedips_pool *pool,
			    unsigned int inserts)
{
	struct wg_allowedips_node *node;

	while (pool->count / WG_ALLOWEDIPS_NODES_PER_INSERT < inserts) {
		node = kzalloc(sizeof(*node), GFP_KERNEL);
		if (!node)
			return -ENOMEM;
		list_add(&node->entry, &pool->nodes);
		pool->count++;
	}
	return 0;
}

void wg_allowedips_pool_release(struct wg_allowedips_pool *pool)
{
	struct wg_allowedips_node *node, *tmp;

	list_for_each_entry_safe(node, tmp, &pool->nodes, entry)
		kfree(node);
	wg_allowedips_pool_init(pool);
}

void wg_allowedips_init(struct wg_allowedips *table)
{
	RCU_INIT_POINTER(table->root4, NULL);
	RCU_INIT_POINTER(table->root6, NULL);
	table->seq = 1;
}

int wg_allowedips_insert(struct wg_allowedips *table,
			 struct wg_allowedips_pool *pool, sa_family_t family,
			 const void *addr, u8 cidr,
			 struct wg_allowedips_owner *owner, struct mutex *lock)
{
	unsigned int bits = family_bits(family), common = 0;
	struct wg_allowedips_node __rcu **slot;
	struct wg_allowedips_node *node, *fresh, *branch;
	u64 key[2];

	lockdep_assert_held(lock);
	if (!bits || cidr > bits || !owner)
		return -EINVAL;
	key_from_addr(key, bits, addr);
	key_mask(key, cidr);

	slot = root_slot(table, bits);
	for (;;) {
		node = deref_locked(*slot, lock);
		if (!node)
			break;
		common = min3(key_common(node->key, key),
			      (unsigned int)node->cidr, (unsigned int)cidr);
		if (common == node->cidr && common == cidr) {
			node_set_owner(node, owner, lock);
			table->seq++;
			return 0;
		}
		if (common < node->cidr)
			break;
		slot = &node->child[key_bit(key, node->cidr)];
	}

	/* A new leaf, or a new entry above @node, or both under a branch. */
	if (pool->count < (node && common != cidr ? 2 : 1))
		return -ENOMEM;
	fresh = node_new(pool, key, cidr, bits);
	RCU_INIT_POINTER(fresh->owner, owner);

	if (!node) {
		/* An empty slot: the new entry is a leaf. */
		rcu_assign_pointer(*slot, fresh);
	} else if (common == cidr) {
		/* The new prefix covers @node: it goes between. */
		RCU_INIT_POINTER(fresh->child[key_bit(node->key, cidr)], node);
		rcu_assign_pointer(*slot, fresh);
	} else {
		/* They part at bit @common: a branch node holds both. */
		branch = node_new(pool, key, common, bits);
		RCU_INIT_POINTER(branch->child[key_bit(key, common)], fresh);
		RCU_INIT_POINTER(branch->child[key_bit(node->key, common)], node);
		rcu_assign_pointer(*slot, branch);
	}
	list_add_tail(&fresh->entry, &owner->entries);
	table->seq++;
	return 0;
}

/*
 * The slot that points to @node, and the slot that points to its parent
 * (NULL for a root), found by descending along @node's key.
 */
static struct wg_allowedips_node __rcu **
find_slot(struct wg_allowedips *table, struct wg_allowedips_node *node,
	  struct wg_allowedips_node **parent,
	  struct wg_allowedips_node __rcu ***parent_slot, struct mutex *lock)
{
	struct wg_allowedips_node __rcu **slot = root_slot(table, node->bits);
	struct wg_allowedips_node *cur;

	*parent = NULL;
	*parent_slot = NULL;
	while ((cur = deref_locked(*slot, lock)) != node) {
		if (WARN_ON_ONCE(!cur || cur->cidr >= node->cidr))
			return NULL;
		*parent = cur;
		*parent_slot = slot;
		slot = &cur->child[key_bit(node->key, cur->cidr)];
	}
	return slot;
}

static void remove_node(struct wg_allowedips *table,
			struct wg_allowedips_node *node, struct mutex *lock)
{
	struct wg_allowedips_node __rcu **slot, **parent_slot;
	struct wg_allowedips_node *parent, *child, *other;

	list_del(&node->entry);
	RCU_INIT_POINTER(node->owner, NULL);
	table->seq++;

	if (deref_locked(node->child[0], lock) && deref_locked(node->child[1], lock))
		return;	/* still needed to branch */

	slot = find_slot(table, node, &parent, &parent_slot, lock);
	if (!slot)
		return;
	child = deref_locked(node->child[0], lock) ?: deref_locked(node->child[1], lock);
	rcu_assign_pointer(*slot, child);
	kfree_rcu(node, rcu);

	/* A branch node left with one child is spliced out too. */
	if (child || !parent || rcu_access_pointer(parent->owner))
		return;
	other = deref_locked(parent->child[0], lock) ?: deref_locked(parent->child[1], lock);
	rcu_assign_pointer(*parent_slot, other);
	kfree_rcu(parent, rcu);
}

int wg_allowedips_remove(struct wg_allowedips *table, sa_family_t family,
			 const void *addr, u8 cidr,
			 struct wg_allowedips_owner *owner, struct mutex *lock)
{
	unsigned int bits = family_bits(family);
	struct wg_allowedips_node *node;
	u64 key[2];

	lockdep_assert_held(lock);
	if (!bits || cidr > bits)
		return -EINVAL;
	key_from_addr(key, bits, addr);
	key_mask(key, cidr);

	node = deref_locked(*root_slot(table, bits), lock);
	while (node && node->cidr < cidr && node_matches(node, key))
		node = deref_locked(node->child[key_bit(key, node->cidr)], lock);
	if (!node || node->cidr != cidr || !node_matches(node, key) ||
	    deref_locked(node->owner, lock) != owner)
		return -ENOENT;
	remove_node(table, node, lock);
	return 0;
}

void wg_allowedips_remove_owner(struct wg_allowedips *table,
				struct wg_allowedips_owner *owner, struct mutex *lock)
{
	struct wg_allowedips_node *node, *tmp;

	lockdep_assert_held(lock);
	/*
	 * A peer may own hundreds of thousands of prefixes: let others run
	 * between them (on a debug kernel, freeing 10^5 was an RCU stall).
	 */
	list_for_each_entry_safe(node, tmp, &owner->entries, entry) {
		remove_node(table, node, lock);
		cond_resched();
	}
}

/*
 * Free a subtree without recursion or a stack: rotate left children up
 * until the top has none, then free the top and continue with its right
 * child. Readers that entered before the root was unpublished may still be
 * walking these nodes; rotations only point at nodes that stay allocated
 * until after a grace period, and never make a cycle.
 */
static void free_subtree(struct wg_allowedips_node *node, struct mutex *lock)
{
	struct wg_allowedips_node *left;

	while (node) {
		left = deref_locked(node->child[0], lock);
		if (left) {
			RCU_INIT_POINTER(node->child[0], deref_locked(left->child[1], lock));
			RCU_INIT_POINTER(left->child[1], node);
			node = left;
			continue;
		}
		left = node;
		node = deref_locked(node->child[1], lock);
		if (rcu_access_pointer(left->owner))
			list_del(&left->entry);
		kfree_rcu(left, rcu);
		cond_resched();
	}
}

void wg_allowedips_free(struct wg_allowedips *table, struct mutex *lock)
{
	struct wg_allowedips_node *root4, *root6;

	lockdep_assert_held(lock);
	root4 = deref_locked(table->root4, lock);
	root6 = deref_locked(table->root6, lock);
	RCU_INIT_POINTER(table->root4, NULL);
	RCU_INIT_POINTER(table->root6, NULL);
	table->seq++;
	free_subtree(root4, lock);
	free_subtree(root6, lock);
}

struct wg_allowedips_owner *wg_allowedips_lookup(struct wg_allowedips *table,
						 sa_family_t family,
						 const void *addr)
{
	unsigned int bits = family_bits(family);
	struct wg_allowedips_owner *found = NULL, *owner;
	struct wg_allowedips_node *node;
	u64 key[2];

	if (!bits)
		return NULL;
	key_from_addr(key, bits, addr);
	node = deref_reader(*root_slot(table, bits));
	while (node && node_matches(node, key)) {
		owner = deref_reader(node->owner);
		if (owner)
			found = owner;
		if (node->cidr == bits)
			break;
		node = deref_reader(node->child[key_bit(key, node->cidr)]);
	}
	return found;
}

bool wg_allowedips_walk_next(struct wg_allowedips *table,
			     struct wg_allowedips_owner *owner,
			     struct wg_allowedips_cursor *cursor,
			     struct wg_allowedips_entry *entry, struct mutex *lock)
{
	struct wg_allowedips_node *node = NULL, *iter;
	unsigned long i = 0;

	lockdep_assert_held(lock);
	if (!cursor->index) {
		node = list_first_entry_or_null(&owner->entries,
						struct wg_allowedips_node, entry);
	} else if (cursor->seq == table->seq) {
		node = (struct wg_allowedips_node *)cursor->node;
	} else {
		/* The pointer may be stale: resume by position instead. */
		list_for_each_entry(iter, &owner->entries, entry) {
			if (i++ == cursor->index) {
				node = iter;
				break;
			}
		}
	}
	cursor->seq = table->seq;
	if (!node) {
		cursor->node = 0;
		return false;
	}
	key_to_entry(node, entry);
	cursor->index++;
	cursor->node = list_is_last(&node->entry, &owner->entries) ? 0 :
		       (unsigned long)list_next_entry(node, entry);
	return true;
}
