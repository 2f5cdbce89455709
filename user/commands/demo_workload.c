/*
 * demo_workload.c - the bundled workload `ipcscope demo` records: a three-stage
 * pipeline over anonymous pipes (producer -> filter -> consumer) whose consumer
 * sends a summary to a logger over a FIFO and a message queue; an RPC client
 * and server over a unix socketpair and over loopback TCP; a ping-pong on a
 * process-shared semaphore (futex) in shared memory; an eventfd wake-up and
 * signals. Deterministic sizes, so the report can be checked by eye.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "commands/demo_workload.h"

#define DEMO_LINES 1000
#define DEMO_LINE 64
#define DEMO_RPCS 20		/* requests per RPC client */
#define DEMO_PINGS 50		/* semaphore hand-overs each way */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int producer(int out)
{
	char line[DEMO_LINE];

	prctl(PR_SET_NAME, "demo-producer");
	for (int i = 0; i < DEMO_LINES; i++) {
		memset(line, 'a' + i % 26, sizeof(line));
		line[DEMO_LINE - 1] = '\n';
		if (write_all(out, line, sizeof(line)))
			return 1;
	}
	return 0;
}

/* Upper-cases every line and writes it twice: 2x the bytes downstream. */
static int filter(int in, int out)
{
	char buf[4096];
	ssize_t n;

	prctl(PR_SET_NAME, "demo-filter");
	while ((n = read(in, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		for (ssize_t i = 0; i < n; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
		if (write_all(out, buf, (size_t)n) || write_all(out, buf, (size_t)n))
			return 1;
	}
	return 0;
}

/* The same summary as a message on a POSIX queue the logger drains. */
static int mq_report(const char *msg, size_t len)
{
	char name[64];
	mqd_t q;
	int rc;

	snprintf(name, sizeof(name), "/ipcscope-demo-%d", (int)getppid());
	q = mq_open(name, O_WRONLY);
	if (q == (mqd_t)-1)
		return 1;
	rc = mq_send(q, msg, len, 1) ? 1 : 0;
	mq_close(q);
	return rc;
}

static int consumer(int in, const char *fifo)
{
	char buf[8192], msg[128];
	unsigned long long total = 0;
	ssize_t n;
	int fd, len;

	prctl(PR_SET_NAME, "demo-consumer");
	while ((n = read(in, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			total += (unsigned long long)n;
	fd = open(fifo, O_WRONLY);
	if (fd < 0)
		return 1;
	len = snprintf(msg, sizeof(msg), "consumer read %llu bytes\n", total);
	if (write_all(fd, msg, (size_t)len))
		return 1;
	close(fd);
	return mq_report(msg, (size_t)len);
}

static int logger(const char *fifo)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 256 };
	char buf[256], name[64];
	ssize_t n;
	mqd_t q;
	int fd;

	prctl(PR_SET_NAME, "demo-logger");
	snprintf(name, sizeof(name), "/ipcscope-demo-%d", (int)getppid());
	q = mq_open(name, O_RDONLY | O_CREAT, 0600, &attr);
	fd = open(fifo, O_RDONLY);
	if (fd < 0 || q == (mqd_t)-1)
		return 1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	n = mq_receive(q, buf, sizeof(buf), NULL);
	mq_close(q);
	mq_unlink(name);
	return n > 0 ? 0 : 1;
}

static int read_all(int fd, char *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Request/response: 32-byte requests, 128-byte answers after 2 ms of "work". */
static int rpc_server(int fd)
{
	char req[32], resp[128];

	memset(resp, 'r', sizeof(resp));
	for (int i = 0; i < DEMO_RPCS; i++) {
		if (read_all(fd, req, sizeof(req)))
			return 1;
		usleep(2000);
		if (write_all(fd, resp, sizeof(resp)))
			return 1;
	}
	return 0;
}

static int rpc_client(int fd)
{
	char req[32], resp[128];

	memset(req, 'q', sizeof(req));
	for (int i = 0; i < DEMO_RPCS; i++)
		if (write_all(fd, req, sizeof(req)) || read_all(fd, resp, sizeof(resp)))
			return 1;
	return 0;
}

/* The same RPC over loopback TCP: the server listens on an ephemeral port. */
static int tcp_pair(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int ls, cs, fd, status, rc;
	pid_t pid;

	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1) ||
	    getsockname(ls, (struct sockaddr *)&a, &alen))
		return 1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, "demo-tcp-client");
		close(ls);
		cs = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (cs < 0 || connect(cs, (struct sockaddr *)&a, sizeof(a)))
			_exit(1);
		_exit(rpc_client(cs));
	}
	prctl(PR_SET_NAME, "demo-tcp-server");
	fd = accept(ls, NULL, NULL);
	rc = fd < 0 ? 1 : rpc_server(fd);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		rc = 1;
	return rc;
}

static int unix_pair(void)
{
	int sv[2], status, rc;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return 1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, "demo-rpc-client");
		close(sv[1]);
		_exit(rpc_client(sv[0]));
	}
	prctl(PR_SET_NAME, "demo-rpc-server");
	close(sv[0]);
	rc = rpc_server(sv[1]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		rc = 1;
	return rc;
}

/*
 * Waits until task pid sleeps in a futex wait on the semaphore at sem: its
 * /proc/PID/syscall names futex and an address inside sem (the kernel shows a
 * syscall there only for a task that is not running). A sem_post that finds no
 * sleeper wakes nobody, so without this how many hand-overs show as futex wakes
 * would be timing. Gives up (returns, the post goes ahead) if the file cannot
 * be read or the peer does not get there within ~10 s.
 */
