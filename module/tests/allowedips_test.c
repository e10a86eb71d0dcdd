// SPDX-License-Identifier: GPL-2.0
/*
 * The allowed-IPs trie: exact cases, the nodes' role changes (a branch
 * replaced by an entry, an entry kept to branch), randomized comparisons
 * with a linear longest-prefix model (insert, remove, remove by owner,
 * walk; the trie's invariants checked along), the node count of a trie of
 * sequential prefixes, inserts served from a node pool filled ahead, and a
 * benchmark-style test with a million entries.
 */
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/vmstat.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include "../allowedips.h"

static DEFINE_MUTEX(test_lock);

#define NOWNERS 64

struct trie_fixture {
	struct wg_allowedips table;
	struct wg_allowedips_pool pool;
	struct wg_allowedips_owner owners[NOWNERS];
};

static struct trie_fixture *fixture(struct kunit *test)
{
	struct trie_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	wg_allowedips_init(&f->table);
	wg_allowedips_pool_init(&f->pool);
	for (i = 0; i < NOWNERS; i++)
		wg_allowedips_owner_init(&f->owners[i]);
	return f;
}

static void fixture_free(struct trie_fixture *f)
{
	int i;

	mutex_lock(&test_lock);
	wg_allowedips_free(&f->table, &test_lock);
	mutex_unlock(&test_lock);
	wg_allowedips_pool_release(&f->pool);
	for (i = 0; i < NOWNERS; i++)
		WARN_ON(!list_empty(&f->owners[i].entries));
	/* Nodes are freed from call_rcu(); let them go before the fixture. */
	rcu_barrier();
}

static struct in_addr ip4(u8 a, u8 b, u8 c, u8 d)
{
	return (struct in_addr){ .s_addr = cpu_to_be32(a << 24 | b << 16 | c << 8 | d) };
}

static struct in6_addr ip6(u32 a, u32 b, u32 c, u32 d)
{
	struct in6_addr r;

	r.s6_addr32[0] = cpu_to_be32(a);
	r.s6_addr32[1] = cpu_to_be32(b);
	r.s6_addr32[2] = cpu_to_be32(c);
	r.s6_addr32[3] = cpu_to_be32(d);
	return r;
}

/* One insert with the pool topped up for it; under test_lock. */
static int insert(struct trie_fixture *f, sa_family_t family, const void *addr,
		  u8 cidr, int owner)
{
	if (wg_allowedips_pool_fill(&f->pool, 1))
		return -ENOMEM;
	return wg_allowedips_insert(&f->table, &f->pool, family, addr, cidr,
				    &f->owners[owner], &test_lock);
}

static int insert4(struct trie_fixture *f, struct in_addr a, u8 cidr, int owner)
{
	int ret;

	mutex_lock(&test_lock);
	ret = insert(f, AF_INET, &a, cidr, owner);
	mutex_unlock(&test_lock);
	return ret;
}

static int insert6(struct trie_fixture *f, struct in6_addr a, u8 cidr, int owner)
{
	int ret;

	mutex_lock(&test_lock);
	ret = insert(f, AF_INET6, &a, cidr, owner);
	mutex_unlock(&test_lock);
	return ret;
}

/* Owner index found for an address, -1 for none. */
static int lookup(struct trie_fixture *f, sa_family_t family, const void *addr)
{
	struct wg_allowedips_owner *o;

	rcu_read_lock();
	o = wg_allowedips_lookup(&f->table, family, addr);
	rcu_read_unlock();
	return o ? (int)(o - f->owners) : -1;
}

static int lookup4(struct trie_fixture *f, struct in_addr a)
{
	return lookup(f, AF_INET, &a);
}

static int lookup6(struct trie_fixture *f, struct in6_addr a)
{
	return lookup(f, AF_INET6, &a);
}

static int walk_count(struct trie_fixture *f, int owner)
{
	struct wg_allowedips_cursor cur = { };
	struct wg_allowedips_entry e;
	int n = 0;

	mutex_lock(&test_lock);
	while (wg_allowedips_walk_next(&f->table, &f->owners[owner], &cur, &e, &test_lock))
		n++;
	mutex_unlock(&test_lock);
	return n;
}

