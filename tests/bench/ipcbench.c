/*
 * ipcbench.c - the benchmark's workload: one IPC pattern as fast as it goes.
 *
 *   ipcbench MODE [-d SECONDS | -n OPS]
 *
 * MODE: pipe, unix, tcp, fifo (1-byte ping-pong between two processes),
 * futex (two threads handing a futex word back and forth), shm (two
 * processes taking turns under a process-shared mutex + condvar in shared
 * memory), bulk (64 KiB pipe writes to a reader process); libc locks for
 * --locks: lock-mutex, lock-sem, lock-rwlock (one thread: uncontended, never
 * in the kernel) and lock-mutex-2, lock-sem-2, lock-rwlock-2 (two threads on
 * one lock: contended; rwlock: write locks), one op = one lock + unlock.
 * One op is one round trip (bulk: one 64 KiB write). Only the timed loop is
 * measured (not start-up). Prints one line:
 *   ipcbench MODE ops=N secs=S ops_per_sec=R
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BULK_CHUNK (64 * 1024)

static double g_secs = 1.0;		/* -d */
static unsigned long g_ops;		/* -n: fixed op count instead */

static void die(const char *what)
{
	fprintf(stderr, "ipcbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run until the op count or the deadline; the clock is read every 64 ops. */
static bool keep_going(unsigned long done, double start)
{
	if (g_ops)
		return done < g_ops;
	return (done & 63) || now() - start < g_secs;
}

static void full_write(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += w;
		n -= (size_t)w;
	}
}

/* 1 when a byte came, 0 at EOF. */
static int read1(int fd, char *c)
{
	for (;;) {
		ssize_t r = read(fd, c, 1);

		if (r == 1)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			die("read");
	}
}

static void report(const char *mode, unsigned long ops, double secs)
{
	printf("ipcbench %s ops=%lu secs=%.4f ops_per_sec=%.0f\n", mode, ops, secs,
	       secs > 0 ? (double)ops / secs : 0.0);
	fflush(stdout);
}

static void reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "ipcbench: child failed (status 0x%x)\n", st);
		exit(1);
	}
}

/* ---- byte ping-pong over two fds per side (pipe, fifo, unix, tcp) ---- */

/* Echo side: read a byte, send it back, until EOF. */
static void echo_loop(int in, int out)
{
	char c;

	while (read1(in, &c))
		full_write(out, &c, 1);
	_exit(0);
}

/* Ping side: one op = one byte there and back. Closing `out` ends the echo. */
static unsigned long ping_loop(int in, int out, double *secs)
{
	double start = now();
	unsigned long n = 0;
	char c = 'x';

	while (keep_going(n, start)) {
		full_write(out, &c, 1);
		if (!read1(in, &c)) {
			fprintf(stderr, "ipcbench: echo side closed early\n");
			exit(1);
		}
		n++;
	}
	*secs = now() - start;
	return n;
}

static void run_pingpong(const char *mode, int p_in, int p_out, int c_in, int c_out)
{
	unsigned long n;
	double secs;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(p_in);
		if (p_out != p_in)
			close(p_out);
		echo_loop(c_in, c_out);
	}
	close(c_in);
	if (c_out != c_in)
		close(c_out);
	n = ping_loop(p_in, p_out, &secs);
	close(p_out);
	if (p_in != p_out)
		close(p_in);
	reap(pid);
	report(mode, n, secs);
}

static void mode_pipe(void)
{
	int to_child[2], to_parent[2];

	if (pipe(to_child) || pipe(to_parent))
		die("pipe");
	run_pingpong("pipe", to_parent[0], to_child[1], to_child[0], to_parent[1]);
}

static void mode_unix(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	run_pingpong("unix", sv[0], sv[0], sv[1], sv[1]);
}

static void mode_tcp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int one = 1, l, c, s;

	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen))
		die("tcp listen on 127.0.0.1");
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
		die("tcp connect");
	s = accept(l, NULL, NULL);
	if (s < 0)
		die("accept");
	close(l);
	if (setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("TCP_NODELAY");
	run_pingpong("tcp", c, c, s, s);
}

