/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allowed-IPs table: one path-compressed binary radix trie per address
 * family, mapping prefixes to owners (peers) by longest-prefix match.
 *
 * Owners are opaque to the table: the peer embeds a struct wg_allowedips_owner
 * and gets back to itself with container_of(). The owner's entries are kept
 * on a list in the owner, so removing a peer costs its own entry count, not
 * the table size.
 *
 * Locking: readers (lookups) run lock-free under RCU. Writers (insert,
 * remove, walk, free) are serialised by the caller's configuration mutex,
 * which each writer takes as @lock purely so lockdep can check it is held.
 * Writers run in process context and may sleep.
 *
 * Memory: an entry costs one 64-byte node, plus at most one node where it
 * parts from another prefix (40 bytes on 64-bit; 64 for a removed entry
 * kept in place to branch), from two slab caches that
 * wg_allowedips_module_init() creates. An insert takes its nodes from a
 * pool the caller filled beforehand (struct wg_allowedips_pool), so that a
 * configuration change can allocate everything it needs first and then
 * apply all of it with steps that cannot fail. Nodes a writer unpublishes
 * are freed after an RCU grace period: they collect in the table's batch
 * (a page of pointers, allocated by the writer that needs a new one, with
 * GFP_KERNEL), which goes to call_rcu() when full or when the table is
 * freed. Without memory for a batch the writer waits for the grace period
 * itself (synchronize_rcu()), node by node until a page can be had again.
 * No step fails for lack of memory but the pool fill.
 */
#ifndef _KWG_ALLOWEDIPS_H
#define _KWG_ALLOWEDIPS_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>

struct wg_allowedips_node;

struct wg_allowedips {
	struct wg_allowedips_node __rcu *root4;
	struct wg_allowedips_node __rcu *root6;
	/* Nodes unpublished, freed after a grace period; the writer's. */
	struct retire_batch *retiring;
	/* Bumped on every change; lets a paused walk detect one. */
	unsigned long seq;
};

/* Embedded in the owner (the peer); initialise with wg_allowedips_owner_init(). */
struct wg_allowedips_owner {
	struct list_head entries;
};

/* One entry as seen by a walk. */
struct wg_allowedips_entry {
	sa_family_t family;	/* AF_INET or AF_INET6 */
	u8 cidr;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;			/* network order, host bits zero */
};

/*
 * Position of a paused walk over one owner's entries: plain values so that
 * a netlink dump can copy it into cb->args between calls. Zero-filled means
 * "from the start".
 */
struct wg_allowedips_cursor {
	unsigned long node;	/* next node to visit, valid while seq holds */
	unsigned long index;	/* entries already visited */
	unsigned long seq;	/* table seq when node was recorded */
};

#define WG_ALLOWEDIPS_CURSOR_LONGS \
	(sizeof(struct wg_allowedips_cursor) / sizeof(unsigned long))

/*
 * Nodes allocated ahead of a batch of inserts, private to the caller (no
 * lock). An insert takes at most this many of each kind: the entry, and a
 * branch node when the new prefix parts from an existing one. The lists
 * link unpublished nodes.
 */
#define WG_ALLOWEDIPS_ENTRIES_PER_INSERT 1
#define WG_ALLOWEDIPS_BRANCHES_PER_INSERT 1

struct wg_allowedips_pool {
	struct wg_allowedips_node *entries;
	struct wg_allowedips_node *branches;
	unsigned int entry_count;
	unsigned int branch_count;
};

/**
 * wg_allowedips_module_init() - Create the node caches.
 *
 * Context: once, before any other function here; process context.
 *
 * Return: 0 or -ENOMEM.
 */
int wg_allowedips_module_init(void);

/**
 * wg_allowedips_module_uninit() - Destroy the node caches.
 *
 * Context: once, after every table is freed and every pool released;
 * process context. Sleeps: waits for the frees still pending after a grace
 * period (rcu_barrier()).
 */
void wg_allowedips_module_uninit(void);

/**
 * wg_allowedips_pool_init() - Initialise an empty pool.
 * @pool: the pool.
 *
 * Any context.
 */
static inline void wg_allowedips_pool_init(struct wg_allowedips_pool *pool)
{
	pool->entries = NULL;
	pool->branches = NULL;
	pool->entry_count = 0;
	pool->branch_count = 0;
}