static void trie_ipv4_exact(struct kunit *test)
{
	struct trie_fixture *f = fixture(test);
	struct wg_allowedips_cursor cur = { };
	struct wg_allowedips_entry e;
	struct in_addr a;

	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 0), 8, 1), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 1, 0, 0), 16, 2), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 1, 1, 0), 24, 3), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 1, 1, 1), 32, 4), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(192, 168, 4, 77), 24, 6), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 1, 1, 128), 25, 7), 0);

	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 1, 1, 1)), 4);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 1, 1, 2)), 3);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 1, 1, 200)), 7);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 1, 2, 1)), 2);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 200, 0, 0)), 1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(11, 0, 0, 0)), -1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(192, 168, 4, 1)), 6);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(192, 168, 5, 1)), -1);

	/* A default route catches the rest. */
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(1, 2, 3, 4), 0, 5), 0);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(11, 0, 0, 0)), 5);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(255, 255, 255, 255)), 5);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 1, 1, 1)), 4);

	/* Host bits are masked off: the walk shows 192.168.4.0/24. */
	mutex_lock(&test_lock);
	KUNIT_EXPECT_TRUE(test, wg_allowedips_walk_next(&f->table, &f->owners[6], &cur,
							&e, &test_lock));
	KUNIT_EXPECT_EQ(test, e.family, (sa_family_t)AF_INET);
	KUNIT_EXPECT_EQ(test, e.cidr, 24);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(e.addr.v4.s_addr), 0xc0a80400U);
	KUNIT_EXPECT_FALSE(test, wg_allowedips_walk_next(&f->table, &f->owners[6], &cur,
							 &e, &test_lock));
	mutex_unlock(&test_lock);

	/* An equal prefix (after masking) changes owner, not entries. */
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 1, 77, 77), 16, 8), 0);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 1, 2, 1)), 8);
	KUNIT_EXPECT_EQ(test, walk_count(f, 2), 0);
	KUNIT_EXPECT_EQ(test, walk_count(f, 8), 1);

	/* Removal: wrong owner refused, right owner removes one entry. */
	mutex_lock(&test_lock);
	a = ip4(10, 1, 1, 0);
	KUNIT_EXPECT_EQ(test, wg_allowedips_remove(&f->table, AF_INET, &a, 24,
						   &f->owners[1], &test_lock), -ENOENT);
	KUNIT_EXPECT_EQ(test, wg_allowedips_remove(&f->table, AF_INET, &a, 23,
						   &f->owners[3], &test_lock), -ENOENT);
	KUNIT_EXPECT_EQ(test, wg_allowedips_remove(&f->table, AF_INET, &a, 24,
						   &f->owners[3], &test_lock), 0);
	KUNIT_EXPECT_EQ(test, wg_allowedips_remove(&f->table, AF_INET, &a, 24,
						   &f->owners[3], &test_lock), -ENOENT);
	mutex_unlock(&test_lock);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 1, 1, 2)), 8);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 1, 1, 1)), 4);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 1, 1, 129)), 7);

	/* Remove by owner. */
	mutex_lock(&test_lock);
	wg_allowedips_remove_owner(&f->table, &f->owners[5], &test_lock);
	wg_allowedips_remove_owner(&f->table, &f->owners[4], &test_lock);
	mutex_unlock(&test_lock);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(11, 0, 0, 0)), -1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 1, 1, 1)), 8);

	/* Families are separate tables. */
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0x0a010101, 0, 0, 0)), -1);

	/* Bad arguments. */
	KUNIT_EXPECT_EQ(test, insert4(f, ip4(1, 1, 1, 1), 33, 1), -EINVAL);
	mutex_lock(&test_lock);
	KUNIT_EXPECT_EQ(test, insert(f, AF_UNSPEC, &a, 8, 1), -EINVAL);
	mutex_unlock(&test_lock);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_UNSPEC, &a), -1);
	fixture_free(f);
}

static void trie_ipv6_exact(struct kunit *test)
{
	struct trie_fixture *f = fixture(test);
	struct in6_addr a;

	KUNIT_ASSERT_EQ(test, insert6(f, ip6(0x20010db8, 0, 0, 0), 32, 1), 0);
	KUNIT_ASSERT_EQ(test, insert6(f, ip6(0x20010db8, 0x00010000, 0, 0), 48, 2), 0);
	KUNIT_ASSERT_EQ(test, insert6(f, ip6(0x20010db8, 0x00010002, 0, 1), 128, 3), 0);
	KUNIT_ASSERT_EQ(test, insert6(f, ip6(0x20010db8, 0x00010002, 0x80000000, 0), 65, 4), 0);
	KUNIT_ASSERT_EQ(test, insert6(f, ip6(0x20010db8, 0x00010002, 0, 0), 127, 5), 0);
	KUNIT_ASSERT_EQ(test, insert6(f, ip6(0xfe800000, 0, 0, 0), 10, 6), 0);
	/* An IPv4 prefix with the same leading bits must not interfere. */
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(0x20, 0x01, 0x0d, 0xb8), 32, 9), 0);

	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0x20010db8, 0x00010002, 0, 1)), 3);
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0x20010db8, 0x00010002, 0, 0)), 5);
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0x20010db8, 0x00010002, 0, 2)), 2);
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0x20010db8, 0x00010002, 0x80000000, 5)), 4);
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0x20010db8, 0x00010002, 0xffffffff, 5)), 4);
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0x20010db8, 0x00010002, 0x7fffffff, 5)), 2);
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0x20010db8, 0x00020000, 0, 0)), 1);
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0x20010db9, 0, 0, 0)), -1);
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0xfebfffff, 1, 2, 3)), 6);
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0xfec00000, 0, 0, 0)), -1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(0x20, 0x01, 0x0d, 0xb8)), 9);

	KUNIT_ASSERT_EQ(test, insert6(f, ip6(0, 0, 0, 0), 0, 7), 0);
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0x20010db9, 0, 0, 0)), 7);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(1, 2, 3, 4)), -1);

	/* Removing the /128 uncovers the /127; removing that, the /48. */
	mutex_lock(&test_lock);
	a = ip6(0x20010db8, 0x00010002, 0, 1);
	KUNIT_EXPECT_EQ(test, wg_allowedips_remove(&f->table, AF_INET6, &a, 128,
						   &f->owners[3], &test_lock), 0);
	mutex_unlock(&test_lock);
	KUNIT_EXPECT_EQ(test, lookup6(f, a), 5);
	mutex_lock(&test_lock);
	KUNIT_EXPECT_EQ(test, wg_allowedips_remove(&f->table, AF_INET6, &a, 127,
						   &f->owners[5], &test_lock), 0);
	mutex_unlock(&test_lock);
	KUNIT_EXPECT_EQ(test, lookup6(f, a), 2);
	KUNIT_EXPECT_EQ(test, lookup6(f, ip6(0x20010db8, 0x00010002, 0x80000000, 5)), 4);

	KUNIT_EXPECT_EQ(test, insert6(f, a, 129, 1), -EINVAL);
	fixture_free(f);
}

/* --- randomized comparison with a linear model ----------------------------- */

struct model_entry {
	u64 key[2], mask[2];	/* masked address, mask */
	u8 cidr;
	u8 family_v6;
	u8 live;
	u8 owner;
};

static void mask_of(u64 mask[2], unsigned int cidr)
{
	mask[0] = cidr == 0 ? 0 : cidr >= 64 ? ~0ULL : ~0ULL << (64 - cidr);
	mask[1] = cidr <= 64 ? 0 : cidr == 128 ? ~0ULL : ~0ULL << (128 - cidr);
}

static void addr_to_words(u64 w[2], bool v6, const u8 *addr)
{
	int i;

	w[0] = 0;
	w[1] = 0;
	for (i = 0; i < (v6 ? 16 : 4); i++) {
		if (i < 8)
			w[0] |= (u64)addr[i] << (56 - 8 * i);
		else
			w[1] |= (u64)addr[i] << (56 - 8 * (i - 8));
	}
}

