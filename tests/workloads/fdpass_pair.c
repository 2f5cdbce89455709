/*
 * fdpass_pair DIR BYTES - fds passed over a unix stream socketpair.
 *
 * The parent ("fdp_sender") makes a socketpair and forks the receiver
 * ("fdp_receiver"), which sets SO_PASSCRED and says it is ready. Then the
 * parent sends three messages of one byte each with sendmsg:
 *   1. SCM_RIGHTS: the write end of a pipe and a memfd named "ipcs_fdpass"
 *      (4096 bytes), in that order;
 *   2. SCM_RIGHTS: a regular file DIR/fdpass.dat and one end of a second
 *      unix socketpair, in that order;
 *   3. SCM_CREDENTIALS: its own pid, uid and gid, no fds.
 * Every recvmsg of the receiver carries credentials (SO_PASSCRED): 3.
 * The receiver writes BYTES of pattern() into the pipe end it was given (one
 * write) and maps the memfd MAP_SHARED, and sends 700 bytes on the passed
 * socket (one write); the parent, which closed its own write end and its
 * copy of the passed socket after sending, reads both to EOF and maps the
 * memfd too.
 * stdout: "sender=PID", "receiver=PID", "fd_pipe=N", "fd_memfd=N",
 * "fd_file=N", "fd_sock=N" (the parent's fd numbers). Exit 0 only if all
 * arrived.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define WL_NAME "fdpass_pair"
#include "wl.h"

#define CTRL_LEN 256

static void send_rights(int sock, const int *fds, int n)
{
	char ctrl[CTRL_LEN] = { 0 }, b = 'f';
	struct iovec iov = { &b, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl,
			     .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	if (sendmsg(sock, &mh, 0) != 1)
		die("sendmsg(SCM_RIGHTS)");
}

static void send_creds(int sock)
{
	char ctrl[CTRL_LEN] = { 0 }, b = 'c';
	struct iovec iov = { &b, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl,
			     .msg_controllen = CMSG_SPACE(sizeof(struct ucred)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	struct ucred uc = { getpid(), getuid(), getgid() };

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(uc));
	memcpy(CMSG_DATA(c), &uc, sizeof(uc));
	if (sendmsg(sock, &mh, 0) != 1)
		die("sendmsg(SCM_CREDENTIALS)");
}

/* One message: its fds into fds (up to 4), returns how many came. */
static int recv_one(int sock, int *fds)
{
	char ctrl[CTRL_LEN], b;
	struct iovec iov = { &b, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl,
			     .msg_controllen = sizeof(ctrl) };
	struct cmsghdr *c;
	int n = 0;

	if (recvmsg(sock, &mh, 0) != 1)
		die("recvmsg");
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		if (n > 4)
			n = 4;
		memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	}
	return n;
}

static int receiver(int sock, unsigned long bytes)
{
	int one = 1, fds[4], file[4];
	char *buf, *map;

	set_comm("fdp_receiver");
	if (setsockopt(sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		die("SO_PASSCRED");
	if (write(sock, "r", 1) != 1)
		die("ready");
	if (recv_one(sock, fds) != 2 || recv_one(sock, file) != 2 || recv_one(sock, file + 2) != 0)
		die("messages: unexpected fd counts");
	buf = malloc(bytes);
	if (!buf)
		die("malloc");
	for (unsigned long i = 0; i < bytes; i++)
		buf[i] = (char)pattern(i);
	if (write(fds[0], buf, bytes) != (ssize_t)bytes)
		die("write to the passed pipe");
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fds[1], 0);
	if (map == MAP_FAILED)
		die("mmap of the passed memfd");
	map[0] = 'x';
	munmap(map, 4096);
	if (write(file[1], buf, 700) != 700)
		die("write to the passed socket");
	close(file[1]);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int sv[2], pfd[2], sp[2], mfd, ffd, rc;
	unsigned long bytes;
	char path[4096], c;
	void *map;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: fdpass_pair DIR BYTES\n");
		return 2;
	}
	bytes = parse_num(argv[2], "byte count");
	snprintf(path, sizeof(path), "%s/fdpass.dat", argv[1]);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	set_comm("fdp_sender");
	printf("sender=%d\n", (int)getpid());
	fflush(stdout);
	pid = wl_fork(NULL);
	if (pid == 0) {
		close(sv[0]);
		printf("receiver=%d\n", (int)getpid());
		fflush(stdout);
		_exit(receiver(sv[1], bytes));
	}
	close(sv[1]);
	if (read(sv[0], &c, 1) != 1)
		die("wait for the receiver");
	if (pipe(pfd))
		die("pipe");
	mfd = memfd_create("ipcs_fdpass", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, 4096))
		die("memfd_create");
	ffd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (ffd < 0)
		die("open DIR/fdpass.dat");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		die("socketpair");
	printf("fd_pipe=%d\nfd_memfd=%d\nfd_file=%d\nfd_sock=%d\n", pfd[1], mfd, ffd, sp[1]);
	fflush(stdout);
	send_rights(sv[0], (int[]){ pfd[1], mfd }, 2);
	send_rights(sv[0], (int[]){ ffd, sp[1] }, 2);
	send_creds(sv[0]);
	close(pfd[1]);
	close(sp[1]);
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (map == MAP_FAILED)
		die("mmap memfd");
	rc = read_pattern(pfd[0], bytes, 4096) || read_pattern(sp[0], 700, 4096);
	munmap(map, 4096);
	if (wl_reap(pid))
		return 1;
	unlink(path);
	return rc;
}