static void mode_fifo(void)
{
	char dir[] = "/tmp/ipcbench.XXXXXX", a[64], b[64];
	int p_out, p_in, c_in, c_out;

	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(a, sizeof(a), "%s/ping", dir);
	snprintf(b, sizeof(b), "%s/pong", dir);
	if (mkfifo(a, 0600) || mkfifo(b, 0600))
		die("mkfifo");
	/* O_RDWR opens do not block waiting for the other end. */
	p_out = open(a, O_RDWR);
	c_in = open(a, O_RDONLY);
	c_out = open(b, O_RDWR);
	p_in = open(b, O_RDONLY);
	if (p_out < 0 || c_in < 0 || c_out < 0 || p_in < 0)
		die("open fifo");
	unlink(a);
	unlink(b);
	rmdir(dir);
	/* The echo side sees EOF only if nobody else holds the ping write end. */
	run_pingpong("fifo", p_in, p_out, c_in, c_out);
}

/* ---- bulk: 64 KiB writes into a pipe, a reader drains them ---- */

static void mode_bulk(void)
{
	static char buf[BULK_CHUNK];
	unsigned long n = 0;
	double start, secs;
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(fds[1]);
		while (read(fds[0], buf, sizeof(buf)) > 0 || errno == EINTR)
			;
		_exit(0);
	}
	close(fds[0]);
	memset(buf, 'b', sizeof(buf));
	start = now();
	while (keep_going(n, start)) {
		full_write(fds[1], buf, sizeof(buf));
		n++;
	}
	secs = now() - start;
	close(fds[1]);
	reap(pid);
	report("bulk", n, secs);
}

/* ---- futex: two threads take turns on one futex word ---- */

static long futex(atomic_int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

struct turn {
	atomic_int word;	/* whose turn: 0 or 1; 2 = stop */
};

/* Wait until it is `me`'s turn (or stop); false on stop. */
static bool wait_turn(struct turn *t, int me, int op_wait)
{
	int v;

	while ((v = atomic_load(&t->word)) != me) {
		if (v == 2)
			return false;
		if (futex(&t->word, op_wait, v) < 0 && errno != EAGAIN && errno != EINTR)
			die("futex wait");
	}
	return true;
}

static void give_turn(struct turn *t, int to, int op_wake)
{
	atomic_store(&t->word, to);
	if (futex(&t->word, op_wake, 1) < 0)
		die("futex wake");
}

static void *futex_peer(void *arg)
{
	struct turn *t = arg;

	while (wait_turn(t, 1, FUTEX_WAIT_PRIVATE))
		give_turn(t, 0, FUTEX_WAKE_PRIVATE);
	return NULL;
}

static void mode_futex(void)
{
	static struct turn t;
	unsigned long n = 0;
	double start, secs;
	pthread_t th;

	if (pthread_create(&th, NULL, futex_peer, &t))
		die("pthread_create");
	start = now();
	while (keep_going(n, start)) {
		give_turn(&t, 1, FUTEX_WAKE_PRIVATE);
		wait_turn(&t, 0, FUTEX_WAIT_PRIVATE);
		n++;
	}
	secs = now() - start;
	give_turn(&t, 2, FUTEX_WAKE_PRIVATE);
	pthread_join(th, NULL);
	report("futex", n, secs);
}

/* ---- shm: two processes take turns under a process-shared mutex ---- */

struct shared {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int turn;	/* 0 parent, 1 child, 2 stop */
};

static void shm_take_turns(struct shared *s, int me, unsigned long *n, double start)
{
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->turn != me && s->turn != 2)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->turn == 2)
			break;
		if (me == 0) {
			if (!keep_going(*n, start)) {
				s->turn = 2;
				pthread_cond_broadcast(&s->cv);
				break;
			}
			(*n)++;
		}
		s->turn = !me;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
}

static void mode_shm(void)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	unsigned long n = 0;
	struct shared *s;
	double start;
	pid_t pid;

	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		die("mmap");
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&s->mu, &ma);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_cond_init(&s->cv, &ca);
	s->turn = 0;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		shm_take_turns(s, 1, &n, 0);
		_exit(0);
	}
	start = now();
	shm_take_turns(s, 0, &n, start);
	reap(pid);
	report("shm", n, now() - start);
}