static int model_lookup(const struct model_entry *m, int n, bool v6, const u8 *addr)
{
	int i, best = -1, best_cidr = -1;
	u64 w[2];

	addr_to_words(w, v6, addr);
	for (i = 0; i < n; i++) {
		if (!m[i].live || m[i].family_v6 != v6 || m[i].cidr <= best_cidr)
			continue;
		if (((w[0] & m[i].mask[0]) == m[i].key[0]) &&
		    ((w[1] & m[i].mask[1]) == m[i].key[1])) {
			best = m[i].owner;
			best_cidr = m[i].cidr;
		}
	}
	return best;
}

/* A random address; often inside a prefix already in the model. */
static void random_addr(const struct model_entry *m, int n, bool v6, u8 *addr)
{
	u32 r = get_random_u32();
	int i, len = v6 ? 16 : 4;
	u64 w[2];

	get_random_bytes(addr, len);
	if (n == 0 || r % 4 == 0)
		return;
	i = (r >> 2) % n;
	if (m[i].family_v6 != v6)
		return;
	/* Keep the prefix's bits, randomize the rest. */
	addr_to_words(w, v6, addr);
	w[0] = m[i].key[0] | (w[0] & ~m[i].mask[0]);
	w[1] = m[i].key[1] | (w[1] & ~m[i].mask[1]);
	for (i = 0; i < len; i++)
		addr[i] = i < 8 ? w[0] >> (56 - 8 * i) : w[1] >> (56 - 8 * (i - 8));
}

static int check_lookups(struct kunit *test, struct trie_fixture *f,
			 const struct model_entry *m, int n, int count)
{
	u8 addr[16];
	int i, hits = 0, want, got;
	bool v6;

	for (i = 0; i < count; i++) {
		v6 = i & 1;
		random_addr(m, n, v6, addr);
		want = model_lookup(m, n, v6, addr);
		got = lookup(f, v6 ? AF_INET6 : AF_INET, addr);
		if (want != got) {
			KUNIT_FAIL(test, "lookup %d (%s %*phN): trie %d, model %d", i,
				   v6 ? "v6" : "v4", v6 ? 16 : 4, addr, got, want);
			return hits;
		}
		hits += want >= 0;
	}
	return hits;
}

static void trie_random_vs_model(struct kunit *test)
{
	const int nprefix = 10000, nlookup = 10000;
	struct trie_fixture *f = fixture(test);
	struct model_entry *m;
	struct wg_allowedips_cursor cur, saved;
	struct wg_allowedips_entry e;
	int i, j, n = 0, hits, walked, expected, live, removed = 0;
	u8 addr[16];
	u64 w[2];
	bool v6;

	m = kvcalloc(nprefix, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);

	for (i = 0; i < nprefix; i++) {
		struct model_entry *me = &m[n];
		u32 r = get_random_u32();

		v6 = r & 1;
		random_addr(m, n, v6, addr);
		me->family_v6 = v6;
		/* From /8 (/32 for IPv6) up: both hits and misses happen. */
		me->cidr = v6 ? 32 + (r >> 1) % 97 : 8 + (r >> 1) % 25;
		me->owner = (r >> 9) % NOWNERS;
		me->live = 1;
		mask_of(me->mask, me->cidr);
		addr_to_words(w, v6, addr);
		me->key[0] = w[0] & me->mask[0];
		me->key[1] = w[1] & me->mask[1];
		mutex_lock(&test_lock);
		KUNIT_ASSERT_EQ(test, insert(f, v6 ? AF_INET6 : AF_INET, addr,
					     me->cidr, me->owner), 0);
		mutex_unlock(&test_lock);
		/* An equal prefix is replaced: retire the older model entry. */
		for (j = 0; j < n; j++) {
			if (m[j].live && m[j].family_v6 == v6 && m[j].cidr == me->cidr &&
			    m[j].key[0] == me->key[0] && m[j].key[1] == me->key[1])
				m[j].live = 0;
		}
		n++;
	}

	hits = check_lookups(test, f, m, n, nlookup);
	kunit_info(test, "%d prefixes, %d lookups, %d hits", n, nlookup, hits);
	KUNIT_EXPECT_GT(test, hits, nlookup / 2);
	KUNIT_EXPECT_LT(test, hits, nlookup);

	/* Remove a third of the entries one by one, and four owners whole. */
	for (i = 0; i < n; i++) {
		if (!m[i].live || get_random_u32() % 3)
			continue;
		for (j = 0; j < (m[i].family_v6 ? 16 : 4); j++)
			addr[j] = j < 8 ? m[i].key[0] >> (56 - 8 * j) :
				  m[i].key[1] >> (56 - 8 * (j - 8));
		mutex_lock(&test_lock);
		KUNIT_ASSERT_EQ(test, wg_allowedips_remove(&f->table,
							   m[i].family_v6 ? AF_INET6 : AF_INET,
							   addr, m[i].cidr,
							   &f->owners[m[i].owner], &test_lock), 0);
		mutex_unlock(&test_lock);
		m[i].live = 0;
		removed++;
	}
	mutex_lock(&test_lock);
	for (j = 0; j < 4; j++)
		wg_allowedips_remove_owner(&f->table, &f->owners[j * 7], &test_lock);
	mutex_unlock(&test_lock);
	for (i = 0; i < n; i++) {
		if (m[i].owner % 7 == 0 && m[i].owner < 28)
			m[i].live = 0;
	}

	hits = check_lookups(test, f, m, n, nlookup);
	kunit_info(test, "after removing %d + 4 owners: %d hits", removed, hits);

	/*
	 * Walk every owner, pausing after each entry (restoring the cursor
	 * once, as a dump does when an entry does not fit); each walked
	 * entry must be a live model entry of that owner.
	 */
	for (j = 0; j < NOWNERS; j++) {
		expected = 0;
		for (i = 0; i < n; i++)
			expected += m[i].live && m[i].owner == j;
		memset(&cur, 0, sizeof(cur));
		walked = 0;
		mutex_lock(&test_lock);
		for (;;) {
			saved = cur;
			if (!wg_allowedips_walk_next(&f->table, &f->owners[j], &cur, &e,
						     &test_lock))
				break;
			if (walked == 3) {
				/* "Did not fit": unread it once. */
				cur = saved;
				walked++;
				continue;
			}
			walked++;
			v6 = e.family == AF_INET6;
			addr_to_words(w, v6, v6 ? e.addr.v6.s6_addr : (u8 *)&e.addr.v4);
			live = 0;
			for (i = 0; i < n; i++) {
				if (m[i].live && m[i].owner == j && m[i].family_v6 == v6 &&
				    m[i].cidr == e.cidr && m[i].key[0] == w[0] &&
				    m[i].key[1] == w[1])
					live++;
			}
			KUNIT_EXPECT_EQ_MSG(test, live, 1, "owner %d walked a bad entry", j);
			KUNIT_EXPECT_FALSE(test, wg_allowedips_walk_changed(&f->table, &cur));
		}
		mutex_unlock(&test_lock);
		KUNIT_EXPECT_EQ_MSG(test, walked - (walked > 3), expected, "owner %d", j);
	}

	/* A change under a paused walk is reported. */
	memset(&cur, 0, sizeof(cur));
	mutex_lock(&test_lock);
	if (wg_allowedips_walk_next(&f->table, &f->owners[NOWNERS - 1], &cur, &e,
				    &test_lock)) {
		KUNIT_EXPECT_FALSE(test, wg_allowedips_walk_changed(&f->table, &cur));
		wg_allowedips_remove_owner(&f->table, &f->owners[NOWNERS - 1], &test_lock);
		KUNIT_EXPECT_TRUE(test, wg_allowedips_walk_changed(&f->table, &cur));
		KUNIT_EXPECT_FALSE(test, wg_allowedips_walk_next(&f->table,
								 &f->owners[NOWNERS - 1],
								 &cur, &e, &test_lock));
	}
	mutex_unlock(&test_lock);

	kvfree(m);
	fixture_free(f);
}

