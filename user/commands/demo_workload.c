/*
 * demo_workload.c - the bundled workload `ipcscope demo` records: a three-stage
 * pipeline over anonymous pipes (producer -> filter -> consumer) whose consumer
 * sends a summary to a logger over a FIFO. Deterministic sizes, so the report
 * can be checked by eye: 1000 lines of 64 bytes, doubled by the filter.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "commands/demo_workload.h"

#define DEMO_LINES 1000
#define DEMO_LINE 64

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int producer(int out)
{
	char line[DEMO_LINE];

	prctl(PR_SET_NAME, "demo-producer");
	for (int i = 0; i < DEMO_LINES; i++) {
		memset(line, 'a' + i % 26, sizeof(line));
		line[DEMO_LINE - 1] = '\n';
		if (write_all(out, line, sizeof(line)))
			return 1;
	}
	return 0;
}

/* Upper-cases every line and writes it twice: 2x the bytes downstream. */
static int filter(int in, int out)
{
	char buf[4096];
	ssize_t n;

	prctl(PR_SET_NAME, "demo-filter");
	while ((n = read(in, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		for (ssize_t i = 0; i < n; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
		if (write_all(out, buf, (size_t)n) || write_all(out, buf, (size_t)n))
			return 1;
	}
	return 0;
}

static int consumer(int in, const char *fifo)
{
	char buf[8192], msg[128];
	unsigned long long total = 0;
	ssize_t n;
	int fd, len;

	prctl(PR_SET_NAME, "demo-consumer");
	while ((n = read(in, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			total += (unsigned long long)n;
	fd = open(fifo, O_WRONLY);
	if (fd < 0)
		return 1;
	len = snprintf(msg, sizeof(msg), "consumer read %llu bytes\n", total);
	if (write_all(fd, msg, (size_t)len))
		return 1;
	close(fd);
	return 0;
}

static int logger(const char *fifo)
{
	char buf[256];
	ssize_t n;
	int fd;

	prctl(PR_SET_NAME, "demo-logger");
	fd = open(fifo, O_RDONLY);
	if (fd < 0)
		return 1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return 0;
}

static pid_t spawn(int (*fn)(int, int, const char *), int a, int b, const char *s, int closefds[4])
{
	pid_t pid = fork();

	if (pid == 0) {
		for (int i = 0; i < 4; i++)
			if (closefds[i] >= 0 && closefds[i] != a && closefds[i] != b)
				close(closefds[i]);
		_exit(fn(a, b, s));
	}
	return pid;
}

static int run_producer(int a, int b, const char *s) { (void)b; (void)s; return producer(a); }
static int run_filter(int a, int b, const char *s) { (void)s; return filter(a, b); }
static int run_consumer(int a, int b, const char *s) { (void)b; return consumer(a, s); }
static int run_logger(int a, int b, const char *s) { (void)a; (void)b; return logger(s); }

int demo_workload(void *arg)
{
	const char *fifo = arg;
	int p1[2], p2[2], status, failed = 0;
	pid_t kids[4];

	prctl(PR_SET_NAME, "demo");
	if (mkfifo(fifo, 0600) && errno != EEXIST)
		return 1;
	if (pipe(p1) || pipe(p2))
		return 1;
	int all[4] = { p1[0], p1[1], p2[0], p2[1] };

	kids[0] = spawn(run_logger, -1, -1, fifo, all);
	kids[1] = spawn(run_producer, p1[1], -1, NULL, all);
	kids[2] = spawn(run_filter, p1[0], p2[1], NULL, all);
	kids[3] = spawn(run_consumer, p2[0], -1, fifo, all);
	for (int i = 0; i < 4; i++)
		close(all[i]);
	for (int i = 0; i < 4; i++) {
		if (kids[i] < 0 || waitpid(kids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = 1;
	}
	unlink(fifo);
	return failed;
}
