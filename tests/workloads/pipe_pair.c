/*
 * pipe_pair N S [R [WCOMM RCOMM]] - the simplest pipe conversation.
 *
 * The parent (comm "pp_writer") makes a pipe, forks a child (comm
 * "pp_reader"), then writes N writes of exactly S bytes and closes. The
 * child reads in chunks of R bytes (default 4093, unlike S on purpose: reads
 * straddle writes, so ipcscope must attribute bytes by stream offset) until
 * EOF and checks count and content. WCOMM/RCOMM override the comms (the
 * escape test passes names holding control bytes).
 *
 * stdout: "writer=PID" and "reader=PID". Exit 0 only if the reader got
 * exactly N*S bytes of the expected pattern.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "pipe_pair"
#include "wl.h"

static int run_reader(int rfd, unsigned long expect, size_t chunk)
{
	return read_pattern(rfd, expect, chunk);
}

int main(int argc, char **argv)
{
	const char *wcomm = "pp_writer", *rcomm = "pp_reader";
	unsigned long nwrites, size, rchunk = 4093;
	int fds[2], status;
	char *buf;
	pid_t child;

	if (argc != 3 && argc != 4 && argc != 6) {
		fprintf(stderr, "usage: pipe_pair N S [R [WCOMM RCOMM]]\n");
		return 2;
	}
	nwrites = parse_num(argv[1], "N");
	size = parse_num(argv[2], "S");
	if (argc >= 4)
		rchunk = parse_num(argv[3], "R");
	if (argc == 6) {
		wcomm = argv[4];
		rcomm = argv[5];
	}
	set_comm(wcomm);
	if (pipe(fds) != 0)
		die("pipe");
	child = wl_fork(rcomm);
	if (child == 0) {
		close(fds[1]);
		_exit(run_reader(fds[0], nwrites * size, rchunk));
	}
	close(fds[0]);
	dprintf(1, "writer=%d\nreader=%d\n", getpid(), child);

	buf = malloc(size);
	if (!buf)
		die("malloc");
	for (unsigned long w = 0; w < nwrites; w++) {
		for (unsigned long i = 0; i < size; i++)
			buf[i] = pattern(w * size + i);
		/* One call per message: a short write would change the msg count. */
		ssize_t n = write(fds[1], buf, size);
		if (n != (ssize_t)size) {
			fprintf(stderr, "pipe_pair: write %lu returned %zd, want %lu\n", w, n, size);
			return 1;
		}
	}
	close(fds[1]);
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