/* Many entries for one owner: removal by owner, then nothing is left. */
static void trie_remove_owner_many(struct kunit *test)
{
	struct trie_fixture *f = fixture(test);
	struct in_addr a;
	int i;

	for (i = 0; i < 5000; i++) {
		a.s_addr = (__force __be32)get_random_u32();
		KUNIT_ASSERT_EQ(test, insert4(f, a, 16 + i % 17, i % 2), 0);
	}
	mutex_lock(&test_lock);
	wg_allowedips_remove_owner(&f->table, &f->owners[0], &test_lock);
	wg_allowedips_remove_owner(&f->table, &f->owners[1], &test_lock);
	mutex_unlock(&test_lock);
	KUNIT_EXPECT_TRUE(test, list_empty(&f->owners[0].entries));
	KUNIT_EXPECT_TRUE(test, list_empty(&f->owners[1].entries));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->table.root4));
	fixture_free(f);
}

/*
 * Insert @addr/@cidr for owner @owner with an empty pool (no entry node):
 * it fails and changes nothing; after a fill for one insert it succeeds
 * and takes the entry node. Under test_lock.
 */
static void insert_after_fill(struct kunit *test, struct trie_fixture *f,
			      const struct in_addr *addr, u8 cidr, int owner)
{
	struct wg_allowedips_pool *pool = &f->pool;
	unsigned int branches = pool->branch_count;
	unsigned long seq = f->table.seq;

	KUNIT_EXPECT_EQ(test, wg_allowedips_insert(&f->table, pool, AF_INET, addr,
						   cidr, &f->owners[owner], &test_lock),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, f->table.seq, seq);
	KUNIT_EXPECT_EQ(test, pool->branch_count, branches);
	KUNIT_ASSERT_EQ(test, wg_allowedips_pool_fill(pool, 1), 0);
	KUNIT_EXPECT_EQ(test, wg_allowedips_insert(&f->table, pool, AF_INET, addr,
						   cidr, &f->owners[owner], &test_lock), 0);
	KUNIT_EXPECT_EQ(test, pool->entry_count, 0);
}

/*
 * The pool: an insert takes at most one entry node and one branch node,
 * and fails, changing nothing, when the pool lacks them; filled once for a
 * batch, every insert of the batch succeeds; what is left is released.
 */
