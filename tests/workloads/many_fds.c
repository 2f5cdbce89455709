/*
 * many_fds N - N pipes (2N fds, past the default 1024 limit) between two
 * processes. The parent (comm "mf_reader") makes them all, forks a writer
 * (comm "mf_writer") that writes i % 100 + 1 bytes into pipe i, then reads
 * each pipe to EOF.
 *
 * stdout: "reader=PID", "writer=PID". Exit 0 only if every pipe carried
 * exactly its bytes.
 */
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "many_fds"
#include "wl.h"

int main(int argc, char **argv)
{
	unsigned long n, i;
	struct rlimit rl;
	char buf[128];
	int (*p)[2], bad = 0;
	pid_t w;

	if (argc != 2) {
		fprintf(stderr, "usage: many_fds N\n");
		return 2;
	}
	n = parse_num(argv[1], "N");
	rl.rlim_cur = rl.rlim_max = 2 * n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit(RLIMIT_NOFILE)");
	p = calloc(n, sizeof(*p));
	if (!p)
		die("calloc");
	set_comm("mf_reader");
	for (i = 0; i < n; i++)
		if (pipe(p[i]))
			die("pipe");
	printf("reader=%d\n", (int)getpid());
	fflush(stdout);
	w = wl_fork("mf_writer");
	if (w == 0) {
		memset(buf, 'w', sizeof(buf));
		for (i = 0; i < n; i++) {
			close(p[i][0]);
			if (write(p[i][1], buf, i % 100 + 1) != (ssize_t)(i % 100 + 1))
				_exit(1);
			close(p[i][1]);
		}
		_exit(0);
	}
	printf("writer=%d\n", (int)w);
	fflush(stdout);
	for (i = 0; i < n; i++)
		close(p[i][1]);
	for (i = 0; i < n; i++) {
		ssize_t r, got = 0;

		while ((r = read(p[i][0], buf, sizeof(buf))) > 0)
			got += r;
		bad |= got != (ssize_t)(i % 100 + 1);
		close(p[i][0]);
	}
	if (wl_reap(w))
		bad = 1;
	free(p);
	return bad;
}
