/* hashmap.c - open addressing, linear probing, tombstones; see hashmap.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/hashmap.h"

#define TAG_EMPTY 0u
#define TAG_TOMB  1u
#define MIN_CAP   16u

/* Final mix of murmur3: spreads every input bit over the word. */
static uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/*
 * An fmix64 per 8-byte word. A multiply per word would be cheaper, but the
 * hash orders iteration, and so some of report's lists: hashmap_get's memo
 * spares the hot path most hashing instead.
 */
uint64_t hashmap_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0x100000001b3ULL);
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = fmix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
		p += 8;
		len -= 8;
	}
	if (len) {
		w = 0;
		if (len == 4)	/* pid and tid keys: a fixed-size copy is one load, not a byte loop */
			memcpy(&w, p, 4);
		else
			memcpy(&w, p, len);
		h = fmix64(h ^ w ^ 0x5bd1e995ULL);
	}
	return fmix64(h);
}

static uint64_t tag_of(const void *key, size_t len)
{
	return hashmap_hash(key, len) | 2;	/* never EMPTY or TOMB */
}

int hashmap_init(struct hashmap *h, size_t key_size)
{
	if (!h || !key_size)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	h->key_size = key_size;
	return 0;
}

void hashmap_fini(struct hashmap *h)
{
	if (!h)
		return;
	free(h->tags);
	free(h->keys);
	free(h->vals);
	h->tags = NULL;
	h->keys = NULL;
	h->vals = NULL;
	h->cap = h->len = h->used = 0;
}

/* Most keys are 8-byte multiples: compare them a word at a time, inline. */
static inline bool key_eq(const unsigned char *a, const unsigned char *b, size_t len)
{
	uint64_t x, y;
	uint32_t x4, y4;

	if (len == 4) {	/* pid and tid keys */
		memcpy(&x4, a, 4);
		memcpy(&y4, b, 4);
		return x4 == y4;
	}
	if (len & 7)
		return !memcmp(a, b, len);
	for (; len; a += 8, b += 8, len -= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	return true;
}

/* Slot holding key, or SIZE_MAX. */
static size_t find(const struct hashmap *h, const void *key, uint64_t tag)
{
	size_t mask = h->cap - 1, i;

	if (!h->cap)
		return SIZE_MAX;
	for (i = tag & mask;; i = (i + 1) & mask) {
		if (h->tags[i] == TAG_EMPTY)
			return SIZE_MAX;
		if (h->tags[i] == tag && key_eq(h->keys + i * h->key_size, key, h->key_size))
			return i;
	}
}

static void place(struct hashmap *h, uint64_t tag, const void *key, void *val)
{
	size_t mask = h->cap - 1, i = tag & mask;

	while (h->tags[i] > TAG_TOMB)
		i = (i + 1) & mask;
	if (h->tags[i] == TAG_EMPTY)
		h->used++;
	h->tags[i] = tag;
	memcpy(h->keys + i * h->key_size, key, h->key_size);
	h->vals[i] = val;
	h->len++;
}

static int rehash(struct hashmap *h, size_t ncap)
{
	struct hashmap n = *h;
	size_t i;

	n.cap = ncap;
	n.len = n.used = 0;
	n.tags = calloc(ncap, sizeof(*n.tags));
	n.keys = malloc(ncap * h->key_size);
	n.vals = malloc(ncap * sizeof(*n.vals));
	if (!n.tags || !n.keys || !n.vals) {
		free(n.tags);
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (i = 0; i < h->cap; i++)
		if (h->tags[i] > TAG_TOMB)
			place(&n, h->tags[i], h->keys + i * h->key_size, h->vals[i]);
	free(h->tags);
	free(h->keys);
	free(h->vals);
	*h = n;
	return 0;
}

/* Keep (live + tombstones) under 3/4 of the slots so probes stay short. */
static int reserve_one(struct hashmap *h)
{
	size_t ncap;

	if (h->cap && (h->used + 1) * 4 <= h->cap * 3)
		return 0;
	ncap = h->cap ? h->cap : MIN_CAP;
	/* Mostly tombstones: rebuild at the same size instead of growing. */
	while ((h->len + 1) * 2 > ncap) {
		if (ncap > SIZE_MAX / 2 / h->key_size)
			return -ENOMEM;
		ncap *= 2;
	}
	return rehash(h, ncap);
}

/* Slot i is live and holds key. */
static inline bool slot_has(const struct hashmap *h, size_t i, const void *key)
{
	return i < h->cap && h->tags[i] > TAG_TOMB &&
	       key_eq(h->keys + i * h->key_size, key, h->key_size);
}

void *hashmap_get(const struct hashmap *h, const void *key)
{
	struct hashmap *mh = (struct hashmap *)h;
	size_t i, j;

	if (!h || !key)
		return NULL;
	for (j = 0; j < HASHMAP_MEMO; j++)
		if (slot_has(h, h->memo[j], key))
			return h->vals[h->memo[j]];
	i = find(h, key, tag_of(key, h->key_size));
	if (i == SIZE_MAX)
		return NULL;
	/* The memo is a cache, not content: a get through a const map may update it. */
	mh->memo[mh->memo_next++ % HASHMAP_MEMO] = i;
	return h->vals[i];
}

int hashmap_put(struct hashmap *h, const void *key, void *val, void **old)
{
	uint64_t tag;
	size_t i;
	int err;

	if (old)
		*old = NULL;
	if (!h || !key || !val)
		return -EINVAL;
	tag = tag_of(key, h->key_size);
	i = find(h, key, tag);
	if (i != SIZE_MAX) {
		if (old)
			*old = h->vals[i];
		h->vals[i] = val;
		return 0;
	}
	err = reserve_one(h);
	if (err)
		return err;
	place(h, tag, key, val);
	return 0;
}

void *hashmap_del(struct hashmap *h, const void *key)
{
	size_t i;
	void *val;

	if (!h || !key)
		return NULL;
	i = find(h, key, tag_of(key, h->key_size));
	if (i == SIZE_MAX)
		return NULL;
	val = h->vals[i];
	h->tags[i] = TAG_TOMB;
	h->vals[i] = NULL;
	h->len--;
	return val;
}

bool hashmap_next(const struct hashmap *h, size_t *it, const void **key, void **val)
{
	size_t i;

	if (!h || !it)
		return false;
	for (i = *it; i < h->cap; i++) {
		if (h->tags[i] <= TAG_TOMB)
			continue;
		if (key)
			*key = h->keys + i * h->key_size;
		if (val)
			*val = h->vals[i];
		*it = i + 1;
		return true;
	}
	*it = h->cap;
	return false;
}

void hashmap_fini_free(struct hashmap *h)
{
	size_t it = 0;
	void *v;

	while (hashmap_next(h, &it, NULL, &v))
		free(v);
	hashmap_fini(h);
}