static void trie_pool(struct kunit *test)
{
	const int n = 500;
	struct trie_fixture *f = fixture(test);
	struct in_addr a = ip4(10, 0, 0, 0), b = ip4(10, 128, 0, 0);
	struct wg_allowedips_pool *pool = &f->pool;
	int i;

	mutex_lock(&test_lock);
	/* Empty pool: nothing can be added, an owner change still can. */
	KUNIT_EXPECT_EQ(test, wg_allowedips_insert(&f->table, pool, AF_INET, &a,
						   8, &f->owners[1], &test_lock), -ENOMEM);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->table.root4));
	KUNIT_ASSERT_EQ(test, wg_allowedips_pool_fill(pool, 1), 0);
	KUNIT_EXPECT_EQ(test, pool->entry_count, WG_ALLOWEDIPS_ENTRIES_PER_INSERT);
	KUNIT_EXPECT_EQ(test, pool->branch_count, WG_ALLOWEDIPS_BRANCHES_PER_INSERT);
	/* A leaf takes one entry node. */
	KUNIT_EXPECT_EQ(test, wg_allowedips_insert(&f->table, pool, AF_INET, &a,
						   16, &f->owners[1], &test_lock), 0);
	KUNIT_EXPECT_EQ(test, pool->entry_count, 0);
	KUNIT_EXPECT_EQ(test, pool->branch_count, 1);
	KUNIT_EXPECT_EQ(test, wg_allowedips_insert(&f->table, pool, AF_INET, &a,
						   16, &f->owners[2], &test_lock), 0);
	KUNIT_EXPECT_EQ(test, pool->entry_count, 0);
	/* 10.128/16 parts from 10.0/16 at bit 8: an entry and a branch. */
	insert_after_fill(test, f, &b, 16, 3);
	KUNIT_EXPECT_EQ(test, pool->branch_count, 0);
	/* 10/8 is where the branch sits: one entry node replaces it. */
	insert_after_fill(test, f, &a, 8, 4);
	KUNIT_EXPECT_EQ(test, pool->branch_count, 1);
	mutex_unlock(&test_lock);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 1, 1)), 2);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 128, 1, 1)), 3);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 64, 1, 1)), 4);

	/* A batch: filled once, then every insert succeeds. */
	mutex_lock(&test_lock);
	KUNIT_ASSERT_EQ(test, wg_allowedips_pool_fill(pool, n), 0);
	KUNIT_EXPECT_EQ(test, pool->entry_count, n * WG_ALLOWEDIPS_ENTRIES_PER_INSERT);
	KUNIT_EXPECT_EQ(test, pool->branch_count, n * WG_ALLOWEDIPS_BRANCHES_PER_INSERT);
	/* Filling for fewer than it serves already allocates nothing. */
	KUNIT_ASSERT_EQ(test, wg_allowedips_pool_fill(pool, n / 2), 0);
	KUNIT_EXPECT_EQ(test, pool->entry_count, n * WG_ALLOWEDIPS_ENTRIES_PER_INSERT);
	for (i = 0; i < n; i++) {
		a.s_addr = (__force __be32)get_random_u32();
		KUNIT_EXPECT_EQ(test, wg_allowedips_insert(&f->table, pool, AF_INET,
							   &a, 8 + i % 25,
							   &f->owners[i % NOWNERS],
							   &test_lock), 0);
	}
	mutex_unlock(&test_lock);
	/* The rest goes back now; the fixture releases the pool again. */
	wg_allowedips_pool_release(pool);
	KUNIT_EXPECT_EQ(test, pool->entry_count, 0);
	KUNIT_EXPECT_EQ(test, pool->branch_count, 0);
	KUNIT_EXPECT_NULL(test, pool->entries);
	KUNIT_EXPECT_NULL(test, pool->branches);
	fixture_free(f);
}

/* --- node roles and counts ------------------------------------------------ */

static int remove4(struct trie_fixture *f, struct in_addr a, u8 cidr, int owner)
{
	int ret;

	mutex_lock(&test_lock);
	ret = wg_allowedips_remove(&f->table, AF_INET, &a, cidr, &f->owners[owner],
				   &test_lock);
	mutex_unlock(&test_lock);
	return ret;
}

/* One family's nodes by role, the trie's invariants checked on the way. */
static struct wg_allowedips_stats trie_stats(struct kunit *test, struct trie_fixture *f,
					     sa_family_t family)
{
	struct wg_allowedips_stats st;

	mutex_lock(&test_lock);
	KUNIT_EXPECT_EQ(test, wg_allowedips_check(&f->table, family, &st, &test_lock), 0);
	mutex_unlock(&test_lock);
	return st;
}

/* IPv4 nodes by role: entries, former entries kept to branch, branches. */
#define EXPECT_NODES(test, f, e, fe, b) do {					\
	struct kunit *__t = (test);						\
	struct wg_allowedips_stats __st = trie_stats(__t, f, AF_INET);	\
										\
	KUNIT_EXPECT_EQ(__t, __st.entries, (unsigned int)(e));		\
	KUNIT_EXPECT_EQ(__t, __st.former_entries, (unsigned int)(fe));	\
	KUNIT_EXPECT_EQ(__t, __st.branches, (unsigned int)(b));		\
} while (0)

/*
 * Role changes: an insert where a branch node sits, removals of entries
 * with two, one and no children, and inserts again; lookups, node counts
 * and a walk paused across a branch's replacement.
 */
