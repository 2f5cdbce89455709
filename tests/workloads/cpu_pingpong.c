/*
 * cpu_pingpong MODE N S - a ping-pong whose two ends run on two CPUs.
 *
 * MODE pipe (two pipes) or unix (a socketpair). The parent (comm "cp_ping")
 * is pinned to the first CPU it may use, the child ("cp_echo") to the last:
 * each end's records go to its own CPU's ring buffer. N round trips: ping
 * writes S bytes, echo reads them all and writes S back, ping reads them.
 *
 * stdout: "ping=PID" "echo=PID" and "cpus=A,B ops=N" (the CPUs the ends
 * were pinned to). Exit 0 only if every byte came back and each end was on
 * its own CPU at its end (the echo says so by its exit status: no other IPC).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "cpu_pingpong"
#include "wl.h"

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

/* 0 at EOF before the first byte, else n (dies on a short stream). */
static size_t read_all(int fd, char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read");
		if (r == 0) {
			if (!got)
				return 0;
			errno = EPIPE;
			die("short read");
		}
		got += (size_t)r;
	}
	return got;
}

int main(int argc, char **argv)
{
	int to_echo[2], to_ping[2], first = -1, last = -1;
	unsigned long n, size, ops = 0;
	cpu_set_t set;
	char *buf;
	pid_t child;

	if (argc != 4 || (strcmp(argv[1], "pipe") && strcmp(argv[1], "unix"))) {
		fprintf(stderr, "usage: cpu_pingpong pipe|unix N S\n");
		return 2;
	}
	n = parse_num(argv[2], "N");
	size = parse_num(argv[3], "S");
	buf = calloc(1, size);
	if (!buf)
		die("calloc");
	if (sched_getaffinity(0, sizeof(set), &set))
		die("sched_getaffinity");
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (first < 0)
			first = c;
		last = c;
	}
	if (first == last) {
		fprintf(stderr, "cpu_pingpong: needs two CPUs, has only CPU %d\n", first);
		return 1;
	}
	set_comm("cp_ping");
	if (!strcmp(argv[1], "pipe")) {
		if (pipe(to_echo) || pipe(to_ping))
			die("pipe");
	} else {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			die("socketpair");
		to_echo[0] = sv[1];	/* echo reads and writes its end */
		to_echo[1] = sv[0];
		to_ping[0] = sv[0];
		to_ping[1] = sv[1];
	}
	child = wl_fork("cp_echo");
	if (child == 0) {
		if (!strcmp(argv[1], "pipe")) {	/* only the ping end may hold the write side */
			close(to_echo[1]);
			close(to_ping[0]);
		}
		pin(last);
		while (read_all(to_echo[0], buf, size))
			write_all(to_ping[1], buf, size);
		_exit(sched_getcpu() == last ? 0 : 3);
	}
	if (!strcmp(argv[1], "pipe")) {
		close(to_echo[0]);
		close(to_ping[1]);
	}
	pin(first);
	dprintf(1, "ping=%d\necho=%d\n", getpid(), child);
	for (unsigned long i = 0; i < n; i++) {
		memset(buf, (int)(i & 0xff), size);
		write_all(to_echo[1], buf, size);
		if (read_all(to_ping[0], buf, size) != size || buf[size - 1] != (char)(i & 0xff))
			die("echo");
		ops++;
	}
	/* EOF to the echo: the pipe's write end, or the socket's sending side. */
	if (!strcmp(argv[1], "pipe"))
		close(to_echo[1]);
	else if (shutdown(to_echo[1], SHUT_WR))
		die("shutdown");
	dprintf(1, "cpus=%d,%d ops=%lu\n", first, last, ops);
	if (sched_getcpu() != first) {
		fprintf(stderr, "cpu_pingpong: ping left CPU %d\n", first);
		return 1;
	}
	return wl_reap(child);
}
