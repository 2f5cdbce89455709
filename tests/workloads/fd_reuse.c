/*
 * fd_reuse - fd numbers (and, the allocator permitting, struct file
 * addresses) reused every way the probes' fd cache must notice.
 *
 * The parent ("fr_reader") makes a unix socketpair and forks the writer
 * ("fr_writer"), which makes 11 pipes, numbered 1..11 in the order below,
 * passes each read end to the parent over the socketpair (SCM_RIGHTS, one
 * fd and the pipe's number per message) and writes pipe k k times 10*k
 * bytes through an fd number that held another file a moment before:
 *   1. a /dev/null fd written once and closed, then pipe 1: its write end
 *      takes that number;
 *   2. two /dev/null fds written once and dropped with close_range, then
 *      pipe 2: its ends take both numbers;
 *   3. pipes 3 and 4: the write end of 3 is written, then dup2(write end of
 *      4) replaces it (which closes pipe 3) and pipe 4 is written through it;
 *   4. pipe 5 written and its write end closed, then pipe 6 takes its number;
 *   5. pipe 7 written through fd N, which close_range closes; pipe 8 is
 *      made elsewhere and its write end installed at N by pidfd_getfd (a
 *      call ipcscope does not trace), then written through N;
 *   6. a /dev/null fd M written once and closed; pipe 9 is made on the two
 *      numbers below M and its write end installed at M by pidfd_getfd,
 *      then written through M;
 *   7. pipe 10's write end, O_CLOEXEC at fd 50, written; the writer execs
 *      itself, which closes it; the new image makes pipe 11, fills the
 *      numbers below 50 and installs pipe 11's write end at 50 with
 *      pidfd_getfd, and writes through 50.
 * In 5, 6 and 7 the new write end's struct file is allocated just after the
 * old one was freed, so it often has the same address: the fd cache's
 * file-pointer check alone would take it for the old pipe.
 * The parent takes each received fd at the number it closed last, reads the
 * pipe to EOF and checks its bytes.
 *
 * stdout: "reader=PID", "writer=PID". Exit 0 only if all 11 pipes arrived
 * with exactly their bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define WL_NAME "fd_reuse"
#include "wl.h"

#define NPIPES 11
#define EXEC_FD 50
#define CTRL_LEN 64

static void send_fd(int sock, int fd, unsigned char k)
{
	char ctrl[CTRL_LEN] = { 0 };
	struct iovec iov = { &k, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl,
			     .msg_controllen = CMSG_SPACE(sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &mh, 0) != 1)
		die("sendmsg");
}

/* One message: the pipe's number, its fd into *fd; 0 at EOF. */
static int recv_fd(int sock, int *fd)
{
	char ctrl[CTRL_LEN];
	unsigned char k;
	struct iovec iov = { &k, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl,
			     .msg_controllen = sizeof(ctrl) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(sock, &mh, 0);

	if (n == 0)
		return 0;
	if (n != 1)
		die("recvmsg");
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		die("recvmsg: no fd");
	memcpy(fd, CMSG_DATA(c), sizeof(int));
	return k;
}

/* Pipe k's bytes: k writes of 10*k bytes of pattern() through fd. */
static void write_pipe(int fd, int k)
{
	char buf[10 * NPIPES];
	unsigned long off = 0;

	for (int w = 0; w < k; w++) {
		for (int i = 0; i < 10 * k; i++)
			buf[i] = pattern(off + i);
		if (write(fd, buf, 10 * k) != 10 * k)
			die("write");
		off += 10 * k;
	}
}

static int pidfd_self(void)
{
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	if (fd < 0)
		die("pidfd_open");
	return fd;
}

/* A copy of our own fd at the lowest free number, by a call not traced. */
static int getfd(int pidfd, int fd)
{
	int n = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);

	if (n < 0)
		die("pidfd_getfd");
	return n;
}

static int devnull_written(void)
{
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0 || write(fd, "x", 1) != 1)
		die("/dev/null");
	return fd;
}

/* A pipe whose read end goes to the parent at once; returns the write end. */
static int pipe_sent(int sock, int k, int flags)
{
	int p[2];

	if (pipe2(p, flags) != 0)
		die("pipe2");
	send_fd(sock, p[0], k);
	close(p[0]);
	return p[1];
}