static void trie_role_changes(struct kunit *test)
{
	struct trie_fixture *f = fixture(test);
	struct wg_allowedips_cursor cur = { };
	struct wg_allowedips_entry e;
	struct in_addr a = ip4(10, 0, 0, 0);
	unsigned long seq;

	/* 10.0.0.0/32 and 10.0.0.2/32 part at bit 30: a branch at /30. */
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 0), 32, 1), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 2), 32, 1), 0);
	EXPECT_NODES(test, f, 2, 0, 1);

	/* A walk of owner 1, paused after its first entry. */
	mutex_lock(&test_lock);
	KUNIT_EXPECT_TRUE(test, wg_allowedips_walk_next(&f->table, &f->owners[1], &cur,
							&e, &test_lock));
	mutex_unlock(&test_lock);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(e.addr.v4.s_addr), 0x0a000000U);

	/* The /30 itself: an entry node takes the branch's place. */
	seq = f->table.seq;
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 0), 30, 3), 0);
	KUNIT_EXPECT_NE(test, f->table.seq, seq);
	EXPECT_NODES(test, f, 3, 0, 0);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 0)), 1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 1)), 3);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 2)), 1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 3)), 3);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 4)), -1);

	/* The paused walk sees the change and still ends on the second entry. */
	mutex_lock(&test_lock);
	KUNIT_EXPECT_TRUE(test, wg_allowedips_walk_changed(&f->table, &cur));
	KUNIT_EXPECT_TRUE(test, wg_allowedips_walk_next(&f->table, &f->owners[1], &cur,
							&e, &test_lock));
	KUNIT_EXPECT_EQ(test, be32_to_cpu(e.addr.v4.s_addr), 0x0a000002U);
	KUNIT_EXPECT_FALSE(test, wg_allowedips_walk_next(&f->table, &f->owners[1], &cur,
							 &e, &test_lock));
	mutex_unlock(&test_lock);

	/* Removing the /30, which has two children: it stays, to branch. */
	KUNIT_EXPECT_EQ(test, remove4(f, ip4(10, 0, 0, 0), 30, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, remove4(f, ip4(10, 0, 0, 0), 30, 3), 0);
	KUNIT_EXPECT_EQ(test, remove4(f, ip4(10, 0, 0, 0), 30, 3), -ENOENT);
	EXPECT_NODES(test, f, 2, 1, 0);
	KUNIT_EXPECT_EQ(test, walk_count(f, 3), 0);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 0)), 1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 1)), -1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 2)), 1);

	/* Inserted again, the kept node is an entry again: no node taken. */
	mutex_lock(&test_lock);
	KUNIT_ASSERT_EQ(test, wg_allowedips_pool_fill(&f->pool, 1), 0);
	KUNIT_EXPECT_EQ(test, wg_allowedips_insert(&f->table, &f->pool, AF_INET, &a,
						   30, &f->owners[4], &test_lock), 0);
	KUNIT_EXPECT_EQ(test, f->pool.entry_count, 1);
	KUNIT_EXPECT_EQ(test, f->pool.branch_count, 1);
	mutex_unlock(&test_lock);
	EXPECT_NODES(test, f, 3, 0, 0);
	KUNIT_EXPECT_EQ(test, walk_count(f, 4), 1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 3)), 4);

	/* Kept again; then a child goes, and the kept node with it. */
	KUNIT_EXPECT_EQ(test, remove4(f, ip4(10, 0, 0, 0), 30, 4), 0);
	EXPECT_NODES(test, f, 2, 1, 0);
	KUNIT_EXPECT_EQ(test, remove4(f, ip4(10, 0, 0, 2), 32, 1), 0);
	EXPECT_NODES(test, f, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 0)), 1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 2)), -1);

	/* An entry with one child is spliced out. */
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 0), 24, 5), 0);
	EXPECT_NODES(test, f, 2, 0, 0);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 9)), 5);
	KUNIT_EXPECT_EQ(test, remove4(f, ip4(10, 0, 0, 0), 24, 5), 0);
	EXPECT_NODES(test, f, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 9)), -1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 0)), 1);

	/* A leaf under an owned parent: the parent stays, then goes alone. */
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 0), 24, 5), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 128), 25, 6), 0);
	EXPECT_NODES(test, f, 3, 0, 0);
	KUNIT_EXPECT_EQ(test, remove4(f, ip4(10, 0, 0, 128), 25, 6), 0);
	EXPECT_NODES(test, f, 2, 0, 0);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 200)), 5);
	KUNIT_EXPECT_EQ(test, remove4(f, ip4(10, 0, 0, 0), 24, 5), 0);
	EXPECT_NODES(test, f, 1, 0, 0);

	/* A leaf under a branch node: the branch goes with it. */
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 2), 32, 2), 0);
	EXPECT_NODES(test, f, 2, 0, 1);
	KUNIT_EXPECT_EQ(test, remove4(f, ip4(10, 0, 0, 2), 32, 2), 0);
	EXPECT_NODES(test, f, 1, 0, 0);

	/*
	 * A kept node under a kept node: removing an owner whose entries
	 * hold both up leaves neither behind.
	 */
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 2), 32, 2), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 0), 30, 7), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 4), 32, 2), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 0), 29, 7), 0);
	EXPECT_NODES(test, f, 5, 0, 0);
	mutex_lock(&test_lock);
	wg_allowedips_remove_owner(&f->table, &f->owners[7], &test_lock);
	mutex_unlock(&test_lock);
	EXPECT_NODES(test, f, 3, 2, 0);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 1)), -1);
	KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 0, 0, 4)), 2);
	mutex_lock(&test_lock);
	wg_allowedips_remove_owner(&f->table, &f->owners[2], &test_lock);
	mutex_unlock(&test_lock);
	EXPECT_NODES(test, f, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, remove4(f, ip4(10, 0, 0, 0), 32, 1), 0);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->table.root4));

	/* Freeing the table with kept nodes in it. */
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 0), 32, 1), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 2), 32, 1), 0);
	KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 0, 0, 0), 30, 3), 0);
	KUNIT_EXPECT_EQ(test, remove4(f, ip4(10, 0, 0, 0), 30, 3), 0);
	EXPECT_NODES(test, f, 2, 1, 0);
	fixture_free(f);
}

/*
 * N sequential /32s (and /128s) take N entry nodes and at most N - 1
 * others; removing every other one and then the rest leaves nothing.
 */
static void trie_sequential_nodes(struct kunit *test)
{
	const unsigned int n = 4096;
	struct trie_fixture *f = fixture(test);
	struct wg_allowedips_stats st;
	struct in6_addr a6;
	unsigned int i;

	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, insert4(f, ip4(10, 1, i >> 8, i), 32, i % 2), 0);
		KUNIT_ASSERT_EQ(test, insert6(f, ip6(0xfd000001, 0, 0, i), 128, i % 2), 0);
	}
	st = trie_stats(test, f, AF_INET);
	KUNIT_EXPECT_EQ(test, st.entries, n);
	KUNIT_EXPECT_LE(test, st.branches + st.former_entries, n - 1);
	KUNIT_EXPECT_LE(test, st.entries + st.branches + st.former_entries, 2 * n - 1);
	st = trie_stats(test, f, AF_INET6);
	KUNIT_EXPECT_EQ(test, st.entries, n);
	KUNIT_EXPECT_LE(test, st.branches + st.former_entries, n - 1);
	KUNIT_EXPECT_LE(test, st.entries + st.branches + st.former_entries, 2 * n - 1);

	/* Every odd one goes: each takes its parting node with it. */
	mutex_lock(&test_lock);
	wg_allowedips_remove_owner(&f->table, &f->owners[1], &test_lock);
	mutex_unlock(&test_lock);
	st = trie_stats(test, f, AF_INET);
	KUNIT_EXPECT_EQ(test, st.entries, n / 2);
	KUNIT_EXPECT_LE(test, st.branches + st.former_entries, n / 2 - 1);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, lookup4(f, ip4(10, 1, i >> 8, i)), i % 2 ? -1 : 0);
		a6 = ip6(0xfd000001, 0, 0, i);
		KUNIT_EXPECT_EQ(test, lookup6(f, a6), i % 2 ? -1 : 0);
	}
	mutex_lock(&test_lock);
	for (i = 0; i < n; i += 2) {
		a6 = ip6(0xfd000001, 0, 0, i);
		KUNIT_EXPECT_EQ(test, wg_allowedips_remove(&f->table, AF_INET6, &a6, 128,
							   &f->owners[0], &test_lock), 0);
	}
	mutex_unlock(&test_lock);
	st = trie_stats(test, f, AF_INET6);
	KUNIT_EXPECT_EQ(test, st.entries + st.branches + st.former_entries, 0);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->table.root6));
	fixture_free(f);
}

