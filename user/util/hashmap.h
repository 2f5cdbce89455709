/*
 * hashmap.h - open-addressing hash map from fixed-size byte keys to non-NULL
 * pointers. Keys are compared with memcmp, so callers build them with
 * memset() first (no stray padding bytes). Linear probing with tombstones:
 * deleting never moves other entries, so deleting while iterating is safe;
 * inserting while iterating is not (it may rehash).
 *
 * hashmap_get remembers the slots of its last HASHMAP_MEMO hits and checks
 * them first (key compared, so never stale): the model looks up the same few
 * keys over and over (two processes and two pipes of a ping-pong), and that
 * skips the hash and the probe. The map is not safe for concurrent readers
 * because of it.
 */
#ifndef IPCS_HASHMAP_H
#define IPCS_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HASHMAP_MEMO 4

struct hashmap {
	size_t key_size;
	size_t cap;		/* slots: 0 or a power of two */
	size_t len;		/* live entries */
	size_t used;		/* live entries + tombstones */
	uint64_t *tags;		/* per slot: 0 empty, 1 tombstone, else hash | 2 */
	unsigned char *keys;	/* cap * key_size */
	void **vals;
	size_t memo[HASHMAP_MEMO];	/* slots of hashmap_get's last hits (a cache) */
	unsigned memo_next;	/* the memo entry replaced next */
};

/* key_size must be > 0. Allocates nothing until the first put. */
int hashmap_init(struct hashmap *h, size_t key_size);
void hashmap_fini(struct hashmap *h);
/* hashmap_fini after free() of every value (maps that own malloc'd values). */
void hashmap_fini_free(struct hashmap *h);

/* The value stored under key, or NULL. */
void *hashmap_get(const struct hashmap *h, const void *key);

/*
 * Insert or replace. val must not be NULL (-EINVAL). When old is not NULL it
 * receives the replaced value (or NULL). Returns 0 or -ENOMEM (map unchanged).
 */
int hashmap_put(struct hashmap *h, const void *key, void *val, void **old);

/* Remove key; returns its value, or NULL when absent. */
void *hashmap_del(struct hashmap *h, const void *key);

static inline size_t hashmap_len(const struct hashmap *h) { return h->len; }

/*
 * Iterate: `size_t it = 0; while (hashmap_next(h, &it, &key, &val)) ...`.
 * key and val may be NULL when not wanted.
 */
bool hashmap_next(const struct hashmap *h, size_t *it, const void **key, void **val);

/* The hash used for keys (exposed for tests and for callers that shard). */
uint64_t hashmap_hash(const void *key, size_t len);

#endif
