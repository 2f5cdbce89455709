/*
 * test_procfs_parse.c - the /proc text parsers on crafted text: real lines,
 * hostile comms, missing, overlong and malformed fields; and the bounded reader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ipcscope_abi.h"
#include "collect/procfs_parse.h"

static void test_num(void **state)
{
	(void)state;
	assert_int_equal(procfs_parse_num("1"), 1);
	assert_int_equal(procfs_parse_num("2147483647"), 2147483647);
	assert_int_equal(procfs_parse_num("2147483648"), -1);
	assert_int_equal(procfs_parse_num("99999999999999999999999"), -1);
	assert_int_equal(procfs_parse_num(""), -1);
	assert_int_equal(procfs_parse_num("0"), 0);
	assert_int_equal(procfs_parse_num("012"), -1);
	assert_int_equal(procfs_parse_num("12a"), -1);
	assert_int_equal(procfs_parse_num("-1"), -1);
	assert_int_equal(procfs_parse_num("self"), -1);
}

#define STAT_TAIL " S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 10"

static void test_stat(void **state)
{
	char comm[64];
	pid_t ppid;
	__u64 start = 0;

	(void)state;
	assert_int_equal(procfs_parse_stat("42 (sleep)" STAT_TAIL, &ppid, &start, comm, sizeof(comm)), 0);
	assert_int_equal(ppid, 1);
	assert_int_equal(start, 123456);
	assert_string_equal(comm, "sleep");
	/* A comm holding ") S 9 " and spaces: fields count from the last ')'. */
	assert_int_equal(procfs_parse_stat("42 (a) S 9 (b c)" STAT_TAIL, &ppid, &start, comm,
					   sizeof(comm)), 0);
	assert_int_equal(ppid, 1);
	assert_string_equal(comm, "a) S 9 (b c");
	/* comm cut to the buffer. */
	assert_int_equal(procfs_parse_stat("42 (abcdefgh)" STAT_TAIL, &ppid, &start, comm, 4), 0);
	assert_string_equal(comm, "abc");
	/* Malformed: no parens, no space after ')', short, non-numeric, overflow. */
	assert_int_equal(procfs_parse_stat("42 sleep S 1", &ppid, &start, comm, sizeof(comm)), -EINVAL);
	assert_int_equal(procfs_parse_stat("42 )x( S 1", &ppid, &start, comm, sizeof(comm)), -EINVAL);
	assert_int_equal(procfs_parse_stat("42 (x)S 1", &ppid, &start, comm, sizeof(comm)), -EINVAL);
	assert_int_equal(procfs_parse_stat("42 (x) S 1 2 3", &ppid, &start, comm, sizeof(comm)), -EINVAL);
	assert_int_equal(procfs_parse_stat("42 (x) S -1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 5 1 1",
					   &ppid, &start, comm, sizeof(comm)), -EINVAL);
	assert_int_equal(procfs_parse_stat("42 (x) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 5x 1 1",
					   &ppid, &start, comm, sizeof(comm)), -EINVAL);
	assert_int_equal(procfs_parse_stat("42 (x) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
					   "99999999999999999999999 1 1", &ppid, &start, comm, sizeof(comm)),
			 -EINVAL);
	assert_int_equal(procfs_parse_stat("42 (x) S 4294967296 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 5",
					   &ppid, &start, comm, sizeof(comm)), -EINVAL);
	/* Field 22 last, newline-terminated (a short stat). */
	assert_int_equal(procfs_parse_stat("7 (x) S 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 77\n",
					   &ppid, &start, comm, sizeof(comm)), 0);
	assert_int_equal(ppid, 3);
	assert_int_equal(start, 77);
	assert_int_equal(procfs_parse_stat("", &ppid, &start, comm, sizeof(comm)), -EINVAL);
}

static void test_fdinfo(void **state)
{
	__u16 fm = 0;
	bool cx = true;

	(void)state;
	assert_int_equal(procfs_parse_fdinfo("pos:\t0\nflags:\t02000001\nmnt_id:\t15\n", &fm, &cx), 0);
	assert_int_equal(fm, IPCS_FMODE_WRITE);
	assert_true(cx);
	assert_int_equal(procfs_parse_fdinfo("flags:\t00\n", &fm, &cx), 0);
	assert_int_equal(fm, IPCS_FMODE_READ);
	assert_false(cx);
	assert_int_equal(procfs_parse_fdinfo("pos: 0\nflags: 02\n", &fm, &cx), 0);
	assert_int_equal(fm, IPCS_FMODE_READ | IPCS_FMODE_WRITE);
	assert_int_equal(procfs_parse_fdinfo("pos:\t0\n", &fm, &cx), -EINVAL);
	assert_int_equal(procfs_parse_fdinfo("flags:\tzz\n", &fm, &cx), -EINVAL);
	assert_int_equal(procfs_parse_fdinfo("", &fm, &cx), -EINVAL);
	assert_int_equal(procfs_parse_fdinfo("xflags:\t01\n", &fm, &cx), -EINVAL);
}

static void test_pipe_link(void **state)
{
	(void)state;
	assert_int_equal(procfs_parse_pipe_link("pipe:[123]"), 123);
	assert_int_equal(procfs_parse_pipe_link("pipe:[18446744073709551615]"), UINT64_MAX);
	assert_int_equal(procfs_parse_pipe_link("pipe:[18446744073709551616]"), 0);
	assert_int_equal(procfs_parse_pipe_link("pipe:[]"), 0);
	assert_int_equal(procfs_parse_pipe_link("pipe:[12"), 0);
	assert_int_equal(procfs_parse_pipe_link("pipe:[12]x"), 0);
	assert_int_equal(procfs_parse_pipe_link("socket:[12]"), 0);
	assert_int_equal(procfs_parse_pipe_link("pipe:"), 0);
	assert_int_equal(procfs_parse_pipe_link(""), 0);
}

/* The reader: whole small files, cut at size-1 and always terminated; a
 * missing file or a directory is -errno, never a stale buffer. */
static void test_read_small(void **state)
{
	char path[] = "/tmp/ipcs-test-procread.XXXXXX", buf[8];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "123 (a) S\n", 10), 10);
	close(fd);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(procfs_read_small(path, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "123 (a)");
	assert_int_equal(procfs_read_small(path, buf, 1), 0);
	assert_string_equal(buf, "");
	unlink(path);
	assert_int_equal(procfs_read_small(path, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(procfs_read_small("/", buf, sizeof(buf)), -EISDIR);
	assert_true(procfs_read_small("/proc/self/stat", buf, sizeof(buf)) == 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_fdinfo),
		cmocka_unit_test(test_pipe_link),
		cmocka_unit_test(test_read_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
