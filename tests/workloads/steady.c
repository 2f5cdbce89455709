/*
 * steady RATE SECS - a steady stream over a pipe, for the reliability tests.
 *
 * The parent (comm "st_writer") forks a reader (comm "st_reader"), then
 * writes RATE messages a second for SECS seconds (0 = until killed). Message
 * i (from 1) is 1 + (i - 1) % 200 bytes long, so a recording's write sizes
 * name each message: a replay that lost or reordered one shows it. The
 * reader reads to EOF and checks every byte against the pattern.
 *
 * stdout: "writer=PID", "reader=PID", then at the end "msgs=N bytes=B".
 * Exit 0 only if the reader got exactly the bytes written.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_NAME "steady"
#include "wl.h"

static size_t msg_len(unsigned long i)
{
	return 1 + (i - 1) % 200;
}

/* Read to EOF checking the pattern: 0 when every byte matched. */
static int read_all(int fd)
{
	unsigned char b[4096];
	unsigned long got = 0;
	ssize_t n;

	while ((n = read(fd, b, sizeof(b))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		for (ssize_t k = 0; k < n; k++)
			if (b[k] != pattern(got + (unsigned long)k))
				return 1;
		got += (unsigned long)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long rate, secs, i, total = 0;
	struct timespec start, next;
	unsigned char buf[200];
	int p[2], st;
	pid_t rd;

	if (argc != 3) {
		fprintf(stderr, "usage: steady RATE SECS (0 = until killed)\n");
		return 2;
	}
	rate = parse_num(argv[1], "RATE");
	secs = strtoul(argv[2], NULL, 10);
	if (pipe(p))
		die("pipe");
	rd = wl_fork("st_reader");
	if (rd == 0) {
		close(p[1]);
		_exit(read_all(p[0]));
	}
	set_comm("st_writer");
	close(p[0]);
	printf("writer=%d\nreader=%d\n", (int)getpid(), (int)rd);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &start);
	next = start;
	for (i = 1; !secs || i <= rate * secs; i++) {
		size_t n = msg_len(i);

		for (size_t k = 0; k < n; k++)
			buf[k] = pattern(total + k);
		if (write(p[1], buf, n) != (ssize_t)n)
			die("write");
		total += n;
		/* Absolute deadlines: the rate holds however long a write took. */
		next.tv_nsec += (long)(1000000000ul / rate);
		while (next.tv_nsec >= 1000000000l) {
			next.tv_nsec -= 1000000000l;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL))
			;
	}
	close(p[1]);
	if (waitpid(rd, &st, 0) != rd)
		die("waitpid");
	printf("msgs=%lu bytes=%lu\n", i - 1, total);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
