/*
 * uring_server MODE C M S - a unix stream echo service where one side is an
 * io_uring program.
 *
 * MODE server: the server (comm "us_server") listens on an abstract unix
 *   socket and serves through one ring: a multishot IORING_OP_ACCEPT, a
 *   multishot IORING_OP_RECV per connection from a provided buffer ring,
 *   IORING_OP_SEND of each message back, IORING_OP_CLOSE at EOF. C clients
 *   (comm "us_client", plain syscalls) each connect, send M messages of S
 *   bytes and wait for each echo.
 * MODE client: the server is plain (accept, recv, send; C = 1); the client
 *   (comm "us_client") makes its socket with IORING_OP_SOCKET, connects
 *   with IORING_OP_CONNECT, sends and receives with IORING_OP_SEND/RECV and
 *   closes with IORING_OP_CLOSE.
 *
 * stdout: "server=PID", "client=PID" (one per client). Exit 0 only when every
 * echo came back intact: M*S bytes each way on each connection.
 */
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "uring_server"
#include "wl.h"

#define MAXC 16
#define NBUF 16
#define BUFSZ 4096
#define BGID 1

enum { T_ACCEPT = 1, T_RECV, T_SEND, T_CLOSE };

static unsigned long nmsg, msize;

static void uring_die(const char *what, int res)
{
	errno = -res;
	die(what);
}

static struct io_uring_sqe *sqe_get(struct io_uring *ring, int type, int fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
	}
	if (!sqe)
		uring_die("io_uring_get_sqe", -EBUSY);
	io_uring_sqe_set_data64(sqe, (__u64)type << 32 | (__u32)fd);
	return sqe;
}

