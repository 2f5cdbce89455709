/*
 * dl_abba - deadlock: two threads take two mutexes in opposite order (ABBA).
 * Prints proc=, ta=, tb= (tids), lock_a=, lock_b= (addresses); then hangs
 * until killed (alarm(120) as a safety net).
 */
#define WL_NAME "dl_abba"
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include "wl.h"

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static __attribute__((noinline)) void take_second(pthread_mutex_t *m)
{
	pthread_mutex_lock(m);
}

static void *worker(void *arg)
{
	int first_a = arg != NULL;

	set_comm(first_a ? "abba_a" : "abba_b");
	printf("%s=%ld\n", first_a ? "ta" : "tb", (long)syscall(SYS_gettid));
	fflush(stdout);
	pthread_mutex_lock(first_a ? &lock_a : &lock_b);
	pthread_barrier_wait(&both_hold_one);
	take_second(first_a ? &lock_b : &lock_a);
	return NULL;
}

int main(void)
{
	pthread_t a, b;

	alarm(120);
	set_comm("dl_abba");
	printf("proc=%d\nlock_a=%p\nlock_b=%p\n", getpid(), (void *)&lock_a, (void *)&lock_b);
	fflush(stdout);
	pthread_barrier_init(&both_hold_one, NULL, 2);
	if (pthread_create(&a, NULL, worker, (void *)1) || pthread_create(&b, NULL, worker, NULL))
		die("pthread_create");
	pthread_join(a, NULL);
	return 1;
}
