/* test_progress.c - the progress line, and silence off a terminal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "util/progress.h"

static void test_format(void **state)
{
	struct progress p = { .label = "report", .total = 40u << 20 };
	char line[128];

	(void)state;
	progress_format(&p, 10u << 20, line, sizeof(line));
	assert_string_equal(line, "report [#######.......................]  25% of 40.0 MiB");
	progress_format(&p, 80u << 20, line, sizeof(line));	/* past the end: 100 */
	assert_non_null(strstr(line, "[##############################] 100%"));
	progress_format(&p, 0, line, sizeof(line));
	assert_non_null(strstr(line, "[..............................]   0%"));
}

static void test_off(void **state)
{
	struct progress p;
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);

	(void)state;
	/* stderr not a terminal (even when the test runs in one): never on */
	assert_true(saved >= 0 && null >= 0);
	dup2(null, STDERR_FILENO);
	progress_init(&p, "x", 1ll << 40, 1);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(null);
	assert_false(p.on);
	progress_init(&p, "x", -1, 0);	/* unknown size */
	assert_false(p.on);
	progress_update(&p, 5);
	progress_done(&p);
	assert_false(p.drawn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