/**
 * wg_allowedips_pool_fill() - Top a pool up for a number of inserts.
 * @pool: the pool.
 * @inserts: how many inserts the pool must be able to serve, in total
 *	(not in addition to what it holds).
 *
 * Afterwards every one of @inserts calls of wg_allowedips_insert() with
 * this pool and valid arguments succeeds. Needs no table lock: the pool
 * is the caller's alone. Allocates at most %WG_ALLOWEDIPS_ENTRIES_PER_INSERT
 * entry nodes and %WG_ALLOWEDIPS_BRANCHES_PER_INSERT branch nodes per
 * insert. Process context: allocates with GFP_KERNEL and may sleep.
 *
 * Return: 0, or -ENOMEM; the pool then holds what could be allocated and
 * must still be released.
 */
int wg_allowedips_pool_fill(struct wg_allowedips_pool *pool,
			    unsigned int inserts);

/**
 * wg_allowedips_pool_release() - Free the nodes no insert took.
 * @pool: the pool; empty and reusable afterwards.
 *
 * The nodes were never published, so they are freed at once. Process
 * context; does not sleep.
 */
void wg_allowedips_pool_release(struct wg_allowedips_pool *pool);

/**
 * wg_allowedips_init() - Initialise an empty table.
 * @table: the table.
 *
 * Any context.
 */
void wg_allowedips_init(struct wg_allowedips *table);

/**
 * wg_allowedips_owner_init() - Initialise an owner with no entries.
 * @owner: the owner.
 */
static inline void wg_allowedips_owner_init(struct wg_allowedips_owner *owner)
{
	INIT_LIST_HEAD(&owner->entries);
}

/**
 * wg_allowedips_free() - Remove every entry of every owner.
 * @table: the table.
 * @lock: the configuration mutex, held by the caller.
 *
 * Owners' entry lists become empty. Nodes are freed after an RCU grace
 * period, so concurrent readers stay safe. Process context (lockdep checks
 * @lock); may sleep (it reschedules between nodes, and see the memory notes
 * at the top).
 */
void wg_allowedips_free(struct wg_allowedips *table, struct mutex *lock);

/**
 * wg_allowedips_insert() - Map a prefix to an owner.
 * @table: the table.
 * @pool: where new nodes come from (see wg_allowedips_pool_fill()).
 * @family: AF_INET or AF_INET6.
 * @addr: a struct in_addr or struct in6_addr, network order. Bits beyond
 *	@cidr are ignored (masked off).
 * @cidr: prefix length, at most 32 or 128.
 * @owner: the new owner of the prefix.
 * @lock: the configuration mutex, held by the caller.
 *
 * If the prefix is already in the table, only its owner changes (the entry
 * moves to @owner's list). Readers see either the old or the new state.
 * Nodes come from @pool alone: at most one entry node and one branch node.
 * Where the prefix had a branch node, the new entry node replaces it and
 * the branch is freed after a grace period, for which the insert may
 * allocate a page (without one it waits for the grace period). Process
 * context (lockdep checks @lock); may sleep in that case alone.
 *
 * Return: 0, -EINVAL for a bad family or prefix length, or -ENOMEM if
 * @pool lacks the nodes this insert needs (the table is then unchanged).
 */
int wg_allowedips_insert(struct wg_allowedips *table,
			 struct wg_allowedips_pool *pool, sa_family_t family,
			 const void *addr, u8 cidr,
			 struct wg_allowedips_owner *owner, struct mutex *lock);

/**
 * wg_allowedips_remove() - Remove one prefix if @owner owns it.
 * @table: the table.
 * @family: AF_INET or AF_INET6.
 * @addr: the prefix address (host bits ignored), network order.
 * @cidr: prefix length.
 * @owner: the expected owner; an entry owned by someone else is left alone.
 * @lock: the configuration mutex, held by the caller.
 *
 * Takes no node from a pool, and never fails once the entry is found: an
 * entry with two children stays in place, unowned, to branch. Freed nodes
 * go as the memory notes at the top say (a page may be allocated for
 * them, or a grace period waited for).
 *
 * Context: process context (lockdep checks @lock); may sleep.
 *
 * Return: 0 if removed, -ENOENT if the prefix is absent or owned by another
 * owner, -EINVAL for a bad family or prefix length.
 */
