/* test_rotate.c - rotation names, sizes, periods and -W wrapping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "record/rotate.h"

static void test_off(void **state)
{
	struct rotate r;

	(void)state;
	assert_int_equal(rotate_init(&r, "t.ipcs", 0, 0, 0, 0), 0);
	assert_false(rotate_enabled(&r));
	assert_string_equal(r.name, "t.ipcs");
	assert_false(rotate_due(&r, 1ull << 40, 1ull << 50));
}

static void test_size_and_wrap(void **state)
{
	struct rotate r;
	bool reuse;

	(void)state;
	assert_int_equal(rotate_init(&r, "t.ipcs", 1000, 0, 3, 0), 0);
	assert_string_equal(r.name, "t.ipcs.0");
	assert_false(rotate_due(&r, 999, 5));
	assert_true(rotate_due(&r, 1000, 5));
	assert_int_equal(rotate_next(&r, 10, &reuse), 0);
	assert_string_equal(r.name, "t.ipcs.1");
	assert_false(reuse);
	assert_int_equal(rotate_next(&r, 20, &reuse), 0);
	assert_string_equal(r.name, "t.ipcs.2");
	assert_false(reuse);
	assert_int_equal(rotate_next(&r, 30, &reuse), 0);
	assert_string_equal(r.name, "t.ipcs.0");	/* -W 3: the oldest again */
	assert_true(reuse);
}

static void test_period(void **state)
{
	struct rotate r;
	bool reuse;

	(void)state;
	assert_int_equal(rotate_init(&r, "t", 0, 1000, 0, 500), 0);
	assert_false(rotate_due(&r, 0, 1499));
	assert_true(rotate_due(&r, 0, 1500));
	assert_int_equal(rotate_next(&r, 1500, &reuse), 0);
	assert_false(rotate_due(&r, 0, 2499));	/* the period restarts with the file */
	for (int i = 0; i < 20; i++)
		assert_int_equal(rotate_next(&r, 3000, &reuse), 0);
	assert_string_equal(r.name, "t.21");
	assert_false(reuse);
}

static void test_long_name(void **state)
{
	static char base[PATH_MAX];
	struct rotate r;

	(void)state;
	memset(base, 'a', sizeof(base) - 2);	/* PATH_MAX - 2 characters */
	base[sizeof(base) - 2] = '\0';
	assert_int_equal(rotate_init(&r, base, 0, 0, 0, 0), 0);	/* fits without a suffix */
	assert_int_equal(rotate_init(&r, base, 1000, 0, 0, 0), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_size_and_wrap),
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_long_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
