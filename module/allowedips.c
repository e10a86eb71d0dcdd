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
 * the first bit after the parent's prefix.
 *
 * Nodes come in two kinds, each from a cache of its own. A branch node is
 * the prefix and the two child pointers alone (40 bytes on 64-bit); it only
 * joins two subtrees where their prefixes part. An entry node has the same
 * layout, so that readers can treat both alike, followed by an owner and
 * the link in the owner's list (64 bytes). Readers read the owner of a node
 * only after checking its kind.
 *
 * Roles change without allocating where a change cannot fail: an entry
 * removed while it has two children stays in place to branch, unowned and
 * off every list, and becomes an entry again if its prefix is inserted
 * again. A prefix inserted where a branch node sits gets a new entry node,
 * which takes the branch's place and children; the branch is freed. A node
 * without an owner always has two children: one left with a single child
 * is spliced out, whatever its kind. So N entries take at most 2N - 1
 * nodes, of which at most N - 1 have no owner, and a search visits at most
 * one node per address bit.
 *
 * Readers follow published pointers under RCU. A node's key, length and
 * kind never change once published; only its owner and child pointers do,
 * each with a single pointer store, so a reader sees the old or the new
 * trie. Writers hold the caller's mutex. A branch node has no room for an
 * rcu_head that no reader reads, so writers collect the nodes they
 * unpublish in the table's batch (struct retire_batch), which carries one
 * rcu_head for all of them; the nodes are freed after a grace period.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include "allowedips.h"

enum node_kind {
	NODE_BRANCH,
	NODE_ENTRY,
};

/* A branch node, and the first part of an entry node. */
struct wg_allowedips_node {
	struct wg_allowedips_node __rcu *child[2];
	u64 key[2];
	u8 cidr;
	u8 bits;			/* 32 or 128 */
	u8 kind;			/* enum node_kind */
};

struct entry_node {
	struct wg_allowedips_node node;
	struct wg_allowedips_owner __rcu *owner;	/* NULL: kept only to branch */
	struct list_head entry;		/* in owner->entries, while owned */
};

/*
 * Memory per entry is an entry node and at most one node more: keep the
 * entry one cache line and the branch 40 bytes.
 */
static_assert(BITS_PER_LONG != 64 || sizeof(struct wg_allowedips_node) == 40);
static_assert(BITS_PER_LONG != 64 || sizeof(struct entry_node) == 64);

static struct kmem_cache *branch_cache __read_mostly;
static struct kmem_cache *entry_cache __read_mostly;

#define deref_locked(p, lock) rcu_dereference_protected(p, lockdep_is_held(lock))
#define deref_reader(p) rcu_dereference_check(p, rcu_read_lock_bh_held())
/* A pool's nodes are linked through child[0]; the pool is its owner's alone. */
#define deref_pool(p) rcu_dereference_protected(p, true)

static struct entry_node *entry_of(struct wg_allowedips_node *node)
{
	return container_of(node, struct entry_node, node);
}

static bool node_owned(struct wg_allowedips_node *node)
{
	return node->kind == NODE_ENTRY && rcu_access_pointer(entry_of(node)->owner);
}

int wg_allowedips_module_init(void)
{
	/* No SLAB_HWCACHE_ALIGN: it would round the branch up to 64 bytes. */
	branch_cache = kmem_cache_create("wg_allowedips_branch",
					 sizeof(struct wg_allowedips_node),
					 __alignof__(struct wg_allowedips_node), 0, NULL);
	entry_cache = kmem_cache_create("wg_allowedips_entry",
					sizeof(struct entry_node),
					__alignof__(struct entry_node), 0, NULL);
	if (!branch_cache || !entry_cache) {
		kmem_cache_destroy(entry_cache);
		kmem_cache_destroy(branch_cache);
		entry_cache = NULL;
		branch_cache = NULL;
		return -ENOMEM;
	}
	return 0;
}