int wg_allowedips_remove(struct wg_allowedips *table, sa_family_t family,
			 const void *addr, u8 cidr,
			 struct wg_allowedips_owner *owner, struct mutex *lock);

/**
 * wg_allowedips_remove_owner() - Remove every entry of one owner.
 * @table: the table.
 * @owner: the owner; its list is empty afterwards.
 * @lock: the configuration mutex, held by the caller.
 *
 * Cost is proportional to @owner's entries. After it returns no new lookup
 * yields @owner; lookups already running may still return it until an RCU
 * grace period has passed. Takes no node from a pool; frees as
 * wg_allowedips_remove() does.
 *
 * Context: process context (lockdep checks @lock); may sleep (it also
 * reschedules between entries).
 */
void wg_allowedips_remove_owner(struct wg_allowedips *table,
				struct wg_allowedips_owner *owner, struct mutex *lock);

/**
 * wg_allowedips_lookup() - Longest-prefix match of one address.
 * @table: the table.
 * @family: AF_INET or AF_INET6 (anything else finds nothing).
 * @addr: a struct in_addr or struct in6_addr, network order.
 *
 * The send path passes the inner packet's destination, the receive path its
 * source; it is the same search. Lock-free: the caller must be inside
 * rcu_read_lock() or rcu_read_lock_bh(), and the returned owner is only
 * valid inside that section unless the caller takes a reference on it.
 * The cost depends on the address length, never on the number of owners.
 * Any context.
 *
 * Return: the owner of the longest matching prefix, or NULL.
 */
struct wg_allowedips_owner *wg_allowedips_lookup(struct wg_allowedips *table,
						 sa_family_t family,
						 const void *addr);

/**
 * wg_allowedips_walk_next() - Next entry of one owner, in insertion order.
 * @table: the table.
 * @owner: the owner whose entries are walked.
 * @cursor: the walk position; zero it to start. Advanced on success.
 * @entry: receives the entry.
 * @lock: the configuration mutex, held by the caller.
 *
 * A walk may be paused between calls, also across releases of @lock (a
 * netlink dump storing @cursor in cb->args). If the table changed in
 * between, the walk continues by position, which may skip or repeat entries:
 * wg_allowedips_walk_changed() tells the caller to mark its dump
 * interrupted. To "unread" an entry that did not fit, keep a copy of the
 * cursor from before the call and restore it. Process context; no sleep.
 *
 * Return: true with @entry filled, false when the walk is finished.
 */
bool wg_allowedips_walk_next(struct wg_allowedips *table,
			     struct wg_allowedips_owner *owner,
			     struct wg_allowedips_cursor *cursor,
			     struct wg_allowedips_entry *entry, struct mutex *lock);

/**
 * wg_allowedips_walk_changed() - Whether the table changed under a paused walk.
 * @table: the table.
 * @cursor: a cursor used with wg_allowedips_walk_next() at least once.
 *
 * Context: under the configuration mutex, before resuming the walk.
 *
 * Return: true if an insert or removal happened since the cursor's last step.
 */
static inline bool wg_allowedips_walk_changed(const struct wg_allowedips *table,
					      const struct wg_allowedips_cursor *cursor)
{
	return cursor->index && cursor->seq != table->seq;
}

#if IS_ENABLED(CONFIG_KWG_KUNIT_TEST)
/* The nodes of one family's trie, by role (KUnit only). */
struct wg_allowedips_stats {
	unsigned int entries;		/* entry nodes with an owner */
	unsigned int former_entries;	/* entry nodes kept to branch */
	unsigned int branches;		/* branch nodes */
};

/*
 * Count one family's nodes and check the trie's invariants: every child
 * extends its parent's prefix in the right slot, host bits are zero, and
 * every node without an owner has two children. Returns 0, -EINVAL on a
 * broken invariant (logged), or -ENOMEM. Under @lock.
 */
int wg_allowedips_check(struct wg_allowedips *table, sa_family_t family,
			struct wg_allowedips_stats *stats, struct mutex *lock);
#endif

#endif /* _KWG_ALLOWEDIPS_H */
