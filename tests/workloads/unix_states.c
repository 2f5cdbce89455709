/*
 * unix_states.c - a unix stream socket through the states the probes' socket
 * cache must follow (bpf/sock.bpf.h unix_fill_cached): its peer closing, a
 * peer without a socket until accept(), and an address bound after connect().
 * One process (comm uxs_main); each call moves a distinct byte count, so a
 * test can find each record by its return value.
 *   unix_states NAME    NAME: abstract name prefix (no '@')
 */
#define WL_NAME "unix_states"
#include "wl.h"

static void xwrite(int fd, const char *buf, size_t n)
{
	if (write(fd, buf, n) != (ssize_t)n)
		die("write");
}

static void xread(int fd, size_t n)
{
	char buf[64];

	if (read(fd, buf, sizeof(buf)) != (ssize_t)n)
		die("read");
}

int main(int argc, char **argv)
{
	struct sockaddr_un srv_addr, late_addr;
	socklen_t srv_len, late_len;
	char name[96];
	int sv[2], srv, c, s;

	if (argc != 2 || strlen(argv[1]) > 60) {
		fprintf(stderr, "usage: unix_states NAME\n");
		return 2;
	}
	set_comm("uxs_main");

	/* A socketpair used both ways (cached), then the peer closes. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	xwrite(sv[0], "a", 1);
	xread(sv[1], 1);
	xwrite(sv[1], "bb", 2);
	xread(sv[0], 2);	/* peer_ino = sv[1]'s */
	xwrite(sv[1], "ccc", 3);
	close(sv[1]);
	xread(sv[0], 3);	/* the peer is gone: peer_ino 0 */
	close(sv[0]);

	/* Connected before accept, bound after connect. */
	snprintf(name, sizeof(name), "@%s-srv", argv[1]);
	srv_len = wl_unix_addr(name, &srv_addr);
	snprintf(name, sizeof(name), "@%s-late", argv[1]);
	late_len = wl_unix_addr(name, &late_addr);
	srv = socket(AF_UNIX, SOCK_STREAM, 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (srv < 0 || c < 0)
		die("socket");
	if (bind(srv, (struct sockaddr *)&srv_addr, srv_len) || listen(srv, 1))
		die("bind/listen");
	if (connect(c, (struct sockaddr *)&srv_addr, srv_len))
		die("connect");
	xwrite(c, "dddd", 4);		/* peer not accepted: peer_ino 0, server's name */
	xwrite(c, "eeeee", 5);		/* the same, from the cache */
	s = accept(srv, NULL, NULL);
	if (s < 0)
		die("accept");
	xwrite(c, "ffffff", 6);		/* peer_ino = the accepted socket's */
	if (bind(c, (struct sockaddr *)&late_addr, late_len))
		die("bind after connect");
	xwrite(c, "ggggggg", 7);	/* own name now */
	xread(s, 22);
	close(s);
	xread(c, 0);			/* end of file: the accepted socket is gone, peer_ino 0 */
	close(c);
	close(srv);
	printf("unix_states done\n");
	return 0;
}
