/*
 * splice_chain N S F - bytes moved by vmsplice, sendfile, tee and splice.
 *
 * The parent (comm "sp_src") puts N chunks of S bytes into pipe 1 with
 * vmsplice, then F bytes from a memfd with sendfile(2) (one call per
 * return). A child "sp_mid" tee()s each chunk of pipe 1 into pipe 3 and
 * then splice()s the same bytes into pipe 2. Child "sp_sink" reads pipe 2,
 * child "sp_tee" reads pipe 3, both with read() until EOF.
 *
 * stdout: "src=PID", "mid=PID", "sink=PID", "tee=PID", and the call counts
 * "vmsplices=K", "sendfiles=K" (src) and "tees=K", "splices=K" (mid).
 * Exit 0 only if sink and tee each got N*S+F bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_NAME "splice_chain"
#include "wl.h"

static char chunk[65536];

/* Read fd to EOF; exit status 0 if exactly want bytes came. */
static void reader(const char *comm, int fd, long want)
{
	char buf[4096];
	long got = 0;
	ssize_t r;

	set_comm(comm);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		got += r;
	_exit(got == want ? 0 : 1);
}

static void mid(int in, int out, int copy)
{
	long tees = 0, splices = 0;
	ssize_t t, s;

	set_comm("sp_mid");
	while ((t = tee(in, copy, 1 << 20, 0)) > 0) {
		tees++;
		for (ssize_t moved = 0; moved < t; moved += s) {
			s = splice(in, NULL, out, NULL, (size_t)(t - moved), 0);
			if (s <= 0)
				die("splice");
			splices++;
		}
	}
	if (t < 0)
		die("tee");
	printf("tees=%ld\nsplices=%ld\n", tees, splices);
	fflush(stdout);
	_exit(0);
}

int main(int argc, char **argv)
{
	int p1[2], p2[2], p3[2], mfd, status, bad = 0;
	long n, sz, f, want, vms = 0, sfs = 0;
	pid_t kids[3];
	ssize_t r;
	off_t off = 0;

	if (argc != 4)
		return 2;
	n = atol(argv[1]);
	sz = atol(argv[2]);
	f = atol(argv[3]);
	if (sz <= 0 || sz > (long)sizeof(chunk))
		return 2;
	want = n * sz + f;
	set_comm("sp_src");
	memset(chunk, 'c', sizeof(chunk));
	mfd = memfd_create("splice_chain", 0);
	if (mfd < 0 || ftruncate(mfd, f))
		die("memfd");
	if (pipe(p1) || pipe(p2) || pipe(p3))
		die("pipe");
	printf("src=%d\n", (int)getpid());
	fflush(stdout);
	kids[0] = wl_fork(NULL);
	if (kids[0] == 0) {
		close(p1[1]);
		close(p2[0]);
		close(p3[0]);
		mid(p1[0], p2[1], p3[1]);
	}
	kids[1] = wl_fork(NULL);
	if (kids[1] == 0) {
		close(p1[0]);
		close(p1[1]);
		close(p2[1]);
		close(p3[0]);
		close(p3[1]);
		reader("sp_sink", p2[0], want);
	}
	kids[2] = wl_fork(NULL);
	if (kids[2] == 0) {
		close(p1[0]);
		close(p1[1]);
		close(p2[0]);
		close(p2[1]);
		close(p3[1]);
		reader("sp_tee", p3[0], want);
	}
	printf("mid=%d\nsink=%d\ntee=%d\n", (int)kids[0], (int)kids[1], (int)kids[2]);
	fflush(stdout);
	close(p1[0]);
	close(p2[0]);
	close(p2[1]);
	close(p3[0]);
	close(p3[1]);
	for (long i = 0; i < n; i++) {
		/* chunk is never modified: the pipe may still reference its pages. */
		struct iovec iov = { chunk, (size_t)sz };

		for (size_t done = 0; done < (size_t)sz; done += (size_t)r) {
			iov.iov_base = chunk + done;
			iov.iov_len = (size_t)sz - done;
			r = vmsplice(p1[1], &iov, 1, 0);
			if (r <= 0)
				die("vmsplice");
			vms++;
		}
	}
	while (off < f) {
		r = sendfile(p1[1], mfd, &off, (size_t)(f - off));
		if (r <= 0)
			die("sendfile");
		sfs++;
	}
	close(p1[1]);
	printf("vmsplices=%ld\nsendfiles=%ld\n", vms, sfs);
	fflush(stdout);
	for (int i = 0; i < 3; i++)
		if (waitpid(kids[i], &status, 0) != kids[i] || status)
			bad++;
	return bad ? 1 : 0;
}
