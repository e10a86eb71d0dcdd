// SPDX-License-Identifier: GPL-2.0
/*
 * Public-key and index hash tables: RCU hlists, writers under a lock.
 *
 * Public keys are hashed with a random SipHash key. Indices need no hashing:
 * we choose them uniformly at random, so their low bits already spread the
 * entries, and a sender cannot choose which of our indices collide.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <crypto/algapi.h>
#include "peerlookup.h"

#define PUBKEY_TABLE_BITS 11
#define INDEX_TABLE_BITS 13

static struct hlist_head *buckets_alloc(unsigned int bits)
{
	struct hlist_head *buckets;
	size_t i, n = 1UL << bits;

	buckets = kvmalloc_array(n, sizeof(*buckets), GFP_KERNEL);
	if (!buckets)
		return NULL;
	for (i = 0; i < n; i++)
		INIT_HLIST_HEAD(&buckets[i]);
	return buckets;
}

static void buckets_free(struct hlist_head *buckets, unsigned int bits)
{
	size_t i;

	if (!buckets)
		return;
	for (i = 0; i < (1UL << bits); i++)
		WARN_ON(!hlist_empty(&buckets[i]));
	kvfree(buckets);
}

static struct hlist_head *pubkey_bucket(struct wg_pubkey_table *table,
					const u8 pubkey[WG_PUBLIC_KEY_LEN])
{
	u64 hash = siphash(pubkey, WG_PUBLIC_KEY_LEN, &table->key);

	return &table->buckets[hash & ((1U << table->bits) - 1)];
}

int wg_pubkey_table_init(struct wg_pubkey_table *table)
{
	mutex_init(&table->lock);
	get_random_bytes(&table->key, sizeof(table->key));
	table->bits = PUBKEY_TABLE_BITS;
	table->buckets = buckets_alloc(table->bits);
	return table->buckets ? 0 : -ENOMEM;
}

void wg_pubkey_table_free(struct wg_pubkey_table *table)
{
	buckets_free(table->buckets, table->bits);
	table->buckets = NULL;
	mutex_destroy(&table->lock);
}

static struct wg_pubkey_entry *pubkey_find(struct wg_pubkey_table *table,
					   const u8 pubkey[WG_PUBLIC_KEY_LEN])
{
	struct wg_pubkey_entry *entry;

	hlist_for_each_entry_rcu(entry, pubkey_bucket(table, pubkey), node,
				 lockdep_is_held(&table->lock)) {
		if (!crypto_memneq(entry->pubkey, pubkey, WG_PUBLIC_KEY_LEN))
			return entry;
	}
	return NULL;
}

int wg_pubkey_table_add(struct wg_pubkey_table *table,
			struct wg_pubkey_entry *entry)
{
	int ret = -EEXIST;

	mutex_lock(&table->lock);
	if (!entry->hashed && !pubkey_find(table, entry->pubkey)) {
		hlist_add_head_rcu(&entry->node, pubkey_bucket(table, entry->pubkey));
		entry->hashed = true;
		ret = 0;
	}
	mutex_unlock(&table->lock);
	return ret;
}

void wg_pubkey_table_remove(struct wg_pubkey_table *table,
			    struct wg_pubkey_entry *entry)
{
	mutex_lock(&table->lock);
	if (entry->hashed) {
		hlist_del_init_rcu(&entry->node);
		entry->hashed = false;
	}
	mutex_unlock(&table->lock);
}

struct wg_pubkey_entry *wg_pubkey_table_lookup(struct wg_pubkey_table *table,
					       const u8 pubkey[WG_PUBLIC_KEY_LEN])
{
	return pubkey_find(table, pubkey);
}

int wg_index_table_init(struct wg_index_table *table)
{
	spin_lock_init(&table->lock);
	table->bits = INDEX_TABLE_BITS;
	table->buckets = buckets_alloc(table->bits);
	return table->buckets ? 0 : -ENOMEM;
}

void wg_index_table_free(struct wg_index_table *table)
{
	buckets_free(table->buckets, table->bits);
	table->buckets = NULL;
}

static struct hlist_head *index_bucket(struct wg_index_table *table, __le32 index)
{
	return &table->buckets[(__force u32)index & ((1U << table->bits) - 1)];
}

static struct wg_index_entry *index_find(struct wg_index_table *table,
					 __le32 index, unsigned int kinds)
{
	struct wg_index_entry *entry;

	hlist_for_each_entry_rcu(entry, index_bucket(table, index), node,
				 lockdep_is_held(&table->lock)) {
		if (entry->index == index && (entry->kind & kinds))
			return entry;
	}
	return NULL;
}

__le32 wg_index_table_insert(struct wg_index_table *table,
			     struct wg_index_entry *entry)
{
	__le32 index;

	for (;;) {
		index = (__force __le32)get_random_u32();
		spin_lock_bh(&table->lock);
		if (!index_find(table, index, ~0U))
			break;
		spin_unlock_bh(&table->lock);
	}
	/*
	 * Moving a hashed entry without a grace period can make a reader
	 * walking past it finish its walk in the new bucket and miss an entry
	 * of the old one; it never sees freed memory, and such a miss is a
	 * packet lost to a race a retransmission repairs.
	 */
	if (entry->hashed)
		hlist_del_rcu(&entry->node);
	entry->index = index;
	hlist_add_head_rcu(&entry->node, index_bucket(table, index));
	entry->hashed = true;
	spin_unlock_bh(&table->lock);
	return index;
}

bool wg_index_table_replace(struct wg_index_table *table,
			    struct wg_index_entry *old,
			    struct wg_index_entry *new)
{
	bool done = false;

	spin_lock_bh(&table->lock);
	if (old->hashed && !WARN_ON(new->hashed)) {
		new->index = old->index;
		hlist_replace_rcu(&old->node, &new->node);
		old->hashed = false;
		new->hashed = true;
		done = true;
	}
	spin_unlock_bh(&table->lock);
	return done;
}

void wg_index_table_remove(struct wg_index_table *table,
			   struct wg_index_entry *entry)
{
	spin_lock_bh(&table->lock);
	if (entry->hashed) {
		hlist_del_init_rcu(&entry->node);
		entry->hashed = false;
	}
	spin_unlock_bh(&table->lock);
}

struct wg_index_entry *wg_index_table_lookup(struct wg_index_table *table,
					     __le32 index, unsigned int kinds)
{
	return index_find(table, index, kinds);
}
