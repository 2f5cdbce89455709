/*
 * preopened [K S] - a pipe that exists before tracing starts.
 *
 * The parent (comm "po_writer") makes a pipe and forks the child (comm
 * "po_reader"); each closes the end it does not use, prints its pid, then
 * sleeps in sigsuspend() (no I/O at all) until SIGUSR1. SIGUSR1 is blocked
 * before fork, so a signal sent early stays pending instead of being lost.
 * On SIGUSR1 the writer writes K bytes in writes of exactly S bytes (the
 * last may be shorter when S does not divide K), closes and waits for the
 * reader; the reader reads chunks of 4096 until EOF. Defaults K=12000 S=1500.
 *
 * A test starts this, then `ipcscope record -p WRITER -p READER`: ipcscope
 * can only name both ends by seeding from /proc, since the pipe() and
 * fork() happened before it looked.
 *
 * stdout: "ino=N rfd=N wfd=N" (the pipe's inode and fds, on three lines),
 * "reader=PID" (printed by the reader once it is set up), "writer=PID" (by
 * the writer, likewise). Exit 0 only if the reader got exactly K bytes of
 * the expected pattern.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "preopened"
#include "wl.h"
#include "wl_sig.h"

static int reader(int rfd, unsigned long expect)
{
	return read_pattern(rfd, expect, 4096);
}

static int writer(int wfd, unsigned long total, unsigned long size)
{
	char *buf = malloc(size);

	if (!buf)
		die("malloc");
	for (unsigned long off = 0; off < total; off += size) {
		size_t len = total - off < size ? total - off : size;
		for (size_t i = 0; i < len; i++)
			buf[i] = pattern(off + i);
		ssize_t n = write(wfd, buf, len);
		if (n != (ssize_t)len) {
			fprintf(stderr, "preopened: write returned %zd, want %zu\n", n, len);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long total = 12000, size = 1500;
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t block, unblocked;
	struct stat st;
	int fds[2], status, rc;
	pid_t child;

	if (argc != 1 && argc != 3) {
		fprintf(stderr, "usage: preopened [K S]\n");
		return 2;
	}
	if (argc == 3) {
		total = parse_num(argv[1], "K");
		size = parse_num(argv[2], "S");
	}
	set_comm("po_writer");
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &block, &unblocked) != 0)
		die("sigprocmask");
	sigdelset(&unblocked, SIGUSR1);
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		die("sigaction");
	if (pipe(fds) != 0)
		die("pipe");
	if (fstat(fds[0], &st) != 0)
		die("fstat");
	dprintf(1, "ino=%lu\nrfd=%d\nwfd=%d\n", (unsigned long)st.st_ino, fds[0], fds[1]);
	child = wl_fork("po_reader");
	if (child == 0) {
		close(fds[1]);
		dprintf(1, "reader=%d\n", getpid());
		wait_usr1(&unblocked);
		_exit(reader(fds[0], total));
	}
	close(fds[0]);
	dprintf(1, "writer=%d\n", getpid());
	wait_usr1(&unblocked);
	rc = writer(fds[1], total, size);
	close(fds[1]);
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = 1;
	return rc;
}
