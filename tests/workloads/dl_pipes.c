/*
 * dl_pipes - deadlock: two processes each block reading a channel that only
 * the other one writes. Modes:
 *   pipe (default)  two anonymous pipes: prints a=, b=, ab_ino= (a writes,
 *                   b reads), ba_ino=
 *   fifo DIR        two FIFOs DIR/ab and DIR/ba (created here)
 *   mq              two POSIX message queues /ipcscope-dl-PID-ab and -ba
 *                   (unlinked at once: they live while open)
 * Hangs until killed.
 */
#define WL_NAME "dl_pipes"
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include "wl.h"

static unsigned long ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		die("fstat");
	return (unsigned long)st.st_ino;
}

static __attribute__((noinline)) void wait_for_request(int fd, int mq)
{
	char c[64];

	if (mq ? mq_receive(fd, c, sizeof(c), NULL) < 0 : read(fd, c, 1) < 0)
		die("read");
}

/* the ends each side keeps: a writes ab and reads ba, b the other way */
struct ends {
	int ab_r, ab_w, ba_r, ba_w;
	int mq;
};

static void open_ends(int argc, char **argv, struct ends *e)
{
	memset(e, 0, sizeof(*e));
	if (argc >= 2 && !strcmp(argv[1], "fifo")) {
		char ab[4096], ba[4096];

		if (argc != 3)
			die("usage: dl_pipes fifo DIR");
		snprintf(ab, sizeof(ab), "%s/ab", argv[2]);
		snprintf(ba, sizeof(ba), "%s/ba", argv[2]);
		if (mkfifo(ab, 0600) || mkfifo(ba, 0600))
			die("mkfifo");
		/* O_RDWR opens never block; each process then keeps one end of each */
		e->ab_r = e->ab_w = open(ab, O_RDWR);
		e->ba_r = e->ba_w = open(ba, O_RDWR);
		if (e->ab_r < 0 || e->ba_r < 0)
			die("open fifo");
	} else if (argc >= 2 && !strcmp(argv[1], "mq")) {
		struct mq_attr at = { .mq_maxmsg = 4, .mq_msgsize = 64 };
		char ab[64], ba[64];

		snprintf(ab, sizeof(ab), "/ipcscope-dl-%d-ab", getpid());
		snprintf(ba, sizeof(ba), "/ipcscope-dl-%d-ba", getpid());
		e->ab_r = e->ab_w = mq_open(ab, O_RDWR | O_CREAT | O_EXCL, 0600, &at);
		e->ba_r = e->ba_w = mq_open(ba, O_RDWR | O_CREAT | O_EXCL, 0600, &at);
		if (e->ab_r < 0 || e->ba_r < 0)
			die("mq_open");
		mq_unlink(ab);
		mq_unlink(ba);
		e->mq = 1;
	} else {
		int ab[2], ba[2];

		if (pipe(ab) || pipe(ba))
			die("pipe");
		e->ab_r = ab[0];
		e->ab_w = ab[1];
		e->ba_r = ba[0];
		e->ba_w = ba[1];
	}
}

int main(int argc, char **argv)
{
	struct ends e;
	pid_t b;

	alarm(120);
	open_ends(argc, argv, &e);
	printf("a=%d\nab_ino=%lu\nba_ino=%lu\n", getpid(), ino_of(e.ab_r), ino_of(e.ba_r));
	fflush(stdout);
	b = wl_fork_tied("pipes_b");
	if (b == 0) {
		if (e.ab_w != e.ab_r)
			close(e.ab_w);
		if (e.ba_r != e.ba_w)
			close(e.ba_r);
		wait_for_request(e.ab_r, e.mq);	/* a never writes: it waits for us */
		return 1;
	}
	set_comm("pipes_a");
	printf("b=%d\n", b);
	fflush(stdout);
	if (e.ab_r != e.ab_w)
		close(e.ab_r);
	if (e.ba_w != e.ba_r)
		close(e.ba_w);
	wait_for_request(e.ba_r, e.mq);
	return 1;
}
