/*
 * dl_fine - programs that wait but are NOT deadlocked; `deadlock` must find
 * no cycle in them. Modes:
 *   pipeline  a writer sends a byte every 20 ms through two pipes and a relay
 *             to a reader (slow but progressing): prints writer=, relay=, reader=
 *   condvar   a thread waits on a condition variable that a timer thread
 *             signals every 50 ms: prints proc=, waiter=, timer=
 *   accept    an idle server blocked in accept: prints server=
 *   stall     the pipeline's writer sleeping forever before its first write:
 *             reader and relay blocked, a stall (not a deadlock): prints
 *             writer=, relay=, reader=
 * Each runs until killed.
 */
#define WL_NAME "dl_fine"
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include "wl.h"

static pid_t spawn(void (*fn)(int, int), int in, int out, const char *comm)
{
	pid_t p = wl_fork_tied(comm);

	if (p == 0) {
		/* hold only our own ends, as a careful program does */
		for (int fd = 3; fd < 64; fd++)
			if (fd != in && fd != out)
				close(fd);
		fn(in, out);
		exit(0);
	}
	return p;
}

static void relay(int in, int out)
{
	char c;

	while (read(in, &c, 1) == 1)
		if (out >= 0 && write(out, &c, 1) != 1)
			die("write");
}

static void pipeline(bool stall)
{
	int p1[2], p2[2];
	pid_t r, d;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	if (pipe(p1) || pipe(p2))
		die("pipe");
	r = spawn(relay, p1[0], p2[1], "pl_relay");
	d = spawn(relay, p2[0], -1, "pl_reader");
	close(p1[0]);
	close(p2[0]);
	close(p2[1]);
	set_comm("pl_writer");
	printf("writer=%d\nrelay=%d\nreader=%d\n", getpid(), r, d);
	fflush(stdout);
	if (stall)
		ts.tv_sec = 1000;	/* alarm() ends it */
	for (;;) {
		nanosleep(&ts, NULL);
		if (write(p1[1], "x", 1) != 1)
			die("write");
	}
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static unsigned long ticks;

static void *timer(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	(void)arg;
	set_comm("cv_timer");
	printf("timer=%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	for (;;) {
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&mu);
		ticks++;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static void condvar(void)
{
	pthread_t t;
	unsigned long seen = 0;

	set_comm("cv_waiter");
	printf("proc=%d\nwaiter=%d\n", getpid(), getpid());
	fflush(stdout);
	if (pthread_create(&t, NULL, timer, NULL))
		die("pthread_create");
	pthread_mutex_lock(&mu);
	for (;;) {
		while (ticks == seen)
			pthread_cond_wait(&cv, &mu);
		seen = ticks;
	}
}

static void idle_accept(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int ls;

	set_comm("idle_server");
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			  snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "ipcscope-idle-%d", getpid()));
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, len) || listen(ls, 1))
		die("listen");
	printf("server=%d\n", getpid());
	fflush(stdout);
	for (;;)
		if (accept(ls, NULL, NULL) >= 0)
			die("unexpected client");
}

int main(int argc, char **argv)
{
	alarm(120);
	if (argc == 2 && !strcmp(argv[1], "pipeline"))
		pipeline(false);
	else if (argc == 2 && !strcmp(argv[1], "stall"))
		pipeline(true);
	else if (argc == 2 && !strcmp(argv[1], "condvar"))
		condvar();
	else if (argc == 2 && !strcmp(argv[1], "accept"))
		idle_accept();
	fprintf(stderr, "usage: dl_fine pipeline|condvar|accept|stall\n");
	return 2;
}
