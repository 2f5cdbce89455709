/*
 * dup_close - a writer that moves the pipe's write end around, as a shell does.
 *
 * The parent (comm "dc_reader") makes a pipe and forks the writer (comm
 * "dc_writer"), which:
 *   1. dup2(write end, 1), closes the original fd and writes 4 x 1000 bytes
 *      through fd 1;
 *   2. fd = dup(1), close(1), writes 3 x 500 bytes through fd;
 *   3. dup3(fd, 9, O_CLOEXEC), close(fd), writes 2 x 250 bytes through fd 9.
 * Total 6000 bytes in 9 writes, all on the same pipe. The parent reads
 * chunks of 512 bytes until EOF.
 *
 * stdout (the parent's; the writer's stdout is the pipe): "reader=PID",
 * "writer=PID". Exit 0 only if the parent got exactly 6000 expected bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "dup_close"
#include "wl.h"

#define TOTAL 6000

/* n writes of exactly size bytes through fd, continuing the pattern at *off. */
static void write_n(int fd, int n, size_t size, unsigned long *off)
{
	char buf[1000];

	for (int w = 0; w < n; w++) {
		for (size_t i = 0; i < size; i++)
			buf[i] = pattern(*off + i);
		if (write(fd, buf, size) != (ssize_t)size)
			die("write");
		*off += size;
	}
}

static int writer(int rfd, int wfd)
{
	unsigned long off = 0;
	int fd;

	close(rfd);
	if (dup2(wfd, 1) != 1)
		die("dup2");
	close(wfd);
	write_n(1, 4, 1000, &off);

	fd = dup(1);
	if (fd < 0)
		die("dup");
	close(1);
	write_n(fd, 3, 500, &off);

	if (dup3(fd, 9, O_CLOEXEC) != 9)
		die("dup3");
	close(fd);
	write_n(9, 2, 250, &off);
	return off == TOTAL ? 0 : 1;
}

int main(void)
{
	unsigned long got = 0;
	int fds[2], status, rc = 0;
	char buf[512];
	pid_t child;
	ssize_t n;

	set_comm("dc_reader");
	if (pipe(fds) != 0)
		die("pipe");
	child = wl_fork("dc_writer");
	if (child == 0) {
		_exit(writer(fds[0], fds[1]));
	}
	close(fds[1]);
	dprintf(1, "reader=%d\nwriter=%d\n", getpid(), child);
	while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		for (ssize_t i = 0; i < n; i++)
			if ((unsigned char)buf[i] != pattern(got + i)) {
				fprintf(stderr, "dup_close: byte %lu differs\n", got + i);
				rc = 1;
				break;
			}
		got += n;
	}
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = 1;
	if (got != TOTAL) {
		fprintf(stderr, "dup_close: read %lu bytes, want %d\n", got, TOTAL);
		rc = 1;
	}
	return rc;
}
