/*
 * udp_pair FAMILY PORT N REQ RESP: loopback UDP request/response between two
 * connected sockets. The server binds PORT, the client PORT+1; each connects
 * to the other before any datagram moves (a pipe says when the server is
 * ready), then the client sends N datagrams of REQ bytes and the server
 * answers each with RESP bytes. FAMILY is 4 or 6. Prints server=PID,
 * client=PID; exits 0 only if every datagram arrived whole.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "udp_pair"
#include "wl.h"

/* A socket bound to `self`, connected to `peer`. */
static int connected(int fam, unsigned self, unsigned peer)
{
	struct sockaddr_storage a;
	socklen_t len;
	int fd = socket(fam == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	len = wl_loopback_addr(fam, self, &a);
	if (bind(fd, (struct sockaddr *)&a, len))
		die("bind");
	len = wl_loopback_addr(fam, peer, &a);
	if (connect(fd, (struct sockaddr *)&a, len))
		die("connect");
	return fd;
}

int main(int argc, char **argv)
{
	unsigned long fam, port, n, req, resp;
	char buf[65536];
	int ready[2], fd;
	pid_t pid;

	if (argc != 6) {
		fprintf(stderr, "usage: udp_pair 4|6 PORT N REQ RESP\n");
		return 2;
	}
	fam = parse_num(argv[1], "family");
	port = parse_num(argv[2], "port");
	n = parse_num(argv[3], "count");
	req = parse_num(argv[4], "request size");
	resp = parse_num(argv[5], "response size");
	if (req > sizeof(buf) || resp > sizeof(buf) || port > 65534)
		return 2;
	pid = wl_fork_client("udp_client", ready);
	if (pid == 0) {
		fd = connected((int)fam, (unsigned)port + 1, (unsigned)port);
		memset(buf, 'q', req);
		for (unsigned long i = 0; i < n; i++) {
			if (send(fd, buf, req, 0) != (ssize_t)req)
				die("send");
			if (recv(fd, buf, sizeof(buf), 0) != (ssize_t)resp)
				die("recv response");
		}
		_exit(0);
	}
	set_comm("udp_server");
	fd = connected((int)fam, (unsigned)port, (unsigned)port + 1);
	wl_client_go(ready);
	memset(buf, 'r', resp);
	for (unsigned long i = 0; i < n; i++) {
		char in[65536];

		if (recv(fd, in, sizeof(in), 0) != (ssize_t)req)
			die("recv request");
		if (send(fd, buf, resp, 0) != (ssize_t)resp)
			die("send");
	}
	if (wl_reap(pid))
		return 1;
	return 0;
}
