/*
 * test_outfile.c - every output is a new 0600 inode of ours: --force replaces
 * the name, never writes into the old inode; links, FIFOs, directories and
 * other users' files are refused (issue 23 #2-#4).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/outfile.h"

static char dir[] = "/tmp/test_outfile.XXXXXX";

static const char *tpath(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void put(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static char *slurp_fd(int fd)
{
	static char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	char *s;

	assert_true(fd >= 0);
	s = slurp_fd(fd);
	close(fd);
	return s;
}

/* Temporary files left in the directory. */
static int tmp_left(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, ".ipcscope-", 10);
	closedir(d);
	return n;
}

static void write_str(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void test_new_file_0600(void **state)
{
	mode_t old = umask(0);
	struct stat st;
	int fd;

	(void)state;
	fd = outfile_create(tpath("new"), 0);
	umask(old);
	assert_true(fd >= 0);
	write_str(fd, "x");
	close(fd);
	assert_int_equal(lstat(tpath("new"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_string_equal(slurp(tpath("new")), "x");
	assert_int_equal(tmp_left(), 0);
	/* umask 0277 would make 0400: fchmod puts 0600 back */
	old = umask(0277);
	fd = outfile_create(tpath("new2"), 0);
	umask(old);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(lstat(tpath("new2"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_exists_needs_force(void **state)
{
	(void)state;
	put(tpath("ex"), "keep", 0644);
	assert_int_equal(outfile_create(tpath("ex"), 0), -EEXIST);
	assert_string_equal(slurp(tpath("ex")), "keep");
	assert_int_equal(tmp_left(), 0);
}

/* --force: a new inode takes the name; a reader of the old one sees the old bytes. */
static void test_force_new_inode(void **state)
{
	struct stat before, after;
	int keep, fd;

	(void)state;
	put(tpath("f"), "old bytes", 0666);
	keep = open(tpath("f"), O_RDONLY);
	assert_true(keep >= 0);
	assert_int_equal(fstat(keep, &before), 0);
	fd = outfile_create(tpath("f"), OUTF_FORCE);
	assert_true(fd >= 0);
	write_str(fd, "secret");
	close(fd);
	assert_int_equal(lstat(tpath("f"), &after), 0);
	assert_true(after.st_ino != before.st_ino);
	assert_int_equal(after.st_mode & 07777, 0600);
	assert_string_equal(slurp(tpath("f")), "secret");
	assert_string_equal(slurp_fd(keep), "old bytes");
	assert_int_equal(fstat(keep, &before), 0);
	assert_int_equal(before.st_mode & 07777, 0666);	/* the old inode untouched */
	close(keep);
	assert_int_equal(tmp_left(), 0);
}

static void test_refuses_non_regular(void **state)
{
	char target[256];

	(void)state;
	snprintf(target, sizeof(target), "%s", tpath("victim"));
	put(target, "victim", 0600);
	assert_int_equal(symlink(target, tpath("link")), 0);
	assert_int_equal(symlink(tpath("nowhere"), tpath("dangling")), 0);
	assert_int_equal(mkfifo(tpath("fifo"), 0644), 0);
	assert_int_equal(mkdir(tpath("dir"), 0755), 0);
	for (unsigned flags = 0; flags <= OUTF_FORCE; flags++) {
		assert_int_equal(outfile_create(tpath("link"), flags), -ELOOP);
		assert_int_equal(outfile_create(tpath("dangling"), flags), -ELOOP);
		/* would block for ever in open(O_WRONLY) if it were opened */
		assert_int_equal(outfile_create(tpath("fifo"), flags), -ENXIO);
		assert_int_equal(outfile_create(tpath("dir"), flags), -EISDIR);
	}
	assert_int_equal(outfile_create(tpath("dir/"), OUTF_FORCE), -EISDIR);
	assert_string_equal(slurp(target), "victim");
	assert_int_equal(access(tpath("nowhere"), F_OK), -1);
	assert_int_equal(tmp_left(), 0);
}

/* Another user's file: refused with --force alone; --replace-foreign replaces its name. */
static void test_foreign(void **state)
{
	struct stat st;
	int fd;

	(void)state;
	if (geteuid() != 0) {
		fail_msg("test_outfile needs root (chown to another user)");
		return;
	}
	put(tpath("theirs"), "planted", 0666);
	assert_int_equal(chown(tpath("theirs"), 65534, 65534), 0);
	assert_int_equal(outfile_create(tpath("theirs"), OUTF_FORCE), -EPERM);
	assert_string_equal(slurp(tpath("theirs")), "planted");
	fd = outfile_create(tpath("theirs"), OUTF_FORCE | OUTF_FOREIGN);
	assert_true(fd >= 0);
	write_str(fd, "ours");
	close(fd);
	assert_int_equal(lstat(tpath("theirs"), &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_string_equal(slurp(tpath("theirs")), "ours");
	/* OUTF_FOREIGN alone replaces nothing */
	assert_int_equal(outfile_create(tpath("theirs"), OUTF_FOREIGN), -EEXIST);
}

/* Without OUTF_NOW the file takes its name only at commit; abort leaves nothing. */
static void test_commit_abort(void **state)
{
	struct outfile of;

	(void)state;
	put(tpath("late"), "old", 0644);
	assert_int_equal(outfile_open(&of, tpath("late"), OUTF_FORCE), 0);
	write_str(of.fd, "new");
	assert_string_equal(slurp(tpath("late")), "old");	/* not yet */
	assert_int_equal(tmp_left(), 1);
	assert_int_equal(outfile_commit(&of), 0);
	assert_string_equal(slurp(tpath("late")), "new");
	assert_int_equal(tmp_left(), 0);

	assert_int_equal(outfile_open(&of, tpath("late"), OUTF_FORCE), 0);
	write_str(of.fd, "half");
	outfile_abort(&of);
	assert_string_equal(slurp(tpath("late")), "new");
	assert_int_equal(tmp_left(), 0);

	/* no force: a file that appears meanwhile is not replaced */
	assert_int_equal(outfile_open(&of, tpath("race"), 0), 0);
	put(tpath("race"), "first", 0644);
	assert_int_equal(outfile_commit(&of), -EEXIST);
	assert_string_equal(slurp(tpath("race")), "first");
	assert_int_equal(tmp_left(), 0);

	/* abort of a file placed at open removes it (ours), nothing else */
	assert_int_equal(outfile_open(&of, tpath("now"), OUTF_NOW), 0);
	assert_int_equal(access(tpath("now"), F_OK), 0);
	outfile_abort(&of);
	assert_int_equal(access(tpath("now"), F_OK), -1);
}

static void test_bad_dir(void **state)
{
	(void)state;
	assert_int_equal(outfile_create(tpath("nodir/x"), 0), -ENOENT);
	assert_int_equal(outfile_create("", 0), -EISDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_file_0600),
		cmocka_unit_test(test_exists_needs_force),
		cmocka_unit_test(test_force_new_inode),
		cmocka_unit_test(test_refuses_non_regular),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_commit_abort),
		cmocka_unit_test(test_bad_dir),
	};
	char cmd[300];
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		rc = rc ? rc : 1;
	return rc;
}
