/*
 * fifo_pair PATH [N S] - a conversation over a named pipe.
 *
 * The parent (comm "ff_main") creates the FIFO with mknodat(AT_FDCWD, PATH,
 * S_IFIFO|0600) (PATH must not exist), then forks a writer ("ff_writer")
 * that opens PATH write-only and writes N writes of exactly S bytes, and a
 * reader ("ff_reader") that opens PATH read-only and reads chunks of 777
 * bytes until EOF. Both open the path exactly as given. The parent unlinks
 * PATH once both have exited. Defaults N=30 S=1000.
 *
 * stdout: "main=PID", "writer=PID", "reader=PID". Exit 0 only if the reader
 * got exactly N*S bytes of the expected pattern.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "fifo_pair"
#include "wl.h"

static int writer(const char *path, unsigned long nwrites, unsigned long size)
{
	char *buf = malloc(size);
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		die("open for writing");
	if (!buf)
		die("malloc");
	for (unsigned long w = 0; w < nwrites; w++) {
		for (unsigned long i = 0; i < size; i++)
			buf[i] = pattern(w * size + i);
		ssize_t n = write(fd, buf, size);
		if (n != (ssize_t)size) {
			fprintf(stderr, "fifo_pair: write %lu returned %zd, want %lu\n", w, n, size);
			return 1;
		}
	}
	close(fd);
	return 0;
}

static int reader(const char *path, unsigned long expect)
{
	int fd = open(path, O_RDONLY), rc;

	if (fd < 0)
		die("open for reading");
	rc = read_pattern(fd, expect, 777);	/* an odd size: reads straddle writes */
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long nwrites = 30, size = 1000;
	const char *path;
	pid_t w, r;
	int status, rc = 0;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: fifo_pair PATH [N S]\n");
		return 2;
	}
	path = argv[1];
	if (argc == 4) {
		nwrites = parse_num(argv[2], "N");
		size = parse_num(argv[3], "S");
	}
	set_comm("ff_main");
	/* mknodat, not mkfifo(): the syscall ipcscope traces, whatever libc does. */
	if (mknodat(AT_FDCWD, path, S_IFIFO | 0600, 0) != 0)
		die("mknodat(S_IFIFO)");
	w = wl_fork("ff_writer");
	if (w == 0) {
		_exit(writer(path, nwrites, size));
	}
	r = wl_fork("ff_reader");
	if (r == 0) {
		_exit(reader(path, nwrites * size));
	}
	dprintf(1, "main=%d\nwriter=%d\nreader=%d\n", getpid(), w, r);
	for (int i = 0; i < 2; i++) {
		pid_t p = wait(&status);
		if (p < 0)
			die("wait");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "fifo_pair: %s failed (status 0x%x)\n",
				p == w ? "writer" : "reader", status);
			rc = 1;
		}
	}
	if (unlink(path) != 0)
		die("unlink");
	return rc;
}
