/*
 * test_deadlock_stacks.c - unwinding a blocked child without stopping it:
 * its sp and pc from /proc/PID/task/TID/syscall, its stack with
 * process_vm_readv, libdw through our callbacks. The frames name the
 * functions it is blocked in (past a frame addressed through rbp, guessed),
 * and its read() is never interrupted: it returns the byte written
 * afterwards, once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "collect/procfs_parse.h"
#include "deadlock/procscan.h"
#include "deadlock/stacks.h"

/* Not static, not inlined: the child's frames must be named. */
__attribute__((noinline)) int dl_test_blocker(int fd)
{
	char c;
	/* syscall(2), not read(3): a sanitizer's read interceptor keeps a frame
	 * pointer, and /proc shows no rbp to unwind it with */
	long n = syscall(SYS_read, fd, &c, 1);

	return n == 1 && c == 'x' ? 0 : 1;
}

/* A variable-length array: its frame is addressed through rbp, which /proc
 * does not show: the unwinder has to guess it to go past. */
__attribute__((noinline)) int dl_test_vla(int fd, int n)
{
	volatile char buf[n];
	int rc;

	buf[0] = 1;
	rc = dl_test_blocker(fd);
	return rc + buf[0] - 1;
}

__attribute__((noinline)) int dl_test_outer(int fd)
{
	int rc = dl_test_vla(fd, 64 + fd);

	__asm__ volatile("" ::: "memory");	/* no tail call: keep this frame */
	return rc;
}

/* Until the child sleeps in read(2); its syscall line in *s. */
static void wait_blocked(pid_t pid, struct dl_sysline *s)
{
	char path[64], buf[512];
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (int i = 0; i < 1000; i++) {
		if (procfs_read_small(path, buf, sizeof(buf)) > 0 && !dl_parse_syscall(buf, s) &&
		    s->nr == SYS_read && s->sp && s->pc)
			return;
		nanosleep(&ts, NULL);
	}
	fail_msg("the child never blocked in read: '%s'", buf);
}

static bool has(const struct dl_frame *f, size_t n, const char *sym)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].symbol, sym))
			return true;
	return false;
}

static void test_unwind_blocked_child(void **state)
{
	struct dl_unwinder *u;
	struct dl_frame *f = NULL;
	struct dl_sysline s, after;
	size_t n = 0;
	int p[2], status;
	char line[400], path[64], buf[512];
	pid_t child;

	(void)state;
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(p[1]);
		_exit(dl_test_outer(p[0]));
	}
	close(p[0]);
	wait_blocked(child, &s);
	assert_int_equal(dl_unwind_open(child, false, &u), 0);
	assert_int_equal(dl_unwind_thread(u, child, s.sp, s.pc, &f, &n), 0);
	for (size_t i = 0; getenv("DL_TEST_DEBUG") && i < n; i++)
		fprintf(stderr, "#%zu %s %s+0x%llx guessed=%d\n", i, f[i].module, f[i].symbol, (unsigned long long)f[i].offset, f[i].guessed);
	assert_true(n >= 3);
	assert_true(has(f, n, "dl_test_blocker"));
	assert_true(has(f, n, "dl_test_vla"));
	assert_true(has(f, n, "dl_test_outer"));
	assert_true(has(f, n, "test_unwind_blocked_child"));
	assert_true(strstr(f[0].module, "libc") != NULL);	/* the syscall() wrapper */
	assert_false(f[0].guessed);
	/* the frames past the VLA's were found through a guessed frame pointer, and say so */
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].symbol, "dl_test_outer"))
			assert_true(f[i].guessed);
	dl_frame_format(&f[1], line, sizeof(line));
	assert_non_null(strstr(line, "+0x"));
	free(f);
	/* no registers (a running thread): nothing to unwind from */
	assert_int_equal(dl_unwind_thread(u, child, 0, 0, &f, &n), -ENODATA);
	dl_unwind_close(u);
	/* the child still sleeps in the same call, never interrupted */
	snprintf(path, sizeof(path), "/proc/%d/syscall", child);
	assert_true(procfs_read_small(path, buf, sizeof(buf)) > 0);
	assert_int_equal(dl_parse_syscall(buf, &after), 0);
	assert_true(after.nr == SYS_read && after.sp == s.sp && after.pc == s.pc);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);	/* its one read got the byte */
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unwind_blocked_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
