/*
 * pipeline3 [N S B] - stage1 -> stage2 -> stage3 over two pipes.
 *
 * The parent (comm "p3_main") makes pipes A and B, forks the three stages
 * and only waits: it never reads or writes.
 *   stage1 ("p3_stage1"): N/S writes of exactly S bytes into A.
 *   stage2 ("p3_stage2"): reads A in full blocks of B bytes (looping until a
 *     block is complete) and writes each block with every byte doubled, one
 *     write of 2*B bytes per block: N/B writes, 2*N bytes into B.
 *   stage3 ("p3_stage3"): reads B in chunks of 3000 until EOF, checks content.
 * Defaults N=200000 S=4000 B=1000; N must be a multiple of S and of B.
 *
 * stdout: "main=PID", "stage1=PID", "stage2=PID", "stage3=PID". Exit 0 only
 * if every stage succeeded and stage3 got exactly 2*N expected bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "pipeline3"
#include "wl.h"

/* One write call of exactly n bytes, or fail: the msg count must be exact. */
static void write_once(int fd, const char *buf, size_t n)
{
	ssize_t w = write(fd, buf, n);

	if (w != (ssize_t)n) {
		fprintf(stderr, "pipeline3: write of %zu returned %zd: %s\n", n, w, strerror(errno));
		exit(1);
	}
}

/* Read until n bytes or EOF; returns the bytes read. */
static size_t read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		got += r;
	}
	return got;
}

static int stage1(int out, unsigned long total, unsigned long size)
{
	char *buf = malloc(size);

	if (!buf)
		die("malloc");
	for (unsigned long off = 0; off < total; off += size) {
		for (unsigned long i = 0; i < size; i++)
			buf[i] = pattern(off + i);
		write_once(out, buf, size);
	}
	return 0;
}

static int stage2(int in, int out, unsigned long total, unsigned long block)
{
	char *buf = malloc(block), *dbl = malloc(2 * block);
	unsigned long seen = 0;
	size_t got;

	if (!buf || !dbl)
		die("malloc");
	while ((got = read_full(in, buf, block)) > 0) {
		if (got != block) {
			fprintf(stderr, "pipeline3: stage2 got a short block of %zu\n", got);
			return 1;
		}
		for (size_t i = 0; i < block; i++)
			dbl[2 * i] = dbl[2 * i + 1] = buf[i];
		write_once(out, dbl, 2 * block);
		seen += got;
	}
	return seen == total ? 0 : 1;
}

static int stage3(int in, unsigned long expect)
{
	char buf[3000];
	unsigned long got = 0;
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		for (ssize_t i = 0; i < n; i++)
			if ((unsigned char)buf[i] != pattern((got + i) / 2)) {
				fprintf(stderr, "pipeline3: stage3 byte %lu differs\n", got + i);
				return 1;
			}
		got += n;
	}
	if (got != expect) {
		fprintf(stderr, "pipeline3: stage3 got %lu bytes, want %lu\n", got, expect);
		return 1;
	}
	return 0;
}

/* Fork one stage: it keeps only the fds it uses, so EOF propagates. */
static pid_t spawn(const char *comm, int in, int out, const int fds[4],
		   int (*body)(int, int, unsigned long, unsigned long),
		   unsigned long a, unsigned long b)
{
	pid_t pid = wl_fork(comm);

	if (pid > 0)
		return pid;
	for (int i = 0; i < 4; i++)
		if (fds[i] != in && fds[i] != out)
			close(fds[i]);
	_exit(body(in, out, a, b));
}

static int body1(int in, int out, unsigned long n, unsigned long s)
{
	(void)in;
	return stage1(out, n, s);
}

static int body2(int in, int out, unsigned long n, unsigned long b)
{
	return stage2(in, out, n, b);
}

static int body3(int in, int out, unsigned long n, unsigned long unused)
{
	(void)out;
	(void)unused;
	return stage3(in, 2 * n);
}

int main(int argc, char **argv)
{
	unsigned long total = 200000, size = 4000, block = 1000;
	int a[2], b[2], fds[4], status, rc = 0;
	pid_t pids[3];

	if (argc != 1 && argc != 4) {
		fprintf(stderr, "usage: pipeline3 [N S B]\n");
		return 2;
	}
	if (argc == 4) {
		total = parse_num(argv[1], "N");
		size = parse_num(argv[2], "S");
		block = parse_num(argv[3], "B");
	}
	if (total % size || total % block) {
		fprintf(stderr, "pipeline3: N must be a multiple of S and of B\n");
		return 2;
	}
	set_comm("p3_main");
	if (pipe(a) != 0 || pipe(b) != 0)
		die("pipe");
	fds[0] = a[0], fds[1] = a[1], fds[2] = b[0], fds[3] = b[1];
	pids[0] = spawn("p3_stage1", -1, a[1], fds, body1, total, size);
	pids[1] = spawn("p3_stage2", a[0], b[1], fds, body2, total, block);
	pids[2] = spawn("p3_stage3", b[0], -1, fds, body3, total, 0);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	dprintf(1, "main=%d\nstage1=%d\nstage2=%d\nstage3=%d\n", getpid(), pids[0], pids[1], pids[2]);
	for (int i = 0; i < 3; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i])
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "pipeline3: stage%d failed (status 0x%x)\n", i + 1, status);
			rc = 1;
		}
	}
	return rc;
}
