/*
 * uring_pingpong MODE N S - a ping-pong between a process that does its IPC
 * through io_uring and one that uses plain syscalls.
 *
 * MODE:
 *   pipe    two pipes; the ring side (comm "ur_ring") writes S bytes with
 *           IORING_OP_WRITE, the plain side (comm "ur_plain") read()s them
 *           and write()s S bytes back, which the ring side reads with
 *           IORING_OP_READ; N rounds
 *   async   as pipe, every SQE with IOSQE_ASYNC (an io-wq worker runs it)
 *   fixed   as pipe, the two pipe ends registered (IOSQE_FIXED_FILE)
 *   sqpoll  as pipe, the ring made with IORING_SETUP_SQPOLL
 *   vec     as pipe, with IORING_OP_WRITEV / IORING_OP_READV
 *   unix    a socketpair; the ring side uses IORING_OP_SEND / IORING_OP_RECV,
 *           the plain side recv() / send()
 *   msg     a socketpair; IORING_OP_SENDMSG / IORING_OP_RECVMSG
 *   rights  as msg, every SENDMSG passing a pipe's read end (SCM_RIGHTS), which
 *           the plain side takes with recvmsg() and closes
 *   futex   a turn word in shared memory: the ring side waits for its turn with
 *           IORING_OP_FUTEX_WAIT and hands the turn back with IORING_OP_FUTEX_WAKE,
 *           the plain side with futex(2) (S ignored); both print how many of
 *           their waits a wake ended and how many of their wakes woke the other:
 *           "ring_waits=", "ring_woke=", "plain_waits=", "plain_woke="
 *   deadlock as pipe, but each side reads first: the ring side's IORING_OP_READ
 *           and the plain side's read() wait for each other forever (the
 *           plain side dies with its parent); the ring side runs in the main
 *           thread (ring_tid = ring)
 *   eventfd two eventfds; the ring side writes the value i+1 and reads the
 *           reply (S ignored: 8 bytes)
 *
 * The ring side runs in a second thread (comm "ur_ring"), so its tid is not
 * its pid. stdout: "ring=PID", "ring_tid=TID", "plain=PID". Exit 0 only when
 * both sides moved exactly N*S bytes each way with the expected content.
 */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "uring_pingpong"
#include "wl.h"

struct pp {
	const char *mode;
	unsigned long n, size;
	int out_fd, in_fd;	/* ring side: where it writes, where it reads */
	int rc;
};

#define OP_FUTEX_WAIT 51	/* IORING_OP_FUTEX_WAIT (6.7; liburing 2.3 predates it) */
#define OP_FUTEX_WAKE 52
#define FUTEX2_U32 0x02		/* FUTEX2_SIZE_U32, shared (no FUTEX2_PRIVATE) */

static _Atomic int *turn;	/* futex: 0 = the plain side's turn, 1 = the ring's */
static int sqe_flags;	/* IOSQE_ASYNC / IOSQE_FIXED_FILE */
static bool ring_sqpoll;	/* the ring has a SQPOLL poller */
static int rights_fd = -1;	/* rights: the fd every SENDMSG passes */

/* One operation through the ring, waited for; returns its res. */
static int ring_op(struct io_uring *ring, int op, int fd, void *buf, size_t len)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl;
	int res;

	if (op == IORING_OP_SENDMSG && rights_fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &rights_fd, sizeof(int));
	}

	if (!sqe) {
		errno = EBUSY;
		die("io_uring_get_sqe");
	}
	switch (op) {
	case IORING_OP_WRITE: io_uring_prep_write(sqe, fd, buf, (unsigned)len, (__u64)-1); break;
	case IORING_OP_READ: io_uring_prep_read(sqe, fd, buf, (unsigned)len, (__u64)-1); break;
	case IORING_OP_WRITEV: io_uring_prep_writev(sqe, fd, &iov, 1, (__u64)-1); break;
	case IORING_OP_READV: io_uring_prep_readv(sqe, fd, &iov, 1, (__u64)-1); break;
	case IORING_OP_SEND: io_uring_prep_send(sqe, fd, buf, len, 0); break;
	case IORING_OP_RECV: io_uring_prep_recv(sqe, fd, buf, len, 0); break;
	case IORING_OP_SENDMSG: io_uring_prep_sendmsg(sqe, fd, &mh, 0); break;
	case IORING_OP_RECVMSG: io_uring_prep_recvmsg(sqe, fd, &mh, 0); break;
	case OP_FUTEX_WAIT:
	case OP_FUTEX_WAKE:
		/* fd: futex2 flags, addr: the word, off (addr2): value or count, addr3: mask */
		io_uring_prep_rw(op, sqe, FUTEX2_U32, buf, 0, len);
		sqe->addr3 = FUTEX_BITSET_MATCH_ANY;
		break;
	}
	sqe->flags |= sqe_flags;
	/* Under SQPOLL the poller may have taken the SQE already: 0 is no error. */
	res = io_uring_submit(ring);
	if (res < 0 || (res != 1 && !ring_sqpoll)) {
		errno = res < 0 ? -res : EIO;
		die("io_uring_submit");
	}
	res = io_uring_wait_cqe(ring, &cqe);
	if (res) {
		errno = -res;
		die("io_uring_wait_cqe");
	}
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int ring_setup(struct io_uring *ring, const char *mode, int *fds)
{
	struct io_uring_params p = { 0 };
	int err;

	if (!strcmp(mode, "sqpoll")) {
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 2000;
		ring_sqpoll = true;
	}
	err = io_uring_queue_init_params(8, ring, &p);
	if (err) {
		errno = -err;
		die("io_uring_queue_init");
	}
	if (!strcmp(mode, "async"))
		sqe_flags = IOSQE_ASYNC;
	if (!strcmp(mode, "fixed")) {
		err = io_uring_register_files(ring, fds, 2);
		if (err) {
			errno = -err;
			die("io_uring_register_files");
		}
		sqe_flags = IOSQE_FIXED_FILE;
		fds[0] = 0;	/* slot of out_fd */
		fds[1] = 1;	/* slot of in_fd */
	}
	return 0;
}

