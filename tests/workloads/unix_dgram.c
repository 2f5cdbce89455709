/*
 * unix_dgram ADDR N S1 S2 - two datagram senders, one receiver.
 *
 * The parent (comm "ud_recv") binds ADDR ("@name": abstract), forks
 * "ud_send1", which sends N datagrams of S1 bytes with sendto(ADDR) on an
 * unconnected socket, and "ud_send2", which connect()s to ADDR and sends N
 * datagrams of S2 bytes with sendmsg(). The receiver recvfrom()s all 2N.
 *
 * stdout: "recv=PID", "send1=PID", "send2=PID". Exit 0 only if 2N datagrams
 * of the right sizes arrived.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "unix_dgram"
#include "wl.h"

static unsigned long parse_arg(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > 4096 || (what[0] == 'N' && v > 10)) {
		fprintf(stderr, "unix_dgram: bad %s '%s': want 1..4096 (N: 1..10)\n", what, s);
		exit(2);
	}
	return v;
}

static pid_t sender(const char *addr, const char *comm, unsigned long n, size_t len,
		    int connected)
{
	static char buf[4096];
	struct sockaddr_un a;
	socklen_t alen = wl_unix_addr(addr, &a);
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	pid_t pid = wl_fork(comm);
	unsigned long i;
	int fd;

	if (pid)
		return pid;
	memset(buf, 'd', len);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || (connected && connect(fd, (struct sockaddr *)&a, alen)))
		die("socket/connect");
	for (i = 0; i < n; i++) {
		ssize_t r = connected ? sendmsg(fd, &mh, 0) :
			    sendto(fd, buf, len, 0, (struct sockaddr *)&a, alen);
		if (r != (ssize_t)len)
			die("send");
	}
	exit(0);
}

int main(int argc, char **argv)
{
	static char buf[8192];
	unsigned long n, s1, s2, i, got1 = 0, got2 = 0;
	struct sockaddr_un a;
	socklen_t alen;
	pid_t p1, p2;
	int fd, st1, st2;

	if (argc != 5) {
		fprintf(stderr, "usage: unix_dgram ADDR N S1 S2\n");
		return 2;
	}
	n = parse_arg(argv[2], "N");
	s1 = parse_arg(argv[3], "S1");
	s2 = parse_arg(argv[4], "S2");
	if (s1 == s2) {
		fprintf(stderr, "unix_dgram: S1 and S2 must differ (they tell the senders apart)\n");
		return 2;
	}
	set_comm("ud_recv");
	alen = wl_unix_addr(argv[1], &a);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, alen))
		die("bind");
	/* One sender after the other: datagrams of concurrent senders may be
	 * recorded in another order than queued (see docs/architecture.md). */
	p1 = sender(argv[1], "ud_send1", n, s1, 0);
	if (waitpid(p1, &st1, 0) != p1)
		die("waitpid");
	p2 = sender(argv[1], "ud_send2", n, s2, 1);
	printf("recv=%d\nsend1=%d\nsend2=%d\n", getpid(), p1, p2);
	fflush(stdout);
	for (i = 0; i < 2 * n; i++) {	/* N <= 10: max_dgram_qlen holds them */
		ssize_t r = recvfrom(fd, buf, sizeof(buf), 0, NULL, NULL);

		if (r == (ssize_t)s1)
			got1++;
		else if (r == (ssize_t)s2)
			got2++;
		else
			die("recvfrom: unexpected size");
	}
	if (argv[1][0] != '@')
		unlink(argv[1]);
	if (waitpid(p2, &st2, 0) != p2)
		die("waitpid");
	return got1 == n && got2 == n && st1 == 0 && st2 == 0 ? 0 : 1;
}
