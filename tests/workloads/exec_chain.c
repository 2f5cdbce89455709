/*
 * exec_chain - a writer that execs in the middle of a conversation.
 *
 * The parent (comm "ec_reader") makes a pipe and forks a child (comm
 * "ec_before") that writes 50 bytes, then execs this program again as
 * "exec_chain --after FD", which renames itself "ec_after", writes 70 more
 * bytes on the inherited fd (an fd with O_CLOEXEC, opened before, is gone)
 * and exits. The parent reads all 120 bytes.
 *
 * stdout: "reader=PID", "writer=PID". Exit 0 only if the parent read 120 bytes
 * and the close-on-exec fd was closed by the exec.
 */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "exec_chain"
#include "wl.h"

int main(int argc, char **argv)
{
	char buf[128], fdarg[16];
	unsigned long got = 0;
	int p[2], q[2];
	pid_t c;

	memset(buf, 'e', sizeof(buf));
	if (argc == 4 && !strcmp(argv[1], "--after")) {
		set_comm("ec_after");
		/* The cloexec pipe end must be gone. */
		if (fcntl(atoi(argv[3]), F_GETFD) != -1)
			return 3;
		return write(atoi(argv[2]), buf, 70) == 70 ? 0 : 1;
	}
	set_comm("ec_reader");
	if (pipe(p) || pipe2(q, O_CLOEXEC))
		die("pipe");
	printf("reader=%d\n", (int)getpid());
	fflush(stdout);
	c = wl_fork("ec_before");
	if (c == 0) {
		char qarg[16];

		close(p[0]);
		if (write(p[1], buf, 50) != 50)
			_exit(1);
		snprintf(fdarg, sizeof(fdarg), "%d", p[1]);
		snprintf(qarg, sizeof(qarg), "%d", q[1]);
		execl("/proc/self/exe", "exec_chain", "--after", fdarg, qarg, (char *)NULL);
		_exit(127);
	}
	printf("writer=%d\n", (int)c);
	fflush(stdout);
	close(p[1]);
	close(q[1]);
	got = wl_read_count(p[0], buf, sizeof(buf));
	if (wl_reap(c)) {
		fprintf(stderr, "exec_chain: the child failed\n");
		return 1;
	}
	return got == 120 ? 0 : 1;
}