/* One request, waited for (client mode: one at a time). */
static int sync_op(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int res = io_uring_submit_and_wait(ring, 1);

	if (res < 0)
		uring_die("io_uring_submit_and_wait", res);
	res = io_uring_wait_cqe(ring, &cqe);
	if (res)
		uring_die("io_uring_wait_cqe", res);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

/* A plain client or the plain server's side of one connection: M echoes. */
static int plain_echo(int fd, bool client)
{
	char *buf = malloc(msize), *in = malloc(msize);

	if (!buf || !in)
		return 1;
	for (unsigned long i = 0; i < nmsg; i++) {
		unsigned long got = 0;
		ssize_t r;

		for (unsigned long k = 0; k < msize; k++)
			buf[k] = (char)pattern(i * msize + k + (unsigned long)getpid());
		if (client && send(fd, buf, msize, 0) != (ssize_t)msize)
			return 1;
		while (got < msize) {
			r = recv(fd, in + got, msize - got, 0);
			if (r <= 0)
				return 1;
			got += (unsigned long)r;
		}
		if (client && memcmp(buf, in, msize))
			return 1;
		if (!client && send(fd, in, msize, 0) != (ssize_t)msize)
			return 1;
	}
	return 0;
}

static void recv_multishot(struct io_uring *ring, int fd)
{
	struct io_uring_sqe *sqe = sqe_get(ring, T_RECV, fd);

	io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
}

/* The ring server: returns 0 when all C connections were served and closed. */
static int ring_server(int lfd, unsigned long nconn)
{
	static char bufs[NBUF][BUFSZ], echo[MAXC * 4 + 64][BUFSZ];
	struct io_uring_buf_reg reg = { 0 };
	struct io_uring_buf_ring *br;
	struct io_uring ring;
	unsigned long accepted = 0, closed = 0;
	struct io_uring_cqe *cqe;
	int res, rc = 0;

	res = io_uring_queue_init(64, &ring, 0);
	if (res)
		uring_die("io_uring_queue_init", res);
	/* liburing 2.3 (Debian 12) has no io_uring_setup_buf_ring: by hand */
	if (posix_memalign((void **)&br, 4096, NBUF * sizeof(struct io_uring_buf)))
		die("posix_memalign");
	io_uring_buf_ring_init(br);
	reg.ring_addr = (unsigned long)br;
	reg.ring_entries = NBUF;
	reg.bgid = BGID;
	res = io_uring_register_buf_ring(&ring, &reg, 0);
	if (res)
		uring_die("io_uring_register_buf_ring", res);
	for (int i = 0; i < NBUF; i++)
		io_uring_buf_ring_add(br, bufs[i], BUFSZ, (unsigned short)i, io_uring_buf_ring_mask(NBUF), i);
	io_uring_buf_ring_advance(br, NBUF);
	io_uring_prep_multishot_accept(sqe_get(&ring, T_ACCEPT, lfd), lfd, NULL, NULL, 0);
	while (closed < nconn) {
		int type, fd;

		res = io_uring_submit_and_wait(&ring, 1);
		if (res < 0 && res != -EINTR)
			uring_die("io_uring_submit_and_wait", res);
		if (io_uring_peek_cqe(&ring, &cqe))
			continue;
		type = (int)(cqe->user_data >> 32);
		fd = (int)(__u32)cqe->user_data;
		res = cqe->res;
		switch (type) {
		case T_ACCEPT:
			if (res >= 0) {
				if ((unsigned)res >= sizeof(echo) / sizeof(echo[0]))
					uring_die("accept: fd too high", -EMFILE);
				accepted++;
				recv_multishot(&ring, res);
			}
			if (!(cqe->flags & IORING_CQE_F_MORE) && accepted < nconn)
				io_uring_prep_multishot_accept(sqe_get(&ring, T_ACCEPT, lfd), lfd, NULL, NULL, 0);
			break;
		case T_RECV:
			if (res > 0) {
				unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

				memcpy(echo[fd], bufs[bid], (size_t)res);
				io_uring_buf_ring_add(br, bufs[bid], BUFSZ, (unsigned short)bid,
						      io_uring_buf_ring_mask(NBUF), 0);
				io_uring_buf_ring_advance(br, 1);
				io_uring_prep_send(sqe_get(&ring, T_SEND, fd), fd, echo[fd], (size_t)res, 0);
				if (!(cqe->flags & IORING_CQE_F_MORE))
					recv_multishot(&ring, fd);
			} else if (res == 0) {
				io_uring_prep_close(sqe_get(&ring, T_CLOSE, fd), fd);
			} else if (res == -ENOBUFS) {
				recv_multishot(&ring, fd);
			} else {
				fprintf(stderr, WL_NAME ": recv on %d: %s\n", fd, strerror(-res));
				rc = 1;
				io_uring_prep_close(sqe_get(&ring, T_CLOSE, fd), fd);
			}
			break;
		case T_SEND:
			if (res < 0)
				rc = 1;
			break;
		case T_CLOSE:
			closed++;
			break;
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_unregister_buf_ring(&ring, BGID);
	io_uring_queue_exit(&ring);
	free(br);
	return rc;
}

/* The ring client: socket, connect, M send/recv, close, all through the ring. */
static int ring_client(const struct sockaddr_un *a, socklen_t alen)
{
	char *buf = malloc(msize), *in = malloc(msize);
	struct io_uring ring;
	int fd, res;

	if (!buf || !in)
		return 1;
	res = io_uring_queue_init(8, &ring, 0);
	if (res)
		uring_die("io_uring_queue_init", res);
	io_uring_prep_socket(sqe_get(&ring, 0, 0), AF_UNIX, SOCK_STREAM, 0, 0);
	fd = sync_op(&ring);
	if (fd < 0)
		uring_die("IORING_OP_SOCKET", fd);
	io_uring_prep_connect(sqe_get(&ring, 0, fd), fd, (const struct sockaddr *)a, alen);
	res = sync_op(&ring);
	if (res)
		uring_die("IORING_OP_CONNECT", res);
	for (unsigned long i = 0; i < nmsg; i++) {
		unsigned long got = 0;

		for (unsigned long k = 0; k < msize; k++)
			buf[k] = (char)pattern(i * msize + k);
		io_uring_prep_send(sqe_get(&ring, 0, fd), fd, buf, msize, 0);
		if (sync_op(&ring) != (int)msize)
			return 1;
		while (got < msize) {
			io_uring_prep_recv(sqe_get(&ring, 0, fd), fd, in + got, msize - got, 0);
			res = sync_op(&ring);
			if (res <= 0)
				return 1;
			got += (unsigned long)res;
		}
		if (memcmp(buf, in, msize))
			return 1;
	}
	io_uring_prep_close(sqe_get(&ring, 0, fd), fd);
	if (sync_op(&ring))
		return 1;
	io_uring_queue_exit(&ring);
	return 0;
}

int main(int argc, char **argv)
{
	char name[64];
	struct sockaddr_un a;
	pid_t kids[MAXC];
	unsigned long nconn;
	socklen_t alen;
	bool server;
	int lfd, rc = 0;

	if (argc != 5 || (strcmp(argv[1], "server") && strcmp(argv[1], "client"))) {
		fprintf(stderr, "usage: uring_server server|client C M S\n");
		return 2;
	}
	server = !strcmp(argv[1], "server");
	nconn = parse_num(argv[2], "C");
	nmsg = parse_num(argv[3], "M");
	msize = parse_num(argv[4], "S");
	if (!nconn || nconn > MAXC || !msize || msize > BUFSZ || (!server && nconn != 1)) {
		fprintf(stderr, WL_NAME ": 1 <= C <= %d (client: C = 1), 1 <= S <= %d\n", MAXC, BUFSZ);
		return 2;
	}
	set_comm("us_server");
	snprintf(name, sizeof(name), "@ipcscope-uring-%d", getpid());
	alen = wl_unix_addr(name, &a);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, alen) || listen(lfd, MAXC))
		die("listen");
	dprintf(1, "server=%d\n", getpid());
	for (unsigned long i = 0; i < nconn; i++) {
		kids[i] = wl_fork("us_client");
		if (kids[i] == 0) {
			int fd;

			close(lfd);
			if (!server)
				_exit(ring_client(&a, alen));
			fd = socket(AF_UNIX, SOCK_STREAM, 0);
			if (fd < 0 || connect(fd, (struct sockaddr *)&a, alen))
				die("connect");
			_exit(plain_echo(fd, true));
		}
		dprintf(1, "client=%d\n", kids[i]);
	}
	if (server) {
		rc = ring_server(lfd, nconn);
	} else {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			die("accept");
		rc = plain_echo(fd, false);
		close(fd);
	}
	for (unsigned long i = 0; i < nconn; i++)
		rc |= wl_reap(kids[i]);
	return rc ? 1 : 0;
}
