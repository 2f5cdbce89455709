/*
 * http_pair 4|6 PORT N - a plain-text protocol over loopback TCP, for the
 * pcapng export: the server ("http_server") listens on PORT, the client
 * ("http_client") sends N HTTP/1.1 requests "GET /ipcscope/I" on one
 * keep-alive connection, each in one write, and reads each response
 * ("200 OK", body "hello I\n") whole before the next. Prints server=PID and
 * client=PID; exits 0 only if every response arrived as sent.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define WL_NAME "http_pair"
#include "wl.h"

/* Read exactly n bytes (a message of known size). */
static void read_n(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r <= 0)
			die("read");
		got += (size_t)r;
	}
	buf[n] = '\0';
}

static int response(char *buf, size_t sz, unsigned long i)
{
	char body[32];
	int bl = snprintf(body, sizeof(body), "hello %lu\n", i);

	return snprintf(buf, sz, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s",
			bl, body);
}

static int request(char *buf, size_t sz, unsigned long i)
{
	return snprintf(buf, sz, "GET /ipcscope/%lu HTTP/1.1\r\nHost: localhost\r\n\r\n", i);
}

int main(int argc, char **argv)
{
	unsigned long fam, port, n;
	struct sockaddr_storage a;
	char out[256], in[257], want[256];
	int ready[2], lfd, fd, one = 1, len;
	socklen_t alen;
	pid_t pid;

	if (argc != 4) {
		fprintf(stderr, "usage: http_pair 4|6 PORT N\n");
		return 2;
	}
	fam = parse_num(argv[1], "family");
	port = parse_num(argv[2], "port");
	n = parse_num(argv[3], "count");
	pid = wl_fork_client("http_client", ready);
	if (pid == 0) {
		fd = socket(fam == 6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		alen = wl_loopback_addr((int)fam, (unsigned)port, &a);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, alen))
			die("connect");
		for (unsigned long i = 0; i < n; i++) {
			len = request(out, sizeof(out), i);
			if (write(fd, out, (size_t)len) != len)
				die("write request");
			len = response(want, sizeof(want), i);
			read_n(fd, in, (size_t)len);
			if (strcmp(in, want)) {
				fprintf(stderr, "http_pair: response %lu differs\n", i);
				_exit(1);
			}
		}
		_exit(0);
	}
	set_comm("http_server");
	lfd = socket(fam == 6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("socket");
	alen = wl_loopback_addr((int)fam, (unsigned)port, &a);
	if (bind(lfd, (struct sockaddr *)&a, alen) || listen(lfd, 1))
		die("bind/listen");
	wl_client_go(ready);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	for (unsigned long i = 0; i < n; i++) {
		len = request(want, sizeof(want), i);
		read_n(fd, in, (size_t)len);
		if (strcmp(in, want)) {
			fprintf(stderr, "http_pair: request %lu differs\n", i);
			return 1;
		}
		len = response(out, sizeof(out), i);
		if (write(fd, out, (size_t)len) != len)
			die("write response");
	}
	if (wl_reap(pid))
		return 1;
	return 0;
}
