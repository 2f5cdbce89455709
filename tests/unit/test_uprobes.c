/*
 * test_uprobes.c - finding a process's libc for --locks, on a fake /proc:
 * the libc its maps show (under /proc/PID/root), the libc.so.6 next to a
 * glibc loader when none is mapped yet (just exec'd), a static binary and
 * musl skipped with a reason naming them; the lock functions' names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "collect/uprobes.h"
#include "ipcscope_abi.h"

static char dir[] = "/tmp/ipcs-uprobes.XXXXXX";

/* dir/PID with maps text and an exe link to target */
static void fake(int pid, const char *maps, const char *exe)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%d", dir, pid);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/%d/maps", dir, pid);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(maps, f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/%d/exe", dir, pid);
	assert_int_equal(symlink(exe, p), 0);
	snprintf(p, sizeof(p), "%s/%d/root", dir, pid);
	assert_int_equal(symlink("/", p), 0);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_libc_from_maps(void **state)
{
	char path[PATH_MAX], what[PATH_MAX], want[PATH_MAX];
	const char *why;

	(void)state;
	fake(10, "55d0c0000000-55d0c0001000 r--p 00000000 08:01 123 /usr/bin/prog\n"
		 "7f0000000000-7f0000028000 r--p 00000000 08:01 456 /usr/lib/x86_64-linux-gnu/libc.so.6\n",
	     "/bin/true");
	assert_int_equal(lock_probes_find_libc(dir, 10, path, sizeof(path), &why, what, sizeof(what)), 0);
	snprintf(want, sizeof(want), "%s/10/root/usr/lib/x86_64-linux-gnu/libc.so.6", dir);
	assert_string_equal(path, want);
	assert_null(why);
}

static void test_libc_next_to_the_loader(void **state)
{
	char path[PATH_MAX], what[PATH_MAX], want[PATH_MAX + 16], real[PATH_MAX];
	const char *why;

	(void)state;
	/* just exec'd: only the program and its loader are mapped */
	fake(11, "55d0c0000000-55d0c0001000 r--p 00000000 08:01 123 /usr/bin/true\n", "/bin/true");
	assert_int_equal(lock_probes_find_libc(dir, 11, path, sizeof(path), &why, what, sizeof(what)), 0);
	assert_non_null(realpath("/lib64/ld-linux-x86-64.so.2", real));
	*strrchr(real, '/') = '\0';
	snprintf(want, sizeof(want), "%s/libc.so.6", real);
	assert_string_equal(path, want);
	assert_int_equal(access(path, R_OK), 0);
}

static void test_static_and_musl_skipped(void **state)
{
	char path[PATH_MAX], what[PATH_MAX];
	const char *why;

	(void)state;
	fake(12, "", "/sbin/ldconfig");	/* static-pie on Debian */
	assert_int_equal(lock_probes_find_libc(dir, 12, path, sizeof(path), &why, what, sizeof(what)), -ENOENT);
	assert_string_equal(why, "static binary");
	assert_string_equal(what, "/sbin/ldconfig");
	fake(13, "7f0000000000-7f0000028000 r-xp 00000000 08:01 456 /lib/ld-musl-x86_64.so.1\n", "/bin/true");
	assert_int_equal(lock_probes_find_libc(dir, 13, path, sizeof(path), &why, what, sizeof(what)), -ENOENT);
	assert_string_equal(why, "another libc");
	assert_string_equal(what, "/lib/ld-musl-x86_64.so.1");
	/* gone */
	assert_int_not_equal(lock_probes_find_libc(dir, 99, path, sizeof(path), &why, what, sizeof(what)), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(lock_fn_name(IPCS_LOCKF_MUTEX_LOCK), "pthread_mutex_lock");
	assert_string_equal(lock_fn_name(IPCS_LOCKF_SEM_POST), "sem_post");
	assert_string_equal(lock_fn_name(IPCS_LOCKF_COND_CLOCKWAIT), "pthread_cond_clockwait");
	assert_string_equal(lock_fn_name(0), "");
	assert_string_equal(lock_fn_name(IPCS_LOCKF_MAX), "");
	for (unsigned fn = 1; fn < IPCS_LOCKF_MAX; fn++)
		assert_true(lock_fn_name(fn)[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libc_from_maps),
		cmocka_unit_test(test_libc_next_to_the_loader),
		cmocka_unit_test(test_static_and_musl_skipped),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
