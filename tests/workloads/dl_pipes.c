/*
 * dl_pipes - deadlock: two processes each block reading a pipe that only
 * the other one writes. Prints a=, b= (pids), ab_ino= (the pipe a writes,
 * b reads), ba_ino=; hangs until killed.
 */
#define WL_NAME "dl_pipes"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include "wl.h"

static unsigned long ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		die("fstat");
	return (unsigned long)st.st_ino;
}

static __attribute__((noinline)) void wait_for_request(int fd)
{
	char c;

	if (read(fd, &c, 1) < 0)
		die("read");
}

int main(void)
{
	int ab[2], ba[2];
	pid_t b;

	alarm(120);
	if (pipe(ab) || pipe(ba))
		die("pipe");
	printf("a=%d\nab_ino=%lu\nba_ino=%lu\n", getpid(), ino_of(ab[0]), ino_of(ba[0]));
	fflush(stdout);
	b = fork();
	if (b < 0)
		die("fork");
	if (b == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		set_comm("pipes_b");
		close(ab[1]);
		close(ba[0]);
		wait_for_request(ab[0]);	/* a never writes: it waits for us */
		return 1;
	}
	set_comm("pipes_a");
	printf("b=%d\n", b);
	fflush(stdout);
	close(ab[0]);
	close(ba[1]);
	wait_for_request(ba[0]);
	return 1;
}