static void *ring_side(void *arg)
{
	struct pp *pp = arg;
	bool vec = !strcmp(pp->mode, "vec"), sock = !strcmp(pp->mode, "unix"),
	     msg = !strcmp(pp->mode, "msg") || !strcmp(pp->mode, "rights"), efd = !strcmp(pp->mode, "eventfd");
	int wop = vec ? IORING_OP_WRITEV : sock ? IORING_OP_SEND : msg ? IORING_OP_SENDMSG : IORING_OP_WRITE;
	int rop = vec ? IORING_OP_READV : sock ? IORING_OP_RECV : msg ? IORING_OP_RECVMSG : IORING_OP_READ;
	char *buf = malloc(pp->size), *in = malloc(pp->size);
	struct io_uring ring;
	int fds[2] = { pp->out_fd, pp->in_fd };

	set_comm("ur_ring");
	if (!buf || !in)
		die("malloc");
	ring_setup(&ring, pp->mode, fds);
	dprintf(1, "ring_tid=%ld\n", (long)syscall(SYS_gettid));
	if (!strcmp(pp->mode, "deadlock")) {
		ring_op(&ring, IORING_OP_READ, fds[1], in, pp->size);	/* never returns */
		pp->n = 0;
	}
	if (!strcmp(pp->mode, "futex")) {
		unsigned long waits = 0, woke = 0;

		for (unsigned long i = 0; i < pp->n; i++) {
			while (atomic_load(turn) != 1)
				if (ring_op(&ring, OP_FUTEX_WAIT, -1, (void *)turn, 0) == 0)
					waits++;	/* ended by a wake (else EAGAIN: the turn came first) */
			atomic_store(turn, 0);
			if (ring_op(&ring, OP_FUTEX_WAKE, -1, (void *)turn, 1) > 0)
				woke++;
		}
		dprintf(1, "ring_waits=%lu\nring_woke=%lu\n", waits, woke);
		pp->n = 0;	/* done */
	}
	for (unsigned long i = 0; i < pp->n; i++) {
		size_t got = 0;
		int r;

		if (efd) {
			__u64 v = i + 1, back = 0;

			if (ring_op(&ring, IORING_OP_WRITE, fds[0], &v, 8) != 8 ||
			    ring_op(&ring, IORING_OP_READ, fds[1], &back, 8) != 8 || back != v + 1000) {
				pp->rc = 1;
				break;
			}
			continue;
		}
		for (size_t k = 0; k < pp->size; k++)
			buf[k] = (char)pattern(i * pp->size + k);
		r = ring_op(&ring, wop, fds[0], buf, pp->size);
		if (r != (int)pp->size) {
			fprintf(stderr, WL_NAME ": write %lu: %d\n", i, r);
			pp->rc = 1;
			break;
		}
		while (got < pp->size) {
			r = ring_op(&ring, rop, fds[1], in + got, pp->size - got);
			if (r <= 0) {
				fprintf(stderr, WL_NAME ": read %lu: %d\n", i, r);
				pp->rc = 1;
				break;
			}
			got += (size_t)r;
		}
		if (pp->rc || memcmp(in, buf, pp->size)) {
			pp->rc = 1;
			break;
		}
	}
	io_uring_queue_exit(&ring);
	free(buf);
	free(in);
	return NULL;
}

/* The plain side: read a message, send it back (eventfd: value + 1000). */
/* rights: one message's bytes with recvmsg(); the passed fd is closed. */
static ssize_t recv_rights(int fd, char *buf, size_t len, unsigned long *nfds)
{
	union { char buf[CMSG_SPACE(sizeof(int) * 4)]; struct cmsghdr align; } ctl;
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	ssize_t r = recvmsg(fd, &mh, 0);
	int got;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); r > 0 && c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&got, CMSG_DATA(c), sizeof(int));
		close(got);
		(*nfds)++;
	}
	return r;
}