/*
 * Inserts, removals and removals by owner interleaved at random in a small
 * space of each family, where prefixes nest and part all the time (IPv6
 * around the middle of the address, where the key's two words meet),
 * against a list of live prefixes; the trie's invariants and node counts
 * are checked along, lookups and walks compared.
 */
struct live_prefix {
	u64 key[2];
	u8 cidr;
	u8 v6;
	s8 owner;		/* -1: free slot */
};

#define OPS_OWNERS 8
#define OPS_SLOTS 4096

/* A random prefix of the small space: addr filled, cidr returned. */
static u8 ops_prefix(bool v6, u8 *addr)
{
	u32 r = get_random_u32();
	u64 w[2] = { 0, 0 };
	int i;

	if (!v6) {
		/* 10.0.0.0/22 and its sub-prefixes. */
		w[0] = (0x0a000000ULL | (r & 0x3ff)) << 32;
		for (i = 0; i < 4; i++)
			addr[i] = w[0] >> (56 - 8 * i);
		return 22 + (r >> 10) % 11;
	}
	/* 2001:db8::/56, 16 bits varying over bits 56..71; /56../72 or /128. */
	w[0] = 0x20010db800000000ULL | ((r & 0xffff) >> 8);
	w[1] = (u64)(r & 0xff) << 56 | (r & 0x10000 ? 5 : 0);
	for (i = 0; i < 16; i++)
		addr[i] = i < 8 ? w[0] >> (56 - 8 * i) : w[1] >> (56 - 8 * (i - 8));
	return (r >> 17) % 4 == 0 ? 128 : 56 + (r >> 19) % 17;
}

static int ops_find(const struct live_prefix *live, bool v6, const u64 key[2], u8 cidr)
{
	int i;

	for (i = 0; i < OPS_SLOTS; i++) {
		if (live[i].owner >= 0 && live[i].v6 == v6 && live[i].cidr == cidr &&
		    live[i].key[0] == key[0] && live[i].key[1] == key[1])
			return i;
	}
	return -1;
}

static int ops_lookup(const struct live_prefix *live, bool v6, const u8 *addr)
{
	int i, best = -1, best_cidr = -1;
	u64 w[2], mask[2];

	addr_to_words(w, v6, addr);
	for (i = 0; i < OPS_SLOTS; i++) {
		if (live[i].owner < 0 || live[i].v6 != v6 || live[i].cidr <= best_cidr)
			continue;
		mask_of(mask, live[i].cidr);
		if ((w[0] & mask[0]) == live[i].key[0] && (w[1] & mask[1]) == live[i].key[1]) {
			best = live[i].owner;
			best_cidr = live[i].cidr;
		}
	}
	return best;
}

static void ops_check(struct kunit *test, struct trie_fixture *f,
		      const struct live_prefix *live, int step)
{
	struct wg_allowedips_stats st;
	unsigned int want[2] = { 0, 0 };
	int i, fam, got, expect;
	u8 addr[16];
	bool v6;

	for (i = 0; i < OPS_SLOTS; i++) {
		if (live[i].owner >= 0)
			want[live[i].v6]++;
	}
	for (fam = 0; fam < 2; fam++) {
		v6 = fam;
		st = trie_stats(test, f, v6 ? AF_INET6 : AF_INET);
		KUNIT_EXPECT_EQ_MSG(test, st.entries, want[v6], "step %d v6 %d", step, v6);
		if (want[v6])
			KUNIT_EXPECT_LE_MSG(test, st.branches + st.former_entries,
					    want[v6] - 1, "step %d v6 %d", step, v6);
		for (i = 0; i < 32; i++) {
			ops_prefix(v6, addr);
			/* Also the host bits. */
			addr[v6 ? 15 : 3] ^= get_random_u32() & 0xff;
			expect = ops_lookup(live, v6, addr);
			got = lookup(f, v6 ? AF_INET6 : AF_INET, addr);
			if (got != expect) {
				KUNIT_FAIL(test, "step %d: lookup %*phN: trie %d, model %d",
					   step, v6 ? 16 : 4, addr, got, expect);
				return;
			}
		}
	}
}

