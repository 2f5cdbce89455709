/* test_hashmap.c - the generic open-addressing map behind the model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/hashmap.h"

struct key3 {
	unsigned char b[3];
};

static void *val_of(uintptr_t i)
{
	return (void *)(i + 1);	/* never NULL */
}

static void test_put_get_del(void **state)
{
	struct hashmap h;
	uint64_t k = 42, k2 = 43;
	void *old = (void *)1;

	(void)state;
	assert_int_equal(hashmap_init(&h, sizeof(k)), 0);
	assert_null(hashmap_get(&h, &k));
	assert_null(hashmap_del(&h, &k));
	assert_int_equal(hashmap_put(&h, &k, val_of(1), &old), 0);
	assert_null(old);
	assert_ptr_equal(hashmap_get(&h, &k), val_of(1));
	assert_null(hashmap_get(&h, &k2));
	/* Replace: returns the old value, length unchanged. */
	assert_int_equal(hashmap_put(&h, &k, val_of(2), &old), 0);
	assert_ptr_equal(old, val_of(1));
	assert_int_equal(hashmap_len(&h), 1);
	assert_ptr_equal(hashmap_del(&h, &k), val_of(2));
	assert_int_equal(hashmap_len(&h), 0);
	assert_null(hashmap_get(&h, &k));
	assert_int_equal(hashmap_put(&h, &k, NULL, NULL), -EINVAL);
	assert_int_equal(hashmap_init(&h, 0), -EINVAL);
	hashmap_fini(&h);
}

static void test_many(void **state)
{
	const uint64_t n = 100000;
	struct hashmap h;
	uint64_t i;

	(void)state;
	assert_int_equal(hashmap_init(&h, sizeof(i)), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(hashmap_put(&h, &i, val_of(i), NULL), 0);
	assert_int_equal(hashmap_len(&h), n);
	for (i = 0; i < n; i++)
		assert_ptr_equal(hashmap_get(&h, &i), val_of(i));
	for (i = 0; i < n; i += 2)
		assert_ptr_equal(hashmap_del(&h, &i), val_of(i));
	assert_int_equal(hashmap_len(&h), n / 2);
	for (i = 0; i < n; i++) {
		if (i % 2)
			assert_ptr_equal(hashmap_get(&h, &i), val_of(i));
		else
			assert_null(hashmap_get(&h, &i));
	}
	hashmap_fini(&h);
}

/* Insert/delete churn with a small live set must not grow the table. */
static void test_tombstone_churn(void **state)
{
	struct hashmap h;
	uint64_t i;
	size_t cap;

	(void)state;
	assert_int_equal(hashmap_init(&h, sizeof(i)), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(hashmap_put(&h, &i, val_of(i), NULL), 0);
	cap = h.cap;
	for (i = 8; i < 200000; i++) {
		uint64_t gone = i - 8;

		assert_int_equal(hashmap_put(&h, &i, val_of(i), NULL), 0);
		assert_ptr_equal(hashmap_del(&h, &gone), val_of(gone));
	}
	assert_int_equal(hashmap_len(&h), 8);
	assert_true(h.cap <= cap * 2);
	for (i = 200000 - 8; i < 200000; i++)
		assert_ptr_equal(hashmap_get(&h, &i), val_of(i));
	hashmap_fini(&h);
}

static void test_iterate_and_delete(void **state)
{
	const size_t n = 5000;
	struct hashmap h;
	unsigned char *seen = calloc(n, 1);
	const void *key;
	void *val;
	size_t it = 0, count = 0, i;
	uint32_t k;

	(void)state;
	assert_non_null(seen);
	assert_int_equal(hashmap_init(&h, sizeof(k)), 0);
	for (k = 0; k < n; k++)
		assert_int_equal(hashmap_put(&h, &k, val_of(k), NULL), 0);
	/* Deleting the current entry while iterating is allowed. */
	while (hashmap_next(&h, &it, &key, &val)) {
		memcpy(&k, key, sizeof(k));
		assert_true(k < n);
		assert_ptr_equal(val, val_of(k));
		seen[k]++;
		count++;
		if (k % 3 == 0)
			assert_ptr_equal(hashmap_del(&h, &k), val_of(k));
	}
	assert_int_equal(count, n);
	for (i = 0; i < n; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(hashmap_len(&h), n - (n + 2) / 3);
	hashmap_fini(&h);
	free(seen);
}

/* Odd key sizes (not a multiple of 8) and keys differing in one byte. */
static void test_odd_keys(void **state)
{
	struct hashmap h;
	struct key3 k;
	unsigned a, b;

	(void)state;
	assert_int_equal(hashmap_init(&h, sizeof(k)), 0);
	for (a = 0; a < 256; a++)
		for (b = 0; b < 16; b++) {
			k.b[0] = (unsigned char)a;
			k.b[1] = 0;
			k.b[2] = (unsigned char)b;
			assert_int_equal(hashmap_put(&h, &k, val_of(a * 16 + b), NULL), 0);
		}
	assert_int_equal(hashmap_len(&h), 256 * 16);
	for (a = 0; a < 256; a++)
		for (b = 0; b < 16; b++) {
			k.b[0] = (unsigned char)a;
			k.b[1] = 0;
			k.b[2] = (unsigned char)b;
			assert_ptr_equal(hashmap_get(&h, &k), val_of(a * 16 + b));
		}
	k.b[1] = 1;
	assert_null(hashmap_get(&h, &k));
	hashmap_fini(&h);
	/* The hash reacts to every byte. */
	assert_true(hashmap_hash("abcdefghi", 9) != hashmap_hash("abcdefghj", 9));
	assert_true(hashmap_hash("a", 1) != hashmap_hash("b", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_del),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_tombstone_churn),
		cmocka_unit_test(test_iterate_and_delete),
		cmocka_unit_test(test_odd_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