/* ---- libc locks: lock + unlock as fast as it goes, by one or two threads ---- */

enum lk_kind { LK_MUTEX, LK_SEM, LK_RW };

static struct {
	enum lk_kind kind;
	pthread_mutex_t m;
	sem_t s;
	pthread_rwlock_t rw;
	double start;
	atomic_ulong total;
} lk = { .m = PTHREAD_MUTEX_INITIALIZER, .rw = PTHREAD_RWLOCK_INITIALIZER };

static void *lock_loop(void *arg)
{
	unsigned long n = 0;

	(void)arg;
	while (keep_going(n, lk.start)) {
		if (lk.kind == LK_MUTEX) {
			pthread_mutex_lock(&lk.m);
			pthread_mutex_unlock(&lk.m);
		} else if (lk.kind == LK_SEM) {
			while (sem_wait(&lk.s))
				;
			sem_post(&lk.s);
		} else {
			pthread_rwlock_wrlock(&lk.rw);
			pthread_rwlock_unlock(&lk.rw);
		}
		n++;
	}
	atomic_fetch_add(&lk.total, n);
	return NULL;
}

static void mode_lock(const char *name, enum lk_kind kind, int threads)
{
	pthread_t th;

	lk.kind = kind;
	if (sem_init(&lk.s, 0, 1))
		die("sem_init");
	lk.start = now();
	if (threads == 2 && pthread_create(&th, NULL, lock_loop, NULL))
		die("pthread_create");
	lock_loop(NULL);
	if (threads == 2)
		pthread_join(th, NULL);
	report(name, atomic_load(&lk.total), now() - lk.start);
}

static void mode_lock_mutex(void) { mode_lock("lock-mutex", LK_MUTEX, 1); }
static void mode_lock_sem(void) { mode_lock("lock-sem", LK_SEM, 1); }
static void mode_lock_rwlock(void) { mode_lock("lock-rwlock", LK_RW, 1); }
static void mode_lock_mutex2(void) { mode_lock("lock-mutex-2", LK_MUTEX, 2); }
static void mode_lock_sem2(void) { mode_lock("lock-sem-2", LK_SEM, 2); }
static void mode_lock_rwlock2(void) { mode_lock("lock-rwlock-2", LK_RW, 2); }

static const struct {
	const char *name;
	void (*run)(void);
} modes[] = {
	{ "pipe", mode_pipe }, { "unix", mode_unix }, { "tcp", mode_tcp }, { "futex", mode_futex },
	{ "shm", mode_shm },   { "bulk", mode_bulk }, { "fifo", mode_fifo },
	{ "lock-mutex", mode_lock_mutex }, { "lock-sem", mode_lock_sem }, { "lock-rwlock", mode_lock_rwlock },
	{ "lock-mutex-2", mode_lock_mutex2 }, { "lock-sem-2", mode_lock_sem2 },
	{ "lock-rwlock-2", mode_lock_rwlock2 },
};

static void usage(void)
{
	fprintf(stderr, "usage: ipcbench MODE [-d SECONDS | -n OPS]\n"
			"MODE: pipe unix tcp futex shm bulk fifo lock-mutex lock-sem lock-rwlock\n"
			"      lock-mutex-2 lock-sem-2 lock-rwlock-2\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char *end;
	int c;

	if (argc < 2)
		usage();
	optind = 2;
	while ((c = getopt(argc, argv, "d:n:")) != -1) {
		switch (c) {
		case 'd':
			g_secs = strtod(optarg, &end);
			if (*end || !(g_secs > 0))
				usage();
			break;
		case 'n':
			g_ops = strtoul(optarg, &end, 10);
			if (*end || !g_ops)
				usage();
			break;
		default:
			usage();
		}
	}
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(argv[1], modes[i].name))
			continue;
		modes[i].run();
		return 0;
	}
	usage();
	return 2;
}
