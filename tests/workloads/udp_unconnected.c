/*
 * udp_unconnected FAMILY PORT N1 SIZE1 N2 SIZE2: two unconnected UDP senders,
 * one receiver. The receiver ("udp_recv", the parent) binds PORT on the
 * loopback address and never connects. Sender 1 ("udp_send1") sends N1
 * datagrams of SIZE1 bytes with sendto(); after the receiver took them all
 * with recvfrom(), sender 2 ("udp_send2") sends N2 datagrams of SIZE2 bytes
 * with sendmsg() naming the address. Neither sender binds (the kernel picks
 * a port). FAMILY is 4 or 6. Prints receiver=PID, send1=PID, send2=PID;
 * exits 0 only if every datagram arrived whole.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define WL_NAME "udp_unconnected"
#include "wl.h"

static pid_t sender(int fam, unsigned port, unsigned long n, unsigned long size, int which)
{
	struct sockaddr_storage a;
	socklen_t len = wl_loopback_addr(fam, port, &a);
	char buf[65536];
	pid_t pid = wl_fork(which == 1 ? "udp_send1" : "udp_send2");
	int fd;

	if (pid)
		return pid;
	fd = socket(fam == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	memset(buf, 's', size);
	for (unsigned long i = 0; i < n; i++) {
		struct iovec iov = { buf, size };
		struct msghdr mh = { .msg_name = &a, .msg_namelen = len, .msg_iov = &iov,
				     .msg_iovlen = 1 };
		ssize_t r = which == 1 ? sendto(fd, buf, size, 0, (struct sockaddr *)&a, len) :
					 sendmsg(fd, &mh, 0);

		if (r != (ssize_t)size)
			die("send");
	}
	_exit(0);
}

static int take(int fd, pid_t pid, unsigned long n, unsigned long size)
{
	char buf[65536];

	for (unsigned long i = 0; i < n; i++)
		if (recvfrom(fd, buf, sizeof(buf), 0, NULL, NULL) != (ssize_t)size)
			die("recvfrom");
	return wl_reap(pid);
}

int main(int argc, char **argv)
{
	unsigned long fam, port, n1, s1, n2, s2;
	struct sockaddr_storage a;
	socklen_t len;
	pid_t p1, p2;
	int fd, rc;

	if (argc != 7) {
		fprintf(stderr, "usage: udp_unconnected 4|6 PORT N1 SIZE1 N2 SIZE2\n");
		return 2;
	}
	fam = parse_num(argv[1], "family");
	port = parse_num(argv[2], "port");
	n1 = parse_num(argv[3], "count 1");
	s1 = parse_num(argv[4], "size 1");
	n2 = parse_num(argv[5], "count 2");
	s2 = parse_num(argv[6], "size 2");
	if (s1 > 65000 || s2 > 65000 || port > 65535)
		return 2;
	set_comm("udp_recv");
	printf("receiver=%d\n", (int)getpid());
	fflush(stdout);
	fd = socket(fam == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	len = wl_loopback_addr((int)fam, (unsigned)port, &a);
	if (bind(fd, (struct sockaddr *)&a, len))
		die("bind");
	p1 = sender((int)fam, (unsigned)port, n1, s1, 1);
	printf("send1=%d\n", (int)p1);
	fflush(stdout);
	rc = take(fd, p1, n1, s1);
	p2 = sender((int)fam, (unsigned)port, n2, s2, 2);
	printf("send2=%d\n", (int)p2);
	fflush(stdout);
	rc |= take(fd, p2, n2, s2);
	return rc;
}
