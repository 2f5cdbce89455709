/*
 * dl_shm_mutex - deadlock across processes: a pair of process-shared
 * mutexes in POSIX shared memory, taken in opposite order by a parent and
 * its child. Prints parent=, child=, m1=, m2= (addresses, the same in both:
 * mapped before fork); hangs until killed.
 */
#define WL_NAME "dl_shm_mutex"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include "wl.h"

struct shared {
	pthread_mutex_t m1;
	pthread_mutex_t m2;
	pthread_barrier_t both_hold_one;
};

static __attribute__((noinline)) void take_second(pthread_mutex_t *m)
{
	pthread_mutex_lock(m);
}

int main(void)
{
	char name[64];
	pthread_mutexattr_t ma;
	pthread_barrierattr_t ba;
	struct shared *s;
	pid_t child;
	int fd;

	alarm(120);
	snprintf(name, sizeof(name), "/ipcscope-dl-shm-%d", getpid());
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, sizeof(*s)))
		die("shm_open");
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (s == MAP_FAILED)
		die("mmap");
	shm_unlink(name);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&s->m1, &ma);
	pthread_mutex_init(&s->m2, &ma);
	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(&s->both_hold_one, &ba, 2);
	printf("parent=%d\nm1=%p\nm2=%p\n", getpid(), (void *)&s->m1, (void *)&s->m2);
	fflush(stdout);
	child = wl_fork_tied("shm_child");
	if (child == 0) {
		pthread_mutex_lock(&s->m2);
		pthread_barrier_wait(&s->both_hold_one);
		take_second(&s->m1);
		return 1;
	}
	set_comm("shm_parent");
	printf("child=%d\n", child);
	fflush(stdout);
	pthread_mutex_lock(&s->m1);
	pthread_barrier_wait(&s->both_hold_one);
	take_second(&s->m2);
	return 1;
}
