/*
 * dl_mixed - a mixed deadlock across two processes: A holds a process-shared
 * mutex (in POSIX shm) and waits to read a pipe; B must write that pipe but
 * first waits for A's mutex. Prints a=, b=, mutex=, pipe_ino=; hangs until
 * killed.
 */
#define WL_NAME "dl_mixed"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include "wl.h"

static __attribute__((noinline)) void produce(pthread_mutex_t *m, int fd)
{
	pthread_mutex_lock(m);	/* A holds it: blocks here, never writes */
	if (write(fd, "x", 1) != 1)
		die("write");
	pthread_mutex_unlock(m);
}

static __attribute__((noinline)) void consume(int fd)
{
	char c;

	if (read(fd, &c, 1) < 0)
		die("read");
}

int main(void)
{
	pthread_mutexattr_t ma;
	pthread_mutex_t *m;
	struct stat st;
	int p[2], ready[2];
	char c;
	pid_t b;

	alarm(120);
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die("mmap");
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(m, &ma);
	if (pipe(p) || pipe(ready) || fstat(p[0], &st))
		die("pipe");
	printf("a=%d\nmutex=%p\npipe_ino=%lu\n", getpid(), (void *)m, (unsigned long)st.st_ino);
	fflush(stdout);
	b = wl_fork_tied("mixed_b");
	if (b == 0) {
		close(p[0]);
		close(ready[1]);
		if (read(ready[0], &c, 1) != 1)	/* until A holds the mutex */
			die("read ready");
		produce(m, p[1]);
		return 1;
	}
	set_comm("mixed_a");
	printf("b=%d\n", b);
	fflush(stdout);
	close(p[1]);
	close(ready[0]);
	pthread_mutex_lock(m);
	if (write(ready[1], "r", 1) != 1)
		die("write ready");
	consume(p[0]);
	return 1;
}