static int after_exec(int sock)
{
	int pidfd, w, fd;

	set_comm("fr_writer");
	pidfd = pidfd_self();
	w = pipe_sent(sock, 11, 0);
	while ((fd = dup(0)) < EXEC_FD - 1)	/* the numbers below EXEC_FD */
		if (fd < 0)
			die("dup");
	if (getfd(pidfd, w) != EXEC_FD)
		die("pidfd_getfd: not at the fd pipe 10 had");
	close(w);
	write_pipe(EXEC_FD, 11);
	close(EXEC_FD);
	close(sock);
	return 0;
}

static void writer(int sock, const char *self)
{
	char sockarg[16];
	int pidfd = pidfd_self(), a, b, w, w4, fd, d, p[2];

	fd = devnull_written();				/* 1 */
	close(fd);
	w = pipe_sent(sock, 1, 0);
	write_pipe(w, 1);
	close(w);

	a = devnull_written();				/* 2 */
	b = devnull_written();
	if (a + 1 != b || syscall(SYS_close_range, a, b, 0) != 0)
		die("close_range");
	w = pipe_sent(sock, 2, 0);
	write_pipe(w, 2);
	close(w);

	w = pipe_sent(sock, 3, 0);			/* 3 */
	w4 = pipe_sent(sock, 4, 0);
	write_pipe(w, 3);
	if (dup2(w4, w) != w)
		die("dup2");
	close(w4);
	write_pipe(w, 4);
	close(w);

	w = pipe_sent(sock, 5, 0);			/* 4 */
	write_pipe(w, 5);
	close(w);
	w = pipe_sent(sock, 6, 0);
	write_pipe(w, 6);
	close(w);

	w = pipe_sent(sock, 7, 0);			/* 5: N = w */
	write_pipe(w, 7);
	if (syscall(SYS_close_range, w, w, 0) != 0)
		die("close_range");
	d = dup(0);					/* below N ... */
	fd = dup(0);					/* ... and N: pipe 8 goes above */
	if (d < 0 || fd != w)
		die("dup: not at N");
	a = pipe_sent(sock, 8, 0);
	if (syscall(SYS_close_range, w, w, 0) != 0 || getfd(pidfd, a) != w)
		die("pidfd_getfd: not at N");
	close(a);
	close(d);
	write_pipe(w, 8);
	close(w);

	a = dup(0);					/* 6 */
	b = dup(0);
	fd = devnull_written();				/* M */
	close(fd);
	close(a);
	close(b);
	if (pipe(p) != 0)
		die("pipe");
	if (p[0] != a || p[1] != b || getfd(pidfd, p[1]) != fd)
		die("pidfd_getfd: not at M");
	send_fd(sock, p[0], 9);
	close(p[0]);
	close(p[1]);
	write_pipe(fd, 9);
	close(fd);

	w = pipe_sent(sock, 10, 0);			/* 7 */
	if (dup3(w, EXEC_FD, O_CLOEXEC) != EXEC_FD)
		die("dup3");
	close(w);
	write_pipe(EXEC_FD, 10);
	snprintf(sockarg, sizeof(sockarg), "%d", sock);
	execl(self, self, "--after-exec", sockarg, (char *)NULL);
	die("execl");
}

int main(int argc, char **argv)
{
	int sv[2], status, rc = 0, got = 0, fd, k;

	if (argc == 3 && !strcmp(argv[1], "--after-exec"))
		return after_exec((int)parse_num(argv[2], "socket fd"));
	set_comm("fr_reader");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		die("socketpair");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		set_comm("fr_writer");
		close(sv[0]);
		/* Out of the way of close_range over the low numbers. */
		if (dup2(sv[1], 100) != 100)
			die("dup2");
		close(sv[1]);
		writer(100, argv[0]);
	}
	close(sv[1]);
	dprintf(1, "reader=%d\nwriter=%d\n", getpid(), child);
	while ((k = recv_fd(sv[0], &fd)) > 0) {
		if (k > NPIPES || read_pattern(fd, 10UL * k * k, 64) != 0) {
			fprintf(stderr, "fd_reuse: pipe %d: wrong bytes\n", k);
			rc = 1;
		}
		close(fd);
		got++;
	}
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = 1;
	if (got != NPIPES) {
		fprintf(stderr, "fd_reuse: %d pipes, want %d\n", got, NPIPES);
		rc = 1;
	}
	return rc;
}
