/*
 * test_cgroup.c - --cgroup PATH resolution: the cgroup2 root, names as /proc
 * shows them, errors. Without a cgroup2 mount (or, not root, the right to make
 * a child) it skips, counted by tests/run-unit.sh; as root a failed mkdir fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "collect/cgroup.h"

/* The cgroup2 mount, or "" (then only the error paths run). */
static void cgroup2_mount(char *buf, size_t n)
{
	char dev[64], mnt[256], type[64];
	FILE *f = fopen("/proc/mounts", "r");

	buf[0] = '\0';
	while (f && fscanf(f, "%63s %255s %63s %*[^\n]", dev, mnt, type) == 3)
		if (!strcmp(type, "cgroup2")) {
			snprintf(buf, n, "%s", mnt);
			break;
		}
	if (f)
		fclose(f);
}

static void test_resolve(void **state)
{
	static struct cgroup_ref ref;
	char mnt[256], sub[300];
	struct stat st;

	(void)state;
	assert_int_equal(cgroup_resolve("/no/such/cgroup/at/all", NULL, &ref), -ENOENT);
	assert_int_equal(cgroup_resolve("/tmp", NULL, &ref), -ENOENT);	/* not cgroup2 */
	cgroup2_mount(mnt, sizeof(mnt));
	if (!mnt[0]) {
		/* counted and named by tests/run-unit.sh (a failure where root and BTF are) */
		print_message("SKIPPED: no cgroup2 mounted: only the error paths ran\n");
		skip();
	}
	assert_int_equal(cgroup_resolve(mnt, NULL, &ref), 0);
	assert_int_equal(ref.level, 0);
	assert_int_equal(stat(mnt, &st), 0);
	assert_int_equal(ref.id, st.st_ino);
	/* a child, named as /proc/PID/cgroup would ("/name") when the mount is a standard one */
	snprintf(sub, sizeof(sub), "%s/test_cgroup.%d", mnt, (int)getpid());
	if (mkdir(sub, 0755)) {
		if (geteuid() == 0)
			fail_msg("mkdir %s: %s", sub, strerror(errno));
		print_message("SKIPPED: mkdir %s: %s (not root): only the root cgroup ran\n", sub,
			      strerror(errno));
		skip();
	}
	assert_int_equal(cgroup_resolve(sub, mnt, &ref), 0);
	assert_int_equal(ref.level, 1);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(ref.id, st.st_ino);
	snprintf(sub, sizeof(sub), "/test_cgroup.%d", (int)getpid());
	assert_int_equal(cgroup_resolve(sub, mnt, &ref), 0);
	assert_int_equal(ref.level, 1);
	snprintf(sub, sizeof(sub), "%s/test_cgroup.%d", mnt, (int)getpid());
	rmdir(sub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