static void trie_random_ops(struct kunit *test)
{
	const int steps = 20000;
	struct trie_fixture *f = fixture(test);
	struct live_prefix *live;
	int step, i, j, owner, ret, expected[OPS_OWNERS] = { };
	u64 key[2], mask[2];
	u8 addr[16], cidr;
	bool v6;
	u32 r;

	live = kvcalloc(OPS_SLOTS, sizeof(*live), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, live);
	for (i = 0; i < OPS_SLOTS; i++)
		live[i].owner = -1;

	for (step = 0; step < steps; step++) {
		r = get_random_u32();
		v6 = r & 1;
		owner = (r >> 1) % OPS_OWNERS;
		cidr = ops_prefix(v6, addr);
		addr_to_words(key, v6, addr);
		mask_of(mask, cidr);
		key[0] &= mask[0];
		key[1] &= mask[1];
		i = ops_find(live, v6, key, cidr);

		switch ((r >> 4) % 16) {
		case 0 ... 7:	/* insert, or change the owner */
			mutex_lock(&test_lock);
			ret = insert(f, v6 ? AF_INET6 : AF_INET, addr, cidr, owner);
			mutex_unlock(&test_lock);
			KUNIT_ASSERT_EQ(test, ret, 0);
			if (i < 0) {
				for (i = 0; i < OPS_SLOTS && live[i].owner >= 0; i++)
					;
				KUNIT_ASSERT_LT(test, i, OPS_SLOTS);
				live[i].key[0] = key[0];
				live[i].key[1] = key[1];
				live[i].cidr = cidr;
				live[i].v6 = v6;
			}
			live[i].owner = owner;
			break;
		case 8 ... 14:	/* remove, with the right owner or a wrong one */
			if (i >= 0 && (r >> 8) % 8)
				owner = live[i].owner;
			mutex_lock(&test_lock);
			ret = wg_allowedips_remove(&f->table, v6 ? AF_INET6 : AF_INET, addr,
						   cidr, &f->owners[owner], &test_lock);
			mutex_unlock(&test_lock);
			if (i >= 0 && live[i].owner == owner) {
				KUNIT_ASSERT_EQ(test, ret, 0);
				live[i].owner = -1;
			} else {
				KUNIT_ASSERT_EQ(test, ret, -ENOENT);
			}
			break;
		case 15:	/* now and then, a whole owner */
			if ((r >> 8) % 8)
				break;
			mutex_lock(&test_lock);
			wg_allowedips_remove_owner(&f->table, &f->owners[owner], &test_lock);
			mutex_unlock(&test_lock);
			for (j = 0; j < OPS_SLOTS; j++) {
				if (live[j].owner == owner)
					live[j].owner = -1;
			}
			break;
		}
		if (step % 64 == 0) {
			ops_check(test, f, live, step);
			if (test->status == KUNIT_FAILURE)
				break;
		}
	}
	ops_check(test, f, live, step);
	for (i = 0; i < OPS_SLOTS; i++) {
		if (live[i].owner >= 0)
			expected[live[i].owner]++;
	}
	for (j = 0; j < OPS_OWNERS; j++)
		KUNIT_EXPECT_EQ_MSG(test, walk_count(f, j), expected[j], "owner %d", j);
	kvfree(live);
	fixture_free(f);
}

static unsigned long slab_bytes(void)
{
	return global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) * PAGE_SIZE;
}

/*
 * A million IPv4 entries: cost of a lookup and memory per entry, printed
 * (not asserted; under UML with KASAN both are far worse than on real
 * hardware). Correctness is asserted on a sample.
 */
static void trie_benchmark_million(struct kunit *test)
{
	const int n = 1000000, nlookup = 1000000;
	struct trie_fixture *f = fixture(test);
	__be32 *addrs;
	const char *build = IS_ENABLED(CONFIG_KASAN) ? "UML, KASAN" : "UML";
	unsigned long before, after;
	u64 t0, t1;
	int i, found = 0, hot = 0;

	addrs = kvmalloc_array(n, sizeof(*addrs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, addrs);
	for (i = 0; i < n; i++)
		addrs[i] = (__force __be32)get_random_u32();

	rcu_barrier();
	before = slab_bytes();
	t0 = ktime_get_ns();
	mutex_lock(&test_lock);
	for (i = 0; i < n; i++) {
		/* Three in four are /32s, the rest /16../31. */
		u8 cidr = i % 4 ? 32 : 16 + i % 16;

		if (insert(f, AF_INET, &addrs[i], cidr, i % NOWNERS)) {
			KUNIT_FAIL(test, "insert %d failed", i);
			break;
		}
		if (i % 65536 == 0) {
			mutex_unlock(&test_lock);
			cond_resched();
			mutex_lock(&test_lock);
		}
	}
	mutex_unlock(&test_lock);
	t1 = ktime_get_ns();
	after = slab_bytes();
	pr_info("kwg-bench: allowedips: %d IPv4 entries inserted in %llu ms, %lu slab bytes per entry (%s)\n",
		n, (t1 - t0) / NSEC_PER_MSEC, (after - before) / n, build);

	t0 = ktime_get_ns();
	rcu_read_lock();
	for (i = 0; i < nlookup; i++)
		found += !!wg_allowedips_lookup(&f->table, AF_INET, &addrs[i]);
	rcu_read_unlock();
	t1 = ktime_get_ns();
	pr_info("kwg-bench: allowedips: %d lookups of random entries, %llu ns per lookup (%s)\n",
		nlookup, (t1 - t0) / nlookup, build);

	/* The same, on 256 destinations: the cost without cache misses. */
	t0 = ktime_get_ns();
	rcu_read_lock();
	for (i = 0; i < nlookup; i++)
		hot += !!wg_allowedips_lookup(&f->table, AF_INET, &addrs[i % 256]);
	rcu_read_unlock();
	t1 = ktime_get_ns();
	pr_info("kwg-bench: allowedips: %d lookups of 256 hot entries, %llu ns per lookup (%s)\n",
		nlookup, (t1 - t0) / nlookup, build);
	KUNIT_EXPECT_EQ(test, hot, nlookup);
	KUNIT_EXPECT_EQ(test, found, nlookup);

	/* Every /32 that no later entry replaced maps to its owner. */
	for (i = n - 1000; i < n; i++) {
		if (i % 4)
			KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, &addrs[i]), i % NOWNERS);
	}
	kvfree(addrs);
	fixture_free(f);
}

static struct kunit_case allowedips_cases[] = {
	KUNIT_CASE(trie_ipv4_exact),
	KUNIT_CASE(trie_ipv6_exact),
	KUNIT_CASE(trie_random_vs_model),
	KUNIT_CASE(trie_remove_owner_many),
	KUNIT_CASE(trie_pool),
	KUNIT_CASE(trie_role_changes),
	KUNIT_CASE(trie_sequential_nodes),
	KUNIT_CASE(trie_random_ops),
	KUNIT_CASE(trie_benchmark_million),
	{}
};

static int allowedips_suite_init(struct kunit_suite *suite)
{
	return wg_allowedips_module_init();
}

static void allowedips_suite_exit(struct kunit_suite *suite)
{
	wg_allowedips_module_uninit();
}

static struct kunit_suite allowedips_suite = {
	.name = "kwg_allowedips",
	.suite_init = allowedips_suite_init,
	.suite_exit = allowedips_suite_exit,
	.test_cases = allowedips_cases,
};

kunit_test_suite(allowedips_suite);