void wg_allowedips_module_uninit(void)
{
	/* Retired batches free their nodes into the caches from call_rcu(). */
	rcu_barrier();
	kmem_cache_destroy(entry_cache);
	kmem_cache_destroy(branch_cache);
}

/*
 * Nodes a writer has unpublished, freed together after a grace period:
 * entry nodes from the front of nodes[], branch nodes from the back.
 */
struct retire_batch {
	struct rcu_head rcu;
	unsigned int entries;
	unsigned int branches;
	void *nodes[];
};

#define RETIRE_BATCH_NODES \
	((PAGE_SIZE - sizeof(struct retire_batch)) / sizeof(void *))

static void retire_batch_free(struct rcu_head *rcu)
{
	struct retire_batch *batch = container_of(rcu, struct retire_batch, rcu);

	kmem_cache_free_bulk(entry_cache, batch->entries, batch->nodes);
	kmem_cache_free_bulk(branch_cache, batch->branches,
			     batch->nodes + RETIRE_BATCH_NODES - batch->branches);
	kfree(batch);
}

static void retire_flush(struct wg_allowedips *table)
{
	if (table->retiring)
		call_rcu(&table->retiring->rcu, retire_batch_free);
	table->retiring = NULL;
}

/*
 * Free @node, just unpublished by the writer, when no reader can hold it.
 * The table's batch fills across writer calls and goes to call_rcu() when
 * full or when the table is freed: a page per call would cost a page for
 * every peer removed (10,000 peers: 40 MB waiting for a grace period), and
 * what waits here is at most one page's worth of nodes per table.
 */
static void retire(struct wg_allowedips *table, struct wg_allowedips_node *node)
{
	struct retire_batch *batch = table->retiring;

	if (batch && batch->entries + batch->branches == RETIRE_BATCH_NODES) {
		retire_flush(table);
		batch = NULL;
	}
	if (!batch) {
		batch = kmalloc(PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
		if (!batch) {
			/* Nothing to defer with: wait for the readers instead. */
			synchronize_rcu();
			kmem_cache_free(node->kind == NODE_ENTRY ? entry_cache :
					branch_cache, node);
			return;
		}
		batch->entries = 0;
		batch->branches = 0;
		table->retiring = batch;
	}
	if (node->kind == NODE_ENTRY)
		batch->nodes[batch->entries++] = node;
	else
		batch->nodes[RETIRE_BATCH_NODES - ++batch->branches] = node;
}

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

/* Takes a node from a pool list, which the caller made sure is not empty. */
static struct wg_allowedips_node *pool_take(struct wg_allowedips_node **list,
					    unsigned int *count,
					    const u64 key[2], unsigned int cidr,
					    unsigned int bits, enum node_kind kind)
{
	struct wg_allowedips_node *node = *list;

	*list = deref_pool(node->child[0]);
	(*count)--;
	RCU_INIT_POINTER(node->child[0], NULL);
	RCU_INIT_POINTER(node->child[1], NULL);
	node->key[0] = key[0];
	node->key[1] = key[1];
	key_mask(node->key, cidr);
	node->cidr = cidr;
	node->bits = bits;
	node->kind = kind;
	return node;
}

/* A new entry node, already on @owner's list (which readers never see). */
static struct wg_allowedips_node *new_entry(struct wg_allowedips_pool *pool,
					    const u64 key[2], unsigned int cidr,
					    unsigned int bits,
					    struct wg_allowedips_owner *owner)
{
	struct wg_allowedips_node *node;
	struct entry_node *e;

	node = pool_take(&pool->entries, &pool->entry_count, key, cidr, bits,
			 NODE_ENTRY);
	e = entry_of(node);
	RCU_INIT_POINTER(e->owner, owner);
	list_add_tail(&e->entry, &owner->entries);
	return node;
}

static void entry_set_owner(struct entry_node *e,
			    struct wg_allowedips_owner *owner, struct mutex *lock)
{
	struct wg_allowedips_owner *old = deref_locked(e->owner, lock);

	if (old == owner)
		return;
	if (old)
		list_del(&e->entry);
	list_add_tail(&e->entry, &owner->entries);
	rcu_assign_pointer(e->owner, owner);
}

/* Nodes per kmem_cache_{alloc,free}_bulk() call: an array on the stack. */
#define POOL_BULK_NODES 16

static int pool_top_up(struct kmem_cache *cache, struct wg_allowedips_node **list,
		       unsigned int *count, unsigned int want)
{
	struct wg_allowedips_node *node;
	void *fresh[POOL_BULK_NODES];
	unsigned int i, n;

	while (*count < want) {
		n = min_t(unsigned int, want - *count, ARRAY_SIZE(fresh));
		if (!kmem_cache_alloc_bulk(cache, GFP_KERNEL, n, fresh))
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			node = fresh[i];
			RCU_INIT_POINTER(node->child[0], *list);
			*list = node;
		}
		*count += n;
	}
	return 0;
}

