/*
 * forkbomb N - N short-lived children, up to 64 alive at once, each writing
 * exactly 10 bytes into one pipe and exiting at once. The parent (comm
 * "fb_parent") reads all 10 * N bytes; children are "fb_child".
 *
 * stdout: "parent=PID". Exit 0 only if the parent read exactly 10 * N bytes.
 */
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "forkbomb"
#include "wl.h"

#define ALIVE_MAX 64

int main(int argc, char **argv)
{
	unsigned long n, i, alive = 0, got = 0;
	char buf[4096];
	int p[2], st, bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: forkbomb N\n");
		return 2;
	}
	n = parse_num(argv[1], "N");
	set_comm("fb_parent");
	if (pipe(p))
		die("pipe");
	printf("parent=%d\n", (int)getpid());
	fflush(stdout);
	for (i = 0; i < n; i++) {
		pid_t c = wl_fork("fb_child");

		if (c == 0) {
			close(p[0]);
			_exit(write(p[1], "0123456789", 10) == 10 ? 0 : 1);
		}
		if (++alive >= ALIVE_MAX) {
			if (wait(&st) < 0)
				die("wait");
			bad |= !WIFEXITED(st) || WEXITSTATUS(st);
			alive--;
		}
	}
	close(p[1]);
	got = wl_read_count(p[0], buf, sizeof(buf));
	while (wait(&st) > 0)
		bad |= !WIFEXITED(st) || WEXITSTATUS(st);
	if (got != 10 * n)
		fprintf(stderr, "forkbomb: read %lu bytes, want %lu\n", got, 10 * n);
	return got == 10 * n && !bad ? 0 : 1;
}
