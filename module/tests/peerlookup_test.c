// SPDX-License-Identifier: GPL-2.0
/*
 * Public-key and index tables.
 */
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include "../peerlookup.h"

static void pubkey_table_basic(struct kunit *test)
{
	struct wg_pubkey_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct wg_pubkey_entry *e = kunit_kcalloc(test, 300, sizeof(*e), GFP_KERNEL);
	struct wg_pubkey_entry dup = { };
	u8 absent[WG_PUBLIC_KEY_LEN];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_EQ(test, wg_pubkey_table_init(t), 0);
	for (i = 0; i < 300; i++) {
		get_random_bytes(e[i].pubkey, WG_PUBLIC_KEY_LEN);
		KUNIT_ASSERT_EQ(test, wg_pubkey_table_add(t, &e[i]), 0);
	}
	/* The same key twice is refused. */
	memcpy(dup.pubkey, e[17].pubkey, WG_PUBLIC_KEY_LEN);
	KUNIT_EXPECT_EQ(test, wg_pubkey_table_add(t, &dup), -EEXIST);
	KUNIT_EXPECT_EQ(test, wg_pubkey_table_add(t, &e[17]), -EEXIST);

	rcu_read_lock();
	for (i = 0; i < 300; i++)
		KUNIT_EXPECT_PTR_EQ(test, wg_pubkey_table_lookup(t, e[i].pubkey), &e[i]);
	get_random_bytes(absent, sizeof(absent));
	KUNIT_EXPECT_NULL(test, wg_pubkey_table_lookup(t, absent));
	/* One bit off is another key. */
	memcpy(absent, e[5].pubkey, sizeof(absent));
	absent[31] ^= 0x80;
	KUNIT_EXPECT_NULL(test, wg_pubkey_table_lookup(t, absent));
	rcu_read_unlock();

	for (i = 0; i < 300; i += 2)
		wg_pubkey_table_remove(t, &e[i]);
	wg_pubkey_table_remove(t, &e[0]);	/* twice: harmless */
	rcu_read_lock();
	for (i = 0; i < 300; i++)
		KUNIT_EXPECT_PTR_EQ(test, wg_pubkey_table_lookup(t, e[i].pubkey),
				    i % 2 ? &e[i] : NULL);
	rcu_read_unlock();
	/* Re-adding after removal works. */
	KUNIT_EXPECT_EQ(test, wg_pubkey_table_add(t, &e[0]), 0);
	for (i = 0; i < 300; i++)
		wg_pubkey_table_remove(t, &e[i]);
	synchronize_rcu();
	wg_pubkey_table_free(t);
}

static int cmp_le32(const void *a, const void *b)
{
	u32 x = le32_to_cpu(*(const __le32 *)a), y = le32_to_cpu(*(const __le32 *)b);

	return x < y ? -1 : x > y;
}

static void index_table_unique_and_kinds(struct kunit *test)
{
	const int n = 20000;
	struct wg_index_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct wg_index_entry *e = kvcalloc(n, sizeof(*e), GFP_KERNEL);
	__le32 *idx = kvcalloc(n, sizeof(*idx), GFP_KERNEL);
	struct wg_index_entry kp = { .kind = WG_INDEX_KEYPAIR };
	__le32 old;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_NOT_NULL(test, idx);
	KUNIT_ASSERT_EQ(test, wg_index_table_init(t), 0);
	for (i = 0; i < n; i++) {
		e[i].kind = WG_INDEX_HANDSHAKE;
		idx[i] = wg_index_table_insert(t, &e[i]);
		KUNIT_ASSERT_EQ(test, le32_to_cpu(idx[i]), le32_to_cpu(e[i].index));
	}
	sort(idx, n, sizeof(*idx), cmp_le32, NULL);
	for (i = 1; i < n; i++)
		KUNIT_ASSERT_NE_MSG(test, le32_to_cpu(idx[i - 1]), le32_to_cpu(idx[i]),
				    "duplicate index");

	rcu_read_lock();
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_PTR_EQ(test, wg_index_table_lookup(t, e[i].index,
								WG_INDEX_HANDSHAKE), &e[i]);
		KUNIT_ASSERT_NULL(test, wg_index_table_lookup(t, e[i].index,
							      WG_INDEX_KEYPAIR));
	}
	rcu_read_unlock();

	/* Re-inserting gives up the old index. */
	old = e[0].index;
	wg_index_table_insert(t, &e[0]);
	KUNIT_EXPECT_NE(test, le32_to_cpu(old), le32_to_cpu(e[0].index));
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, wg_index_table_lookup(t, old, ~0U));
	KUNIT_EXPECT_PTR_EQ(test, wg_index_table_lookup(t, e[0].index, ~0U), &e[0]);
	rcu_read_unlock();

	/* Replace hands the index over; the kind follows the new entry. */
	old = e[1].index;
	KUNIT_EXPECT_TRUE(test, wg_index_table_replace(t, &e[1], &kp));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(kp.index), le32_to_cpu(old));
	KUNIT_EXPECT_FALSE(test, e[1].hashed);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, wg_index_table_lookup(t, old, WG_INDEX_KEYPAIR), &kp);
	KUNIT_EXPECT_NULL(test, wg_index_table_lookup(t, old, WG_INDEX_HANDSHAKE));
	rcu_read_unlock();
	/* Replacing from an unhashed entry does nothing. */
	KUNIT_EXPECT_FALSE(test, wg_index_table_replace(t, &e[1], &kp));

	wg_index_table_remove(t, &kp);
	wg_index_table_remove(t, &kp);
	for (i = 0; i < n; i++)
		wg_index_table_remove(t, &e[i]);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, wg_index_table_lookup(t, old, ~0U));
	KUNIT_EXPECT_NULL(test, wg_index_table_lookup(t, e[5].index, ~0U));
	rcu_read_unlock();
	synchronize_rcu();
	wg_index_table_free(t);
	kvfree(e);
	kvfree(idx);
}

static struct kunit_case peerlookup_cases[] = {
	KUNIT_CASE(pubkey_table_basic),
	KUNIT_CASE(index_table_unique_and_kinds),
	{}
};

static struct kunit_suite peerlookup_suite = {
	.name = "kwg_peerlookup",
	.test_cases = peerlookup_cases,
};

kunit_test_suite(peerlookup_suite);