int wg_allowedips_pool_fill(struct wg_allowedips_pool *pool,
			    unsigned int inserts)
{
	might_sleep();
	return pool_top_up(entry_cache, &pool->entries, &pool->entry_count,
			   inserts * WG_ALLOWEDIPS_ENTRIES_PER_INSERT) ?:
	       pool_top_up(branch_cache, &pool->branches, &pool->branch_count,
			   inserts * WG_ALLOWEDIPS_BRANCHES_PER_INSERT);
}

static void pool_drain(struct kmem_cache *cache, struct wg_allowedips_node *node)
{
	void *batch[POOL_BULK_NODES];
	unsigned int n = 0;

	for (; node; node = deref_pool(node->child[0])) {
		if (n == ARRAY_SIZE(batch)) {
			kmem_cache_free_bulk(cache, n, batch);
			n = 0;
		}
		batch[n++] = node;
	}
	kmem_cache_free_bulk(cache, n, batch);
}

void wg_allowedips_pool_release(struct wg_allowedips_pool *pool)
{
	pool_drain(entry_cache, pool->entries);
	pool_drain(branch_cache, pool->branches);
	wg_allowedips_pool_init(pool);
}

void wg_allowedips_init(struct wg_allowedips *table)
{
	RCU_INIT_POINTER(table->root4, NULL);
	RCU_INIT_POINTER(table->root6, NULL);
	table->retiring = NULL;
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
	might_sleep();
	if (!bits || cidr > bits || !owner)
		return -EINVAL;
	key_from_addr(key, bits, addr);
	key_mask(key, cidr);

	/* Down to the prefix, or to the first node it does not lead to. */
	slot = root_slot(table, bits);
	while ((node = deref_locked(*slot, lock))) {
		common = min3(key_common(node->key, key),
			      (unsigned int)node->cidr, (unsigned int)cidr);
		if (common < node->cidr || common == cidr)
			break;
		slot = &node->child[key_bit(key, node->cidr)];
	}

	if (node && common == node->cidr) {
		/* The prefix has a node: an entry (maybe a former one)... */
		if (node->kind == NODE_ENTRY) {
			entry_set_owner(entry_of(node), owner, lock);
			table->seq++;
			return 0;
		}
		/* ... or a branch, which an entry node replaces. */
		if (!pool->entry_count)
			return -ENOMEM;
		fresh = new_entry(pool, key, cidr, bits, owner);
		RCU_INIT_POINTER(fresh->child[0], deref_locked(node->child[0], lock));
		RCU_INIT_POINTER(fresh->child[1], deref_locked(node->child[1], lock));
		rcu_assign_pointer(*slot, fresh);
		retire(table, node);
		table->seq++;
		return 0;
	}

	/* A new leaf, or a new entry above @node, or both under a branch. */
	if (!pool->entry_count || (node && common != cidr && !pool->branch_count))
		return -ENOMEM;
	fresh = new_entry(pool, key, cidr, bits, owner);
	if (!node) {
		rcu_assign_pointer(*slot, fresh);
	} else if (common == cidr) {
		RCU_INIT_POINTER(fresh->child[key_bit(node->key, cidr)], node);
		rcu_assign_pointer(*slot, fresh);
	} else {
		branch = pool_take(&pool->branches, &pool->branch_count, key,
				   common, bits, NODE_BRANCH);
		RCU_INIT_POINTER(branch->child[key_bit(key, common)], fresh);
		RCU_INIT_POINTER(branch->child[key_bit(node->key, common)], node);
		rcu_assign_pointer(*slot, branch);
	}
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

static void remove_entry(struct wg_allowedips *table, struct entry_node *e,
			 struct mutex *lock)
{
	struct wg_allowedips_node __rcu **slot, **parent_slot;
	struct wg_allowedips_node *node = &e->node, *parent, *child, *other;

	list_del(&e->entry);
	RCU_INIT_POINTER(e->owner, NULL);
	table->seq++;

	child = deref_locked(node->child[0], lock);
	other = deref_locked(node->child[1], lock);
	if (child && other)
		return;	/* still needed to branch: it stays, unowned */

	slot = find_slot(table, node, &parent, &parent_slot, lock);
	if (!slot)
		return;
	child = child ?: other;
	rcu_assign_pointer(*slot, child);
	retire(table, node);

	/* A parent without an owner, left with one child, goes too. */
	if (child || !parent || node_owned(parent))
		return;
	other = deref_locked(parent->child[0], lock) ?: deref_locked(parent->child[1], lock);
	rcu_assign_pointer(*parent_slot, other);
	retire(table, parent);
}

int wg_allowedips_remove(struct wg_allowedips *table, sa_family_t family,
			 const void *addr, u8 cidr,
			 struct wg_allowedips_owner *owner, struct mutex *lock)
{
	unsigned int bits = family_bits(family);
	struct wg_allowedips_node *node;
	u64 key[2];

	lockdep_assert_held(lock);
	might_sleep();
	if (!bits || cidr > bits)
		return -EINVAL;
	key_from_addr(key, bits, addr);
	key_mask(key, cidr);

	node = deref_locked(*root_slot(table, bits), lock);
	while (node && node->cidr < cidr && node_matches(node, key))
		node = deref_locked(node->child[key_bit(key, node->cidr)], lock);
	if (!node || node->cidr != cidr || !node_matches(node, key) ||
	    node->kind != NODE_ENTRY || !owner ||
	    deref_locked(entry_of(node)->owner, lock) != owner)
		return -ENOENT;
	remove_entry(table, entry_of(node), lock);
	return 0;
}

void wg_allowedips_remove_owner(struct wg_allowedips *table,
				struct wg_allowedips_owner *owner, struct mutex *lock)
{
	struct entry_node *e, *tmp;

	lockdep_assert_held(lock);
	might_sleep();
	/*
	 * A peer may own hundreds of thousands of prefixes: let others run
	 * between them (on a debug kernel, freeing 10^5 was an RCU stall).
	 * Only @e and unowned nodes are freed: @tmp, owned, stays.
	 */
	list_for_each_entry_safe(e, tmp, &owner->entries, entry) {
		remove_entry(table, e, lock);
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
static void free_subtree(struct wg_allowedips *table,
			 struct wg_allowedips_node *node, struct mutex *lock)
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
		if (node_owned(left))
			list_del(&entry_of(left)->entry);
		retire(table, left);
		cond_resched();
	}
}

void wg_allowedips_free(struct wg_allowedips *table, struct mutex *lock)
{
	struct wg_allowedips_node *root4, *root6;

	lockdep_assert_held(lock);
	might_sleep();
	root4 = deref_locked(table->root4, lock);
	root6 = deref_locked(table->root6, lock);
	RCU_INIT_POINTER(table->root4, NULL);
	RCU_INIT_POINTER(table->root6, NULL);
	table->seq++;
	free_subtree(table, root4, lock);
	free_subtree(table, root6, lock);
	retire_flush(table);
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
		/* A branch node ends where its kind says: no owner to read. */
		if (node->kind == NODE_ENTRY) {
			owner = deref_reader(entry_of(node)->owner);
			if (owner)
				found = owner;
		}
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
	struct entry_node *e = NULL, *iter;
	unsigned long i = 0;

	lockdep_assert_held(lock);
	if (!cursor->index) {
		e = list_first_entry_or_null(&owner->entries, struct entry_node, entry);
	} else if (cursor->seq == table->seq) {
		/* Nothing changed, so nothing was freed: the pointer holds. */
		e = (struct entry_node *)cursor->node;
	} else {
		/* The pointer may be stale: resume by position instead. */
		list_for_each_entry(iter, &owner->entries, entry) {
			if (i++ == cursor->index) {
				e = iter;
				break;
			}
		}
	}
	cursor->seq = table->seq;
	if (!e) {
		cursor->node = 0;
		return false;
	}
	key_to_entry(&e->node, entry);
	cursor->index++;
	cursor->node = list_is_last(&e->entry, &owner->entries) ? 0 :
		       (unsigned long)list_next_entry(e, entry);
	return true;
}

#if IS_ENABLED(CONFIG_KWG_KUNIT_TEST)
/* Whether @child may sit in slot @bit of @parent. */
static bool child_fits(const struct wg_allowedips_node *parent,
		       const struct wg_allowedips_node *child, unsigned int bit)
{
	return child->bits == parent->bits && child->cidr > parent->cidr &&
	       node_matches(parent, child->key) &&
	       key_bit(child->key, parent->cidr) == bit;
}

int wg_allowedips_check(struct wg_allowedips *table, sa_family_t family,
			struct wg_allowedips_stats *stats, struct mutex *lock)
{
	/* A path has at most 129 nodes, each leaving one sibling behind. */
	const unsigned int depth = 2 * 129 + 2;
	unsigned int bits = family_bits(family), n = 0, i;
	struct wg_allowedips_node **stack, *node, *child[2];
	struct wg_allowedips_owner *owner;
	u64 key[2];
	int ret = 0;

	lockdep_assert_held(lock);
	memset(stats, 0, sizeof(*stats));
	if (!bits)
		return -EINVAL;
	stack = kmalloc_array(depth, sizeof(*stack), GFP_KERNEL);
	if (!stack)
		return -ENOMEM;
	node = deref_locked(*root_slot(table, bits), lock);
	if (node)
		stack[n++] = node;
	while (n && !ret) {
		node = stack[--n];
		key[0] = node->key[0];
		key[1] = node->key[1];
		key_mask(key, node->cidr);
		child[0] = deref_locked(node->child[0], lock);
		child[1] = deref_locked(node->child[1], lock);
		owner = NULL;
		if (node->kind == NODE_ENTRY)
			owner = deref_locked(entry_of(node)->owner, lock);
		if (node->bits != bits || node->cidr > bits ||
		    key[0] != node->key[0] || key[1] != node->key[1] ||
		    (node->kind != NODE_ENTRY && node->kind != NODE_BRANCH) ||
		    (!owner && (!child[0] || !child[1]))) {
			pr_err("allowedips: bad node /%u kind %u, %s\n", node->cidr,
			       node->kind, child[0] && child[1] ? "two children" :
			       "fewer than two children");
			ret = -EINVAL;
			break;
		}
		if (node->kind == NODE_BRANCH)
			stats->branches++;
		else if (owner)
			stats->entries++;
		else
			stats->former_entries++;
		for (i = 0; i < 2; i++) {
			if (!child[i])
				continue;
			if (!child_fits(node, child[i], i) || n == depth) {
				pr_err("allowedips: bad child %u of /%u\n", i, node->cidr);
				ret = -EINVAL;
				break;
			}
			stack[n++] = child[i];
		}
	}
	kfree(stack);
	return ret;
}
#endif
