/*
 * thread_exit ROUNDS THREADS - threads that die inside a syscall.
 *
 * ROUNDS times, a child (comm "te_victim") starts THREADS threads that each
 * block in read() on an empty pipe, waits until all are in it, then calls
 * _exit: every thread dies mid-syscall. ROUNDS * THREADS beyond the tracer's
 * 16384 in-flight slots shows whether any slot leaks. Then the parent
 * (comm "te_parent") writes 1000 bytes to a last child (comm "te_reader"),
 * which must see them all.
 *
 * stdout: "parent=PID", "reader=PID". Exit 0 when every child behaved.
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "thread_exit"
#include "wl.h"

static int block_fd;

static void *blocker(void *arg)
{
	char c;

	(void)arg;
	if (read(block_fd, &c, 1) < 0)	/* never returns: nothing is written */
		die("read");
	return NULL;
}

/* All n threads are inside read(): /proc/self/task/TID/syscall starts with read's number. */
static void wait_blocked(unsigned long n)
{
	for (unsigned long tries = 0; tries < 5000; tries++) {
		unsigned long in_read = 0;
		struct dirent *de;
		DIR *d = opendir("/proc/self/task");

		if (!d)
			die("opendir /proc/self/task");
		while ((de = readdir(d))) {
			char path[300], line[128] = "";
			FILE *f;

			if (de->d_name[0] == '.' || atoi(de->d_name) == (int)syscall(SYS_gettid))
				continue;
			snprintf(path, sizeof(path), "/proc/self/task/%s/syscall", de->d_name);
			f = fopen(path, "re");
			if (!f)
				continue;
			if (fgets(line, sizeof(line), f) && strtol(line, NULL, 10) == SYS_read &&
			    line[0] >= '0' && line[0] <= '9')
				in_read++;
			fclose(f);
		}
		closedir(d);
		if (in_read == n)
			return;
		usleep(1000);
	}
	fprintf(stderr, "thread_exit: threads never all blocked in read\n");
	_exit(1);
}

static void victim(unsigned long threads)
{
	pthread_t *t = calloc(threads, sizeof(*t));
	int p[2];

	if (!t || pipe(p))
		die("setup");
	set_comm("te_victim");
	block_fd = p[0];
	for (unsigned long i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, blocker, NULL))
			die("pthread_create");
	wait_blocked(threads);
	_exit(0);
}

int main(int argc, char **argv)
{
	unsigned long rounds, threads, r;
	char buf[1000];
	int p[2], bad = 0;
	pid_t c;

	if (argc != 3) {
		fprintf(stderr, "usage: thread_exit ROUNDS THREADS\n");
		return 2;
	}
	rounds = parse_num(argv[1], "ROUNDS");
	threads = parse_num(argv[2], "THREADS");
	set_comm("te_parent");
	printf("parent=%d\n", (int)getpid());
	fflush(stdout);
	for (r = 0; r < rounds; r++) {
		c = wl_fork(NULL);
		if (c == 0)
			victim(threads);
		if (wl_reap(c))
			bad = 1;
	}
	if (pipe(p))
		die("pipe");
	c = wl_fork("te_reader");
	if (c == 0) {
		close(p[1]);
		_exit(read_pattern(p[0], sizeof(buf), 333));
	}
	printf("reader=%d\n", (int)c);
	fflush(stdout);
	close(p[0]);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)pattern(i);
	if (write(p[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		die("write");
	close(p[1]);
	if (wl_reap(c))
		bad = 1;
	return bad;
}