static void await_futex_sleep(pid_t pid, const sem_t *sem)
{
	const struct timespec tick = { .tv_nsec = 50 * 1000 };
	uintptr_t lo = (uintptr_t)sem, hi = lo + sizeof(*sem);
	char path[64], buf[128];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (int i = 0; i < 200000; i++) {
		unsigned long long uaddr;
		long nr;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return;
		buf[n] = '\0';
		if (sscanf(buf, "%ld %llx", &nr, &uaddr) == 2 && nr == SYS_futex &&
		    uaddr >= lo && uaddr < hi)
			return;
		nanosleep(&tick, NULL);
	}
}

/* Two processes hand a token back and forth through process-shared semaphores
 * in a shared mapping. Each side posts only once the other sleeps on the
 * semaphore, so every hand-over is a futex wait and a wake: DEMO_PINGS each
 * way, the same on every run. */
static int sem_pingpong(void)
{
	sem_t *s = mmap(NULL, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status, rc = 0;
	pid_t pid, ping = getpid();

	if (s == MAP_FAILED || sem_init(&s[0], 1, 0) || sem_init(&s[1], 1, 0))
		return 1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, "demo-pong");
		for (int i = 0; i < DEMO_PINGS; i++) {
			if (sem_wait(&s[0]))
				_exit(1);
			await_futex_sleep(ping, &s[1]);
			if (sem_post(&s[1]))
				_exit(1);
		}
		_exit(0);
	}
	prctl(PR_SET_NAME, "demo-ping");
	for (int i = 0; i < DEMO_PINGS && !rc && pid > 0; i++) {
		await_futex_sleep(pid, &s[0]);
		if (sem_post(&s[0]) || sem_wait(&s[1]))
			rc = 1;
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		rc = 1;
	munmap(s, 2 * sizeof(sem_t));
	return rc;
}

/* A child counts to 10 on an eventfd the parent drains, then is told to stop by SIGUSR1. */
static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1 = 1; }

static int eventfd_signal(void)
{
	int efd = eventfd(0, EFD_CLOEXEC), status;
	uint64_t v, total = 0;
	sigset_t block, old;
	pid_t pid;

	if (efd < 0)
		return 1;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, "demo-notifier");
		signal(SIGUSR1, on_usr1);
		for (v = 1; v <= 10; v++)
			if (write(efd, &v, sizeof(v)) != sizeof(v))
				_exit(1);
		while (!got_usr1)
			sigsuspend(&old);
		_exit(0);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	prctl(PR_SET_NAME, "demo-waiter");
	while (total < 55 && read(efd, &v, sizeof(v)) == sizeof(v))
		total += v;
	if (pid > 0)
		kill(pid, SIGUSR1);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	close(efd);
	return total == 55 ? 0 : 1;
}

static pid_t spawn(int (*fn)(int, int, const char *), int a, int b, const char *s, int closefds[4])
{
	pid_t pid = fork();

	if (pid == 0) {
		for (int i = 0; i < 4; i++)
			if (closefds[i] >= 0 && closefds[i] != a && closefds[i] != b)
				close(closefds[i]);
		_exit(fn(a, b, s));
	}
	return pid;
}

static int run_producer(int a, int b, const char *s) { (void)b; (void)s; return producer(a); }
static int run_filter(int a, int b, const char *s) { (void)s; return filter(a, b); }
static int run_consumer(int a, int b, const char *s) { (void)b; return consumer(a, s); }
static int run_logger(int a, int b, const char *s) { (void)a; (void)b; return logger(s); }
static int run_unix(int a, int b, const char *s) { (void)a; (void)b; (void)s; return unix_pair(); }
static int run_tcp(int a, int b, const char *s) { (void)a; (void)b; (void)s; return tcp_pair(); }
static int run_sem(int a, int b, const char *s) { (void)a; (void)b; (void)s; return sem_pingpong(); }
static int run_efd(int a, int b, const char *s) { (void)a; (void)b; (void)s; return eventfd_signal(); }

int demo_workload(void *arg)
{
	const char *fifo = arg;
	int p1[2], p2[2], status, failed = 0;
	pid_t kids[8];

	prctl(PR_SET_NAME, "demo");
	if (mkfifo(fifo, 0600) && errno != EEXIST)
		return 1;
	if (pipe(p1) || pipe(p2))
		return 1;
	int all[4] = { p1[0], p1[1], p2[0], p2[1] };

	kids[0] = spawn(run_logger, -1, -1, fifo, all);
	kids[1] = spawn(run_producer, p1[1], -1, NULL, all);
	kids[2] = spawn(run_filter, p1[0], p2[1], NULL, all);
	kids[3] = spawn(run_consumer, p2[0], -1, fifo, all);
	for (int i = 0; i < 4; i++)
		close(all[i]);
	kids[4] = spawn(run_unix, -1, -1, NULL, all);
	kids[5] = spawn(run_tcp, -1, -1, NULL, all);
	kids[6] = spawn(run_sem, -1, -1, NULL, all);
	kids[7] = spawn(run_efd, -1, -1, NULL, all);
	for (int i = 0; i < 8; i++) {
		if (kids[i] < 0 || waitpid(kids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = 1;
	}
	unlink(fifo);
	return failed;
}
