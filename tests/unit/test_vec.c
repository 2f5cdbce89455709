/* test_vec.c - vec_grow: doubling from the first size, exact room, contents kept, overflow refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include "util/vec.h"

/* The failure tests ask realloc for impossible sizes: under ASan it must
 * return NULL as libc's does, not abort (no effect without ASan). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static void test_doubles_from_min(void **state)
{
	int *v = NULL;
	size_t cap = 0, n;

	(void)state;
	for (n = 0; n < 100; n++) {
		assert_int_equal(vec_grow((void **)&v, &cap, n + 1, sizeof(*v), 4), 0);
		v[n] = (int)n;
		/* 4, 8, 16, ...: the smallest such size that holds n + 1 */
		size_t want = 4;

		while (want < n + 1)
			want *= 2;
		assert_int_equal(cap, want);
	}
	for (n = 0; n < 100; n++)
		assert_int_equal(v[n], (int)n);
	free(v);
}

static void test_default_min_and_no_shrink(void **state)
{
	char *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(vec_grow((void **)&v, &cap, 1, 1, 0), 0);
	assert_int_equal(cap, 16);
	/* room already there: nothing moves */
	char *before = v;

	assert_int_equal(vec_grow((void **)&v, &cap, 16, 1, 0), 0);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 16);
	assert_int_equal(vec_grow((void **)&v, &cap, 0, 1, 0), 0);
	assert_int_equal(cap, 16);
	/* a jump past several doublings lands on the first power that holds it */
	assert_int_equal(vec_grow((void **)&v, &cap, 1000, 1, 0), 0);
	assert_int_equal(cap, 1024);
	free(v);
}

static void test_overflow_refused(void **state)
{
	void *v = NULL;
	size_t cap = 0;

	(void)state;
	/* need * elem wraps size_t: refused before any allocation */
	assert_int_equal(vec_grow(&v, &cap, SIZE_MAX / 8 + 1, 8, 0), -ENOMEM);
	assert_null(v);
	assert_int_equal(cap, 0);
	assert_int_equal(vec_grow(&v, &cap, SIZE_MAX, 2, 0), -ENOMEM);
	assert_int_equal(vec_grow(&v, &cap, 1, 0, 0), -ENOMEM);
	assert_int_equal(cap, 0);
}

static void test_doubling_overflow_clamps(void **state)
{
	char *v = malloc(16);
	size_t cap = SIZE_MAX / 2 + 2;	/* pretend: doubling it would wrap */
	size_t fake = cap;

	(void)state;
	assert_non_null(v);
	/* need fits but the doubled size would not: clamped to need, which
	 * realloc cannot give (-ENOMEM), and nothing is changed */
	assert_int_equal(vec_grow((void **)&v, &cap, SIZE_MAX - 1, 1, 0), -ENOMEM);
	assert_int_equal(cap, fake);
	free(v);
}

static void test_failed_realloc_keeps_array(void **state)
{
	int *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(vec_grow((void **)&v, &cap, 3, sizeof(*v), 4), 0);
	v[0] = 7;
	/* too big for any allocator, yet no overflow: realloc fails */
	assert_int_equal(vec_grow((void **)&v, &cap, SIZE_MAX / sizeof(*v) - 1, sizeof(*v), 4), -ENOMEM);
	assert_int_equal(cap, 4);
	assert_int_equal(v[0], 7);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubles_from_min),
		cmocka_unit_test(test_default_min_and_no_shrink),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_doubling_overflow_clamps),
		cmocka_unit_test(test_failed_realloc_keeps_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