/* futex: the plain side of the turn ping-pong, with futex(2). */
static int plain_futex(const struct pp *pp)
{
	unsigned long waits = 0, woke = 0;

	for (unsigned long i = 0; i < pp->n; i++) {
		while (atomic_load(turn) != 0)
			if (syscall(SYS_futex, turn, FUTEX_WAIT, 1, NULL, NULL, 0) == 0)
				waits++;
		atomic_store(turn, 1);
		if (syscall(SYS_futex, turn, FUTEX_WAKE, 1, NULL, NULL, 0) > 0)
			woke++;
	}
	dprintf(1, "plain_waits=%lu\nplain_woke=%lu\n", waits, woke);
	return 0;
}

static int plain_side(const struct pp *pp, int rfd, int wfd, bool sock, bool efd)
{
	bool rights = !strcmp(pp->mode, "rights");
	unsigned long nfds = 0;

	if (!strcmp(pp->mode, "futex"))
		return plain_futex(pp);
	if (!strcmp(pp->mode, "deadlock")) {
		char c;

		return read(rfd, &c, 1) < 0;	/* never returns */
	}
	char *buf = malloc(pp->size ? pp->size : 8);

	if (!buf)
		die("malloc");
	for (unsigned long i = 0; i < pp->n; i++) {
		size_t got = 0;
		ssize_t r;

		if (efd) {
			__u64 v;

			if (read(rfd, &v, 8) != 8)
				return 1;
			v += 1000;
			if (write(wfd, &v, 8) != 8)
				return 1;
			continue;
		}
		while (got < pp->size) {
			r = rights ? recv_rights(rfd, buf + got, pp->size - got, &nfds) :
			    sock ? recv(rfd, buf + got, pp->size - got, 0) : read(rfd, buf + got, pp->size - got);
			if (r <= 0)
				return 1;
			got += (size_t)r;
		}
		r = sock ? send(wfd, buf, pp->size, 0) : write(wfd, buf, pp->size);
		if (r != (ssize_t)pp->size)
			return 1;
	}
	return rights && nfds != pp->n;	/* one fd per message */
}

int main(int argc, char **argv)
{
	struct pp pp = { 0 };
	int a[2], b[2], rc;
	bool sock, efd;
	pthread_t th;
	pid_t child;

	if (argc != 4) {
		fprintf(stderr, "usage: uring_pingpong pipe|async|fixed|sqpoll|vec|unix|msg|rights|futex|deadlock|eventfd N S\n");
		return 2;
	}
	pp.mode = argv[1];
	pp.n = parse_num(argv[2], "N");
	pp.size = parse_num(argv[3], "S");
	sock = !strcmp(pp.mode, "unix") || !strcmp(pp.mode, "msg") || !strcmp(pp.mode, "rights");
	efd = !strcmp(pp.mode, "eventfd");
	if (!strcmp(pp.mode, "futex")) {
		turn = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (turn == MAP_FAILED)
			die("mmap");
		a[0] = a[1] = b[0] = b[1] = -1;
		efd = true;	/* no pipes to close */
	} else if (efd) {
		pp.size = 8;
		a[0] = a[1] = eventfd(0, 0);
		b[0] = b[1] = eventfd(0, 0);
		if (a[0] < 0 || b[0] < 0)
			die("eventfd");
	} else if (sock) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, a))
			die("socketpair");
		b[0] = a[0];	/* the plain side's end: reads and writes */
		b[1] = a[1];	/* the ring side's end */
	} else if (pipe(a) || pipe(b)) {
		die("pipe");
	}
	set_comm("ur_main");
	child = strcmp(pp.mode, "deadlock") ? wl_fork("ur_plain") : wl_fork_tied("ur_plain");
	if (child == 0) {
		if (sock) {
			close(a[1]);
			_exit(plain_side(&pp, a[0], a[0], true, false));
		}
		if (!efd) {
			close(a[1]);
			close(b[0]);
		}
		_exit(plain_side(&pp, a[0], b[1], false, efd));
	}
	dprintf(1, "ring=%d\nplain=%d\n", getpid(), child);
	if (sock) {
		close(a[0]);
		pp.out_fd = pp.in_fd = a[1];
	} else {
		if (!efd) {
			close(a[0]);
			close(b[1]);
		}
		pp.out_fd = a[1];
		pp.in_fd = b[0];
	}
	if (!strcmp(pp.mode, "rights")) {
		int p[2];

		if (pipe(p))
			die("pipe");
		rights_fd = p[0];
	}
	if (!strcmp(pp.mode, "deadlock")) {
		/* one thread: every holder of the ring's pipe ends waits (a joining
		 * main thread would wait on no channel: a stall, not a cycle) */
		ring_side(&pp);
	} else {
		if (pthread_create(&th, NULL, ring_side, &pp))
			die("pthread_create");
		pthread_join(th, NULL);
	}
	rc = wl_reap(child);
	return pp.rc || rc ? 1 : 0;
}
