/*
 * pty_pair N - a parent driving a child on a pseudoterminal (raw mode).
 *
 * The parent (comm "pty_master") opens /dev/ptmx, sets the slave raw (no
 * echo, no newline mapping: bytes pass unchanged) and forks a child (comm
 * "pty_slave") that opens the slave /dev/pts/K. N times: the parent writes
 * a 64-byte request, the child reads it whole and answers 32 bytes, the
 * parent reads the answer whole.
 *
 * stdout: "master=PID", "slave=PID", "pts=K". Exit 0 only if every
 * request and answer arrived intact.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define WL_NAME "pty_pair"
#include "wl.h"

static void read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			die("read");
		got += (size_t)r;
	}
}

static void child(const char *path, int n)
{
	char req[64], ans[32];
	int fd;

	set_comm("pty_slave");
	fd = open(path, O_RDWR | O_NOCTTY);
	if (fd < 0)
		die("open slave");
	memset(ans, 'a', sizeof(ans));
	for (int i = 0; i < n; i++) {
		read_full(fd, req, sizeof(req));
		if (req[0] != 'q' || req[63] != 'q')
			_exit(1);
		if (write(fd, ans, sizeof(ans)) != sizeof(ans))
			die("write answer");
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	char req[64], ans[32], path[64];
	struct termios t;
	int n, mfd, sfd, status;
	pid_t pid;

	if (argc != 2)
		return 2;
	n = atoi(argv[1]);
	set_comm("pty_master");
	mfd = posix_openpt(O_RDWR | O_NOCTTY);
	if (mfd < 0 || grantpt(mfd) || unlockpt(mfd) || ptsname_r(mfd, path, sizeof(path)))
		die("posix_openpt");
	sfd = open(path, O_RDWR | O_NOCTTY);
	if (sfd < 0 || tcgetattr(sfd, &t))
		die("slave termios");
	cfmakeraw(&t);
	if (tcsetattr(sfd, TCSANOW, &t))
		die("tcsetattr");
	printf("master=%d\npts=%s\n", (int)getpid(), path + strlen("/dev/pts/"));
	fflush(stdout);
	pid = wl_fork(NULL);
	if (pid == 0)
		child(path, n);
	close(sfd);
	printf("slave=%d\n", (int)pid);
	fflush(stdout);
	memset(req, 'q', sizeof(req));
	for (int i = 0; i < n; i++) {
		if (write(mfd, req, sizeof(req)) != sizeof(req))
			die("write request");
		read_full(mfd, ans, sizeof(ans));
		if (ans[0] != 'a' || ans[31] != 'a')
			return 1;
	}
	if (waitpid(pid, &status, 0) != pid || status)
		die("child");
	return 0;
}
