/*
 * unix_stream MODE ADDR N REQ RESP DELAY_MS - unix stream request/response.
 *
 * MODE "server": the parent (comm "us_server") binds ADDR ("@name" is an
 * abstract name), listens and forks two clients ("us_client1",
 * "us_client2"). Each client connects and does N round trips: one call
 * sending REQ bytes, then reads until RESP bytes came back. The server
 * accepts both connections only after both clients connected and sent (so
 * the peer is named before accept()), then serves client 1, then client 2:
 * per request it reads REQ bytes, sleeps DELAY_MS and answers with one call
 * of RESP bytes. Client 1 and its connection use read/write, client 2 and
 * its connection send/recv and sendmsg/recvmsg.
 * MODE "seqpacket": the same over SOCK_SEQPACKET; "tcp4", "tcp6": over TCP
 * on 127.0.0.1 or ::1, ADDR = the port.
 * MODE "pair": socketpair(); the parent ("sp_parent") is the client, the
 * forked child ("sp_child") the server; ADDR is ignored.
 *
 * stdout: "server=PID", "client1=PID", "client2=PID" (pair: "parent=PID",
 * "child=PID"). Exit 0 only if every byte arrived as sent.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_NAME "unix_stream"
#include "wl.h"

static unsigned long n_req, req_len, resp_len, delay_ms;
static int sock_type = SOCK_STREAM;
static int sock_family = AF_UNIX;

static unsigned long parse_arg(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "unix_stream: bad %s '%s': want an integer\n", what, s);
		exit(2);
	}
	return v;
}

/* style 0: write/read, 1: send/recv, 2: sendmsg/recvmsg */
static void send_all(int fd, const char *buf, size_t len, int style)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	r = style == 0 ? write(fd, buf, len) : style == 1 ? send(fd, buf, len, 0) :
	    sendmsg(fd, &mh, 0);
	if (r != (ssize_t)len)	/* small messages: one call, all bytes */
		die("send");
}

static void recv_all(int fd, size_t len, int style, unsigned char want)
{
	char buf[65536];
	size_t got = 0, i;
	ssize_t r;

	while (got < len) {
		size_t ask = len - got < sizeof(buf) ? len - got : sizeof(buf);
		struct iovec iov = { buf, ask };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

		r = style == 0 ? read(fd, buf, ask) : style == 1 ? recv(fd, buf, ask, 0) :
		    recvmsg(fd, &mh, 0);
		if (r <= 0)
			die(r == 0 ? "recv: early EOF" : "recv");
		for (i = 0; i < (size_t)r; i++)
			if ((unsigned char)buf[i] != want) {
				errno = EBADMSG;
				die("recv: wrong byte");
			}
		got += r;
	}
}

static void client(int fd, int style)
{
	static char req[65536];
	unsigned long i;

	memset(req, 'q', req_len);
	for (i = 0; i < n_req; i++) {
		send_all(fd, req, req_len, style);
		recv_all(fd, resp_len, style, 'r');
	}
	close(fd);
}

static void serve(int fd, int style)
{
	static char resp[65536];
	struct timespec d = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };
	unsigned long i;

	memset(resp, 'r', resp_len);
	for (i = 0; i < n_req; i++) {
		recv_all(fd, req_len, style, 'q');
		nanosleep(&d, NULL);
		send_all(fd, resp, resp_len, style);
	}
	close(fd);
}

/* AF_UNIX: a path or "@abstract"; AF_INET/AF_INET6: a port on loopback. */
static socklen_t sock_addr(const char *s, struct sockaddr_storage *ss)
{
	if (sock_family == AF_UNIX) {
		memset(ss, 0, sizeof(*ss));
		return wl_unix_addr(s, (struct sockaddr_un *)ss);
	}
	return wl_loopback_addr(sock_family == AF_INET6 ? 6 : 4, (unsigned)parse_arg(s, "PORT"), ss);
}

static pid_t spawn_client(const char *addr, const char *comm, int style, int ready)
{
	struct sockaddr_storage a;
	socklen_t alen = sock_addr(addr, &a);
	pid_t pid = wl_fork(comm);
	int fd;

	if (pid)
		return pid;
	fd = socket(sock_family, sock_type, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, alen) != 0)
		die("connect");
	if (write(ready, "x", 1) != 1)	/* connected: the server may accept */
		die("write ready");
	client(fd, style);
	exit(0);
}

static int run_server(const char *addr)
{
	struct sockaddr_storage a;
	socklen_t alen = sock_addr(addr, &a);
	int lfd, c1, c2, ready[2];
	pid_t p1, p2;
	char x[2];

	set_comm("us_server");
	lfd = socket(sock_family, sock_type, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, alen) || listen(lfd, 8))
		die("bind/listen");
	if (pipe(ready))
		die("pipe");
	p1 = spawn_client(addr, "us_client1", 0, ready[1]);
	if (read(ready[0], x, 1) != 1)	/* client 1 queued first */
		die("read ready");
	p2 = spawn_client(addr, "us_client2", 1, ready[1]);
	if (read(ready[0], x + 1, 1) != 1)
		die("read ready");
	printf("server=%d\nclient1=%d\nclient2=%d\n", getpid(), p1, p2);
	fflush(stdout);
	usleep(50000);	/* the clients' first requests wait before accept() */
	c1 = accept(lfd, NULL, NULL);
	if (c1 < 0)
		die("accept");
	serve(c1, 0);
	c2 = accept(lfd, NULL, NULL);
	if (c2 < 0)
		die("accept");
	serve(c2, 2);
	close(lfd);
	if (sock_family == AF_UNIX && addr[0] != '@')
		unlink(addr);
	return wl_reap(p1) | wl_reap(p2);
}

static int run_pair(void)
{
	int sv[2];
	pid_t pid;

	set_comm("sp_parent");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	pid = wl_fork("sp_child");
	if (pid == 0) {
		close(sv[0]);
		serve(sv[1], 0);
		exit(0);
	}
	close(sv[1]);
	printf("parent=%d\nchild=%d\n", getpid(), pid);
	fflush(stdout);
	client(sv[0], 0);
	return wl_reap(pid);
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: unix_stream server|seqpacket|tcp4|tcp6|pair ADDR N REQ RESP DELAY_MS\n");
		return 2;
	}
	n_req = parse_arg(argv[3], "N");
	req_len = parse_arg(argv[4], "REQ");
	resp_len = parse_arg(argv[5], "RESP");
	delay_ms = parse_arg(argv[6], "DELAY_MS");
	if (!req_len || !resp_len || req_len > 65536 || resp_len > 65536) {
		fprintf(stderr, "unix_stream: REQ and RESP: 1..65536 bytes\n");
		return 2;
	}
	if (!strcmp(argv[1], "server"))
		return run_server(argv[2]);
	if (!strcmp(argv[1], "tcp4") || !strcmp(argv[1], "tcp6")) {
		sock_family = argv[1][3] == '4' ? AF_INET : AF_INET6;
		return run_server(argv[2]);
	}
	if (!strcmp(argv[1], "seqpacket")) {
		sock_type = SOCK_SEQPACKET;
		return run_server(argv[2]);
	}
	if (!strcmp(argv[1], "pair"))
		return run_pair();
	fprintf(stderr, "unix_stream: mode '%s': want server or pair\n", argv[1]);
	return 2;
}
