/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two per-device lookup tables of the handshake:
 *
 *  - the public-key table: a peer's static public key -> the peer's entry
 *    (initiations name their sender by public key);
 *  - the index table: a random 32-bit index, unique on the device -> the
 *    handshake or keypair that chose it (every other message names its
 *    receiver by index).
 *
 * Entries are embedded in their owners; the tables never allocate entries
 * and never take references: a lookup returns a pointer that is valid inside
 * the caller's RCU read-side section, and the caller pins the owner (e.g.
 * kref_get_unless_zero()) before leaving it. Removal is followed by an RCU
 * grace period before the owner may be freed.
 */
#ifndef _KWG_PEERLOOKUP_H
#define _KWG_PEERLOOKUP_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/siphash.h>
#include "messages.h"

struct wg_pubkey_table {
	struct mutex lock;		/* writers */
	siphash_key_t key;		/* random: chains cannot be steered */
	unsigned int bits;
	struct hlist_head *buckets;
};

struct wg_pubkey_entry {
	struct hlist_node node;
	u8 pubkey[WG_PUBLIC_KEY_LEN];
	bool hashed;
};

/* What an index names; lookups filter by a mask of these. */
enum wg_index_kind {
	WG_INDEX_HANDSHAKE = 1U << 0,
	WG_INDEX_KEYPAIR = 1U << 1,
};

struct wg_index_table {
	spinlock_t lock;		/* writers, taken with BH disabled */
	unsigned int bits;
	struct hlist_head *buckets;
};

struct wg_index_entry {
	struct hlist_node node;
	__le32 index;			/* as on the wire */
	u8 kind;			/* enum wg_index_kind */
	bool hashed;
};

/**
 * wg_pubkey_table_init() - Allocate an empty public-key table.
 * @table: the table.
 *
 * Process context, may sleep.
 *
 * Return: 0 or -ENOMEM.
 */
int wg_pubkey_table_init(struct wg_pubkey_table *table);

/**
 * wg_pubkey_table_free() - Free the table; it must be empty.
 * @table: the table.
 *
 * Process context. Entries still hashed are a caller bug (warned about).
 */
void wg_pubkey_table_free(struct wg_pubkey_table *table);

/**
 * wg_pubkey_table_add() - Publish an entry under its @entry->pubkey.
 * @table: the table.
 * @entry: the entry, with pubkey set and not yet added.
 *
 * Process context (takes @table->lock, may sleep).
 *
 * Return: 0, or -EEXIST if another entry has the same key (nothing changes).
 */
int wg_pubkey_table_add(struct wg_pubkey_table *table,
			struct wg_pubkey_entry *entry);

/**
 * wg_pubkey_table_remove() - Unpublish an entry; no-op if not added.
 * @table: the table.
 * @entry: the entry.
 *
 * Lookups already running may still return @entry until an RCU grace
 * period passes. Process context (may sleep).
 */
void wg_pubkey_table_remove(struct wg_pubkey_table *table,
			    struct wg_pubkey_entry *entry);

/**
 * wg_pubkey_table_lookup() - Find the entry for a public key.
 * @table: the table.
 * @pubkey: the key (compared in constant time).
 *
 * Caller holds rcu_read_lock() or rcu_read_lock_bh(); the result is valid
 * only inside that section. Any context.
 *
 * Return: the entry or NULL.
 */
struct wg_pubkey_entry *wg_pubkey_table_lookup(struct wg_pubkey_table *table,
					       const u8 pubkey[WG_PUBLIC_KEY_LEN]);

/**
 * wg_index_table_init() - Allocate an empty index table.
 * @table: the table.
 *
 * Process context, may sleep.
 *
 * Return: 0 or -ENOMEM.
 */
int wg_index_table_init(struct wg_index_table *table);

/**
 * wg_index_table_free() - Free the table; it must be empty.
 * @table: the table.
 *
 * Process context.
 */
void wg_index_table_free(struct wg_index_table *table);

/**
 * wg_index_table_insert() - Publish an entry under a fresh random index.
 * @table: the table.
 * @entry: the entry, with kind set; if it is already hashed it is first
 *	removed (its old index is given up).
 *
 * The index is chosen uniformly among those not in use on this table.
 * Any context but hard IRQ (takes @table->lock with BH disabled).
 *
 * Return: the new index (also stored in @entry->index).
 */
__le32 wg_index_table_insert(struct wg_index_table *table,
			     struct wg_index_entry *entry);

/**
 * wg_index_table_replace() - Hand @old's index over to @new atomically.
 * @table: the table.
 * @old: a hashed entry; it is unhashed.
 * @new: an unhashed entry; it takes @old's index.
 *
 * A lookup sees either @old or @new, never neither. Used when a finished
 * handshake's index becomes its keypair's. If @old is not hashed, nothing
 * happens. Any context but hard IRQ.
 *
 * Return: true if @new is now hashed.
 */
bool wg_index_table_replace(struct wg_index_table *table,
			    struct wg_index_entry *old,
			    struct wg_index_entry *new);

/**
 * wg_index_table_remove() - Unpublish an entry; no-op if not hashed.
 * @table: the table.
 * @entry: the entry.
 *
 * Any context but hard IRQ. Lookups already running may still return it
 * until an RCU grace period passes.
 */
void wg_index_table_remove(struct wg_index_table *table,
			   struct wg_index_entry *entry);

/**
 * wg_index_table_lookup() - Find an entry by index and kind.
 * @table: the table.
 * @index: the index as received on the wire.
 * @kinds: mask of acceptable &enum wg_index_kind values.
 *
 * Caller holds rcu_read_lock() or rcu_read_lock_bh(); the result is valid
 * only inside that section. Any context.
 *
 * Return: the entry or NULL.
 */
struct wg_index_entry *wg_index_table_lookup(struct wg_index_table *table,
					     __le32 index, unsigned int kinds);

#endif /* _KWG_PEERLOOKUP_H */
