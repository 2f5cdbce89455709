/*
 * eventfd_pair N SEM - one eventfd shared across fork.
 *
 * The parent (comm "efd_reader") makes an eventfd (EFD_SEMAPHORE if SEM is
 * 1), forks a child (comm "efd_writer") that writes the values 1..N, one
 * write each, and reads until the counter total N*(N+1)/2 is consumed
 * (plain mode: each read drains the counter, several writes coalesce;
 * semaphore mode: each read takes 1).
 *
 * stdout: "writer=PID", "reader=PID", "reads=K". Exit 0 only if the reader
 * got exactly the total.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "eventfd_pair"
#include "wl.h"

static void child(int efd, uint64_t n)
{
	set_comm("efd_writer");
	for (uint64_t i = 1; i <= n; i++) {
		if (write(efd, &i, sizeof(i)) != sizeof(i))
			die("write");
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	uint64_t n, want, got = 0, v, reads = 0;
	int efd;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: eventfd_pair N SEM\n");
		return 2;
	}
	n = strtoull(argv[1], NULL, 10);
	want = n * (n + 1) / 2;
	set_comm("efd_reader");
	efd = eventfd(0, atoi(argv[2]) ? EFD_SEMAPHORE : 0);
	if (efd < 0)
		die("eventfd");
	printf("reader=%d\n", (int)getpid());
	fflush(stdout);
	pid = wl_fork(NULL);
	if (pid == 0)
		child(efd, n);
	printf("writer=%d\n", (int)pid);
	while (got < want) {
		if (read(efd, &v, sizeof(v)) != sizeof(v))
			die("read");
		got += v;
		reads++;
	}
	printf("reads=%llu\n", (unsigned long long)reads);
	if (wl_reap(pid))
		die("child");
	return got == want ? 0 : 1;
}
